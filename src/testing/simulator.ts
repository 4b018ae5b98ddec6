/**
 * A local Entra ID (v2 endpoints) token service on a random loopback port, for tests
 * of sign-in failure handling without a tenant, with the managed identity endpoint
 * (IMDS) of the Azure resource the app would run on.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { systemClock, type SimulatorClock } from "./clock.js";
import {
  applyUserUpdate,
  checkCaRule,
  checkClient,
  checkUser,
  checkUserUpdate,
  toClientRecord,
  toUserRecord,
  userKey,
  type CaRule,
  type SimulatedClient,
  type SimulatedUser,
  type SimulatedUserUpdate,
} from "./directory.js";
import {
  activate,
  checkFault,
  checkThrottleRule,
  checkTimes,
  defaultFaultCode,
  handleFor,
  htmlErrorPage,
  retryAfterHeader,
  takeFault,
  throttleToFault,
  type ActiveFault,
  type Fault,
  type FaultHandle,
  type FaultTarget,
  type SimulatorEndpoint,
  type StatusFault,
  type ThrottleRule,
} from "./faults.js";
import {
  checkLockoutSettings,
  DEFAULT_LOCKOUT_DURATION_MS,
  escalatingDuration,
  INITIAL_LOCKOUT_COUNTER,
  isLocked,
  type LockoutEscalation,
  type LockoutLocation,
} from "./lockout.js";
import { createLoopDetector, type LoopDetectionOptions } from "./loop-detection.js";
import { countRequests, loggedPath, type RequestCounts, type RequestLogEntry } from "./request-log.js";
import { buildErrorBody, type EntraErrorSpec } from "./responses.js";
import { counterKey, resolveErrorShape, type ErrorShapeOptions, type TenantState } from "./tenant.js";
import { grantOf, handleDeviceCodeRequest, handleTokenRequest, usernameOf, type TokenOutcome } from "./token-endpoint.js";
import {
  authorityHostOf,
  authorityMetadataJson,
  IMDS_HOST_VARIABLE,
  OTHER_MANAGED_IDENTITY_VARIABLES,
  simulatorEndpoints,
  type MsalBrowserAuthOptions,
  type MsalNodeAuthOptions,
  type SimulatorEndpoints,
} from "./config.js";
import { SOURCE_ADDRESS_HEADER } from "./network-client.js";
import { handleAuthorizeRequest, withResponse, type AuthorizeErrorRule, type AuthorizeOutcome } from "./authorize-endpoint.js";
import { openSignInPage } from "./system-browser.js";
import { checkFiniteNumber, checkKnownKeys, checkOneOf, checkWholeNumber, shown } from "./validation.js";
import {
  handleImdsRequest,
  imdsFaultBody,
  IMDS_TOKEN_PATH,
  initialManagedIdentities,
  managedIdentityClientIdOf,
  namesIdentity,
  toManagedIdentityRecord,
  type SimulatedManagedIdentity,
  type SimulatorManagedIdentityOptions,
} from "./managed-identity.js";

/** Fixed default tenant id, so test output is stable. */
export const DEFAULT_TENANT_ID = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
/** Query parameter a token request can use to declare its simulated source address. */
export const SOURCE_ADDRESS_QUERY_PARAMETER = "sim_source";

/** Smart lockout settings. */
export interface SimulatorLockoutOptions {
  /** Counted failures that lock: a whole number, at least 1. @default 10, or 3 with `profile: "usgov"` */
  readonly threshold?: number;
  /** First lockout, in ms (finite, above 0). @default 60_000 */
  readonly durationMs?: number;
  /**
   * How repeated lockouts grow: `{ factor, maxDurationMs }` (`factor` at least 1,
   * `maxDurationMs` not below `durationMs`) or a function of the lockout number (1-based)
   * and the first duration. @default doubling, capped at 30 minutes
   */
  readonly escalation?: LockoutEscalation | ((lockoutNumber: number, durationMs: number) => number);
}

/** Device-code flow settings. */
export interface SimulatorDeviceCodeOptions {
  /**
   * Polling `interval` sent to the client, in seconds. MSAL sleeps this long (real time)
   * between polls; use 0 in tests. 0 or more. @default 5
   */
  readonly intervalSeconds?: number;
  /** Lifetime of a device code, seconds (above 0). @default 900 */
  readonly expiresInSeconds?: number;
  /**
   * Approve every new device code as this user at once. As with
   * {@link EntraSimulator.approveDeviceCode}, a user whose lockout counter is locked
   * when the client redeems the code gets 50053. @default none
   */
  readonly autoApprove?: string;
}

/** Which `/authorize` requests a {@link SignInFailureRule} applies to. Every field given must match. */
export interface SignInMatch {
  readonly clientId?: string;
  /** The user signing in (`login_hint`, else the interactive user), compared case-insensitively. */
  readonly username?: string;
  /** `true`: only `prompt=none` (hidden iframe) requests; `false`: only interactive ones. */
  readonly silent?: boolean;
}

/** Options for {@link EntraSimulator.failSignIns}: an error redirect instead of a sign-in. */
export interface SignInFailureRule extends AuthorizeErrorRule {
  /** @default every `/authorize` request */
  readonly match?: SignInMatch;
  /** How many sign-ins fail before the rule retires itself. @default unlimited (until removed) */
  readonly times?: number;
}

/** Options for {@link startEntraSimulator}. */
export interface EntraSimulatorOptions extends ErrorShapeOptions {
  /** Tenant id (GUID). @default DEFAULT_TENANT_ID */
  readonly tenantId?: string;
  /** Time source for every window. @default the wall clock, read at call time */
  readonly clock?: SimulatorClock;
  /** `usgov` lowers the lockout threshold to 3, as in Azure US Government. `"public"` or `"usgov"`. @default "public" */
  readonly profile?: "public" | "usgov";
  readonly lockout?: SimulatorLockoutOptions;
  readonly users?: readonly SimulatedUser[];
  readonly clients?: readonly SimulatedClient[];
  readonly conditionalAccess?: readonly CaRule[];
  /**
   * Source addresses Entra considers malicious: every password and `/authorize` sign-in
   * from them gets 50053. Device-code redemptions are not checked (the user signs in on
   * another device).
   */
  readonly flaggedAddresses?: readonly string[];
  /**
   * Source address of requests that declare none. It is a familiar location for every
   * user. @default "127.0.0.1"
   */
  readonly defaultSourceAddress?: string;
  /**
   * `false` turns loop detection off. `limit` is a whole number of at least 1, `windowMs`
   * above 0. @default { limit: 15, windowMs: 300_000 }
   */
  readonly loopDetection?: LoopDetectionOptions | false;
  /** `expires_in` of access and ID tokens, whole seconds, at least 1. @default 3599 */
  readonly tokenLifetimeSeconds?: number;
  /** Refresh tokens unused this long get 70008, in ms (0 or more). @default 90 days */
  readonly refreshTokenLifetimeMs?: number;
  readonly deviceCode?: SimulatorDeviceCodeOptions;
  /** Host of the `https:` authority string MSAL is given. @default "login.simulator.test" */
  readonly authorityHost?: string;
  /** TCP port on 127.0.0.1. @default 0 (a random free port) */
  readonly port?: number;
  /** Makes unique ids (trace ids, tokens, codes). @default crypto.randomUUID */
  readonly createId?: () => string;
  /**
   * The user signed in to the simulated browser session (see `setInteractiveUser`).
   * @default none: interactive sign-ins need a `login_hint`, `prompt=none` gets `login_required`
   */
  readonly interactiveUser?: string;
  /**
   * Managed identities of the simulated Azure resource, served at the IMDS token path
   * (see {@link EntraSimulator.setManagedIdentityEnv}).
   * @default a system-assigned identity only
   */
  readonly managedIdentity?: SimulatorManagedIdentityOptions;
}

/** A lockout counter as tests see it. */
export interface LockoutSnapshot {
  readonly location: LockoutLocation;
  /** Counted failures since the last reset or lock. */
  readonly failedCount: number;
  /** Whether the counter is locked now (simulator clock). */
  readonly locked: boolean;
  /** End of the current or last lock, ms epoch. */
  readonly lockedUntilMs: number | undefined;
  /** Locks since the last successful sign-in. */
  readonly lockoutCount: number;
}

/** Options for {@link EntraSimulator.issueAuthorizationCode}. */
export interface AuthorizationCodeOptions {
  /** Only this client may redeem it. @default any client */
  readonly clientId?: string;
  /** Scope granted when the redemption names none. */
  readonly scopes?: readonly string[];
  /** Put into the ID token; MSAL checks it against the request's `nonce`. */
  readonly nonce?: string;
  readonly redirectUri?: string;
  /** PKCE challenge the redemption's `code_verifier` must match. */
  readonly codeChallenge?: string;
  /** @default "S256" */
  readonly codeChallengeMethod?: "S256" | "plain";
  /** Code lifetime in ms. @default 600_000 (10 minutes) */
  readonly lifetimeMs?: number;
}

/** A running simulator. */
export interface EntraSimulator {
  /** Base URL, e.g. `http://127.0.0.1:50123`. */
  readonly url: string;
  readonly tenantId: string;
  /** `https://login.simulator.test/<tenant>`: the authority string to give MSAL. */
  readonly authority: string;
  readonly endpoints: SimulatorEndpoints;
  readonly clock: SimulatorClock;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;

  /** Adds a user; throws if the user name exists or the entry is invalid (as {@link startEntraSimulator} would). */
  addUser(user: SimulatedUser): void;
  /**
   * Changes a user. A new password revokes their refresh tokens and clears lockout.
   * Throws for an unknown user or an unknown `state`.
   */
  updateUser(username: string, update: SimulatedUserUpdate): void;
  /**
   * Registers an app (client id); throws if the client id exists or the entry cannot
   * work (a confidential client without a secret, a public one with a secret).
   */
  addClient(client: SimulatedClient): void;
  /** Adds a Conditional Access rule, applied to later sign-ins; throws for an unknown `action`. */
  addConditionalAccessRule(rule: CaRule): void;
  /** Removes every rule with this policy id. */
  removeConditionalAccessRule(policyId: string): void;
  /**
   * Marks a source address as risky: every password and `/authorize` sign-in from it
   * answers 50053 (locked), whatever the account's state. Device-code redemptions are not checked.
   */
  flagAddress(address: string): void;
  /** Takes an address off the risky list. */
  unflagAddress(address: string): void;
  /** Source address for later requests that declare none; `undefined` restores the default. */
  setSourceAddress(address: string | undefined): void;
  /** Clears both of the user's lockout counters, as an admin unlock or SSPR would. Throws for an unknown user. */
  unlock(username: string): void;
  /**
   * The user's smart-lockout counter for familiar (default) or unfamiliar locations.
   * Throws for an unknown user (a misspelt name would otherwise read as "not locked").
   */
  lockoutState(username: string, location?: LockoutLocation): LockoutSnapshot;
  /** Replaces the error shape from now on; fields left out return to Entra's usual form (`setErrorShape({})` resets). */
  setErrorShape(options: ErrorShapeOptions): void;

  /**
   * Adds a fault; faults are tried in the order added, before throttling. Throws at once
   * (`RangeError`, or `TypeError` for a wrong type) for a `status` that is not a whole
   * number from 200 to 599 (a 1xx is no final answer), a `retryAfter` that is not a finite number of seconds 0 or
   * more or a valid `Date`, an unknown `body`, or a negative `delayMs` or `times`.
   */
  inject(fault: Fault): FaultHandle;
  /**
   * Answers matching requests with 429 and `Retry-After`. Throws at once for a
   * `retryAfter` that is not a finite number of seconds 0 or more or a valid `Date`, an
   * unknown `body`, a negative `times` or a non-numeric `untilMs`.
   */
  throttle(rule: ThrottleRule): FaultHandle;
  /** Removes all faults and throttling, `failSignIns` and `cancelSignIns` rules included. */
  clearFaults(): void;

  /** A snapshot of every request so far, oldest first (CORS preflights are not logged). */
  readonly requests: readonly RequestLogEntry[];
  /** Totals over the request log: by grant, user, client and status. */
  counts(): RequestCounts;
  /** Empties the request log (lockout state and faults stay). */
  resetLog(): void;

  /** A code for the authorization_code grant, as if `username` had signed in interactively. */
  issueAuthorizationCode(username: string, options?: AuthorizationCodeOptions): string;
  /**
   * Sets the user signed in to the simulated browser (the Entra session cookie, in
   * effect). `/authorize` signs in the `login_hint` user when that user exists, else
   * this one; `prompt=none` (MSAL's hidden iframe) needs a session: with `undefined`
   * it gets `login_required` (AADSTS50058) and an interactive sign-in with no known
   * `login_hint` comes back as cancelled (`access_denied`, `error_subcode=cancel`).
   */
  setInteractiveUser(username: string | undefined): void;
  /**
   * Answers matching `/authorize` requests with an error redirect instead of signing
   * the user in, e.g. `{ code: 50053 }` or a description carrying markup.
   */
  failSignIns(rule: SignInFailureRule): FaultHandle;
  /** The user backs out of the sign-in page: `error=access_denied&error_subcode=cancel`. */
  cancelSignIns(options?: { readonly times?: number; readonly match?: SignInMatch }): FaultHandle;
  /**
   * Approves a pending device code (`"latest"`: the newest one) as `username`. Smart
   * lockout still applies: if the user's counter for the redeeming request's location is
   * locked when the client redeems the code, the token endpoint answers `invalid_grant`
   * 50053 (reason `locked`), as the password grant and `/authorize` do, and the code
   * stays approved, so a redemption after the lock ends gets tokens. Flagged source
   * addresses are not applied to device-code sign-ins (the user signs in on another device).
   */
  approveDeviceCode(userCode: string, username: string): void;
  /** Revokes the user's refresh tokens (they then get 50173); returns how many. */
  revokeRefreshTokens(username: string): number;

  /** Attaches a user-assigned managed identity to the simulated resource; throws if its client id exists. */
  addManagedIdentity(identity: SimulatedManagedIdentity): void;
  /**
   * Detaches the managed identity with this client id, object id or resource id (the
   * system-assigned one too): requests for it then get 400 "Identity not found". Throws
   * if no identity matches.
   */
  removeManagedIdentity(id: string): void;
  /**
   * Points msal-node's `ManagedIdentityApplication` at this simulator: sets
   * `AZURE_POD_IDENTITY_AUTHORITY_HOST` to {@link EntraSimulator.url} in `env`, and removes
   * the variables that would make msal-node pick a source other than IMDS (App Service,
   * Service Fabric, Azure Arc, Cloud Shell, Machine Learning). Returns a function that
   * puts back every variable it changed.
   *
   * msal-node chooses its managed identity source, endpoint and retry setting
   * (`system.disableInternalRetries` of the first app) on the first managed identity
   * request of the module instance, and keeps them: call this before that request, and
   * use one simulator per test file (vitest gives each file its own modules).
   *
   * @param env - the environment to change; `process.env` when left out.
   * @example
   * const restore = sim.setManagedIdentityEnv();
   * try {
   *   const app = new ManagedIdentityApplication({ system: { disableInternalRetries: true } });
   *   await app.acquireToken({ resource: "https://vault.azure.net" });
   * } finally {
   *   restore();
   * }
   */
  setManagedIdentityEnv(env?: Record<string, string | undefined>): () => void;

  /**
   * The system browser for msal-node's interactive sign-in:
   * `app.acquireTokenInteractive({ scopes, openBrowser: sim.openBrowser })`. It opens the
   * sign-in page on this simulator (who signs in: the `login_hint` user, else
   * {@link setInteractiveUser}'s; `failSignIns` and friends apply) and delivers the answer
   * to msal-node's loopback server as a browser would: it follows the redirect, or submits
   * the `form_post` form msal-node 5+ asks for. Nothing but this simulator's pages and
   * loopback redirect URIs is ever opened. Rejects on an error page (unknown client or
   * redirect URI), which a real browser would just show.
   */
  readonly openBrowser: (url: string) => Promise<void>;
  /** `auth` for msal-node: authority, knownAuthorities, authorityMetadata (+ clientSecret). */
  msalNodeAuth(clientId: string, extra?: { clientSecret?: string }): MsalNodeAuthOptions;
  /** `auth` for msal-browser. `redirectUri` defaults to `<url>/redirect` (a blank page). */
  msalBrowserAuth(clientId: string, extra?: { redirectUri?: string }): MsalBrowserAuthOptions;
}

const MAX_BODY_BYTES = 1024 * 1024;
const NINETY_DAYS_MS = 90 * 24 * 60 * 60 * 1000;

/** Every `profile`. */
const PROFILES: readonly NonNullable<EntraSimulatorOptions["profile"]>[] = ["public", "usgov"];

/** `badPasswordCodes` needs at least one AADSTS code (an error body without one cannot be built). */
function checkErrorShape(where: string, shape: ErrorShapeOptions): void {
  const codes = shape.badPasswordCodes;
  if (codes !== undefined && (!Array.isArray(codes) || codes.length === 0 || !codes.every((code) => Number.isInteger(code) && code > 0))) {
    throw new RangeError(`${where}: badPasswordCodes must be a non-empty list of AADSTS codes, e.g. [50126] or [70002, 50126] (got ${JSON.stringify(codes)})`);
  }
}

/**
 * Throws on the first option the simulator cannot honour, before any port is opened,
 * naming the option and what to change.
 */
// Every option once; the compiler insists on each new one.
const OPTION_NAMES = Object.keys({
  tenantId: true, clock: true, profile: true, lockout: true, users: true, clients: true, conditionalAccess: true, flaggedAddresses: true,
  defaultSourceAddress: true, loopDetection: true, tokenLifetimeSeconds: true, refreshTokenLifetimeMs: true, deviceCode: true, authorityHost: true,
  port: true, createId: true, interactiveUser: true, managedIdentity: true, errorVariants: true, omitSuberror: true, badPasswordCodes: true,
  authorizeErrorVariants: true,
} satisfies Record<keyof EntraSimulatorOptions, true>);

function checkOptions(options: EntraSimulatorOptions): void {
  const where = "startEntraSimulator";
  checkKnownKeys(where, options, OPTION_NAMES);
  checkKnownKeys(where, options.lockout, ["threshold", "durationMs", "escalation"], "lockout.");
  if (options.loopDetection !== false) checkKnownKeys(where, options.loopDetection, ["limit", "windowMs"], "loopDetection.");
  checkKnownKeys(where, options.deviceCode, ["intervalSeconds", "expiresInSeconds", "autoApprove"], "deviceCode.");
  if (options.profile !== undefined) checkOneOf(where, "profile", options.profile, PROFILES);
  if (options.lockout !== undefined) checkLockoutSettings(where, "lockout.", options.lockout);
  const loop = options.loopDetection;
  if (loop !== undefined && loop !== false) {
    if (loop.limit !== undefined) checkWholeNumber(where, "loopDetection.limit", loop.limit, 1, "; to turn loop detection off, pass loopDetection: false");
    if (loop.windowMs !== undefined) checkFiniteNumber(where, "loopDetection.windowMs", loop.windowMs, "milliseconds");
  }
  if (options.tokenLifetimeSeconds !== undefined) checkWholeNumber(where, "tokenLifetimeSeconds", options.tokenLifetimeSeconds, 1);
  if (options.port !== undefined) {
    const port: unknown = options.port;
    const what = `${where}: port must be a whole number from 0 (a random free port) to 65535`;
    if (typeof port !== "number") throw new TypeError(`${what} (got ${typeof port} ${shown(port)})`);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`${what} (got ${shown(port)})`);
  }
  if (options.refreshTokenLifetimeMs !== undefined) {
    checkFiniteNumber(where, "refreshTokenLifetimeMs", options.refreshTokenLifetimeMs, "milliseconds", { allowZero: true });
  }
  const deviceCode = options.deviceCode;
  if (deviceCode?.intervalSeconds !== undefined) checkFiniteNumber(where, "deviceCode.intervalSeconds", deviceCode.intervalSeconds, "seconds", { allowZero: true });
  if (deviceCode?.expiresInSeconds !== undefined) checkFiniteNumber(where, "deviceCode.expiresInSeconds", deviceCode.expiresInSeconds, "seconds");
  checkErrorShape(where, options);

  const users = new Map<string, number>();
  (options.users ?? []).forEach((user, index) => {
    checkUser(`${where}: users[${index}]`, user);
    const key = userKey(user.username);
    const earlier = users.get(key);
    if (earlier !== undefined) {
      throw new Error(`${where}: users[${index}]: simulated user ${user.username} already exists (users[${earlier}]; user names compare case-insensitively); remove one of them`);
    }
    users.set(key, index);
  });
  for (const [option, username] of [
    ["interactiveUser", options.interactiveUser],
    ["deviceCode.autoApprove", deviceCode?.autoApprove],
  ] as const) {
    if (username !== undefined && (typeof username !== "string" || !users.has(userKey(username)))) {
      throw new RangeError(`${where}: ${option} ${JSON.stringify(username)} is not one of the simulated users; add it to users, or correct the name`);
    }
  }
  const clients = new Map<string, number>();
  (options.clients ?? []).forEach((client, index) => {
    checkClient(`${where}: clients[${index}]`, client);
    const earlier = clients.get(client.clientId);
    if (earlier !== undefined) {
      throw new Error(`${where}: clients[${index}]: simulated client ${client.clientId} already exists (clients[${earlier}]); remove one of them`);
    }
    clients.set(client.clientId, index);
  });
  (options.conditionalAccess ?? []).forEach((rule, index) => checkCaRule(`${where}: conditionalAccess[${index}]`, rule));
}

function resolveDuration(options: SimulatorLockoutOptions | undefined): (n: number) => number {
  const base = options?.durationMs ?? DEFAULT_LOCKOUT_DURATION_MS;
  const escalation = options?.escalation;
  if (typeof escalation === "function") return (n) => escalation(n, base);
  return escalatingDuration(base, escalation);
}

/** Request facts the router works out before any handler runs. */
interface ParsedRequest {
  readonly method: string;
  readonly url: URL;
  readonly endpoint: SimulatorEndpoint;
  readonly tenantOk: boolean;
  readonly tenant: string | undefined;
  readonly params: URLSearchParams;
  readonly correlationId: string;
  readonly sourceAddress: string;
  /** The `Metadata` header, which IMDS requires to be `true`. */
  readonly metadataHeader: string | undefined;
}

/** Reply to write, plus what the log should say. */
interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly codes?: readonly number[];
  readonly error?: string;
  readonly reason?: string;
  readonly username?: string;
  readonly location?: LockoutLocation;
}

function routeOf(pathname: string): { endpoint: SimulatorEndpoint; tenant: string | undefined } {
  if (pathname === "/redirect") return { endpoint: "redirect", tenant: undefined };
  // msal-node asks for the IMDS path with a trailing slash (it canonicalises the URL); IMDS takes both.
  if (pathname === IMDS_TOKEN_PATH || pathname === `${IMDS_TOKEN_PATH}/`) return { endpoint: "imds", tenant: undefined };
  const match = /^\/([^/]+)\/(oauth2\/v2\.0\/(token|devicecode|authorize)|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.exec(pathname);
  if (!match) return { endpoint: "other", tenant: undefined };
  const tenant = decodeURIComponent(match[1] as string);
  const sub = match[3];
  if (sub === "token" || sub === "devicecode" || sub === "authorize") return { endpoint: sub, tenant };
  return { endpoint: match[2]?.startsWith("discovery") ? "keys" : "openid-configuration", tenant };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "Retry-After, client-request-id, x-ms-request-id",
};

/**
 * Starts a simulator on `127.0.0.1` (random port unless `port` is given).
 *
 * A request declares its simulated source address with the header
 * `x-simulator-source-address` or the token-URL query parameter `sim_source`. From
 * msal-node use the request option `extraQueryParameters: { sim_source: "203.0.113.7" }`:
 * MSAL appends it to the token POST URL for every grant (for client credentials and OBO
 * the typings omit the option, but MSAL passes it through at runtime). Otherwise
 * `sim.setSourceAddress()` sets it for later requests.
 *
 * Options the simulator cannot honour reject the returned promise before any port is
 * opened, with a message naming the option and what to change: a `RangeError` for an
 * unusable value (a lockout threshold of 0, a negative duration, a `maxDurationMs` below
 * `durationMs`, an unknown `profile`, user `state` or rule `action`, a confidential client
 * without a secret or a public one with a secret), a `TypeError` for a wrong type, an
 * `Error` for a user or client listed twice.
 *
 * @example
 * const clock = createManualClock();
 * const sim = await startEntraSimulator({
 *   clock,
 *   users: [{ username: "ada@contoso.test", password: "right" }],
 *   clients: [{ clientId: "cli-app" }],
 * });
 * const pca = new PublicClientApplication({ auth: sim.msalNodeAuth("cli-app") });
 */
export async function startEntraSimulator(options: EntraSimulatorOptions = {}): Promise<EntraSimulator> {
  checkOptions(options);
  const clock = options.clock ?? systemClock;
  const createId = options.createId ?? (() => randomUUID());
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  const authorityHost = options.authorityHost ?? "login.simulator.test";
  const authority = `https://${authorityHost}/${tenantId}`;
  const defaultSourceAddress = options.defaultSourceAddress ?? "127.0.0.1";
  const salt = randomBytes(16).toString("base64url");
  const loopOptions = options.loopDetection;

  const server = createServer();
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const endpoints = simulatorEndpoints(url, authority, tenantId);

  const state: TenantState = {
    tenantId,
    issuer: endpoints.issuer,
    salt,
    users: new Map(),
    clients: new Map(),
    caRules: [...(options.conditionalAccess ?? [])],
    flaggedAddresses: new Set(options.flaggedAddresses ?? []),
    counters: new Map(),
    refreshTokens: new Map(),
    accessTokens: new Map(),
    authCodes: new Map(),
    deviceCodes: new Map(),
    managedIdentities: initialManagedIdentities(options.managedIdentity, tenantId),
    lockoutPolicy: {
      threshold: options.lockout?.threshold ?? (options.profile === "usgov" ? 3 : 10),
      durationMs: resolveDuration(options.lockout),
    },
    loopDetector: loopOptions === false ? undefined : createLoopDetector(loopOptions),
    familiarForAll: defaultSourceAddress,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    refreshTokenLifetimeMs: options.refreshTokenLifetimeMs ?? NINETY_DAYS_MS,
    errorShape: resolveErrorShape(options),
    deviceCode: {
      intervalSeconds: options.deviceCode?.intervalSeconds ?? 5,
      expiresInSeconds: options.deviceCode?.expiresInSeconds ?? 900,
      autoApprove: options.deviceCode?.autoApprove,
      verificationUri: `${url}/devicelogin`,
    },
    createId,
  };
  for (const user of options.users ?? []) state.users.set(userKey(user.username), toUserRecord(user, salt));
  for (const client of options.clients ?? []) state.clients.set(client.clientId, toClientRecord(client));
  let interactiveUser = options.interactiveUser;
  const signInFailures: SignInFailureEntry[] = [];

  const faults: ActiveFault[] = [];
  const throttles: ActiveFault[] = [];
  const log: RequestLogEntry[] = [];
  let sourceOverride: string | undefined;
  let closed = false;
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      sleepers.add(sleeper);
    });
  }

  function errorReply(spec: EntraErrorSpec, parsed: ParsedRequest, extra: Partial<Reply> = {}, headers: Record<string, string> = {}): Reply {
    const primary = spec.codes[spec.codes.length - 1] as number;
    const shape = state.errorShape;
    const shaped: EntraErrorSpec = {
      ...spec,
      ...(spec.error === undefined && shape.errorVariants.has(primary) ? { error: shape.errorVariants.get(primary) } : {}),
      ...(shape.omitSuberror.has(primary) ? { suberror: null } : {}),
    };
    const { status, body } = buildErrorBody(shaped, { nowMs: clock.now(), traceId: createId(), correlationId: parsed.correlationId });
    return {
      status,
      headers: { "content-type": "application/json; charset=utf-8", "x-ms-request-id": body.trace_id, ...headers },
      body: JSON.stringify(body),
      codes: body.error_codes,
      error: body.error,
      ...extra,
    };
  }

  function jsonReply(status: number, value: unknown, extra: Partial<Reply> = {}): Reply {
    return { status, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(value), ...extra };
  }

  function faultReply(fault: StatusFault, parsed: ParsedRequest, reason: string): Reply {
    const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { "retry-after": retryAfterHeader(fault.retryAfter) };
    switch (fault.body ?? "json") {
      case "html":
        return { status: fault.status, headers: { ...headers, "content-type": "text/html; charset=utf-8" }, body: htmlErrorPage(fault.status), reason };
      case "empty":
        return { status: fault.status, headers, reason };
      case "empty-object":
        return { status: fault.status, headers: { ...headers, "content-type": "application/json; charset=utf-8" }, body: "{}", reason };
      case "json":
        if (parsed.endpoint === "imds") {
          const { body, codes } = imdsFaultBody(fault);
          return jsonReply(fault.status, body, { codes, error: body.error, reason, headers: { ...headers, "content-type": "application/json; charset=utf-8" } });
        }
        return errorReply(
          {
            codes: [fault.code ?? defaultFaultCode(fault.status)],
            status: fault.status,
            ...(fault.error === undefined ? {} : { error: fault.error }),
            ...(fault.suberror === undefined ? {} : { suberror: fault.suberror }),
            ...(fault.claims === undefined ? {} : { claims: fault.claims }),
            ...(fault.description === undefined ? {} : { text: fault.description }),
          },
          parsed,
          { reason },
          headers,
        );
    }
  }

  function outcomeReply(outcome: TokenOutcome, parsed: ParsedRequest): Reply {
    const who = { username: outcome.username, location: outcome.location };
    if (outcome.kind === "error") return errorReply(outcome.spec, parsed, { reason: outcome.reason, ...who });
    return {
      ...jsonReply(200, outcome.body, who),
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store, no-cache", pragma: "no-cache" },
    };
  }

  function authorizeReply(parsed: ParsedRequest): Reply {
    const params = authorizeParams(parsed);
    const outcome = handleAuthorizeRequest(
      state,
      {
        params,
        sourceAddress: parsed.sourceAddress,
        nowMs: clock.now(),
        interactiveUser,
        forced: takeSignInFailure(signInFailures, {
          clientId: params.get("client_id") ?? undefined,
          username: params.get("login_hint") ?? interactiveUser,
          silent: params.get("prompt") === "none",
        }),
      },
      state.errorShape.authorizeErrorVariants,
    );
    return outcomeToReply(outcome, parsed);
  }

  function outcomeToReply(outcome: AuthorizeOutcome, parsed: ParsedRequest): Reply {
    if (outcome.kind === "page") {
      const json = errorReply(outcome.spec, parsed, { reason: outcome.reason });
      const body = JSON.parse(json.body ?? "{}") as { error?: string; error_description?: string };
      return { ...json, headers: { "content-type": "text/html; charset=utf-8" }, body: authorizeErrorPage(body.error ?? "", body.error_description ?? "") };
    }
    const fields: Record<string, string> = {};
    let codes: readonly number[] = [];
    let error = outcome.params["error"];
    if (outcome.spec !== undefined) {
      const json = errorReply(outcome.spec, parsed);
      const body = JSON.parse(json.body ?? "{}") as Record<string, unknown>;
      for (const name of ["error", "error_description", "error_uri", "suberror", "claims"]) {
        const value = body[name];
        if (typeof value === "string") fields[name] = value;
      }
      codes = json.codes ?? [];
      error = json.error;
    }
    Object.assign(fields, outcome.params);
    if (outcome.state !== undefined) fields["state"] = outcome.state;
    const logged = { codes, error, reason: outcome.reason, username: outcome.username, location: outcome.location };
    if (outcome.responseMode === "form_post") {
      return { status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store, no-cache", pragma: "no-cache" }, body: formPostPage(outcome.redirectUri, fields), ...logged };
    }
    return {
      status: 302,
      headers: { location: withResponse(outcome.redirectUri, outcome.responseMode, fields), "cache-control": "no-store, no-cache", pragma: "no-cache" },
      codes,
      error,
      reason: outcome.reason,
      username: outcome.username,
      location: outcome.location,
    };
  }

  function imdsReply(parsed: ParsedRequest): Reply {
    const outcome = handleImdsRequest(state, {
      method: parsed.method,
      query: parsed.url.searchParams,
      metadataHeader: parsed.metadataHeader,
      nowMs: clock.now(),
    });
    if (outcome.kind === "error") return jsonReply(outcome.status, outcome.body, { error: outcome.body.error, reason: outcome.reason });
    return jsonReply(200, outcome.body);
  }

  function metadataDocument(): Record<string, unknown> {
    return {
      issuer: endpoints.issuer,
      authorization_endpoint: endpoints.authorizationEndpoint,
      token_endpoint: endpoints.tokenEndpoint,
      device_authorization_endpoint: endpoints.deviceCodeEndpoint,
      end_session_endpoint: endpoints.endSessionEndpoint,
      jwks_uri: endpoints.jwksUri,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      response_modes_supported: ["query", "fragment", "form_post"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "nonce", "oid", "preferred_username", "tid", "ver"],
      tenant_region_scope: null,
      cloud_instance_name: authorityHost,
    };
  }

  function dispatch(parsed: ParsedRequest): Reply {
    const { endpoint, method } = parsed;
    if (endpoint === "other") return { status: 404, headers: { "content-type": "text/plain" }, body: "Not found", reason: "not_found" };
    if (endpoint === "redirect") return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: "<!DOCTYPE html><title>redirect</title>" };
    if (endpoint === "imds") return imdsReply(parsed);
    if (!parsed.tenantOk) return errorReply({ codes: [90002], details: { tenant: parsed.tenant ?? "" } }, parsed, { reason: "unknown_tenant" });
    switch (endpoint) {
      case "openid-configuration":
        return jsonReply(200, metadataDocument());
      case "keys":
        return jsonReply(200, { keys: [] });
      case "authorize":
        return authorizeReply(parsed);
      case "token":
      case "devicecode": {
        if (method !== "POST") return errorReply({ codes: [900561], details: { method } }, parsed, { reason: "wrong_method" });
        const request = { params: parsed.params, sourceAddress: parsed.sourceAddress, nowMs: clock.now() };
        const outcome = endpoint === "token" ? handleTokenRequest(state, request) : handleDeviceCodeRequest(state, request);
        return outcomeReply(outcome, parsed);
      }
    }
  }

  function parseRequest(req: IncomingMessage, rawBody: string): ParsedRequest {
    const requestUrl = new URL(req.url ?? "/", url);
    const { endpoint, tenant } = routeOf(requestUrl.pathname);
    const isForm = (req.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
    const params = new URLSearchParams(isForm ? rawBody : "");
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const tenantLower = tenant?.toLowerCase();
    return {
      method: req.method ?? "GET",
      url: requestUrl,
      endpoint,
      tenant,
      tenantOk: tenantLower === tenantId.toLowerCase() || tenantLower === "common" || tenantLower === "organizations",
      params,
      correlationId:
        header("client-request-id") ??
        header("x-ms-client-request-id") ??
        requestUrl.searchParams.get("client-request-id") ??
        params.get("client-request-id") ??
        createId(),
      sourceAddress:
        header(SOURCE_ADDRESS_HEADER) ??
        requestUrl.searchParams.get(SOURCE_ADDRESS_QUERY_PARAMETER) ??
        sourceOverride ??
        defaultSourceAddress,
      metadataHeader: header("metadata"),
    };
  }

  function record(parsed: ParsedRequest, arrivedMs: number, reply: Reply | undefined, target: FaultTarget, reason?: string): void {
    const grant = parsed.endpoint === "token" ? grantOf(parsed.params) : undefined;
    log.push({
      timeMs: arrivedMs,
      method: parsed.method,
      endpoint: parsed.endpoint,
      path: loggedPath(parsed.url),
      grant,
      clientId: target.clientId ?? parsed.url.searchParams.get("client_id") ?? undefined,
      username: reply?.username ?? target.username,
      sourceAddress: parsed.sourceAddress,
      location: reply?.location,
      status: reply?.status,
      codes: reply?.codes ?? [],
      error: reply?.error,
      correlationId: parsed.correlationId,
      reason: reply?.reason ?? reason,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        ...CORS_HEADERS,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "*",
        "access-control-max-age": "86400",
      });
      res.end();
      return;
    }
    const arrivedMs = clock.now();
    const rawBody = await readBody(req);
    if (rawBody === undefined) return;
    const parsed = parseRequest(req, rawBody);
    const grant = parsed.endpoint === "token" ? grantOf(parsed.params) : undefined;
    const authorize = parsed.endpoint === "authorize" ? authorizeParams(parsed) : undefined;
    const username =
      parsed.endpoint === "token" ? usernameOf(state, parsed.params) : authorize ? (authorize.get("login_hint") ?? interactiveUser) : undefined;
    const clientId =
      parsed.endpoint === "imds" ? managedIdentityClientIdOf(state, parsed.url.searchParams) : ((authorize ?? parsed.params).get("client_id") ?? undefined);
    const target: FaultTarget = { endpoint: parsed.endpoint, grant, clientId, username };

    let reply: Reply | undefined;
    const fault = takeFault(faults, target, arrivedMs);
    const throttled = fault === undefined ? takeFault(throttles, target, arrivedMs) : undefined;
    const active = fault ?? throttled;
    if (active?.delayMs !== undefined && active.delayMs > 0) {
      await sleep(active.delayMs);
      if (closed) return;
    }
    if (active !== undefined && "drop" in active) {
      record(parsed, arrivedMs, undefined, target, "fault_drop");
      req.socket.destroy();
      return;
    }
    if (active !== undefined && "status" in active) {
      reply = { ...faultReply(active, parsed, throttled ? "throttled" : "fault"), username };
    }
    reply ??= dispatch(parsed);

    record(parsed, arrivedMs, reply, target);
    res.writeHead(reply.status, {
      ...CORS_HEADERS,
      "client-request-id": parsed.correlationId,
      ...reply.headers,
    });
    res.end(reply.body);
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { ...CORS_HEADERS, "content-type": "text/plain" });
      res.end(`simulator error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  function requireUser(username: string) {
    const user = state.users.get(userKey(username));
    if (user === undefined) throw new Error(`no simulated user ${username}`);
    return user;
  }

  const simulator: EntraSimulator = {
    url,
    tenantId,
    authority,
    endpoints,
    clock,

    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const sleeper of sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.wake();
      }
      sleepers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
    },

    addUser(user) {
      checkUser("addUser", user);
      const key = userKey(user.username);
      if (state.users.has(key)) throw new Error(`simulated user ${user.username} already exists`);
      state.users.set(key, toUserRecord(user, salt));
    },
    updateUser(username, update) {
      const key = userKey(username);
      const user = requireUser(username);
      checkUserUpdate("updateUser", update);
      state.users.set(key, applyUserUpdate(user, update, salt));
      if (update.password !== undefined) {
        simulator.revokeRefreshTokens(username);
        simulator.unlock(username);
      }
    },
    addClient(client) {
      checkClient("addClient", client);
      if (state.clients.has(client.clientId)) throw new Error(`simulated client ${client.clientId} already exists`);
      state.clients.set(client.clientId, toClientRecord(client));
    },
    addConditionalAccessRule(rule) {
      checkCaRule("addConditionalAccessRule", rule);
      state.caRules = [...state.caRules, rule];
    },
    removeConditionalAccessRule(policyId) {
      state.caRules = state.caRules.filter((rule) => rule.policyId !== policyId);
    },
    flagAddress(address) {
      state.flaggedAddresses.add(address);
    },
    unflagAddress(address) {
      state.flaggedAddresses.delete(address);
    },
    setSourceAddress(address) {
      sourceOverride = address;
    },
    unlock(username) {
      const key = userKey(requireUser(username).username);
      state.counters.delete(counterKey(key, "familiar"));
      state.counters.delete(counterKey(key, "unfamiliar"));
    },
    lockoutState(username, location = "familiar") {
      const key = userKey(requireUser(username).username);
      const counter = state.counters.get(counterKey(key, location)) ?? INITIAL_LOCKOUT_COUNTER;
      return {
        location,
        failedCount: counter.failedCount,
        locked: isLocked(counter, clock.now()),
        lockedUntilMs: counter.lockedUntilMs,
        lockoutCount: counter.lockoutCount,
      };
    },
    setErrorShape(shapeOptions) {
      checkErrorShape("setErrorShape", shapeOptions);
      // Replaces the whole shape: options left out go back to Entra's usual form.
      state.errorShape = resolveErrorShape(shapeOptions);
    },

    inject(fault) {
      checkFault("inject", fault);
      const entry = activate(fault);
      faults.push(entry);
      return handleFor(faults, entry);
    },
    throttle(rule) {
      checkThrottleRule("throttle", rule);
      const entry = activate(throttleToFault(rule), rule.untilMs);
      throttles.push(entry);
      return handleFor(throttles, entry);
    },
    clearFaults() {
      for (const entry of [...faults, ...throttles, ...signInFailures]) entry.remaining = 0;
      faults.length = 0;
      throttles.length = 0;
      signInFailures.length = 0;
    },

    get requests() {
      return [...log];
    },
    counts() {
      return countRequests(log);
    },
    resetLog() {
      log.length = 0;
    },

    setInteractiveUser(username) {
      if (username !== undefined) requireUser(username);
      interactiveUser = username;
    },
    failSignIns(rule) {
      return addSignInFailure("failSignIns", signInFailures, rule);
    },
    cancelSignIns(cancelOptions = {}) {
      return addSignInFailure("cancelSignIns", signInFailures, { error: "access_denied", errorSubcode: "cancel", ...cancelOptions });
    },

    issueAuthorizationCode(username, codeOptions = {}) {
      const user = requireUser(username);
      const code = `simAC.${createId()}`;
      state.authCodes.set(code, {
        userKey: userKey(user.username),
        clientId: codeOptions.clientId,
        scope: codeOptions.scopes?.join(" "),
        nonce: codeOptions.nonce,
        redirectUri: codeOptions.redirectUri,
        codeChallenge: codeOptions.codeChallenge,
        codeChallengeMethod: codeOptions.codeChallengeMethod ?? "S256",
        expiresAtMs: clock.now() + (codeOptions.lifetimeMs ?? 600_000),
        redeemed: false,
      });
      return code;
    },
    approveDeviceCode(userCode, username) {
      requireUser(username);
      const pending = [...state.deviceCodes.values()].filter((entry) => !entry.redeemed);
      const entry = userCode === "latest" ? pending.at(-1) : pending.find((candidate) => candidate.userCode === userCode);
      if (entry === undefined) throw new Error(`no pending device code ${userCode}`);
      entry.approvedBy = username;
    },
    revokeRefreshTokens(username) {
      const key = userKey(username);
      let revoked = 0;
      for (const token of state.refreshTokens.values()) {
        if (token.userKey === key && !token.revoked) {
          token.revoked = true;
          revoked += 1;
        }
      }
      return revoked;
    },

    addManagedIdentity(identity) {
      if (state.managedIdentities.some((record) => record.clientId.toLowerCase() === identity.clientId.toLowerCase())) {
        throw new Error(`simulated managed identity ${identity.clientId} already exists`);
      }
      state.managedIdentities = [...state.managedIdentities, toManagedIdentityRecord(identity, false)];
    },
    removeManagedIdentity(id) {
      const remaining = state.managedIdentities.filter((record) => !namesIdentity(record, id));
      if (remaining.length === state.managedIdentities.length) throw new Error(`no simulated managed identity ${id}`);
      state.managedIdentities = remaining;
    },
    setManagedIdentityEnv(env = process.env) {
      const saved = new Map<string, string | undefined>();
      for (const name of [IMDS_HOST_VARIABLE, ...OTHER_MANAGED_IDENTITY_VARIABLES]) {
        saved.set(name, env[name]);
        delete env[name];
      }
      env[IMDS_HOST_VARIABLE] = url;
      return () => {
        for (const [name, value] of saved) {
          if (value === undefined) delete env[name];
          else env[name] = value;
        }
      };
    },

    openBrowser: (signInUrl: string) => openSignInPage(new URL(url).origin, signInUrl),
    msalNodeAuth(clientId, extra = {}) {
      return {
        clientId,
        authority,
        knownAuthorities: [authorityHostOf(authority)],
        authorityMetadata: authorityMetadataJson(endpoints),
        ...(extra.clientSecret === undefined ? {} : { clientSecret: extra.clientSecret }),
      };
    },
    msalBrowserAuth(clientId, extra = {}) {
      return {
        clientId,
        authority,
        knownAuthorities: [authorityHostOf(authority)],
        authorityMetadata: authorityMetadataJson(endpoints),
        redirectUri: extra.redirectUri ?? `${url}/redirect`,
      };
    },
  };
  return simulator;
}

/** `/authorize` parameters: the query, plus the form body of a POSTed request. */
function authorizeParams(parsed: ParsedRequest): URLSearchParams {
  const merged = new URLSearchParams(parsed.url.search);
  for (const [name, value] of parsed.params) if (!merged.has(name)) merged.set(name, value);
  return merged;
}

interface SignInFailureEntry {
  readonly rule: SignInFailureRule;
  remaining: number;
  hits: number;
}

function addSignInFailure(where: string, list: SignInFailureEntry[], rule: SignInFailureRule): FaultHandle {
  checkTimes(where, rule.times);
  const times = rule.times ?? Number.POSITIVE_INFINITY;
  const entry: SignInFailureEntry = { rule, remaining: times, hits: 0 };
  if (times > 0) list.push(entry);
  return handleFor(list, entry);
}

function takeSignInFailure(
  list: SignInFailureEntry[],
  target: { clientId: string | undefined; username: string | undefined; silent: boolean },
): AuthorizeErrorRule | undefined {
  const entry = list.find(({ rule: { match } }) => {
    if (match === undefined) return true;
    if (match.clientId !== undefined && match.clientId !== target.clientId) return false;
    if (match.silent !== undefined && match.silent !== target.silent) return false;
    if (match.username !== undefined && match.username.toLowerCase() !== target.username?.toLowerCase()) return false;
    return true;
  });
  if (entry === undefined) return undefined;
  entry.hits += 1;
  entry.remaining -= 1;
  if (entry.remaining <= 0) list.splice(list.indexOf(entry), 1);
  return entry.rule;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `response_mode=form_post`: a page whose form posts the response to the redirect URI as soon as it loads. */
function formPostPage(redirectUri: string, fields: Readonly<Record<string, string>>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}"/>`)
    .join("");
  return `<!DOCTYPE html><html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeHtml(redirectUri)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"/></noscript></form><script>document.forms[0].submit();</script></body></html>`;
}

/** The page Entra shows when it cannot redirect an error back (unknown client, bad redirect URI). */
function authorizeErrorPage(error: string, description: string): string {
  return `<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p id="error">${escapeHtml(error)}</p><pre id="error_description">${escapeHtml(description)}</pre></body></html>`;
}
