// A browser app as a user writes it, compiled by test/compat/types.test.ts against the
// built package with `@azure/msal-browser` resolving to each supported major in turn. Not run.
import { PublicClientApplication, type AccountInfo, type AuthenticationResult } from "@azure/msal-browser";
import { createMessageFormatter, en, isMsalGuardError } from "msal-guard";
import { createBrowserNetworkObserver, guardClient, renderNotice } from "msal-guard/browser";

const observer = createBrowserNetworkObserver();
const pca = new PublicClientApplication({ auth: { clientId: "client-id" }, system: observer.system() });
const messages = createMessageFormatter({ locales: [en] });

export async function tokenFor(account: AccountInfo, noticeElement: HTMLElement): Promise<AuthenticationResult | undefined> {
  await pca.initialize();
  const client = guardClient(pca, { observer, interaction: "popup", accessDeniedUrl: "/access-denied" });
  await client.handleRedirectPromise();
  try {
    return await client.acquireTokenSilent({ account, scopes: ["User.Read"] });
  } catch (error) {
    if (isMsalGuardError(error)) {
      const dispose = renderNotice(noticeElement, error, { locale: navigator.languages, messages, onRetry: () => tokenFor(account, noticeElement) });
      void dispose;
    }
    return undefined;
  }
}
