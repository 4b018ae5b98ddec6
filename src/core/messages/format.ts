import { classificationOf } from "../classify.js";
import { isGuardErrorKind, type GuardErrorKind } from "../kinds.js";
import { matchLocale, normalizeLocaleTag } from "./negotiate.js";
import type { KindMessages, LocaleMessages, MessageFormatter, MessageOptions, UserMessage } from "./types.js";
import { fill, formatWaitIn } from "./wait.js";

/** Options for {@link createMessageFormatter}: which locale tables a formatter may use. */
export interface MessageFormatterOptions {
  /** The locale tables to choose from, for example `[en, de]` or `[en, de, fr, es, ja, myDutch]`. At least one. */
  readonly locales: readonly LocaleMessages[];
  /**
   * The locale used when none of the requested ones is available (matched like a request).
   * @default "en" when an English table is given, else the first table
   */
  readonly fallbackLocale?: string;
}

// Support references carry only values of a known shape: a hostile or corrupted
// error can't smuggle markup or personal data into the UI through them.
const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const TIMESTAMP_SHAPE = /^[0-9][0-9 :.TZ+-]{0,39}$/;
const MAX_CODES = 4;
const MAX_POLICY_IDS = 5;

function isCode(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < 1e9;
}

function safeId(value: unknown): string | undefined {
  return typeof value === "string" && ID_SHAPE.test(value) ? value : undefined;
}

function safeTimestamp(value: unknown): string | undefined {
  return typeof value === "string" && TIMESTAMP_SHAPE.test(value) ? value.trim() : undefined;
}

function isKindMessages(value: unknown): value is KindMessages {
  if (typeof value !== "object" || value === null) return false;
  const text = value as Record<string, unknown>;
  return typeof text.title === "string" && typeof text.body === "string" && typeof text.action === "string";
}

/** Enough of a table to produce any message: a locale tag, an `unknown` text, reference labels and wait units. */
function isUsableTable(value: unknown): value is LocaleMessages {
  if (typeof value !== "object" || value === null) return false;
  const table = value as Partial<LocaleMessages>;
  return (
    normalizeLocaleTag(table.locale) !== undefined &&
    typeof table.kinds === "object" &&
    table.kinds !== null &&
    isKindMessages(table.kinds.unknown) &&
    typeof table.reference === "object" &&
    table.reference !== null &&
    typeof table.wait === "object" &&
    table.wait !== null
  );
}

/** The structured facts a message may use, read defensively from whatever `classificationOf` returned. */
interface Facts {
  readonly kind: GuardErrorKind;
  readonly codes: readonly number[];
  readonly correlationId: string | undefined;
  readonly timestamp: string | undefined;
  readonly policyIds: readonly string[];
  readonly retryAfterMs: number | undefined;
}

const NO_FACTS: Facts = {
  kind: "unknown",
  codes: [],
  correlationId: undefined,
  timestamp: undefined,
  policyIds: [],
  retryAfterMs: undefined,
};

function factsOf(input: unknown): Facts {
  let classification: unknown;
  try {
    classification = classificationOf(input);
  } catch {
    return NO_FACTS;
  }
  if (typeof classification !== "object" || classification === null) return NO_FACTS;
  const c = classification as Record<string, unknown>;
  const retryAfterMs = c.retryAfterMs;
  return {
    kind: isGuardErrorKind(c.kind) ? c.kind : "unknown",
    codes: Array.isArray(c.codes) ? [...new Set(c.codes.filter(isCode))].slice(0, MAX_CODES) : [],
    correlationId: safeId(c.correlationId),
    timestamp: safeTimestamp(c.timestamp),
    policyIds: Array.isArray(c.policyIds)
      ? c.policyIds.map(safeId).filter((id): id is string => id !== undefined).slice(0, MAX_POLICY_IDS)
      : [],
    retryAfterMs:
      typeof retryAfterMs === "number" && Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : undefined,
  };
}

function nowMs(now: unknown): number {
  const ms = now instanceof Date ? now.getTime() : typeof now === "number" ? now : Number.NaN;
  // Bound lazily so fake timers apply; an invalid injected time falls back rather than yielding an Invalid Date.
  return Number.isFinite(ms) ? ms : Date.now();
}

function supportReference(facts: Facts, labels: LocaleMessages["reference"]): string | undefined {
  const parts: string[] = [];
  if (facts.codes.length > 0) parts.push(fill(labels.code, "value", facts.codes.map((code) => `AADSTS${code}`).join(", ")));
  if (facts.correlationId !== undefined) parts.push(fill(labels.correlationId, "value", facts.correlationId));
  if (facts.timestamp !== undefined) parts.push(fill(labels.time, "value", facts.timestamp));
  if (facts.policyIds.length > 0) parts.push(fill(labels.policies, "value", facts.policyIds.join(", ")));
  return parts.length > 0 ? parts.join(labels.separator) : undefined;
}

/**
 * A `messageFor` that only knows the given locale tables, so a bundle carries only
 * the languages it needs:
 *
 * ```ts
 * import { createMessageFormatter, en, de } from "msal-guard";
 * const messageFor = createMessageFormatter({ locales: [en, de] });
 * messageFor(error, { locale: navigator.languages });
 * ```
 *
 * A kind missing from a custom table is taken from the fallback table (and the
 * result's `locale` says so). Throws a `TypeError` only here, at creation, when no
 * usable table is given; the returned function never throws.
 */
export function createMessageFormatter(options: MessageFormatterOptions): MessageFormatter {
  const tables = (Array.isArray(options?.locales) ? options.locales : []).filter(isUsableTable);
  if (tables.length === 0) throw new TypeError("createMessageFormatter: `locales` needs at least one locale table");
  const tags = tables.map((table) => normalizeLocaleTag(table.locale));
  const fallback = tables[matchLocale(options.fallbackLocale ?? "en", tags) ?? 0] as LocaleMessages;

  function build(input: unknown, messageOptions: unknown): UserMessage {
    const opts: Partial<MessageOptions> = typeof messageOptions === "object" && messageOptions !== null ? messageOptions : {};
    const facts = factsOf(input);
    const requested = tables[matchLocale(opts.locale, tags) ?? -1];

    // A custom table may lack a kind; then the whole message comes from the fallback table, so it reads in one language.
    const requestedText = requested?.kinds[facts.kind];
    const table = requested !== undefined && isKindMessages(requestedText) ? requested : fallback;
    const text = (isKindMessages(table.kinds[facts.kind]) ? table.kinds[facts.kind] : table.kinds.unknown) as KindMessages;

    const reference = supportReference(facts, table.reference);
    const waitOver = facts.retryAfterMs !== undefined && facts.retryAfterMs <= 0;
    const waitText = facts.retryAfterMs === undefined || waitOver ? undefined : formatWaitIn(facts.retryAfterMs, table);
    const action =
      waitOver && typeof text.actionWaitOver === "string"
        ? text.actionWaitOver
        : waitText !== undefined && text.actionWithWait !== undefined
          ? fill(text.actionWithWait, "wait", waitText)
        : reference !== undefined && text.actionWithReference !== undefined
          ? text.actionWithReference
          : text.action;

    return {
      locale: table.locale,
      kind: facts.kind,
      title: text.title,
      body: text.body,
      action,
      supportReference: reference,
      retryAfterMs: facts.retryAfterMs,
      retryAt: facts.retryAfterMs === undefined ? undefined : new Date(nowMs(opts.now) + facts.retryAfterMs),
      waitText,
      retryLabel: typeof table.retryLabel === "string" ? table.retryLabel : typeof fallback.retryLabel === "string" ? fallback.retryLabel : "Try again",
    };
  }

  return function messageFor(input: unknown, messageOptions?: MessageOptions): UserMessage {
    try {
      return build(input, messageOptions);
    } catch {
      // Only hostile options (a getter that throws) get here: answer as for an unrecognised failure.
      return build(undefined, undefined);
    }
  };
}
