import type { GuardStore } from "./store.js";
import { rejectUnknownOptions } from "../options.js";

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries kept; the oldest-written go first beyond it. @default 100_000 */
  readonly maxEntries?: number;
  /** Time source, epoch ms. @default Date.now */
  readonly now?: () => number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(["maxEntries", "now"]);

/**
 * The default store: process memory, bounded. Entries expire by their TTL and the
 * oldest are evicted past `maxEntries`, so a long-running process never grows without
 * bound. State is private to the process; use a shared store for fleets.
 */
export class MemoryStore implements GuardStore {
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();
  readonly #leases = new Map<string, { holder: string; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    if (typeof options !== "object" || options === null) throw new TypeError("msal-guard: MemoryStore options must be an object.");
    rejectUnknownOptions(options, KNOWN_OPTIONS, "MemoryStore");
    const max = options.maxEntries ?? 100_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`msal-guard: MemoryStore maxEntries must be a whole number of at least 1, got ${String(max)}.`);
    if (options.now !== undefined && typeof options.now !== "function") throw new TypeError("msal-guard: MemoryStore now must be a function returning epoch milliseconds.");
    this.#maxEntries = max;
    this.#now = options.now ?? (() => Date.now());
  }

  /** Entries currently held (expired ones may linger until touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    return this.getSync(key);
  }

  /** Synchronous read, for callers on the hot path. */
  getSync(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.setSync(key, value, ttlMs);
  }

  /** {@link MemoryStore.set}, synchronously. */
  setSync(key: string, value: string, ttlMs: number): void {
    this.#entries.delete(key); // re-insert: Map order is write order, oldest first
    this.#entries.set(key, { value, expiresAt: this.#now() + Math.max(0, ttlMs) });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Up to `limit` keys holding an unexpired value (see {@link GuardStore.listKeys}). */
  async listKeys(limit: number): Promise<readonly string[]> {
    const now = this.#now();
    const keys: string[] = [];
    for (const [key, entry] of this.#entries) {
      if (keys.length >= limit) break;
      if (entry.expiresAt > now) keys.push(key);
    }
    return keys;
  }

  /** Forgets the value and any lease under `key`. */
  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
    this.#leases.delete(key);
  }

  async acquireLease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const current = this.#leases.get(key);
    if (current !== undefined && current.expiresAt > now && current.holder !== holder) return false;
    this.#leases.set(key, { holder, expiresAt: now + Math.max(0, ttlMs) });
    if (this.#leases.size > this.#maxEntries) {
      for (const [k, lease] of this.#leases) if (lease.expiresAt <= now) this.#leases.delete(k);
    }
    return true;
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    if (this.#leases.get(key)?.holder === holder) this.#leases.delete(key);
  }
}
