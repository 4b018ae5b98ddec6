/**
 * Smart lockout as Microsoft documents it (Entra "howto-password-smart-lockout"),
 * as a pure state machine: no clock, no I/O. The simulator keeps one counter per
 * (user, location) and feeds it password attempts.
 *
 * Rules implemented:
 * - A wrong password counts unless its hash is among the last three bad hashes seen
 *   by this counter (a client repeating the same wrong password does not lock).
 * - Reaching `threshold` counted failures locks the counter for `durationMs(n)`, where
 *   n is the lockout number (1 for the first lockout). The attempt that reaches the
 *   threshold is still answered as a bad password; the lock applies from the next one.
 * - While locked, every attempt (right or wrong password) is refused as locked and
 *   nothing is counted.
 * - After a lock expires, the next counted failure locks again at once, for the next
 *   (longer) duration. A correct password after expiry succeeds and resets everything.
 * - A correct password resets the failure count, the bad-hash history and the
 *   escalation level. (Microsoft does not say when escalation decays; resetting it on
 *   success is our choice.) Failures never decay with time alone: Microsoft documents
 *   no observation window for cloud smart lockout.
 */

import { checkFiniteNumber, checkWholeNumber, shown } from "./validation.js";

/** Where an attempt came from, relative to the user's sign-in history. */
export type LockoutLocation = "familiar" | "unfamiliar";

/** Smart lockout settings. */
export interface LockoutPolicy {
  /** Counted failures that lock the counter. Entra: 10 (public cloud), 3 (US Gov). */
  readonly threshold: number;
  /** Lock duration in ms for the n-th lockout (n starts at 1). */
  readonly durationMs: (lockoutNumber: number) => number;
}

/** Serialisable state of one (user, location) counter. */
export interface LockoutCounter {
  /** Counted failures since the last reset or lock. */
  readonly failedCount: number;
  /** Hashes of the last three distinct counted wrong passwords, newest last. */
  readonly recentBadHashes: readonly string[];
  /** End of the current or most recent lock, ms epoch; `undefined` if never locked since the last reset. */
  readonly lockedUntilMs: number | undefined;
  /** Locks since the last reset; drives escalation. */
  readonly lockoutCount: number;
}

/** One password attempt, already hashed. */
export interface PasswordAttempt {
  /** Whether the password matched. */
  readonly correct: boolean;
  /** Hash of the password that was sent (never the password itself). */
  readonly passwordHash: string;
}

/** What the service answers for an attempt. */
export type LockoutDecision =
  /** Refused as locked (AADSTS50053) whatever the password; nothing counted. */
  | { readonly outcome: "locked"; readonly lockedUntilMs: number }
  /** Password accepted; the counter was reset. */
  | { readonly outcome: "accepted" }
  /**
   * Wrong password (AADSTS50126). `counted` is false for a repeat of one of the last
   * three bad hashes; `lockedNow` is true when this attempt started a lock.
   */
  | { readonly outcome: "bad_password"; readonly counted: boolean; readonly lockedNow: boolean };

/** How many recent bad password hashes are remembered (Microsoft: three). */
export const REMEMBERED_BAD_HASHES = 3;

/** A counter that has seen nothing. */
export const INITIAL_LOCKOUT_COUNTER: LockoutCounter = Object.freeze({
  failedCount: 0,
  recentBadHashes: Object.freeze([]) as readonly string[],
  lockedUntilMs: undefined,
  lockoutCount: 0,
});

/** True while `counter` is locked at `nowMs`. */
export function isLocked(counter: LockoutCounter, nowMs: number): boolean {
  return counter.lockedUntilMs !== undefined && nowMs < counter.lockedUntilMs;
}

/**
 * Decides one password attempt and returns the decision with the next counter state.
 * The input counter is never modified.
 */
export function evaluatePasswordAttempt(
  counter: LockoutCounter,
  attempt: PasswordAttempt,
  nowMs: number,
  policy: LockoutPolicy,
): { decision: LockoutDecision; next: LockoutCounter } {
  if (isLocked(counter, nowMs)) {
    return { decision: { outcome: "locked", lockedUntilMs: counter.lockedUntilMs as number }, next: counter };
  }
  if (attempt.correct) {
    return { decision: { outcome: "accepted" }, next: INITIAL_LOCKOUT_COUNTER };
  }
  if (counter.recentBadHashes.includes(attempt.passwordHash)) {
    return { decision: { outcome: "bad_password", counted: false, lockedNow: false }, next: counter };
  }

  const recentBadHashes = [...counter.recentBadHashes, attempt.passwordHash].slice(-REMEMBERED_BAD_HASHES);
  const failedCount = counter.failedCount + 1;
  const lockExpired = counter.lockedUntilMs !== undefined;
  if (lockExpired || failedCount >= policy.threshold) {
    const lockoutCount = counter.lockoutCount + 1;
    return {
      decision: { outcome: "bad_password", counted: true, lockedNow: true },
      next: {
        failedCount: 0,
        recentBadHashes,
        lockedUntilMs: nowMs + policy.durationMs(lockoutCount),
        lockoutCount,
      },
    };
  }
  return {
    decision: { outcome: "bad_password", counted: true, lockedNow: false },
    next: { ...counter, failedCount, recentBadHashes },
  };
}

/** How repeated lockouts grow. */
export interface LockoutEscalation {
  /** Each further lockout lasts this many times the previous one. @default 2 */
  readonly factor?: number;
  /** Upper bound for any lockout, in ms. @default 1_800_000 (30 minutes) */
  readonly maxDurationMs?: number;
}

/** Default first lockout: 60 s, as documented by Microsoft. */
export const DEFAULT_LOCKOUT_DURATION_MS = 60_000;
/** Default cap on an escalated lockout: 30 minutes. */
export const DEFAULT_MAX_LOCKOUT_DURATION_MS = 30 * 60_000;

/**
 * Builds the duration function: `baseMs * factor^(n-1)`, capped at `maxDurationMs`.
 * Microsoft says repeated lockouts last longer but does not disclose the rate; doubling
 * with a 30-minute cap is our choice (60 s, 120 s, 240 s, ... 1800 s).
 */
export function escalatingDuration(
  baseMs: number = DEFAULT_LOCKOUT_DURATION_MS,
  escalation: LockoutEscalation = {},
): (lockoutNumber: number) => number {
  const factor = escalation.factor ?? 2;
  const maxMs = escalation.maxDurationMs ?? Math.max(DEFAULT_MAX_LOCKOUT_DURATION_MS, baseMs);
  return (n) => Math.min(maxMs, baseMs * factor ** Math.max(0, n - 1));
}

/**
 * Throws unless the smart lockout settings can work: `threshold` a whole number of at
 * least 1 (0 would lock on the first wrong password), `durationMs` above 0 (a lock of 0 ms
 * never refuses anything), `escalation.factor` at least 1 (below 1 repeated lockouts
 * would shrink), `escalation.maxDurationMs` above 0 and not below the first lockout (the
 * cap would cut the first lockout short). An escalation function is only checked to be one.
 * `where` names the call, `prefix` the option path, e.g. `lockout.`.
 */
export function checkLockoutSettings(
  where: string,
  prefix: string,
  settings: { readonly threshold?: unknown; readonly durationMs?: unknown; readonly escalation?: unknown },
): void {
  if (settings.threshold !== undefined) {
    checkWholeNumber(where, `${prefix}threshold`, settings.threshold, 1, "; to keep accounts from locking in a test, use a large threshold");
  }
  if (settings.durationMs !== undefined) checkFiniteNumber(where, `${prefix}durationMs`, settings.durationMs, "milliseconds");
  const escalation = settings.escalation;
  if (escalation === undefined || typeof escalation === "function") return;
  if (typeof escalation !== "object" || escalation === null) {
    throw new TypeError(`${where}: ${prefix}escalation must be { factor, maxDurationMs } or a function (lockoutNumber, durationMs) => ms (got ${shown(escalation)})`);
  }
  const { factor, maxDurationMs } = escalation as LockoutEscalation;
  if (factor !== undefined) checkFiniteNumber(where, `${prefix}escalation.factor`, factor, "", { min: 1 });
  if (maxDurationMs !== undefined) {
    checkFiniteNumber(where, `${prefix}escalation.maxDurationMs`, maxDurationMs, "milliseconds");
    const base = (settings.durationMs as number | undefined) ?? DEFAULT_LOCKOUT_DURATION_MS;
    if (maxDurationMs < base) {
      const baseName = settings.durationMs === undefined ? `the default ${prefix}durationMs` : `${prefix}durationMs`;
      throw new RangeError(
        `${where}: ${prefix}escalation.maxDurationMs must be at least ${baseName} (${base}), or it cuts the first lockout short (got ${maxDurationMs}); raise maxDurationMs or lower durationMs`,
      );
    }
  }
}
