// Suppression shared by the tabs of one origin (msal-guard's localStorage store).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { clickAndWait, DEMO_USERS, signIn, startSpaFixture, trail, type SpaFixture } from "./fixture.js";

let fx: SpaFixture;

beforeAll(async () => {
  fx = await startSpaFixture();
}, 60_000);
afterAll(() => fx?.close());
beforeEach(() => fx.reset());

describe("two tabs", () => {
  it("a lockout seen in one tab suppresses the other tab's calls: no token request", async () => {
    const first = await fx.openTab();
    await signIn(first);
    const lock = fx.demo.sim.inject({ status: 400, code: 50053, match: { grant: "refresh_token", username: DEMO_USERS.normal } });
    fx.demo.sim.setInteractiveUser(undefined);
    expect(await clickAndWait(first, "get-token")).toMatchObject({ state: "error", kind: "account_locked" });
    expect(trail(fx.demo.sim.requests).slice(-2)).toEqual(["token:refresh_token 400 50053 invalid_grant", "authorize 302 50058 login_required"]);

    // The server would now answer; only the guard can stop the second tab.
    lock.remove();
    fx.demo.sim.setInteractiveUser(DEMO_USERS.normal);
    fx.demo.sim.resetLog();
    const second = await fx.openTab();
    await expect(second.locator("#account").textContent()).resolves.toBe(DEMO_USERS.normal); // MSAL's cache is shared too
    await second.check("#force-refresh");
    const outcome = await clickAndWait(second, "get-token");

    expect(outcome).toMatchObject({ state: "suppressed", kind: "account_locked" });
    expect(fx.demo.sim.counts().byGrant).toEqual({});
    expect(fx.demo.sim.requests).toEqual([]);
    await expect(second.locator(".msal-guard-notice").getAttribute("data-kind")).resolves.toBe("account_locked");
    await expect(second.locator(".msal-guard-notice [role=timer]").count()).resolves.toBe(1);
  });
});

/**
 * Two open tabs of a signed-in user; the first meets a lockout (50053) on a silent call,
 * after which the server would answer again: only the guard can hold the second back.
 */
async function twoTabsAfterLockout(): Promise<{ first: Page; second: Page }> {
  const first = await fx.openTab();
  await signIn(first);
  const second = await fx.openTab();
  await second.check("#force-refresh");
  const lock = fx.demo.sim.inject({ status: 400, code: 50053, match: { grant: "refresh_token", username: DEMO_USERS.normal } });
  fx.demo.sim.setInteractiveUser(undefined);
  expect(await clickAndWait(first, "get-token")).toMatchObject({ state: "error", kind: "account_locked" });
  lock.remove();
  fx.demo.sim.setInteractiveUser(DEMO_USERS.normal);
  return { first, second };
}

describe("the computer's clock is set back", () => {
  it("a lockout another tab recorded a moment ago still suppresses after the clock goes back 2 minutes", async () => {
    const { second } = await twoTabsAfterLockout();
    fx.demo.sim.resetLog();

    // An NTP correction, a manual change, a VM's resume: both tabs' clock reads 2 minutes earlier.
    await fx.chrome.context.clock.setSystemTime((await second.evaluate(() => Date.now())) - 120_000);
    expect(await clickAndWait(second, "get-token")).toMatchObject({ state: "suppressed", kind: "account_locked" });
    expect(trail(fx.demo.sim.requests)).toEqual([]);
  });
});

describe("localStorage is full", () => {
  /** Fills the origin's localStorage to the last byte, as MSAL's cache or another library might. */
  const fill = (page: Page) =>
    page.evaluate(() => {
      let i = 0;
      for (let size = 512 * 1024; size >= 1; size >>= 1) {
        const chunk = "x".repeat(size);
        for (;;) {
          try {
            localStorage.setItem(`filler-${i++}`, chunk);
          } catch {
            break;
          }
        }
      }
    });

  it("a tab whose own write was refused still honours the lockout another tab recorded", async () => {
    const { first, second } = await twoTabsAfterLockout();

    await fill(first);
    // The second tab meets a failure of its own and can't write it down: the locked demo user.
    expect(await clickAndWait(second, "try-locked")).toMatchObject({ kind: "account_locked" });
    fx.demo.sim.resetLog();
    expect(await clickAndWait(second, "get-token")).toMatchObject({ state: "suppressed", kind: "account_locked" });
    expect(trail(fx.demo.sim.requests)).toEqual([]);
  });
});

