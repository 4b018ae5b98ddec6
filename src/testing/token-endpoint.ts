/**
 * What the token and device-code endpoints answer, given a parsed request and the
 * tenant state. No HTTP here; faults and throttling were applied before.
 *
 * Order of checks for a token request (the first that fails answers):
 *   1. loop detection (50196; device-code polling is exempt)
 *   2. grant type and required parameters (70003, 900144)
 *   3. client authentication (700016, 700025, 7000218, 7000215, 7000222)
 *   4. the grant's own credential:
 *      - password: flagged source address (50053 for everyone, nothing counted), user
 *        (50034), smart lockout (50053 while locked, right password or not), password
 *        (50126 or `[70002, 50126]`; counted unless one of the last three bad hashes)
 *      - refresh_token: unknown/other client (70000), revoked (50173), expired (70008)
 *      - authorization_code: unknown (9002313), redeemed (54005), expired (70008),
 *        other client (70000), PKCE (501481)
 *      - on_behalf_of: assertion (50013)
 *      - device_code: unknown (70018), expired (70019), pending (70016), the approving
 *        user's lockout counter locked (50053; the code stays approved and unredeemed,
 *        so a poll after the lock ends gets tokens; flagged addresses are not checked,
 *        as the user signs in on another device)
 *      - client_credentials: scope must be one `.../.default` (70011)
 *   5. account state: disabled (50057), password expired (50055, password grant only),
 *      MFA required (50076) and consent missing (65001) on non-interactive grants
 *   6. Conditional Access: block (53003), require MFA (50076; satisfied by the
 *      interactive grants authorization_code and device_code)
 *   7. tokens.
 * (Before all of this the simulator applies injected faults, then throttling.)
 */
import { createHash } from "node:crypto";
import {
  authenticateClient,
  hashSecret,
  matchingCaRules,
  userKey,
  type UserRecord,
} from "./directory.js";
import type { SimulatedGrant } from "./faults.js";
import { evaluatePasswordAttempt, INITIAL_LOCKOUT_COUNTER, isLocked, type LockoutLocation } from "./lockout.js";
import { requestFingerprint } from "./loop-detection.js";
import {
  capolidsClaims,
  clientInfo,
  decodeJwtPayload,
  idTokenClaims,
  unsignedJwt,
  type EntraErrorSpec,
  type TokenResponseBody,
} from "./responses.js";
import { counterKey, locationOf, type TenantState } from "./tenant.js";

/** A token-endpoint request after HTTP parsing. */
export interface TokenRequest {
  /** Form body. */
  readonly params: URLSearchParams;
  readonly sourceAddress: string;
  /** Simulator-clock time, ms epoch. */
  readonly nowMs: number;
}

/** What to answer, plus what the request log should record. */
export type TokenOutcome =
  | {
      readonly kind: "error";
      readonly spec: EntraErrorSpec;
      /** Sign-in-log style failure reason. */
      readonly reason: string;
      readonly username: string | undefined;
      readonly location: LockoutLocation | undefined;
    }
  | {
      readonly kind: "success";
      readonly body: object;
      readonly username: string | undefined;
      readonly location: LockoutLocation | undefined;
    };

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const DEVICE_CODE_URN = "urn:ietf:params:oauth:grant-type:device_code";
const DEFAULT_USER_SCOPE = "openid profile offline_access";

/** Maps `grant_type` (and `requested_token_use`) to the simulator's grant names. */
export function grantOf(params: URLSearchParams): SimulatedGrant | undefined {
  switch (params.get("grant_type")) {
    case "client_credentials":
      return "client_credentials";
    case "password":
      return "password";
    case "refresh_token":
      return "refresh_token";
    case "authorization_code":
      return "authorization_code";
    case "device_code":
    case DEVICE_CODE_URN:
      return "device_code";
    case JWT_BEARER:
      return params.get("requested_token_use") === "on_behalf_of" ? "on_behalf_of" : undefined;
    default:
      return undefined;
  }
}

/** The user a request is about, as far as it can be told before checking it (for faults and the log). */
export function usernameOf(state: TenantState, params: URLSearchParams): string | undefined {
  const fromKey = (key: string | undefined) => (key === undefined ? undefined : (state.users.get(key)?.username ?? key));
  switch (grantOf(params)) {
    case "password":
      return params.get("username") ?? undefined;
    case "refresh_token":
      return fromKey(state.refreshTokens.get(params.get("refresh_token") ?? "")?.userKey);
    case "authorization_code":
      return fromKey(state.authCodes.get(params.get("code") ?? "")?.userKey);
    case "device_code": {
      const approved = state.deviceCodes.get(params.get("device_code") ?? "")?.approvedBy;
      return approved === undefined ? undefined : fromKey(userKey(approved));
    }
    case "on_behalf_of":
      return fromKey(assertionUserKey(state, params.get("assertion") ?? ""));
    default:
      return undefined;
  }
}

function fail(
  codes: number | readonly number[],
  reason: string,
  extra: Partial<Omit<EntraErrorSpec, "codes">> & { username?: string; location?: LockoutLocation } = {},
): TokenOutcome {
  const { username, location, ...spec } = extra;
  return {
    kind: "error",
    spec: { codes: typeof codes === "number" ? [codes] : codes, ...spec },
    reason,
    username,
    location,
  };
}

function missing(parameter: string): TokenOutcome {
  return fail(900144, "missing_parameter", { details: { parameter } });
}

/** Answers one token-endpoint request. Updates `state` (lockout counters, codes, tokens). */
export function handleTokenRequest(state: TenantState, request: TokenRequest): TokenOutcome {
  const { params, nowMs } = request;
  const grant = grantOf(params);

  if (grant !== "device_code" && state.loopDetector?.observe(requestFingerprint(params, request.sourceAddress), nowMs)) {
    return fail(50196, "loop_detected", { username: usernameOf(state, params) });
  }

  const grantType = params.get("grant_type");
  if (grantType === null) return missing("grant_type");
  if (grant === undefined) {
    if (grantType === JWT_BEARER) return missing("requested_token_use");
    return fail(70003, "unsupported_grant_type", { details: { grant: grantType } });
  }
  const clientId = params.get("client_id");
  if (clientId === null) return missing("client_id");

  const needsConfidential = grant === "client_credentials" || grant === "on_behalf_of";
  const auth = authenticateClient(state.clients.get(clientId), params.get("client_secret") ?? undefined, needsConfidential);
  if (!auth.ok) {
    return fail(auth.code, "client_authentication", {
      details: { clientId, tenant: state.tenantId },
      username: usernameOf(state, params),
    });
  }

  switch (grant) {
    case "client_credentials":
      return clientCredentials(state, request, clientId);
    case "password":
      return passwordGrant(state, request, clientId);
    case "refresh_token":
      return refreshTokenGrant(state, request, clientId);
    case "authorization_code":
      return authorizationCodeGrant(state, request, clientId);
    case "on_behalf_of":
      return onBehalfOfGrant(state, request, clientId);
    case "device_code":
      return deviceCodeGrant(state, request, clientId);
  }
}

function clientCredentials(state: TenantState, request: TokenRequest, clientId: string): TokenOutcome {
  const scope = request.params.get("scope");
  if (scope === null || scope.trim() === "") return missing("scope");
  const scopes = scope.trim().split(/\s+/);
  if (scopes.length !== 1 || !(scopes[0] as string).endsWith("/.default")) {
    return fail(70011, "invalid_scope", { details: { scope } });
  }
  const blocked = matchingCaRules(state.caRules, { username: undefined, clientId, sourceAddress: request.sourceAddress })
    .filter((rule) => rule.action === "block")
    .map((rule) => rule.policyId);
  if (blocked.length > 0) return fail(53003, "conditional_access_block", { claims: capolidsClaims(blocked) });

  const accessToken = newAccessToken(state, { userKey: undefined, clientId, mfa: false });
  const body: TokenResponseBody = {
    token_type: "Bearer",
    expires_in: state.tokenLifetimeSeconds,
    ext_expires_in: state.tokenLifetimeSeconds,
    access_token: accessToken,
  };
  return { kind: "success", body, username: undefined, location: undefined };
}

function passwordGrant(state: TenantState, request: TokenRequest, clientId: string): TokenOutcome {
  const { params, nowMs, sourceAddress } = request;
  const username = params.get("username");
  if (username === null) return missing("username");
  const password = params.get("password");
  if (password === null) return missing("password");

  if (state.flaggedAddresses.has(sourceAddress)) {
    return fail(50053, "flagged_address", { username });
  }
  const key = userKey(username);
  const user = state.users.get(key);
  if (user === undefined) {
    return fail(50034, "unknown_user", { username, details: { username, tenant: state.tenantId } });
  }
  const location = locationOf(state, user, sourceAddress);
  const who = { username: user.username, location };

  const counterId = counterKey(key, location);
  const passwordHash = hashSecret(state.salt, password);
  const { decision, next } = evaluatePasswordAttempt(
    state.counters.get(counterId) ?? INITIAL_LOCKOUT_COUNTER,
    { correct: passwordHash === user.passwordHash, passwordHash },
    nowMs,
    state.lockoutPolicy,
  );
  state.counters.set(counterId, next);
  if (decision.outcome === "locked") return fail(50053, "locked", who);
  if (decision.outcome === "bad_password") {
    const reason = !decision.counted ? "bad_password_repeat" : decision.lockedNow ? "bad_password_lockout_started" : "bad_password";
    return fail(state.errorShape.badPasswordCodes, reason, who);
  }

  if (user.state === "password_expired") {
    return fail(50055, "password_expired", {
      ...who,
      extraFields: { password_change_url: "https://portal.microsoftonline.com/ChangePassword.aspx" },
    });
  }
  return completeUserGrant(state, request, { user, clientId, location, interactive: false, mfa: false, scope: params.get("scope") ?? undefined, nonce: undefined });
}

function refreshTokenGrant(state: TenantState, request: TokenRequest, clientId: string): TokenOutcome {
  const token = request.params.get("refresh_token");
  if (token === null) return missing("refresh_token");
  const record = state.refreshTokens.get(token);
  if (record === undefined) return fail(70000, "unknown_refresh_token");
  const username = state.users.get(record.userKey)?.username ?? record.userKey;
  if (record.clientId !== clientId) return fail(70000, "refresh_token_other_client", { username });
  if (record.revoked) return fail(50173, "refresh_token_revoked", { username });
  if (request.nowMs - record.issuedAtMs > state.refreshTokenLifetimeMs) return fail(70008, "refresh_token_expired", { username });
  const user = state.users.get(record.userKey);
  if (user === undefined) return fail(50034, "unknown_user", { username, details: { username, tenant: state.tenantId } });
  return completeUserGrant(state, request, {
    user,
    clientId,
    location: locationOf(state, user, request.sourceAddress),
    interactive: false,
    mfa: record.mfa,
    scope: request.params.get("scope") ?? record.scope,
    nonce: undefined,
    alwaysRefreshToken: true,
  });
}

function authorizationCodeGrant(state: TenantState, request: TokenRequest, clientId: string): TokenOutcome {
  const code = request.params.get("code");
  if (code === null) return missing("code");
  const record = state.authCodes.get(code);
  if (record === undefined) return fail(9002313, "unknown_authorization_code");
  const user = state.users.get(record.userKey);
  const username = user?.username ?? record.userKey;
  if (record.redeemed) return fail(54005, "authorization_code_redeemed", { username });
  if (request.nowMs >= record.expiresAtMs) return fail(70008, "authorization_code_expired", { username });
  if (record.clientId !== undefined && record.clientId !== clientId) return fail(70000, "authorization_code_other_client", { username });
  if (record.codeChallenge !== undefined) {
    const verifier = request.params.get("code_verifier");
    if (verifier === null) return missing("code_verifier");
    const derived = record.codeChallengeMethod === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
    if (derived !== record.codeChallenge) return fail(501481, "pkce_mismatch", { username });
  }
  record.redeemed = true;
  if (user === undefined) return fail(50034, "unknown_user", { username, details: { username, tenant: state.tenantId } });
  return completeUserGrant(state, request, {
    user,
    clientId,
    location: locationOf(state, user, request.sourceAddress),
    interactive: true,
    mfa: true,
    scope: request.params.get("scope") ?? record.scope,
    nonce: record.nonce,
  });
}

/** The user behind an OBO assertion: an access token we issued, or a JWT naming a user. */
function assertionUserKey(state: TenantState, assertion: string): string | undefined {
  const issued = state.accessTokens.get(assertion);
  if (issued !== undefined) return issued.userKey;
  const claims = decodeJwtPayload(assertion);
  const name = claims?.["preferred_username"] ?? claims?.["upn"] ?? claims?.["unique_name"];
  return typeof name === "string" ? userKey(name) : undefined;
}

function onBehalfOfGrant(state: TenantState, request: TokenRequest, clientId: string): TokenOutcome {
  const assertion = request.params.get("assertion");
  if (assertion === null) return missing("assertion");
  const key = assertionUserKey(state, assertion);
  if (key === undefined) return fail(50013, "invalid_assertion");
  const user = state.users.get(key);
  if (user === undefined) return fail(50034, "unknown_user", { username: key, details: { username: key, tenant: state.tenantId } });
  return completeUserGrant(state, request, {
    user,
    clientId,
    location: locationOf(state, user, request.sourceAddress),
    interactive: false,
    mfa: state.accessTokens.get(assertion)?.mfa ?? false,
    scope: request.params.get("scope") ?? undefined,
    nonce: undefined,
  });
}

function deviceCodeGrant(state: TenantState, request: TokenRequest, clientId: string): TokenOutcome {
  const deviceCode = request.params.get("device_code");
  if (deviceCode === null) return missing("device_code");
  const record = state.deviceCodes.get(deviceCode);
  if (record === undefined) return fail(70018, "unknown_device_code");
  if (record.clientId !== clientId) return fail(70000, "device_code_other_client");
  if (record.redeemed) return fail(54005, "device_code_redeemed");
  if (request.nowMs >= record.expiresAtMs) return fail(70019, "device_code_expired");
  if (record.approvedBy === undefined) return fail(70016, "authorization_pending");
  const key = userKey(record.approvedBy);
  const user = state.users.get(key);
  if (user === undefined) return fail(50034, "unknown_user", { username: record.approvedBy, details: { username: record.approvedBy, tenant: state.tenantId } });
  // A locked account cannot finish the sign-in, as on /authorize and the password grant.
  // Flagged addresses are not checked: the user signs in on another device.
  const location = locationOf(state, user, request.sourceAddress);
  const counter = state.counters.get(counterKey(key, location)) ?? INITIAL_LOCKOUT_COUNTER;
  if (isLocked(counter, request.nowMs)) return fail(50053, "locked", { username: user.username, location });
  record.redeemed = true;
  return completeUserGrant(state, request, {
    user,
    clientId,
    location,
    interactive: true,
    mfa: true,
    scope: request.params.get("scope") ?? record.scope,
    nonce: undefined,
  });
}

interface UserGrantContext {
  readonly user: UserRecord;
  readonly clientId: string;
  readonly location: LockoutLocation;
  /** Interactive grants (code, device code) satisfied MFA and consent at sign-in. */
  readonly interactive: boolean;
  /** MFA already satisfied by the sign-in behind this grant. */
  readonly mfa: boolean;
  readonly scope: string | undefined;
  readonly nonce: string | undefined;
  /** The refresh-token grant always returns a new refresh token. */
  readonly alwaysRefreshToken?: boolean;
}

/** Steps 5–7: account state, Conditional Access, then tokens. */
function completeUserGrant(state: TenantState, request: TokenRequest, ctx: UserGrantContext): TokenOutcome {
  const { user, clientId, location } = ctx;
  const who = { username: user.username, location };
  const mfaSatisfied = ctx.interactive || ctx.mfa;
  const scope = ctx.scope?.trim() || DEFAULT_USER_SCOPE;

  if (user.state === "disabled") return fail(50057, "user_disabled", who);
  if (user.state === "mfa_required" && !mfaSatisfied) {
    return fail(50076, "mfa_required", { ...who, details: { resource: resourceOf(scope) } });
  }
  if (user.state === "consent_missing" && !ctx.interactive) {
    return fail(65001, "consent_missing", { ...who, details: { clientId } });
  }

  const rules = matchingCaRules(state.caRules, { username: user.username, clientId, sourceAddress: request.sourceAddress });
  const blocking = rules.filter((rule) => rule.action === "block").map((rule) => rule.policyId);
  if (blocking.length > 0) return fail(53003, "conditional_access_block", { ...who, claims: capolidsClaims(blocking) });
  const mfaPolicies = rules.filter((rule) => rule.action === "require_mfa").map((rule) => rule.policyId);
  if (mfaPolicies.length > 0 && !mfaSatisfied) {
    return fail(50076, "conditional_access_mfa", {
      ...who,
      claims: capolidsClaims(mfaPolicies),
      details: { resource: resourceOf(scope) },
    });
  }

  const scopes = scope.split(/\s+/);
  const key = userKey(user.username);
  const body: TokenResponseBody = {
    token_type: "Bearer",
    scope,
    expires_in: state.tokenLifetimeSeconds,
    ext_expires_in: state.tokenLifetimeSeconds,
    access_token: newAccessToken(state, { userKey: key, clientId, mfa: mfaSatisfied }),
  };
  if (ctx.alwaysRefreshToken || scopes.includes("offline_access")) {
    body.refresh_token = newRefreshToken(state, { userKey: key, clientId, scope, issuedAtMs: request.nowMs, mfa: mfaSatisfied });
  }
  if (scopes.includes("openid")) {
    body.id_token = unsignedJwt(
      idTokenClaims({
        subject: user,
        tenantId: state.tenantId,
        clientId,
        issuer: state.issuer,
        nowMs: request.nowMs,
        lifetimeSeconds: state.tokenLifetimeSeconds,
        ...(ctx.nonce === undefined ? {} : { nonce: ctx.nonce }),
      }),
    );
  }
  if (request.params.get("client_info") === "1") body.client_info = clientInfo(user.objectId, state.tenantId);
  return { kind: "success", body, ...who };
}

/** The resource named by the first non-OIDC scope, for messages. */
function resourceOf(scope: string): string {
  const resourceScope = scope.split(/\s+/).find((s) => !["openid", "profile", "offline_access", "email"].includes(s));
  if (resourceScope === undefined) return "Microsoft Graph";
  const slash = resourceScope.lastIndexOf("/");
  return slash > 0 ? resourceScope.slice(0, slash) : "Microsoft Graph";
}

function newAccessToken(state: TenantState, record: { userKey: string | undefined; clientId: string; mfa: boolean }): string {
  const token = `simAT.${state.createId()}`;
  state.accessTokens.set(token, record);
  return token;
}

function newRefreshToken(
  state: TenantState,
  record: { userKey: string; clientId: string; scope: string; issuedAtMs: number; mfa: boolean },
): string {
  const token = `simRT.${state.createId()}`;
  state.refreshTokens.set(token, { ...record, revoked: false });
  return token;
}

/** Letters for user codes (no vowels or look-alikes). */
const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789";

function userCodeFrom(id: string): string {
  const digest = createHash("sha256").update(id).digest();
  return Array.from(digest.subarray(0, 9), (byte) => USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length]).join("");
}

/** Answers the device-code endpoint: checks the client and starts a device-code sign-in. */
export function handleDeviceCodeRequest(state: TenantState, request: TokenRequest): TokenOutcome {
  const { params, nowMs } = request;
  const clientId = params.get("client_id");
  if (clientId === null) return missing("client_id");
  const auth = authenticateClient(state.clients.get(clientId), params.get("client_secret") ?? undefined, false);
  if (!auth.ok) return fail(auth.code, "client_authentication", { details: { clientId, tenant: state.tenantId } });

  const deviceCode = `simDC.${state.createId()}`;
  const userCode = userCodeFrom(deviceCode);
  const { intervalSeconds, expiresInSeconds, autoApprove, verificationUri } = state.deviceCode;
  state.deviceCodes.set(deviceCode, {
    deviceCode,
    userCode,
    clientId,
    scope: params.get("scope") ?? DEFAULT_USER_SCOPE,
    issuedAtMs: nowMs,
    expiresAtMs: nowMs + expiresInSeconds * 1000,
    approvedBy: autoApprove,
    redeemed: false,
  });
  const body = {
    user_code: userCode,
    device_code: deviceCode,
    verification_uri: verificationUri,
    expires_in: expiresInSeconds,
    interval: intervalSeconds,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
  };
  return { kind: "success", body, username: autoApprove, location: undefined };
}
