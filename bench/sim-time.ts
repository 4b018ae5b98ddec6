/**
 * Simulated time for the scenario benchmarks, on the simulator's manual clock.
 *
 * The demo's `Timeline` runs events that finish within their instant. The benchmarks
 * also need callers that *sleep* in simulated time in the middle of a call (a retry
 * library's backoff), so this scheduler tracks actors instead: each actor is a long-running
 * async loop that is either busy (real work: MSAL, loopback HTTP, the simulator) or asleep
 * until a simulated instant. Time moves to the next instant only when every live actor
 * is asleep, so nothing ever waits in real time and the order of events is exact.
 */
import type { ManualClock } from "../src/testing/index.js";
import { seededRandom } from "../src/testing/clock.js";

export class SimScheduler {
  readonly #clock: ManualClock;
  readonly #origin: number;
  /** Distinct wake-up instants (ms since origin), ascending, and who wakes at each. */
  #instants: number[] = [];
  readonly #waiting = new Map<number, (() => void)[]>();
  #live = 0;
  #asleep = 0;
  #quiet: (() => void) | undefined;
  #failure: unknown;

  constructor(clock: ManualClock) {
    this.#clock = clock;
    this.#origin = clock.now();
  }

  /** Simulated ms since the scheduler was created. */
  get elapsed(): number {
    return this.#clock.now() - this.#origin;
  }

  /** Starts an actor now. Its rejection fails `run`. */
  spawn(actor: () => Promise<void>): void {
    this.#live++;
    void actor()
      .catch((error: unknown) => {
        this.#failure ??= error;
      })
      .finally(() => {
        this.#live--;
        this.#check();
      });
  }

  /** Resolves when simulated time reaches `offsetMs` after the origin (at once if it has). */
  sleepUntil(offsetMs: number): Promise<void> {
    const at = Math.max(offsetMs, this.elapsed);
    return new Promise<void>((resolve) => {
      let list = this.#waiting.get(at);
      if (list === undefined) {
        list = [];
        this.#waiting.set(at, list);
        this.#insertInstant(at);
      }
      list.push(resolve);
      this.#asleep++;
      this.#check();
    });
  }

  /** Resolves after `ms` simulated milliseconds. */
  sleep(ms: number): Promise<void> {
    return this.sleepUntil(this.elapsed + Math.max(0, ms));
  }

  /**
   * Runs until `endMs` after the origin, or until no actor is left. `afterEach` runs
   * after every instant once all its work has settled, with the clock still at it.
   */
  async run(endMs: number, afterEach?: () => void): Promise<void> {
    for (;;) {
      await this.#quietNow();
      if (this.#failure !== undefined) throw this.#failure;
      afterEach?.();
      const next = this.#instants[0];
      if (next === undefined || next >= endMs) break;
      this.#instants.shift();
      const wakers = this.#waiting.get(next) ?? [];
      this.#waiting.delete(next);
      this.#clock.set(this.#origin + next);
      this.#asleep -= wakers.length;
      for (const wake of wakers) wake();
    }
    this.#clock.set(this.#origin + endMs);
  }

  #quietNow(): Promise<void> {
    if (this.#asleep >= this.#live) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#quiet = resolve;
    });
  }

  #check(): void {
    if (this.#quiet !== undefined && this.#asleep >= this.#live) {
      const resolve = this.#quiet;
      this.#quiet = undefined;
      // Let the continuations of the last busy actor settle before time moves.
      setImmediate(() => (this.#asleep >= this.#live ? resolve() : (this.#quiet = resolve)));
    }
  }

  #insertInstant(at: number): void {
    const list = this.#instants;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as number) < at) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, at);
  }
}

/** mulberry32: a small seeded PRNG in [0, 1) (the one the guard's simulated clock uses). */
export const seeded = seededRandom;

/**
 * Puts a retry library's `setTimeout` calls on simulated time, for the duration of
 * `work`: timers created from a module whose path contains `/<packageName>/` sleep on
 * the scheduler instead of the wall clock; every other timer (Node's, MSAL's, the
 * simulator's) is left alone. `Math.random` is seeded meanwhile, so the library's
 * jitter is reproducible from run to run.
 */
export async function withLibraryTimersOnSimulatedTime<T>(packageName: string, scheduler: SimScheduler, seed: number, work: () => Promise<T>): Promise<T> {
  const realSetTimeout = globalThis.setTimeout;
  const realRandom = Math.random;
  const marker = new RegExp(`[\\\\/]${packageName}[\\\\/]`);
  // Call sites, not a formatted stack: formatting (source-mapped under tsx) is far slower.
  const fromLibrary = () => {
    const saved = Error.prepareStackTrace;
    Error.prepareStackTrace = (_, sites) => sites;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, fake);
    const sites = holder.stack ?? [];
    Error.prepareStackTrace = saved;
    return sites.slice(0, 3).some((site) => marker.test(site.getFileName() ?? ""));
  };
  const fake = function setTimeout(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) {
    if (typeof callback !== "function" || !fromLibrary()) return realSetTimeout(callback as never, ms, ...args);
    void scheduler.sleep(ms ?? 0).then(() => callback(...args));
    const handle = { ref: () => handle, unref: () => handle, hasRef: () => false, refresh: () => handle, [Symbol.toPrimitive]: () => 0 };
    return handle;
  };
  globalThis.setTimeout = fake as unknown as typeof globalThis.setTimeout;
  Math.random = seeded(seed);
  try {
    return await work();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    Math.random = realRandom;
  }
}
