// Real @azure/identity credentials (which run their own nested msal-node 5.x) against the
// simulator over loopback HTTP. Identity rewraps MSAL's errors: what reaches the
// application is AuthenticationRequiredError (MSAL's message only), AuthenticationError
// (errorResponse) or AggregateAuthenticationError (errors[]). Classification must find
// the AADSTS codes through every one of them.
import { ChainedTokenCredential, ClientSecretCredential, DeviceCodeCredential, EnvironmentCredential, UsernamePasswordCredential, type TokenCredential } from "@azure/identity";
import { setLogLevel } from "@azure/logger";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AccountLockedError, classify, toGuardError, type GuardErrorKind } from "../../src/index.js";
import { CLIENTS, PASSWORD, SECRET, USERS, startTenant, type Tenant } from "./fixtures.js";
import { failure, type ErrorFields } from "./support/failure.js";
import { createSimulatorHttpClient, type SimulatorHttpClient } from "./support/identity-http.js";

const AUTHORITY_HOST = "https://login.simulator.test";
const GRAPH_DEFAULT = "https://graph.microsoft.com/.default";
const LOCKOUT_THRESHOLD = 10;

let tenant: Tenant;
let http: SimulatorHttpClient;

beforeAll(async () => {
  setLogLevel(); // identity and its MSAL log through @azure/logger: keep it off
  tenant = await startTenant();
  http = createSimulatorHttpClient(tenant.sim, AUTHORITY_HOST);
});
afterAll(() => tenant?.sim.close());

beforeEach(() => {
  const { sim } = tenant;
  sim.clearFaults();
  sim.setErrorShape({});
  sim.resetLog();
  for (const user of Object.values(USERS)) sim.unlock(user);
  tenant.clock.advance(10 * 60_000);
  http.requests.length = 0;
});

afterEach(() => {
  vi.unstubAllEnvs();
  // Identity fetched the OpenID metadata through the https: authority host and posted to
  // the token (or device code) endpoint it advertises; nothing else, and nothing off the loopback simulator.
  for (const request of http.requests) {
    expect(request).toMatch(new RegExp(`^(GET ${AUTHORITY_HOST}/${tenant.sim.tenantId}/v2\\.0/\\.well-known/openid-configuration|POST (${tenant.sim.endpoints.tokenEndpoint}|${tenant.sim.endpoints.deviceCodeEndpoint})(\\?|$))`));
  }
});

/** Options every credential gets: the simulator host, no instance discovery, no retry delays. */
const credentialOptions = () => ({
  authorityHost: AUTHORITY_HOST,
  disableInstanceDiscovery: true,
  httpClient: http,
  retryOptions: { maxRetries: 0 },
});

const clientSecret = (clientId: string, secret = SECRET) => new ClientSecretCredential(tenant.sim.tenantId, clientId, secret, credentialOptions());
const usernamePassword = (username: string, password = PASSWORD) =>
  new UsernamePasswordCredential(tenant.sim.tenantId, CLIENTS.publicApp, username, password, credentialOptions());

async function lockAda(): Promise<void> {
  for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
    expect((await failure(usernamePassword(USERS.ada, `guess-${i}`).getToken(GRAPH_DEFAULT))).c.kind).toBe("invalid_credentials");
  }
  expect(tenant.sim.lockoutState(USERS.ada).locked).toBe(true);
}

interface Row {
  name: string;
  setup?: () => Promise<void>;
  credential: () => TokenCredential;
  kind: GuardErrorKind;
  code: number;
  /** The OAuth error MSAL reported, first word of identity's message. */
  oauthError: string;
  interactionRequired: boolean;
}

describe("credentials over MSAL: identity rethrows MSAL's failure as AuthenticationRequiredError", () => {
  const rows: Row[] = [
    { name: "ClientSecretCredential, wrong secret", credential: () => clientSecret(CLIENTS.daemon, "stale-secret"), kind: "client_misconfigured", code: 7000215, oauthError: "invalid_client", interactionRequired: false },
    { name: "ClientSecretCredential, client blocked by Conditional Access", credential: () => clientSecret(CLIENTS.blockedDaemon), kind: "conditional_access_blocked", code: 53003, oauthError: "invalid_grant", interactionRequired: false },
    { name: "UsernamePasswordCredential, wrong password", credential: () => usernamePassword(USERS.ada, "not-it"), kind: "invalid_credentials", code: 50126, oauthError: "invalid_grant", interactionRequired: true },
    { name: "UsernamePasswordCredential, locked account (right password)", setup: lockAda, credential: () => usernamePassword(USERS.ada), kind: "account_locked", code: 50053, oauthError: "invalid_grant", interactionRequired: false },
  ];

  it.each(rows)("$name → $kind ($code)", async ({ setup, credential, kind, code, oauthError, interactionRequired }) => {
    await setup?.();
    const { error, c } = await failure(credential().getToken(GRAPH_DEFAULT));
    expect(tenant.sim.requests.at(-1)).toMatchObject({ endpoint: "token", codes: [code] });
    // What identity really throws: its own class, MSAL's text as the message, no cause,
    // so errorNo, subError and claims are gone. The codes survive only in the text.
    expect(error.name).toBe("AuthenticationRequiredError");
    expect(error.cause).toBeUndefined();
    expect(error).not.toHaveProperty("errorNo");
    expect(String(error.message)).toMatch(new RegExp(`^${oauthError}: .*AADSTS${code}:`, "s"));
    expect(c).toMatchObject({ kind, codes: [code], source: "azure-identity", interactionRequired, replayed: false });
  });

  it("a Conditional Access block loses its policy ids in identity (MSAL's claims are not passed on), yet suggests no interaction", async () => {
    const { error, c } = await failure(clientSecret(CLIENTS.blockedDaemon).getToken(GRAPH_DEFAULT));
    expect(String(error.message)).not.toContain("capolids");
    expect(c).toMatchObject({ kind: "conditional_access_blocked", policyIds: [], claims: undefined, interactionRequired: false });
  });

  it("the typed error of a locked account wraps identity's error as its cause", async () => {
    await lockAda();
    const { error } = await failure(usernamePassword(USERS.ada).getToken(GRAPH_DEFAULT));
    const typed = toGuardError(error);
    expect(typed).toBeInstanceOf(AccountLockedError);
    expect(typed.cause).toBe(error);
  });

  it("the correlation id, trace id and OAuth error in identity's message are kept, as they are for MSAL's own error", async () => {
    const { error, c } = await failure(usernamePassword(USERS.ada, "not-it").getToken(GRAPH_DEFAULT));
    const sent = tenant.sim.requests.at(-1);
    expect(String(error.message)).toContain(`Correlation ID: ${sent?.correlationId}`);
    expect(c.correlationId).toBe(sent?.correlationId);
    expect(c.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.error).toBe("invalid_grant");
  });
});

describe("DeviceCodeCredential: a failed poll keeps only 'post_request_failed: <the OAuth error>'", () => {
  it.each([
    { code: 50053, error: "invalid_grant", status: 400, kind: "interaction_required" },
    { code: 70019, error: "expired_token", status: 400, kind: "interaction_required" },
    { code: 7000215, error: "invalid_client", status: 401, kind: "client_misconfigured" },
  ] as const)("AADSTS$code ($error) is the server's answer, $kind, not a network failure to retry", async ({ code, error: oauthError, status, kind }) => {
    tenant.sim.inject({ status, code, error: oauthError, times: 1, match: { endpoint: "token", grant: "device_code" } });
    const credential = new DeviceCodeCredential({
      tenantId: tenant.sim.tenantId,
      clientId: CLIENTS.publicApp,
      ...credentialOptions(),
      userPromptCallback: (info) => tenant.sim.approveDeviceCode(info.userCode, USERS.ada),
    });
    const { error, c } = await failure(credential.getToken(GRAPH_DEFAULT));
    expect(error).toMatchObject({ name: "AuthenticationRequiredError", message: `post_request_failed: ${oauthError}` });
    expect(c).toMatchObject({ kind, error: oauthError });
    expect(c.retry).not.toBe("with_backoff");
  });
});

describe("service and transport failures through identity (retries off, so no waiting)", () => {
  it.each([
    ["a JSON 503 (AADSTS90033)", "transient", { status: 503, body: "json" as const }, [90033]],
    ["a 429 with Retry-After (AADSTS90055)", "throttled", { status: 429, body: "json" as const, retryAfter: 30 }, [90055]],
    // Identity's network module JSON.parses the body itself; MSAL turns the SyntaxError into network_error.
    ["an HTML 503 page", "network", { status: 503, body: "html" as const }, []],
    ["a dropped connection", "network", { drop: true as const }, []],
  ] as const)("%s is %s, never a reason to sign in interactively", async (_, kind, fault, codes) => {
    tenant.sim.inject({ ...fault, times: 1, match: { endpoint: "token" } });
    const { error, c } = await failure(clientSecret(CLIENTS.daemon).getToken(GRAPH_DEFAULT));
    expect(error.name).toBe("AuthenticationRequiredError");
    if (codes.length === 0) expect(String(error.message)).toMatch(/^network_error: /);
    expect(c).toMatchObject({ kind, codes, interactionRequired: false });
  });
});

describe("identity's other wrappers", () => {
  it("ChainedTokenCredential: AggregateAuthenticationError holds the credential's error in errors[]", async () => {
    await lockAda();
    const chain = new ChainedTokenCredential(usernamePassword(USERS.ada));
    const { error, c } = await failure(chain.getToken(GRAPH_DEFAULT));
    expect(error.name).toBe("AggregateAuthenticationError");
    const inner = (error.errors as ErrorFields[] | undefined)?.[0];
    expect(inner?.name).toBe("AuthenticationRequiredError");
    expect(c).toMatchObject({ kind: "account_locked", codes: [50053], source: "azure-identity" });
  });

  it("EnvironmentCredential: AuthenticationError with an errorResponse, and a status identity made up", async () => {
    vi.stubEnv("AZURE_TENANT_ID", tenant.sim.tenantId);
    vi.stubEnv("AZURE_CLIENT_ID", CLIENTS.daemon);
    vi.stubEnv("AZURE_CLIENT_SECRET", "stale-secret");
    const { error, c } = await failure(new EnvironmentCredential(credentialOptions()).getToken(GRAPH_DEFAULT));
    expect(tenant.sim.requests.at(-1)).toMatchObject({ status: 401, codes: [7000215] });
    // Identity reports 400 whatever the server said, and puts its own sentence in `error`.
    expect(error).toMatchObject({ name: "AuthenticationError", statusCode: 400 });
    const response = error.errorResponse as ErrorFields;
    expect(response.error).toMatch(/^EnvironmentCredential authentication failed\./);
    expect(String(response.errorDescription)).toMatch(/^invalid_client: Error\(s\): 7000215 - /);
    expect(c).toMatchObject({ kind: "client_misconfigured", codes: [7000215], source: "azure-identity" });
    expect(c.correlationId).toBe(tenant.sim.requests.at(-1)?.correlationId);
    // `error` is documented as the OAuth error or MSAL errorCode, not identity's prose.
    expect(c.error).toBe("invalid_client");
  });

  it("an application's own wrapper: classification follows `cause` to identity's error", async () => {
    const { error: identityError } = await failure(usernamePassword(USERS.ada, "not-it").getToken(GRAPH_DEFAULT));
    const wrapped = new Error("could not call Microsoft Graph", { cause: identityError });
    expect(classify(wrapped)).toMatchObject({ kind: "invalid_credentials", codes: [50126] });
  });
});
