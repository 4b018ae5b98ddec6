// Which concurrent calls may share one MSAL call: only those whose requests agree on every
// field the engine doesn't key itself.
import { describe, expect, it } from "vitest";
import { PLAIN_REQUEST, requestVariant } from "../../src/core/guard/flight.js";

const KEYED = new Set(["scopes", "correlationId", "authority"]);
const variant = (request: Record<string, unknown>) => requestVariant(request, KEYED);

describe("requestVariant", () => {
  it("is the plain variant for a request that sets only what the engine keys (or undefined fields and callbacks)", () => {
    expect(variant({})).toBe(PLAIN_REQUEST);
    expect(variant({ scopes: ["a"], correlationId: "x", authority: "https://login/t" })).toBe(PLAIN_REQUEST);
    expect(variant({ scopes: ["a"], claims: undefined, onRedirectNavigate: () => false })).toBe(PLAIN_REQUEST);
    // msal-node writes its default scheme into the caller's request: a reused request stays plain.
    expect(variant({ scopes: ["a"], authenticationScheme: "Bearer" })).toBe(PLAIN_REQUEST);
  });

  it.each([
    ["proof of possession", { authenticationScheme: "POP", resourceRequestMethod: "GET", resourceRequestUri: "https://api/x" }],
    ["a different PoP resource", { authenticationScheme: "POP", resourceRequestMethod: "GET", resourceRequestUri: "https://api/y" }],
    ["signed-request claims", { authenticationScheme: "POP", shrClaims: "{}" }],
    ["an SSH certificate", { authenticationScheme: "SSH", sshJwk: "{}", sshKid: "k1" }],
    ["extra scopes to consent", { extraScopesToConsent: ["Mail.Read"] }],
    ["extra query parameters", { extraQueryParameters: { slice: "testslice" } }],
    ["token body parameters", { tokenBodyParameters: { a: "1" } }],
    ["a resource", { resource: "https://graph.microsoft.com" }],
    ["claims", { claims: "{\"access_token\":{}}" }],
    ["forceRefresh", { forceRefresh: true }],
    ["a cache lookup policy", { cacheLookupPolicy: 2 }],
    ["a field this version doesn't know", { somethingNew: 1 }],
  ])("tells apart a request with %s", (_, fields) => {
    const seen = new Set([variant({ scopes: ["a"] })]);
    const own = variant({ scopes: ["a"], ...fields });
    expect(seen.has(own)).toBe(false);
    expect(variant({ scopes: ["a"], ...fields })).toBe(own); // and agrees with an identical one
  });

  it("keys an account by the tenant profile it names, not by the object or its claims", () => {
    const account = { homeAccountId: "u.t", tenantId: "t", localAccountId: "u", environment: "login", idTokenClaims: { iat: 1 } };
    expect(variant({ account })).toBe(variant({ account: { ...account, idTokenClaims: { iat: 2 } } }));
    expect(variant({ account })).not.toBe(variant({ account: { ...account, tenantId: "guest", localAccountId: "g" } }));
  });

  it("never shares a request JSON can't represent, and never throws", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const a = variant({ extra: cyclic });
    const b = variant({ extra: cyclic });
    expect(a).not.toBe(b);
    expect(variant({ big: 10n })).not.toBe(variant({ big: 10n }));
  });
});

describe("flights over time", () => {
  it("after thousands of different calls have come and gone, identical calls still share one send and different ones still don't", async () => {
    const { createSuppressionEngine } = await import("../../src/index.js");
    const engine = createSuppressionEngine();
    const identity = { authority: "https://login.example/contoso", clientId: "app", user: undefined };
    let sent = 0;
    const call = (variantOf: string, answer: Promise<unknown> = Promise.resolve({ accessToken: "at" })) =>
      engine.execute({ method: "acquireTokenByClientCredential", identity, scopes: ["api/.default"], silent: false, flightKey: variantOf, send: () => (sent++, answer) });
    // More distinct calls than the engine keeps idle flights for: its table is swept along the way.
    for (let i = 0; i < 2_500; i++) await call(`variant-${i}`);
    expect(sent).toBe(2_500);
    let finish: (value: unknown) => void = () => {};
    const slow = new Promise((resolve) => (finish = resolve));
    const together = [call("variant-7", slow), call("variant-7", slow), call("variant-2499", slow)];
    expect(sent).toBe(2_502); // the two identical calls share one send; the other has its own
    finish({ accessToken: "late" });
    await expect(Promise.all(together)).resolves.toEqual([{ accessToken: "late" }, { accessToken: "late" }, { accessToken: "late" }]);
    // Settled flights are not joined again: the next call sends.
    await call("variant-7");
    expect(sent).toBe(2_503);
  });
});
