/**
 * Suppression state as versioned, serialisable records, and the pure decisions made
 * from them. Nothing here reads a clock or a store: callers pass `now` and records.
 *
 * Two records exist per app and identity:
 * - the app record (client + authority): throttling, which Entra applies per app;
 * - the identity record (tenant, client, user): lockout, rejected credentials, and
 *   blocks per scope set (Conditional Access, interaction required).
 */
import type { Classification } from "../classification.js";
import { KIND_TRAITS, isGuardErrorKind, type GuardErrorKind } from "../kinds.js";
import type { SuppressionPolicy } from "./policy.js";
import { isHashKey } from "./keys.js";

export const RECORD_VERSION = 1;

export interface LockoutState {
  /** Lockouts seen in a row (1 for the first); drives the escalating window. */
  readonly count: number;
  /** When the window was recorded, epoch ms. */
  readonly since: number;
  /** End of the current window, epoch ms. After it, exactly one caller probes. */
  readonly until: number;
  readonly codes: readonly number[];
}

/** A credential Entra rejected, by keyed fingerprint only. */
export interface CredentialLatch {
  readonly fingerprint: string;
  readonly kind: GuardErrorKind;
  readonly codes: readonly number[];
  readonly since: number;
  readonly until: number;
}

/** A block on one scope set of an identity. */
export interface ScopeBlock {
  readonly kind: GuardErrorKind;
  readonly codes: readonly number[];
  readonly since: number;
  readonly until: number;
  /** Only silent calls are blocked (interaction can fix it; the app decides about interaction). */
  readonly silentOnly: boolean;
}

export interface IdentityRecord {
  readonly v: typeof RECORD_VERSION;
  readonly lockout?: LockoutState;
  readonly latches?: readonly CredentialLatch[];
  readonly blocks?: Readonly<Record<string, ScopeBlock>>;
}

export interface AppRecord {
  readonly v: typeof RECORD_VERSION;
  readonly throttle?: { readonly since: number; readonly until: number; readonly kind: GuardErrorKind; readonly codes: readonly number[] };
}

/** What a call is, as far as suppression is concerned (all keys already hashed). */
export interface CallFacts {
  readonly scopeKey: string;
  readonly silent: boolean;
  /** Keyed fingerprint of the credential the call sends (password, client secret), if any. */
  readonly fingerprint: string | undefined;
  /** The credential includes the user's own (a password): a refused sign-in latches it. @default false */
  readonly userCredential?: boolean;
  /** The call is for a person it does not name, filed under the app: only app-wide failures are recorded. @default false */
  readonly unnamedUser?: boolean;
  /**
   * When the call began, before its request went out, epoch ms: its answer says nothing about
   * a lockout recorded after that. Answers arrive out of order across a fleet: a request the
   * server answered just before the account locked can come back after another process
   * recorded the lockout, and ending it then would let every process send to the locked
   * account (and forget its escalation).
   */
  readonly since: number;
}

export type Verdict =
  | { readonly action: "allow" }
  /** The lockout window has passed: the caller may send only while holding the probe lease. */
  | { readonly action: "probe" }
  | { readonly action: "suppress"; readonly kind: GuardErrorKind; readonly codes: readonly number[]; readonly until: number; readonly reason: SuppressionReason };

/** Why a call was suppressed (in `suppressed` events, {@link SuppressionEntry} and counters). */
export type SuppressionReason =
  | "account_locked"
  | "probe_in_flight"
  | "rejected_credential"
  | "conditional_access_blocked"
  | "interaction_required"
  | "misconfigured"
  | "throttled";

const MAX_LATCHES = 8;
const MAX_BLOCKS = 32;
const MAX_CODES = 8;
/** Throttling of one user's requests: 50196 (the client repeated one request too often), 50088 (the user's telecom MFA calls). */
const ONE_USERS_THROTTLING: ReadonlySet<number> = new Set([50196, 50088]);

// ---------------------------------------------------------------- reading

/**
 * Parses a stored identity record. Anything unreadable is ignored (an empty record), and
 * no window is trusted beyond its cap: a hostile or corrupt store can't extend suppression.
 */
export function parseIdentityRecord(raw: string | undefined, now: number, policy: SuppressionPolicy): IdentityRecord {
  const value = parseJson(raw);
  if (value === undefined || value.v !== RECORD_VERSION) return { v: RECORD_VERSION };
  const record: { v: 1; lockout?: LockoutState; latches?: CredentialLatch[]; blocks?: Record<string, ScopeBlock> } = { v: RECORD_VERSION };

  const lockout = value.lockout as Record<string, unknown> | undefined;
  const lockoutWindow = isObject(lockout) && isCount(lockout.count) ? trustedWindow(lockout, now, policy.lockout.maxWindowMs) : undefined;
  if (lockoutWindow !== undefined && isObject(lockout)) {
    record.lockout = { count: lockout.count as number, ...lockoutWindow, codes: codesOf(lockout.codes) };
  }
  if (Array.isArray(value.latches)) {
    const latches: CredentialLatch[] = [];
    for (const latch of value.latches.slice(0, MAX_LATCHES) as unknown[]) {
      if (!isObject(latch) || typeof latch.fingerprint !== "string" || !/^[0-9a-f]{16,128}$/.test(latch.fingerprint)) continue;
      const window = trustedWindow(latch, now, policy.rejectedCredentialMs);
      if (!isGuardErrorKind(latch.kind) || window === undefined) continue;
      latches.push({ fingerprint: latch.fingerprint, kind: latch.kind, codes: codesOf(latch.codes), ...window });
    }
    if (latches.length > 0) record.latches = latches;
  }
  if (isObject(value.blocks)) {
    const blocks: Record<string, ScopeBlock> = {};
    for (const [scopeKey, block] of Object.entries(value.blocks).slice(0, MAX_BLOCKS)) {
      if (!isObject(block) || !isGuardErrorKind(block.kind) || typeof block.silentOnly !== "boolean") continue;
      const window = trustedWindow(block, now, blockCapMs(block.kind, block.silentOnly, policy));
      if (window === undefined) continue;
      blocks[scopeKey] = { kind: block.kind, codes: codesOf(block.codes), ...window, silentOnly: block.silentOnly };
    }
    if (Object.keys(blocks).length > 0) record.blocks = blocks;
  }
  return record;
}

export function parseAppRecord(raw: string | undefined, now: number, policy: SuppressionPolicy): AppRecord {
  const value = parseJson(raw);
  if (value === undefined || value.v !== RECORD_VERSION) return { v: RECORD_VERSION };
  const throttle = value.throttle;
  const window = isObject(throttle) && isGuardErrorKind(throttle.kind) ? trustedWindow(throttle, now, policy.throttle.maxMs) : undefined;
  if (window !== undefined && isObject(throttle)) {
    return { v: RECORD_VERSION, throttle: { ...window, kind: throttle.kind as GuardErrorKind, codes: codesOf(throttle.codes) } };
  }
  return { v: RECORD_VERSION };
}

// ---------------------------------------------------------------- deciding

/** May this call go out? Throttling first (whole app), then the identity's state. */
export function decide(app: AppRecord, identity: IdentityRecord, call: CallFacts, now: number): Verdict {
  if (app.throttle !== undefined && app.throttle.until > now) {
    return { action: "suppress", kind: app.throttle.kind, codes: app.throttle.codes, until: app.throttle.until, reason: "throttled" };
  }
  const lockout = identity.lockout;
  if (lockout !== undefined && lockout.until > now) {
    return { action: "suppress", kind: "account_locked", codes: lockout.codes, until: lockout.until, reason: "account_locked" };
  }
  if (call.fingerprint !== undefined) {
    const latch = identity.latches?.find((l) => l.fingerprint === call.fingerprint && l.until > now);
    if (latch !== undefined) return { action: "suppress", kind: latch.kind, codes: latch.codes, until: latch.until, reason: "rejected_credential" };
  }
  const block = identity.blocks?.[call.scopeKey];
  if (block !== undefined && block.until > now && (!block.silentOnly || call.silent)) {
    return { action: "suppress", kind: block.kind, codes: block.codes, until: block.until, reason: blockReason(block) };
  }
  if (lockout !== undefined) return { action: "probe" };
  return { action: "allow" };
}

/** Why a scope block suppresses a call. */
export function blockReason(block: Pick<ScopeBlock, "kind" | "silentOnly">): SuppressionReason {
  if (block.kind === "conditional_access_blocked" || block.kind === "throttled") return block.kind;
  return block.silentOnly ? "interaction_required" : "misconfigured";
}

/** The longest window a scope block of this kind can have under the policy. */
export function blockCapMs(kind: unknown, silentOnly: boolean, policy: SuppressionPolicy): number {
  if (silentOnly) return policy.interactionRequiredMs;
  return kind === "conditional_access_blocked" ? policy.conditionalAccessMs : kind === "throttled" ? policy.throttle.maxMs : policy.misconfiguredMs;
}

/** Kinds that refuse the user's sign-in itself (wrong or expired password, disabled account): latched when the call sent the user's credential. */
const LATCHING_KINDS: ReadonlySet<GuardErrorKind> = new Set(["invalid_credentials", "password_expired", "account_unavailable"]);

/**
 * `client_misconfigured` codes that refuse the app's credential itself (a wrong or expired
 * secret, a certificate or assertion Entra can't verify): latched like a wrong password.
 * Every other `client_misconfigured` answer is about the request (scope, resource,
 * redirect URI) or the app's registration, and a different request can still succeed.
 */
const CREDENTIAL_REFUSED: ReadonlySet<number> = new Set([70002, 7000215, 7000222, 700027, 700030, 50012, 50048, 700025]);

/**
 * Codes about a token the request carries (an on-behalf-of user assertion): the next
 * request brings a new one, so nothing is suppressed.
 */
const CARRIED_TOKEN_REFUSED: ReadonlySet<number> = new Set([50013, 50027]);

/** Kinds that block the identity's scope set for `misconfiguredMs` when the service said so. */
const MISCONFIGURED_KINDS: ReadonlySet<GuardErrorKind> = new Set(["client_misconfigured", "tenant_misconfigured"]);

export interface FailureUpdate {
  readonly identity: IdentityRecord;
  readonly app: AppRecord;
  /** What the update means, for events and status. */
  readonly effect: "lockout" | "latch" | "block" | "throttle" | "none";
  readonly until: number | undefined;
}

/** The records after a failure the server (or MSAL's throttle cache) reported. */
export function afterFailure(
  app: AppRecord,
  identity: IdentityRecord,
  c: Classification,
  call: CallFacts,
  now: number,
  policy: SuppressionPolicy,
): FailureUpdate {
  const codes = c.codes.slice(0, MAX_CODES);
  // Any other answer from the server ends a lockout (the server has moved on); no answer
  // at all (network, 5xx, MSAL's local replay) leaves it as it was, and neither does the
  // answer to a call that began before the lockout was recorded (see `since`).
  const serverAnswered = !c.replayed && c.kind !== "network" && c.kind !== "transient" && c.kind !== "unknown";
  const base: IdentityRecord = c.kind === "account_locked" || !serverAnswered || (identity.lockout?.since ?? 0) > call.since ? identity : withoutLockout(identity);

  const unnamed = call.unnamedUser === true;
  if (c.kind === "account_locked" && !unnamed) {
    // A lockout answered while a window is still running (replicas meeting it at once)
    // is the same lockout: keep its window rather than escalating once per replica.
    if (identity.lockout !== undefined && identity.lockout.until > now) {
      return { identity, app, effect: "lockout", until: identity.lockout.until };
    }
    const count = (identity.lockout?.count ?? 0) + 1;
    const window = Math.min(policy.lockout.firstWindowMs * policy.lockout.multiplier ** (count - 1), policy.lockout.maxWindowMs);
    const until = now + window;
    return { identity: { ...base, lockout: { count, since: now, until, codes } }, app, effect: "lockout", until };
  }
  // A block on this identity's scope set, for `ms`.
  const block = (ms: number, silentOnly: boolean): FailureUpdate => {
    const until = now + ms;
    return { identity: withBlock(base, call.scopeKey, { kind: c.kind, codes, since: now, until, silentOnly }, now), app, effect: "block", until };
  };
  // MSAL's replay of a throttle it armed sent nothing and says nothing new: its process's MSAL
  // keeps answering locally, and the answer that armed it, a 429, was recorded when it came. A
  // replay of a 5xx without codes is "throttled" too, but recording it would hold back every
  // process sharing the store over one transient failure.
  if (c.kind === "throttled" && !c.replayed) {
    const wait = Math.min(c.retryAfterMs ?? policy.throttle.defaultMs, policy.throttle.maxMs);
    // Loop detection counts one client's identical requests, and the telecom MFA limit one
    // user's calls: they refuse this identity's request, not the app's other users. A call
    // that names no user holds back the app, as other throttling does.
    if (c.codes.some((code) => ONE_USERS_THROTTLING.has(code)) && !unnamed) return block(wait, false);
    const until = now + wait;
    return { identity: base, app: { v: RECORD_VERSION, throttle: { since: now, until, kind: c.kind, codes } }, effect: "throttle", until };
  }
  // The app's credential refused: whoever the call was for. The user's sign-in refused:
  // latched only when the call sent the user's own credential (a password), which the
  // next call would send again unchanged.
  const appCredentialRefused = c.kind === "client_misconfigured" && c.codes.some((code) => CREDENTIAL_REFUSED.has(code));
  const signInRefused = LATCHING_KINDS.has(c.kind);
  const credentialRefused = appCredentialRefused || (signInRefused && call.userCredential === true && !unnamed);
  if (credentialRefused && call.fingerprint !== undefined) {
    const until = now + policy.rejectedCredentialMs;
    const others = (base.latches ?? []).filter((l) => l.fingerprint !== call.fingerprint && l.until > now);
    const latches = [{ fingerprint: call.fingerprint, kind: c.kind, codes, since: now, until }, ...others].slice(0, MAX_LATCHES);
    return { identity: { ...base, latches }, app, effect: "latch", until };
  }
  // Whatever else it says is about the person signing in, whom the call does not name.
  if (unnamed) return { identity, app, effect: "none", until: undefined };
  if (c.kind === "conditional_access_blocked") return block(policy.conditionalAccessMs, false);
  // The service (not MSAL's local checks) refused the request for the app's or tenant's
  // setup (or a credential no fingerprint could latch): the same request fails the same
  // way until someone fixes it.
  const refusedByService = serverAnswered && (c.codes.length > 0 || c.httpStatus !== undefined);
  if (MISCONFIGURED_KINDS.has(c.kind) && refusedByService && !c.codes.some((code) => CARRIED_TOKEN_REFUSED.has(code))) return block(policy.misconfiguredMs, false);
  // A silent call can't fix a refused sign-in (disabled, expired password) either: the
  // user or an administrator must act, and the next silent call fails the same way.
  if ((KIND_TRAITS[c.kind].retry === "after_interaction" || signInRefused) && call.silent && c.kind !== "user_cancelled") return block(policy.interactionRequiredMs, true);
  return { identity: base, app, effect: "none", until: undefined };
}

/** The identity record after a successful call: the lockout is over (unless recorded after the call began: see `since`), the scope unblocked. */
export function afterSuccess(identity: IdentityRecord, call: CallFacts): IdentityRecord {
  const blocks = identity.blocks === undefined ? undefined : omit(identity.blocks, call.scopeKey);
  const latches = call.fingerprint === undefined ? identity.latches : identity.latches?.filter((l) => l.fingerprint !== call.fingerprint);
  return compact({ v: RECORD_VERSION, lockout: (identity.lockout?.since ?? 0) > call.since ? identity.lockout : undefined, latches, blocks });
}

/**
 * The identity record after the user signed in successfully through another call (another
 * method, or a request that named nobody): no lockout, no block on those scopes. Latches
 * stay (they are about one credential). Returns the record itself when nothing changes.
 */
export function afterSignIn(identity: IdentityRecord, scopeKey: string): IdentityRecord {
  if (identity.lockout === undefined && identity.blocks?.[scopeKey] === undefined) return identity;
  const blocks = identity.blocks === undefined ? undefined : omit(identity.blocks, scopeKey);
  return compact({ v: RECORD_VERSION, latches: identity.latches, blocks });
}

/** True when the record holds nothing (it can be deleted). */
export function isEmptyIdentity(record: IdentityRecord): boolean {
  return record.lockout === undefined && (record.latches?.length ?? 0) === 0 && Object.keys(record.blocks ?? {}).length === 0;
}

/**
 * How long a store should keep a record: past its last window, and long enough to
 * remember lockout escalation (a day after the window).
 */
export function identityTtlMs(record: IdentityRecord, now: number): number {
  const ends = [
    record.lockout === undefined ? 0 : record.lockout.until + 24 * 60 * 60_000,
    ...(record.latches ?? []).map((l) => l.until),
    ...Object.values(record.blocks ?? {}).map((b) => b.until),
  ];
  return Math.max(1_000, Math.max(...ends) - now);
}

/** Drops a part of the record, for operator resets. */
export function withoutKind(identity: IdentityRecord, kind: GuardErrorKind | undefined): IdentityRecord {
  if (kind === undefined) return { v: RECORD_VERSION };
  const latches = identity.latches?.filter((l) => l.kind !== kind);
  const blocks = identity.blocks === undefined ? undefined : Object.fromEntries(Object.entries(identity.blocks).filter(([, b]) => b.kind !== kind));
  return compact({ v: RECORD_VERSION, lockout: kind === "account_locked" ? undefined : identity.lockout, latches, blocks });
}

function withoutLockout(identity: IdentityRecord): IdentityRecord {
  return compact({ v: RECORD_VERSION, latches: identity.latches, blocks: identity.blocks });
}

function withBlock(identity: IdentityRecord, scopeKey: string, block: ScopeBlock, now: number): IdentityRecord {
  const live = Object.entries(identity.blocks ?? {}).filter(([key, b]) => key !== scopeKey && b.until > now);
  const blocks = Object.fromEntries([[scopeKey, block], ...live].slice(0, MAX_BLOCKS));
  return { ...identity, blocks };
}

function compact(record: { v: 1; lockout?: LockoutState | undefined; latches?: readonly CredentialLatch[] | undefined; blocks?: Readonly<Record<string, ScopeBlock>> | undefined }): IdentityRecord {
  const out: { v: 1; lockout?: LockoutState; latches?: readonly CredentialLatch[]; blocks?: Readonly<Record<string, ScopeBlock>> } = { v: RECORD_VERSION };
  if (record.lockout !== undefined) out.lockout = record.lockout;
  if (record.latches !== undefined && record.latches.length > 0) out.latches = record.latches;
  if (record.blocks !== undefined && Object.keys(record.blocks).length > 0) out.blocks = record.blocks;
  return out;
}

function omit<T>(map: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const copy = { ...map };
  delete copy[key];
  return copy;
}

/** The key of the app an identity record was written for (see the engine's `writeIdentity`), if it names one. */
export function appOfIdentityRecord(raw: string | undefined): string | undefined {
  const app = parseJson(raw)?.app;
  return isHashKey(app) ? app : undefined;
}

function parseJson(raw: string | undefined): Record<string, unknown> | undefined {
  if (typeof raw !== "string" || raw.length > 256 * 1024) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A stored window, trusted only up to its cap: a record that claims a longer window or lacks
 * its times is cut or ignored, so no stored value (corrupt, hostile, or from a misconfigured
 * peer) can suppress calls for longer than the policy allows. A record "written in the future"
 * is kept if no further ahead than its cap (this clock was set back, by an NTP correction or a
 * VM's resume, or a peer's runs ahead: a lockout recorded a moment ago still holds), and
 * ends by its write time plus the cap; one dated further ahead is ignored.
 */
function trustedWindow(entry: Record<string, unknown>, now: number, cap: number): { since: number; until: number } | undefined {
  const { since, until } = entry;
  if (!isTime(since) || !isTime(until) || since > now + cap) return undefined;
  return { since, until: Math.min(until, since + cap, now + cap) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 1000;
}

function codesOf(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.filter((c): c is number => typeof c === "number" && Number.isInteger(c) && c > 0 && c < 1e9).slice(0, MAX_CODES);
}
