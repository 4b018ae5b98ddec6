/**
 * Real MSAL error objects, one per failure kind the simulator can make msal-node produce:
 * each comes from a real failing token call (real msal-node, loopback HTTP, the bundled
 * Entra simulator). For the cost comparison, `rebuild()` constructs the same MSAL error
 * class again from msal-node's own exports, with the fields read off the real error.
 */
import * as msal from "@azure/msal-node";
import { CLIENTS, PASSWORD, SECRET, USERS, quietLogger, startTenant } from "../test/e2e/fixtures.js";

export interface RealMsalError {
  /** What was done to get it, e.g. "locked (AADSTS50053)". */
  readonly label: string;
  /** The kind msal-guard is expected to find (checked by the benchmark, not assumed). */
  readonly expectedKind: string;
  /** The error MSAL threw. */
  readonly error: Error & Record<string, unknown>;
  /** MSAL's class, e.g. "ServerError". */
  readonly msalClass: string;
  /** Constructs the same MSAL class again, with the same arguments as the real one carries. */
  readonly rebuild: () => Error;
}

const GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"];
const USER_READ = ["User.Read"];
const MINUTE = 60_000;

type MsalErrorFields = Error & {
  errorCode?: string;
  errorMessage?: string;
  subError?: string;
  correlationId?: string;
  errorNo?: string;
  status?: number;
  timestamp?: string;
  traceId?: string;
  claims?: string;
};

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** How msal-node itself builds an error of this class (constructor, then the correlation id it knows). */
function rebuilderFor(error: MsalErrorFields): { msalClass: string; rebuild: () => Error } {
  const code = text(error.errorCode) ?? "";
  const correlationId = text(error.correlationId) ?? "";
  const message = text(error.errorMessage);
  const subError = text(error.subError);
  if (error instanceof msal.InteractionRequiredAuthError) {
    const { timestamp, traceId, claims, errorNo } = error;
    return {
      msalClass: "InteractionRequiredAuthError",
      rebuild: () => new msal.InteractionRequiredAuthError(code, correlationId, message, subError, timestamp, traceId, claims, errorNo),
    };
  }
  if (error instanceof msal.ServerError) {
    const { errorNo, status } = error;
    return { msalClass: "ServerError", rebuild: () => new msal.ServerError(code, correlationId, message, subError, errorNo, status) };
  }
  if (error instanceof msal.ClientAuthError) {
    // ClientAuthError(code, correlationId, additionalMessage): MSAL prefixes its table's text itself.
    const additional = message?.includes(": ") ? message.slice(message.indexOf(": ") + 2) : undefined;
    return { msalClass: "ClientAuthError", rebuild: () => new msal.ClientAuthError(code, correlationId, additional) };
  }
  if (error instanceof msal.AuthError) {
    // NetworkError and other AuthError subclasses msal-node does not export: the base class.
    return { msalClass: `AuthError (${error.constructor.name})`, rebuild: () => new msal.AuthError(code, correlationId, message, subError) };
  }
  throw new Error(`bench: expected an MSAL AuthError, got ${error.constructor.name}: ${error.message}`);
}

async function failure(call: Promise<unknown>): Promise<MsalErrorFields> {
  try {
    await call;
  } catch (error) {
    return error as MsalErrorFields;
  }
  throw new Error("bench: expected the MSAL call to fail");
}

/**
 * Makes real failing calls against a fresh simulator and returns the MSAL errors, one per
 * kind: invalid credentials, locked, Conditional Access block, MFA, consent, password
 * expired, disabled, bad secret, throttled replay, HTML 503, network drop, loop detected.
 */
export async function produceMsalErrors(): Promise<RealMsalError[]> {
  const tenant = await startTenant();
  const { sim, clock } = tenant;
  const out: RealMsalError[] = [];
  const publicApp = () => new msal.PublicClientApplication({ auth: sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
  const daemon = (secret = SECRET) => new msal.ConfidentialClientApplication({ auth: sim.msalNodeAuth(CLIENTS.daemon, { clientSecret: secret }), system: quietLogger });
  const ropc = (username: string, password = PASSWORD, app = publicApp()) => app.acquireTokenByUsernamePassword({ scopes: USER_READ, username, password });
  const clientCredentials = (app = daemon()) => app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true });

  const add = async (label: string, expectedKind: string, make: () => Promise<MsalErrorFields>) => {
    clock.advance(10 * MINUTE); // loop detection and throttling windows from earlier calls have passed
    sim.clearFaults();
    const error = await make();
    out.push({ label, expectedKind, error: error as Error & Record<string, unknown>, ...rebuilderFor(error) });
  };

  try {
    await add("wrong password (AADSTS50126)", "invalid_credentials", () => failure(ropc(USERS.ada, "not-the-password")));
    await add("account locked (AADSTS50053)", "account_locked", async () => {
      const app = publicApp();
      for (let i = 0; i < 10; i++) await ropc(USERS.ada, `guess-${i}`, app).catch(() => undefined);
      const locked = await failure(ropc(USERS.ada, PASSWORD, app));
      sim.unlock(USERS.ada);
      return locked;
    });
    await add("Conditional Access block (AADSTS53003)", "conditional_access_blocked", () => failure(ropc(USERS.blocked)));
    await add("MFA required (AADSTS50076)", "mfa_required", () => failure(ropc(USERS.mfa)));
    await add("consent required (AADSTS65001)", "consent_required", () => failure(ropc(USERS.consent)));
    await add("password expired (AADSTS50055)", "password_expired", () => failure(ropc(USERS.expired)));
    await add("account disabled (AADSTS50057)", "account_unavailable", () => failure(ropc(USERS.disabled)));
    await add("wrong client secret (AADSTS7000215)", "client_misconfigured", () => failure(clientCredentials(daemon("stale-secret"))));
    await add("throttled, replayed by MSAL (429 then local replay)", "throttled", async () => {
      sim.throttle({ retryAfter: 30, times: 1 });
      const app = daemon();
      await clientCredentials(app).catch(() => undefined);
      const sent = sim.counts().total;
      const replay = await failure(clientCredentials(app));
      if (sim.counts().total !== sent) throw new Error("bench: MSAL sent the throttled request again instead of replaying it");
      return replay;
    });
    await add("HTTP 503 with an HTML page", "transient", () => {
      sim.inject({ status: 503, body: "html", times: 1 });
      return failure(clientCredentials());
    });
    await add("connection dropped", "network", () => {
      sim.inject({ drop: true, times: 1 });
      return failure(clientCredentials());
    });
    await add("loop detected (AADSTS50196)", "throttled", async () => {
      const app = daemon();
      for (let i = 0; i < 15; i++) await clientCredentials(app);
      return failure(clientCredentials(app));
    });
  } finally {
    await sim.close();
  }
  return out;
}
