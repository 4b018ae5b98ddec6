/**
 * What tells two calls apart when they share method, identity, scopes and credential (the
 * engine keys those itself): every other request field. Concurrent calls share one MSAL
 * call only when their requests agree on all of them, so a proof-of-possession request never
 * receives a bearer token meant for its neighbour, nor a call with its own query parameters
 * (a slice, a declared source) the answer to one without. A field this list doesn't know
 * makes calls distinct: sharing too little costs a request, sharing too much a wrong token.
 */

/** The variant of a request that sets nothing beyond the fields keyed elsewhere: most calls. */
export const PLAIN_REQUEST = "";

let unrepresentable = 0;

/**
 * The request's fields other than `keyedElsewhere`, as one string; {@link PLAIN_REQUEST}
 * when there are none. Functions (callbacks), `undefined` and the default bearer scheme don't
 * change the request MSAL sends and are skipped; `account` counts by the tenant profile it names.
 */
export function requestVariant(request: Readonly<Record<string, unknown>>, keyedElsewhere: ReadonlySet<string>): string {
  let parts: unknown[] | undefined;
  for (const key in request) {
    if (keyedElsewhere.has(key)) continue;
    let value = request[key];
    if (value === undefined || typeof value === "function") continue;
    // MSAL's default, which msal-node writes into the caller's request on the first call:
    // a reused request object would otherwise cost every later call a JSON.stringify.
    if (key === "authenticationScheme" && typeof value === "string" && (value === "Bearer" || value.toLowerCase() === "bearer")) continue;
    if (key === "account" && typeof value === "object" && value !== null) {
      const account = value as Record<string, unknown>;
      value = [account.homeAccountId, account.tenantId, account.localAccountId, account.environment];
    }
    (parts ??= []).push(key, value);
  }
  if (parts === undefined) return PLAIN_REQUEST;
  try {
    return JSON.stringify(parts);
  } catch {
    // A value JSON can't hold (a cycle, a bigint): never shared with another call.
    return `unshared:${++unrepresentable}`;
  }
}
