// A model of a fleet: several engines (processes) share one store, on simulated time, and
// call for two users at a token service that locks an account for a while once asked to
// (smart lockout: while locked, every request is refused with 50053). Random interleavings
// of calls, outcomes and time are checked against three rules:
// - after a request met a lockout, no engine sends for that user before the `retryAt` it was
//   given (one request per lockout window, whoever calls);
// - a success is handed back untouched (the very object the token client resolved);
// - what one user's failures recorded never suppresses the other user's calls.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore, createSuppressionEngine, isMsalGuardError, type GuardClock } from "../../src/index.js";

const USERS = ["ada@contoso.test", "bob@contoso.test"] as const;
type Outcome = "success" | "lock" | "wrong_password" | "server_error" | "network";

const step = fc.record({
  engine: fc.integer({ min: 0, max: 2 }),
  user: fc.constantFrom(0, 1),
  outcome: fc.constantFrom<Outcome>("success", "lock", "wrong_password", "server_error", "network"),
  password: fc.constantFrom("right", "stale-1", "stale-2"),
  advance: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 20_000, max: 70_000 }), fc.integer({ min: 60_000, max: 400_000 })),
});

describe("a fleet sharing one store, against a model of the token service", () => {
  it("one request per lockout window, successes untouched, no suppression across users", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        let now = 1_800_000_000_000;
        const clock: GuardClock = { now: () => now, sleep: async (ms) => void (now += ms), random: () => 0.5 };
        const store = new MemoryStore({ now: () => now });
        // Each engine wraps the shared store, as another process's guard would: its own memory in front.
        const engines = [0, 1, 2].map(() =>
          createSuppressionEngine({
            clock,
            store: {
              get: (k) => store.get(k),
              set: (k, v, t) => store.set(k, v, t),
              delete: (k) => store.delete(k),
              acquireLease: (k, h, t) => store.acquireLease(k, h, t),
              releaseLease: (k, h) => store.releaseLease(k, h),
              listKeys: (n) => store.listKeys(n),
            },
          }),
        );
        const serverLockedUntil = [0, 0];
        const noSendBefore = [0, 0];
        const userFailed = [false, false];
        const early: string[] = [];

        for (const s of steps) {
          const user = USERS[s.user];
          const token = { accessToken: `t-${now}` };
          let sent = false;
          const send = async () => {
            sent = true;
            // Noted, not thrown: the engine would take an assertion thrown here for the request's failure.
            if (now < (noSendBefore[s.user] as number)) early.push(`${user} at ${now}, window until ${noSendBefore[s.user]}`);
            if (s.outcome === "network") throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
            if (s.outcome === "server_error") throw { status: 500, error: "server_error", error_codes: [50000] };
            if (now < (serverLockedUntil[s.user] as number)) throw { error: "invalid_grant", error_codes: [50053] };
            if (s.outcome === "lock") {
              serverLockedUntil[s.user] = now + 300_000;
              throw { error: "invalid_grant", error_codes: [50053] };
            }
            if (s.outcome === "wrong_password" || s.password !== "right") throw { error: "invalid_grant", error_codes: [50126] };
            return token;
          };
          const engine = engines[s.engine] as (typeof engines)[number];
          try {
            const result = await engine.execute({
              method: "acquireTokenByUsernamePassword",
              identity: { authority: "https://login.example/contoso", clientId: "c", user },
              scopes: ["User.Read"],
              silent: false,
              credential: s.password,
              sendsUserCredential: true,
              alwaysSendsCredential: true,
              send,
            });
            expect(sent).toBe(true);
            expect(result).toBe(token);
          } catch (error) {
            if (!isMsalGuardError(error)) throw error;
            if (error.suppressed) {
              expect(sent).toBe(false);
              // Only this user's own failures suppress its calls.
              expect(userFailed[s.user], `${user} suppressed (${error.kind}) by what another user's failures recorded`).toBe(true);
            } else {
              expect(sent).toBe(true);
              userFailed[s.user] = true;
              if (error.kind === "account_locked") noSendBefore[s.user] = Math.max(noSendBefore[s.user] as number, error.retryAt ?? 0);
            }
          }
          now += s.advance;
        }
        expect(early, "requests sent inside a lockout window the guard announced").toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
