// A simulated tenant shared by the end-to-end tests: real MSAL talks to it over loopback.
import { isMsalGuardError, type GuardStore, type MsalGuardError } from "../../src/index.js";
import { createManualClock, startEntraSimulator, type EntraSimulator, type EntraSimulatorOptions, type ManualClock } from "../../src/testing/index.js";

export const PASSWORD = "Correct-Horse-7";
export const CA_POLICY_ID = "5f1d3c2a-9b8e-4c7d-a6f5-0e1d2c3b4a59";

export const USERS = {
  ada: "ada@contoso.test",
  disabled: "dis@contoso.test",
  expired: "exp@contoso.test",
  mfa: "mfa@contoso.test",
  consent: "con@contoso.test",
  blocked: "blocked@contoso.test",
} as const;

export const CLIENTS = {
  /** Public client for ROPC, device code and refresh token flows. */
  publicApp: "11111111-1111-4111-8111-111111111111",
  /** Confidential client with a valid secret. */
  daemon: "22222222-2222-4222-8222-222222222222",
  /** Confidential client whose secret has expired. */
  expiredSecret: "33333333-3333-4333-8333-333333333333",
  /** Confidential client blocked by Conditional Access. */
  blockedDaemon: "44444444-4444-4444-8444-444444444444",
} as const;

export const SECRET = "daemon-secret-value";

/** A user-assigned managed identity, by each of the ids msal-node can name it with. */
export const JOB_IDENTITY = {
  clientId: "7b9d1f3a-5c7e-4a2b-8d6f-0e2c4a6b8d0f",
  objectId: "c3e5a7b9-1d2f-4a6c-8e0b-5d7f9a1c3e5b",
  resourceId: "/subscriptions/2c4e6a8b-0d1f-4e3a-9c5b-7d9f1b3d5f7a/resourceGroups/jobs/providers/Microsoft.ManagedIdentity/userAssignedIdentities/report-job",
} as const;

export interface Tenant {
  sim: EntraSimulator;
  clock: ManualClock;
}

export async function startTenant(overrides: EntraSimulatorOptions = {}): Promise<Tenant> {
  const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  const sim = await startEntraSimulator({
    clock,
    users: [
      { username: USERS.ada, password: PASSWORD },
      { username: USERS.disabled, password: PASSWORD, state: "disabled" },
      { username: USERS.expired, password: PASSWORD, state: "password_expired" },
      { username: USERS.mfa, password: PASSWORD, state: "mfa_required" },
      { username: USERS.consent, password: PASSWORD, state: "consent_missing" },
      { username: USERS.blocked, password: PASSWORD },
    ],
    clients: [
      { clientId: CLIENTS.publicApp, type: "public" },
      { clientId: CLIENTS.daemon, secret: SECRET },
      { clientId: CLIENTS.expiredSecret, secret: SECRET, secretState: "expired" },
      { clientId: CLIENTS.blockedDaemon, secret: SECRET },
    ],
    conditionalAccess: [
      { policyId: CA_POLICY_ID, users: [USERS.blocked], action: "block" },
      { policyId: CA_POLICY_ID, clients: [CLIENTS.blockedDaemon], action: "block" },
    ],
    ...overrides,
  });
  return { sim, clock };
}

/** MSAL logger settings that keep test output clean (a test that prints fails). */
/** The msal-guard error a call rejected with; fails the test when it resolved or threw anything else. */
export async function guardRejection(call: Promise<unknown>): Promise<MsalGuardError> {
  try {
    await call;
  } catch (error) {
    if (!isMsalGuardError(error)) throw new Error(`expected an msal-guard error, got ${String(error)}`);
    return error;
  }
  throw new Error("expected the call to fail");
}

export const quietLogger = {
  loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} },
};

/**
 * `store` behind a slow link: every write and delete takes `ms` longer (real time) to land,
 * so that calls failing at the same moment read a record before each other's writes arrive.
 */
export function slowWrites(store: GuardStore, ms: number): GuardStore {
  const later = () => new Promise((resolve) => setTimeout(resolve, ms));
  const slow: GuardStore = {
    get: (key) => store.get(key),
    set: async (key, value, ttlMs) => {
      await later();
      return store.set(key, value, ttlMs);
    },
    delete: async (key) => {
      await later();
      return store.delete(key);
    },
    acquireLease: (key, holder, ttlMs) => store.acquireLease(key, holder, ttlMs),
    releaseLease: (key, holder) => store.releaseLease(key, holder),
  };
  if (store.fingerprintSecret !== undefined) slow.fingerprintSecret = () => store.fingerprintSecret!();
  if (store.listKeys !== undefined) slow.listKeys = (limit) => store.listKeys!(limit);
  if (store.subscribe !== undefined) slow.subscribe = (listener) => store.subscribe!(listener);
  return slow;
}

