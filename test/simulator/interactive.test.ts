// msal-node's interactive sign-in (system browser + loopback server) against the simulator,
// with sim.openBrowser as the browser: /authorize answers with form_post, as Entra does
// when msal-node 5+ asks for it.
import { PublicClientApplication } from "@azure/msal-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, startEntraSimulator, type EntraSimulator } from "../../src/testing/index.js";
import { quietLogger } from "./helpers.js";

const ADA = "ada@contoso.test";
const GRACE = "grace@contoso.test";

let sim: EntraSimulator;
beforeAll(async () => {
  sim = await startEntraSimulator({
    clock: createManualClock(),
    users: [
      { username: ADA, password: "pw-ada-123" },
      { username: GRACE, password: "pw-grace-123" },
    ],
    clients: [{ clientId: "public-app", type: "public" }],
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearFaults();
  sim.setInteractiveUser(undefined);
  sim.resetLog();
});

const app = () => new PublicClientApplication({ auth: sim.msalNodeAuth("public-app"), system: quietLogger });

describe("acquireTokenInteractive with sim.openBrowser", () => {
  it.each([
    ["the login_hint user", { loginHint: GRACE }, ADA, GRACE],
    ["the browser's signed-in user when there is no hint", {}, ADA, ADA],
  ])("signs in %s: /authorize answers form_post, the code is redeemed", async (_, hint, sessionUser, expected) => {
    sim.setInteractiveUser(sessionUser);
    const result = await app().acquireTokenInteractive({ scopes: ["User.Read"], openBrowser: sim.openBrowser, ...hint });
    expect(result.account?.username).toBe(expected);
    const authorize = sim.requests.find((r) => r.endpoint === "authorize");
    expect(authorize).toMatchObject({ status: 200 });
    expect(sim.requests.map((r) => r.endpoint)).toEqual(["authorize", "token"]);
  });

  it("a sign-in the service refuses reaches msal-node as the error Entra posted back", async () => {
    sim.setInteractiveUser(ADA);
    sim.failSignIns({ code: 50053 });
    const error = await app().acquireTokenInteractive({ scopes: ["User.Read"], openBrowser: sim.openBrowser }).then(() => ({}) as Record<string, unknown>, (e: unknown) => e as Record<string, unknown>);
    expect(String(error.errorMessage)).toContain("AADSTS50053");
    expect(sim.requests.map((r) => r.endpoint)).toEqual(["authorize"]);
  });

  it("opens nothing but the simulator's pages", async () => {
    await expect(sim.openBrowser("http://127.0.0.1:9/authorize")).rejects.toThrow(/only opens this simulator's pages/);
  });
});
