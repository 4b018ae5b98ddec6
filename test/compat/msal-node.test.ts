// The supported msal-node majors, side by side: the oldest supported (3.x, installed as the
// npm alias `msal-node-3`) and the current one (`@azure/msal-node`). The same key failures
// are produced by each major's own code over loopback HTTP against the simulator, then
// classified, and the Node adapter (guardClient, createNetworkObserver) wraps each
// major's apps. test/e2e and test/node cover the current major in depth; this file is
// the compatibility matrix README's support table states.
import * as current from "@azure/msal-node";
import * as msal3 from "msal-node-3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AccountLockedError, ConditionalAccessBlockedError, classify, isMsalGuardError, toGuardError, type MsalGuardError } from "../../src/index.js";
import { createNetworkObserver, guardClient, type NetworkObserver } from "../../src/node/index.js";
import { CA_POLICY_ID, CLIENTS, PASSWORD, SECRET, USERS, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";
import { failure, type ErrorFields } from "../e2e/support/failure.js";
import { simulatedGuardClock } from "../node/sim-clock.js";

const USER_READ = ["User.Read"];
const GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"];
const MINUTE = 60_000;
/** The fixture tenant's smart lockout threshold (Entra's public-cloud default). */
const LOCKOUT_THRESHOLD = 10;

/** The constructors the tests use, common to every major (each major's own classes). */
interface MsalNodeMajor {
  readonly version: string;
  readonly PublicClientApplication: typeof current.PublicClientApplication;
  readonly ConfidentialClientApplication: typeof current.ConfidentialClientApplication;
  readonly AuthError: typeof current.AuthError;
}

const MAJORS: readonly { name: string; major: number; msal: MsalNodeMajor }[] = [
  // Each major's own typings; the cast only unifies the two for the table (the adapter's
  // typing for 3.x apps is checked separately below).
  { name: `msal-node ${msal3.version} (oldest supported major)`, major: 3, msal: msal3 as unknown as MsalNodeMajor },
  { name: `msal-node ${current.version} (current major)`, major: Number.parseInt(current.version, 10), msal: current },
];

let tenant: Tenant;
beforeAll(async () => {
  tenant = await startTenant();
});
afterAll(() => tenant?.sim.close());
beforeEach(() => {
  const { sim } = tenant;
  sim.clearFaults();
  sim.setErrorShape({});
  sim.resetLog();
  for (const user of Object.values(USERS)) {
    sim.unlock(user);
    sim.updateUser(user, { password: PASSWORD });
  }
  // Loop detection remembers identical requests for five minutes: start each test clean.
  tenant.clock.advance(10 * MINUTE);
});

const tokenRequests = () => tenant.sim.requests.filter((r) => r.endpoint === "token").length;

async function guardRejection(call: Promise<unknown>): Promise<MsalGuardError> {
  try {
    await call;
  } catch (error) {
    if (!isMsalGuardError(error)) throw new Error(`expected an msal-guard error, got ${String(error)}`, { cause: error });
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("the majors under test", () => {
  it("are two distinct copies of msal-node: 3.x and the current major", () => {
    expect(msal3.version).toMatch(/^3\./);
    expect(Number.parseInt(current.version, 10)).toBeGreaterThan(3);
    expect(msal3.ServerError).not.toBe(current.ServerError);
  });
});

describe.each(MAJORS)("$name", ({ major, msal }) => {
  const system = (observer?: NetworkObserver) => (observer === undefined ? quietLogger : observer.system(quietLogger));
  const publicApp = (observer?: NetworkObserver) => new msal.PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: system(observer) });
  const daemon = (clientId: string = CLIENTS.daemon, observer?: NetworkObserver) =>
    new msal.ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(clientId, { clientSecret: SECRET }), system: system(observer) });
  const ropc = (app: current.PublicClientApplication, password: string, username: string = USERS.ada) =>
    app.acquireTokenByUsernamePassword({ scopes: USER_READ, username, password });

  /** The error was made by this major, not by another copy of MSAL. */
  function expectOwnError(error: ErrorFields, name: string): void {
    expect(error.name).toBe(name);
    expect(error instanceof msal.AuthError).toBe(true);
    expect(error instanceof current.AuthError).toBe(major === Number.parseInt(current.version, 10));
  }

  describe("classify", () => {
    it("ROPC with a wrong password is invalid_credentials (50126)", async () => {
      const { error, c } = await failure(ropc(publicApp(), "not-the-password"));
      expectOwnError(error, "ServerError");
      expect(error).toMatchObject({ errorCode: "invalid_grant" });
      expect(c).toMatchObject({ kind: "invalid_credentials", codes: [50126], error: "invalid_grant", source: "msal", replayed: false });
      expect(c.correlationId).toBe(error.correlationId);
    });

    it("after smart lockout the right password is account_locked (50053)", async () => {
      const app = publicApp();
      for (let i = 0; i < LOCKOUT_THRESHOLD; i++) expect((await failure(ropc(app, `guess-${i}`))).c.kind).toBe("invalid_credentials");
      const { error, c } = await failure(ropc(app, PASSWORD));
      expect(tenant.sim.requests.at(-1)).toMatchObject({ grant: "password", reason: "locked", codes: [50053] });
      expectOwnError(error, "ServerError");
      expect(c).toMatchObject({ kind: "account_locked", codes: [50053], interactionRequired: false, retry: "after_wait" });
      const typed = toGuardError(error);
      expect(typed).toBeInstanceOf(AccountLockedError);
      expect(typed.cause).toBe(error);
    });

    it("a Conditional Access block on client credentials is conditional_access_blocked; no interaction suggested", async () => {
      const { error, c } = await failure(daemon(CLIENTS.blockedDaemon).acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
      // MSAL calls it "interaction required" (suberror message_only) in every major.
      expectOwnError(error, "InteractionRequiredAuthError");
      expect(error).toMatchObject({ subError: "message_only" });
      expect(c).toMatchObject({ kind: "conditional_access_blocked", codes: [53003], policyIds: [CA_POLICY_ID], interactionRequired: false, retry: "after_fix" });
      expect(toGuardError(error)).toBeInstanceOf(ConditionalAccessBlockedError);
    });

    it.each([
      { code: 50053, error: "invalid_grant", status: 400, kind: "interaction_required" },
      { code: 7000215, error: "invalid_client", status: 401, kind: "client_misconfigured" },
    ] as const)("a device-code poll refused with AADSTS$code ($error) is $kind, not a network failure (msal-node 3 ends its sentence with the error)", async ({ code, error: oauthError, status, kind }) => {
      tenant.sim.inject({ status, code, error: oauthError, times: 1, match: { endpoint: "token", grant: "device_code" } });
      const { error, c } = await failure(
        publicApp().acquireTokenByDeviceCode({ scopes: USER_READ, deviceCodeCallback: (response) => tenant.sim.approveDeviceCode(response.userCode, USERS.ada) }),
      );
      expect(error).toMatchObject({ errorCode: "post_request_failed" });
      expect(String((error as { errorMessage?: unknown }).errorMessage)).toMatch(new RegExp(`(^| )${oauthError}$`));
      expect(c).toMatchObject({ kind, error: oauthError });
    });

    it("a 503 arms MSAL's throttle; the local replay sends nothing and is classified replayed, transient", async () => {
      const { sim } = tenant;
      const app = daemon();
      sim.inject({ status: 503, body: "json", times: 1, match: { grant: "client_credentials" } });
      const first = await failure(app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
      expectOwnError(first.error, "ServerError");
      expect(first.c).toMatchObject({ kind: "transient", codes: [90033], httpStatus: 503, replayed: false });
      const sent = sim.counts().total;

      const replay = await failure(app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
      expect(sim.counts().total).toBe(sent);
      expectOwnError(replay.error, "ServerError");
      expect(replay.error).toMatchObject({ errorCode: "90033", errorNo: undefined, status: undefined });
      expect(replay.c).toMatchObject({ kind: "transient", codes: [90033], replayed: true, retry: "with_backoff" });
    });
  });

  describe("guardClient (msal-guard/node)", () => {
    it("a stale password retried every 5 minutes for 2 hours is sent once, and the new one goes through at once", async () => {
      const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
      const errors: MsalGuardError[] = [];
      for (let minute = 0; minute < 120; minute += 5) {
        errors.push(await guardRejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: "stale-password" })));
        tenant.clock.advance(5 * MINUTE);
      }
      expect(tokenRequests()).toBe(1);
      expect(errors[0]).toMatchObject({ kind: "invalid_credentials", suppressed: false });
      expect(errors.slice(1).every((e) => e.kind === "invalid_credentials" && e.suppressed)).toBe(true);
      expect(errors[0]?.cause).toBeInstanceOf(msal.AuthError);
      expect(tenant.sim.lockoutState(USERS.ada)).toMatchObject({ failedCount: 1, locked: false });

      const result = await client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
      expect(result?.accessToken).toMatch(/^simAT\./);
      expect(tokenRequests()).toBe(2);
    });

    it("a Conditional Access block on a daemon is sent once, then suppressed for an hour", async () => {
      const client = guardClient(daemon(CLIENTS.blockedDaemon), { clock: simulatedGuardClock(tenant.clock) });
      for (let i = 0; i < 10; i++) {
        const error = await guardRejection(client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
        expect(error).toBeInstanceOf(ConditionalAccessBlockedError);
        expect(error).toMatchObject({ suppressed: i > 0, classification: { interactionRequired: false } });
        tenant.clock.advance(MINUTE);
      }
      expect(tokenRequests()).toBe(1);
    });
  });

  describe("createNetworkObserver (msal-guard/node)", () => {
    const signIn = (client: { acquireTokenByUsernamePassword: current.PublicClientApplication["acquireTokenByUsernamePassword"] }) =>
      client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });

    it("a 429 (JSON body) is throttled with the Retry-After MSAL drops; the app is held back that long", async () => {
      tenant.sim.throttle({ retryAfter: 12, times: 1 });
      const observer = createNetworkObserver();
      const client = guardClient(publicApp(observer), { observer, clock: simulatedGuardClock(tenant.clock) });
      const error = await guardRejection(signIn(client));
      expect(error).toMatchObject({ kind: "throttled", retryAfterMs: 12_000, suppressed: false, classification: { httpStatus: 429 } });
      expect(error.cause).toBeInstanceOf(msal.AuthError);
      const sent = tokenRequests();
      tenant.clock.advance(11_000);
      expect(await guardRejection(signIn(client))).toMatchObject({ kind: "throttled", suppressed: true, retryAfterMs: 1_000 });
      expect(tokenRequests()).toBe(sent);
      // After the window the guard lets the call through again (to MSAL, whose own throttle
      // cache runs on real time and still replays the 429 here).
      tenant.clock.advance(1_000);
      expect(await guardRejection(signIn(client))).toMatchObject({ kind: "throttled", suppressed: false });
    });

    /**
     * For a response it can't parse, the observer throws an `AuthError` of the msal-node
     * copy msal-guard imports; a 3.x app (or any second copy of msal-node) turns that into
     * `ClientAuthError: network_error`. The observed HTTP status outranks it in classify().
     */
    it("an empty 429 (a body MSAL can't parse) is still throttled with its Retry-After", async () => {
      tenant.sim.inject({ status: 429, body: "empty", retryAfter: 12, times: 1, match: { grant: "password" } });
      const observer = createNetworkObserver();
      const client = guardClient(publicApp(observer), { observer, clock: simulatedGuardClock(tenant.clock) });
      expect(await guardRejection(signIn(client))).toMatchObject({ kind: "throttled", retryAfterMs: 12_000, classification: { httpStatus: 429 } });
    });

    it("a dropped connection is a network failure, recorded by the observer", async () => {
      tenant.sim.inject({ drop: true, times: 1, match: { grant: "password" } });
      const observer = createNetworkObserver();
      const { error } = await failure(ropc(publicApp(observer), PASSWORD));
      expect(error).toMatchObject({ errorCode: "network_error" });
      const response = observer.responseFor(error);
      expect(response).toMatchObject({ type: "network", timedOut: false });
      expect(classify(error, { response }).kind).toBe("network");
    });
  });
});
