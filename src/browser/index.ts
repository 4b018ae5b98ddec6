/**
 * msal-guard for browsers (`msal-guard/browser`): wrap a msal-browser application so token
 * calls that cannot succeed are never sent, with typed errors out, suppression shared by
 * the origin's tabs, and a framework-free notice for the user.
 *
 * Imports only `@azure/msal-browser` and msal-guard's platform-free core.
 */
export { guardClient } from "./guard-client.js";
export type {
  BlockedError,
  BrowserGuardControls,
  BrowserGuardEvent,
  BrowserGuardOptions,
  BrowserResponseSource,
  GuardedBrowserClient,
  InteractionMode,
} from "./guard-client.js";
export { createBrowserNetworkObserver, OBSERVED_BROWSER_HEADERS } from "./network-observer.js";
export type {
  BrowserNetworkObserver,
  BrowserNetworkObserverOptions,
  ObservedBrowserFailure,
  ObservedBrowserResponse,
  ObservedBrowserSystemOptions,
  ObservedBrowserTransportFailure,
} from "./network-observer.js";
export { LocalStorageStore } from "./stores/local-storage-store.js";
export type { LocalStorageStoreEvent, LocalStorageStoreOptions } from "./stores/local-storage-store.js";
export { renderNotice } from "./notice.js";
export type { DisposeNotice, NoticeClock, NoticeOptions } from "./notice.js";
