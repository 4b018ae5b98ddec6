import { PublicClientApplication } from "@azure/msal-node";
import { afterEach, describe, expect, it } from "vitest";
import {
  createManualClock,
  startEntraSimulator,
  type CaRule,
  type EntraSimulator,
  type EntraSimulatorOptions,
  type SimulatedClient,
  type SimulatedUser,
  type SimulatedUserUpdate,
} from "../../src/testing/index.js";
import { quietLogger } from "./helpers.js";

const USER = "ada@contoso.test";

let sim: EntraSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const as = <T>(value: unknown) => value as T;

describe("startEntraSimulator rejects options it cannot honour, naming the option and what to change", () => {
  it.each([
    ["an interactiveUser not among the users", { users: [{ username: "ada@contoso.test", password: "p" }], interactiveUser: "ada@contso.test" }, RangeError, 'startEntraSimulator: interactiveUser "ada@contso.test" is not one of the simulated users'],
    ["a deviceCode.autoApprove user not among the users", { deviceCode: { autoApprove: "bob@contoso.test" } }, RangeError, 'deviceCode.autoApprove "bob@contoso.test" is not one of the simulated users'],
    ["lockout.threshold 0", { lockout: { threshold: 0 } }, RangeError, "startEntraSimulator: lockout.threshold must be a whole number of at least 1 (got 0); to keep accounts from locking in a test, use a large threshold"],
    ["lockout.threshold -3", { lockout: { threshold: -3 } }, RangeError, "lockout.threshold must be a whole number of at least 1 (got -3)"],
    ["lockout.threshold NaN", { lockout: { threshold: Number.NaN } }, RangeError, "lockout.threshold must be a whole number of at least 1 (got NaN)"],
    ["lockout.threshold 2.5", { lockout: { threshold: 2.5 } }, RangeError, "lockout.threshold must be a whole number of at least 1 (got 2.5)"],
    ["lockout.threshold as a string", { lockout: { threshold: as<number>("10") } }, TypeError, 'lockout.threshold must be a whole number of at least 1 (got string "10")'],
    ["lockout.durationMs -1", { lockout: { durationMs: -1 } }, RangeError, "startEntraSimulator: lockout.durationMs must be a finite number of milliseconds greater than 0 (got -1)"],
    ["lockout.durationMs 0", { lockout: { durationMs: 0 } }, RangeError, "lockout.durationMs must be a finite number of milliseconds greater than 0 (got 0)"],
    ["lockout.durationMs Infinity", { lockout: { durationMs: Number.POSITIVE_INFINITY } }, RangeError, "lockout.durationMs must be a finite number of milliseconds greater than 0 (got Infinity)"],
    ["escalation.factor 0.5 (lockouts would shrink)", { lockout: { escalation: { factor: 0.5 } } }, RangeError, "startEntraSimulator: lockout.escalation.factor must be a finite number of at least 1 (got 0.5)"],
    ["escalation.maxDurationMs 0", { lockout: { escalation: { maxDurationMs: 0 } } }, RangeError, "lockout.escalation.maxDurationMs must be a finite number of milliseconds greater than 0 (got 0)"],
    [
      "escalation.maxDurationMs below durationMs",
      { lockout: { durationMs: 120_000, escalation: { maxDurationMs: 60_000 } } },
      RangeError,
      "startEntraSimulator: lockout.escalation.maxDurationMs must be at least lockout.durationMs (120000), or it cuts the first lockout short (got 60000); raise maxDurationMs or lower durationMs",
    ],
    [
      "escalation.maxDurationMs below the default durationMs",
      { lockout: { escalation: { maxDurationMs: 30_000 } } },
      RangeError,
      "lockout.escalation.maxDurationMs must be at least the default lockout.durationMs (60000)",
    ],
    ["loopDetection.limit -1", { loopDetection: { limit: -1 } }, RangeError, "startEntraSimulator: loopDetection.limit must be a whole number of at least 1 (got -1); to turn loop detection off, pass loopDetection: false"],
    ["loopDetection.limit 0", { loopDetection: { limit: 0 } }, RangeError, "loopDetection.limit must be a whole number of at least 1 (got 0)"],
    ["loopDetection.windowMs 0", { loopDetection: { windowMs: 0 } }, RangeError, "loopDetection.windowMs must be a finite number of milliseconds greater than 0 (got 0)"],
    ["tokenLifetimeSeconds -5", { tokenLifetimeSeconds: -5 }, RangeError, "startEntraSimulator: tokenLifetimeSeconds must be a whole number of at least 1 (got -5)"],
    ["tokenLifetimeSeconds 0", { tokenLifetimeSeconds: 0 }, RangeError, "tokenLifetimeSeconds must be a whole number of at least 1 (got 0)"],
    ["refreshTokenLifetimeMs -1", { refreshTokenLifetimeMs: -1 }, RangeError, "refreshTokenLifetimeMs must be a finite number of milliseconds, 0 or more (got -1)"],
    ["deviceCode.intervalSeconds -1", { deviceCode: { intervalSeconds: -1 } }, RangeError, "deviceCode.intervalSeconds must be a finite number of seconds, 0 or more (got -1)"],
    ["deviceCode.expiresInSeconds 0", { deviceCode: { expiresInSeconds: 0 } }, RangeError, "deviceCode.expiresInSeconds must be a finite number of seconds greater than 0 (got 0)"],
    ["badPasswordCodes empty", { badPasswordCodes: [] }, RangeError, "startEntraSimulator: badPasswordCodes must be a non-empty list of AADSTS codes, e.g. [50126] or [70002, 50126] (got [])"],
    ["profile typo", { profile: as<"usgov">("us-gov") }, RangeError, 'startEntraSimulator: profile must be one of "public", "usgov" (got "us-gov")'],
    [
      "the same user twice (user names compare case-insensitively)",
      { users: [{ username: USER, password: "first" }, { username: "ADA@contoso.test", password: "second" }] },
      Error,
      "startEntraSimulator: users[1]: simulated user ADA@contoso.test already exists (users[0]; user names compare case-insensitively); remove one of them",
    ],
    ["a user without a name", { users: [{ username: " ", password: "p" }] }, RangeError, 'startEntraSimulator: users[0]: username must be a non-empty string (got " ")'],
    [
      "user state typo 'locked'",
      { users: [{ username: USER, password: "p", state: as<"disabled">("locked") }] },
      RangeError,
      'startEntraSimulator: users[0]: state must be one of "enabled", "disabled", "password_expired", "mfa_required", "consent_missing" (got "locked")',
    ],
    ["the same client twice", { clients: [{ clientId: "app", secret: "a" }, { clientId: "app" }] }, Error, "startEntraSimulator: clients[1]: simulated client app already exists (clients[0]); remove one of them"],
    [
      "a confidential client without a secret (can never authenticate)",
      { clients: [{ clientId: "app", type: "confidential" }] },
      RangeError,
      'startEntraSimulator: clients[0]: confidential client "app" needs a secret: without one no request can authenticate (7000218, or 7000215 for any secret sent); add `secret`, or use type "public"',
    ],
    [
      "a public client with a secret (sending it gets 700025)",
      { clients: [{ clientId: "app", type: "public", secret: "s" }] },
      RangeError,
      'startEntraSimulator: clients[0]: public client "app" cannot have a secret: a public client that sends a secret gets 700025, so it could never be used; remove `secret`/`secretState`, or use type "confidential"',
    ],
    ["secretState without a secret", { clients: [{ clientId: "app", secretState: "expired" }] }, RangeError, "clients[0]: client \"app\" has secretState but no secret"],
    ["client type typo", { clients: [{ clientId: "app", type: as<"public">("spa") }] }, RangeError, 'clients[0]: type must be one of "confidential", "public" (got "spa")'],
    [
      "CA action typo 'blocked'",
      { conditionalAccess: [{ policyId: "p", action: as<"block">("blocked") }] },
      RangeError,
      'startEntraSimulator: conditionalAccess[0]: action must be one of "block", "require_mfa" (got "blocked")',
    ],
    ["CA rule without an action", { conditionalAccess: [as<CaRule>({ policyId: "p" })] }, TypeError, 'conditionalAccess[0]: action must be one of "block", "require_mfa" (got undefined)'],
    // Unknown option names: a typo would otherwise leave the default in force, or, for a CA rule's `users`, apply the rule to everyone.
    ["port -1", { port: -1 }, RangeError, "startEntraSimulator: port must be a whole number from 0 (a random free port) to 65535 (got -1)"],
    ["port 70000", { port: 70_000 }, RangeError, "startEntraSimulator: port must be a whole number from 0 (a random free port) to 65535 (got 70000)"],
    ["port as a string", { port: as<number>("8080") }, TypeError, 'startEntraSimulator: port must be a whole number from 0 (a random free port) to 65535 (got string "8080")'],
    ["a top-level option name typo", as<EntraSimulatorOptions>({ tennantId: "x" }), TypeError, 'startEntraSimulator: unknown option "tennantId" (known: tenantId, clock, profile,'],
    ["a lockout option typo", { lockout: as<object>({ treshold: 3 }) }, TypeError, 'startEntraSimulator: unknown option "lockout.treshold" (known: threshold, durationMs, escalation)'],
    ["a loopDetection option typo", { loopDetection: as<object>({ limt: 3 }) }, TypeError, 'startEntraSimulator: unknown option "loopDetection.limt" (known: limit, windowMs)'],
    ["a deviceCode option typo", { deviceCode: as<object>({ interval: 0 }) }, TypeError, 'startEntraSimulator: unknown option "deviceCode.interval" (known: intervalSeconds, expiresInSeconds, autoApprove)'],
    ["a user option typo", { users: [as<SimulatedUser>({ username: USER, password: "p", status: "disabled" })] }, TypeError, 'startEntraSimulator: users[0]: unknown option "status" (known: username, password, state, familiarAddresses, objectId, displayName)'],
    ["a client option typo", { clients: [as<SimulatedClient>({ clientId: "app", redirectUri: "http://localhost" })] }, TypeError, 'startEntraSimulator: clients[0]: unknown option "redirectUri" (known: clientId, secret, secretState, type, redirectUris)'],
    ["a CA rule's `user` for `users` (the rule would block everyone)", { conditionalAccess: [as<CaRule>({ policyId: "p", user: [USER], action: "block" })] }, TypeError, 'startEntraSimulator: conditionalAccess[0]: unknown option "user" (known: policyId, users, clients, addresses, action)'],
  ] as const)("%s", async (_name, options, kind, message) => {
    const start = startEntraSimulator(options as EntraSimulatorOptions);
    const error = await start.then(
      (started) => {
        sim = started;
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error, "the simulator started instead of refusing the option").toBeInstanceOf(kind);
    expect((error as Error).message).toContain(message);
  });

  it("accepts the boundary values: they behave as configured with real msal-node", async () => {
    const clock = createManualClock();
    sim = await startEntraSimulator({
      clock,
      profile: "usgov",
      lockout: { threshold: 1, durationMs: 5_000, escalation: { factor: 1, maxDurationMs: 5_000 } },
      loopDetection: { limit: 1, windowMs: 1 },
      tokenLifetimeSeconds: 1,
      refreshTokenLifetimeMs: 0,
      deviceCode: { intervalSeconds: 0, expiresInSeconds: 1 },
      users: [{ username: USER, password: "right", state: "enabled" }],
      clients: [{ clientId: "public-app", type: "public" }, { clientId: "daemon", type: "confidential", secret: "s", secretState: "valid" }],
      conditionalAccess: [{ policyId: "p", users: ["nobody@contoso.test"], action: "require_mfa" }],
    });
    const app = new PublicClientApplication({ auth: sim.msalNodeAuth("public-app"), system: quietLogger });
    // loopDetection { limit: 1, windowMs: 1 }: each request 1 ms after the last is never a loop.
    let expiresOn: Date | null | undefined;
    const signIn = (password: string) => {
      clock.advance(1);
      return app.acquireTokenByUsernamePassword({ scopes: ["openid"], username: USER, password }).then(
        (result) => {
          expiresOn = result?.expiresOn;
          return "signed in";
        },
        (e: { errorNo?: unknown }) => `refused ${String(e.errorNo)}`,
      );
    };
    expect(await signIn("right")).toBe("signed in");
    // tokenLifetimeSeconds: 1 (msal-node counts whole seconds, so allow one more).
    expect(expiresOn!.getTime() - Date.now()).toBeLessThan(2_000);
    // threshold 1: one wrong password locks, for durationMs, and a repeated lockout is no longer (factor 1).
    for (const lockout of [1, 2]) {
      expect(await signIn(`wrong-${lockout}`)).toBe("refused 50126");
      expect(sim.lockoutState(USER)).toMatchObject({ locked: true, lockoutCount: lockout, lockedUntilMs: clock.now() + 5_000 });
      expect(await signIn("right")).toBe("refused 50053");
      clock.advance(5_000);
    }
  });

  it("accepts an escalation function and calls it with the lockout number and durationMs", async () => {
    sim = await startEntraSimulator({
      clock: createManualClock(),
      loopDetection: false,
      lockout: { threshold: 1, durationMs: 1_000, escalation: (n, base) => base * n * 7 },
      users: [{ username: USER, password: "right" }],
      clients: [{ clientId: "public-app" }],
    });
    const app = new PublicClientApplication({ auth: sim.msalNodeAuth("public-app"), system: quietLogger });
    await app.acquireTokenByUsernamePassword({ scopes: ["openid"], username: USER, password: "wrong" }).catch(() => undefined);
    expect(sim.lockoutState(USER).lockedUntilMs! - sim.clock.now()).toBe(7_000);
  });
});

describe("the methods that add or change directory entries check them the same way", () => {
  it.each([
    ["addUser with state typo", (s: EntraSimulator) => s.addUser({ username: "b@contoso.test", password: "p", state: as<SimulatedUser["state"]>("locked") }), RangeError, 'addUser: state must be one of "enabled", "disabled", "password_expired", "mfa_required", "consent_missing" (got "locked")'],
    ["addUser twice", (s: EntraSimulator) => s.addUser({ username: USER.toUpperCase(), password: "p" }), Error, "simulated user ADA@CONTOSO.TEST already exists"],
    ["updateUser with state typo", (s: EntraSimulator) => s.updateUser(USER, { state: as<SimulatedUserUpdate["state"]>("blocked") }), RangeError, 'updateUser: state must be one of "enabled"'],
    ["addClient confidential without a secret", (s: EntraSimulator) => s.addClient({ clientId: "c", type: "confidential" }), RangeError, 'addClient: confidential client "c" needs a secret'],
    ["addClient public with a secret", (s: EntraSimulator) => s.addClient(as<SimulatedClient>({ clientId: "c", type: "public", secret: "s" })), RangeError, 'addClient: public client "c" cannot have a secret'],
    ["addConditionalAccessRule action typo", (s: EntraSimulator) => s.addConditionalAccessRule({ policyId: "p", action: as<"block">("mfa") }), RangeError, 'addConditionalAccessRule: action must be one of "block", "require_mfa" (got "mfa")'],
    ["setErrorShape with no bad-password code", (s: EntraSimulator) => s.setErrorShape({ badPasswordCodes: [] }), RangeError, "setErrorShape: badPasswordCodes must be a non-empty list of AADSTS codes"],
  ] as const)("%s", async (_name, call, kind, message) => {
    sim = await startEntraSimulator({ loopDetection: false, users: [{ username: USER, password: "right" }] });
    let thrown: unknown;
    try {
      call(sim);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, "the call was accepted").toBeInstanceOf(kind);
    expect((thrown as Error).message).toContain(message);
    // Nothing was changed by the refused call.
    expect(sim.lockoutState(USER).locked).toBe(false);
  });
});
