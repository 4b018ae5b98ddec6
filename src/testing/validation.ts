/**
 * Checks for simulator options and arguments. Each throws at once with a message that
 * names the call and the option and says what to change, so a mistyped option fails
 * where it was written instead of later, on the wire, as an odd answer.
 *
 * Kinds: `TypeError` when a value has the wrong type, `RangeError` when it has the right
 * type but a value the simulator cannot use (a number out of range, a word it does not
 * know, a contradictory combination).
 */

/** A value as a message shows it: strings quoted, everything else as `String()` prints it. */
export function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function requireNumber(where: string, name: string, value: unknown, what: string): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${where}: ${name} must be ${what} (got ${typeof value} ${shown(value)})`);
}

/** A whole number of at least `min`. */
export function checkWholeNumber(where: string, name: string, value: unknown, min: number, hint = ""): void {
  const what = `a whole number of at least ${min}`;
  requireNumber(where, name, value, what);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${where}: ${name} must be ${what} (got ${shown(value)})${hint}`);
}

/** A finite number above 0, or from 0 up with `allowZero`. `unit` is said in the message, e.g. "milliseconds". */
export function checkFiniteNumber(where: string, name: string, value: unknown, unit: string, options: { allowZero?: boolean; min?: number } = {}): void {
  const what =
    options.min !== undefined
      ? `a finite number of at least ${options.min}`
      : options.allowZero
        ? `a finite number of ${unit}, 0 or more`
        : `a finite number of ${unit} greater than 0`;
  requireNumber(where, name, value, what);
  const tooLow = options.min !== undefined ? value < options.min : options.allowZero ? value < 0 : value <= 0;
  if (!Number.isFinite(value) || tooLow) throw new RangeError(`${where}: ${name} must be ${what} (got ${shown(value)})`);
}

/** One of `allowed`. */
export function checkOneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return;
  const list = allowed.map((entry) => JSON.stringify(entry)).join(", ");
  const error = typeof value === "string" ? RangeError : TypeError;
  throw new error(`${where}: ${name} must be one of ${list} (got ${shown(value)})`);
}

/** A string with at least one non-blank character. */
export function checkNonEmptyString(where: string, name: string, value: unknown): void {
  if (typeof value !== "string") throw new TypeError(`${where}: ${name} must be a non-empty string (got ${typeof value} ${shown(value)})`);
  if (value.trim() === "") throw new RangeError(`${where}: ${name} must be a non-empty string (got ${shown(value)})`);
}

/** No key outside `known`: a misspelt option name would otherwise be ignored and leave its default in force. `prefix` is the option's path, e.g. `"lockout."`. */
export function checkKnownKeys(where: string, value: unknown, known: readonly string[], prefix = ""): void {
  if (typeof value !== "object" || value === null) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown option "${prefix}${key}" (known: ${known.join(", ")})`);
  }
}
