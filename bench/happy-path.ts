/**
 * Happy-path overhead: `acquireTokenByClientCredential` answered from MSAL's token cache,
 * bare msal-node vs the same app under `guardClient` (default options: memory store,
 * system clock), interleaved in one process. One real call to the simulator warms MSAL's
 * cache first; the benchmark checks that no other request reached the simulator, so every
 * timed call is a cache hit.
 */
import * as msal from "@azure/msal-node";
import { guardClient } from "msal-guard/node";
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
      ],
      { rounds: o.rounds, iterations: o.calls, warmupRounds: 2, ...(o.onRound === undefined ? {} : { onRound: o.onRound }) },
    );
    const requests = sim.requests.filter((entry) => entry.endpoint === "token").length;
    if (requests !== 1) throw new Error(`bench: ${requests} token requests reached the simulator; the timed calls were not all cache hits`);
    if (sink === 0) throw new Error("bench: no tokens");
    return { bare: timing.perRound.bare as number[], guarded: timing.perRound.guarded as number[], ratios: timing.ratios.guarded as number[] };
  } finally {
    await sim.close();
  }
}

export async function benchHappyPath(options: { readonly quick: boolean; readonly progress: (line: string) => void }): Promise<BenchResult[]> {
  const rounds = options.quick ? 6 : 20;
  const calls = options.quick ? 500 : 2_000;
  options.progress(`happy path: ${rounds} rounds × ${calls} cache-hit calls, bare and guarded alternating`);
  const t = await measureHappyPath({ rounds, calls, onRound: (r) => (r + 1) % 5 === 0 && options.progress(`  round ${r + 1}/${rounds}`) });
  const name = "happy-path";
  const bare = median(t.bare);
  const guarded = median(t.guarded);
  const ratio = guarded / bare;
  const addedUs = (guarded - bare) / 1_000;
  return [
    result(name, "bare msal-node acquireTokenByClientCredential, cache hit", "ns/call", t.bare),
    result(name, "guardClient, same call, cache hit", "ns/call", t.guarded),
    { ...result(name, "guarded ÷ bare (ratio of the medians; runs: per-round ratios)", "×", t.ratios, "≤ 1.05"), median: ratio, met: ratio <= 1.05 },
    {
      ...result(name, "added per call (difference of the medians; runs: per round)", "µs", t.guarded.map((g, i) => (g - (t.bare[i] as number)) / 1_000), "≤ 5 µs"),
      median: addedUs,
      met: addedUs <= 5,
    },
  ];
}

// Standalone, for profiling.
if (import.meta.url === `file://${process.argv[1]}`) {
  const t = await measureHappyPath({ rounds: Number(process.argv[2] ?? 20), calls: Number(process.argv[3] ?? 2_000) });
  console.log(JSON.stringify({ bare: median(t.bare), guarded: median(t.guarded), ratio: median(t.guarded) / median(t.bare) }));
}
