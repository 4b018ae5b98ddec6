/**
 * `msal-guard/testing`: a local Entra ID token-service simulator for tests of sign-in
 * failure handling (smart lockout, Conditional Access, loops, throttling, faults), with
 * a managed identity endpoint (IMDS) for msal-node's `ManagedIdentityApplication`.
 */
export {
  startEntraSimulator,
  DEFAULT_TENANT_ID,
  SOURCE_ADDRESS_QUERY_PARAMETER,
  type EntraSimulator,
  type EntraSimulatorOptions,
  type SimulatorLockoutOptions,
  type SimulatorDeviceCodeOptions,
  type LockoutSnapshot,
  type AuthorizationCodeOptions,
  type SignInFailureRule,
  type SignInMatch,
} from "./simulator.js";
export { AUTHORIZE_ERROR_BY_CODE, type AuthorizeErrorRule } from "./authorize-endpoint.js";
export { createManualClock, createGuardClock, systemClock, DEFAULT_MANUAL_CLOCK_START_MS, type SimulatorClock, type ManualClock, type SimulatedGuardClock } from "./clock.js";
export type { SimulatedUser, SimulatedUserUpdate, SimulatedClient, CaRule, UserState } from "./directory.js";
export type {
  Fault,
  StatusFault,
  DelayFault,
  DropFault,
  FaultBody,
  FaultMatch,
  FaultHandle,
  ThrottleRule,
  SimulatedGrant,
  SimulatorEndpoint,
} from "./faults.js";
export {
  evaluatePasswordAttempt,
  escalatingDuration,
  isLocked,
  INITIAL_LOCKOUT_COUNTER,
  REMEMBERED_BAD_HASHES,
  DEFAULT_LOCKOUT_DURATION_MS,
  DEFAULT_MAX_LOCKOUT_DURATION_MS,
  type LockoutCounter,
  type LockoutDecision,
  type LockoutEscalation,
  type LockoutLocation,
  type LockoutPolicy,
  type PasswordAttempt,
} from "./lockout.js";
export { DEFAULT_LOOP_LIMIT, DEFAULT_LOOP_WINDOW_MS, type LoopDetectionOptions } from "./loop-detection.js";
export type { RequestLogEntry, RequestCounts } from "./request-log.js";
export type { ErrorShapeOptions } from "./tenant.js";
export type { EntraErrorBody, TokenResponseBody } from "./responses.js";
export type { SimulatedManagedIdentity, SimulatorManagedIdentityOptions, ImdsErrorBody, ImdsTokenResponseBody } from "./managed-identity.js";
export type { SimulatorEndpoints, MsalNodeAuthOptions, MsalBrowserAuthOptions } from "./config.js";
export {
  createSimulatorNetworkClient,
  SimulatorNetworkError,
  SOURCE_ADDRESS_HEADER,
  type SimulatorNetworkModule,
  type SimulatorNetworkClientOptions,
  type SimulatorNetworkRequestOptions,
  type SimulatorNetworkResponse,
  type NetworkFailure,
  type NetworkFailureKind,
  type NetworkObservation,
} from "./network-client.js";
