/**
 * Simulated time for the demo: a seeded random source, a GuardClock on the simulator's
 * manual clock, and a tiny discrete-event timeline. Nothing here sleeps for real, so a
 * day of retries runs in about a second, and the same seed gives the same run.
 */
import type { GuardClock } from "../core/guard/store.js";
import type { ManualClock } from "../testing/clock.js";

/** mulberry32: a small seeded PRNG, enough for jitter. Returns numbers in [0, 1). */
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

/**
 * The guard's clock on simulated time: `now` reads the manual clock, `sleep` moves it
 * forward at once (the demo never enables retries, so the guard never sleeps anyway).
 */
export function simulatedGuardClock(clock: ManualClock, seed: number): GuardClock {
  const random = seededRandom(seed);
  return {
    now: () => clock.now(),
    sleep: async (ms) => {
      clock.advance(ms);
    },
    random,
  };
}

interface TimelineEvent {
  readonly at: number;
  readonly sequence: number;
  readonly run: () => Promise<void>;
}

/**
 * Runs scheduled work on the manual clock, in time order. Events due at the same
 * instant run concurrently (as 200 workers waking together would); the clock moves to
 * the next instant only when they have all settled. Events may schedule more events.
 */
export class Timeline {
  readonly #clock: ManualClock;
  readonly #origin: number;
  #events: TimelineEvent[] = [];
  #sequence = 0;

  constructor(clock: ManualClock) {
    this.#clock = clock;
    this.#origin = clock.now();
  }

  /** Milliseconds since the timeline started. */
  get elapsed(): number {
    return this.#clock.now() - this.#origin;
  }

  /** Schedules `run` at `offsetMs` after the timeline's start. */
  at(offsetMs: number, run: () => Promise<void>): void {
    this.#events.push({ at: offsetMs, sequence: this.#sequence++, run });
  }

  /**
   * Runs every event due before `endMs` (offset from the start), then leaves the clock
   * at `endMs`. `afterEach` runs after every instant, with the clock still at it.
   */
  async run(endMs: number, afterEach?: () => void): Promise<void> {
    for (;;) {
      this.#events.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
      const next = this.#events[0];
      if (next === undefined || next.at >= endMs) break;
      const due = this.#events.filter((event) => event.at === next.at);
      this.#events = this.#events.filter((event) => event.at !== next.at);
      this.#clock.set(this.#origin + next.at);
      await Promise.all(due.map((event) => event.run()));
      afterEach?.();
    }
    this.#clock.set(this.#origin + endMs);
  }
}
