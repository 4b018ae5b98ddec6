import type { IPublicClientApplication } from "@azure/msal-browser";
import { guardedProxy } from "../core/guard/wrap.js";
import type { Classification } from "../core/classification.js";
import { classify } from "../core/classify.js";
import { ERROR_CLASS_BY_KIND, isMsalGuardError, type ConditionalAccessBlockedError, type MsalGuardError } from "../core/errors.js";
import {
  createEngine,
  type GuardEvent,
  type GuardIdentity,
  type GuardStatus,
  type ResetScope,
  type SuppressionEngine,
} from "../core/guard/engine.js";
import { hashKey, isHashKey } from "../core/guard/keys.js";
import { requestVariant } from "../core/guard/flight.js";
import { optionalBoolean, optionalFunction, optionalText, rejectUnknownOptions } from "../core/options.js";
import { namesOfAccount, resetEveryName } from "../core/guard/accounts.js";
import type { SuppressionPolicyOptions } from "../core/guard/policy.js";
import { systemGuardClock, type GuardClock, type GuardStore } from "../core/guard/store.js";
import type { GuardErrorKind } from "../core/kinds.js";
import { read } from "../core/read.js";
import { BIND_POLICY, LocalStorageStore, type LocalStorageStoreEvent } from "./stores/local-storage-store.js";

/** What the guard needs from a network observer (see `createBrowserNetworkObserver`). */
export interface BrowserResponseSource {
  /** Every failed response recorded for a correlation id, oldest first. */
  failuresFor(correlationId: string): readonly unknown[];
  /** Forgets an id's records (called before a call reuses an app-supplied correlation id). */
  take?(correlationId: string): unknown;
  /** The module to install as `system.networkClient`; when present the guard checks it is installed. */
  readonly networkClient?: unknown;
}

/**
 * What the guard may do when a silent call (`acquireTokenSilent`, `ssoSilent`) fails with
 * a kind interaction can fix (`mfa_required`, `consent_required`, `interaction_required`):
 * - `"none"`: nothing; the typed error reaches the app, which decides.
 * - `"popup"`: one `acquireTokenPopup` with MSAL's `claims`, and the call resolves with its result.
 * - `"redirect"`: one `acquireTokenRedirect` with `claims`; the call rejects with the typed
 *   error while the page navigates away, and the outcome arrives through `handleRedirectPromise`.
 *
 * Never for Conditional Access (53003) or any `message_only` failure, never while another
 * interaction is in progress, and at most once per identity per `interactionWindowMs`
 * (remembered in the store, so across tabs and across the redirect's reload).
 */
export type InteractionMode = "none" | "popup" | "redirect";

/** What the browser guard did and why: every core {@link GuardEvent}, plus interactive sign-ins it started or skipped, failures it recovered from behind MSAL's iframe fallback, and the default store falling back to memory. */
export type BrowserGuardEvent =
  | GuardEvent
  /** The guard started (or declined to start) an interactive sign-in after a silent failure. */
  | {
      readonly type: "interaction";
      readonly method: "acquireTokenPopup" | "acquireTokenRedirect";
      readonly kind: GuardErrorKind;
      readonly outcome: "started" | "skipped";
      /** Why it was skipped: MSAL or this guard is already interacting, the window's one attempt was used, or another tab is deciding. */
      readonly reason?: "in_progress" | "attempted_recently" | "busy";
    }
  /**
   * MSAL hid a token-endpoint failure behind its iframe fallback (the caller would have seen
   * `hidden`, e.g. `timed_out` or `login_required`); the guard reports the real failure.
   */
  | { readonly type: "recovered"; readonly method: string; readonly kind: GuardErrorKind; readonly hidden: string; readonly correlationId: string }
  /** The default store can't use localStorage and keeps state in this tab's memory. */
  | { readonly type: "store_fallback"; readonly reason: Extract<LocalStorageStoreEvent, { type: "fallback" }>["reason"]; readonly error: unknown };

export interface BrowserGuardOptions extends SuppressionPolicyOptions {
  /** Where suppression state lives. @default a `LocalStorageStore` (shared by the origin's tabs; memory when storage is unusable) */
  readonly store?: GuardStore;
  /**
   * The observer installed as the app's `system.networkClient`. Without it the guard still
   * types errors and suppresses calls, but can't see HTTP status, `Retry-After`, or the
   * token-endpoint failure MSAL hides behind its iframe fallback.
   */
  readonly observer?: BrowserResponseSource;
  /** Receives engine events plus `interaction`, `recovered` and `store_fallback`. Costs nothing when absent. */
  readonly onEvent?: (event: BrowserGuardEvent) => void;
  /** Time, sleep and randomness, for tests. @default the system clock */
  readonly clock?: GuardClock;
  /** Longest wait for one store operation before deciding from memory, ms. @default 1_000 */
  readonly storeTimeoutMs?: number;
  /** Overrides the authority read from the app's configuration (used for keys only). */
  readonly authority?: string;
  /** Overrides the client id read from the app's configuration. */
  readonly clientId?: string;
  /** @default "none" */
  readonly interaction?: InteractionMode;
  /** At most one automatic interactive attempt per identity in this window, ms. @default 120_000 */
  readonly interactionWindowMs?: number;
  /**
   * A page of the app that explains a Conditional Access block (contact details, how to
   * get access). Set on every `ConditionalAccessBlockedError` as `accessDeniedUrl` and
   * passed to `onBlocked`. Must be http(s) or relative. Never opened unless `navigateOnBlocked`.
   */
  readonly accessDeniedUrl?: string;
  /** Called (synchronously, errors ignored) for every `ConditionalAccessBlockedError` the guard raises, suppressed ones included. */
  readonly onBlocked?: (error: BlockedError, accessDeniedUrl: string | undefined) => void;
  /** Navigate to `accessDeniedUrl` (`location.assign`) when a call is blocked. @default false */
  readonly navigateOnBlocked?: boolean;
}

/** A Conditional Access block as the browser guard raises it. */
export type BlockedError = ConditionalAccessBlockedError & { readonly accessDeniedUrl?: string };

/** Operator controls added to the guarded browser client. */
export interface BrowserGuardControls {
  /** What is suppressed, why, until when, and counters. */
  status(): Promise<GuardStatus>;
  /** Clears suppression: everything, one user (`{ user }`: user name or home account id; both, when MSAL knows the account), or one kind. */
  reset(scope?: ResetScope): Promise<void>;
}

/** The methods the guard wraps; the app may have more (all passed through). */
type GuardableApp = Pick<IPublicClientApplication, "acquireTokenSilent">;

/** The application with the same methods and types, plus {@link BrowserGuardControls}. */
export type GuardedBrowserClient<App extends GuardableApp> = App & BrowserGuardControls;

type Request = Record<string, unknown>;
type Method = "acquireTokenSilent" | "ssoSilent" | "acquireTokenPopup" | "loginPopup" | "acquireTokenRedirect" | "loginRedirect" | "acquireTokenByCode";

const SILENT: ReadonlySet<string> = new Set(["acquireTokenSilent", "ssoSilent"]);
const POPUP: ReadonlySet<string> = new Set(["acquireTokenPopup", "loginPopup"]);
const REDIRECT: ReadonlySet<string> = new Set(["acquireTokenRedirect", "loginRedirect"]);
const METHODS: readonly Method[] = ["acquireTokenSilent", "ssoSilent", "acquireTokenPopup", "loginPopup", "acquireTokenRedirect", "loginRedirect", "acquireTokenByCode"];
const INTERACTIVE_KINDS: ReadonlySet<GuardErrorKind> = new Set(["mfa_required", "consent_required", "interaction_required"]);
/** Request fields carried into the guard's own interactive attempt. */
const CARRIED = ["scopes", "account", "authority", "loginHint", "domainHint", "sid", "extraQueryParameters", "tokenQueryParameters"] as const;
/** Request fields the engine keys on its own (identity, scopes) or that never change what is sent: not part of the flight key. */
const KEYED_BY_ENGINE: ReadonlySet<string> = new Set(["scopes", "correlationId", "authority"]);
const PENDING_REDIRECT_KEY = "msal-guard.redirect";
/** msal-browser's `CacheLookupPolicy.AccessToken` (4.x, 5.x): the cached access token or an error, never a request. */
const CACHED_ACCESS_TOKEN_ONLY = 1;
/** `CacheLookupPolicy` values that let MSAL answer from a cached access token: Default (0), AccessToken (1), AccessTokenAndRefreshToken (2). */
const CACHE_FIRST_POLICIES: ReadonlySet<unknown> = new Set([undefined, 0, 1, 2]);
/** MSAL's own "interaction in progress" marker (msal-browser 2.x to 5.x), in its temporary cache storage. */
const MSAL_INTERACTION_KEY = "msal.interaction.status";

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  "store", "observer", "onEvent", "clock", "storeTimeoutMs", "authority", "clientId", "interaction", "interactionWindowMs",
  "accessDeniedUrl", "onBlocked", "navigateOnBlocked",
  "lockout", "conditionalAccessMs", "rejectedCredentialMs", "misconfiguredMs", "throttle", "interactionRequiredMs", "retry", "probeLeaseMs",
]);

const str = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);

/**
 * Wraps a msal-browser `PublicClientApplication` (4.x or 5.x). `acquireTokenSilent`,
 * `ssoSilent`, `acquireTokenPopup`, `loginPopup`, `acquireTokenRedirect`, `loginRedirect`,
 * `acquireTokenByCode` and `handleRedirectPromise` keep their signatures; successes pass
 * through untouched; failures reject with msal-guard's typed errors (`cause` = MSAL's error);
 * calls that cannot succeed are refused without a request (`suppressed: true`). Everything
 * else on the app is passed through.
 *
 * @example
 * const observer = createBrowserNetworkObserver();
 * const pca = new PublicClientApplication({ auth, system: observer.system() });
 * await pca.initialize();
 * const client = guardClient(pca, { observer, accessDeniedUrl: "/access-denied" });
 * await client.handleRedirectPromise();
 * const { accessToken } = await client.acquireTokenSilent({ account, scopes: ["User.Read"] });
 */
export function guardClient<App extends GuardableApp>(app: App, options: BrowserGuardOptions = {}): GuardedBrowserClient<App> {
  if (typeof app !== "object" || app === null || typeof (app as unknown as Request).acquireTokenSilent !== "function") {
    throw new TypeError("msal-guard: guardClient(app) needs a msal-browser PublicClientApplication.");
  }
  if (typeof options !== "object" || options === null) throw new TypeError("msal-guard: guardClient(app, options): options must be an object.");
  rejectUnknownOptions(options, KNOWN_OPTIONS, "guardClient(app, options)");
  const {
    store: storeOption, observer, onEvent, clock: clockOption, storeTimeoutMs, authority: authorityOption, clientId: clientIdOption,
    interaction = "none", interactionWindowMs = 120_000, accessDeniedUrl: deniedOption, onBlocked, navigateOnBlocked = false,
    ...policy
  } = options;
  if (interaction !== "none" && interaction !== "popup" && interaction !== "redirect") {
    throw new TypeError(`msal-guard: interaction must be "none", "popup" or "redirect", got ${JSON.stringify(interaction)}.`);
  }
  if (typeof interactionWindowMs !== "number" || !(interactionWindowMs >= 1_000 && interactionWindowMs <= 24 * 60 * 60_000)) {
    throw new RangeError(`msal-guard: interactionWindowMs must be a number of milliseconds from 1000 to 86400000, got ${String(interactionWindowMs)}.`);
  }
  optionalFunction(onEvent, "onEvent");
  optionalFunction(onBlocked, "onBlocked");
  optionalBoolean(navigateOnBlocked, "navigateOnBlocked");
  optionalText(authorityOption, "authority");
  optionalText(clientIdOption, "clientId");
  if (navigateOnBlocked && deniedOption === undefined) {
    throw new TypeError("msal-guard: navigateOnBlocked needs accessDeniedUrl, the page of your app to open when a call is blocked.");
  }
  if (observer !== undefined && typeof observer.failuresFor !== "function") {
    throw new TypeError("msal-guard: options.observer must have failuresFor(correlationId); create it with createBrowserNetworkObserver().");
  }
  const config = safe(() => (app as unknown as { getConfiguration?: () => unknown }).getConfiguration?.());
  const installed = read(read(config, "system"), "networkClient");
  if (observer?.networkClient !== undefined && installed !== undefined && installed !== observer.networkClient) {
    throw new TypeError("msal-guard: options.observer is not this app's system.networkClient. Create the app with `system: observer.system(...)`.");
  }
  const accessDeniedUrl = checkedUrl(deniedOption);
  const clock = clockOption ?? systemGuardClock;

  const emit = onEvent === undefined ? undefined : (event: BrowserGuardEvent) => {
    try {
      onEvent(event);
    } catch {
      // a listener's bug must not break token calls
    }
  };
  const store =
    storeOption ??
    new LocalStorageStore({
      now: () => clock.now(),
      onEvent: (event) => {
        if (event.type === "fallback") emit?.({ type: "store_fallback", reason: event.reason, error: event.error });
      },
    });
  const engine: SuppressionEngine = createEngine({
    store,
    policy,
    ...(onEvent === undefined ? {} : { onEvent: emit as (event: GuardEvent) => void }),
    ...(clockOption === undefined ? {} : { clock: clockOption }),
    ...(storeTimeoutMs === undefined ? {} : { storeTimeoutMs }),
  });
  (store as Partial<Pick<LocalStorageStore, typeof BIND_POLICY>>)[BIND_POLICY]?.(engine.policy);

  const auth = read(config, "auth");
  const appAuthority = authorityOption ?? str(read(auth, "authority")) ?? "https://login.microsoftonline.com/common";
  const appClientId = clientIdOption ?? str(read(auth, "clientId")) ?? "unknown-client";
  const target = app as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

  /** Interactions this guard started and hasn't seen end (popups, redirects being started). */
  let interacting = 0;
  /** Automatic attempts per identity, in case the store can't be used. */
  const attempts = new Map<string, number>();

  /**
   * Who the call is for: its account or login hint. A silent call without them is for the
   * active account (MSAL uses it); any other call without them (a code redemption, a
   * sign-in choosing an account) is for a person it does not name, never the active account.
   */
  function userOf(request: Request, silent: boolean): string | undefined {
    const account = request.account;
    return (
      str(read(account, "homeAccountId")) ??
      str(request.loginHint) ??
      str(read(account, "username")) ??
      (silent ? str(read(safe(() => (app as unknown as { getActiveAccount?: () => unknown }).getActiveAccount?.()), "homeAccountId")) : undefined)
    );
  }

  function identityOf(request: Request, silent: boolean): GuardIdentity {
    return { authority: str(request.authority) ?? appAuthority, clientId: appClientId, user: userOf(request, silent) };
  }

  /** The recorded failure that explains `error`: the one sharing its codes, else the last one. */
  function responseFor(correlationId: string) {
    return (error: unknown): unknown => {
      const failures = observer?.failuresFor(correlationId) ?? [];
      if (failures.length === 0) return undefined;
      const codes = classify(error).codes;
      return failures.find((f) => classify(f).codes.some((code) => codes.includes(code))) ?? failures.at(-1);
    };
  }

  /**
   * Under the default cache lookup policy MSAL answers a refresh-token `invalid_grant`
   * (50053, a 53003 without suberror ...) with a hidden iframe and reports the iframe's
   * outcome. When this call's token POST failed with codes the error doesn't carry, the
   * POST is the real failure: raise its typed error, MSAL's error as `cause`.
   */
  function recovered(error: unknown, method: string, correlationId: string): MsalGuardError | undefined {
    if (observer === undefined || isMsalGuardError(error)) return undefined;
    const own = classify(error).codes;
    let first: Classification | undefined;
    for (const failure of observer.failuresFor(correlationId)) {
      if (read(failure, "method") !== "POST" || !/\/token$/i.test(String(read(failure, "url") ?? ""))) continue;
      const c = classify(failure, { now: clock.now() });
      if (c.codes.length === 0) continue;
      if (c.codes.some((code) => own.includes(code))) return undefined; // the error is this POST's own
      first ??= c;
    }
    if (first === undefined) return undefined;
    const classification: Classification = { ...first, correlationId: first.correlationId ?? correlationId };
    emit?.({ type: "recovered", method, kind: classification.kind, hidden: str(read(error, "errorCode")) ?? str(read(error, "name")) ?? "unknown", correlationId });
    return new ERROR_CLASS_BY_KIND[classification.kind](classification, { cause: error });
  }

  function blocked(error: unknown): void {
    if (!isMsalGuardError(error) || error.kind !== "conditional_access_blocked") return;
    if (accessDeniedUrl !== undefined) Object.defineProperty(error, "accessDeniedUrl", { value: accessDeniedUrl, configurable: true, enumerable: false });
    try {
      onBlocked?.(error as BlockedError, accessDeniedUrl);
    } catch {
      // the app's hook must not change the outcome
    }
    if (navigateOnBlocked && accessDeniedUrl !== undefined) safe(() => globalThis.location?.assign(accessDeniedUrl));
  }

  function call(method: Method, request: unknown, rest: unknown[]): Promise<unknown> {
    const r: Request = typeof request === "object" && request !== null ? { ...(request as Request) } : {};
    const ownId = str(r.correlationId);
    const correlationId = ownId ?? newCorrelationId();
    r.correlationId = correlationId;
    const silent = SILENT.has(method);
    const identity = identityOf(r, silent);
    const scopes = Array.isArray(r.scopes) ? (r.scopes as unknown[]).filter((s): s is string => typeof s === "string") : [];
    const redirect = REDIRECT.has(method);
    const interactive = redirect || POPUP.has(method);

    const send = async (): Promise<unknown> => {
      if (ownId !== undefined) observer?.take?.(correlationId); // an id the app reuses: older records aren't this call's
      if (interactive) interacting++;
      // Only the identity's key crosses the reload: no user name or account id is stored.
      const replaced = redirect
        ? savePendingRedirect({ k: identity.user === undefined ? null : await engine.identityKeyOf(identity), a: identity.authority, s: scopes, c: correlationId, t: Date.now() })
        : undefined;
      try {
        return await target[method]!.call(app, r, ...rest);
      } catch (error) {
        // MSAL refused to start this redirect (one is already under way): that one's entry stands.
        if (redirect) restorePendingRedirect(replaced);
        throw recovered(error, method, correlationId) ?? error;
      } finally {
        if (interactive) interacting--;
      }
    };
    return engine.execute({
      method,
      identity,
      scopes,
      silent,
      unnamedUser: identity.user === undefined,
      interactive,
      flightKey: requestVariant(r, KEYED_BY_ENGINE),
      send,
      // A call the guard would suppress asks MSAL for the cached access token alone (no request).
      fromCache: method === "acquireTokenSilent" ? () => (cacheable(r) ? target.acquireTokenSilent!.call(app, { ...r, cacheLookupPolicy: CACHED_ACCESS_TOKEN_ONLY }) : Promise.resolve(undefined)) : undefined,
      isSuccess: redirect ? () => true : isTokenResult,
      // A sign-in (popup, code) clears what silent calls recorded under the account; a redirect's result comes back through handleRedirectPromise.
      signedInUsers: silent || redirect ? undefined : namesOfAccount,
      responseFor: responseFor(correlationId),
    });
  }

  async function guarded(method: Method, request: unknown, rest: unknown[]): Promise<unknown> {
    try {
      return await call(method, request, rest);
    } catch (error) {
      if (SILENT.has(method) && interaction !== "none" && isMsalGuardError(error)) {
        const result = await interact(error, typeof request === "object" && request !== null ? (request as Request) : {});
        if (result !== SKIPPED) return result;
      }
      blocked(error);
      throw error;
    }
  }

  /** The one automatic interactive attempt, when allowed. Rejects with the interaction's error, or SKIPPED. */
  async function interact(error: MsalGuardError, request: Request): Promise<unknown> {
    if (!INTERACTIVE_KINDS.has(error.kind)) return SKIPPED;
    // A suppressed error carries no server facts; judge by the failure that caused the suppression.
    const facts = error.suppressed ? (error.cause === undefined ? undefined : classify(error.cause)) : error.classification;
    if (facts !== undefined && (!facts.interactionRequired || facts.subError === "message_only")) return SKIPPED;
    const method = interaction === "popup" ? "acquireTokenPopup" : "acquireTokenRedirect";
    const skip = (reason: "in_progress" | "attempted_recently" | "busy") => {
      emit?.({ type: "interaction", method, kind: error.kind, outcome: "skipped", reason });
      return SKIPPED;
    };
    if (interacting > 0 || msalInteractionInProgress()) return skip("in_progress");

    const identity = identityOf(request, true); // the silent call's
    const key = `x:${await hashKey("interaction", identity.authority.toLowerCase(), identity.clientId, identity.user?.toLowerCase() ?? "")}`;
    const now = clock.now();
    const local = attempts.get(key);
    if (local !== undefined && now - local < interactionWindowMs) return skip("attempted_recently");
    const holder = `h${Math.floor(clock.random() * 1e12).toString(36)}`;
    let leased = false;
    try {
      leased = await bounded(store.acquireLease(key, holder, 10_000));
      if (!leased) return skip("busy");
      const at = Number(read(safeJson(await bounded(store.get(key))), "at"));
      if (Number.isFinite(at) && at <= now && now - at < interactionWindowMs) return skip("attempted_recently");
      await bounded(store.set(key, JSON.stringify({ v: 1, at: now }), interactionWindowMs));
    } catch {
      // The store failed or hung: this tab's memory still allows only one attempt per window.
    } finally {
      if (leased) await bounded(store.releaseLease(key, holder)).catch(() => undefined);
    }
    if (attempts.size >= 1_000) attempts.clear();
    attempts.set(key, now);
    if (interacting > 0 || msalInteractionInProgress()) return skip("in_progress");

    const next: Request = { scopes: [] }; // ssoSilent may have none: MSAL then asks for the OpenID scopes
    for (const field of CARRIED) if (request[field] !== undefined) next[field] = request[field];
    const claims = facts?.claims ?? str(request.claims);
    if (claims !== undefined) next.claims = claims;
    emit?.({ type: "interaction", method, kind: error.kind, outcome: "started" });
    const result = await guarded(method, next, []);
    if (method === "acquireTokenRedirect") throw error; // the page is navigating away; the outcome comes back through handleRedirectPromise
    return result;
  }

  const redirectResults = new Map<string, Promise<unknown>>();
  function handleRedirectPromise(args: unknown[]): Promise<unknown> {
    const memoKey = typeof args[0] === "string" ? args[0] : typeof read(args[0], "hash") === "string" ? (read(args[0], "hash") as string) : "";
    let promise = redirectResults.get(memoKey);
    if (promise === undefined) {
      promise = settleRedirect(args);
      redirectResults.set(memoKey, promise);
    }
    return promise;
  }

  /** Runs MSAL's handleRedirectPromise (never suppressed: it must consume the response), then records the outcome. */
  async function settleRedirect(args: unknown[]): Promise<unknown> {
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await target.handleRedirectPromise!.apply(app, args) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (outcome.ok && (outcome.value === null || outcome.value === undefined)) return outcome.value;
    const pending = takePendingRedirect();
    let own: MsalGuardError | undefined;
    if (!outcome.ok) {
      const correlationId = pending?.c ?? str(read(outcome.error, "correlationId"));
      const response = correlationId === undefined ? undefined : responseFor(correlationId)(outcome.error);
      const c = classify(outcome.error, { response, now: clock.now() });
      own = isMsalGuardError(outcome.error) ? outcome.error : new ERROR_CLASS_BY_KIND[c.kind](c, { cause: outcome.error });
    }
    const identity: GuardIdentity = { authority: pending?.a ?? appAuthority, clientId: appClientId };
    const identityKey = pending?.k ?? undefined;
    try {
      // Through the engine only to record what happened (a lockout, a block, a success that
      // clears one): the call was made before the page left, so it is never refused here.
      return await engine.execute({
        method: "handleRedirectPromise",
        identity,
        identityKey,
        unnamedUser: identityKey === undefined,
        scopes: pending?.s ?? [],
        silent: false,
        flightKey: newCorrelationId(),
        send: () => (outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(own)),
        settled: true,
        isSuccess: isTokenResult,
        signedInUsers: namesOfAccount,
      });
    } catch (error) {
      if (outcome.ok) return outcome.value; // the result stands, whatever recording it met
      const typed = isMsalGuardError(error) && !error.suppressed ? error : (own as MsalGuardError);
      blocked(typed);
      throw typed;
    }
  }

  /** A store operation, given up after `storeTimeoutMs` like the engine's own. */
  function bounded<T>(operation: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("msal-guard: store timed out")), storeTimeoutMs ?? 1_000);
    });
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }

  function msalInteractionInProgress(): boolean {
    for (const name of ["sessionStorage", "localStorage"] as const) {
      const value = safe(() => (globalThis as unknown as Record<string, Storage | undefined>)[name]?.getItem(MSAL_INTERACTION_KEY));
      if (typeof value === "string" && value.length > 0) return true;
    }
    return false;
  }

  const wrapped = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  for (const method of METHODS) {
    if (typeof target[method] === "function") wrapped.set(method, (request?: unknown, ...rest: unknown[]) => guarded(method, request, rest));
  }
  if (typeof target.handleRedirectPromise === "function") wrapped.set("handleRedirectPromise", (...args: unknown[]) => handleRedirectPromise(args));

  const controls: BrowserGuardControls = {
    status: () => engine.status(),
    // Silent calls go by the home account id, hinted ones by the user name: clear both.
    reset: (scope) =>
      resetEveryName(engine.reset, { authority: appAuthority, clientId: appClientId, ...scope }, safe(() => (app as unknown as { getAllAccounts?: () => unknown }).getAllAccounts?.())),
  };

  return guardedProxy(app, wrapped, controls) as GuardedBrowserClient<App>;
}

const SKIPPED: unique symbol = Symbol("skipped");

/** A token result MSAL really issued: not null, with a non-empty access or ID token. */
function isTokenResult(result: unknown): boolean {
  return str(read(result, "accessToken")) !== undefined || str(read(result, "idToken")) !== undefined;
}

/** Whether MSAL would look at its cached access tokens for this silent request. */
function cacheable(request: Request): boolean {
  return CACHE_FIRST_POLICIES.has(request.cacheLookupPolicy) && request.forceRefresh !== true && request.claims === undefined;
}

function newCorrelationId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function checkedUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > 2_000) throw new TypeError("msal-guard: accessDeniedUrl must be a non-empty URL string.");
  let parsed: URL;
  try {
    parsed = new URL(value, "https://relative.invalid/");
  } catch {
    throw new TypeError(`msal-guard: accessDeniedUrl is not a valid URL: ${JSON.stringify(value)}.`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new TypeError("msal-guard: accessDeniedUrl must be an http(s) or relative URL.");
  return value;
}

interface PendingRedirect {
  /** The key of the identity the redirect is for (engine.identityKeyOf), when a user is known: never the user. */
  readonly k: string | null;
  readonly a: string;
  readonly s: readonly string[];
  readonly c: string;
  readonly t: number;
}

/** Records the redirect about to start; returns the entry it replaced (`null`: none). */
function savePendingRedirect(pending: PendingRedirect): string | null | undefined {
  return safe(() => {
    const storage = globalThis.sessionStorage;
    const replaced = storage.getItem(PENDING_REDIRECT_KEY);
    storage.setItem(PENDING_REDIRECT_KEY, JSON.stringify(pending));
    return replaced;
  });
}

function restorePendingRedirect(replaced: string | null | undefined): void {
  if (replaced === undefined) return; // storage failed: nothing was written
  safe(() => (replaced === null ? globalThis.sessionStorage.removeItem(PENDING_REDIRECT_KEY) : globalThis.sessionStorage.setItem(PENDING_REDIRECT_KEY, replaced)));
}

/** The redirect this tab started (within the hour), validated, and forgotten. */
function takePendingRedirect(): PendingRedirect | undefined {
  const raw = safe(() => globalThis.sessionStorage?.getItem(PENDING_REDIRECT_KEY));
  safe(() => globalThis.sessionStorage?.removeItem(PENDING_REDIRECT_KEY));
  const value = safeJson(raw ?? undefined);
  const ok = (v: unknown, max = 2_000) => typeof v === "string" && v.length > 0 && v.length <= max;
  const k = read(value, "k");
  const s = read(value, "s");
  const t = read(value, "t");
  if (
    (k !== null && !isHashKey(k)) || !ok(read(value, "a")) || !ok(read(value, "c"), 100) ||
    !Array.isArray(s) || s.length > 50 || !s.every((scope) => ok(scope)) ||
    typeof t !== "number" || !(Date.now() - t < 60 * 60_000)
  ) {
    return undefined;
  }
  return value as unknown as PendingRedirect;
}

function safeJson(raw: string | undefined): unknown {
  if (typeof raw !== "string" || raw.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

