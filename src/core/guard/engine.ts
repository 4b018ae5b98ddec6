/**
 * The suppression engine: decides, per call, whether a token request may go out, runs
 * it (once for identical concurrent calls), classifies failures and records what they
 * mean. Platform-free; the Node and browser adapters are thin layers over it.
 */
import { makeClassification, type Classification } from "../classification.js";
import { classify } from "../classify.js";
import { ERROR_CLASS_BY_KIND, isMsalGuardError, type MsalGuardError } from "../errors.js";
import type { GuardErrorKind } from "../kinds.js";
import { hashKey, isHashKey, fingerprint, importFingerprintKey, keyedHashKey, randomSecret } from "./keys.js";
import { MemoryStore } from "./memory-store.js";
import { rejectUnknownOptions } from "../options.js";
import { resolvePolicy, type SuppressionPolicy, type SuppressionPolicyOptions } from "./policy.js";
import {
  afterFailure,
  afterSignIn,
  afterSuccess,
  appOfIdentityRecord,
  blockReason,
  decide,
  identityTtlMs,
  isEmptyIdentity,
  parseAppRecord,
  parseIdentityRecord,
  RECORD_VERSION,
  withoutKind,
  type AppRecord,
  type CallFacts,
  type FailureUpdate,
  type IdentityRecord,
  type SuppressionReason,
} from "./records.js";
import { systemGuardClock, type GuardClock, type GuardStore } from "./store.js";

/** Who a call is for. Hashed before it reaches a store, event or status. */
export interface GuardIdentity {
  /** Authority URL (cloud + tenant), e.g. `https://login.microsoftonline.com/contoso.onmicrosoft.com`. */
  readonly authority: string;
  readonly clientId: string;
  /** The user (UPN, home account id), absent for app-only calls (client credentials, managed identity). */
  readonly user?: string | undefined;
}

/** One token call as the engine sees it. */
export interface GuardRequest<T> {
  /** The MSAL method, for events and single flight (e.g. `acquireTokenByUsernamePassword`). */
  readonly method: string;
  readonly identity: GuardIdentity;
  readonly scopes: readonly string[];
  /** Silent calls (cache, refresh token) are the ones suppressed when interaction is required. */
  readonly silent: boolean;
  /** The credential the call sends (ROPC password, client secret): only its keyed fingerprint is kept. */
  readonly credential?: string | undefined;
  /**
   * `credential` includes the user's own secret (the password of a password grant). Only
   * then does a refusal of the user's sign-in (a wrong or expired password, a disabled
   * account) latch the credential for `rejectedCredentialMs`; without it such a refusal on
   * a silent call holds back that identity's silent calls for `interactionRequiredMs`, and
   * only refusals of the app's own credential (a wrong client secret) latch.
   * @default false
   */
  readonly sendsUserCredential?: boolean | undefined;
  /**
   * The call signs in a person the request does not name (an authorization code, a
   * refresh token, a device code, an interactive sign-in without a hint), so `identity`
   * is the app's. What its failure says about that person (a lockout, a disabled
   * account, a Conditional Access block, interaction required) is not recorded: filed
   * under the app, it would hold back every other user and the app's own calls. Only
   * what applies to the whole app is: throttling, and a refusal of the app's credential.
   * @default false
   */
  readonly unnamedUser?: boolean | undefined;
  /**
   * A person takes part in the call (a popup, a redirect, a browser or device-code sign-in):
   * a transient failure is never retried automatically (`retry.attempts`), since each
   * attempt would put another sign-in in front of them. @default false
   */
  readonly interactive?: boolean | undefined;
  /** Further request properties that make two calls different (claims, forceRefresh ...). */
  readonly flightKey?: string | undefined;
  /**
   * The call has already been made (a redirect sign-in coming back to the page): `send` only
   * hands over its outcome, which is recorded, never refused: a sign-in that succeeded
   * clears what it disproves. @default false
   */
  readonly settled?: boolean | undefined;
  /**
   * The identity's key from {@link SuppressionEngine.identityKeyOf}, for a call whose user is
   * no longer at hand in readable form: a redirect sign-in completing after the page
   * reloaded, where the adapter kept only this key across the reload. Used instead of
   * hashing `identity.user` (give `identity` without a user); a value that is not such a key
   * is refused.
   */
  readonly identityKey?: string | undefined;
  /**
   * Every call sends a request with the credential: no token cache answers it first (the
   * password grant, `acquireTokenByUsernamePassword`). Such a call for a user, while nothing
   * is recorded for the identity, makes *first contact*: one call at a time (across every
   * process sharing the store) sends, and the others wait for its answer instead of each
   * sending the credential (woken when the answer is recorded: by this process, or announced
   * by the store's `subscribe`; else read every 250 ms). They are then suppressed if the answer says
   * so (a lockout, the same rejected credential ...), or all go at once if it does not; when
   * it brought no answer (network, 5xx), one of them sends next; none waits longer than
   * `probeLeaseMs`. Counted in {@link GuardCounts.firstContacts} and
   * {@link GuardCounts.contactWaits}. Leave it unset for calls a cache may answer (client
   * credentials, silent calls): they never wait, and cost nothing extra.
   * @default false
   */
  readonly alwaysSendsCredential?: boolean | undefined;
  /** Sends the request (calls MSAL). */
  readonly send: () => Promise<T>;
  /**
   * Runs `send` with the network closed, so that only MSAL's token cache can answer it:
   * the result, or `undefined` when the cache could not (nothing sent either way). Used for
   * a call that would be suppressed: a token MSAL holds is returned as MSAL alone would
   * return it (counted in {@link GuardCounts.fromCache}), and only calls that need the
   * network are refused. Leave it out for calls MSAL never answers from its cache (or
   * that ask it not to: `forceRefresh`, `skipCache`, `claims`).
   */
  readonly fromCache?: ((send: () => Promise<T>) => Promise<T | undefined>) | undefined;
  /** False for results that are failures in disguise (null, empty access token). @default result is not null/undefined */
  readonly isSuccess?: ((result: T) => boolean) | undefined;
  /**
   * The names of the user a successful result signed in (its account's user name and home
   * account id), for calls that sign someone in (interactive, authorization code, password).
   * The success then also clears that user's lockout, and block on these scopes, recorded
   * under those names by other methods (silent calls go by the account, password calls by
   * the user name), or when the request named nobody: the user just proved them over.
   * Leave it out for silent calls. At most 4 names are used.
   */
  readonly signedInUsers?: ((result: T) => readonly (string | undefined)[]) | undefined;
  /** The raw HTTP response a network observer saw for this failure, if any (restores status, Retry-After, codes). */
  readonly responseFor?: ((error: unknown) => unknown) | undefined;
}

/** What the guard did and why, for logs and metrics. Identities are hashed, never user names; `onEvent` receives these. */
export type GuardEvent =
  | {
      readonly type: "classified";
      readonly method: string;
      readonly identity: string;
      readonly classification: Classification;
      /** What the engine recorded because of it. */
      readonly effect: "lockout" | "latch" | "block" | "throttle" | "none";
      /** When the recorded suppression ends, epoch ms. */
      readonly until: number | undefined;
    }
  | { readonly type: "suppressed"; readonly method: string; readonly identity: string; readonly kind: GuardErrorKind; readonly reason: SuppressionReason; readonly retryAt: number }
  | { readonly type: "probe"; readonly method: string; readonly identity: string }
  | { readonly type: "released"; readonly identity: string; readonly reason: "probe_succeeded" | "signed_in" | "reset" }
  | { readonly type: "retry"; readonly method: string; readonly identity: string; readonly attempt: number; readonly delayMs: number; readonly kind: GuardErrorKind }
  | { readonly type: "store_error"; readonly operation: "get" | "set" | "delete" | "lease" | "secret" | "list"; readonly error: unknown };

/** Options for {@link createSuppressionEngine}. The adapters' `guardClient` take the same, but with the policy's options at the top level instead of under `policy`. */
export interface SuppressionEngineOptions {
  /** Where suppression state lives. @default a bounded in-memory store */
  readonly store?: GuardStore;
  /** Every window and limit. See {@link SuppressionPolicyOptions} for defaults. */
  readonly policy?: SuppressionPolicyOptions;
  /** Time, sleeping and randomness. @default the system clock */
  readonly clock?: GuardClock;
  /** Called synchronously for each event; never slows calls when absent. Exceptions it throws are ignored. */
  readonly onEvent?: (event: GuardEvent) => void;
  /**
   * Secret for credential fingerprints, and for the identity, app and scope keys: with it,
   * someone who reads the store (or the guard's events) can't test a guessed user name
   * against a key. Set it (same value everywhere) when state is shared or persisted; keep it
   * out of the store (a secret manager). Changing it starts every record afresh.
   * @default the store's secret for fingerprints (plain hashes for keys), else random per process
   */
  readonly fingerprintSecret?: string | Uint8Array;
  /** Longest wait for one store operation before carrying on with local memory, ms. @default 1_000 */
  readonly storeTimeoutMs?: number;
}

/** What is suppressed right now, for operators. */
export interface SuppressionEntry {
  readonly scope: "app" | "identity" | "credential" | "scopes";
  readonly kind: GuardErrorKind;
  readonly reason: SuppressionReason;
  /**
   * The app and (masked) user it applies to. `undefined` for what another process or tab
   * recorded for an identity this guard never used: the store keeps keys, never names.
   */
  readonly clientId: string | undefined;
  readonly authority: string | undefined;
  readonly user: string | undefined;
  /** The identity's key (see {@link SuppressionEngine.identityKeyOf}), for `reset({ identityKey })`; absent for the app's throttling. */
  readonly identity?: string;
  readonly codes: readonly number[];
  /** Epoch ms when calls are allowed again (for a lockout: when one probe may go). */
  readonly until: number;
  /** For lockouts: how many in a row. */
  readonly lockouts?: number;
}

/** Counters since the guard was created, in {@link GuardStatus}. */
export interface GuardCounts {
  /** Calls made to the guard. */
  calls: number;
  /** Requests actually handed to MSAL (retries included). */
  sent: number;
  succeeded: number;
  failed: number;
  suppressed: number;
  /** Calls that joined an identical call already in flight. */
  shared: number;
  /** Calls that would have been suppressed, answered instead from MSAL's token cache without a request (see {@link GuardRequest.fromCache}). */
  fromCache: number;
  probes: number;
  /** Calls that made first contact for an identity nothing was recorded for (see {@link GuardRequest.alwaysSendsCredential}). */
  firstContacts: number;
  /** Calls that waited for another call's first contact instead of sending at once (then went, or were suppressed by its answer). */
  contactWaits: number;
  retries: number;
  /** Failures by kind. */
  failuresByKind: Partial<Record<GuardErrorKind, number>>;
  /** Suppressed calls by reason. */
  suppressedByReason: Partial<Record<SuppressionReason, number>>;
}

/** A snapshot for operators: what is suppressed now (`suppressions`), and counters (`counts`); `now` is when it was taken (epoch ms). */
export interface GuardStatus {
  readonly now: number;
  readonly suppressions: readonly SuppressionEntry[];
  readonly counts: Readonly<GuardCounts>;
}

/** Which state `reset` clears. */
export interface ResetScope {
  readonly authority?: string;
  readonly clientId?: string;
  /** One user; left out with no `kind`, the app's throttling and every known identity of the app are cleared. */
  readonly user?: string;
  /** Only this kind of suppression. */
  readonly kind?: GuardErrorKind;
  /** One identity by its key from {@link SuppressionEngine.identityKeyOf} (instead of `user`). */
  readonly identityKey?: string;
}

/** The platform-free core of `guardClient`: decides per call whether a request may go, runs it, and records what failures mean. */
export interface SuppressionEngine {
  /** Runs one call: rejects at once with a suppressed error when an earlier failure makes it pointless, else sends it (sharing identical calls in flight) and rejects with a typed error on failure. */
  execute<T>(request: GuardRequest<T>): Promise<T>;
  /** What is suppressed now, and counters. */
  status(): Promise<GuardStatus>;
  /** Clears suppression: everything (no argument), or what `scope` names. */
  reset(scope?: ResetScope): Promise<void>;
  /**
   * The key the engine files an identity's records under: 128 bits of a SHA-256 hash (hex) of its
   * authority, client id and user, from which none of them can be read. Keep it where the
   * user must not be kept (see {@link GuardRequest.identityKey}).
   */
  identityKeyOf(identity: GuardIdentity): Promise<string>;
  readonly policy: SuppressionPolicy;
}

interface KnownIdentity {
  readonly authority: string;
  readonly clientId: string;
  readonly user: string | undefined;
  readonly appKey: string;
}

/** What `execute` derives from a call's identity, kept once its hashes have settled. */
interface IdentityKeys {
  /** Lower-cased, without trailing slashes. */
  readonly authority: string;
  readonly appKey: string;
  readonly identityKey: string;
  /** The store keys of the app and identity records. */
  readonly appRecord: string;
  readonly identityRecord: string;
}

/**
 * How a call was let through: the identity record it was decided on, the lease it holds (a
 * probe, or a first contact), and whether its answer is to be marked as a first contact made.
 */
interface Admission {
  readonly identity: IdentityRecord;
  readonly holder: string | undefined;
  readonly markContact?: boolean;
}

/** What gated calls of one identity watch (see `startWatching` in the engine). */
interface Watch {
  /** Changes seen to the identity's keys. */
  generation: number;
  /** Calls watching. */
  watchers: number;
  /** Wakes a sleeping call early. */
  readonly sleepers: Set<() => void>;
}

/** A call let through because the store holds nothing for its app or identity. */
const NOTHING_RECORDED: Admission = { identity: { v: RECORD_VERSION }, holder: undefined };

/** How often a call waiting for another's first contact reads the store again, ms. */
const CONTACT_POLL_MS = 250;

const MAX_KNOWN = 10_000;
/** Most records `status()` and `reset()` read from a store that lists its keys. */
const MAX_LISTED_KEYS = 1_000;
/** After a store operation hangs, the store is not waited for during this many `storeTimeoutMs`. */
const HUNG_STORE_PAUSE = 5;
/** How often a process asks its store whether the fingerprint secret changed, ms. */
const SECRET_RECHECK_MS = 60_000;
/** Store operations `status()` and `reset()` have under way at once (each a round trip to a networked store). */
const STORE_OPERATIONS_AT_ONCE = 32;
/** Between tries for another process's record lock, ms (real time, like `storeTimeoutMs`). */
const RECORD_LOCK_POLL_MS = 20;
/**
 * Longest wait for another process's record lock, ms (real time). Its holder's step is two
 * store round trips; one that takes longer is stuck (a store that froze, a lock whose release
 * was lost), and the record is updated without the lock rather than keep the call waiting.
 */
const RECORD_LOCK_WAIT_MS = 200;
/** Scope sets remembered with their key; an app uses a handful. */
const MAX_SCOPE_SETS = 1_000;
/** Flight keys remembered (a miss only builds the key again). */
const MAX_FLIGHT_KEYS = 1_000;

/** Creates a {@link SuppressionEngine}, for adapting a token client other than msal-node's or msal-browser's (which `guardClient` already wraps). Malformed options throw here, not on the first call. */
export function createSuppressionEngine(options: SuppressionEngineOptions = {}): SuppressionEngine {
  if (typeof options === "object" && options !== null) {
    rejectUnknownOptions(options, new Set(["store", "policy", "clock", "onEvent", "fingerprintSecret", "storeTimeoutMs"]), "createSuppressionEngine(options)");
  }
  return createEngine(options);
}

/**
 * {@link createSuppressionEngine} for the adapters, which check their own options (so a
 * browser bundle doesn't carry the list of names twice).
 * @internal
 */
export function createEngine(options: SuppressionEngineOptions = {}): SuppressionEngine {
  if (typeof options !== "object" || options === null) throw new TypeError("msal-guard: options must be an object.");
  const policy = resolvePolicy(options.policy);
  const clock = options.clock ?? systemGuardClock;
  if (typeof clock.now !== "function" || typeof clock.sleep !== "function" || typeof clock.random !== "function") {
    throw new TypeError("msal-guard: clock must provide now(), sleep(ms, signal) and random().");
  }
  const store = options.store;
  if (store !== undefined && !isStore(store)) {
    throw new TypeError("msal-guard: store must implement get, set, delete, acquireLease and releaseLease (see GuardStore).");
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== "function") throw new TypeError("msal-guard: onEvent must be a function.");
  const secretOption = options.fingerprintSecret;
  if (secretOption !== undefined && !(typeof secretOption === "string" ? secretOption.length >= 16 : secretOption instanceof Uint8Array && secretOption.length >= 16)) {
    throw new TypeError("msal-guard: fingerprintSecret must be a string or Uint8Array of at least 16 characters/bytes.");
  }
  const storeTimeoutMs = options.storeTimeoutMs ?? 1_000;
  if (typeof storeTimeoutMs !== "number" || !Number.isFinite(storeTimeoutMs) || storeTimeoutMs <= 0 || storeTimeoutMs > 60_000) {
    throw new RangeError(`msal-guard: storeTimeoutMs must be a number of milliseconds from 1 to 60000, got ${String(storeTimeoutMs)}.`);
  }

  const onEvent = options.onEvent;
  const emit = onEvent === undefined ? undefined : (event: GuardEvent) => {
    try {
      onEvent(event);
    } catch {
      // A listener's bug must not break token calls.
    }
  };
  // Local memory always backs the shared store: when the shared store is slow or down,
  // decisions carry on from what this process knows.
  const local = new MemoryStore({ now: () => clock.now() });
  const shared = store ?? local;
  // Lease holders are per call: two calls in one process must not share a probe.
  // Lease holders' names: unique to this engine, not drawn from `clock.random` (a test's
  // seeded clock gives every engine the same numbers, and they would hold each other's leases).
  const processId = `p${[...globalThis.crypto.getRandomValues(new Uint32Array(2))].map((n) => n.toString(36)).join("")}`;
  let callSequence = 0;
  /**
   * Each flight key's call under way, or `undefined` once it settled. An entry is kept (and
   * emptied) rather than deleted: deleting and adding one on every call made V8 rebuild the
   * Map's table each time, which costs most once the Map has aged into the old generation, as
   * in any long-running app (measured over a token client that answers at once: 1,200 ns a
   * call after a full GC, 410 ns with entries kept). Idle entries go when there are many.
   */
  const inFlight = new Map<string, Promise<unknown> | undefined>();
  let sweepFlightsAt = MAX_FLIGHT_KEYS;
  const lastErrors = new Map<string, unknown>();
  const known = new Map<string, KnownIdentity>();
  const hashes = new Map<string, Promise<string>>();
  // The hot path's caches. An app repeats the same few identities and scope sets, and their
  // keys are async hashes: the first call awaits them, later calls find them here and go on
  // synchronously. Looked up by the strings the call carries (see TupleCache).
  const identityKeys = new TupleCache<IdentityKeys>(MAX_KNOWN); // [authority as given, client id, user as given or ""]
  const scopeKeys = new Map<string, string>(); // see scopeCacheId
  const flightKeys = new TupleCache<string>(MAX_FLIGHT_KEYS); // see flightKeyOf
  const counts: GuardCounts = { calls: 0, sent: 0, succeeded: 0, failed: 0, suppressed: 0, shared: 0, fromCache: 0, probes: 0, firstContacts: 0, contactWaits: 0, retries: 0, failuresByKind: {}, suppressedByReason: {} };
  // How long a first contact made is remembered: as long as one may take (its lease).
  const contactTtlMs = Math.max(1_000, policy.probeLeaseMs);
  let retryTokens = 10;
  /** How long a record lock lasts unless released: a step's reads, then its writes, each bounded by `storeTimeoutMs`. */
  const recordLockMs = 2 * storeTimeoutMs + 500;
  let fingerprintKey: Promise<CryptoKey> | undefined;
  /** The fingerprint key comes from the store's secret (see `recheckedFingerprint`). */
  const sharedSecret = secretOption === undefined && store?.fingerprintSecret !== undefined;
  /** The store's secret `fingerprintKey` was made from, and when to ask the store for it again. */
  let secretInUse: Uint8Array | undefined;
  /**
   * This process's own key while the store's secret is unreachable: one for the whole outage,
   * so a credential rejected during it keeps matching its latch in memory (a key per call
   * would make every call's fingerprint new, and a stale password would go out every time).
   */
  let outageKey: Promise<CryptoKey> | undefined;
  let secretCheckAt = 0;

  /** With `fingerprintSecret` given, its HMAC key: for fingerprints, and for the identity, app and scope hashes (see `memoHash`). */
  let optionKey: Promise<CryptoKey> | undefined;
  const secretOptionKey = (secret: string | Uint8Array): Promise<CryptoKey> => (optionKey ??= importFingerprintKey(secretBytes(secret)));
  /**
   * A store key's hash. Keyed by `fingerprintSecret` when the app gives one, so that someone
   * who reads the store or the guard's events can't test a guessed user name against a key;
   * else a plain hash (the store's own secret is readable wherever its records are).
   */
  function memoHash(...parts: string[]): Promise<string> {
    const id = parts.join("\u0000");
    let hit = hashes.get(id);
    if (hit === undefined) {
      if (hashes.size >= MAX_KNOWN) hashes.clear();
      hit = secretOption === undefined ? hashKey(...parts) : secretOptionKey(secretOption).then((key) => keyedHashKey(key, parts));
      hashes.set(id, hit);
    }
    return hit;
  }

  /**
   * Until when (real time, like `storeTimeoutMs`) the store is not waited for, after one of
   * its operations hung: a frozen store would otherwise cost every call each of its store
   * operations' full timeout in turn. Meanwhile memory answers (see `unsynced`); the first
   * operation after the pause tries the store again. A store that rejects at once (down,
   * not hung) costs nothing to try, so it is never paused.
   */
  let storeHungUntil = 0;

  async function withTimeout<T>(operation: StoreOperation, work: () => Promise<T>): Promise<T | typeof FAILED> {
    if (shared === local) return work();
    if (storeHungUntil !== 0) {
      if (Date.now() < storeHungUntil) return FAILED;
      storeHungUntil = 0;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        work(),
        new Promise<typeof FAILED>((resolve) => {
          timer = setTimeout(() => {
            storeHungUntil = Date.now() + HUNG_STORE_PAUSE * storeTimeoutMs;
            emit?.({ type: "store_error", operation, error: new Error(`store ${operation} took longer than ${storeTimeoutMs} ms`) });
            resolve(FAILED);
          }, storeTimeoutMs);
        }),
      ]);
    } catch (error) {
      emit?.({ type: "store_error", operation, error });
      return FAILED;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Keys whose latest write reached only this process's memory (the shared store failed or
   * hung): when the written record expires, or `null` for a delete. What was learned
   * meanwhile (a lockout, a rejected credential, a lockout a sign-in ended) is newer than
   * what the shared store holds under them: memory answers for them, and the first read that
   * finds the store answering again writes it there.
   */
  const unsynced = new Map<string, number | null>();

  async function read(key: string): Promise<string | undefined> {
    if (shared === local) return local.getSync(key);
    const value = await withTimeout("get", () => shared.get(key));
    if (value === FAILED) return local.getSync(key);
    return unsynced.size > 0 && unsynced.has(key) ? resync(key, value) : value;
  }

  async function resync(key: string, stored: string | undefined): Promise<string | undefined> {
    const until = unsynced.get(key);
    const mine = local.getSync(key);
    if (until === null) {
      if (stored === undefined || (await withTimeout("delete", () => shared.delete(key))) !== FAILED) unsynced.delete(key);
      return mine;
    }
    const ttlMs = (until as number) - clock.now();
    if (mine === undefined || ttlMs <= 0) {
      unsynced.delete(key); // ours expired: the store's answer stands
      return stored;
    }
    if ((await withTimeout("set", () => shared.set(key, mine, ttlMs))) !== FAILED) unsynced.delete(key);
    return mine;
  }

  async function write(key: string, value: string | undefined, ttlMs: number): Promise<void> {
    if (value === undefined) local.delete(key);
    else local.setSync(key, value, ttlMs);
    if (shared !== local) {
      const done = await withTimeout(value === undefined ? "delete" : "set", () => (value === undefined ? shared.delete(key) : shared.set(key, value, ttlMs)));
      if (done === FAILED) {
        if (unsynced.size >= MAX_KNOWN && !unsynced.has(key)) unsynced.delete(unsynced.keys().next().value as string);
        unsynced.set(key, value === undefined ? null : clock.now() + ttlMs);
      } else if (unsynced.size > 0) {
        unsynced.delete(key);
      }
    }
    changed(key);
  }

  async function lease(key: string, holder: string): Promise<boolean> {
    const got = await withTimeout("lease", () => shared.acquireLease(key, holder, policy.probeLeaseMs));
    return got === FAILED ? local.acquireLease(key, holder, policy.probeLeaseMs) : got;
  }

  async function unlease(key: string, holder: string): Promise<void> {
    if (shared !== local) await withTimeout("lease", () => shared.releaseLease(key, holder));
    await local.releaseLease(key, holder);
    changed(key);
  }

  // Gated calls (see `admit`) watch their identity's keys. A change to its record, contact
  // marker or lease, made here or announced by the store from another process
  // (`subscribe`, held only while someone watches), moves the identity's generation on and
  // wakes its sleepers; a call that sees the generation moved since it last read the store
  // reads again at once instead of sleeping. The poll in `admit` stays the guarantee.
  const watches = new Map<string, Watch>();
  let unsubscribe: (() => void) | undefined;

  /** A key (`i:`, `c:`, `l:` + identity key) was written, deleted or released. */
  function changed(key: string): void {
    const watch = watches.size === 0 ? undefined : watches.get(key.slice(2));
    if (watch === undefined) return;
    watch.generation++;
    for (const wake of [...watch.sleepers]) wake();
  }

  function startWatching(identityKey: string): Watch {
    let watch = watches.get(identityKey);
    if (watch === undefined) {
      watch = { generation: 0, watchers: 0, sleepers: new Set() };
      watches.set(identityKey, watch);
    }
    watch.watchers++;
    const announcing = shared as GuardStore;
    if (unsubscribe === undefined && shared !== local && typeof announcing.subscribe === "function") {
      unsubscribe = safeCall(() => announcing.subscribe?.((key: unknown) => changed(String(key))));
    }
    return watch;
  }

  function stopWatching(identityKey: string, watch: Watch): void {
    if (--watch.watchers > 0) return;
    watches.delete(identityKey);
    if (watches.size === 0 && unsubscribe !== undefined) {
      safeCall(unsubscribe);
      unsubscribe = undefined;
    }
  }

  /** Sleeps `ms`, or less if the watched keys change (or changed since `generation`); resolves true when woken early. */
  function untilChanged(watch: Watch, generation: number, ms: number): Promise<boolean> {
    if (watch.generation !== generation) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const abort = new AbortController();
      const finish = (woken: boolean) => {
        if (!watch.sleepers.delete(wake)) return;
        if (woken) abort.abort();
        resolve(woken);
      };
      const wake = () => finish(true);
      watch.sleepers.add(wake);
      clock.sleep(ms, abort.signal).then(
        () => finish(false),
        () => finish(false), // aborted by a wake-up (already finished), or a clock that failed: read again now
      );
    });
  }

  // Memoised in memory only (the app holds the credential anyway); never written anywhere.
  // An entry is the pending promise, replaced by the fingerprint itself once it settles so
  // that later calls read it synchronously (unless the entry was dropped meanwhile: a
  // throwaway fingerprint made while the store's secret was unreachable is never kept).
  const fingerprints = new TupleCache<string | Promise<string>>(1_000); // [identity key, credential]
  function credentialFingerprint(identityKey: string, credential: string): string | Promise<string> {
    if (sharedSecret && clock.now() >= secretCheckAt) return recheckedFingerprint(identityKey, credential);
    const id = [identityKey, credential];
    let hit = fingerprints.get(id);
    if (hit === undefined) {
      const pending = computeFingerprint(identityKey, credential);
      fingerprints.set(id, pending);
      pending.then(
        (value) => {
          if (fingerprints.get(id) === pending) fingerprints.set(id, value);
        },
        () => {}, // the caller awaiting `pending` sees the failure
      );
      hit = pending;
    }
    return hit;
  }

  /**
   * The store's secret can change under a running process: a Redis that lost it takes the
   * one another process put back first, and the store adopts it. Asked again once a minute
   * (stores keep it in memory: no request), so this process's fingerprints match the
   * fleet's again within a minute.
   */
  async function recheckedFingerprint(identityKey: string, credential: string): Promise<string> {
    secretCheckAt = clock.now() + SECRET_RECHECK_MS;
    if (secretInUse !== undefined) {
      const current = await withTimeout("secret", () => store!.fingerprintSecret!());
      if (current !== FAILED && !sameBytes(current, secretInUse)) {
        fingerprintKey = undefined;
        fingerprints.clear();
      }
    }
    return credentialFingerprint(identityKey, credential);
  }

  async function computeFingerprint(identityKey: string, credential: string): Promise<string> {
    fingerprintKey ??= (async () => {
      if (secretOption !== undefined) return secretOptionKey(secretOption); // the one the keys use too
      let secret: Uint8Array | undefined;
      if (store?.fingerprintSecret !== undefined) {
        const fromStore = await withTimeout("secret", () => store.fingerprintSecret!());
        if (fromStore === FAILED) {
          // The shared secret is unreachable: fingerprint with this process's outage key and
          // ask the store again next time, so this process rejoins the fleet's latches.
          fingerprintKey = undefined;
          fingerprints.clear();
          return (outageKey ??= importFingerprintKey(randomSecret()));
        }
        secret = fromStore;
        secretInUse = fromStore;
      }
      return importFingerprintKey(secret ?? randomSecret());
    })();
    return fingerprint(await fingerprintKey, identityKey, credential);
  }

  function suppressedError(kind: GuardErrorKind, codes: readonly number[], until: number, reason: SuppressionReason, causeKey: string): MsalGuardError {
    const now = clock.now();
    const retryAfterMs = Math.max(0, until - now);
    const classification = makeClassification(kind, {
      codes: [...codes],
      retryAfterMs,
      interactionRequired: false,
      retry: reason === "throttled" || reason === "account_locked" || reason === "probe_in_flight" ? "after_wait" : "after_fix",
      source: "suppression",
    });
    const cause = lastErrors.get(causeKey);
    const ErrorClass = ERROR_CLASS_BY_KIND[kind];
    return new ErrorClass(classification, { suppressed: true, retryAt: until, cause });
  }

  function remember(key: string, error: unknown): void {
    if (lastErrors.size >= 1_000) lastErrors.delete(lastErrors.keys().next().value as string);
    lastErrors.set(key, error);
  }

  function track(keys: IdentityKeys, identity: GuardIdentity): void {
    if (known.has(keys.identityKey)) return;
    if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value as string);
    known.set(keys.identityKey, { authority: keys.authority, clientId: identity.clientId, user: identity.user, appKey: keys.appKey });
  }

  /** The flight key: calls with the same one share a single request. */
  function flightKeyOf<T>(request: GuardRequest<T>, identityKey: string, scopeKey: string, fp: string | undefined): string {
    const parts = [request.method, request.flightKey, scopeKey, identityKey, fp]; // the parts many calls share first: fewer nested Maps
    let key = flightKeys.get(parts);
    if (key === undefined) {
      key = `${request.method}\u0000${identityKey}\u0000${scopeKey}\u0000${fp ?? ""}\u0000${request.flightKey ?? ""}`;
      flightKeys.set(parts, key);
    }
    return key;
  }

  function execute<T>(request: GuardRequest<T>): Promise<T> {
    counts.calls++;
    let keys: IdentityKeys | undefined;
    let scopeKey: string | undefined;
    let fp: string | Promise<string> | undefined;
    try {
      const { identity } = request;
      if (request.identityKey !== undefined && !isHashKey(request.identityKey)) {
        throw new TypeError("msal-guard: identityKey must be a key from identityKeyOf().");
      }
      keys = request.identityKey === undefined ? identityKeys.get([identity.authority, identity.clientId, identity.user ?? ""]) : undefined;
      const scopeId = scopeCacheId(request.scopes);
      scopeKey = scopeId === undefined ? undefined : scopeKeys.get(scopeId);
      if (keys !== undefined && request.credential !== undefined) fp = credentialFingerprint(keys.identityKey, request.credential);
    } catch (error) {
      return Promise.reject(error); // malformed requests reject, never throw, as they always have
    }
    if (keys === undefined || scopeKey === undefined || fp instanceof Promise) return executeFirst(request, fp);
    // Everything known already: no await before the flight is joined or started.
    track(keys, request.identity);
    return startFlight(request, keys, scopeKey, fp);
  }

  /** {@link execute} for a call whose keys are not all known yet: computes them, and keeps them for the next calls. */
  async function executeFirst<T>(request: GuardRequest<T>, pendingFingerprint?: string | Promise<string>): Promise<T> {
    const { identity } = request;
    const authority = normalAuthority(identity.authority);
    const [appKey, identityKey, scopeKey] = await Promise.all([
      memoHash("app", authority, identity.clientId),
      request.identityKey ?? identityKeyOf(identity),
      memoHash("scopes", ...[...request.scopes].map((s) => s.toLowerCase()).sort()),
    ]);
    const keys: IdentityKeys = { authority, appKey, identityKey, appRecord: `a:${appKey}`, identityRecord: `i:${identityKey}` };
    track(keys, identity);
    // The fingerprint `execute` started, if any: asking again could answer from the memo a secret check is about to clear.
    const fp = request.credential === undefined ? undefined : await (pendingFingerprint ?? credentialFingerprint(identityKey, request.credential));
    // A key given for the call belongs to no (authority, client id, user) tuple it names.
    if (request.identityKey === undefined) identityKeys.set([identity.authority, identity.clientId, identity.user ?? ""], keys);
    const scopeId = scopeCacheId(request.scopes);
    if (scopeId !== undefined && !scopeKeys.has(scopeId)) {
      if (scopeKeys.size >= MAX_SCOPE_SETS) scopeKeys.clear();
      scopeKeys.set(scopeId, scopeKey);
    }
    return startFlight(request, keys, scopeKey, fp);
  }

  function startFlight<T>(request: GuardRequest<T>, keys: IdentityKeys, scopeKey: string, fp: string | undefined): Promise<T> {
    const facts: CallFacts = { scopeKey, silent: request.silent, fingerprint: fp, userCredential: request.sendsUserCredential === true, unnamedUser: request.unnamedUser === true, since: clock.now() };
    const flightKey = flightKeyOf(request, keys.identityKey, scopeKey, fp);
    const joined = inFlight.get(flightKey) as Promise<T> | undefined;
    if (joined !== undefined) {
      counts.shared++;
      return joined;
    }
    const run = runCall(request, facts, keys, flightKey);
    if (inFlight.size >= sweepFlightsAt && !inFlight.has(flightKey)) {
      for (const [key, flight] of inFlight) if (flight === undefined) inFlight.delete(key);
      sweepFlightsAt = Math.max(MAX_FLIGHT_KEYS, 2 * inFlight.size); // many under way: not swept again at once
    }
    inFlight.set(flightKey, run);
    return run;
  }

  /**
   * Decides, sends and records one call, then ends its flight. Every path awaits (the
   * store reads, or the send) before it can settle, so the `finally` below never runs
   * before `startFlight` has registered the flight it removes.
   */
  async function runCall<T>(request: GuardRequest<T>, facts: CallFacts, keys: IdentityKeys, flightKey: string): Promise<T> {
    const { appKey, identityKey } = keys;
    let admission = NOTHING_RECORDED;
    try {
      // The happy path: the in-engine store holds nothing for this app or identity, which
      // `decide` always allows, without a probe. Checked synchronously; no records to parse.
      const nothingRecorded = shared === local && local.getSync(keys.appRecord) === undefined && local.getSync(keys.identityRecord) === undefined;
      // Calls that always send the credential, for a user, may have to wait for a first contact.
      const gated = request.alwaysSendsCredential === true && !!request.identity.user;
      if (request.settled === true) {
        admission = { identity: (await freshRecords(appKey, identityKey)).identity, holder: undefined };
      } else if (gated || !nothingRecorded) {
        try {
          admission = await admit(request, facts, keys, gated);
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
          // MSAL's token cache may still answer: then nothing is lost, and nothing was sent.
          const cached = request.fromCache === undefined ? undefined : await safeCache(request);
          if (cached !== undefined) {
            counts.fromCache++;
            return cached;
          }
          throw refuse(request.method, keys, error);
        }
      }
      // A probe's admission holds the lease and a lockout; a first contact's, the lease alone.
      const probing = admission.holder !== undefined && admission.identity.lockout !== undefined;
      retryTokens = Math.min(10, retryTokens + policy.retry.budgetRatio);
      for (let attempt = 0; ; attempt++) {
        counts.sent++;
        let failure: unknown;
        let result: T | undefined;
        try {
          result = await request.send();
        } catch (error) {
          failure = error;
        }
        if (failure === undefined) {
          const ok = request.isSuccess === undefined ? result !== null && result !== undefined : request.isSuccess(result as T);
          if (ok) {
            counts.succeeded++;
            // Marked before a probe's success clears the record, so that no reader finds nothing
            // recorded and no contact made; and before the lease goes back (in `finally`).
            if (admission.markContact) await markContact(identityKey);
            // The happy path writes nothing, so skips the call (and its await) altogether.
            if (probing || !isEmptyIdentity(admission.identity)) await recordSuccess(keys, admission.identity, facts, probing);
            if (request.signedInUsers !== undefined) await recordSignIn(request, keys, facts.scopeKey, result as T);
            return result as T;
          }
          failure = new EmptyTokenResult(result);
        }
        const classification = classifyFailure(request, failure);
        const update = await recordFailure(keys, classification, facts);
        // An answer that records nothing (MFA required, a bad request ...) lets the calls
        // waiting for this first contact go; no answer (network, 5xx) lets one of them send next.
        if (admission.markContact && update.effect === "none" && classification.kind !== "network" && classification.kind !== "transient") await markContact(identityKey);
        emit?.({ type: "classified", method: request.method, identity: identityKey, classification, effect: update.effect, until: update.until });
        const original = failure instanceof EmptyTokenResult ? failure.result : failure;
        // A lockout or throttling just recorded: the error says when the guard lets calls go
        // again, as the suppressed ones after it do (a notice counts down from the first).
        const until = update.effect === "lockout" || update.effect === "throttle" ? update.until : undefined;
        const typed =
          until !== undefined
            ? new ERROR_CLASS_BY_KIND[classification.kind](
                classification.retryAfterMs === undefined ? { ...classification, retryAfterMs: Math.max(0, until - clock.now()) } : classification,
                { cause: isMsalGuardError(original) ? original.cause : original, retryAt: until },
              )
            : isMsalGuardError(original)
              ? original
              : new ERROR_CLASS_BY_KIND[classification.kind](classification, { cause: original });
        remember(lastErrorKey(keys, classification.kind), original);

        // A person's sign-in is never repeated behind their back: each attempt opens another window.
        // Nor is a call held longer than `maxDelayMs`: a server asking for a longer wait gets
        // none, and the error says how long it asked for.
        const retryable =
          (classification.kind === "transient" || classification.kind === "network") &&
          !classification.replayed &&
          request.interactive !== true &&
          (classification.retryAfterMs ?? 0) <= policy.retry.maxDelayMs;
        if (!retryable || attempt >= policy.retry.attempts || retryTokens < 1) {
          counts.failed++;
          counts.failuresByKind[classification.kind] = (counts.failuresByKind[classification.kind] ?? 0) + 1;
          throw typed;
        }
        retryTokens -= 1;
        counts.retries++;
        const cap = Math.min(policy.retry.maxDelayMs, policy.retry.firstDelayMs * 2 ** attempt);
        const delayMs = Math.max(policy.retry.firstDelayMs, Math.round(policy.retry.firstDelayMs + clock.random() * (cap - policy.retry.firstDelayMs)), classification.retryAfterMs ?? 0);
        emit?.({ type: "retry", method: request.method, identity: identityKey, attempt: attempt + 1, delayMs, kind: classification.kind });
        await clock.sleep(delayMs);
      }
    } finally {
      try {
        if (admission.holder !== undefined) await unlease(`l:${identityKey}`, admission.holder);
      } finally {
        inFlight.set(flightKey, undefined);
      }
    }
  }

  /**
   * Reads the records and decides: throws the suppressed error, or says how the call may go
   * (a probe holds the lease). A `gated` call (see {@link GuardRequest.alwaysSendsCredential})
   * for an identity with nothing recorded and no first contact made takes the same lease to
   * make first contact, reading the records once more after taking it (the call before it may
   * have answered meanwhile); while another call holds it, it reads them again every
   * {@link CONTACT_POLL_MS}, or as soon as its keys change (see `untilChanged`), until they decide the call or the lease is free (a first contact
   * that brought no answer gives it back; one whose caller died runs out). After
   * `probeLeaseMs` of waiting, a call that cannot take the lease goes anyway.
   */
  async function admit<T>(request: GuardRequest<T>, facts: CallFacts, keys: IdentityKeys, gated: boolean): Promise<Admission> {
    const { appKey, identityKey } = keys;
    const leaseKey = `l:${identityKey}`;
    const started = clock.now();
    let slept = 0;
    let waiting = false;
    let contactHolder: string | undefined;
    const watch = gated ? startWatching(identityKey) : undefined;
    try {
      for (;;) {
        const generation = watch?.generation ?? 0;
        const now = clock.now();
        const [appRaw, identityRaw, contact] = await Promise.all([read(keys.appRecord), read(keys.identityRecord), gated ? read(`c:${identityKey}`) : undefined]);
        const app = parseAppRecord(appRaw, now, policy);
        const identity = parseIdentityRecord(identityRaw, now, policy);
        const verdict = decide(app, identity, facts, now);
        const unknown = gated && verdict.action === "allow" && contact === undefined && isEmptyIdentity(identity);
        if (contactHolder !== undefined) {
          if (unknown) {
            counts.firstContacts++;
            return { identity, holder: contactHolder, markContact: true };
          }
          await unlease(leaseKey, contactHolder);
          contactHolder = undefined;
        }
        if (verdict.action === "suppress") throw new Refusal(verdict.kind, verdict.codes, verdict.until, verdict.reason);
        if (unknown) {
          const holder = nextHolder();
          if (await lease(leaseKey, holder)) {
            contactHolder = holder;
            continue;
          }
          const waited = Math.max(slept, now - started);
          if (waited < policy.probeLeaseMs) {
            if (!waiting) counts.contactWaits++;
            waiting = true;
            const pause = Math.min(CONTACT_POLL_MS, policy.probeLeaseMs - waited);
            const before = clock.now();
            const woken = await untilChanged(watch as Watch, generation, pause);
            slept += woken ? Math.max(0, clock.now() - before) : pause;
            continue;
          }
        }
        // Allowed; or a gated call that waited its longest for a first contact: it goes, and marks its answer.
        if (verdict.action === "allow") return { identity, holder: undefined, markContact: gated && contactStale(contact, now) };
        // A probe: this call may go only while it holds the lease (one probe per window).
        const holder = nextHolder();
        if (!(await lease(leaseKey, holder))) {
          throw new Refusal("account_locked", identity.lockout?.codes ?? [50053], now + policy.probeLeaseMs, "probe_in_flight");
        }
        // Another caller's probe may have answered between our read and our lease (a new
        // window, or a release): decide again on what the store says now.
        const fresh = await freshRecords(appKey, identityKey);
        const again = decide(fresh.app, fresh.identity, facts, clock.now());
        if (again.action !== "probe") {
          await unlease(leaseKey, holder);
          if (again.action === "suppress") throw new Refusal(again.kind, again.codes, again.until, again.reason);
          return { identity, holder: undefined, markContact: gated };
        }
        counts.probes++;
        emit?.({ type: "probe", method: request.method, identity: identityKey });
        // A successful probe ends the lockout: gated calls after it need no first contact.
        return { identity, holder, markContact: gated };
      }
    } finally {
      if (watch !== undefined) stopWatching(identityKey, watch);
    }
  }

  /** A lease holder of its own for each call: two calls in one process must not share a lease. */
  function nextHolder(): string {
    return `${processId}.${(callSequence++).toString(36)}`;
  }

  /** Whether a first-contact marker read (`raw`) is missing or half way through its life: then a success writes it again. */
  function contactStale(raw: string | undefined, now: number): boolean {
    const at = safeCall(() => (JSON.parse(raw as string) as { at?: unknown }).at);
    return !(typeof at === "number" && now - at < contactTtlMs / 2);
  }

  /**
   * Marks a first contact made: the token service answered for the identity and nothing was
   * recorded, so calls waiting for a first contact, or coming while it lives, go at once.
   */
  async function markContact(identityKey: string): Promise<void> {
    await write(`c:${identityKey}`, `{"at":${clock.now()}}`, contactTtlMs);
  }

  /** The suppressed error for a refused call, counted and announced. */
  function refuse(method: string, keys: IdentityKeys, { kind, codes, until, reason }: Refusal): MsalGuardError {
    counts.suppressed++;
    counts.suppressedByReason[reason] = (counts.suppressedByReason[reason] ?? 0) + 1;
    emit?.({ type: "suppressed", method, identity: keys.identityKey, kind, reason, retryAt: until });
    return suppressedError(kind, codes, until, reason, lastErrorKey(keys, kind));
  }

  /** The call answered from MSAL's cache alone, or `undefined` (the cache can't answer, or failed). */
  async function safeCache<T>(request: GuardRequest<T>): Promise<T | undefined> {
    try {
      const result = await request.fromCache?.(request.send);
      if (result === undefined || result === null) return undefined;
      return (request.isSuccess === undefined ? true : request.isSuccess(result)) ? result : undefined;
    } catch {
      return undefined;
    }
  }

  /** Where the last error of a kind is kept: throttling is the app's (any of its identities met it), the rest the identity's. */
  function lastErrorKey(keys: IdentityKeys, kind: GuardErrorKind): string {
    return kind === "throttled" ? `${keys.appKey}:${kind}` : `${keys.identityKey}:${kind}`;
  }

  function classifyFailure<T>(request: GuardRequest<T>, failure: unknown): Classification {
    const observed = safeCall(() => request.responseFor?.(failure instanceof EmptyTokenResult ? failure.result : failure));
    if (failure instanceof EmptyTokenResult) {
      const fromResponse = observed === undefined ? undefined : classify(observed, { now: clock.now() });
      return fromResponse !== undefined && fromResponse.kind !== "unknown" ? fromResponse : makeClassification("unknown", { error: "empty_token_response" });
    }
    return classify(failure, { now: clock.now(), response: observed });
  }

  async function freshRecords(appKey: string, identityKey: string): Promise<{ app: AppRecord; identity: IdentityRecord }> {
    // Re-read: another caller or process may have written while the request was out.
    const now = clock.now();
    const [appRaw, identityRaw] = await Promise.all([read(`a:${appKey}`), read(`i:${identityKey}`)]);
    return { app: parseAppRecord(appRaw, now, policy), identity: parseIdentityRecord(identityRaw, now, policy) };
  }

  /**
   * Writes (or, when empty, deletes) an identity's record. The app's key goes with it, so a
   * process that never used the identity can still tell which app it belongs to (see
   * `status` and `reset`); like every key, it reveals nothing.
   */
  function writeIdentity(identityKey: string, appKey: string, record: IdentityRecord, now: number): Promise<void> {
    return isEmptyIdentity(record) ? write(`i:${identityKey}`, undefined, 0) : write(`i:${identityKey}`, JSON.stringify({ ...record, app: appKey }), identityTtlMs(record, now));
  }

  /**
   * Runs a read, update and write of an identity's record as one step on a shared store,
   * holding a short lease on `w:<identity>` (taken by each call, so calls in one process
   * take turns too), so that two processes learning different things at the same moment (two
   * stale passwords, say) both keep what they learned instead of the last write erasing the
   * other's. Waits for another's step at most {@link RECORD_LOCK_WAIT_MS}, then goes ahead
   * anyway (a holder that died, a store that can't lease): never stuck on the store. Memory
   * alone needs no lock: nothing between its read and its write waits.
   */
  async function underRecordLock<T>(identityKey: string, step: () => Promise<T>): Promise<T> {
    if (shared === local) return step();
    const holder = nextHolder();
    const key = `w:${identityKey}`;
    const giveUpAt = Date.now() + RECORD_LOCK_WAIT_MS;
    let got;
    while ((got = await withTimeout("lease", () => shared.acquireLease(key, holder, recordLockMs))) === false && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, RECORD_LOCK_POLL_MS * (0.5 + clock.random())));
    }
    try {
      return await step();
    } finally {
      if (got === true) await withTimeout("lease", () => shared.releaseLease(key, holder));
    }
  }

  /**
   * Records what a failure taught, under the record lock. Its own function: a closure inside
   * `runCall` would make V8 keep runCall's variables on the heap for every call, happy ones too.
   */
  function recordFailure(keys: IdentityKeys, classification: Classification, facts: CallFacts): Promise<FailureUpdate> {
    const { appKey, identityKey } = keys;
    return underRecordLock(identityKey, async () => {
      const fresh = await freshRecords(appKey, identityKey);
      const next = afterFailure(fresh.app, fresh.identity, classification, facts, clock.now(), policy);
      await persist(appKey, identityKey, fresh, next);
      return next;
    });
  }

  async function persist(appKey: string, identityKey: string, before: { app: AppRecord; identity: IdentityRecord }, after: { app: AppRecord; identity: IdentityRecord }): Promise<void> {
    const now = clock.now();
    const writes: Promise<void>[] = [];
    if (after.app !== before.app && after.app.throttle !== undefined) {
      writes.push(write(`a:${appKey}`, JSON.stringify(after.app), Math.max(1_000, after.app.throttle.until - now)));
    }
    if (after.identity !== before.identity) writes.push(writeIdentity(identityKey, appKey, after.identity, now));
    await Promise.all(writes);
  }

  async function recordSuccess(keys: IdentityKeys, seen: IdentityRecord, facts: CallFacts, probing: boolean): Promise<void> {
    if (isEmptyIdentity(seen) && !probing) return; // the happy path writes nothing
    const { identityKey } = keys;
    const released = await underRecordLock(identityKey, async () => {
      const now = clock.now();
      const current = parseIdentityRecord(await read(`i:${identityKey}`), now, policy);
      const next = afterSuccess(current, facts);
      await writeIdentity(identityKey, keys.appKey, next, now);
      return current.lockout !== next.lockout; // kept when recorded after this call began
    });
    if (released) emit?.({ type: "released", identity: identityKey, reason: "probe_succeeded" });
  }

  /** A sign-in succeeded: clears the signed-in user's lockout and block on these scopes under each of the user's names. */
  async function recordSignIn<T>(request: GuardRequest<T>, keys: IdentityKeys, scopeKey: string, result: T): Promise<void> {
    const names = safeCall(() => request.signedInUsers?.(result));
    if (!Array.isArray(names)) return;
    const users = new Set(names.filter((name): name is string => typeof name === "string" && name.length > 0 && name.length <= 1_024).map((name) => name.toLowerCase()));
    for (const user of [...users].slice(0, 4)) {
      const identityKey = await identityKeyOf({ authority: request.identity.authority, clientId: request.identity.clientId, user });
      if (identityKey === keys.identityKey) continue; // the call's own identity: recordSuccess's
      if ((await read(`i:${identityKey}`)) === undefined) continue; // nothing recorded (the usual case): no lock
      const released = await underRecordLock(identityKey, async () => {
        const raw = await read(`i:${identityKey}`);
        if (raw === undefined) return false;
        const now = clock.now();
        const current = parseIdentityRecord(raw, now, policy);
        const next = afterSignIn(current, scopeKey);
        if (next === current) return false;
        await writeIdentity(identityKey, keys.appKey, next, now);
        return true;
      });
      if (released) emit?.({ type: "released", identity: identityKey, reason: "signed_in" });
    }
  }

  async function status(): Promise<GuardStatus> {
    const now = clock.now();
    const listed = await listedRecordKeys();
    // Every record needed, read a few at a time: a store across a network answers each read
    // in a round trip, and an operator's status() may cover thousands.
    const wanted = new Set<string>();
    for (const [identityKey, who] of known) wanted.add(`a:${who.appKey}`).add(`i:${identityKey}`);
    for (const key of listed) if (key.startsWith("a:") || !known.has(key.slice(2))) wanted.add(key);
    const records = new Map<string, string | undefined>();
    await atMostAtOnce([...wanted], async (key) => void records.set(key, await read(key)));

    const suppressions: SuppressionEntry[] = [];
    const apps = new Set<string>();
    const appEntry = (appKey: string, who: Pick<SuppressionEntry, "clientId" | "authority">) => {
      if (apps.has(appKey)) return;
      apps.add(appKey);
      const app = parseAppRecord(records.get(`a:${appKey}`), now, policy);
      if (app.throttle !== undefined && app.throttle.until > now) {
        suppressions.push({ ...who, user: undefined, scope: "app", kind: app.throttle.kind, reason: "throttled", codes: app.throttle.codes, until: app.throttle.until });
      }
    };
    const identityEntries = (identityKey: string, who: Pick<SuppressionEntry, "clientId" | "authority" | "user">) => {
      const record = parseIdentityRecord(records.get(`i:${identityKey}`), now, policy);
      const base = { ...who, identity: identityKey };
      if (record.lockout !== undefined) {
        suppressions.push({ ...base, scope: "identity", kind: "account_locked", reason: "account_locked", codes: record.lockout.codes, until: record.lockout.until, lockouts: record.lockout.count });
      }
      for (const latch of record.latches ?? []) {
        if (latch.until > now) suppressions.push({ ...base, scope: "credential", kind: latch.kind, reason: "rejected_credential", codes: latch.codes, until: latch.until });
      }
      for (const block of Object.values(record.blocks ?? {})) {
        if (block.until > now) suppressions.push({ ...base, scope: "scopes", kind: block.kind, reason: blockReason(block), codes: block.codes, until: block.until });
      }
    };
    for (const [identityKey, who] of known) {
      const names = { clientId: who.clientId, authority: who.authority };
      appEntry(who.appKey, names);
      identityEntries(identityKey, { ...names, user: maskUser(who.user) });
    }
    // What other processes or tabs recorded: known by key alone (no names are stored).
    const unnamed = { clientId: undefined, authority: undefined, user: undefined };
    for (const key of listed) {
      const hash = key.slice(2);
      if (key.startsWith("a:")) appEntry(hash, unnamed);
      else if (!known.has(hash)) identityEntries(hash, unnamed);
    }
    return { now, suppressions, counts: copyCounts(counts) };
  }

  /** Runs `work` on every item, at most {@link STORE_OPERATIONS_AT_ONCE} at a time. */
  async function atMostAtOnce<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    for (let i = 0; i < items.length; i += STORE_OPERATIONS_AT_ONCE) await Promise.all(items.slice(i, i + STORE_OPERATIONS_AT_ONCE).map(work));
  }

  /** The record keys (`i:`, `a:`) the shared store holds, when it can list them; none when it can't or fails. */
  async function listedRecordKeys(): Promise<string[]> {
    if (shared === local || shared.listKeys === undefined) return [];
    const keys = await withTimeout("list", () => shared.listKeys!(MAX_LISTED_KEYS));
    if (keys === FAILED || !Array.isArray(keys)) return [];
    return keys.filter((key): key is string => typeof key === "string" && (key.startsWith("i:") || key.startsWith("a:")) && isHashKey(key.slice(2)));
  }

  async function reset(scope: ResetScope = {}): Promise<void> {
    if (typeof scope !== "object" || scope === null) throw new TypeError("msal-guard: reset(scope) takes an object such as { user } or { kind }, or nothing to reset everything.");
    const authority = scope.authority === undefined ? undefined : normalAuthority(scope.authority);
    const user = scope.user?.toLowerCase();
    const byKey = scope.identityKey;
    const oneIdentity = user !== undefined || byKey !== undefined;
    const targets: [string, KnownIdentity][] = [...known].filter(
      ([key, who]) =>
        (byKey === undefined || key === byKey) &&
        (authority === undefined || who.authority === authority) &&
        (scope.clientId === undefined || who.clientId === scope.clientId) &&
        (user === undefined || who.user?.toLowerCase() === user),
    );
    if (oneIdentity && targets.length === 0 && scope.clientId !== undefined && authority !== undefined && (byKey === undefined || isHashKey(byKey))) {
      // An identity this process never saw (state from another process, or a key kept across
      // a page reload): reset by key.
      const identityKey = byKey ?? (await identityKeyOf({ authority, clientId: scope.clientId, user }));
      targets.push([identityKey, { authority, clientId: scope.clientId, user, appKey: await memoHash("app", authority, scope.clientId) }]);
    }
    const appKeys = new Set<string>();
    if (!oneIdentity) {
      // What other processes or tabs recorded, for this app (when one is named) or any.
      const onlyApp = authority !== undefined && scope.clientId !== undefined ? await memoHash("app", authority, scope.clientId) : undefined;
      const anyApp = authority === undefined && scope.clientId === undefined;
      const listed = await listedRecordKeys();
      for (const key of listed) if (key.startsWith("a:") && (anyApp || key.slice(2) === onlyApp)) appKeys.add(key.slice(2));
      const others = listed.filter((key) => key.startsWith("i:") && !known.has(key.slice(2)));
      const records = new Map<string, string | undefined>();
      await atMostAtOnce(others, async (key) => void records.set(key, await read(key)));
      for (const key of others) {
        const app = appOfIdentityRecord(records.get(key));
        if (app !== undefined && (anyApp || app === onlyApp)) targets.push([key.slice(2), { authority: "", clientId: "", user: undefined, appKey: app }]);
      }
    }
    await atMostAtOnce(targets, async ([identityKey, who]) => {
      // Read again under the record lock: what another process learns meanwhile is kept.
      // (Throttling is the app's, except loop detection's blocks on one identity's scopes.)
      await underRecordLock(identityKey, async () => {
        const now = clock.now();
        const next = withoutKind(parseIdentityRecord(await read(`i:${identityKey}`), now, policy), scope.kind);
        await writeIdentity(identityKey, who.appKey, next, now);
      });
      // The probe lease is the lockout's: a reset of another kind leaves a probe under way
      // alone (freed, it would let a second caller probe the locked account).
      if (scope.kind === undefined || scope.kind === "account_locked") {
        await withTimeout("delete", () => shared.delete(`l:${identityKey}`));
        await local.delete(`l:${identityKey}`);
      }
      emit?.({ type: "released", identity: identityKey, reason: "reset" });
      if (!oneIdentity) appKeys.add(who.appKey);
    });
    if (scope.kind === undefined || scope.kind === "throttled") await atMostAtOnce([...appKeys], (appKey) => write(`a:${appKey}`, undefined, 0));
  }

  function identityKeyOf(identity: GuardIdentity): Promise<string> {
    return memoHash("identity", normalAuthority(identity.authority), identity.clientId, identity.user?.toLowerCase() ?? "");
  }

  return { execute, status, reset, identityKeyOf, policy };
}

/** A call `admit` decided to suppress, thrown to `runCall`, which tries MSAL's cache, then refuses (not an error the caller sees: see `refuse`). */
class Refusal {
  constructor(
    readonly kind: GuardErrorKind,
    readonly codes: readonly number[],
    readonly until: number,
    readonly reason: SuppressionReason,
  ) {}
}

/** An authority as keys are made of it: lower-case, without trailing slashes. */
function normalAuthority(authority: string): string {
  return authority.toLowerCase().replace(/\/+$/, "");
}

type StoreOperation = Extract<GuardEvent, { type: "store_error" }>["operation"];

const FAILED: unique symbol = Symbol("store operation failed");

/** MSAL resolved with nothing usable (null, or an empty access token after an error status with `{}`). */
class EmptyTokenResult {
  constructor(readonly result: unknown) {}
}

/**
 * A bounded map keyed by a fixed-length tuple, held as nested Maps. A lookup hashes each
 * part, and parts a caller holds already (its identity, its cached keys) have their hash
 * cached by the JS engine, while joining them into one key would build and hash a new,
 * long string on every call. Full, it starts again empty (a miss only costs a recompute).
 */
class TupleCache<V> {
  readonly #root = new Map<unknown, unknown>();
  #size = 0;

  constructor(readonly max: number) {}

  get(parts: readonly unknown[]): V | undefined {
    let node: unknown = this.#root;
    for (let i = 0; i < parts.length && node !== undefined; i++) node = (node as Map<unknown, unknown>).get(parts[i]);
    return node as V | undefined;
  }

  set(parts: readonly unknown[], value: V): void {
    if (this.#size >= this.max && this.get(parts) === undefined) this.clear();
    let node = this.#root;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = node.get(parts[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) node.set(parts[i], (next = new Map()));
      node = next;
    }
    const last = parts[parts.length - 1];
    if (!node.has(last)) this.#size++;
    node.set(last, value);
  }

  clear(): void {
    this.#root.clear();
    this.#size = 0;
  }
}

/**
 * How the hot path's scope cache names a scope set: the scopes as given, joined (one scope:
 * itself). `undefined` when they are not an array of strings; such calls take the slow path.
 */
function scopeCacheId(scopes: readonly string[]): string | undefined {
  if (!Array.isArray(scopes)) return undefined;
  for (const scope of scopes) if (typeof scope !== "string") return undefined;
  return scopes.length === 1 ? (scopes[0] as string) : scopes.join("\u0000");
}

function secretBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
}

function safeCall<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function isStore(value: unknown): value is GuardStore {
  const s = value as Record<string, unknown>;
  return typeof value === "object" && value !== null && ["get", "set", "delete", "acquireLease", "releaseLease"].every((m) => typeof s[m] === "function");
}

/** `ada@contoso.com` → `a…@contoso.com`: enough for an operator to recognise, not a full user name. */
export function maskUser(user: string | undefined): string | undefined {
  if (user === undefined) return undefined;
  const at = user.indexOf("@");
  if (at > 0) return `${user[0]}…${user.slice(at)}`;
  return user.length <= 2 ? "…" : `${user.slice(0, 2)}…`;
}

function copyCounts(counts: GuardCounts): GuardCounts {
  return { ...counts, failuresByKind: { ...counts.failuresByKind }, suppressedByReason: { ...counts.suppressedByReason } };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
