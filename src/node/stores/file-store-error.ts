/**
 * What went wrong:
 * - `io`: the file system refused (permissions, a missing or non-directory parent, a full disk);
 * - `lock_timeout`: another process held the lock file for longer than `lockTimeoutMs`;
 * - `lock_lost`: the lock was broken as stale while this process held it, so the write
 *   was abandoned rather than risk overwriting another process's update.
 */
export type FileStoreErrorKind = "io" | "lock_timeout" | "lock_lost";

const FILE_STORE_ERROR_BRAND: unique symbol = /* @__PURE__ */ Symbol.for("msal-guard.file-store-error") as never;

/**
 * A FileStore operation failed for a reason outside the caller's control. The message
 * names the file; `cause` is the original Node.js error, when there is one. The guard
 * engine treats any store rejection as "no state" and fails open.
 *
 * Check with `isFileStoreError(e)` rather than `instanceof` when two copies of the
 * package may be loaded.
 */
export class FileStoreError extends Error {
  override readonly name = "FileStoreError" as const;
  readonly kind: FileStoreErrorKind;
  /** The file the operation was about. */
  readonly path: string;
  /** The Node.js error code (`EACCES`, `ENOTDIR`, ...), when there is one. */
  readonly code: string | undefined;
  declare readonly cause: unknown;

  constructor(kind: FileStoreErrorKind, path: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.path = path;
    this.code = errorCode(options.cause);
    Object.defineProperty(this, FILE_STORE_ERROR_BRAND, { value: true });
  }
}

/** True for a {@link FileStoreError} from any copy of msal-guard. */
export function isFileStoreError(value: unknown): value is FileStoreError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[FILE_STORE_ERROR_BRAND] === true;
}

/** The `code` of a Node.js system error (`ENOENT`, ...), else `undefined`. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** Wraps a Node.js error from `action` on `path` (`"write"`, `"read"`, ...). */
export function ioError(action: string, path: string, cause: unknown): FileStoreError {
  const code = errorCode(cause);
  return new FileStoreError("io", path, `FileStore could not ${action} ${path}${code === undefined ? "" : ` (${code})`}`, { cause });
}
