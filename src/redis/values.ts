/**
 * Judging what Redis returned for a read. Pure. A value the guard could not have written
 * (wrong type, too large, not UTF-8, not a JSON object, no expiry or one longer than any
 * the store sets) is reported and ignored; what a well-formed record says is checked
 * again, and capped, by the engine.
 */

/** Why a value read from Redis was ignored. */
export type RedisStoreCorruptReason =
  /** Not a string (someone stored a hash, list ... under the key). */
  | "wrong_type"
  /** Larger than `maxValueBytes`; never transferred. */
  | "too_large"
  /** Bytes that are not UTF-8. */
  | "not_utf8"
  /** Not a JSON object (the guard only stores JSON records). */
  | "not_json"
  /** No expiry: every write of the store sets one. */
  | "no_expiry"
  /** An expiry longer than the store ever sets. */
  | "expiry_too_long";

export type ReadOutcome =
  | { readonly value: string }
  | { readonly problem: RedisStoreCorruptReason; readonly detail: string }
  | undefined;

/** The longest expiry the store sets: more than any policy can ask (a one-week window, remembered a day longer). */
export const MAX_TTL_MS = 8 * 24 * 60 * 60_000;

let utf8: TextDecoder | undefined; // created on first use, not at import time

/** Interprets the reply of the `READ` script. Throws on a reply of another shape (a protocol problem, not a bad value). */
export function judgeRead(reply: unknown): ReadOutcome {
  if (reply === null || reply === undefined) return undefined;
  if (!Array.isArray(reply) || reply.length < 2) throw new Error("RedisStore: unexpected reply to the read script");
  const status = text(reply[0]);
  if (status === "wrong_type") return { problem: "wrong_type", detail: `a Redis ${text(reply[1]) ?? "value"}, expected a string` };
  const ttl = reply[2];
  if (typeof ttl !== "number") throw new Error("RedisStore: unexpected reply to the read script");
  if (status === "too_large") return { problem: "too_large", detail: `${text(reply[1]) ?? "?"} bytes` };
  if (status !== "ok" || !(reply[1] instanceof Uint8Array)) throw new Error("RedisStore: unexpected reply to the read script");
  if (ttl < 0) return { problem: "no_expiry", detail: "the key never expires" };
  if (ttl > MAX_TTL_MS) return { problem: "expiry_too_long", detail: `expires in ${Math.round(ttl / 3_600_000)} h, at most ${MAX_TTL_MS / 3_600_000} h expected` };
  let value: string;
  try {
    utf8 ??= new TextDecoder("utf-8", { fatal: true });
    value = utf8.decode(reply[1]);
  } catch {
    return { problem: "not_utf8", detail: `${reply[1].length} bytes` };
  }
  if (!isJsonObject(value)) return { problem: "not_json", detail: `${value.length} characters that are not a JSON object` };
  return { value };
}

export function isJsonObject(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return value instanceof Uint8Array ? Buffer.from(value).toString("utf8") : undefined;
}
