import {
  ConfidentialClientApplication,
  PublicClientApplication,
  type AuthenticationResult,
} from "@azure/msal-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createManualClock, startEntraSimulator, type EntraSimulator } from "../../src/testing/index.js";
import { quietLogger } from "./helpers.js";

const USER = "ada@contoso.test";
const PASSWORD = "correct horse";
const SECRET = "s3cret-value";
const GRAPH = ["https://graph.microsoft.com/.default"];

let sim: EntraSimulator;
const clock = createManualClock();
/** Every URL MSAL fetched (msal-node's HttpClient uses the global fetch). */
let fetched: string[] = [];

beforeAll(async () => {
  sim = await startEntraSimulator({
    clock,
    users: [{ username: USER, password: PASSWORD, displayName: "Ada Lovelace" }],
    clients: [
      { clientId: "daemon-app", secret: SECRET },
      { clientId: "public-app", type: "public" },
      { clientId: "web-api", secret: SECRET },
    ],
    deviceCode: { intervalSeconds: 0 },
  });
});
afterAll(() => sim.close());

beforeEach(() => {
  fetched = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    fetched.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  });
  sim.resetLog();
  sim.unlock(USER);
});

afterEach(() => {
  // MSAL must never leave the loopback simulator.
  expect(fetched.length).toBeGreaterThan(0);
  expect(fetched.every((url) => url.startsWith(`${sim.url}/`))).toBe(true);
  expect(sim.counts().total).toBe(fetched.length);
});

const confidential = (clientId = "daemon-app", clientSecret = SECRET) =>
  new ConfidentialClientApplication({ auth: sim.msalNodeAuth(clientId, { clientSecret }), system: quietLogger });
const publicApp = () => new PublicClientApplication({ auth: sim.msalNodeAuth("public-app"), system: quietLogger });

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

describe("msal-node against the simulator", () => {
  it("acquireTokenByClientCredential succeeds", async () => {
    const result = await confidential().acquireTokenByClientCredential({ scopes: GRAPH, skipCache: true });
    expect(result?.accessToken).toMatch(/^simAT\./);
    expect(sim.requests.map((r) => [r.grant, r.status])).toEqual([["client_credentials", 200]]);
  });

  it("acquireTokenByClientCredential fails with 7000215 for a wrong secret, with HTTP status", async () => {
    const error = await rejection(confidential("daemon-app", "wrong").acquireTokenByClientCredential({ scopes: GRAPH, skipCache: true }));
    expect(error).toMatchObject({ name: "ServerError", errorCode: "invalid_client", errorNo: 7000215, status: 401 });
  });

  it("acquireTokenByUsernamePassword succeeds with an account and ID token claims", async () => {
    const result = (await publicApp().acquireTokenByUsernamePassword({
      scopes: ["User.Read"],
      username: USER,
      password: PASSWORD,
    })) as AuthenticationResult;
    expect(result.account).toMatchObject({ username: USER, tenantId: sim.tenantId, name: "Ada Lovelace" });
    expect(result.account?.homeAccountId).toBe(`${result.uniqueId}.${sim.tenantId}`);
    expect(result.idTokenClaims).toMatchObject({ aud: "public-app", tid: sim.tenantId, preferred_username: USER });
  });

  it("acquireTokenByUsernamePassword reports 50126, then 50053 once the account is locked", async () => {
    const app = publicApp();
    for (let i = 0; i < 10; i++) {
      const error = await rejection(app.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: USER, password: `bad-${i}` }));
      expect(error).toMatchObject({ name: "ServerError", errorCode: "invalid_grant", errorNo: 50126 });
    }
    const locked = await rejection(app.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: USER, password: PASSWORD }));
    expect(locked).toMatchObject({ name: "ServerError", errorCode: "invalid_grant", errorNo: 50053 });
    expect(sim.requests.at(-1)?.reason).toBe("locked");
  });

  it("declares the source address through extraQueryParameters (sim_source)", async () => {
    sim.flagAddress("203.0.113.66");
    try {
      const error = await rejection(
        publicApp().acquireTokenByUsernamePassword({
          scopes: ["User.Read"],
          username: USER,
          password: PASSWORD,
          extraQueryParameters: { sim_source: "203.0.113.66" },
        }),
      );
      expect(error).toMatchObject({ errorNo: 50053 });
      // The typings omit extraQueryParameters for client credentials; MSAL still sends it.
      await confidential().acquireTokenByClientCredential({
        scopes: GRAPH,
        skipCache: true,
        ...({ extraQueryParameters: { sim_source: "198.51.100.9" } } as object),
      });
      expect(sim.requests.map((r) => r.sourceAddress)).toEqual(["203.0.113.66", "198.51.100.9"]);
    } finally {
      sim.unflagAddress("203.0.113.66");
    }
  });

  it("acquireTokenByRefreshToken succeeds with a refresh token from ROPC", async () => {
    const app = publicApp();
    await app.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: USER, password: PASSWORD });
    const refreshToken = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
    const secret = Object.values(refreshToken.RefreshToken)[0]?.secret as string;
    const result = await app.acquireTokenByRefreshToken({ refreshToken: secret, scopes: ["User.Read"] });
    expect(result?.account?.username).toBe(USER);
    expect(sim.requests.map((r) => r.grant)).toEqual(["password", "refresh_token"]);
  });

  it("acquireTokenOnBehalfOf succeeds with an access token the simulator issued", async () => {
    const user = await publicApp().acquireTokenByUsernamePassword({ scopes: ["api://web-api/access"], username: USER, password: PASSWORD });
    const result = await confidential("web-api").acquireTokenOnBehalfOf({
      oboAssertion: user?.accessToken as string,
      scopes: ["https://graph.microsoft.com/User.Read"],
    });
    expect(result?.accessToken).toMatch(/^simAT\./);
    expect(sim.requests.at(-1)).toMatchObject({ grant: "on_behalf_of", status: 200, username: USER, clientId: "web-api" });
  });

  it("acquireTokenByCode succeeds with a code from issueAuthorizationCode (nonce checked)", async () => {
    const code = sim.issueAuthorizationCode(USER, { clientId: "web-api", nonce: "n-123" });
    const result = await confidential("web-api").acquireTokenByCode({
      code,
      scopes: ["User.Read"],
      redirectUri: "http://localhost/callback",
      nonce: "n-123",
    });
    expect(result.idTokenClaims).toMatchObject({ nonce: "n-123", oid: result.uniqueId });
    const again = await rejection(
      confidential("web-api").acquireTokenByCode({ code, scopes: ["User.Read"], redirectUri: "http://localhost/callback" }),
    );
    expect(again).toMatchObject({ errorNo: 54005 });
  });

  it("acquireTokenByDeviceCode succeeds once the user approves the code", async () => {
    let shown = "";
    const result = await publicApp().acquireTokenByDeviceCode({
      scopes: ["User.Read"],
      deviceCodeCallback: (response) => {
        shown = response.userCode;
        sim.approveDeviceCode(response.userCode, USER);
      },
    });
    expect(shown).toMatch(/^[A-Z0-9]{9}$/);
    expect(result?.account?.username).toBe(USER);
    expect(sim.requests.map((r) => r.endpoint)).toEqual(["devicecode", "token"]);
  });

  it("acquireTokenByDeviceCode keeps polling while authorization is pending", async () => {
    const pending = publicApp().acquireTokenByDeviceCode({ scopes: ["User.Read"], deviceCodeCallback: () => undefined });
    await vi.waitFor(() => expect(sim.requests.filter((r) => r.reason === "authorization_pending").length).toBeGreaterThan(2));
    sim.approveDeviceCode("latest", USER);
    const result = await pending;
    expect(result?.account?.username).toBe(USER);
    expect(sim.requests.at(-1)?.status).toBe(200);
  });
});

/** Numbers distinct wrong passwords across tests. */
let guesses = 0;

describe("acquireTokenByDeviceCode and smart lockout", () => {
  const AWAY = "203.0.113.77";
  afterEach(() => {
    sim.setSourceAddress(undefined);
    sim.unflagAddress(AWAY);
    sim.unlock(USER);
  });

  /** Ten distinct wrong passwords over ROPC from `from` (undefined: the default, familiar address). */
  async function lockOut(from: string | undefined) {
    sim.setSourceAddress(from);
    for (let i = 0; i < 10; i++) {
      // Passwords never sent before, so loop detection (on in this file) stays out of it.
      await rejection(publicApp().acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: USER, password: `device-${++guesses}` }));
    }
    sim.setSourceAddress(undefined);
  }

  /**
   * msal-node's device-code poller reports any error but authorization_pending as
   * `post_request_failed` carrying only the `error` value, so the AADSTS code is read
   * from the simulator's log of the last request.
   */
  const deviceCodeSignIn = () =>
    publicApp()
      .acquireTokenByDeviceCode({ scopes: ["User.Read"], deviceCodeCallback: (response) => sim.approveDeviceCode(response.userCode, USER) })
      .then(
        (result) => `tokens for ${result?.account?.username}`,
        (error: { errorCode?: string; errorMessage?: string }) => {
          expect(error).toMatchObject({ errorCode: "post_request_failed", errorMessage: expect.stringContaining("invalid_grant") });
          return `refused ${sim.requests.at(-1)?.codes.join(",")}`;
        },
      );

  it.each([
    { case: "locked (familiar counter), redeemed from the familiar address", lockFrom: undefined, redeemFrom: undefined, expected: "refused 50053" },
    { case: "locked (unfamiliar counter), redeemed from that unfamiliar address", lockFrom: AWAY, redeemFrom: AWAY, expected: "refused 50053" },
    { case: "locked (familiar counter), redeemed from an unfamiliar address", lockFrom: undefined, redeemFrom: AWAY, expected: `tokens for ${USER}` },
    { case: "locked (unfamiliar counter), redeemed from the familiar address", lockFrom: AWAY, redeemFrom: undefined, expected: `tokens for ${USER}` },
  ])("$case: $expected", async ({ lockFrom, redeemFrom, expected }) => {
    await lockOut(lockFrom);
    expect(sim.lockoutState(USER, lockFrom === undefined ? "familiar" : "unfamiliar").locked).toBe(true);
    sim.setSourceAddress(redeemFrom);
    expect(await deviceCodeSignIn()).toBe(expected);
    const last = sim.requests.at(-1);
    expect(last).toMatchObject({ grant: "device_code", username: USER });
    if (expected.startsWith("refused")) expect(last).toMatchObject({ status: 400, codes: [50053], reason: "locked" });
    // The device-code attempt counts nothing, whatever its outcome.
    expect(sim.lockoutState(USER, lockFrom === undefined ? "familiar" : "unfamiliar")).toMatchObject({ locked: true, lockoutCount: 1 });
  });

  it("succeeds again once the lock has run out", async () => {
    await lockOut(undefined);
    expect(await deviceCodeSignIn()).toBe("refused 50053");
    clock.advance(60_000);
    expect(await deviceCodeSignIn()).toBe(`tokens for ${USER}`);
  });

  it("is not refused for a flagged source address (the user signs in on another device)", async () => {
    sim.flagAddress(AWAY);
    sim.setSourceAddress(AWAY);
    const ropcError = await rejection(publicApp().acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: USER, password: PASSWORD }));
    expect(ropcError).toMatchObject({ errorCode: "invalid_grant", errorNo: 50053 });
    expect(await deviceCodeSignIn()).toBe(`tokens for ${USER}`);
  });
});

describe("lockoutState() and unlock() name a simulated user", () => {
  const TYPO = "ada@contso.test";

  it.each([
    ["lockoutState", () => sim.lockoutState(TYPO)],
    ["lockoutState (unfamiliar)", () => sim.lockoutState(TYPO, "unfamiliar")],
    ["unlock", () => sim.unlock(TYPO)],
    ["updateUser", () => sim.updateUser(TYPO, {})],
    ["approveDeviceCode", () => sim.approveDeviceCode("latest", TYPO)],
  ])("%s throws for an unknown user name, and a locked account stays locked", async (_name, call) => {
    const app = publicApp();
    for (let i = 0; i < 10; i++) await rejection(app.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: USER, password: `typo-${++guesses}` }));
    expect(call).toThrow(`no simulated user ${TYPO}`);
    // Names compare case-insensitively, as sign-ins do.
    expect(sim.lockoutState(USER.toUpperCase())).toMatchObject({ locked: true, lockoutCount: 1 });
    const locked = await rejection(app.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: USER, password: PASSWORD }));
    expect(locked).toMatchObject({ errorCode: "invalid_grant", errorNo: 50053 });
    sim.unlock(USER.toUpperCase());
    expect(sim.lockoutState(USER)).toMatchObject({ locked: false, failedCount: 0, lockoutCount: 0 });
    const result = await app.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: USER, password: PASSWORD });
    expect(result?.account?.username).toBe(USER);
  });
});
