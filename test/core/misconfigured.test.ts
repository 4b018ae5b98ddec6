// Which refusals for the app's setup hold back what: the engine's records, table-driven
// (the end-to-end cases with real msal-node are in test/node/guard-client.test.ts).
import { describe, expect, it } from "vitest";
import { createSuppressionEngine, isMsalGuardError, type GuardClock } from "../../src/index.js";

const clock: GuardClock = { now: () => 1_800_000_000_000, sleep: async () => {}, random: () => 0.5 };
const identity = { authority: "https://login.example/t", clientId: "c", user: undefined };

describe("refusals for the app's setup", () => {
  it.each([
    // [case, error body, credential sent, what the same call meets next]
    ["a refused secret is latched", { error: "invalid_client", error_codes: [7000215] }, "secret:s", "rejected_credential"],
    ["a refused assertion with nothing to fingerprint (a callback) is held back", { error: "invalid_client", error_codes: [700027] }, undefined, "misconfigured"],
    ["an invalid scope is held back, never latched", { error: "invalid_scope", error_codes: [70011] }, "secret:s", "misconfigured"],
    ["a broken federation is held back", { error: "invalid_request", error_codes: [80001] }, "secret:s", "misconfigured"],
    ["a refused user assertion is not suppressed", { error: "invalid_grant", error_codes: [50013] }, "secret:s", "sent"],
    ["a local configuration error (no codes, no status) is not suppressed", { name: "ClientConfigurationError", errorCode: "invalid_authority", message: "bad" }, "secret:s", "sent"],
  ])("%s", async (_, body, credential, expected) => {
    const reasons: string[] = [];
    const engine = createSuppressionEngine({ clock, onEvent: (e) => void (e.type === "suppressed" && reasons.push(e.reason)) });
    let sent = 0;
    const call = () =>
      engine.execute({ method: "acquireTokenByClientCredential", identity, scopes: ["s/.default"], silent: false, credential, send: async () => { sent++; throw body; } }).catch((error: unknown) => error);
    expect(isMsalGuardError(await call())).toBe(true);
    await call();
    if (expected === "sent") {
      expect(sent).toBe(2);
      expect(reasons).toEqual([]);
    } else {
      expect(sent).toBe(1);
      expect(reasons).toEqual([expected]);
    }
  });
});

describe("refusals of a user's sign-in, and calls that don't name their user", () => {
  const locked = { error: "invalid_grant", error_codes: [50053] };
  const disabled = { error: "invalid_grant", error_codes: [50057] };
  const password = { credential: "secret:s\u0000pw", sendsUserCredential: true, user: "ada@contoso.test" };
  const silentUser = { credential: "secret:s", silent: true, user: "ada@contoso.test" };
  const oboUser = { credential: "secret:s", user: "ada@contoso.test" };
  const unnamed = { credential: "secret:s", unnamedUser: true };
  it.each([
    // [case, error body, the call, what the same call meets next, what the app's client credential call meets]
    ["a wrong password is latched", { error: "invalid_grant", error_codes: [50126] }, password, "rejected_credential", "sent"],
    ["a disabled user's password call is latched", disabled, password, "rejected_credential", "sent"],
    ["a disabled user's silent call holds back silent calls, never latching the app's secret", disabled, silentUser, "interaction_required", "sent"],
    ["a disabled user met on an on-behalf-of call is not suppressed", disabled, oboUser, "sent", "sent"],
    ["a lockout met on a call not naming its user is not recorded", locked, unnamed, "sent", "sent"],
    ["a Conditional Access block met on a call not naming its user is not recorded", { error: "invalid_grant", error_codes: [53003] }, unnamed, "sent", "sent"],
    ["a revoked refresh token not naming its user is not recorded", { error: "invalid_grant", error_codes: [50173] }, { ...unnamed, silent: true }, "sent", "sent"],
    ["a disabled user met on a call not naming its user is not recorded", disabled, unnamed, "sent", "sent"],
    ["the app's secret refused on a call not naming its user is latched for the app", { error: "invalid_client", error_codes: [7000215] }, unnamed, "rejected_credential", "rejected_credential"],
    ["throttling met on a call not naming its user holds back the app", { status: 429, headers: { "retry-after": "30" }, body: "" }, unnamed, "throttled", "throttled"],
  ])("%s", async (_, body, shape, expectedSame, expectedApp) => {
    const reasons: string[] = [];
    const engine = createSuppressionEngine({ clock, onEvent: (e) => void (e.type === "suppressed" && reasons.push(e.reason)) });
    const { user, silent, ...flags } = shape as { user?: string; silent?: boolean; credential: string; sendsUserCredential?: boolean; unnamedUser?: boolean };
    let sent = 0;
    const call = () =>
      engine
        .execute({ method: "acquireTokenByCode", identity: { ...identity, user }, scopes: ["User.Read"], silent: silent ?? false, ...flags, send: async () => { sent++; throw body; } })
        .catch((error: unknown) => error);
    expect(isMsalGuardError(await call())).toBe(true);
    await call();
    expect(sent).toBe(expectedSame === "sent" ? 2 : 1);
    expect(reasons).toEqual(expectedSame === "sent" ? [] : [expectedSame]);
    reasons.length = 0;
    let appSent = false;
    await engine
      .execute({ method: "acquireTokenByClientCredential", identity, scopes: ["s/.default"], silent: false, credential: "secret:s", send: async () => { appSent = true; return { accessToken: "t" }; } })
      .catch(() => undefined);
    expect(appSent ? "sent" : reasons[0]).toBe(expectedApp);
  });
});
