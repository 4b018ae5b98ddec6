/**
 * What the managed identity endpoint answers: the token path of Azure's Instance Metadata
 * Service (IMDS), `GET /metadata/identity/oauth2/token`, as msal-node's
 * `ManagedIdentityApplication` calls it when `AZURE_POD_IDENTITY_AUTHORITY_HOST` names the
 * simulator. No HTTP here; faults and throttling were applied before.
 *
 * IMDS speaks its own dialect: error bodies are `{ error, error_description }` with no
 * AADSTS code list, trace id, correlation id or timestamp, and every number in a token
 * response is a string. Texts paraphrase the real service's; never branch on them.
 *
 * Order of checks (the first that fails answers):
 *   1. method: GET only (405)
 *   2. the `Metadata: true` header (400 `bad_request_102`), which IMDS demands against
 *      server-side request forgery
 *   3. the `api-version` and `resource` query parameters (400 `invalid_request`)
 *   4. the identity: at most one of `client_id`, `object_id`, `msi_res_id` (400); one
 *      naming no identity of the resource gets 400 `invalid_request` "Identity not found";
 *      with none named, the system-assigned identity answers, else the only user-assigned
 *      one, else 400 (several user-assigned: ambiguous; none at all: "Identity not found")
 *   5. a token for that identity and resource.
 */
import { codeDefaults, codeDescription, stableGuid } from "./responses.js";
import type { StatusFault } from "./faults.js";
import type { TenantState } from "./tenant.js";

/** IMDS's token path: the same on every Azure VM, under `http://169.254.169.254`. */
export const IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token";

/** A managed identity of the simulated Azure resource (the VM or pod the app runs on). */
export interface SimulatedManagedIdentity {
  /** Client (application) id: what `client_id` names, and the token response's `client_id`. */
  readonly clientId: string;
  /** Object (principal) id: what `object_id` names. @default a GUID derived from the client id */
  readonly objectId?: string;
  /**
   * Azure resource id: what `msi_res_id` names, compared case-insensitively as Azure does.
   * @default `/subscriptions/<GUID>/resourceGroups/simulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<client id>`
   */
  readonly resourceId?: string;
}

/** The managed identities of the simulated resource: `startEntraSimulator({ managedIdentity })`. */
export interface SimulatorManagedIdentityOptions {
  /**
   * The system-assigned identity, or `false` when the resource has none (a request that
   * names no identity then gets the only user-assigned one, or 400).
   * @default true: one with a client id derived from the tenant id
   */
  readonly systemAssigned?: boolean | SimulatedManagedIdentity;
  /** User-assigned identities attached to the resource. @default none */
  readonly userAssigned?: readonly SimulatedManagedIdentity[];
}

/** Stored form of a managed identity. */
export interface ManagedIdentityRecord {
  readonly clientId: string;
  readonly objectId: string;
  readonly resourceId: string;
  readonly systemAssigned: boolean;
}

/** The JSON IMDS sends for a failed token request. */
export interface ImdsErrorBody {
  error: string;
  error_description: string;
}

/** IMDS's token response (api-version 2018-02-01): every number is sent as a string. */
export interface ImdsTokenResponseBody {
  access_token: string;
  client_id: string;
  /** Seconds, as a string. */
  expires_in: string;
  /** Epoch seconds, as a string; msal-node computes the token's lifetime from this field alone. */
  expires_on: string;
  ext_expires_in: string;
  /** Epoch seconds, as a string. */
  not_before: string;
  /** The `resource` requested, echoed. */
  resource: string;
  token_type: "Bearer";
}

/** An IMDS request after HTTP parsing. */
export interface ImdsRequest {
  readonly method: string;
  /** Query parameters. */
  readonly query: URLSearchParams;
  /** The `Metadata` request header, if sent. */
  readonly metadataHeader: string | undefined;
  /** Simulator-clock time, ms epoch. */
  readonly nowMs: number;
}

/** What to answer, plus what the request log should record. */
export type ImdsOutcome =
  | {
      readonly kind: "error";
      readonly status: number;
      readonly body: ImdsErrorBody;
      /** Sign-in-log style failure reason. */
      readonly reason: string;
      /** The identity's client id, when the request named one by client id. */
      readonly clientId: string | undefined;
    }
  | {
      readonly kind: "success";
      readonly body: ImdsTokenResponseBody;
      readonly clientId: string;
    };

/** Query parameters naming a user-assigned identity, as msal-node sends them to IMDS, and the id each one holds. */
const IDENTITY_PARAMETERS = { client_id: "clientId", object_id: "objectId", msi_res_id: "resourceId" } as const;
type IdentityParameter = keyof typeof IDENTITY_PARAMETERS;

export function toManagedIdentityRecord(identity: SimulatedManagedIdentity, systemAssigned: boolean): ManagedIdentityRecord {
  return {
    clientId: identity.clientId,
    objectId: identity.objectId ?? stableGuid(`mi-oid:${identity.clientId}`),
    resourceId:
      identity.resourceId ??
      `/subscriptions/${stableGuid(`mi-sub:${identity.clientId}`)}/resourceGroups/simulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identity.clientId}`,
    systemAssigned,
  };
}

/** The resource's identities from the simulator options, the system-assigned one first. */
export function initialManagedIdentities(options: SimulatorManagedIdentityOptions | undefined, tenantId: string): ManagedIdentityRecord[] {
  const system = options?.systemAssigned ?? true;
  const records: ManagedIdentityRecord[] = [];
  if (system !== false) {
    records.push(toManagedIdentityRecord(system === true ? { clientId: stableGuid(`mi-system:${tenantId}`) } : system, true));
  }
  for (const identity of options?.userAssigned ?? []) records.push(toManagedIdentityRecord(identity, false));
  return records;
}

/** Whether `id` names `record` by client id, object id or resource id (all case-insensitive). */
export function namesIdentity(record: ManagedIdentityRecord, id: string): boolean {
  const wanted = id.toLowerCase();
  return record.clientId.toLowerCase() === wanted || record.objectId.toLowerCase() === wanted || record.resourceId.toLowerCase() === wanted;
}

type Selection =
  | { readonly ok: true; readonly identity: ManagedIdentityRecord }
  | { readonly ok: false; readonly reason: string; readonly description: string };

function selectIdentity(identities: readonly ManagedIdentityRecord[], query: URLSearchParams): Selection {
  const parameters = Object.keys(IDENTITY_PARAMETERS) as IdentityParameter[];
  const named = parameters.filter((name) => query.has(name));
  if (named.length > 1) {
    return { ok: false, reason: "several_identity_parameters", description: `Only one of ${parameters.join(", ")} may be given.` };
  }
  const parameter = named[0];
  if (parameter !== undefined) {
    const id = (query.get(parameter) as string).toLowerCase();
    const field = IDENTITY_PARAMETERS[parameter];
    const identity = identities.find((record) => record[field].toLowerCase() === id);
    return identity === undefined ? { ok: false, reason: "unknown_identity", description: "Identity not found" } : { ok: true, identity };
  }
  const system = identities.find((record) => record.systemAssigned);
  if (system !== undefined) return { ok: true, identity: system };
  if (identities.length === 1) return { ok: true, identity: identities[0] as ManagedIdentityRecord };
  if (identities.length > 1) {
    return {
      ok: false,
      reason: "ambiguous_identity",
      description: "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request",
    };
  }
  return { ok: false, reason: "no_identity", description: "Identity not found" };
}

/** The client id of the identity a request is for, as far as it can be told (for faults and the log). */
export function managedIdentityClientIdOf(state: TenantState, query: URLSearchParams): string | undefined {
  const selection = selectIdentity(state.managedIdentities, query);
  return selection.ok ? selection.identity.clientId : (query.get("client_id") ?? undefined);
}

function fail(status: number, error: string, description: string, reason: string, clientId: string | undefined): ImdsOutcome {
  return { kind: "error", status, body: { error, error_description: description }, reason, clientId };
}

/** Answers one IMDS token request. Records the access token it issues in `state`. */
export function handleImdsRequest(state: TenantState, request: ImdsRequest): ImdsOutcome {
  const { query, nowMs } = request;
  const requestedClientId = query.get("client_id") ?? undefined;
  if (request.method !== "GET") {
    return fail(405, "invalid_request", `The ${request.method} method is not allowed; IMDS answers GET only.`, "wrong_method", requestedClientId);
  }
  if (request.metadataHeader?.toLowerCase() !== "true") {
    return fail(400, "bad_request_102", "Required metadata header not specified", "missing_metadata_header", requestedClientId);
  }
  if (!query.get("api-version")) {
    return fail(400, "invalid_request", "Required query variable 'api-version' is missing", "missing_parameter", requestedClientId);
  }
  const resource = query.get("resource");
  if (!resource) return fail(400, "invalid_request", "Required audience parameter not specified", "missing_parameter", requestedClientId);

  const selection = selectIdentity(state.managedIdentities, query);
  if (!selection.ok) return fail(400, "invalid_request", selection.description, selection.reason, requestedClientId);

  const { clientId } = selection.identity;
  const accessToken = `simMI.${state.createId()}`;
  state.accessTokens.set(accessToken, { userKey: undefined, clientId, mfa: false });
  const nowSeconds = Math.floor(nowMs / 1000);
  const lifetime = String(state.tokenLifetimeSeconds);
  return {
    kind: "success",
    clientId,
    body: {
      access_token: accessToken,
      client_id: clientId,
      expires_in: lifetime,
      expires_on: String(nowSeconds + state.tokenLifetimeSeconds),
      ext_expires_in: lifetime,
      not_before: String(nowSeconds),
      resource,
      token_type: "Bearer",
    },
  };
}

/**
 * The body of an injected JSON error on the IMDS endpoint: IMDS-shaped, with an AADSTS
 * description only when the fault names a `code` (IMDS passes Entra's text through).
 */
export function imdsFaultBody(fault: StatusFault): { body: ImdsErrorBody; codes: number[] } {
  const { status, code } = fault;
  const error = fault.error ?? (code !== undefined ? codeDefaults(code).error : defaultImdsError(status));
  const text =
    code !== undefined
      ? fault.description === undefined
        ? codeDescription(code, undefined)
        : `AADSTS${code}: ${fault.description}`
      : (fault.description ?? defaultImdsText(status));
  return { body: { error, error_description: text }, codes: code === undefined ? [] : [code] };
}

function defaultImdsError(status: number): string {
  if (status === 429) return "too_many_requests";
  if (status >= 500) return "unknown";
  return "invalid_request";
}

function defaultImdsText(status: number): string {
  if (status === 429) return "Too many requests. Retry after the time given in Retry-After.";
  if (status >= 500) return "Failed to retrieve token from the Active directory.";
  return "The request is not valid.";
}
