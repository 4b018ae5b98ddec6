/**
 * Construction-time checks shared by every public constructor: misuse fails at once, with
 * a message that names the option and says what to change, never later inside a token call.
 */

/** Throws a `TypeError` naming the first key of `options` that `known` lacks (a typo, an option of another version). */
export function rejectUnknownOptions(options: object, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`msal-guard: ${where}: unknown option "${key}". Known options: ${[...known].join(", ")}.`);
  }
}

/** Throws unless `value` is absent or a function. */
export function optionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "function") throw new TypeError(`msal-guard: ${name} must be a function, got ${describeValue(value)}.`);
}

/** Throws unless `value` is absent or a non-empty string. */
export function optionalText(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== "string" || value.length === 0)) throw new TypeError(`msal-guard: ${name} must be a non-empty string, got ${describeValue(value)}.`);
}

/** Throws unless `value` is absent or a boolean. */
export function optionalBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "boolean") throw new TypeError(`msal-guard: ${name} must be true or false, got ${describeValue(value)}.`);
}

/** A short, safe rendering of a bad option value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
