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
  if (!(error instanceof ReplyError)) return new RedisStoreError(operation, "unavailable", "Redis is unreachable; reconnecting in the background", causeOf(error));
  return new RedisStoreError(operation, "command", `Redis answered an error: ${(error as Error).message.slice(0, 200)}`, causeOf(error));
}

/**
 * The error a `store_connection` event carries: the client's own, or, when it holds a
 * command's arguments (see {@link carriesArguments}), a `RedisStoreError` with its message.
 */
export function connectionError(error: Error): Error {
  if (!carriesArguments(error)) return error;
  const node = (error as { lastNodeError?: unknown }).lastNodeError;
  const message = `${error.message}${node instanceof Error ? ` (${node.message})` : ""}`.slice(0, 200);
  return error instanceof ReplyError
    ? new RedisStoreError("connect", "command", `Redis answered an error: ${message}`)
    : new RedisStoreError("connect", "unavailable", message);
}

/** `{ cause: error }`, or nothing when the error holds a command's arguments. */
function causeOf(error: unknown): { cause?: unknown } {
  return carriesArguments(error) ? {} : { cause: error };
}

/**
 * Whether an error holds the arguments of the command it answered: ioredis puts them on
 * every reply error (`command: { name, args }`), and for a refused AUTH they are the user
 * name and password; a Cluster's error keeps its node's (`lastNodeError`). Events are what
 * apps log, and the store's errors reach them: such an error is never passed on.
 */
function carriesArguments(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  const { command, lastNodeError, cause } = error as { command?: unknown; lastNodeError?: unknown; cause?: unknown };
  return (typeof command === "object" && command !== null && "args" in command) || carriesArguments(lastNodeError, depth + 1) || carriesArguments(cause, depth + 1);
}
