import { describe, expect, it } from "vitest";
import {
  builtInLocales,
  createMessageFormatter,
  de,
  en,
  fr,
  ja,
  messageFor,
  type LocaleMessages,
} from "../../src/core/messages/index.js";
import { matchLocale, normalizeLocaleTag } from "../../src/core/messages/negotiate.js";
import { classificationOf } from "./fixtures.js";

const locked = classificationOf("account_locked", { codes: [50053] });

describe("locale negotiation", () => {
  it.each([
    ["de", "de"],
    ["de-AT", "de"],
    ["DE-de", "de"],
    ["de_AT.UTF-8", "de"],
    ["ja-JP", "ja"],
    ["fr-CA", "fr"],
    ["es-419", "es"],
    ["EN-us", "en"],
    [["xx", "fr-CA", "de"], "fr"],
    [["en-US", "de"], "en"],
    [[42, null, "es-MX"], "es"],
    ["nl", "en"],
    ["zh-Hant-TW", "en"],
    ["*", "en"],
    ["", "en"],
    ["x", "en"],
    ["de".padEnd(200, "-a"), "en"],
    [undefined, "en"],
    [{}, "en"],
    [42, "en"],
  ] as const)("%j → %s", (locale, expected) => {
    expect(messageFor(locked, { locale: locale as never }).locale).toBe(expected);
  });

  it("reads only the first 32 preferences of a list", () => {
    const preferences = [...Array.from({ length: 32 }, () => "xx"), "de"];
    expect(messageFor(locked, { locale: preferences }).locale).toBe("en");
    expect(messageFor(locked, { locale: preferences.slice(1) }).locale).toBe("de");
  });

  it("prefers a same-language table over the next preference", () => {
    const tags = ["en", "pt-br", "de"];
    expect(matchLocale(["pt-PT", "de"], tags)).toBe(1);
    expect(matchLocale("de-CH", tags)).toBe(2);
  });

  it.each([
    ["de_AT", "de-at"],
    ["  ja-jp ", "ja-jp"],
    ["en-US@euro", "en-us"],
    ["not a tag", undefined],
    [7, undefined],
  ] as const)("normalizes %j to %j", (tag, expected) => {
    expect(normalizeLocaleTag(tag)).toBe(expected);
  });
});

/** A Dutch table a user might add: a few kinds translated, the rest spread from English for brevity. */
const nl: LocaleMessages = {
  ...en,
  locale: "nl",
  kinds: {
    ...en.kinds,
    account_locked: {
      title: "Uw account is tijdelijk vergrendeld",
      body: "Ter bescherming is aanmelden bij uw account tijdelijk geblokkeerd.",
      action: "Wacht een paar minuten en probeer het opnieuw.",
      actionWithWait: "Probeer het over {wait} opnieuw.",
    },
  },
  wait: {
    approximately: "ongeveer {duration}",
    seconds: { one: "{n} seconde", other: "{n} seconden" },
    minutes: { one: "{n} minuut", other: "{n} minuten" },
    hours: { one: "{n} uur", other: "{n} uur" },
  },
};

describe("createMessageFormatter", () => {
  it("serves a locale the user adds", () => {
    const format = createMessageFormatter({ locales: [...builtInLocales, nl] });
    const message = format(classificationOf("account_locked", { retryAfterMs: 120_000 }), { locale: "nl-BE", now: 0 });
    expect(message.locale).toBe("nl");
    expect(message.title).toBe("Uw account is tijdelijk vergrendeld");
    expect(message.action).toBe("Probeer het over ongeveer 2 minuten opnieuw.");
  });

  it.each([
    ["en", "Try again"],
    ["de", "Erneut versuchen"],
    ["fr", "Réessayer"],
    ["es", "Reintentar"],
    ["ja", "再試行"],
    // A table without a retry label borrows the fallback table's.
    ["nl", "Try again"],
  ])("labels the retry button in the message's language (%s)", (locale, label) => {
    const format = createMessageFormatter({ locales: [...builtInLocales, nl] });
    expect(format(locked, { locale }).retryLabel).toBe(label);
  });

  it("knows only the tables it was given", () => {
    const format = createMessageFormatter({ locales: [en, de] });
    expect(format(locked, { locale: "fr" }).locale).toBe("en");
    expect(format(locked, { locale: "de-CH" }).title).toBe(de.kinds.account_locked.title);
  });

  it("falls back to English when given, else to the first table", () => {
    expect(createMessageFormatter({ locales: [fr, en] })(locked, { locale: "it" }).locale).toBe("en");
    expect(createMessageFormatter({ locales: [ja, fr] })(locked, { locale: "it" }).locale).toBe("ja");
  });

  it("honours an explicit fallback locale", () => {
    const format = createMessageFormatter({ locales: [en, de], fallbackLocale: "de" });
    expect(format(locked, { locale: "it" }).locale).toBe("de");
    expect(format(locked).locale).toBe("de");
  });

  it("takes a kind missing from a custom table from the fallback table, whole", () => {
    const partial = { ...nl, kinds: { unknown: nl.kinds.unknown } } as unknown as LocaleMessages;
    const message = createMessageFormatter({ locales: [en, partial] })(locked, { locale: "nl" });
    expect(message.locale).toBe("en");
    expect(message.title).toBe(en.kinds.account_locked.title);
  });

  it("ignores unusable tables and refuses to start with none", () => {
    const format = createMessageFormatter({ locales: [{} as LocaleMessages, de] });
    expect(format(locked).locale).toBe("de");
    expect(() => createMessageFormatter({ locales: [] })).toThrow(TypeError);
    expect(() => createMessageFormatter(undefined as never)).toThrow(TypeError);
  });
});
