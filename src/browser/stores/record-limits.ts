/**
 * Defence in depth for suppression records read back from storage another script can
 * write (localStorage is open to every script of the origin, and to the user).
 *
 * The engine caps each window at `now + cap` on read, but a record that stays in storage
 * is re-read later against a later `now`: a forged `until` far in the future would keep
 * suppressing, cap after cap, for as long as the entry lives. The store knows when the
 * entry was written, so it caps every window at `written + cap` instead: a tampered value
 * ends no later than the longest window the policy allows, counted from the tampering.
 * The engine's own records never exceed that (each window starts when it is written).
 */
import { RECORD_VERSION, blockCapMs } from "../../core/guard/records.js";
import type { SuppressionPolicy } from "../../core/guard/policy.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** `raw` with every suppression window ending by `writtenAt + cap`; other values unchanged. */
export function limitRecord(raw: string, writtenAt: number, policy: SuppressionPolicy): string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return raw; // not a record: the engine ignores it anyway
  }
  if (!isObject(value) || value.v !== RECORD_VERSION) return raw;
  let changed = false;
  const clamp = (holder: unknown, capMs: number): void => {
    if (isObject(holder) && typeof holder.until === "number" && holder.until > writtenAt + capMs) {
      holder.until = writtenAt + capMs;
      changed = true;
    }
  };
  clamp(value.lockout, policy.lockout.maxWindowMs);
  clamp(value.throttle, policy.throttle.maxMs);
  if (Array.isArray(value.latches)) for (const latch of value.latches) clamp(latch, policy.rejectedCredentialMs);
  if (isObject(value.blocks)) {
    for (const block of Object.values(value.blocks)) {
      if (isObject(block)) clamp(block, blockCapMs(block.kind, block.silentOnly === true, policy));
    }
  }
  return changed ? JSON.stringify(value) : raw;
}
