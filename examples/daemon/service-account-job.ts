// A scheduled job that signs in as a service account with a password (ROPC), guarded
// by msal-guard, run against the bundled Entra simulator on simulated time:
//
//   npm run build && npx tsx examples/daemon/service-account-job.ts
//
// Its day, one run every 15 minutes:
//   01:05  an admin rotates the account's password; the job's config still has the old one.
//          The guard sends the stale password once, alerts once, and never sends it again:
//          no lockout, however long nobody notices.
//   02:20  an operator puts the new password in the job's config: the next run goes through.
//   03:59  someone else's script with wrong passwords locks the account. The job sleeps until the
//          guard's retryAt, one probe goes out, and it carries on when the lock has passed.
//   05:10  a Conditional Access policy blocks the account: alert and stop.
import { PublicClientApplication } from "@azure/msal-node";
import { AccountLockedError, ConditionalAccessBlockedError, InvalidCredentialsError, isMsalGuardError, PasswordExpiredError } from "msal-guard";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetworkObserver, FileStore, guardClient } from "msal-guard/node";
import { createGuardClock, createManualClock, startEntraSimulator } from "msal-guard/testing";
import { createLogger, logGuardEvent } from "./support.js";

const CLIENT_ID = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d";
const OTHER_SCRIPT_CLIENT_ID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";
const ACCOUNT = "svc-reports@contoso.test";
const SCOPES = ["https://graph.microsoft.com/Reports.Read.All"];
const CA_POLICY_ID = "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RUN_EVERY_MS = 15 * MINUTE;
const RUN_FOR_MS = 8 * HOUR;

// The job's configuration, re-read at every run (in production: a secret store or file).
const config = { password: "Report-Job-Password-1" };

// ---- the simulated world (in production: your tenant) --------------------------------
const manual = createManualClock(Date.UTC(2026, 0, 5, 0, 0, 0));
const sim = await startEntraSimulator({
  clock: manual,
  users: [{ username: ACCOUNT, password: config.password }],
  clients: [
    { clientId: CLIENT_ID, type: "public" },
    { clientId: OTHER_SCRIPT_CLIENT_ID, type: "public" },
  ],
});
const start = manual.now();
const otherScript = new PublicClientApplication({ auth: sim.msalNodeAuth(OTHER_SCRIPT_CLIENT_ID), system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } } });
const incidents = [
  { at: 1 * HOUR + 5 * MINUTE, what: "an admin rotates the account's password", apply: async () => sim.updateUser(ACCOUNT, { password: "Report-Job-Password-2" }) },
  { at: 2 * HOUR + 20 * MINUTE, what: "an operator updates the job's config with the new password", apply: async () => void (config.password = "Report-Job-Password-2") },
  {
    at: 3 * HOUR + 59 * MINUTE + 30_000,
    what: "someone else's script tries 10 wrong passwords: the account is locked",
    apply: async () => {
      for (let i = 0; i < 10; i++) {
        await otherScript.acquireTokenByUsernamePassword({ scopes: SCOPES, username: ACCOUNT, password: `guess-${i}` }).catch(() => undefined);
      }
    },
  },
  { at: 5 * HOUR + 10 * MINUTE, what: "a Conditional Access policy now blocks the account", apply: async () => sim.addConditionalAccessRule({ policyId: CA_POLICY_ID, users: [ACCOUNT], action: "block" }) },
];

// ---- the job ---------------------------------------------------------------------------
const clock = createGuardClock(manual); // production: leave `clock` out (the system clock)
const log = createLogger(clock, "reports-job");

// The observer sees the HTTP status and Retry-After headers MSAL drops (and adds a timeout).
const observer = createNetworkObserver();
const app = new PublicClientApplication({
  auth: sim.msalNodeAuth(CLIENT_ID), // production: { clientId, authority }
  system: observer.system({ loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } }),
});
const client = guardClient(app, {
  clock,
  observer,
  // Suppression state on disk, so a job started by cron every 15 minutes remembers the
  // rejected password and the lockout. Production: a path of its own, e.g.
  // "/var/lib/reports-job/msal-guard.json" (the example uses a fresh temp directory).
  store: new FileStore({ path: join(mkdtempSync(join(tmpdir(), "reports-job-")), "msal-guard.json"), clock }),
  onEvent: (event) => logGuardEvent(log, event),
});

let alertedCredentials = false;

/** One run of the job. Returns "stop" when only an administrator can help. */
async function runOnce(): Promise<"ok" | "stop"> {
  for (;;) {
    try {
      await client.acquireTokenByUsernamePassword({ scopes: SCOPES, username: ACCOUNT, password: config.password });
      log({ level: "info", msg: "signed in; report exported" });
      alertedCredentials = false;
      return "ok";
    } catch (error) {
      if (error instanceof AccountLockedError) {
        // Locked (by anyone, or a flagged network): wait for the guard's window; it sends one
        // probe after it, never a storm. Entra's own 50053 carries no time: the first window is 60 s.
        const retryAt = error.retryAt ?? clock.now() + MINUTE;
        log({ level: "warn", msg: "account locked; waiting", suppressed: error.suppressed, retryAt: new Date(retryAt).toISOString() });
        await clock.sleep(retryAt - clock.now());
        continue;
      }
      if (error instanceof InvalidCredentialsError || error instanceof PasswordExpiredError) {
        // The password in the config is wrong or expired. The guard will not send it again
        // (for 24 hours, or until it changes), so there is no lockout: tell an operator, once.
        if (!alertedCredentials) log({ level: "alert", msg: "the service account's password was rejected; update the job's config", kind: error.kind, codes: error.codes });
        alertedCredentials = true;
        return "ok";
      }
      if (error instanceof ConditionalAccessBlockedError) {
        log({ level: "alert", msg: "Conditional Access blocks the service account; stopping until an administrator changes the policy", policyIds: error.policyIds });
        return "stop";
      }
      log({ level: "error", msg: "sign-in failed; trying again at the next run", kind: isMsalGuardError(error) ? error.kind : "unknown" });
      return "ok";
    }
  }
}

try {
  log({ level: "info", msg: "job scheduler started", runEveryMinutes: RUN_EVERY_MS / MINUTE });
  for (let next = 0; next < RUN_FOR_MS; next += RUN_EVERY_MS) {
    for (const incident of incidents.filter((i) => i.at > manual.now() - start && i.at <= next)) {
      await clock.sleep(start + incident.at - manual.now());
      log({ level: "info", msg: `(simulation) ${incident.what}` });
      await incident.apply();
    }
    if (manual.now() - start < next) await clock.sleep(start + next - manual.now());
    if ((await runOnce()) === "stop") break;
  }
  const fromJob = sim.requests.filter((r) => r.endpoint === "token" && r.clientId === CLIENT_ID);
  const status = await client.status();
  log({
    level: "info",
    msg: "job scheduler stopped",
    // From the simulator's sign-in log: what this job sent, and the lockouts it started.
    tokenRequests: fromJob.length,
    lockoutsStarted: fromJob.filter((r) => r.reason === "bad_password_lockout_started").length,
    guard: { calls: status.counts.calls, sent: status.counts.sent, suppressed: status.counts.suppressed, probes: status.counts.probes },
  });
} finally {
  await sim.close();
}
