import { createMessageFormatter } from "./format.js";
import { de } from "./locales/de.js";
import { en } from "./locales/en.js";
import { es } from "./locales/es.js";
import { fr } from "./locales/fr.js";
import { ja } from "./locales/ja.js";
import { matchLocale, normalizeLocaleTag } from "./negotiate.js";
import type { LocaleMessages, LocalePreference, MessageFormatter, MessageOptions, UserMessage } from "./types.js";
import { formatWaitIn } from "./wait.js";

export { createMessageFormatter, type MessageFormatterOptions } from "./format.js";
export { de, en, es, fr, ja };
export type {
  KindMessages,
  LocaleMessages,
  LocalePreference,
  MessageFormatter,
  MessageOptions,
  UnitForms,
  UserMessage,
} from "./types.js";

/** Every built-in table, English first. Importing this (or `messageFor`) bundles all of them. */
export const builtInLocales: readonly LocaleMessages[] = [en, de, fr, es, ja];

let allLocales: MessageFormatter | undefined;

/**
 * A message for the end user about a failed sign-in, in English, German, French,
 * Spanish or Japanese (English when nothing matches). `input` is anything
 * `classify` accepts, an msal-guard error, or a `Classification`. Never throws.
 *
 * ```ts
 * const message = messageFor(error, { locale: navigator.languages });
 * show(message.title, message.body, message.action, message.supportReference);
 * ```
 *
 * Bundles every built-in locale; use `createMessageFormatter` to ship fewer.
 */
export function messageFor(input: unknown, options?: MessageOptions): UserMessage {
  // Created on first use, not at import time.
  allLocales ??= createMessageFormatter({ locales: builtInLocales });
  return allLocales(input, options);
}

/**
 * A wait in words, for example `formatWait(120_000, "de")` → `"etwa 2 Minuten"`:
 * seconds below 90 s (rounded up), minutes below 90 min, then hours. Built-in
 * locales, English when nothing matches. `undefined` when `ms` isn't a finite,
 * non-negative number.
 */
export function formatWait(ms: number, locale?: LocalePreference): string | undefined {
  const index = matchLocale(locale, builtInLocales.map((table) => normalizeLocaleTag(table.locale)));
  return formatWaitIn(ms, builtInLocales[index ?? 0] ?? en);
}
