/**
 * Ghost client: forgotten copies of a job still hold stale passwords of a service account
 * and retry every 5 minutes for 24 simulated hours, against Entra's smart lockout
 * (threshold 10; 60 s doubling to 30 min). The demo's ghost-daemon scenario
 * (`src/demo/scenarios.ts`), same hosts, passwords and schedule, with more ways of calling.
 *
 * Why four copies: Entra does not count a repeat of one of the last three wrong passwords,
 * so a single stale copy never locks the account, whatever it sends; four copies with four
 * different old passwords do. Each copy's app code is the same in every run except the
 * first: on a failure, retry at once up to 3 times. What differs is what sits under it:
 * bare msal-node, msal-node with an emulation of MSAL Python's 60 s cache of HTTP 400
 * answers, or msal-guard. The up-to-date job (right password, hourly, bare msal-node) runs
 * alongside, as in the demo.
 */
import { createGuardClock } from "../src/testing/clock.js";
import { guardClient } from "msal-guard/node";
import { result, type BenchResult } from "./report.js";
import { SimScheduler } from "./sim-time.js";
import { msalPythonHttp400Cache, naiveRetry } from "./strategies.js";
import { HOUR, MINUTE, SCOPES, answers, startBenchTenant } from "./tenant.js";

const SECOND = 1_000;
const ACCOUNT = "svc-billing@contoso.test";
const CURRENT_PASSWORD = "Winter-2026!rotated";
const GHOSTS = [
  { host: "app-01", address: "10.20.0.11", password: "Autumn-2025!rotated", offsetMs: 0 },
  { host: "app-02", address: "10.20.0.12", password: "Summer-2025!rotated", offsetMs: 75 * SECOND },
  { host: "app-03", address: "10.20.0.13", password: "Spring-2025!rotated", offsetMs: 150 * SECOND },
  { host: "report-vm", address: "10.20.0.14", password: "Winter-2025!rotated", offsetMs: 225 * SECOND },
] as const;
const LIVE_JOB_ADDRESS = "10.20.0.20";
const NAIVE_RETRIES = 3;

export type GhostStrategy = "msal-node" | "naive" | "msal-python" | "guarded";

export interface GhostRun {
  readonly strategy: GhostStrategy;
  readonly staleCalls: number;
  /** Token requests from the stale copies that reached the simulator. */
  readonly staleRequests: number;
  /** Lockouts started (simulator log). */
  readonly lockouts: number;
  readonly lockedMinutes: number;
  readonly liveSignIns: number;
  readonly liveRefused: number;
  readonly answers: Record<string, number>;
  readonly realMs: number;
}

export async function runGhost(strategy: GhostStrategy, hours: number): Promise<GhostRun> {
  const started = performance.now();
  const tenant = await startBenchTenant({
    users: [{ username: ACCOUNT, password: CURRENT_PASSWORD, familiarAddresses: [...GHOSTS.map((g) => g.address), LIVE_JOB_ADDRESS] }],
  });
  const { sim, clock } = tenant;
  try {
    const end = hours * HOUR;
    const scheduler = new SimScheduler(clock);
    let staleCalls = 0;
    GHOSTS.forEach((ghost, index) => {
      // Each copy runs on its own host: its own process, app and (guarded) guard.
      const app = tenant.app({ sourceAddress: ghost.address, ...(strategy === "msal-python" ? { wrap: (network) => msalPythonHttp400Cache(network, () => clock.now()) } : {}) });
      const client = strategy === "guarded" ? guardClient(app, { clock: createGuardClock(clock, 1000 + index) }) : app;
      const once = () => client.acquireTokenByUsernamePassword({ scopes: SCOPES, username: ACCOUNT, password: ghost.password });
      const call = strategy === "msal-node" ? once : () => naiveRetry(once, NAIVE_RETRIES);
      scheduler.spawn(async () => {
        for (let at = ghost.offsetMs; at < end; at += 5 * MINUTE) {
          await scheduler.sleepUntil(at);
          staleCalls++;
          await call().catch(() => undefined);
        }
      });
    });
    const live = tenant.app({ sourceAddress: LIVE_JOB_ADDRESS });
    scheduler.spawn(async () => {
      for (let at = 30 * MINUTE + 20 * SECOND; at < end; at += HOUR) {
        await scheduler.sleepUntil(at);
        await live.acquireTokenByUsernamePassword({ scopes: SCOPES, username: ACCOUNT, password: CURRENT_PASSWORD }).catch(() => undefined);
      }
    });

    // Locked time: a lock can only start with a request, so a look after every instant sees each one begin.
    const origin = clock.now();
    let lockedMs = 0;
    let lastUntil: number | undefined;
    await scheduler.run(end, () => {
      const state = sim.lockoutState(ACCOUNT);
      if (state.locked && state.lockedUntilMs !== undefined && state.lockedUntilMs !== lastUntil) {
        lockedMs += Math.min(state.lockedUntilMs, origin + end) - clock.now();
        lastUntil = state.lockedUntilMs;
      }
    });

    const ghostAddresses = new Set<string>(GHOSTS.map((g) => g.address));
    const stale = tenant.tokenRequests((e) => ghostAddresses.has(e.sourceAddress));
    const liveRequests = tenant.tokenRequests((e) => e.sourceAddress === LIVE_JOB_ADDRESS);
    return {
      strategy,
      staleCalls,
      staleRequests: stale.length,
      lockouts: tenant.tokenRequests((e) => e.reason === "bad_password_lockout_started").length,
      lockedMinutes: Math.round(lockedMs / MINUTE),
      liveSignIns: liveRequests.length,
      liveRefused: liveRequests.filter((e) => e.status !== 200).length,
      answers: answers(stale),
      realMs: performance.now() - started,
    };
  } finally {
    await tenant.close();
  }
}

const LABELS: Record<GhostStrategy, string> = {
  "msal-node": "msal-node alone (no retry)",
  naive: `msal-node + naive retry (${NAIVE_RETRIES} immediate retries)`,
  "msal-python": "MSAL Python emulation (400s cached 60 s) + naive retry",
  guarded: "msal-guard + naive retry",
};

export async function benchGhostClient(options: { readonly quick: boolean; readonly progress: (line: string) => void }): Promise<BenchResult[]> {
  const hours = options.quick ? 6 : 24;
  const name = "ghost-client";
  const out: BenchResult[] = [];
  for (const strategy of ["guarded", "msal-node", "naive", "msal-python"] as const) {
    options.progress(`ghost client: ${LABELS[strategy]}, ${GHOSTS.length} stale copies, ${hours} simulated hours`);
    const run = await runGhost(strategy, hours);
    options.progress(`  ${run.staleRequests} requests for ${run.staleCalls} calls, ${run.lockouts} lockouts, ${run.lockedMinutes} min locked, live refused ${run.liveRefused}/${run.liveSignIns} (${JSON.stringify(run.answers)}), ${(run.realMs / 1000).toFixed(1)} s`);
    const label = LABELS[strategy];
    if (strategy === "guarded") {
      const perPassword = run.staleRequests / GHOSTS.length;
      out.push(result(name, `${label}: token requests per stale password (${run.staleRequests} for ${run.staleCalls} calls)`, "requests", [perPassword], "1", perPassword === 1));
      out.push(result(name, `${label}: lockouts caused`, "lockouts", [run.lockouts], "0", run.lockouts === 0));
    } else {
      out.push(result(name, `${label}: token requests (${run.staleCalls} calls)`, "requests", [run.staleRequests]));
      out.push(result(name, `${label}: lockouts caused (${run.lockedMinutes} min locked)`, "lockouts", [run.lockouts]));
    }
  }
  return out;
}
