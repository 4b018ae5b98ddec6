import { kindForCode, rankCodes } from "./catalogue/index.js";
import type { Evidence } from "./extract.js";
import type { GuardErrorKind } from "./kinds.js";

/**
 * The verdict, by the strongest evidence first: a known AADSTS code, then the OAuth
 * `error` (or MSAL `errorCode`), then `suberror`, then the HTTP status, then the shape.
 */
export function decideKind(evidence: Evidence, rankedCodes: readonly number[] = rankCodes(evidence.codes)): GuardErrorKind {
  for (const code of rankedCodes) {
    const kind = kindForCode(code);
    if (kind !== undefined) return kind;
  }
  if (evidence.errorSubcode === "cancel") return "user_cancelled";
  if (evidence.subError === "message_only" && evidence.claims?.includes("capolids")) return "conditional_access_blocked";

  // A suberror refines the catch-all OAuth errors ("invalid_grant" + "user_password_expired").
  const bySubError = evidence.subError === undefined ? undefined : SUBERROR_KINDS[evidence.subError];
  const genericError = evidence.error === undefined || GENERIC_ERRORS.has(evidence.error);
  if (bySubError !== undefined && genericError) return bySubError;
  // MSAL says "network" when it could not read a response (a second copy of msal-node,
  // an empty 429); a known HTTP status proves the server answered, so the status decides.
  const answered = evidence.httpStatus !== undefined && evidence.error !== undefined && TRANSPORT_ERRORS.has(evidence.error);
  const byError = evidence.error === undefined || answered ? undefined : kindForErrorValue(evidence.error);
  if (byError !== undefined) return byError;
  if (bySubError !== undefined) return bySubError;

  const status = evidence.httpStatus;
  if (status === 429) return "throttled";
  if (status !== undefined && (status >= 500 || status === 408)) return "transient";
  if (evidence.replayed) return "throttled"; // armed by a 429/5xx that carried no codes
  if (evidence.transportFailure) return "network";
  if (evidence.error !== undefined && UNREADABLE_RESPONSE.has(evidence.error)) return "transient";

  switch (evidence.errorName) {
    case "ClientConfigurationError":
    case "BrowserConfigurationAuthError":
    case "CredentialUnavailableError":
      return "client_misconfigured";
    case "InteractionRequiredAuthError":
    case "AuthenticationRequiredError":
      return "interaction_required";
  }
  return "unknown";
}

function kindForErrorValue(error: string): GuardErrorKind | undefined {
  const direct = ERROR_KINDS[error];
  if (direct !== undefined) return direct;
  // MSAL's configuration error codes are many and all mean "fix the app's setup".
  if (/_(config|configuration)_|^invalid_(authority|cloud_discovery|known_authorities|claims|authority_metadata|redirect_uri)|_empty(_error)?$|^empty_|_insecure$/.test(error)) {
    return "client_misconfigured";
  }
  return undefined;
}

/**
 * OAuth `error` values (RFC 6749, Entra) and MSAL `errorCode`s, by what the user or app can do.
 * `invalid_grant` alone means the grant (refresh token, code, password) isn't accepted: sign in again.
 */
const ERROR_KINDS: Readonly<Record<string, GuardErrorKind>> = {
  // OAuth / Entra
  invalid_grant: "interaction_required",
  interaction_required: "interaction_required",
  login_required: "interaction_required",
  bad_token: "interaction_required",
  ui_not_allowed: "interaction_required",
  interrupted_user: "interaction_required",
  expired_token: "interaction_required",
  authorization_pending: "interaction_required",
  consent_required: "consent_required",
  user_password_expired: "password_expired",
  invalid_client: "client_misconfigured",
  unauthorized_client: "client_misconfigured",
  invalid_scope: "client_misconfigured",
  invalid_resource: "client_misconfigured",
  unsupported_grant_type: "client_misconfigured",
  unsupported_response_type: "client_misconfigured",
  invalid_request: "invalid_request",
  access_denied: "access_denied",
  temporarily_unavailable: "transient",
  server_error: "transient",
  slow_down: "throttled",
  // MSAL (common, node, browser)
  network_error: "network",
  post_request_failed: "network",
  get_request_failed: "network",
  no_network_connectivity: "network",
  endpoints_resolution_error: "network",
  openid_config_error: "network",
  user_cancelled: "user_cancelled",
  popup_window_error: "user_cancelled",
  empty_window_error: "user_cancelled",
  user_canceled: "user_cancelled",
  timed_out: "interaction_required",
  monitor_window_timeout: "interaction_required",
  no_account_error: "interaction_required",
  no_account_in_silent_request: "interaction_required",
  no_tokens_found: "interaction_required",
  refresh_token_expired: "interaction_required",
  native_account_unavailable: "interaction_required",
  interaction_in_progress: "invalid_request",
  block_iframe_reload: "client_misconfigured",
  block_nested_popups: "client_misconfigured",
  redirect_in_iframe: "client_misconfigured",
  state_mismatch: "invalid_request",
  nonce_mismatch: "invalid_request",
  state_not_found: "invalid_request",
  hash_empty_error: "invalid_request",
  no_state_in_hash: "invalid_request",
};

const TRANSPORT_ERRORS: ReadonlySet<string> = new Set(["network_error", "post_request_failed", "get_request_failed", "no_network_connectivity"]);

const GENERIC_ERRORS: ReadonlySet<string> = new Set(["invalid_grant", "interaction_required", "login_required", "invalid_request"]);

/** MSAL errorCodes that mean "the response could not be read" (HTML error pages, empty 429s): the status, when known, says more. */
const UNREADABLE_RESPONSE: ReadonlySet<string> = new Set(["token_parsing_error", "failed_to_parse_response", "invalid_json"]);

/** Entra `suberror` values (the MSAL.NET constants) when no code or error value decided. */
const SUBERROR_KINDS: Readonly<Record<string, GuardErrorKind>> = {
  basic_action: "interaction_required",
  additional_action: "interaction_required",
  message_only: "access_denied",
  user_password_expired: "password_expired",
  consent_required: "consent_required",
  bad_token: "interaction_required",
  client_mismatch: "client_misconfigured",
  protection_policy_required: "device_not_compliant",
  device_authentication_failed: "device_not_compliant",
};
