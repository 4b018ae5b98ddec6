/**
 * msal-guard for Node (`msal-guard/node`): wrap a msal-node application so token calls
 * that cannot succeed are never sent, with typed errors out.
 */
export { guardClient } from "./guard-client.js";
export type { GuardClientOptions, GuardControls, GuardedClient, ResponseSource } from "./guard-client.js";
