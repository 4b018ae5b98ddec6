/**
 * Happy-path overhead: `acquireTokenByClientCredential` answered from MSAL's token cache,
 * bare msal-node vs the same app under `guardClient` (default options: memory store,
 * system clock), interleaved in one process. One real call to the simulator warms MSAL's
 * cache first; the benchmark checks that no other request reached the simulator, so every
 * timed call is a cache hit.
 *
 * A full run measures in 3 fresh processes, one after the other, and pools their rounds:
 * how the JIT compiles the two loops differs from process to process (runs of one process
 * gave ratios from 1.03 to 1.08 on a 2-core machine), so one process is one sample of it.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as msal from "@azure/msal-node";
import { createNetworkObserver, guardClient } from "msal-guard/node";
import { startEntraSimulator } from "msal-guard/testing";
import { result, type BenchResult } from "./report.js";
import { interleave, median } from "./stats.js";

const DAEMON = "22222222-2222-4222-8222-222222222222";
const SECRET = "daemon-secret-value";
const REQUEST = { scopes: ["https://graph.microsoft.com/.default"] };

export interface HappyPathTiming {
  /** ns per call, one value per round. */
  readonly bare: number[];
  readonly guarded: number[];
  /** guarded ÷ bare, per round. */
  readonly ratios: number[];
  /** The same call guarded with the network observer installed (a second app, its own cache), ns per call. */
  readonly observed: number[];
  /** observed ÷ bare, per round. */
  readonly observedRatios: number[];
}

/** The timed loop alone (also used for profiling: `node --cpu-prof --import tsx bench/happy-path.ts`). */
export async function measureHappyPath(o: { readonly rounds: number; readonly calls: number; readonly onRound?: (round: number) => void }): Promise<HappyPathTiming> {
  const sim = await startEntraSimulator({ clients: [{ clientId: DAEMON, secret: SECRET }] });
  try {
    const app = new msal.ConfidentialClientApplication({
      auth: sim.msalNodeAuth(DAEMON, { clientSecret: SECRET }),
      system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } },
    });
    const guarded = guardClient(app);
    const first = await app.acquireTokenByClientCredential(REQUEST);
    if (!first?.accessToken) throw new Error("bench: the warm-up call returned no token");
    // As the Node quickstart sets it up: the observer as the app's network client, and given to the guard.
    const observer = createNetworkObserver();
    const observedApp = new msal.ConfidentialClientApplication({
      auth: sim.msalNodeAuth(DAEMON, { clientSecret: SECRET }),
      system: observer.system({ loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } }),
    });
    const observed = guardClient(observedApp, { observer });
    if (!(await observedApp.acquireTokenByClientCredential(REQUEST))?.accessToken) throw new Error("bench: the observed app's warm-up call returned no token");
    let sink = 0;
    const timing = await interleave(
      [
        {
          name: "bare",
          run: async (n) => {
            for (let i = 0; i < n; i++) sink += (await app.acquireTokenByClientCredential(REQUEST))?.accessToken.length ?? 0;
          },
        },
        {
          name: "guarded",
          run: async (n) => {
            for (let i = 0; i < n; i++) sink += (await guarded.acquireTokenByClientCredential(REQUEST))?.accessToken.length ?? 0;
          },
        },
        {
          name: "observed",
          run: async (n) => {
            for (let i = 0; i < n; i++) sink += (await observed.acquireTokenByClientCredential(REQUEST))?.accessToken.length ?? 0;
          },
        },
      ],
      { rounds: o.rounds, iterations: o.calls, warmupRounds: 2, ...(o.onRound === undefined ? {} : { onRound: o.onRound }) },
    );
    const requests = sim.requests.filter((entry) => entry.endpoint === "token").length;
    if (requests !== 2) throw new Error(`bench: ${requests} token requests reached the simulator; the timed calls were not all cache hits`);
    if (sink === 0) throw new Error("bench: no tokens");
    return {
      bare: timing.perRound.bare as number[],
      guarded: timing.perRound.guarded as number[],
      ratios: timing.ratios.guarded as number[],
      observed: timing.perRound.observed as number[],
      observedRatios: timing.ratios.observed as number[],
    };
  } finally {
    await sim.close();
  }
}

/** Runs {@link measureHappyPath} in a fresh Node process (this file, standalone) and reads its timing. */
function measureInChild(rounds: number, calls: number): Promise<HappyPathTiming> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), String(rounds), String(calls), "--timing"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`bench: the happy-path process exited with ${String(code)}`));
      try {
        resolve(JSON.parse(out) as HappyPathTiming);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

export async function benchHappyPath(options: { readonly quick: boolean; readonly progress: (line: string) => void }): Promise<BenchResult[]> {
  const processes = options.quick ? 1 : 3;
  const rounds = options.quick ? 6 : 20;
  const calls = options.quick ? 500 : 2_000;
  options.progress(`happy path: ${processes} process(es) × ${rounds} rounds × ${calls} cache-hit calls, bare, guarded and guarded with the network observer alternating`);
  const t: HappyPathTiming = { bare: [], guarded: [], ratios: [], observed: [], observedRatios: [] };
  for (let p = 0; p < processes; p++) {
    const one = await measureInChild(rounds, calls);
    t.bare.push(...one.bare);
    t.guarded.push(...one.guarded);
    t.ratios.push(...one.ratios);
    t.observed.push(...one.observed);
    t.observedRatios.push(...one.observedRatios);
    options.progress(`  process ${p + 1}/${processes}: median ratio ${median(one.ratios).toFixed(3)}`);
  }
  const name = "happy-path";
  // Each round times both loops in the same process, moments apart: its ratio and its
  // difference are the paired samples, and their medians the figures.
  const added = t.guarded.map((g, i) => (g - (t.bare[i] as number)) / 1_000);
  const ratio = median(t.ratios);
  const addedUs = median(added);
  return [
    result(name, "bare msal-node acquireTokenByClientCredential, cache hit", "ns/call", t.bare),
    result(name, "guardClient, same call, cache hit", "ns/call", t.guarded),
    result(name, `guarded ÷ bare (median of per-round ratios, ${processes} process${processes === 1 ? "" : "es"})`, "×", t.ratios, "≤ 1.05", ratio <= 1.05),
    result(name, "added per call (median of per-round differences)", "µs", added, "≤ 5 µs", addedUs <= 5),
    result(name, "guardClient + network observer, same call, cache hit", "ns/call", t.observed),
    result(name, "guarded with observer ÷ bare (median of per-round ratios)", "×", t.observedRatios),
  ];
}

// Standalone: for profiling, and for benchHappyPath's fresh processes (`--timing`: every round).
if (import.meta.url === `file://${process.argv[1]}`) {
  const t = await measureHappyPath({ rounds: Number(process.argv[2] ?? 20), calls: Number(process.argv[3] ?? 2_000) });
  const summary = { bare: median(t.bare), guarded: median(t.guarded), ratio: median(t.guarded) / median(t.bare) };
  process.stdout.write(`${JSON.stringify(process.argv.includes("--timing") ? t : summary)}\n`);
  process.exit(0);
}
