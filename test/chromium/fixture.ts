// The SPA demo (examples/spa) and the Entra simulator behind it, driven in Chromium.
import type { Page } from "playwright-core";
import { DEMO_USERS, startSpaDemo, type SpaDemo } from "../../examples/spa/serve.js";
import { createManualClock, type RequestLogEntry } from "../../src/testing/index.js";
import { launchChromium, type ChromiumSession } from "./harness.js";

export { DEMO_USERS };

export interface SpaFixture {
  readonly demo: SpaDemo;
  readonly chrome: ChromiumSession;
  /** A new tab on the demo page, ready to click. */
  openTab(): Promise<Page>;
  /** Clears the browser's storage (MSAL cache, suppression records) and the simulator's faults and log. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the demo (simulator on a manual clock, so the demo user's lockout lasts) and
 * Chromium with a page clock that tests can move (`page.clock.fastForward`).
 */
export async function startSpaFixture(): Promise<SpaFixture> {
  // 240 s tokens count as expired at once (MSAL renews 300 s early): every silent call redeems the refresh token.
  const demo = await startSpaDemo({ clock: createManualClock(), simulator: { tokenLifetimeSeconds: 240 } });
  let chrome: ChromiumSession;
  try {
    chrome = await launchChromium();
    await chrome.context.clock.install();
  } catch (error) {
    await demo.close();
    throw error;
  }

  async function openTab(): Promise<Page> {
    const page = await chrome.context.newPage();
    await page.goto(demo.url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
    return page;
  }

  return {
    demo,
    chrome,
    openTab,
    async reset() {
      for (const page of chrome.context.pages()) await page.close();
      const page = await openTab();
      await page.evaluate(() => {
        localStorage.clear();
        sessionStorage.clear();
      });
      await page.close();
      demo.sim.clearFaults();
      demo.sim.setInteractiveUser(DEMO_USERS.normal);
      demo.sim.resetLog();
    },
    async close() {
      await chrome.close();
      await demo.close();
    },
  };
}

/** Clicks a demo button and waits for the call to finish; returns the result box's data. */
export async function clickAndWait(page: Page, id: string): Promise<Record<string, string>> {
  await page.click(`#${id}`);
  await page.waitForFunction(() => document.getElementById("result")?.dataset["state"] !== "busy", undefined, { timeout: 15_000 });
  return page.evaluate(() => ({ ...(document.getElementById("result") as HTMLElement).dataset }) as Record<string, string>);
}

/** Signs the normal user in through the popup, and arms "force refresh" so silent calls go to the server. */
export async function signIn(page: Page): Promise<void> {
  const outcome = await clickAndWait(page, "sign-in");
  if (outcome["state"] !== "ok") throw new Error(`sign-in failed: ${JSON.stringify(outcome)}`);
  await page.check("#force-refresh");
}

/** A compact view of the simulator's log for assertions. */
export function trail(entries: readonly RequestLogEntry[]): string[] {
  return entries.map((r) => `${r.endpoint}${r.grant ? `:${r.grant}` : ""} ${r.status ?? "dropped"}${r.codes.length > 0 ? ` ${r.codes.join(",")}` : ""}${r.error ? ` ${r.error}` : ""}`);
}
