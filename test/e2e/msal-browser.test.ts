// @vitest-environment jsdom
// Real msal-browser in jsdom (the ESM package, and the minified UMD build run as a
// classic script), talking to the simulator over loopback HTTP through a network
// client. Every error classified here is MSAL's own.
import * as msalEsm from "@azure/msal-browser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { classify, toGuardError, AccountLockedError, ConditionalAccessBlockedError, type Classification } from "../../src/index.js";
import { createSimulatorNetworkClient, type NetworkObservation } from "../../src/testing/index.js";
import { CA_POLICY_ID, CLIENTS, USERS, quietLogger, startTenant, type Tenant } from "./fixtures.js";
import { failure, type ErrorFields } from "./support/failure.js";
import { loadMsalBrowserUmd, recordRejections, type MsalBrowser } from "./support/msal-browser.js";

const USER_READ = ["User.Read"];

type BuildId = "esm" | "umd";
const BUILDS: readonly { id: BuildId; name: string; renamesClasses: boolean }[] = [
  { id: "esm", name: "msal-browser ESM package", renamesClasses: false },
  { id: "umd", name: "msal-browser minified UMD (window.msal)", renamesClasses: true },
];

let tenant: Tenant;
let umd: ReturnType<typeof loadMsalBrowserUmd> | undefined;
const modules = new Map<BuildId, MsalBrowser>();

beforeAll(async () => {
  // Access tokens living under five minutes count as expired at once: silent calls refresh.
  tenant = await startTenant({ tokenLifetimeSeconds: 120 });
  umd = loadMsalBrowserUmd();
  modules.set("esm", msalEsm);
  modules.set("umd", umd.msal);
});

afterAll(async () => {
  umd?.dispose();
  await tenant?.sim.close();
});

beforeEach(() => {
  const { sim } = tenant;
  sim.clearFaults();
  sim.setErrorShape({});
  sim.resetLog();
  for (const user of Object.values(USERS)) sim.unlock(user);
  tenant.clock.advance(10 * 60_000);
  // msal-browser keeps its token cache and its throttle entries in web storage.
  sessionStorage.clear();
  localStorage.clear();
});

function moduleOf(id: BuildId): MsalBrowser {
  const msal = modules.get(id);
  if (msal === undefined) throw new Error(`build ${id} not loaded`);
  return msal;
}

describe("the builds under test", () => {
  it("jsdom gives MSAL what it needs: WebCrypto and web storage", () => {
    expect(typeof globalThis.crypto?.subtle?.digest).toBe("function");
    expect(typeof window.sessionStorage.setItem).toBe("function");
  });

  it("the UMD build is a separate, minified copy of msal-browser", () => {
    const esm = moduleOf("esm");
    const min = moduleOf("umd");
    expect(min.version).toBe(esm.version);
    expect(min.PublicClientApplication).not.toBe(esm.PublicClientApplication);
    expect(min.ServerError.name).not.toBe("ServerError");
  });
});

describe.each(BUILDS)("$name", ({ id, renamesClasses }) => {
  /** Error responses the network client saw, by MSAL's correlation id. */
  let observed: Map<string, NetworkObservation>;
  beforeEach(() => {
    observed = new Map();
  });

  async function app(networkClient: msalEsm.INetworkModule = simulatorClient()): Promise<msalEsm.PublicClientApplication> {
    const msal = moduleOf(id);
    const pca = new msal.PublicClientApplication({
      auth: tenant.sim.msalBrowserAuth(CLIENTS.publicApp),
      cache: { cacheLocation: "sessionStorage" },
      system: { ...quietLogger, networkClient },
    });
    await pca.initialize();
    return pca;
  }

  function simulatorClient(): msalEsm.INetworkModule {
    return createSimulatorNetworkClient(tenant.sim, {
      onResponse: (o) => {
        if (o.status >= 400 && o.correlationId !== undefined) observed.set(o.correlationId, o);
      },
    });
  }

  /** Signs ada in through the authorization-code grant, seeding MSAL's cache (account + refresh token). */
  async function signedIn(pca: msalEsm.PublicClientApplication): Promise<msalEsm.AccountInfo> {
    const result = await pca.acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.ada), scopes: USER_READ });
    return result.account;
  }

  /** A silent call that must use the refresh token (policy RefreshToken: never the hidden iframe). */
  function refresh(pca: msalEsm.PublicClientApplication, account: msalEsm.AccountInfo) {
    const policy = moduleOf(id).CacheLookupPolicy.RefreshToken;
    expect(policy).toBe(3);
    return pca.acquireTokenSilent({ account, scopes: USER_READ, cacheLookupPolicy: policy });
  }

  function expectMsalError(error: ErrorFields, msalName: string): void {
    expect(error.name).toBe(msalName);
    const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
    if (renamesClasses) expect(constructorName).not.toBe(msalName);
    else expect(constructorName).toBe(msalName);
    expect(error instanceof msalEsm.AuthError).toBe(id === "esm");
  }

  function withResponse(error: ErrorFields): Classification {
    const response = observed.get(String(error.correlationId));
    expect(response).toBeDefined();
    return classify(error, { response });
  }

  it("acquireTokenByCode for a Conditional-Access-blocked user is conditional_access_blocked with the policy ids", async () => {
    const { error, c } = await failure((await app()).acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.blocked), scopes: USER_READ }));
    expectMsalError(error, "InteractionRequiredAuthError");
    expect(error).toMatchObject({ errorNo: 53003, subError: "message_only" });
    expect(error).not.toHaveProperty("status"); // InteractionRequiredAuthError has none
    expect(c).toMatchObject({
      kind: "conditional_access_blocked",
      codes: [53003],
      policyIds: [CA_POLICY_ID],
      interactionRequired: false,
      httpStatus: undefined, // msal-browser never keeps the HTTP status
      source: "msal",
    });
    expect(toGuardError(error)).toBeInstanceOf(ConditionalAccessBlockedError);
  });

  it.each([
    ["invalid_grant", {}],
    ["unauthorized_client", { error: "unauthorized_client" }],
  ] as const)("a refresh answered with 50053 (as %s) is account_locked", async (_, variant) => {
    const pca = await app();
    const account = await signedIn(pca);
    tenant.sim.inject({ status: 400, code: 50053, ...variant, times: 1, match: { grant: "refresh_token" } });
    const { error, c } = await failure(refresh(pca, account));
    expect(tenant.sim.requests.at(-1)).toMatchObject({ grant: "refresh_token", status: 400, codes: [50053] });
    expectMsalError(error, "ServerError");
    expect(typeof error.errorNo).toBe("number");
    expect(c).toMatchObject({ kind: "account_locked", codes: [50053], interactionRequired: false, retry: "after_wait", replayed: false });
    const typed = toGuardError(error);
    expect(typed).toBeInstanceOf(AccountLockedError);
    expect(typed.cause).toBe(error);
  });

  it("a 429 with Retry-After is throttled; after a reload MSAL replays it from sessionStorage without a request", async () => {
    const { sim } = tenant;
    const first = await app();
    const account = await signedIn(first);
    sim.throttle({ retryAfter: 30, times: 1 });
    const throttled = await failure(refresh(first, account));
    expectMsalError(throttled.error, "ServerError");
    expect(throttled.c).toMatchObject({ kind: "throttled", codes: [90055], replayed: false, httpStatus: undefined, retryAfterMs: undefined });
    // MSAL drops status and Retry-After; the network observation restores them.
    expect(withResponse(throttled.error)).toMatchObject({ kind: "throttled", httpStatus: 429, retryAfterMs: 30_000 });

    const storageKeys = Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i) ?? "");
    expect(storageKeys.filter((key) => key.startsWith("throttling."))).toHaveLength(1);

    const sent = sim.counts().total;
    const reloaded = await app(); // a new application instance on the same storage, as after a page reload
    const [cachedAccount] = reloaded.getAllAccounts();
    expect(cachedAccount?.homeAccountId).toBe(account.homeAccountId);
    const replay = await failure(refresh(reloaded, cachedAccount as msalEsm.AccountInfo));
    expect(sim.counts().total).toBe(sent);
    expectMsalError(replay.error, "ServerError");
    expect(replay.error).toMatchObject({ errorCode: "90055", errorNo: undefined, status: undefined });
    expect(replay.c).toMatchObject({ kind: "throttled", codes: [90055], replayed: true, retry: "after_wait" });
  });

  it("an HTML 503 through MSAL's own FetchClient is failed_to_parse_response, transient; the status dies with MSAL's NetworkError", async () => {
    const { sim } = tenant;
    // MSAL's default network module (FetchClient over fetch), watched for what it throws.
    const probe = new (moduleOf(id).PublicClientApplication)({ auth: sim.msalBrowserAuth(CLIENTS.publicApp), system: quietLogger });
    const fetchClient = probe.getConfiguration().system.networkClient;
    const { client, rejected } = recordRejections(fetchClient);
    const pca = await app(client);
    const account = await signedIn(pca);

    sim.inject({ status: 503, body: "html", retryAfter: 5, times: 1 });
    const { error, c } = await failure(refresh(pca, account));
    expectMsalError(error, "BrowserAuthError");
    expect(error).toMatchObject({ errorCode: "failed_to_parse_response" });
    expect(error).not.toHaveProperty("httpStatus");
    expect(c).toMatchObject({ kind: "transient", codes: [], httpStatus: undefined, retry: "with_backoff", replayed: false });

    // MSAL's NetworkError had the status and headers; msal-common rethrows only its inner error.
    expect(rejected).toHaveLength(1);
    const networkError = rejected[0]?.error as ErrorFields;
    expect(networkError).toMatchObject({ name: "NetworkError", errorCode: "failed_to_parse_response", httpStatus: 503 });
    expect(networkError.error).toBe(error);
    expect(classify(networkError)).toMatchObject({ kind: "transient", httpStatus: 503, retryAfterMs: 5_000 });

    // An unreadable body arms no throttle: the next call goes out and succeeds.
    const sent = sim.counts().total;
    await expect(refresh(pca, account)).resolves.toMatchObject({ account: { username: USERS.ada } });
    expect(sim.counts().total).toBe(sent + 1);
  });

  it("53003 without suberror is a ServerError with its claims dropped, and still conditional_access_blocked", async () => {
    tenant.sim.setErrorShape({ omitSuberror: [53003] });
    const { error, c } = await failure((await app()).acquireTokenByCode({ code: tenant.sim.issueAuthorizationCode(USERS.blocked), scopes: USER_READ }));
    expectMsalError(error, "ServerError");
    expect(error).toMatchObject({ errorNo: 53003 });
    expect(error.claims).toBeUndefined();
    expect(c).toMatchObject({ kind: "conditional_access_blocked", codes: [53003], interactionRequired: false, policyIds: [] });
    // The response still carried the claims: the observation restores the policy ids.
    expect(withResponse(error)).toMatchObject({ kind: "conditional_access_blocked", policyIds: [CA_POLICY_ID], httpStatus: 400 });
  });
});
