// A GuardClock on the simulator's manual clock: sleeping advances simulated time at once,
// so minutes and hours of backoff pass in microseconds, and every window is exact.
import type { GuardClock } from "../../src/index.js";
import type { ManualClock } from "../../src/testing/index.js";

export function simulatedGuardClock(clock: ManualClock, seed = 42): GuardClock & { slept: number[] } {
  let state = seed >>> 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => clock.now(),
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
    random: () => {
      // mulberry32: small, seeded, good enough for jitter in tests
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
