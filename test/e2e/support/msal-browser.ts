// msal-browser builds and network plumbing for jsdom tests. Everything that fails here
// fails inside real MSAL code; these helpers only load it and watch its traffic.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PROJECT_ROOT } from "./paths.js";

/** The msal-browser API surface the tests use (the typings of the installed package). */
export type MsalBrowser = typeof import("@azure/msal-browser");
type NetworkModule = import("@azure/msal-browser").INetworkModule;
type RequestOptions = Parameters<NetworkModule["sendPostRequestAsync"]>[1];

/** Path of the minified UMD build that ships in the package (what a `<script>` tag loads). */
export function msalBrowserUmdPath(): string {
  const require = createRequire(join(PROJECT_ROOT, "package.json"));
  // The package's exports hide lib/, so resolve the package root through package.json.
  return join(require.resolve("@azure/msal-browser/package.json"), "..", "lib", "msal-browser.min.js");
}

/**
 * Runs the minified UMD build in the (jsdom) window's global scope, as a classic script
 * would, and returns the `msal` global it defines. `dispose` removes the global.
 */
export function loadMsalBrowserUmd(): { msal: MsalBrowser; dispose(): void } {
  const host = window as unknown as { eval(code: string): unknown; msal?: MsalBrowser };
  if (host.msal !== undefined) throw new Error("an msal global already exists");
  // Indirect eval: global scope, no module wrapper, no `exports`: the UMD takes its global branch.
  host.eval(readFileSync(msalBrowserUmdPath(), "utf8"));
  const msal = host.msal;
  if (msal === undefined) throw new Error("the UMD build did not define window.msal");
  return {
    msal,
    dispose: () => {
      delete host.msal;
    },
  };
}

/** A network-module call that rejected, with what it rejected with. */
export interface RejectedCall {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly error: unknown;
}

/**
 * Wraps a network module (e.g. MSAL's own FetchClient) and records every rejection
 * before passing it on unchanged, to see the objects MSAL unwraps before the caller does.
 */
export function recordRejections(inner: NetworkModule): { client: NetworkModule; rejected: RejectedCall[] } {
  const rejected: RejectedCall[] = [];
  const watch = <T>(method: "GET" | "POST", url: string, call: Promise<T>): Promise<T> =>
    call.catch((error: unknown) => {
      rejected.push({ method, url, error });
      throw error;
    });
  const client: NetworkModule = {
    sendGetRequestAsync<T>(url: string, options?: RequestOptions, timeout?: number) {
      return watch("GET", url, inner.sendGetRequestAsync<T>(url, options, timeout));
    },
    sendPostRequestAsync<T>(url: string, options?: RequestOptions) {
      return watch("POST", url, inner.sendPostRequestAsync<T>(url, options));
    },
  };
  return { client, rejected };
}
