// @vitest-environment jsdom
// The tab-shared store: two instances on one localStorage stand for two tabs.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolvePolicy } from "../../src/index.js";
import { LocalStorageStore, type LocalStorageStoreEvent } from "../../src/browser/index.js";

const MINUTE = 60_000;
let now = Date.UTC(2026, 10, 22, 9, 0, 0);
const clock = () => now;

beforeEach(() => {
  localStorage.clear();
  now = Date.UTC(2026, 10, 22, 9, 0, 0);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** A Storage whose methods throw the given DOMException (Safari with storage blocked, a full disk). */
function throwingStorage(name: "SecurityError" | "QuotaExceededError", methods: readonly ("getItem" | "setItem")[]): Storage {
  const inner = new Map<string, string>();
  const fail = () => {
    throw new DOMException("storage refused", name);
  };
  return {
    get length() {
      return inner.size;
    },
    key: (i) => [...inner.keys()][i] ?? null,
    getItem: methods.includes("getItem") ? fail : (k) => inner.get(k) ?? null,
    setItem: methods.includes("setItem") ? fail : (k, v) => void inner.set(k, v),
    removeItem: (k) => void inner.delete(k),
    clear: () => inner.clear(),
  };
}

describe("LocalStorageStore", () => {
  it("shares values between two tabs and expires them by TTL", async () => {
    const tabA = new LocalStorageStore({ now: clock });
    const tabB = new LocalStorageStore({ now: clock });
    await tabA.set("i:abc", "value", MINUTE);
    expect(await tabB.get("i:abc")).toBe("value");
    expect(Object.keys(localStorage)).toEqual(["MsalGuard:i:abc"]);
    now += MINUTE;
    expect(await tabB.get("i:abc")).toBeUndefined();
    expect(localStorage.length).toBe(0); // expired entries are removed when read
    await tabA.set("i:abc", "value", MINUTE);
    await tabB.delete("i:abc");
    expect(await tabA.get("i:abc")).toBeUndefined();
  });

  it("tells other tabs about changes through BroadcastChannel", async () => {
    const tabA = new LocalStorageStore({ now: clock, channelName: "test-notices" });
    const tabB = new LocalStorageStore({ now: clock, channelName: "test-notices" });
    const heard: string[] = [];
    const unsubscribe = tabB.subscribe((key) => heard.push(key));
    await tabA.set("i:k1", "v", MINUTE);
    await tabA.delete("i:k2");
    await vi.waitFor(() => expect(heard).toEqual(["i:k1", "i:k2"]));
    unsubscribe();
    tabA.close();
  });

  it("tells other tabs about changes through storage events too", async () => {
    const store = new LocalStorageStore({ now: clock });
    const heard: string[] = [];
    const unsubscribe = store.subscribe((key) => heard.push(key));
    window.dispatchEvent(new StorageEvent("storage", { key: "MsalGuard:a:xyz", storageArea: localStorage }));
    window.dispatchEvent(new StorageEvent("storage", { key: "unrelated", storageArea: localStorage }));
    expect(heard).toEqual(["a:xyz"]);
    unsubscribe();
  });

  it.each([
    ["SecurityError on read", "SecurityError", ["getItem"], "blocked"],
    ["SecurityError on write", "SecurityError", ["setItem"], "blocked"],
  ] as const)("falls back to memory on %s, with one event", async (_, name, methods, reason) => {
    const events: LocalStorageStoreEvent[] = [];
    const store = new LocalStorageStore({ storage: throwingStorage(name, methods), now: clock, onEvent: (e) => events.push(e) });
    await store.get("i:x");
    await store.set("i:x", "kept in memory", MINUTE);
    expect(await store.get("i:x")).toBe("kept in memory");
    expect(store.inMemory).toBe(true);
    expect(events).toEqual([{ type: "fallback", reason, error: expect.objectContaining({ name }) }]);
    expect(await store.acquireLease("l:x", "h1", MINUTE)).toBe(true);
    expect(await store.acquireLease("l:x", "h2", MINUTE)).toBe(false);
  });

  it("full even after removing expired entries: keeps what it can't write in memory, and still reads the other tabs' records", async () => {
    let full = false;
    const tabA = new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 0 });
    await tabA.set("i:locked", "another tab's lockout", 10 * MINUTE);
    const setItem = localStorage.setItem.bind(localStorage);
    vi.spyOn(Storage.prototype, "setItem").mockImplementation((key, value) => {
      if (full) throw new DOMException("full", "QuotaExceededError");
      setItem(key, value);
    });
    const events: LocalStorageStoreEvent[] = [];
    const tabB = new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 0, onEvent: (e) => events.push(e) });
    full = true;
    await tabB.set("i:mine", "unsaved", MINUTE);
    await tabB.set("i:other", "unsaved too", MINUTE);
    expect(await tabB.get("i:mine")).toBe("unsaved");
    expect(await tabB.get("i:locked")).toBe("another tab's lockout");
    expect(tabB.inMemory).toBe(false);
    expect(events).toEqual([{ type: "fallback", reason: "quota", error: expect.objectContaining({ name: "QuotaExceededError" }) }]);
    expect([...(await tabB.listKeys(10))].sort()).toEqual(["i:locked", "i:mine", "i:other"]);
    expect(await tabB.acquireLease("l:x", "h1", MINUTE)).toBe(true);
    expect(await tabB.acquireLease("l:x", "h2", MINUTE)).toBe(false);

    // Room again: written to storage, where the other tab reads it.
    full = false;
    await tabB.set("i:mine", "saved", MINUTE);
    expect(await tabA.get("i:mine")).toBe("saved");
    expect(await tabB.get("i:mine")).toBe("saved");
    vi.restoreAllMocks();
  });

  it("full: an unsaved value gives way to a later one another tab wrote, and what stays unsaved is written out once there is room", async () => {
    let full = false;
    const setItem = localStorage.setItem.bind(localStorage);
    vi.spyOn(Storage.prototype, "setItem").mockImplementation((key, value) => {
      if (full && !key.startsWith("MsalGuard:lease")) throw new DOMException("full", "QuotaExceededError");
      setItem(key, value);
    });
    const [tabA, tabB] = [new LocalStorageStore({ now: clock }), new LocalStorageStore({ now: clock })];
    full = true;
    await tabB.set("i:shared", "B's, unsaved", MINUTE);
    await tabB.set("i:mine", "B's lockout, unsaved", 10 * MINUTE);
    expect(await tabA.get("i:mine")).toBeUndefined();

    // Another tab writes the shared record later (room was made elsewhere): that one counts,
    // and B's older one is not written over it.
    now += 1_000;
    full = false;
    await tabA.set("i:shared", "A's, later", MINUTE);

    // B's next write that fits writes its unsaved lockout out too, expiring when it would have.
    now += 1_000;
    await tabB.set("i:other", "fits", MINUTE);
    expect(await tabA.get("i:mine")).toBe("B's lockout, unsaved");
    expect(await tabA.get("i:shared")).toBe("A's, later");
    expect(await tabB.get("i:shared")).toBe("A's, later");
    now += 10 * MINUTE - 2_000;
    expect(await tabA.get("i:mine")).toBeUndefined();
    vi.restoreAllMocks();
  });

  it("falls back to memory when localStorage itself can't be read", async () => {
    vi.stubGlobal("localStorage", undefined);
    const events: LocalStorageStoreEvent[] = [];
    const store = new LocalStorageStore({ onEvent: (e) => events.push(e) });
    await store.set("i:x", "v", MINUTE);
    expect(await store.get("i:x")).toBe("v");
    expect(events).toEqual([{ type: "fallback", reason: "unavailable", error: undefined }]);
  });

  it("makes room when storage is full by removing its own expired entries", async () => {
    // A storage with room for about one entry, as a nearly full localStorage would have.
    const inner = new Map<string, string>();
    const small: Storage = {
      get length() {
        return inner.size;
      },
      key: (i) => [...inner.keys()][i] ?? null,
      getItem: (k) => inner.get(k) ?? null,
      setItem: (k, v) => {
        const used = [...inner].reduce((n, [key, value]) => (key === k ? n : n + key.length + value.length), 0);
        if (used + k.length + v.length > 300) throw new DOMException("full", "QuotaExceededError");
        inner.set(k, v);
      },
      removeItem: (k) => void inner.delete(k),
      clear: () => inner.clear(),
    };
    const store = new LocalStorageStore({ storage: small, now: clock });
    await store.set("i:old", "x".repeat(150), 1_000);
    now += 2_000;
    await store.set("i:new", "y".repeat(150), MINUTE);
    expect(await store.get("i:new")).toBe("y".repeat(150));
    expect(store.inMemory).toBe(false);
    expect([...inner.keys()]).toEqual(["MsalGuard:i:new"]);
  });

  it("refuses an unknown option, naming it and the known ones", () => {
    expect(() => new LocalStorageStore({ prefx: "app:" } as never)).toThrow(TypeError);
    expect(() => new LocalStorageStore({ prefx: "app:" } as never)).toThrow(
      'msal-guard: LocalStorageStore: unknown option "prefx". Known options: storage, prefix, channelName, now, policy, locks, leaseSettleMs, onEvent.',
    );
  });

  describe("listKeys", () => {
    const HEX = "0123456789abcdef0123456789abcdef";
    const [identity, app] = [`i:${HEX}`, `a:${HEX.replace(/0/g, "a")}`];

    it("lists every tab's live keys exactly as set, never leases, expired or invalid entries, up to the limit", async () => {
      const events: LocalStorageStoreEvent[] = [];
      const tabA = new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 0 });
      const tabB = new LocalStorageStore({ now: clock, onEvent: (e) => events.push(e) });
      await tabA.set(identity, "record", MINUTE);
      await tabA.set(app, "record", 10 * MINUTE);
      await tabA.set(`i:${HEX.replace(/0/g, "b")}`, "record", 1_000);
      expect(await tabA.acquireLease(`l:${HEX}`, "holder", MINUTE)).toBe(true);
      expect(await tabA.acquireLease(app, "holder", MINUTE)).toBe(true);
      localStorage.setItem("MsalGuard:i:tampered", "{");
      localStorage.setItem("other-app:i:x", JSON.stringify({ w: now, e: now + MINUTE, d: "record" }));
      expect(Object.keys(localStorage)).toContain(`MsalGuard:lease:l:${HEX}`);
      now += 1_000;
      expect([...(await tabB.listKeys(100))].sort()).toEqual([app, identity].sort());
      // Dropped as get() drops them; the leases stay.
      expect(events).toEqual([{ type: "invalid", key: "i:tampered" }]);
      expect(Object.keys(localStorage).sort()).toEqual([`MsalGuard:${app}`, `MsalGuard:${identity}`, `MsalGuard:lease:${app}`, `MsalGuard:lease:l:${HEX}`, "other-app:i:x"].sort());
      const one = await tabB.listKeys(1);
      expect(one).toHaveLength(1);
      expect([app, identity]).toContain(one[0]);
      expect(await tabB.listKeys(0)).toEqual([]);
      expect(await new LocalStorageStore({ now: clock, prefix: "other-app:" }).listKeys(100)).toEqual(["i:x"]);
    });

    it("lists what this tab keeps in memory once storage failed, even when it fails while listing", async () => {
      const store = new LocalStorageStore({ storage: throwingStorage("SecurityError", ["getItem"]), now: clock });
      await store.set(identity, "written to storage, unreadable", MINUTE);
      expect(store.inMemory).toBe(false);
      expect(await store.listKeys(10)).toEqual([]); // reading it fails over to memory, which is empty
      expect(store.inMemory).toBe(true);
      await store.set(app, "record", MINUTE);
      await store.set(identity, "record", 1_000);
      now += 1_000;
      expect(await store.listKeys(10)).toEqual([app]);
    });
  });

  describe("validation", () => {
    it.each([
      ["not JSON", "{"],
      ["no envelope", JSON.stringify({ v: 1 })],
      ["kept beyond the longest TTL", JSON.stringify({ w: Date.UTC(2026, 10, 22, 9), e: Date.UTC(2027, 0, 1), d: "x" })],
      ["data not a string", JSON.stringify({ w: Date.UTC(2026, 10, 22, 9), e: Date.UTC(2026, 10, 22, 10), d: { v: 1 } })],
    ])("drops an entry that is %s", async (_, raw) => {
      const events: LocalStorageStoreEvent[] = [];
      const store = new LocalStorageStore({ now: clock, onEvent: (e) => events.push(e) });
      localStorage.setItem("MsalGuard:i:x", raw);
      expect(await store.get("i:x")).toBeUndefined();
      expect(localStorage.getItem("MsalGuard:i:x")).toBeNull();
      expect(events).toEqual([{ type: "invalid", key: "i:x" }]);
    });

    it("keeps an entry written in the future (this clock was set back) until its expiry as written", async () => {
      const tab = new LocalStorageStore({ now: clock });
      await tab.set("i:x", "locked", 10 * MINUTE);
      const expiry = now + 10 * MINUTE;
      now -= 2 * MINUTE; // an NTP correction, a VM's resume
      expect(await tab.get("i:x")).toBe("locked");
      now = expiry - 1;
      expect(await tab.get("i:x")).toBe("locked");
      now = expiry;
      expect(await tab.get("i:x")).toBeUndefined();
    });

    it("drops an entry written further ahead than the longest TTL", async () => {
      localStorage.setItem("MsalGuard:i:x", JSON.stringify({ w: now + 9 * 24 * 60 * MINUTE, e: now + 9 * 24 * 60 * MINUTE + MINUTE, d: "x" }));
      expect(await new LocalStorageStore({ now: clock }).get("i:x")).toBeUndefined();
    });

    it("a lease taken before the clock was set back is still held for its time", async () => {
      const [tabA, tabB] = [new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 0 }), new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 0 })];
      expect(await tabA.acquireLease("l:x", "a", MINUTE)).toBe(true);
      now -= 2 * MINUTE;
      expect(await tabB.acquireLease("l:x", "b", MINUTE)).toBe(false);
      now += 3 * MINUTE;
      expect(await tabB.acquireLease("l:x", "b", MINUTE)).toBe(true);
    });

    it("caps every window of a tampered record at written + the policy's cap", async () => {
      const policy = resolvePolicy();
      const store = new LocalStorageStore({ now: clock });
      const w = now - 10 * MINUTE;
      const far = 9e15;
      const record = {
        v: 1,
        lockout: { count: 3, until: far, codes: [50053] },
        latches: [{ fingerprint: "0123456789abcdef", kind: "invalid_credentials", codes: [50126], until: far }],
        blocks: {
          s1: { kind: "conditional_access_blocked", codes: [53003], until: far, silentOnly: false },
          s2: { kind: "mfa_required", codes: [50076], until: far, silentOnly: true },
          s3: { kind: "client_misconfigured", codes: [70011], until: far, silentOnly: false },
        },
      };
      localStorage.setItem("MsalGuard:i:x", JSON.stringify({ w, e: w + 24 * 60 * MINUTE, d: JSON.stringify(record) }));
      const read = JSON.parse((await store.get("i:x")) as string) as typeof record;
      expect(read.lockout.until).toBe(w + policy.lockout.maxWindowMs);
      expect(read.latches[0]?.until).toBe(w + policy.rejectedCredentialMs);
      expect(read.blocks.s1.until).toBe(w + policy.conditionalAccessMs);
      expect(read.blocks.s2.until).toBe(w + policy.interactionRequiredMs);
      expect(read.blocks.s3.until).toBe(w + policy.misconfiguredMs);

      localStorage.setItem("MsalGuard:a:y", JSON.stringify({ w, e: w + MINUTE * 90, d: JSON.stringify({ v: 1, throttle: { until: far, kind: "throttled", codes: [] } }) }));
      expect(JSON.parse((await store.get("a:y")) as string)).toMatchObject({ throttle: { until: w + policy.throttle.maxMs } });
    });

    it("leaves honest records exactly as written", async () => {
      const store = new LocalStorageStore({ now: clock });
      const value = JSON.stringify({ v: 1, lockout: { count: 1, until: now + MINUTE, codes: [50053] } });
      await store.set("i:x", value, MINUTE);
      expect(await store.get("i:x")).toBe(value);
    });
  });

  describe("leases", () => {
    it("without Web Locks, two tabs racing for a lease: exactly one gets it", async () => {
      const tabA = new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 5 });
      const tabB = new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 5 });
      const results = await Promise.all([tabA.acquireLease("l:k", "a", MINUTE), tabB.acquireLease("l:k", "b", MINUTE)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? "a" : "b";
      await (winner === "a" ? tabB : tabA).releaseLease("l:k", winner); // not the holder's store, same holder id: released
      expect(await tabA.acquireLease("l:k", "c", MINUTE)).toBe(true);
    });

    it("without Web Locks, a writer overwritten during the settle time doesn't get the lease", async () => {
      const store = new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 20 });
      const pending = store.acquireLease("l:k", "a", MINUTE);
      // Another tab's write lands after ours: it is the last writer, so it holds the lease.
      localStorage.setItem("MsalGuard:lease:l:k", JSON.stringify({ h: "other-tab", n: "n1", w: now, e: now + MINUTE }));
      expect(await pending).toBe(false);
    });

    it("without Web Locks, a lease expires and a tampered lease can't outlive the longest lease", async () => {
      const store = new LocalStorageStore({ now: clock, locks: false, leaseSettleMs: 0 });
      expect(await store.acquireLease("l:k", "a", MINUTE)).toBe(true);
      expect(await store.acquireLease("l:k", "b", MINUTE)).toBe(false);
      now += MINUTE;
      expect(await store.acquireLease("l:k", "b", MINUTE)).toBe(true);
      localStorage.setItem("MsalGuard:lease:l:k", JSON.stringify({ h: "x", n: "n", w: now, e: 9e15 }));
      expect(await store.acquireLease("l:k", "c", MINUTE)).toBe(true);
    });

    it("uses Web Locks when the browser has them, shared by the tabs and given back on release", async () => {
      const held = new Set<string>();
      const locks = {
        request: async (name: string, _options: LockOptions, callback: (lock: Lock | null) => unknown) => {
          if (held.has(name)) return callback(null);
          held.add(name);
          try {
            return await callback({ name, mode: "exclusive" } as Lock);
          } finally {
            held.delete(name);
          }
        },
      } as unknown as LockManager;
      const tabA = new LocalStorageStore({ now: clock, locks });
      const tabB = new LocalStorageStore({ now: clock, locks });
      expect(await tabA.acquireLease("l:k", "a", MINUTE)).toBe(true);
      expect(await tabA.acquireLease("l:k", "a", MINUTE)).toBe(true);
      expect(await tabB.acquireLease("l:k", "b", MINUTE)).toBe(false);
      await tabA.releaseLease("l:k", "a");
      await vi.waitFor(() => expect(held.size).toBe(0));
      expect(await tabB.acquireLease("l:k", "b", MINUTE)).toBe(true);
      tabB.close();
      await vi.waitFor(() => expect(held.size).toBe(0));
      expect(localStorage.length).toBe(0);
    });
  });
});
