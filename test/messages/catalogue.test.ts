// The built-in tables: every kind in every locale, well-formed, and the two
// sensitive kinds (50053, 53003) worded as the research requires.
import { describe, expect, it } from "vitest";
import { GUARD_ERROR_KINDS } from "../../src/core/kinds.js";
import { builtInLocales, de, en, es, fr, ja, messageFor, type LocaleMessages } from "../../src/core/messages/index.js";
import { CORRELATION_ID, classificationOf } from "./fixtures.js";

const LOCALES: readonly (readonly [string, LocaleMessages])[] = [
  ["en", en],
  ["de", de],
  ["fr", fr],
  ["es", es],
  ["ja", ja],
];

const KIND_LOCALE_MATRIX = GUARD_ERROR_KINDS.flatMap((kind) => LOCALES.map(([tag, table]) => [kind, tag, table] as const));

describe("built-in locale tables", () => {
  it("ships English, German, French, Spanish and Japanese", () => {
    expect(builtInLocales.map((table) => table.locale)).toEqual(["en", "de", "fr", "es", "ja"]);
  });

  it.each(LOCALES)("%s covers exactly the 20 kinds", (_tag, table) => {
    expect(Object.keys(table.kinds).sort()).toEqual([...GUARD_ERROR_KINDS].sort());
    expect(GUARD_ERROR_KINDS).toHaveLength(20);
  });

  it.each(KIND_LOCALE_MATRIX)("%s in %s has a title, body and action, in every variant", (kind, tag, table) => {
    const text = table.kinds[kind];
    for (const part of [text.title, text.body, text.action]) expect(part.trim().length).toBeGreaterThan(3);
    if (text.actionWithWait !== undefined) {
      expect(text.actionWithWait).toContain("{wait}");
      // A countdown that ends says so: not the "wait a moment" it replaced.
      expect(text.actionWaitOver?.trim()).toBeTruthy();
      expect(messageFor(classificationOf(kind, { retryAfterMs: 0 }), { locale: tag, now: 0 }).action).toBe(text.actionWaitOver);
    }
    for (const part of [text.title, text.body, text.action, text.actionWithReference ?? ""]) {
      expect(part).not.toMatch(/[{}]/);
      // Codes belong in the support reference, never in what the user reads first.
      expect(part).not.toMatch(/AADSTS|\d{4,}/);
    }

    const full = messageFor(
      classificationOf(kind, { codes: [50053], correlationId: CORRELATION_ID, retryAfterMs: 90_000 }),
      { locale: tag, now: 0 },
    );
    expect(full.locale).toBe(tag);
    expect(full.kind).toBe(kind);
    for (const part of [full.title, full.body, full.action, full.supportReference, full.waitText]) {
      expect(part?.trim()).toBeTruthy();
      expect(part).not.toMatch(/\{(wait|value|n|duration)\}/);
    }
  });

  it.each(LOCALES)("%s titles are short headlines without a final full stop", (_tag, table) => {
    for (const kind of GUARD_ERROR_KINDS) {
      const title = table.kinds[kind].title;
      expect(title.length).toBeLessThanOrEqual(80);
      expect(title).not.toMatch(/[.。]$/);
    }
  });
});

// 50053 is also sent for a sign-in from a flagged network, whatever the password:
// nothing may suggest the password was wrong.
const WRONG_PASSWORD: Readonly<Record<string, RegExp>> = {
  en: /incorrect|wrong|invalid|mistyped/i,
  de: /falsch|nicht korrekt|ungültig/i,
  fr: /incorrect|erron|invalide/i,
  es: /incorrect|no son correctos|erróne|inválid/i,
  ja: /正しくありません|間違|誤り/,
};

describe("account_locked (AADSTS50053)", () => {
  it.each(LOCALES)("in %s never says the password was wrong, with or without wait and reference", (tag, table) => {
    const variants = [
      classificationOf("account_locked", { codes: [50053] }),
      classificationOf("account_locked", { codes: [50053], correlationId: CORRELATION_ID, retryAfterMs: 120_000 }),
    ];
    for (const classification of variants) {
      const message = messageFor(classification, { locale: tag, now: 0 });
      const text = [message.title, message.body, message.action].join(" ");
      expect(text).not.toMatch(WRONG_PASSWORD[tag] as RegExp);
      expect(text).not.toContain(table.kinds.invalid_credentials.body);
    }
  });

  it.each([
    ["en", /protection/, /self-service password reset/],
    ["de", /Schutz/, /Self-Service-Kennwortzurücksetzung/],
    ["fr", /protection/, /réinitialisation en libre-service/],
    ["es", /protección/, /autoservicio de restablecimiento/],
    ["ja", /保護/, /セルフサービス パスワード リセット/],
  ] as const)("in %s says it is for the user's protection and offers self-service reset", (tag, protection, reset) => {
    const message = messageFor(classificationOf("account_locked", { codes: [50053] }), { locale: tag });
    expect(message.body).toMatch(protection);
    expect(message.action).toMatch(reset);
  });
});

describe("conditional_access_blocked (AADSTS53003)", () => {
  it.each([
    ["en", /policy/, /IT support/, [/app/, /when/, /reference/]],
    ["de", /Richtlinie/, /IT-Support/, [/App/, /wann/, /Referenz/]],
    ["fr", /politique/, /support informatique/, [/application/, /heure/, /référence/]],
    ["es", /política/, /departamento de TI/, [/aplicación/, /cuándo/, /referencia/]],
    ["ja", /ポリシー/, /IT サポート/, [/アプリ/, /日時/, /参照情報/]],
  ] as const)("in %s names the organization's policy and says what to tell IT", (tag, policy, support, toTell) => {
    const message = messageFor(classificationOf("conditional_access_blocked", { codes: [53003], correlationId: CORRELATION_ID }), {
      locale: tag,
    });
    expect(`${message.title} ${message.body}`).toMatch(policy);
    expect(message.action).toMatch(support);
    for (const item of toTell) expect(message.action).toMatch(item);
  });

  it("asks for the reference only when the message has one", () => {
    const without = messageFor(classificationOf("conditional_access_blocked"));
    const withReference = messageFor(classificationOf("conditional_access_blocked", { codes: [53003] }));
    expect(without.supportReference).toBeUndefined();
    expect(without.action).not.toMatch(/reference/);
    expect(withReference.action).toMatch(/reference shown with this message/);
  });
});

describe("invalid_credentials", () => {
  it.each([
    ["en", "The user name or password you entered is incorrect."],
    ["de", "Der eingegebene Benutzername oder das Kennwort ist nicht korrekt."],
    ["ja", "入力されたユーザー名またはパスワードが正しくありません。"],
  ] as const)("in %s says the user name or password is incorrect", (tag, body) => {
    expect(messageFor(classificationOf("invalid_credentials", { codes: [50126] }), { locale: tag }).body).toBe(body);
  });
});
