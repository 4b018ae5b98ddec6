/**
 * `npm run bench`: measures msal-guard against its targets and prints a table; writes
 * `bench/results.json`.
 *
 *   node --expose-gc --import tsx bench/run.ts [--only <name>[,<name>...]] [--quick] [--out <path>]
 *
 * --only   run some benchmarks: happy-path, classification, memory, bundle-size,
 *          ghost-client, retry-storm, fleet
 * --quick  fewer repetitions and callers (CI smoke); figures are then rougher
 * --out    where to write the JSON (default bench/results.json for a full run,
 *          bench/results.partial.json with --only or --quick, so a smoke run never
 *          replaces the full results)
 *
 * The timed benchmarks use the built package (`dist/`, as an app would); it is rebuilt
 * first when any file in `src/` is newer. Progress goes to stderr, the table to stdout.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchBundleSize, distIsFresh } from "./bundle-size.js";
import { buildReport, writeTableIntoReadmes, renderTable, writeReport, type BenchResult } from "./report.js";

type Progress = (line: string) => void;
interface BenchOptions {
  readonly quick: boolean;
  readonly progress: Progress;
}

/** In running order: the timing-sensitive ones first, on a quiet process. */
const BENCHMARKS: Record<string, (o: BenchOptions) => Promise<BenchResult[]>> = {
  "happy-path": async (o) => (await import("./happy-path.js")).benchHappyPath(o),
  classification: async (o) => (await import("./classification.js")).benchClassification(o),
  memory: async (o) => (await import("./memory.js")).benchMemory(o),
  "bundle-size": (o) => benchBundleSize(o),
  "ghost-client": async (o) => (await import("./ghost-client.js")).benchGhostClient(o),
  "retry-storm": async (o) => (await import("./retry-storm.js")).benchRetryStorm(o),
  fleet: async (o) => (await import("./fleet.js")).benchFleet(o),
};

function parseArgs(argv: readonly string[]): { only: string[] | undefined; quick: boolean; out: string | undefined } {
  let only: string[] | undefined;
  let quick = false;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--quick") quick = true;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (value === undefined || value === "") throw new Error("--only needs a benchmark name");
      only = [...(only ?? []), ...value.split(",").map((s) => s.trim()).filter(Boolean)];
    } else if (arg === "--out" || arg.startsWith("--out=")) {
      out = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (out === undefined || out === "") throw new Error("--out needs a path");
    } else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`usage: npm run bench -- [--only <${Object.keys(BENCHMARKS).join("|")}>] [--quick] [--out <path>]\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}; try --help`);
  }
  for (const name of only ?? []) {
    if (!(name in BENCHMARKS)) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(", ")}`);
  }
  return { only, quick, out };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const progress: Progress = (line) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
  const root = fileURLToPath(new URL("../", import.meta.url));

  if (!distIsFresh()) {
    progress("dist/ is missing or older than src/: npm run build");
    const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    if (build.status !== 0) throw new Error("npm run build failed");
  }

  const names = Object.keys(BENCHMARKS).filter((name) => args.only === undefined || args.only.includes(name));
  const results: BenchResult[] = [];
  for (const name of names) {
    const t = performance.now();
    results.push(...(await (BENCHMARKS[name] as (o: BenchOptions) => Promise<BenchResult[]>)({ quick: args.quick, progress })));
    progress(`${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }

  const partial = args.only !== undefined || args.quick;
  const command = ["npm run bench", ...(partial ? ["--", ...process.argv.slice(2)] : [])].join(" ");
  const report = buildReport(results, command, performance.now() - started);
  const out = args.out ?? fileURLToPath(new URL(partial ? "./results.partial.json" : "./results.json", import.meta.url));
  writeReport(report, out);
  const table = renderTable(report);
  process.stdout.write(`${table}\n`);
  progress(`wrote ${out}`);
  if (!partial && args.out === undefined) {
    // A full run's table goes into the READMEs, so the figures there come from a run.
    const readmes = [fileURLToPath(new URL("../README.md", import.meta.url)), fileURLToPath(new URL("./README.md", import.meta.url))];
    for (const file of writeTableIntoReadmes(table, readmes)) progress(`updated the table in ${file}`);
  }
}

main().then(
  () => process.exit(0), // worker sockets, keep-alive agents: nothing left to wait for
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
