// Which Node the suite runs on. `npm test` uses the system Node (20 in CI);
// `npm run test:node22` sets MSAL_GUARD_EXPECT_NODE=22, and this proves the test workers
// really ran on that major rather than falling back to the system Node.
import { describe, expect, it } from "vitest";
import { packageJson } from "../quality/support.js";

const major = Number.parseInt(process.versions.node, 10);

describe(`runtime: node ${process.version}`, () => {
  it("is a Node the package supports (engines)", () => {
    const minimum = Number.parseInt(String((packageJson().engines as { node?: string } | undefined)?.node ?? "").replace(/^>=\s*/, ""), 10);
    expect(minimum).toBe(20);
    expect(major).toBeGreaterThanOrEqual(minimum);
  });

  it.runIf(process.env.MSAL_GUARD_EXPECT_NODE !== undefined)("is the major the runner asked for", () => {
    expect(major).toBe(Number(process.env.MSAL_GUARD_EXPECT_NODE));
  });
});
