/**
 * The simulated tenant's directory: users, app registrations and Conditional Access
 * rules, with the pure matching rules the token endpoint applies to them.
 */
import { createHash } from "node:crypto";
import { stableGuid } from "./responses.js";
import { checkKnownKeys, checkNonEmptyString, checkOneOf } from "./validation.js";

/**
 * Account states the token endpoint reacts to:
 * - `enabled`: signs in normally.
 * - `disabled`: AADSTS50057.
 * - `password_expired`: AADSTS50055 (`user_password_expired`), only after a correct password.
 * - `mfa_required`: AADSTS50076 (`basic_action`) on non-interactive grants.
 * - `consent_missing`: AADSTS65001 (`consent_required`) on non-interactive grants.
 */
export type UserState = "enabled" | "disabled" | "password_expired" | "mfa_required" | "consent_missing";

/** Every {@link UserState}. */
export const USER_STATES: readonly UserState[] = ["enabled", "disabled", "password_expired", "mfa_required", "consent_missing"];
/** Every {@link CaRule} `action`. */
export const CA_ACTIONS: readonly CaRule["action"][] = ["block", "require_mfa"];

/** A user of the simulated tenant. */
export interface SimulatedUser {
  /** UPN, e.g. `ada@contoso.test`; matched case-insensitively. */
  readonly username: string;
  /** The correct password. Held only as a hash. */
  readonly password: string;
  /** @default "enabled" */
  readonly state?: UserState;
  /**
   * Source addresses this user has signed in from before (familiar locations). The
   * simulator's `defaultSourceAddress` is familiar for every user.
   */
  readonly familiarAddresses?: readonly string[];
  /** `oid`. @default a GUID derived from the username */
  readonly objectId?: string;
  /** `name` claim. @default the part of the username before `@` */
  readonly displayName?: string;
}

/** Changes `updateUser` can make. */
export interface SimulatedUserUpdate {
  readonly state?: UserState;
  /** New password: revokes the user's refresh tokens and clears lockout, like an admin reset. */
  readonly password?: string;
  readonly familiarAddresses?: readonly string[];
  readonly displayName?: string;
}

/** An app registration. */
export interface SimulatedClient {
  /** Application (client) id. */
  readonly clientId: string;
  /** The client secret of a confidential client. */
  readonly secret?: string;
  /** `expired` answers AADSTS7000222 to the right secret; only with `secret`. @default "valid" */
  readonly secretState?: "valid" | "expired";
  /**
   * A confidential client needs `secret`; a public client has none (a public client that
   * sends a secret gets 700025), so either combination is refused.
   * @default "confidential" when `secret` is set, otherwise "public"
   */
  readonly type?: "confidential" | "public";
  /**
   * Redirect URIs `/authorize` accepts, matched exactly, besides any plain-HTTP
   * loopback URI (`http://127.0.0.1:<port>/...`, `http://localhost:<port>/...`), which
   * every client accepts. @default none
   */
  readonly redirectUris?: readonly string[];
}

/**
 * A Conditional Access rule. It applies when every selector given matches (a selector
 * left out matches everything); a list matches when any entry matches. Rules naming
 * `users` never apply to app-only (client credentials) requests.
 */
export interface CaRule {
  /** Policy id reported in the `capolids` claims challenge. */
  readonly policyId: string;
  readonly users?: readonly string[];
  readonly clients?: readonly string[];
  /** Source addresses. */
  readonly addresses?: readonly string[];
  /** `block`: AADSTS53003 (`message_only`). `require_mfa`: AADSTS50076 (`basic_action`). */
  readonly action: "block" | "require_mfa";
}

/** Stored form of a user. */
export interface UserRecord {
  readonly username: string;
  readonly passwordHash: string;
  readonly state: UserState;
  readonly familiarAddresses: ReadonlySet<string>;
  readonly objectId: string;
  readonly displayName: string;
}

/** Stored form of a client. */
export interface ClientRecord {
  readonly clientId: string;
  readonly secret: string | undefined;
  readonly secretState: "valid" | "expired";
  readonly type: "confidential" | "public";
  readonly redirectUris: readonly string[];
}

/**
 * Throws unless `user` can be added: a user name, a password, and a known `state`.
 * `where` names the call and the entry, e.g. `startEntraSimulator: users[2]`.
 */
export function checkUser(where: string, user: SimulatedUser): void {
  checkKnownKeys(where, user, ["username", "password", "state", "familiarAddresses", "objectId", "displayName"]);
  checkNonEmptyString(where, "username", user.username);
  if (typeof user.password !== "string") throw new TypeError(`${where}: password must be a string (got ${typeof user.password})`);
  checkUserUpdate(where, user);
}

/** Throws unless `update` names a known `state` and, if it sets one, a string password. */
export function checkUserUpdate(where: string, update: SimulatedUserUpdate): void {
  if (update.password !== undefined && typeof update.password !== "string") {
    throw new TypeError(`${where}: password must be a string (got ${typeof update.password})`);
  }
  if (update.state !== undefined) checkOneOf(where, "state", update.state, USER_STATES);
}

/**
 * Throws unless `client` can ever authenticate as configured (see {@link authenticateClient}):
 * a confidential client needs a `secret` (without one every request gets 7000218 or
 * 7000215), and a public client has none (a secret it sent would get 700025, so a
 * configured one could never be used).
 */
export function checkClient(where: string, client: SimulatedClient): void {
  checkKnownKeys(where, client, ["clientId", "secret", "secretState", "type", "redirectUris"]);
  checkNonEmptyString(where, "clientId", client.clientId);
  if (client.secret !== undefined) checkNonEmptyString(where, "secret", client.secret);
  if (client.type !== undefined) checkOneOf(where, "type", client.type, ["confidential", "public"] as const);
  if (client.secretState !== undefined) checkOneOf(where, "secretState", client.secretState, ["valid", "expired"] as const);
  const id = JSON.stringify(client.clientId);
  if (client.type === "confidential" && client.secret === undefined) {
    throw new RangeError(
      `${where}: confidential client ${id} needs a secret: without one no request can authenticate (7000218, or 7000215 for any secret sent); add \`secret\`, or use type "public"`,
    );
  }
  if (client.type === "public" && (client.secret !== undefined || client.secretState !== undefined)) {
    throw new RangeError(
      `${where}: public client ${id} cannot have a secret${client.secret === undefined ? " state" : ""}: a public client that sends a secret gets 700025, so it could never be used; remove \`secret\`/\`secretState\`, or use type "confidential"`,
    );
  }
  if (client.secretState !== undefined && client.secret === undefined) {
    throw new RangeError(`${where}: client ${id} has secretState but no secret; add \`secret\` (a confidential client), or remove \`secretState\``);
  }
}

/** Throws unless `rule` has a policy id and a known `action`. */
export function checkCaRule(where: string, rule: CaRule): void {
  checkKnownKeys(where, rule, ["policyId", "users", "clients", "addresses", "action"]);
  checkNonEmptyString(where, "policyId", rule.policyId);
  checkOneOf(where, "action", rule.action, CA_ACTIONS);
}

/** Directory keys are case-insensitive UPNs. */
export function userKey(username: string): string {
  return username.trim().toLowerCase();
}

/** Hashes a secret with the simulator's salt (so no plain password is ever kept). */
export function hashSecret(salt: string, secret: string): string {
  return createHash("sha256").update(salt).update("\0").update(secret).digest("base64url");
}

export function toUserRecord(user: SimulatedUser, salt: string): UserRecord {
  const key = userKey(user.username);
  return {
    username: user.username,
    passwordHash: hashSecret(salt, user.password),
    state: user.state ?? "enabled",
    familiarAddresses: new Set(user.familiarAddresses ?? []),
    objectId: user.objectId ?? stableGuid(`oid:${key}`),
    displayName: user.displayName ?? (user.username.split("@")[0] || user.username),
  };
}

export function applyUserUpdate(record: UserRecord, update: SimulatedUserUpdate, salt: string): UserRecord {
  return {
    ...record,
    state: update.state ?? record.state,
    passwordHash: update.password === undefined ? record.passwordHash : hashSecret(salt, update.password),
    familiarAddresses: update.familiarAddresses ? new Set(update.familiarAddresses) : record.familiarAddresses,
    displayName: update.displayName ?? record.displayName,
  };
}

export function toClientRecord(client: SimulatedClient): ClientRecord {
  return {
    clientId: client.clientId,
    secret: client.secret,
    secretState: client.secretState ?? "valid",
    type: client.type ?? (client.secret === undefined ? "public" : "confidential"),
    redirectUris: [...(client.redirectUris ?? [])],
  };
}

/** Who is asking, for Conditional Access. `username` is undefined for app-only requests. */
export interface CaSubject {
  readonly username: string | undefined;
  readonly clientId: string;
  readonly sourceAddress: string;
}

/** Rules that apply to `subject`, in configuration order. */
export function matchingCaRules(rules: readonly CaRule[], subject: CaSubject): CaRule[] {
  return rules.filter((rule) => {
    if (rule.users !== undefined) {
      if (subject.username === undefined) return false;
      const key = userKey(subject.username);
      if (!rule.users.some((u) => userKey(u) === key)) return false;
    }
    if (rule.clients !== undefined && !rule.clients.includes(subject.clientId)) return false;
    if (rule.addresses !== undefined && !rule.addresses.includes(subject.sourceAddress)) return false;
    return true;
  });
}

/** Outcome of client authentication: the record, or the AADSTS code to answer. */
export type ClientAuthResult =
  | { readonly ok: true; readonly client: ClientRecord }
  | { readonly ok: false; readonly code: number };

/**
 * Authenticates the client of a token request.
 * Unknown id: 700016. Public client sending a secret: 700025. Confidential client (or a
 * grant that needs one) without a secret: 7000218. Wrong secret: 7000215. Right secret
 * marked expired: 7000222.
 */
export function authenticateClient(
  client: ClientRecord | undefined,
  presentedSecret: string | undefined,
  needsConfidential: boolean,
): ClientAuthResult {
  if (client === undefined) return { ok: false, code: 700016 };
  if (client.type === "public") {
    if (presentedSecret !== undefined) return { ok: false, code: 700025 };
    if (needsConfidential) return { ok: false, code: 7000218 };
    return { ok: true, client };
  }
  if (presentedSecret === undefined) return { ok: false, code: 7000218 };
  if (presentedSecret !== client.secret) return { ok: false, code: 7000215 };
  if (client.secretState === "expired") return { ok: false, code: 7000222 };
  return { ok: true, client };
}
