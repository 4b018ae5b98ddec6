// createSuppressionEngine checks its options as guardClient does: a misspelt or misplaced
// option throws at construction instead of leaving a default in force.
import { describe, expect, it } from "vitest";
import { createSuppressionEngine } from "../../src/index.js";

describe("createSuppressionEngine options", () => {
  it("rejects a policy option given at the top level, as guardClient takes them (here they go under policy)", () => {
    expect(() => createSuppressionEngine({ lockout: { firstWindowMs: 5_000 } } as never)).toThrow(
      'msal-guard: createSuppressionEngine(options): unknown option "lockout". Known options: store, policy, clock, onEvent, fingerprintSecret, storeTimeoutMs.',
    );
  });

  it("rejects a misspelt option", () => {
    expect(() => createSuppressionEngine({ storeTimeout: 500 } as never)).toThrow(/unknown option "storeTimeout"/);
  });

  it("accepts the policy under policy", () => {
    expect(createSuppressionEngine({ policy: { lockout: { firstWindowMs: 5_000 } } }).policy.lockout.firstWindowMs).toBe(5_000);
  });
});
