// Real msal-node (ESM build) against the Entra simulator over loopback HTTP: every flow,
// every failure kind the flow can produce, classified end to end. The MSAL error objects
// here are MSAL's own, produced by its real token requests.
import { ConfidentialClientApplication, PublicClientApplication } from "@azure/msal-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { classify, toGuardError, type Classification, type GuardErrorKind } from "../../src/index.js";
import { createSimulatorNetworkClient, type NetworkObservation } from "../../src/testing/index.js";
import { CA_POLICY_ID, CLIENTS, PASSWORD, SECRET, USERS, quietLogger, startTenant, type Tenant } from "./fixtures.js";

const GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"];
const USER_READ = ["User.Read"];

let tenant: Tenant;
beforeAll(async () => {
  tenant = await startTenant({ deviceCode: { intervalSeconds: 0 } });
});
afterAll(() => tenant.sim.close());
beforeEach(() => {
  const { sim } = tenant;
  sim.clearFaults();
  sim.setErrorShape({});
  sim.setSourceAddress(undefined);
  sim.resetLog();
  for (const user of Object.values(USERS)) sim.unlock(user);
  // Loop detection remembers identical requests for five minutes: start each test clean.
  tenant.clock.advance(10 * 60_000);
});

const daemon = (clientId: string = CLIENTS.daemon, clientSecret = SECRET) =>
  new ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(clientId, { clientSecret }), system: quietLogger });
const publicApp = () => new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
const ropc = (username: string, password = PASSWORD, app = publicApp()) =>
  app.acquireTokenByUsernamePassword({ scopes: USER_READ, username, password });
const clientCredentials = (app = daemon()) => app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true });

/** The MSAL error a call rejects with, and its classification. */
async function failure(call: Promise<unknown>): Promise<{ error: Record<string, unknown>; c: Classification }> {
  try {
    await call;
  } catch (error) {
    return { error: error as Record<string, unknown>, c: classify(error) };
  }
  throw new Error("expected the MSAL call to fail");
}

interface Row {
  name: string;
  run: () => Promise<unknown>;
  /** MSAL's class name, to show the trap the row covers. */
  msalClass: string;
  kind: GuardErrorKind;
  codes: number[];
  check?: (c: Classification, error: Record<string, unknown>) => void;
}

describe("client credentials (ConfidentialClientApplication)", () => {
  const rows: Row[] = [
    { name: "wrong secret", run: () => clientCredentials(daemon(CLIENTS.daemon, "stale-secret")), msalClass: "ServerError", kind: "client_misconfigured", codes: [7000215], check: (c) => expect(c.httpStatus).toBe(401) },
    { name: "expired secret", run: () => clientCredentials(daemon(CLIENTS.expiredSecret)), msalClass: "ServerError", kind: "client_misconfigured", codes: [7000222] },
    { name: "unknown application", run: () => clientCredentials(daemon("99999999-9999-4999-8999-999999999999")), msalClass: "ServerError", kind: "client_misconfigured", codes: [700016] },
    {
      name: "scope without /.default",
      run: () => daemon().acquireTokenByClientCredential({ scopes: ["User.Read"], skipCache: true }),
      msalClass: "ServerError",
      kind: "client_misconfigured",
      codes: [70011],
    },
    {
      name: "Conditional Access block (53003, which MSAL calls interaction-required even with no user)",
      run: () => clientCredentials(daemon(CLIENTS.blockedDaemon)),
      msalClass: "InteractionRequiredAuthError",
      kind: "conditional_access_blocked",
      codes: [53003],
      check: (c) => {
        expect(c.interactionRequired).toBe(false);
        expect(c.subError).toBe("message_only");
        expect(c.policyIds).toEqual([CA_POLICY_ID]);
      },
    },
  ];

  it.each(rows)("$name → $kind", async ({ run, msalClass, kind, codes, check }) => {
    const { error, c } = await failure(run());
    expect(error.name).toBe(msalClass);
    expect(c.kind).toBe(kind);
    expect(c.codes).toEqual(codes);
    expect(c.source).toBe("msal");
    expect(c.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.replayed).toBe(false);
    check?.(c, error);
  });

  it("HTTP 429 is throttled with its status; MSAL's local replay of it is marked replayed and sends nothing", async () => {
    const { sim } = tenant;
    sim.throttle({ retryAfter: 30, times: 1 });
    const app = daemon();
    const first = await failure(clientCredentials(app));
    expect(first.c).toMatchObject({ kind: "throttled", httpStatus: 429, replayed: false });
    const sent = sim.counts().total;
    const replay = await failure(clientCredentials(app));
    expect(sim.counts().total).toBe(sent); // answered from MSAL's throttling cache
    expect(replay.error.name).toBe("ServerError");
    expect(replay.error.errorNo).toBeUndefined();
    expect(replay.c).toMatchObject({ kind: "throttled", replayed: true, httpStatus: undefined });
    expect(replay.c.codes).toEqual(first.c.codes);
  });

  it.each([
    ["an HTML 503 page", { status: 503, body: "html" as const }, "transient"],
    ["an empty 503", { status: 503, body: "empty" as const }, "transient"],
    ["a JSON 503 (AADSTS90033)", { status: 503, body: "json" as const }, "transient"],
    ["an HTML 429 with no JSON", { status: 429, body: "html" as const, retryAfter: 5 }, "transient"],
  ])("%s is %s", async (_, fault, kind) => {
    tenant.sim.inject({ ...fault, times: 1 });
    const { c } = await failure(clientCredentials());
    expect(c.kind).toBe(kind);
  });

  it("a dropped connection is a network failure", async () => {
    tenant.sim.inject({ drop: true, times: 1 });
    const { error, c } = await failure(clientCredentials());
    expect(error.errorCode).toBe("network_error");
    expect(c.kind).toBe("network");
    expect(c.retry).toBe("with_backoff");
  });

  it("a looping client gets 50196 on the 16th identical request and is throttled", async () => {
    const app = daemon();
    for (let i = 0; i < 15; i++) await clientCredentials(app);
    const { c } = await failure(clientCredentials(app));
    expect(c).toMatchObject({ kind: "throttled", codes: [50196] });
  });
});

describe("username/password (ROPC)", () => {
  const rows: Row[] = [
    { name: "wrong password", run: () => ropc(USERS.ada, "not-it"), msalClass: "ServerError", kind: "invalid_credentials", codes: [50126] },
    { name: "unknown user", run: () => ropc("nobody@contoso.test"), msalClass: "ServerError", kind: "account_unavailable", codes: [50034] },
    { name: "disabled account", run: () => ropc(USERS.disabled), msalClass: "ServerError", kind: "account_unavailable", codes: [50057] },
    {
      name: "expired password",
      run: () => ropc(USERS.expired),
      msalClass: "InteractionRequiredAuthError",
      kind: "password_expired",
      codes: [50055],
      check: (c) => expect(c.interactionRequired).toBe(true),
    },
    {
      name: "MFA required",
      run: () => ropc(USERS.mfa),
      msalClass: "InteractionRequiredAuthError",
      kind: "mfa_required",
      codes: [50076],
      check: (c) => {
        expect(c.subError).toBe("basic_action");
        expect(c.interactionRequired).toBe(true);
        expect(c.traceId).toMatch(/^[0-9a-f-]{36}$/);
        expect(c.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      },
    },
    { name: "consent missing", run: () => ropc(USERS.consent), msalClass: "InteractionRequiredAuthError", kind: "consent_required", codes: [65001] },
    {
      name: "Conditional Access block",
      run: () => ropc(USERS.blocked),
      msalClass: "InteractionRequiredAuthError",
      kind: "conditional_access_blocked",
      codes: [53003],
      check: (c) => {
        expect(c.policyIds).toEqual([CA_POLICY_ID]);
        expect(c.interactionRequired).toBe(false);
      },
    },
  ];

  it.each(rows)("$name → $kind", async ({ run, msalClass, kind, codes, check }) => {
    const { error, c } = await failure(run());
    expect(error.name).toBe(msalClass);
    expect(c.kind).toBe(kind);
    expect(c.codes).toEqual(codes);
    expect(c.httpStatus).toBeUndefined(); // MSAL keeps the status only for client credentials
    check?.(c, error);
  });

  it("[70002, 50126]: MSAL's errorNo says 70002, the classification says invalid credentials, 50126 first", async () => {
    tenant.sim.setErrorShape({ badPasswordCodes: [70002, 50126] });
    const { error, c } = await failure(ropc(USERS.ada, "not-it"));
    expect(error.errorNo).toBe(70002);
    expect(c.kind).toBe("invalid_credentials");
    expect(c.codes).toEqual([50126, 70002]);
  });

  it("smart lockout: ten bad passwords, then 50053 even for the right password, and the message never blames the password", async () => {
    const app = publicApp();
    for (let i = 0; i < 10; i++) expect((await failure(ropc(USERS.ada, `guess-${i}`, app))).c.kind).toBe("invalid_credentials");
    const locked = await failure(ropc(USERS.ada, PASSWORD, app));
    expect(locked.error.name).toBe("ServerError");
    expect(locked.c).toMatchObject({ kind: "account_locked", codes: [50053], interactionRequired: false, retry: "after_wait" });
    const typed = toGuardError(locked.error);
    expect(typed.name).toBe("AccountLockedError");
    expect(typed.cause).toBe(locked.error);
  });

  it("a flagged source address answers 50053 for a healthy account", async () => {
    const { sim } = tenant;
    sim.flagAddress("203.0.113.66");
    try {
      const { c } = await failure(
        publicApp().acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD, extraQueryParameters: { sim_source: "203.0.113.66" } }),
      );
      expect(c.kind).toBe("account_locked");
    } finally {
      sim.unflagAddress("203.0.113.66");
    }
  });

  it.each([
    ["50053 sent as unauthorized_client", { errorVariants: { 50053: "unauthorized_client" } }, "locked", "account_locked"],
    ["53003 sent as interaction_required", { errorVariants: { 53003: "interaction_required" } }, USERS.blocked, "conditional_access_blocked"],
    ["53003 without suberror (MSAL makes it a ServerError and drops the claims)", { omitSuberror: [53003] }, USERS.blocked, "conditional_access_blocked"],
  ] as const)("%s is still %s", async (_, shape, user, kind) => {
    const { sim } = tenant;
    sim.setErrorShape(shape);
    if (user === "locked") sim.flagAddress("127.0.0.1");
    try {
      const { c } = await failure(ropc(user === "locked" ? USERS.ada : user));
      expect(c.kind).toBe(kind);
      expect(c.interactionRequired).toBe(false);
    } finally {
      sim.unflagAddress("127.0.0.1");
    }
  });

  it("MSAL replays one user's 503 to another user for 60 s (its ROPC throttle key has no user): replayed, transient", async () => {
    const { sim } = tenant;
    const app = publicApp();
    sim.inject({ status: 503, body: "json", retryAfter: 60, times: 1 });
    const first = await failure(ropc(USERS.ada, PASSWORD, app));
    expect(first.c).toMatchObject({ kind: "transient", replayed: false });
    const sent = sim.counts().total;
    const other = await failure(ropc(USERS.mfa, PASSWORD, app));
    expect(sim.counts().total).toBe(sent);
    expect(other.c).toMatchObject({ kind: "transient", replayed: true, codes: first.c.codes });
  });
});

describe("refresh token, on-behalf-of, authorization code, device code", () => {
  async function refreshTokenOf(username: string): Promise<{ app: PublicClientApplication; refreshToken: string }> {
    const app = publicApp();
    await ropc(username, PASSWORD, app);
    const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
    return { app, refreshToken: Object.values(cache.RefreshToken)[0]?.secret as string };
  }

  it("a revoked refresh token needs interaction (50173)", async () => {
    const { app, refreshToken } = await refreshTokenOf(USERS.ada);
    tenant.sim.revokeRefreshTokens(USERS.ada);
    const { c } = await failure(app.acquireTokenByRefreshToken({ refreshToken, scopes: USER_READ }));
    expect(c).toMatchObject({ kind: "interaction_required", codes: [50173], interactionRequired: true });
  });

  it("a refresh for a user later blocked by Conditional Access is a terminal block", async () => {
    const { sim } = tenant;
    const { app, refreshToken } = await refreshTokenOf(USERS.ada);
    sim.addConditionalAccessRule({ policyId: "7a7a7a7a-0000-4000-8000-000000000001", users: [USERS.ada], action: "block" });
    try {
      const { error, c } = await failure(app.acquireTokenByRefreshToken({ refreshToken, scopes: USER_READ }));
      expect(error.name).toBe("InteractionRequiredAuthError");
      expect(c).toMatchObject({ kind: "conditional_access_blocked", interactionRequired: false, policyIds: ["7a7a7a7a-0000-4000-8000-000000000001"] });
    } finally {
      sim.removeConditionalAccessRule("7a7a7a7a-0000-4000-8000-000000000001");
    }
  });

  it("on-behalf-of for a user who needs MFA carries the claims challenge", async () => {
    const { sim } = tenant;
    const user = await ropc(USERS.ada);
    sim.addConditionalAccessRule({ policyId: "8b8b8b8b-0000-4000-8000-000000000002", users: [USERS.ada], clients: [CLIENTS.daemon], action: "require_mfa" });
    try {
      const { c } = await failure(
        daemon().acquireTokenOnBehalfOf({ oboAssertion: user?.accessToken as string, scopes: ["https://graph.microsoft.com/User.Read"] }),
      );
      expect(c.kind).toBe("mfa_required");
      expect(c.codes).toEqual([50076]);
      expect(c.claims).toEqual(expect.any(String));
    } finally {
      sim.removeConditionalAccessRule("8b8b8b8b-0000-4000-8000-000000000002");
    }
  });

  it("on-behalf-of for a Conditional-Access-blocked user is a terminal block", async () => {
    const { sim } = tenant;
    const user = await ropc(USERS.ada);
    sim.addConditionalAccessRule({ policyId: "9c9c9c9c-0000-4000-8000-000000000003", users: [USERS.ada], clients: [CLIENTS.daemon], action: "block" });
    try {
      const { c } = await failure(daemon().acquireTokenOnBehalfOf({ oboAssertion: user?.accessToken as string, scopes: ["https://graph.microsoft.com/User.Read"] }));
      expect(c).toMatchObject({ kind: "conditional_access_blocked", codes: [53003] });
    } finally {
      sim.removeConditionalAccessRule("9c9c9c9c-0000-4000-8000-000000000003");
    }
  });

  it("an authorization code redeemed twice is an invalid request (54005)", async () => {
    const code = tenant.sim.issueAuthorizationCode(USERS.ada, { clientId: CLIENTS.daemon });
    const app = daemon();
    await app.acquireTokenByCode({ code, scopes: USER_READ, redirectUri: "http://localhost/cb" });
    const { c } = await failure(app.acquireTokenByCode({ code, scopes: USER_READ, redirectUri: "http://localhost/cb" }));
    expect(c).toMatchObject({ kind: "invalid_request", codes: [54005], interactionRequired: false });
  });

  it.each([
    [USERS.blocked, "conditional_access_blocked", [53003]],
    [USERS.disabled, "account_unavailable", [50057]],
  ] as const)("device code approved by %s: MSAL drops the code, the observed response restores %s", async (username, kind, codes) => {
    const responses = new Map<string, NetworkObservation>();
    const app = new PublicClientApplication({
      auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp),
      system: {
        ...quietLogger,
        networkClient: createSimulatorNetworkClient(tenant.sim, {
          onResponse: (o) => o.correlationId !== undefined && o.status >= 400 && responses.set(o.correlationId, o),
        }),
      },
    });
    const { error, c } = await failure(
      app.acquireTokenByDeviceCode({ scopes: USER_READ, deviceCodeCallback: (r) => tenant.sim.approveDeviceCode(r.userCode, username) }),
    );
    // The trap: msal-node's device-code poll throws AuthError("post_request_failed", "invalid_grant").
    expect(error).toMatchObject({ name: "AuthError", errorCode: "post_request_failed", errorMessage: "invalid_grant" });
    expect(c).toMatchObject({ kind: "interaction_required", error: "invalid_grant", codes: [] });
    const observed = responses.get(error.correlationId as string);
    expect(observed).toBeDefined();
    const restored = classify(error, { response: observed });
    expect(restored.kind).toBe(kind);
    expect(restored.codes).toEqual(codes);
    expect(restored.httpStatus).toBe(400);
  });
});
