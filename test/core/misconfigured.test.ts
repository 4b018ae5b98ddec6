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
