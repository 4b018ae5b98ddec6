/**
 * Simulated time for the demo: a tiny discrete-event timeline (the guard's clock is
 * msal-guard/testing's createGuardClock, jitter its seededRandom). Nothing here sleeps for real, so a
 * day of retries runs in about a second, and the same seed gives the same run.
 */
import type { ManualClock } from "../testing/clock.js";

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
