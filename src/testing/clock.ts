import type { GuardClock } from "../core/guard/store.js";

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
 * @param startMs - initial time, ms since the Unix epoch; when left out,
 *   DEFAULT_MANUAL_CLOCK_START_MS (2026-01-01T00:00:00Z).
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

/** A {@link GuardClock} on a {@link ManualClock}, with the waits it was asked for. */
export interface SimulatedGuardClock extends GuardClock {
  /** Every `sleep(ms)` the guard asked for, in order (its retry backoffs, for example). */
  readonly slept: readonly number[];
}

/**
 * A clock for `guardClient` (and the engine) on the simulator's manual clock, so a test's
 * guard and simulator share one time: `now` reads it, `sleep(ms)` moves it forward at once
 * (a backoff of minutes passes in microseconds), and `random` is seeded (mulberry32), so the
 * same seed gives the same jitter on every run.
 *
 * @param clock - the manual clock the simulator runs on.
 * @param seed - seeds `random`; 42 when left out.
 * @example
 * const clock = createManualClock();
 * const sim = await startEntraSimulator({ clock });
 * const client = guardClient(app, { clock: createGuardClock(clock) });
 */
export function createGuardClock(clock: ManualClock, seed = 42): SimulatedGuardClock {
  const slept: number[] = [];
  return {
    slept,
    now: () => clock.now(),
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      clock.advance(Math.max(0, ms));
    },
    random: seededRandom(seed),
  };
}

/** mulberry32: a small seeded PRNG, enough for jitter. Returns numbers in [0, 1). @internal */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
