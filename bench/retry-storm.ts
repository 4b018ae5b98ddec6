/**
 * Retry storm: 1,000 concurrent callers in one process want a token for a service account
 * the simulator has locked (its 6th lockout in a row: 30 minutes, so it stays locked for
 * the whole run), for 10 simulated minutes. Each caller calls, deals with a failure its
 * own way, and calls again a minute (plus 0–5 s of jitter) after its previous call ended.
 * Counted at the simulator: token requests that reached it.
 *
 * The same scenario as the demo's storm (`src/demo/scenarios.ts`), with more callers and
 * four ways of calling: msal-node alone, msal-node in a naive retry loop, msal-node under
 * cockatiel's retry with exponential backoff, and msal-guard's `guardClient`.
 */
import type { GuardEvent } from "../src/core/guard/engine.js";
import { createGuardClock } from "../src/testing/clock.js";
import { guardClient } from "msal-guard/node";
import { result, type BenchResult } from "./report.js";
import { SimScheduler, seeded, withLibraryTimersOnSimulatedTime } from "./sim-time.js";
import { cockatielRetry, naiveRetry } from "./strategies.js";
import { MINUTE, SCOPES, answers, startBenchTenant, type BenchTenant } from "./tenant.js";

const ACCOUNT = "svc-billing@contoso.test";
const PASSWORD = "Winter-2026!rotated";
const NAIVE_RETRIES = 3;

export type StormStrategy = "msal-node" | "naive" | "cockatiel" | "guarded";

export interface StormOptions {
  readonly callers: number;
  readonly minutes: number;
  /** Pause after a call ends before the next, ms; each caller adds its own 0–`jitterMs`. */
  readonly everyMs: number;
  readonly jitterMs: number;
}

export interface StormRun {
  readonly strategy: StormStrategy;
  readonly calls: number;
  readonly tokens: number;
  /** Token requests the simulator received during the storm. */
  readonly requests: number;
  readonly answers: Record<string, number>;
  /** Guarded only: the guard's lockout windows, ms from the storm's start, and requests in each. */
  readonly windows: readonly { readonly fromMs: number; readonly untilMs: number; readonly requests: number }[];
  /** Guarded only: requests that fell in no lockout window of the guard. */
  readonly requestsOutsideWindows: number;
  readonly realMs: number;
}

/** Wrong passwords until the simulator's lockout reaches `minutes` (1, 2, 4, 8, 16, 30 minutes). */
async function lockUntil(tenant: BenchTenant, minutes: number): Promise<void> {
  const intruder = tenant.app();
  for (let guess = 0; guess < 200; guess++) {
    await intruder.acquireTokenByUsernamePassword({ scopes: SCOPES, username: ACCOUNT, password: `old-guess-${guess}` }).catch(() => undefined);
    const state = tenant.sim.lockoutState(ACCOUNT);
    if (state.locked && state.lockedUntilMs !== undefined) {
      if (state.lockedUntilMs - tenant.clock.now() >= minutes * MINUTE) return;
      tenant.clock.set(state.lockedUntilMs);
    }
  }
  throw new Error("bench: could not lock the simulated account");
}

export async function runStorm(strategy: StormStrategy, o: StormOptions): Promise<StormRun> {
  const started = performance.now();
  const tenant = await startBenchTenant({ users: [{ username: ACCOUNT, password: PASSWORD }], loopDetection: false });
  const { sim, clock } = tenant;
  try {
    await lockUntil(tenant, 30);
    sim.resetLog();
    const origin = clock.now();
    const scheduler = new SimScheduler(clock);

    // One process: the callers share one msal-node app (and, guarded, one guard).
    const app = tenant.app();
    const events: { at: number; event: GuardEvent }[] = [];
    const guard = strategy === "guarded" ? guardClient(app, { clock: createGuardClock(clock, 2000), onEvent: (event) => events.push({ at: clock.now() - origin, event }) }) : undefined;
    const once = () => (guard ?? app).acquireTokenByUsernamePassword({ scopes: SCOPES, username: ACCOUNT, password: PASSWORD });
    const withCockatiel = strategy === "cockatiel" ? cockatielRetry() : undefined;
    const call = strategy === "naive" ? () => naiveRetry(once, NAIVE_RETRIES) : withCockatiel !== undefined ? () => withCockatiel(once) : once;

    const end = o.minutes * MINUTE;
    let calls = 0;
    let tokens = 0;
    for (let caller = 0; caller < o.callers; caller++) {
      const random = seeded(3000 + caller); // each caller's own jitter, independent of response order
      scheduler.spawn(async () => {
        while (scheduler.elapsed < end) {
          calls++;
          try {
            const token = await call();
            if (token?.accessToken) tokens++;
          } catch {
            // log and carry on
          }
          const next = scheduler.elapsed + o.everyMs + Math.floor(random() * (o.jitterMs / 100 + 1)) * 100;
          if (next >= end) return;
          await scheduler.sleepUntil(next);
        }
      });
    }
    const run = () => scheduler.run(end);
    await (strategy === "cockatiel" ? withLibraryTimersOnSimulatedTime("cockatiel", scheduler, 7, run) : run());

    const requests = tenant.tokenRequests((entry) => entry.timeMs - origin < end);
    const times = requests.map((entry) => entry.timeMs - origin);
    const windows = events.flatMap(({ at, event }) => (event.type === "classified" && event.effect === "lockout" && event.until !== undefined ? [{ fromMs: at, untilMs: event.until - origin }] : []));
    const counted = windows.map((w) => ({ ...w, requests: times.filter((t) => t >= w.fromMs && t < w.untilMs).length }));
    return {
      strategy,
      calls,
      tokens,
      requests: requests.length,
      answers: answers(requests),
      windows: counted,
      requestsOutsideWindows: strategy === "guarded" ? times.filter((t) => !windows.some((w) => t >= w.fromMs && t < w.untilMs)).length : 0,
      realMs: performance.now() - started,
    };
  } finally {
    await tenant.close();
  }
}

const LABELS: Record<StormStrategy, string> = {
  "msal-node": "msal-node alone",
  naive: `msal-node + naive retry loop (${NAIVE_RETRIES} immediate retries)`,
  cockatiel: "msal-node + cockatiel (5 retries, ExponentialBackoff)",
  guarded: "msal-guard guardClient",
};

export async function benchRetryStorm(options: { readonly quick: boolean; readonly progress: (line: string) => void }): Promise<BenchResult[]> {
  const o: StormOptions = { callers: options.quick ? 100 : 1_000, minutes: 10, everyMs: MINUTE, jitterMs: 5_000 };
  const name = "retry-storm";
  const out: BenchResult[] = [];
  for (const strategy of ["guarded", "msal-node", "naive", "cockatiel"] as const) {
    options.progress(`retry storm: ${LABELS[strategy]}, ${o.callers} callers, ${o.minutes} simulated minutes`);
    const run = await runStorm(strategy, o);
    options.progress(`  ${run.requests} token requests for ${run.calls} calls (${JSON.stringify(run.answers)}), ${(run.realMs / 1000).toFixed(1)} s`);
    out.push(result(name, `token requests, ${LABELS[strategy]} (${run.calls.toLocaleString("en-US")} calls)`, "requests", [run.requests]));
    if (strategy === "guarded") {
      const most = Math.max(0, ...run.windows.map((w) => w.requests));
      const windows = run.windows.map((w) => `${Math.round((w.untilMs - w.fromMs) / MINUTE)}m`).join(", ");
      const met = most <= 1 && run.requestsOutsideWindows === 0;
      out.push(result(name, `msal-guard: most token requests in one lockout window (windows ${windows}; ${run.requestsOutsideWindows} outside)`, "requests", [most], "≤ 1", met));
    }
  }
  return out;
}
