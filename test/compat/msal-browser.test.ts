// @vitest-environment jsdom
// The supported msal-browser majors, side by side in jsdom: the oldest supported (4.x,
// installed as the npm alias `msal-browser-4`) and the current one (`@azure/msal-browser`),
// each talking to the simulator over loopback HTTP. The same failures are produced by each
// major's own code, then classified, and the browser adapter (guardClient with its network
// observer) wraps each major's app. test/e2e and test/browser cover the current major in
// depth; this file is the compatibility matrix README's support table states.
import * as current from "@azure/msal-browser";
import * as msal4 from "msal-browser-4";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AccountLockedError, ConditionalAccessBlockedError, ThrottledError, toGuardError } from "../../src/index.js";
import { createBrowserNetworkObserver, guardClient, type BrowserGuardEvent, type BrowserNetworkObserver } from "../../src/browser/index.js";
import { CA_POLICY_ID, CLIENTS, USERS, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";
import { failure } from "../e2e/support/failure.js";
import { IFRAME_TIMEOUT_MS, USER_READ, anyRejection, guardClock, rejection, signIn, simulatorFetch, tokenRequests } from "../browser/support.js";

const MINUTE = 60_000;

/** What the tests use of a msal-browser module (each major's own classes). */
type MsalBrowserMajor = Pick<typeof current, "version" | "PublicClientApplication" | "AuthError">;

const MAJORS: readonly { name: string; msal: MsalBrowserMajor; iframeOutcome: string }[] = [
  // 4.x polls the hidden iframe, which never loads in jsdom, and reports an empty hash;
  // 5.x waits for its redirect bridge and times out.
  { name: `msal-browser ${msal4.version} (oldest supported major)`, msal: msal4 as unknown as MsalBrowserMajor, iframeOutcome: "hash_empty_error" },
  { name: `msal-browser ${current.version} (current major)`, msal: current, iframeOutcome: "timed_out" },
];

let tenant: Tenant;
beforeAll(async () => {
  // Access tokens living under five minutes count as expired at once: every silent call refreshes.
  tenant = await startTenant({ tokenLifetimeSeconds: 120, loopDetection: false });
});
afterAll(() => tenant?.sim.close());
beforeEach(() => {
  const { sim } = tenant;
  sim.clearFaults();
  sim.setErrorShape({});
  for (const user of Object.values(USERS)) sim.unlock(user);
  sim.resetLog();
  tenant.clock.advance(24 * 60 * MINUTE);
  sessionStorage.clear();
  localStorage.clear();
});

describe("the majors under test", () => {
  it("are two distinct copies of msal-browser: 4.x and the current major", () => {
    expect(msal4.version).toMatch(/^4\./);
    expect(Number.parseInt(current.version, 10)).toBeGreaterThan(4);
    expect(msal4.PublicClientApplication).not.toBe(current.PublicClientApplication);
  });
});

describe.each(MAJORS)("$name", ({ msal, iframeOutcome }) => {
  /** A PublicClientApplication of this major on the simulator, with the guard's observer as its network client. */
  async function app(observer: BrowserNetworkObserver = createBrowserNetworkObserver({ fetch: simulatorFetch(tenant) })) {
    const pca = new msal.PublicClientApplication({
      auth: tenant.sim.msalBrowserAuth(CLIENTS.publicApp),
      cache: { cacheLocation: "sessionStorage" },
      // iframeBridgeTimeout is msal-browser 5's name, iframeHashTimeout 4's.
      system: observer.system({ ...quietLogger, iframeBridgeTimeout: IFRAME_TIMEOUT_MS, ...({ iframeHashTimeout: IFRAME_TIMEOUT_MS } as object) }),
    });
    await pca.initialize();
    return { pca, observer };
  }

  it("classify: acquireTokenByCode for a Conditional-Access-blocked user is conditional_access_blocked, with no interaction suggested", async () => {
    const { pca } = await app();
    const { error, c } = await failure(pca.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.blocked), scopes: USER_READ }));
    expect(error).toMatchObject({ name: "InteractionRequiredAuthError", errorNo: 53003, subError: "message_only" });
    expect(error instanceof msal.AuthError).toBe(true);
    expect(c).toMatchObject({ kind: "conditional_access_blocked", codes: [53003], policyIds: [CA_POLICY_ID], interactionRequired: false, source: "msal" });
    expect(toGuardError(error)).toBeInstanceOf(ConditionalAccessBlockedError);
  });

  it(`guardClient: a refresh answered with 50053 under the default cache lookup policy is AccountLockedError, not MSAL's ${iframeOutcome}`, async () => {
    const { pca, observer } = await app();
    const account = await signIn(tenant, pca);

    // Without the guard, MSAL falls back to its hidden iframe and reports that instead.
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    expect(await anyRejection(pca.acquireTokenSilent({ account, scopes: USER_READ }))).toMatchObject({ name: "BrowserAuthError", errorCode: iframeOutcome });

    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    const seen: BrowserGuardEvent[] = [];
    const client = guardClient(pca, { observer, onEvent: (e) => seen.push(e), clock: guardClock(tenant.clock) });
    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toBeInstanceOf(AccountLockedError);
    expect(error).toMatchObject({ kind: "account_locked", codes: [50053], suppressed: false });
    expect(error.cause).toMatchObject({ name: "BrowserAuthError", errorCode: iframeOutcome });
    expect(seen.filter((e) => e.type === "recovered")).toEqual([expect.objectContaining({ method: "acquireTokenSilent", kind: "account_locked", hidden: iframeOutcome })]);

    // Recorded: the next call is refused without a request.
    const sent = tokenRequests(tenant);
    expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }))).toMatchObject({ kind: "account_locked", suppressed: true, retryAfterMs: MINUTE });
    expect(tokenRequests(tenant)).toBe(sent);
  });

  it("guardClient: a 429 keeps the Retry-After MSAL drops, and the app is held back that long", async () => {
    const { pca, observer } = await app();
    const account = await signIn(tenant, pca);
    tenant.sim.throttle({ retryAfter: 30, times: 1 });
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ, forceRefresh: true }));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ kind: "throttled", retryAfterMs: 30_000, classification: { httpStatus: 429 } });
    const sent = tokenRequests(tenant);
    tenant.clock.advance(29_000);
    expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ, forceRefresh: true }))).toMatchObject({ suppressed: true, retryAfterMs: 1_000 });
    expect(tokenRequests(tenant)).toBe(sent);
  });
});
