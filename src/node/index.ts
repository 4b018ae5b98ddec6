/**
 * msal-guard for Node (`msal-guard/node`): wrap a msal-node application so token calls
 * that cannot succeed are never sent, with typed errors out.
 */
export { guardClient } from "./guard-client.js";
export type { GuardClientOptions, GuardControls, GuardedClient, ResponseSource } from "./guard-client.js";
export { createNetworkObserver, OBSERVED_HEADERS } from "./network-observer.js";
export type {
  NetworkObserver,
  ObservedCall,
  NetworkObserverOptions,
  ObservedHttpResponse,
  ObservedResponse,
  ObservedSystemOptions,
  ObservedTransportFailure,
} from "./network-observer.js";
export { FileStore } from "./stores/file-store.js";
export type { FileStoreCorruptReason, FileStoreEvent, FileStoreOptions } from "./stores/file-store.js";
export { FileStoreError, isFileStoreError } from "./stores/file-store-error.js";
export type { FileStoreErrorKind } from "./stores/file-store-error.js";
