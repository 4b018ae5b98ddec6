/**
 * Where the guard's keys live in Redis. Pure functions, no I/O.
 *
 * The engine's keys are already hashes (`a:<hex>` app, `i:<hex>` identity, `l:<hex>`
 * probe lease). Each becomes `<prefix>{<hex>}:<letter>`: the hex inside braces is the
 * Redis Cluster hash tag, so an identity's record (`{<hex>}:i`) and its lease
 * (`{<hex>}:l`) always share a slot and one script can read both. Any other key is
 * hashed first (SHA-256), so nothing readable reaches Redis whatever a caller passes.
 */
import { createHash } from "node:crypto";

/** The engine's own key shape: one letter, a colon, a hex hash. */
const CANONICAL = /^([a-z]):([0-9a-f]{16,128})$/;
/** What {@link KeyLayout.redisKey} makes of a canonical key, after the prefix. */
const LAID_OUT = /^\{([0-9a-f]{16,128})\}:([a-z])$/;

/** @default prefix */
export const DEFAULT_PREFIX = "msal-guard:";

export interface KeyLayout {
  /** The Redis key for a store key. */
  readonly redisKey: (key: string) => string;
  /**
   * The Redis key of the record a lease protects (`l:<hex>` → the `i:<hex>` record, same
   * slot), or `undefined` for keys that are not the engine's leases.
   */
  readonly recordOfLease: (key: string) => string | undefined;
  /** What subscribers are told: the key itself for the engine's (hashed) keys, else `#<sha-256>`. */
  readonly publicKey: (key: string) => string;
  /**
   * The engine's key a key SCAN returned was made from (`<prefix>{<hex>}:i` → `i:<hex>`), or
   * `undefined` for any other: the secret, a key stored hashed (SHA-256 can't be undone),
   * a key outside the prefix.
   */
  readonly storeKey: (scannedKey: string) => string | undefined;
  /** A SCAN `MATCH` pattern for the keys {@link KeyLayout.storeKey} may map back (a superset: check each). */
  readonly scanPattern: string;
  /** The fleet's fingerprint secret. */
  readonly secret: string;
  /** The pub/sub channel announcing changed keys. */
  readonly channel: string;
}

/**
 * `clientKeyPrefix` is the ioredis client's own `keyPrefix` option: ioredis puts it before
 * every key a command names, but SCAN's pattern is no key, and the keys SCAN returns carry
 * it. Only `scanPattern` and `storeKey` deal with it; the other keys are given to commands.
 */
export function keyLayout(prefix: string, clientKeyPrefix = ""): KeyLayout {
  const scanned = clientKeyPrefix + prefix;
  return {
    redisKey(key) {
      const match = CANONICAL.exec(key);
      // `#` cannot be a canonical letter, so a hashed key never meets an engine key.
      return match === null ? `${prefix}{${sha256(key)}}:#` : `${prefix}{${match[2]}}:${match[1]}`;
    },
    recordOfLease(key) {
      const match = CANONICAL.exec(key);
      return match !== null && match[1] === "l" ? `${prefix}{${match[2]}}:i` : undefined;
    },
    publicKey(key) {
      return CANONICAL.test(key) ? key : `#${sha256(key)}`;
    },
    storeKey(scannedKey) {
      const match = scannedKey.startsWith(scanned) ? LAID_OUT.exec(scannedKey.slice(scanned.length)) : null;
      return match === null ? undefined : `${match[2]}:${match[1]}`;
    },
    // Glob characters in the prefixes (allowed: `app*:`) must match themselves only.
    scanPattern: `${scanned.replace(/[*?[\]\\]/g, "\\$&")}{*}:?`,
    secret: `${prefix}secret`,
    channel: `${prefix}events`,
  };
}

/** Why a prefix is unusable, or `undefined` when it is fine. */
export function prefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix !== "string" || prefix.length === 0) return "must be a non-empty string";
  if (prefix.length > 64) return "must be at most 64 characters";
  // Braces would start a hash tag of their own and split a record from its lease in a cluster.
  if (/[{}]/.test(prefix)) return "must not contain { or } (Redis Cluster hash tags)";
  if (/[\s\u0000-\u001f\u007f]/.test(prefix)) return "must not contain spaces or control characters";
  return undefined;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 32);
}
