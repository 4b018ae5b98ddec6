// @vitest-environment jsdom
// renderNotice: text-only DOM, a countdown on an injected clock, the retry button, locales.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { classify, createMessageFormatter, de, en, ja, messageFor, toGuardError, type Classification } from "../../src/index.js";
import { renderNotice, type NoticeClock } from "../../src/browser/index.js";

const HOSTILE = `<img src=x onerror=alert(1)>`;

/** A clock whose interval fires only when the test moves time. */
function fakeClock(start = Date.UTC(2026, 10, 22, 9, 0, 0)) {
  let now = start;
  const timers = new Map<number, { callback: () => void; ms: number; next: number }>();
  let ids = 0;
  const clock: NoticeClock & { advance(ms: number): void; readonly active: number } = {
    now: () => now,
    setInterval(callback, ms) {
      timers.set(++ids, { callback, ms, next: now + ms });
      return ids;
    },
    clearInterval(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.next <= end).sort((a, b) => a[1].next - b[1].next)[0];
        if (due === undefined) break;
        now = due[1].next;
        due[1].next += due[1].ms;
        due[1].callback();
      }
      now = end;
    },
    get active() {
      return timers.size;
    },
  };
  return clock;
}

/** A Classification for an error body, e.g. a lockout with a 2-minute wait. */
function classified(body: Record<string, unknown>, extra: Partial<Classification> = {}): Classification {
  return { ...classify(body), ...extra };
}

const locked = (retryAfterMs?: number) => classified({ error: "invalid_grant", error_codes: [50053], correlation_id: "1f0c2d3e-aaaa-4bbb-8ccc-1234567890ab" }, { retryAfterMs });
const blocked = () => classified({ error: "invalid_grant", error_codes: [53003], suberror: "message_only" });

let container: HTMLElement;
beforeEach(() => {
  document.head.innerHTML = "";
  document.body.innerHTML = "";
  container = document.createElement("div");
  document.body.append(container);
});
afterEach(() => {
  container.remove();
});

const q = (selector: string) => container.querySelector(selector);
/** A live region that announces changes (role=timer's implicit aria-live="off" doesn't). */
const LIVE = "[role=alert],[role=status],[role=log],[aria-live]:not([aria-live=off])";
const text = (selector: string) => q(selector)?.textContent ?? "";
const button = () => q("button") as HTMLButtonElement | null;

describe("renderNotice", () => {
  it("draws title, explanation, what to do and the support reference, announced through role=alert", () => {
    renderNotice(container, locked(), { clock: fakeClock() });
    const alert = q("[role=alert]");
    expect(alert).not.toBeNull();
    expect(alert?.textContent).toContain("Your account is temporarily locked");
    expect(text(".msal-guard-notice__body")).toMatch(/temporarily blocked/);
    expect(text(".msal-guard-notice__action")).toMatch(/^Wait a few minutes/);
    expect(text(".msal-guard-notice__reference")).toBe("Error code: AADSTS50053 · Correlation ID: 1f0c2d3e-aaaa-4bbb-8ccc-1234567890ab");
    const root = q(".msal-guard-notice") as HTMLElement;
    expect(root.lang).toBe("en");
    expect(root.dataset.kind).toBe("account_locked");
    expect(root.getAttribute("aria-labelledby")).toBe(q(".msal-guard-notice__title")?.id);
    // No wait known: what to do is announced with the rest.
    expect(alert?.textContent).toContain("Wait a few minutes");
  });

  it("is a region named by its title: aria-labelledby on a role-less div names nothing", () => {
    renderNotice(container, locked(120_000), { clock: fakeClock() });
    const root = q(".msal-guard-notice") as HTMLElement;
    expect(root.getAttribute("role")).toBe("region");
    const label = document.getElementById(root.getAttribute("aria-labelledby") ?? "");
    expect(root.contains(label)).toBe(true);
    expect(label?.textContent).toContain("Your account is temporarily locked");
    // The title inside it, the icon hidden from the name.
    expect(label?.querySelector("[aria-hidden=true]")?.textContent).toBe("⏳");
  });

  it("updates the countdown in place: ticks add or remove no node and change only the timer's text", () => {
    const clock = fakeClock();
    renderNotice(container, locked(30_000), { clock, onRetry: () => undefined });
    const root = q(".msal-guard-notice") as HTMLElement;
    const timer = q("[role=timer]") as HTMLElement;
    expect(timer.textContent).toBe("about 30 seconds");

    const observer = new MutationObserver(() => undefined);
    observer.observe(root, { subtree: true, childList: true, characterData: true });
    for (let tick = 1; tick <= 5; tick++) {
      clock.advance(1_000);
      const records = observer.takeRecords();
      expect(records.filter((r) => r.type === "childList")).toEqual([]);
      expect(records.length).toBeGreaterThan(0);
      for (const record of records) expect(record.target.parentNode).toBe(timer);
      expect(q("[role=timer]")).toBe(timer);
      expect(timer.textContent).toBe(`about ${30 - tick} seconds`);
    }
    expect(text(".msal-guard-notice__action")).toMatch(/^Try again in about 25 seconds\. If you need access sooner/);
    observer.disconnect();
  });

  it("keeps the ticking timer out of the alert, which announces what to do once, when the wait is over", () => {
    const clock = fakeClock();
    renderNotice(container, locked(30_000), { clock, onRetry: () => undefined });
    const root = q(".msal-guard-notice") as HTMLElement;
    const alert = q("[role=alert]") as HTMLElement;
    // In a live region, each change to the timer would re-announce that region (WebKit
    // reports it to every live ancestor, whatever the timer's own aria-live="off").
    expect(q("[role=timer]")?.closest(LIVE)).toBeNull();
    expect(alert.textContent).toContain("Your account is temporarily locked");
    expect(alert.textContent).not.toContain("Try again in");

    const observer = new MutationObserver(() => undefined);
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["role", "aria-live", "aria-atomic"] });
    clock.advance(29_000);
    expect(observer.takeRecords().filter((r) => alert.contains(r.target))).toEqual([]);
    // The wait is over: what to do (rewritten outside) joins the alert, one addition, announced
    // once; then nothing moves.
    clock.advance(1_000);
    const action = q(".msal-guard-notice__action") as HTMLElement;
    const records = observer.takeRecords().filter((r) => r.target !== action && alert.contains(r.target));
    expect(records).toHaveLength(1);
    expect(records[0]?.target).toBe(alert);
    expect(Array.from((records[0] as MutationRecord).addedNodes)).toEqual([action]);
    expect((records[0] as MutationRecord).removedNodes).toHaveLength(0);
    expect(alert.textContent).toContain("You can try again now.");
    expect(q("[role=timer]")).toBeNull();
    clock.advance(10_000);
    expect(observer.takeRecords()).toEqual([]);
    observer.disconnect();
  });

  it("never moves the focus while counting down or when the wait ends", () => {
    const clock = fakeClock();
    const elsewhere = document.createElement("input");
    document.body.append(elsewhere);
    elsewhere.focus();
    renderNotice(container, locked(3_000), { clock, onRetry: () => undefined });
    for (let tick = 0; tick < 4; tick++) {
      clock.advance(1_000);
      expect(document.activeElement).toBe(elsewhere);
    }
    expect(button()?.hidden).toBe(false);
    expect(button()?.hasAttribute("aria-disabled")).toBe(false);
    elsewhere.remove();
  });

  it("counts down to the retry, then shows a focusable retry button that calls onRetry", () => {
    const clock = fakeClock();
    const onRetry = vi.fn();
    renderNotice(container, locked(120_000), { clock, onRetry });
    expect(text(".msal-guard-notice__action")).toMatch(/^Try again in about 2 minutes\./);
    expect(q("[role=timer]")?.textContent).toBe("about 2 minutes");
    expect(button()?.hidden).toBe(true);

    clock.advance(60_000);
    expect(q("[role=timer]")?.textContent).toBe("about 60 seconds");
    clock.advance(59_000);
    expect(q("[role=timer]")?.textContent).toBe("about 1 second");
    expect(button()?.hidden).toBe(true);

    clock.advance(1_000);
    const retry = button() as HTMLButtonElement;
    expect(retry.hidden).toBe(false);
    expect(retry.type).toBe("button");
    expect(retry.textContent).toBe("Try again");
    expect(q("[role=timer]")).toBeNull();
    expect(text(".msal-guard-notice__action")).toMatch(/^You can try again now\. If your account is still locked/);
    expect(clock.active).toBe(0); // the timer stops once the wait is over

    retry.focus();
    expect(document.activeElement).toBe(retry);
    retry.click();
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["en", "You can try again now."],
    ["de", "Sie können es jetzt erneut versuchen."],
    ["fr", "Vous pouvez réessayer maintenant."],
    ["es", "Ya puede volver a intentarlo."],
    ["ja", "もう一度お試しいただけます。"],
  ])("once the wait is over, says in %s that the user may try again now (not to wait again)", (locale, advice) => {
    const clock = fakeClock();
    renderNotice(container, classified({ error: "invalid_request", error_codes: [50196] }, { retryAfterMs: 5_000 }), { clock, locale, messages: messageFor });
    clock.advance(5_000);
    expect(text(".msal-guard-notice__action")).toBe(advice);
  });

  it("uses a suppressed error's retryAt for the countdown", () => {
    const clock = fakeClock();
    const error = toGuardError(new Error("AADSTS50053"), { suppressed: true, retryAt: clock.now() + 30_000 });
    renderNotice(container, error, { clock, onRetry: () => undefined });
    expect(q("[role=timer]")?.textContent).toBe("about 30 seconds");
    clock.advance(30_000);
    expect(button()?.hidden).toBe(false);
  });

  it("shows the retry button at once when no wait is known and a retry makes sense", () => {
    renderNotice(container, classified({ error: "temporarily_unavailable", error_codes: [90033] }), { clock: fakeClock(), onRetry: () => undefined });
    expect(button()?.hidden).toBe(false);
  });

  it("offers no retry for a Conditional Access block, and says so in words, not colour", () => {
    renderNotice(container, blocked(), { clock: fakeClock(), onRetry: () => undefined });
    expect(button()).toBeNull();
    expect(text(".msal-guard-notice__title")).toContain("Your organization's policy blocks this sign-in");
    expect(text(".msal-guard-notice__body")).toContain("Trying again won't change this");
    expect(q(".msal-guard-notice__icon")?.getAttribute("aria-hidden")).toBe("true");
  });

  it("marks the button aria-disabled while onRetry's promise is pending, ignoring presses but keeping the focus", async () => {
    let done: () => void = () => undefined;
    const onRetry = vi.fn(() => new Promise<void>((resolve) => (done = resolve)));
    renderNotice(container, classified({ error: "temporarily_unavailable", error_codes: [90033] }), { clock: fakeClock(), onRetry });
    const retry = button() as HTMLButtonElement;
    retry.focus();
    retry.click();
    // `disabled` would drop the focus (browsers blur a focused button that becomes disabled).
    expect(retry.disabled).toBe(false);
    expect(retry.getAttribute("aria-disabled")).toBe("true");
    expect(document.activeElement).toBe(retry);
    retry.click();
    expect(onRetry).toHaveBeenCalledTimes(1);
    done();
    await vi.waitFor(() => expect(retry.hasAttribute("aria-disabled")).toBe(false));
    retry.click();
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it("drawing again into the same container replaces the notice: one notice, one alert, one timer", () => {
    const clock = fakeClock();
    const other = document.createElement("div");
    document.body.append(other);
    const first = renderNotice(container, locked(120_000), { clock, onRetry: () => undefined });
    renderNotice(other, locked(120_000), { clock });
    const second = renderNotice(container, locked(120_000), { clock, onRetry: () => undefined });
    expect(container.querySelectorAll(".msal-guard-notice")).toHaveLength(1);
    expect(container.querySelectorAll("[role=alert]")).toHaveLength(1);
    expect(container.querySelectorAll("[role=timer]")).toHaveLength(1);
    expect(other.querySelectorAll(".msal-guard-notice")).toHaveLength(1);
    expect(clock.active).toBe(2); // one per container
    first(); // the replaced notice's dispose leaves its successor alone
    expect(container.querySelectorAll(".msal-guard-notice")).toHaveLength(1);
    expect(clock.active).toBe(2);
    second();
    expect(container.childElementCount).toBe(0);
    expect(clock.active).toBe(1);
    other.remove();
  });

  it("keeps the focus in the notice when it replaces one that had it", () => {
    const clock = fakeClock();
    const transient = classified({ error: "temporarily_unavailable", error_codes: [90033] });
    renderNotice(container, transient, { clock, onRetry: () => undefined });
    button()?.focus();
    // Retried and failed again, no wait: on the new retry button.
    renderNotice(container, transient, { clock, onRetry: () => undefined });
    expect(document.activeElement).toBe(button());
    expect(button()?.isConnected).toBe(true);
    // Retried and locked out now: the button is hidden, so on the notice itself.
    renderNotice(container, locked(60_000), { clock, onRetry: () => undefined });
    const root = q(".msal-guard-notice") as HTMLElement;
    expect(document.activeElement).toBe(root);
    expect(root.tabIndex).toBe(-1);
  });

  it("keeps the focus when the app disposes of the notice and draws the next one in the same task (React's effect cleanup, then the effect)", async () => {
    const clock = fakeClock();
    const transient = classified({ error: "temporarily_unavailable", error_codes: [90033] });
    let dispose = renderNotice(container, transient, { clock, onRetry: () => undefined });
    button()?.focus();
    dispose();
    dispose = renderNotice(container, transient, { clock, onRetry: () => undefined });
    expect(document.activeElement).toBe(button());

    // Disposed of for good: a notice drawn after an await does not take the focus.
    dispose();
    await Promise.resolve();
    renderNotice(container, transient, { clock, onRetry: () => undefined });
    expect(document.activeElement).toBe(document.body);

    // Nor does one drawn right after, when the app moved the focus elsewhere in between.
    const elsewhere = document.body.appendChild(document.createElement("button"));
    button()?.focus();
    renderNotice(container, transient, { clock, onRetry: () => undefined }).call(null);
    elsewhere.focus();
    renderNotice(container, transient, { clock, onRetry: () => undefined });
    expect(document.activeElement).toBe(elsewhere);
  });

  it("dispose stops the timer and removes the notice; calling it twice is harmless", () => {
    const clock = fakeClock();
    const dispose = renderNotice(container, locked(120_000), { clock, onRetry: () => undefined });
    expect(clock.active).toBe(1);
    dispose();
    expect(clock.active).toBe(0);
    expect(container.childElementCount).toBe(0);
    dispose();
  });

  it.each([
    ["the app removes the notice itself", (root: Element) => root.remove()],
    ["the app empties the container", () => container.replaceChildren()],
    ["the app removes the container (a framework unmounting it)", () => container.remove()],
  ])("stops its timer at the next tick once it is off the page without dispose: %s", (_, takeAway) => {
    const clock = fakeClock();
    renderNotice(container, locked(120_000), { clock, onRetry: () => undefined });
    const root = container.querySelector(".msal-guard-notice") as Element;
    clock.advance(3_000);
    expect(clock.active).toBe(1);
    takeAway(root);
    clock.advance(1_000);
    expect(clock.active).toBe(0);
    // Drawing into the same container again works as usual.
    document.body.append(container);
    renderNotice(container, locked(60_000), { clock });
    expect(container.querySelectorAll(".msal-guard-notice")).toHaveLength(1);
    expect(clock.active).toBe(1);
  });

  it("keeps counting while drawn into a container that is not on the page yet, and after it is attached", () => {
    const clock = fakeClock();
    const detached = document.createElement("div");
    const dispose = renderNotice(detached, locked(120_000), { clock });
    clock.advance(5_000);
    expect(clock.active).toBe(1);
    document.body.append(detached);
    clock.advance(5_000);
    expect(clock.active).toBe(1);
    expect(detached.querySelector("[role=timer]")?.textContent).toMatch(/1 minute|110 seconds|2 minutes/);
    dispose();
    detached.remove();
  });

  it("renders hostile text from an error as inert text: no element is created from it", () => {
    const error = Object.assign(new Error(HOSTILE), {
      name: "ServerError",
      errorCode: HOSTILE,
      errorMessage: `AADSTS50053: ${HOSTILE}`,
      error_description: HOSTILE,
      correlationId: HOSTILE,
      subError: HOSTILE,
    });
    const dispose = renderNotice(container, error, { clock: fakeClock(), onRetry: () => undefined, className: HOSTILE });
    expect(container.querySelector("img")).toBeNull();
    expect(document.querySelector("img")).toBeNull();
    // Server text isn't shown at all; the reference keeps only values of a known shape.
    expect(container.textContent).not.toContain("onerror");
    dispose();

    // Even text passed through the app's own formatter is text, never markup.
    const hostileFormatter = () => ({ locale: "en", kind: "unknown" as const, title: HOSTILE, body: HOSTILE, action: HOSTILE, supportReference: HOSTILE, retryAfterMs: undefined, retryAt: undefined, waitText: undefined, retryLabel: HOSTILE });
    renderNotice(container, error, { clock: fakeClock(), messages: hostileFormatter, onRetry: () => undefined });
    expect(container.querySelector("img")).toBeNull();
    expect(text(".msal-guard-notice__title-text")).toBe(HOSTILE);
  });

  it.each([
    ["de", "Ihr Konto ist vorübergehend gesperrt", "Erneut versuchen", "etwa 2 Minuten"],
    ["ja", "アカウントが一時的にロックされています", "再試行", "約2分"],
  ])("speaks %s through a formatter with that locale", (locale, title, retryLabel, wait) => {
    const clock = fakeClock();
    const messages = createMessageFormatter({ locales: [en, de, ja] });
    renderNotice(container, locked(120_000), { clock, messages, locale, onRetry: () => undefined });
    expect(text(".msal-guard-notice__title-text")).toBe(title);
    expect((q(".msal-guard-notice") as HTMLElement).lang).toBe(locale);
    expect(q("[role=timer]")?.textContent).toBe(wait);
    clock.advance(120_000);
    expect(button()?.textContent).toBe(retryLabel);
  });

  it("falls back to English when only English is bundled", () => {
    renderNotice(container, locked(), { clock: fakeClock(), locale: "de-AT" });
    expect(text(".msal-guard-notice__title-text")).toBe("Your account is temporarily locked");
  });

  it("injects its stylesheet once per document, with a nonce, or not at all", () => {
    renderNotice(container, locked(), { clock: fakeClock(), styleNonce: "abc" });
    renderNotice(container, locked(), { clock: fakeClock() });
    const styles = document.querySelectorAll("style[data-msal-guard-notice]");
    expect(styles).toHaveLength(1);
    expect((styles[0] as HTMLStyleElement).nonce).toBe("abc");
    expect(styles[0]?.textContent).toContain("var(--msal-guard-notice-bg");
    document.head.innerHTML = "";
    renderNotice(container, locked(), { clock: fakeClock(), injectStyles: false });
    expect(document.querySelectorAll("style")).toHaveLength(0);
  });

  it("uses the global timer by default (fake timers apply)", () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 22, 9, 0, 0) });
    try {
      const dispose = renderNotice(container, locked(5_000), { onRetry: () => undefined });
      expect(button()?.hidden).toBe(true);
      vi.advanceTimersByTime(5_000);
      expect(button()?.hidden).toBe(false);
      dispose();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("needs an element", () => {
    expect(() => renderNotice(null as unknown as Element, locked())).toThrow(TypeError);
  });
});
