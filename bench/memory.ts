/**
 * Memory: suppression state for 100,000 identities in the memory store, measured as the
 * growth of `process.memoryUsage().heapUsed` after `global.gc()`, in a child process of
 * its own (`node --expose-gc`), so nothing else in the run is on the heap.
 *
 * Two figures:
 * - engine: a suppression engine with its default `MemoryStore`, after 100,000 calls for
 *   100,000 different users, each answered by an msal-node `ServerError` for AADSTS50053,
 *   so each identity holds a lockout record. Everything the engine keeps counts (records,
 *   its bounded key memo, known-identity list, last errors); 1,000 of the identities are
 *   then checked to be suppressed without a request, so the records really are held.
 * - store only: a `MemoryStore` holding 100,000 identity records as the engine writes them
 *   (the record string is captured from a real engine and varied per identity).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as msal from "@azure/msal-node";
import { MemoryStore, createSuppressionEngine, type GuardStore } from "msal-guard";
import { result, type BenchResult } from "./report.js";

const AUTHORITY = "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const CLIENT_ID = "0b1ee7a1-5e57-4c1a-9d6e-000000000001";
const SCOPES = ["https://graph.microsoft.com/User.Read"];
const MB = 1024 * 1024;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("bench/memory.ts needs node --expose-gc");
  for (let i = 0; i < 3; i++) collect();
}

function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** An msal-node ServerError for a locked account, built as msal-node builds it. */
function lockedError(user: number): Error {
  const correlationId = `00000000-0000-4000-8000-${user.toString(16).padStart(12, "0")}`;
  const message = `AADSTS50053: The account is locked, you've tried to sign in too many times with an incorrect user ID or password. Trace ID: ${correlationId} Correlation ID: ${correlationId} Timestamp: 2026-01-01 00:00:00Z`;
  const error = new msal.ServerError("invalid_grant", correlationId, message, undefined, "50053", 400);
  return error;
}

async function engineState(identities: number): Promise<{ bytes: number; checked: number; suppressed: number }> {
  // Time stands still: every lockout window is still open when the records are checked.
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, sleep: async (ms: number) => void (now += ms), random: Math.random };
  const before = heapUsed();
  const engine = createSuppressionEngine({ clock });
  const call = (user: number, send: () => Promise<unknown>) =>
    engine.execute({ method: "acquireTokenByUsernamePassword", identity: { authority: AUTHORITY, clientId: CLIENT_ID, user: `user${user}@contoso.test` }, scopes: SCOPES, silent: false, send });
  for (let user = 0; user < identities; user++) {
    await call(user, () => Promise.reject(lockedError(user))).catch(() => undefined);
  }
  const bytes = heapUsed() - before;
  // The records are really there: a call for any of them is refused without a request.
  let sent = 0;
  const checked = 1_000;
  for (let i = 0; i < checked; i++) {
    const user = Math.floor((i * identities) / checked);
    await call(user, async () => {
      sent++;
      return { accessToken: "x" };
    }).catch(() => undefined);
  }
  if (engine === undefined) throw new Error("unreachable"); // keep the engine alive across the measurement
  return { bytes, checked, suppressed: checked - sent };
}

/** The identity record string a real engine writes for one lockout. */
async function capturedRecord(): Promise<{ key: string; value: string; ttlMs: number }> {
  const writes: { key: string; value: string; ttlMs: number }[] = [];
  const inner = new MemoryStore();
  const recording: GuardStore = {
    get: (key) => inner.get(key),
    set: async (key, value, ttlMs) => {
      writes.push({ key, value, ttlMs });
      await inner.set(key, value, ttlMs);
    },
    delete: (key) => inner.delete(key),
    acquireLease: (key, holder, ttlMs) => inner.acquireLease(key, holder, ttlMs),
    releaseLease: (key, holder) => inner.releaseLease(key, holder),
  };
  const engine = createSuppressionEngine({ store: recording });
  await engine
    .execute({ method: "acquireTokenByUsernamePassword", identity: { authority: AUTHORITY, clientId: CLIENT_ID, user: "user@contoso.test" }, scopes: SCOPES, silent: false, send: () => Promise.reject(lockedError(0)) })
    .catch(() => undefined);
  const record = writes.find((w) => w.key.startsWith("i:"));
  if (record === undefined) throw new Error("bench: the engine wrote no identity record");
  return record;
}

async function storeOnly(identities: number): Promise<{ bytes: number; size: number }> {
  const template = await capturedRecord();
  const parsed = JSON.parse(template.value) as { lockout: { since: number; until: number } };
  const keys = Array.from({ length: identities }, (_, i) => `i:${createHash("sha256").update(`user${i}`).digest("hex").slice(0, 32)}`);
  const before = heapUsed();
  const store = new MemoryStore();
  for (let i = 0; i < identities; i++) {
    const value = JSON.stringify({ ...parsed, lockout: { ...parsed.lockout, since: parsed.lockout.since + i, until: parsed.lockout.until + i } });
    store.setSync(keys[i] as string, value, template.ttlMs);
  }
  // Keys are made before the baseline (they are the identities' own); the store keeps references to them.
  const bytes = heapUsed() - before;
  return { bytes, size: store.size };
}

// ---------------------------------------------------------------- parent

type Measurement = { readonly bytes: number; readonly checked?: number; readonly suppressed?: number; readonly size?: number };

/** One measurement in a fresh process: nothing from an earlier run can be freed (or kept) during it. */
function runChild(mode: "engine" | "store", identities: number): Promise<Measurement> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--expose-gc", "--import", "tsx", self, "--child", mode, String(identities)], {
      cwd: fileURLToPath(new URL("../", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    proc.once("exit", (code) => {
      if (code !== 0) reject(new Error(`bench/memory.ts child exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Measurement);
    });
  });
}

/** Runs the jobs two at a time (the machine has two cores; heap figures do not depend on CPU time). */
async function twoAtATime<T>(jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await (jobs[index] as () => Promise<T>)();
    }
  };
  await Promise.all([lane(), lane()]);
  return results;
}

export async function benchMemory(options: { readonly quick: boolean; readonly progress: (line: string) => void }): Promise<BenchResult[]> {
  const identities = 100_000;
  const runs = options.quick ? 1 : 3;
  options.progress(`memory: ${identities.toLocaleString("en-US")} locked identities, heap growth after gc, ${runs} engine and ${runs} store runs, each in a fresh process (--expose-gc)`);
  const measured = await twoAtATime([...Array.from({ length: runs }, () => () => runChild("engine", identities)), ...Array.from({ length: runs }, () => () => runChild("store", identities))]);
  const engine = measured.slice(0, runs);
  const store = measured.slice(runs);
  for (const run of engine) {
    if (run.suppressed !== run.checked) throw new Error(`bench: only ${run.suppressed} of ${run.checked} sampled identities were still suppressed`);
  }
  for (const run of store) if (run.size !== identities) throw new Error(`bench: the store held ${run.size} records, not ${identities}`);
  const name = "memory";
  const engineMb = engine.map((r) => r.bytes / MB);
  const storeMb = store.map((r) => r.bytes / MB);
  const engineMedian = result(name, "", "", engineMb).median;
  return [
    result(name, `engine + default MemoryStore, ${identities.toLocaleString("en-US")} locked identities (all its state)`, "MB", engineMb, "< 50 MB", engineMedian < 50),
    result(name, "  of which the MemoryStore's records alone", "MB", storeMb),
    result(name, "per identity (engine, all state)", "bytes", engine.map((r) => r.bytes / identities)),
  ];
}

if (process.argv[2] === "--child") {
  const mode = process.argv[3];
  const identities = Number(process.argv[4]);
  const measurement = mode === "engine" ? await engineState(identities) : await storeOnly(identities);
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}
