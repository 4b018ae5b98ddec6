import { ReplyError } from "ioredis";

/** Why a RedisStore operation failed. The guard then decides from local memory. */
export type RedisStoreErrorKind =
  /** No answer within `commandTimeoutMs`. */
  | "timeout"
  /** Not connected (Redis down, restarting or unreachable); the store reconnects in the background. */
  | "unavailable"
  /** `close()` was called. */
  | "closed"
  /** Redis answered with an error (e.g. `NOPERM`, `OOM`, a cluster redirect that failed). */
  | "command";

const BRAND = Symbol.for("msal-guard.RedisStoreError");

/** A failed RedisStore operation, as carried by the guard's `store_error` events. */
export class RedisStoreError extends Error {
  override readonly name = "RedisStoreError" as const;
  readonly kind: RedisStoreErrorKind;
  /** The store method that failed. */
  readonly operation: string;
  readonly [BRAND] = true;

  constructor(operation: string, kind: RedisStoreErrorKind, message: string, options?: { cause?: unknown }) {
    super(`RedisStore.${operation}: ${message}`, options);
    this.operation = operation;
    this.kind = kind;
  }
}

/** True for a {@link RedisStoreError}, also across two copies of the package. */
export function isRedisStoreError(value: unknown): value is RedisStoreError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Sorts a failed command: `command` when Redis itself answered with an error (ioredis's
 * `ReplyError`), else `unavailable`: the client could not reach Redis (it fails such
 * commands at once, its offline queue being off). Time-outs are the store's own timer and
 * never reach here.
 */
export function fromRedisFailure(operation: string, error: unknown): RedisStoreError {
  if (isRedisStoreError(error)) return error;
  if (!(error instanceof ReplyError)) return new RedisStoreError(operation, "unavailable", "Redis is unreachable; reconnecting in the background", { cause: error });
  return new RedisStoreError(operation, "command", `Redis answered an error: ${(error as Error).message.slice(0, 200)}`, { cause: error });
}
