import { afterEach, describe, expect, it, vi } from "vitest";
import { classify } from "../../src/core/classify.js";
import { toGuardError } from "../../src/core/errors.js";
import { GUARD_ERROR_KINDS } from "../../src/core/kinds.js";
import { builtInLocales, en, messageFor, type UserMessage } from "../../src/core/messages/index.js";
import { CORRELATION_ID, HOSTILE_LOCKOUT_BODY, SERVER_TEXT_FRAGMENTS, TIMESTAMP, classificationOf } from "./fixtures.js";

const NOW = Date.UTC(2026, 10, 22, 10, 15, 2);

function parts(message: UserMessage): string[] {
  return [message.locale, message.title, message.body, message.action, message.supportReference ?? "", message.waitText ?? ""];
}

describe("messageFor: only structured facts reach the user", () => {
  const TAGS = builtInLocales.map((table) => table.locale);

  it.each(TAGS)("never repeats error_description or a user name from a token-endpoint body (%s)", (tag) => {
    const message = messageFor(HOSTILE_LOCKOUT_BODY, { locale: tag, now: NOW });
    expect(message.kind).toBe("account_locked");
    for (const part of parts(message)) for (const fragment of SERVER_TEXT_FRAGMENTS) expect(part).not.toContain(fragment);
  });

  it.each(TAGS)("never repeats server text for any kind, whatever the classification carries (%s)", (tag) => {
    for (const kind of GUARD_ERROR_KINDS) {
      const classification = classificationOf(kind, {
        codes: [50053],
        error: "invalid_grant <img src=x onerror=alert(1)>",
        subError: "alice@contoso.com",
        claims: '{"alice@contoso.com":1}',
        correlationId: CORRELATION_ID,
      });
      for (const part of parts(messageFor(classification, { locale: tag }))) {
        for (const fragment of SERVER_TEXT_FRAGMENTS) expect(part).not.toContain(fragment);
      }
    }
  });

  it.each([
    ["markup in the correlation id", { correlationId: "<img src=x onerror=alert(1)>" }],
    ["a user name as correlation id", { correlationId: "alice@contoso.com" }],
    ["markup in the timestamp", { timestamp: "2026 <script>" }],
    ["a user name as policy id", { policyIds: ["alice@contoso.com"] }],
  ] as const)("drops an id of the wrong shape: %s", (_case, overrides) => {
    const message = messageFor(classificationOf("conditional_access_blocked", overrides));
    expect(message.supportReference).toBeUndefined();
  });
});

describe("messageFor: support reference", () => {
  it("combines codes, correlation id, server time and policy ids with localized labels", () => {
    const classification = classificationOf("conditional_access_blocked", {
      codes: [53003],
      correlationId: CORRELATION_ID,
      timestamp: TIMESTAMP,
      policyIds: ["0a1b2c3d-0000-4000-8000-000000000001"],
    });
    expect(messageFor(classification).supportReference).toBe(
      `Error code: AADSTS53003 · Correlation ID: ${CORRELATION_ID} · Time: ${TIMESTAMP} · Policy: 0a1b2c3d-0000-4000-8000-000000000001`,
    );
    expect(messageFor(classification, { locale: "de" }).supportReference).toContain(`Korrelations-ID: ${CORRELATION_ID}`);
    expect(messageFor(classification, { locale: "fr" }).supportReference).toContain(`ID de corrélation\u00a0: ${CORRELATION_ID}`);
    expect(messageFor(classification, { locale: "ja" }).supportReference).toContain(`相関 ID: ${CORRELATION_ID}`);
  });

  it("lists every code, most specific first, as classify ranked them", () => {
    const message = messageFor("AADSTS70002: Error validating credentials. AADSTS50126: Error validating credentials.");
    expect(message.kind).toBe("invalid_credentials");
    expect(message.supportReference).toBe("Error code: AADSTS50126, AADSTS70002");
  });

  it("is undefined when there is nothing to report", () => {
    expect(messageFor(classificationOf("network")).supportReference).toBeUndefined();
  });

  it("reads the correlation id and server time from a raw token-endpoint body", () => {
    expect(messageFor(HOSTILE_LOCKOUT_BODY).supportReference).toBe(
      `Error code: AADSTS50053 · Correlation ID: ${CORRELATION_ID} · Time: ${TIMESTAMP}`,
    );
  });
});

describe("messageFor: wait", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("computes retryAt from the injected now and puts the wait into the action", () => {
    const message = messageFor(classificationOf("throttled", { retryAfterMs: 120_000 }), { now: NOW });
    expect(message.retryAfterMs).toBe(120_000);
    expect(message.retryAt).toEqual(new Date(NOW + 120_000));
    expect(message.waitText).toBe("about 2 minutes");
    expect(message.action).toBe("Try again in about 2 minutes.");
  });

  it("accepts now as a Date as well as epoch milliseconds", () => {
    const classification = classificationOf("throttled", { retryAfterMs: 5_000 });
    expect(messageFor(classification, { now: new Date(NOW) }).retryAt).toEqual(messageFor(classification, { now: NOW }).retryAt);
  });

  it("reads the current time when now is not given, at call time (fake timers apply)", () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    expect(messageFor(classificationOf("throttled", { retryAfterMs: 1_000 })).retryAt).toEqual(new Date(NOW + 1_000));
  });

  it("falls back to the current time for an invalid now instead of an Invalid Date", () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    const message = messageFor(classificationOf("throttled", { retryAfterMs: 1_000 }), { now: new Date(Number.NaN) });
    expect(message.retryAt).toEqual(new Date(NOW + 1_000));
  });

  it.each([
    ["en", "account_locked", "Try again in about 30 seconds."],
    ["de", "account_locked", "Versuchen Sie es in etwa 30 Sekunden erneut."],
    ["fr", "throttled", "Réessayez dans environ 30\u00a0secondes."],
    ["es", "transient", "Vuelva a intentarlo dentro de aproximadamente 30 segundos."],
    ["ja", "throttled", "約30秒後に、もう一度お試しください。"],
  ] as const)("words a known wait in %s (%s)", (tag, kind, actionStart) => {
    const message = messageFor(classificationOf(kind, { retryAfterMs: 30_000 }), { locale: tag, now: NOW });
    expect(message.action.startsWith(actionStart)).toBe(true);
  });

  it("omits wait fields when the server gave no wait", () => {
    const message = messageFor(classificationOf("account_locked", { codes: [50053] }), { now: NOW });
    expect([message.retryAfterMs, message.retryAt, message.waitText]).toEqual([undefined, undefined, undefined]);
    expect(message.action).toBe(en.kinds.account_locked.action);
  });

  it("still reports the wait for a kind whose text doesn't mention it", () => {
    const message = messageFor(classificationOf("unknown", { retryAfterMs: 60_000 }), { now: NOW });
    expect(message.waitText).toBe("about 60 seconds");
    expect(message.action).toBe(en.kinds.unknown.action);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("ignores an impossible retryAfterMs (%s)", (retryAfterMs) => {
    const message = messageFor(classificationOf("throttled", { retryAfterMs }), { now: NOW });
    expect([message.retryAfterMs, message.retryAt, message.waitText]).toEqual([undefined, undefined, undefined]);
  });
});

describe("messageFor: inputs", () => {
  it("uses the classification of an msal-guard error", () => {
    const error = toGuardError({ error: "invalid_grant", error_codes: [53003], correlation_id: CORRELATION_ID });
    const message = messageFor(error, { locale: "de" });
    expect(message.kind).toBe("conditional_access_blocked");
    expect(message.supportReference).toContain(CORRELATION_ID);
  });

  it("classifies a raw token-endpoint JSON string", () => {
    expect(messageFor(JSON.stringify({ error: "invalid_grant", error_codes: [50053] })).kind).toBe("account_locked");
  });

  it("gives the same message for a classification and for what it was classified from", () => {
    expect(messageFor(classify(HOSTILE_LOCKOUT_BODY), { now: NOW })).toEqual(messageFor(HOSTILE_LOCKOUT_BODY, { now: NOW }));
  });

  const throwing = new Proxy(
    {},
    {
      get() {
        throw new Error("hostile getter");
      },
      has() {
        throw new Error("hostile has");
      },
    },
  );

  it.each([
    ["undefined", undefined, undefined],
    ["a number with a bogus locale object", 42, { locale: {} }],
    ["null with non-object options", null, 5],
    ["a proxy that throws on access", throwing, { locale: throwing, now: throwing }],
    ["options that throw on access", undefined, throwing],
    ["an object without a prototype", Object.create(null) as unknown, { locale: [null, 3, {}] }],
    ["a classification with a kind from the future", { ...classificationOf("unknown"), kind: "quantum_locked" }, undefined],
  ] as const)("never throws, and falls back to the English unknown message: %s", (_case, input, options) => {
    const message = messageFor(input, options as never);
    expect(message.locale).toBe("en");
    expect(message.kind).toBe("unknown");
    expect(message.title).toBe(en.kinds.unknown.title);
  });
});

describe("messageFor: a wait that is over", () => {
  it.each([0])("with retryAfterMs %d says the user may try again now, never 'in 0 seconds'", (retryAfterMs) => {
    const c = classify({ error: "invalid_grant", error_codes: [50053] });
    const message = messageFor({ ...c, retryAfterMs });
    expect(message.action).toMatch(/^You can try again now\./);
    expect(message.waitText).toBeUndefined();
  });
});
