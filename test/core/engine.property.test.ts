import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSuppressionEngine, isMsalGuardError, resolvePolicy, type GuardClock, type GuardStore } from "../../src/index.js";

const policy = resolvePolicy();
/** The longest suppression each reason may ever impose. */
const CAP_BY_REASON: Record<string, number> = {
  account_locked: policy.lockout.maxWindowMs,
  probe_in_flight: policy.probeLeaseMs,
  rejected_credential: policy.rejectedCredentialMs,
  conditional_access_blocked: policy.conditionalAccessMs,
  interaction_required: policy.interactionRequiredMs,
  misconfigured: policy.misconfiguredMs,
  throttled: policy.throttle.maxMs,
};

function fixedClock(now: number): GuardClock {
  return { now: () => now, sleep: async () => {}, random: () => 0.5 };
}

/** A store that answers every read with the same (possibly hostile) value. */
function hostileStore(value: string): GuardStore {
  return {
    get: async () => value,
    set: async () => {},
    delete: async () => {},
    acquireLease: async () => true,
    releaseLease: async () => {},
  };
}

const FAR = 8.64e15; // the largest Date
const until = fc.oneof(fc.constant(FAR), fc.constant(Number.MAX_VALUE), fc.integer({ min: 0, max: 2 ** 52 }), fc.double());
const kind = fc.constantFrom("account_locked", "conditional_access_blocked", "invalid_credentials", "mfa_required", "client_misconfigured", "throttled", "bogus");
const record = fc.oneof(
  fc.record({ v: fc.constant(1), throttle: fc.record({ until, kind, codes: fc.array(fc.integer()) }) }),
  fc.record({ v: fc.constant(1), lockout: fc.record({ count: fc.integer({ min: -5, max: 2000 }), until, codes: fc.array(fc.integer()) }) }),
  fc.record({
    v: fc.constant(1),
    blocks: fc.dictionary(fc.string(), fc.record({ kind, until, codes: fc.array(fc.integer()), silentOnly: fc.boolean() })),
    latches: fc.array(fc.record({ fingerprint: fc.stringMatching(/^[0-9a-f]{16,64}$/), kind, until, codes: fc.array(fc.integer()) })),
  }),
  fc.anything(),
);
const raw = fc.oneof(record.map((r) => JSON.stringify(r) ?? "null"), fc.string());

describe("suppression engine properties", () => {
  it("never suppresses longer than a policy's cap, whatever the store says", async () => {
    await fc.assert(
      fc.asyncProperty(raw, fc.boolean(), async (value, silent) => {
        const now = 1_800_000_000_000;
        let reason: string | undefined;
        const engine = createSuppressionEngine({
          store: hostileStore(value),
          clock: fixedClock(now),
          onEvent: (e) => {
            if (e.type === "suppressed") reason = e.reason;
          },
        });
        let sent = 0;
        try {
          await engine.execute({
            method: "acquireTokenSilent",
            identity: { authority: "https://login.example/t", clientId: "c", user: "u@example.test" },
            scopes: ["s"],
            silent,
            send: async () => {
              sent++;
              return { accessToken: "t" };
            },
          });
          expect(sent).toBe(1);
        } catch (error) {
          expect(isMsalGuardError(error)).toBe(true);
          if (!isMsalGuardError(error)) return;
          expect(error.suppressed).toBe(true);
          expect(sent).toBe(0);
          const retryAt = error.retryAt ?? Number.POSITIVE_INFINITY;
          const reasonCap = CAP_BY_REASON[reason as string] as number;
          expect(reasonCap).toBeGreaterThan(0);
          expect(retryAt - now).toBeLessThanOrEqual(reasonCap);
          expect(error.retryAfterMs).toBeLessThanOrEqual(reasonCap);
        }
      }),
      { numRuns: 400 },
    );
  });

  const failures = [
    { error: "invalid_grant", error_codes: [50053] },
    { error: "invalid_grant", error_codes: [50126] },
    { error: "invalid_grant", error_codes: [53003], suberror: "message_only" },
    { error: "invalid_grant", error_codes: [50076], suberror: "basic_action" },
    { error: "invalid_client", error_codes: [7000215] },
    { status: 429, headers: { "retry-after": "3000" }, body: "" },
    { error: "temporarily_unavailable", error_codes: [90033] },
  ];

  it("a reset always releases: after any failures, the next call is sent", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ failure: fc.constantFrom(...failures), silent: fc.boolean(), advance: fc.integer({ min: 0, max: 3_600_000 }) }), { maxLength: 12 }), async (steps) => {
        let now = 1_800_000_000_000;
        const clock: GuardClock = { now: () => now, sleep: async () => {}, random: () => 0.5 };
        const engine = createSuppressionEngine({ clock });
        const call = (send: () => Promise<unknown>, silent: boolean) =>
          engine.execute({
            method: "acquireTokenByUsernamePassword",
            identity: { authority: "https://login.example/t", clientId: "c", user: "u@example.test" },
            scopes: ["s"],
            silent,
            credential: "pw",
            sendsUserCredential: true,
            send,
          });
        for (const step of steps) {
          await call(async () => {
            throw step.failure;
          }, step.silent).catch(() => undefined);
          now += step.advance;
        }
        await engine.reset();
        let sent = false;
        await call(async () => {
          sent = true;
          return { accessToken: "t" };
        }, true);
        expect(sent).toBe(true);
        expect((await engine.status()).suppressions).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("stored windows are trusted only up to their cap from when they were written", () => {
  const now = 1_800_000_000_000;
  it.each([
    ["a lockout written 31 minutes ago claiming years", { v: 1, lockout: { count: 3, since: now - 31 * 60_000, until: now + 1e12, codes: [50053] } }, false],
    ["a lockout written 29 minutes ago claiming years", { v: 1, lockout: { count: 3, since: now - 29 * 60_000, until: now + 1e12, codes: [50053] } }, true],
    // This clock set back (or a peer's ahead): kept when no further ahead than the cap (30 minutes).
    ["a lockout dated 2 minutes ahead", { v: 1, lockout: { count: 1, since: now + 120_000, until: now + 180_000, codes: [50053] } }, true],
    ["a lockout dated an hour ahead", { v: 1, lockout: { count: 1, since: now + 3_600_000, until: now + 7_200_000, codes: [50053] } }, false],
    ["a lockout without its write time", { v: 1, lockout: { count: 1, until: now + 60_000, codes: [50053] } }, false],
  ])("%s", async (_, record, suppressed) => {
    const raw = JSON.stringify(record);
    const store: GuardStore = { get: async (key) => (key.startsWith("i:") ? raw : undefined), set: async () => {}, delete: async () => {}, acquireLease: async () => true, releaseLease: async () => {} };
    const engine = createSuppressionEngine({ store, clock: fixedClock(now) });
    let sent = false;
    const outcome = await engine
      .execute({ method: "m", identity: { authority: "https://a/t", clientId: "c", user: "u" }, scopes: ["s"], silent: false, send: async () => ((sent = true), { accessToken: "t" }) })
      .then(() => "sent", (e: unknown) => (isMsalGuardError(e) && e.suppressed ? "suppressed" : "other"));
    // A lockout record past its window asks for one probe, which this engine may send.
    expect(outcome).toBe(suppressed ? "suppressed" : "sent");
    expect(sent).toBe(!suppressed);
  });
});
