// Defensive readers for values of unknown shape. Anything can reach `classify`:
// proxies whose traps throw, getters that throw, revoked proxies, cycles. These
// helpers turn every such surprise into `undefined` instead of an exception.

export type Bag = object;

export function isBag(value: unknown): value is Bag {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/** Reads `value[key]`, or `undefined` if the value isn't an object or the read throws. */
export function read(value: unknown, key: PropertyKey): unknown {
  if (!isBag(value)) return undefined;
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A non-empty string field, else `undefined`. Overlong values are cut, never trusted whole. */
export function readString(value: unknown, key: PropertyKey, maxLength = MAX_TEXT): string | undefined {
  return asString(read(value, key), maxLength);
}

export function asString(value: unknown, maxLength = MAX_TEXT): string | undefined {
  if (typeof value !== "string" || value.length === 0) return undefined;
  return value.length > maxLength ? value.slice(0, maxLength) : value;
}

/** A finite number, or a string of digits, as a number; else `undefined`. */
export function asInteger(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === "string" && /^\s*\d{1,15}\s*$/.test(value)) return Number(value);
  return undefined;
}

export function safeIsArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false; // a revoked proxy
  }
}

/** Up to `limit` items of an array-like value, read defensively. */
export function readItems(value: unknown, limit: number): unknown[] {
  if (!safeIsArray(value)) return [];
  const out: unknown[] = [];
  let length = 0;
  try {
    length = Math.min(value.length, limit);
  } catch {
    return out;
  }
  for (let i = 0; i < length; i++) out.push(read(value, i));
  return out;
}

/** Longest text we look into. Entra descriptions are a few hundred characters. */
export const MAX_TEXT = 64 * 1024;
