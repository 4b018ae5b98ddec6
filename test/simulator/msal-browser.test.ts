// @vitest-environment jsdom
import { PublicClientApplication, type AuthenticationResult } from "@azure/msal-browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSimulatorNetworkClient,
  startEntraSimulator,
  type EntraSimulator,
  type NetworkObservation,
} from "../../src/testing/index.js";
import { quietLogger } from "./helpers.js";

const USER = "linus@contoso.test";
let sim: EntraSimulator;

beforeAll(async () => {
  sim = await startEntraSimulator({
    users: [{ username: USER, password: "pw" }],
    clients: [{ clientId: "spa-app" }],
    conditionalAccess: [{ policyId: "ca-block-spa", users: ["blocked@contoso.test"], action: "block" }],
  });
  sim.addUser({ username: "blocked@contoso.test", password: "pw" });
});
afterAll(() => sim.close());

async function browserApp(observed: NetworkObservation[] = []) {
  const networkClient = createSimulatorNetworkClient(sim, { onResponse: (o) => observed.push(o) });
  const app = new PublicClientApplication({
    auth: sim.msalBrowserAuth("spa-app"),
    cache: { cacheLocation: "sessionStorage" },
    system: { ...quietLogger, networkClient },
  });
  await app.initialize();
  return app;
}

describe("msal-browser (jsdom) against the simulator", () => {
  it("acquireTokenByCode succeeds through the simulator network client, touching only the simulator", async () => {
    sim.resetLog();
    const observed: NetworkObservation[] = [];
    const app = await browserApp(observed);
    const result: AuthenticationResult = await app.acquireTokenByCode({
      code: sim.issueAuthorizationCode(USER, { clientId: "spa-app" }),
      scopes: ["User.Read"],
    });
    expect(result.account.username).toBe(USER);
    expect(result.accessToken).toMatch(/^simAT\./);
    expect(app.getAllAccounts().map((a) => a.username)).toEqual([USER]);
    expect(sim.requests.map((r) => [r.endpoint, r.grant, r.status])).toEqual([["token", "authorization_code", 200]]);
    expect(observed.map((o) => o.url.startsWith(sim.url))).toEqual([true]);
  });

  it("surfaces 53003 (message_only) as InteractionRequiredAuthError with the capolids claims", async () => {
    const app = await browserApp();
    const error = await app
      .acquireTokenByCode({ code: sim.issueAuthorizationCode("blocked@contoso.test"), scopes: ["User.Read"] })
      .then(() => undefined, (e: unknown) => e as Record<string, unknown>);
    expect(error).toMatchObject({ name: "InteractionRequiredAuthError", errorNo: 53003, subError: "message_only" });
    expect(String(error?.["claims"])).toContain("ca-block-spa");
  });

  it("refuses URLs that are not on the simulator, sending nothing", async () => {
    const client = createSimulatorNetworkClient(sim);
    sim.resetLog();
    await expect(client.sendGetRequestAsync("https://login.microsoftonline.com/common/discovery/instance")).rejects.toMatchObject({
      name: "SimulatorNetworkError",
      kind: "foreign_host",
    });
    expect(sim.counts().total).toBe(0);
  });

  it("reports a non-JSON body as a parse failure with status and headers", async () => {
    const client = createSimulatorNetworkClient(sim);
    sim.inject({ status: 503, body: "html", retryAfter: 5, times: 1 });
    await expect(client.sendPostRequestAsync(sim.endpoints.tokenEndpoint, { body: "" })).rejects.toMatchObject({
      kind: "parse",
      status: 503,
      headers: expect.objectContaining({ "retry-after": "5" }),
    });
  });
});
