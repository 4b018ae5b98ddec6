// @vitest-environment jsdom
// The simulator's request log is a tenant's sign-in log: it names users and clients, never a
// credential. A browser that follows a sign-in redirect in `response_mode=query` to the
// simulator's own redirect page requests it with the authorization code in the query.
import { PublicClientApplication } from "@azure/msal-browser";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSimulatorNetworkClient, startEntraSimulator, type EntraSimulator } from "../../src/testing/index.js";
import { quietLogger } from "./helpers.js";

const USER = "linus@contoso.test";
let sim: EntraSimulator;
beforeAll(async () => {
  sim = await startEntraSimulator({ users: [{ username: USER, password: "pw" }], clients: [{ clientId: "spa-app" }] });
  sim.setInteractiveUser(USER);
});
afterAll(() => sim.close());

it("a sign-in answered in the query string leaves no authorization code in the request log", async () => {
  const navigations: string[] = [];
  const app = new PublicClientApplication({
    auth: {
      ...sim.msalBrowserAuth("spa-app"),
      OIDCOptions: { responseMode: "query" },
      onRedirectNavigate: (url: string) => {
        navigations.push(url);
        return false;
      },
    },
    cache: { cacheLocation: "sessionStorage" },
    system: { ...quietLogger, networkClient: createSimulatorNetworkClient(sim) },
  } as ConstructorParameters<typeof PublicClientApplication>[0]);
  await app.initialize();
  await app.acquireTokenRedirect({ scopes: ["User.Read"], loginHint: USER });
  expect(navigations).toHaveLength(1);

  // The browser's part: open /authorize, follow its redirect to the redirect page.
  const authorize = await fetch(navigations[0] as string, { redirect: "manual" });
  const location = new URL(authorize.headers.get("location") as string);
  const code = location.searchParams.get("code");
  expect(code).toBeTruthy();
  await (await fetch(location)).text();
  expect(sim.requests.map((r) => r.endpoint)).toEqual(["authorize", "redirect"]);

  // MSAL redeems it: the code works, and the log still shows the redirect page was reached.
  const result = await app.handleRedirectPromise({ hash: location.search, navigateToLoginRequestUrl: false } as never);
  expect(result?.account.username).toBe(USER);
  expect(sim.requests.find((r) => r.endpoint === "redirect")?.path).toMatch(/^\/redirect\?(.*&)?code=redacted(&|$)/);
  expect(JSON.stringify(sim.requests)).not.toContain(code);
});
