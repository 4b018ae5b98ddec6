// @vitest-environment jsdom
// The browser network observer: it must look to MSAL exactly like msal-browser's own
// FetchClient (same errors for the same failures), while remembering what MSAL drops.
import * as msal from "@azure/msal-browser";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { classify } from "../../src/index.js";
import { createBrowserNetworkObserver } from "../../src/browser/index.js";
import { CLIENTS, USERS, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";
import { anyRejection, simulatorFetch, USER_READ } from "./support.js";

let tenant: Tenant;
const realFetch = globalThis.fetch;
beforeAll(async () => {
  tenant = await startTenant({ tokenLifetimeSeconds: 120, loopDetection: false });
});
afterAll(() => tenant.sim.close());
beforeEach(() => {
  tenant.sim.clearFaults();
  tenant.sim.resetLog();
  sessionStorage.clear();
  localStorage.clear();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

type Transport = "FetchClient" | "observer";

/** A fetch to the simulator that can be told to fail at the transport level. */
function controlledFetch(): typeof fetch & { reject: boolean; tokenPosts: number } {
  const origin = new URL(tenant.sim.url).origin;
  const send = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    if (url.origin !== origin) throw new TypeError(`refusing ${url.href}`);
    if (url.pathname.endsWith("/token")) send.tokenPosts++;
    if (send.reject && url.pathname.endsWith("/token")) throw new TypeError("Failed to fetch");
    return realFetch(url, init);
  }) as typeof fetch & { reject: boolean; tokenPosts: number };
  send.reject = false;
  send.tokenPosts = 0;
  return send;
}

/** An app on MSAL's own FetchClient (global fetch stubbed) or on the observer. */
async function appOn(transport: Transport, fetchImpl: typeof fetch) {
  const observer = createBrowserNetworkObserver({ fetch: fetchImpl, postRetryDelayMs: 100 });
  if (transport === "FetchClient") vi.stubGlobal("fetch", fetchImpl);
  const pca = new msal.PublicClientApplication({
    auth: tenant.sim.msalBrowserAuth(CLIENTS.publicApp),
    cache: { cacheLocation: "sessionStorage" },
    system: transport === "observer" ? observer.system(quietLogger) : quietLogger,
  });
  await pca.initialize();
  const { account } = await pca.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.ada), scopes: USER_READ });
  return { pca, observer, account };
}

const refresh = (pca: msal.PublicClientApplication, account: msal.AccountInfo, correlationId: string) =>
  pca.acquireTokenSilent({ account, scopes: USER_READ, correlationId, cacheLookupPolicy: msal.CacheLookupPolicy.RefreshToken });

/** What the caller can see of an error, with the per-call ids (correlation, trace) masked. */
const fields = (e: Record<string, unknown>) => ({
  name: e.name,
  errorCode: e.errorCode,
  errorMessage: String(e.errorMessage).replace(/c-(FetchClient|observer)/g, "<id>").replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<trace>"),
  isBrowserAuthError: e instanceof msal.BrowserAuthError,
});

describe("MSAL sees the same errors as with its own FetchClient", () => {
  it.each([
    ["an HTML 503", "html"],
    ["fetch rejecting (offline, CORS)", "reject"],
    ["a 50053 JSON error", "json"],
  ] as const)("%s", async (_, failure) => {
    const outcomes = [];
    for (const transport of ["FetchClient", "observer"] as const) {
      const fetchImpl = controlledFetch();
      const { pca, account } = await appOn(transport, fetchImpl);
      const posts = fetchImpl.tokenPosts;
      if (failure === "html") tenant.sim.inject({ status: 503, body: "html", retryAfter: 5, times: 1 });
      if (failure === "json") tenant.sim.inject({ status: 400, code: 50053, times: 1, match: { grant: "refresh_token" } });
      fetchImpl.reject = failure === "reject";
      const error = await anyRejection(refresh(pca, account, `c-${transport}`));
      outcomes.push({ ...fields(error), correlationId: error.correlationId === `c-${transport}`, posts: fetchImpl.tokenPosts - posts });
      vi.unstubAllGlobals();
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    // msal-browser 5's FetchClient retries a POST whose fetch rejected, once; 4's doesn't.
    expect(outcomes[0]?.posts).toBe(failure === "reject" && Number.parseInt(msal.version, 10) >= 5 ? 2 : 1);
  });
});

describe("what the observer remembers", () => {
  it("the status, Retry-After and JSON body of a failure, by correlation id; MSAL kept neither", async () => {
    const { pca, observer, account } = await appOn("observer", simulatorFetch(tenant));
    tenant.sim.throttle({ retryAfter: 30, times: 1 });
    const error = await anyRejection(refresh(pca, account, "c-429"));
    expect(classify(error)).toMatchObject({ kind: "throttled", httpStatus: undefined, retryAfterMs: undefined });
    const record = observer.responseFor(error);
    expect(record).toMatchObject({ type: "response", method: "POST", status: 429, headers: { "retry-after": "30" }, body: { error_codes: [90055] } });
    expect(record?.url).not.toContain("?");
    expect(classify(error, { response: record })).toMatchObject({ kind: "throttled", httpStatus: 429, retryAfterMs: 30_000 });
    expect(Object.isFrozen(record)).toBe(true);
  });

  it("the status of a non-JSON error body, which MSAL loses with its NetworkError", async () => {
    const { pca, observer, account } = await appOn("observer", simulatorFetch(tenant));
    tenant.sim.inject({ status: 503, body: "html", retryAfter: 5, times: 1 });
    const error = await anyRejection(refresh(pca, account, "c-503"));
    expect(error).toMatchObject({ errorCode: "failed_to_parse_response" });
    expect(observer.responseFor("c-503")).toMatchObject({ status: 503, body: undefined, headers: { "retry-after": "5" } });
    expect(classify(error, { response: observer.responseFor(error) })).toMatchObject({ kind: "transient", httpStatus: 503, retryAfterMs: 5_000 });
  });

  it("a transport failure, with the cause on MSAL's error", async () => {
    const fetchImpl = controlledFetch();
    const { pca, observer, account } = await appOn("observer", fetchImpl);
    fetchImpl.reject = true;
    const error = await anyRejection(refresh(pca, account, "c-net"));
    expect(error).toMatchObject({ errorCode: "post_request_failed" });
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(TypeError);
    expect(observer.responseFor("c-net")).toMatchObject({ type: "network", method: "POST", timedOut: false });
    expect(classify(error, { response: observer.responseFor("c-net") }).kind).toBe("network");
  });

  it("times a request out only when asked to", async () => {
    // A server that never answers; only the abort signal ends the request.
    const neverAnswers = ((_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))))) as typeof fetch;
    const observer = createBrowserNetworkObserver({ fetch: neverAnswers, timeoutMs: 50 });
    const error = await anyRejection(observer.networkClient.sendPostRequestAsync("http://127.0.0.1:9/t/oauth2/v2.0/token", { correlationId: "c-timeout", body: "" }));
    expect(error).toMatchObject({ errorCode: "post_request_failed", correlationId: "c-timeout" });
    expect(observer.responseFor("c-timeout")).toMatchObject({ type: "timeout", code: "ETIMEDOUT" });
  });

  it("never keeps tokens or other credential fields, and forgets an id once a request under it succeeds", async () => {
    const responses = [
      new Response(JSON.stringify({ error: "invalid_grant", error_codes: [50053], refresh_token: "leak", id_token: "leak" }), { status: 400 }),
      new Response(JSON.stringify({ access_token: "at", token_type: "Bearer" }), { status: 200 }),
    ];
    const observer = createBrowserNetworkObserver({ fetch: (async () => responses.shift() as Response) as typeof fetch });
    await observer.networkClient.sendPostRequestAsync("https://x.test/t/oauth2/v2.0/token", { correlationId: "c1", body: "refresh_token=secret" });
    const kept = observer.responseFor("c1");
    expect(kept).toMatchObject({ body: { error: "invalid_grant", error_codes: [50053] } });
    expect(JSON.stringify(kept)).not.toContain("leak");
    expect(JSON.stringify(kept)).not.toContain("secret");
    await observer.networkClient.sendPostRequestAsync("https://x.test/t/oauth2/v2.0/token", { correlationId: "c1", body: "" });
    expect(observer.responseFor("c1")).toBeUndefined();
  });

  it("is bounded by maxEntries and ttlMs, and keeps several failures per id", async () => {
    let now = 1_000;
    const observer = createBrowserNetworkObserver({
      fetch: (async () => new Response(JSON.stringify({ error: "temporarily_unavailable" }), { status: 503 })) as typeof fetch,
      maxEntries: 3,
      ttlMs: 10_000,
      now: () => now,
    });
    for (const id of ["a", "b", "c", "d", "d"]) await observer.networkClient.sendPostRequestAsync("https://x.test/token", { correlationId: id });
    expect(observer.size).toBe(3);
    expect(observer.responseFor("a")).toBeUndefined();
    expect(observer.failuresFor("d")).toHaveLength(2);
    now += 10_000;
    expect(observer.responseFor("d")).toBeUndefined();
    expect(observer.take("b")).toBeUndefined();
  });

  it("system() and configure() install it without touching the caller's objects", () => {
    const observer = createBrowserNetworkObserver();
    const system = { loggerOptions: quietLogger.loggerOptions };
    expect(observer.system(system)).toEqual({ ...system, networkClient: observer.networkClient });
    const config = { auth: { clientId: "x" }, system };
    const configured = observer.configure(config);
    expect(configured.system.networkClient).toBe(observer.networkClient);
    expect(config.system).not.toHaveProperty("networkClient");
  });
});

describe("options", () => {
  it("rejects an unknown option, naming it (a typo would otherwise leave the default in force)", () => {
    expect(() => createBrowserNetworkObserver({ timeout: 5_000 } as never)).toThrow(/unknown option "timeout"\. Known options: fetch, timeoutMs, maxEntries, ttlMs, now, isOnline, postRetryDelayMs/);
    expect(() => createBrowserNetworkObserver(null as never)).toThrow(TypeError);
  });
});
