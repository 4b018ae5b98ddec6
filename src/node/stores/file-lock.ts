// A cross-process mutex for one host: a lock file created with O_EXCL (`wx`), holding a
// random token. Staleness and waiting use the real clock (Date.now, setTimeout), never
// an injected one, because they are compared with file-system timestamps written by
// other processes.
//
// Guarantee: mutual exclusion among processes that use this lock, as long as no holder
// keeps it longer than `staleMs`. A holder that stalls that long (a paused process, a disk
// that hangs in fsync) may have its lock broken; it then notices at `assertHeld` (its token
// is gone) and abandons its write. Only if the lock is broken in the instant between its
// `assertHeld` and its rename can two writers interleave. A lock whose holder has died (a
// process of this host's process table that no longer runs) is broken at once, whatever
// its age.

import { randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { link, open, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { readSnapshot, siblingName } from "./atomic-file.js";
import { FileStoreError, errorCode, ioError } from "./file-store-error.js";

export interface FileLockOptions {
  /** A lock file older than this (ms, by its mtime) is presumed abandoned and removed. */
  readonly staleMs: number;
  /** Give up waiting after this long (ms) with a `lock_timeout` FileStoreError. */
  readonly timeoutMs: number;
  /** Called after a stale lock was removed, with its age (ms). */
  readonly onBroken?: (ageMs: number) => void;
}

/** A lock this process holds. */
export interface HeldLock {
  /** Rejects with a `lock_lost` FileStoreError unless the lock file still carries our token. */
  assertHeld(): Promise<void>;
  /** Removes the lock file if it is still ours. Never rejects: a leftover lock goes stale. */
  release(): Promise<void>;
}

/** Waits for and takes the lock file at `path`. Its directory must exist. */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<HeldLock> {
  const token = randomBytes(16).toString("hex");
  const text = `${JSON.stringify({ pid: process.pid, ...processTable(), token, acquiredAt: Date.now() })}\n`;
  const deadline = Date.now() + options.timeoutMs;
  let backoffMs = 1;
  for (;;) {
    if (await tryCreate(path, text)) return heldLock(path, token);
    // Having just removed a stale lock, try again before any timeout check.
    if ((await breakIfStale(path, options)) && (await tryCreate(path, text))) return heldLock(path, token);
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      throw new FileStoreError("lock_timeout", path, `FileStore timed out after ${options.timeoutMs} ms waiting for the lock file ${path}`);
    }
    // Jittered exponential backoff, so waiting processes don't retry in lockstep.
    await delay(Math.min(remainingMs, backoffMs * (0.5 + Math.random() / 2)));
    backoffMs = Math.min(backoffMs * 2, 32);
  }
}

async function tryCreate(path: string, text: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw ioError("create the lock file", path, error);
  }
  try {
    await handle.writeFile(text, "utf8");
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    throw ioError("write the lock file", path, error);
  }
  await handle.close();
  return true;
}

/** Removes the lock at `path` if it is stale (or already gone). True when the caller should retry at once. */
async function breakIfStale(path: string, options: FileLockOptions): Promise<boolean> {
  const seen = await readSnapshot(path).catch((error: unknown) => {
    throw ioError("read the lock file", path, error);
  });
  if (seen === undefined) return true;
  const ageMs = Date.now() - seen.mtimeMs;
  // A lock far in the future (the clock was stepped back) is as suspect as a very old one;
  // so is one whose holder, a process on this host, is gone (killed, crashed: a supervisor
  // restarting it must not wait out staleMs, saving nothing meanwhile).
  if (Math.abs(ageMs) <= options.staleMs && !holderIsGone(seen.text ?? "")) return false;

  // Move it aside rather than unlink it: if someone else broke it first and took the lock
  // again meanwhile, we can tell (another file) and put theirs back.
  const aside = siblingName(path, "stale");
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return true;
    throw ioError("remove the stale lock file", path, error);
  }
  try {
    const moved = await readSnapshot(aside);
    if (moved !== undefined && moved.identity === seen.identity && moved.mtimeMs === seen.mtimeMs && moved.text === seen.text) {
      options.onBroken?.(ageMs);
      return true;
    }
    // A fresh lock: restore it unless the slot was taken again (then its holder's
    // assertHeld fails and it abandons its write).
    await link(aside, path).catch(() => undefined);
    return false;
  } finally {
    await rm(aside, { force: true }).catch(() => undefined);
  }
}

/**
 * Which process table a pid in a lock file belongs to: the host name, and on Linux the pid
 * namespace and boot (containers that share a host name, `--network host` say, each have
 * their own pids; a reboot starts them again). @internal
 */
export function processTable(): { readonly host: string; readonly pids: string } {
  return (table ??= { host: hostname(), pids: linuxPidTable() });
}
let table: { readonly host: string; readonly pids: string } | undefined;

function linuxPidTable(): string {
  try {
    return `${readlinkSync("/proc/self/ns/pid")} ${readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}`;
  } catch {
    return ""; // not Linux: no pid namespaces
  }
}

/** True when the lock names a process of this process table that no longer runs. */
function holderIsGone(text: string): boolean {
  let holder: unknown;
  try {
    holder = JSON.parse(text);
  } catch {
    return false; // half-written by its holder, or not ours: wait for it to go stale
  }
  const { pid, host, pids } = (holder ?? {}) as { pid?: unknown; host?: unknown; pids?: unknown };
  const ours = processTable();
  if (host !== ours.host || pids !== ours.pids || typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0); // no signal sent: only asks whether the process exists
    return false;
  } catch (error) {
    return errorCode(error) === "ESRCH"; // EPERM: it runs, as another user
  }
}

function heldLock(path: string, token: string): HeldLock {
  return {
    async assertHeld() {
      let current: string | undefined;
      try {
        current = await readToken(path);
      } catch (error) {
        throw ioError("read the lock file", path, error);
      }
      if (current !== token) {
        throw new FileStoreError(
          "lock_lost",
          path,
          `FileStore lost the lock file ${path} (another process removed it as stale); the write was abandoned`,
        );
      }
    },
    async release() {
      try {
        if ((await readToken(path)) === token) await rm(path, { force: true });
      } catch {
        // Left behind, it goes stale after `staleMs` and is removed by the next writer.
      }
    },
  };
}

async function readToken(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  try {
    const token: unknown = (JSON.parse(text) as { token?: unknown }).token;
    return typeof token === "string" ? token : undefined;
  } catch {
    return undefined;
  }
}
