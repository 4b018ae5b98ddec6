/**
 * Time source for the simulator. Every window (lockout, loop detection, code and
 * token expiry, throttling) is measured with it, so a test can let minutes pass
 * without waiting.
 */
export interface SimulatorClock {
  /** Current time in milliseconds since the Unix epoch. */
  now(): number;
}

/** A clock a test moves by hand. */
export interface ManualClock extends SimulatorClock {
  /** Moves time forward by `ms` milliseconds (negative values are rejected). */
  advance(ms: number): void;
  /** Jumps to `ms` milliseconds since the Unix epoch. */
  set(ms: number): void;
}

/** 2026-01-01T00:00:00Z: a fixed start so timestamps in tests are reproducible. */
export const DEFAULT_MANUAL_CLOCK_START_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

/**
 * Creates a clock that only moves when told to.
 *
 * @param startMs - initial time, ms since the Unix epoch.
 *   @default DEFAULT_MANUAL_CLOCK_START_MS (2026-01-01T00:00:00Z)
 * @example
 * const clock = createManualClock();
 * const sim = await startEntraSimulator({ clock });
 * clock.advance(60_000); // the first lockout has now expired
 */
export function createManualClock(startMs: number = DEFAULT_MANUAL_CLOCK_START_MS): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance(ms: number): void {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`advance(ms) needs a finite, non-negative number; got ${ms}`);
      }
      current += ms;
    },
    set(ms: number): void {
      if (!Number.isFinite(ms)) throw new RangeError(`set(ms) needs a finite number; got ${ms}`);
      current = ms;
    },
  };
}

/** The wall clock, read at call time (so fake timers installed later still apply). */
export const systemClock: SimulatorClock = { now: () => Date.now() };
