import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  AccountLockedError,
  ConditionalAccessBlockedError,
  ERROR_CLASS_BY_KIND,
  GUARD_ERROR_KINDS,
  MsalGuardError,
  classify,
  isMsalGuardError,
  toGuardError,
} from "../../src/index.js";

const capClaims = JSON.stringify({ access_token: { capolids: { essential: true, values: ["p-1111-2222", "p-3333-4444"] } } });

describe("typed errors", () => {
  it("gives each kind its own class with a literal name", () => {
    const names = new Set<string>();
    for (const kind of GUARD_ERROR_KINDS) {
      const ErrorClass = ERROR_CLASS_BY_KIND[kind];
      const error = new ErrorClass(classify("x"));
      expect(error).toBeInstanceOf(MsalGuardError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toMatch(/Error$/);
      names.add(error.name);
    }
    expect(names.size).toBe(GUARD_ERROR_KINDS.length);
  });

  it("converts anything with toGuardError, keeping the original untouched as cause", () => {
    const original = { error: "invalid_grant", error_codes: [50053], error_description: "AADSTS50053: locked for bob@contoso.com" };
    const snapshot = JSON.stringify(original);
    const error = toGuardError(original);
    expect(error).toBeInstanceOf(AccountLockedError);
    expect(error.cause).toBe(original);
    expect(JSON.stringify(original)).toBe(snapshot);
    expect(error.suppressed).toBe(false);
    expect(error.kind).toBe("account_locked");
    expect(error.codes).toEqual([50053]);
  });

  it("never puts server text in the message", () => {
    const error = toGuardError({ error: "invalid_grant", error_codes: [50053], error_description: "AADSTS50053: locked for bob@contoso.com" });
    expect(error.message).not.toContain("bob@contoso.com");
    expect(error.message).toContain("AADSTS50053");
  });

  it("exposes Conditional Access policy ids on ConditionalAccessBlockedError", () => {
    const error = toGuardError({ error: "invalid_grant", error_codes: [53003], suberror: "message_only", claims: capClaims });
    expect(error).toBeInstanceOf(ConditionalAccessBlockedError);
    expect((error as ConditionalAccessBlockedError).policyIds).toEqual(["p-1111-2222", "p-3333-4444"]);
  });

  it("returns an msal-guard error unchanged, and classify reads its classification back", () => {
    const error = toGuardError("AADSTS50053");
    expect(toGuardError(error)).toBe(error);
    expect(classify(error)).toBe(error.classification);
  });

  it("recognises its own errors only", () => {
    expect(isMsalGuardError(toGuardError("x"))).toBe(true);
    expect(isMsalGuardError(new Error("x"))).toBe(false);
    expect(isMsalGuardError({ name: "AccountLockedError", kind: "account_locked" })).toBe(false);
    expect(isMsalGuardError(null)).toBe(false);
  });

  const built = new URL("../../dist/index.cjs", import.meta.url);
  it.skipIf(!existsSync(built))("isMsalGuardError works across package copies (the CJS and ESM builds)", async () => {
    const cjs = createRequire(import.meta.url)(built.pathname) as typeof import("../../src/index.js");
    const esm = (await import(new URL("../../dist/index.js", import.meta.url).href)) as typeof import("../../src/index.js");
    const fromCjs = cjs.toGuardError("AADSTS50053");
    const fromEsm = esm.toGuardError("AADSTS53003");
    expect(fromCjs).not.toBeInstanceOf(esm.MsalGuardError);
    expect(esm.isMsalGuardError(fromCjs)).toBe(true);
    expect(cjs.isMsalGuardError(fromEsm)).toBe(true);
    expect(isMsalGuardError(fromCjs)).toBe(true);
    expect(esm.classify(fromCjs)).toBe(fromCjs.classification);
    expect(esm.toGuardError(fromCjs)).toBe(fromCjs);
  });
});
