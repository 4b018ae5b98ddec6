import { KIND_TRAITS, type GuardErrorKind, type RetryAdvice } from "./kinds.js";

/** Where the classified value came from, as far as its shape tells. */
export type ErrorSource =
  /** An MSAL `AuthError` (any subclass, any build, minified or not). */
  | "msal"
  /** An `@azure/identity` credential error (possibly wrapping MSAL's in `cause`). */
  | "azure-identity"
  /** A token-endpoint JSON error body (`{ error, error_codes, ... }`), object or string. */
  | "token-response"
  /** `/authorize` redirect parameters (URL, query/fragment string, `URLSearchParams` or record). */
  | "authorize-redirect"
  /** Free text containing AADSTS codes or an MSAL-style error code. */
  | "text"
  /** A generic `Error` or other value with nothing MSAL-specific about it. */
  | "other"
  /** msal-guard refused the call itself: no request was sent (the error has `suppressed: true`). */
  | "suppression";

/**
 * The structured verdict on one failure. Plain data: safe to log (it holds no
 * server text, user names or tokens), serialise and compare.
 */
export interface Classification {
  readonly kind: GuardErrorKind;
  /** Every AADSTS number found, most specific first (so `[50126, 70002]` for a bad ROPC password). */
  readonly codes: readonly number[];
  /** The OAuth `error` value or MSAL `errorCode` (for example `invalid_grant`, `interaction_required`, `network_error`), when known: one word; free text in its place is not kept. */
  readonly error: string | undefined;
  /** Entra's `suberror` (for example `message_only`, `basic_action`), when known: one word, as `error`. */
  readonly subError: string | undefined;
  /** HTTP status of the failed response, when known. MSAL only keeps it for client credentials. */
  readonly httpStatus: number | undefined;
  /** How long the server asked the client to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;
  /** The request's correlation id (the `client-request-id` MSAL sent, echoed by Entra). */
  readonly correlationId: string | undefined;
  readonly traceId: string | undefined;
  /** The server's timestamp of the failure, as it sent it (for example `2026-11-22 10:15:02Z`). */
  readonly timestamp: string | undefined;
  /** The claims challenge string, to pass back to MSAL's `claims` request option. */
  readonly claims: string | undefined;
  /** Conditional Access policy ids (`capolids`) named in the claims challenge. */
  readonly policyIds: readonly string[];
  /** True for MSAL's locally replayed throttle errors: no request reached the server. */
  readonly replayed: boolean;
  /** Starting an interactive sign-in can resolve this. False for 53003 whatever MSAL's class says. */
  readonly interactionRequired: boolean;
  /** Whether and when sending the request again can succeed. */
  readonly retry: RetryAdvice;
  readonly source: ErrorSource;
}

/**
 * A Classification of `kind` with nothing else known, plus the given fields. For
 * verdicts msal-guard makes itself (a suppressed call, an empty token result).
 */
export function makeClassification(kind: GuardErrorKind, fields: Partial<Classification> = {}): Classification {
  return {
    kind,
    codes: [],
    error: undefined,
    subError: undefined,
    httpStatus: undefined,
    retryAfterMs: undefined,
    correlationId: undefined,
    traceId: undefined,
    timestamp: undefined,
    claims: undefined,
    policyIds: [],
    replayed: false,
    interactionRequired: KIND_TRAITS[kind].interactionHelps,
    retry: KIND_TRAITS[kind].retry,
    source: "other",
    ...fields,
  };
}
