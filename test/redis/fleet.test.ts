// Eight worker processes, each with its own msal-node app, guardClient and RedisStore on
// one real redis-server, all calling for an account the simulator has locked. Counted at
// the simulator: one token request for the fleet's first contact with the account (all 8
// processes calling at the same instant, nothing recorded yet), at most one per lockout
// window after it, and after each window exactly one probe.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENTS, PASSWORD, USERS, startTenant, type Tenant } from "../e2e/fixtures.js";
import type { WaveReport, WorkerCommand, WorkerConfig } from "./fixtures/worker.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { MINUTE, lockAda, tokenRequests } from "./support.js";

const WORKERS = 8;
const CALLS_PER_WORKER = 100;
// Distinct scope sets are distinct calls (no single flight between them), so even within
// one process several calls contend for the probe lease.
const SCOPE_SETS = [["User.Read"], ["Mail.Read"], ["Files.Read"], ["Calendars.Read"]];

const fixture = fileURLToPath(new URL("./fixtures/worker.ts", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));

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
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`worker ${id} exited (${code}): ${stderr}`))));
  exited.catch(() => undefined);
  createInterface({ input: child.stdout }).on("line", (line) => waiting.shift()?.(line));
  const nextLine = () => Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited]);
  return nextLine().then((first) => {
    if (first !== "ready") throw new Error(`worker ${id} said ${first}: ${stderr}`);
    return {
      async send(command) {
        const reply = nextLine();
        child.stdin.write(`${JSON.stringify(command)}\n`);
        const parsed = JSON.parse(await reply) as WaveReport | { error: string };
        if ("error" in parsed) throw new Error(`worker ${id}: ${parsed.error} ${stderr}`);
        return parsed;
      },
      async exit() {
        const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.stdin.write(`${JSON.stringify({ op: "exit" })}\n`);
        await done;
      },
      kill: () => child.kill("SIGKILL"),
    };
  });
}

let tenant: Tenant;
let server: RedisServer;
let workers: Worker[] = [];
beforeAll(async () => {
  // The simulator keeps ada locked for 10 minutes: every probe within that meets a real lockout.
  [tenant, server] = await Promise.all([startTenant({ loopDetection: false, lockout: { durationMs: 10 * MINUTE } }), startRedisServer()]);
  const config: WorkerConfig = { redisUrl: server.url, auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), username: USERS.ada, password: PASSWORD };
  workers = await Promise.all(Array.from({ length: WORKERS }, (_, id) => startWorker(config, id)));
}, 30_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.exit().catch(() => w.kill())));
  await Promise.all([tenant?.sim.close(), server?.stop()]);
});

/** Every worker runs CALLS_PER_WORKER calls at once, at simulated time `now`. */
async function fleetWave(now: number) {
  tenant.clock.set(now);
  const before = tokenRequests(tenant);
  const reports = await Promise.all(workers.map((w) => w.send({ op: "wave", now, calls: CALLS_PER_WORKER, scopeSets: SCOPE_SETS })));
  const outcomes: Record<string, number> = {};
  for (const report of reports) for (const [key, n] of Object.entries(report.outcomes)) outcomes[key] = (outcomes[key] ?? 0) + n;
  return {
    requests: tokenRequests(tenant) - before,
    outcomes,
    foreign: reports.flatMap((r) => r.foreign),
    probes: reports.reduce((sum, r) => sum + r.probes, 0),
    firstContacts: reports.reduce((sum, r) => sum + r.firstContacts, 0),
    contactWaits: reports.reduce((sum, r) => sum + r.contactWaits, 0),
    storeErrors: reports.reduce((sum, r) => sum + r.storeErrors, 0),
  };
}

describe("a fleet of 8 processes on one Redis", () => {
  it("sends one token request for the first contact and at most one per lockout window across the fleet, and exactly one probe after each window", async () => {
    await lockAda(tenant);
    const start = tenant.clock.now();
    let probes = 0;
    // Distinct calls (4 scope sets) in one process; identical calls share one.
    const sharedCall = CALLS_PER_WORKER / SCOPE_SETS.length;

    // First contact: all 8 processes call at the same instant, nothing recorded yet. One
    // call in the fleet takes the first-contact lease and sends; the other 31 distinct calls
    // (4 per process) wait for its answer, read the lockout it recorded, and are suppressed
    // (a process that starts its calls late, on a busy machine, finds the lockout recorded
    // already and refuses them without waiting; the holder's own process always waits).
    const first = await fleetWave(start);
    expect(first.requests, "token requests for the fleet's first contact").toBe(1);
    expect(first.firstContacts).toBe(1);
    expect(first.contactWaits).toBeGreaterThanOrEqual(SCOPE_SETS.length - 1);
    expect(first.contactWaits).toBeLessThanOrEqual(WORKERS * SCOPE_SETS.length - 1);
    expect(first.outcomes).toEqual({ account_locked: sharedCall, "account_locked/suppressed": WORKERS * CALLS_PER_WORKER - sharedCall });
    expect(first.foreign).toEqual([]);
    expect(first.storeErrors).toBe(0);
    expect(first.probes).toBe(0);

    // Windows of 60 s, 120 s, 240 s: the guard's, escalating while the simulator keeps
    // answering 50053 to each probe.
    let windowStart = start;
    for (const windowMs of [60_000, 120_000, 240_000]) {
      const windowEnd = windowStart + windowMs;
      for (const at of [windowStart + 1, windowStart + windowMs / 2, windowEnd - 1]) {
        const wave = await fleetWave(at);
        expect(wave.requests, `requests at +${at - start} ms`).toBe(0);
        expect(wave.outcomes).toEqual({ "account_locked/suppressed": WORKERS * CALLS_PER_WORKER });
      }
      // The window has ended: 800 calls from 8 processes, one probe among them.
      const probeWave = await fleetWave(windowEnd);
      expect(probeWave.requests, `requests at the end of the ${windowMs} ms window`).toBe(1);
      expect(probeWave.probes - probes).toBe(1);
      probes = probeWave.probes;
      // The probe, answered 50053 by the simulator, shared by the identical calls of its
      // process (single flight); every other call was refused without a request.
      expect(probeWave.outcomes).toEqual({ account_locked: sharedCall, "account_locked/suppressed": WORKERS * CALLS_PER_WORKER - sharedCall });
      expect(probeWave.foreign).toEqual([]);
      expect(probeWave.storeErrors).toBe(0);
      windowStart = windowEnd;
    }

    // The account is unlocked; after the 480 s window, again exactly one probe, which
    // succeeds and releases the fleet.
    tenant.sim.unlock(USERS.ada);
    const releaseWave = await fleetWave(windowStart + 480_000);
    expect(releaseWave.probes - probes).toBe(1);
    expect(releaseWave.outcomes.account_locked).toBeUndefined();
    expect(releaseWave.outcomes.ok).toBeGreaterThanOrEqual(1);
    expect(Object.keys(releaseWave.outcomes).every((o) => o === "ok" || o === "account_locked/suppressed")).toBe(true);
    const after = await fleetWave(windowStart + 480_001);
    expect(after.outcomes).toEqual({ ok: WORKERS * CALLS_PER_WORKER });
    expect(after.probes).toBe(releaseWave.probes);
    // The successful probe marked the first contact made: nobody waits for another one.
    expect(after.firstContacts).toBe(releaseWave.firstContacts);
    expect(after.contactWaits).toBe(releaseWave.contactWaits);

    // Across the whole run, the simulator saw no locked answer besides one per window.
    const locked = tenant.sim.requests.filter((r) => r.endpoint === "token" && r.codes.includes(50053)).length;
    expect(locked).toBe(4);
  }, 40_000);
});
