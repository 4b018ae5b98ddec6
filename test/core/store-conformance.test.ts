// One table of GuardStore behaviour the engine relies on, run against every store: the
// in-memory one, FileStore on a real file, RedisStore on a real redis-server, and
// LocalStorageStore (its localStorage lease, on a Storage held in memory). Real time:
// Redis expires keys on its own clock.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore, type GuardStore } from "../../src/index.js";
import { LocalStorageStore } from "../../src/browser/index.js";
import { FileStore } from "../../src/node/index.js";
import { RedisStore } from "../../src/redis/index.js";
import { startRedisServer, type RedisServer } from "../redis/redis-server.js";

const HASH = "0123456789abcdef0123456789abcdef";
const OTHER = "fedcba9876543210fedcba9876543210";
const record = (n: number) => JSON.stringify({ v: 1, n });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function memoryStorage(): Storage {
  const inner = new Map<string, string>();
  return {
    get length() {
      return inner.size;
    },
    key: (i) => [...inner.keys()][i] ?? null,
    getItem: (k) => inner.get(k) ?? null,
    setItem: (k, v) => void inner.set(k, String(v)),
    removeItem: (k) => void inner.delete(k),
    clear: () => inner.clear(),
  };
}

let server: RedisServer;
let dir: string;
const redisStores: RedisStore[] = [];
beforeAll(async () => {
  [server, dir] = await Promise.all([startRedisServer(), mkdtemp(join(tmpdir(), "msal-guard-conformance-"))]);
}, 30_000);
afterAll(async () => {
  await Promise.all(redisStores.map((s) => s.close()));
  await Promise.all([server?.stop(), rm(dir, { recursive: true, force: true })]);
});

let serial = 0;
/** Makes a fresh store (its own backing); `twin` opens a second instance on the same backing, as another process or tab would. */
const kinds: Record<string, () => Promise<{ store: GuardStore; twin?: () => Promise<GuardStore> }>> = {
  MemoryStore: async () => ({ store: new MemoryStore() }),
  FileStore: async () => {
    const path = join(dir, `state-${serial++}.json`);
    return { store: new FileStore({ path }), twin: async () => new FileStore({ path }) };
  },
  RedisStore: async () => {
    const prefix = `c${serial++}:`;
    const open = async () => {
      const store = new RedisStore({ url: server.url, prefix, commandTimeoutMs: 5_000 });
      redisStores.push(store);
      await store.ready();
      return store;
    };
    return { store: await open(), twin: open };
  },
  LocalStorageStore: async () => {
    const storage = memoryStorage();
    const prefix = `c${serial++}:`;
    const open = async () => new LocalStorageStore({ storage, prefix, locks: false, leaseSettleMs: 5, channelName: prefix });
    return { store: await open(), twin: open };
  },
};

describe.each(Object.keys(kinds))("%s conforms to GuardStore", (name) => {
  const make = kinds[name] as (typeof kinds)[string];

  it("keeps a value until its TTL, then forgets it (get and listKeys)", async () => {
    const { store } = await make();
    expect(await store.get(`i:${HASH}`)).toBeUndefined();
    await store.set(`i:${HASH}`, record(1), 60_000);
    await store.set(`a:${OTHER}`, record(2), 150);
    expect(await store.get(`i:${HASH}`)).toBe(record(1));
    expect(await store.get(`a:${OTHER}`)).toBe(record(2));
    if (store.listKeys) expect([...(await store.listKeys(100))].sort()).toEqual([`a:${OTHER}`, `i:${HASH}`]);
    await pause(400);
    expect(await store.get(`a:${OTHER}`)).toBeUndefined();
    if (store.listKeys) expect(await store.listKeys(100)).toEqual([`i:${HASH}`]);
  });

  it("a set replaces the value and its TTL", async () => {
    const { store } = await make();
    await store.set(`i:${HASH}`, record(1), 150);
    await store.set(`i:${HASH}`, record(2), 60_000);
    await pause(400);
    expect(await store.get(`i:${HASH}`)).toBe(record(2));
    await store.set(`i:${HASH}`, record(3), 150);
    await pause(400);
    expect(await store.get(`i:${HASH}`)).toBeUndefined();
  });

  it("delete forgets the value, and a lease on the key whoever holds it (reset frees a probe so)", async () => {
    const { store } = await make();
    await store.set(`i:${HASH}`, record(1), 60_000);
    await store.delete(`i:${HASH}`);
    await store.delete(`i:${OTHER}`); // absent: no error
    expect(await store.get(`i:${HASH}`)).toBeUndefined();
    expect(await store.acquireLease(`l:${HASH}`, "probe-1", 60_000)).toBe(true);
    await store.delete(`l:${HASH}`);
    expect(await store.acquireLease(`l:${HASH}`, "probe-2", 60_000)).toBe(true);
  });

  it("a lease has one holder; only the holder gives it back; it runs out", async () => {
    const { store } = await make();
    expect(await store.acquireLease(`l:${HASH}`, "a", 60_000)).toBe(true);
    expect(await store.acquireLease(`l:${HASH}`, "b", 60_000)).toBe(false);
    expect(await store.acquireLease(`l:${OTHER}`, "b", 150)).toBe(true); // another key: its own lease
    await store.releaseLease(`l:${HASH}`, "b"); // not b's: nothing happens
    expect(await store.acquireLease(`l:${HASH}`, "c", 60_000)).toBe(false);
    await store.releaseLease(`l:${HASH}`, "a");
    expect(await store.acquireLease(`l:${HASH}`, "c", 60_000)).toBe(true);
    await pause(400);
    expect(await store.acquireLease(`l:${OTHER}`, "d", 60_000)).toBe(true);
  });

  it("leases are not values: listKeys leaves them out, and a value's key has no lease", async () => {
    const { store } = await make();
    await store.acquireLease(`l:${HASH}`, "a", 60_000);
    await store.acquireLease(`w:${HASH}`, "a", 60_000);
    await store.set(`c:${HASH}`, JSON.stringify({ at: 1 }), 60_000);
    if (store.listKeys) expect(await store.listKeys(100)).toEqual([`c:${HASH}`]);
    expect(await store.get(`l:${HASH}`)).toBeUndefined();
    expect(await store.acquireLease(`c:${OTHER}`, "a", 60_000)).toBe(true);
  });

  it("listKeys gives at most `limit` keys", async () => {
    const { store } = await make();
    if (!store.listKeys) return;
    for (let i = 0; i < 5; i++) await store.set(`i:${HASH.slice(0, 31)}${i}`, record(i), 60_000);
    expect(await store.listKeys(3)).toHaveLength(3);
  });

  it("another instance on the same backing sees values, leases and deletes; one secret for both", async () => {
    const { store, twin } = await make();
    if (twin === undefined) return;
    const other = await twin();
    await store.set(`i:${HASH}`, record(1), 60_000);
    expect(await other.get(`i:${HASH}`)).toBe(record(1));
    expect(await store.acquireLease(`l:${HASH}`, "a", 60_000)).toBe(true);
    expect(await other.acquireLease(`l:${HASH}`, "b", 60_000)).toBe(false);
    await other.delete(`l:${HASH}`);
    await other.delete(`i:${HASH}`);
    expect(await store.get(`i:${HASH}`)).toBeUndefined();
    expect(await store.acquireLease(`l:${HASH}`, "c", 60_000)).toBe(true);
    if (store.fingerprintSecret && other.fingerprintSecret) {
      expect(Buffer.from(await other.fingerprintSecret())).toEqual(Buffer.from(await store.fingerprintSecret()));
    }
  });

  it("concurrent lease attempts from two instances: exactly one wins", async () => {
    const { store, twin } = await make();
    const other = twin === undefined ? store : await twin();
    for (let round = 0; round < 5; round++) {
      const key = `l:${HASH.slice(0, 31)}${round}`;
      const won = await Promise.all([store.acquireLease(key, "a", 60_000), other.acquireLease(key, "b", 60_000), store.acquireLease(key, "c", 60_000)]);
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });
});
