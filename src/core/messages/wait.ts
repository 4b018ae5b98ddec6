import type { LocaleMessages, UnitForms } from "./types.js";

export type WaitUnit = "seconds" | "minutes" | "hours";

/**
 * Rounds a wait for people: whole seconds below 90 s (rounded up, at least 1, so a
 * user is never told to come back too early), whole minutes below 90 min, then
 * whole hours. `undefined` for anything that isn't a finite, non-negative number.
 */
export function roundWait(ms: unknown): { readonly unit: WaitUnit; readonly value: number } | undefined {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return undefined;
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return { unit: "seconds", value: seconds };
  if (seconds < 90 * 60) return { unit: "minutes", value: Math.round(seconds / 60) };
  return { unit: "hours", value: Math.round(seconds / 3600) };
}

/** `template` with every `{key}` replaced by `value` (no `$` pattern surprises, unlike `String.replace`). */
export function fill(template: string, key: string, value: string): string {
  return template.split(`{${key}}`).join(value);
}

function pluralCategory(locale: string, value: number): Intl.LDMLPluralRule {
  try {
    return new Intl.PluralRules(locale).select(value);
  } catch {
    // An unknown tag in a custom table, or a runtime without Intl.PluralRules.
    return value === 1 ? "one" : "other";
  }
}

function formatNumber(locale: string, value: number): string {
  try {
    return new Intl.NumberFormat(locale).format(value);
  } catch {
    return String(value);
  }
}

/** The wait in words from one locale table, for example "about 2 minutes"; `undefined` for an invalid duration. */
export function formatWaitIn(ms: unknown, messages: LocaleMessages): string | undefined {
  const rounded = roundWait(ms);
  if (rounded === undefined) return undefined;
  const forms: UnitForms = messages.wait[rounded.unit];
  const category = pluralCategory(messages.locale, rounded.value);
  const unitText = fill(forms[category] ?? forms.other, "n", formatNumber(messages.locale, rounded.value));
  return fill(messages.wait.approximately, "duration", unitText);
}
