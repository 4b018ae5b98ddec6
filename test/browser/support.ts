// Shared plumbing for the browser adapter's tests: real msal-browser in jsdom, talking to
// the simulator over loopback through the guard's own network observer.
import * as msal from "@azure/msal-browser";
import { isMsalGuardError, type MsalGuardError } from "../../src/index.js";
import { createBrowserNetworkObserver, type BrowserNetworkObserver } from "../../src/browser/index.js";
import { CLIENTS, USERS, quietLogger, type Tenant } from "../e2e/fixtures.js";

export const USER_READ = ["User.Read"];
/** MSAL's hidden-iframe wait; jsdom never loads the iframe, so every fallback times out after it. */
export const IFRAME_TIMEOUT_MS = 200;

/** A fetch that only talks to the simulator, and counts what it sent. */
export function simulatorFetch(tenant: Tenant): typeof fetch & { calls: string[] } {
  const origin = new URL(tenant.sim.url).origin;
  const calls: string[] = [];
  const send = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    if (url.origin !== origin) throw new TypeError(`refusing a request off the simulator: ${url.href}`);
    calls.push(`${init?.method ?? "GET"} ${url.pathname}`);
    return fetch(url, init);
  }) as typeof fetch & { calls: string[] };
  send.calls = calls;
  return send;
}

export interface TestApp {
  pca: msal.PublicClientApplication;
  observer: BrowserNetworkObserver;
}

/** A PublicClientApplication on the simulator with the observer installed as its network client. */
export async function browserApp(tenant: Tenant, observer = createBrowserNetworkObserver({ fetch: simulatorFetch(tenant) })): Promise<TestApp> {
  const pca = new msal.PublicClientApplication({
    auth: tenant.sim.msalBrowserAuth(CLIENTS.publicApp),
    cache: { cacheLocation: "sessionStorage" },
    // iframeBridgeTimeout is msal-browser 5's name, iframeHashTimeout 4's.
    system: observer.system({ ...quietLogger, iframeBridgeTimeout: IFRAME_TIMEOUT_MS, ...({ iframeHashTimeout: IFRAME_TIMEOUT_MS } as object) }),
  });
  await pca.initialize();
  return { pca, observer };
}

/** Signs `user` in through the authorization-code grant, seeding MSAL's cache (account + refresh token). */
export async function signIn(tenant: Tenant, pca: msal.PublicClientApplication, user: string = USERS.ada): Promise<msal.AccountInfo> {
  const result = await pca.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(user), scopes: USER_READ });
  return result.account;
}

/** Awaits a call that must reject with an msal-guard error. */
export async function rejection(call: Promise<unknown>): Promise<MsalGuardError> {
  try {
    await call;
  } catch (error) {
    if (!isMsalGuardError(error)) throw new Error(`expected an msal-guard error, got ${String(error)}`, { cause: error });
    return error;
  }
  throw new Error("expected the call to fail");
}

/** Awaits a call that must reject, whatever with. */
export async function anyRejection(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

/** A guard clock on the simulator's manual clock. */
export { createGuardClock as guardClock } from "../../src/testing/index.js";

/** A token POSTs the simulator answered. */
export const tokenRequests = (tenant: Tenant) => tenant.sim.requests.filter((r) => r.endpoint === "token").length;

/** An MSAL-shaped popup result, for a stubbed `acquireTokenPopup` (popups can't open in jsdom). */
export function popupResult(account: msal.AccountInfo): msal.AuthenticationResult {
  return {
    authority: "https://login.simulator.test/x",
    uniqueId: account.localAccountId,
    tenantId: account.tenantId,
    scopes: USER_READ,
    account,
    idToken: "header.payload.signature",
    idTokenClaims: {},
    accessToken: "popup-access-token",
    fromCache: false,
    expiresOn: new Date(Date.now() + 3_600_000),
    tokenType: "Bearer",
    correlationId: "popup",
  } as msal.AuthenticationResult;
}

export interface RedirectingApp extends TestApp {
  /** Every `/authorize` URL MSAL navigated to, oldest first. */
  readonly redirects: string[];
}

/**
 * A PublicClientApplication whose redirects stop just before the page would unload: MSAL
 * builds the `/authorize` URL, keeps its state and marks the interaction in progress, and
 * the URL is kept here instead of opened (jsdom can't navigate). {@link followRedirect}
 * then plays the browser.
 */
export async function redirectingApp(tenant: Tenant, observer = createBrowserNetworkObserver({ fetch: simulatorFetch(tenant) })): Promise<RedirectingApp> {
  const redirects: string[] = [];
  const pca = new msal.PublicClientApplication({
    auth: {
      ...tenant.sim.msalBrowserAuth(CLIENTS.publicApp),
      onRedirectNavigate: (url: string) => {
        redirects.push(url);
        return false;
      },
    },
    cache: { cacheLocation: "sessionStorage" },
    system: observer.system({ ...quietLogger, iframeBridgeTimeout: IFRAME_TIMEOUT_MS, ...({ iframeHashTimeout: IFRAME_TIMEOUT_MS } as object) }),
  });
  await pca.initialize();
  return { pca, observer, redirects };
}

/** Opens an `/authorize` URL on the simulator as the browser would and returns the hash the redirect page receives. */
export async function followRedirect(tenant: Tenant, url: string): Promise<string> {
  if (new URL(url).origin !== new URL(tenant.sim.url).origin) throw new Error(`not a simulator page: ${url}`);
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  const location = response.headers.get("location");
  if (location === null) throw new Error(`/authorize answered ${response.status} without a redirect`);
  return new URL(location).hash;
}
