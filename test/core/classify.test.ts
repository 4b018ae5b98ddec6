import { describe, expect, it } from "vitest";
import { classify } from "../../src/index.js";

const CAPOLID = "c3b7a2a0-1111-4222-8333-444455556666";
const capClaims = JSON.stringify({ access_token: { capolids: { essential: true, values: [CAPOLID] } } });
const correlation = "99999999-1111-2222-3333-444455556666";
const trace = "0b1c2d3e-1111-2222-3333-444455556666";

function body(code: number | number[], error: string, extra: Record<string, unknown> = {}) {
  const codes = Array.isArray(code) ? code : [code];
  return {
    error,
    error_description: `${codes.map((c) => `AADSTS${c}: something happened for alice@contoso.com.`).join(" ")}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${correlation}\r\nTimestamp: 2026-11-22 10:15:02Z`,
    error_codes: codes,
    timestamp: "2026-11-22 10:15:02Z",
    trace_id: trace,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${codes[0]}`,
    ...extra,
  };
}

describe("classify: token-endpoint bodies", () => {
  it.each([
    ["50053 as invalid_grant", body(50053, "invalid_grant"), "account_locked"],
    ["50053 as unauthorized_client", body(50053, "unauthorized_client"), "account_locked"],
    ["53003 with message_only", body(53003, "invalid_grant", { suberror: "message_only", claims: capClaims }), "conditional_access_blocked"],
    ["53003 as interaction_required", body(53003, "interaction_required", { suberror: "message_only" }), "conditional_access_blocked"],
    ["53003 without suberror", body(53003, "invalid_grant"), "conditional_access_blocked"],
    ["50076 with basic_action", body(50076, "invalid_grant", { suberror: "basic_action", claims: "{}" }), "mfa_required"],
    ["50055 password expired", body(50055, "user_password_expired", { suberror: "user_password_expired" }), "password_expired"],
    ["[70002, 50126]", body([70002, 50126], "invalid_grant"), "invalid_credentials"],
    ["50126 alone", body(50126, "invalid_grant"), "invalid_credentials"],
    ["50057 disabled", body(50057, "invalid_grant"), "account_unavailable"],
    ["7000215 bad secret", body(7000215, "invalid_client"), "client_misconfigured"],
    ["7000222 expired secret", body(7000222, "invalid_client"), "client_misconfigured"],
    ["65001 consent", body(65001, "invalid_grant", { suberror: "consent_required" }), "consent_required"],
    ["50196 loop", body(50196, "invalid_grant"), "throttled"],
  ])("%s", (_, input, kind) => {
    expect(classify(input).kind).toBe(kind);
    expect(classify(JSON.stringify(input)).kind).toBe(kind);
  });

  it("orders codes most specific first: [70002, 50126] gives [50126, 70002]", () => {
    expect(classify(body([70002, 50126], "invalid_grant")).codes).toEqual([50126, 70002]);
  });

  it("keeps ids, timestamp, claims and policy ids; marks 53003 as not fixable by interaction", () => {
    const c = classify(body(53003, "interaction_required", { suberror: "message_only", claims: capClaims }));
    expect(c).toMatchObject({
      kind: "conditional_access_blocked",
      codes: [53003],
      error: "interaction_required",
      subError: "message_only",
      correlationId: correlation,
      traceId: trace,
      timestamp: "2026-11-22 10:15:02Z",
      claims: capClaims,
      policyIds: [CAPOLID],
      interactionRequired: false,
      replayed: false,
      source: "token-response",
    });
  });

  it("never copies server text into the classification", () => {
    const c = classify(body(50053, "invalid_grant"));
    expect(JSON.stringify(c)).not.toContain("alice@contoso.com");
    expect(JSON.stringify(c)).not.toContain("something happened");
  });

  it.each([
    ["an unknown code with invalid_client", body(99999, "invalid_client"), "client_misconfigured"],
    ["an unknown code with temporarily_unavailable", body(99998, "temporarily_unavailable"), "transient"],
    ["an unknown code with invalid_grant + user_password_expired", body(99997, "invalid_grant", { suberror: "user_password_expired" }), "password_expired"],
    ["an unknown code with message_only and capolids", body(99996, "invalid_grant", { suberror: "message_only", claims: capClaims }), "conditional_access_blocked"],
    ["an unknown code with only invalid_grant", body(99995, "invalid_grant"), "interaction_required"],
    ["no code, access_denied", { error: "access_denied" }, "access_denied"],
    ["no code, slow_down", { error: "slow_down" }, "throttled"],
  ])("falls back safely by error/suberror: %s", (_, input, kind) => {
    expect(classify(input).kind).toBe(kind);
  });
});

describe("classify: managed identity endpoint (IMDS) bodies, which carry no AADSTS code", () => {
  const imds = (error: string, error_description: string) => ({ status: 400, headers: { "content-type": "application/json" }, body: { error, error_description } });
  it.each([
    ["an identity the resource does not have", imds("invalid_request", "Identity not found"), "client_misconfigured"],
    ["several user-assigned identities, none named", imds("invalid_request", "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request"), "client_misconfigured"],
    ["a malformed request", imds("invalid_request", "Required audience parameter not specified"), "invalid_request"],
    ["a description that names a code: the code decides", imds("invalid_request", "Identity not found. AADSTS50053: locked"), "account_locked"],
    ["another error value wins over the description", imds("access_denied", "Identity not found"), "access_denied"],
  ])("%s", (_, input, kind) => {
    const c = classify(input);
    expect(c.kind).toBe(kind);
    expect(JSON.stringify(c)).not.toContain("Identity not found");
  });
});

describe("classify: network responses", () => {
  it.each([
    [429, { "Retry-After": "30" }, "", "throttled", 30_000],
    [503, { "Retry-After": "Sun, 22 Nov 2026 10:02:00 GMT" }, "<html>busy</html>", "transient", 120_000],
    [500, {}, {}, "transient", undefined],
    [504, {}, "", "transient", undefined],
    [400, { "retry-after": "10" }, body(50053, "invalid_grant"), "account_locked", 10_000],
  ])("status %i with headers %j is %s", (status, headers, responseBody, kind, retryAfterMs) => {
    const c = classify({ status, headers, body: responseBody }, { now: Date.parse("2026-11-22T10:00:00Z") });
    expect(c.kind).toBe(kind);
    expect(c.httpStatus).toBe(status);
    expect(c.retryAfterMs).toBe(retryAfterMs);
  });
});

describe("classify: /authorize redirects", () => {
  it.each([
    ["a fragment URL", `https://app.example/cb#error=interaction_required&error_description=AADSTS53003%3A+blocked&error_uri=https%3A%2F%2Flogin.microsoftonline.com%2Ferror%3Fcode%3D53003&suberror=message_only&state=s1`, "conditional_access_blocked", [53003]],
    ["a query string", `?error=access_denied&error_subcode=cancel&state=s2`, "user_cancelled", []],
    ["a bare parameter string", `error=interaction_required&error_uri=https%3A%2F%2Flogin.microsoftonline.com%2Ferror%3Fcode%3D50053&state=x`, "account_locked", [50053]],
    ["a URL object", new URL("https://app.example/cb?error=login_required&state=q"), "interaction_required", []],
    ["URLSearchParams", new URLSearchParams({ error: "consent_required", error_description: "AADSTS65001: consent" }), "consent_required", [65001]],
    ["a parameter record with state", { error: "access_denied", error_description: "AADSTS50105: not assigned", state: "abc" }, "access_denied", [50105]],
  ])("%s", (_, input, kind, codes) => {
    const c = classify(input);
    expect(c.kind).toBe(kind);
    expect(c.codes).toEqual(codes);
    expect(c.source).toBe("authorize-redirect");
  });
});

describe("classify: text", () => {
  it.each([
    ["a bare number", 50053, "account_locked", [50053]],
    ["a numeric string", "53003", "conditional_access_blocked", [53003]],
    ["AADSTS-prefixed", "AADSTS50076", "mfa_required", [50076]],
    ["lower case prefix", "aadsts50057", "account_unavailable", [50057]],
    ["a log line", "Token request failed: AADSTS70002: Error validating credentials. AADSTS50126: Invalid username or password.", "invalid_credentials", [50126, 70002]],
    ["an MSAL-style message", "interaction_required: AADSTS53003: Access has been blocked by Conditional Access policies.", "conditional_access_blocked", [53003]],
    ["an unknown code in text", "AADSTS12345678: new thing", "unknown", [12345678]],
    ["an MSAL errorCode prefix only", "network_error: Network request failed", "network", []],
  ])("%s", (_, input, kind, codes) => {
    const c = classify(input);
    expect(c.kind).toBe(kind);
    expect(c.codes).toEqual(codes);
  });
});

describe("classify: generic errors", () => {
  it.each([
    ["fetch failed", new TypeError("fetch failed"), "network"],
    ["Chromium's Failed to fetch", new TypeError("Failed to fetch"), "network"],
    ["an ECONNREFUSED", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), "network"],
    ["an AbortError", Object.assign(new Error("aborted"), { name: "AbortError" }), "network"],
    ["a plain Error", new Error("something else"), "unknown"],
    ["an Error whose cause holds the AADSTS code", new Error("wrapped", { cause: new Error("AADSTS50053: locked") }), "account_locked"],
  ])("%s is %s", (_, input, kind) => {
    expect(classify(input).kind).toBe(kind);
  });
});
