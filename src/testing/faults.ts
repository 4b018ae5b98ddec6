/**
 * Injected faults and throttling: what the simulator does to a request before the
 * token logic sees it. Matching and bookkeeping are pure; the server applies the result.
 */
import { checkFiniteNumber, checkOneOf, shown } from "./validation.js";

/** Grants the token endpoint understands, named as in the request log. */
export type SimulatedGrant =
  | "client_credentials"
  | "password"
  | "refresh_token"
  | "authorization_code"
  | "on_behalf_of"
  | "device_code";

/**
 * Endpoints the simulator serves. `imds` is the managed identity endpoint (Azure's
 * Instance Metadata Service token path, `GET /metadata/identity/oauth2/token`).
 */
export type SimulatorEndpoint = "token" | "devicecode" | "openid-configuration" | "keys" | "authorize" | "imds" | "redirect" | "other";

/**
 * Which requests a fault applies to. Every field given must match; none given matches every
 * Entra endpoint. The app's own `/redirect` page is never Entra's: only a fault that names
 * `endpoint: "redirect"` applies to it.
 */
export interface FaultMatch {
  readonly endpoint?: SimulatorEndpoint;
  readonly grant?: SimulatedGrant;
  /** The app's client id; on the `imds` endpoint, the client id of the managed identity asked for. */
  readonly clientId?: string;
  /** Compared case-insensitively. */
  readonly username?: string;
}

/** Body of an injected error response. */
export type FaultBody =
  /**
   * An Entra-shaped error JSON (see `StatusFault.code`); on the `imds` endpoint an
   * IMDS-shaped one, `{ error, error_description }`.
   */
  | "json"
  /** A small HTML error page (`text/html`), as a gateway would send. */
  | "html"
  /** No body at all. */
  | "empty"
  /** The JSON `{}`: MSAL resolves this with an empty access token. */
  | "empty-object";

interface FaultBase {
  /** Which requests are hit. @default every request */
  readonly match?: FaultMatch;
  /** How many requests are hit before the fault retires itself. @default unlimited (until removed) */
  readonly times?: number;
  /** Wait this long (real milliseconds) before acting. */
  readonly delayMs?: number;
}

/** Answer with an error status instead of the real outcome. */
export interface StatusFault extends FaultBase {
  /** HTTP status, e.g. 500, 503, 429: a whole number from 200 to 599 (a 1xx is no final answer). */
  readonly status: number;
  /** @default "json" */
  readonly body?: FaultBody;
  /** Adds `Retry-After`: a number is sent as delta-seconds, a `Date` as an HTTP-date. */
  readonly retryAfter?: number | Date;
  /**
   * AADSTS code for a JSON body. @default 90055 for 429, 90033 for 503, 50000 for other
   * 5xx, 90023 otherwise. Any code works, e.g. `{ status: 400, code: 50053 }`.
   * On the `imds` endpoint there is no default: the body carries a code (in its
   * description, as IMDS passes Entra's text through) only when one is given, and its
   * `error` defaults to `too_many_requests` for 429, `unknown` for 5xx, `invalid_request` otherwise.
   */
  readonly code?: number;
  /** Overrides the JSON body's `error` value. */
  readonly error?: string;
  /** Adds `suberror` to a JSON body (not on the `imds` endpoint, whose bodies have none). */
  readonly suberror?: string;
  /** Adds `claims` to a JSON body (not on the `imds` endpoint). */
  readonly claims?: string;
  /**
   * Replaces the JSON body's description text after `AADSTSnnnnn: `, sent verbatim
   * (markup included), e.g. to test that a page renders it as inert text.
   */
  readonly description?: string;
}

/** Only delay, then handle the request normally. */
export interface DelayFault extends FaultBase {
  readonly delayMs: number;
}

/** Destroy the connection without answering (the client sees a network error). */
export interface DropFault extends FaultBase {
  readonly drop: true;
}

/** Something to do to matching requests. */
export type Fault = StatusFault | DelayFault | DropFault;

/** Answer matching requests with 429 and `Retry-After`. */
export interface ThrottleRule {
  /** Only this client's requests (on the `imds` endpoint: this managed identity's). @default every client and identity */
  readonly clientId?: string;
  /** `Retry-After`: delta-seconds, or a `Date` sent as an HTTP-date. */
  readonly retryAfter: number | Date;
  /** Stop after this many throttled requests. @default unlimited */
  readonly times?: number;
  /** Stop at this simulator-clock time (ms epoch). @default never */
  readonly untilMs?: number;
  /** @default "json" (AADSTS90055, `temporarily_unavailable`; on the `imds` endpoint `too_many_requests`) */
  readonly body?: FaultBody;
}

/** A live fault; `remove()` retires it early. */
export interface FaultHandle {
  /** Requests this fault has hit so far. */
  readonly hits: number;
  /** Requests it will still hit (`Infinity` when unlimited, 0 once retired). */
  readonly remaining: number;
  /** Retires the fault: it hits no further requests. */
  remove(): void;
}

/** What a request looks like to fault matching. */
export interface FaultTarget {
  readonly endpoint: SimulatorEndpoint;
  readonly grant: SimulatedGrant | undefined;
  readonly clientId: string | undefined;
  readonly username: string | undefined;
}

/** Internal bookkeeping for one fault. */
export interface ActiveFault {
  readonly fault: Fault;
  /** Expiry on the simulator clock, ms epoch. */
  readonly untilMs: number | undefined;
  remaining: number;
  hits: number;
}

const FAULT_BODIES: readonly FaultBody[] = ["json", "html", "empty", "empty-object"];

/** A `Retry-After` value the simulator can send: seconds (finite, 0 or more) or a valid `Date`. */
function checkRetryAfter(where: string, value: unknown): void {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError(`${where}: retryAfter must be a valid Date (got an Invalid Date)`);
    return;
  }
  if (typeof value !== "number") {
    throw new TypeError(`${where}: retryAfter must be a number of seconds or a Date (got ${typeof value} ${shown(value)})`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${where}: retryAfter must be a finite number of seconds, 0 or more, or a Date (got ${shown(value)})`);
  }
}

/**
 * Throws unless the fault can be carried out: an integer HTTP `status` from 200 to 599, a
 * sendable `retryAfter`, a known `body`, `delayMs` and `times` of 0 or more. `where`
 * names the call, e.g. `inject`.
 */
export function checkFault(where: string, fault: Fault): void {
  checkTimes(where, fault.times);
  if (fault.delayMs !== undefined) checkFiniteNumber(where, "delayMs", fault.delayMs, "milliseconds", { allowZero: true });
  if ("drop" in fault || !("status" in fault)) return;
  const { status } = fault;
  // 1xx are informational, never a final answer: the client sees a bad response or waits forever.
  if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599) {
    const error = typeof status === "number" ? RangeError : TypeError;
    throw new error(`${where}: status must be a whole-number HTTP status from 200 to 599, e.g. 503 (got ${shown(status)})`);
  }
  if (fault.retryAfter !== undefined) checkRetryAfter(where, fault.retryAfter);
  if (fault.body !== undefined) checkOneOf(where, "body", fault.body, FAULT_BODIES);
}

/** Throws unless the throttle rule can be carried out (see {@link checkFault}); `untilMs`, if given, a number. */
export function checkThrottleRule(where: string, rule: ThrottleRule): void {
  checkRetryAfter(where, rule.retryAfter);
  checkTimes(where, rule.times);
  if (rule.untilMs !== undefined && (typeof rule.untilMs !== "number" || Number.isNaN(rule.untilMs))) {
    throw new TypeError(`${where}: untilMs must be a simulator-clock time in ms epoch, e.g. sim.clock.now() + 60_000 (got ${shown(rule.untilMs)})`);
  }
  if (rule.body !== undefined) checkOneOf(where, "body", rule.body, FAULT_BODIES);
}

/** How many matching requests a fault or rule may answer: 0 or more, or no limit when left out. */
export function checkTimes(where: string, times: number | undefined): void {
  if (times !== undefined && !(times >= 0)) throw new RangeError(`${where}: times must be a non-negative number (got ${shown(times)}); leave it out for no limit`);
}

/** A checked fault (see {@link checkFault}), ready to answer requests. */
export function activate(fault: Fault, untilMs?: number): ActiveFault {
  return { fault, untilMs, remaining: fault.times ?? Number.POSITIVE_INFINITY, hits: 0 };
}

export function throttleToFault(rule: ThrottleRule): Fault {
  return {
    status: 429,
    body: rule.body ?? "json",
    retryAfter: rule.retryAfter,
    ...(rule.times === undefined ? {} : { times: rule.times }),
    ...(rule.clientId === undefined ? {} : { match: { clientId: rule.clientId } }),
  };
}

export function faultMatches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (target.endpoint === "redirect" && match?.endpoint !== "redirect") return false;
  if (match === undefined) return true;
  if (match.endpoint !== undefined && match.endpoint !== target.endpoint) return false;
  if (match.grant !== undefined && match.grant !== target.grant) return false;
  if (match.clientId !== undefined && match.clientId !== target.clientId) return false;
  if (match.username !== undefined) {
    if (target.username === undefined) return false;
    if (match.username.toLowerCase() !== target.username.toLowerCase()) return false;
  }
  return true;
}

/**
 * Finds the first live fault that matches, uses one of its hits, and drops retired
 * ones from `list` (mutated in place).
 */
export function takeFault(list: ActiveFault[], target: FaultTarget, nowMs: number): Fault | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const entry = list[i] as ActiveFault;
    if (entry.remaining <= 0 || (entry.untilMs !== undefined && nowMs >= entry.untilMs)) {
      entry.remaining = 0;
      list.splice(i, 1);
    }
  }
  const hit = list.find((entry) => faultMatches(entry.fault.match, target));
  if (hit === undefined) return undefined;
  hit.remaining -= 1;
  hit.hits += 1;
  if (hit.remaining <= 0) list.splice(list.indexOf(hit), 1);
  return hit.fault;
}

/** The handle for any counted entry in a list (faults, sign-in failures): its counts, and removal. */
export function handleFor<Entry extends { hits: number; remaining: number }>(list: Entry[], entry: Entry): FaultHandle {
  return {
    get hits() {
      return entry.hits;
    },
    get remaining() {
      return entry.remaining;
    },
    remove() {
      entry.remaining = 0;
      const index = list.indexOf(entry);
      if (index >= 0) list.splice(index, 1);
    },
  };
}

/** `Retry-After` header value: delta-seconds (rounded up) or an IMF-fixdate HTTP-date. */
export function retryAfterHeader(value: number | Date): string {
  if (value instanceof Date) return value.toUTCString();
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`retryAfter must be a non-negative number of seconds; got ${value}`);
  return String(Math.ceil(value));
}

/** Default AADSTS code for an injected JSON error with this status. */
export function defaultFaultCode(status: number): number {
  if (status === 429) return 90055;
  if (status === 503) return 90033;
  if (status >= 500) return 50000;
  return 90023;
}

/** The HTML page an injected `html` body carries. */
export function htmlErrorPage(status: number): string {
  return `<!DOCTYPE html><html><head><title>${status} Service Error</title></head><body><h1>${status}</h1><p>The service is unavailable. Please try again later.</p></body></html>`;
}
