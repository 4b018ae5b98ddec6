import type {
  ConfidentialClientApplication,
  ManagedIdentityApplication,
  PublicClientApplication,
} from "@azure/msal-node";
import { guardedProxy } from "../core/guard/wrap.js";
import { requestVariant } from "../core/guard/flight.js";
import { optionalText, rejectUnknownOptions } from "../core/options.js";
import {
  createEngine,
  type GuardEvent,
  type GuardIdentity,
  type GuardStatus,
  type ResetScope,
  type SuppressionEngine,
} from "../core/guard/engine.js";
import type { SuppressionPolicyOptions } from "../core/guard/policy.js";
import type { GuardClock, GuardStore } from "../core/guard/store.js";
import { read } from "../core/read.js";
import { namesOfAccount, resetEveryName } from "../core/guard/accounts.js";

/** Anything that can tell the raw HTTP response of a failed request by correlation id (see `createNetworkObserver`). */
export interface ResponseSource {
  /** The recorded HTTP response for a correlation id, or `undefined`. */
  responseFor(correlationId: string): unknown;
  /**
   * Runs one MSAL call and tells the last failed response of the requests it sent: the
   * guard's answer for errors with no correlation id (managed identity). Optional.
   */
  observe?<T>(run: () => Promise<T>): { readonly result: Promise<T>; readonly lastFailure: unknown };
  /**
   * Runs one MSAL call with the network closed (only MSAL's token cache can answer): its
   * result, or `undefined`. With it, a call the guard would suppress still gets a token MSAL
   * has cached. Optional.
   */
  offline?<T>(run: () => Promise<T>): Promise<T | undefined>;
}

export interface GuardClientOptions extends SuppressionPolicyOptions {
  /** Where suppression state lives. Use `FileStore` for a daemon restarted by a supervisor, `RedisStore` for a fleet. @default a bounded in-memory store */
  readonly store?: GuardStore;
  /**
   * The network observer installed as the app's `system.networkClient`, so the guard
   * sees HTTP status, `Retry-After` and codes MSAL drops. The guard works without it, and better with it.
   */
  readonly observer?: ResponseSource;
  /** Receives `classified`, `suppressed`, `probe`, `released`, `retry` and `store_error` events. Costs nothing when absent. */
  readonly onEvent?: (event: GuardEvent) => void;
  /** Time, sleep and randomness, for tests on simulated time. @default the system clock */
  readonly clock?: GuardClock;
  /**
   * Secret for credential fingerprints and for the identity keys, the same in every process
   * sharing a store; from your secret manager, never from the store. With it, someone who
   * reads the store or the guard's events can't test a guessed user name against a key.
   * Changing it starts every record afresh. @default the store's for fingerprints (plain hashes for keys), else random per process
   */
  readonly fingerprintSecret?: string | Uint8Array;
  /** Longest wait for one store operation before deciding from local memory, ms. @default 1_000 */
  readonly storeTimeoutMs?: number;
  /** Overrides the authority read from the app (used for keys; e.g. for managed identity). */
  readonly authority?: string;
  /** Overrides the client id read from the app. */
  readonly clientId?: string;
}

/** Operator controls added to the guarded client. */
export interface GuardControls {
  /** What is suppressed, why, until when, and counters. */
  status(): Promise<GuardStatus>;
  /**
   * Clears suppression: everything (no argument), one user (`{ user }`), or one kind
   * (`{ kind: "invalid_credentials" }` after rotating a password). Authority and client
   * default to this app's.
   */
  reset(scope?: ResetScope): Promise<void>;
}

type AnyMsalNodeApp = ConfidentialClientApplication | PublicClientApplication | ManagedIdentityApplication;

/** The app with the same methods and types, plus {@link GuardControls}. */
export type GuardedClient<App extends AnyMsalNodeApp> = App & GuardControls;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  "store",
  "observer",
  "onEvent",
  "clock",
  "fingerprintSecret",
  "storeTimeoutMs",
  "authority",
  "clientId",
  "lockout",
  "conditionalAccessMs",
  "rejectedCredentialMs",
  "misconfiguredMs",
  "throttle",
  "interactionRequiredMs",
  "retry",
  "probeLeaseMs",
]);

/** How to read one acquireToken* method's request. */
interface MethodSpec {
  readonly silent: boolean;
  readonly user: (request: Record<string, unknown>) => string | undefined;
  /** Credential material the request sends beyond the app's own (a password). */
  readonly credential?: (request: Record<string, unknown>) => string | undefined;
  /** Whether the app's client credential (secret, certificate, assertion) goes with the request. */
  readonly sendsClientCredential: boolean;
  /** Every call sends its credential to the token service, with no token cache in front (see `GuardRequest.alwaysSendsCredential`). */
  readonly alwaysSendsCredential?: boolean;
  readonly scopes?: (request: Record<string, unknown>) => readonly string[];
  /** A person completes the call (device code, browser sign-in): two calls are never one, whatever their requests say. */
  readonly personal?: boolean;
  /** The call is for a user (the request may not say which: see `GuardRequest.unnamedUser`); false for app-only calls. */
  readonly forUser: boolean;
  /** A success is a sign-in, which clears what other methods recorded for the user (see `GuardRequest.signedInUsers`). */
  readonly signsIn?: boolean;
  /** MSAL answers this method from its token cache when it can (see `GuardRequest.fromCache`; a request that skips the cache needs the network, so is refused). */
  readonly cached?: boolean;
  /**
   * Its errors carry no correlation id (managed identity), so the network observer follows
   * the call across its awaits (`observer.observe`) to find its requests' last failure. Other
   * calls' failures are found by their correlation id, and they are not followed: following
   * uses AsyncLocalStorage, which on Node 20 and 22 turns on async hooks for the whole
   * process, making every promise cost more.
   */
  readonly followed?: boolean;
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);
const accountOf = (request: Record<string, unknown>) => str(read(request.account, "homeAccountId")) ?? str(read(request.account, "username"));

const METHODS: Readonly<Record<string, MethodSpec>> = {
  acquireTokenByClientCredential: { silent: false, forUser: false, user: () => undefined, sendsClientCredential: true, cached: true },
  acquireTokenSilent: { silent: true, forUser: true, user: accountOf, sendsClientCredential: true, cached: true },
  // The code, refresh token or device code stands for a user the request doesn't name.
  acquireTokenByCode: { silent: false, forUser: true, signsIn: true, user: () => undefined, sendsClientCredential: true },
  acquireTokenByRefreshToken: { silent: true, forUser: true, user: () => undefined, sendsClientCredential: true },
  // msal-node sends every password grant: its cache is never consulted first.
  acquireTokenByUsernamePassword: {
    silent: false,
    forUser: true,
    user: (r) => str(r.username),
    credential: (r) => str(r.password),
    sendsClientCredential: true,
    alwaysSendsCredential: true,
    signsIn: true,
  },
  acquireTokenByDeviceCode: { silent: false, forUser: true, signsIn: true, user: () => undefined, sendsClientCredential: false, personal: true },
  acquireTokenOnBehalfOf: { silent: false, forUser: true, user: (r) => userOfAssertion(r.oboAssertion), sendsClientCredential: true, cached: true },
  acquireTokenByUserFederatedIdentityCredential: {
    silent: false,
    forUser: true,
    user: (r) => str(r.username) ?? str(r.userObjectId),
    sendsClientCredential: true,
  },
  acquireTokenInteractive: { silent: false, forUser: true, signsIn: true, user: (r) => str(r.loginHint) ?? accountOf(r), sendsClientCredential: false, personal: true },
  // ManagedIdentityApplication.acquireToken({ resource })
  acquireToken: { silent: false, forUser: false, user: () => undefined, sendsClientCredential: false, cached: true, followed: true, scopes: (r) => (str(r.resource) ? [r.resource as string] : []) },
};

/**
 * Wraps a msal-node `ConfidentialClientApplication`, `PublicClientApplication` or
 * `ManagedIdentityApplication`. Every `acquireToken*` method keeps its signature;
 * successes pass through untouched; failures reject with msal-guard's typed errors
 * (`cause` = MSAL's error); calls that cannot succeed are refused without a request
 * (`suppressed: true`). Everything else on the app is passed through.
 *
 * @example
 * const observer = createNetworkObserver();
 * const app = new ConfidentialClientApplication({ auth, system: observer.system() });
 * const client = guardClient(app, { observer, store: new FileStore({ path: "/var/lib/my-daemon/msal-guard.json" }) });
 * const result = await client.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
 */
export function guardClient<App extends AnyMsalNodeApp>(app: App, options: GuardClientOptions = {}): GuardedClient<App> {
  if (typeof app !== "object" || app === null) {
    throw new TypeError("msal-guard: guardClient(app) needs a msal-node ConfidentialClientApplication, PublicClientApplication or ManagedIdentityApplication.");
  }
  if (!Object.keys(METHODS).some((method) => typeof (app as unknown as Record<string, unknown>)[method] === "function")) {
    throw new TypeError("msal-guard: guardClient(app): the object has no acquireToken* method; pass the msal-node application itself.");
  }
  if (typeof options !== "object" || options === null) throw new TypeError("msal-guard: guardClient(app, options): options must be an object.");
  if (options.observer !== undefined && typeof options.observer.responseFor !== "function") {
    throw new TypeError("msal-guard: options.observer must have responseFor(correlationId); create it with createNetworkObserver().");
  }

  rejectUnknownOptions(options, KNOWN_OPTIONS, "guardClient(app, options)");
  const { store, observer, onEvent, clock, fingerprintSecret, storeTimeoutMs, authority: authorityOption, clientId: clientIdOption, ...policy } = options;
  optionalText(authorityOption, "authority");
  optionalText(clientIdOption, "clientId");
  const engine: SuppressionEngine = createEngine({
    ...(store === undefined ? {} : { store }),
    ...(onEvent === undefined ? {} : { onEvent }),
    ...(clock === undefined ? {} : { clock }),
    ...(fingerprintSecret === undefined ? {} : { fingerprintSecret }),
    ...(storeTimeoutMs === undefined ? {} : { storeTimeoutMs }),
    policy,
  });

  const config = read(app, "config");
  const auth = read(config, "auth");
  const appAuthority = authorityOption ?? str(read(auth, "authority")) ?? "managed-identity";
  const appClientId = clientIdOption ?? str(read(auth, "clientId")) ?? str(read(read(config, "managedIdentityId"), "id")) ?? "system-assigned";
  const clientCredential = clientCredentialOf(auth);
  // An observer the app doesn't send through sees nothing, and can't keep a suppressed call's
  // cache lookup off the network: that call would reach the token service.
  const observerNetwork = read(observer, "networkClient");
  const appNetwork = read(read(config, "system"), "networkClient");
  if (observerNetwork !== undefined && appNetwork !== undefined && appNetwork !== observerNetwork) {
    throw new TypeError(
      "msal-guard: options.observer is not this app's network client, so the guard would not see its responses and a suppressed call could still reach the token service. Build the app with `system: observer.system()` (or `observer.configure(config)`), or leave the observer out.",
    );
  }

  // The observer's record of a failed call: by the error's correlation id, else (managed
  // identity errors carry none) the last failed response of the requests the call sent.
  const responseOf = (error: unknown, call: { readonly lastFailure: unknown } | undefined): unknown => {
    const correlationId = str(read(error, "correlationId"));
    return correlationId === undefined ? call?.lastFailure : observer?.responseFor(correlationId);
  };
  const observe = observer?.observe === undefined ? undefined : observer.observe.bind(observer);
  const offline = observer?.offline === undefined ? undefined : observer.offline.bind(observer);

  const appIdentity: GuardIdentity = { authority: appAuthority, clientId: appClientId, user: undefined };
  const wrapped = new Map<string, (request: unknown, ...rest: unknown[]) => Promise<unknown>>();
  let personalCalls = 0;
  for (const [method, spec] of Object.entries(METHODS)) {
    const original = (app as unknown as Record<string, unknown>)[method];
    if (typeof original !== "function") continue;
    const appCredential = spec.sendsClientCredential ? (clientCredential ?? null) : null;
    // What the call sends when the request adds no credential of its own: the same every call.
    const credentialWithoutOwn = appCredential === null ? undefined : JSON.stringify([null, appCredential]);
    const alwaysSendsCredential = spec.alwaysSendsCredential === true;
    // The call's own send, with the network closed: MSAL's cache answers, or nothing does.
    const fromCache = spec.cached === true ? offline : undefined;
    const follow = spec.followed === true ? observe : undefined;
    wrapped.set(method, (request: unknown, ...rest: unknown[]) => {
      const r = (typeof request === "object" && request !== null ? request : {}) as Record<string, unknown>;
      const authority = str(r.authority);
      const user = spec.user(r);
      // App-only calls on the app's authority (the daemon's every call) share one identity object.
      const identity: GuardIdentity = authority === undefined && user === undefined ? appIdentity : { authority: authority ?? appAuthority, clientId: appClientId, user };
      const scopes = spec.scopes?.(r) ?? scopesOf(r.scopes);
      const ownCredential = spec.credential?.(r);
      const credential = ownCredential === undefined ? credentialWithoutOwn : JSON.stringify([ownCredential, appCredential]);
      let call: { readonly lastFailure: unknown } | undefined; // the latest attempt's, when the observer can tell
      return engine.execute({
        method,
        identity,
        scopes,
        silent: spec.silent,
        credential,
        sendsUserCredential: ownCredential !== undefined,
        unnamedUser: spec.forUser && user === undefined,
        interactive: spec.personal,
        alwaysSendsCredential,
        // Whoever completes a device code or browser sign-in gets its token: never shared with another call.
        flightKey: spec.personal === true ? `personal:${++personalCalls}` : requestVariant(r, KEYED_BY_ENGINE),
        send: () => {
          const run = () => (original as (...args: unknown[]) => Promise<unknown>).call(app, request, ...rest);
          if (follow === undefined) return run();
          const observed = follow(run);
          call = observed;
          return observed.result;
        },
        fromCache,
        isSuccess: isTokenResult,
        signedInUsers: spec.signsIn === true ? namesOfAccount : undefined,
        responseFor: observer === undefined ? undefined : (error) => responseOf(error, call),
      });
    });
  }

  // Silent calls go by the account's home account id, password calls by the user name: a
  // reset for one user clears both, when the app's token cache knows the account.
  const accounts = async (): Promise<unknown> => {
    try {
      return await (app as unknown as { getTokenCache?: () => { getAllAccounts(): Promise<unknown[]> } }).getTokenCache?.().getAllAccounts();
    } catch {
      return undefined; // no token cache (managed identity), or one that fails: the name given is reset
    }
  };
  const controls: GuardControls = {
    status: () => engine.status(),
    reset: async (scope) => resetEveryName(engine.reset, { authority: appAuthority, clientId: appClientId, ...scope }, scope?.user === undefined ? undefined : await accounts()),
  };

  return guardedProxy(app, wrapped, controls) as GuardedClient<App>;
}

/** A token result MSAL really issued: not null, with a non-empty access token. */
function isTokenResult(result: unknown): boolean {
  const token = read(result, "accessToken");
  return typeof token === "string" && token.length > 0;
}

/** The client credential the app sends, as material to fingerprint (never stored as is). */
function clientCredentialOf(auth: unknown): string | undefined {
  const secret = str(read(auth, "clientSecret"));
  if (secret !== undefined) return `secret:${secret}`;
  const certificate = read(auth, "clientCertificate");
  const thumbprint = str(read(certificate, "thumbprintSha256")) ?? str(read(certificate, "thumbprint"));
  if (thumbprint !== undefined) return `certificate:${thumbprint}`;
  const assertion = str(read(auth, "clientAssertion"));
  return assertion === undefined ? undefined : `assertion:${assertion}`;
}

const isString = (value: unknown): value is string => typeof value === "string";
const NO_SCOPES: readonly string[] = [];

/** The request's scopes: the array itself when it holds only strings (the usual case: no copy), else its strings. */
function scopesOf(scopes: unknown): readonly string[] {
  if (!Array.isArray(scopes)) return NO_SCOPES;
  return scopes.every(isString) ? (scopes as string[]) : scopes.filter(isString);
}

/** Request fields the engine keys on its own (identity, scopes, credential fingerprint): not part of the flight key. */
const KEYED_BY_ENGINE: ReadonlySet<string> = new Set(["scopes", "correlationId", "authority", "password"]);

/** The user an on-behalf-of assertion speaks for (`oid`, else `sub`), from its unverified payload. */
function userOfAssertion(assertion: unknown): string | undefined {
  if (typeof assertion !== "string") return undefined;
  const payload = assertion.split(".")[1];
  if (payload === undefined || payload.length > 16_384) return undefined;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const id = str(claims.oid) ?? str(claims.sub);
    return id === undefined ? undefined : `${id}@${str(claims.tid) ?? ""}`;
  } catch {
    return undefined;
  }
}

export type { AuthenticationResult } from "@azure/msal-node";
