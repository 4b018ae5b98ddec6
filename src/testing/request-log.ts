/**
 * The simulator's request log: one entry per HTTP request, like a tenant's sign-in log.
 * Passwords and secrets never enter it.
 */
import type { SimulatedGrant, SimulatorEndpoint } from "./faults.js";
import type { LockoutLocation } from "./lockout.js";

/** One request as the simulator saw and answered it. */
export interface RequestLogEntry {
  /** Simulator-clock time the request arrived, ms epoch. */
  readonly timeMs: number;
  readonly method: string;
  readonly endpoint: SimulatorEndpoint;
  /** Path and query as requested, the value of any credential parameter (`code`, `id_token` ...) replaced by `redacted`. */
  readonly path: string;
  readonly grant: SimulatedGrant | undefined;
  /** The app's client id; on the `imds` endpoint, the managed identity's (when known). */
  readonly clientId: string | undefined;
  readonly username: string | undefined;
  /** Simulated source address the request was judged by. */
  readonly sourceAddress: string;
  /** Familiar or unfamiliar for the user, when a user was involved. */
  readonly location: LockoutLocation | undefined;
  /** HTTP status sent; `undefined` when the connection was dropped. */
  readonly status: number | undefined;
  /** AADSTS codes in the response (empty on success). */
  readonly codes: readonly number[];
  /** OAuth `error` value sent, if any. */
  readonly error: string | undefined;
  /** The request's `client-request-id` (or one the simulator made up when absent). */
  readonly correlationId: string;
  /**
   * Why it failed, in the terms a tenant's sign-in log would use: e.g. `locked`,
   * `flagged_address`, `bad_password`, `bad_password_repeat`, `fault`, `throttled`.
   * Lets a test tell the two causes of 50053 apart, as only an administrator can.
   */
  readonly reason: string | undefined;
}

/** Query parameters that carry a credential: a sign-in answered in the query (`response_mode=query`) brings a code or tokens. */
const CREDENTIAL_PARAMETERS: ReadonlySet<string> = new Set([
  "code",
  "id_token",
  "access_token",
  "refresh_token",
  "device_code",
  "client_secret",
  "client_assertion",
  "assertion",
  "password",
]);

/** A request's path and query for the log, with each credential parameter's value replaced by `redacted`. */
export function loggedPath(url: URL): string {
  const params = new URLSearchParams(url.search);
  let found = false;
  for (const name of new Set(params.keys())) {
    if (!CREDENTIAL_PARAMETERS.has(name.toLowerCase())) continue;
    params.set(name, "redacted");
    found = true;
  }
  // The query as requested unless it held a credential (re-encoding could change its spelling).
  return found ? `${url.pathname}?${params.toString()}` : url.pathname + url.search;
}

/** Totals over the log. Keys of `byStatus` are status numbers as strings, or `dropped`. */
export interface RequestCounts {
  readonly total: number;
  /** By endpoint: `token`, `imds` (managed identity), `authorize` ... */
  readonly byEndpoint: Readonly<Record<string, number>>;
  readonly byGrant: Readonly<Record<string, number>>;
  readonly byUser: Readonly<Record<string, number>>;
  readonly byClient: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
}

function bump(record: Record<string, number>, key: string | undefined): void {
  if (key === undefined) return;
  record[key] = (record[key] ?? 0) + 1;
}

/** Counts log entries by endpoint, grant, user (lower-cased), client and status. */
export function countRequests(entries: readonly RequestLogEntry[]): RequestCounts {
  const byEndpoint: Record<string, number> = {};
  const byGrant: Record<string, number> = {};
  const byUser: Record<string, number> = {};
  const byClient: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  for (const entry of entries) {
    bump(byEndpoint, entry.endpoint);
    bump(byGrant, entry.grant);
    bump(byUser, entry.username?.toLowerCase());
    bump(byClient, entry.clientId);
    bump(byStatus, entry.status === undefined ? "dropped" : String(entry.status));
  }
  return { total: entries.length, byEndpoint, byGrant, byUser, byClient, byStatus };
}
