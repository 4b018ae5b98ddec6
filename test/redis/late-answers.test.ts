// Answers that arrive after another process recorded something newer: real msal-node
// against the simulator, guards as separate processes would have them (each its own
// RedisStore connection) on one real redis-server. One guard's answer is held on its way
// back (the simulator has answered, the response is slow to arrive), so that another
// process records a lockout between the server's answer and its arrival.
import { PublicClientApplication } from "@azure/msal-node";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { guardClient } from "../../src/node/index.js";
import { RedisStore } from "../../src/redis/index.js";
import { createSimulatorNetworkClient } from "../../src/testing/index.js";
import { CLIENTS, PASSWORD, USERS, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";
import { simulatedGuardClock } from "../node/sim-clock.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { MINUTE, USER_READ, rejection, tokenRequests } from "./support.js";

let tenant: Tenant;
let server: RedisServer;
let rawClient: Redis;
beforeAll(async () => {
  // Three counted failures lock ada, for 10 minutes.
  [tenant, server] = await Promise.all([startTenant({ loopDetection: false, lockout: { threshold: 3, durationMs: 10 * MINUTE } }), startRedisServer()]);
  rawClient = new Redis(server.url);
});
afterAll(async () => {
  await rawClient.quit();
  await Promise.all([tenant.sim.close(), server.stop()]);
});
beforeEach(async () => {
  tenant.sim.clearFaults();
  tenant.sim.unlock(USERS.ada);
  tenant.sim.updateUser(USERS.ada, { password: PASSWORD });
  tenant.sim.resetLog();
  tenant.clock.advance(24 * 60 * MINUTE);
  await rawClient.flushall();
});

const stores: RedisStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/**
 * A link whose token responses can be held back: the simulator has answered (its lockout
 * counter moved), the answer reaches MSAL when released.
 */
function slowReturnPath() {
  const held: (() => void)[] = [];
  let holding = false;
  const fetchHeld: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!holding || !String(input).includes("/oauth2/v2.0/token")) return response;
    const body = await response.arrayBuffer();
    await new Promise<void>((resolve) => held.push(resolve));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return {
    fetch: fetchHeld,
    hold: () => void (holding = true),
    heldCount: () => held.length,
    release: () => {
      holding = false;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

/** A guard as another process would have it: its own app, connection and memory. */
async function process(link?: ReturnType<typeof slowReturnPath>) {
  const clock = simulatedGuardClock(tenant.clock);
  const store = new RedisStore({ url: server.url, clock, commandTimeoutMs: 5_000 });
  stores.push(store);
  await store.ready();
  const app = new PublicClientApplication({
    auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp),
    system: { ...quietLogger, ...(link === undefined ? {} : { networkClient: createSimulatorNetworkClient(tenant.sim, { fetch: link.fetch }) }) },
  });
  const client = guardClient(app, { clock, store, storeTimeoutMs: 5_000 });
  return (password: string) => client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password });
}

describe("an answer to a request sent before a lockout was recorded does not end it", () => {
  it("a stale password's answer, arriving after another process recorded the lockout it caused, keeps the lockout", async () => {
    const w = await process();
    const link = slowReturnPath();
    const y = await process(link);
    const x = await process();
    const z = await process();

    // Two ghost clients' stale passwords: counted twice, latched (so nothing waits for a first contact).
    expect(await rejection(w("stale-1"))).toMatchObject({ kind: "invalid_credentials", suppressed: false });
    tenant.clock.advance(1_000);
    expect(await rejection(w("stale-2"))).toMatchObject({ kind: "invalid_credentials", suppressed: false });
    tenant.clock.advance(1_000);

    // y sends a third stale password: the simulator counts it and locks ada; its answer is slow to come back.
    link.hold();
    const late = rejection(y("stale-3"));
    await vi.waitFor(() => expect(link.heldCount()).toBe(1), { timeout: 5_000 });
    expect(tenant.sim.lockoutState(USERS.ada).locked).toBe(true);
    tenant.clock.advance(1_000);

    // x meets the lockout and records it for the fleet.
    expect(await rejection(x("stale-4"))).toMatchObject({ kind: "account_locked", suppressed: false });
    tenant.clock.advance(1_000);

    // y's answer arrives: a wrong password, from before the lockout. It is latched, and the lockout stays.
    link.release();
    expect(await late).toMatchObject({ kind: "invalid_credentials", suppressed: false });
    const sent = tokenRequests(tenant);

    // Still inside the window: nobody sends to the locked account.
    tenant.clock.advance(1_000);
    expect(await rejection(z(PASSWORD))).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(await rejection(y("stale-3"))).toMatchObject({ suppressed: true });
    expect(tokenRequests(tenant)).toBe(sent);
  });

  it("a success answered before the account locked, arriving after the lockout was recorded, keeps the lockout", async () => {
    const w = await process();
    const link = slowReturnPath();
    const y = await process(link);
    const x = await process();
    const z = await process();

    // Something is recorded for ada already (a ghost client's stale password), so the success below writes.
    expect(await rejection(w("stale-1"))).toMatchObject({ kind: "invalid_credentials", suppressed: false });
    tenant.clock.advance(1_000);

    // y signs in with the right password; the simulator accepts it, the answer is slow to come back.
    link.hold();
    const late = y(PASSWORD);
    await vi.waitFor(() => expect(link.heldCount()).toBe(1), { timeout: 5_000 });
    tenant.clock.advance(1_000);

    // Meanwhile ghost clients lock ada (straight MSAL), and x meets the lockout and records it.
    const ghost = new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
    for (const password of ["ghost-1", "ghost-2", "ghost-3"]) {
      await ghost.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password }).catch(() => undefined);
    }
    expect(tenant.sim.lockoutState(USERS.ada).locked).toBe(true);
    tenant.clock.advance(1_000);
    expect(await rejection(x("stale-4"))).toMatchObject({ kind: "account_locked", suppressed: false });
    tenant.clock.advance(1_000);

    // y's token arrives, untouched; the lockout recorded after y's request went out stays.
    link.release();
    expect(await late).toMatchObject({ accessToken: expect.any(String) });
    const sent = tokenRequests(tenant);
    tenant.clock.advance(1_000);
    expect(await rejection(z(PASSWORD))).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(tokenRequests(tenant)).toBe(sent);
  });
});
