// The simulator's managed identity endpoint on the wire: IMDS's token path, its checks,
// its identity selection, its bodies, and the fault and throttling controls on it.
// (Real msal-node against it: test/e2e/managed-identity.test.ts.)
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, startEntraSimulator, type EntraSimulator } from "../../src/testing/index.js";
import { JOB_IDENTITY } from "../e2e/fixtures.js";
import { postToken, readReply, type RawReply } from "./helpers.js";

const clock = createManualClock(Date.UTC(2026, 10, 22, 10, 15, 2, 345));
const SYSTEM_ID = "0f5e2a8c-1d3b-4c6e-9a7f-2b4d6e8f0a1c";
const JOB = JOB_IDENTITY;
const RESOURCE = "https://vault.azure.net";

let sim: EntraSimulator;
beforeAll(async () => {
  sim = await startEntraSimulator({
    clock,
    clients: [{ clientId: "daemon", secret: "right" }],
    managedIdentity: { systemAssigned: { clientId: SYSTEM_ID }, userAssigned: [JOB] },
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearFaults();
  sim.resetLog();
});

/** A GET to the IMDS token path, with IMDS's required parameters and header unless overridden. */
async function imds(
  query: Record<string, string> = {},
  options: { headers?: Record<string, string>; method?: string; path?: string; base?: EntraSimulator } = {},
): Promise<RawReply> {
  const target = options.base ?? sim;
  const url = new URL(options.path ?? target.endpoints.managedIdentityEndpoint);
  for (const [name, value] of Object.entries({ "api-version": "2018-02-01", resource: RESOURCE, ...query })) {
    if (value !== "") url.searchParams.set(name, value);
  }
  return readReply(await fetch(url, { method: options.method ?? "GET", headers: { Metadata: "true", ...options.headers } }));
}

describe("tokens", () => {
  it("answers in IMDS's shape: every number a string, the resource echoed, expiry on the simulator clock", async () => {
    const reply = await imds();
    expect(reply.status).toBe(200);
    const nowSeconds = Math.floor(clock.now() / 1000);
    expect(reply.json).toEqual({
      access_token: expect.stringMatching(/^simMI\./),
      client_id: SYSTEM_ID,
      expires_in: "3599",
      expires_on: String(nowSeconds + 3599),
      ext_expires_in: "3599",
      not_before: String(nowSeconds),
      resource: RESOURCE,
      token_type: "Bearer",
    });
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("takes the path with a trailing slash, as msal-node sends it", async () => {
    const reply = await imds({}, { path: `${sim.endpoints.managedIdentityEndpoint}/` });
    expect(reply.status).toBe(200);
    expect(sim.endpoints.managedIdentityEndpoint).toBe(`${sim.url}/metadata/identity/oauth2/token`);
  });

  it.each([
    ["client_id", JOB.clientId],
    ["object_id", JOB.objectId],
    ["msi_res_id", JOB.resourceId],
    ["msi_res_id (any case, as Azure compares resource ids)", JOB.resourceId.toLowerCase()],
  ])("a user-assigned identity named by %s", async (parameter, id) => {
    const reply = await imds({ [parameter.split(" ")[0] as string]: id });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ client_id: JOB.clientId });
  });

  it("logs and counts each request: endpoint imds, the identity's client id, the x-ms-client-request-id", async () => {
    await imds({}, { headers: { "x-ms-client-request-id": "c0ffee00-0000-4000-8000-00000000001a" } });
    await imds({ client_id: JOB.clientId });
    await imds({ client_id: "no-such-identity" });
    await postToken(sim, { grant_type: "client_credentials", client_id: "daemon", client_secret: "right", scope: "https://graph.microsoft.com/.default" });
    expect(sim.requests[0]).toMatchObject({
      method: "GET",
      endpoint: "imds",
      grant: undefined,
      clientId: SYSTEM_ID,
      status: 200,
      correlationId: "c0ffee00-0000-4000-8000-00000000001a",
    });
    expect(sim.requests[0]?.path).toBe(`/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(RESOURCE)}`);
    expect(sim.requests[2]).toMatchObject({ endpoint: "imds", clientId: "no-such-identity", status: 400, reason: "unknown_identity", error: "invalid_request" });
    expect(sim.counts()).toMatchObject({
      total: 4,
      byEndpoint: { imds: 3, token: 1 },
      byClient: { [SYSTEM_ID]: 1, [JOB.clientId]: 1, "no-such-identity": 1, daemon: 1 },
      byStatus: { "200": 3, "400": 1 },
    });
  });
});

describe("errors, in IMDS's shape (no AADSTS codes, trace or correlation ids)", () => {
  it.each([
    ["an unknown client_id", { client_id: "99999999-9999-4999-8999-999999999999" }, {}, 400, "invalid_request", "Identity not found"],
    ["an unknown object_id", { object_id: "99999999-9999-4999-8999-999999999999" }, {}, 400, "invalid_request", "Identity not found"],
    ["an unknown msi_res_id", { msi_res_id: "/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/z" }, {}, 400, "invalid_request", "Identity not found"],
    ["two identity parameters", { client_id: JOB.clientId, object_id: JOB.objectId }, {}, 400, "invalid_request", expect.stringContaining("Only one of")],
    ["no Metadata header", {}, { headers: { Metadata: "" } }, 400, "bad_request_102", "Required metadata header not specified"],
    ["no resource", { resource: "" }, {}, 400, "invalid_request", "Required audience parameter not specified"],
    ["no api-version", { "api-version": "" }, {}, 400, "invalid_request", expect.stringContaining("api-version")],
    ["a POST", {}, { method: "POST" }, 405, "invalid_request", expect.stringContaining("GET only")],
  ] as const)("%s", async (_, query, options, status, error, description) => {
    const reply = await imds(query, options);
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual({ error, error_description: description });
  });

  it("a resource with no system-assigned identity: the only user-assigned one answers; with two, the request must say which", async () => {
    const vm = await startEntraSimulator({ clock, managedIdentity: { systemAssigned: false, userAssigned: [JOB] } });
    try {
      expect((await imds({}, { base: vm })).json).toMatchObject({ client_id: JOB.clientId });
      vm.addManagedIdentity({ clientId: "second-identity" });
      const ambiguous = await imds({}, { base: vm });
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.json?.["error_description"]).toMatch(/^Multiple user assigned identities exist/);
      expect((await imds({ client_id: "second-identity" }, { base: vm })).json).toMatchObject({ client_id: "second-identity" });
      vm.removeManagedIdentity(JOB.objectId);
      vm.removeManagedIdentity("second-identity");
      expect((await imds({}, { base: vm })).json).toEqual({ error: "invalid_request", error_description: "Identity not found" });
      expect(vm.requests.at(-1)?.reason).toBe("no_identity");
    } finally {
      await vm.close();
    }
  });

  it("an identity taken off the resource is not found any more; adding one twice or removing an unknown one throws", async () => {
    const vm = await startEntraSimulator({ clock, managedIdentity: { userAssigned: [JOB] } });
    try {
      expect(() => vm.addManagedIdentity({ clientId: JOB.clientId.toUpperCase() })).toThrow(/already exists/);
      vm.removeManagedIdentity(JOB.resourceId);
      expect((await imds({ client_id: JOB.clientId }, { base: vm })).status).toBe(400);
      expect((await imds({}, { base: vm })).status).toBe(200); // the default system-assigned identity remains
      expect(() => vm.removeManagedIdentity(JOB.clientId)).toThrow(/no simulated managed identity/);
    } finally {
      await vm.close();
    }
  });
});

describe("faults and throttling on the IMDS endpoint", () => {
  it("throttle({ clientId }) answers 429 with Retry-After for that identity only, in IMDS's shape", async () => {
    const handle = sim.throttle({ clientId: JOB.clientId, retryAfter: 30 });
    const throttled = await imds({ client_id: JOB.clientId });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("30");
    expect(throttled.json).toEqual({ error: "too_many_requests", error_description: expect.any(String) });
    expect((await imds()).status).toBe(200); // the system-assigned identity is not throttled
    expect(handle.hits).toBe(1);
    expect(sim.requests[0]).toMatchObject({ endpoint: "imds", clientId: JOB.clientId, status: 429, reason: "throttled" });
  });

  it("match: { endpoint: 'imds' } hits IMDS and not the token endpoint; 5xx bodies say `unknown`", async () => {
    sim.inject({ match: { endpoint: "imds" }, status: 503, times: 2 });
    const token = await postToken(sim, { grant_type: "client_credentials", client_id: "daemon", client_secret: "right", scope: "https://graph.microsoft.com/.default" });
    expect(token.status).toBe(200);
    const reply = await imds();
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({ error: "unknown", error_description: "Failed to retrieve token from the Active directory." });
    expect(sim.requests[1]).toMatchObject({ endpoint: "imds", status: 503, reason: "fault", codes: [] });
  });

  it("a fault with an AADSTS code carries it in the description, as IMDS passes Entra's text through", async () => {
    sim.inject({ match: { endpoint: "imds" }, status: 400, code: 500011, error: "invalid_resource", description: "The resource principal was not found.", times: 1 });
    const reply = await imds();
    expect(reply.json).toEqual({ error: "invalid_resource", error_description: "AADSTS500011: The resource principal was not found." });
    expect(sim.requests[0]).toMatchObject({ codes: [500011], error: "invalid_resource" });
  });

  it("HTML and empty bodies, and dropped connections, work as on the token endpoint", async () => {
    sim.inject({ match: { endpoint: "imds" }, status: 502, body: "html", times: 1 });
    sim.inject({ match: { endpoint: "imds" }, drop: true, times: 1 });
    const page = await imds();
    expect(page.status).toBe(502);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    await expect(imds()).rejects.toThrow(/fetch failed/);
    expect(sim.counts().byStatus).toEqual({ "502": 1, dropped: 1 });
  });
});

describe("setManagedIdentityEnv", () => {
  it("points AZURE_POD_IDENTITY_AUTHORITY_HOST at the simulator, hides other managed identity sources, and restores everything", () => {
    const env: Record<string, string | undefined> = { IDENTITY_ENDPOINT: "http://app-service.test", MSI_ENDPOINT: "http://cloud-shell.test", PATH: "/bin" };
    const restore = sim.setManagedIdentityEnv(env);
    expect(env).toEqual({ AZURE_POD_IDENTITY_AUTHORITY_HOST: sim.url, PATH: "/bin" });
    restore();
    expect(env).toEqual({ IDENTITY_ENDPOINT: "http://app-service.test", MSI_ENDPOINT: "http://cloud-shell.test", PATH: "/bin" });
  });

  it("uses process.env by default", () => {
    const before = process.env["AZURE_POD_IDENTITY_AUTHORITY_HOST"];
    const restore = sim.setManagedIdentityEnv();
    try {
      expect(process.env["AZURE_POD_IDENTITY_AUTHORITY_HOST"]).toBe(sim.url);
    } finally {
      restore();
    }
    expect(process.env["AZURE_POD_IDENTITY_AUTHORITY_HOST"]).toBe(before);
  });
});
