// The bundle-size budget: what an app ships for msal-guard, measured the way
// `npm run bench` measures it (esbuild bundles two tiny apps from the BUILT package,
// minified, gzip -9, MSAL external). Fails when a change grows either bundle past the
// enforced budget in bench/bundle-size.ts, and names the inputs that weigh most.
import { beforeAll, describe, expect, it } from "vitest";
import { BUDGETS, TARGETS, measureBundles, type BundleMeasurement, type BundleMeasurements } from "../../bench/bundle-size.js";
import { assertBuilt } from "./support.js";

let measured: BundleMeasurements;

beforeAll(async () => {
  assertBuilt();
  measured = await measureBundles();
}, 60_000);

function heaviest(m: BundleMeasurement): string {
  return m.inputs
    .slice(0, 6)
    .map((i) => `${i.path} ${i.bytes} B`)
    .join(", ");
}

describe("bundle size (gzipped, minified, @azure/msal-browser external)", () => {
  it.each([
    ["an app using guardClient and renderNotice from msal-guard/browser", "browser"],
    ["an app importing only classify from msal-guard", "classifyOnly"],
  ] as const)("%s stays within its budget", (_, app) => {
    const m = measured[app];
    // A real bundle, not an empty one: the app's own code and the package's modules are in it.
    expect(m.inputs.some((i) => i.path.startsWith("dist/"))).toBe(true);
    expect(m.gzipped, `${app}: ${m.gzipped} B gzipped > budget ${BUDGETS[app]} B; heaviest inputs: ${heaviest(m)}`).toBeLessThanOrEqual(BUDGETS[app]);
  });

  it("keeps budgets no looser than needed and targets no looser than budgets", () => {
    for (const app of ["browser", "classifyOnly"] as const) {
      expect(TARGETS[app]).toBeLessThanOrEqual(BUDGETS[app]);
      // Headroom over today's size stays small (under 5 %), so the budget catches growth.
      expect(BUDGETS[app], `${app}: lower BUDGETS.${app} to about ${Math.ceil((measured[app].gzipped * 1.02) / 64) * 64}`).toBeLessThan(measured[app].gzipped * 1.05);
    }
  });
});
