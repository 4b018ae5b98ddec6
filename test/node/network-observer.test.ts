// The network observer under real msal-node (ESM build) against the Entra simulator:
// for every flow where MSAL drops the HTTP status, the observer's record of the same
// correlation id gives it back, and classify() then tells a 429 from a 503.
import { ConfidentialClientApplication, ManagedIdentityApplication, PublicClientApplication } from "@azure/msal-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { classify } from "../../src/index.js";
import { createNetworkObserver, OBSERVED_HEADERS, type NetworkObserver, type ObservedResponse } from "../../src/node/network-observer.js";
import type { SimulatedGrant, StatusFault } from "../../src/testing/index.js";
import { CLIENTS, PASSWORD, SECRET, USERS, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";

const USER_READ = ["User.Read"];
const GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"];

let tenant: Tenant;
beforeAll(async () => {
  tenant = await startTenant({ deviceCode: { intervalSeconds: 0 } });
});
afterAll(() => tenant.sim.close());
beforeEach(() => {
  const { sim } = tenant;
  sim.clearFaults();
  sim.resetLog();
  for (const user of Object.values(USERS)) sim.unlock(user);
  // Loop detection remembers identical requests for five minutes: start each test clean.
  tenant.clock.advance(10 * 60_000);
});

type AppSystem = ConstructorParameters<typeof PublicClientApplication>[0]["system"];
const systemFor = (observer: NetworkObserver | undefined): AppSystem => (observer === undefined ? quietLogger : observer.system(quietLogger));
const publicApp = (observer?: NetworkObserver) => new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: systemFor(observer) });
const daemon = (observer?: NetworkObserver, clientSecret = SECRET) =>
  new ConfidentialClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.daemon, { clientSecret }), system: systemFor(observer) });
const ropc = (app: PublicClientApplication, username: string = USERS.ada, password = PASSWORD) =>
  app.acquireTokenByUsernamePassword({ scopes: USER_READ, username, password });

type MsalError = Record<string, unknown> & { correlationId: string };

/** The error a call rejects with. */
async function failure(call: Promise<unknown>): Promise<MsalError> {
  try {
    await call;
  } catch (error) {
    return error as MsalError;
  }
  throw new Error("expected the MSAL call to fail");
}

async function refreshTokenOf(username: string): Promise<string> {
  const app = publicApp();
  await ropc(app, username);
  const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
  return Object.values(cache.RefreshToken)[0]?.secret as string;
}

interface Flow {
  name: string;
  /** Faults hit only this grant, so setup requests (a sign-in for a refresh token) pass. */
  grant: SimulatedGrant;
  run: (observer: NetworkObserver) => Promise<unknown>;
}

// The flows in which MSAL leaves `status` undefined on its errors.
const FLOWS: Flow[] = [
  { name: "username/password (ROPC)", grant: "password", run: (observer) => ropc(publicApp(observer)) },
  {
    name: "refresh token",
    grant: "refresh_token",
    run: async (observer) => publicApp(observer).acquireTokenByRefreshToken({ refreshToken: await refreshTokenOf(USERS.ada), scopes: USER_READ }),
  },
  {
    name: "on-behalf-of",
    grant: "on_behalf_of",
    run: async (observer) => {
      const user = await ropc(publicApp());
      return daemon(observer).acquireTokenOnBehalfOf({ oboAssertion: user?.accessToken as string, scopes: ["https://graph.microsoft.com/User.Read"] });
    },
  },
  {
    name: "device code",
    grant: "device_code",
    run: (observer) =>
      publicApp(observer).acquireTokenByDeviceCode({ scopes: USER_READ, deviceCodeCallback: (r) => tenant.sim.approveDeviceCode(r.userCode, USERS.ada) }),
  },
  {
    name: "authorization code",
    grant: "authorization_code",
    run: (observer) =>
      daemon(observer).acquireTokenByCode({
        code: tenant.sim.issueAuthorizationCode(USERS.ada, { clientId: CLIENTS.daemon }),
        scopes: USER_READ,
        redirectUri: "http://localhost/cb",
      }),
  },
];

interface FaultCase {
  name: string;
  fault: StatusFault;
  observed: Partial<ObservedResponse> & { status: number; headers?: Record<string, string> };
  classified: { kind: string; httpStatus: number; retryAfterMs?: number };
}

const FAULTS: FaultCase[] = [
  {
    name: "a 429 with Retry-After: 30",
    fault: { status: 429, retryAfter: 30 },
    observed: { type: "response", status: 429, headers: { "retry-after": "30" } },
    classified: { kind: "throttled", httpStatus: 429, retryAfterMs: 30_000 },
  },
  {
    name: "a 503 with an HTML page",
    fault: { status: 503, body: "html" },
    observed: { type: "response", status: 503, body: undefined },
    classified: { kind: "transient", httpStatus: 503 },
  },
  {
    // A proxy's refusal: nothing to retry, whatever MSAL failed to parse.
    name: "a 403 with an HTML page",
    fault: { status: 403, body: "html" },
    observed: { type: "response", status: 403, body: undefined },
    classified: { kind: "unknown", httpStatus: 403 },
  },
];

describe.each(FLOWS)("$name: the observer restores what MSAL drops", ({ grant, run }) => {
  it.each(FAULTS)("$name", async ({ fault, observed, classified }) => {
    tenant.sim.inject({ ...fault, match: { grant }, times: 1 });
    const observer = createNetworkObserver();
    const error = await failure(run(observer));

    // MSAL's error has no status and no Retry-After, so on its own it cannot say 429 or 503.
    expect(error.status).toBeUndefined();
    expect(error.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(classify(error)).toMatchObject({ httpStatus: undefined, retryAfterMs: undefined });

    const response = observer.responseFor(error.correlationId);
    expect(response).toMatchObject(observed);
    expect(observer.responseFor(error)).toBe(response); // the error itself works as the key
    expect(classify(error, { response })).toMatchObject(classified);
  });
});

describe("what MSAL throws and the observer records", () => {
  it("an HTML 503 fails as msal-node's own client fails (token_parsing_error), after the status is recorded", async () => {
    tenant.sim.inject({ status: 503, body: "html", retryAfter: 5, times: 1 });
    const observer = createNetworkObserver();
    const error = await failure(ropc(publicApp(observer)));
    expect(error).toMatchObject({ name: "AuthError", errorCode: "token_parsing_error" });
    expect(observer.responseFor(error)).toEqual({
      type: "response",
      method: "POST",
      status: 503,
      headers: expect.objectContaining({ "retry-after": "5", "content-type": "text/html; charset=utf-8" }),
      body: undefined,
      url: tenant.sim.endpoints.tokenEndpoint,
      at: expect.any(Number),
    });
  });

  it("an empty 429 (no body at all) keeps its status and Retry-After", async () => {
    tenant.sim.inject({ status: 429, body: "empty", retryAfter: 12, times: 1 });
    const observer = createNetworkObserver();
    const error = await failure(ropc(publicApp(observer)));
    expect(error.errorCode).toBe("token_parsing_error");
    const response = observer.responseFor(error);
    expect(classify(error, { response })).toMatchObject({ kind: "throttled", httpStatus: 429, retryAfterMs: 12_000 });
  });

  it("a JSON error body is kept parsed, so the AADSTS code survives even where MSAL drops it (device code)", async () => {
    tenant.sim.inject({ status: 400, code: 50057, match: { grant: "device_code" }, times: 1 });
    const observer = createNetworkObserver();
    const error = await failure(
      publicApp(observer).acquireTokenByDeviceCode({ scopes: USER_READ, deviceCodeCallback: (r) => tenant.sim.approveDeviceCode(r.userCode, USERS.ada) }),
    );
    expect(error.errorCode).toBe("post_request_failed");
    const response = observer.responseFor(error);
    expect(response).toMatchObject({ status: 400, body: { error: "invalid_grant", error_codes: [50057] } });
    expect(classify(error, { response })).toMatchObject({ kind: "account_unavailable", codes: [50057], httpStatus: 400 });
  });

  it("respects Retry-After as an HTTP-date", async () => {
    const nowMs = Date.UTC(2026, 10, 22, 10, 0, 0);
    const retryAt = new Date(nowMs + 120_000);
    tenant.sim.inject({ status: 429, retryAfter: retryAt, match: { grant: "password" }, times: 1 });
    const observer = createNetworkObserver();
    const error = await failure(ropc(publicApp(observer)));
    const response = observer.responseFor(error);
    expect(response).toMatchObject({ status: 429, headers: { "retry-after": retryAt.toUTCString() } });
    expect(classify(error, { response, now: nowMs })).toMatchObject({ kind: "throttled", httpStatus: 429, retryAfterMs: 120_000 });
  });

  it("client credentials keeps its status in MSAL; the observer adds the Retry-After MSAL drops", async () => {
    tenant.sim.throttle({ retryAfter: 45, times: 1 });
    const observer = createNetworkObserver();
    const error = await failure(daemon(observer).acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
    expect(error.status).toBe(429);
    expect(classify(error).retryAfterMs).toBeUndefined();
    expect(classify(error, { response: observer.responseFor(error) })).toMatchObject({ kind: "throttled", httpStatus: 429, retryAfterMs: 45_000 });
  });

  it("keeps only the safe response headers, lower-case, and the URL without its query string", async () => {
    tenant.sim.inject({ status: 429, retryAfter: 30, times: 1 });
    const observer = createNetworkObserver();
    const error = await failure(ropc(publicApp(observer)));
    const response = observer.responseFor(error);
    if (response?.type !== "response") throw new Error("expected an HTTP response record");
    expect(Object.keys(response.headers).sort()).toEqual(["client-request-id", "content-type", "retry-after", "x-ms-request-id"]);
    expect(Object.keys(response.headers).every((name) => (OBSERVED_HEADERS as readonly string[]).includes(name))).toBe(true);
    expect(response.headers["client-request-id"]).toBe(error.correlationId);
    expect(response.url).toBe(tenant.sim.endpoints.tokenEndpoint);
    expect(response.url).not.toContain("?");
    expect(Object.isFrozen(response) && Object.isFrozen(response.headers) && Object.isFrozen(response.body)).toBe(true);
  });
});

describe("request timeout", () => {
  it("a response slower than timeoutMs fails as a network error, recorded as a timeout", async () => {
    tenant.sim.inject({ delayMs: 1_000, match: { grant: "password" }, times: 1 });
    const observer = createNetworkObserver({ timeoutMs: 200 });
    const error = await failure(ropc(publicApp(observer)));
    expect(error).toMatchObject({ name: "AuthError", errorCode: "network_error", errorMessage: "Request timeout" });
    expect(classify(error).kind).toBe("network");
    const response = observer.responseFor(error);
    expect(response).toMatchObject({ type: "timeout", timedOut: true, code: "ETIMEDOUT", method: "POST", url: tenant.sim.endpoints.tokenEndpoint });
    expect(classify(error, { response })).toMatchObject({ kind: "network", retry: "with_backoff" });
    expect(classify(response).kind).toBe("network"); // the record alone says so too
  });

  it("a dropped connection is a network error, recorded as one", async () => {
    tenant.sim.inject({ drop: true, times: 1 });
    const observer = createNetworkObserver();
    const error = await failure(ropc(publicApp(observer)));
    expect(error).toMatchObject({ errorCode: "network_error" });
    expect(error.errorMessage).toMatch(/^Network request failed: /);
    expect(observer.responseFor(error)).toMatchObject({ type: "network", timedOut: false });
    expect(classify(error, { response: observer.responseFor(error) }).kind).toBe("network");
  });
});

describe("success", () => {
  it("a 200 passes through unchanged and records nothing", async () => {
    const observer = createNetworkObserver();
    const app = new PublicClientApplication(observer.configure({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger }));
    const result = await ropc(app);
    expect(result?.accessToken).toEqual(expect.any(String));
    expect(result?.accessToken).not.toBe("");
    expect(observer.size).toBe(0);
    expect(observer.responseFor(result?.correlationId)).toBeUndefined();

    const url = tenant.sim.endpoints.openIdConfiguration;
    const direct = await observer.networkClient.sendGetRequestAsync<Record<string, unknown>>(url);
    const raw = await fetch(url);
    expect(direct.status).toBe(raw.status);
    expect(direct.body).toEqual(await raw.json());
    expect(direct.headers["content-type"]).toBe(raw.headers.get("content-type"));
  });

  it("a success after failures under the same correlation id (device-code polling) forgets them", async () => {
    let polls = 0;
    const observer = createNetworkObserver({
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        // Approve only after the first poll has been answered authorization_pending (a 400).
        if (new URL(String(input)).pathname.endsWith("/token") && ++polls === 1) tenant.sim.approveDeviceCode("latest", USERS.ada);
        return response;
      },
    });
    const result = await publicApp(observer).acquireTokenByDeviceCode({ scopes: USER_READ, deviceCodeCallback: () => {}, timeout: 10 });
    expect(result?.accessToken).toEqual(expect.any(String));
    expect(tenant.sim.requests.filter((r) => r.grant === "device_code").map((r) => r.status)).toEqual([400, 200]);
    expect(observer.size).toBe(0);
  });
});

describe("bounded memory", () => {
  it("keeps at most maxEntries records, forgetting the oldest", async () => {
    const observer = createNetworkObserver({ maxEntries: 5 });
    const app = publicApp(observer);
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) ids.push((await failure(ropc(app, "nobody@contoso.test"))).correlationId);
    expect(new Set(ids).size).toBe(15);
    expect(observer.size).toBe(5);
    expect(ids.slice(0, 10).map((id) => observer.responseFor(id))).toEqual(Array(10).fill(undefined));
    for (const id of ids.slice(10)) expect(observer.responseFor(id)).toMatchObject({ status: 400 });
  });

  it("forgets records older than ttlMs", async () => {
    let nowMs = 1_000_000;
    const observer = createNetworkObserver({ ttlMs: 300_000, now: () => nowMs, fetch: fakeFetch(() => jsonResponse(503, { error: "temporarily_unavailable" })) });
    await observer.networkClient.sendPostRequestAsync("https://login.test/t/oauth2/v2.0/token", { correlationId: "a1" });
    nowMs += 299_999;
    expect(observer.responseFor("a1")).toMatchObject({ status: 503, at: 1_000_000 });
    nowMs += 1;
    expect(observer.responseFor("a1")).toBeUndefined();
    expect(observer.size).toBe(0);
  });

  it("drops expired records when new ones arrive", async () => {
    let nowMs = 0;
    const observer = createNetworkObserver({ ttlMs: 1_000, now: () => nowMs, fetch: fakeFetch(() => jsonResponse(500, {})) });
    for (const id of ["a", "b", "c"]) await observer.networkClient.sendPostRequestAsync("https://login.test/token", { correlationId: id });
    nowMs = 1_500;
    await observer.networkClient.sendPostRequestAsync("https://login.test/token", { correlationId: "d" });
    expect(observer.size).toBe(1);
  });

  it("take() returns a record and forgets it", async () => {
    const observer = createNetworkObserver({ fetch: fakeFetch(() => jsonResponse(429, {}, { "Retry-After": "7" })) });
    await observer.networkClient.sendPostRequestAsync("https://login.test/token", { correlationId: "t1" });
    expect(observer.take("t1")).toMatchObject({ status: 429, headers: { "retry-after": "7" } });
    expect(observer.take("t1")).toBeUndefined();
    expect(observer.size).toBe(0);
  });
});

describe("no secrets retained", () => {
  it("keeps no password, client secret, assertion or token from any request", async () => {
    const { sim } = tenant;
    const password = "Unmistakable-Pa55word!";
    const secret = "unmistakable-client-secret";
    const observer = createNetworkObserver();

    await failure(ropc(publicApp(observer), USERS.ada, password));
    await failure(daemon(observer, secret).acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
    const user = await ropc(publicApp());
    const assertion = user?.accessToken as string;
    sim.inject({ status: 503, match: { grant: "on_behalf_of" }, times: 1 });
    await failure(daemon(observer).acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes: ["https://graph.microsoft.com/User.Read"] }));
    sim.inject({ status: 503, body: "html", match: { grant: "password" }, times: 1 });
    await failure(ropc(publicApp(observer), USERS.ada, PASSWORD));
    const succeeded = await ropc(publicApp(observer));

    const records = [...new Set(sim.requests.map((r) => r.correlationId))].map((id) => observer.responseFor(id)).filter((r) => r !== undefined);
    expect(records).toHaveLength(4);
    const state = JSON.stringify(records);
    for (const text of [password, secret, SECRET, PASSWORD, assertion, succeeded?.accessToken as string, "client_secret", "password=", "<html", "<!DOCTYPE"]) {
      expect(state).not.toContain(text);
    }
  });

  it("drops token fields from a kept error body, and keeps no body that is not a JSON object", async () => {
    const bodies: unknown[] = [{ error: "server_error", access_token: "at-123", refresh_token: "rt-456", id_token: "it-789" }, [1, 2], "x".repeat(10)];
    let next = 0;
    const observer = createNetworkObserver({ fetch: fakeFetch(() => jsonResponse(500, bodies[next++])) });
    for (const id of ["o", "a", "s"]) await observer.networkClient.sendPostRequestAsync("https://login.test/token", { correlationId: id });
    expect(observer.responseFor("o")).toMatchObject({ body: { error: "server_error" } });
    expect(JSON.stringify(observer.responseFor("o"))).not.toMatch(/at-123|rt-456|it-789/);
    expect(observer.responseFor("a")).toMatchObject({ status: 500, body: undefined });
    expect(observer.responseFor("s")).toMatchObject({ status: 500, body: undefined });
  });
});

describe("correlation ids", () => {
  it.each([
    ["the correlationId option", "https://login.test/token", { correlationId: "from-option", headers: { "client-request-id": "from-header" } }, "from-option"],
    ["a client-request-id header (any case)", "https://login.test/token?client-request-id=from-query", { headers: { "Client-Request-Id": "from-header" } }, "from-header"],
    ["an x-ms-client-request-id header (managed identity)", "http://169.254.169.254/metadata/identity/oauth2/token", { headers: { "x-ms-client-request-id": "from-ms-header" } }, "from-ms-header"],
    ["the client-request-id query parameter", "https://login.test/token?client-request-id=from-query&x=1", {}, "from-query"],
  ] as const)("comes from %s", async (_, url, request, id) => {
    const observer = createNetworkObserver({ fetch: fakeFetch(() => jsonResponse(500, {})) });
    await observer.networkClient.sendPostRequestAsync(url, request);
    expect(observer.responseFor(id)).toMatchObject({ status: 500 });
    expect(observer.size).toBe(1);
  });

  it("a request without any correlation id is not recorded", async () => {
    const observer = createNetworkObserver({ fetch: fakeFetch(() => jsonResponse(500, {})) });
    await observer.networkClient.sendPostRequestAsync("https://login.test/token", {});
    expect(observer.size).toBe(0);
  });

  it("managed identity: MSAL passes no correlation id and its error carries none of ours", async () => {
    let sentId: string | undefined;
    const observer = createNetworkObserver({
      fetch: fakeFetch((_, init) => {
        sentId = new Headers(init?.headers).get("x-ms-client-request-id") ?? undefined;
        return jsonResponse(429, { error: "too_many_requests", error_description: "slow down" }, { "Retry-After": "30" });
      }),
    });
    const app = new ManagedIdentityApplication({ system: observer.system({ ...quietLogger, disableInternalRetries: true }) });
    const error = await failure(app.acquireToken({ resource: "https://observer-test.example" }));
    expect(error).toMatchObject({ name: "ServerError", status: 429, correlationId: "" }); // MSAL keeps the status here
    expect(observer.responseFor(error)).toBeUndefined();
    expect(observer.responseFor(sentId)).toMatchObject({ method: "GET", status: 429, headers: { "retry-after": "30" } });
  });
});

describe("observe: the failures of one call's requests", () => {
  const statusFromUrl = (url: string) => Number(new URL(url).searchParams.get("status"));
  it("concurrent calls each see their own last failure, across awaits; requests outside any call are noted by none", async () => {
    const observer = createNetworkObserver({
      fetch: fakeFetch(async (url) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const status = statusFromUrl(String(url));
        return status === 200 ? jsonResponse(200, { access_token: "at" }) : jsonResponse(status, { error: "e" }, { "Retry-After": String(status) });
      }),
    });
    const send = (status: number) => observer.networkClient.sendGetRequestAsync(`http://imds.test/token?status=${status}`, {});
    const a = observer.observe(async () => {
      await send(429);
      await send(503);
    });
    const b = observer.observe(async () => {
      await send(500);
      await send(200);
    });
    await send(404);
    await Promise.all([a.result, b.result]);
    expect(a.lastFailure).toMatchObject({ status: 503, headers: { "retry-after": "503" } });
    expect(b.lastFailure).toMatchObject({ status: 500 }); // a later success does not hide it
    expect(observer.size).toBe(0); // no correlation ids: nothing recorded by id
  });

  it("returns run's outcome untouched, a synchronous throw as a rejection", async () => {
    const observer = createNetworkObserver();
    const value = { token: "t" };
    await expect(observer.observe(() => Promise.resolve(value)).result).resolves.toBe(value);
    const boom = new Error("boom");
    const thrown = observer.observe(() => {
      throw boom;
    });
    await expect(thrown.result).rejects.toBe(boom);
    expect(thrown.lastFailure).toBeUndefined();
  });
});

describe("offline: only MSAL's token cache may answer", () => {
  it("returns what MSAL's cache holds, and sends nothing for what it doesn't", async () => {
    const observer = createNetworkObserver();
    const app = daemon(observer);
    const fresh = await app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT });
    tenant.sim.resetLog();
    const cached = await observer.offline(() => app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT }));
    expect(cached?.accessToken).toBe(fresh?.accessToken);
    await expect(observer.offline(() => app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }))).resolves.toBeUndefined();
    await expect(observer.offline(() => app.acquireTokenByClientCredential({ scopes: ["https://storage.simulator.test/.default"] }))).resolves.toBeUndefined();
    expect(tenant.sim.requests).toEqual([]);
    expect(observer.size).toBe(0);
    // Outside offline(), the same app sends as usual.
    await app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true });
    expect(tenant.sim.requests).toHaveLength(1);
  });
});

describe("timeouts, without a server", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("applies MSAL's own shorter GET timeout", async () => {
    vi.useFakeTimers();
    const observer = createNetworkObserver({ timeoutMs: 10_000, fetch: hangingFetch });
    const pending = observer.networkClient.sendGetRequestAsync("http://169.254.169.254/metadata/instance?client-request-id=g1", undefined, 2_000);
    const settled = expect(pending).rejects.toMatchObject({ errorCode: "network_error", errorMessage: "Request timeout", correlationId: "g1" });
    await vi.advanceTimersByTimeAsync(2_000);
    await settled;
    expect(observer.responseFor("g1")).toMatchObject({ type: "timeout", method: "GET" });
  });

  it("times out POSTs after timeoutMs, not before", async () => {
    vi.useFakeTimers();
    const observer = createNetworkObserver({ timeoutMs: 5_000, fetch: hangingFetch });
    let outcome: unknown;
    const pending = observer.networkClient.sendPostRequestAsync("https://login.test/token", { correlationId: "p1" }).catch((error: unknown) => {
      outcome = error;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(outcome).toMatchObject({ name: "AuthError", errorCode: "network_error", errorMessage: "Request timeout" });
  });

  it("timeoutMs: Infinity sets no timer", async () => {
    vi.useFakeTimers();
    const observer = createNetworkObserver({ timeoutMs: Number.POSITIVE_INFINITY, fetch: hangingFetch });
    void observer.networkClient.sendPostRequestAsync("https://login.test/token", { correlationId: "i1" }).catch(() => {});
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("configuration helpers and options", () => {
  it("system() adds the network client and copies the rest; configure() returns a copy", () => {
    const observer = createNetworkObserver();
    const extra = { ...quietLogger, disableInternalRetries: true };
    expect(observer.system(extra)).toEqual({ ...extra, networkClient: observer.networkClient });
    const config = { auth: { clientId: "c" }, system: { ...quietLogger } };
    const configured = observer.configure(config);
    expect(configured.system.networkClient).toBe(observer.networkClient);
    expect(configured.system.loggerOptions).toBe(quietLogger.loggerOptions);
    expect(configured.auth).toBe(config.auth);
    expect(config.system).not.toHaveProperty("networkClient");
    expect(observer.configure({ auth: { clientId: "c" } }).system.networkClient).toBe(observer.networkClient);
  });

  it.each([
    ["timeoutMs: 0", { timeoutMs: 0 }],
    ["timeoutMs: NaN", { timeoutMs: Number.NaN }],
    ["ttlMs: -1", { ttlMs: -1 }],
    ["maxEntries: 0", { maxEntries: 0 }],
    ["maxEntries: 1.5", { maxEntries: 1.5 }],
  ])("rejects %s", (_, options) => {
    expect(() => createNetworkObserver(options)).toThrow(RangeError);
  });

  it("rejects an unknown option, naming it (a typo would otherwise leave the default in force)", () => {
    expect(() => createNetworkObserver({ timeout: 5_000 } as never)).toThrow(/unknown option "timeout"\. Known options: timeoutMs, maxEntries, ttlMs, fetch, now/);
    expect(() => createNetworkObserver(null as never)).toThrow(TypeError);
  });
});

// --- fake transport for tests that need no server ---------------------------------

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function fakeFetch(answer: (input: string, init: RequestInit | undefined) => Response | Promise<Response>): typeof fetch {
  return async (input, init) => answer(String(input), init);
}

/** A fetch that never answers and rejects when aborted, as fetch does. */
const hangingFetch: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(new DOMException("This operation was aborted", "AbortError")));
  });
