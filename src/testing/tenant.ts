/**
 * Mutable state of one simulated tenant: directory, managed identities, lockout
 * counters and issued codes/tokens. Held by the simulator; the token logic reads and updates it.
 */
import type { CaRule, ClientRecord, UserRecord } from "./directory.js";
import type { LockoutCounter, LockoutLocation, LockoutPolicy } from "./lockout.js";
import type { LoopDetector } from "./loop-detection.js";
import type { ManagedIdentityRecord } from "./managed-identity.js";

/** Choices about how errors look on the wire. */
export interface ErrorShapeOptions {
  /**
   * `error` value per AADSTS code, for codes Entra has been seen to send under more
   * than one value, e.g. `{ 50053: "unauthorized_client", 53003: "interaction_required" }`.
   */
  readonly errorVariants?: Readonly<Record<number, string>>;
  /** Codes sent without their usual `suberror`, e.g. `[53003]` (MSAL then drops `claims`). */
  readonly omitSuberror?: readonly number[];
  /** `error_codes` for a wrong password: `[50126]` or `[70002, 50126]`. @default [50126] */
  readonly badPasswordCodes?: readonly number[];
  /**
   * `error` value per AADSTS code on `/authorize` error redirects, e.g.
   * `{ 50053: "access_denied" }`. @default 50053 and 53003: `interaction_required`,
   * 50058: `login_required` (see `AUTHORIZE_ERROR_BY_CODE`)
   */
  readonly authorizeErrorVariants?: Readonly<Record<number, string>>;
}

/** Resolved form of {@link ErrorShapeOptions}. */
export interface ErrorShape {
  readonly errorVariants: ReadonlyMap<number, string>;
  readonly omitSuberror: ReadonlySet<number>;
  readonly badPasswordCodes: readonly number[];
  readonly authorizeErrorVariants: ReadonlyMap<number, string>;
}

export function resolveErrorShape(options: ErrorShapeOptions, base?: ErrorShape): ErrorShape {
  return {
    errorVariants: options.errorVariants
      ? new Map(Object.entries(options.errorVariants).map(([code, error]) => [Number(code), error]))
      : (base?.errorVariants ?? new Map()),
    omitSuberror: options.omitSuberror ? new Set(options.omitSuberror) : (base?.omitSuberror ?? new Set()),
    badPasswordCodes: options.badPasswordCodes ? [...options.badPasswordCodes] : (base?.badPasswordCodes ?? [50126]),
    authorizeErrorVariants: options.authorizeErrorVariants
      ? new Map(Object.entries(options.authorizeErrorVariants).map(([code, error]) => [Number(code), error]))
      : (base?.authorizeErrorVariants ?? new Map()),
  };
}

export interface RefreshTokenRecord {
  readonly userKey: string;
  readonly clientId: string;
  readonly scope: string;
  readonly issuedAtMs: number;
  /** Whether the sign-in behind it satisfied MFA (interactive grants). */
  readonly mfa: boolean;
  revoked: boolean;
}

export interface AccessTokenRecord {
  /** `undefined` for app-only tokens. */
  readonly userKey: string | undefined;
  readonly clientId: string;
  readonly mfa: boolean;
}

export interface AuthCodeRecord {
  readonly userKey: string;
  readonly clientId: string | undefined;
  readonly scope: string | undefined;
  readonly nonce: string | undefined;
  readonly redirectUri: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: "S256" | "plain";
  readonly expiresAtMs: number;
  redeemed: boolean;
}

export interface DeviceCodeRecord {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly clientId: string;
  readonly scope: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  approvedBy: string | undefined;
  redeemed: boolean;
}

export interface TenantState {
  readonly tenantId: string;
  /** `iss` of ID tokens and the metadata `issuer`. */
  readonly issuer: string;
  /** Salt for password and secret hashes (random per simulator). */
  readonly salt: string;
  readonly users: Map<string, UserRecord>;
  readonly clients: Map<string, ClientRecord>;
  caRules: CaRule[];
  readonly flaggedAddresses: Set<string>;
  /** Keyed by `${userKey}\n${location}`. */
  readonly counters: Map<string, LockoutCounter>;
  readonly refreshTokens: Map<string, RefreshTokenRecord>;
  readonly accessTokens: Map<string, AccessTokenRecord>;
  readonly authCodes: Map<string, AuthCodeRecord>;
  readonly deviceCodes: Map<string, DeviceCodeRecord>;
  /** Managed identities of the simulated resource (IMDS), the system-assigned one first. */
  managedIdentities: ManagedIdentityRecord[];
  readonly lockoutPolicy: LockoutPolicy;
  readonly loopDetector: LoopDetector | undefined;
  /** Address that is familiar for every user. */
  readonly familiarForAll: string;
  readonly tokenLifetimeSeconds: number;
  readonly refreshTokenLifetimeMs: number;
  errorShape: ErrorShape;
  readonly deviceCode: {
    readonly intervalSeconds: number;
    readonly expiresInSeconds: number;
    readonly autoApprove: string | undefined;
    readonly verificationUri: string;
  };
  /** Fresh unique id (GUID-shaped). */
  readonly createId: () => string;
}

export function counterKey(userKey: string, location: LockoutLocation): string {
  return `${userKey}\n${location}`;
}

/** Familiar when the address is the shared default or one of the user's own. */
export function locationOf(state: TenantState, user: UserRecord, sourceAddress: string): LockoutLocation {
  return sourceAddress === state.familiarForAll || user.familiarAddresses.has(sourceAddress) ? "familiar" : "unfamiliar";
}
