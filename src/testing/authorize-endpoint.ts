/**
 * What the `/authorize` endpoint answers, given the request's query and the tenant
 * state: the redirect (or error page) Entra would send to MSAL's popup, redirect and
 * hidden-iframe (`prompt=none`) flows. No HTTP here; faults and throttling were applied
 * before.
 *
 * Order of checks (the first that fails answers):
 *   1. client and redirect URI (an error page on the simulator, never a redirect:
 *      Entra does not send errors to a redirect URI it cannot trust): `client_id`
 *      (900144), unknown client (700016), `redirect_uri` missing (900144) or not
 *      registered (50011)
 *   2. `response_mode` (`query`, `fragment` or `form_post`, an auto-submitting form as
 *      msal-node 5+ asks for; default `query`, as for any code flow)
 *      and `response_type` (`code` only: 700054); from here on errors are redirects
 *   3. a configured outcome (`failSignIns`, `cancelSignIns`)
 *   4. who signs in: `login_hint` when that user exists, else the interactive user.
 *      `prompt=none` needs a browser session (an interactive user is set), else
 *      `login_required` (50058)
 *   5. smart lockout: flagged source address or locked counter (50053)
 *   6. account state: disabled (50057); on `prompt=none` also MFA (50076) and consent
 *      (65001), which an interactive sign-in satisfies
 *   7. Conditional Access: block (53003, `message_only`, `claims`), require MFA on
 *      `prompt=none` (50076)
 *   8. an authorization code carrying `nonce`, PKCE challenge, scope and redirect URI.
 */
import { matchingCaRules, userKey, type UserRecord } from "./directory.js";
import { isLocked, INITIAL_LOCKOUT_COUNTER } from "./lockout.js";
import { capolidsClaims, clientInfo, type EntraErrorSpec } from "./responses.js";
import { counterKey, locationOf, type TenantState } from "./tenant.js";
import type { LockoutLocation } from "./lockout.js";

/** An `/authorize` request after HTTP parsing. */
export interface AuthorizeRequest {
  /** Query parameters. */
  readonly params: URLSearchParams;
  readonly sourceAddress: string;
  /** Simulator-clock time, ms epoch. */
  readonly nowMs: number;
  /** The user signed in to the simulated browser session, if any. */
  readonly interactiveUser: string | undefined;
  /** A configured outcome that replaces the sign-in (`failSignIns`, `cancelSignIns`). */
  readonly forced: AuthorizeErrorRule | undefined;
}

/**
 * An error redirect to send instead of signing the user in. Codes get Entra's
 * description and `error_uri`; `error` and `suberror` default per code.
 */
export interface AuthorizeErrorRule {
  /** AADSTS code for `error_description` and `error_uri` (`?code=`). @default none (no description) */
  readonly code?: number;
  /** OAuth `error`. @default the code's usual `/authorize` value, or `access_denied` */
  readonly error?: string;
  /** `error_subcode`, e.g. `cancel` when the user backed out of the sign-in page. */
  readonly errorSubcode?: string;
  /** `suberror`; `null` sends none. @default the code's usual one (53003: `message_only`) */
  readonly suberror?: string | null;
  /** `claims` challenge (a JSON string). */
  readonly claims?: string;
  /**
   * Replaces the description text after `AADSTSnnnnn: `, sent verbatim (markup
   * included), e.g. to test that a page renders it as inert text.
   */
  readonly description?: string;
}

/** What to answer, plus what the request log should record. */
export type AuthorizeOutcome =
  | {
      /** An error page on the simulator's own origin (status 400): no redirect. */
      readonly kind: "page";
      readonly spec: EntraErrorSpec;
      readonly reason: string;
    }
  | {
      /** A 302 to `redirectUri` with the response in its query or fragment; for `form_post`, a page whose form posts it there. */
      readonly kind: "redirect";
      readonly redirectUri: string;
      readonly responseMode: "query" | "fragment" | "form_post";
      /** The request's `state`, echoed last. */
      readonly state: string | undefined;
      /** The error to describe (AADSTS code, `error`, `suberror`, `claims`), if any. */
      readonly spec: EntraErrorSpec | undefined;
      /** Response parameters besides the error fields: `code`, `client_info`, `error_subcode`, ... */
      readonly params: Readonly<Record<string, string>>;
      readonly reason: string | undefined;
      readonly username: string | undefined;
      readonly location: LockoutLocation | undefined;
    };

/** `error` values `/authorize` sends by default, per AADSTS code. */
export const AUTHORIZE_ERROR_BY_CODE: Readonly<Record<number, string>> = {
  50053: "interaction_required",
  50057: "access_denied",
  50058: "login_required",
  50076: "interaction_required",
  53003: "interaction_required",
  65001: "consent_required",
  90023: "invalid_request",
  700054: "unsupported_response_type",
};

/** Redirect URIs every client accepts: plain-HTTP loopback, any port and path. */
export function isLoopbackRedirectUri(uri: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return false;
  }
  return parsed.protocol === "http:" && (parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost") && parsed.hash === "";
}

function page(codes: number, reason: string, details?: Record<string, string>): AuthorizeOutcome {
  return { kind: "page", spec: { codes: [codes], status: 400, ...(details ? { details } : {}) }, reason };
}

/** Answers one `/authorize` request. Issues a code into `state` on success. */
export function handleAuthorizeRequest(state: TenantState, request: AuthorizeRequest, errorVariants: ReadonlyMap<number, string>): AuthorizeOutcome {
  const { params } = request;
  const clientId = params.get("client_id");
  if (clientId === null) return page(900144, "missing_parameter", { parameter: "client_id" });
  const client = state.clients.get(clientId);
  if (client === undefined) return page(700016, "client_authentication", { clientId, tenant: state.tenantId });
  const redirectUri = params.get("redirect_uri");
  if (redirectUri === null) return page(900144, "missing_parameter", { parameter: "redirect_uri" });
  if (!isLoopbackRedirectUri(redirectUri) && !client.redirectUris.includes(redirectUri)) {
    return page(50011, "redirect_uri_mismatch", { redirectUri, clientId });
  }

  const stateParam = params.get("state") ?? undefined;
  const requestedMode = params.get("response_mode") ?? "query";
  const responseMode = requestedMode === "fragment" || requestedMode === "form_post" ? requestedMode : "query";
  const loginHint = params.get("login_hint") ?? undefined;
  const base = { kind: "redirect", redirectUri, responseMode, state: stateParam } as const;

  const redirectError = (
    rule: AuthorizeErrorRule,
    reason: string,
    who: { username?: string | undefined; location?: LockoutLocation | undefined } = {},
    details?: Record<string, string>,
  ): AuthorizeOutcome => {
    const spec: EntraErrorSpec | undefined =
      rule.code === undefined
        ? undefined
        : {
            codes: [rule.code],
            error: rule.error ?? errorVariants.get(rule.code) ?? AUTHORIZE_ERROR_BY_CODE[rule.code] ?? "access_denied",
            ...(rule.suberror === undefined ? {} : { suberror: rule.suberror }),
            ...(rule.claims === undefined ? {} : { claims: rule.claims }),
            ...(rule.description === undefined ? {} : { text: rule.description }),
            ...(details ? { details } : {}),
          };
    const extra: Record<string, string> = {};
    if (spec === undefined) extra["error"] = rule.error ?? "access_denied";
    if (rule.errorSubcode !== undefined) extra["error_subcode"] = rule.errorSubcode;
    return { ...base, spec, params: extra, reason, username: who.username, location: who.location };
  };

  if (requestedMode !== "query" && requestedMode !== "fragment" && requestedMode !== "form_post") {
    return redirectError({ code: 90023 }, "unsupported_response_mode");
  }
  const responseType = params.get("response_type");
  if (responseType === null) return redirectError({ code: 900144, error: "invalid_request" }, "missing_parameter", {}, { parameter: "response_type" });
  if (responseType !== "code") return redirectError({ code: 700054 }, "unsupported_response_type", {}, { responseType });

  const silent = params.get("prompt") === "none";
  const hinted = loginHint === undefined ? undefined : state.users.get(userKey(loginHint));
  if (request.forced !== undefined) {
    return redirectError(request.forced, request.forced.errorSubcode === "cancel" ? "user_cancelled" : "configured_error", {
      username: hinted?.username ?? request.interactiveUser,
    });
  }

  const sessionUser = request.interactiveUser === undefined ? undefined : state.users.get(userKey(request.interactiveUser));
  let user: UserRecord | undefined;
  if (silent) {
    if (sessionUser === undefined) return redirectError({ code: 50058 }, "no_session", { username: loginHint });
    if (loginHint !== undefined && hinted === undefined) return redirectError({ code: 50058 }, "no_session", { username: loginHint });
    user = hinted ?? sessionUser;
  } else {
    user = hinted ?? sessionUser;
    // Nobody to sign in: as if the person closed the sign-in page.
    if (user === undefined) return redirectError({ error: "access_denied", errorSubcode: "cancel" }, "no_interactive_user", { username: loginHint });
  }

  const location = locationOf(state, user, request.sourceAddress);
  const who = { username: user.username, location };
  if (state.flaggedAddresses.has(request.sourceAddress)) return redirectError({ code: 50053 }, "flagged_address", who);
  const counter = state.counters.get(counterKey(userKey(user.username), location)) ?? INITIAL_LOCKOUT_COUNTER;
  if (isLocked(counter, request.nowMs)) return redirectError({ code: 50053 }, "locked", who);
  if (user.state === "disabled") return redirectError({ code: 50057 }, "user_disabled", who);
  if (silent && user.state === "mfa_required") return redirectError({ code: 50076, suberror: null }, "mfa_required", who, { resource: "Microsoft Graph" });
  if (silent && user.state === "consent_missing") return redirectError({ code: 65001, suberror: null }, "consent_missing", who, { clientId });

  const rules = matchingCaRules(state.caRules, { username: user.username, clientId, sourceAddress: request.sourceAddress });
  const blocking = rules.filter((rule) => rule.action === "block").map((rule) => rule.policyId);
  if (blocking.length > 0) {
    return redirectError({ code: 53003, claims: capolidsClaims(blocking) }, "conditional_access_block", who);
  }
  const mfaPolicies = rules.filter((rule) => rule.action === "require_mfa").map((rule) => rule.policyId);
  if (silent && mfaPolicies.length > 0) {
    return redirectError({ code: 50076, suberror: null, claims: capolidsClaims(mfaPolicies) }, "conditional_access_mfa", who, {
      resource: "Microsoft Graph",
    });
  }

  const code = `simAC.${state.createId()}`;
  const challenge = params.get("code_challenge") ?? undefined;
  state.authCodes.set(code, {
    userKey: userKey(user.username),
    clientId,
    scope: params.get("scope") ?? undefined,
    nonce: params.get("nonce") ?? undefined,
    redirectUri,
    codeChallenge: challenge,
    // RFC 7636: a challenge without a method is `plain`.
    codeChallengeMethod: params.get("code_challenge_method") === "S256" ? "S256" : "plain",
    expiresAtMs: request.nowMs + 600_000,
    redeemed: false,
  });
  const success: Record<string, string> = { code };
  if (params.get("client_info") === "1") success["client_info"] = clientInfo(user.objectId, state.tenantId);
  success["session_state"] = state.createId();
  return { ...base, spec: undefined, params: success, reason: undefined, username: user.username, location };
}

/** Appends response parameters to a redirect URI's query or fragment. */
export function withResponse(redirectUri: string, mode: "query" | "fragment", params: Readonly<Record<string, string>>): string {
  const encoded = new URLSearchParams(params).toString();
  if (mode === "fragment") return `${redirectUri}#${encoded}`;
  return `${redirectUri}${redirectUri.includes("?") ? "&" : "?"}${encoded}`;
}
