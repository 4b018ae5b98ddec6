// Redis frozen, then killed, in the middle of 1,000 real token calls through one guard:
// every call settles within its bound, none fails for a store reason, and once Redis is
// back the guard shares state with other processes again.
import { ConfidentialClientApplication, PublicClientApplication } from "@azure/msal-node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMsalGuardError, type GuardEvent } from "../../src/index.js";
import { guardClient } from "../../src/node/index.js";
import { RedisStore, type RedisStoreEvent } from "../../src/redis/index.js";
import { CLIENTS, PASSWORD, SECRET, USERS, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";
import { simulatedGuardClock } from "../node/sim-clock.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { USER_READ, lockAda, rejection, tokenRequests } from "./support.js";

const CALLS = 1_000;
const CONCURRENCY = 10;
// Generous enough that a busy CI machine never trips it while Redis is healthy.
const STORE_TIMEOUT_MS = 1_000;
/** Store operations one call may wait on in turn: read; on failure, read again and write. */
const STORE_WAITS_PER_CALL = 3;
const GRAPH = ["https://graph.microsoft.com/.default"];

let tenant: Tenant;
let server: RedisServer;
beforeAll(async () => {
  [tenant, server] = await Promise.all([startTenant({ loopDetection: false }), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([tenant.sim.close(), server.stop()]);
});

const app = (secret: string) => new ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.daemon, { clientSecret: secret }), system: quietLogger });

describe("Redis down in the middle of a run", () => {
  it("1,000 calls: all settle in time, none rejects for a store reason, and sharing resumes after the restart", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const clock = simulatedGuardClock(tenant.clock);
    const storeEvents: RedisStoreEvent[] = [];
    const store = new RedisStore({ url: server.url, clock, commandTimeoutMs: 800, reconnectMaxDelayMs: 100, onEvent: (e) => storeEvents.push(e) });
    const events: (GuardEvent & { at: number })[] = [];
    const options = { clock, store, storeTimeoutMs: STORE_TIMEOUT_MS, onEvent: (e: GuardEvent) => events.push({ ...e, at: Date.now() }) };
    // Two apps: one whose token calls succeed (each one sent: skipCache), one whose secret
    // Entra rejects (sent once, then suppressed by its latch).
    const good = guardClient(app(SECRET), options);
    const stale = guardClient(app("stale-secret"), options);
    await store.ready();

    const outcomes: { i: number; ms: number; outcome: string }[] = [];
    let next = 0;
    let freezeAt = 0;
    let killedAt = 0;
    let restartedAt = 0;
    async function lane(): Promise<void> {
      for (let i = next++; i < CALLS; i = next++) {
        if (i === 150) {
          server.pause(); // slow: connections open, nothing answered
          freezeAt = Date.now();
        }
        if (i === 170) server.resume();
        if (i === 300) {
          await server.kill(); // down: connection refused
          killedAt = Date.now();
        }
        if (i === 700) {
          await server.restart(); // back, empty
          restartedAt = Date.now();
        }
        const started = Date.now();
        const client = i % 4 === 3 ? stale : good;
        let outcome: string;
        try {
          const result = await client.acquireTokenByClientCredential({ scopes: GRAPH, skipCache: true });
          outcome = result?.accessToken ? "ok" : "empty";
        } catch (error) {
          outcome = isMsalGuardError(error) ? `${error.kind}${error.suppressed ? "/suppressed" : ""}` : `foreign: ${String(error)}`;
        }
        outcomes.push({ i, ms: Date.now() - started, outcome });
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));

    // Every call settled, as a success or as the server's (or the latch's) answer.
    expect(outcomes).toHaveLength(CALLS);
    const kinds = new Set(outcomes.map((o) => o.outcome));
    expect([...kinds].sort()).toEqual(["client_misconfigured", "client_misconfigured/suppressed", "ok"]);
    expect(outcomes.filter((o) => o.outcome === "ok")).toHaveLength((CALLS * 3) / 4);
    // Each within its bound: the store waits it may make, each cut at storeTimeoutMs, plus the request.
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    expect(slowest).toBeLessThan(STORE_WAITS_PER_CALL * STORE_TIMEOUT_MS + 500);
    // While Redis was down (not frozen), calls didn't wait for it at all.
    const whileDown = outcomes.filter((o) => o.i >= 310 && o.i < 700).map((o) => o.ms);
    expect(whileDown.length).toBeGreaterThan(300);
    expect(whileDown.reduce((a, b) => a + b, 0) / whileDown.length).toBeLessThan(STORE_TIMEOUT_MS / 10);

    // The guard said what happened: store errors only while Redis was frozen or down.
    const storeErrors = events.filter((e) => e.type === "store_error");
    expect(storeErrors.length).toBeGreaterThan(0);
    expect(storeErrors.every((e) => e.at >= freezeAt)).toBe(true);
    expect(killedAt).toBeGreaterThan(0);
    expect(restartedAt).toBeGreaterThan(killedAt);
    // The stale secret went out once at the start (calls that joined it share its answer)
    // and was suppressed from local memory all through the outage. After the restart it may
    // go out once more, if the guard reconnected before the run ended: an empty Redis had
    // forgotten it (Redis persistence avoids that).
    const staleSent = tenant.sim.requests.filter((r) => r.codes.includes(7000215)).length;
    expect(staleSent).toBeGreaterThanOrEqual(1);
    expect(staleSent).toBeLessThanOrEqual(2);
    expect(outcomes.filter((o) => o.outcome === "client_misconfigured").every((o) => o.i < 300 || o.i >= 700)).toBe(true);

    // Sharing resumes: state written after the restart by one process is seen by another,
    // both ways, and the fleet's fingerprint secret was put back on reconnection.
    await store.ready();
    expect(storeEvents.filter((e) => e.type === "store_connection").map((e) => (e.type === "store_connection" ? e.state : ""))).toEqual(["up", "down", "up"]);
    const raw = new Redis(server.url);
    try {
      await expect.poll(() => raw.exists("msal-guard:secret")).toBe(1);
      const other = new RedisStore({ url: server.url, clock });
      try {
        const before = tokenRequests(tenant);
        const here = guardClient(app("rotated-away-1"), { clock, store, storeTimeoutMs: STORE_TIMEOUT_MS });
        const there = guardClient(app("rotated-away-1"), { clock, store: other });
        expect(await rejection(here.acquireTokenByClientCredential({ scopes: GRAPH, skipCache: true }))).toMatchObject({ suppressed: false });
        expect(await rejection(there.acquireTokenByClientCredential({ scopes: GRAPH, skipCache: true }))).toMatchObject({ suppressed: true });
        const back = guardClient(app("rotated-away-2"), { clock, store, storeTimeoutMs: STORE_TIMEOUT_MS });
        const forth = guardClient(app("rotated-away-2"), { clock, store: other });
        expect(await rejection(forth.acquireTokenByClientCredential({ scopes: GRAPH, skipCache: true }))).toMatchObject({ suppressed: false });
        expect(await rejection(back.acquireTokenByClientCredential({ scopes: GRAPH, skipCache: true }))).toMatchObject({ suppressed: true });
        expect(tokenRequests(tenant) - before).toBe(2);
      } finally {
        await other.close();
      }
    } finally {
      await raw.quit();
      await store.close();
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
  }, 40_000);
});

describe("what a replica learns while Redis is down", () => {
  it("is not forgotten when Redis answers again: it is written there, and the other replicas suppress too", async () => {
    const clock = simulatedGuardClock(tenant.clock);
    const publicApp = () => new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
    const store = new RedisStore({ url: server.url, clock, commandTimeoutMs: 300, reconnectMaxDelayMs: 50 });
    const other = new RedisStore({ url: server.url, clock, commandTimeoutMs: 300, reconnectMaxDelayMs: 50 });
    try {
      await Promise.all([store.ready(), other.ready()]);
      const here = guardClient(publicApp(), { clock, store, storeTimeoutMs: 500 });
      const there = guardClient(publicApp(), { clock, store: other, storeTimeoutMs: 500 });
      await lockAda(tenant);
      const signIn = (client: typeof here) => rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));

      await server.kill();
      expect(await signIn(here)).toMatchObject({ kind: "account_locked", suppressed: false });
      await server.restart();
      await Promise.all([store.ready(), other.ready()]);

      // Still inside the lockout window: nobody sends, though Redis never heard of it before now.
      expect(await signIn(here)).toMatchObject({ kind: "account_locked", suppressed: true });
      expect(await signIn(there)).toMatchObject({ kind: "account_locked", suppressed: true });
      expect(tokenRequests(tenant)).toBe(1);
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  }, 20_000);
});

describe("a frozen Redis", () => {
  it("is waited for once, then left alone for a while: the calls after the first don't wait for each store operation in turn", async () => {
    tenant.sim.unlock(USERS.ada);
    tenant.sim.resetLog();
    const clock = simulatedGuardClock(tenant.clock);
    const store = new RedisStore({ url: server.url, clock, commandTimeoutMs: 5_000, reconnectMaxDelayMs: 50 });
    const events: GuardEvent[] = [];
    try {
      await store.ready();
      const client = guardClient(new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger }), {
        clock,
        store,
        storeTimeoutMs: 200,
        onEvent: (e) => events.push(e),
      });
      const signIn = () => client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
      server.pause();
      try {
        await signIn();
        const afterFirst = events.filter((e) => e.type === "store_error").length;
        expect(afterFirst).toBeGreaterThan(0);
        for (let i = 0; i < 4; i++) await signIn();
        // Without the pause each call waited out every store operation (read, lease, contact mark, release ...).
        expect(events.filter((e) => e.type === "store_error").length).toBe(afterFirst);
      } finally {
        server.resume();
      }
      expect(tokenRequests(tenant)).toBe(5);
    } finally {
      await store.close();
    }
  }, 20_000);
});
