// Helpers shared by the Redis tests.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { PublicClientApplication } from "@azure/msal-node";
import { CLIENTS, USERS, quietLogger, type Tenant } from "../e2e/fixtures.js";

export const MINUTE = 60_000;
export const USER_READ = ["User.Read"];

/** Runs `redis-cli` against the server on `port`: values written by hand, as an operator (or attacker) would. */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  const binary = ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"].find((path) => existsSync(path));
  if (binary === undefined) throw new Error("redis-cli not found; it comes with redis-server, which .ci/run installs (apt-get install redis-server)");
  return new Promise((resolve, reject) => {
    execFile(binary, ["-h", "127.0.0.1", "-p", String(port), ...args], (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`redis-cli ${args[0]} failed: ${stderr || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** The msal-guard error a call rejected with. */
export { guardRejection as rejection } from "../e2e/fixtures.js";

export const tokenRequests = (tenant: Tenant) => tenant.sim.requests.filter((r) => r.endpoint === "token").length;

/** Locks ada at the simulator with wrong guesses (straight MSAL, no guard), then clears the log. */
export async function lockAda(tenant: Tenant): Promise<void> {
  const app = new PublicClientApplication({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
  for (let i = 0; i < 11; i++) {
    await app.acquireTokenByUsernamePassword({ scopes: USER_READ, username: USERS.ada, password: `guess-${i}` }).catch(() => undefined);
  }
  if (!tenant.sim.lockoutState(USERS.ada).locked) throw new Error("the simulator did not lock ada");
  tenant.sim.resetLog();
}
