// RedisStore against a real redis-server: key layout, expiry, the lease, the secret,
// pub/sub, values written by hand, and behaviour while Redis is slow or down.
import { Cluster, Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisStore, isRedisStoreError, type RedisStoreEvent, type RedisStoreOptions } from "../../src/redis/index.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

const HEX = "0123456789abcdef0123456789abcdef";
const RECORD = JSON.stringify({ v: 1, lockout: { count: 1, until: 0, codes: [50053] } });
const DAY = 24 * 60 * 60_000;

/** Stores and raw clients made by a test, closed after it. */
const opened: { close(): Promise<unknown> }[] = [];
/** A store on the shared server; a command timeout a busy CI machine never trips unless a test sets one. */
function store(options: Partial<RedisStoreOptions> & { url?: string } = {}): RedisStore {
  const made = new RedisStore({ url: server.url, commandTimeoutMs: 5_000, ...options } as RedisStoreOptions);
  opened.push(made);
  return made;
}
function raw(url = server.url): Redis {
  const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  opened.push({ close: () => client.quit().catch(() => client.disconnect()) });
  return client;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.stop());

async function failure(call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("options", () => {
  it.each([
    ["no options", undefined, TypeError, /options object/],
    ["neither url nor client", {}, TypeError, /url .* or options\.client .* is required/],
    ["both url and client", { url: "redis://127.0.0.1:1", client: {} }, TypeError, /either options\.url or options\.client, not both/],
    ["a non-redis URL", { url: "http://127.0.0.1:6379" }, TypeError, /redis:\/\/ or rediss:\/\/ URL/],
    ["a node-redis-like client", { client: { sendCommand() {} } }, TypeError, /ioredis Redis or Cluster/],
    ["an empty prefix", { url: "redis://127.0.0.1:1", prefix: "" }, TypeError, /prefix must be a non-empty string/],
    ["a prefix with a brace", { url: "redis://127.0.0.1:1", prefix: "app{1}:" }, TypeError, /hash tags/],
    ["a prefix with a space", { url: "redis://127.0.0.1:1", prefix: "my app:" }, TypeError, /spaces/],
    ["a zero command timeout", { url: "redis://127.0.0.1:1", commandTimeoutMs: 0 }, RangeError, /commandTimeoutMs must be a positive number/],
    ["a NaN connect timeout", { url: "redis://127.0.0.1:1", connectTimeoutMs: Number.NaN }, RangeError, /connectTimeoutMs/],
    ["a fractional value size", { url: "redis://127.0.0.1:1", maxValueBytes: 10.5 }, RangeError, /whole number of bytes/],
    ["a clock without now()", { url: "redis://127.0.0.1:1", clock: {} }, TypeError, /clock must be an object with a now\(\) method/],
    ["a negative subscriber linger", { url: "redis://127.0.0.1:1", subscriberLingerMs: -1 }, RangeError, /subscriberLingerMs must be a number of milliseconds from 0 to 3600000/],
    [
      "an unknown option (a typo)",
      { url: "redis://127.0.0.1:1", keyPrefx: "app:" },
      TypeError,
      /^msal-guard: RedisStore: unknown option "keyPrefx"\. Known options: url, client, prefix, commandTimeoutMs, connectTimeoutMs, reconnectMaxDelayMs, maxValueBytes, subscriberLingerMs, clock, onEvent\.$/,
    ],
  ])("rejects %s with a clear message", (_, options, type, message) => {
    const thrown = (() => {
      try {
        new RedisStore(options as RedisStoreOptions);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(type);
    expect((thrown as Error).message).toMatch(message);
  });

  it("refuses a client made with the offline queue on (ioredis's default), saying what to change", () => {
    // Queued while Redis is down, a command runs when it is back, long after the store gave
    // up on it: a lease taken for nobody, an old record written over a newer one.
    const client = new Redis(server.url, { lazyConnect: true });
    const cluster = new Cluster([{ host: "127.0.0.1", port: server.port }], { lazyConnect: true });
    try {
      expect(() => new RedisStore({ client })).toThrow(TypeError);
      expect(() => new RedisStore({ client })).toThrow(/created with enableOfflineQueue: true .* create it with enableOfflineQueue: false/);
      expect(() => new RedisStore({ client: cluster })).toThrow(/create it with enableOfflineQueue: false/);
      expect(() => new RedisStore({ client: new Redis(server.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 }) })).not.toThrow();
    } finally {
      client.disconnect();
      cluster.disconnect();
    }
  });

  it.each([
    ["ioredis's default (20)", {}, /maxRetriesPerRequest: 20,/],
    ["without end (null)", { maxRetriesPerRequest: null }, /maxRetriesPerRequest: null,/],
    ["one retry", { maxRetriesPerRequest: 1 }, /maxRetriesPerRequest: 1,/],
  ])("refuses a client that sends a command again after a reconnection: %s, saying what to change", (_, retries, message) => {
    const client = new Redis(server.url, { lazyConnect: true, enableOfflineQueue: false, ...retries });
    const cluster = new Cluster([{ host: "127.0.0.1", port: server.port }], { lazyConnect: true, enableOfflineQueue: false, redisOptions: retries });
    try {
      expect(() => new RedisStore({ client })).toThrow(message);
      expect(() => new RedisStore({ client })).toThrow(/create it with maxRetriesPerRequest: 0, e\.g\. new Redis\(url, \{ enableOfflineQueue: false, maxRetriesPerRequest: 0 \}\)/);
      expect(() => new RedisStore({ client: cluster })).toThrow(/\(in redisOptions\).*redisOptions: \{ maxRetriesPerRequest: 0 \}/);
    } finally {
      client.disconnect();
      cluster.disconnect();
    }
  });

  it("why: with retries on, ioredis writes a command cut off by a dropped connection once it reconnects, over a newer value", async () => {
    // A loopback proxy between one client and Redis: it holds the client's bytes, then drops the
    // connection and refuses new ones for a moment (a network partition of that one process).
    let holding = false;
    const links = new Set<import("node:net").Socket>();
    const { createServer, connect } = await import("node:net");
    const proxy = createServer((downstream) => {
      const upstream = connect(server.port, "127.0.0.1");
      links.add(downstream);
      downstream.on("data", (bytes) => holding || upstream.write(bytes));
      upstream.on("data", (bytes) => downstream.write(bytes));
      for (const [a, b] of [[downstream, upstream], [upstream, downstream]] as const) {
        a.on("close", () => b.destroy());
        a.on("error", () => {});
      }
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyPort = (proxy.address() as import("node:net").AddressInfo).port;
    const outcomes: Record<string, string | null> = {};
    try {
      for (const [name, retries] of [["default", 20], ["zero", 0]] as const) {
        const cut = new Redis(proxyPort, "127.0.0.1", { enableOfflineQueue: false, maxRetriesPerRequest: retries, retryStrategy: () => 50 });
        cut.on("error", () => {});
        opened.push({ close: async () => cut.disconnect() });
        await new Promise((resolve) => cut.once("ready", resolve));
        const key = `why-replay-${name}`;
        holding = true;
        const cutOff = cut.set(key, "old record").catch(() => "rejected");
        await new Promise((resolve) => setTimeout(resolve, 50));
        await new Promise((resolve) => {
          proxy.close(resolve);
          for (const link of links) link.destroy();
          links.clear();
        });
        holding = false;
        await raw().set(key, "newer record"); // another process, meanwhile
        await new Promise<void>((resolve) => proxy.listen(proxyPort, "127.0.0.1", resolve));
        await cutOff;
        await new Promise((resolve) => setTimeout(resolve, 200));
        outcomes[name] = await raw().get(key);
      }
    } finally {
      proxy.close();
      await raw().del("why-replay-default", "why-replay-zero");
    }
    expect(outcomes).toEqual({ default: "old record", zero: "newer record" });
  });

  it("never echoes a URL (it may hold a password)", () => {
    expect(() => new RedisStore({ url: "https://:hunter2@cache.internal:6379" })).toThrow(/got a string$/);
  });
});

describe("keys and expiry", () => {
  it("keeps the guard's keys under the prefix with the hash as Cluster hash tag, every one expiring", async () => {
    const s = store({ prefix: "app1:" });
    await s.set(`i:${HEX}`, RECORD, 60_000);
    await s.set(`a:${HEX.replace(/0/g, "f")}`, RECORD, 60_000);
    expect(await s.acquireLease(`l:${HEX}`, "holder-1", 30_000)).toBe(true);
    await s.fingerprintSecret();
    const r = raw();
    expect((await r.keys("*")).sort()).toEqual([`app1:secret`, `app1:{${HEX}}:i`, `app1:{${HEX}}:l`, `app1:{${HEX.replace(/0/g, "f")}}:a`].sort());
    for (const key of await r.keys("*")) expect(await r.pttl(key)).toBeGreaterThan(0);
    expect(await r.pttl(`app1:{${HEX}}:i`)).toBeLessThanOrEqual(60_000);
    expect(await r.get(`app1:{${HEX}}:i`)).toBe(RECORD);
  });

  it.each([
    ["without an expiry", (r: Redis, key: string) => r.set(key, "someone")],
    ["of another Redis type", (r: Redis, key: string) => r.hset(key, "holder", "someone")],
  ])("takes over a lease key no store wrote (%s): it would hold every probe off for good", async (_, plant) => {
    const s = store({ prefix: "lease:" });
    const r = raw();
    await r.del(`lease:{${HEX}}:l`);
    await plant(r, `lease:{${HEX}}:l`);
    expect(await s.acquireLease(`l:${HEX}`, "me", 30_000)).toBe(true);
    expect(await r.pttl(`lease:{${HEX}}:l`)).toBeGreaterThan(0);
    expect(await s.acquireLease(`l:${HEX}`, "another", 30_000)).toBe(false); // a real lease still holds
  });

  it("hashes any other key, so nothing readable reaches Redis", async () => {
    const s = store({ prefix: "app2:" });
    await s.set("ada@contoso.test/User.Read", RECORD, 60_000);
    const keys = await raw().keys("app2:*");
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^app2:\{[0-9a-f]{32}\}:#$/);
    expect(await s.get("ada@contoso.test/User.Read")).toBe(RECORD);
  });

  it("forgets a value after its ttl (Redis's own expiry)", async () => {
    const s = store({ prefix: "app3:" });
    await s.set(`i:${HEX}`, RECORD, 40);
    expect(await s.get(`i:${HEX}`)).toBe(RECORD);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await s.get(`i:${HEX}`)).toBeUndefined();
  });

  it("caps an expiry at 8 days and never writes one of 0", async () => {
    const s = store({ prefix: "app4:" });
    await s.set(`i:${HEX}`, RECORD, 30 * DAY);
    await s.set(`a:${HEX}`, RECORD, 0);
    const r = raw();
    expect(await r.pttl(`app4:{${HEX}}:i`)).toBeLessThanOrEqual(8 * DAY);
    expect(await r.pttl(`app4:{${HEX}}:i`)).toBeGreaterThan(8 * DAY - 60_000);
  });

  it("deletes a key", async () => {
    const s = store({ prefix: "app5:" });
    await s.set(`i:${HEX}`, RECORD, 60_000);
    await s.delete(`i:${HEX}`);
    expect(await s.get(`i:${HEX}`)).toBeUndefined();
    await s.delete(`i:${HEX}`); // absent: fine
  });

  it.each([
    ["a value that is not JSON", "not json", TypeError],
    ["a JSON array", "[1,2]", TypeError],
    ["a value above maxValueBytes", JSON.stringify({ v: 1, pad: "x".repeat(2_000) }), RangeError],
  ])("refuses to store %s", async (_, value, type) => {
    const s = store({ prefix: "app6:", maxValueBytes: 1_000 });
    expect(await failure(() => s.set(`i:${HEX}`, value, 1_000))).toBeInstanceOf(type);
  });
});

describe("listKeys", () => {
  it("lists the guard keys under its own prefix only (a prefix with glob characters too), never leases, up to the limit", async () => {
    const starred = store({ prefix: "app*:" });
    const other = store({ prefix: "appX:" });
    const second = HEX.replace(/0/g, "e");
    await starred.set(`i:${HEX}`, RECORD, 60_000);
    await starred.set(`a:${second}`, RECORD, 60_000);
    await starred.acquireLease(`l:${HEX}`, "holder", 30_000);
    await starred.fingerprintSecret();
    await other.set(`i:${second}`, RECORD, 60_000);
    expect([...(await starred.listKeys(100))].sort()).toEqual([`a:${second}`, `i:${HEX}`]);
    expect(await store({ prefix: "app*:" }).listKeys(100)).toHaveLength(2); // another process sees them
    expect(await starred.listKeys(1)).toHaveLength(1);
    expect(await other.listKeys(100)).toEqual([`i:${second}`]);
  });

  it("lists the keys of a client made with ioredis's keyPrefix (SCAN neither applies nor strips it)", async () => {
    const client = new Redis(server.url, { keyPrefix: "tenant-7:", enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    opened.push({ close: () => client.quit().catch(() => client.disconnect()) });
    const s = store({ client, prefix: "kp:", url: undefined });
    await s.set(`i:${HEX}`, RECORD, 60_000);
    await s.acquireLease(`l:${HEX}`, "holder", 30_000);
    // Stored under both prefixes; a store without the keyPrefix (another app on the server) sees nothing of it.
    expect(await raw().exists(`tenant-7:kp:{${HEX}}:i`)).toBe(1);
    expect(await store({ prefix: "kp:" }).listKeys(100)).toEqual([]);
    expect(await s.listKeys(100)).toEqual([`i:${HEX}`]);
    await expect(s.get(`i:${HEX}`)).resolves.toBe(RECORD);
  });

  it("lists each key exactly as given to set, and leaves out expired keys, keys stored hashed and whatever else shares the prefix", async () => {
    const s = store({ prefix: "list1:" });
    const [app, contact, longest] = [HEX.replace(/0/g, "a"), HEX.replace(/0/g, "c"), "f".repeat(128)];
    await s.set(`i:${HEX}`, RECORD, 60_000);
    await s.set(`a:${app}`, RECORD, 60_000);
    await s.set(`c:${contact}`, RECORD, 60_000);
    await s.set(`x:${longest}`, RECORD, 60_000);
    await s.set(`i:${HEX.replace(/0/g, "b")}`, RECORD, 30); // gone before the listing
    await s.set("ada@contoso.test/User.Read", RECORD, 60_000); // stored as a hash: no way back to the key
    expect(await s.acquireLease(`l:${contact}`, "holder", 60_000)).toBe(true);
    await s.fingerprintSecret();
    const r = raw();
    // Written by someone else under the prefix: not of the guard's layout.
    await r.set("list1:{not-hex}:i", RECORD, "PX", 60_000);
    await r.set(`list1:{${HEX}}:ii`, RECORD, "PX", 60_000);
    await r.set(`list1:x{${HEX}}:i`, RECORD, "PX", 60_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect([...(await s.listKeys(100))].sort()).toEqual([`a:${app}`, `c:${contact}`, `i:${HEX}`, `x:${longest}`]);
    expect(await s.listKeys(0)).toEqual([]);
  });

  it("pages through more keys than one SCAN returns, without duplicates, and stops at the limit", async () => {
    const s = store({ prefix: "list2:" });
    const hashes = Array.from({ length: 1_200 }, (_, i) => i.toString(16).padStart(32, "0"));
    const pipeline = raw().pipeline();
    for (const hash of hashes) pipeline.set(`list2:{${hash}}:i`, RECORD, "PX", 60_000);
    await pipeline.exec();
    const all = await s.listKeys(10_000);
    expect(all).toHaveLength(1_200);
    expect(new Set(all)).toEqual(new Set(hashes.map((hash) => `i:${hash}`)));
    const some = await s.listKeys(700);
    expect(some).toHaveLength(700);
    expect(new Set(some).size).toBe(700);
  });

  it("rejects with a command RedisStoreError when the Redis user may not SCAN", async () => {
    const r = raw();
    await r.acl("SETUSER", "no-scan", "on", ">no-scan-pw", "~*", "&*", "+@all", "-scan");
    try {
      const s = store({ url: `redis://no-scan:no-scan-pw@127.0.0.1:${server.port}`, prefix: "list3:" });
      await s.set(`i:${HEX}`, RECORD, 60_000); // everything else works
      expect(await failure(() => s.listKeys(10))).toMatchObject({ name: "RedisStoreError", kind: "command", operation: "listKeys" });
    } finally {
      await r.acl("DELUSER", "no-scan");
    }
  });
});

describe("the probe lease", () => {
  it("has exactly one winner among 40 concurrent callers on 4 connections", async () => {
    const stores = Array.from({ length: 4 }, () => store({ prefix: "lease1:" }));
    await Promise.all(stores.map((s) => s.ready()));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 4]!.acquireLease(`l:${HEX}`, `holder-${i}`, 30_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("is dropped by delete(key), whoever holds it (the guard's reset clears a probe lease so)", async () => {
    const s = store({ prefix: "lease4:" });
    expect(await s.acquireLease(`l:${HEX}`, "a", 30_000)).toBe(true);
    await s.delete(`l:${HEX}`);
    expect(await s.acquireLease(`l:${HEX}`, "b", 30_000)).toBe(true);
  });

  it("is not re-entrant, is released only by its holder, and expires by its ttl", async () => {
    const s = store({ prefix: "lease2:" });
    expect(await s.acquireLease(`l:${HEX}`, "a", 30_000)).toBe(true);
    expect(await s.acquireLease(`l:${HEX}`, "a", 30_000)).toBe(false);
    await s.releaseLease(`l:${HEX}`, "b");
    expect(await s.acquireLease(`l:${HEX}`, "b", 30_000)).toBe(false);
    await s.releaseLease(`l:${HEX}`, "a");
    expect(await s.acquireLease(`l:${HEX}`, "b", 40)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await s.acquireLease(`l:${HEX}`, "c", 30_000)).toBe(true);
  });

  describe("beside a lockout record (another process's probe may have just answered)", () => {
    const now = 1_800_000_000_000;
    const record = (since: number, until: number) => JSON.stringify({ v: 1, lockout: { count: 2, since, until, codes: [50053] } });
    it.each([
      ["refused while a window written just now runs", record(now - 1_000, now + 120_000), false],
      ["granted once that window has ended", record(now - 120_000, now), true],
      ["granted when the window was written more than a lease length ago (the engine's cap rules)", record(now - 31_000, now + 60_000), true],
      ["granted when the record's time is far from the store's clock (clocks disagree: fail open)", record(now + 365 * DAY, now + 366 * DAY), true],
      ["granted for a lockout without since", JSON.stringify({ v: 1, lockout: { count: 1, until: now + 60_000 } }), true],
      ["granted beside garbage", "garbage", true],
    ])("is %s", async (_, value, granted) => {
      const s = store({ prefix: `lease3-${Math.random().toString(36).slice(2)}:`, clock: { now: () => now } });
      await raw().set(`${s.prefix}{${HEX}}:i`, value, "PX", 60_000);
      expect(await s.acquireLease(`l:${HEX}`, "prober", 30_000)).toBe(granted);
    });
  });
});

describe("the fingerprint secret", () => {
  it("is one 32-byte secret for every process, created once, expiring in 30 days", async () => {
    const secrets = await Promise.all(Array.from({ length: 6 }, () => store({ prefix: "sec1:" }).fingerprintSecret()));
    expect(secrets[0]).toHaveLength(32);
    expect(new Set(secrets.map((s) => Buffer.from(s).toString("hex"))).size).toBe(1);
    const ttl = await raw().pttl("sec1:secret");
    expect(ttl).toBeGreaterThan(29 * DAY);
    expect(ttl).toBeLessThanOrEqual(30 * DAY);
  });

  it.each([
    ["malformed", (r: Redis) => r.set("sec2:secret", "short"), "malformed_secret"],
    ["of the wrong type", (r: Redis) => r.hset("sec2:secret", "a", "b"), "wrong_type"],
  ])("is replaced when %s, with a store_corrupt event", async (_, spoil, reason) => {
    const r = raw();
    await r.del("sec2:secret");
    await spoil(r);
    const events: RedisStoreEvent[] = [];
    const secret = await store({ prefix: "sec2:", onEvent: (e) => events.push(e) }).fingerprintSecret();
    expect(secret).toHaveLength(32);
    expect(events.filter((e) => e.type === "store_corrupt")).toEqual([expect.objectContaining({ key: "secret", reason })]);
    expect(Buffer.from(secret).toString("base64url")).toBe(await r.get("sec2:secret"));
  });

  it("is put back by a later write if Redis lost it, so processes keep agreeing", async () => {
    const s = store({ prefix: "sec3:" });
    const secret = await s.fingerprintSecret();
    const r = raw();
    await r.del("sec3:secret");
    // Renewal is rate-limited to once a minute (real time); pretend that minute passed.
    const realNow = Date.now;
    Date.now = () => realNow() + 61_000;
    try {
      await s.set(`i:${HEX}`, RECORD, 1_000);
    } finally {
      Date.now = realNow;
    }
    await expect.poll(() => r.get("sec3:secret")).toBe(Buffer.from(secret).toString("base64url"));
  });
});

describe("pub/sub", () => {
  it("tells other stores which keys changed: writes, deletes and lease releases, never their own", async () => {
    const writer = store({ prefix: "ps1:" });
    const reader = store({ prefix: "ps1:" });
    const heardByReader: string[] = [];
    const heardByWriter: string[] = [];
    reader.subscribe((key) => heardByReader.push(key));
    writer.subscribe((key) => heardByWriter.push(key));
    // SUBSCRIBE is asynchronous; wait until both subscriptions are live.
    await expect.poll(async () => (await raw().pubsub("NUMSUB", "ps1:events"))[1]).toBe(2);
    await writer.set(`i:${HEX}`, RECORD, 60_000);
    await writer.acquireLease(`l:${HEX}`, "h", 30_000);
    await writer.releaseLease(`l:${HEX}`, "h");
    await writer.delete(`i:${HEX}`);
    await writer.delete(`i:${HEX}`); // nothing deleted: nothing announced
    await expect.poll(() => heardByReader).toEqual([`i:${HEX}`, `l:${HEX}`, `i:${HEX}`]);
    expect(heardByWriter).toEqual([]);
  });

  it("closes its connection subscriberLingerMs after the last listener left", async () => {
    const s = store({ prefix: "ps2:", subscriberLingerMs: 200 });
    const r = raw();
    const clients = async () => String(await r.client("LIST")).trim().split("\n").length;
    await s.ready();
    const before = await clients();
    const off1 = s.subscribe(() => {});
    const off2 = s.subscribe(() => {});
    await expect.poll(clients).toBe(before + 1);
    off1();
    off2();
    const left = Date.now();
    expect(await clients()).toBe(before + 1);
    await expect.poll(clients).toBe(before);
    expect(Date.now() - left).toBeGreaterThanOrEqual(150);
  });

  it("keeps one connection for a steady stream of waits: subscribing again soon after reuses it", async () => {
    const s = store({ prefix: "ps3:" });
    const r = raw();
    await Promise.all([s.ready(), r.ping()]);
    const opened = async () => Number(/total_connections_received:(\d+)/.exec(await r.info("stats"))?.[1]);
    const before = await opened();
    let heard = 0;
    for (let i = 0; i < 5; i++) {
      const off = s.subscribe(() => heard++);
      // SUBSCRIBE is asynchronous: announce until this listener hears it.
      const seen = heard;
      await expect
        .poll(async () => {
          await r.publish("ps3:events", `other i:${HEX}`);
          return heard > seen;
        })
        .toBe(true);
      off();
    }
    expect(await opened()).toBe(before + 1);
    expect((await r.pubsub("NUMSUB", "ps3:events"))[1]).toBe(1);
  });

  it("close() ends a connection kept after the last listener left", async () => {
    const s = new RedisStore({ url: server.url });
    opened.push(s);
    const r = raw();
    const clients = async () => String(await r.client("LIST")).trim().split("\n").length;
    await Promise.all([s.ready(), r.ping()]);
    const before = await clients();
    s.subscribe(() => {})();
    await expect.poll(async () => (await r.pubsub("NUMSUB", "msal-guard:events"))[1]).toBe(1);
    await s.close();
    await expect.poll(clients).toBe(before - 1);
    expect((await r.pubsub("NUMSUB", "msal-guard:events"))[1]).toBe(0);
  });
});

describe("values written by hand", () => {
  const good = JSON.stringify({ v: 1, lockout: { count: 1, until: 1, codes: [50053] } });
  it.each([
    ["a hash instead of a string", (r: Redis, k: string) => r.hset(k, "v", "1"), "wrong_type"],
    ["a 1 MB string", (r: Redis, k: string) => r.set(k, `{"v":1,"x":"${"x".repeat(1 << 20)}"}`, "PX", 60_000), "too_large"],
    ["bytes that are not UTF-8", (r: Redis, k: string) => r.set(k, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), "PX", 60_000), "not_utf8"],
    ["garbage", (r: Redis, k: string) => r.set(k, "}{ garbage", "PX", 60_000), "not_json"],
    ["a JSON array", (r: Redis, k: string) => r.set(k, "[1]", "PX", 60_000), "not_json"],
    ["a record with no expiry", (r: Redis, k: string) => r.set(k, good), "no_expiry"],
    ["a record expiring in 10 years", (r: Redis, k: string) => r.set(k, good, "PX", 10 * 365 * DAY), "expiry_too_long"],
  ])("ignores %s with a store_corrupt event", async (_, write, reason) => {
    const events: RedisStoreEvent[] = [];
    const s = store({ prefix: "bad:", onEvent: (e) => events.push(e) });
    const r = raw();
    await r.del(`bad:{${HEX}}:i`);
    await write(r, `bad:{${HEX}}:i`);
    expect(await s.get(`i:${HEX}`)).toBeUndefined();
    expect(events.filter((e) => e.type === "store_corrupt")).toEqual([expect.objectContaining({ key: `i:${HEX}`, reason })]);
  });

  it("reads a well-formed record written by hand (the engine then checks and caps it)", async () => {
    const s = store({ prefix: "bad:" });
    await raw().set(`bad:{${HEX}}:i`, good, "PX", 60_000);
    expect(await s.get(`i:${HEX}`)).toBe(good);
  });
});

describe("when Redis is slow or down", () => {
  let own: RedisServer;
  beforeAll(async () => {
    own = await startRedisServer();
  });
  afterAll(() => own.stop());

  it("a frozen Redis: every call rejects with a timeout after commandTimeoutMs, then works again", async () => {
    const s = store({ url: own.url, commandTimeoutMs: 150 });
    await s.ready();
    own.pause();
    try {
      const started = Date.now();
      const errors = await Promise.all([
        failure(() => s.get(`i:${HEX}`)),
        failure(() => s.set(`i:${HEX}`, RECORD, 1_000)),
        failure(() => s.acquireLease(`l:${HEX}`, "h", 1_000)),
        failure(() => s.releaseLease(`l:${HEX}`, "h")),
        failure(() => s.delete(`i:${HEX}`)),
        failure(() => s.fingerprintSecret()),
        failure(() => s.listKeys(10)),
      ]);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(1_500); // bounded (a frozen Redis never answers); slack for a busy machine
      for (const error of errors) expect(error).toMatchObject({ name: "RedisStoreError", kind: "timeout" });
    } finally {
      own.resume();
    }
    await expect.poll(() => s.get(`i:${HEX}`).then(() => "answered", () => "failed"), { timeout: 3_000 }).toBe("answered");
  });

  it("a client you pass, without a command timeout of its own, still settles within commandTimeoutMs", async () => {
    const client = new Redis(own.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    opened.push({ close: async () => client.disconnect() });
    const s = new RedisStore({ client, commandTimeoutMs: 100 });
    opened.push(s);
    await s.ready();
    own.pause();
    try {
      const started = Date.now();
      expect(await failure(() => s.get(`i:${HEX}`))).toMatchObject({ kind: "timeout" });
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      own.resume();
    }
  });

  it("a stopped Redis: calls fail at once, the connection is reported down and up, and the store reconnects", async () => {
    const events: RedisStoreEvent[] = [];
    const s = store({ url: own.url, onEvent: (e) => events.push(e), reconnectMaxDelayMs: 100 });
    await s.ready();
    await s.set(`i:${HEX}`, RECORD, 60_000);
    await own.kill();
    const started = Date.now();
    const error = await failure(() => s.get(`i:${HEX}`));
    expect(Date.now() - started).toBeLessThan(1_000); // at once: far below the 5 s command timeout
    expect(isRedisStoreError(error)).toBe(true);
    expect(error).toMatchObject({ kind: "unavailable" });
    await own.restart();
    await s.ready({ timeoutMs: 5_000 });
    expect(await s.get(`i:${HEX}`)).toBeUndefined(); // no persistence: the restarted server is empty
    await s.set(`i:${HEX}`, RECORD, 60_000);
    expect(await s.get(`i:${HEX}`)).toBe(RECORD);
    expect(events.map((e) => (e.type === "store_connection" ? e.state : e.type))).toEqual(["up", "down", "up"]);
  });

  it("a subscription made while Redis is down starts when it comes back", async () => {
    const s = store({ url: own.url, prefix: "late:", reconnectMaxDelayMs: 100 });
    await s.ready();
    await own.kill();
    const heard: string[] = [];
    s.subscribe((key) => heard.push(key));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await own.restart();
    const r = raw(own.url);
    await expect.poll(async () => (await r.pubsub("NUMSUB", "late:events"))[1], { timeout: 5_000 }).toBe(1);
    await store({ url: own.url, prefix: "late:" }).set(`i:${HEX}`, RECORD, 1_000);
    await expect.poll(() => heard).toEqual([`i:${HEX}`]);
  });

  it("passes on only the key shapes it announces (anyone may publish on the channel)", async () => {
    const s = store({ url: own.url, prefix: "pub:" });
    const heard: string[] = [];
    s.subscribe((key) => heard.push(key));
    const r = raw(own.url);
    await expect.poll(async () => (await r.pubsub("NUMSUB", "pub:events"))[1]).toBe(1);
    for (const message of ["x ada@contoso.test", "x <script>", "no-space", `x i:${HEX}`]) await r.publish("pub:events", message);
    await expect.poll(() => heard).toEqual([`i:${HEX}`]);
  });

  it("ready() rejects after its timeout when Redis is unreachable", async () => {
    const s = store({ url: "redis://127.0.0.1:1", reconnectMaxDelayMs: 50 });
    const error = await failure(() => s.ready({ timeoutMs: 100 }));
    expect(error).toMatchObject({ name: "RedisStoreError", kind: "timeout" });
    expect(await failure(() => s.get(`i:${HEX}`))).toMatchObject({ kind: "unavailable" });
    expect(await failure(() => s.listKeys(10))).toMatchObject({ name: "RedisStoreError", kind: "unavailable", operation: "listKeys" });
  });
  it("close() ends a ready() still waiting for Redis, at once, with a closed error", async () => {
    const s = store({ url: "redis://127.0.0.1:1", reconnectMaxDelayMs: 50 });
    // Left waiting, it would outlast the test's own timeout.
    const waiting = failure(() => s.ready({ timeoutMs: 600_000 }));
    await s.close();
    expect(await waiting).toMatchObject({ name: "RedisStoreError", kind: "closed", operation: "ready" });
  });
});

describe("errors Redis answers", () => {
  it("are a command RedisStoreError (here: out of memory), not a timeout", async () => {
    const s = store({ prefix: "oom:" });
    await s.ready();
    const r = raw();
    await r.config("SET", "maxmemory", "1");
    try {
      const error = await failure(() => s.set(`i:${HEX}`, RECORD, 1_000));
      expect(error).toMatchObject({ name: "RedisStoreError", kind: "command", operation: "set" });
      expect(error.message).toMatch(/OOM/);
    } finally {
      await r.config("SET", "maxmemory", "0");
    }
  });
});

describe("close", () => {
  it("closes the connections it opened, and later calls reject as closed", async () => {
    const r = raw();
    await r.ping();
    const clients = async () => String(await r.client("LIST")).trim().split("\n").length;
    const before = await clients();
    const s = new RedisStore({ url: server.url });
    await s.ready();
    s.subscribe(() => {});
    await expect.poll(clients).toBe(before + 2);
    await s.close();
    await s.close();
    await expect.poll(clients).toBe(before);
    expect(await failure(() => s.get(`i:${HEX}`))).toMatchObject({ kind: "closed" });
    expect(await failure(() => s.listKeys(10))).toMatchObject({ name: "RedisStoreError", kind: "closed" });
    expect(() => s.subscribe(() => {})).toThrow(/closed/);
  });

  it("leaves a client you passed open, with no listener of its own left on it", async () => {
    const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    opened.push({ close: () => client.quit() });
    await new Promise((resolve) => client.once("ready", resolve));
    const counts = () => ["ready", "error", "close", "end"].map((e) => client.listenerCount(e));
    const before = counts();
    const s = new RedisStore({ client });
    await s.set(`i:${HEX}`, RECORD, 1_000);
    expect(counts()).not.toEqual(before);
    await s.close();
    expect(counts()).toEqual(before);
    expect(client.status).toBe("ready");
    expect(await client.ping()).toBe("PONG");
  });
});
