import { MemoryStore } from "../../core/guard/memory-store.js";
import { resolvePolicy, type SuppressionPolicy, type SuppressionPolicyOptions } from "../../core/guard/policy.js";
import type { GuardStore } from "../../core/guard/store.js";
import { limitRecord } from "./record-limits.js";
import { rejectUnknownOptions } from "../../core/options.js";

/** Options for {@link LocalStorageStore}. */
export interface LocalStorageStoreOptions {
  /** The storage to use. @default globalThis.localStorage, read at construction (where reading it can throw) */
  readonly storage?: Storage;
  /**
   * Prefix of every key this store writes. Keep `msal` (lower case) and the app's client id
   * out of it: msal-browser's `clearCache()`, and `logoutRedirect`/`logoutPopup` without an
   * account, remove every key of its cache storage that contains either.
   * @default "MsalGuard:"
   */
  readonly prefix?: string;
  /** Name of the BroadcastChannel that carries change notices between tabs. @default "msal-guard" */
  readonly channelName?: string;
  /** Current time, epoch ms. @default Date.now, read at call time */
  readonly now?: () => number;
  /**
   * The suppression policy the guard uses, so windows read back from storage are capped at
   * `written + cap` (see below). `guardClient` passes its own to a store created without one.
   * @default the default policy
   */
  readonly policy?: SuppressionPolicyOptions;
  /**
   * Web Locks for probe leases. `false` forces the localStorage lease (write, settle, read back).
   * @default navigator.locks when the browser has it
   */
  readonly locks?: LockManager | false;
  /** How long the localStorage lease waits before reading its write back, ms. @default 30 */
  readonly leaseSettleMs?: number;
  /** Told when the store falls back to memory or drops an invalid entry. Exceptions it throws are ignored. */
  readonly onEvent?: (event: LocalStorageStoreEvent) => void;
}

/** Reported through `onEvent` when the store changes how it keeps state. */
export type LocalStorageStoreEvent =
  /**
   * Storage can't be used any more, so state lives in this tab's memory from now on:
   * `unavailable` (no localStorage), `blocked` (SecurityError: storage disabled, sandboxed
   * frame), `error` (anything else). Or `quota`: storage is full even after removing expired
   * entries, so what this tab can't write stays in its memory (until another tab writes that
   * key later); storage is still read (other tabs' records still count), and the unsaved
   * values are written out with the next write that fits.
   */
  | { readonly type: "fallback"; readonly reason: "unavailable" | "blocked" | "quota" | "error"; readonly error: unknown }
  /** An entry that isn't one of ours (corrupt, tampered, dated too far ahead) was removed. */
  | { readonly type: "invalid"; readonly key: string };

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(["storage", "prefix", "channelName", "now", "policy", "locks", "leaseSettleMs", "onEvent"]);

/** Longest TTL kept: the longest policy window (one week) plus a day of lockout memory. */
const MAX_TTL_MS = 8 * 24 * 60 * 60_000;
const MAX_LEASE_MS = 60 * 60_000;
const MAX_VALUE_CHARS = 64 * 1024;
const LEASE = "lease:";

/** Hidden hook through which `guardClient` hands its policy to a store created without one. */
export const BIND_POLICY: unique symbol = /* @__PURE__ */ Symbol.for("msal-guard.browser.bind-policy") as never;

interface Envelope {
  /** Written at, epoch ms. */
  readonly w: number;
  /** Expires at, epoch ms. */
  readonly e: number;
  readonly d: string;
}

/**
 * Suppression state shared by every tab of the origin, in `localStorage`.
 *
 * - Values sit in an envelope `{ w, e, d }` (written, expires, data) and are validated on
 *   every read: anything malformed, kept beyond the longest TTL or dated further ahead than
 *   it is removed (dated a little ahead is kept: the clock was set back since).
 *   Suppression windows inside are capped at `written + cap`, so a tampered value cannot
 *   suppress for longer than the policy allows.
 * - Leases use Web Locks (`navigator.locks`, shared by the origin's tabs and released when a
 *   tab closes) when available; otherwise a write, a short settle and a read back.
 * - Other tabs are told of changes through a `BroadcastChannel` and `storage` events.
 * - When storage is missing or blocked, the store carries on in memory (this tab only) and
 *   says so once with a `fallback` event. When it is full, only what this tab can't write
 *   stays in memory: it still reads what the other tabs recorded.
 *
 * Keys are the engine's hashes: no user name, tenant or scope is readable in storage.
 */
export class LocalStorageStore implements GuardStore {
  readonly #prefix: string;
  readonly #channelName: string;
  readonly #now: () => number;
  readonly #locks: LockManager | undefined;
  readonly #settleMs: number;
  readonly #onEvent: ((event: LocalStorageStoreEvent) => void) | undefined;
  readonly #held = new Map<string, { holder: string; release: () => void }>();
  #policy: SuppressionPolicy;
  #policyGiven: boolean;
  #storage: Storage | undefined;
  #memory: MemoryStore | undefined;
  /**
   * What this tab could not write while storage was full, as envelopes: read unless storage
   * holds a value written as late or later, and written out after the next write that fits.
   */
  readonly #unsaved = new Map<string, Envelope>();
  /** Leases this tab took while storage was full. */
  #unsavedLeases: MemoryStore | undefined;
  #quotaError: unknown;
  #quotaReported = false;
  #channel: BroadcastChannel | undefined;
  #swept = false;

  constructor(options: LocalStorageStoreOptions = {}) {
    if (typeof options !== "object" || options === null) throw new TypeError("msal-guard: LocalStorageStore options must be an object.");
    rejectUnknownOptions(options, KNOWN_OPTIONS, "LocalStorageStore");
    const prefix = options.prefix ?? "MsalGuard:";
    if (typeof prefix !== "string" || prefix.length === 0 || prefix.length > 100) throw new TypeError("msal-guard: LocalStorageStore prefix must be a non-empty string of at most 100 characters.");
    const settle = options.leaseSettleMs ?? 30;
    if (typeof settle !== "number" || !(settle >= 0 && settle <= 5_000)) throw new RangeError(`msal-guard: leaseSettleMs must be a number of milliseconds from 0 to 5000, got ${String(settle)}.`);
    this.#prefix = prefix;
    this.#channelName = options.channelName ?? "msal-guard";
    this.#now = options.now ?? (() => Date.now());
    this.#settleMs = settle;
    this.#onEvent = options.onEvent;
    this.#policyGiven = options.policy !== undefined;
    this.#policy = resolvePolicy(options.policy);
    this.#locks = options.locks === false ? undefined : (options.locks ?? webLocks());
    try {
      this.#storage = options.storage ?? globalThis.localStorage;
    } catch (error) {
      this.#storage = undefined;
      this.#fallBack(error);
    }
    if (this.#storage === undefined || this.#storage === null) this.#fallBack(undefined);
  }

  /** True once the store has given up on storage and keeps state in this tab's memory. */
  get inMemory(): boolean {
    return this.#memory !== undefined;
  }

  /** @internal */
  [BIND_POLICY](policy: SuppressionPolicy): void {
    if (!this.#policyGiven) this.#policy = policy;
  }

  /** Up to `limit` keys holding a valid, unexpired value, leases left out (see `GuardStore.listKeys`); other tabs' included. */
  async listKeys(limit: number): Promise<readonly string[]> {
    const now = this.#now();
    const keys = new Set([...this.#unsaved].filter(([, envelope]) => envelope.e > now).map(([key]) => key));
    for (const storageKey of this.#ownKeys()) {
      if (keys.size >= limit) break;
      // #read drops what get() would ignore (expired, malformed), so only live keys are listed.
      if (!storageKey.startsWith(this.#prefix + LEASE) && this.#read(storageKey) !== undefined) keys.add(storageKey.slice(this.#prefix.length));
    }
    return this.#fallbackStore()?.listKeys(limit) ?? [...keys].slice(0, limit); // in memory, or storage just failed
  }

  async get(key: string): Promise<string | undefined> {
    if (this.#memory !== undefined) return this.#memory.getSync(key);
    const stored = this.#read(this.#prefix + key);
    const unsaved = this.#unsaved.get(key);
    // This tab's unsaved value, unless expired or another tab has written since.
    const envelope = unsaved !== undefined && unsaved.e > this.#now() && (stored === undefined || stored.w < unsaved.w) ? unsaved : stored;
    if (envelope !== unsaved) this.#unsaved.delete(key);
    if (envelope !== undefined) return limitRecord(envelope.d, envelope.w, this.#policy);
    return this.#fallbackStore()?.getSync(key); // reading may just have failed over
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (typeof value !== "string" || value.length > MAX_VALUE_CHARS) throw new RangeError(`msal-guard: LocalStorageStore values are strings of at most ${MAX_VALUE_CHARS} characters.`);
    const now = this.#now();
    const ttl = Math.min(Math.max(0, Number.isFinite(ttlMs) ? ttlMs : 0), MAX_TTL_MS);
    const envelope: Envelope = { w: now, e: now + ttl, d: value };
    if (this.#memory === undefined) {
      this.#sweepOnce(now);
      if (this.#write(this.#prefix + key, JSON.stringify(envelope))) {
        this.#unsaved.delete(key);
        this.#notify(key);
        this.#writeUnsaved(now);
        return;
      }
    }
    if (this.#memory !== undefined) this.#memory.setSync(key, value, ttl);
    else this.#keepUnsaved(key, envelope);
  }

  /** Forgets the value under `key` and tells the other tabs. */
  async delete(key: string): Promise<void> {
    this.#held.get(key)?.release();
    if (this.#memory !== undefined) {
      await this.#memory.delete(key);
      return;
    }
    this.#unsaved.delete(key);
    this.#remove(this.#prefix + key);
    this.#remove(this.#prefix + LEASE + key);
    this.#notify(key);
  }

  async acquireLease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    const ttl = Math.min(Math.max(0, ttlMs), MAX_LEASE_MS);
    const mine = this.#held.get(key);
    if (mine !== undefined) return mine.holder === holder;
    if (this.#locks !== undefined) return this.#lockLease(this.#locks, key, holder, ttl);
    if (this.#memory !== undefined) return this.#memory.acquireLease(key, holder, ttl);

    const storageKey = this.#prefix + LEASE + key;
    const now = this.#now();
    const current = this.#readLease(storageKey, now);
    if (current !== undefined && current.h !== holder) return false;
    const nonce = Math.random().toString(36).slice(2);
    if (!this.#write(storageKey, JSON.stringify({ h: holder, n: nonce, w: now, e: now + ttl }))) {
      const memory = this.#fallbackStore(); // storage failed for good
      if (memory !== undefined) return memory.acquireLease(key, holder, ttl);
      this.#reportQuota();
      return (this.#unsavedLeases ??= new MemoryStore({ now: () => this.#now() })).acquireLease(key, holder, ttl);
    }
    // localStorage has no compare-and-set: let a concurrent writer in another tab land,
    // then only the last writer (whose value is still there) holds the lease.
    await new Promise((resolve) => setTimeout(resolve, this.#settleMs));
    const back = this.#readLease(storageKey, this.#now());
    return back?.h === holder && back.n === nonce;
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    const mine = this.#held.get(key);
    if (mine !== undefined) {
      if (mine.holder === holder) mine.release();
      return;
    }
    if (this.#memory !== undefined) {
      await this.#memory.releaseLease(key, holder);
      return;
    }
    await this.#unsavedLeases?.releaseLease(key, holder);
    const storageKey = this.#prefix + LEASE + key;
    if (this.#readLease(storageKey, this.#now())?.h === holder) {
      this.#remove(storageKey);
      this.#notify(key);
    }
  }

  /**
   * Calls `listener` with the key when an entry changes in another tab (or through any store
   * object on the same channel, this one included). Returns the unsubscribe function.
   */
  subscribe(listener: (key: string) => void): () => void {
    const onKey = (key: unknown) => {
      if (typeof key !== "string" || key.length === 0 || key.length > 300) return;
      try {
        listener(key.startsWith(LEASE) ? key.slice(LEASE.length) : key);
      } catch {
        // a listener's bug must not break the store
      }
    };
    const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(this.#channelName) : undefined;
    const onMessage = (event: MessageEvent) => onKey((event.data as { key?: unknown } | null)?.key);
    channel?.addEventListener("message", onMessage);
    const onStorage = (event: StorageEvent) => {
      if (event.storageArea === this.#storage && typeof event.key === "string" && event.key.startsWith(this.#prefix)) onKey(event.key.slice(this.#prefix.length));
    };
    const target = globalThis as unknown as Partial<Pick<Window, "addEventListener" | "removeEventListener">>;
    target.addEventListener?.("storage", onStorage);
    return () => {
      channel?.removeEventListener("message", onMessage);
      channel?.close();
      target.removeEventListener?.("storage", onStorage);
    };
  }

  /** Closes the change-notice channel and gives back any Web Locks held. The store stays usable. */
  close(): void {
    for (const { release } of [...this.#held.values()]) release();
    this.#channel?.close();
    this.#channel = undefined;
  }

  // ------------------------------------------------------------------ internals

  /** The memory store, once storage failed (a method, so TypeScript re-reads it after calls that may fail over). */
  #fallbackStore(): MemoryStore | undefined {
    return this.#memory;
  }

  #emit(event: LocalStorageStoreEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // ignore
    }
  }

  #fallBack(error: unknown): void {
    if (this.#memory !== undefined) return;
    this.#memory = new MemoryStore({ now: () => this.#now() });
    const name = (error as { name?: unknown } | undefined)?.name;
    const reason = error === undefined ? "unavailable" : name === "SecurityError" ? "blocked" : "error";
    this.#emit({ type: "fallback", reason, error });
  }

  /** Keeps what a full storage refused in this tab (announced once with a `quota` fallback event); storage is still read. */
  #keepUnsaved(key: string, envelope: Envelope): void {
    this.#reportQuota();
    this.#unsaved.delete(key); // newest last: written out in the order they were made
    this.#unsaved.set(key, envelope);
  }

  #reportQuota(): void {
    if (this.#quotaReported) return;
    this.#quotaReported = true;
    this.#emit({ type: "fallback", reason: "quota", error: this.#quotaError });
  }

  /**
   * Room again: writes out what was kept unsaved (oldest first, as written), until one doesn't
   * fit; not over a value another tab wrote since, nor once expired.
   */
  #writeUnsaved(now: number): void {
    for (const [key, envelope] of this.#unsaved) {
      const stored = this.#read(this.#prefix + key);
      const due = envelope.e > now && (stored === undefined || stored.w < envelope.w);
      if (due && !this.#write(this.#prefix + key, JSON.stringify(envelope))) return;
      this.#unsaved.delete(key);
      if (due) this.#notify(key);
    }
  }

  #read(storageKey: string): Envelope | undefined {
    let raw: string | null;
    try {
      raw = (this.#storage as Storage).getItem(storageKey);
    } catch (error) {
      this.#fallBack(error);
      return undefined;
    }
    if (raw === null) return undefined;
    const now = this.#now();
    const envelope = parseEnvelope(raw, now);
    if (envelope === undefined || envelope.e <= now) {
      this.#remove(storageKey);
      if (envelope === undefined) this.#emit({ type: "invalid", key: storageKey.slice(this.#prefix.length) });
      return undefined;
    }
    return envelope;
  }

  #readLease(storageKey: string, now: number): { h: string; n: string } | undefined {
    let raw: string | null;
    try {
      raw = (this.#storage as Storage).getItem(storageKey);
    } catch (error) {
      this.#fallBack(error);
      return undefined;
    }
    if (raw === null) return undefined;
    const value = parseJson(raw);
    const valid =
      value !== undefined &&
      typeof value.h === "string" && value.h.length <= 200 &&
      typeof value.n === "string" && value.n.length <= 40 &&
      isTime(value.w) && // may be "in the future": the clock was set back since
      isTime(value.e) && value.e <= value.w + MAX_LEASE_MS && value.e <= now + MAX_LEASE_MS;
    if (!valid || (value.e as number) <= now) {
      this.#remove(storageKey);
      return undefined;
    }
    return { h: value.h as string, n: value.n as string };
  }

  /** Writes to storage; false when it could not (full even after a sweep, or failed: then all in memory). */
  #write(storageKey: string, raw: string): boolean {
    const storage = this.#storage as Storage;
    for (let attempt = 0; ; attempt++) {
      try {
        storage.setItem(storageKey, raw);
        return true;
      } catch (error) {
        if (!isQuotaError(error)) {
          this.#fallBack(error);
          return false;
        }
        if (attempt === 1) {
          this.#quotaError ??= error;
          return false;
        }
      }
      // Full: make room by removing our expired entries, then try once more.
      this.#sweep(this.#now());
      if (this.#memory !== undefined) return false;
    }
  }

  #remove(storageKey: string): void {
    try {
      this.#storage?.removeItem(storageKey);
    } catch (error) {
      this.#fallBack(error);
    }
  }

  #sweepOnce(now: number): void {
    if (this.#swept) return;
    this.#swept = true;
    this.#sweep(now);
  }

  /** Removes this store's expired or invalid entries. */
  #sweep(now: number): void {
    for (const key of this.#ownKeys()) {
      if (key.startsWith(this.#prefix + LEASE)) this.#readLease(key, now);
      else this.#read(key);
    }
  }

  /**
   * The storage keys under this store's prefix, leases included; none once in memory.
   * Collected before any is read: reading removes bad entries, which renumbers `key(i)`.
   */
  #ownKeys(): string[] {
    const keys: string[] = [];
    const storage = this.#storage;
    if (this.#memory !== undefined || storage === undefined) return keys;
    try {
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (key !== null && key.startsWith(this.#prefix)) keys.push(key);
      }
    } catch (error) {
      this.#fallBack(error);
    }
    return keys;
  }

  #notify(key: string): void {
    if (typeof BroadcastChannel !== "function") return;
    try {
      if (this.#channel === undefined) {
        this.#channel = new BroadcastChannel(this.#channelName);
        // Node (tests, SSR) would otherwise keep the process alive for an idle channel.
        (this.#channel as { unref?: () => void }).unref?.();
      }
      this.#channel.postMessage({ key });
    } catch {
      // notices are a courtesy: other tabs re-read storage on their next call anyway
    }
  }

  #lockLease(locks: LockManager, key: string, holder: string, ttlMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      locks
        .request(`${this.#prefix}${LEASE}${key}`, { ifAvailable: true }, (lock) => {
          if (lock === null) {
            resolve(false);
            return undefined;
          }
          // Held until released, deleted, the TTL runs out, or the tab goes away.
          return new Promise<void>((done) => {
            const release = () => {
              clearTimeout(timer);
              if (this.#held.get(key)?.release === release) this.#held.delete(key);
              done();
            };
            const timer = setTimeout(release, ttlMs);
            this.#held.set(key, { holder, release });
            resolve(true);
          });
        })
        .catch(reject);
    });
  }
}

function webLocks(): LockManager | undefined {
  try {
    const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
    return typeof locks?.request === "function" ? locks : undefined;
  } catch {
    return undefined;
  }
}

function parseEnvelope(raw: string, now: number): Envelope | undefined {
  const value = parseJson(raw);
  if (value === undefined) return undefined;
  const { w, e, d } = value;
  // "Written in the future" is kept (the clock was set back since) up to the longest TTL ahead.
  if (!isTime(w) || w > now + MAX_TTL_MS || !isTime(e) || e > w + MAX_TTL_MS) return undefined;
  if (typeof d !== "string" || d.length > MAX_VALUE_CHARS) return undefined;
  return { w, e, d };
}

function parseJson(raw: string): Record<string, unknown> | undefined {
  if (raw.length > MAX_VALUE_CHARS + 200) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isQuotaError(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  // Firefox used NS_ERROR_DOM_QUOTA_REACHED; legacy WebKit code 22, Firefox 1014.
  return name === "QuotaExceededError" || name === "NS_ERROR_DOM_QUOTA_REACHED" || code === 22 || code === 1014;
}
