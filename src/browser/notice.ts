/**
 * A framework-free notice for a failed sign-in: title, explanation, what to do, a live
 * countdown until a retry is allowed, then a retry button, and the support reference.
 *
 * Text only: every string goes through `textContent` (nothing reaches `innerHTML`), and
 * the text itself comes from the message tables, never from the server.
 */
import { classificationOf } from "../core/classify.js";
import type { Classification } from "../core/classification.js";
import { KIND_TRAITS, isGuardErrorKind, type GuardErrorKind } from "../core/kinds.js";
import { createMessageFormatter } from "../core/messages/format.js";
import { en } from "../core/messages/locales/en.js";
import type { LocalePreference, MessageFormatter, UserMessage } from "../core/messages/types.js";
import { read } from "../core/read.js";

/** Time and a repeating timer, injected for tests. Defaults bind the globals at call time. */
export interface NoticeClock {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** Calls `callback` every `ms` milliseconds; returns a handle for {@link NoticeClock.clearInterval}. */
  setInterval(callback: () => void, ms: number): unknown;
  /** Stops a timer started with {@link NoticeClock.setInterval}. */
  clearInterval(handle: unknown): void;
}

/** Options for {@link renderNotice}. */
export interface NoticeOptions {
  /** The reader's locale(s), most preferred first, e.g. `navigator.languages`. @default the formatter's fallback (English) */
  readonly locale?: LocalePreference;
  /**
   * The message formatter, i.e. the languages to ship. `messageFor` offers all five built-in
   * locales; `createMessageFormatter({ locales: [en, de] })` only those.
   * @default English only
   */
  readonly messages?: MessageFormatter;
  /**
   * Called when the user presses the retry button. The button is shown only when it is
   * given, once the wait is over, and only for failures a retry (or a new sign-in) can fix.
   * While a returned promise is pending the button is `aria-disabled` and ignores presses, so
   * it can't be hammered (not `disabled`: browsers drop the focus of a disabled button).
   */
  readonly onRetry?: () => void | PromiseLike<unknown>;
  /** When the wait before retrying started, for errors that carry only `retryAfterMs`. @default now */
  readonly now?: Date | number;
  /** When a retry is allowed, overriding what the input says. */
  readonly retryAt?: Date | number;
  readonly clock?: Partial<NoticeClock>;
  /** Extra class names for the notice's root element. */
  readonly className?: string;
  /** Add the small default stylesheet (once per document, or per shadow root drawn into). Turn off to ship your own CSS. @default true */
  readonly injectStyles?: boolean;
  /** CSP nonce for the injected `<style>` element. */
  readonly styleNonce?: string;
  /** Overrides the retry button's text. @default the message table's `retryLabel` ("Try again" in English) */
  readonly retryLabel?: string;
}

/** Removes the notice and stops its timer. Safe to call more than once. */
export type DisposeNotice = () => void;

const STYLE_MARKER = "data-msal-guard-notice";
// Custom properties with defaults; `--msal-guard-notice-*` set by the app win. Colour is
// decoration only: the title says what happened, the icon has a shape per severity.
const CSS =
  ".msal-guard-notice{box-sizing:border-box;margin:0 0 1em;padding:1em 1.25em;border:1px solid var(--msal-guard-notice-border,#d0d4da);border-inline-start:.35em solid var(--msal-guard-notice-accent,#b54708);border-radius:var(--msal-guard-notice-radius,.5em);background:var(--msal-guard-notice-bg,#fffaf0);color:var(--msal-guard-notice-fg,#1f2328);font:var(--msal-guard-notice-font,inherit);line-height:1.45}" +
  ".msal-guard-notice[data-severity=blocked]{border-inline-start-color:var(--msal-guard-notice-accent-blocked,#b42318)}" +
  ".msal-guard-notice[data-severity=wait]{border-inline-start-color:var(--msal-guard-notice-accent-wait,#175cd3)}" +
  ".msal-guard-notice p{margin:0 0 .5em}" +
  ".msal-guard-notice__title{font-weight:600;font-size:1.05em}" +
  ".msal-guard-notice__icon{margin-inline-end:.4em}" +
  ".msal-guard-notice__reference{font-size:.85em;color:var(--msal-guard-notice-muted,#57606a);overflow-wrap:anywhere}" +
  ".msal-guard-notice__retry{font:inherit;margin:.25em 0 .5em;padding:.4em 1em;border:1px solid transparent;border-radius:var(--msal-guard-notice-radius,.5em);background:var(--msal-guard-notice-button-bg,#1f2328);color:var(--msal-guard-notice-button-fg,#fff);cursor:pointer}" +
  ".msal-guard-notice__retry:focus-visible{outline:3px solid var(--msal-guard-notice-focus,#175cd3);outline-offset:2px}" +
  ".msal-guard-notice__retry[aria-disabled=true]{opacity:.6;cursor:default}" +
  ".msal-guard-notice__retry[hidden]{display:none}";

let defaultFormatter: MessageFormatter | undefined;
let ids = 0;
/** The notice drawn into each container, so drawing again replaces it rather than stacking a second one (and timer). */
const drawn = new WeakMap<Element, readonly [HTMLElement, DisposeNotice]>();
/** Containers whose notice had the focus when it was disposed of, until the next microtask. */
const focusHandedOver = new WeakSet<Element>();

/**
 * Draws a notice about a failed sign-in into `container` (appended to what is there; a
 * notice drawn earlier into the same container is replaced, its timer stopped).
 * `input` is an msal-guard error, a `Classification`, or anything `classify` accepts.
 * Returns `dispose`, which stops the countdown and removes the notice. A notice taken off
 * the page some other way (its container unmounted) stops its countdown by itself.
 *
 * - A `role="region"` named by its title. Inside, a `role="alert"` announces the title and
 *   explanation once, and what to do whenever no countdown is in it: at once when there is
 *   no wait, else once when the wait is over. The countdown is a `role="timer"` outside the
 *   alert, updated in place, so screen readers never re-announce it each second.
 * - The retry button is a real `<button type="button">`, keyboard reachable; the notice
 *   never moves focus, except to keep it in the notice when it replaces one that had it (or
 *   one disposed of just before, with no await between).
 * - Themable with CSS custom properties: `--msal-guard-notice-bg`, `-fg`, `-border`,
 *   `-accent`, `-accent-wait`, `-accent-blocked`, `-muted`, `-radius`, `-font`,
 *   `-button-bg`, `-button-fg`, `-focus`.
 *
 * @example
 * catch (error) {
 *   const dispose = renderNotice(el, error, { locale: navigator.languages, onRetry: signIn });
 * }
 */
export function renderNotice(container: Element, input: unknown, options: NoticeOptions = {}): DisposeNotice {
  const doc = container?.ownerDocument;
  if (doc === undefined || doc === null || typeof container.appendChild !== "function") {
    throw new TypeError("msal-guard: renderNotice(container, ...) needs a DOM element to draw into.");
  }
  const clock: NoticeClock = {
    now: options.clock?.now ?? (() => Date.now()),
    setInterval: options.clock?.setInterval ?? ((callback, ms) => globalThis.setInterval(callback, ms)),
    clearInterval: options.clock?.clearInterval ?? ((handle) => globalThis.clearInterval(handle as ReturnType<typeof setInterval>)),
  };
  const format = options.messages ?? (defaultFormatter ??= createMessageFormatter({ locales: [en] }));
  const classification = classificationOf(input);
  const kind: GuardErrorKind = isGuardErrorKind(classification.kind) ? classification.kind : "unknown";
  const traits = KIND_TRAITS[kind];
  const deadline = deadlineOf(input, classification, options, clock);
  // Time is the fix for lockouts and throttling: retry after the countdown. Someone else
  // must fix the rest (a policy, the app's registration): no retry button for those.
  const countdown = traits.fixedBy === "time" && deadline !== undefined;
  const retryable = traits.fixedBy === "user" || traits.fixedBy === "time" || kind === "unknown";

  if (options.injectStyles !== false) injectStyles(doc, container.getRootNode() as Document | ShadowRoot, options.styleNonce);
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] => {
    const node = doc.createElement(tag);
    node.className = className;
    return node;
  };
  const messageAt = (now: number): UserMessage => {
    const remaining = countdown ? Math.max(0, (deadline as number) - now) : undefined;
    // 0 once the wait is over: the advice then says the user may try again now.
    return format({ ...classification, retryAfterMs: remaining }, { locale: options.locale, now });
  };

  const first = messageAt(clock.now());
  const root = el("div", `msal-guard-notice${options.className ? ` ${options.className.trim()}` : ""}`);
  root.lang = first.locale;
  // Its own direction, from its text: in the page's, an English notice on a right-to-left
  // page is laid out right to left (full stops at the start of its lines), and a notice in
  // a right-to-left language left to right on most pages.
  root.dir = "auto";
  root.dataset.kind = kind;
  root.dataset.severity = traits.fixedBy === "time" ? "wait" : retryable ? "action" : "blocked";
  // A region: aria-labelledby names nothing on a role-less div, and as a named landmark the
  // notice is easy to find again, say when the wait is over.
  root.setAttribute("role", "region");
  // Only the alert is live (assertive, atomic): announced when it is inserted, and read out
  // again in full whenever something in it changes. So the ticking countdown must not be in
  // it: its `role="timer"` is implicitly aria-live="off", but WebKit reports a text change to
  // every live ancestor that isn't "off", so VoiceOver would re-read the alert every second.
  // What to do (the sentence with the countdown) stays outside while the wait runs, and
  // joins the alert when no wait is left: at once, or when the wait is over, which then
  // announces, once, that the user may try again.
  const alert = el("div", "msal-guard-notice__message");
  alert.setAttribute("role", "alert");
  const title = el("p", "msal-guard-notice__title");
  title.id = `msal-guard-notice-${++ids}`;
  root.setAttribute("aria-labelledby", title.id);
  const icon = el("span", "msal-guard-notice__icon");
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = traits.fixedBy === "time" ? "⏳" : retryable ? "⚠" : "⛔";
  const titleText = el("strong", "msal-guard-notice__title-text");
  titleText.textContent = first.title;
  title.append(icon, titleText);
  const body = el("p", "msal-guard-notice__body");
  body.textContent = first.body;
  const action = el("p", "msal-guard-notice__action");
  alert.append(title, body);
  root.append(alert, action);

  let button: HTMLButtonElement | undefined;
  let busy = false;
  const onClick = () => {
    if (busy) return;
    const pending = options.onRetry?.();
    if (button !== undefined && typeof (pending as PromiseLike<unknown> | undefined)?.then === "function") {
      // aria-disabled, not disabled: a disabled button loses the keyboard focus for good.
      busy = true;
      button.setAttribute("aria-disabled", "true");
      const enable = () => {
        busy = false;
        button?.removeAttribute("aria-disabled");
      };
      (pending as PromiseLike<unknown>).then(enable, enable);
    }
  };
  if (options.onRetry !== undefined && retryable) {
    button = el("button", "msal-guard-notice__retry");
    button.type = "button";
    button.textContent = options.retryLabel ?? first.retryLabel ?? en.retryLabel;
    button.addEventListener("click", onClick);
    root.append(button);
  }
  if (first.supportReference !== undefined) {
    const reference = el("p", "msal-guard-notice__reference");
    reference.textContent = first.supportReference;
    root.append(reference);
  }

  // One timer element with one text node, for the whole wait: a tick rewrites that text only.
  const waitText = doc.createTextNode("");
  const timerNode = el("span", "msal-guard-notice__wait");
  timerNode.setAttribute("role", "timer");
  timerNode.append(waitText);
  let timer: unknown;
  let shownAction = "";
  const show = (message: UserMessage, waiting: boolean): void => {
    if (message.action === shownAction) return;
    shownAction = message.action;
    const wait = message.waitText;
    const at = waiting && wait !== undefined ? message.action.indexOf(wait) : -1;
    if (at < 0) {
      action.textContent = message.action;
      return;
    }
    waitText.data = wait as string;
    // The words around it are built once (again only if they change, which built-in tables don't).
    if (action.textContent !== message.action) {
      action.replaceChildren(message.action.slice(0, at), timerNode, message.action.slice(at + (wait as string).length));
    }
  };
  const update = (): void => {
    const now = clock.now();
    const waiting = countdown && (deadline as number) > now;
    show(messageAt(now), waiting);
    root.dataset.state = waiting ? "waiting" : "ready";
    if (button !== undefined) button.hidden = waiting;
    if (!waiting) {
      if (action.parentNode !== alert) alert.append(action);
      if (timer !== undefined) clock.clearInterval(timer);
      timer = undefined;
    }
  };
  update();
  // One notice per container: drawing again (after a failed retry, say) replaces the last
  // one and its timer, and keeps the focus in the notice if it was there, also when the app
  // disposed of the last one just before (a framework's effect cleanup, then the effect).
  drawn.get(container)?.[1]();
  // Taken back only if nothing else took it meanwhile.
  const hadFocus = focusHandedOver.delete(container) && (doc.activeElement === null || doc.activeElement === doc.body);
  container.appendChild(root);
  if (hadFocus) {
    const target = button?.hidden === false ? button : root;
    if (target === root) root.tabIndex = -1;
    target.focus();
  }
  // A notice the app takes off the page without calling dispose (a framework unmounting its
  // container, say) stops at its next tick instead of counting on to the deadline. One drawn
  // into a container that is not on the page yet keeps counting until it has been on it.
  let seenOnPage = false;
  const tick = (): void => {
    if (root.isConnected) seenOnPage = true;
    else if (seenOnPage) return dispose();
    update();
  };
  if (root.dataset.state === "waiting") timer = clock.setInterval(tick, 1_000);

  let disposed = false;
  const dispose: DisposeNotice = () => {
    if (disposed) return;
    disposed = true;
    if (timer !== undefined) clock.clearInterval(timer);
    timer = undefined;
    button?.removeEventListener("click", onClick);
    // The document's activeElement is the host of a shadow root the focus is in: ask the notice's own root.
    if (root.contains((root.getRootNode() as Document | ShadowRoot).activeElement)) {
      // For a notice drawn into the same container right after, before any await (see above).
      focusHandedOver.add(container);
      queueMicrotask(() => focusHandedOver.delete(container));
    }
    root.remove();
    if (drawn.get(container)?.[1] === dispose) drawn.delete(container);
  };
  drawn.set(container, [root, dispose]);
  return dispose;
}

/** When a retry is allowed: the option, the error's own `retryAt` (suppressed calls), else start + `retryAfterMs`. */
function deadlineOf(input: unknown, classification: Classification, options: NoticeOptions, clock: NoticeClock): number | undefined {
  const explicit = epochMs(options.retryAt) ?? epochMs(read(input, "retryAt"));
  if (explicit !== undefined) return explicit;
  const wait = classification.retryAfterMs;
  if (typeof wait !== "number" || !Number.isFinite(wait) || wait < 0) return undefined;
  return (epochMs(options.now) ?? clock.now()) + wait;
}

function epochMs(value: unknown): number | undefined {
  const ms = value instanceof Date ? value.getTime() : value;
  return typeof ms === "number" && Number.isFinite(ms) ? ms : undefined;
}

function injectStyles(doc: Document, scope: Document | ShadowRoot, nonce: string | undefined): void {
  // Document styles don't reach into a shadow root: one drawn into a shadow root gets its own copy.
  if (!("host" in scope)) scope = doc;
  if (scope.querySelector(`style[${STYLE_MARKER}]`) !== null) return;
  const style = doc.createElement("style");
  style.setAttribute(STYLE_MARKER, "");
  if (nonce !== undefined) style.nonce = nonce;
  style.textContent = CSS;
  (scope === doc ? (doc.head ?? doc.documentElement) : scope).appendChild(style);
}
