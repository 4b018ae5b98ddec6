// renderNotice in Chromium itself: layout, direction, shadow DOM and focus as a browser
// computes them (jsdom has no layout and no bidi).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { launchChromium, PROJECT_ROOT, type ChromiumSession } from "./harness.js";

let chrome: ChromiumSession;
/** msal-guard's notice and message tables, from src/, as a script defining `MsalGuard`. */
let script: string;

beforeAll(async () => {
  const bundled = await build({
    stdin: {
      contents: `export { renderNotice } from "./src/browser/index.ts"; export { classify, createMessageFormatter, en } from "./src/index.ts";`,
      resolveDir: PROJECT_ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    globalName: "MsalGuard",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  script = bundled.outputFiles[0]?.text ?? "";
  chrome = await launchChromium();
}, 60_000);
afterAll(() => chrome?.close());

/** A page with the given markup and msal-guard loaded. */
async function pageWith(html: string): Promise<Page> {
  const page = await chrome.context.newPage();
  await page.setContent(`<!DOCTYPE html>${html}`);
  await page.addScriptTag({ content: script });
  return page;
}

type Bundle = typeof import("../../src/index.js") & typeof import("../../src/browser/index.js");

describe("direction", () => {
  it("an English notice on a right-to-left page reads left to right; a right-to-left table's notice reads right to left on a left-to-right page", async () => {
    const page = await pageWith(`<html dir="rtl" lang="ar"><body><div id="notice"></div></body></html>`);
    try {
      const directions = await page.evaluate(() => {
        const { renderNotice, classify, createMessageFormatter, en } = (globalThis as unknown as { MsalGuard: Bundle }).MsalGuard;
        const container = document.getElementById("notice") as HTMLElement;
        const locked = { ...classify({ error: "invalid_grant", error_codes: [50053], correlation_id: "1f0c2d3e-aaaa-4bbb-8ccc-1234567890ab" }), retryAfterMs: 60_000 };
        const seen = () => {
          const root = container.querySelector(".msal-guard-notice") as HTMLElement;
          return { lang: root.lang, direction: getComputedStyle(root).direction };
        };
        // Only English is bundled: the Arabic reader gets English, which must not be laid out right to left.
        renderNotice(container, locked, { locale: ["ar-EG", "ar"] });
        const english = seen();
        // An app's own table for a right-to-left language (Arabic titles over English text, for the test), on a left-to-right page.
        document.documentElement.dir = "ltr";
        const kinds = Object.fromEntries(Object.entries(en.kinds).map(([kind, text]) => [kind, { ...text, title: "تعذر تسجيل الدخول" }])) as typeof en.kinds;
        renderNotice(container, locked, { locale: "ar", messages: createMessageFormatter({ locales: [en, { ...en, locale: "ar", kinds }] }) });
        return { english, arabic: seen() };
      });
      expect(directions).toEqual({ english: { lang: "en", direction: "ltr" }, arabic: { lang: "ar", direction: "rtl" } });
    } finally {
      await page.close();
    }
  });
});

describe("in a shadow root", () => {
  it("keeps the focus in the notice when drawing again replaces the one that had it, as in the document", async () => {
    const page = await pageWith(`<html lang="en"><body><div id="host"></div></body></html>`);
    try {
      const focus = await page.evaluate(() => {
        const { renderNotice, classify } = (globalThis as unknown as { MsalGuard: Bundle }).MsalGuard;
        const shadow = (document.getElementById("host") as HTMLElement).attachShadow({ mode: "open" });
        const container = document.createElement("div");
        shadow.append(container);
        // A failure a retry may fix, with no wait: the retry button shows at once.
        const failed = classify({ error: "server_error", error_codes: [50000] });
        const focused = () => (shadow.activeElement as HTMLElement | null)?.className ?? null;
        renderNotice(container, failed, { onRetry: () => undefined });
        (shadow.querySelector("button") as HTMLButtonElement).focus();
        const before = focused();
        renderNotice(container, failed, { onRetry: () => undefined }); // the retry failed again
        const replaced = focused();
        const dispose = renderNotice(container, failed, { onRetry: () => undefined });
        dispose(); // a framework's effect cleanup, then its effect
        renderNotice(container, failed, { onRetry: () => undefined });
        return { before, replaced, disposedThenDrawn: focused(), notices: shadow.querySelectorAll(".msal-guard-notice").length };
      });
      expect(focus).toEqual({ before: "msal-guard-notice__retry", replaced: "msal-guard-notice__retry", disposedThenDrawn: "msal-guard-notice__retry", notices: 1 });
    } finally {
      await page.close();
    }
  });

  it("is styled there: the default stylesheet goes into the shadow root, with its nonce", async () => {
    const page = await pageWith(`<html lang="en"><body><div id="host"></div></body></html>`);
    try {
      const styled = await page.evaluate(() => {
        const { renderNotice, classify } = (globalThis as unknown as { MsalGuard: Bundle }).MsalGuard;
        const shadow = (document.getElementById("host") as HTMLElement).attachShadow({ mode: "open" });
        const container = document.createElement("div");
        shadow.append(container);
        renderNotice(container, classify({ error: "invalid_grant", error_codes: [53003], suberror: "message_only" }), { styleNonce: "n0nce" });
        renderNotice(container, classify({ error: "invalid_grant", error_codes: [53003], suberror: "message_only" }), { styleNonce: "n0nce" });
        const root = shadow.querySelector(".msal-guard-notice") as HTMLElement;
        const style = getComputedStyle(root);
        return { padding: style.paddingTop, accent: style.borderInlineStartWidth, sheets: shadow.querySelectorAll("style[data-msal-guard-notice]").length, nonce: (shadow.querySelector("style") as HTMLStyleElement | null)?.nonce };
      });
      expect(styled).toMatchObject({ sheets: 1, nonce: "n0nce" });
      expect(Number.parseFloat(styled.padding)).toBeGreaterThan(0);
      expect(Number.parseFloat(styled.accent)).toBeGreaterThan(1);
    } finally {
      await page.close();
    }
  });
});
