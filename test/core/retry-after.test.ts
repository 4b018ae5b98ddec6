import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryAfterFromHeaders } from "../../src/index.js";

const now = Date.parse("2026-11-22T10:00:00Z");

describe("Retry-After parsing", () => {
  it.each([
    ["delta-seconds", "30", 30_000],
    ["delta-seconds with spaces", " 120 ", 120_000],
    ["fractional seconds", "1.5", 1_500],
    ["zero", "0", 0],
    ["an HTTP-date in the future", "Sun, 22 Nov 2026 10:01:30 GMT", 90_000],
    ["an HTTP-date in the past (retry now)", "Sun, 22 Nov 2026 09:00:00 GMT", 0],
    ["an RFC 850 date", "Sunday, 22-Nov-26 10:00:10 GMT", 10_000],
    ["a number (seconds)", 45, 45_000],
  ])("respects Retry-After as %s", (_, value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    ["empty", ""],
    ["negative", "-5"],
    ["garbage", "soon"],
    ["a bare number too large (over a day)", "999999"],
    ["an invalid date", "Funday, 99 Nov 2026"],
    ["not a string", {}],
    ["absent", undefined],
  ])("treats %s as no server timing", (_, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it("prefers retry-after-ms over Retry-After, in any header case", () => {
    expect(retryAfterFromHeaders({ "Retry-After": "30", "RETRY-AFTER-MS": "250" }, now)).toBe(250);
    expect(retryAfterFromHeaders({ "x-ms-retry-after-ms": "1200" }, now)).toBe(1200);
    expect(retryAfterFromHeaders({ "retry-after": "7" }, now)).toBe(7000);
  });

  it("reads a fetch Headers object", () => {
    expect(retryAfterFromHeaders(new Headers({ "Retry-After": "12" }), now)).toBe(12_000);
  });

  it("ignores headers that are not a bag", () => {
    expect(retryAfterFromHeaders("Retry-After: 5", now)).toBeUndefined();
    expect(retryAfterFromHeaders(null, now)).toBeUndefined();
  });
});
