// File primitives for FileStore: whole-file atomic replacement, exclusive creation
// with content, reads that pair a file's content with its identity, and clean-up of the
// temp files a crashed process left. They throw Node.js errors as they come; FileStore
// wraps them with the path.

import { randomBytes } from "node:crypto";
import { link, lstat, open, readdir, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { errorCode } from "./file-store-error.js";

/** A file's identity and, unless the caller skipped it, its text, read through one handle. */
export interface FileSnapshot {
  /** Device, inode, size, mtime and ctime (ns): changes whenever the file is replaced or edited. */
  readonly signature: string;
  /** Device and inode: which file this is. A rename keeps it. */
  readonly identity: string;
  /** Last modification, epoch ms (the file system's clock). */
  readonly mtimeMs: number;
  /** `undefined` when `skip` said the content was not needed. */
  readonly text: string | undefined;
}

/**
 * Reads `path`: `undefined` when it doesn't exist. `skip(signature, mtimeMs)` may return
 * true to avoid reading the content (the caller already has it).
 */
export async function readSnapshot(
  path: string,
  skip: (signature: string, mtimeMs: number) => boolean = () => false,
): Promise<FileSnapshot | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat({ bigint: true });
    const identity = `${stats.dev}:${stats.ino}`;
    const signature = `${identity}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
    const mtimeMs = Number(stats.mtimeNs / 1_000_000n);
    if (skip(signature, mtimeMs)) return { signature, identity, mtimeMs, text: undefined };
    return { signature, identity, mtimeMs, text: await handle.readFile("utf8") };
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `text` so that readers see the old or the new content, never a
 * mix: a temp file in the same directory (mode 0600), fsync, `beforeCommit`, rename,
 * then a best-effort fsync of the directory. On failure the temp file is removed and
 * `path` is untouched.
 */
export async function writeFileAtomic(path: string, text: string, beforeCommit?: () => Promise<void>): Promise<void> {
  const temp = await writeTemp(path, text);
  try {
    await beforeCommit?.();
    await renameWithRetry(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Creates `path` holding `text`, only if it doesn't exist: resolves false when it does.
 * The file appears complete (hard link of a finished temp file), so a concurrent reader
 * never sees it empty, which opening with `wx` and then writing would allow.
 */
export async function createFileExclusive(path: string, text: string): Promise<boolean> {
  const temp = await writeTemp(path, text);
  try {
    await link(temp, path);
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw error;
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
  await syncDirectory(dirname(path));
  return true;
}

/** A unique name next to `path`, so renames stay on one file system. */
export function siblingName(path: string, suffix: string): string {
  return `${path}.${randomBytes(6).toString("hex")}.${suffix}`;
}

/** What follows `<path>.` in a {@link siblingName} with suffix `tmp` or `stale`. */
const SIBLING_TAIL = /^[0-9a-f]{12}\.(?:tmp|stale)$/;

/**
 * Removes the `tmp` and `stale` siblings (see {@link siblingName}) of `paths`, files of
 * one directory, whose mtime is more than `olderThanMs` from now either way: a process
 * that dies between creating one and renaming or removing it leaves it behind for good.
 * A live writer's lasts milliseconds, so the age tells them apart. Best effort: never rejects.
 */
export async function removeAbandonedSiblings(paths: readonly string[], olderThanMs: number): Promise<void> {
  const directory = dirname(paths[0] ?? ".");
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  const prefixes = paths.map((path) => `${basename(path)}.`);
  for (const name of names) {
    if (!prefixes.some((prefix) => name.startsWith(prefix) && SIBLING_TAIL.test(name.slice(prefix.length)))) continue;
    const file = join(directory, name);
    try {
      const stats = await lstat(file);
      if (!stats.isFile() || Math.abs(Date.now() - stats.mtimeMs) <= olderThanMs) continue;
      await rm(file, { force: true });
    } catch {
      // Gone meanwhile, or not ours to remove: either way nothing to do.
    }
  }
}

async function writeTemp(path: string, text: string): Promise<string> {
  const temp = siblingName(path, "tmp");
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, "wx", 0o600);
    // Exactly 0600 whatever the umask (POSIX only; Windows has no such mode bits).
    if (process.platform !== "win32") await handle.chmod(0o600);
    await handle.writeFile(text, "utf8");
    await handle.sync();
    await handle.close();
    handle = undefined;
    return temp;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

// Windows refuses to replace a file another process has open (a reader, an antivirus
// scanner) with EPERM/EACCES/EBUSY for a few milliseconds; POSIX rename never does.
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const transient = ["EPERM", "EACCES", "EBUSY"].includes(errorCode(error) ?? "");
      if (process.platform !== "win32" || !transient || attempt >= 5) throw error;
      await delay(10 * 2 ** attempt);
    }
  }
}

// Makes the rename itself durable across a power loss. Not possible everywhere (Windows
// can't open a directory), and the data is already safe in the renamed file, so best effort.
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, "r");
    await handle.sync();
  } catch {
    // Best effort, see above.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
