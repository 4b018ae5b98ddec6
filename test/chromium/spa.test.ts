// The SPA demo in headless Chromium: real msal-browser popups and hidden iframes against
// the simulator's /authorize and token endpoints, with msal-guard/browser in between.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { artifactPath } from "./harness.js";
import { clickAndWait, DEMO_USERS, signIn, startSpaFixture, trail, type SpaFixture } from "./fixture.js";

let fx: SpaFixture;

beforeAll(async () => {
  fx = await startSpaFixture();
}, 60_000);
afterAll(() => fx?.close());
beforeEach(() => fx.reset());

const timerText = (page: import("playwright-core").Page) => page.locator(".msal-guard-notice [role=timer]").textContent();

describe("a locked account", () => {
  it("shows the lockout notice with a countdown that runs, and the next attempt sends nothing", async () => {
    const page = await fx.openTab();
    const pagesBefore = fx.chrome.openedPages.length;

    const outcome = await clickAndWait(page, "try-locked");
    expect(outcome).toMatchObject({ state: "error", kind: "account_locked", codes: "50053" });
    expect(fx.chrome.openedPages.length).toBe(pagesBefore + 1); // the sign-in popup, closed by MSAL
    expect(trail(fx.demo.sim.requests)).toEqual(["authorize 302 50053 interaction_required"]);

    const notice = page.locator(".msal-guard-notice");
    await expect(notice.getAttribute("data-kind")).resolves.toBe("account_locked");
    await expect(notice.getAttribute("data-state")).resolves.toBe("waiting");
    const before = await timerText(page);
    expect(before).toMatch(/\d/);
    // A region named by its title; the countdown is in no live region (one would re-read it each tick).
    await expect(page.getByRole("region", { name: "Your account is temporarily locked" }).count()).resolves.toBe(1);
    await expect(page.locator(".msal-guard-notice [role=timer]").evaluate((timer) => timer.closest("[role=alert],[role=status],[role=log],[aria-live]:not([aria-live=off])")?.outerHTML.slice(0, 80) ?? null)).resolves.toBeNull();
    // Watch the notice: a tick rewrites the timer's text, it replaces no node.
    await page.evaluate(() => {
      const root = document.querySelector(".msal-guard-notice") as Element;
      const watch = { timer: root.querySelector("[role=timer]"), childList: 0, observer: undefined as MutationObserver | undefined };
      watch.observer = new MutationObserver((records) => (watch.childList += records.filter((r) => r.type === "childList").length));
      watch.observer.observe(root, { subtree: true, childList: true, characterData: true });
      (globalThis as { noticeWatch?: typeof watch }).noticeWatch = watch;
    });

    await page.clock.fastForward(25_000);
    await page.waitForFunction((text) => document.querySelector(".msal-guard-notice [role=timer]")?.textContent !== text, before, { timeout: 5_000 });
    const after = await timerText(page);
    expect(after).not.toBe(before);
    expect(Number(/\d+/.exec(after ?? "")?.[0])).toBeLessThan(Number(/\d+/.exec(before ?? "")?.[0]));
    const watched = await page.evaluate(() => {
      const watch = (globalThis as { noticeWatch?: { timer: Element | null; childList: number; observer?: MutationObserver } }).noticeWatch;
      watch?.observer?.disconnect();
      return { sameTimer: watch?.timer === document.querySelector(".msal-guard-notice [role=timer]"), childList: watch?.childList };
    });
    expect(watched).toEqual({ sameTimer: true, childList: 0 });

    // Trying again while locked: refused by the guard, no popup, no request.
    fx.demo.sim.resetLog();
    const again = await clickAndWait(page, "try-locked");
    expect(again).toMatchObject({ state: "suppressed", kind: "account_locked" });
    expect(fx.chrome.openedPages.length).toBe(pagesBefore + 1);
    expect(fx.demo.sim.requests).toEqual([]);
    await expect(page.locator(".msal-guard-notice [role=timer]").count()).resolves.toBe(1);
  });

  it("is reported as 50053 under the default cache lookup policy, though MSAL only says login_required", async () => {
    const page = await fx.openTab();
    await signIn(page);
    // The refresh token meets a locked account; the browser has no session for the iframe.
    fx.demo.sim.inject({ status: 400, code: 50053, match: { grant: "refresh_token" } });
    fx.demo.sim.setInteractiveUser(undefined);
    fx.demo.sim.resetLog();

    const outcome = await clickAndWait(page, "get-token");
    // MSAL fell back to the hidden iframe and threw its outcome; the network observer saw the 50053.
    expect(trail(fx.demo.sim.requests)).toEqual(["token:refresh_token 400 50053 invalid_grant", "authorize 302 50058 login_required"]);
    expect(outcome).toMatchObject({ state: "error", kind: "account_locked", codes: "50053", msal: "InteractionRequiredAuthError/login_required" });
    await expect(page.locator(".msal-guard-notice").getAttribute("data-kind")).resolves.toBe("account_locked");
  });

  it("stays refused after the app forgets its accounts: MSAL's clearCache removes its keys, not the guard's", async () => {
    const page = await fx.openTab();
    expect(await clickAndWait(page, "try-locked")).toMatchObject({ state: "error", kind: "account_locked" });
    // The demo's "Forget accounts" is pca.clearCache() (logoutRedirect/logoutPopup without an account do the same):
    // with cacheLocation "localStorage" it removes every localStorage key that contains "msal".
    await page.click("#sign-out");
    await page.waitForFunction(() => document.getElementById("result")?.dataset["state"] === "idle", undefined, { timeout: 5_000 });
    await expect(page.evaluate(() => Object.keys(localStorage).some((key) => key.startsWith("msal.")))).resolves.toBe(false);

    fx.demo.sim.resetLog();
    const pagesBefore = fx.chrome.openedPages.length;
    expect(await clickAndWait(page, "try-locked")).toMatchObject({ state: "suppressed", kind: "account_locked" });
    expect(fx.demo.sim.requests).toEqual([]);
    expect(fx.chrome.openedPages.length).toBe(pagesBefore);
  });

  it("saves a screenshot of the notice in each locale", async () => {
    const page = await fx.openTab();
    await clickAndWait(page, "try-locked");
    const titles = new Set<string>();
    for (const locale of ["en", "de", "fr", "es", "ja"]) {
      await page.selectOption("#locale", locale);
      const notice = page.locator(".msal-guard-notice");
      await expect(notice.getAttribute("lang")).resolves.toBe(locale);
      await expect(page.locator(".msal-guard-notice").count()).resolves.toBe(1);
      await expect(page.locator(".msal-guard-notice [role=timer]").count()).resolves.toBe(1);
      titles.add((await page.locator(".msal-guard-notice__title").textContent()) ?? "");
      await notice.screenshot({ path: await artifactPath(`spa-notice-account-locked-${locale}.png`), animations: "disabled" });
    }
    expect(titles.size).toBe(5);
  });
});

describe("a Conditional Access block (53003, message_only)", () => {
  it("opens no popup after a silent sign-in, although MSAL raised InteractionRequiredAuthError", async () => {
    const page = await fx.openTab();
    const pagesBefore = fx.chrome.openedPages.length;
    const outcome = await clickAndWait(page, "try-blocked");
    expect(outcome).toMatchObject({ state: "error", kind: "conditional_access_blocked", codes: "53003", msal: "InteractionRequiredAuthError/interaction_required" });
    expect(fx.chrome.openedPages.length).toBe(pagesBefore);
    expect(trail(fx.demo.sim.requests)).toEqual(["authorize 302 53003 interaction_required"]);
    expect(fx.demo.sim.requests[0]?.path).toContain("prompt=none");
    await expect(page.locator(".msal-guard-notice").getAttribute("data-kind")).resolves.toBe("conditional_access_blocked");
    await expect(page.locator(".msal-guard-notice__reference").textContent()).resolves.toContain("7d8c2f10-ca00-4b10-9000-00000000b10c");
  });

  it("opens no popup when a policy starts blocking a signed-in user's refresh token", async () => {
    const page = await fx.openTab();
    await signIn(page);
    const pagesBefore = fx.chrome.openedPages.length;
    fx.demo.sim.addConditionalAccessRule({ policyId: "late-block", users: [DEMO_USERS.normal], action: "block" });
    try {
      fx.demo.sim.resetLog();
      const outcome = await clickAndWait(page, "get-token");
      expect(outcome).toMatchObject({ state: "error", kind: "conditional_access_blocked", msal: "InteractionRequiredAuthError/invalid_grant" });
      expect(trail(fx.demo.sim.requests)).toEqual(["token:refresh_token 400 53003 invalid_grant"]);
      expect(fx.chrome.openedPages.length).toBe(pagesBefore);
    } finally {
      fx.demo.sim.removeConditionalAccessRule("late-block");
    }
  });
});

describe("a sign-in window that fails on a transient fault", () => {
  // A person's sign-in is never repeated behind their back: a retry would open another window.
  // Token requests are counted at the page's fetch: Chromium itself sends a request again
  // when a kept-alive connection closes before any answer (seen here: two or three dropped
  // requests on the wire for one fetch). msal-browser 5 fetches a failed POST once more
  // itself, 100 ms later (FetchClient, MAX_FETCH_POST_RETRIES = 1): that second fetch is MSAL's.
  it.each([
    ["HTTP 503 from the token endpoint", { status: 503, times: 1 }, "transient", 1, "token:authorization_code 503 90033 temporarily_unavailable"],
    ["a dropped connection", { drop: true }, "network", 2, "token:authorization_code dropped"],
  ] as const)("%s: one window, no retry by the guard; pressing the button again signs in", async (_, fault, kind, msalFetches, logged) => {
    const page = await fx.openTab();
    const pagesBefore = fx.chrome.openedPages.length;
    await page.evaluate(() => {
      const counted = { tokenFetches: 0 };
      const fetch = globalThis.fetch.bind(globalThis);
      globalThis.fetch = (input, init) => {
        if (String(input instanceof Request ? input.url : input).includes("/oauth2/v2.0/token")) counted.tokenFetches++;
        return fetch(input, init);
      };
      (globalThis as { counted?: typeof counted }).counted = counted;
    });
    const tokenFetches = () => page.evaluate(() => (globalThis as { counted?: { tokenFetches: number } }).counted?.tokenFetches);
    const injected = fx.demo.sim.inject({ ...fault, match: { grant: "authorization_code" } });
    await page.click("#sign-in");
    await page.waitForFunction(() => document.getElementById("result")?.dataset["state"] !== "busy", undefined, { timeout: 15_000 });
    // A retry now would show up: give one every chance (backoff sleeps on the page's clock).
    await page.clock.fastForward(120_000);
    await page.waitForTimeout(300);
    const outcome = await page.evaluate(() => ({ ...(document.getElementById("result") as HTMLElement).dataset }) as Record<string, string>);
    expect(outcome).toMatchObject({ state: "error", kind });
    expect(fx.chrome.openedPages.length).toBe(pagesBefore + 1);
    await expect(tokenFetches()).resolves.toBe(msalFetches);
    expect(new Set(trail(fx.demo.sim.requests).filter((line) => line.startsWith("token")))).toEqual(new Set([logged]));

    // The person tries again once the fault is gone: a new window, a token.
    injected.remove();
    expect(await clickAndWait(page, "sign-in")).toMatchObject({ state: "ok" });
    expect(fx.chrome.openedPages.length).toBe(pagesBefore + 2);
    await expect(tokenFetches()).resolves.toBe(msalFetches + 1);
  });
});

describe("a silent call that meets a transient fault", () => {
  it("is sent again after the backoff (the demo allows 2 retries), and succeeds without a window", async () => {
    const page = await fx.openTab();
    await signIn(page);
    const pagesBefore = fx.chrome.openedPages.length;
    fx.demo.sim.resetLog();
    fx.demo.sim.inject({ status: 503, times: 1, match: { grant: "refresh_token" } });
    await page.click("#get-token");
    await expect.poll(() => trail(fx.demo.sim.requests)).toEqual(["token:refresh_token 503 90033 temporarily_unavailable"]);
    // The retry waits at least 5 s on the page's clock.
    await page.clock.fastForward(4_000);
    await page.waitForTimeout(300);
    expect(fx.demo.sim.requests).toHaveLength(1);
    await page.clock.fastForward(60_000);
    await page.waitForFunction(() => document.getElementById("result")?.dataset["state"] !== "busy", undefined, { timeout: 15_000 });
    await expect(page.evaluate(() => document.getElementById("result")?.dataset["state"])).resolves.toBe("ok");
    expect(trail(fx.demo.sim.requests)).toEqual(["token:refresh_token 503 90033 temporarily_unavailable", "token:refresh_token 200"]);
    expect(fx.chrome.openedPages.length).toBe(pagesBefore);
  });
});

describe("server text", () => {
  it("renders an error_description carrying markup as inert text: no element, no script", async () => {
    const payload = `<img src=x onerror="alert(document.domain)"><script>alert(2)</script>`;
    const page = await fx.openTab();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    // On the /authorize redirect (hidden iframe) ...
    fx.demo.sim.failSignIns({ code: 53003, description: payload, match: { silent: true }, times: 1 });
    expect(await clickAndWait(page, "try-blocked")).toMatchObject({ kind: "conditional_access_blocked" });
    // The markup did reach the page, inside MSAL's error.
    expect(await page.evaluate(() => String((globalThis as { msalGuardDemo?: { lastError?: { cause?: { errorMessage?: unknown } } } }).msalGuardDemo?.lastError?.cause?.errorMessage))).toContain("<img src=x");
    // ... and in a token-endpoint JSON body the network observer keeps.
    await signIn(page);
    fx.demo.sim.inject({ status: 400, code: 50053, description: payload, match: { grant: "refresh_token" } });
    fx.demo.sim.setInteractiveUser(undefined);
    expect(await clickAndWait(page, "get-token")).toMatchObject({ kind: "account_locked" });

    await page.waitForTimeout(300); // an injected image would have failed to load by now
    for (const frame of page.frames()) {
      await expect(frame.locator("img").count()).resolves.toBe(0);
      await expect(frame.locator("script:not([src])").count()).resolves.toBe(0);
    }
    expect(await page.evaluate(() => document.body.innerHTML.includes("onerror"))).toBe(false);
    expect(dialogs).toEqual([]);
  });
});
