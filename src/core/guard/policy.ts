import { describeValue, rejectUnknownOptions } from "../options.js";

/**
 * Suppression policy: every number the engine uses, with its default. Validated once,
 * at construction, with messages that say what to change.
 */
export interface SuppressionPolicyOptions {
  /** Account lockout (AADSTS50053), per identity (tenant, client, user). */
  readonly lockout?: {
    /** First suppression window, ms. @default 60_000 */
    readonly firstWindowMs?: number;
    /** Each repeated lockout multiplies the window by this. @default 2 */
    readonly multiplier?: number;
    /** Longest window, ms. @default 1_800_000 (30 minutes) */
    readonly maxWindowMs?: number;
  };
  /** Conditional Access block (AADSTS53003), per identity and scopes, ms. @default 3_600_000 (1 hour) */
  readonly conditionalAccessMs?: number;
  /**
   * How long a rejected credential (wrong password, bad or expired client secret) is
   * never sent again, unless it changes or an operator resets it, ms. @default 86_400_000 (24 hours)
   */
  readonly rejectedCredentialMs?: number;
  /**
   * A request the service refuses for the app's or the tenant's setup (`client_misconfigured`
   * other than a rejected credential, `tenant_misconfigured`: an invalid scope or resource,
   * an app or managed identity the tenant doesn't know, a broken federation), per identity
   * and scopes, ms. Short, because the fix is often made in the portal while the app runs.
   * @default 300_000 (5 minutes)
   */
  readonly misconfiguredMs?: number;
  /** Throttling (HTTP 429, loop detection), per app (client + authority). */
  readonly throttle?: {
    /** Wait when the server gave no `Retry-After`, ms. @default 60_000 */
    readonly defaultMs?: number;
    /** Longest wait honoured, whatever `Retry-After` says, ms. @default 3_600_000 */
    readonly maxMs?: number;
  };
  /** Silent calls for an identity and scopes that need MFA, consent or sign-in, ms. @default 120_000 */
  readonly interactionRequiredMs?: number;
  /**
   * Automatic retries of transient failures (5xx, network). Off unless `attempts` > 0.
   * Never for sign-ins a person completes (popup, redirect, interactive, device code):
   * a retry would open another sign-in window.
   */
  readonly retry?: {
    /** Retries after the first attempt. @default 0 */
    readonly attempts?: number;
    /** Delay before the first retry, ms; never below 5 s (Microsoft's guidance). @default 5_000 */
    readonly firstDelayMs?: number;
    /**
     * Longest delay between retries, ms. A failure whose `Retry-After` asks for longer is not
     * retried: the error carries `retryAfterMs` instead, so no call is held that long. @default 60_000
     */
    readonly maxDelayMs?: number;
    /** Retries allowed as a share of calls across the process (token bucket). @default 0.1 */
    readonly budgetRatio?: number;
  };
  /** How long a probe may take before another caller may probe, ms; at least 1_000. @default 30_000 */
  readonly probeLeaseMs?: number;
}

/** The suppression windows and retry limits in force, every default filled in (see {@link SuppressionPolicyOptions} for what each means). */
export interface SuppressionPolicy {
  readonly lockout: { readonly firstWindowMs: number; readonly multiplier: number; readonly maxWindowMs: number };
  readonly conditionalAccessMs: number;
  readonly rejectedCredentialMs: number;
  readonly misconfiguredMs: number;
  readonly throttle: { readonly defaultMs: number; readonly maxMs: number };
  readonly interactionRequiredMs: number;
  readonly retry: { readonly attempts: number; readonly firstDelayMs: number; readonly maxDelayMs: number; readonly budgetRatio: number };
  readonly probeLeaseMs: number;
}

/** Microsoft's resilience guidance: the first retry of a 5xx at least 5 s after the response. */
export const MIN_FIRST_RETRY_DELAY_MS = 5_000;

/** Fills in defaults and validates policy options; throws a `TypeError` or `RangeError` naming the bad option. */
export function resolvePolicy(options: SuppressionPolicyOptions = {}): SuppressionPolicy {
  if (!isPlainObject(options)) throw new TypeError("msal-guard: policy options must be an object.");
  const lockout = section(options.lockout, "lockout", LOCKOUT_OPTIONS);
  const throttle = section(options.throttle, "throttle", THROTTLE_OPTIONS);
  const retry = section(options.retry, "retry", RETRY_OPTIONS);
  const policy: SuppressionPolicy = {
    lockout: {
      firstWindowMs: duration(lockout.firstWindowMs, "lockout.firstWindowMs", 60_000),
      multiplier: number(lockout.multiplier, "lockout.multiplier", 2, 1, 100),
      maxWindowMs: duration(lockout.maxWindowMs, "lockout.maxWindowMs", 30 * 60_000),
    },
    conditionalAccessMs: duration(options.conditionalAccessMs, "conditionalAccessMs", 60 * 60_000),
    rejectedCredentialMs: duration(options.rejectedCredentialMs, "rejectedCredentialMs", 24 * 60 * 60_000),
    misconfiguredMs: duration(options.misconfiguredMs, "misconfiguredMs", 5 * 60_000),
    throttle: {
      defaultMs: duration(throttle.defaultMs, "throttle.defaultMs", 60_000),
      maxMs: duration(throttle.maxMs, "throttle.maxMs", 60 * 60_000),
    },
    interactionRequiredMs: duration(options.interactionRequiredMs, "interactionRequiredMs", 2 * 60_000),
    retry: {
      attempts: integer(retry.attempts, "retry.attempts", 0, 0, 10),
      firstDelayMs: duration(retry.firstDelayMs, "retry.firstDelayMs", MIN_FIRST_RETRY_DELAY_MS),
      maxDelayMs: duration(retry.maxDelayMs, "retry.maxDelayMs", 60_000),
      budgetRatio: number(retry.budgetRatio, "retry.budgetRatio", 0.1, 0, 1),
    },
    probeLeaseMs: duration(options.probeLeaseMs, "probeLeaseMs", 30_000),
  };
  if (policy.lockout.maxWindowMs < policy.lockout.firstWindowMs) {
    throw new RangeError(
      `msal-guard: lockout.maxWindowMs (${policy.lockout.maxWindowMs}) must be at least lockout.firstWindowMs (${policy.lockout.firstWindowMs}).`,
    );
  }
  if (policy.throttle.maxMs < policy.throttle.defaultMs) {
    throw new RangeError(`msal-guard: throttle.maxMs (${policy.throttle.maxMs}) must be at least throttle.defaultMs (${policy.throttle.defaultMs}).`);
  }
  if (policy.retry.firstDelayMs < MIN_FIRST_RETRY_DELAY_MS) {
    throw new RangeError(
      `msal-guard: retry.firstDelayMs must be at least ${MIN_FIRST_RETRY_DELAY_MS} ms (Microsoft asks clients to wait 5 s before retrying a server error); got ${policy.retry.firstDelayMs}.`,
    );
  }
  if (policy.probeLeaseMs < MIN_PROBE_LEASE_MS) {
    throw new RangeError(
      `msal-guard: probeLeaseMs must be at least ${MIN_PROBE_LEASE_MS} ms (it must outlast a token request, or every waiting caller probes at once); got ${policy.probeLeaseMs}. Leave it out for the default, 30000.`,
    );
  }
  if (policy.retry.maxDelayMs < policy.retry.firstDelayMs) {
    throw new RangeError(`msal-guard: retry.maxDelayMs (${policy.retry.maxDelayMs}) must be at least retry.firstDelayMs (${policy.retry.firstDelayMs}).`);
  }
  return policy;
}

const ONE_WEEK_MS = 7 * 24 * 60 * 60_000;
/** Shortest probe lease: a lease that ends before the probe's answer lets the next caller probe too. */
const MIN_PROBE_LEASE_MS = 1_000;

const LOCKOUT_OPTIONS: ReadonlySet<string> = new Set(["firstWindowMs", "multiplier", "maxWindowMs"]);
const THROTTLE_OPTIONS: ReadonlySet<string> = new Set(["defaultMs", "maxMs"]);
const RETRY_OPTIONS: ReadonlySet<string> = new Set(["attempts", "firstDelayMs", "maxDelayMs", "budgetRatio"]);

function section(value: unknown, name: string, known: ReadonlySet<string>): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new TypeError(`msal-guard: "${name}" must be an object, got ${describeValue(value)}.`);
  rejectUnknownOptions(value as object, known, `"${name}"`);
  return value as Record<string, unknown>;
}

function duration(value: unknown, name: string, fallback: number): number {
  return number(value, name, fallback, 0, ONE_WEEK_MS, "milliseconds");
}

function integer(value: unknown, name: string, fallback: number, min: number, max: number): number {
  const n = number(value, name, fallback, min, max);
  if (!Number.isInteger(n)) throw new RangeError(`msal-guard: "${name}" must be a whole number between ${min} and ${max}, got ${n}.`);
  return n;
}

function number(value: unknown, name: string, fallback: number, min: number, max: number, unit?: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const units = unit ? ` (${unit})` : "";
    throw new RangeError(`msal-guard: "${name}" must be a number from ${min} to ${max}${units}, got ${describeValue(value)}. Leave it out for the default, ${fallback}.`);
  }
  return value;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

