import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/index.js";

describe("MemoryStore", () => {
  it("forgets entries when their TTL passes", async () => {
    let now = 1_000;
    const store = new MemoryStore({ now: () => now });
    await store.set("k", "v", 500);
    expect(await store.get("k")).toBe("v");
    now += 499;
    expect(await store.get("k")).toBe("v");
    now += 1;
    expect(await store.get("k")).toBeUndefined();
  });

  it("stays bounded: past maxEntries the oldest-written entries go first", async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    for (const key of ["a", "b", "c"]) await store.set(key, key, 60_000);
    await store.set("a", "a2", 60_000); // rewriting makes "a" the newest
    await store.set("d", "d", 60_000);
    expect(store.size).toBe(3);
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("a")).toBe("a2");
  });

  it("grants a lease to one holder at a time until it expires or is released", async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.acquireLease("l", `h${i}`, 1_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `h${results.indexOf(true)}`;
    await store.releaseLease("l", "someone-else");
    expect(await store.acquireLease("l", "h-late", 1_000)).toBe(false);
    await store.releaseLease("l", winner);
    expect(await store.acquireLease("l", "h-late", 1_000)).toBe(true);
    now += 1_000;
    expect(await store.acquireLease("l", "h-later", 1_000)).toBe(true);
  });

  it("forgets the lease on a key when the key is deleted (the engine's reset clears a probe lease so)", async () => {
    const store = new MemoryStore();
    expect(await store.acquireLease("l:abc", "prober", 60_000)).toBe(true);
    await store.delete("l:abc");
    expect(await store.acquireLease("l:abc", "another", 60_000)).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects maxEntries %s with a message", (maxEntries) => {
    expect(() => new MemoryStore({ maxEntries })).toThrow(/maxEntries must be a whole number of at least 1/);
  });

  it("refuses an unknown option, naming it and the known ones", () => {
    expect(() => new MemoryStore({ maxEntry: 10 } as never)).toThrow(TypeError);
    expect(() => new MemoryStore({ maxEntry: 10 } as never)).toThrow('msal-guard: MemoryStore: unknown option "maxEntry". Known options: maxEntries, now.');
  });

  it("lists keys holding a live value, never leases or expired ones, up to the limit", async () => {
    let now = 1_000;
    const store = new MemoryStore({ now: () => now });
    await store.set("i:short", "v", 100);
    await store.set("i:long", "v", 10_000);
    await store.set("a:long", "v", 10_000);
    await store.acquireLease("l:held", "holder", 10_000);
    now += 100;
    expect([...(await store.listKeys(10))].sort()).toEqual(["a:long", "i:long"]);
    expect(await store.listKeys(1)).toHaveLength(1);
  });
});
