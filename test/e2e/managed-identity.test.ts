// Real msal-node's ManagedIdentityApplication (ESM build) against the simulator's managed
// identity endpoint (IMDS) over loopback: system- and user-assigned identities, bare and
// under the Node guardClient. Every MSAL error here is MSAL's own, from its real requests.
//
// msal-node keeps managed identity state per module instance (vitest gives each test file
// its own): the source, endpoint and network client it picked on the first request, the
// first app's `system.disableInternalRetries`, and one token cache for every
// ManagedIdentityApplication. So this file has one simulator; every app turns msal-node's
// own IMDS retries off (none of these tests is about them: they sleep 1 s, 2 s and 4 s of
// real time between attempts on a 429 or 5xx); and every call that must reach IMDS asks
// for a resource no earlier call asked for, so no cached token answers it.
import { ManagedIdentityApplication, type AuthenticationResult, type ManagedIdentityIdParams } from "@azure/msal-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  classify,
  ClientMisconfiguredError,
  NetworkFailureError,
  ThrottledError,
  TransientError,
  type Classification,
  type GuardErrorKind,
  type MsalGuardError,
} from "../../src/index.js";
import { guardClient } from "../../src/node/index.js";
import { createManualClock, startEntraSimulator, type EntraSimulator, type Fault, type ManualClock } from "../../src/testing/index.js";
import { simulatedGuardClock } from "../node/sim-clock.js";
import { JOB_IDENTITY, guardRejection, quietLogger } from "./fixtures.js";

const SYSTEM_ASSIGNED = "5a1c0e2b-0d4f-4e8a-9b7c-6d5e4f3a2b10";
const JOB = JOB_IDENTITY;
/** A user-assigned identity the resource does not have. */
const NOT_ASSIGNED = "99999999-9999-4999-8999-999999999999";

// msal-node's internal IMDS retries sleep real seconds: off for every app in this file (see above).
const system = { ...quietLogger, disableInternalRetries: true };

let sim: EntraSimulator;
let clock: ManualClock;
let restoreEnv: () => void;
beforeAll(async () => {
  // msal-node computes a managed identity token's lifetime from IMDS's absolute
  // `expires_on` and its own wall clock: start the simulator's clock at the real time.
  clock = createManualClock(Date.now());
  sim = await startEntraSimulator({ clock, managedIdentity: { systemAssigned: { clientId: SYSTEM_ASSIGNED }, userAssigned: [JOB] } });
});
afterAll(() => sim.close());
beforeEach(() => {
  // AZURE_POD_IDENTITY_AUTHORITY_HOST is process-wide: set for each test, restored after it.
  restoreEnv = sim.setManagedIdentityEnv();
  sim.clearFaults();
  sim.resetLog();
});
afterEach(() => restoreEnv());

const systemAssignedApp = () => new ManagedIdentityApplication({ system });
const userAssignedApp = (managedIdentityIdParams: ManagedIdentityIdParams) => new ManagedIdentityApplication({ managedIdentityIdParams, system });

let resources = 0;
/** A resource no earlier call asked for: msal-node's cache (shared by every app) cannot answer it. */
const freshResource = () => `https://storage${++resources}.simulator.test`;

const imdsRequests = () => sim.counts().byEndpoint["imds"] ?? 0;

/** What a call rejects with. */
async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** The app with a spy on acquireToken (calling through), so a test can see exactly what MSAL returned. */
function spied(app: ManagedIdentityApplication) {
  const acquireToken = vi.spyOn(app, "acquireToken");
  /** The outcome of MSAL's own n-th acquireToken call: its result, or what it rejected with. */
  const msalOutcome = async (n = 0): Promise<unknown> => {
    const result = acquireToken.mock.results[n];
    if (result === undefined) throw new Error(`MSAL's acquireToken was not called ${n + 1} times`);
    return Promise.resolve(result.value).then(
      (value: unknown) => value,
      (error: unknown) => error,
    );
  };
  return { app, acquireToken, msalOutcome };
}

describe("bare ManagedIdentityApplication against the simulated IMDS", () => {
  it("system-assigned: IMDS's token, then MSAL's cache answers without a request", async () => {
    const resource = freshResource();
    const app = systemAssignedApp();
    const first = await app.acquireToken({ resource });
    expect(first).toMatchObject({ accessToken: expect.stringMatching(/^simMI\./), tokenType: "Bearer", scopes: [resource], fromCache: false });
    // expires_on (simulator clock) read by MSAL against the wall clock: both agree here.
    expect(Math.abs((first.expiresOn?.getTime() ?? 0) - (clock.now() + 3599_000))).toBeLessThan(2_000);

    expect(sim.requests).toHaveLength(1);
    const [request] = sim.requests;
    expect(request).toMatchObject({ method: "GET", endpoint: "imds", clientId: SYSTEM_ASSIGNED, status: 200 });
    const query = new URL(request?.path ?? "", sim.url).searchParams;
    expect(Object.fromEntries(query)).toEqual({ "api-version": "2018-02-01", resource });

    const second = await app.acquireToken({ resource });
    expect(second).toMatchObject({ accessToken: first.accessToken, fromCache: true });
    expect(imdsRequests()).toBe(1);
  });

  it.each([
    ["client id", { userAssignedClientId: JOB.clientId }, "client_id", JOB.clientId],
    ["object id", { userAssignedObjectId: JOB.objectId }, "object_id", JOB.objectId],
    ["resource id", { userAssignedResourceId: JOB.resourceId }, "msi_res_id", JOB.resourceId],
  ] as const)("user-assigned by %s: msal-node names it with %s and gets its token", async (_, params, parameter, id) => {
    const resource = freshResource();
    const result = await userAssignedApp(params).acquireToken({ resource });
    expect(result.accessToken).toMatch(/^simMI\./);
    const [request] = sim.requests;
    expect(new URL(request?.path ?? "", sim.url).searchParams.get(parameter)).toBe(id);
    expect(request).toMatchObject({ endpoint: "imds", clientId: JOB.clientId, status: 200 });
  });

  interface Row {
    name: string;
    /** Arms the failure for the next IMDS request; by default the app is system-assigned. */
    fault?: Fault;
    app?: () => ManagedIdentityApplication;
    msal: Record<string, unknown>;
    kind: GuardErrorKind;
    check?: (c: Classification) => void;
  }
  const rows: Row[] = [
    {
      name: "a user-assigned identity the resource does not have (400 Identity not found)",
      app: () => userAssignedApp({ userAssignedClientId: NOT_ASSIGNED }),
      msal: { name: "ServerError", errorCode: "invalid_request", status: 400, correlationId: "" },
      // The request is well formed: the app names an identity the resource does not have,
      // which a developer or administrator fixes (IMDS's description says so; it names no code).
      kind: "client_misconfigured",
      check: (c) => expect(c).toMatchObject({ httpStatus: 400, codes: [], retry: "after_fix" }),
    },
    {
      name: "IMDS throttling (429 with Retry-After)",
      fault: { status: 429, retryAfter: 30, times: 1 },
      msal: { name: "ServerError", errorCode: "too_many_requests", status: 429 },
      kind: "throttled",
      // MSAL keeps the status on a managed identity error but drops every header.
      check: (c) => expect(c).toMatchObject({ httpStatus: 429, retryAfterMs: undefined }),
    },
    { name: "a JSON 503", fault: { status: 503, times: 1 }, msal: { name: "ServerError", errorCode: "unknown", status: 503 }, kind: "transient" },
    { name: "a JSON 500", fault: { status: 500, times: 1 }, msal: { name: "ServerError", status: 500 }, kind: "transient" },
    { name: "an HTML 502 page", fault: { status: 502, body: "html", times: 1 }, msal: { name: "AuthError", errorCode: "token_parsing_error" }, kind: "transient" },
    { name: "a dropped connection", fault: { drop: true, times: 1 }, msal: { errorCode: "network_error" }, kind: "network" },
  ];

  it.each(rows)("$name → $kind, and the next call goes to IMDS again (MSAL keeps no throttle state for it)", async ({ fault, app, msal, kind, check }) => {
    if (fault !== undefined) sim.inject(fault);
    const client = app?.() ?? systemAssignedApp();
    const resource = freshResource();
    const error = await rejection(client.acquireToken({ resource }));
    expect(error).toMatchObject(msal);
    const c = classify(error);
    expect(c.kind).toBe(kind);
    expect(c.source).toBe("msal");
    check?.(c);
    expect(imdsRequests()).toBe(1);

    await client.acquireToken({ resource }).catch(() => undefined);
    expect(imdsRequests()).toBe(2);
  });
});

describe("guardClient(ManagedIdentityApplication)", () => {
  it.each([
    ["system-assigned", systemAssignedApp, SYSTEM_ASSIGNED],
    ["user-assigned", () => userAssignedApp({ userAssignedClientId: JOB.clientId }), JOB.clientId],
  ] as const)("%s: a success is MSAL's own result object, untouched; a cache hit sends nothing", async (_, makeApp, identity) => {
    const { app, acquireToken, msalOutcome } = spied(makeApp());
    const client = guardClient(app);
    const resource = freshResource();

    const result = await client.acquireToken({ resource });
    expect(acquireToken).toHaveBeenCalledTimes(1);
    expect(result).toBe((await msalOutcome(0)) as AuthenticationResult);
    expect(result).toMatchObject({ accessToken: expect.stringMatching(/^simMI\./), tokenType: "Bearer", scopes: [resource], fromCache: false });
    expect(sim.requests[0]).toMatchObject({ endpoint: "imds", clientId: identity, status: 200 });

    const cached = await client.acquireToken({ resource });
    expect(cached).toBe((await msalOutcome(1)) as AuthenticationResult);
    expect(cached).toMatchObject({ accessToken: result.accessToken, fromCache: true });
    expect(imdsRequests()).toBe(1);
    expect((await client.status()).counts).toMatchObject({ calls: 2, sent: 2, succeeded: 2, failed: 0, suppressed: 0 });
  });

  it("identical concurrent calls share one IMDS request (bare MSAL sends one for each)", async () => {
    const bare = systemAssignedApp();
    const bareResource = freshResource();
    await Promise.all([bare.acquireToken({ resource: bareResource }), bare.acquireToken({ resource: bareResource })]);
    expect(imdsRequests()).toBe(2);

    sim.resetLog();
    const client = guardClient(systemAssignedApp());
    const resource = freshResource();
    const [a, b] = await Promise.all([client.acquireToken({ resource }), client.acquireToken({ resource })]);
    expect(b).toBe(a);
    expect(imdsRequests()).toBe(1);
  });

  it("unknown user-assigned identity: a typed error with MSAL's error as cause; the identity and resource are suppressed for 5 minutes, then the call goes (and succeeds once the identity is attached)", async () => {
    const LATE = "abababab-abab-4bab-8bab-abababababab";
    const { app, msalOutcome } = spied(userAssignedApp({ userAssignedClientId: LATE }));
    const client = guardClient(app, { clock: simulatedGuardClock(clock) });
    const resource = freshResource();

    const error = await guardRejection(client.acquireToken({ resource }));
    expect(error).toBeInstanceOf(ClientMisconfiguredError);
    expect(error).toMatchObject({ kind: "client_misconfigured", suppressed: false, codes: [] });
    expect(error.classification).toMatchObject({ httpStatus: 400, source: "msal" });
    const original = await msalOutcome(0);
    expect(original).toMatchObject({ name: "ServerError", errorCode: "invalid_request", status: 400 });
    expect(error.cause).toBe(original);

    // Until someone attaches the identity, every call would fail the same way: none is sent.
    const again = await guardRejection(client.acquireToken({ resource }));
    expect(again).toMatchObject({ kind: "client_misconfigured", suppressed: true, retryAfterMs: 5 * 60_000 });
    expect(again.cause).toBe(original);
    expect((await client.status()).suppressions).toEqual([expect.objectContaining({ scope: "scopes", kind: "client_misconfigured", reason: "misconfigured" })]);
    expect(imdsRequests()).toBe(1);

    // An administrator attaches it in the portal while the job runs; the window ends and the call goes.
    sim.addManagedIdentity({ clientId: LATE });
    try {
      clock.advance(5 * 60_000 - 1);
      expect((await guardRejection(client.acquireToken({ resource }))).suppressed).toBe(true);
      clock.advance(1);
      const result = await client.acquireToken({ resource });
      expect(result).toMatchObject({ accessToken: expect.stringMatching(/^simMI\./) });
      expect(sim.requests.map((r) => r.reason)).toEqual(["unknown_identity", undefined]);
    } finally {
      sim.removeManagedIdentity(LATE);
    }
  });

  it("429: ThrottledError; later calls of the identity are suppressed without a request until the window ends", async () => {
    sim.throttle({ clientId: SYSTEM_ASSIGNED, retryAfter: 30, times: 1 });
    const { app, msalOutcome } = spied(systemAssignedApp());
    const guardClock = simulatedGuardClock(clock);
    const client = guardClient(app, { clock: guardClock });

    const first = await guardRejection(client.acquireToken({ resource: freshResource() }));
    expect(first).toBeInstanceOf(ThrottledError);
    expect(first).toMatchObject({ kind: "throttled", suppressed: false });
    expect(first.classification.httpStatus).toBe(429);
    const original = await msalOutcome(0);
    expect(original).toMatchObject({ name: "ServerError", status: 429 });
    expect(first.cause).toBe(original);
    expect(imdsRequests()).toBe(1);

    // Throttling is the whole app's (this identity's), whatever the resource.
    const second = await guardRejection(client.acquireToken({ resource: freshResource() }));
    expect(second).toBeInstanceOf(ThrottledError);
    expect(second).toMatchObject({ kind: "throttled", suppressed: true });
    expect(second.cause).toBe(original);
    const waitMs = second.retryAfterMs ?? 0;
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(60_000); // the default window: the guard never sees IMDS's Retry-After (see managed-identity-observer.test.ts)
    expect(second.retryAt).toBe(clock.now() + waitMs);
    expect(imdsRequests()).toBe(1);

    // Another identity on the same resource is not throttled by the guard.
    await expect(guardClient(userAssignedApp({ userAssignedClientId: JOB.clientId }), { clock: guardClock }).acquireToken({ resource: freshResource() })).resolves.toMatchObject({ fromCache: false });
    expect(imdsRequests()).toBe(2);

    clock.advance(waitMs);
    const after = await client.acquireToken({ resource: freshResource() });
    expect(after.accessToken).toMatch(/^simMI\./);
    expect(imdsRequests()).toBe(3);
  });

  // No answer from IMDS is no reason to hold back the next call.
  const unanswered: {
    name: string;
    fault: Fault;
    errorClass: typeof TransientError | typeof NetworkFailureError;
    kind: GuardErrorKind;
    check: (error: MsalGuardError) => void;
  }[] = [
    {
      name: "5xx: TransientError",
      fault: { match: { endpoint: "imds" }, status: 503, times: 1 },
      errorClass: TransientError,
      kind: "transient",
      check: (error) => {
        expect(error.classification).toMatchObject({ httpStatus: 503, retry: "with_backoff" });
        expect(sim.requests.map((r) => r.status)).toEqual([503, 200]);
      },
    },
    {
      name: "a dropped connection: NetworkFailureError",
      fault: { match: { endpoint: "imds" }, drop: true, times: 1 },
      errorClass: NetworkFailureError,
      kind: "network",
      check: () => expect(sim.counts().byStatus).toEqual({ dropped: 1, "200": 1 }),
    },
  ];
  it.each(unanswered)("$name with MSAL's error as cause, not suppressed: the next call goes to IMDS and succeeds", async ({ fault, errorClass, kind, check }) => {
    sim.inject(fault);
    const { app, msalOutcome } = spied(systemAssignedApp());
    const client = guardClient(app);
    const resource = freshResource();

    const error = await guardRejection(client.acquireToken({ resource }));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ kind, suppressed: false });
    expect(error.cause).toBe(await msalOutcome(0));

    const result = await client.acquireToken({ resource });
    expect(result).toMatchObject({ fromCache: false, accessToken: expect.stringMatching(/^simMI\./) });
    check(error);
  });
});
