// The same key failures through every msal-node build an application may run: the CJS
// entry, the ESM entry, a minified bundle (class constructors renamed), and the older
// major nested under @azure/identity. Each error is MSAL's own, produced by a real token
// request to the simulator over loopback HTTP; classification must not depend on which
// build made it (no class names, no instanceof).
import * as msalEsm from "@azure/msal-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AccountLockedError, ConditionalAccessBlockedError, toGuardError } from "../../src/index.js";
import { CA_POLICY_ID, CLIENTS, PASSWORD, SECRET, USERS, quietLogger, startTenant, type Tenant } from "./fixtures.js";
import { failure, type ErrorFields } from "./support/failure.js";
import { buildMinifiedMsalNode, loadMsalNodeCjs, loadNestedMsalNode, type MinifiedBuild, type MsalNode } from "./support/msal-node-builds.js";

const GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"];
const USER_READ = ["User.Read"];
/** The fixture tenant's smart lockout threshold (Entra's public-cloud default). */
const LOCKOUT_THRESHOLD = 10;

type BuildId = "cjs" | "esm" | "minified" | "nested-5x";

interface BuildRow {
  readonly id: BuildId;
  readonly name: string;
  /** Whether the build renames MSAL's classes (so `constructor.name` differs from `name`). */
  readonly renamesClasses: boolean;
}

const BUILDS: readonly BuildRow[] = [
  { id: "cjs", name: "msal-node 7 CJS (require)", renamesClasses: false },
  { id: "esm", name: "msal-node 7 ESM (import)", renamesClasses: false },
  { id: "minified", name: "msal-node 7 minified esbuild bundle", renamesClasses: true },
  { id: "nested-5x", name: "msal-node 5 nested under @azure/identity", renamesClasses: false },
];

let tenant: Tenant;
let minified: MinifiedBuild | undefined;
let nestedVersion = "";
const modules = new Map<BuildId, MsalNode>();

beforeAll(async () => {
  tenant = await startTenant();
  const nested = loadNestedMsalNode();
  nestedVersion = nested.version;
  minified = await buildMinifiedMsalNode();
  modules.set("cjs", loadMsalNodeCjs());
  modules.set("esm", msalEsm);
  modules.set("minified", minified.msal);
  modules.set("nested-5x", nested.msal);
});

afterAll(async () => {
  minified?.dispose();
  await tenant?.sim.close();
});

beforeEach(() => {
  const { sim } = tenant;
  sim.clearFaults();
  sim.setErrorShape({});
  sim.resetLog();
  for (const user of Object.values(USERS)) sim.unlock(user);
  // Loop detection remembers identical requests for five minutes: start each test clean.
  tenant.clock.advance(10 * 60_000);
});

function moduleOf(id: BuildId): MsalNode {
  const msal = modules.get(id);
  if (msal === undefined) throw new Error(`build ${id} not loaded`);
  return msal;
}

describe("the builds under test really differ", () => {
  it("CJS, ESM, minified and nested builds each carry their own MSAL error classes", () => {
    const serverErrorClasses = BUILDS.map(({ id }) => moduleOf(id).ServerError);
    expect(new Set(serverErrorClasses).size).toBe(BUILDS.length);
  });

  it("the nested copy is the older major identity depends on, the others are 7.x", () => {
    expect(nestedVersion).toMatch(/^5\./);
    expect(moduleOf("esm").version).toMatch(/^7\./);
    expect(moduleOf("cjs").version).toBe(moduleOf("esm").version);
  });

  it("the minified bundle is self-contained and renamed MSAL's classes", () => {
    expect(minified?.file).toMatch(/[/\\]\.tmp[/\\]msal-node-min-[^/\\]+[/\\]msal-node\.min\.cjs$/);
    expect(moduleOf("minified").ServerError.name).not.toBe("ServerError");
    expect(moduleOf("minified").InteractionRequiredAuthError.name).not.toBe("InteractionRequiredAuthError");
  });
});

describe.each(BUILDS)("$name", ({ id, renamesClasses }) => {
  const publicApp = () => new (moduleOf(id).PublicClientApplication)({ auth: tenant.sim.msalNodeAuth(CLIENTS.publicApp), system: quietLogger });
  const daemon = (clientId: string = CLIENTS.daemon) =>
    new (moduleOf(id).ConfidentialClientApplication)({ auth: tenant.sim.msalNodeAuth(clientId, { clientSecret: SECRET }), system: quietLogger });
  const ropc = (app: msalEsm.PublicClientApplication, username: string, password: string) =>
    app.acquireTokenByUsernamePassword({ scopes: USER_READ, username, password });

  /** The error is this build's own object; classification cannot have relied on its class. */
  function expectBuildsOwnError(error: ErrorFields, msalName: string): void {
    expect(error.name).toBe(msalName);
    const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
    if (renamesClasses) expect(constructorName).not.toBe(msalName);
    else expect(constructorName).toBe(msalName);
    // instanceof only holds for the very module that threw.
    expect(error instanceof msalEsm.AuthError).toBe(id === "esm");
    expect(error instanceof moduleOf(id).AuthError).toBe(true);
  }

  it("ROPC with a wrong password is invalid_credentials (50126), read from a numeric errorNo", async () => {
    const { error, c } = await failure(ropc(publicApp(), USERS.ada, "not-the-password"));
    expectBuildsOwnError(error, "ServerError");
    expect(error).toMatchObject({ errorCode: "invalid_grant", errorNo: 50126 });
    expect(c).toMatchObject({ kind: "invalid_credentials", codes: [50126], error: "invalid_grant", source: "msal", replayed: false });
    expect(c.correlationId).toBe(error.correlationId);
    expect(tenant.sim.requests.at(-1)).toMatchObject({ grant: "password", status: 400, codes: [50126], reason: "bad_password" });
  });

  it("after smart lockout the right password is account_locked (50053), not invalid_credentials", async () => {
    const app = publicApp();
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
      expect((await failure(ropc(app, USERS.ada, `guess-${i}`))).c.kind).toBe("invalid_credentials");
    }
    const { error, c } = await failure(ropc(app, USERS.ada, PASSWORD));
    expect(tenant.sim.requests.at(-1)).toMatchObject({ grant: "password", reason: "locked", codes: [50053] });
    expectBuildsOwnError(error, "ServerError");
    expect(c).toMatchObject({ kind: "account_locked", codes: [50053], interactionRequired: false, retry: "after_wait" });
    const typed = toGuardError(error);
    expect(typed).toBeInstanceOf(AccountLockedError);
    expect(typed.cause).toBe(error);
  });

  it("a Conditional Access block on client credentials is conditional_access_blocked with its policy ids, and no interaction is suggested", async () => {
    const { error, c } = await failure(daemon(CLIENTS.blockedDaemon).acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
    // The trap: MSAL calls a daemon's CA block "interaction required" (suberror message_only).
    expectBuildsOwnError(error, "InteractionRequiredAuthError");
    expect(error).toMatchObject({ errorNo: 53003, subError: "message_only" });
    expect(c).toMatchObject({
      kind: "conditional_access_blocked",
      codes: [53003],
      subError: "message_only",
      policyIds: [CA_POLICY_ID],
      interactionRequired: false,
      retry: "after_fix",
    });
    expect(toGuardError(error)).toBeInstanceOf(ConditionalAccessBlockedError);
  });

  it("a 503 arms MSAL's throttle; its local replay sends nothing and is replayed, transient, with the same codes", async () => {
    const { sim } = tenant;
    const app = daemon();
    sim.inject({ status: 503, body: "json", times: 1, match: { grant: "client_credentials" } });
    const first = await failure(app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
    expectBuildsOwnError(first.error, "ServerError");
    expect(first.c).toMatchObject({ kind: "transient", codes: [90033], httpStatus: 503, replayed: false });
    const sent = sim.counts().total;

    const replay = await failure(app.acquireTokenByClientCredential({ scopes: GRAPH_DEFAULT, skipCache: true }));
    expect(sim.counts().total).toBe(sent);
    // What marks a replay: errorCode is the bare codes, and there is no errorNo and no status.
    expectBuildsOwnError(replay.error, "ServerError");
    expect(replay.error).toMatchObject({ errorCode: "90033", errorNo: undefined, status: undefined });
    expect(replay.c).toMatchObject({ kind: "transient", codes: [90033], replayed: true, httpStatus: undefined, retry: "with_backoff" });
  });
});
