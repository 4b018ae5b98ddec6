import { codeDetails } from "./catalogue/details.js";
import type { Classification } from "./classification.js";
import { classificationOf } from "./classify.js";
import { KIND_TRAITS, isGuardErrorKind, type FixedBy, type GuardErrorKind, type RetryAdvice } from "./kinds.js";

/**
 * What a failure means, for the developer or operator reading logs. English only;
 * the localized text for end users comes from `messageFor`.
 */
export interface Explanation {
  readonly kind: GuardErrorKind;
  /** What the kind covers, in one sentence. */
  readonly kindDescription: string;
  /** Every AADSTS code found, most specific first. */
  readonly codes: readonly number[];
  /** The most specific code, when there is one. */
  readonly primaryCode: number | undefined;
  /** Microsoft's name for the primary code (for example `IdsLocked`), when the catalogue has one. */
  readonly name: string | undefined;
  /** What the primary code means according to the catalogue, or else the kind's description. */
  readonly meaning: string;
  /** Whether the catalogue knows the primary code. */
  readonly inCatalogue: boolean;
  /** Who can make the failure go away. */
  readonly fixedBy: FixedBy;
  /** Whether an interactive sign-in (popup, redirect, device code) can resolve it. */
  readonly interactionHelps: boolean;
  readonly retry: {
    readonly advice: RetryAdvice;
    /** How long the server asked to wait, in milliseconds, when it said. */
    readonly retryAfterMs: number | undefined;
    /** Whether and when retrying helps, as a sentence. */
    readonly summary: string;
  };
  /** What the application (or its operator) should do, as a sentence or two. */
  readonly whatToDo: string;
}

const KIND_DESCRIPTIONS: Readonly<Record<GuardErrorKind, string>> = {
  account_locked:
    "Sign-in is locked: either smart lockout after repeated failed attempts, or a sign-in from a network address Entra has flagged for malicious activity. The client cannot tell which.",
  conditional_access_blocked: "A Conditional Access policy forbids issuing a token for this request; interaction cannot fix it.",
  access_denied:
    "The tenant denies this user or app for a reason other than Conditional Access: not assigned to the app, tenant restrictions, cross-tenant access policy, security defaults or risk.",
  device_not_compliant: "A policy requires a compliant, managed or registered device, or an approved client app.",
  mfa_required: "Multi-factor authentication, or registering for it, is required; an interactive sign-in resolves it.",
  consent_required: "The user has not consented to the requested permissions and can do so in an interactive sign-in.",
  admin_consent_required: "The requested permissions need an administrator's consent; the user cannot grant them.",
  interaction_required:
    "The user must sign in interactively again: the session expired or was revoked, there is no SSO session, or the sign-in flow was interrupted.",
  password_expired: "The user's password has expired or must be changed.",
  invalid_credentials: "The user name or password was rejected.",
  account_unavailable: "The account is disabled, deleted, or not a member of the tenant.",
  client_misconfigured:
    "The app registration or its credentials are wrong: a bad or expired client secret or certificate, an unknown app, a bad scope or redirect URI.",
  tenant_misconfigured:
    "The tenant's sign-in setup (federation, on-premises agents, certificates) failed; a tenant administrator must fix it.",
  invalid_request: "The request is malformed or no longer valid: a protocol error, or a code or token redeemed twice.",
  throttled: "The service asked the client to slow down (HTTP 429, loop detection or tenant throttling).",
  transient: "A temporary fault on the service side; a later retry can succeed.",
  network: "The request got no answer: a DNS, connection, TLS or timeout failure.",
  user_cancelled: "The user closed the sign-in window or declined.",
  popup_blocked: "The browser did not open the sign-in window: a pop-up blocker, or the call did not follow a click.",
  unknown: "Nothing recognisable; msal-guard treats it conservatively and does not retry.",
};

const WHAT_TO_DO: Readonly<Record<GuardErrorKind, string>> = {
  account_locked:
    "Stop sending this user's credentials: hold a local cool-down (for example 60 s, doubling, capped around 30 min) shared by every process using the identity, and point the user to self-service password reset. Never tell the user the password was wrong: Entra sends the same code for a flagged network address. An administrator can see the actual reason in the sign-in logs ('Failure reason').",
  conditional_access_blocked:
    "Do not start interactive sign-in in a loop: interaction only shows the block. Show the user message with its support reference; an administrator can find the blocking policy in the sign-in logs by correlation id (policy ids, when present, are in the claims challenge).",
  access_denied:
    "Do not retry. An administrator must assign the user to the app or change the tenant's access settings (tenant restrictions, cross-tenant access, security defaults, risk policies).",
  device_not_compliant:
    "Ask the user to use a managed or compliant device or an approved client app, or to register or enrol this device; retrying from the same device fails the same way.",
  mfa_required:
    "Fall back to an interactive sign-in so the user can complete MFA, passing the claims challenge (if any) in the `claims` request option.",
  consent_required:
    "Fall back to an interactive sign-in so the user can consent (for example with `prompt: \"consent\"`), or request fewer scopes.",
  admin_consent_required:
    "An administrator must grant tenant-wide consent for the requested permissions (admin consent URL, or API permissions in the app registration). Don't keep prompting the user meanwhile.",
  interaction_required:
    "Fall back from silent token acquisition to an interactive sign-in, passing the claims challenge (if any) in the `claims` request option.",
  password_expired:
    "Start an interactive sign-in so the user can change the password; non-interactive flows (ROPC, integrated Windows auth) cannot fix this.",
  invalid_credentials:
    "Ask the user to enter the credentials again; never resend a rejected password automatically, since repeats end in smart lockout (AADSTS50053).",
  account_unavailable:
    "Ask the user to check which account they are using; otherwise an administrator must enable the account or add it to the tenant (for example as a guest).",
  client_misconfigured:
    "Fix the app registration or the client configuration: client id, secret or certificate (and its expiry), redirect URI, scopes, authority. Retrying cannot help, and resending a rejected secret wastes requests.",
  tenant_misconfigured:
    "A tenant administrator must fix the sign-in setup (federation, on-premises agents, certificates); give them the correlation id and timestamp.",
  invalid_request:
    "Fix the request: check the protocol parameters and never redeem an authorization code or refresh token twice. Start a fresh sign-in rather than replaying this one.",
  throttled:
    "Back off and honour Retry-After; cache tokens and stop repeating identical token requests (about 15 identical requests within 5 minutes trigger loop detection, AADSTS50196).",
  transient:
    "Retry a few times with exponential backoff, the first retry at least 5 s after the failure, honouring Retry-After when present; then give up and report.",
  network: "Check connectivity, proxy and TLS settings; retry with backoff once the network is back.",
  user_cancelled: "Treat it as the user's choice, not a failure: don't retry automatically; let the user start the sign-in again.",
  popup_blocked:
    "Start popups only from a click handler, with nothing awaited before the call; ask the user to allow pop-ups for the site, or fall back to a redirect. Don't retry automatically.",
  unknown:
    "Don't retry automatically. Log the classification (codes, correlation id, error) and look the code up in Microsoft's AADSTS error reference.",
};

const FIXER: Readonly<Record<FixedBy, string>> = {
  user: "the user",
  administrator: "an administrator",
  developer: "the developer",
  time: "time passes",
  nobody: "something changes",
};

/** A developer-facing duration: exact seconds below 2 minutes, else minutes (rounded up) with the seconds. */
function describeMs(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min (${seconds} s)`;
}

function retrySummary(kind: GuardErrorKind, advice: RetryAdvice, fixedBy: FixedBy, retryAfterMs: number | undefined): string {
  const serverWait = retryAfterMs === undefined ? undefined : `the server asked to wait ${describeMs(retryAfterMs)}`;
  switch (advice) {
    case "never":
      return "No: the same request will fail the same way. Don't retry it automatically.";
    case "after_wait":
      if (serverWait !== undefined) return `Yes, after a wait: ${serverWait}; don't retry sooner.`;
      if (kind === "account_locked")
        return "Only after the lockout ends, and the client can't see when: Entra locks for 60 s at first and longer on repeats, and a flagged network address stays blocked. Hold back automatic retries.";
      return "Yes, after a wait; the server gave no Retry-After, so back off (MSAL assumes 60 s).";
    case "with_backoff":
      return serverWait !== undefined
        ? `Yes, with backoff: ${serverWait}; then back off exponentially.`
        : "Yes, with exponential backoff, the first retry at least 5 s later.";
    case "after_interaction":
      return "Not silently: retrying succeeds only after the user completes an interactive sign-in.";
    case "after_fix":
      return `No, not until ${FIXER[fixedBy]} changes something (configuration, credentials or policy). Don't retry automatically.`;
  }
}

const RETRY_ADVICE: readonly RetryAdvice[] = ["never", "after_wait", "with_backoff", "after_interaction", "after_fix"];

function isRetryAdvice(value: unknown): value is RetryAdvice {
  return (RETRY_ADVICE as readonly unknown[]).includes(value);
}

/** Reads a bare AADSTS code: `50053`, `"50053"` or `"AADSTS50053"`. */
function codeOf(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isInteger(input) && input > 0 && input < 1e9 ? input : undefined;
  if (typeof input !== "string") return undefined;
  const match = /^\s*(?:AADSTS)?(\d{1,9})\s*$/i.exec(input);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function classificationFor(input: unknown): Partial<Classification> {
  const code = codeOf(input);
  try {
    // A bare code goes through `classify` as the text Entra would send, so both read it the same way.
    const result: unknown = classificationOf(code === undefined ? input : `AADSTS${code}`);
    return typeof result === "object" && result !== null ? (result as Partial<Classification>) : {};
  } catch {
    return {};
  }
}

/**
 * What a failure means and what to do about it, for developers: `explain(50053)`,
 * `explain("AADSTS53003")`, or anything `classify` accepts (an MSAL error, a
 * token-endpoint body, redirect parameters, text, a `Classification`). English
 * only. Never throws.
 */
export function explain(input: unknown): Explanation {
  const classification = classificationFor(input);
  const kind: GuardErrorKind = isGuardErrorKind(classification.kind) ? classification.kind : "unknown";
  const traits = KIND_TRAITS[kind];
  const codes = Array.isArray(classification.codes)
    ? classification.codes.filter((code): code is number => typeof code === "number" && Number.isInteger(code))
    : [];
  const primaryCode = codes[0];
  const details = primaryCode === undefined ? undefined : codeDetails(primaryCode);
  const retryAfterMs =
    typeof classification.retryAfterMs === "number" && Number.isFinite(classification.retryAfterMs) && classification.retryAfterMs >= 0
      ? classification.retryAfterMs
      : undefined;
  const advice = isRetryAdvice(classification.retry) ? classification.retry : traits.retry;
  return {
    kind,
    kindDescription: KIND_DESCRIPTIONS[kind],
    codes,
    primaryCode,
    name: details?.name,
    meaning: details?.meaning ?? KIND_DESCRIPTIONS[kind],
    inCatalogue: details !== undefined,
    fixedBy: traits.fixedBy,
    interactionHelps:
      typeof classification.interactionRequired === "boolean" ? classification.interactionRequired : traits.interactionHelps,
    retry: { advice, retryAfterMs, summary: retrySummary(kind, advice, traits.fixedBy, retryAfterMs) },
    whatToDo: WHAT_TO_DO[kind],
  };
}
