// What one process learns or clears while the shared store is unreachable: kept in its
// memory, and written to the store once it answers again, so neither that process nor its
// peers act on the store's older state.
import { describe, expect, it } from "vitest";
import { createSuppressionEngine, isMsalGuardError, MemoryStore, type GuardClock, type GuardStore } from "../../src/index.js";

const START = 1_800_000_000_000;
const LOCKED = { error: "invalid_grant", error_codes: [50053] };
const IDENTITY = { authority: "https://login.example/contoso", clientId: "app", user: "ada@contoso.test" };

/** A shared store that can be taken down: every operation then rejects, as a dead Redis does. */
function switchableStore(now: () => number): GuardStore & { down: boolean; inner: MemoryStore } {
  const inner = new MemoryStore({ now });
  const store = {
    down: false,
    inner,
    get: (key: string) => (store.down ? Promise.reject(new Error("down")) : inner.get(key)),
    set: (key: string, value: string, ttlMs: number) => (store.down ? Promise.reject(new Error("down")) : inner.set(key, value, ttlMs)),
    delete: (key: string) => (store.down ? Promise.reject(new Error("down")) : inner.delete(key)),
    acquireLease: (key: string, holder: string, ttlMs: number) => (store.down ? Promise.reject(new Error("down")) : inner.acquireLease(key, holder, ttlMs)),
    releaseLease: (key: string, holder: string) => (store.down ? Promise.reject(new Error("down")) : inner.releaseLease(key, holder)),
  };
  return store;
}

function fleet() {
  let now = START;
  const clock: GuardClock = { now: () => now, sleep: async (ms) => void (now += ms), random: () => 0.5 };
  const store = switchableStore(() => now);
  const engine = () => createSuppressionEngine({ store, clock, storeTimeoutMs: 50, onEvent: () => undefined });
  let sent = 0;
  const call = async (on: ReturnType<typeof engine>, answer: "locked" | "ok") => {
    try {
      await on.execute({
        method: "acquireTokenSilent",
        identity: IDENTITY,
        scopes: ["User.Read"],
        silent: true,
        send: async () => {
          sent++;
          if (answer === "locked") throw LOCKED;
          return { accessToken: "at" };
        },
      });
      return "ok";
    } catch (error) {
      return isMsalGuardError(error) ? `${error.kind}${error.suppressed ? "/suppressed" : ""}` : "foreign";
    }
  };
  return { store, engine, call, sent: () => sent, advance: (ms: number) => void (now += ms) };
}

describe("a shared store that was down", () => {
  it("gets the lockout a process learned meanwhile, and every process suppresses", async () => {
    const f = fleet();
    const [a, b] = [f.engine(), f.engine()];
    f.store.down = true;
    expect(await f.call(a, "locked")).toBe("account_locked");
    f.store.down = false;
    expect(await f.call(a, "locked")).toBe("account_locked/suppressed");
    expect(await f.call(b, "locked")).toBe("account_locked/suppressed");
    expect(f.sent()).toBe(1);
  });

  it("gets the reset a process made meanwhile: the cleared lockout stays cleared everywhere", async () => {
    const f = fleet();
    const [a, b] = [f.engine(), f.engine()];
    expect(await f.call(a, "locked")).toBe("account_locked");
    expect(await f.call(b, "locked")).toBe("account_locked/suppressed");
    f.store.down = true;
    await a.reset({ user: IDENTITY.user });
    f.store.down = false;
    expect(await f.call(a, "ok")).toBe("ok");
    expect(await f.call(b, "ok")).toBe("ok");
    expect(f.sent()).toBe(3);
  });

  it("does not bring back what expired meanwhile", async () => {
    const f = fleet();
    const a = f.engine();
    f.store.down = true;
    expect(await f.call(a, "locked")).toBe("account_locked");
    f.store.down = false;
    f.advance(9 * 24 * 60 * 60_000); // past the record's lifetime
    expect(await f.call(a, "ok")).toBe("ok");
    expect(await f.store.inner.get(`i:${await a.identityKeyOf(IDENTITY)}`)).toBeUndefined();
  });
});
