import { spawn } from "node:child_process";
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FileStore,
  FileStoreError,
  isFileStoreError,
  type FileStoreEvent,
  type FileStoreOptions,
} from "../../../src/node/stores/file-store.js";

const posixOnly = it.skipIf(process.platform === "win32");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "msal-guard-file-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A store on a fresh path, with a manual clock and recorded events. */
function setup(options: Partial<FileStoreOptions> = {}) {
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  const events: FileStoreEvent[] = [];
  const path = join(dir, "state", "guard.json");
  const open = (more: Partial<FileStoreOptions> = {}) =>
    new FileStore({ path, clock, onEvent: (event) => events.push(event), ...options, ...more });
  return { store: open(), open, clock, events, path };
}

async function readEnvelope(path: string): Promise<{ v: number; entries: Record<string, unknown>; leases: Record<string, unknown> }> {
  return JSON.parse(await readFile(path, "utf8"));
}

describe("FileStore: values", () => {
  it("round-trips get, set and delete", async () => {
    const { store } = setup();
    expect(await store.get("a")).toBeUndefined();
    await store.set("a", "one", 60_000);
    expect(await store.get("a")).toBe("one");
    await store.set("a", "two", 60_000);
    expect(await store.get("a")).toBe("two");
    await store.delete("a");
    expect(await store.get("a")).toBeUndefined();
    await store.delete("never-set");
  });

  it("writes the versioned envelope", async () => {
    const { store, clock, path } = setup();
    await store.set("a", "one", 5_000);
    await store.acquireLease("a", "me", 1_000);
    expect(await readEnvelope(path)).toEqual({
      v: 1,
      entries: { a: { value: "one", expiresAt: clock.t + 5_000 } },
      leases: { a: { holder: "me", expiresAt: clock.t + 1_000 } },
    });
  });

  it("hides entries once the injected clock reaches their expiry, and purges them on the next write", async () => {
    const { store, clock, path } = setup();
    await store.set("a", "one", 1_000);
    clock.t += 999;
    expect(await store.get("a")).toBe("one");
    clock.t += 1;
    expect(await store.get("a")).toBeUndefined();
    await store.set("b", "two", 1_000);
    expect(Object.keys((await readEnvelope(path)).entries)).toEqual(["b"]);
  });

  it("treats a ttl of 0 as already expired", async () => {
    const { store } = setup();
    await store.set("a", "one", 0);
    expect(await store.get("a")).toBeUndefined();
  });

  it("keeps keys such as __proto__ as plain data", async () => {
    const { store, open } = setup();
    await store.set("__proto__", "x", 1_000);
    await store.set("constructor", "y", 1_000);
    const again = open();
    expect(await again.get("__proto__")).toBe("x");
    expect(await again.get("constructor")).toBe("y");
    expect(await again.get("toString")).toBeUndefined();
  });

  it("survives a restart: a new instance on the same path sees values and leases", async () => {
    const { store, open } = setup();
    await store.set("a", "one", 60_000);
    expect(await store.acquireLease("probe", "first", 60_000)).toBe(true);

    const restarted = open();
    expect(await restarted.get("a")).toBe("one");
    expect(await restarted.acquireLease("probe", "second", 60_000)).toBe(false);
  });

  it.each([
    ["to a file that exists", true],
    ["to a file not made yet", false],
  ])("writes through a symbolic link %s, and the link stays a link (a state file on a mounted volume)", async (_, exists) => {
    const volume = join(dir, "volume");
    await mkdir(volume);
    const target = join(volume, "guard.json");
    if (exists) await writeFile(target, "");
    const link = join(dir, "guard.json");
    await symlink(target, link);
    const store = new FileStore({ path: link });
    expect(store.path).toBe(target);
    await store.set("a", "one", 60_000);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readEnvelope(target)).entries).toHaveProperty("a");
    expect(await new FileStore({ path: target }).get("a")).toBe("one");
  });

  it("sees writes made through another instance after its first read", async () => {
    const { store, open } = setup();
    const other = open();
    expect(await store.get("a")).toBeUndefined();
    await other.set("a", "one", 60_000);
    expect(await store.get("a")).toBe("one");
    await other.set("a", "two", 60_000);
    expect(await store.get("a")).toBe("two");
    await other.delete("a");
    expect(await store.get("a")).toBeUndefined();
  });

  it("sees the file deleted behind its back as empty state", async () => {
    const { store, path } = setup();
    await store.set("a", "one", 60_000);
    await rm(path);
    expect(await store.get("a")).toBeUndefined();
  });

  it("evicts the soonest-expiring entries beyond maxEntries", async () => {
    const { store, path } = setup({ maxEntries: 3 });
    await store.set("a", "a", 500);
    await store.set("b", "b", 100);
    await store.set("c", "c", 300);
    await store.set("d", "d", 400);
    expect(await store.get("b")).toBeUndefined();
    for (const key of ["a", "c", "d"]) expect(await store.get(key)).toBe(key);
    expect(Object.keys((await readEnvelope(path)).entries).sort()).toEqual(["a", "c", "d"]);
  });
});

describe("FileStore: listKeys", () => {
  const HEX = "0123456789abcdef0123456789abcdef";
  const [identity, app, contact] = [`i:${HEX}`, `a:${HEX.replace(/0/g, "a")}`, `c:${HEX.replace(/0/g, "c")}`];

  it("lists the keys holding a live value exactly as set, never expired ones or leases, up to the limit", async () => {
    const { store, clock } = setup();
    await store.set(identity, "record", 60_000);
    await store.set(app, "record", 60_000);
    await store.set(contact, "mark", 60_000);
    await store.set(`i:${HEX.replace(/0/g, "b")}`, "record", 1_000);
    await store.set("x:zero-ttl", "record", 0);
    expect(await store.acquireLease(`l:${HEX}`, "holder", 60_000)).toBe(true);
    expect(await store.acquireLease(contact, "holder", 60_000)).toBe(true); // a lease on a listed key adds nothing
    clock.t += 1_000; // the 1 s entry expires by the injected clock, still on disk
    expect([...(await store.listKeys(100))].sort()).toEqual([app, contact, identity].sort());
    const one = await store.listKeys(1);
    expect(one).toHaveLength(1);
    expect([app, contact, identity]).toContain(one[0]);
    expect(await store.listKeys(0)).toEqual([]);
  });

  it("lists what another instance on the same path wrote or deleted, and nothing for a missing file", async () => {
    const { store, open, path } = setup();
    const other = open();
    expect(await other.listKeys(10)).toEqual([]);
    await store.set(identity, "record", 60_000);
    await store.set(app, "record", 60_000);
    expect([...(await other.listKeys(10))].sort()).toEqual([app, identity].sort());
    await store.delete(app);
    expect(await other.listKeys(10)).toEqual([identity]);
    await rm(path);
    expect(await other.listKeys(10)).toEqual([]);
  });

  it("lists only the well-formed records of a damaged file, without failing", async () => {
    const { store, path, clock } = setup();
    await mkdir(dirname(path), { recursive: true });
    const entries = { [identity]: { value: "record", expiresAt: clock.t + 60_000 }, [app]: { value: 42, expiresAt: clock.t + 60_000 } };
    await writeFile(path, JSON.stringify({ v: 1, entries, leases: {} }));
    expect(await store.listKeys(10)).toEqual([identity]);
    await writeFile(path, "{ not json");
    expect(await store.listKeys(10)).toEqual([]);
  });
});

describe("FileStore: files on disk", () => {
  it("writes atomically: the file always parses, and no temp file is left behind", async () => {
    const { store, path } = setup();
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        try {
          expect(JSON.parse(await readFile(path, "utf8")).v).toBe(1);
          reads++;
        } catch (error) {
          if ((error as { code?: string }).code !== "ENOENT") throw error;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.set(`key-${i}`, "x".repeat(i * 50), 60_000)));
    writing = false;
    await reader;

    expect(reads).toBeGreaterThan(0);
    expect(Object.keys((await readEnvelope(path)).entries)).toHaveLength(100);
    expect(await readdir(dirname(path))).toEqual(["guard.json"]);
  });

  posixOnly("creates the state file, the key file and a missing directory privately (0600, 0700)", async () => {
    const { store, path } = setup();
    await store.set("a", "one", 60_000);
    await store.fingerprintSecret();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(`${path}.key`)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
  });

  posixOnly("makes a pre-existing state file 0600 on the next write", async () => {
    const { store, path } = setup();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify({ v: 1, entries: {}, leases: {} }), { mode: 0o644 });
    await store.set("a", "one", 60_000);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("removes the temp files and lock a crashed writer left behind, and nothing else", async () => {
    const { store, path } = setup({ lockStaleMs: 1_000 });
    await mkdir(dirname(path), { recursive: true });
    // A process killed inside a write leaves its temp file and its lock; one killed while
    // creating the key file, or while moving a stale lock aside, leaves those temp files.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const leftover of [`${path}.lock`, `${path}.0123456789ab.tmp`, `${path}.key.ba9876543210.tmp`, `${path}.lock.00112233aabb.stale`]) {
      await writeFile(leftover, "partial");
      await utimes(leftover, anHourAgo, anHourAgo);
    }
    // Not ours, or not old enough to be abandoned (a live writer's).
    const kept = ["guard.json.bak", "other.json.0123456789ab.tmp", "guard.json.fedcba987654.tmp"];
    for (const name of kept.slice(0, 2)) {
      await writeFile(join(dirname(path), name), "x");
      await utimes(join(dirname(path), name), anHourAgo, anHourAgo);
    }
    await writeFile(join(dirname(path), kept[2]!), "x");

    await store.set("a", "one", 60_000);
    expect((await readdir(dirname(path))).sort()).toEqual(["guard.json", ...kept].sort());
  });

  it("removes a crashed writer's temp file on the next write that breaks its lock, however recent the last clean-up", async () => {
    const { store, path } = setup({ lockStaleMs: 1_000 });
    await store.set("a", "one", 60_000);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const leftover of [`${path}.lock`, `${path}.0123456789ab.tmp`]) {
      await writeFile(leftover, "partial");
      await utimes(leftover, anHourAgo, anHourAgo);
    }
    await store.set("b", "two", 60_000);
    expect(await readdir(dirname(path))).toEqual(["guard.json"]);
  });

  posixOnly("makes a key file that others can read 0600, keeps its secret, and reports it", async () => {
    const { store, events, path, open } = setup();
    await mkdir(dirname(path), { recursive: true });
    const secret = Buffer.alloc(32, 7);
    await writeFile(`${path}.key`, JSON.stringify({ v: 1, secret: secret.toString("base64") }));
    await chmod(`${path}.key`, 0o644);

    expect(Buffer.from(await store.fingerprintSecret())).toEqual(secret);
    expect((await stat(`${path}.key`)).mode & 0o777).toBe(0o600);
    expect(events).toEqual([{ type: "store_key_exposed", path: `${path}.key`, mode: 0o644 }]);
    expect(Buffer.from(await open().fingerprintSecret())).toEqual(secret);
    expect(events).toHaveLength(1);
  });

  it("rejects with an error naming the path when the file system refuses", async () => {
    const blocker = join(dir, "not-a-directory");
    await writeFile(blocker, "");
    const path = join(blocker, "guard.json");
    const store = new FileStore({ path });
    for (const call of [() => store.set("a", "one", 1_000), () => store.get("a"), () => store.fingerprintSecret()]) {
      const error: unknown = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FileStoreError);
      expect(isFileStoreError(error)).toBe(true);
      expect((error as FileStoreError).kind).toBe("io");
      expect(["ENOTDIR", "EEXIST"]).toContain((error as FileStoreError).code);
      expect((error as Error).message).toContain(path);
    }
  });

  it("rejects reads naming the path when the path is a directory", async () => {
    const path = join(dir, "a-directory");
    await mkdir(path);
    await expect(new FileStore({ path }).get("a")).rejects.toThrow(path);
  });
});

describe("FileStore: corrupt state files", () => {
  const cases: Array<{ name: string; content: string; reason: string }> = [
    { name: "garbage bytes", content: "\u0000\u00ff garbage {", reason: "unparseable" },
    { name: "truncated JSON", content: '{"v":1,"entries":{"a":{"value":"x","expi', reason: "unparseable" },
    { name: "an empty file", content: "", reason: "unparseable" },
    { name: "valid JSON of another version", content: '{"v":2,"entries":{"a":{"value":"x","expiresAt":9e15}}}', reason: "unsupported_version" },
    { name: "valid JSON without a version", content: '{"entries":{"a":{"value":"x","expiresAt":9e15}}}', reason: "unsupported_version" },
    { name: "a JSON array", content: "[1,2,3]", reason: "invalid_envelope" },
    { name: "JSON null", content: "null", reason: "invalid_envelope" },
    { name: "entries of the wrong type", content: '{"v":1,"entries":[{"value":"x"}],"leases":{}}', reason: "invalid_envelope" },
    { name: "leases of the wrong type", content: '{"v":1,"entries":{},"leases":"none"}', reason: "invalid_envelope" },
  ];

  it.each(cases)("starts clean from $name, reports it once, and replaces it on the next write", async ({ content, reason }) => {
    const { store, events, path, open } = setup();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);

    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("a")).toBeUndefined();
    expect(events).toEqual([{ type: "store_corrupt", file: "state", path, reason, detail: expect.any(String) }]);

    await store.set("b", "two", 60_000);
    expect(await readEnvelope(path)).toMatchObject({ v: 1, entries: { b: { value: "two" } } });
    expect(await open().get("b")).toBe("two");
    expect(events).toHaveLength(1);
  });

  it("drops records of the wrong shape one by one and keeps the rest", async () => {
    const { store, events, path } = setup();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(
      path,
      JSON.stringify({
        v: 1,
        entries: {
          good: { value: "kept", expiresAt: 9e15 },
          numeric: { value: 42, expiresAt: 9e15 },
          noExpiry: { value: "x" },
          stringExpiry: { value: "x", expiresAt: "soon" },
          scalar: "x",
          nullRecord: null,
        },
        leases: {
          held: { holder: "someone", expiresAt: 9e15 },
          nameless: { expiresAt: 9e15 },
        },
      }),
    );
    expect(await store.get("good")).toBe("kept");
    expect(await store.get("numeric")).toBeUndefined();
    expect(await store.acquireLease("held", "me", 1_000)).toBe(false);
    expect(await store.acquireLease("nameless", "me", 1_000)).toBe(true);
    expect(events).toEqual([
      { type: "store_corrupt", file: "state", path, reason: "invalid_records", detail: "dropped 6 of 8 records with the wrong shape" },
    ]);
    const written = await readEnvelope(path);
    expect(Object.keys(written.entries)).toEqual(["good"]);
  });

  it("never lets a throwing event listener break the store", async () => {
    const { path } = setup();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, "garbage");
    const store = new FileStore({
      path,
      onEvent: () => {
        throw new Error("listener bug");
      },
    });
    expect(await store.get("a")).toBeUndefined();
    await store.set("a", "one", 60_000);
    expect(await store.get("a")).toBe("one");
  });
});

describe("FileStore: leases", () => {
  it("grants exactly one of 50 concurrent acquireLease calls", async () => {
    const { store } = setup();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.acquireLease("probe", `holder-${i}`, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("grants exactly one across several instances on the same path in one process", async () => {
    const { open } = setup();
    const stores = Array.from({ length: 5 }, () => open());
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => stores[i % stores.length]!.acquireLease("probe", `holder-${i}`, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("lets another holder in once the lease expires by the injected clock", async () => {
    const { store, clock } = setup();
    expect(await store.acquireLease("probe", "first", 1_000)).toBe(true);
    clock.t += 999;
    expect(await store.acquireLease("probe", "second", 1_000)).toBe(false);
    clock.t += 1;
    expect(await store.acquireLease("probe", "second", 1_000)).toBe(true);
  });

  it("ignores releaseLease by a non-holder and frees the lease for its holder", async () => {
    const { store } = setup();
    expect(await store.acquireLease("probe", "first", 60_000)).toBe(true);
    await store.releaseLease("probe", "intruder");
    expect(await store.acquireLease("probe", "second", 60_000)).toBe(false);
    await store.releaseLease("probe", "first");
    expect(await store.acquireLease("probe", "second", 60_000)).toBe(true);
  });

  it("is not re-entrant: the holder itself cannot take it twice", async () => {
    const { store } = setup();
    expect(await store.acquireLease("probe", "first", 60_000)).toBe(true);
    expect(await store.acquireLease("probe", "first", 60_000)).toBe(false);
  });

  it("keeps leases and values in separate namespaces", async () => {
    const { store } = setup();
    await store.set("k", "value", 60_000);
    expect(await store.acquireLease("k", "me", 60_000)).toBe(true);
    await store.releaseLease("k", "me");
    expect(await store.get("k")).toBe("value");
  });

  it("drops the lease on a key when the key is deleted, as MemoryStore, RedisStore and LocalStorageStore do", async () => {
    // The engine's reset() clears a probe lease with delete(`l:<identity>`).
    const { store, open, path } = setup();
    await store.set("k", "value", 60_000);
    expect(await store.acquireLease("k", "prober", 60_000)).toBe(true);
    expect(await store.acquireLease("l:abc", "prober", 60_000)).toBe(true);
    await store.delete("k");
    await store.delete("l:abc");
    expect(await readEnvelope(path)).toMatchObject({ entries: {}, leases: {} });
    expect(await store.get("k")).toBeUndefined();
    expect(await open().acquireLease("l:abc", "another process", 60_000)).toBe(true);
    expect(await store.acquireLease("k", "another holder", 60_000)).toBe(true);
  });

  it("never evicts a live lease for maxEntries: a new lease is refused until one is released or expires", async () => {
    const { store, open, clock, path } = setup({ maxEntries: 2 });
    expect(await store.acquireLease("a", "first", 1_000)).toBe(true);
    expect(await store.acquireLease("b", "first", 60_000)).toBe(true);
    expect(await store.acquireLease("c", "first", 60_000)).toBe(false);
    // "a" expires soonest, yet it is still held: nobody else may take it.
    expect(await open().acquireLease("a", "second", 1_000)).toBe(false);
    expect(Object.keys((await readEnvelope(path)).leases).sort()).toEqual(["a", "b"]);

    await store.releaseLease("b", "first");
    expect(await store.acquireLease("c", "first", 60_000)).toBe(true);
    clock.t += 1_000; // "a" has expired: it makes room first
    expect(await store.acquireLease("d", "first", 60_000)).toBe(true);
    expect(Object.keys((await readEnvelope(path)).leases).sort()).toEqual(["c", "d"]);
  });

  it("keeps every live lease when another instance with a smaller maxEntries writes", async () => {
    const { open, path } = setup();
    const roomy = open({ maxEntries: 10 });
    for (const key of ["a", "b", "c", "d"]) expect(await roomy.acquireLease(key, "roomy", 60_000)).toBe(true);
    const tight = open({ maxEntries: 2 });
    await tight.set("value", "x", 60_000);
    expect(Object.keys((await readEnvelope(path)).leases).sort()).toEqual(["a", "b", "c", "d"]);
    for (const key of ["a", "b", "c", "d"]) expect(await tight.acquireLease(key, "tight", 60_000)).toBe(false);
  });
});

describe("FileStore: the lock file", () => {
  it("removes a stale lock left by a crashed process, and reports it", async () => {
    const { store, events, path } = setup({ lockStaleMs: 1_000 });
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 999_999, token: "crashed", acquiredAt: 0 }));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(`${path}.lock`, anHourAgo, anHourAgo);

    await store.set("a", "one", 60_000);
    expect(await store.get("a")).toBe("one");
    expect(events).toEqual([{ type: "store_lock_broken", path: `${path}.lock`, ageMs: expect.any(Number) }]);
    expect(await readdir(dirname(path))).toEqual(["guard.json"]);
  });

  it("gives up after lockTimeoutMs while another process holds the lock, leaving the file untouched", async () => {
    const { store, path } = setup({ lockTimeoutMs: 50 });
    await store.set("a", "one", 60_000);
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 1, token: "busy", acquiredAt: Date.now() }));

    const error: unknown = await store.set("a", "two", 60_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isFileStoreError(error) && error.kind).toBe("lock_timeout");
    expect((error as Error).message).toContain(`${path}.lock`);
    expect(await store.get("a")).toBe("one");
    expect(await readFile(`${path}.lock`, "utf8")).toContain("busy");
  });

  it("keeps working for later calls after one failed", async () => {
    const { store, path } = setup({ lockTimeoutMs: 50 });
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.lock`, "{}");
    await expect(store.acquireLease("probe", "me", 1_000)).rejects.toThrow(FileStoreError);
    await rm(`${path}.lock`);
    expect(await store.acquireLease("probe", "me", 1_000)).toBe(true);
  });
});

describe("FileStore: fingerprint secret", () => {
  it("is 32 bytes, stable across instances and restarts, and handed out as a copy", async () => {
    const { store, open } = setup();
    const first = await store.fingerprintSecret();
    expect(first).toBeInstanceOf(Uint8Array);
    expect(first).toHaveLength(32);
    first.fill(0);
    const again = await store.fingerprintSecret();
    expect(again.some((byte) => byte !== 0)).toBe(true);
    expect(await open().fingerprintSecret()).toEqual(again);
  });

  it("agrees on one secret when instances race to create it", async () => {
    const { open } = setup();
    const secrets = await Promise.all(Array.from({ length: 10 }, () => open().fingerprintSecret()));
    for (const secret of secrets) expect(secret).toEqual(secrets[0]);
  });

  const corruptKeys = [
    { name: "garbage", content: "garbage", reason: "unparseable" },
    { name: "a short secret", content: JSON.stringify({ v: 1, secret: Buffer.alloc(16).toString("base64") }), reason: "invalid_envelope" },
    { name: "another version", content: JSON.stringify({ v: 2, secret: Buffer.alloc(32).toString("base64") }), reason: "unsupported_version" },
  ];

  it.each(corruptKeys)("replaces a key file holding $name with a new secret, and reports it", async ({ content, reason }) => {
    const { store, events, path, open } = setup();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.key`, content, { mode: 0o600 });

    const secret = await store.fingerprintSecret();
    expect(secret).toHaveLength(32);
    expect(events).toEqual([{ type: "store_corrupt", file: "key", path: `${path}.key`, reason, detail: expect.any(String) }]);
    expect(await open().fingerprintSecret()).toEqual(secret);
    expect(events).toHaveLength(1);
  });

  it("agrees on one replacement when instances race to repair a corrupt key file", async () => {
    const { events, path, open } = setup();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.key`, "garbage", { mode: 0o600 });
    const secrets = await Promise.all(Array.from({ length: 10 }, () => open().fingerprintSecret()));
    for (const secret of secrets) expect(secret).toEqual(secrets[0]);
    expect(events).toHaveLength(1);
  });
});

describe("FileStore: arguments", () => {
  const { store } = { store: new FileStore({ path: join(tmpdir(), "msal-guard-never-written.json") }) };
  const bad: Array<[string, () => Promise<unknown>, RegExp]> = [
    ["get with a numeric key", () => store.get(1 as never), /FileStore\.get: key must be a string, got 1/],
    ["set with an undefined key", () => store.set(undefined as never, "v", 1), /FileStore\.set: key must be a string, got undefined/],
    ["set with a non-string value", () => store.set("k", { a: 1 } as never, 1), /value must be a string, got object/],
    ["set with a negative ttl", () => store.set("k", "v", -1), /ttlMs must be a finite number of milliseconds, 0 or more, got -1/],
    ["set with a NaN ttl", () => store.set("k", "v", Number.NaN), /got NaN/],
    ["set with an infinite ttl", () => store.set("k", "v", Number.POSITIVE_INFINITY), /got Infinity/],
    ["set with a string ttl", () => store.set("k", "v", "1000" as never), /ttlMs must be .* got a string/],
    ["delete with a null key", () => store.delete(null as never), /FileStore\.delete: key must be a string, got null/],
    ["acquireLease with a numeric holder", () => store.acquireLease("k", 7 as never, 1), /holder must be a string, got 7/],
    ["acquireLease with a negative ttl", () => store.acquireLease("k", "me", -5), /FileStore\.acquireLease: ttlMs/],
    ["releaseLease without a holder", () => store.releaseLease("k", undefined as never), /holder must be a string/],
  ];

  it.each(bad)("rejects %s with a TypeError", async (_, call, message) => {
    const error: unknown = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  const badOptions: Array<[string, unknown, RegExp]> = [
    ["no options", undefined, /pass an options object/],
    ["a missing path", {}, /options\.path must be a non-empty file path .* got undefined/],
    ["an empty path", { path: "" }, /got an empty string/],
    ["a numeric path", { path: 5 }, /got 5/],
    ["a path with a NUL", { path: "a\0b" }, /NUL/],
    ["a clock without now", { path: "x", clock: {} }, /options\.clock must be an object with a now\(\) method/],
    ["a non-function onEvent", { path: "x", onEvent: "log" }, /options\.onEvent must be a function/],
    ["maxEntries of 0", { path: "x", maxEntries: 0 }, /options\.maxEntries must be a positive integer, got 0/],
    ["fractional maxEntries", { path: "x", maxEntries: 1.5 }, /got 1\.5/],
    ["a negative lockStaleMs", { path: "x", lockStaleMs: -1 }, /options\.lockStaleMs must be a positive number of milliseconds/],
    ["a NaN lockTimeoutMs", { path: "x", lockTimeoutMs: Number.NaN }, /options\.lockTimeoutMs .* got NaN/],
  ];

  it.each(badOptions)("refuses to construct with %s", (_, options, message) => {
    expect(() => new FileStore(options as FileStoreOptions)).toThrow(TypeError);
    expect(() => new FileStore(options as FileStoreOptions)).toThrow(message);
  });

  it.each(["maxEntry", "lockTimeout", "Path"])("refuses the unknown option %s, naming it and the known ones", (key) => {
    const options = { path: "x", [key]: 5 } as unknown as FileStoreOptions;
    expect(() => new FileStore(options)).toThrow(TypeError);
    expect(() => new FileStore(options)).toThrow(
      `msal-guard: FileStore: unknown option "${key}". Known options: path, clock, onEvent, maxEntries, lockStaleMs, lockTimeoutMs.`,
    );
  });

  it("resolves a relative path against the working directory", () => {
    expect(new FileStore({ path: "relative/guard.json" }).path).toBe(join(process.cwd(), "relative", "guard.json"));
  });
});

describe("FileStore: across processes", () => {
  const fixture = fileURLToPath(new URL("./fixtures/contender.ts", import.meta.url));
  const root = fileURLToPath(new URL("../../../", import.meta.url));

  /** Starts `count` contender processes, releases them together, and returns their results. */
  async function race(task: "lease" | "sets" | "secret", path: string, count = 8): Promise<unknown[]> {
    const children = Array.from({ length: count }, (_, id) => {
      const child = spawn(process.execPath, ["--import", "tsx", fixture, task, path, String(id)], {
        cwd: root,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on("data", () => stdout.includes("ready\n") && resolve());
        child.once("exit", () => reject(new Error(`contender ${id} exited early: ${stderr}`)));
      });
      const done = new Promise<unknown>((resolve, reject) => {
        child.once("exit", (code) => {
          const line = stdout.trim().split("\n").at(-1) ?? "";
          try {
            const parsed = JSON.parse(line) as { result?: unknown; error?: string };
            if (code === 0 && !("error" in parsed)) resolve(parsed.result);
            else reject(new Error(`contender ${id} failed (${code}): ${parsed.error ?? ""} ${stderr}`));
          } catch {
            reject(new Error(`contender ${id} printed ${JSON.stringify(stdout)} (${code}): ${stderr}`));
          }
        });
      });
      return { child, ready, done };
    });
    try {
      await Promise.all(children.map((c) => c.ready));
      for (const { child } of children) child.stdin.end("go\n");
      return await Promise.all(children.map((c) => c.done));
    } finally {
      for (const { child } of children) if (child.exitCode === null) child.kill();
    }
  }

  it("grants the lease to exactly one of 8 processes racing for it", async () => {
    const { path, store } = setup();
    const results = await race("lease", path);
    expect(results.filter((r) => r === true)).toHaveLength(1);
    expect(results.filter((r) => r === false)).toHaveLength(7);
    expect(await store.acquireLease("probe", "parent", 60_000)).toBe(false);
  });

  it("loses no update when 8 processes write at once", async () => {
    const { path, store } = setup();
    await race("sets", path);
    const entries = (await readEnvelope(path)).entries;
    expect(Object.keys(entries)).toHaveLength(8 * 20);
    expect(await store.get("key-3-19")).toBe("value-3-19");
    expect((await readdir(dirname(path))).sort()).toEqual(["guard.json"]);
  });

  it("agrees on one fingerprint secret across 8 processes creating it at once", async () => {
    const { path, store } = setup();
    const results = await race("secret", path);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(await store.fingerprintSecret()).toString("hex")).toBe(results[0]);
  });
});
