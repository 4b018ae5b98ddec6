/**
 * msal-guard on Redis (`msal-guard/redis`): one suppression decision for a whole fleet.
 * Needs the `ioredis` package (an optional peer dependency of msal-guard).
 */
export { RedisStore } from "./redis-store.js";
export type { RedisClient, RedisStoreEvent, RedisStoreOptions } from "./redis-store.js";
export { RedisStoreError, isRedisStoreError } from "./redis-store-error.js";
export type { RedisStoreErrorKind } from "./redis-store-error.js";
export type { RedisStoreCorruptReason } from "./values.js";
