import { GUARD_ERROR_BRAND, classify } from "./classify.js";
import type { Classification } from "./classification.js";
import type { GuardErrorKind } from "./kinds.js";
import { read } from "./read.js";

/** Options for constructing an {@link MsalGuardError} (or one of its subclasses) yourself. */
export interface MsalGuardErrorOptions {
  /** The original error, kept untouched. */
  readonly cause?: unknown;
  /**
   * True when msal-guard refused the call itself (no request was sent) because an
   * earlier failure of the same kind makes it pointless. False for failures from the server.
   * @default false
   */
  readonly suppressed?: boolean;
  /** When calls will be allowed again (epoch ms): for suppressed calls, and for a lockout or throttling the guard has just started holding back. */
  readonly retryAt?: number;
}

/**
 * Base class of every error msal-guard raises. Structured fields only: the message
 * names the kind, codes and correlation id, never server text.
 *
 * Check with `isMsalGuardError(e)` rather than `instanceof` when two copies of the
 * package may be loaded (a CJS and an ESM build, a bundled dependency).
 */
export class MsalGuardError extends Error {
  override readonly name: string = "MsalGuardError";
  readonly kind: GuardErrorKind;
  /** AADSTS codes, most specific first. */
  readonly codes: readonly number[];
  readonly classification: Classification;
  readonly suppressed: boolean;
  /** How long to wait before trying again, when known (server timing, or the suppression window). */
  readonly retryAfterMs: number | undefined;
  /** When a retry is allowed again (epoch ms): on suppressed calls, and on the lockout or throttling answer that started the suppression. */
  readonly retryAt: number | undefined;
  declare readonly cause: unknown;

  constructor(classification: Classification, options: MsalGuardErrorOptions = {}) {
    super(describe(classification, options), { cause: options.cause });
    this.kind = classification.kind;
    this.codes = classification.codes;
    this.classification = classification;
    this.suppressed = options.suppressed ?? false;
    this.retryAt = options.retryAt;
    this.retryAfterMs = classification.retryAfterMs;
    // Set even where the runtime ignores the `cause` option (older engines).
    if (!("cause" in this) && "cause" in options) {
      Object.defineProperty(this, "cause", { value: options.cause, writable: true, configurable: true });
    }
    Object.defineProperty(this, GUARD_ERROR_BRAND, { value: true });
  }
}

function describe(c: Classification, options: MsalGuardErrorOptions): string {
  const parts = [c.codes.length > 0 ? `${c.kind} (${c.codes.map((code) => `AADSTS${code}`).join(", ")})` : c.kind];
  if (options.suppressed) parts.push("suppressed by msal-guard, no request sent");
  if (c.httpStatus !== undefined) parts.push(`HTTP ${c.httpStatus}`);
  if (c.retryAfterMs !== undefined) parts.push(`retry after ${Math.ceil(c.retryAfterMs / 1000)} s`);
  if (c.replayed) parts.push("replayed by MSAL's throttling cache");
  if (c.correlationId !== undefined) parts.push(`correlation id ${c.correlationId}`);
  return parts.join("; ");
}

/** Smart lockout or a flagged source address (AADSTS50053). Never says the password was wrong. */
export class AccountLockedError extends MsalGuardError {
  override readonly name = "AccountLockedError" as const;
  declare readonly kind: "account_locked";
}
/** Conditional Access blocks token issuance (AADSTS53003). Interaction cannot fix it. */
export class ConditionalAccessBlockedError extends MsalGuardError {
  override readonly name = "ConditionalAccessBlockedError" as const;
  declare readonly kind: "conditional_access_blocked";
  /** The blocking Conditional Access policy ids, when Entra named them (`capolids`). */
  get policyIds(): readonly string[] {
    return this.classification.policyIds;
  }
}
/** Access denied by the tenant's setup (the user isn't assigned to the app, restricted tenant access, a policy no sign-in can satisfy). Interaction cannot fix it. */
export class AccessDeniedError extends MsalGuardError {
  override readonly name = "AccessDeniedError" as const;
  declare readonly kind: "access_denied";
}
/** The device must be managed or compliant (app protection or device policies). The user must fix the device. */
export class DeviceNotCompliantError extends MsalGuardError {
  override readonly name = "DeviceNotCompliantError" as const;
  declare readonly kind: "device_not_compliant";
}
/** Multi-factor authentication is needed (AADSTS50076, 50079): an interactive sign-in with the `claims` challenge can fix it. */
export class MfaRequiredError extends MsalGuardError {
  override readonly name = "MfaRequiredError" as const;
  declare readonly kind: "mfa_required";
  /** The claims challenge to pass back to MSAL's `claims` request option. */
  get claims(): string | undefined {
    return this.classification.claims;
  }
}
/** The user has not consented to the scopes (AADSTS65001): an interactive sign-in can ask for consent. */
export class ConsentRequiredError extends MsalGuardError {
  override readonly name = "ConsentRequiredError" as const;
  declare readonly kind: "consent_required";
}
/** An administrator must consent to the app's permissions for the tenant (AADSTS90094, 90095). The user cannot fix it. */
export class AdminConsentRequiredError extends MsalGuardError {
  override readonly name = "AdminConsentRequiredError" as const;
  declare readonly kind: "admin_consent_required";
}
/** A silent call cannot go on: the user must sign in interactively (expired or revoked session, login required). */
export class InteractionRequiredError extends MsalGuardError {
  override readonly name = "InteractionRequiredError" as const;
  declare readonly kind: "interaction_required";
}
/** The user's password has expired (AADSTS50055): they must change it. */
export class PasswordExpiredError extends MsalGuardError {
  override readonly name = "PasswordExpiredError" as const;
  declare readonly kind: "password_expired";
}
/** Wrong user name or password (AADSTS50126 and kin). Sending the same one again cannot succeed. */
export class InvalidCredentialsError extends MsalGuardError {
  override readonly name = "InvalidCredentialsError" as const;
  declare readonly kind: "invalid_credentials";
}
/** The account is disabled, deleted or not in the tenant (AADSTS50057, 50034). An administrator must act. */
export class AccountUnavailableError extends MsalGuardError {
  override readonly name = "AccountUnavailableError" as const;
  declare readonly kind: "account_unavailable";
}
/** The app registration or its credential is wrong (bad client id, expired secret, bad redirect URI). The developer must fix it. */
export class ClientMisconfiguredError extends MsalGuardError {
  override readonly name = "ClientMisconfiguredError" as const;
  declare readonly kind: "client_misconfigured";
}
/** The tenant's setup, or its federated identity provider's, refuses this sign-in. An administrator must act. */
export class TenantMisconfiguredError extends MsalGuardError {
  override readonly name = "TenantMisconfiguredError" as const;
  declare readonly kind: "tenant_misconfigured";
}
/** A malformed request (the app sent something the service or MSAL rejects). Retrying the same request cannot succeed. */
export class InvalidRequestError extends MsalGuardError {
  override readonly name = "InvalidRequestError" as const;
  declare readonly kind: "invalid_request";
}
/** Throttled (HTTP 429, AADSTS90055, loop detection 50196): wait for `retryAfterMs`. */
export class ThrottledError extends MsalGuardError {
  override readonly name = "ThrottledError" as const;
  declare readonly kind: "throttled";
}
/** A temporary fault on the service side (5xx, AADSTS90033 and kin): a retry after a backoff can succeed. */
export class TransientError extends MsalGuardError {
  override readonly name = "TransientError" as const;
  declare readonly kind: "transient";
}
/** The request got no answer (named to stay distinct from MSAL's own `NetworkError`). */
export class NetworkFailureError extends MsalGuardError {
  override readonly name = "NetworkFailureError" as const;
  declare readonly kind: "network";
}
/** The user backed out of the sign-in (closed the window, pressed cancel). */
export class UserCancelledError extends MsalGuardError {
  override readonly name = "UserCancelledError" as const;
  declare readonly kind: "user_cancelled";
}
/** The browser blocked the sign-in window: start the sign-in from a click, or use a redirect. */
export class PopupBlockedError extends MsalGuardError {
  override readonly name = "PopupBlockedError" as const;
  declare readonly kind: "popup_blocked";
}
/** A failure msal-guard could not classify; `cause` holds the original. */
export class UnknownAuthError extends MsalGuardError {
  override readonly name = "UnknownAuthError" as const;
  declare readonly kind: "unknown";
}

/**
 * Every error msal-guard raises: one class per kind, told apart by `kind`. After
 * `isMsalGuardError(e) && e.kind === "conditional_access_blocked"`, `e` is a
 * {@link ConditionalAccessBlockedError} (with `policyIds`); after `e.kind === "mfa_required"`,
 * an {@link MfaRequiredError} (with `claims`).
 */
export type GuardError =
  | AccountLockedError
  | ConditionalAccessBlockedError
  | AccessDeniedError
  | DeviceNotCompliantError
  | MfaRequiredError
  | ConsentRequiredError
  | AdminConsentRequiredError
  | InteractionRequiredError
  | PasswordExpiredError
  | InvalidCredentialsError
  | AccountUnavailableError
  | ClientMisconfiguredError
  | TenantMisconfiguredError
  | InvalidRequestError
  | ThrottledError
  | TransientError
  | NetworkFailureError
  | UserCancelledError
  | PopupBlockedError
  | UnknownAuthError;

/** The error class raised for each kind. */
export const ERROR_CLASS_BY_KIND: { readonly [K in GuardErrorKind]: new (classification: Classification, options?: MsalGuardErrorOptions) => Extract<GuardError, { kind: K }> } = {
  account_locked: AccountLockedError,
  conditional_access_blocked: ConditionalAccessBlockedError,
  access_denied: AccessDeniedError,
  device_not_compliant: DeviceNotCompliantError,
  mfa_required: MfaRequiredError,
  consent_required: ConsentRequiredError,
  admin_consent_required: AdminConsentRequiredError,
  interaction_required: InteractionRequiredError,
  password_expired: PasswordExpiredError,
  invalid_credentials: InvalidCredentialsError,
  account_unavailable: AccountUnavailableError,
  client_misconfigured: ClientMisconfiguredError,
  tenant_misconfigured: TenantMisconfiguredError,
  invalid_request: InvalidRequestError,
  throttled: ThrottledError,
  transient: TransientError,
  network: NetworkFailureError,
  user_cancelled: UserCancelledError,
  popup_blocked: PopupBlockedError,
  unknown: UnknownAuthError,
};

/**
 * True for any error msal-guard raised, from this or any other copy of the package.
 * Narrow further with `kind`: `if (isMsalGuardError(e) && e.kind === "account_locked")`.
 */
export function isMsalGuardError(value: unknown): value is GuardError {
  return read(value, GUARD_ERROR_BRAND) === true;
}

/**
 * Converts anything into the typed error for its kind, keeping the original as `cause`.
 * An msal-guard error is returned as is. Never throws.
 */
export function toGuardError(error: unknown, options: Omit<MsalGuardErrorOptions, "cause"> = {}): GuardError {
  if (isMsalGuardError(error)) return error;
  const classification = classify(error);
  const ErrorClass = ERROR_CLASS_BY_KIND[classification.kind];
  return new ErrorClass(classification, { ...options, cause: error });
}
