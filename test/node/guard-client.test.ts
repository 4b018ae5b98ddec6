// The Node adapter over real msal-node against the simulator, on simulated time: every
// suppression policy, proven by counting the token requests that reach the service.
import { ConfidentialClientApplication, PublicClientApplication } from "@azure/msal-node";
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { AccountLockedError, ConditionalAccessBlockedError, MemoryStore, isMsalGuardError, toGuardError, type GuardError, type GuardEvent, type MsalGuardError } from "../../src/index.js";
import { guardClient } from "../../src/node/index.js";
import { CLIENTS, PASSWORD, SECRET, USERS, guardRejection, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";
import { simulatedGuardClock } from "./sim-clock.js";

const MINUTE = 60_000;
const USER_READ = ["User.Read"];
const GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"];

let tenant: Tenant;
beforeAll(async () => {
  // The simulated tenant keeps accounts locked for 10 minutes, so the guard's probes
  // during that time meet a real lockout.
  tenant = await startTenant({ loopDetection: false, lockout: { durationMs: 10 * MINUTE } });
});
afterAll(() => tenant.sim.close());
beforeEach(() => {
  const { sim } = tenant;
  sim.clearFaults();
  sim.setErrorShape({});
  for (const user of Object.values(USERS)) {
    sim.unlock(user);
    sim.updateUser(user, { password: PASSWORD });
  }
  sim.resetLog();
  tenant.clock.advance(24 * 60 * MINUTE);
});

const publicApp = () => new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
const daemonApp = (secret = SECRET, clientId: string = CLIENTS.daemon) =>
  new ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(clientId, { clientSecret: secret }), system: quietLogger });

const rejection = guardRejection;

const tokenRequests = () => tenant.sim.requests.filter((r) => r.endpoint === "token").length;

describe("ghost clients: a rejected credential is never sent again", () => {
  it("a daemon retrying a stale password every 5 minutes for 24 hours sends one request and causes no lockout", async () => {
    const clock = simulatedGuardClock(tenant.clock);
    const client = guardClient(publicApp(), { clock });
    const errors: MsalGuardError[] = [];
    for (let minute = 0; minute < 24 * 60; minute += 5) {
      errors.push(await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: "stale-password" })));
      tenant.clock.advance(5 * MINUTE);
    }
    expect(tokenRequests()).toBe(1);
    expect(tenant.sim.lockoutState(USERS.ada)).toMatchObject({ failedCount: 1, locked: false, lockoutCount: 0 });
    expect(errors[0]).toMatchObject({ kind: "invalid_credentials", suppressed: false });
    expect(errors.slice(1).every((e) => e.kind === "invalid_credentials" && e.suppressed)).toBe(true);
  });

  it("a changed password goes through at once", async () => {
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: "old-password" }));
    const result = await client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
    expect(result?.accessToken).toMatch(/^simAT\./);
    expect(tokenRequests()).toBe(2);
  });

  it("the latch lasts 24 hours, then the credential may be tried once more", async () => {
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    const call = () => client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: "stale" });
    await rejection(call());
    tenant.clock.advance(24 * 60 * MINUTE - 1);
    expect((await rejection(call())).suppressed).toBe(true);
    tenant.clock.advance(1);
    expect((await rejection(call())).suppressed).toBe(false);
    expect(tokenRequests()).toBe(2);
  });

  it("an operator reset releases a latched credential", async () => {
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    const call = () => client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: "stale" });
    await rejection(call());
    await client.reset({ user: USERS.ada, kind: "invalid_credentials" });
    expect((await rejection(call())).suppressed).toBe(false);
    expect(tokenRequests()).toBe(2);
  });

  it.each([
    ["a wrong client secret (7000215)", () => daemonApp("wrong-secret"), "client_misconfigured"],
    ["an expired client secret (7000222)", () => daemonApp(SECRET, CLIENTS.expiredSecret), "client_misconfigured"],
  ])("%s is sent once, then suppressed; the right secret goes through", async (_, makeApp, kind) => {
    const clock = simulatedGuardClock(tenant.clock);
    const client = guardClient(makeApp(), { clock });
    for (let i = 0; i < 20; i++) {
      const error = await rejection(client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
      expect(error.kind).toBe(kind);
      expect(error.suppressed).toBe(i > 0);
      tenant.clock.advance(MINUTE);
    }
    expect(tokenRequests()).toBe(1);
  });
});

describe("account lockout", () => {
  async function lockAda(): Promise<void> {
    const app = publicApp();
    for (let i = 0; i < 11; i++) {
      await app.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: `guess-${i}` }).catch(() => undefined);
    }
    expect(tenant.sim.lockoutState(USERS.ada).locked).toBe(true);
    tenant.sim.resetLog();
  }

  it("distinct concurrent password calls meeting a lockout nothing is recorded for yet make one token request (first contact)", async () => {
    await lockAda();
    // Waiting for the first contact takes real time (a few polls of 250 ms) and leaves the
    // simulated time alone, so the lockout is recorded at the instant the calls were made.
    const clock = { now: () => tenant.clock.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)), random: Math.random };
    const client = guardClient(publicApp(), { clock });
    const scopeSets = [["User.Read"], ["Mail.Read"], ["Files.Read"], ["Calendars.Read"]];
    const calls = await Promise.allSettled(scopeSets.map((scopes) => client.acquireTokenByUsernamePassword({ scopes, username: USERS.ada, password: PASSWORD })));
    expect(tokenRequests()).toBe(1);
    const errors = calls.map((c) => (c.status === "rejected" ? (c.reason as MsalGuardError) : undefined));
    expect(errors.map((e) => e?.kind)).toEqual(["account_locked", "account_locked", "account_locked", "account_locked"]);
    expect(errors.filter((e) => e?.suppressed)).toHaveLength(3);
    expect((await client.status()).counts).toMatchObject({ sent: 1, firstContacts: 1, contactWaits: 3, suppressed: 3 });
    // Calls a cache may answer are never held for a first contact.
    const daemon = guardClient(daemonApp(), { clock });
    const tokens = await Promise.all(scopeSets.map(() => daemon.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true })));
    expect(tokens.every((t) => Boolean(t?.accessToken))).toBe(true);
    expect((await daemon.status()).counts).toMatchObject({ firstContacts: 0, contactWaits: 0 });
  });

  it.each([
    { error: "invalid_grant", suberror: "bad_token", kept: { error: "invalid_grant", subError: "bad_token" } },
    { error: `invalid_grant for ${USERS.ada}`, suberror: USERS.ada, kept: { error: undefined, subError: undefined } },
    { error: USERS.ada, suberror: "Ada Lovelace", kept: { error: undefined, subError: undefined } },
  ])("keeps the server's error $error and suberror $suberror only when they are error values, never text", async ({ error, suberror, kept }) => {
    const events: GuardEvent[] = [];
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock), onEvent: (e) => events.push(e) });
    tenant.sim.inject({ status: 400, code: 50126, error, suberror, times: 1 });
    const failure = await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.consent, password: PASSWORD }));
    expect(failure.classification).toMatchObject({ codes: [50126], ...kept });
    expect(JSON.stringify(events)).not.toMatch(/ada@|Lovelace/);
  });

  it("its errors narrow by kind: a Conditional Access block has policyIds, an MFA challenge has claims (type-checked)", async () => {
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    const caught: unknown[] = [];
    for (const username of [USERS.blocked, USERS.mfa]) await client.acquireTokenByUsernamePassword({ scopes: USER_READ, username, password: PASSWORD }).catch((e: unknown) => caught.push(e));
    const seen: string[] = [];
    for (const e of caught) {
      if (!isMsalGuardError(e)) continue;
      // No cast: `kind` picks the class, and with it the fields only that class has.
      if (e.kind === "conditional_access_blocked") {
        expectTypeOf(e).toEqualTypeOf<ConditionalAccessBlockedError>();
        seen.push(`ca ${e.policyIds.length}`);
      } else if (e.kind === "mfa_required") {
        expectTypeOf(e.claims).toEqualTypeOf<string | undefined>();
        seen.push("mfa");
      }
    }
    expect(seen).toEqual(["ca 1", "mfa"]);
    expectTypeOf(toGuardError(caught[0])).toEqualTypeOf<GuardError>();
  });

  it("1,000 concurrent calls for a locked account make one token request per window, then exactly one probe", async () => {
    await lockAda();
    const events: GuardEvent[] = [];
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock), onEvent: (e) => events.push(e) });
    const wave = () =>
      Promise.allSettled(Array.from({ length: 1000 }, () => client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD })));

    const first = await wave();
    expect(tokenRequests()).toBe(1);
    expect(first.every((r) => r.status === "rejected" && (r.reason as MsalGuardError).kind === "account_locked")).toBe(true);

    // Within the 60 s window: nothing is sent.
    tenant.clock.advance(30_000);
    await wave();
    expect(tokenRequests()).toBe(1);

    // After the window: one probe for 1,000 callers. The simulator still holds the lock (its
    // own window escalates), so the probe fails and the guard's window doubles to 120 s.
    tenant.clock.advance(31_000);
    await wave();
    expect(tokenRequests()).toBe(2);
    expect(events.filter((e) => e.type === "probe")).toHaveLength(1);
    tenant.clock.advance(119_000);
    await wave();
    expect(tokenRequests()).toBe(2);
  });

  it("while a probe is out, every other caller stays suppressed", async () => {
    await lockAda();
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    tenant.clock.advance(61_000);
    tenant.sim.inject({ delayMs: 50, times: 1 });
    const probe = client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
    // A different scope set is a different call (no single flight), yet it must wait for the probe.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const other = await rejection(client.acquireTokenByUsernamePassword({ scopes: ["Mail.Read"], username: USERS.ada, password: PASSWORD }));
    expect(other).toMatchObject({ kind: "account_locked", suppressed: true });
    await probe.catch(() => undefined);
    expect(tokenRequests()).toBe(2);
  });

  it("a successful probe releases the account", async () => {
    await lockAda();
    const events: GuardEvent[] = [];
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock), onEvent: (e) => events.push(e) });
    await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    tenant.sim.unlock(USERS.ada);
    tenant.clock.advance(61_000);
    const result = await client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
    expect(result?.accessToken).toBeTruthy();
    expect(events.some((e) => e.type === "released" && e.reason === "probe_succeeded")).toBe(true);
    expect((await client.status()).suppressions).toEqual([]);
  });

  it("another user of the same app is never suppressed by someone else's lockout", async () => {
    await lockAda();
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    tenant.sim.addUser({ username: "grace@contoso.test", password: PASSWORD });
    const result = await client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: "grace@contoso.test", password: PASSWORD });
    expect(result?.accessToken).toBeTruthy();
  });

  it("the lockout the server reported already says when to try again; a suppressed call makes no request and rejects with the same kind, retryAfterMs and retryAt", async () => {
    await lockAda();
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    const server = await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    // The first error (a notice renders it) carries the window the guard now holds.
    expect(server).toMatchObject({ suppressed: false, retryAfterMs: 60_000, retryAt: tenant.clock.now() + 60_000 });
    tenant.clock.advance(20_000);
    const suppressed = await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    expect(server).toBeInstanceOf(AccountLockedError);
    expect(server.suppressed).toBe(false);
    expect(server.cause).toMatchObject({ name: "ServerError", errorNo: 50053 });
    expect(suppressed).toBeInstanceOf(AccountLockedError);
    expect(suppressed).toMatchObject({ suppressed: true, retryAfterMs: 40_000, retryAt: tenant.clock.now() + 40_000, codes: [50053] });
    expect(suppressed.cause).toBe(server.cause);
    expect(tokenRequests()).toBe(1);
  });

  it("windows escalate 60 s, 120 s, 240 s ... and stop at 30 minutes", async () => {
    tenant.sim.flagAddress("127.0.0.1"); // every password sign-in answers 50053
    try {
      const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
      const windows: number[] = [];
      for (let i = 0; i < 8; i++) {
        const error = await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
        expect(error.suppressed).toBe(false);
        const status = await client.status();
        const lock = status.suppressions.find((s) => s.kind === "account_locked");
        windows.push((lock?.until ?? 0) - tenant.clock.now());
        tenant.clock.advance(windows.at(-1) ?? 0);
      }
      expect(windows).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000, 1_800_000]);
    } finally {
      tenant.sim.unflagAddress("127.0.0.1");
    }
  });
});

describe("the network observer", () => {
  it("finds a failed call's response by its correlation id, without following the call (no AsyncLocalStorage, whose async hooks slow every promise)", async () => {
    const { createNetworkObserver } = await import("../../src/node/network-observer.js");
    const real = createNetworkObserver();
    const followed: string[] = [];
    // The same observer, noting each call the guard asks it to follow.
    const observer = { ...real, observe: <T>(run: () => Promise<T>) => (followed.push("observe"), real.observe(run)) };
    const app = new ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.daemon, { clientSecret: SECRET }), system: real.system(quietLogger) });
    const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock), observer });
    expect((await client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT }))?.accessToken).toBeTruthy();
    tenant.sim.throttle({ retryAfter: 45, times: 1 });
    const throttled = await rejection(client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
    // What only the observer saw: the status and Retry-After, by the error's correlation id.
    expect(throttled).toMatchObject({ kind: "throttled", retryAfterMs: 45_000 });
    expect(throttled.classification.httpStatus).toBe(429);
    expect(followed).toEqual([]);
  });
});

describe("throttling, Conditional Access, interaction", () => {
  it("a throttled app is suppressed for all users until Retry-After passes", async () => {
    const { createNetworkObserver } = await import("../../src/node/network-observer.js");
    const observer = createNetworkObserver();
    const app = new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: observer.system(quietLogger) });
    const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock), observer });
    tenant.sim.throttle({ retryAfter: 30, times: 1 });
    const first = await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    expect(first).toMatchObject({ kind: "throttled", retryAfterMs: 30_000 });
    expect(first.classification.httpStatus).toBe(429);
    for (const username of [USERS.ada, USERS.mfa, USERS.blocked]) {
      const error = await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username, password: PASSWORD }));
      expect(error).toMatchObject({ kind: "throttled", suppressed: true });
      // Every user's suppressed call keeps the answer that started it as cause, whoever met it.
      expect(error.cause).toBe(first.cause);
    }
    expect(tokenRequests()).toBe(1);
  });

  it("a Conditional Access block is suppressed per identity and scopes for an hour", async () => {
    const client = guardClient(daemonApp(SECRET, CLIENTS.blockedDaemon), { clock: simulatedGuardClock(tenant.clock) });
    const call = () => client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true });
    const first = await rejection(call());
    expect(first).toMatchObject({ kind: "conditional_access_blocked", suppressed: false });
    expect(first.classification.interactionRequired).toBe(false);
    tenant.clock.advance(59 * MINUTE);
    expect(await rejection(call())).toMatchObject({ kind: "conditional_access_blocked", suppressed: true });
    tenant.clock.advance(MINUTE);
    expect((await rejection(call())).suppressed).toBe(false);
    expect(tokenRequests()).toBe(2);
  });

  // A refusal for the app's setup is about that request: other scopes, and a fixed setup, go through.
  it.each([
    ["an invalid scope (70011)", () => daemonApp(), ["api://reports/read"], 70011],
    ["an app the tenant doesn't know (700016)", () => daemonApp(SECRET, "55555555-5555-4555-8555-555555555555"), GRAPH_DEFAULT, 700016],
  ])("%s: that identity and scope set is suppressed for 5 minutes, nothing else", async (_, makeApp, scopes, code) => {
    const client = guardClient(makeApp(), { clock: simulatedGuardClock(tenant.clock) });
    const call = (s: string[]) => client.acquireTokenByClientCredential({ scopes: s, skipCache: true });
    const first = await rejection(call(scopes));
    expect(first).toMatchObject({ kind: "client_misconfigured", suppressed: false, codes: [code] });
    tenant.clock.advance(5 * MINUTE - 1);
    const again = await rejection(call(scopes));
    expect(again).toMatchObject({ kind: "client_misconfigured", suppressed: true, retryAfterMs: 1, codes: [code] });
    expect((await client.status()).suppressions).toEqual([expect.objectContaining({ scope: "scopes", reason: "misconfigured", codes: [code] })]);
    // The app's credential was not refused: another scope set is sent (and, for a known app, succeeds).
    const other = await call(["https://storage.simulator.test/.default"]).catch((error: unknown) => error as MsalGuardError);
    if (code === 70011) expect(other).toMatchObject({ accessToken: expect.stringMatching(/^simAT\./) });
    else expect(other).toMatchObject({ kind: "client_misconfigured", suppressed: false });
    tenant.clock.advance(1);
    expect((await rejection(call(scopes))).suppressed).toBe(false);
    expect(tokenRequests()).toBe(3);
  });

  it("a refused on-behalf-of user assertion (50013) is not suppressed: the next request carries a new one", async () => {
    const client = guardClient(daemonApp(), { clock: simulatedGuardClock(tenant.clock) });
    const obo = (oboAssertion: string) => client.acquireTokenOnBehalfOf({ oboAssertion, scopes: ["https://graph.microsoft.com/User.Read"] });
    const refused = await rejection(obo("not-a-token-the-tenant-issued"));
    expect(refused).toMatchObject({ kind: "client_misconfigured", suppressed: false, codes: [50013] });
    expect((await rejection(obo("not-a-token-the-tenant-issued"))).suppressed).toBe(false);
    const user = await publicApp().acquireTokenByUsernamePassword({ scopes: ["api://web-api/access"], username: USERS.ada, password: PASSWORD });
    const result = await obo(user?.accessToken as string);
    expect(result?.accessToken).toMatch(/^simAT\./);
    expect((await client.status()).suppressions).toEqual([]);
  });

  it("silent calls that need MFA are suppressed for two minutes; interactive ones are not", async () => {
    const app = publicApp();
    const first = await app.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
    tenant.sim.addConditionalAccessRule({ policyId: "aaaaaaaa-0000-4000-8000-00000000000a", users: [USERS.ada], action: "require_mfa" });
    try {
      const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock) });
      const silent = () => client.acquireTokenSilent({ scopes: USER_READ, account: first!.account!, forceRefresh: true });
      expect(await rejection(silent())).toMatchObject({ kind: "mfa_required", suppressed: false });
      tenant.clock.advance(MINUTE);
      expect(await rejection(silent())).toMatchObject({ kind: "mfa_required", suppressed: true });
      tenant.clock.advance(MINUTE);
      expect((await rejection(silent())).suppressed).toBe(false);
    } finally {
      tenant.sim.removeConditionalAccessRule("aaaaaaaa-0000-4000-8000-00000000000a");
    }
  });
});

describe("nothing MSAL's token cache holds is refused", () => {
  it("while the app is throttled, a token MSAL has cached is still returned, with no request; anything needing the network is refused", async () => {
    const { createNetworkObserver } = await import("../../src/node/network-observer.js");
    const observer = createNetworkObserver();
    const app = new ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.daemon, { clientSecret: SECRET }), system: observer.system(quietLogger) });
    const seen: GuardEvent[] = [];
    const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock), observer, onEvent: (e) => seen.push(e) });
    const cached = await client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT });
    tenant.sim.throttle({ retryAfter: 600, times: 1 });
    expect(await rejection(client.acquireTokenByClientCredential({ scopes: ["https://storage.simulator.test/.default"] }))).toMatchObject({ kind: "throttled", suppressed: false });
    const sent = tokenRequests();

    // MSAL would answer this from its cache: so does the guarded client, untouched.
    const again = await client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT });
    expect(again?.accessToken).toBe(cached?.accessToken);
    expect(again?.fromCache).toBe(true);
    // Calls that need the network stay refused, without a request.
    expect(await rejection(client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }))).toMatchObject({ kind: "throttled", suppressed: true });
    expect(await rejection(client.acquireTokenByClientCredential({ scopes: ["https://storage.simulator.test/.default"] }))).toMatchObject({ kind: "throttled", suppressed: true });
    expect(tokenRequests()).toBe(sent);
    const { counts } = await client.status();
    expect(counts).toMatchObject({ fromCache: 1, suppressed: 2 });
    expect(seen.filter((e) => e.type === "suppressed")).toHaveLength(2);
  });

  it("a silent call held back for MFA still gets the token MSAL has cached; only calls that need the network are refused", async () => {
    const { createNetworkObserver } = await import("../../src/node/network-observer.js");
    const observer = createNetworkObserver();
    const app = new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: observer.system(quietLogger) });
    const first = await app.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
    const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock), observer });
    tenant.sim.inject({ status: 400, code: 50076, error: "interaction_required", match: { grant: "refresh_token" }, times: 1 });
    const silent = (forceRefresh: boolean) => client.acquireTokenSilent({ scopes: USER_READ, account: first!.account!, forceRefresh });
    expect(await rejection(silent(true))).toMatchObject({ kind: "mfa_required", suppressed: false });
    // The access token from the sign-in is still in MSAL's cache and valid: served.
    expect((await silent(false))?.accessToken).toBe(first?.accessToken);
    expect(await rejection(silent(true))).toMatchObject({ kind: "mfa_required", suppressed: true });
  });
});

describe("a sign-in clears what it disproves", () => {
  it.each([
    ["with the user's login hint", { loginHint: USERS.ada }],
    ["choosing the account in the browser (no hint)", {}],
  ])("silent calls held back for MFA go again as soon as an interactive sign-in %s succeeds", async (_, hint) => {
    const app = publicApp();
    const first = await app.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
    const policyId = "aaaaaaaa-0000-4000-8000-00000000000b";
    tenant.sim.addConditionalAccessRule({ policyId, users: [USERS.ada], action: "require_mfa" });
    tenant.sim.setInteractiveUser(USERS.ada);
    try {
      const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock) });
      const silent = () => client.acquireTokenSilent({ scopes: USER_READ, account: first!.account!, forceRefresh: true });
      expect(await rejection(silent())).toMatchObject({ kind: "mfa_required", suppressed: false });
      expect(await rejection(silent())).toMatchObject({ kind: "mfa_required", suppressed: true });
      const signedIn = await client.acquireTokenInteractive({ scopes: USER_READ, openBrowser: tenant.sim.openBrowser, ...hint });
      expect(signedIn.account?.username).toBe(USERS.ada);
      // The user did what the block was waiting for: silent calls go (and succeed) at once.
      expect((await silent())?.account?.username).toBe(USERS.ada);
      expect((await client.status()).suppressions).toEqual([]);
    } finally {
      tenant.sim.removeConditionalAccessRule(policyId);
      tenant.sim.setInteractiveUser(undefined);
    }
  });

  it("an operator's reset by user name also clears what silent calls (keyed by the account) recorded", async () => {
    const app = publicApp();
    const first = await app.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
    const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock) });
    tenant.sim.inject({ status: 400, code: 50053, match: { grant: "refresh_token" }, times: 1 });
    const silent = () => client.acquireTokenSilent({ scopes: USER_READ, account: first!.account!, forceRefresh: true });
    expect(await rejection(silent())).toMatchObject({ kind: "account_locked", suppressed: false });
    expect(await rejection(silent())).toMatchObject({ kind: "account_locked", suppressed: true });
    await client.reset({ user: USERS.ada });
    expect((await silent())?.account?.username).toBe(USERS.ada);
  });
});

describe("the wrapper", () => {
  it("passes a success through untouched", async () => {
    const app = daemonApp();
    const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock) });
    const result = await client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT });
    expect(result?.accessToken).toMatch(/^simAT\./);
    expect(Object.keys(result ?? {})).toEqual(Object.keys((await app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT })) ?? {}));
    expect(client.getTokenCache()).toBe(app.getTokenCache());
  });

  it("shares one MSAL call among identical concurrent calls", async () => {
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD })),
    );
    expect(new Set(results).size).toBe(1);
    expect(tokenRequests()).toBe(1);
    expect((await client.status()).counts).toMatchObject({ calls: 50, sent: 1, shared: 49, succeeded: 1 });
  });

  it("never shares one MSAL call between concurrent calls whose requests differ beyond scopes and identity (here the query parameters MSAL sends)", async () => {
    const client = guardClient(daemonApp(), { clock: simulatedGuardClock(tenant.clock) });
    // The typings omit extraQueryParameters for client credentials; MSAL still sends it.
    const from = (source: string) =>
      client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true, ...({ extraQueryParameters: { sim_source: source } } as object) });
    await Promise.all([from("198.51.100.1"), from("198.51.100.2"), from("198.51.100.2")]);
    const sources = tenant.sim.requests.filter((r) => r.endpoint === "token").map((r) => r.sourceAddress);
    expect(sources.sort()).toEqual(["198.51.100.1", "198.51.100.2"]);
    expect((await client.status()).counts).toMatchObject({ calls: 3, sent: 2, shared: 1 });
  });

  it("never shares a device code sign-in between concurrent calls: each person gets their own prompt and token", async () => {
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    const prompted: string[] = [];
    const flow = (username: string) =>
      client.acquireTokenByDeviceCode({
        scopes: USER_READ,
        deviceCodeCallback: (response) => {
          prompted.push(username);
          tenant.sim.approveDeviceCode(response.userCode, username);
        },
      });
    const [a, b] = await Promise.all([flow(USERS.ada), flow(USERS.mfa)]);
    expect(prompted.sort()).toEqual([USERS.ada, USERS.mfa].sort());
    expect(a?.account?.username).toBe(USERS.ada);
    expect(b?.account?.username).toBe(USERS.mfa);
    expect((await client.status()).counts.shared).toBe(0);
  });

  it("treats an empty access token (an error status with a {} body) as a failure", async () => {
    const client = guardClient(daemonApp(), { clock: simulatedGuardClock(tenant.clock) });
    tenant.sim.inject({ status: 500, body: "empty-object", times: 1 });
    const error = await rejection(client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
    expect(error.suppressed).toBe(false);
    expect(error.cause).toMatchObject({ accessToken: "" });
  });

  it("retries transient failures only when asked, no sooner than 5 s, within the retry budget", async () => {
    const clock = simulatedGuardClock(tenant.clock);
    const off = guardClient(daemonApp(), { clock });
    tenant.sim.inject({ status: 503, body: "html", times: 1 });
    expect((await rejection(off.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }))).kind).toBe("transient");
    expect(tokenRequests()).toBe(1);

    const on = guardClient(daemonApp(), { clock, retry: { attempts: 2 } });
    tenant.sim.inject({ status: 503, body: "html", times: 2 });
    const result = await on.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true });
    expect(result?.accessToken).toBeTruthy();
    expect(tokenRequests()).toBe(4);
    expect(clock.slept).toHaveLength(2);
    expect(clock.slept.every((ms) => ms >= 5_000)).toBe(true);
  });

  it.each([
    ["loop detection", 50196],
    ["the telecom MFA call limit", 50088],
  ])("%s (%i) holds back that identity's request, not the app's other users", async (_, code) => {
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    const signIn = (username: string) => client.acquireTokenByUsernamePassword({ scopes: USER_READ, username, password: PASSWORD });
    tenant.sim.inject({ status: 400, code, times: 1, match: { username: USERS.consent } });
    expect(await rejection(signIn(USERS.consent))).toMatchObject({ kind: "throttled", suppressed: false, codes: [code] });

    expect((await signIn(USERS.ada))?.accessToken).toBeTruthy();
    expect(await rejection(signIn(USERS.consent))).toMatchObject({ kind: "throttled", suppressed: true, retryAfterMs: MINUTE });
    expect(tokenRequests()).toBe(2);
    expect((await client.status()).suppressions).toEqual([expect.objectContaining({ scope: "scopes", reason: "throttled", codes: [code] })]);
    await client.reset({ kind: "throttled" });
    expect((await client.status()).suppressions).toEqual([]);
  });

  it("two processes on one seeded test clock still take turns probing: lease holders are not drawn from the clock", async () => {
    const store = new MemoryStore();
    const [a, b] = [0, 1].map(() => guardClient(publicApp(), { store, clock: simulatedGuardClock(tenant.clock) })) as [ReturnType<typeof guardClient<PublicClientApplication>>, ReturnType<typeof guardClient<PublicClientApplication>>];
    const signIn = (client: typeof a) => rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    tenant.sim.flagAddress("127.0.0.1");
    try {
      expect(await signIn(a)).toMatchObject({ kind: "account_locked", suppressed: false });
      tenant.clock.advance(61_000);
      tenant.sim.inject({ status: 400, code: 50053, delayMs: 300, times: 1 }); // a slow probe
      const probe = signIn(a);
      await vi.waitFor(() => expect(tokenRequests()).toBe(1), { timeout: 1_000, interval: 5 }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // b's calls must each see a's probe in flight, whatever their sequence numbers.
      for (let i = 0; i < 4; i++) expect(await signIn(b)).toMatchObject({ kind: "account_locked", suppressed: true });
      expect(await probe).toMatchObject({ kind: "account_locked", suppressed: false });
      expect(tokenRequests()).toBe(2);
    } finally {
      tenant.sim.unflagAddress("127.0.0.1");
    }
  });

  it.each([
    { kind: "throttled" as const, secondProbe: false },
    { kind: "invalid_credentials" as const, secondProbe: false },
    { kind: "account_locked" as const, secondProbe: true },
  ])("an operator's reset({ kind: $kind }) during a probe of a locked account lets a second probe go: $secondProbe", async ({ kind, secondProbe }) => {
    const store = new MemoryStore();
    const process = () => guardClient(publicApp(), { store, clock: simulatedGuardClock(tenant.clock) });
    const [a, b, operator] = [process(), process(), process()];
    const signIn = (client: typeof a) => rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }));
    tenant.sim.flagAddress("127.0.0.1");
    try {
      await signIn(a);
      tenant.clock.advance(61_000);
      tenant.sim.inject({ status: 400, code: 50053, delayMs: 300, times: 1 }); // a slow probe
      const probe = signIn(a);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await operator.reset({ kind });
      expect((await signIn(b)).suppressed).toBe(!secondProbe);
      await probe;
      expect(tokenRequests()).toBe(secondProbe ? 3 : 2);
    } finally {
      tenant.sim.unflagAddress("127.0.0.1");
    }
  });

  it("MSAL's replay of one user's 503 to another user holds back no other process sharing the store", async () => {
    // msal-node's ROPC throttle key names no user: after one 503 with a {} body it replays
    // the failure, with no codes, to the next user of that app. That replay sent nothing.
    const store = new MemoryStore();
    const clock = simulatedGuardClock(tenant.clock);
    const [one, two] = [guardClient(publicApp(), { store, clock }), guardClient(publicApp(), { store, clock })];
    tenant.sim.inject({ status: 503, body: "empty-object", times: 1 });
    expect(await rejection(one.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }))).toMatchObject({ suppressed: false });
    const replay = await rejection(one.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.consent, password: PASSWORD }));
    expect(replay.classification).toMatchObject({ kind: "throttled", replayed: true });
    expect(tokenRequests()).toBe(1);

    const other = await two.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD });
    expect(other?.accessToken).toBeTruthy();
    expect(tokenRequests()).toBe(2);
    expect((await two.status()).suppressions).toEqual([]);
  });

  it.each([
    { maxDelayMs: 60_000, slept: [] },
    { maxDelayMs: 3_600_000, slept: [3_600_000] },
  ])("a 503 asking to wait an hour is retried only when retry.maxDelayMs allows that long ($maxDelayMs ms)", async ({ maxDelayMs, slept }) => {
    const { createNetworkObserver } = await import("../../src/node/network-observer.js");
    const observer = createNetworkObserver();
    const app = new ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.daemon, { clientSecret: SECRET }), system: observer.system(quietLogger) });
    const clock = simulatedGuardClock(tenant.clock);
    const client = guardClient(app, { clock, observer, retry: { attempts: 1, maxDelayMs } });
    tenant.sim.inject({ status: 503, retryAfter: 3_600, times: 1 });
    // Past the wait, MSAL's own throttling cache (on real time) answers the retry: the outcome is its.
    const error = await rejection(client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
    expect(clock.slept).toEqual(slept);
    if (slept.length === 0) expect(error).toMatchObject({ kind: "transient", suppressed: false, retryAfterMs: 3_600_000 });
  });

  it.each([
    ["interactive", (client: ReturnType<typeof guardClient<PublicClientApplication>>) => client.acquireTokenInteractive({ scopes: USER_READ, openBrowser: tenant.sim.openBrowser })],
    [
      "device code",
      (client: ReturnType<typeof guardClient<PublicClientApplication>>) =>
        client.acquireTokenByDeviceCode({ scopes: USER_READ, deviceCodeCallback: (response) => tenant.sim.approveDeviceCode(response.userCode, USERS.ada) }),
    ],
  ])("never retries a sign-in a person completes (%s): another attempt would ask them again", async (_, signIn) => {
    tenant.sim.setInteractiveUser(USERS.ada);
    const clock = simulatedGuardClock(tenant.clock);
    const client = guardClient(publicApp(), { clock, retry: { attempts: 2 } });
    tenant.sim.inject({ status: 503, body: "html", times: 1, match: { endpoint: "token" } });
    expect((await rejection(signIn(client))).kind).toBe("transient");
    expect(tenant.sim.requests.filter((r) => r.endpoint === "authorize" || r.endpoint === "devicecode")).toHaveLength(1);
    expect(clock.slept).toEqual([]);
    expect((await client.status()).counts.retries).toBe(0);
  });

  it("status() tells what is suppressed, why and until when, without full user names", async () => {
    const client = guardClient(publicApp(), { clock: simulatedGuardClock(tenant.clock) });
    await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: "stale" }));
    const status = await client.status();
    expect(status.suppressions).toEqual([
      expect.objectContaining({ scope: "credential", kind: "invalid_credentials", reason: "rejected_credential", user: "a…@contoso.test", codes: [50126], until: tenant.clock.now() + 24 * 60 * MINUTE }),
    ]);
    expect(JSON.stringify(status)).not.toContain(USERS.ada);
    expect(JSON.stringify(status)).not.toContain("stale");
    await client.reset();
    expect((await client.status()).suppressions).toEqual([]);
  });

  it.each([
    [{ retries: 3 }, /unknown option "retries"/],
    [{ lockout: { firstWindowMs: -1 } }, /lockout.firstWindowMs" must be a number from 0/],
    [{ misconfiguredMs: "5m" }, /"misconfiguredMs" must be a number from 0 to 604800000 \(milliseconds\), got "5m"\. Leave it out for the default, 300000/],
    [{ retry: { attempts: 2, firstDelayMs: 100 } }, /at least 5000 ms/],
    [{ probeLeaseMs: 0 }, /probeLeaseMs must be at least 1000 ms .*got 0/],
    [{ throttle: { defaultMs: 120_000, maxMs: 60_000 } }, /throttle.maxMs .* must be at least throttle.defaultMs/],
    [{ store: {} }, /store must implement get, set, delete, acquireLease and releaseLease/],
    [{ retry: { attempt: 2 } }, /"retry": unknown option "attempt"/],
    [{ lockout: { firstWindow: 60_000 } }, /"lockout": unknown option "firstWindow"/],
    [{ authority: 5 }, /authority must be a non-empty string, got 5/],
    [{ clientId: "" }, /clientId must be a non-empty string/],
    [{ onEvent: "log" }, /onEvent must be a function/],
  ])("rejects misuse at construction: %j", (options, message) => {
    expect(() => guardClient(publicApp(), options as never)).toThrow(message);
  });

  it("rejects an observer the app does not send through: it would see nothing, and a suppressed call's cache lookup would reach the network", async () => {
    const { createNetworkObserver } = await import("../../src/node/network-observer.js");
    const observer = createNetworkObserver();
    const auth = tenant.sim.msalNodeAuth(CLIENTS.daemon, { clientSecret: SECRET });
    expect(() => guardClient(new ConfidentialClientApplication({ auth, system: quietLogger }), { observer })).toThrow(
      /options.observer is not this app's network client.*system: observer.system\(\)/,
    );
    expect(() => guardClient(new ConfidentialClientApplication(observer.configure({ auth, system: quietLogger })), { observer })).not.toThrow();
  });

  it("rejects something that is not an msal-node app", () => {
    expect(() => guardClient({} as never)).toThrow(/no acquireToken\* method/);
  });
});

describe("calls for a user the request does not name (authorization code, refresh token)", () => {
  const CB = "http://localhost/cb";
  // Each failure is one user's: the app's other calls, and other users' codes, must still go out.
  it("loop detection (50196) on a code redemption holds back the app's next redemption, as other throttling does: it names no user to hold back instead", async () => {
    const client = guardClient(daemonApp(), { clock: simulatedGuardClock(tenant.clock) });
    const redeem = () => client.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.ada, { clientId: CLIENTS.daemon }), scopes: USER_READ, redirectUri: CB });
    tenant.sim.inject({ status: 400, code: 50196, match: { grant: "authorization_code" }, times: 1 });
    expect(await rejection(redeem())).toMatchObject({ kind: "throttled", suppressed: false });
    expect(await rejection(redeem())).toMatchObject({ kind: "throttled", suppressed: true });
    expect(tokenRequests()).toBe(1);
  });

  it.each([
    ["a disabled user (50057)", "account_unavailable", () => tenant.sim.issueAuthorizationCode(USERS.disabled, { clientId: CLIENTS.daemon })],
    ["a user blocked by Conditional Access (53003)", "conditional_access_blocked", () => tenant.sim.issueAuthorizationCode(USERS.blocked, { clientId: CLIENTS.daemon })],
    [
      "a locked account (50053)",
      "account_locked",
      () => {
        tenant.sim.inject({ status: 400, code: 50053, match: { grant: "authorization_code" }, times: 1 });
        return tenant.sim.issueAuthorizationCode(USERS.ada, { clientId: CLIENTS.daemon });
      },
    ],
  ])("one user's code redeemed for %s holds back nobody else", async (_, kind, codeFor) => {
    const client = guardClient(daemonApp(), { clock: simulatedGuardClock(tenant.clock) });
    const failed = await rejection(client.acquireTokenByCode({ code: codeFor(), scopes: USER_READ, redirectUri: CB }));
    expect(failed).toMatchObject({ kind, suppressed: false });
    // Another user's code, the same scopes: sent, and signed in.
    const other = await client.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.ada, { clientId: CLIENTS.daemon }), scopes: USER_READ, redirectUri: CB });
    expect(other?.account?.username).toBe(USERS.ada);
    // The app's own client credential call was never refused.
    const daemon = await client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true });
    expect(daemon?.accessToken).toMatch(/^simAT\./);
    expect((await client.status()).suppressions).toEqual([]);
    expect(tokenRequests()).toBe(3);
  });

  it("one user's revoked refresh token does not hold back another user's", async () => {
    // Refresh tokens for two users of the daemon app, from code redemptions.
    const refreshTokenOf = async (username: string) => {
      const app = daemonApp();
      await app.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(username, { clientId: CLIENTS.daemon }), scopes: USER_READ, redirectUri: CB });
      const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
      return Object.values(cache.RefreshToken)[0]?.secret as string;
    };
    const revoked = await refreshTokenOf(USERS.mfa);
    const valid = await refreshTokenOf(USERS.ada);
    tenant.sim.revokeRefreshTokens(USERS.mfa);
    tenant.sim.resetLog();
    const client = guardClient(daemonApp(), { clock: simulatedGuardClock(tenant.clock) });
    expect(await rejection(client.acquireTokenByRefreshToken({ refreshToken: revoked, scopes: USER_READ }))).toMatchObject({ kind: "interaction_required", codes: [50173] });
    const result = await client.acquireTokenByRefreshToken({ refreshToken: valid, scopes: USER_READ });
    expect(result?.account?.username).toBe(USERS.ada);
    expect(tokenRequests()).toBe(2);
  });

  it("a user disabled for a while holds back that user's silent calls for minutes, never the app's secret for a day", async () => {
    const app = daemonApp();
    const signedIn = await app.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.ada, { clientId: CLIENTS.daemon }), scopes: USER_READ, redirectUri: CB });
    const client = guardClient(app, { clock: simulatedGuardClock(tenant.clock) });
    const silent = () => client.acquireTokenSilent({ account: signedIn!.account!, scopes: USER_READ, forceRefresh: true });
    tenant.sim.updateUser(USERS.ada, { state: "disabled" });
    try {
      expect(await rejection(silent())).toMatchObject({ kind: "account_unavailable", codes: [50057], suppressed: false });
      expect(await rejection(silent())).toMatchObject({ kind: "account_unavailable", suppressed: true, retryAfterMs: 2 * MINUTE });
      expect((await client.status()).suppressions).toEqual([expect.objectContaining({ scope: "scopes", reason: "interaction_required", kind: "account_unavailable" })]);
    } finally {
      tenant.sim.updateUser(USERS.ada, { state: "enabled" });
    }
    // The app's own calls never stopped; the user's silent calls resume once the block ends.
    expect((await client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }))?.accessToken).toMatch(/^simAT\./);
    tenant.clock.advance(2 * MINUTE);
    expect((await silent())?.account?.username).toBe(USERS.ada);
  });

  it("a wrong app secret met on a code redemption is the app's: its client credential calls are held back too", async () => {
    const client = guardClient(daemonApp("not-the-secret"), { clock: simulatedGuardClock(tenant.clock) });
    const code = tenant.sim.issueAuthorizationCode(USERS.ada, { clientId: CLIENTS.daemon });
    expect(await rejection(client.acquireTokenByCode({ code, scopes: USER_READ, redirectUri: CB }))).toMatchObject({ kind: "client_misconfigured", codes: [7000215], suppressed: false });
    expect(await rejection(client.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }))).toMatchObject({ kind: "client_misconfigured", suppressed: true });
    expect(tokenRequests()).toBe(1);
  });
});
