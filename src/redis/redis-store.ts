import { randomBytes } from "node:crypto";
import { Redis, type Cluster, type RedisOptions } from "ioredis";
import type { GuardClock, GuardStore } from "../core/guard/store.js";
import { DEFAULT_PREFIX, keyLayout, prefixProblem, type KeyLayout } from "./keys.js";
import { RedisStoreError, connectionError, fromRedisFailure } from "./redis-store-error.js";
import { ACQUIRE, READ, RELEASE, REMOVE, SECRET, WRITE, runScript, type LuaScript } from "./scripts.js";
import { MAX_TTL_MS, isJsonObject, judgeRead, type RedisStoreCorruptReason } from "./values.js";
import { rejectUnknownOptions } from "../core/options.js";

/** An ioredis client: a single server (`Redis`, also behind Sentinel) or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Options of {@link RedisStore}: `url` or `client`, not both. */
export interface RedisStoreOptions {
  /**
   * Where Redis is, e.g. `"redis://127.0.0.1:6379"` or `"rediss://:password@cache.internal:6380/2"`.
   * The store creates the connection (offline queue off, per-command timeout, reconnect
   * with backoff) and closes it in {@link RedisStore.close}.
   */
  readonly url?: string;
  /**
   * An ioredis `Redis` or `Cluster` you made (TLS, Sentinel, Cluster ...). The store
   * uses it, never closes it, and removes its listeners on {@link RedisStore.close}.
   * It must be created with `enableOfflineQueue: false` (ioredis's default is `true`; the
   * constructor refuses such a client): with the queue on, commands sent while Redis is
   * down wait in memory and run once it is back, long after the store gave up on them
   * (a probe lease taken for nobody, an old record written over a newer one). For the same
   * reason it must have `maxRetriesPerRequest: 0` (on a Cluster, in `redisOptions`; ioredis's
   * default is 20, also refused): otherwise a command cut off by a dropped connection is
   * sent again once ioredis reconnects.
   */
  readonly client?: RedisClient;
  /**
   * Start of every key and of the pub/sub channel; lets several apps share a database.
   * No braces (they would form a Cluster hash tag), no spaces.
   * @default "msal-guard:"
   */
  readonly prefix?: string;
  /** Longest wait for one store call, ms; it then rejects (the guard decides from local memory). @default 500 */
  readonly commandTimeoutMs?: number;
  /** Longest wait to connect, ms (only with `url`). @default 2_000 */
  readonly connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts, ms (only with `url`); attempts back off from 50 ms up to it. @default 2_000 */
  readonly reconnectMaxDelayMs?: number;
  /** Largest value stored or read, bytes; larger values read are ignored (`store_corrupt`) without being transferred. @default 65_536 */
  readonly maxValueBytes?: number;
  /**
   * How long the pub/sub connection of {@link RedisStore.subscribe} stays open after the
   * last listener left, ms, so that a steady stream of waits reuses one connection instead
   * of opening one per wait. 0 closes it at once. {@link RedisStore.close} closes it anyway.
   * @default 60_000
   */
  readonly subscriberLingerMs?: number;
  /**
   * The guard's time (`now()`, epoch ms), for refusing a probe lease while another
   * process's probe has just recorded a new lockout window (see
   * {@link RedisStore.acquireLease}). Give it the same clock as `guardClient` when you pass
   * one there (tests on simulated time); a clock that disagrees with the guard's by more
   * than the probe lease (30 s) just turns that check off. Expiry in Redis always runs on
   * Redis's own clock.
   * @default Date.now, looked up at each call so fake timers apply
   */
  readonly clock?: Pick<GuardClock, "now">;
  /** Told about ignored values and the connection going down or up. Called synchronously; whatever it throws is swallowed. */
  readonly onEvent?: (event: RedisStoreEvent) => void;
}

/**
 * Something the store noticed:
 * - `store_corrupt`: the value under `key` (the guard's hashed key, or `"secret"`) was
 *   ignored for `reason`; it stays in Redis until overwritten or expired. Reported once
 *   per bad value and instance, not on every read of it. For the secret
 *   (`reason` `"malformed_secret"` or `"wrong_type"`), a new one replaced it: credential
 *   fingerprints made with the old one no longer match.
 * - `store_connection`: the connection became usable (`up`) or was lost (`down`, with
 *   the error when there was one; a `RedisStoreError` with its message in place of one that
 *   holds the command it answered, as a refused AUTH's holds the password). Reported on
 *   changes only, not on every reconnection attempt.
 */
export type RedisStoreEvent =
  | {
      readonly type: "store_corrupt";
      readonly key: string;
      readonly reason: RedisStoreCorruptReason | "malformed_secret";
      /** For humans; never the stored value. */
      readonly detail: string;
    }
  | { readonly type: "store_connection"; readonly state: "up" | "down"; readonly error?: unknown };

const DEFAULT_COMMAND_TIMEOUT_MS = 500;
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_RECONNECT_MAX_DELAY_MS = 2_000;
const DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
const DEFAULT_SUBSCRIBER_LINGER_MS = 60_000;
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  "url", "client", "prefix", "commandTimeoutMs", "connectTimeoutMs", "reconnectMaxDelayMs", "maxValueBytes", "subscriberLingerMs", "clock", "onEvent",
]);
/** The fingerprint secret lives this long after it was last asked for or renewed. */
const SECRET_TTL_MS = 30 * 24 * 60 * 60_000;
/** Writes renew the secret at most this often (real time). */
const SECRET_RENEW_EVERY_MS = 60_000;
/** Asking for the secret checks Redis at most this often (the store's clock): under the guard's once-a-minute re-check, so each of those reaches Redis. */
const SECRET_CHECK_EVERY_MS = 30_000;
const SECRET_BYTES = 32;
/** The engine's record locks (`w:<hash>`): leases held while it reads, updates and writes a record. */
const RECORD_LOCK = "w:";
/** Keys SCAN looks at per round trip: few enough to keep each one short for Redis, enough to need few. */
const SCAN_COUNT = 500;
/** What {@link RedisStore.subscribe} listeners may be told: the guard's keys, or a hashed other key. */
const ANNOUNCED_KEY = /^(?:[a-z]:[0-9a-f]{16,128}|#[0-9a-f]{32})$/;

/**
 * A {@link GuardStore} on Redis, so that every process of a fleet sees a lockout at once
 * and only one of them probes when its window ends.
 *
 * - Keys: `<prefix>{<hash>}:i` (identity record), `{<hash>}:l` (its probe lease, same
 *   Cluster slot), `{<hash>}:w` (the short lock over its updates), `{<hash>}:c` (its first
 *   contact made), `{<hash>}:a` (app record), `<prefix>secret`, channel `<prefix>events`.
 *   Only hashes: no user, tenant, client id or scope is readable in Redis.
 * - Every write sets an expiry (`PX`). The probe lease is `SET NX PX` (one winner across
 *   the fleet), refused while the record beside it holds a lockout window another
 *   process's probe has just written, and given back by compare-and-delete.
 * - Every call settles within `commandTimeoutMs`; while Redis is down calls fail at once
 *   (no offline queue) and the connection is retried in the background. The guard then
 *   decides from its local memory and reports `store_error`.
 * - Values read are checked (string, size, UTF-8, JSON object, an expiry the store could
 *   have set); anything else is ignored with a `store_corrupt` event.
 * - Writes, deletes and lease releases (but a record lock's) are announced on `<prefix>events`, for
 *   {@link RedisStore.subscribe}.
 *
 * @example
 * const store = new RedisStore({ url: process.env.REDIS_URL });
 * const client = guardClient(app, { store });
 * // at shutdown
 * await store.close();
 */
export class RedisStore implements GuardStore {
  /** The key prefix in use. */
  readonly prefix: string;
  readonly #client: RedisClient;
  readonly #owned: boolean;
  readonly #keys: KeyLayout;
  readonly #commandTimeoutMs: number;
  readonly #maxValueBytes: number;
  readonly #now: () => number;
  readonly #onEvent: ((event: RedisStoreEvent) => void) | undefined;
  /** Tells our own messages from others' on the channel. */
  readonly #instance = randomBytes(9).toString("base64url");
  readonly #detach: () => void;
  /** `undefined` until the first connection attempt ended, then whether Redis is reachable. */
  #up: boolean | undefined;
  /** Resolves when the first connection attempt ended, either way. */
  readonly #firstAttempt: Promise<void>;
  #endFirstAttempt: () => void = noop;
  #closed = false;
  #secret: Promise<string> | undefined;
  #secretRenewedAt = 0;
  /** When Redis last confirmed (or took) the secret, on the store's clock. */
  #secretCheckedAt = 0;
  readonly #listeners = new Set<{ readonly listener: (key: string) => void }>();
  /** Ends each `ready()` still waiting, with the error given. */
  readonly #readyWaits = new Set<(error: RedisStoreError) => void>();
  readonly #subscriberLingerMs: number;
  #subscriber: RedisClient | undefined;
  /** Closes the subscriber once it has had no listener for `subscriberLingerMs`. */
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bad values already reported, by Redis key. */
  readonly #reported = new Map<string, string>();

  /** @throws TypeError or RangeError when an option is missing or malformed. */
  constructor(options: RedisStoreOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError('RedisStore: pass an options object, e.g. new RedisStore({ url: "redis://127.0.0.1:6379" }) or new RedisStore({ client })');
    }
    rejectUnknownOptions(options, KNOWN_OPTIONS, "RedisStore");
    const { url, client, prefix = DEFAULT_PREFIX, clock, onEvent } = options;
    if (url !== undefined && client !== undefined) throw new TypeError("RedisStore: pass either options.url or options.client, not both");
    if (url === undefined && client === undefined) {
      throw new TypeError('RedisStore: options.url (e.g. "redis://127.0.0.1:6379") or options.client (an ioredis Redis or Cluster) is required');
    }
    if (url !== undefined) checkUrl(url);
    if (client !== undefined && !isIoredisClient(client)) {
      throw new TypeError("RedisStore: options.client must be an ioredis Redis or Cluster instance (callBuffer, duplicate, on); node-redis clients are not supported");
    }
    if (client !== undefined && client.options.enableOfflineQueue !== false) {
      throw new TypeError(
        "RedisStore: options.client was created with enableOfflineQueue: true (ioredis's default), so while Redis is down its commands " +
          "would queue and run once it is back, after the store gave up on them (a probe lease taken for nobody, an old record over a newer one); " +
          `create it with enableOfflineQueue: false, e.g. ${isCluster(client) ? "new Cluster(nodes, { enableOfflineQueue: false })" : "new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })"}`,
      );
    }
    const retries = client === undefined ? 0 : clientRetries(client);
    if (client !== undefined && retries !== 0) {
      throw new TypeError(
        `RedisStore: options.client was created with maxRetriesPerRequest: ${String(retries)}${isCluster(client) ? " (in redisOptions)" : ""}, so a command cut off by a dropped ` +
          "connection is sent again once ioredis reconnects, long after the store gave up on it (an old record written over a newer one, a lease taken for nobody); " +
          `create it with maxRetriesPerRequest: 0, e.g. ${isCluster(client) ? "new Cluster(nodes, { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 0 } })" : "new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })"}`,
      );
    }
    const problem = prefixProblem(prefix);
    if (problem !== undefined) throw new TypeError(`RedisStore: options.prefix ${problem}, got ${show(prefix)}`);
    if (clock !== undefined && (typeof clock !== "object" || clock === null || typeof clock.now !== "function")) {
      throw new TypeError(`RedisStore: options.clock must be an object with a now() method returning epoch ms, got ${show(clock)}`);
    }
    if (onEvent !== undefined && typeof onEvent !== "function") throw new TypeError(`RedisStore: options.onEvent must be a function, got ${show(onEvent)}`);
    this.#commandTimeoutMs = positive("commandTimeoutMs", options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS, 60_000);
    const connectTimeoutMs = positive("connectTimeoutMs", options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 600_000);
    const reconnectMaxDelayMs = positive("reconnectMaxDelayMs", options.reconnectMaxDelayMs, DEFAULT_RECONNECT_MAX_DELAY_MS, 600_000);
    this.#maxValueBytes = positive("maxValueBytes", options.maxValueBytes, DEFAULT_MAX_VALUE_BYTES, 16 * 1024 * 1024);
    if (!Number.isInteger(this.#maxValueBytes)) throw new RangeError(`RedisStore: options.maxValueBytes must be a whole number of bytes, got ${this.#maxValueBytes}`);
    const { subscriberLingerMs = DEFAULT_SUBSCRIBER_LINGER_MS } = options;
    if (typeof subscriberLingerMs !== "number" || !(subscriberLingerMs >= 0 && subscriberLingerMs <= 3_600_000)) {
      throw new RangeError(`RedisStore: options.subscriberLingerMs must be a number of milliseconds from 0 to 3600000, got ${show(subscriberLingerMs)}`);
    }
    this.#subscriberLingerMs = subscriberLingerMs;

    this.prefix = prefix;
    this.#keys = keyLayout(prefix, clientKeyPrefix(client));
    this.#now = clock === undefined ? () => Date.now() : () => clock.now();
    this.#onEvent = onEvent;
    this.#owned = client === undefined;
    this.#client = client ?? new Redis(url as string, ownOptions(this.#commandTimeoutMs, connectTimeoutMs, reconnectMaxDelayMs));
    this.#firstAttempt = new Promise((resolve) => (this.#endFirstAttempt = resolve));
    this.#detach = this.#watch(this.#client);
    // A client made with lazyConnect would otherwise wait for a command that waits for it.
    if (this.#client.status === "wait") this.#client.connect().catch(noop);
  }

  /** The value under `key`, or `undefined` when absent, expired or unusable (then a `store_corrupt` event). */
  async get(key: string): Promise<string | undefined> {
    checkKey("get", key);
    const redisKey = this.#keys.redisKey(key);
    const outcome = judgeRead(await this.#script("get", READ, [redisKey], [this.#maxValueBytes]));
    if (outcome === undefined || !("problem" in outcome)) {
      this.#reported.delete(redisKey);
      return outcome?.value;
    }
    // Once per bad value, not on every read of it (the guard reads a record twice per failure).
    const signature = `${outcome.problem} ${outcome.detail}`;
    if (this.#reported.get(redisKey) !== signature) {
      if (this.#reported.size >= 1_000) this.#reported.clear();
      this.#reported.set(redisKey, signature);
      this.#emit({ type: "store_corrupt", key: this.#keys.publicKey(key), reason: outcome.problem, detail: outcome.detail });
    }
    return undefined;
  }

  /**
   * Up to `limit` of the guard's keys holding a value (`i:<hash>`, `a:<hash>` ...), found
   * with SCAN (never KEYS, which blocks Redis while it walks the whole keyspace) on the
   * server, or on every master of a Cluster, so that `status()` and `reset()` see what the
   * whole fleet recorded (see `GuardStore.listKeys`). Leaves out leases, the secret and
   * keys stored hashed (they can't be mapped back); Redis leaves out expired keys. Each
   * SCAN round trip is bounded by `commandTimeoutMs`.
   */
  async listKeys(limit: number): Promise<readonly string[]> {
    if (this.#closed) throw new RedisStoreError("listKeys", "closed", "the store is closed");
    if (!(limit >= 1)) return [];
    // As #script: a process that just started waits (within the timeout) for its first connection.
    if (this.#up === undefined) await this.#bounded("listKeys", this.#firstAttempt).catch(noop);
    // Asked only now: a Cluster knows its nodes once connected, and may have failed over since.
    const nodes = isCluster(this.#client) ? this.#client.nodes("master") : [this.#client];
    if (nodes.length === 0) throw new RedisStoreError("listKeys", "unavailable", "no Redis Cluster master known; reconnecting in the background");
    // SCAN may return a key twice (a rehash, a slot moving between masters meanwhile).
    const keys = new Set<string>();
    for (const node of nodes) {
      let cursor = "0";
      do {
        const [next, page] = await this.#scan(node, cursor);
        cursor = next;
        for (const redisKey of page) {
          const key = this.#keys.storeKey(redisKey);
          // A lease (`l:<hash>`, a record lock `w:<hash>`) shares the layout but is no value.
          if (key !== undefined && !key.startsWith("l:") && !key.startsWith(RECORD_LOCK)) keys.add(key);
          if (keys.size >= limit) return [...keys];
        }
      } while (cursor !== "0");
    }
    return [...keys];
  }

  /**
   * Stores `value` (a JSON object, as the guard's records are) under `key` for `ttlMs`
   * (at least 1 ms, at most 8 days), and announces the change.
   */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkKey("set", key);
    if (typeof value !== "string" || !isJsonObject(value)) throw new TypeError("RedisStore.set: value must be a string holding a JSON object (a guard record)");
    if (Buffer.byteLength(value, "utf8") > this.#maxValueBytes) throw new RangeError(`RedisStore.set: value is larger than maxValueBytes (${this.#maxValueBytes})`);
    const ttl = checkTtl("set", ttlMs);
    await this.#script("set", WRITE, [this.#keys.redisKey(key)], [value, ttl, this.#keys.channel, this.#message(key)]);
    this.#renewSecret();
  }

  /** Removes `key` (announced when it existed). */
  async delete(key: string): Promise<void> {
    checkKey("delete", key);
    await this.#script("delete", REMOVE, [this.#keys.redisKey(key)], [this.#keys.channel, this.#message(key)]);
  }

  /**
   * Takes the lease on `key` for `holder` for `ttlMs`, unless anyone holds it (leases are
   * not re-entrant). Resolves `true` for exactly one caller across every process using
   * this Redis. For the guard's leases (`l:<hash>`) it is also refused while the identity
   * record beside it holds a lockout window that is still running at `clock.now()` and
   * was written less than `ttlMs` ago: another process's probe answered after this
   * caller read the record and decided to probe, so probing again would be a second
   * request in the new window.
   */
  async acquireLease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    checkKey("acquireLease", key);
    checkHolder("acquireLease", holder);
    const ttl = checkTtl("acquireLease", ttlMs);
    const record = this.#keys.recordOfLease(key);
    const keys = record === undefined ? [this.#keys.redisKey(key)] : [this.#keys.redisKey(key), record];
    const reply = await this.#script("acquireLease", ACQUIRE, keys, [holder, ttl, Math.floor(this.#now()), this.#maxValueBytes]);
    return reply === 1;
  }

  /** Gives the lease on `key` back if `holder` still holds it (compare-and-delete), and announces it (except a record lock, `w:<hash>`). */
  async releaseLease(key: string, holder: string): Promise<void> {
    checkKey("releaseLease", key);
    checkHolder("releaseLease", holder);
    // Nobody waits for a record lock's release (its waiters try again every few ms): not announced.
    const message = key.startsWith(RECORD_LOCK) ? "" : this.#message(key);
    await this.#script("releaseLease", RELEASE, [this.#keys.redisKey(key)], [holder, this.#keys.channel, message]);
  }

  /**
   * A 32-byte secret shared by every process using this Redis and prefix, for credential
   * fingerprints: the first caller creates it (atomically: racing processes agree). It
   * expires 30 days after it was last asked for or a write renewed it. Asked for again 30 s
   * or more later (the guard asks once a minute), the store checks Redis still holds it
   * and takes the one Redis holds if another process created a new one meanwhile (the old
   * one expired or was evicted), so the fleet's fingerprints agree again within a minute.
   * Anyone who can read Redis can read it; pass `fingerprintSecret` to `guardClient` (from
   * your secret store) to keep fingerprints unlinkable to someone with Redis access.
   */
  async fingerprintSecret(): Promise<Uint8Array> {
    const held = this.#secret;
    if (held !== undefined && this.#now() - this.#secretCheckedAt >= SECRET_CHECK_EVERY_MS) {
      this.#secretCheckedAt = this.#now();
      // Unreachable Redis: keep using the one held.
      this.#secret = held.then((value) => this.#putSecret(value)).catch(() => held);
    }
    if (this.#secret === undefined) this.#secretCheckedAt = this.#now();
    this.#secret ??= this.#loadSecret().catch((error: unknown) => {
      this.#secret = undefined;
      throw error;
    });
    return new Uint8Array(Buffer.from(await this.#secret, "base64url"));
  }

  /**
   * Calls `listener` with each key another process (or another RedisStore) wrote,
   * deleted, or whose lease it released, via pub/sub on `<prefix>events`, so a caller
   * refused with `probe_in_flight` can try again as soon as the probe answered instead
   * of after `retryAfterMs`. Keys are the guard's hashed keys (`i:<hash>` for a record,
   * `l:<hash>` for its lease; `identity` in the guard's events is that hash). Opens a
   * second connection on first use, kept `subscriberLingerMs` after the last listener is
   * removed (the guard subscribes for each wait: a steady stream of them reuses it), and
   * closed by {@link RedisStore.close}. Messages published while that connection is down
   * are lost (at most once).
   * @returns unsubscribe
   */
  subscribe(listener: (key: string) => void): () => void {
    if (typeof listener !== "function") throw new TypeError("RedisStore.subscribe: listener must be a function");
    if (this.#closed) throw new RedisStoreError("subscribe", "closed", "the store is closed");
    const entry = { listener };
    this.#listeners.add(entry);
    clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
    this.#subscriber ??= this.#openSubscriber();
    return () => {
      if (!this.#listeners.delete(entry) || this.#listeners.size > 0 || this.#closed) return;
      if (this.#subscriberLingerMs === 0) {
        this.#closeSubscriber();
        return;
      }
      this.#lingerTimer = setTimeout(() => {
        this.#lingerTimer = undefined;
        this.#closeSubscriber();
      }, this.#subscriberLingerMs);
      // The timer alone must not keep a process alive.
      this.#lingerTimer.unref();
    };
  }

  /**
   * Resolves once connected, rejects after `timeoutMs` (@default 5_000). Optional: the
   * first calls wait for the first connection anyway, within `commandTimeoutMs`, then
   * fail open. Wait here at start-up to be sure a replica shares decisions from its first
   * call, or to report an unreachable Redis early.
   */
  async ready(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = positive("timeoutMs", options.timeoutMs, 5_000, 600_000);
    if (this.#closed) throw new RedisStoreError("ready", "closed", "the store is closed");
    if (this.#client.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#client.off("ready", onReady);
        this.#readyWaits.delete(abort);
      };
      const onReady = () => {
        done();
        resolve();
      };
      const abort = (error: RedisStoreError) => {
        done();
        reject(error);
      };
      const timer = setTimeout(() => abort(new RedisStoreError("ready", "timeout", `Redis was not reachable within ${timeoutMs} ms`)), timeoutMs);
      this.#client.on("ready", onReady);
      this.#readyWaits.add(abort);
    });
  }

  /**
   * Releases what the store holds: closes the connections it opened (a `client` you
   * passed stays open) and removes its listeners. Later calls reject with a
   * `closed` {@link RedisStoreError}. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A ready() still waiting ends now (its timer would keep the process alive).
    for (const abort of [...this.#readyWaits]) abort(new RedisStoreError("ready", "closed", "the store was closed while waiting for Redis"));
    this.#listeners.clear();
    clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
    this.#closeSubscriber();
    this.#detach();
    if (!this.#owned) return;
    const client = this.#client;
    // A reconnect under way when the store closes can still fail (its ready check meets a
    // closed socket): swallow that, or ioredis prints "Unhandled error event" in the host app.
    client.on("error", noop);
    if (client.status === "ready") {
      // QUIT lets pending replies arrive; bounded, then the socket is cut regardless.
      await this.#bounded("close", client.quit()).catch(() => undefined);
    }
    client.disconnect();
  }

  /** Runs one script, bounded by the command timeout, failures sorted into a {@link RedisStoreError}. */
  async #script(operation: string, lua: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.#closed) throw new RedisStoreError(operation, "closed", "the store is closed");
    // A process that just started waits (within the timeout) for its first connection, so
    // its first decisions are shared too; later, while Redis is down, calls fail at once.
    const work = this.#up === undefined ? this.#firstAttempt.then(() => runScript(this.#client, lua, keys, args)) : runScript(this.#client, lua, keys, args);
    try {
      return await this.#bounded(operation, work);
    } catch (error) {
      throw fromRedisFailure(operation, error);
    }
  }

  /** Settles within the command timeout; a late outcome of `work` is dropped (handled, never unhandled). */
  #bounded<T>(operation: string, work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new RedisStoreError(operation, "timeout", `no answer from Redis within ${this.#commandTimeoutMs} ms`));
      }, this.#commandTimeoutMs);
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** One SCAN round trip on `node`, bounded by the command timeout, failures sorted as #script's are. */
  async #scan(node: Redis, cursor: string): Promise<[cursor: string, keys: string[]]> {
    if (this.#closed) throw new RedisStoreError("listKeys", "closed", "the store is closed");
    try {
      return await this.#bounded("listKeys", node.scan(cursor, "MATCH", this.#keys.scanPattern, "COUNT", SCAN_COUNT));
    } catch (error) {
      throw fromRedisFailure("listKeys", error);
    }
  }

  async #loadSecret(): Promise<string> {
    return this.#putSecret(randomBytes(SECRET_BYTES).toString("base64url"));
  }

  /** Offers `candidate` as the fleet's secret (kept unless Redis holds a valid one); resolves with the one Redis holds. */
  async #putSecret(candidate: string): Promise<string> {
    const reply = await this.#script("fingerprintSecret", SECRET, [this.#keys.secret], [candidate, SECRET_TTL_MS]);
    if (!Array.isArray(reply) || reply.length !== 2) throw new RedisStoreError("fingerprintSecret", "command", "unexpected reply to the secret script");
    const [secret, status] = reply.map((part: unknown) => (part instanceof Uint8Array ? Buffer.from(part).toString("utf8") : String(part)));
    if (status === "replaced") this.#emit({ type: "store_corrupt", key: "secret", reason: "malformed_secret", detail: "not 32 bytes of base64url; replaced" });
    if (status === "replaced_wrong_type") this.#emit({ type: "store_corrupt", key: "secret", reason: "wrong_type", detail: "not a Redis string; replaced" });
    this.#secretRenewedAt = Date.now();
    this.#secretCheckedAt = this.#now();
    return secret as string;
  }

  /**
   * Keeps the secret alive while the fleet writes (records last at most 8 days, the
   * secret 30), and puts it back if Redis lost it (a restart without persistence): at
   * once on reconnection, else with the next write. So processes that already use it stay
   * in agreement with those that start later.
   */
  #renewSecret(now = false): void {
    const secret = this.#secret;
    if (secret === undefined || (!now && Date.now() - this.#secretRenewedAt < SECRET_RENEW_EVERY_MS)) return;
    this.#secretRenewedAt = Date.now();
    secret
      .then(async (value) => {
        const current = await this.#putSecret(value);
        // Another process put a secret back first: use it too, or the fleet's fingerprints
        // split in two and each half sends a rejected credential again (the guard asks for
        // the secret again within a minute).
        if (current !== value && this.#secret === secret) this.#secret = Promise.resolve(current);
      })
      .catch(() => undefined);
  }

  #message(key: string): string {
    return `${this.#instance} ${this.#keys.publicKey(key)}`;
  }

  #openSubscriber(): RedisClient {
    const client = this.#client;
    // The offline queue stays on here: SUBSCRIBE waits for the connection, and ioredis
    // subscribes again after every reconnection.
    const subscriber = isCluster(client)
      ? client.duplicate(undefined, { enableOfflineQueue: true })
      : client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    subscriber.on("error", noop);
    // Subscribe again on every (re)connection: covers a first SUBSCRIBE lost to an outage.
    const listen = () => void subscriber.subscribe(this.#keys.channel).catch(noop);
    subscriber.on("ready", listen);
    subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.#keys.channel) return;
      const space = message.indexOf(" ");
      if (space < 0 || message.slice(0, space) === this.#instance) return;
      const key = message.slice(space + 1);
      // Anyone who can publish on the channel can send anything: pass on only key shapes the store announces.
      if (!ANNOUNCED_KEY.test(key)) return;
      for (const { listener } of [...this.#listeners]) {
        try {
          listener(key);
        } catch {
          // One listener's bug must not keep the others from hearing.
        }
      }
    });
    listen();
    return subscriber;
  }

  #closeSubscriber(): void {
    const subscriber = this.#subscriber;
    if (subscriber === undefined) return;
    this.#subscriber = undefined;
    subscriber.removeAllListeners("message");
    subscriber.removeAllListeners("ready");
    subscriber.disconnect();
    // Errors from the closing socket may still be emitted; keep swallowing them.
  }

  /** Follows the connection for `store_connection` events; returns how to stop. */
  #watch(client: RedisClient): () => void {
    const onReady = () => {
      this.#endFirstAttempt();
      if (this.#up === true) return;
      // Back after an outage: Redis may have lost the secret (no persistence); put ours
      // back before a process that starts now makes a different one.
      if (this.#up === false) this.#renewSecret(true);
      this.#up = true;
      this.#emit({ type: "store_connection", state: "up" });
    };
    const onDown = (error?: unknown) => {
      this.#endFirstAttempt();
      if (this.#up === false) return;
      this.#up = false;
      this.#emit(error instanceof Error ? { type: "store_connection", state: "down", error: connectionError(error) } : { type: "store_connection", state: "down" });
    };
    // Without an "error" listener ioredis prints connection errors to the console.
    const onError = (error: unknown) => {
      if (client.status !== "ready") onDown(error);
    };
    const onClose = () => onDown();
    client.on("ready", onReady);
    client.on("error", onError);
    client.on("close", onClose);
    client.on("end", onClose);
    if (client.status === "ready") {
      this.#up = true;
      this.#endFirstAttempt();
    }
    return () => {
      this.#endFirstAttempt();
      client.off("ready", onReady);
      client.off("error", onError);
      client.off("close", onClose);
      client.off("end", onClose);
    };
  }

  #emit(event: RedisStoreEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // A listener's bug must not turn into a store failure.
    }
  }
}

function ownOptions(commandTimeoutMs: number, connectTimeoutMs: number, reconnectMaxDelayMs: number): RedisOptions {
  return {
    // Fail fast while disconnected: a guard decision must not wait for a reconnection.
    enableOfflineQueue: false,
    // A reply that comes after a reconnection is useless to a decision already made.
    maxRetriesPerRequest: 0,
    // The store's own timer (commandTimeoutMs) answers first; this only frees ioredis's queue.
    commandTimeout: commandTimeoutMs + 100,
    connectTimeout: connectTimeoutMs,
    // Back off from 50 ms to the cap, with jitter so a fleet doesn't reconnect in step.
    retryStrategy: (attempt: number) => Math.round(Math.min(reconnectMaxDelayMs, 50 * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2)),
    // ioredis would otherwise retry a failed ready check forever without telling anyone.
    enableReadyCheck: true,
    lazyConnect: false,
  };
}

function isIoredisClient(value: unknown): value is RedisClient {
  const c = value as Record<string, unknown>;
  return (
    typeof value === "object" && value !== null &&
    typeof c.callBuffer === "function" && typeof c.duplicate === "function" && typeof c.on === "function" && typeof c.off === "function" &&
    typeof c.options === "object" && c.options !== null
  );
}

/** How often ioredis sends a command again after reconnecting (its own default: 20; `null`: without end). */
function clientRetries(client: RedisClient): unknown {
  const options = (isCluster(client) ? client.options.redisOptions : client.options) as { maxRetriesPerRequest?: unknown } | undefined;
  return options?.maxRetriesPerRequest === undefined ? 20 : options.maxRetriesPerRequest;
}

/** The `keyPrefix` option ioredis puts before every key a command names ("" when none). */
function clientKeyPrefix(client: RedisClient | undefined): string {
  const keyPrefix: unknown = (client?.options as { keyPrefix?: unknown } | undefined)?.keyPrefix;
  return typeof keyPrefix === "string" ? keyPrefix : "";
}

function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

function checkUrl(url: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === "string" ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")) {
    // Never echo the URL: it may carry a password.
    throw new TypeError(`RedisStore: options.url must be a redis:// or rediss:// URL such as "redis://127.0.0.1:6379", got ${show(url)}`);
  }
}

function checkKey(method: string, key: unknown): void {
  if (typeof key !== "string" || key.length === 0) throw new TypeError(`RedisStore.${method}: key must be a non-empty string, got ${show(key)}`);
}

function checkHolder(method: string, holder: unknown): void {
  if (typeof holder !== "string" || holder.length === 0 || holder.length > 256) {
    throw new TypeError(`RedisStore.${method}: holder must be a string of 1 to 256 characters, got ${show(holder)}`);
  }
}

/** Whole milliseconds for `PX`: at least 1, at most {@link MAX_TTL_MS}. */
function checkTtl(method: string, ttlMs: unknown): number {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new TypeError(`RedisStore.${method}: ttlMs must be a finite number of milliseconds, 0 or more, got ${show(ttlMs)}`);
  }
  return Math.min(MAX_TTL_MS, Math.max(1, Math.ceil(ttlMs)));
}

function positive(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new RangeError(`RedisStore: options.${name} must be a positive number up to ${max}, got ${show(value)}`);
  }
  return value;
}

/** Describes a bad argument without echoing strings (a URL may carry a password). */
function show(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value.length === 0 ? "an empty string" : "a string";
  if (value === null) return "null";
  return typeof value;
}

function noop(): void {}
