/**
 * Entra's "looping client" protection: more than `limit` identical token requests from
 * one client instance within `windowMs` are refused with AADSTS50196.
 */
import { createHash } from "node:crypto";

/** Loop detection settings. */
export interface LoopDetectionOptions {
  /** Identical requests allowed inside the window; the next one gets 50196. @default 15 */
  readonly limit?: number;
  /** Sliding window length in ms. @default 300_000 (5 minutes) */
  readonly windowMs?: number;
}

/** Identical token requests Entra allows within {@link DEFAULT_LOOP_WINDOW_MS} before answering AADSTS50196 (the simulator's default). */
export const DEFAULT_LOOP_LIMIT = 15;
/** Length of the loop-detection sliding window: 5 minutes. */
export const DEFAULT_LOOP_WINDOW_MS = 5 * 60_000;

/**
 * Body parameters that change between otherwise identical requests (correlation id and
 * MSAL telemetry) and so do not make two requests different.
 */
export function isVolatileParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "client-request-id" || lower.startsWith("x-client-") || lower.startsWith("x-app-") || lower.startsWith("x-ms-");
}

/**
 * Identity of a request for loop detection: the form parameters minus volatile ones,
 * plus the source address (our stand-in for "client instance"). Hashed, so the detector
 * never holds passwords or secrets.
 */
export function requestFingerprint(params: URLSearchParams, sourceAddress: string): string {
  const stable = [...params.entries()]
    .filter(([name]) => !isVolatileParameter(name))
    .sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  return createHash("sha256").update(JSON.stringify([sourceAddress, stable])).digest("base64url");
}

/** Sliding-window counter of identical requests. */
export interface LoopDetector {
  /** Records a request; true when it is over the limit (answer 50196). */
  observe(fingerprint: string, nowMs: number): boolean;
  reset(): void;
}

export function createLoopDetector(options: LoopDetectionOptions = {}): LoopDetector {
  const limit = options.limit ?? DEFAULT_LOOP_LIMIT;
  const windowMs = options.windowMs ?? DEFAULT_LOOP_WINDOW_MS;
  const seen = new Map<string, number[]>();
  return {
    observe(fingerprint, nowMs) {
      const recent = (seen.get(fingerprint) ?? []).filter((t) => t > nowMs - windowMs);
      recent.push(nowMs);
      seen.set(fingerprint, recent);
      return recent.length > limit;
    },
    reset() {
      seen.clear();
    },
  };
}
