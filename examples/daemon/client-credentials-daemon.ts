// A client-credentials daemon (an app calling Microsoft Graph as itself) guarded by
// msal-guard, run against the bundled Entra simulator on simulated time:
//
//   npm run build && npx tsx examples/daemon/client-credentials-daemon.ts
//
// Its day: tokens every 45 minutes; at 01:30 Entra answers one request with a 503 (the
// guard retries it after 5 s or more); at 03:40 an administrator's Conditional Access
// policy starts blocking the app, so the daemon alerts and stops instead of hammering
// the token endpoint or waiting for a user who will never come.
import { ConfidentialClientApplication } from "@azure/msal-node";
import { ClientMisconfiguredError, ConditionalAccessBlockedError, isMsalGuardError, ThrottledError, TransientError } from "msal-guard";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetworkObserver, FileStore, guardClient } from "msal-guard/node";
import { createGuardClock, createManualClock, startEntraSimulator } from "msal-guard/testing";
import { createLogger, logGuardEvent } from "./support.js";

const CLIENT_ID = "b1f0c5d2-7e4a-4c3b-9d8e-2f1a0c9b8d7e";
const CLIENT_SECRET = "daemon-secret-from-your-vault";
const SCOPES = ["https://graph.microsoft.com/.default"];
const CA_POLICY_ID = "d3c2b1a0-5f4e-4d3c-8b2a-0c9d8e7f6a51";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const REFRESH_EVERY_MS = 45 * MINUTE; // well before the 60-minute token expires
const RUN_FOR_MS = 8 * HOUR;

// ---- the simulated world (in production: your tenant) --------------------------------
const manual = createManualClock(Date.UTC(2026, 0, 5, 0, 0, 0));
const sim = await startEntraSimulator({ clock: manual, clients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET }] });
const start = manual.now();
// What happens to the tenant during the run, at simulated times.
const incidents = [
  { at: 1.5 * HOUR, what: "Entra has a bad moment: one 503", apply: () => void sim.inject({ status: 503, body: "html", times: 1 }) },
  { at: 3 * HOUR + 40 * MINUTE, what: "an admin's Conditional Access policy now blocks the app", apply: () => sim.addConditionalAccessRule({ policyId: CA_POLICY_ID, clients: [CLIENT_ID], action: "block" }) },
];

// ---- the daemon ------------------------------------------------------------------------
const clock = createGuardClock(manual); // production: leave `clock` out (the system clock)
const log = createLogger(clock, "graph-sync-daemon");

// The observer sees the HTTP status and Retry-After headers MSAL drops (and adds a timeout).
const observer = createNetworkObserver();
const app = new ConfidentialClientApplication({
  auth: sim.msalNodeAuth(CLIENT_ID, { clientSecret: CLIENT_SECRET }), // production: { clientId, authority, clientSecret }
  system: observer.system({ loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } }),
});
const client = guardClient(app, {
  clock,
  observer,
  // Suppression state on disk, so a supervisor restarting this daemon does not send a
  // blocked or rejected request again. Production: a path of its own, e.g.
  // "/var/lib/graph-sync-daemon/msal-guard.json" (the example uses a fresh temp directory).
  store: new FileStore({ path: join(mkdtempSync(join(tmpdir(), "graph-sync-daemon-")), "msal-guard.json"), clock }),
  onEvent: (event) => logGuardEvent(log, event),
  retry: { attempts: 2 }, // 5xx and network failures: up to 2 retries, 5 s apart or more, within a budget
});

let alertedMisconfiguration = false;

async function refreshToken(): Promise<"ok" | "stop"> {
  try {
    // skipCache: this daemon refreshes on its own schedule. (msal-node's cache reads the
    // wall clock, which barely moves here; in production you may simply call it per use.)
    const result = await client.acquireTokenByClientCredential({ scopes: SCOPES, skipCache: true });
    // ... call Microsoft Graph with result.accessToken ...
    log({ level: "info", msg: "token acquired; Graph sync done", tokenType: result?.tokenType });
    return "ok";
  } catch (error) {
    if (error instanceof ConditionalAccessBlockedError) {
      // Terminal: no retry, no interaction can fix it; only an administrator can.
      // (A real daemon would exit non-zero here so its supervisor raises the alarm; with the
      // FileStore, a restart does not send the blocked request again for an hour.)
      log({ level: "alert", msg: "Conditional Access blocks this app; stopping until an administrator changes the policy", policyIds: error.policyIds, codes: error.codes });
      return "stop";
    }
    if (error instanceof ClientMisconfiguredError) {
      // A wrong or expired secret (never sent again until it changes), or a scope or app
      // registration the tenant refuses (held back 5 minutes at a time): tell an operator once.
      if (!alertedMisconfiguration) log({ level: "alert", msg: "the client secret was rejected; rotate it in the vault", codes: error.codes });
      alertedMisconfiguration = true;
      return "ok";
    }
    if (error instanceof ThrottledError || error instanceof TransientError) {
      log({ level: "warn", msg: "Entra unavailable or throttling; trying again at the next refresh", kind: error.kind, retryAt: error.retryAt === undefined ? undefined : new Date(error.retryAt).toISOString() });
      return "ok";
    }
    log({ level: "error", msg: "token request failed", kind: isMsalGuardError(error) ? error.kind : "unknown", codes: isMsalGuardError(error) ? error.codes : [] });
    return "ok";
  }
}

try {
  log({ level: "info", msg: "daemon started", refreshEveryMinutes: REFRESH_EVERY_MS / MINUTE });
  for (let next = 0; next < RUN_FOR_MS; next += REFRESH_EVERY_MS) {
    // Sleep until the next refresh, letting the world's incidents happen on the way.
    for (const incident of incidents.filter((i) => i.at > manual.now() - start && i.at <= next)) {
      await clock.sleep(start + incident.at - manual.now());
      log({ level: "info", msg: `(simulation) ${incident.what}` });
      incident.apply();
    }
    await clock.sleep(start + next - manual.now());
    if ((await refreshToken()) === "stop") break;
  }
  const status = await client.status();
  log({
    level: "info",
    msg: "daemon stopped",
    tokenRequestsSent: sim.requests.filter((r) => r.endpoint === "token").length,
    guard: { calls: status.counts.calls, sent: status.counts.sent, retries: status.counts.retries, suppressed: status.counts.suppressed },
  });
} finally {
  await sim.close();
}
