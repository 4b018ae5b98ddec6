/**
 * Fleet: 8 worker processes, each with its own msal-node app, `guardClient` and
 * `RedisStore`, on one real redis-server, calling for an account the simulator keeps
 * locked (30 minutes), for 10 simulated minutes. Reuses the Redis tests' harness: the
 * redis-server launcher (`test/redis/redis-server.ts`), the worker process
 * (`test/redis/fixtures/worker.ts`) and the shared tenant (`test/e2e/fixtures.ts`).
 *
 * Every 10 simulated seconds all 8 processes run a wave at the same instant: 25 calls each,
 * over 4 scope sets (distinct calls, so even inside one process they contend for the probe
 * lease). The first wave is the fleet's first contact with the locked account: nothing is
 * stored yet, so the 32 distinct calls (4 per process) are gated: one takes the identity's
 * lease in Redis and sends, the other 31 wait for its answer (polling Redis) and are
 * suppressed by the lockout it records; the first window gets one request, like every later
 * one. The guard's lockout windows are read from its record in Redis after every wave; token
 * requests are counted at the simulator.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { CLIENTS, PASSWORD, USERS, startTenant, type Tenant } from "../test/e2e/fixtures.js";
import type { WaveReport, WorkerCommand, WorkerConfig } from "../test/redis/fixtures/worker.js";
import { startRedisServer, type RedisServer } from "../test/redis/redis-server.js";
import { lockAda } from "../test/redis/support.js";
import { result, type BenchResult } from "./report.js";

const WORKERS = 8;
const CALLS_PER_WAVE = 25;
const SCOPE_SETS = [["User.Read"], ["Mail.Read"], ["Files.Read"], ["Calendars.Read"]];
const WAVE_EVERY_MS = 10_000;
const MINUTE = 60_000;

const root = fileURLToPath(new URL("../", import.meta.url));
const fixture = fileURLToPath(new URL("../test/redis/fixtures/worker.ts", import.meta.url));

interface Worker {
  send(command: WorkerCommand): Promise<WaveReport>;
  exit(): Promise<void>;
  kill(): void;
}

function startWorker(config: WorkerConfig, id: number): Promise<Worker> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", fixture, JSON.stringify(config)], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const waiting: ((line: string) => void)[] = [];
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`fleet worker ${id} exited (${code}): ${stderr}`))));
  exited.catch(() => undefined);
  createInterface({ input: child.stdout }).on("line", (line) => waiting.shift()?.(line));
  const nextLine = () => Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited]);
  return nextLine().then((first) => {
    if (first !== "ready") throw new Error(`fleet worker ${id} said ${first}: ${stderr}`);
    return {
      async send(command) {
        const reply = nextLine();
        child.stdin.write(`${JSON.stringify(command)}\n`);
        const parsed = JSON.parse(await reply) as WaveReport | { error: string };
        if ("error" in parsed) throw new Error(`fleet worker ${id}: ${parsed.error} ${stderr}`);
        return parsed;
      },
      async exit() {
        const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.stdin.write(`${JSON.stringify({ op: "exit" })}\n`);
        await done;
      },
      kill: () => void child.kill("SIGKILL"),
    };
  });
}

export interface FleetRun {
  readonly calls: number;
  readonly requests: number;
  /** The guard's lockout windows (ms from the first wave) and the token requests in each. */
  readonly windows: readonly { readonly fromMs: number; readonly untilMs: number; readonly requests: number }[];
  readonly requestsOutsideWindows: number;
  readonly outcomes: Record<string, number>;
  readonly storeErrors: number;
  readonly startMs: number;
  readonly realMs: number;
}

/** The guard's lockout window for ada, as stored in Redis (the one identity record there). */
async function storedWindow(redis: Redis): Promise<{ since: number; until: number } | undefined> {
  const keys = await redis.keys("msal-guard:*:i");
  for (const key of keys) {
    const value = await redis.get(key);
    const lockout = value === null ? undefined : (JSON.parse(value) as { lockout?: { since: number; until: number } }).lockout;
    if (lockout !== undefined) return { since: lockout.since, until: lockout.until };
  }
  return undefined;
}

export async function runFleet(o: { readonly minutes: number; readonly progress: (line: string) => void }): Promise<FleetRun> {
  const started = performance.now();
  let tenant: Tenant | undefined;
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  let workers: Worker[] = [];
  try {
    // The simulator keeps ada locked for 30 minutes: every probe in the run meets a real lockout.
    [tenant, server] = await Promise.all([startTenant({ loopDetection: false, lockout: { durationMs: 30 * MINUTE } }), startRedisServer()]);
    const config: WorkerConfig = { redisUrl: server.url, auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), username: USERS.ada, password: PASSWORD };
    o.progress(`  starting ${WORKERS} worker processes and redis-server on port ${server.port}`);
    workers = await Promise.all(Array.from({ length: WORKERS }, (_, id) => startWorker(config, id)));
    redis = new Redis(server.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    await lockAda(tenant);
    const start = tenant.clock.now();

    const windows = new Map<number, number>();
    const outcomes: Record<string, number> = {};
    let calls = 0;
    let storeErrors = 0;
    for (let at = 0; at < o.minutes * MINUTE; at += WAVE_EVERY_MS) {
      const now = start + at;
      tenant.clock.set(now);
      const reports = await Promise.all(workers.map((w) => w.send({ op: "wave", now, calls: CALLS_PER_WAVE, scopeSets: SCOPE_SETS })));
      for (const report of reports) {
        for (const [key, n] of Object.entries(report.outcomes)) outcomes[key] = (outcomes[key] ?? 0) + n;
        if (report.foreign.length > 0) throw new Error(`bench: fleet worker saw ${report.foreign.join("; ")}`);
      }
      storeErrors = reports.reduce((sum, r) => sum + r.storeErrors, 0);
      calls += WORKERS * CALLS_PER_WAVE;
      const window = await storedWindow(redis);
      if (window !== undefined) windows.set(window.since, window.until);
    }
    const times = tenant.sim.requests.filter((r) => r.endpoint === "token").map((r) => r.timeMs - start);
    const list = [...windows].sort(([a], [b]) => a - b).map(([since, until]) => ({ fromMs: since - start, untilMs: until - start }));
    const inWindow = (t: number, w: { fromMs: number; untilMs: number }) => t >= w.fromMs && t < w.untilMs;
    return {
      calls,
      requests: times.length,
      windows: list.map((w) => ({ ...w, requests: times.filter((t) => inWindow(t, w)).length })),
      requestsOutsideWindows: times.filter((t) => !list.some((w) => inWindow(t, w))).length,
      outcomes,
      storeErrors,
      startMs: start,
      realMs: performance.now() - started,
    };
  } finally {
    await Promise.all(workers.map((w) => w.exit().catch(() => w.kill())));
    redis?.disconnect();
    await Promise.all([tenant?.sim.close(), server?.stop()]);
  }
}

export async function benchFleet(options: { readonly quick: boolean; readonly progress: (line: string) => void }): Promise<BenchResult[]> {
  const minutes = options.quick ? 4 : 10;
  options.progress(`fleet: ${WORKERS} processes on one redis-server, ${WORKERS * CALLS_PER_WAVE} calls every ${WAVE_EVERY_MS / 1000} simulated s for ${minutes} minutes`);
  const run = await runFleet({ minutes, progress: options.progress });
  const shape = run.windows.map((w) => `${Math.round((w.untilMs - w.fromMs) / 1000)}s:${w.requests}`).join(", ");
  options.progress(`  ${run.requests} token requests for ${run.calls} calls; windows (length:requests) ${shape}; ${run.requestsOutsideWindows} outside; store errors ${run.storeErrors}; ${(run.realMs / 1000).toFixed(1)} s`);
  const name = "fleet";
  const [first, ...later] = run.windows;
  const laterMost = Math.max(0, ...later.map((w) => w.requests));
  return [
    result(name, `token requests, ${WORKERS} processes (${run.calls.toLocaleString("en-US")} calls, ${run.windows.length} lockout windows)`, "requests", [run.requests]),
    result(name, "token requests in the first window (all 8 processes meet the lockout at the same instant)", "requests", [first?.requests ?? 0], "≤ 1", (first?.requests ?? 0) <= 1),
    result(name, `most token requests in one later window (${later.length} windows; ${run.requestsOutsideWindows} requests outside any)`, "requests", [laterMost], "≤ 1", laterMost <= 1 && run.requestsOutsideWindows === 0 && later.length > 0),
  ];
}
