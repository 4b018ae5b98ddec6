// status() and reset() in one process see, and clear, what another process recorded in the
// shared store: by key alone, since the store keeps no names.
import { describe, expect, it } from "vitest";
import { createSuppressionEngine, isMsalGuardError, MemoryStore, type GuardClock } from "../../src/index.js";

const START = 1_800_000_000_000;
const LOCKED = { error: "invalid_grant", error_codes: [50053] };
const THROTTLED = { error: "temporarily_unavailable", error_codes: [50196] };
const APP = { authority: "https://login.example/contoso", clientId: "app" };
const ADA = { ...APP, user: "ada@contoso.test" };
const OTHER_APP = { authority: "https://login.example/contoso", clientId: "other-app", user: "grace@contoso.test" };

function fleet() {
  let now = START;
  const clock: GuardClock = { now: () => now, sleep: async (ms) => void (now += ms), random: () => 0.5 };
  const store = new MemoryStore({ now: () => now });
  const engine = () => createSuppressionEngine({ store, clock });
  let sent = 0;
  const call = async (on: ReturnType<typeof engine>, identity: typeof ADA, answer: object | "ok") => {
    try {
      await on.execute({
        method: "acquireTokenSilent",
        identity,
        scopes: ["User.Read"],
        silent: true,
        send: async () => {
          sent++;
          if (answer !== "ok") throw answer;
          return { accessToken: "at" };
        },
      });
      return "ok";
    } catch (error) {
      return isMsalGuardError(error) ? `${error.kind}${error.suppressed ? "/suppressed" : ""}` : "foreign";
    }
  };
  return { engine, call, sent: () => sent };
}

describe("another process's records", () => {
  it("are listed by status(), by key, without names", async () => {
    const f = fleet();
    const [a, b] = [f.engine(), f.engine()];
    expect(await f.call(a, ADA, LOCKED)).toBe("account_locked");
    const { suppressions } = await b.status();
    expect(suppressions).toEqual([
      expect.objectContaining({ scope: "identity", kind: "account_locked", identity: await a.identityKeyOf(ADA), clientId: undefined, authority: undefined, user: undefined }),
    ]);
    // The process that recorded it names them.
    expect((await a.status()).suppressions).toEqual([expect.objectContaining({ identity: await a.identityKeyOf(ADA), clientId: "app", user: "a…@contoso.test" })]);
  });

  it("are cleared by reset() (everything) and by reset for their app, and left by reset for another app", async () => {
    const f = fleet();
    const [a, b] = [f.engine(), f.engine()];
    expect(await f.call(a, ADA, LOCKED)).toBe("account_locked");
    expect(await f.call(a, OTHER_APP, THROTTLED)).toBe("throttled");

    await b.reset({ authority: APP.authority, clientId: "unrelated-app" });
    expect((await b.status()).suppressions.map((s) => s.kind).sort()).toEqual(["account_locked", "throttled"]);

    await b.reset({ authority: APP.authority, clientId: APP.clientId });
    expect((await b.status()).suppressions.map((s) => s.kind)).toEqual(["throttled"]);
    expect(await f.call(a, ADA, "ok")).toBe("ok"); // the lockout is gone for the process that recorded it too

    await b.reset();
    expect((await b.status()).suppressions).toEqual([]);
    expect(await f.call(a, OTHER_APP, "ok")).toBe("ok");
  });
});

describe("status() over many records", () => {
  it("reads them several at a time (at most 32), not one after another, and lists every one", async () => {
    let now = START;
    const clock: GuardClock = { now: () => now, sleep: async (ms) => void (now += ms), random: () => 0.5 };
    const memory = new MemoryStore({ now: () => now });
    let reading = 0;
    let mostAtOnce = 0;
    // The same store, with each read taking a moment: as a store across a network would.
    const slowReads = {
      get: async (key: string) => {
        mostAtOnce = Math.max(mostAtOnce, ++reading);
        await new Promise((resolve) => setTimeout(resolve, 1));
        reading--;
        return memory.get(key);
      },
      set: (key: string, value: string, ttlMs: number) => memory.set(key, value, ttlMs),
      delete: (key: string) => memory.delete(key),
      acquireLease: (key: string, holder: string, ttlMs: number) => memory.acquireLease(key, holder, ttlMs),
      releaseLease: (key: string, holder: string) => memory.releaseLease(key, holder),
      listKeys: (limit: number) => memory.listKeys(limit),
    };
    const recorder = createSuppressionEngine({ store: memory, clock });
    const users = Array.from({ length: 120 }, (_, i) => ({ ...APP, user: `user-${i}@contoso.test` }));
    for (const identity of users) {
      await recorder
        .execute({ method: "acquireTokenSilent", identity, scopes: ["User.Read"], silent: true, send: () => Promise.reject(LOCKED) })
        .catch(() => undefined);
    }
    const operator = createSuppressionEngine({ store: slowReads, clock });
    const { suppressions } = await operator.status();
    expect(suppressions).toHaveLength(120);
    expect(new Set(suppressions.map((s) => s.identity))).toEqual(new Set(await Promise.all(users.map((u) => recorder.identityKeyOf(u)))));
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(32);
  });
});
