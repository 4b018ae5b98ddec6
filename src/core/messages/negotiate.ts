// Locale negotiation: BCP 47 "lookup" (drop subtags from the right until a table
// matches), then any table of the same language. Pure; never throws.

/** `navigator.languages` is short; a hostile or corrupted list isn't, so only this many entries are read. */
const MAX_PREFERENCES = 32;
/** Longer strings are not locale tags. */
const MAX_TAG_LENGTH = 64;
const TAG_SHAPE = /^[a-z]{2,8}(?:-[a-z0-9]{1,8})*$/;

/**
 * A comparable, lower-case form of a locale tag, or `undefined` when the value isn't
 * one. Accepts POSIX spellings such as `de_AT.UTF-8` (what `LANG` holds).
 */
export function normalizeLocaleTag(tag: unknown): string | undefined {
  if (typeof tag !== "string" || tag.length > MAX_TAG_LENGTH) return undefined;
  const cleaned = tag.trim().replace(/[.@].*$/, "").replace(/_/g, "-");
  if (cleaned === "") return undefined;
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(cleaned)[0];
  } catch {
    // RangeError for an invalid tag, or a runtime without Intl: fall back to the shape check below.
    canonical = cleaned;
  }
  const lower = canonical?.toLowerCase();
  return lower !== undefined && TAG_SHAPE.test(lower) ? lower : undefined;
}

/** The preferences as a list of normalized tags, most preferred first. */
function preferences(preference: unknown): string[] {
  const list: readonly unknown[] =
    typeof preference === "string" ? [preference] : Array.isArray(preference) ? preference.slice(0, MAX_PREFERENCES) : [];
  const tags: string[] = [];
  for (const entry of list) {
    const tag = normalizeLocaleTag(entry);
    if (tag !== undefined) tags.push(tag);
  }
  return tags;
}

/**
 * The index in `available` (normalized tags, see `normalizeLocaleTag`) that best
 * serves `preference`, or `undefined` when none does. For each preferred tag in
 * turn: an exact match, then the tag with subtags dropped from the right
 * (`de-ch` → `de`), then any available tag of the same language (`pt` → `pt-br`).
 */
export function matchLocale(preference: unknown, available: readonly (string | undefined)[]): number | undefined {
  for (const tag of preferences(preference)) {
    const subtags = tag.split("-");
    for (let length = subtags.length; length > 0; length--) {
      const index = available.indexOf(subtags.slice(0, length).join("-"));
      if (index !== -1) return index;
    }
    const language = subtags[0];
    const index = available.findIndex((candidate) => candidate?.split("-")[0] === language);
    if (index !== -1) return index;
  }
  return undefined;
}
