/**
 * Where suppression state lives. Values are opaque strings (versioned JSON records the
 * engine writes and validates on every read), so a store needs no knowledge of them.
 * Keys are already hashed: no user names, tenants or scopes appear in a store.
 *
 * Every method may reject; the engine then carries on without the store for that
 * decision (fail open for availability) and reports a `store_error` event.
 */
export interface GuardStore {
  /** The value under `key`, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds (the store may forget it afterwards). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Forgets the value under `key` (no error when absent). */
  delete(key: string): Promise<void>;
  /**
   * Atomically takes the probe lease on `key` for `holder`, if nobody holds it (or the
   * holder's lease expired). Resolves `true` only for the one caller that got it.
   */
  acquireLease(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease back, if `holder` still holds it. */
  releaseLease(key: string, holder: string): Promise<void>;
  /**
   * A secret shared by everyone using this store, for keyed credential fingerprints
   * (HMAC). Persistent and shared stores provide one so that a latched credential is
   * recognised after a restart and across processes. Absent: the guard makes a random
   * per-process key. It may change (a store that lost its secret adopts the one its peers
   * put back): the guard asks again once a minute, so keep it in memory.
   */
  fingerprintSecret?(): Promise<Uint8Array>;
  /**
   * Up to `limit` keys holding an unexpired value (never lease keys), in any order, so that
   * `status()` and `reset()` also see what other processes or tabs recorded. Must include
   * the guard's record keys (`i:<hash>`, `a:<hash>`) it holds; may leave out other keys.
   * Absent: `status()` and `reset()` cover only the identities this process used.
   */
  listKeys?(limit: number): Promise<readonly string[]>;
  /** Keys written by other tabs or processes, for prompt release of waiters. */
  subscribe?(listener: (key: string) => void): () => void;
}

/** A clock and randomness, injected so tests run on simulated time. */
export interface GuardClock {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1), for jitter. */
  random(): number;
}

/** The real clock, bound lazily so fake timers installed later still apply. */
export const systemGuardClock: GuardClock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
