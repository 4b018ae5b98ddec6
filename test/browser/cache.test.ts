// @vitest-environment jsdom
// The browser guard never refuses what MSAL's token cache would answer: while a call would
// be suppressed, msal-browser is asked for the cached access token only (no request).
import * as msal from "@azure/msal-browser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { guardClient } from "../../src/browser/index.js";
import { startTenant, type Tenant } from "../e2e/fixtures.js";
import { browserApp, guardClock, rejection, signIn, tokenRequests, USER_READ } from "./support.js";

let tenant: Tenant;
beforeAll(async () => {
  // Hour-long access tokens: MSAL's cache can answer.
  tenant = await startTenant({ loopDetection: false });
});
afterAll(() => tenant.sim.close());
beforeEach(() => {
  tenant.sim.clearFaults();
  tenant.sim.resetLog();
  tenant.clock.advance(24 * 60 * 60_000);
  sessionStorage.clear();
  localStorage.clear();
});

describe("suppression and MSAL's token cache", () => {
  it("while the app is throttled, acquireTokenSilent still returns the cached token without a request; a forced refresh is refused", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    const cached = await pca.acquireTokenSilent({ account, scopes: USER_READ });
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    tenant.sim.throttle({ retryAfter: 600, times: 1 });
    expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ, forceRefresh: true }))).toMatchObject({ kind: "throttled", suppressed: false });
    const sent = tokenRequests(tenant);

    const again = await client.acquireTokenSilent({ account, scopes: USER_READ });
    expect(again.accessToken).toBe(cached.accessToken);
    expect(again.fromCache).toBe(true);
    expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ, forceRefresh: true }))).toMatchObject({ kind: "throttled", suppressed: true });
    expect(await rejection(client.acquireTokenSilent({ account, scopes: ["Mail.Read"] }))).toMatchObject({ kind: "throttled", suppressed: true });
    expect(tokenRequests(tenant)).toBe(sent);
    expect((await client.status()).counts).toMatchObject({ fromCache: 1, suppressed: 2 });
  });

  it.each([
    { policy: "Default", answered: true },
    { policy: "AccessToken", answered: true },
    { policy: "AccessTokenAndRefreshToken", answered: true },
    { policy: "RefreshToken", answered: false },
    { policy: "RefreshTokenAndNetwork", answered: false },
    { policy: "Skip", answered: false },
  ] as const)("while an account is locked, cacheLookupPolicy $policy: answered from MSAL's cache = $answered, as MSAL alone would", async ({ policy, answered }) => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ, forceRefresh: true }))).toMatchObject({ kind: "account_locked" });
    const sent = tokenRequests(tenant);

    const request = { account, scopes: USER_READ, cacheLookupPolicy: msal.CacheLookupPolicy[policy] };
    if (answered) {
      expect(await client.acquireTokenSilent(request)).toMatchObject({ fromCache: true });
    } else {
      expect(await rejection(client.acquireTokenSilent(request))).toMatchObject({ kind: "account_locked", suppressed: true });
    }
    expect(tokenRequests(tenant)).toBe(sent);
  });
});
