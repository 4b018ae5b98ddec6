import { randomBytes } from "node:crypto";
import { readlinkSync } from "node:fs";
import { mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { GuardClock, GuardStore } from "../../core/guard/store.js";
import { createFileExclusive, readSnapshot, removeAbandonedSiblings, writeFileAtomic, type FileSnapshot } from "./atomic-file.js";
import {
  EMPTY_STATE,
  SECRET_BYTES,
  countLive,
  parseKey,
  parseState,
  pruneState,
  serializeKey,
  serializeState,
  type FileStoreCorruptReason,
  type FormatProblem,
  type StoreState,
} from "./file-format.js";
import { acquireFileLock, type HeldLock } from "./file-lock.js";
import { FileStoreError, errorCode, ioError, isFileStoreError } from "./file-store-error.js";
import { rejectUnknownOptions } from "../../core/options.js";

export type { FileStoreCorruptReason } from "./file-format.js";
export { FileStoreError, isFileStoreError, type FileStoreErrorKind } from "./file-store-error.js";

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /**
   * The state file, e.g. `"/var/lib/my-daemon/msal-guard.json"`. A relative path is
   * resolved against the working directory at construction, and a symbolic link to the
   * file is followed then (the state is written where it points). Its directory is created
   * (mode 0700) on first write if missing. Next to it live `<path>.lock` (held for a few
   * milliseconds per write), `<path>.key` (the fingerprint secret) and, during a write,
   * `<path>.<random>.tmp` (one a crashed process left is removed once it is `lockStaleMs` old).
   */
  readonly path: string;
  /**
   * Time source for expiry (`now()`, epoch ms); only `now` is used.
   * @default Date.now, looked up at each call so fake timers apply
   */
  readonly clock?: Pick<GuardClock, "now">;
  /**
   * Told about recoverable trouble: a corrupt file ignored, a stale lock removed. Called
   * synchronously; whatever it throws is swallowed. Costs nothing when absent.
   */
  readonly onEvent?: (event: FileStoreEvent) => void;
  /**
   * At most this many entries are kept, and this many leases. Each write drops expired
   * records and, past the limit, the soonest-expiring entries (even the one being
   * written), so the file stays bounded. A live lease is never evicted (that would let a
   * second holder take it): while this many are held, `acquireLease` resolves `false`.
   * @default 10_000
   */
  readonly maxEntries?: number;
  /**
   * A lock file older than this (milliseconds, real time, by its mtime) is presumed left
   * by a crashed process and removed. Must exceed the longest time a write may take
   * (read, fsync, rename); see {@link FileStore} for what happens if it doesn't.
   * @default 10_000
   */
  readonly lockStaleMs?: number;
  /**
   * How long a write waits for the lock file (milliseconds, real time) before it rejects
   * with a `lock_timeout` {@link FileStoreError}.
   * @default 2_000
   */
  readonly lockTimeoutMs?: number;
}

/**
 * Something the store recovered from, for logs and metrics:
 * - `store_corrupt`: a file was unusable (`reason`) and ignored. For `file: "state"` the
 *   store starts clean (or, for `invalid_records`, keeps the well-formed records) and the
 *   next write replaces the file; for `file: "key"` a new secret was generated, so
 *   credential fingerprints made with the old one no longer match. Each instance reports
 *   a given corrupt content once; the key file only by the instance that replaced it.
 * - `store_lock_broken`: a lock file `ageMs` old (real time) was removed as abandoned.
 * - `store_key_exposed`: the key file was open to other users (`mode`: its permission
 *   bits, e.g. `0o644`) and was made 0600. Whoever read it meanwhile, and can read the
 *   state file too, can test guesses against its credential fingerprints: to replace the
 *   secret, stop every process using the store and delete the key file (each rejected
 *   credential is then learned again, with one request).
 */
export type FileStoreEvent =
  | {
      readonly type: "store_corrupt";
      readonly file: "state" | "key";
      readonly path: string;
      readonly reason: FileStoreCorruptReason;
      /** Specifics for humans (never stored values), e.g. `"version 2, expected 1"`. */
      readonly detail: string;
    }
  | { readonly type: "store_lock_broken"; readonly path: string; readonly ageMs: number }
  | { readonly type: "store_key_exposed"; readonly path: string; readonly mode: number };

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(["path", "clock", "onEvent", "maxEntries", "lockStaleMs", "lockTimeoutMs"]);

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_LOCK_STALE_MS = 10_000;
const DEFAULT_LOCK_TIMEOUT_MS = 2_000;
// File systems stamp mtimes coarsely (a few ms on ext4, 2 s on FAT), so a file replaced
// twice within one tick by a same-size file that reuses an inode number would keep its
// signature. A cached read is trusted only if it happened this long after the file's
// mtime; before that, `get` reads the content again (the "racy git" rule).
const RACY_MARGIN_MS = 2_000;

/** What this instance last saw of the state file. */
interface Cache {
  readonly state: StoreState;
  /** The text `state` came from; `undefined` when the file was missing. */
  readonly text: string | undefined;
  /** `undefined` until first read, or when unknown; {@link MISSING} when there was no file. */
  readonly signature: string | undefined;
  /** When the content was read (real time, epoch ms). */
  readonly readAtMs: number;
}

const MISSING = "missing";
const INITIAL: Cache = { state: EMPTY_STATE, text: undefined, signature: undefined, readAtMs: Number.NEGATIVE_INFINITY };

/**
 * A {@link GuardStore} in one JSON file, for daemons that a supervisor restarts and for
 * several processes on one host sharing suppression state.
 *
 * Format: `{ "v": 1, "entries": { key: { value, expiresAt } }, "leases": { key: { holder, expiresAt } } }`,
 * mode 0600. A file that is missing is empty state; one that is corrupt, unreadable as
 * JSON or of another version is ignored (clean start, a `store_corrupt` event) and
 * replaced by the next write; records of the wrong shape are dropped one by one.
 *
 * Guarantees:
 * - Writes are atomic: temp file in the same directory, fsync, rename. A reader (in any
 *   process) sees the old or the new file, never a mix; a crash leaves the old file.
 * - Writes (`set`, `delete`, leases, key repair) are read-modify-write under the lock file
 *   `<path>.lock`, and queued within an instance. So across processes no update is lost,
 *   and exactly one concurrent `acquireLease` wins, provided no writer holds the lock
 *   longer than `lockStaleMs` (default 10 s; a write normally takes milliseconds). A writer
 *   that stalls that long may have its lock removed by another process; it detects that
 *   before renaming and rejects with `lock_lost` instead of writing, so a double grant
 *   needs the lock to be broken within the microseconds between that check and the rename.
 * - After a crash inside a write, the leftover lock is removed at once when its holder was
 *   a process on this host that no longer runs; otherwise (another host sharing the file)
 *   it makes other writers wait, then reject with `lock_timeout` (the guard fails open)
 *   until it is `lockStaleMs` old and removed, with the crashed writer's temp file. Temp
 *   files are looked for when a stale lock is removed, and otherwise on a write at most once
 *   per `lockStaleMs`.
 * - Leases are never evicted while live (see `maxEntries`).
 * - `get` does not lock. It re-reads the file when its signature (inode, size, mtime,
 *   ctime) changed, so it sees another process's completed writes.
 * - One host only: the lock relies on O_EXCL creation and a shared clock. Network file
 *   systems without reliable O_EXCL or with skewed clocks are not supported.
 * - Expiry uses the injected clock; the lock uses real time (it is compared with file
 *   timestamps written by other processes).
 *
 * Every method rejects with a `TypeError` for bad arguments, and with a
 * {@link FileStoreError} (message naming the file) when the file system fails; never for
 * bad file content.
 */
export class FileStore implements GuardStore {
  /** The state file, absolute, with a symbolic link to it followed. */
  readonly path: string;
  readonly #keyPath: string;
  readonly #lockPath: string;
  readonly #now: () => number;
  readonly #onEvent: ((event: FileStoreEvent) => void) | undefined;
  readonly #maxEntries: number;
  readonly #lockStaleMs: number;
  readonly #lockTimeoutMs: number;
  #cache: Cache = INITIAL;
  #tail: Promise<unknown> = Promise.resolve();
  /** When this instance last looked for abandoned temp files (real time). */
  #sweptAtMs = Number.NEGATIVE_INFINITY;
  #secret: Promise<Uint8Array> | undefined;

  /** @throws TypeError when an option is missing or malformed. Touches no file. */
  constructor(options: FileStoreOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError('FileStore: pass an options object, e.g. new FileStore({ path: "/var/lib/my-daemon/msal-guard.json" })');
    }
    rejectUnknownOptions(options, KNOWN_OPTIONS, "FileStore");
    const { path, clock, onEvent, maxEntries, lockStaleMs, lockTimeoutMs } = options;
    if (typeof path !== "string" || path.length === 0 || path.includes("\0")) {
      throw new TypeError(
        `FileStore: options.path must be a non-empty file path (e.g. "/var/lib/my-daemon/msal-guard.json"), got ${show(path)}`,
      );
    }
    if (clock !== undefined && (typeof clock !== "object" || clock === null || typeof clock.now !== "function")) {
      throw new TypeError(`FileStore: options.clock must be an object with a now() method returning epoch ms, got ${show(clock)}`);
    }
    if (onEvent !== undefined && typeof onEvent !== "function") {
      throw new TypeError(`FileStore: options.onEvent must be a function, got ${show(onEvent)}`);
    }
    this.path = followLink(resolve(path));
    this.#keyPath = `${this.path}.key`;
    this.#lockPath = `${this.path}.lock`;
    this.#now = clock === undefined ? () => Date.now() : () => clock.now();
    this.#onEvent = onEvent;
    this.#maxEntries = positive("maxEntries", maxEntries, DEFAULT_MAX_ENTRIES, true);
    this.#lockStaleMs = positive("lockStaleMs", lockStaleMs, DEFAULT_LOCK_STALE_MS, false);
    this.#lockTimeoutMs = positive("lockTimeoutMs", lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS, false);
  }

  /** The value under `key`, or `undefined` when absent or expired (by the injected clock). */
  async get(key: string): Promise<string | undefined> {
    checkString("get", "key", key);
    const entry = (await this.#fresh()).entries.get(key);
    return entry !== undefined && entry.expiresAt > this.#now() ? entry.value : undefined;
  }

  /**
   * Up to `limit` keys holding an unexpired value (by the injected clock), leases left out
   * (see `GuardStore.listKeys`). Reads as `get` does, without the lock, so it lists what
   * other processes on this path wrote too.
   */
  async listKeys(limit: number): Promise<readonly string[]> {
    const now = this.#now();
    const keys: string[] = [];
    for (const [key, entry] of (await this.#fresh()).entries) {
      if (keys.length >= limit) break;
      if (entry.expiresAt > now) keys.push(key);
    }
    return keys;
  }

  /** Stores `value` under `key` until `ttlMs` milliseconds from now (injected clock). */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkString("set", "key", key);
    checkString("set", "value", value);
    checkTtl("set", ttlMs);
    await this.#mutate((state, now) => ({
      next: { ...state, entries: withRecord(state.entries, key, { value, expiresAt: now + ttlMs }) },
      result: undefined,
    }));
  }

  /**
   * Removes the value under `key` and any lease on it, whoever holds it, as every store
   * does (the guard's `reset` clears a probe lease so). Resolves whether or not they existed.
   */
  async delete(key: string): Promise<void> {
    checkString("delete", "key", key);
    await this.#mutate((state) => ({
      next:
        state.entries.has(key) || state.leases.has(key)
          ? { entries: withoutRecord(state.entries, key), leases: withoutRecord(state.leases, key) }
          : undefined,
      result: undefined,
    }));
  }

  /**
   * Takes the lease on `key` for `holder` for `ttlMs` milliseconds, unless anyone holds
   * an unexpired lease on it (the same holder included: leases are not re-entrant), or
   * `maxEntries` unexpired leases are held. Resolves `true` only once the lease is on
   * disk, so across processes at most one caller wins (see the class comment for the
   * exact guarantee).
   */
  async acquireLease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    checkString("acquireLease", "key", key);
    checkString("acquireLease", "holder", holder);
    checkTtl("acquireLease", ttlMs);
    return this.#mutate((state, now) => {
      const current = state.leases.get(key);
      if (current !== undefined && current.expiresAt > now) return { next: undefined, result: false };
      // Full: refuse rather than evict a live lease, which would hand its key to a second holder.
      if (countLive(state.leases, now) >= this.#maxEntries) return { next: undefined, result: false };
      return { next: { ...state, leases: withRecord(state.leases, key, { holder, expiresAt: now + ttlMs }) }, result: true };
    });
  }

  /** Gives the lease on `key` back if `holder` holds it; otherwise does nothing. */
  async releaseLease(key: string, holder: string): Promise<void> {
    checkString("releaseLease", "key", key);
    checkString("releaseLease", "holder", holder);
    await this.#mutate((state) => ({
      next: state.leases.get(key)?.holder === holder ? { ...state, leases: withoutRecord(state.leases, key) } : undefined,
      result: undefined,
    }));
  }

  /**
   * A 32-byte random secret kept in `<path>.key` (mode 0600), the same for every
   * instance and process using this path, across restarts. The first caller creates the
   * file exclusively, so processes racing to create it agree on one secret. A key file
   * open to other users is made 0600 (a `store_key_exposed` event); if this process may
   * not change its mode, this rejects with a {@link FileStoreError} saying so. A key file
   * with unusable content is replaced by a new secret (under the lock, so racing
   * processes agree again) and a `store_corrupt` event with `file: "key"`. A file-system
   * error (e.g. permission denied) rejects instead: replacing a key other processes may
   * still read would split them. Resolves a fresh copy each time.
   */
  async fingerprintSecret(): Promise<Uint8Array> {
    this.#secret ??= this.#loadSecret().catch((error: unknown) => {
      this.#secret = undefined;
      throw error;
    });
    return (await this.#secret).slice();
  }

  /** The current state for reading: cached, re-read when the file changed. */
  async #fresh(): Promise<StoreState> {
    const cache = this.#cache;
    const readAtMs = Date.now();
    let snapshot: FileSnapshot | undefined;
    try {
      snapshot = await readSnapshot(
        this.path,
        (signature, mtimeMs) => signature === cache.signature && mtimeMs + RACY_MARGIN_MS < cache.readAtMs,
      );
    } catch (error) {
      throw ioError("read", this.path, error);
    }
    // A write or another read installed something at least as new meanwhile.
    if (this.#cache !== cache) return this.#cache.state;
    this.#adopt(snapshot, readAtMs);
    return this.#cache.state;
  }

  /** Makes `snapshot` the cached state, reporting a corrupt file once per content. */
  #adopt(snapshot: FileSnapshot | undefined, readAtMs: number): void {
    if (snapshot === undefined) {
      this.#cache = { state: EMPTY_STATE, text: undefined, signature: MISSING, readAtMs };
      return;
    }
    const { text, signature } = snapshot;
    if (text === undefined) return;
    if (text === this.#cache.text) {
      this.#cache = { ...this.#cache, signature, readAtMs };
      return;
    }
    const { state, problem } = parseState(text);
    this.#cache = { state, text, signature, readAtMs };
    if (problem !== undefined) this.#reportCorrupt("state", this.path, problem);
  }

  /**
   * Read-modify-write under the lock. `change` sees the state on disk and returns the
   * next state (`undefined`: nothing to write) and the result.
   */
  #mutate<T>(change: (state: StoreState, now: number) => { next: StoreState | undefined; result: T }): Promise<T> {
    return this.#exclusive(async (lock) => {
      const readAtMs = Date.now();
      try {
        this.#adopt(await readSnapshot(this.path), readAtMs);
      } catch (error) {
        throw ioError("read", this.path, error);
      }
      const now = this.#now();
      const { next, result } = change(this.#cache.state, now);
      if (next === undefined) return result;

      const state = pruneState(next, now, this.#maxEntries);
      const text = serializeState(state);
      await writeAtomic(this.path, text, lock);
      // Remember what we wrote, so `get` doesn't parse it again. Still under the lock, so
      // the file is ours; if this fails, the next `get` just reads it.
      const written = await readSnapshot(this.path, () => true).catch(() => undefined);
      this.#cache = { state, text, signature: written?.signature, readAtMs: Date.now() };
      return result;
    });
  }

  async #loadSecret(): Promise<Uint8Array> {
    const first = await this.#readKey();
    if ("secret" in first) return first.secret;
    if ("missing" in first) {
      const fresh = new Uint8Array(randomBytes(SECRET_BYTES));
      await this.#makeDirectory();
      let created: boolean;
      try {
        created = await createFileExclusive(this.#keyPath, serializeKey(fresh));
      } catch (error) {
        throw ioError("create", this.#keyPath, error);
      }
      if (created) return fresh;
      // Another process won the race; its file appeared complete (see createFileExclusive).
      const winner = await this.#readKey();
      if ("secret" in winner) return winner.secret;
    }
    // Unusable content: repair under the lock, re-checking first, so that processes
    // racing to repair agree on one new secret.
    return this.#exclusive(async (lock) => {
      const current = await this.#readKey();
      if ("secret" in current) return current.secret;
      const fresh = new Uint8Array(randomBytes(SECRET_BYTES));
      await writeAtomic(this.#keyPath, serializeKey(fresh), lock);
      if ("problem" in current) this.#reportCorrupt("key", this.#keyPath, current.problem);
      return fresh;
    });
  }

  async #readKey(): Promise<{ secret: Uint8Array } | { problem: FormatProblem } | { missing: true }> {
    let handle: FileHandle;
    try {
      handle = await open(this.#keyPath, "r");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return { missing: true };
      throw ioError("read", this.#keyPath, error);
    }
    let text: string;
    try {
      await this.#restrictKey(handle);
      text = await handle.readFile("utf8");
    } catch (error) {
      throw isFileStoreError(error) ? error : ioError("read", this.#keyPath, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
    return parseKey(text);
  }

  /**
   * Makes the key file 0600 if other users may read or write it (copied or restored with
   * a loose mode, say): it would let them test guesses against the state file's
   * fingerprints, or replace the secret. Rejects if that can't be done (not the owner).
   * POSIX only: Windows has no such mode bits.
   */
  async #restrictKey(handle: FileHandle): Promise<void> {
    if (process.platform === "win32") return;
    const mode = (await handle.stat()).mode & 0o777;
    if ((mode & 0o077) === 0) return;
    try {
      await handle.chmod(0o600);
    } catch (error) {
      const code = errorCode(error);
      throw new FileStoreError(
        "io",
        this.#keyPath,
        `FileStore found the key file ${this.#keyPath} open to other users (mode 0${mode.toString(8)}) and could not make it 0600` +
          `${code === undefined ? "" : ` (${code})`}: make it 0600 and owned by the user this process runs as`,
        { cause: error },
      );
    }
    this.#emit({ type: "store_key_exposed", path: this.#keyPath, mode });
  }

  /** Runs `task` holding the lock file, after this instance's earlier tasks finished. */
  #exclusive<T>(task: (lock: HeldLock) => Promise<T>): Promise<T> {
    const run = this.#tail.then(async () => {
      await this.#makeDirectory();
      let broken = false;
      const lock = await acquireFileLock(this.#lockPath, {
        staleMs: this.#lockStaleMs,
        timeoutMs: this.#lockTimeoutMs,
        onBroken: (ageMs) => {
          broken = true;
          this.#emit({ type: "store_lock_broken", path: this.#lockPath, ageMs });
        },
      });
      try {
        // A process that died inside a write (or while creating the key file) left its
        // temp file for good. A broken lock says one just did; otherwise look now and then.
        if (broken || Date.now() - this.#sweptAtMs >= this.#lockStaleMs) {
          this.#sweptAtMs = Date.now();
          await removeAbandonedSiblings([this.path, this.#keyPath, this.#lockPath], this.#lockStaleMs);
        }
        return await task(lock);
      } finally {
        await lock.release();
      }
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #makeDirectory(): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw ioError("create the directory of", this.path, error);
    }
  }

  #reportCorrupt(file: "state" | "key", path: string, problem: FormatProblem): void {
    this.#emit({ type: "store_corrupt", file, path, reason: problem.reason, detail: problem.detail });
  }

  #emit(event: FileStoreEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // A listener's bug must not turn into a store failure.
    }
  }
}

async function writeAtomic(path: string, text: string, lock: HeldLock): Promise<void> {
  try {
    await writeFileAtomic(path, text, () => lock.assertHeld());
  } catch (error) {
    throw isFileStoreError(error) ? error : ioError("write", path, error);
  }
}

function withRecord<R>(records: ReadonlyMap<string, R>, key: string, record: R): Map<string, R> {
  const next = new Map(records);
  // Re-inserted at the end, so among equal expiries the latest write is evicted last.
  next.delete(key);
  return next.set(key, record);
}

function withoutRecord<R>(records: ReadonlyMap<string, R>, key: string): Map<string, R> {
  const next = new Map(records);
  next.delete(key);
  return next;
}

function checkString(method: string, name: string, value: unknown): void {
  if (typeof value !== "string") throw new TypeError(`FileStore.${method}: ${name} must be a string, got ${show(value)}`);
}

function checkTtl(method: string, ttlMs: unknown): void {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new TypeError(`FileStore.${method}: ttlMs must be a finite number of milliseconds, 0 or more, got ${show(ttlMs)}`);
  }
}

function positive(name: string, value: unknown, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const valid = typeof value === "number" && Number.isFinite(value) && value > 0 && (!integer || Number.isSafeInteger(value));
  if (!valid) {
    throw new TypeError(`FileStore: options.${name} must be a positive ${integer ? "integer" : "number of milliseconds"}, got ${show(value)}`);
  }
  return value;
}

/** Describes a bad argument without echoing strings (they may be secrets). */
function show(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    if (value.length === 0) return "an empty string";
    return value.includes("\0") ? "a string containing a NUL character" : "a string";
  }
  if (value === null) return "null";
  return typeof value;
}

/**
 * Where a symbolic link at `path` points (links to links too, a few deep), even when the
 * target does not exist yet; `path` itself otherwise. Writes replace the file by renaming a
 * temp file over it, which would replace the link, not write through it.
 */
function followLink(path: string): string {
  let current = path;
  for (let hops = 0; hops < 8; hops++) {
    let target: string;
    try {
      target = readlinkSync(current);
    } catch {
      return current; // not a link (or gone): write here
    }
    current = resolve(dirname(current), target);
  }
  return current;
}

