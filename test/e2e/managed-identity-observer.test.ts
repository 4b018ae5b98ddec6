// Managed identity with the Node network observer installed, against the simulator's IMDS
// endpoint: what the observer sees, what msal-node lets it see, and what the guard can
// make of it. A file of its own because msal-node sends every ManagedIdentityApplication's
// requests through the network client of the first one that sent (per module instance;
// vitest gives each file its own): here every app shares one observer from the start.
// msal-node's internal IMDS retries are off for the same reason as in
// managed-identity.test.ts: they sleep real seconds, and these tests are not about them.
import { ManagedIdentityApplication } from "@azure/msal-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNetworkObserver, guardClient } from "../../src/node/index.js";
import { createManualClock, startEntraSimulator, type EntraSimulator, type ManualClock } from "../../src/testing/index.js";
import { simulatedGuardClock } from "../node/sim-clock.js";
import { guardRejection, quietLogger } from "./fixtures.js";

const SYSTEM_ASSIGNED = "5a1c0e2b-0d4f-4e8a-9b7c-6d5e4f3a2b10";
const observer = createNetworkObserver();

let sim: EntraSimulator;
let clock: ManualClock;
let restoreEnv: () => void;
beforeAll(async () => {
  clock = createManualClock(Date.now()); // msal-node reads IMDS's absolute expires_on against the wall clock
  sim = await startEntraSimulator({ clock, managedIdentity: { systemAssigned: { clientId: SYSTEM_ASSIGNED } } });
});
afterAll(() => sim.close());
beforeEach(() => {
  restoreEnv = sim.setManagedIdentityEnv(); // process-wide: restored after each test
  sim.clearFaults();
  sim.resetLog();
  observer.clear();
});
afterEach(() => restoreEnv());

const observedApp = () => new ManagedIdentityApplication({ system: observer.system({ ...quietLogger, disableInternalRetries: true }) });

let resources = 0;
const freshResource = () => `https://queue${++resources}.simulator.test`;

describe("the network observer under a ManagedIdentityApplication", () => {
  it("records IMDS's 429 with its Retry-After under the request's x-ms-client-request-id, which the MSAL error does not carry", async () => {
    sim.throttle({ retryAfter: 30, times: 1 });
    const error = await observedApp()
      .acquireToken({ resource: freshResource() })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ name: "ServerError", status: 429, correlationId: "" });
    const requestId = sim.requests[0]?.correlationId ?? "";
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(observer.responseFor(requestId)).toMatchObject({ method: "GET", status: 429, headers: { "retry-after": "30" } });
    expect(observer.responseFor(error)).toBeUndefined();
  });

  it("msal-node keeps the first app's network client and retry setting for every later ManagedIdentityApplication", async () => {
    await observedApp().acquireToken({ resource: freshResource() }); // makes sure an observed app sent first
    const otherObserver = createNetworkObserver();
    // Its own observer, and msal-node's IMDS retries on (1 s, 2 s, 4 s of real sleep): neither applies.
    const later = new ManagedIdentityApplication({ system: otherObserver.system({ ...quietLogger, disableInternalRetries: false }) });
    sim.inject({ match: { endpoint: "imds" }, status: 503, times: 1 });
    sim.resetLog();
    await expect(later.acquireToken({ resource: freshResource() })).rejects.toMatchObject({ status: 503 });
    expect(sim.counts().byEndpoint).toEqual({ imds: 1 }); // no retry
    expect(otherObserver.size).toBe(0);
    expect(observer.responseFor(sim.requests[0]?.correlationId)).toMatchObject({ status: 503 });
  });
});

describe("guardClient(ManagedIdentityApplication, { observer })", () => {
  it("classifies and suppresses as without the observer", async () => {
    sim.throttle({ retryAfter: 30, times: 1 });
    const client = guardClient(observedApp(), { observer, clock: simulatedGuardClock(clock) });
    const first = await guardRejection(client.acquireToken({ resource: freshResource() }));
    expect(first).toMatchObject({ kind: "throttled", suppressed: false });
    const second = await guardRejection(client.acquireToken({ resource: freshResource() }));
    expect(second).toMatchObject({ kind: "throttled", suppressed: true });
    expect(sim.counts().byEndpoint).toEqual({ imds: 1 });
  });

  // A managed identity error's correlationId is IMDS's body's correlation_id, which IMDS
  // never sends (""): the guard takes the last failed response the call's requests got
  // (observer.observe), so IMDS's Retry-After decides the window, not the default 60 s.
  it("429: the guard honours IMDS's Retry-After (30 s), as it does for the token endpoint", async () => {
    sim.throttle({ retryAfter: 30, times: 1 });
    const client = guardClient(observedApp(), { observer, clock: simulatedGuardClock(clock) });
    const first = await guardRejection(client.acquireToken({ resource: freshResource() }));
    expect(first.retryAfterMs).toBe(30_000);
    const second = await guardRejection(client.acquireToken({ resource: freshResource() }));
    expect(second).toMatchObject({ kind: "throttled", suppressed: true, retryAt: clock.now() + 30_000 });
    clock.advance(30_000);
    await expect(client.acquireToken({ resource: freshResource() })).resolves.toMatchObject({ accessToken: expect.stringMatching(/^simMI\./) });
    expect(sim.counts().byEndpoint).toEqual({ imds: 2 });
  });

  it("observe: the last failed response of one call's requests, with its Retry-After; none for a call that succeeded", async () => {
    sim.throttle({ retryAfter: 45, times: 1 });
    const failed = observer.observe(() => observedApp().acquireToken({ resource: freshResource() }));
    await expect(failed.result).rejects.toMatchObject({ status: 429, correlationId: "" });
    expect(failed.lastFailure).toMatchObject({ method: "GET", status: 429, headers: { "retry-after": "45" } });
    const succeeded = observer.observe(() => observedApp().acquireToken({ resource: freshResource() }));
    await expect(succeeded.result).resolves.toMatchObject({ accessToken: expect.stringMatching(/^simMI\./) });
    expect(succeeded.lastFailure).toBeUndefined();
  });
});
