// @vitest-environment jsdom
// The browser adapter over real msal-browser in jsdom against the simulator: typed errors,
// the failures MSAL hides behind its iframe fallback, Conditional Access without popups,
// bounded automatic interaction, and suppression shared through localStorage.
import * as msal from "@azure/msal-browser";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AccountLockedError,
  ConditionalAccessBlockedError,
  MfaRequiredError,
  ThrottledError,
  type GuardEvent,
} from "../../src/index.js";
import { guardClient, type BrowserGuardEvent } from "../../src/browser/index.js";
import { CA_POLICY_ID, CLIENTS, USERS, startTenant, type Tenant } from "../e2e/fixtures.js";
import { anyRejection, browserApp, followRedirect, guardClock, popupResult, redirectingApp, rejection, signIn, tokenRequests, USER_READ } from "./support.js";

const MINUTE = 60_000;
/**
 * What the hidden iframe yields in jsdom, where it never loads: msal-browser 5 waits for
 * its bridge and times out; 4.x polls the blank frame and reports an empty hash.
 */
const IFRAME_OUTCOME = Number.parseInt(msal.version, 10) >= 5 ? "timed_out" : "hash_empty_error";
const CA_CLAIMS = JSON.stringify({ access_token: { capolids: { essential: true, values: [CA_POLICY_ID] } } });
const MFA_CLAIMS = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });

let tenant: Tenant;
beforeAll(async () => {
  // Access tokens living under five minutes count as expired at once: every silent call refreshes.
  tenant = await startTenant({ tokenLifetimeSeconds: 120, loopDetection: false });
});
afterAll(() => tenant.sim.close());
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

function events(): BrowserGuardEvent[] & { of<T extends BrowserGuardEvent["type"]>(type: T): Extract<BrowserGuardEvent, { type: T }>[] } {
  const list = [] as unknown as BrowserGuardEvent[] & { of<T extends BrowserGuardEvent["type"]>(type: T): Extract<BrowserGuardEvent, { type: T }>[] };
  list.of = <T extends BrowserGuardEvent["type"]>(type: T) => list.filter((e): e is Extract<BrowserGuardEvent, { type: T }> => e.type === type);
  return list;
}

describe("failures MSAL hides behind its iframe fallback (default cache lookup policy)", () => {
  it("without the guard, a refresh answered with 50053 reaches the caller as the iframe's outcome (timed_out)", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    const error = await anyRejection(pca.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toMatchObject({ name: "BrowserAuthError", errorCode: IFRAME_OUTCOME });
    // One correlation id for the whole call: the refresh POST was recorded under the error's id.
    expect(observer.failuresFor(error)).toMatchObject([{ type: "response", method: "POST", status: 400, body: { error_codes: [50053] } }]);
  });

  it("with the guard, the same call rejects with AccountLockedError [50053], MSAL's error as cause", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    const seen = events();
    const client = guardClient(pca, { observer, onEvent: (e) => seen.push(e), clock: guardClock(tenant.clock) });

    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toBeInstanceOf(AccountLockedError);
    expect(error).toMatchObject({ kind: "account_locked", codes: [50053], suppressed: false, retryAfterMs: MINUTE, retryAt: tenant.clock.now() + MINUTE });
    expect(error.classification).toMatchObject({ httpStatus: 400, error: "invalid_grant", source: "token-response" });
    expect(error.cause).toMatchObject({ name: "BrowserAuthError", errorCode: IFRAME_OUTCOME });
    expect(seen.of("recovered")).toEqual([expect.objectContaining({ method: "acquireTokenSilent", kind: "account_locked", hidden: IFRAME_OUTCOME })]);

    // The lockout is recorded: the next call is refused without a request.
    const sent = tokenRequests(tenant);
    const again = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(again).toMatchObject({ kind: "account_locked", suppressed: true, retryAfterMs: MINUTE });
    expect(tokenRequests(tenant)).toBe(sent);
  });

  it("with an explicit correlation id, the guard matches by it, and older records under it are ignored", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    const correlationId = "0f5e1c9a-3b2d-4e8f-9a7b-6c5d4e3f2a1b";
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    await rejection(client.acquireTokenSilent({ account, scopes: USER_READ, correlationId }));
    await client.reset();
    // Same id again, and this time the refresh succeeds.
    await expect(client.acquireTokenSilent({ account, scopes: USER_READ, correlationId })).resolves.toMatchObject({ account: { username: USERS.ada } });
  });

  it("a 53003 without suberror (a plain invalid_grant) is ConditionalAccessBlockedError with the policy ids, and no popup even with interaction on", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.setErrorShape({ omitSuberror: [53003] });
    tenant.sim.inject({ status: 400, code: 53003, error: "invalid_grant", claims: CA_CLAIMS, match: { grant: "refresh_token" } });
    const popup = vi.spyOn(pca, "acquireTokenPopup");
    const redirect = vi.spyOn(pca, "acquireTokenRedirect");
    const onBlocked = vi.fn();
    const client = guardClient(pca, { observer, interaction: "popup", accessDeniedUrl: "/access-denied", onBlocked, clock: guardClock(tenant.clock) });

    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toBeInstanceOf(ConditionalAccessBlockedError);
    expect(error).toMatchObject({ kind: "conditional_access_blocked", codes: [53003], accessDeniedUrl: "/access-denied" });
    expect((error as ConditionalAccessBlockedError).policyIds).toEqual([CA_POLICY_ID]);
    expect(error.cause).toMatchObject({ errorCode: IFRAME_OUTCOME });
    expect(onBlocked).toHaveBeenCalledWith(error, "/access-denied");

    // An app that answers with its own popup is refused too: no window opens.
    const blocked = await rejection(client.acquireTokenPopup({ account, scopes: USER_READ }));
    expect(blocked).toMatchObject({ kind: "conditional_access_blocked", suppressed: true });
    expect(popup).not.toHaveBeenCalled();
    expect(redirect).not.toHaveBeenCalled();
    expect(onBlocked).toHaveBeenCalledTimes(2);
  });
});

describe("Conditional Access (53003) in any shape", () => {
  it("53003 with message_only (InteractionRequiredAuthError) never triggers the opted-in popup", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 53003, error: "interaction_required", suberror: "message_only", claims: CA_CLAIMS, match: { grant: "refresh_token" } });
    const popup = vi.spyOn(pca, "acquireTokenPopup");
    const client = guardClient(pca, { observer, interaction: "popup", clock: guardClock(tenant.clock) });
    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toBeInstanceOf(ConditionalAccessBlockedError);
    expect(error.cause).toMatchObject({ name: "InteractionRequiredAuthError", subError: "message_only" });
    expect(error.classification.interactionRequired).toBe(false);
    expect(popup).not.toHaveBeenCalled();
  });

  it("a 53003 from acquireTokenByCode is ConditionalAccessBlockedError", async () => {
    const { pca, observer } = await browserApp(tenant);
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    const error = await rejection(client.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.blocked), scopes: USER_READ }));
    expect(error).toBeInstanceOf(ConditionalAccessBlockedError);
    expect(error).toMatchObject({ codes: [53003], classification: { policyIds: [CA_POLICY_ID] } });
  });

  it("navigates to accessDeniedUrl only when asked to", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 53003, error: "interaction_required", suberror: "message_only", match: { grant: "refresh_token" } });
    const quiet = guardClient(pca, { observer, accessDeniedUrl: "#not-followed", clock: guardClock(tenant.clock) });
    await rejection(quiet.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(location.hash).toBe("");
    const navigating = guardClient(pca, { observer, accessDeniedUrl: "#access-denied", navigateOnBlocked: true, clock: guardClock(tenant.clock) });
    await rejection(navigating.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(location.hash).toBe("#access-denied");
    location.hash = "";
  });

  it("rejects an accessDeniedUrl that isn't http(s) or relative", async () => {
    const { pca } = await browserApp(tenant);
    expect(() => guardClient(pca, { accessDeniedUrl: "javascript:alert(1)" })).toThrow(/http\(s\) or relative/);
  });
});

describe("server timing MSAL drops", () => {
  it("a 429 keeps its Retry-After, and the app is held back that long", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.throttle({ retryAfter: 30, times: 1 });
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ kind: "throttled", retryAfterMs: 30_000, classification: { httpStatus: 429 } });
    expect(error.cause).toMatchObject({ name: "ServerError" });

    const sent = tokenRequests(tenant);
    tenant.clock.advance(29_000);
    expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }))).toMatchObject({ kind: "throttled", suppressed: true, retryAfterMs: 1_000 });
    expect(tokenRequests(tenant)).toBe(sent);
  });
});

describe("automatic interaction (opt-in)", () => {
  function requireMfa(): void {
    tenant.sim.inject({ status: 400, code: 50076, error: "interaction_required", suberror: "basic_action", claims: MFA_CLAIMS, match: { grant: "refresh_token" } });
  }

  it("is off by default: the app gets MfaRequiredError with the claims, and no popup opens", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    requireMfa();
    const popup = vi.spyOn(pca, "acquireTokenPopup");
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toBeInstanceOf(MfaRequiredError);
    expect((error as MfaRequiredError).claims).toBe(MFA_CLAIMS);
    expect(popup).not.toHaveBeenCalled();
  });

  it("with interaction: 'popup', one popup per identity per window, with MSAL's claims; never a loop", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    requireMfa();
    const popup = vi.spyOn(pca, "acquireTokenPopup").mockImplementation(async () => popupResult(account));
    const seen = events();
    const client = guardClient(pca, { observer, interaction: "popup", onEvent: (e) => seen.push(e), clock: guardClock(tenant.clock) });

    await expect(client.acquireTokenSilent({ account, scopes: USER_READ })).resolves.toMatchObject({ accessToken: "popup-access-token" });
    expect(popup).toHaveBeenCalledTimes(1);
    expect(popup.mock.calls[0]?.[0]).toMatchObject({ scopes: USER_READ, account: { homeAccountId: account.homeAccountId }, claims: MFA_CLAIMS });

    // Within the window every further failure reaches the app; no second popup.
    for (let i = 0; i < 5; i++) {
      const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
      expect(error).toBeInstanceOf(MfaRequiredError);
      tenant.clock.advance(10_000);
    }
    expect(popup).toHaveBeenCalledTimes(1);
    expect(seen.of("interaction").map((e) => e.reason ?? e.outcome)).toEqual(["started", ...Array(5).fill("attempted_recently")]);

    // After the window, one more attempt.
    tenant.clock.advance(2 * MINUTE);
    await client.acquireTokenSilent({ account, scopes: USER_READ });
    expect(popup).toHaveBeenCalledTimes(2);
  });

  it("concurrent failures for one identity open one popup", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    requireMfa();
    let finish: (() => void) | undefined;
    const popup = vi.spyOn(pca, "acquireTokenPopup").mockImplementation(
      () => new Promise((resolve) => (finish = () => resolve(popupResult(account)))),
    );
    const client = guardClient(pca, { observer, interaction: "popup", clock: guardClock(tenant.clock) });
    const first = client.acquireTokenSilent({ account, scopes: USER_READ });
    await vi.waitFor(() => expect(popup).toHaveBeenCalledTimes(1));
    // A silent call for other scopes fails while the popup is open: it must not open another.
    const second = await rejection(client.acquireTokenSilent({ account, scopes: ["Mail.Read"] }));
    expect(second).toBeInstanceOf(MfaRequiredError);
    finish?.();
    await expect(first).resolves.toMatchObject({ accessToken: "popup-access-token" });
    expect(popup).toHaveBeenCalledTimes(1);
  });

  it("never while MSAL has an interaction in progress", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    requireMfa();
    const popup = vi.spyOn(pca, "acquireTokenPopup");
    const seen = events();
    const client = guardClient(pca, { observer, interaction: "popup", onEvent: (e) => seen.push(e), clock: guardClock(tenant.clock) });
    sessionStorage.setItem("msal.interaction.status", JSON.stringify({ clientId: CLIENTS.publicApp, type: "signin" }));
    await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(popup).not.toHaveBeenCalled();
    expect(seen.of("interaction")).toEqual([expect.objectContaining({ outcome: "skipped", reason: "in_progress" })]);
  });

  it("with interaction: 'redirect', starts one redirect with the claims and reports the failure meanwhile", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    requireMfa();
    const redirect = vi.spyOn(pca, "acquireTokenRedirect").mockResolvedValue(undefined);
    const client = guardClient(pca, { observer, interaction: "redirect", clock: guardClock(tenant.clock) });
    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toBeInstanceOf(MfaRequiredError);
    expect(redirect).toHaveBeenCalledTimes(1);
    expect(redirect.mock.calls[0]?.[0]).toMatchObject({ claims: MFA_CLAIMS, scopes: USER_READ });
    // The attempt is remembered in localStorage: after the page comes back, no second redirect.
    const page2 = await browserApp(tenant);
    const redirect2 = vi.spyOn(page2.pca, "acquireTokenRedirect").mockResolvedValue(undefined);
    const seen = events();
    const reloaded = guardClient(page2.pca, { observer: page2.observer, interaction: "redirect", onEvent: (e) => seen.push(e), clock: guardClock(tenant.clock) });
    await rejection(reloaded.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(redirect2).not.toHaveBeenCalled();
    expect(seen.of("interaction")).toEqual([expect.objectContaining({ outcome: "skipped", reason: "attempted_recently" })]);
  });
});

describe("handleRedirectPromise", () => {
  it("types a failed redirect sign-in and records it, so the app's next redirect for that user is refused", async () => {
    const tab = await redirectingApp(tenant);
    const client = guardClient(tab.pca, { observer: tab.observer, clock: guardClock(tenant.clock) });
    await client.acquireTokenRedirect({ scopes: USER_READ, loginHint: USERS.blocked });
    // Back from /authorize with a 53003 (in the same tab: the guard's redirect results are per page).
    const hash = await followRedirect(tenant, tab.redirects[0] as string);
    const error = await rejection(client.handleRedirectPromise({ hash, navigateToLoginRequestUrl: false }));
    expect(error).toBeInstanceOf(ConditionalAccessBlockedError);
    expect(error.cause).toMatchObject({ name: "InteractionRequiredAuthError", errorCode: "interaction_required", subError: "message_only" });
    expect((error as ConditionalAccessBlockedError).policyIds).toEqual([CA_POLICY_ID]);

    await expect(rejection(client.acquireTokenRedirect({ scopes: USER_READ, loginHint: USERS.blocked }))).resolves.toMatchObject({ kind: "conditional_access_blocked", suppressed: true });
    expect(tab.redirects).toHaveLength(1);
  });

  it("across the page reload, records the outcome for the redirect's user while the tab keeps only a hashed key of that user", async () => {
    const tab = await redirectingApp(tenant);
    await guardClient(tab.pca, { observer: tab.observer, clock: guardClock(tenant.clock) }).acquireTokenRedirect({ scopes: USER_READ, loginHint: USERS.blocked });
    const kept = sessionStorage.getItem("msal-guard.redirect") ?? "";
    expect(kept).toMatch(/"k":"[0-9a-f]{32}"/);
    for (const personal of [USERS.blocked, USERS.blocked.split("@")[0] as string]) expect(kept.toLowerCase()).not.toContain(personal.toLowerCase());

    // The page comes back: a new app and guard, the same storage, and /authorize's answer a 53003.
    const hash = await followRedirect(tenant, tab.redirects[0] as string);
    const page2 = await redirectingApp(tenant);
    const reloaded = guardClient(page2.pca, { observer: page2.observer, clock: guardClock(tenant.clock) });
    await expect(rejection(reloaded.handleRedirectPromise({ hash, navigateToLoginRequestUrl: false }))).resolves.toBeInstanceOf(ConditionalAccessBlockedError);
    expect(sessionStorage.getItem("msal-guard.redirect")).toBeNull();

    // Filed under the same identity as a call that names the user: that call is refused.
    await expect(rejection(reloaded.acquireTokenRedirect({ scopes: USER_READ, loginHint: USERS.blocked }))).resolves.toMatchObject({ kind: "conditional_access_blocked", suppressed: true });
    expect(page2.redirects).toHaveLength(0);
  });

  it("a redirect MSAL refuses while another is under way leaves that one's record: its outcome is filed under the user it was for", async () => {
    const tab = await redirectingApp(tenant);
    const client = guardClient(tab.pca, { observer: tab.observer, clock: guardClock(tenant.clock) });
    await client.acquireTokenRedirect({ scopes: USER_READ, loginHint: USERS.blocked });
    // The app asks again, for someone else, before the page unloads: MSAL refuses.
    const refused = await anyRejection(client.acquireTokenRedirect({ scopes: USER_READ, loginHint: USERS.ada }));
    expect(refused).toMatchObject({ kind: "invalid_request", cause: { errorCode: "interaction_in_progress" } });
    expect(tab.redirects).toHaveLength(1);

    // The first redirect comes back blocked by Conditional Access.
    const hash = await followRedirect(tenant, tab.redirects[0] as string);
    const page2 = await redirectingApp(tenant);
    const reloaded = guardClient(page2.pca, { observer: page2.observer, clock: guardClock(tenant.clock) });
    await expect(rejection(reloaded.handleRedirectPromise({ hash, navigateToLoginRequestUrl: false }))).resolves.toBeInstanceOf(ConditionalAccessBlockedError);

    await expect(rejection(reloaded.acquireTokenRedirect({ scopes: USER_READ, loginHint: USERS.blocked }))).resolves.toMatchObject({ kind: "conditional_access_blocked", suppressed: true });
    await reloaded.acquireTokenRedirect({ scopes: USER_READ, loginHint: USERS.ada }); // not refused: the block isn't Ada's
    expect(page2.redirects).toHaveLength(1);
  });

  it("a tampered or foreign pending-redirect entry is ignored: the outcome is typed but filed under nobody (whose it was is unknown), nothing throws", async () => {
    const { pca, observer } = await browserApp(tenant);
    sessionStorage.setItem("msal-guard.redirect", JSON.stringify({ k: "alice@contoso.com", a: "https://x", s: [], c: "c", t: Date.now() }));
    const blocked = new msal.InteractionRequiredAuthError("interaction_required", "AADSTS53003: blocked", "message_only", undefined, undefined, "corr", CA_CLAIMS, "53003");
    vi.spyOn(pca, "handleRedirectPromise").mockRejectedValue(blocked);
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    await expect(rejection(client.handleRedirectPromise())).resolves.toBeInstanceOf(ConditionalAccessBlockedError);
    expect(sessionStorage.getItem("msal-guard.redirect")).toBeNull();
    expect((await client.status()).suppressions).toEqual([]);
  });

  it("passes null (no redirect in progress) and a result through, once per page like MSAL", async () => {
    const { pca, observer } = await browserApp(tenant);
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    await expect(client.handleRedirectPromise()).resolves.toBeNull();

    const other = await browserApp(tenant);
    const account = await signIn(tenant, other.pca);
    const handle = vi.spyOn(other.pca, "handleRedirectPromise").mockResolvedValue(popupResult(account));
    const client2 = guardClient(other.pca, { observer: other.observer, clock: guardClock(tenant.clock) });
    await expect(client2.handleRedirectPromise()).resolves.toMatchObject({ accessToken: "popup-access-token" });
    await expect(client2.handleRedirectPromise()).resolves.toMatchObject({ accessToken: "popup-access-token" });
    expect(handle).toHaveBeenCalledTimes(1);
  });
});

describe("state shared by the origin's tabs", () => {
  /** Two tabs of the app, each with its guard; the user's refresh in tab A just met a lockout (50053). */
  async function tabsAfterLockoutInA() {
    const tabA = await browserApp(tenant);
    const tabB = await browserApp(tenant);
    const account = await signIn(tenant, tabA.pca);
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    const clientA = guardClient(tabA.pca, { observer: tabA.observer, clock: guardClock(tenant.clock) });
    const clientB = guardClient(tabB.pca, { observer: tabB.observer, clock: guardClock(tenant.clock) });
    await rejection(clientA.acquireTokenSilent({ account, scopes: USER_READ }));
    return { account, clientA, clientB };
  }

  it("a lockout seen in one tab keeps the other tab from sending", async () => {
    const { account, clientB } = await tabsAfterLockoutInA();
    const sent = tokenRequests(tenant);
    const error = await rejection(clientB.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(error).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(tokenRequests(tenant)).toBe(sent);
  });

  it("status() in one tab lists what another tab recorded (by key), and reset() there clears it", async () => {
    const { account, clientA, clientB } = await tabsAfterLockoutInA();
    const { suppressions } = await clientB.status();
    expect(suppressions).toEqual([expect.objectContaining({ scope: "identity", kind: "account_locked", user: undefined, identity: expect.stringMatching(/^[0-9a-f]{32}$/) })]);
    expect(JSON.stringify(suppressions)).not.toContain(account.username);
    await clientB.reset();
    expect((await clientA.status()).suppressions).toEqual([]);
    await expect(clientA.acquireTokenSilent({ account, scopes: USER_READ })).resolves.toMatchObject({ account: { username: USERS.ada } });
  });

  it("without usable localStorage the guard keeps state in memory and says so", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    const seen = events();
    vi.stubGlobal("localStorage", undefined);
    let client;
    try {
      client = guardClient(pca, { observer, onEvent: (e) => seen.push(e), clock: guardClock(tenant.clock) });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(seen.of("store_fallback")).toEqual([{ type: "store_fallback", reason: "unavailable", error: undefined }]);
    await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }))).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(localStorage.length).toBe(0);
  });

  it("a tampered record can't suppress beyond the policy's cap, counted from when it was written", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));

    const key = Object.keys(localStorage).find((k) => k.startsWith("MsalGuard:i:")) as string;
    const envelope = JSON.parse(localStorage.getItem(key) as string) as { w: number; e: number; d: string };
    const record = JSON.parse(envelope.d) as { lockout: { until: number; count: number } };
    record.lockout.until = 9e15;
    record.lockout.count = 1;
    const now = tenant.clock.now();
    localStorage.setItem(key, JSON.stringify({ w: now, e: now + 7 * 24 * 60 * MINUTE, d: JSON.stringify(record) }));

    const suppressed = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(suppressed).toMatchObject({ kind: "account_locked", suppressed: true, retryAfterMs: 30 * MINUTE });
    tenant.clock.advance(30 * MINUTE);
    // The window is over: one probe goes out (and succeeds).
    await expect(client.acquireTokenSilent({ account, scopes: USER_READ })).resolves.toMatchObject({ account: { username: USERS.ada } });
  });
});

describe("whose call it is", () => {
  it("the active account is used for silent calls only: a code redeemed for someone else is neither refused by nor recorded against it", async () => {
    const { pca, observer } = await browserApp(tenant);
    const ada = await signIn(tenant, pca);
    pca.setActiveAccount(ada);
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    // Ada's account is locked: her silent calls are held back.
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    expect(await rejection(client.acquireTokenSilent({ scopes: USER_READ }))).toMatchObject({ kind: "account_locked", suppressed: false });
    // Another person's code, redeemed in the same tab: not Ada's lockout, so it is sent.
    const other = await client.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.consent), scopes: USER_READ });
    expect(other.account.username).toBe(USERS.consent);
    // A third person, blocked by Conditional Access: typed, but not filed under Ada (or the app).
    const blocked = await rejection(client.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.blocked), scopes: USER_READ }));
    expect(blocked).toMatchObject({ kind: "conditional_access_blocked", suppressed: false });
    expect((await client.status()).suppressions).toEqual([expect.objectContaining({ scope: "identity", kind: "account_locked" })]);
    const again = await client.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.consent), scopes: USER_READ });
    expect(again.account.username).toBe(USERS.consent);
  });
});

describe("a sign-in clears what it disproves", () => {
  it("silent calls held back for MFA go again once a code redemption signs the user in (the request names nobody)", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 50076, error: "interaction_required", suberror: "basic_action", claims: MFA_CLAIMS, match: { grant: "refresh_token" }, times: 1 });
    {
      const seen = events();
      const client = guardClient(pca, { observer, clock: guardClock(tenant.clock), onEvent: (e) => seen.push(e) });
      expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }))).toMatchObject({ kind: "mfa_required", suppressed: false });
      expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }))).toMatchObject({ kind: "mfa_required", suppressed: true });
      const signedIn = await client.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.ada), scopes: USER_READ });
      expect(signedIn.account.homeAccountId).toBe(account.homeAccountId);
      expect(seen.of("released")).toEqual([expect.objectContaining({ reason: "signed_in" })]);
      expect((await client.acquireTokenSilent({ account, scopes: USER_READ })).accessToken).toMatch(/^simAT\./);
    }
  });

  it("a redirect sign-in that comes back while another tab recorded a 53003 block for the user: not counted as suppressed, and the block is cleared", async () => {
    const tab = await redirectingApp(tenant);
    const account = await signIn(tenant, tab.pca);
    const client = guardClient(tab.pca, { observer: tab.observer, clock: guardClock(tenant.clock) });
    await client.acquireTokenRedirect({ account, scopes: USER_READ });
    // Meanwhile (the user is on the sign-in page), another tab's silent refresh meets a 53003.
    const other = await redirectingApp(tenant);
    const otherClient = guardClient(other.pca, { observer: other.observer, clock: guardClock(tenant.clock) });
    tenant.sim.inject({ status: 400, code: 53003, error: "invalid_grant", times: 1, match: { grant: "refresh_token" } });
    expect(await rejection(otherClient.acquireTokenSilent({ account, scopes: USER_READ, cacheLookupPolicy: msal.CacheLookupPolicy.RefreshToken }))).toMatchObject({ kind: "conditional_access_blocked" });

    // The redirect comes back with a code: the user signed in.
    const hash = await followRedirect(tenant, tab.redirects[0] as string);
    const page = await redirectingApp(tenant);
    const seen = events();
    const reloaded = guardClient(page.pca, { observer: page.observer, clock: guardClock(tenant.clock), onEvent: (e) => seen.push(e) });
    expect(await reloaded.handleRedirectPromise({ hash, navigateToLoginRequestUrl: false })).toMatchObject({ account: { homeAccountId: account.homeAccountId } });
    const status = await reloaded.status();
    expect({ suppressed: seen.of("suppressed").length, counted: status.counts.suppressed, left: status.suppressions }).toEqual({ suppressed: 0, counted: 0, left: [] });
  });

  it("reset({ user }) by user name also clears what silent calls recorded under the account", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    expect(await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }))).toMatchObject({ kind: "account_locked", suppressed: false });
    await client.reset({ user: USERS.ada });
    expect((await client.acquireTokenSilent({ account, scopes: USER_READ })).accessToken).toMatch(/^simAT\./);
  });
});

describe("typed errors and pass-through", () => {
  it("a direct server error is typed with MSAL's error as cause and the observed HTTP status", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    const error = await rejection(client.acquireTokenSilent({ account, scopes: USER_READ, cacheLookupPolicy: msal.CacheLookupPolicy.RefreshToken }));
    expect(error).toBeInstanceOf(AccountLockedError);
    expect(error.cause).toMatchObject({ name: "ServerError", errorNo: 50053 });
    expect(error.classification.httpStatus).toBe(400);
  });

  it("shares one MSAL call only among concurrent calls whose requests agree beyond scopes and account (here a resource, as MSAL's own de-duplication tells them apart)", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.resetLog();
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock) });
    const from = (resource?: string) => client.acquireTokenSilent({ account, scopes: USER_READ, forceRefresh: true, ...(resource === undefined ? {} : { resource }) });
    const [plain, forGraph, forGraphToo] = await Promise.all([from(), from("https://graph.microsoft.com"), from("https://graph.microsoft.com")]);
    expect(tokenRequests(tenant)).toBe(2);
    expect(forGraphToo).toBe(forGraph);
    expect(plain).not.toBe(forGraph);
    expect((await client.status()).counts).toMatchObject({ calls: 3, sent: 2, shared: 1 });
  });

  it("a popup the browser won't open is PopupBlockedError (not a cancellation), never retried, and holds nothing back", async () => {
    const { pca, observer } = await browserApp(tenant);
    const client = guardClient(pca, { observer, clock: guardClock(tenant.clock), retry: { attempts: 2 } });
    // jsdom has no window.open: MSAL reports popup_window_error, as when opening throws.
    const failed = await rejection(client.acquireTokenPopup({ scopes: USER_READ, loginHint: USERS.ada }));
    expect(failed).toMatchObject({ name: "PopupBlockedError", kind: "popup_blocked", cause: { errorCode: "popup_window_error" } });
    // A pop-up blocker hands back no window. One attempt, no retry.
    const open = vi.spyOn(window, "open").mockReturnValue(null);
    try {
      const blocked = await rejection(client.acquireTokenPopup({ scopes: USER_READ, loginHint: USERS.ada }));
      // (MSAL names it empty_window_error, then reports popup_window_error for both.)
      expect(blocked).toMatchObject({ kind: "popup_blocked", suppressed: false, cause: { errorCode: expect.stringMatching(/^(popup|empty)_window_error$/) } });
      expect(open).toHaveBeenCalledTimes(1);
    } finally {
      open.mockRestore();
    }
    const status = await client.status();
    expect(status.counts).toMatchObject({ retries: 0, failuresByKind: { popup_blocked: 2 } });
    expect(status.suppressions).toEqual([]);
  });

  it("works without an observer, and other methods pass through bound to the app", async () => {
    const { pca } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    const client = guardClient(pca);
    expect(client.getAllAccounts()).toHaveLength(1);
    expect(client.getConfiguration().auth.clientId).toBe(CLIENTS.publicApp);
    await expect(client.acquireTokenSilent({ account, scopes: USER_READ })).resolves.toMatchObject({ account: { username: USERS.ada } });
    expect((await client.status()).counts).toMatchObject({ calls: 1, succeeded: 1 });
  });

  it("refuses an observer that isn't the app's network client", async () => {
    const { pca } = await browserApp(tenant);
    const { observer: other } = await browserApp(tenant);
    expect(() => guardClient(pca, { observer: other })).toThrow(/not this app's system.networkClient/);
  });

  it.each([
    [{ onEvent: 42 }, /onEvent must be a function, got 42/],
    [{ onBlocked: "/denied" }, /onBlocked must be a function, got "\/denied"/],
    [{ navigateOnBlocked: "yes" }, /navigateOnBlocked must be true or false/],
    [{ navigateOnBlocked: true }, /navigateOnBlocked needs accessDeniedUrl/],
    [{ authority: 5 }, /authority must be a non-empty string, got 5/],
    [{ clientId: "" }, /clientId must be a non-empty string/],
    [{ retry: { attempt: 2 } }, /"retry": unknown option "attempt"\. Known options: attempts, firstDelayMs, maxDelayMs, budgetRatio/],
    [{ lockout: { firstWindow: 1 } }, /"lockout": unknown option "firstWindow"/],
    [{ throttle: { max: 1 } }, /"throttle": unknown option "max"/],
    [{ interactionWindow: 1 }, /unknown option "interactionWindow"/],
  ])("rejects misuse at construction, saying what to change: %j", async (options, message) => {
    const { pca } = await browserApp(tenant);
    expect(() => guardClient(pca, options as never)).toThrow(message);
  });

  it("emits engine events through onEvent", async () => {
    const { pca, observer } = await browserApp(tenant);
    const account = await signIn(tenant, pca);
    tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
    const seen: GuardEvent[] = [];
    const client = guardClient(pca, { observer, onEvent: (e) => seen.push(e as GuardEvent), clock: guardClock(tenant.clock) });
    await rejection(client.acquireTokenSilent({ account, scopes: USER_READ }));
    expect(seen.filter((e) => e.type === "classified")).toEqual([expect.objectContaining({ effect: "lockout" })]);
  });
});
