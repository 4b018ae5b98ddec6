import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileExclusive, writeFileAtomic } from "../../../src/node/stores/atomic-file.js";
import { EMPTY_STATE, parseKey, parseState, pruneState, serializeKey, serializeState } from "../../../src/node/stores/file-format.js";
import { acquireFileLock } from "../../../src/node/stores/file-lock.js";
import { isFileStoreError } from "../../../src/node/stores/file-store-error.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "msal-guard-file-primitives-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("state format", () => {
  it("round-trips through serializeState and parseState", () => {
    const state = {
      entries: new Map([["a", { value: "one", expiresAt: 10 }]]),
      leases: new Map([["p", { holder: "me", expiresAt: 20 }]]),
    };
    expect(parseState(serializeState(state))).toEqual({ state, problem: undefined });
  });

  it("reads absent sections as empty", () => {
    expect(parseState('{"v":1}')).toEqual({ state: EMPTY_STATE, problem: undefined });
  });

  it.each([
    ["not JSON", "{", "unparseable"],
    ["a string", '"v1"', "invalid_envelope"],
    ["version 1 as a string", '{"v":"1"}', "unsupported_version"],
    ["version 0", '{"v":0}', "unsupported_version"],
    ["null entries", '{"v":1,"entries":null}', "invalid_envelope"],
  ])("rejects %s", (_, text, reason) => {
    const { state, problem } = parseState(text);
    expect(state).toBe(EMPTY_STATE);
    expect(problem?.reason).toBe(reason);
  });

  it("drops records whose expiry is not a finite number", () => {
    const { state, problem } = parseState('{"v":1,"entries":{"a":{"value":"x","expiresAt":null},"b":{"value":"y","expiresAt":1}}}');
    expect([...state.entries.keys()]).toEqual(["b"]);
    expect(problem).toEqual({ reason: "invalid_records", detail: "dropped 1 of 2 records with the wrong shape" });
  });

  it("prunes expired records and keeps the latest-expiring within the bound, ties by write order", () => {
    const entries = new Map([
      ["expired", { value: "", expiresAt: 100 }],
      ["t1", { value: "", expiresAt: 300 }],
      ["t2", { value: "", expiresAt: 300 }],
      ["late", { value: "", expiresAt: 900 }],
    ]);
    const pruned = pruneState({ entries, leases: new Map() }, 100, 2);
    expect([...pruned.entries.keys()]).toEqual(["t2", "late"]);
  });

  it("drops expired leases but never a live one, whatever the bound", () => {
    const leases = new Map([
      ["expired", { holder: "a", expiresAt: 100 }],
      ["soon", { holder: "b", expiresAt: 101 }],
      ["later", { holder: "c", expiresAt: 500 }],
      ["latest", { holder: "d", expiresAt: 900 }],
    ]);
    const pruned = pruneState({ entries: new Map(), leases }, 100, 1);
    expect([...pruned.leases.keys()]).toEqual(["soon", "later", "latest"]);
  });
});

describe("key format", () => {
  it("round-trips a 32-byte secret", () => {
    const secret = new Uint8Array(32).map((_, i) => i);
    expect(parseKey(serializeKey(secret))).toEqual({ secret });
  });

  it.each([
    ["no secret", '{"v":1}'],
    ["a secret that is not base64", '{"v":1,"secret":"!!not base64!!"}'],
    ["33 bytes", JSON.stringify({ v: 1, secret: Buffer.alloc(33).toString("base64") })],
    ["a numeric secret", '{"v":1,"secret":42}'],
  ])("rejects %s", (_, text) => {
    expect(parseKey(text)).toEqual({ problem: { reason: "invalid_envelope", detail: expect.any(String) } });
  });
});

describe("atomic files", () => {
  it("leaves the target and no temp file behind when the commit is refused", async () => {
    const path = join(dir, "target.json");
    await writeFile(path, "old");
    const error = await rejection(
      writeFileAtomic(path, "new", async () => {
        throw new Error("refused");
      }),
    );
    expect((error as Error).message).toBe("refused");
    expect(await readFile(path, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["target.json"]);
  });

  it("creates a file exclusively, complete, and only once", async () => {
    const path = join(dir, "once");
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createFileExclusive(path, `writer ${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readFile(path, "utf8")).toBe(`writer ${results.indexOf(true)}`);
    expect(await readdir(dir)).toEqual(["once"]);
  });
});

describe("lock file", () => {
  const options = { staleMs: 10_000, timeoutMs: 50 };

  it("excludes a second holder until released", async () => {
    const path = join(dir, "x.lock");
    const first = await acquireFileLock(path, options);
    const error = await rejection(acquireFileLock(path, options));
    expect(isFileStoreError(error) && error.kind).toBe("lock_timeout");
    await first.release();
    const second = await acquireFileLock(path, options);
    await second.assertHeld();
    await second.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("notices when its lock was taken over, and then leaves the new holder's lock alone", async () => {
    const path = join(dir, "x.lock");
    const held = await acquireFileLock(path, options);
    await writeFile(path, JSON.stringify({ token: "someone else" }));
    const error = await rejection(held.assertHeld());
    expect(isFileStoreError(error) && error.kind).toBe("lock_lost");
    await held.release();
    expect(await readFile(path, "utf8")).toContain("someone else");
  });

  it("breaks a stale lock, whether it is very old or dated in the future", async () => {
    const path = join(dir, "x.lock");
    const broken: number[] = [];
    for (const offsetMs of [-3_600_000, 3_600_000]) {
      await writeFile(path, "");
      const when = new Date(Date.now() + offsetMs);
      await utimes(path, when, when);
      const held = await acquireFileLock(path, { staleMs: 10_000, timeoutMs: 5_000, onBroken: (ageMs) => broken.push(ageMs) });
      await held.release();
    }
    expect(broken).toHaveLength(2);
    expect(broken[0]).toBeGreaterThan(3_000_000);
    expect(broken[1]).toBeLessThan(-3_000_000);
    expect(await readdir(dir)).toEqual([]);
  });
});
