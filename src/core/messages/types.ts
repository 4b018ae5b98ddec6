import type { GuardErrorKind } from "../kinds.js";

/**
 * The user-facing text for one kind, in one locale. Plain sentences, no markup,
 * no AADSTS numbers: the code and correlation id go in the support reference.
 */
export interface KindMessages {
  /** A short headline, sentence case, no final full stop. Example: "Your account is temporarily locked". */
  readonly title: string;
  /** What happened, in one to three sentences. */
  readonly body: string;
  /** What the user can do next. Used when neither variant below applies. */
  readonly action: string;
  /**
   * Replaces `action` when the wait is known; `{wait}` is replaced by the localized
   * wait text (for example "about 2 minutes"). Takes precedence over `actionWithReference`.
   */
  readonly actionWithWait?: string;
  /** Replaces `action` once the wait is over (`retryAfterMs` 0): the user may try again now. */
  readonly actionWaitOver?: string;
  /**
   * Replaces `action` when the message carries a support reference, so the text can
   * ask the user to pass it on without pointing at a reference that isn't there.
   */
  readonly actionWithReference?: string;
}

/** Plural forms of a unit, keyed by `Intl.PluralRules` category; `{n}` is the formatted number. `other` is required. */
export type UnitForms = Readonly<Partial<Record<Intl.LDMLPluralRule, string>>> & { readonly other: string };

/**
 * Every user-facing string for one locale. Built-in tables are exported as `en`,
 * `de`, `fr`, `es` and `ja`; to add a language, write an object of this type and
 * pass it to `createMessageFormatter`.
 */
export interface LocaleMessages {
  /** The BCP 47 tag this table serves, as specific as it is (`"de"`, `"pt-BR"`). Requests are matched against it. */
  readonly locale: string;
  readonly kinds: Readonly<Record<GuardErrorKind, KindMessages>>;
  /** The label of a button that tries the sign-in again. Example: `"Try again"`. @default the fallback table's */
  readonly retryLabel?: string;
  /** Parts of the support reference; `{value}` is replaced by the value. */
  readonly reference: {
    /** Example: `"Error code: {value}"`; value is like `"AADSTS50053"` (several are joined with ", "). */
    readonly code: string;
    /** Example: `"Correlation ID: {value}"`. */
    readonly correlationId: string;
    /** Example: `"Time: {value}"`; value is the server's timestamp as it sent it. */
    readonly time: string;
    /** Example: `"Policy: {value}"`; value is one or more Conditional Access policy ids. */
    readonly policies: string;
    /** Placed between the parts. Example: `" · "`. */
    readonly separator: string;
  };
  /** Wait durations; see `formatWait`. */
  readonly wait: {
    /** Wraps the duration to say it is approximate. Example: `"about {duration}"`. */
    readonly approximately: string;
    readonly seconds: UnitForms;
    readonly minutes: UnitForms;
    readonly hours: UnitForms;
  };
}

/** One or more locale preferences, most preferred first: `"de-AT"`, or a list such as `navigator.languages`. */
export type LocalePreference = string | readonly string[];

/** Per-call options for {@link messageFor} and formatters: the locale and the current time. */
export interface MessageOptions {
  /**
   * The locale(s) to use, most preferred first. Matching ignores case and falls back
   * from `"de-AT"` to `"de"`, then to any table of the same language.
   * @default English (or the formatter's fallback locale)
   */
  readonly locale?: LocalePreference | undefined;
  /**
   * The current time, as a `Date` or epoch milliseconds, used to compute `retryAt`.
   * @default the current time, read on each call
   */
  readonly now?: Date | number | undefined;
}

/**
 * A message for the person at the keyboard, in parts so a UI can lay it out.
 * Built only from structured facts (kind, codes, correlation id, timestamp, wait),
 * never from server text such as `error_description`.
 */
export interface UserMessage {
  /** The locale of the table actually used (`"de"` for a request of `"de-AT"`; `"en"` when nothing matched). */
  readonly locale: string;
  readonly kind: GuardErrorKind;
  /** Short headline. */
  readonly title: string;
  /** What happened. */
  readonly body: string;
  /** What to do next (mentions the wait when it is known). */
  readonly action: string;
  /**
   * Details for whoever gives support, with localized labels, for example
   * `"Error code: AADSTS53003 · Correlation ID: 1f0c… · Time: 2026-11-22 10:15:02Z"`.
   * `undefined` when there is no code, correlation id or timestamp to report.
   */
  readonly supportReference: string | undefined;
  /** How long the server asked to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;
  /** `now` plus `retryAfterMs`, when the wait is known. */
  readonly retryAt: Date | undefined;
  /** The wait in words (for example "about 2 minutes"), when it is known. */
  readonly waitText: string | undefined;
  /** The label for a button that tries the sign-in again (for example "Try again"), in the same language. */
  readonly retryLabel: string;
}

/** A `messageFor`-compatible function bound to a set of locale tables. Never throws. */
export type MessageFormatter = (input: unknown, options?: MessageOptions) => UserMessage;
