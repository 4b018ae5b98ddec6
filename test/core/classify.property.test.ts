import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GUARD_ERROR_KINDS, classify, toGuardError } from "../../src/index.js";

function assertValid(value: unknown) {
  const c = classify(value);
  expect(GUARD_ERROR_KINDS).toContain(c.kind);
  expect(Array.isArray(c.codes)).toBe(true);
  expect(Array.isArray(c.policyIds)).toBe(true);
  for (const code of c.codes) expect(Number.isSafeInteger(code)).toBe(true);
}

const hostileValues: [string, () => unknown][] = [
  ["a proxy whose every trap throws", () => new Proxy({}, { get() { throw new Error("trap"); }, has() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } })],
  ["a revoked proxy", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  }],
  ["a throwing errorCode getter", () => Object.defineProperty({}, "errorCode", { get() { throw new Error("getter"); }, enumerable: true })],
  ["a throwing cause getter", () => Object.defineProperty(new Error("x"), "cause", { get() { throw new Error("getter"); } })],
  ["an MSAL-like error with a throwing errorMessage", () => Object.defineProperty({ name: "ServerError", errorCode: "50053" }, "errorMessage", { get() { throw new Error("getter"); } })],
  ["a self-referencing cycle", () => {
    const a: Record<string, unknown> = { error: "invalid_grant" };
    a.cause = a;
    a.body = a;
    a.errors = [a, a];
    return a;
  }],
  ["a cause chain a thousand deep", () => {
    let e: unknown = new Error("AADSTS50053");
    for (let i = 0; i < 1000; i++) e = new Error("wrap", { cause: e });
    return e;
  }],
  ["headers whose keys throw", () => ({ status: 429, headers: new Proxy({}, { ownKeys() { throw new Error("trap"); } }), body: "x" })],
  ["an object whose toString throws", () => ({ toString() { throw new Error("no"); }, valueOf() { throw new Error("no"); } })],
  ["a null-prototype object", () => Object.create(null)],
  ["a 1.8 MB string of AADSTS", () => "AADSTS".repeat(300_000)],
  ["a 2 MB JSON string", () => `{"error":"${"x".repeat(2_000_000)}"}`],
  ["a million digits", () => "9".repeat(1_000_000)],
  ["non-finite numbers in MSAL fields", () => ({ errorCode: "x", errorNo: Number.POSITIVE_INFINITY, errorMessage: "Error(s): 1e999,NaN - " })],
  ["a function", () => () => 1],
  ["a symbol", () => Symbol("x")],
  ["a bigint", () => 10n ** 30n],
];

describe("classify never throws", () => {
  it("on arbitrary values", () => {
    fc.assert(fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }), assertValid), { numRuns: 2000 });
  });

  it("on objects shaped like MSAL errors, token bodies and responses with arbitrary fields", () => {
    const field = fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.constant(null), fc.array(fc.anything()), fc.object());
    const shaped = fc.record(
      {
        name: fc.constantFrom("ServerError", "InteractionRequiredAuthError", "AuthError", "AuthenticationError", "NetworkError", "x"),
        errorCode: field,
        errorMessage: field,
        errorNo: field,
        subError: field,
        status: field,
        claims: field,
        error: field,
        error_codes: field,
        error_description: field,
        errorResponse: field,
        headers: field,
        body: field,
        cause: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(shaped, assertValid), { numRuns: 2000 });
  });

  it("on strings mixing AADSTS codes, JSON and URL fragments", () => {
    const piece = fc.oneof(fc.string(), fc.constantFrom("AADSTS", "50053", "{", "}", "\"error\":", "#error=", "&", "Error(s): ", "Trace ID: ", "claims", "capolids"));
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }).map((parts) => parts.join("")), assertValid), { numRuns: 2000 });
  });

  it.each(hostileValues)("on hostile input: %s", (_, make) => {
    const value = make();
    assertValid(value);
    const error = toGuardError(value);
    expect(error.cause).toBe(value);
  });

  it("and neither does toGuardError, which keeps the input as cause", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const error = toGuardError(value);
        expect(error.cause).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});
