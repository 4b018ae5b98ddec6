// The first-contact gate: calls that always send their credential (the password grant),
// for an identity nothing is recorded for, make one request between them and wait for its
// answer. Time is a fake clock: sleeping waits until the test advances it, so polls, leases
// and windows are exact; the token service is a list of pending sends the test answers.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { createSuppressionEngine, isMsalGuardError, MemoryStore, type GuardClock, type GuardEvent, type GuardStore, type SuppressionEngine } from "../../src/index.js";

const START = 1_800_000_000_000;
const POLL_MS = 250;
const LEASE_MS = 30_000;
const LOCKED = { error: "invalid_grant", error_codes: [50053] };
const WRONG_PASSWORD = { error: "invalid_grant", error_codes: [50126] };
const UNAVAILABLE = { error: "temporarily_unavailable", error_codes: [90033] };
const MFA = { error: "invalid_grant", error_codes: [50076], suberror: "basic_action" };

/** Simulated time shared by every engine of a test; each engine gets its own random source (its process id). */
class FakeTime {
  now = START;
  readonly #timers: { at: number; wake: () => void }[] = [];

  /** Calls currently asleep. */
  get sleepers(): number {
    return this.#timers.length;
  }

  clock(seed: number): GuardClock {
    let state = seed;
    return {
      now: () => this.now,
      sleep: (ms, signal) =>
        new Promise<void>((wake, fail) => {
          const timer = { at: this.now + ms, wake };
          this.#timers.push(timer);
          signal?.addEventListener("abort", () => {
            const at = this.#timers.indexOf(timer);
            if (at >= 0) this.#timers.splice(at, 1);
            fail(signal.reason);
          });
        }),
      random: () => {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        return state / 2 ** 31;
      },
    };
  }

  /**
   * Moves time forward, waking sleepers in time order, each batch at its own instant, and
   * lets the woken calls run (they touch only memory: no real I/O) before moving on.
   */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const next = Math.min(...this.#timers.map((t) => t.at));
      if (!(next <= end)) break;
      this.now = next;
      const due = this.#timers.filter((t) => t.at === next);
      for (const timer of due) this.#timers.splice(this.#timers.indexOf(timer), 1);
      for (const timer of due) timer.wake();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.now = end;
  }
}

interface Send {
  readonly engine: number;
  readonly scope: string;
  answer(result: unknown): void;
  fail(error: unknown): void;
}

interface Outcome {
  state: "pending" | "ok" | "failed";
  value?: unknown;
  error?: unknown;
}

interface CallOptions {
  /** Sets `alwaysSendsCredential` (the password grant). @default true */
  readonly gated?: boolean;
  readonly user?: string | undefined;
  readonly password?: string;
}

/**
 * `engines` engines (processes), on one fake time. With `store: "memory"` they share one
 * MemoryStore (on the fake time), with `"announcing"` one that also announces its changes
 * (see {@link announcingStore}), else each keeps its own state; or any store given.
 * Engines sharing a store share a fingerprint secret, as a fleet should (MemoryStore has none
 * to offer): a password one rejected is recognised by the other.
 */
function harness(o: { readonly engines?: number; readonly store?: "memory" | "announcing" | GuardStore } = {}) {
  const time = new FakeTime();
  const events: GuardEvent[] = [];
  const memory = () => new MemoryStore({ now: () => time.now });
  const shared = o.store === "memory" ? memory() : o.store === "announcing" ? announcingStore(memory()) : o.store;
  const engines: SuppressionEngine[] = Array.from({ length: o.engines ?? 1 }, (_, i) =>
    createSuppressionEngine({
      clock: time.clock(1 + i * 7_919),
      onEvent: (e) => events.push(e),
      ...(shared === undefined ? {} : { store: shared, fingerprintSecret: "one-secret-for-the-fleet" }),
    }),
  );
  const sends: Send[] = [];
  let sequence = 0;

  /** One call on engine `i % engines` with scope set `scope-<n>` (distinct calls: no single flight between them). */
  function call(i: number, options: CallOptions = {}): Outcome {
    const outcome: Outcome = { state: "pending" };
    const engine = i % engines.length;
    const scope = `scope-${sequence++}`;
    engines[engine]!.execute({
      method: "acquireTokenByUsernamePassword",
      identity: { authority: "https://login.example/contoso", clientId: "app", user: "user" in options ? options.user : "ada@contoso.test" },
      scopes: [scope],
      silent: false,
      credential: options.password ?? "Correct-Horse-7",
      sendsUserCredential: true,
      alwaysSendsCredential: options.gated ?? true,
      send: () => new Promise((resolve, reject) => sends.push({ engine, scope, answer: resolve, fail: reject })),
    }).then(
      (value) => Object.assign(outcome, { state: "ok", value }),
      (error: unknown) => Object.assign(outcome, { state: "failed", error }),
    );
    return outcome;
  }

  const counts = async () => {
    const all = await Promise.all(engines.map((e) => e.status()));
    return { firstContacts: all.reduce((n, s) => n + s.counts.firstContacts, 0), contactWaits: all.reduce((n, s) => n + s.counts.contactWaits, 0) };
  };
  return { time, events, engines, sends, call, counts, shared };
}

/** Waits (in real time, briefly) until the calls have done all they can without time moving or an answer: `sent` requests out, `asleep` calls waiting. */
async function quiet(h: ReturnType<typeof harness>, sent: number, asleep: number): Promise<void> {
  await vi.waitFor(() => {
    expect(h.sends.length).toBe(sent);
    expect(h.time.sleepers).toBe(asleep);
  });
  // Nothing more happens without an answer or time moving on.
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(h.sends.length).toBe(sent);
  expect(h.time.sleepers).toBe(asleep);
}

const settled = (outcomes: readonly Outcome[]) => vi.waitFor(() => expect(outcomes.filter((o) => o.state === "pending")).toEqual([]));

const kindOf = (o: Outcome) => (o.state === "ok" ? "ok" : isMsalGuardError(o.error) ? `${o.error.kind}${o.error.suppressed ? "/suppressed" : ""}` : `foreign: ${String(o.error)}`);

function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const o of outcomes) result[kindOf(o)] = (result[kindOf(o)] ?? 0) + 1;
  return result;
}

// Waiters in the first contact's own process wake at its answer; waiters in other processes
// read the store at their next poll (a MemoryStore announces nothing across engines).
// `near`: the 9 waiters in the process of call 0 (the first contact); `far`: the others.
// `nearAfterTakeover`: waiters left in the process of the call that takes over after a 5xx.
const PROCESSES = [
  { processes: "one process", options: {}, near: 9, far: 0, nearAfterTakeover: 8 },
  { processes: "two processes sharing one MemoryStore", options: { engines: 2, store: "memory" }, near: 4, far: 5, nearAfterTakeover: 3 },
] as const;

describe("first contact: 10 concurrent password-grant calls for an identity nothing is recorded for", () => {
  const answered = [
    { answer: "a lockout (50053)", failure: LOCKED, expected: { account_locked: 1, "account_locked/suppressed": 9 }, reason: "account_locked" },
    { answer: "a rejected password (50126)", failure: WRONG_PASSWORD, expected: { invalid_credentials: 1, "invalid_credentials/suppressed": 9 }, reason: "rejected_credential" },
  ];
  for (const { processes, options, near, far, nearAfterTakeover } of PROCESSES) {
    for (const { answer, failure, expected, reason } of answered) {
      it(`${processes}: the first contact is answered with ${answer}: 1 request, the other 9 suppressed without one`, async () => {
        const h = harness(options);
        const calls = Array.from({ length: 10 }, (_, i) => h.call(i));
        await quiet(h, 1, 9);
        h.sends[0]!.fail(failure);
        // Its own process's waiters read the answer's record at once, with no time passing.
        await vi.waitFor(() => expect(calls.filter((c) => c.state !== "pending")).toHaveLength(1 + near));
        await quiet(h, 1, far);

        await h.time.advance(POLL_MS); // the other waiters look again, and read the record
        await settled(calls);
        expect(h.sends).toHaveLength(1);
        expect(tally(calls)).toEqual(expected);
        for (const c of calls.filter((c) => kindOf(c).endsWith("/suppressed"))) {
          // Exactly what a call refused by the record would get: its window, nothing sent.
          expect(c.error).toMatchObject({ suppressed: true, retryAt: expect.any(Number) });
          expect((c.error as { retryAt: number }).retryAt).toBeGreaterThan(START);
        }
        expect(await h.counts()).toEqual({ firstContacts: 1, contactWaits: 9 });
        const suppressed = h.events.filter((e) => e.type === "suppressed");
        expect(suppressed).toHaveLength(9);
        expect(suppressed.every((e) => e.type === "suppressed" && e.reason === reason)).toBe(true);
      });
    }

    it(`${processes}: the first contact succeeds: the other 9 then go at once, 10 requests, 10 tokens`, async () => {
      const h = harness(options);
      const calls = Array.from({ length: 10 }, (_, i) => h.call(i));
      await quiet(h, 1, 9);
      h.sends[0]!.answer({ accessToken: "first" });
      await vi.waitFor(() => expect(calls.filter((c) => c.state === "ok")).toHaveLength(1));
      await quiet(h, 1 + near, far); // its own process's waiters go at once

      await h.time.advance(POLL_MS);
      // All 9 in flight together, none waiting for another's answer.
      await quiet(h, 10, 0);
      expect(calls.filter((c) => c.state === "pending")).toHaveLength(9);
      for (const send of h.sends.slice(1)) send.answer({ accessToken: send.scope });
      await settled(calls);
      expect(tally(calls)).toEqual({ ok: 10 });
      expect(await h.counts()).toEqual({ firstContacts: 1, contactWaits: 9 });

      // The first contact is marked made: more calls go at once, without waiting.
      const more = Array.from({ length: 5 }, (_, i) => h.call(i));
      await quiet(h, 15, 0);
      for (const send of h.sends.slice(10)) send.answer({ accessToken: send.scope });
      await settled(more);
      expect(await h.counts()).toEqual({ firstContacts: 1, contactWaits: 9 });
    });

    it(`${processes}: the first contact fails without an answer (a 5xx): one other call takes over, and nobody is stuck`, async () => {
      const h = harness(options);
      const calls = Array.from({ length: 10 }, (_, i) => h.call(i));
      await quiet(h, 1, 9);
      h.sends[0]!.fail(UNAVAILABLE);
      await vi.waitFor(() => expect(calls.filter((c) => c.state !== "pending").map(kindOf)).toEqual(["transient"]));

      // The lease given back wakes its process's waiters: nothing recorded, no contact made,
      // the lease free: one of them takes it over at once, the rest wait again.
      await quiet(h, 2, 8);
      expect(await h.counts()).toEqual({ firstContacts: 2, contactWaits: 9 });
      h.sends[1]!.answer({ accessToken: "second" });
      await quiet(h, 2 + nearAfterTakeover, 8 - nearAfterTakeover); // its process's waiters go at once

      await h.time.advance(POLL_MS); // the others read the contact made, and go
      await quiet(h, 10, 0);
      for (const send of h.sends.slice(2)) send.answer({ accessToken: send.scope });
      await settled(calls);
      expect(tally(calls)).toEqual({ transient: 1, ok: 9 });
      expect(await h.counts()).toEqual({ firstContacts: 2, contactWaits: 9 });
    });

    it(`${processes}: an answer that records nothing (MFA required) lets the other 9 go at once`, async () => {
      const h = harness(options);
      const calls = Array.from({ length: 10 }, (_, i) => h.call(i));
      await quiet(h, 1, 9);
      h.sends[0]!.fail(MFA);
      await vi.waitFor(() => expect(calls.filter((c) => c.state !== "pending")).toHaveLength(1));
      await quiet(h, 1 + near, far);
      await h.time.advance(POLL_MS);
      await quiet(h, 10, 0);
      for (const send of h.sends.slice(1)) send.fail(MFA);
      await settled(calls);
      expect(tally(calls)).toEqual({ mfa_required: 10 });
    });
  }

  it("a first contact that never answers holds the others at most probeLeaseMs; then they go", async () => {
    const h = harness();
    const calls = Array.from({ length: 10 }, (_, i) => h.call(i));
    await quiet(h, 1, 9);
    await h.time.advance(LEASE_MS - POLL_MS);
    await quiet(h, 1, 9);
    await h.time.advance(POLL_MS); // 30 s: the lease has run out (one waiter takes it over), and no waiter waits longer
    await quiet(h, 10, 0);
    expect(h.time.now).toBe(START + LEASE_MS);
    expect(await h.counts()).toEqual({ firstContacts: 2, contactWaits: 9 });
    for (const send of h.sends.slice(1)) send.answer({ accessToken: send.scope });
    await vi.waitFor(() => expect(calls.filter((c) => c.state === "ok")).toHaveLength(9));
    expect(calls.filter((c) => c.state === "pending")).toHaveLength(1); // the first contact, still unanswered
  });

  it("a store that announces changes (as RedisStore does): every process's waiters read the answer at once, and the subscription ends with the wait", async () => {
    const h = harness({ engines: 2, store: "announcing" });
    const announcing = h.shared as ReturnType<typeof announcingStore>;
    const calls = Array.from({ length: 10 }, (_, i) => h.call(i));
    await quiet(h, 1, 9);
    expect(announcing.subscriptions).toBe(2); // one per process, while its calls wait
    expect(announcing.listeners.size).toBe(2);
    h.sends[0]!.fail(LOCKED);
    await settled(calls);
    expect(h.time.now).toBe(START); // no poll was needed
    expect(h.time.sleepers).toBe(0);
    expect(tally(calls)).toEqual({ account_locked: 1, "account_locked/suppressed": 9 });
    expect(announcing.listeners.size).toBe(0);
  });

  it("a store that fails on every operation: each process gates its own calls from local memory", async () => {
    const failing = (): GuardStore => {
      const down = () => Promise.reject(new Error("store down"));
      return { get: down, set: down, delete: down, acquireLease: down, releaseLease: down };
    };
    const h = harness({ store: failing() });
    const calls = Array.from({ length: 10 }, (_, i) => h.call(i));
    await quiet(h, 1, 9);
    h.sends[0]!.fail(LOCKED);
    await settled(calls); // the waiters are this process's: they read its local record at once
    expect(h.time.now).toBe(START);
    expect(tally(calls)).toEqual({ account_locked: 1, "account_locked/suppressed": 9 });
    expect(h.events.some((e) => e.type === "store_error")).toBe(true);
  });

  const ungated: { name: string; options: CallOptions }[] = [
    { name: "calls that may be answered from a cache (no alwaysSendsCredential)", options: { gated: false } },
    { name: "app-only calls (no user)", options: { user: undefined } },
  ];
  for (const { name, options } of ungated) {
    it(`${name} are not gated: all 10 go at once`, async () => {
      const h = harness();
      const calls = Array.from({ length: 10 }, (_, i) => h.call(i, options));
      await quiet(h, 10, 0);
      for (const send of h.sends) send.fail(LOCKED);
      await settled(calls);
      expect(tally(calls)).toEqual({ account_locked: 10 });
      expect(await h.counts()).toEqual({ firstContacts: 0, contactWaits: 0 });
    });
  }

  it("only an identity with nothing recorded is gated: a record's verdict applies at once", async () => {
    const h = harness();
    const first = h.call(0, { password: "stale" });
    await quiet(h, 1, 0);
    h.sends[0]!.fail(WRONG_PASSWORD); // latches "stale"
    await settled([first]);
    // A record exists now: the current password goes at once, concurrently, the stale one is refused.
    const calls = [...Array.from({ length: 5 }, (_, i) => h.call(i)), h.call(5, { password: "stale" })];
    await quiet(h, 6, 0);
    for (const send of h.sends.slice(1)) send.answer({ accessToken: send.scope });
    await settled(calls);
    expect(tally(calls)).toEqual({ ok: 5, "invalid_credentials/suppressed": 1 });
    expect(await h.counts()).toEqual({ firstContacts: 1, contactWaits: 0 });
  });
});

/** A store over a MemoryStore that announces every change to subscribers, as RedisStore does through pub/sub. */
function announcingStore(inner: MemoryStore): GuardStore & { readonly listeners: ReadonlySet<(key: string) => void>; readonly subscriptions: number } {
  const listeners = new Set<(key: string) => void>();
  let subscriptions = 0;
  const announce = (key: string) => queueMicrotask(() => listeners.forEach((listener) => listener(key)));
  return {
    listeners,
    get subscriptions() {
      return subscriptions;
    },
    get: (key) => inner.get(key),
    set: async (key, value, ttlMs) => (await inner.set(key, value, ttlMs), announce(key)),
    delete: async (key) => (await inner.delete(key), announce(key)),
    acquireLease: (key, holder, ttlMs) => inner.acquireLease(key, holder, ttlMs),
    releaseLease: async (key, holder) => (await inner.releaseLease(key, holder), announce(key)),
    subscribe(listener) {
      subscriptions++;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

describe("first contact, any interleaving (property)", () => {
  const ANSWERS = { locked: LOCKED, wrong: WRONG_PASSWORD, unavailable: UNAVAILABLE, mfa: MFA, ok: undefined } as const;
  type Answer = keyof typeof ANSWERS;

  /** Lets every call do what it can before time moves: until nothing changes for a few rounds (all in memory, hashing aside). */
  async function steady(h: ReturnType<typeof harness>, outcomes: readonly Outcome[]): Promise<void> {
    let last = "";
    for (let same = 0; same < 4; ) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const now = `${h.sends.length}/${h.time.sleepers}/${outcomes.filter((o) => o.state !== "pending").length}`;
      same = now === last ? same + 1 : 0;
      last = now;
    }
  }

  it("every call settles; before any answer one request is out; after an answer that records a suppression, no call sends", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom("memory", "announcing"),
        fc.integer({ min: 2, max: 8 }),
        fc.array(fc.constantFrom<Answer>("locked", "wrong", "unavailable", "mfa", "ok"), { minLength: 1, maxLength: 6 }),
        async (engines, storeKind, callCount, answers) => {
          const h = harness({ engines, store: engines === 1 ? undefined : storeKind });
          const calls = Array.from({ length: callCount }, (_, i) => h.call(i));
          let answered = 0;
          let contactMade = false; // an answer other than "unavailable" was given
          let sendsAtSuppression: number | undefined;
          for (let step = 0; step < 400 && calls.some((c) => c.state === "pending"); step++) {
            await steady(h, calls);
            const open = h.sends.length - answered;
            if (!contactMade) expect(open, "requests out while no first contact has been made").toBeLessThanOrEqual(1);
            if (open > 0) {
              const answer = answers[answered % answers.length] as Answer;
              const send = h.sends[answered++] as Send;
              if (answer === "ok") send.answer({ accessToken: send.scope });
              else send.fail(ANSWERS[answer]);
              if (answer !== "unavailable") contactMade = true;
              // A lockout or a rejected password suppresses every later call, until an answer
              // that says the server has moved on (a token, MFA required) ends it.
              if (answer === "locked" || answer === "wrong") sendsAtSuppression ??= h.sends.length;
              if (answer === "ok" || answer === "mfa") sendsAtSuppression = undefined;
            } else {
              await h.time.advance(POLL_MS);
            }
          }
          await steady(h, calls);
          expect(calls.filter((c) => c.state === "pending"), "calls still pending").toEqual([]);
          // Nobody had to wait out the lease: every request was answered as soon as it was out.
          expect(h.time.now - START).toBeLessThan(LEASE_MS);
          if (sendsAtSuppression !== undefined) expect(h.sends.length, "requests started after a lockout or a rejected password").toBe(sendsAtSuppression);
          for (const c of calls) if (c.state === "failed") expect(isMsalGuardError(c.error), String(c.error)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);
});
