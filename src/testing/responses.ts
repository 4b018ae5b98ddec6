/**
 * Entra-shaped response bodies: error JSON as the v2 token endpoint sends it, token
 * responses MSAL accepts, unsigned ID tokens and `client_info`. Pure functions: the
 * caller passes time and ids in.
 */
import { createHash } from "node:crypto";

/** How Entra describes one AADSTS code. */
interface CodeInfo {
  /** OAuth `error` value Entra usually sends with this code. */
  readonly error: string;
  /** HTTP status. */
  readonly status: number;
  /** Description text after `AADSTSnnnnn: `; `{name}` placeholders are filled from details. */
  readonly text: string;
  /** `suberror` Entra sends with this code, if any. */
  readonly suberror?: string;
}

/**
 * The codes the simulator produces. Texts paraphrase Microsoft's; never branch on them.
 * Codes not listed here can still be sent through a fault (`{ status, code }`).
 */
const CODES: Readonly<Record<number, CodeInfo>> = {
  50000: { error: "server_error", status: 500, text: "There was an error issuing a token or an issue with our sign-in service." },
  50013: { error: "invalid_grant", status: 400, text: "Assertion failed signature validation." },
  50034: { error: "invalid_grant", status: 400, text: "The user account {username} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory." },
  50053: { error: "invalid_grant", status: 400, text: "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password." },
  50011: { error: "invalid_request", status: 400, text: "The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal." },
  50055: { error: "user_password_expired", status: 400, text: "The password is expired.", suberror: "user_password_expired" },
  50057: { error: "invalid_grant", status: 400, text: "The user account is disabled." },
  50058: { error: "login_required", status: 400, text: "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD." },
  50076: { error: "invalid_grant", status: 400, text: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'.", suberror: "basic_action" },
  50126: { error: "invalid_grant", status: 400, text: "Error validating credentials due to invalid username or password." },
  50173: { error: "invalid_grant", status: 400, text: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password." },
  50196: { error: "invalid_grant", status: 400, text: "The server terminated an operation because it encountered a client request loop. Please contact your app vendor." },
  53003: { error: "invalid_grant", status: 400, text: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", suberror: "message_only" },
  54005: { error: "invalid_grant", status: 400, text: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token." },
  65001: { error: "invalid_grant", status: 400, text: "The user or administrator has not consented to use the application with ID '{clientId}'. Send an interactive authorization request for this user and resource.", suberror: "consent_required" },
  70000: { error: "invalid_grant", status: 400, text: "Provided grant is invalid or malformed." },
  70002: { error: "invalid_grant", status: 400, text: "Error validating credentials." },
  70003: { error: "unsupported_grant_type", status: 400, text: "The app requested an unsupported grant type '{grant}'." },
  70008: { error: "invalid_grant", status: 400, text: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource." },
  70011: { error: "invalid_scope", status: 400, text: "The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not valid." },
  70016: { error: "authorization_pending", status: 400, text: "OAuth 2.0 device flow error. Authorization is pending. Continue polling." },
  70018: { error: "bad_verification_code", status: 400, text: "Invalid verification code." },
  70019: { error: "expired_token", status: 400, text: "Verification code expired." },
  90002: { error: "invalid_request", status: 400, text: "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud." },
  90023: { error: "invalid_request", status: 400, text: "The authentication service request is not valid." },
  90033: { error: "temporarily_unavailable", status: 503, text: "A transient error has occurred. Please try again." },
  90055: { error: "temporarily_unavailable", status: 429, text: "Too many incoming requests. Please retry later." },
  501481: { error: "invalid_grant", status: 400, text: "The Code_Verifier does not match the code_challenge supplied in the authorization request." },
  700054: { error: "unsupported_response_type", status: 400, text: "response_type '{responseType}' is not enabled for the application." },
  700016: { error: "unauthorized_client", status: 400, text: "Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant." },
  700025: { error: "invalid_client", status: 401, text: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented." },
  900144: { error: "invalid_request", status: 400, text: "The request body must contain the following parameter: '{parameter}'." },
  900561: { error: "invalid_request", status: 400, text: "The endpoint only accepts POST requests. Received a {method} request." },
  7000215: { error: "invalid_client", status: 401, text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'." },
  7000218: { error: "invalid_client", status: 401, text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." },
  7000222: { error: "invalid_client", status: 401, text: "The provided client secret keys for app '{clientId}' are expired. Visit the Azure portal to create new keys for your app, or consider using certificate credentials for added security." },
  9002313: { error: "invalid_request", status: 400, text: "Invalid request. Request is malformed or invalid." },
};

/** Default `error`, status and `suberror` for a code (`invalid_request`/400 for unknown codes). */
export function codeDefaults(code: number): { error: string; status: number; suberror: string | undefined } {
  const info = CODES[code];
  return { error: info?.error ?? "invalid_request", status: info?.status ?? 400, suberror: info?.suberror };
}

/** A failure to report, before it is dressed as Entra would. */
export interface EntraErrorSpec {
  /** AADSTS codes for `error_codes`, in order (e.g. `[70002, 50126]`). */
  readonly codes: readonly number[];
  /** Overrides the `error` value from the code table. */
  readonly error?: string;
  /** Overrides the HTTP status from the code table (of the last code). */
  readonly status?: number;
  /** Overrides the `suberror` from the code table; `null` sends none. */
  readonly suberror?: string | null;
  /** `claims` string (a JSON claims challenge). */
  readonly claims?: string;
  /** Values for `{name}` placeholders in the description. */
  readonly details?: Readonly<Record<string, string>>;
  /** Replaces the description text of the last code (after `AADSTSnnnnn: `), sent verbatim. */
  readonly text?: string;
  /** More top-level fields (e.g. `password_change_url`). */
  readonly extraFields?: Readonly<Record<string, unknown>>;
}

/** Per-response values an error body carries. */
export interface ErrorContext {
  /** Response time, ms since epoch. */
  readonly nowMs: number;
  /** `trace_id`: a fresh GUID per response. */
  readonly traceId: string;
  /** `correlation_id`: the request's `client-request-id`. */
  readonly correlationId: string;
}

/** The JSON Entra sends for a failed token request. */
export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
  claims?: string;
  [field: string]: unknown;
}

/** Formats a time the way Entra's `timestamp` does: `2026-11-22 10:15:02Z`. */
export function entraTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

function fill(text: string, details: Readonly<Record<string, string>> | undefined): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => details?.[name] ?? whole);
}

/** The description one code contributes: `AADSTSnnnnn: text`. */
export function codeDescription(code: number, details: Readonly<Record<string, string>> | undefined): string {
  const text = CODES[code]?.text ?? "An error occurred.";
  return `AADSTS${code}: ${fill(text, details)}`;
}

/** Builds the status and body Entra would send for `spec`. */
export function buildErrorBody(spec: EntraErrorSpec, ctx: ErrorContext): { status: number; body: EntraErrorBody } {
  if (spec.codes.length === 0) throw new RangeError("an Entra error needs at least one AADSTS code");
  const primary = spec.codes[spec.codes.length - 1] as number;
  const defaults = codeDefaults(primary);
  const timestamp = entraTimestamp(ctx.nowMs);
  const description = [
    spec.codes.map((code, i) => (spec.text !== undefined && i === spec.codes.length - 1 ? `AADSTS${code}: ${spec.text}` : codeDescription(code, spec.details))).join(" "),
    `Trace ID: ${ctx.traceId}`,
    `Correlation ID: ${ctx.correlationId}`,
    `Timestamp: ${timestamp}`,
  ].join("\r\n");
  const suberror = spec.suberror === null ? undefined : (spec.suberror ?? defaults.suberror);
  const body: EntraErrorBody = {
    error: spec.error ?? defaults.error,
    error_description: description,
    error_codes: [...spec.codes],
    timestamp,
    trace_id: ctx.traceId,
    correlation_id: ctx.correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${primary}`,
    ...(suberror === undefined ? {} : { suberror }),
    ...(spec.claims === undefined ? {} : { claims: spec.claims }),
    ...spec.extraFields,
  };
  return { status: spec.status ?? defaults.status, body };
}

/** A claims challenge naming Conditional Access policy ids, as Entra sends with 53003/50076. */
export function capolidsClaims(policyIds: readonly string[]): string {
  return JSON.stringify({ access_token: { capolids: { essential: true, values: [...policyIds] } } });
}

/** base64url of a UTF-8 string, without padding. */
export function base64Url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** An unsigned JWT (`alg: none`, empty signature): MSAL only decodes the payload. */
export function unsignedJwt(payload: Readonly<Record<string, unknown>>): string {
  return `${base64Url(JSON.stringify({ typ: "JWT", alg: "none" }))}.${base64Url(JSON.stringify(payload))}.`;
}

/** Decodes the payload of a JWT-shaped string; `undefined` if it is not one. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `client_info` as Entra sends it: base64url of `{"uid","utid"}`. */
export function clientInfo(objectId: string, tenantId: string): string {
  return base64Url(JSON.stringify({ uid: objectId, utid: tenantId }));
}

/** A GUID-shaped string derived from `seed` (stable across runs). */
export function stableGuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The identity an ID token describes. */
export interface IdTokenSubject {
  readonly objectId: string;
  readonly username: string;
  readonly displayName: string;
}

/** Claims of a v2 ID token as Entra issues it (unsigned here). */
export function idTokenClaims(input: {
  readonly subject: IdTokenSubject;
  readonly tenantId: string;
  readonly clientId: string;
  readonly issuer: string;
  readonly nowMs: number;
  readonly lifetimeSeconds: number;
  readonly nonce?: string;
}): Record<string, unknown> {
  const iat = Math.floor(input.nowMs / 1000);
  return {
    aud: input.clientId,
    iss: input.issuer,
    iat,
    nbf: iat,
    exp: iat + input.lifetimeSeconds,
    name: input.subject.displayName,
    oid: input.subject.objectId,
    preferred_username: input.subject.username,
    sub: createHash("sha256").update(`${input.clientId}:${input.subject.objectId}`).digest("base64url").slice(0, 43),
    tid: input.tenantId,
    ver: "2.0",
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
  };
}

/** A successful token response. Fields absent for a grant are left out, not empty. */
export interface TokenResponseBody {
  token_type: "Bearer";
  scope?: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}
