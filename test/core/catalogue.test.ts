import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM script without type declarations
import { readCatalogueTable, renderCatalogueModules } from "../../scripts/build-catalogue.mjs";
import { catalogueCodes, codeDetails, isGuardErrorKind, kindForCode } from "../../src/index.js";

const tablePath = new URL("../../data/aadsts-codes.tsv", import.meta.url);
const rows: { code: number; name: string; handling: string; kind: string; meaning: string }[] = readCatalogueTable(
  readFileSync(tablePath, "utf8"),
);

describe("AADSTS catalogue", () => {
  it("holds every code of the source table, 304 of them", () => {
    expect(rows).toHaveLength(304);
    expect(catalogueCodes()).toEqual(rows.map((r) => r.code).sort((a, b) => a - b));
  });

  it("gives every code the kind the table assigns, and every kind is a real kind", () => {
    for (const row of rows) {
      expect(isGuardErrorKind(row.kind), `${row.code} ${row.kind}`).toBe(true);
      expect(kindForCode(row.code), String(row.code)).toBe(row.kind);
    }
  });

  it("is regenerated from the table (run `npm run catalogue` after editing it)", () => {
    const { codes, details } = renderCatalogueModules(rows);
    expect(readFileSync(new URL("../../src/core/catalogue/codes.generated.ts", import.meta.url), "utf8")).toBe(codes);
    expect(readFileSync(new URL("../../src/core/catalogue/details.generated.ts", import.meta.url), "utf8")).toBe(details);
  });

  it.each([
    [50053, "account_locked"],
    [53003, "conditional_access_blocked"],
    [50076, "mfa_required"],
    [50079, "mfa_required"],
    [65001, "consent_required"],
    [90094, "admin_consent_required"],
    [50055, "password_expired"],
    [50126, "invalid_credentials"],
    [50057, "account_unavailable"],
    [50034, "account_unavailable"],
    [7000215, "client_misconfigured"],
    [7000222, "client_misconfigured"],
    [700016, "client_misconfigured"],
    [70011, "client_misconfigured"],
    [50196, "throttled"],
    [90033, "transient"],
    [53000, "device_not_compliant"],
    [50105, "access_denied"],
    [70008, "interaction_required"],
    [54005, "invalid_request"],
    [65004, "user_cancelled"],
  ] as const)("AADSTS%i is %s", (code, kind) => {
    expect(kindForCode(code)).toBe(kind);
  });

  it("offers developer details with Microsoft's name and our meaning", () => {
    expect(codeDetails(50053)).toMatchObject({ code: 50053, kind: "account_locked", handling: "W" });
    expect(codeDetails(28002)?.name).toBeUndefined();
    expect(codeDetails(1)).toBeUndefined();
  });

  it("knows nothing of unlisted codes", () => {
    expect(kindForCode(99999)).toBeUndefined();
  });
});
