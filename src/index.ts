/**
 * msal-guard core: platform-free classification of Entra ID / MSAL failures, typed
 * errors, and user-facing messages. No runtime dependencies; safe in browsers and Node.
 */
export { classify, classificationOf } from "./core/classify.js";
export type { ClassifyOptions } from "./core/classify.js";
export type { Classification, ErrorSource } from "./core/classification.js";
export { GUARD_ERROR_KINDS, KIND_TRAITS, isGuardErrorKind } from "./core/kinds.js";
export type { FixedBy, GuardErrorKind, KindTraits, RetryAdvice } from "./core/kinds.js";
export {
  AccessDeniedError,
  AccountLockedError,
  AccountUnavailableError,
  AdminConsentRequiredError,
  ClientMisconfiguredError,
  ConditionalAccessBlockedError,
  ConsentRequiredError,
  DeviceNotCompliantError,
  ERROR_CLASS_BY_KIND,
  InteractionRequiredError,
  InvalidCredentialsError,
  InvalidRequestError,
  MfaRequiredError,
  MsalGuardError,
  NetworkFailureError,
  PasswordExpiredError,
  TenantMisconfiguredError,
  ThrottledError,
  TransientError,
  UnknownAuthError,
  UserCancelledError,
  PopupBlockedError,
  isMsalGuardError,
  toGuardError,
} from "./core/errors.js";
export type { GuardError, MsalGuardErrorOptions } from "./core/errors.js";
export { catalogueCodes, kindForCode } from "./core/catalogue/index.js";
export { codeDetails } from "./core/catalogue/details.js";
export type { CodeDetails } from "./core/catalogue/details.js";
export { parseRetryAfter, retryAfterFromHeaders } from "./core/retry-after.js";
export {
  builtInLocales,
  createMessageFormatter,
  de,
  en,
  es,
  formatWait,
  fr,
  ja,
  messageFor,
} from "./core/messages/index.js";
export type {
  KindMessages,
  LocaleMessages,
  LocalePreference,
  MessageFormatter,
  MessageFormatterOptions,
  MessageOptions,
  UnitForms,
  UserMessage,
} from "./core/messages/index.js";
export { explain } from "./core/explain.js";
export type { Explanation } from "./core/explain.js";
export { createSuppressionEngine, maskUser } from "./core/guard/engine.js";
export type {
  GuardCounts,
  GuardEvent,
  GuardIdentity,
  GuardRequest,
  GuardStatus,
  ResetScope,
  SuppressionEngine,
  SuppressionEngineOptions,
  SuppressionEntry,
} from "./core/guard/engine.js";
export { MemoryStore } from "./core/guard/memory-store.js";
export type { MemoryStoreOptions } from "./core/guard/memory-store.js";
export { resolvePolicy, MIN_FIRST_RETRY_DELAY_MS } from "./core/guard/policy.js";
export type { SuppressionPolicy, SuppressionPolicyOptions } from "./core/guard/policy.js";
export { systemGuardClock } from "./core/guard/store.js";
export type { GuardClock, GuardStore } from "./core/guard/store.js";
export type { SuppressionReason } from "./core/guard/records.js";
export { OBSERVED_HEADER_NAMES } from "./core/observed.js";
export type { ObservedHttpRecord } from "./core/observed.js";
