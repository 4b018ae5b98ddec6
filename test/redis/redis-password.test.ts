// The Redis password never reaches an event. ioredis attaches the command a reply error
// answered to the error (`command: { name, args }`), so the error of a refused AUTH carries
// the password the store sent; events are what apps log.
import { inspect } from "node:util";
import { PublicClientApplication } from "@azure/msal-node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { GuardEvent } from "../../src/index.js";
import { guardClient } from "../../src/node/index.js";
import { RedisStore, type RedisStoreEvent } from "../../src/redis/index.js";
import { CLIENTS, PASSWORD, USERS, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";
import { simulatedGuardClock } from "../node/sim-clock.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { USER_READ, rejection } from "./support.js";

const OLD_PASSWORD = "rotated-away-redis-password";

let tenant: Tenant;
let server: RedisServer;
let admin: Redis;
beforeAll(async () => {
  [tenant, server] = await Promise.all([startTenant({ loopDetection: false }), startRedisServer()]);
  admin = new Redis(server.url);
});
afterAll(async () => {
  await admin.quit();
  await Promise.all([tenant.sim.close(), server.stop()]);
});

it("a password Redis refuses (rotated on the server, not yet in the app's config) is in no store or guard event", async () => {
  await admin.acl("SETUSER", "guard", "on", ">new-redis-password", "~*", "&*", "+@all");
  const storeEvents: RedisStoreEvent[] = [];
  const events: GuardEvent[] = [];
  const clock = simulatedGuardClock(tenant.clock);
  const store = new RedisStore({ url: `redis://guard:${OLD_PASSWORD}@127.0.0.1:${server.port}`, clock, onEvent: (e) => storeEvents.push(e) });
  try {
    const app = new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
    const client = guardClient(app, { clock, store, onEvent: (e) => events.push(e) });
    await rejection(client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: "stale-password" }));
    expect((await client.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: PASSWORD }))?.accessToken).toBeTruthy();
    expect(events.some((e) => e.type === "store_error")).toBe(true);
    const down = storeEvents.find((e) => e.type === "store_connection" && e.state === "down");

    for (const logged of [inspect([storeEvents, events], { depth: null }), JSON.stringify([storeEvents, events])]) {
      expect(logged).not.toContain(OLD_PASSWORD);
    }
    // Still told why: Redis's own answer.
    expect(String((down as { error?: unknown } | undefined)?.error)).toMatch(/WRONGPASS/);
  } finally {
    await store.close();
    await admin.acl("DELUSER", "guard");
  }
});
