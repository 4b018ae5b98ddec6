import type { GuardErrorKind } from "../kinds.js";
import { CODE_GAPS, CODE_KINDS, KINDS } from "./codes.generated.js";

let kindByCode: Map<number, GuardErrorKind> | undefined;

function table(): Map<number, GuardErrorKind> {
  // Built on first use, never at import time, so importing the package costs nothing.
  if (kindByCode === undefined) {
    const map = new Map<number, GuardErrorKind>();
    let code = 0;
    CODE_GAPS.split(",").forEach((gap, i) => map.set((code += parseInt(gap, 36)), KINDS[CODE_KINDS.charCodeAt(i) - 97] as GuardErrorKind));
    kindByCode = map;
  }
  return kindByCode;
}

/** The kind an AADSTS code classifies as, or `undefined` for a code not in the catalogue. */
export function kindForCode(code: number): GuardErrorKind | undefined {
  return table().get(code);
}

/** Every AADSTS code the catalogue knows, ascending. */
export function catalogueCodes(): number[] {
  return [...table().keys()].sort((a, b) => a - b);
}

/**
 * Codes Entra uses as a generic wrapper around a more specific one (`[70002, 50126]`:
 * "invalid client" wrapping "invalid user name or password"). When a response carries
 * several codes, these rank last.
 */
const GENERIC_CODES: ReadonlySet<number> = new Set([70002, 70000, 50000, 90023, 9002313]);

/**
 * Orders codes most specific first: known specific codes, then unknown ones, then
 * generic wrappers; duplicates removed, original order kept within each rank.
 */
export function rankCodes(codes: readonly number[]): number[] {
  const unique = [...new Set(codes)];
  const rank = (code: number) => (GENERIC_CODES.has(code) ? 2 : table().has(code) ? 0 : 1);
  return unique
    .map((code, index) => ({ code, index, rank: rank(code) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.code);
}
