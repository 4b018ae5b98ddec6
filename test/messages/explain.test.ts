// Developer explanations (src/core/explain.ts): English, catalogue-backed, never throwing.
import { describe, expect, it } from "vitest";
import { classify } from "../../src/core/classify.js";
import { explain } from "../../src/core/explain.js";
import { GUARD_ERROR_KINDS } from "../../src/core/kinds.js";
import { CORRELATION_ID, HOSTILE_LOCKOUT_BODY, SERVER_TEXT_FRAGMENTS, classificationOf } from "./fixtures.js";

describe("explain", () => {
  it.each([
    ["a number", 50053],
    ["a digit string", "50053"],
    ["an AADSTS string", "AADSTS50053"],
    ["lower-case aadsts", " aadsts50053 "],
    ["a token-endpoint body", { error: "invalid_grant", error_codes: [50053] }],
    ["a classification", classify("AADSTS50053")],
  ] as const)("explains AADSTS50053 given as %s", (_form, input) => {
    const explanation = explain(input);
    expect(explanation).toMatchObject({
      kind: "account_locked",
      codes: [50053],
      primaryCode: 50053,
      name: "IdsLocked / malicious IP",
      inCatalogue: true,
      fixedBy: "time",
      interactionHelps: false,
      retry: { advice: "after_wait", retryAfterMs: undefined },
    });
    expect(explanation.meaning).toMatch(/malicious activity/);
    expect(explanation.retry.summary).toMatch(/lockout ends/);
    expect(explanation.whatToDo).toMatch(/Never tell the user the password was wrong/);
  });

  it("says interaction cannot fix a Conditional Access block, even when MSAL calls it interaction_required", () => {
    const explanation = explain({ error: "interaction_required", error_codes: [53003], suberror: "message_only" });
    expect(explanation).toMatchObject({
      kind: "conditional_access_blocked",
      name: "BlockedByConditionalAccess",
      fixedBy: "administrator",
      interactionHelps: false,
      retry: { advice: "after_fix" },
    });
    expect(explanation.retry.summary).toBe(
      "No, not until an administrator changes something (configuration, credentials or policy). Don't retry automatically.",
    );
  });

  it("takes the most specific code as primary when a response carries several", () => {
    const explanation = explain("AADSTS70002: Error validating credentials. AADSTS50126: Error validating credentials.");
    expect(explanation.codes).toEqual([50126, 70002]);
    expect(explanation.primaryCode).toBe(50126);
    expect(explanation.name).toBe("InvalidUserNameOrPassword");
    expect(explanation.kind).toBe("invalid_credentials");
  });

  it.each([
    [30_000, "Yes, after a wait: the server asked to wait 30 s; don't retry sooner."],
    [120_000, "Yes, after a wait: the server asked to wait 2 min (120 s); don't retry sooner."],
  ])("states the server's wait of %i ms", (retryAfterMs, summary) => {
    const explanation = explain(classificationOf("throttled", { codes: [50196], retryAfterMs }));
    expect(explanation.retry).toEqual({ advice: "after_wait", retryAfterMs, summary });
  });

  it("falls back to the kind's description for a code the catalogue doesn't know", () => {
    const explanation = explain(99999);
    expect(explanation).toMatchObject({ kind: "unknown", codes: [99999], primaryCode: 99999, name: undefined, inCatalogue: false });
    expect(explanation.meaning).toBe(explanation.kindDescription);
  });

  it.each(GUARD_ERROR_KINDS)("has a description, advice and a retry sentence for %s", (kind) => {
    const explanation = explain(classificationOf(kind));
    expect(explanation.kind).toBe(kind);
    for (const text of [explanation.kindDescription, explanation.meaning, explanation.whatToDo, explanation.retry.summary]) {
      expect(text.length).toBeGreaterThan(20);
    }
  });

  it("uses the classification's own verdicts over the kind's defaults", () => {
    const explanation = explain(classificationOf("mfa_required", { interactionRequired: false, retry: "never" }));
    expect(explanation.interactionHelps).toBe(false);
    expect(explanation.retry.advice).toBe("never");
  });

  it("never copies server text", () => {
    const text = JSON.stringify(explain(HOSTILE_LOCKOUT_BODY));
    for (const fragment of SERVER_TEXT_FRAGMENTS) expect(text).not.toContain(fragment);
    expect(text).not.toContain(CORRELATION_ID);
  });

  const throwing = new Proxy({}, { get: () => { throw new Error("hostile"); }, has: () => { throw new Error("hostile"); } });

  it.each([
    ["undefined", undefined],
    ["NaN", Number.NaN],
    ["a negative number", -1],
    ["an empty object", {}],
    ["a throwing proxy", throwing],
    ["a classification with bogus verdicts", { ...classificationOf("unknown"), retry: "sometimes", codes: "50053" }],
  ] as const)("never throws: %s", (_case, input) => {
    const explanation = explain(input);
    expect(explanation.kind).toBe("unknown");
    expect(explanation.retry.advice).toBe("never");
  });
});
