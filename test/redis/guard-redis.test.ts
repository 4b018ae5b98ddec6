// guardClient on RedisStore with real msal-node against the simulator, on simulated time:
// state is shared, nothing readable is stored, and values written by hand are ignored or
// capped at the policy's maximum.
import { ConfidentialClientApplication, PublicClientApplication } from "@azure/msal-node";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createSuppressionEngine, type GuardClock, type GuardEvent, type GuardStore } from "../../src/index.js";
import { guardClient, type GuardClientOptions } from "../../src/node/index.js";
import { RedisStore, type RedisStoreEvent } from "../../src/redis/index.js";
import { CLIENTS, PASSWORD, SECRET, USERS, quietLogger, slowWrites, startTenant, type Tenant } from "../e2e/fixtures.js";
import { simulatedGuardClock } from "../node/sim-clock.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { MINUTE, USER_READ, lockAda, redisCli, rejection, tokenRequests } from "./support.js";

const YEAR = 365 * 24 * 60 * MINUTE;

let tenant: Tenant;
let server: RedisServer;
let rawClient: Redis;
beforeAll(async () => {
  [tenant, server] = await Promise.all([startTenant({ loopDetection: false, lockout: { durationMs: 10 * MINUTE } }), startRedisServer()]);
  rawClient = new Redis(server.url);
});
afterAll(async () => {
  await rawClient.quit();
  await Promise.all([tenant.sim.close(), server.stop()]);
});
beforeEach(async () => {
  const { sim } = tenant;
  sim.clearFaults();
  for (const user of Object.values(USERS)) {
    sim.unlock(user);
    sim.updateUser(user, { password: PASSWORD });
  }
  sim.resetLog();
  tenant.clock.advance(24 * 60 * MINUTE);
  await rawClient.flushall();
});

const stores: RedisStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/**
 * A guard as another process would have it: its own connection, its own local memory.
 * Connected before use, with timeouts a busy CI machine never trips: these tests are
 * about what is shared (outage.test.ts is about timeouts).
 */
async function guard<App extends PublicClientApplication | ConfidentialClientApplication>(
  app: App,
  options: { storeEvents?: RedisStoreEvent[]; events?: GuardEvent[]; subscriberLingerMs?: number } & GuardClientOptions = {},
) {
  const clock = simulatedGuardClock(tenant.clock);
  const { storeEvents, events, subscriberLingerMs, ...rest } = options;
  const store = new RedisStore({
    url: server.url,
    clock,
    commandTimeoutMs: 5_000,
    ...(subscriberLingerMs === undefined ? {} : { subscriberLingerMs }),
    ...(storeEvents ? { onEvent: (e: RedisStoreEvent) => storeEvents.push(e) } : {}),
  });
  stores.push(store);
  await store.ready();
  const client = guardClient(app, { clock, store, storeTimeoutMs: 5_000, ...(events ? { onEvent: (e: GuardEvent) => events.push(e) } : {}), ...rest });
  return { client, store };
}
const publicApp = () => new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
const daemonApp = (secret = SECRET) => new ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.daemon, { clientSecret: secret }), system: quietLogger });
const ropc = (client: Awaited<ReturnType<typeof guard<PublicClientApplication>>>["client"], password = PASSWORD, scopes = USER_READ) =>
  client.acquireTokenByUsernamePassword({ scopes, username: USERS.ada, password });

async function onlyKey(pattern: string): Promise<string> {
  const keys = await rawClient.keys(pattern);
  expect(keys).toHaveLength(1);
  return keys[0] as string;
}

describe("one decision for every guard on the Redis", () => {
  it("a lockout seen by one process suppresses the others without a request", async () => {
    await lockAda(tenant);
    const a = await guard(publicApp());
    const b = await guard(publicApp());
    expect(await rejection(ropc(a.client))).toMatchObject({ kind: "account_locked", suppressed: false });
    expect(await rejection(ropc(b.client))).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(tokenRequests(tenant)).toBe(1);
  });

  it("a credential rejected in one process is not sent by another (shared fingerprint secret)", async () => {
    const a = await guard(daemonApp("wrong-secret"));
    const b = await guard(daemonApp("wrong-secret"));
    expect(await rejection(a.client.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true }))).toMatchObject({ suppressed: false });
    expect(await rejection(b.client.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true }))).toMatchObject({
      kind: "client_misconfigured",
      suppressed: true,
    });
    expect(tokenRequests(tenant)).toBe(1);
  });

  it("after Redis lost the secret and another process put its own back first, every process fingerprints with that one (within a minute)", async () => {
    const call = (g: Awaited<ReturnType<typeof guard<ConfidentialClientApplication>>>) => rejection(g.client.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true }));
    const a = await guard(daemonApp("wrong-secret"));
    expect(await call(a)).toMatchObject({ suppressed: false });
    // Redis restarts empty; a process starting now makes the fleet's secret before `a` is back.
    await rawClient.flushall();
    const b = await guard(daemonApp("wrong-secret"));
    expect(await call(b)).toMatchObject({ suppressed: false }); // Redis forgot the latch: sent once more
    // `a` reconnects and puts its secret back: Redis keeps b's, and `a` takes it.
    await rawClient.client("KILL", "TYPE", "normal");
    await vi.waitFor(async () => expect(Buffer.from(await a.store.fingerprintSecret())).toEqual(Buffer.from(await b.store.fingerprintSecret())), { timeout: 5_000 });
    tenant.clock.advance(MINUTE);
    expect(await call(a)).toMatchObject({ kind: "client_misconfigured", suppressed: true });
    expect(tokenRequests(tenant)).toBe(2);
  });

  it("after the secret expired in Redis (no reconnection), a process that used the old one takes the new one within a minute", async () => {
    const a = await guard(publicApp());
    expect(await ropc(a.client)).toMatchObject({ accessToken: expect.any(String) }); // a fingerprints with the secret it read
    // 30 days without a write, or evicted under maxmemory: a process starting then makes a new one.
    await rawClient.del("msal-guard:secret");
    const b = await guard(publicApp());
    tenant.sim.resetLog();
    expect(await rejection(ropc(b.client, "stale-password"))).toMatchObject({ kind: "invalid_credentials", suppressed: false });
    tenant.clock.advance(MINUTE);
    expect(await rejection(ropc(a.client, "stale-password"))).toMatchObject({ kind: "invalid_credentials", suppressed: true });
    expect(tokenRequests(tenant)).toBe(1);
    expect(await rawClient.pttl("msal-guard:secret")).toBeGreaterThan(29 * 24 * 60 * MINUTE);
  });

  it("status() in one process lists what another recorded (by key), and reset() there clears it for the whole fleet", async () => {
    await lockAda(tenant);
    const a = await guard(publicApp());
    const b = await guard(publicApp());
    expect(await rejection(ropc(a.client))).toMatchObject({ kind: "account_locked", suppressed: false });
    expect((await b.client.status()).suppressions).toEqual([
      expect.objectContaining({ scope: "identity", kind: "account_locked", user: undefined, clientId: undefined, identity: expect.stringMatching(/^[0-9a-f]{32}$/) }),
    ]);
    await b.client.reset();
    expect(await rawClient.keys("msal-guard:{*}:i")).toEqual([]);
    expect((await a.client.status()).suppressions).toEqual([]);
  });

  it("stores nothing readable: no user, tenant, client id, scope or credential in any key, value or message", async () => {
    const messages: string[] = [];
    const listener = new Redis(server.url);
    await listener.subscribe("msal-guard:events");
    listener.on("message", (_channel: string, message: string) => messages.push(message));
    try {
      const { client } = await guard(publicApp());
      // Messages: a first contact (nothing known yet for that user) announces its marker, if
      // it succeeds, and the return of its lease; every record written announces itself.
      expect((await ropc(client))?.accessToken).toBeTruthy(); // first contact: marker, lease
      await rejection(ropc(client, "stale-password")); // latch
      await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.blocked, password: PASSWORD })); // first contact (lease), Conditional Access block
      tenant.sim.throttle({ retryAfter: 30, times: 1 });
      const daemon = await guard(daemonApp());
      await rejection(daemon.client.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true })); // throttle
      await lockAda(tenant);
      await rejection(ropc(client)); // lockout
      await expect.poll(() => messages.length).toBe(7);

      const keys = await rawClient.keys("*");
      const values = await Promise.all(keys.map((k) => rawClient.get(k)));
      expect(keys.some((k) => k.endsWith(":i"))).toBe(true);
      expect(keys.some((k) => k.endsWith(":c"))).toBe(true);
      expect(keys.some((k) => k.endsWith(":a"))).toBe(true);
      const everything = [...keys, ...values, ...messages].join("\n").toLowerCase();
      const secrets = [
        ...Object.values(USERS),
        "ada@",
        "blocked@",
        "contoso",
        tenant.sim.tenantId,
        "simulator",
        "127.0.0.1",
        ...Object.values(CLIENTS),
        PASSWORD,
        "stale-password",
        SECRET,
        "user.read",
        "graph.microsoft.com",
      ];
      for (const secret of secrets) expect(everything, secret).not.toContain(secret.toLowerCase());
    } finally {
      await listener.quit();
    }
  });
});

describe("a record updated by two calls at the same moment", () => {
  // Two replicas with two stale passwords (a config rollout half done) fail at the same moment,
  // each reading the record before the other's write lands (writes slowed by 150 ms). Without
  // a lock on the record, the last write erased the other's latch.
  it.each([
    ["in two processes", 2],
    ["in one process", 1],
  ])("%s: both stale passwords are latched, and neither is sent again", async (_, processes) => {
    const slow = async () => {
      const { store } = await guard(publicApp());
      return guard(publicApp(), { store: slowWrites(store, 150) });
    };
    const a = await slow();
    const b = processes === 2 ? await slow() : a;
    // A sign-in first, so that neither call waits for the other as the user's first contact.
    await ropc(a.client);
    tenant.sim.resetLog();
    const [first, second] = await Promise.all([rejection(ropc(a.client, "stale-1")), rejection(ropc(b.client, "stale-2"))]);
    expect([first.kind, second.kind]).toEqual(["invalid_credentials", "invalid_credentials"]);
    expect(tokenRequests(tenant)).toBe(2);
    // Any replica now refuses both, without a request: two wrong guesses, not more, count towards a lockout.
    const c = await guard(publicApp());
    expect(await rejection(ropc(c.client, "stale-1"))).toMatchObject({ kind: "invalid_credentials", suppressed: true });
    expect(await rejection(ropc(c.client, "stale-2"))).toMatchObject({ kind: "invalid_credentials", suppressed: true });
    expect(tokenRequests(tenant)).toBe(2);
  });
});

describe("with fingerprintSecret from the app's secret store", () => {
  const FLEET_SECRET = "from-the-secret-manager-0123456789";

  it("keys the identity's records with it: a guessed user name can't be tested against Redis or the events", async () => {
    await lockAda(tenant);
    const events: GuardEvent[] = [];
    const a = await guard(publicApp(), { fingerprintSecret: FLEET_SECRET, events });
    expect(await rejection(ropc(a.client))).toMatchObject({ kind: "account_locked", suppressed: false });
    const keyed = (await a.client.status()).suppressions[0]?.identity;
    // What someone who guesses "ada" (and knows the app) computes: the plain hash, which a
    // guard without the secret uses. Nowhere to be found.
    const plain = await createSuppressionEngine().identityKeyOf({ authority: tenant.sim.msalNodeAuth(CLIENTS.publicApp).authority, clientId: CLIENTS.publicApp, user: USERS.ada });
    const withoutSecret = await guard(publicApp());
    expect(await rejection(ropc(withoutSecret.client))).toMatchObject({ kind: "account_locked" });
    expect((await withoutSecret.client.status()).suppressions.map((entry) => entry.identity)).toContain(plain);
    await rawClient.del(`msal-guard:{${plain}}:i`, `msal-guard:{${plain}}:c`, `msal-guard:{${plain}}:l`);
    expect(keyed).toMatch(/^[0-9a-f]{32}$/);
    expect(keyed).not.toBe(plain);
    const keys = await rawClient.keys("*");
    expect(keys).toContain(`msal-guard:{${keyed}}:i`);
    const everything = [...keys, ...(await Promise.all(keys.map((k) => rawClient.get(k)))), JSON.stringify(events)].join("\n");
    expect(everything).not.toContain(plain);
    expect(events.some((e) => "identity" in e && e.identity === keyed)).toBe(true);
  });

  it("replicas with the same secret share the lockout; one with another secret (or none) keeps its own records", async () => {
    await lockAda(tenant);
    const a = await guard(publicApp(), { fingerprintSecret: FLEET_SECRET });
    const b = await guard(publicApp(), { fingerprintSecret: FLEET_SECRET });
    const other = await guard(publicApp(), { fingerprintSecret: "another-secret-0123456789abcdef" });
    expect(await rejection(ropc(a.client))).toMatchObject({ kind: "account_locked", suppressed: false });
    expect(await rejection(ropc(b.client))).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(tokenRequests(tenant)).toBe(1);
    expect(await rejection(ropc(other.client))).toMatchObject({ kind: "account_locked", suppressed: false });
    expect(tokenRequests(tenant)).toBe(2);
  });
});

describe("values written by hand", () => {
  async function lockedRecordKey(): Promise<string> {
    await lockAda(tenant);
    const { client } = await guard(publicApp());
    await rejection(ropc(client));
    tenant.sim.unlock(USERS.ada);
    tenant.sim.resetLog();
    return onlyKey("msal-guard:*:i");
  }

  it("a lockout 10 years long suppresses for the policy's longest window (30 minutes) from when it was written, then one probe goes", async () => {
    const key = await lockedRecordKey();
    const now = tenant.clock.now();
    await redisCli(server.port, "SET", key, JSON.stringify({ v: 1, lockout: { count: 1, since: now, until: now + 10 * YEAR, codes: [50053] } }), "PX", String(60 * MINUTE));
    const { client } = await guard(publicApp());
    const error = await rejection(ropc(client));
    expect(error).toMatchObject({ kind: "account_locked", suppressed: true, retryAfterMs: 30 * MINUTE, retryAt: now + 30 * MINUTE });
    tenant.clock.advance(30 * MINUTE - 1);
    expect(await rejection(ropc(client))).toMatchObject({ suppressed: true, retryAfterMs: 1 });
    expect(tokenRequests(tenant)).toBe(0);
    tenant.clock.advance(1);
    expect(await ropc(client)).toMatchObject({ accessToken: expect.stringMatching(/^simAT\./) }); // the probe; the account was unlocked
    expect(tokenRequests(tenant)).toBe(1);
  });

  it("a policy's own maximum is the cap (lockout.maxWindowMs 5 minutes)", async () => {
    const key = await lockedRecordKey();
    const now = tenant.clock.now();
    await redisCli(server.port, "SET", key, JSON.stringify({ v: 1, lockout: { count: 999, since: now, until: now + 10 * YEAR, codes: [50053] } }), "PX", String(60 * MINUTE));
    const error = await rejection(ropc((await guard(publicApp(), { lockout: { maxWindowMs: 5 * MINUTE } })).client));
    expect(error.retryAfterMs).toBe(5 * MINUTE);
  });

  it("a lockout dated in the future is ignored, and the call goes out", async () => {
    const key = await lockedRecordKey();
    const now = tenant.clock.now();
    await redisCli(server.port, "SET", key, JSON.stringify({ v: 1, lockout: { count: 1, since: now + 10 * YEAR, until: now + 10 * YEAR + MINUTE, codes: [50053] } }), "PX", String(60 * MINUTE));
    expect(await ropc((await guard(publicApp())).client)).toMatchObject({ accessToken: expect.stringMatching(/^simAT\./) });
  });

  it("a throttle 10 years long is capped at throttle.maxMs (1 hour)", async () => {
    tenant.sim.throttle({ retryAfter: 30, times: 1 });
    await rejection((await guard(daemonApp())).client.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true }));
    const key = await onlyKey("msal-guard:*:a");
    const now = tenant.clock.now();
    await redisCli(server.port, "SET", key, JSON.stringify({ v: 1, throttle: { since: now, until: now + 10 * YEAR, kind: "throttled", codes: [] } }), "PX", String(60 * MINUTE));
    const { client } = await guard(daemonApp());
    const call = () => client.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true });
    expect(await rejection(call())).toMatchObject({ kind: "throttled", suppressed: true, retryAfterMs: 60 * MINUTE });
    tenant.clock.advance(60 * MINUTE);
    expect(await call()).toMatchObject({ accessToken: expect.any(String) });
  });

  const hostile = (now: number) => JSON.stringify({ v: 1, lockout: { count: 1, since: now, until: now + 10 * YEAR, codes: [50053] } });
  it.each([
    ["garbage", (): string[] => ["}{ not json", "PX", String(60 * MINUTE)], "not_json"],
    ["a 10-year lockout that never expires in Redis", (now: number) => [hostile(now)], "no_expiry"],
    ["a 10-year lockout set to expire in 10 years", (now: number) => [hostile(now), "PX", String(10 * YEAR)], "expiry_too_long"],
  ])("%s is ignored with a store_corrupt event, and the call goes out", async (_, value, reason) => {
    const key = await lockedRecordKey();
    await redisCli(server.port, "SET", key, ...value(tenant.clock.now()));
    const storeEvents: RedisStoreEvent[] = [];
    const result = await ropc((await guard(publicApp(), { storeEvents })).client);
    expect(result?.accessToken).toMatch(/^simAT\./);
    expect(tokenRequests(tenant)).toBe(1);
    expect(storeEvents.filter((e) => e.type === "store_corrupt")).toEqual([expect.objectContaining({ reason })]);
  });

  it("a hash where a record should be is ignored; the next write replaces it", async () => {
    const key = await lockedRecordKey();
    await redisCli(server.port, "DEL", key);
    await redisCli(server.port, "HSET", key, "lockout", "forever");
    const storeEvents: RedisStoreEvent[] = [];
    const { client } = await guard(publicApp(), { storeEvents });
    await rejection(ropc(client, "stale-password")); // answered 50126: writes a latch
    expect(storeEvents.filter((e) => e.type === "store_corrupt")).toEqual([expect.objectContaining({ reason: "wrong_type" })]);
    expect(await rawClient.type(key)).toBe("string");
  });
});

describe("the probe across processes", () => {
  it("a process that read the record before another's probe answered does not probe as well", async () => {
    await lockAda(tenant);
    const a = await guard(publicApp());
    await rejection(ropc(a.client));
    tenant.clock.advance(61_000);

    // Process B reads the expired window, decides to probe, and is then descheduled
    // until A's probe has answered (50053: a new window) and A gave the lease back.
    const clock = simulatedGuardClock(tenant.clock);
    const redis = new RedisStore({ url: server.url, clock, commandTimeoutMs: 5_000 });
    stores.push(redis);
    await redis.ready();
    let reachedLease!: () => void;
    const atLease = new Promise<void>((resolve) => (reachedLease = resolve));
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const descheduled: GuardStore = {
      get: (key) => redis.get(key),
      set: (key, value, ttl) => redis.set(key, value, ttl),
      delete: (key) => redis.delete(key),
      acquireLease: async (key, holder, ttl) => {
        reachedLease();
        await resumed;
        return redis.acquireLease(key, holder, ttl);
      },
      releaseLease: (key, holder) => redis.releaseLease(key, holder),
      fingerprintSecret: () => redis.fingerprintSecret(),
    };
    const b = guardClient(publicApp(), { clock, store: descheduled, storeTimeoutMs: 5_000 });
    const late = ropc(b);
    await atLease;
    expect(await rejection(ropc(a.client))).toMatchObject({ kind: "account_locked", suppressed: false });
    resume();
    expect(await rejection(late)).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(tokenRequests(tenant)).toBe(2); // the first lockout, A's probe; none from B
  });
});

describe("waiters", () => {
  it("a call waiting for another process's first contact is woken by the store's announcement, not by its poll", async () => {
    await lockAda(tenant); // locked at the simulator; nothing recorded in Redis yet
    // A subscribes only for the moment it takes the lease; closing at once keeps NUMSUB about B.
    const a = await guard(publicApp(), { subscriberLingerMs: 0 });
    // Process B's clock never ends a sleep by itself: only a wake-up (an announcement) aborts it.
    const sim = simulatedGuardClock(tenant.clock);
    const sleepsForever: GuardClock = {
      now: sim.now,
      random: sim.random,
      sleep: (_ms, signal) => new Promise<void>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true })),
    };
    // A short linger, so the end of B's subscription shows in NUMSUB.
    const bStore = new RedisStore({ url: server.url, clock: sleepsForever, commandTimeoutMs: 5_000, subscriberLingerMs: 50 });
    stores.push(bStore);
    await bStore.ready();
    const bEvents: GuardEvent[] = [];
    const b = guardClient(publicApp(), { clock: sleepsForever, store: bStore, storeTimeoutMs: 5_000, onEvent: (e) => bEvents.push(e) });

    tenant.sim.inject({ delayMs: 1_000, times: 1 }); // A's first contact takes a second to answer
    const first = rejection(ropc(a.client));
    await expect.poll(() => rawClient.keys("msal-guard:*:l")).toHaveLength(1); // A holds the lease
    const waiting = rejection(b.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    // B waits, subscribed for as long as it waits.
    await expect.poll(async () => (await rawClient.pubsub("NUMSUB", "msal-guard:events"))[1]).toBe(1);

    expect(await first).toMatchObject({ kind: "account_locked", suppressed: false });
    expect(await waiting).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(tokenRequests(tenant)).toBe(1);
    expect((await b.status()).counts).toMatchObject({ contactWaits: 1, firstContacts: 0, sent: 0 });
    // The wait is over: B's subscription ends (after its short linger).
    await expect.poll(async () => (await rawClient.pubsub("NUMSUB", "msal-guard:events"))[1]).toBe(0);
  });


  it("a caller refused while another process probes hears the answer through subscribe, long before retryAfterMs", async () => {
    await lockAda(tenant);
    const a = await guard(publicApp());
    const bEvents: GuardEvent[] = [];
    const b = await guard(publicApp(), { events: bEvents });
    await rejection(ropc(a.client));
    tenant.sim.unlock(USERS.ada);
    tenant.clock.advance(61_000);

    const heard: { key: string; at: number }[] = [];
    b.store.subscribe((key) => heard.push({ key, at: Date.now() }));
    await expect.poll(async () => (await rawClient.pubsub("NUMSUB", "msal-guard:events"))[1]).toBe(1);

    tenant.sim.inject({ delayMs: 300, times: 1 });
    const probe = ropc(a.client);
    await expect.poll(() => rawClient.keys("msal-guard:*:l")).toHaveLength(1);
    const refused = await rejection(ropc(b.client));
    const refusedAt = Date.now();
    expect(refused).toMatchObject({ kind: "account_locked", suppressed: true, retryAfterMs: 30_000 });
    const identity = bEvents.flatMap((e) => (e.type === "suppressed" && e.reason === "probe_in_flight" ? [e.identity] : []))[0];
    expect(identity).toMatch(/^[0-9a-f]{32}$/);

    expect(await probe).toMatchObject({ accessToken: expect.stringMatching(/^simAT\./) });
    await expect.poll(() => heard.map((h) => h.key)).toEqual(expect.arrayContaining([`i:${identity}`, `l:${identity}`]));
    expect(Math.max(...heard.map((h) => h.at)) - refusedAt).toBeLessThan(5_000);
    // Told, the waiter tries again at once and gets through.
    expect(await ropc(b.client)).toMatchObject({ accessToken: expect.stringMatching(/^simAT\./) });
    expect(tokenRequests(tenant)).toBe(3);
  });
});
