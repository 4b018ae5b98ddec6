// Eight replicas of worker.ts, one Redis, one locked account, run against the bundled
// Entra simulator in real time (windows shortened to seconds):
//
//   redis-server --port 6379 --save "" --appendonly no &     # or any Redis you have
//   npm run build                                             # the examples import the built package
//   npx tsx examples/fleet/run-fleet.ts
//
// Prints each replica's log lines, then what the simulator saw: one token request per
// lockout window for the whole fleet, not one per replica.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PublicClientApplication } from "@azure/msal-node";
import { startEntraSimulator } from "msal-guard/testing";

const REPLICAS = 8;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const CLIENT_ID = "5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d";
const ACCOUNT = "svc-reports@contoso.test";
const PASSWORD = "Correct-Horse-7";

// The simulator runs on real time here, with Entra's smart lockout shortened to 8 s.
const sim = await startEntraSimulator({
  users: [{ username: ACCOUNT, password: PASSWORD }],
  clients: [{ clientId: CLIENT_ID, type: "public" }],
  lockout: { durationMs: 8_000 },
  loopDetection: false,
});

try {
  const worker = fileURLToPath(new URL("./worker.ts", import.meta.url));
  const children = Array.from({ length: REPLICAS }, (_, id) =>
    spawn(process.execPath, ["--import", "tsx", worker], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        REPLICA: String(id),
        REDIS_URL,
        MSAL_AUTH: JSON.stringify(sim.msalNodeAuth(CLIENT_ID)),
        SERVICE_USER: ACCOUNT,
        SERVICE_PASSWORD: PASSWORD,
        FIRST_WINDOW_MS: "1000", // production: leave the default (60 s)
      },
    }),
  );
  const exits = children.map((child) => new Promise<number | null>((resolve) => child.once("exit", resolve)));
  // Every replica up (starting one takes a second or two), so the lock can't pass unseen.
  await Promise.all(children.map((child) => new Promise((resolve) => child.once("message", resolve))));

  // Someone else's script guesses the password ten times: the account is locked.
  const intruder = new PublicClientApplication({ auth: sim.msalNodeAuth(CLIENT_ID), system: { loggerOptions: { loggerCallback: () => {} } } });
  for (let i = 0; i < 11; i++) await intruder.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: ACCOUNT, password: `guess-${i}` }).catch(() => undefined);
  sim.resetLog();
  console.log(`account locked: ${JSON.stringify(sim.lockoutState(ACCOUNT))}`);

  const started = Date.now();
  for (const child of children) child.send("go");
  const codes = await Promise.all(exits);

  const tokens = sim.requests.filter((r) => r.endpoint === "token");
  const summary = {
    replicas: REPLICAS,
    exitCodes: codes,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    // What reached "Entra": while locked, one request per window for the whole fleet.
    tokenRequestsWhileLocked: tokens.filter((r) => r.codes.includes(50053)).length,
    tokenRequestsSucceeded: tokens.filter((r) => r.status === 200).length,
  };
  console.log(JSON.stringify(summary, null, 2));
  // The demo shows nothing unless the fleet met the lock, and every replica signed in.
  if (summary.tokenRequestsWhileLocked === 0 || summary.tokenRequestsSucceeded !== REPLICAS || codes.some((code) => code !== 0)) {
    console.error("run-fleet: the fleet did not meet the lockout and then sign in as expected");
    process.exitCode = 1;
  }
} finally {
  await sim.close();
}
