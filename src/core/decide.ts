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
  // IMDS names no code: an identity the resource does not have is the app's setup to fix.
  if (evidence.unknownManagedIdentity && (evidence.error === undefined || evidence.error === "invalid_request")) return "client_misconfigured";
  if (evidence.errorSubcode === "cancel") return "user_cancelled";
  if (evidence.subError === "message_only" && evidence.claims?.includes("capolids")) return "conditional_access_blocked";

  // A suberror refines the catch-all OAuth errors ("invalid_grant" + "user_password_expired").
  const bySubError = evidence.subError === undefined ? undefined : SUBERROR_KINDS[evidence.subError];
  const genericError = evidence.error === undefined || GENERIC_ERRORS.has(evidence.error);
  if (bySubError !== undefined && genericError) return bySubError;
  // MSAL says "network" when it could not read a response (a second copy of msal-node,
  // an empty 429); a known HTTP status proves the server answered, so the status decides.
  const byValue = evidence.error === undefined ? undefined : kindForErrorValue(evidence.error);
  const byError = byValue === "network" && evidence.httpStatus !== undefined ? undefined : byValue;
  if (byError !== undefined) return byError;
  if (bySubError !== undefined) return bySubError;

  const status = evidence.httpStatus;
  if (status === 429) return "throttled";
  if (status !== undefined && (status >= 500 || status === 408)) return "transient";
  if (evidence.replayed) return "throttled"; // armed by a 429/5xx that carried no codes
  if (evidence.transportFailure) return "network";
  // An answer MSAL couldn't read is a fault of the service's, unless its status says the
  // request was refused (an HTML 400 or 403 from a proxy: sending it again won't help).
  if (evidence.error !== undefined && UNREADABLE_RESPONSE.has(evidence.error) && !(status !== undefined && status >= 400 && status < 500)) return "transient";

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
  if (kindByErrorValue === undefined) {
    kindByErrorValue = new Map();
    for (const [kind, values] of Object.entries(ERROR_VALUES)) for (const value of values.split(" ")) kindByErrorValue.set(value, kind as GuardErrorKind);
  }
  const direct = kindByErrorValue.get(error);
  if (direct !== undefined) return direct;
  // MSAL's configuration error codes are many and all mean "fix the app's setup".
  if (/_(config|configuration)_|^invalid_(authority|cloud_discovery|known_authorities|claims|authority_metadata|redirect_uri)|_empty(_error)?$|^empty_|_insecure$/.test(error)) {
    return "client_misconfigured";
  }
  return undefined;
}

let kindByErrorValue: Map<string, GuardErrorKind> | undefined;

/**
 * OAuth `error` values (RFC 6749, Entra) and MSAL `errorCode`s, by what the user or app can do,
 * space-separated (compact; read into a map on first use).
 * `invalid_grant` alone means the grant (refresh token, code, password) isn't accepted: sign in again.
 */
const ERROR_VALUES: Readonly<Partial<Record<GuardErrorKind, string>>> = {
  interaction_required:
    "invalid_grant interaction_required login_required bad_token ui_not_allowed interrupted_user expired_token authorization_pending " +
    // MSAL: nothing cached, or an interaction that ran out of time
    "timed_out monitor_window_timeout no_account_error no_account_in_silent_request no_tokens_found refresh_token_expired native_account_unavailable",
  consent_required: "consent_required",
  password_expired: "user_password_expired",
  client_misconfigured:
    "invalid_client unauthorized_client invalid_scope invalid_resource unsupported_grant_type unsupported_response_type " +
    "block_iframe_reload block_nested_popups redirect_in_iframe",
  invalid_request: "invalid_request interaction_in_progress state_mismatch nonce_mismatch state_not_found hash_empty_error no_state_in_hash",
  access_denied: "access_denied",
  transient: "temporarily_unavailable server_error",
  throttled: "slow_down",
  // MSAL: no response could be read
  network: "network_error post_request_failed get_request_failed no_network_connectivity endpoints_resolution_error openid_config_error",
  user_cancelled: "user_cancelled user_canceled",
  // MSAL: window.open failed or gave no window
  popup_blocked: "popup_window_error empty_window_error",
};

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
