// The demo page: real msal-browser pointed at the Entra simulator (config from
// /config.json, written by serve.ts), every token call going through msal-guard.
import { PublicClientApplication, type AccountInfo, type AuthenticationResult } from "@azure/msal-browser";
import { builtInLocales, createMessageFormatter, isMsalGuardError, type GuardErrorKind } from "msal-guard";
import { createBrowserNetworkObserver, guardClient, renderNotice, type DisposeNotice } from "msal-guard/browser";
import type { SpaDemoConfig } from "./serve.js";

const LOCALES = ["en", "de", "fr", "es", "ja"] as const;
const messages = createMessageFormatter({ locales: builtInLocales });

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} missing from index.html`);
  return found as T;
}

const result = element<HTMLDivElement>("result");
const notice = element<HTMLDivElement>("notice");
const localeSelect = element<HTMLSelectElement>("locale");
const accountLabel = element<HTMLSpanElement>("account");
const forceRefresh = element<HTMLInputElement>("force-refresh");

/** The notice on screen: the failure and when a retry is allowed, so a locale change can draw it again. */
let shown: { error: unknown; retryAt: number | undefined; dispose: DisposeNotice } | undefined;
/** For a look from the devtools console (and the tests): `msalGuardDemo.lastError`. */
const demoHandle: { lastError?: unknown; client?: unknown } = {};
(globalThis as { msalGuardDemo?: typeof demoHandle }).msalGuardDemo = demoHandle;
/** When the guard's latest recorded suppression ends, by kind (from its `classified` events). */
const suppressedUntil = new Map<GuardErrorKind, number>();

function currentLocale(): string {
  const value = localeSelect.value;
  return (LOCALES as readonly string[]).includes(value) ? value : "en";
}

function drawNotice(error: unknown, retryAt: number | undefined): void {
  shown?.dispose();
  const dispose = renderNotice(notice, error, { locale: currentLocale(), messages, ...(retryAt === undefined ? {} : { retryAt }) });
  shown = { error, retryAt, dispose };
}

function clearNotice(): void {
  shown?.dispose();
  shown = undefined;
}

function setResult(state: string, text: string, data: Record<string, string> = {}): void {
  for (const key of Object.keys(result.dataset)) delete result.dataset[key];
  result.dataset["state"] = state;
  Object.assign(result.dataset, data);
  result.textContent = text;
}

function showSuccess(what: string, outcome: AuthenticationResult): void {
  setResult("ok", `${what}: token for ${outcome.account.username} (${outcome.accessToken.slice(0, 12)}…, from ${outcome.fromCache ? "the cache" : "the server"})`);
  clearNotice();
}

function showFailure(what: string, error: unknown): void {
  demoHandle.lastError = error;
  if (!isMsalGuardError(error)) {
    setResult("error", `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    clearNotice();
    return;
  }
  // What MSAL itself threw (the guard keeps it as `cause`): its name and code only, never server text.
  const cause = error.cause as { name?: unknown; errorCode?: unknown } | undefined;
  const msal = cause === undefined ? "" : `${String(cause.name)}/${String(cause.errorCode)}`;
  setResult(
    error.suppressed ? "suppressed" : "error",
    `${what} failed: ${error.kind}${error.codes.length > 0 ? ` (AADSTS${error.codes.join(", AADSTS")})` : ""}` +
      (error.suppressed ? ", refused by msal-guard: no request was sent" : `; MSAL threw ${msal}`),
    { kind: error.kind, codes: error.codes.join(","), ...(msal ? { msal } : {}) },
  );
  drawNotice(error, error.retryAt ?? suppressedUntil.get(error.kind));
}

function activeAccount(pca: PublicClientApplication): AccountInfo | null {
  return pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;
}

async function main(): Promise<void> {
  const config = (await (await fetch("/config.json")).json()) as SpaDemoConfig;
  // Sees every token-endpoint response, including the ones MSAL hides behind its iframe fallback.
  const observer = createBrowserNetworkObserver();
  const pca = new PublicClientApplication({
    auth: config.auth,
    // Shared by the origin's tabs, like msal-guard's default suppression store.
    cache: { cacheLocation: "localStorage" },
    system: observer.system({ loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false } }),
  });
  await pca.initialize();
  const client = guardClient(pca, {
    observer,
    // The textbook fallback, done by the guard: a popup only when a sign-in can fix the failure.
    interaction: "popup",
    // Silent calls that meet a 5xx or a dropped connection are sent again, after 5 s or more
    // (backoff with jitter). A sign-in window is never reopened behind the user's back.
    retry: { attempts: 2 },
    onEvent: (event) => {
      if (event.type === "classified" && event.until !== undefined) suppressedUntil.set(event.classification.kind, event.until);
    },
  });
  demoHandle.client = client;
  const scopes = [...config.scopes];
  const showAccount = () => {
    accountLabel.textContent = activeAccount(pca)?.username ?? "none";
  };

  const run = (id: string, what: string, action: () => Promise<AuthenticationResult>) => {
    element<HTMLButtonElement>(id).addEventListener("click", () => {
      setResult("busy", `${what}…`);
      action().then(
        (outcome) => {
          pca.setActiveAccount(outcome.account);
          showAccount();
          showSuccess(what, outcome);
        },
        (error: unknown) => showFailure(what, error),
      );
    });
  };

  run("sign-in", "Sign in", () => client.acquireTokenPopup({ scopes, prompt: "select_account" }));

  run("get-token", "Get token", () => {
    const account = activeAccount(pca);
    if (account === null) return Promise.reject(new Error("Sign in first."));
    return client.acquireTokenSilent({ scopes, account, forceRefresh: forceRefresh.checked });
  });

  // An interactive sign-in as the locked user: Entra answers AADSTS50053 on the redirect.
  run("try-locked", "Sign in as the locked user", () =>
    client.acquireTokenPopup({ scopes, loginHint: config.users.locked, prompt: "login" }),
  );

  // A silent sign-in (hidden iframe) as the blocked user: AADSTS53003, which MSAL raises as
  // InteractionRequiredAuthError. The guard knows a popup can't help and opens none.
  run("try-blocked", "Silent sign-in as the CA-blocked user", () => client.ssoSilent({ scopes, loginHint: config.users.blocked }));

  element<HTMLButtonElement>("sign-out").addEventListener("click", () => {
    pca.clearCache().then(
      () => {
        showAccount();
        clearNotice();
        setResult("idle", "Accounts forgotten (tokens removed from this browser).");
      },
      (error: unknown) => showFailure("Forget accounts", error),
    );
  });

  localeSelect.addEventListener("change", () => {
    if (shown !== undefined) drawNotice(shown.error, shown.retryAt);
  });

  showAccount();
  setResult("idle", "Ready.");
  document.querySelectorAll("button").forEach((button) => (button.disabled = false));
  document.body.dataset["ready"] = "true";
}

main().catch((error: unknown) => {
  setResult("error", `The demo could not start: ${error instanceof Error ? error.message : String(error)}`);
});
