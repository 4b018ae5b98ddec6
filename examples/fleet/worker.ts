// One replica of a fleet: a service-account job whose suppression state lives in Redis,
// so that when the account is locked every replica sees it at once and only one of them
// probes when the window ends. Copy this file; run as many copies as you like:
//
//   REDIS_URL=redis://127.0.0.1:6379 SERVICE_USER=svc@contoso.com SERVICE_PASSWORD=... \
//   CLIENT_ID=... TENANT_ID=... node --import tsx examples/fleet/worker.ts
//
// `run-fleet.ts` beside it starts 8 of these against the bundled Entra simulator.
import { PublicClientApplication, type Configuration } from "@azure/msal-node";
import { AccountLockedError, isMsalGuardError, type GuardEvent } from "msal-guard";
import { guardClient } from "msal-guard/node";
import { RedisStore, type RedisStoreEvent } from "msal-guard/redis";

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const replica = env("REPLICA", String(process.pid));
const log = (entry: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), replica, ...entry })}\n`);

// ---- MSAL, as usual --------------------------------------------------------------------
const auth: Configuration["auth"] = process.env.MSAL_AUTH
  ? (JSON.parse(process.env.MSAL_AUTH) as Configuration["auth"]) // the simulator's (run-fleet.ts)
  : { clientId: env("CLIENT_ID"), authority: `https://login.microsoftonline.com/${env("TENANT_ID")}` };
const app = new PublicClientApplication({ auth, system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } } });

// ---- msal-guard on Redis ---------------------------------------------------------------
const store = new RedisStore({
  url: env("REDIS_URL", "redis://127.0.0.1:6379"),
  // Redis trouble never fails a token call: the guard decides from local memory and says so.
  onEvent: (event: RedisStoreEvent) => log({ level: event.type === "store_corrupt" ? "warn" : "info", ...event, error: undefined }),
});
const client = guardClient(app, {
  store,
  onEvent: (event: GuardEvent) => {
    if (event.type === "probe" || event.type === "released" || event.type === "classified") log({ level: "info", event: event.type, identity: event.identity.slice(0, 8) });
    if (event.type === "store_error") log({ level: "warn", event: "store_error", operation: event.operation });
  },
  // Production: leave the policy at its defaults (first window 60 s). The demo shortens it.
  ...(process.env.FIRST_WINDOW_MS ? { lockout: { firstWindowMs: Number(process.env.FIRST_WINDOW_MS) } } : {}),
  // Optional, stronger: the same secret in every replica, from your secret store, instead
  // of the one RedisStore keeps in Redis.
  ...(process.env.GUARD_FINGERPRINT_SECRET ? { fingerprintSecret: process.env.GUARD_FINGERPRINT_SECRET } : {}),
});

// Optional: share decisions from the very first call. Without Redis the replica still
// works (fail open), so don't refuse to start.
await store.ready({ timeoutMs: 5_000 }).catch(() => log({ level: "warn", msg: "Redis not reachable yet; deciding from local memory until it is" }));

// Under run-fleet.ts only: say this replica is up, and start when told (the demo locks the
// account once every replica runs, however long they took to start).
if (process.send !== undefined) {
  process.send("ready");
  await new Promise((resolve) => process.once("message", resolve));
  process.disconnect();
}

const shutdown = async () => {
  await store.close(); // releases the connections, so the process can exit
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());

// ---- the job -----------------------------------------------------------------------------
// Waiting for a lockout to pass: RedisStore announces every change (pub/sub), so a replica
// wakes as soon as another one's probe has answered instead of sleeping out retryAfterMs.
let wake: (() => void) | undefined;
const unsubscribe = store.subscribe(() => wake?.());
const pause = (ms: number) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wake = undefined;
      resolve();
    };
    const timer = setTimeout(done, ms);
    wake = done;
  });

// Start-up jitter: replicas started together don't all meet an unknown failure at once.
await new Promise((resolve) => setTimeout(resolve, Math.random() * Number(env("START_JITTER_MS", "1000"))));
const username = env("SERVICE_USER");
const password = env("SERVICE_PASSWORD");
for (let attempt = 1; ; attempt++) {
  try {
    await client.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username, password });
    log({ level: "info", msg: "signed in", attempts: attempt });
    break; // a real job would do its work here, and come back on its schedule
  } catch (error) {
    if (error instanceof AccountLockedError) {
      // Suppressed calls cost nothing and send nothing. Wait as told (`retryAfterMs`: the
      // rest of the window, or the probe lease while another replica probes), or until
      // Redis announces a change.
      await pause(error.retryAfterMs ?? 1_000);
      continue;
    }
    log({ level: "error", msg: "sign-in failed", kind: isMsalGuardError(error) ? error.kind : "unknown" });
    break;
  }
}
unsubscribe();
await shutdown();
