// A Node app as a user writes it, compiled by test/compat/types.test.ts against the built
// package with `@azure/msal-node` resolving to each supported major in turn. Not run.
import { ConfidentialClientApplication, PublicClientApplication, type AuthenticationResult } from "@azure/msal-node";
import { AccountLockedError, classify, isMsalGuardError, messageFor } from "msal-guard";
import { FileStore, createNetworkObserver, guardClient } from "msal-guard/node";

const observer = createNetworkObserver();
const authority = "https://login.microsoftonline.com/contoso.onmicrosoft.com";
const pca = new PublicClientApplication({ auth: { clientId: "client-id", authority }, system: observer.system() });
const cca = new ConfidentialClientApplication(observer.configure({ auth: { clientId: "client-id", authority, clientSecret: "secret" } }));

const job = guardClient(pca, { observer, store: new FileStore({ path: "/var/lib/job/msal-guard.json" }) });
const daemon = guardClient(cca, { observer, onEvent: (event) => void event.type });

export async function run(): Promise<AuthenticationResult | null> {
  try {
    const appToken = await daemon.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
    void appToken?.accessToken;
    await job.reset({ kind: "invalid_credentials" });
    const { suppressions } = await job.status();
    void suppressions.map((entry) => entry.until);
    return await job.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: "svc@contoso.com", password: "pw" });
  } catch (error) {
    if (isMsalGuardError(error) && error instanceof AccountLockedError) {
      void messageFor(error, { locale: "de" }).title;
      return null;
    }
    const verdict = classify(error, { response: observer.responseFor(error) });
    if (verdict.kind === "throttled") void verdict.retryAfterMs;
    throw error;
  }
}
