// RedisStore on a real three-node Redis Cluster: the lease and its record share a slot
// (hash tags), so the atomic lease script works; pub/sub and the secret work across nodes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PublicClientApplication } from "@azure/msal-node";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardClient } from "../../src/node/index.js";
import { RedisStore } from "../../src/redis/index.js";
import { CLIENTS, PASSWORD, USERS, quietLogger, startTenant, type Tenant } from "../e2e/fixtures.js";
import { simulatedGuardClock } from "../node/sim-clock.js";
import { ping, startRedisServer, type RedisServer } from "./redis-server.js";
import { MINUTE, USER_READ, lockAda, redisCli, rejection, tokenRequests } from "./support.js";

let nodes: RedisServer[] = [];
let dir: string;
let tenant: Tenant;

/** A port p with p + 10000 (the cluster bus) free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if (!(await ping(port)) && !(await ping(port + 10_000)) && (await bindable(port)) && (await bindable(port + 10_000))) {
      taken.add(port);
      return port;
    }
  }
}
async function bindable(port: number): Promise<boolean> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function cluster(keyPrefix?: string): Cluster {
  const client = new Cluster([{ host: "127.0.0.1", port: nodes[0]!.port }], {
    enableOfflineQueue: false,
    ...(keyPrefix === undefined ? {} : { keyPrefix }),
    redisOptions: { maxRetriesPerRequest: 0, connectTimeout: 2_000 },
  });
  client.on("error", () => {});
  return client;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "msal-guard-cluster-"));
  const taken = new Set<number>();
  const ports = [await clusterPort(taken), await clusterPort(taken), await clusterPort(taken)];
  nodes = await Promise.all(
    ports.map((port) => startRedisServer({ port, cwd: dir, args: ["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--cluster-node-timeout", "2000"] })),
  );
  await redisCli(nodes[0]!.port, "--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes");
  for (const node of nodes) {
    const deadline = Date.now() + 15_000;
    while (!(await redisCli(node.port, "CLUSTER", "INFO")).includes("cluster_state:ok")) {
      if (Date.now() > deadline) throw new Error(`cluster node ${node.port} not ok`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  tenant = await startTenant({ loopDetection: false, lockout: { durationMs: 10 * MINUTE } });
}, 40_000);
afterAll(async () => {
  await Promise.all([...nodes.map((n) => n.stop()), tenant?.sim.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("on Redis Cluster", () => {
  it("puts an identity's record and lease in one slot, spreads identities over the nodes, and leases atomically", async () => {
    const client = cluster();
    const store = new RedisStore({ client, clock: { now: () => 1_000 }, commandTimeoutMs: 5_000 });
    try {
      const hashes = Array.from({ length: 30 }, (_, i) => i.toString(16).padStart(32, "a"));
      for (const hash of hashes) {
        await store.set(`i:${hash}`, JSON.stringify({ v: 1, lockout: { count: 1, since: 0, until: 500, codes: [50053] } }), 60_000);
        expect(await store.acquireLease(`l:${hash}`, "p1", 30_000)).toBe(true);
        expect(await store.acquireLease(`l:${hash}`, "p2", 30_000)).toBe(false);
        const [recordSlot, leaseSlot] = await Promise.all([
          redisCli(nodes[0]!.port, "CLUSTER", "KEYSLOT", `msal-guard:{${hash}}:i`),
          redisCli(nodes[0]!.port, "CLUSTER", "KEYSLOT", `msal-guard:{${hash}}:l`),
        ]);
        expect(recordSlot).toBe(leaseSlot);
      }
      // The record check inside the lease script (two keys) works across the cluster: a
      // window another process has just written refuses the lease.
      const locked = hashes[0]!;
      await store.releaseLease(`l:${locked}`, "p1");
      await store.set(`i:${locked}`, JSON.stringify({ v: 1, lockout: { count: 2, since: 900, until: 5_000, codes: [50053] } }), 60_000);
      expect(await store.acquireLease(`l:${locked}`, "p3", 30_000)).toBe(false);
      // Identities land on every node.
      const perNode = await Promise.all(nodes.map((n) => redisCli(n.port, "DBSIZE")));
      expect(perNode.every((n) => Number(n) > 0)).toBe(true);
      // ... and listKeys finds them on every node: each record, no lease.
      expect([...(await store.listKeys(1_000))].sort()).toEqual(hashes.map((hash) => `i:${hash}`).sort());
      expect(await store.listKeys(7)).toHaveLength(7);
    } finally {
      await store.close();
      client.disconnect();
    }
  });

  it("listKeys on a Cluster client made with ioredis's keyPrefix finds what it wrote on every master", async () => {
    const hashes = Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(32, "e"));
    const client = cluster("tenant-9:");
    const store = new RedisStore({ client, prefix: "kp:", commandTimeoutMs: 5_000 });
    try {
      for (const hash of hashes) await store.set(`i:${hash}`, JSON.stringify({ v: 1 }), 60_000);
      const perNode = await Promise.all(nodes.map((n) => redisCli(n.port, "--scan", "--pattern", "tenant-9:kp:*")));
      expect(perNode.every((listed) => listed.length > 0)).toBe(true); // spread over the masters, under both prefixes
      expect([...(await store.listKeys(100))].sort()).toEqual(hashes.map((hash) => `i:${hash}`).sort());
    } finally {
      await store.close();
      client.disconnect();
    }
  });

  it("listKeys from a store made a moment ago (its Cluster client not yet knowing the nodes) still scans every master", async () => {
    const hashes = Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(32, "d"));
    const writerClient = cluster();
    const writer = new RedisStore({ client: writerClient, prefix: "fresh:", commandTimeoutMs: 5_000 });
    try {
      for (const hash of hashes) await writer.set(`a:${hash}`, JSON.stringify({ v: 1 }), 60_000);
    } finally {
      await writer.close();
      writerClient.disconnect();
    }
    // No ready(): a process's first status() may come before its client knows the cluster's nodes.
    const client = cluster();
    const reader = new RedisStore({ client, prefix: "fresh:", commandTimeoutMs: 5_000 });
    try {
      expect(client.nodes("master")).toEqual([]);
      expect([...(await reader.listKeys(100))].sort()).toEqual(hashes.map((hash) => `a:${hash}`).sort());
    } finally {
      await reader.close();
      client.disconnect();
    }
  });

  it("without hash tags the lease script could not run (CROSSSLOT): why the layout has them", async () => {
    const client = cluster();
    try {
      await new Promise((resolve) => client.once("ready", resolve));
      const keys = ["msal-guard:aaaa:l", "msal-guard:aaaa:i"];
      const slots = await Promise.all(keys.map((k) => redisCli(nodes[0]!.port, "CLUSTER", "KEYSLOT", k)));
      expect(slots[0]).not.toBe(slots[1]);
      await expect(client.eval("return 1", 2, ...keys)).rejects.toThrow(/CROSSSLOT|same slot/);
    } finally {
      client.disconnect();
    }
  });

  it("shares the secret and announces changes across nodes", async () => {
    const [c1, c2] = [cluster(), cluster()];
    const [s1, s2] = [new RedisStore({ client: c1, commandTimeoutMs: 5_000 }), new RedisStore({ client: c2, commandTimeoutMs: 5_000 })];
    try {
      const [a, b] = await Promise.all([s1.fingerprintSecret(), s2.fingerprintSecret()]);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      const heard: string[] = [];
      s2.subscribe((key) => heard.push(key));
      // SUBSCRIBE is asynchronous: announce a warm-up key until it is heard.
      const warmUp = "c".repeat(32);
      await expect
        .poll(async () => {
          await s1.set(`i:${warmUp}`, JSON.stringify({ v: 1 }), 60_000);
          return heard.includes(`i:${warmUp}`);
        })
        .toBe(true);
      // Keys on every node; the subscriber's connection is to one of them.
      const hashes = Array.from({ length: 12 }, (_, i) => i.toString(16).padStart(32, "b"));
      for (const hash of hashes) await s1.set(`i:${hash}`, JSON.stringify({ v: 1 }), 60_000);
      await expect.poll(() => heard.filter((k) => k !== `i:${warmUp}`).sort()).toEqual(hashes.map((h) => `i:${h}`).sort());
    } finally {
      await Promise.all([s1.close(), s2.close()]);
      c1.disconnect();
      c2.disconnect();
    }
  });

  it("guards on the cluster share a lockout, and one probe goes out after the window", async () => {
    await lockAda(tenant);
    const clock = simulatedGuardClock(tenant.clock);
    const clients = [cluster(), cluster()];
    const stores = clients.map((client) => new RedisStore({ client, clock, commandTimeoutMs: 5_000 }));
    try {
      await Promise.all(stores.map((s) => s.ready()));
      const guards = stores.map((store) => guardClient(new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger }), { clock, store, storeTimeoutMs: 5_000 }));
      const call = (i: number, scopes = USER_READ) => guards[i % 2]!.acquireTokenByUsernamePassword({ scopes, username: USERS.ada, password: PASSWORD });
      expect(await rejection(call(0))).toMatchObject({ kind: "account_locked", suppressed: false });
      expect(await rejection(call(1))).toMatchObject({ kind: "account_locked", suppressed: true });
      tenant.clock.advance(60_000);
      const wave = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => call(i, [`Scope${i % 5}.Read`])));
      expect(wave.every((r) => r.status === "rejected")).toBe(true);
      expect(tokenRequests(tenant)).toBe(2);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      for (const c of clients) c.disconnect();
    }
  });
});
