// A daemon restarted by its supervisor keeps its suppression: the guard's state lives in
// a FileStore, and a new process (new app, new guard, new store instance) reads it back.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PublicClientApplication } from "@azure/msal-node";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { isMsalGuardError, type MsalGuardError } from "../../src/index.js";
import { FileStore, guardClient } from "../../src/node/index.js";
import { processTable } from "../../src/node/stores/file-lock.js";
import { CLIENTS, PASSWORD, USERS, quietLogger, slowWrites, startTenant, type Tenant } from "../e2e/fixtures.js";
import { simulatedGuardClock } from "./sim-clock.js";

let tenant: Tenant;
let dir: string;
beforeAll(async () => {
  tenant = await startTenant({ loopDetection: false, lockout: { durationMs: 10 * 60_000 } });
});
afterAll(() => tenant.sim.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "msal-guard-restart-"));
  for (const user of Object.values(USERS)) tenant.sim.unlock(user);
  tenant.sim.clearFaults();
  tenant.sim.resetLog();
  return () => rm(dir, { recursive: true, force: true });
});

/** One "process": a fresh msal-node app, guard and FileStore instance on the same file (its writes slowed by `slowWritesMs`). */
function startProcess(slowWritesMs = 0) {
  const clock = simulatedGuardClock(tenant.clock);
  const app = new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
  const store = new FileStore({ path: join(dir, "state.json"), clock });
  return guardClient(app, { store: slowWritesMs > 0 ? slowWrites(store, slowWritesMs) : store, clock });
}

async function rejection(call: Promise<unknown>): Promise<MsalGuardError> {
  try {
    await call;
  } catch (error) {
    if (isMsalGuardError(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

const stale = { scopes: ["User.Read"], username: USERS.ada, password: "stale-password" };

it("a rejected credential stays latched across a restart, without the password on disk", async () => {
  const first = startProcess();
  expect((await rejection(first.acquireTokenByUsernamePassword(stale))).suppressed).toBe(false);

  const afterRestart = startProcess();
  const error = await rejection(afterRestart.acquireTokenByUsernamePassword(stale));
  expect(error).toMatchObject({ kind: "invalid_credentials", suppressed: true });
  expect(tenant.sim.counts().total).toBe(1);

  const onDisk = await readFile(join(dir, "state.json"), "utf8");
  expect(onDisk).not.toContain("stale-password");
  expect(onDisk).not.toContain(USERS.ada);
  expect(onDisk).not.toContain("contoso");
});

it("two processes rejecting two stale passwords at the same moment both keep their latch", async () => {
  // Each reads the record before the other's write lands (writes slowed by 150 ms). A sign-in
  // first, so that neither call waits for the other as the user's first contact.
  const [a, b] = [startProcess(150), startProcess(150)];
  await a.acquireTokenByUsernamePassword({ ...stale, password: PASSWORD });
  tenant.sim.resetLog();
  const [first, second] = await Promise.all([
    rejection(a.acquireTokenByUsernamePassword({ ...stale, password: "stale-1" })),
    rejection(b.acquireTokenByUsernamePassword({ ...stale, password: "stale-2" })),
  ]);
  expect([first.suppressed, second.suppressed]).toEqual([false, false]);
  const c = startProcess();
  for (const password of ["stale-1", "stale-2"]) {
    expect(await rejection(c.acquireTokenByUsernamePassword({ ...stale, password }))).toMatchObject({ kind: "invalid_credentials", suppressed: true });
  }
  expect(tenant.sim.counts().total).toBe(2);
});

it("a lockout window stays in force across a restart", async () => {
  tenant.sim.flagAddress("127.0.0.1");
  try {
    const first = startProcess();
    expect(await rejection(first.acquireTokenByUsernamePassword({ ...stale, password: PASSWORD }))).toMatchObject({ kind: "account_locked", suppressed: false });
    tenant.clock.advance(30_000);
    const afterRestart = startProcess();
    expect(await rejection(afterRestart.acquireTokenByUsernamePassword({ ...stale, password: PASSWORD }))).toMatchObject({
      kind: "account_locked",
      suppressed: true,
      retryAfterMs: 30_000,
    });
    expect(tenant.sim.counts().total).toBe(1);
  } finally {
    tenant.sim.unflagAddress("127.0.0.1");
  }
});

it("a corrupt state file means a clean start, never a crash", async () => {
  const { writeFile } = await import("node:fs/promises");
  await writeFile(join(dir, "state.json"), "{ not json");
  const client = startProcess();
  const result = await client.acquireTokenByUsernamePassword({ ...stale, password: PASSWORD });
  expect(result?.accessToken).toBeTruthy();
});

it("after a restart, status() lists what the previous process recorded and reset() clears it", async () => {
  const first = startProcess();
  await rejection(first.acquireTokenByUsernamePassword(stale));
  const second = startProcess();
  const { suppressions } = await second.status();
  expect(suppressions).toEqual([expect.objectContaining({ scope: "credential", kind: "invalid_credentials", user: undefined, identity: expect.stringMatching(/^[0-9a-f]{32}$/) })]);
  await second.reset();
  expect((await startProcess().status()).suppressions).toEqual([]);
  expect((await rejection(second.acquireTokenByUsernamePassword(stale))).suppressed).toBe(false); // the latch is gone: sent again
});

it("an operator's reset of one kind, at the same moment as another process learns a lockout, keeps the lockout and drops the latch", async () => {
  // The operator's process reads ada's record, and its write lands 150 ms later; meanwhile
  // the other process reads the same record for its lockout. Without the record lock, the
  // later write wins: the latch comes back or the lockout is lost.
  await rejection(startProcess().acquireTokenByUsernamePassword(stale));
  const [worker, operator] = [startProcess(150), startProcess(150)];
  const { clientId, authority } = tenant.sim.msalNodeAuth(CLIENTS.publicApp);
  tenant.sim.flagAddress("127.0.0.1");
  try {
    const [locked] = await Promise.all([
      rejection(worker.acquireTokenByUsernamePassword({ ...stale, password: PASSWORD })),
      operator.reset({ clientId, authority, user: USERS.ada, kind: "invalid_credentials" }),
    ]);
    expect(locked).toMatchObject({ kind: "account_locked", suppressed: false });
  } finally {
    tenant.sim.unflagAddress("127.0.0.1");
  }
  const { suppressions } = await startProcess().status();
  expect(suppressions.map((entry) => entry.scope)).toEqual(["identity"]);
});

it("while the file can't be used, a stale password is still sent once, not on every call", async () => {
  // Every store operation fails (the state file's parent is a file), so the store's secret is
  // out of reach too: the latch lives in memory, under a key that must last the outage.
  await writeFile(join(dir, "not-a-directory"), "");
  const storeErrors: string[] = [];
  const clock = simulatedGuardClock(tenant.clock);
  const app = new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
  const client = guardClient(app, {
    store: new FileStore({ path: join(dir, "not-a-directory", "state.json"), clock }),
    clock,
    onEvent: (event) => void (event.type === "store_error" && storeErrors.push(event.operation)),
  });
  const outcomes = [];
  for (let i = 0; i < 5; i++) {
    outcomes.push((await rejection(client.acquireTokenByUsernamePassword(stale))).suppressed);
    tenant.clock.advance(5 * 60_000);
  }
  expect(storeErrors).toContain("secret");
  expect(outcomes).toEqual([false, true, true, true, true]);
  expect(tenant.sim.counts().total).toBe(1);
});

it("after a crash that left its lock file, the restarted daemon's first call is recorded at once: its holder is gone", async () => {
  // A process that took the lock as FileStore does, killed while holding it (OOM, SIGKILL).
  const lock = join(dir, "state.json.lock");
  const holder = JSON.stringify({ ...processTable(), token: "t", acquiredAt: Date.now() });
  const child = spawn(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(lock)}, JSON.stringify({ pid: process.pid, ...${holder} }), { flag: "wx" }); setInterval(() => {}, 1000);`]);
  await vi.waitFor(() => expect(existsSync(lock)).toBe(true));
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));

  // The supervisor restarts it, again and again, well within lockStaleMs (10 s).
  for (let run = 0; run < 3; run++) expect((await rejection(startProcess().acquireTokenByUsernamePassword(stale))).kind).toBe("invalid_credentials");
  expect(tenant.sim.counts().total).toBe(1);
});

it("a fresh lock naming a pid this host's process table doesn't have, from another process table (a container sharing the host name), is waited for", async () => {
  const gone = spawnSync(process.execPath, ["-e", "0"]).pid as number;
  const path = join(dir, "state.json");
  const lock = `${path}.lock`;
  for (const other of [{ host: processTable().host }, { host: processTable().host, pids: "pid:[1] another-boot" }]) {
    await writeFile(lock, JSON.stringify({ pid: gone, ...other, token: "t", acquiredAt: Date.now() }));
    await expect(new FileStore({ path, lockTimeoutMs: 200 }).set("k", "v", 60_000)).rejects.toMatchObject({ kind: "lock_timeout" });
  }
});
