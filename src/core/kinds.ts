/**
 * What went wrong, in terms an application can act on. Every MSAL failure maps to
 * exactly one kind; the kind decides the typed error class, the user message and
 * (in the adapters) the suppression policy.
 */
export type GuardErrorKind =
  /** Smart lockout, or a sign-in from a flagged network address (AADSTS50053). */
  | "account_locked"
  /** A Conditional Access policy forbids token issuance (AADSTS53003). Interaction cannot fix it. */
  | "conditional_access_blocked"
  /** The tenant denies this user or app for a reason other than Conditional Access: not assigned, tenant restrictions, cross-tenant policy, security defaults, risk. */
  | "access_denied"
  /** A policy requires a compliant, managed or registered device, or an approved client app. */
  | "device_not_compliant"
  /** Multi-factor authentication (or enrolling for it) is required. Interaction fixes it. */
  | "mfa_required"
  /** The user has not consented to the requested permissions, and can do so. */
  | "consent_required"
  /** Only an administrator can grant the requested permissions. */
  | "admin_consent_required"
  /** The user must sign in again (expired or revoked session, missing SSO session, sign-in interrupt). */
  | "interaction_required"
  /** The password has expired or must be changed. */
  | "password_expired"
  /** Wrong user name or password. */
  | "invalid_credentials"
  /** The account is disabled, deleted, or not a member of the tenant. */
  | "account_unavailable"
  /** The app registration or its credentials are wrong: bad or expired client secret or certificate, unknown app, bad scope, bad redirect URI. */
  | "client_misconfigured"
  /** The tenant's sign-in setup (federation, on-premises agents, certificates) failed; an administrator must fix it. */
  | "tenant_misconfigured"
  /** The request itself is malformed or no longer valid (a protocol error, a code redeemed twice). */
  | "invalid_request"
  /** The service asked the client to slow down (HTTP 429, loop detection, tenant throttling). */
  | "throttled"
  /** A temporary server-side fault; a later retry can succeed. */
  | "transient"
  /** The request never got an answer: DNS, connection, TLS or timeout failure. */
  | "network"
  /** The user closed the sign-in window or declined. */
  | "user_cancelled"
  /** The browser would not open the sign-in window (a pop-up blocker, or no user gesture). */
  | "popup_blocked"
  /** Nothing recognisable; treated conservatively. */
  | "unknown";

/** Who can make the failure go away. */
export type FixedBy = "user" | "administrator" | "developer" | "time" | "nobody";

/** Whether sending the same request again can succeed. */
export type RetryAdvice =
  /** Retrying the same request will fail the same way until something changes. */
  | "never"
  /** Retrying after the server's wait (or a backoff) can succeed. */
  | "after_wait"
  /** Retrying with backoff can succeed. */
  | "with_backoff"
  /** Only after the user signs in interactively. */
  | "after_interaction"
  /** Only after someone changes configuration, credentials or policy. */
  | "after_fix";

/** Stable facts about a kind, independent of any particular error. */
export interface KindTraits {
  /** Starting an interactive sign-in (popup, redirect, device code) can resolve it. */
  readonly interactionHelps: boolean;
  readonly retry: RetryAdvice;
  readonly fixedBy: FixedBy;
}

/** What each kind means for the caller: whether interaction helps, when a retry can succeed, and who fixes it. */
export const KIND_TRAITS: Readonly<Record<GuardErrorKind, KindTraits>> = {
  account_locked: { interactionHelps: false, retry: "after_wait", fixedBy: "time" },
  conditional_access_blocked: { interactionHelps: false, retry: "after_fix", fixedBy: "administrator" },
  access_denied: { interactionHelps: false, retry: "after_fix", fixedBy: "administrator" },
  device_not_compliant: { interactionHelps: false, retry: "after_fix", fixedBy: "user" },
  mfa_required: { interactionHelps: true, retry: "after_interaction", fixedBy: "user" },
  consent_required: { interactionHelps: true, retry: "after_interaction", fixedBy: "user" },
  admin_consent_required: { interactionHelps: false, retry: "after_fix", fixedBy: "administrator" },
  interaction_required: { interactionHelps: true, retry: "after_interaction", fixedBy: "user" },
  password_expired: { interactionHelps: true, retry: "after_fix", fixedBy: "user" },
  invalid_credentials: { interactionHelps: true, retry: "after_fix", fixedBy: "user" },
  account_unavailable: { interactionHelps: false, retry: "after_fix", fixedBy: "administrator" },
  client_misconfigured: { interactionHelps: false, retry: "after_fix", fixedBy: "developer" },
  tenant_misconfigured: { interactionHelps: false, retry: "after_fix", fixedBy: "administrator" },
  invalid_request: { interactionHelps: false, retry: "never", fixedBy: "developer" },
  throttled: { interactionHelps: false, retry: "after_wait", fixedBy: "time" },
  transient: { interactionHelps: false, retry: "with_backoff", fixedBy: "time" },
  network: { interactionHelps: false, retry: "with_backoff", fixedBy: "time" },
  user_cancelled: { interactionHelps: true, retry: "after_interaction", fixedBy: "user" },
  popup_blocked: { interactionHelps: true, retry: "after_fix", fixedBy: "user" },
  unknown: { interactionHelps: false, retry: "never", fixedBy: "nobody" },
};

/** Every kind, in a stable order (useful for tables, exhaustive tests and docs). */
export const GUARD_ERROR_KINDS: readonly GuardErrorKind[] = [
  "account_locked",
  "conditional_access_blocked",
  "access_denied",
  "device_not_compliant",
  "mfa_required",
  "consent_required",
  "admin_consent_required",
  "interaction_required",
  "password_expired",
  "invalid_credentials",
  "account_unavailable",
  "client_misconfigured",
  "tenant_misconfigured",
  "invalid_request",
  "throttled",
  "transient",
  "network",
  "user_cancelled",
  "popup_blocked",
  "unknown",
];

/** Whether `value` is one of the {@link GUARD_ERROR_KINDS} strings. */
export function isGuardErrorKind(value: unknown): value is GuardErrorKind {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(KIND_TRAITS, value);
}
