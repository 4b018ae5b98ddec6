/**
 * A network module for msal-browser (`system.networkClient`) that sends MSAL's requests
 * with `fetch` exactly as msal-browser's own `FetchClient` does, and remembers each failed
 * response by the request's correlation id: HTTP status, `Retry-After` and the JSON error
 * body.
 *
 * Why a browser app wants it: msal-browser keeps no HTTP status and no `Retry-After`, and
 * under the default `cacheLookupPolicy` a refresh-token POST answered with `invalid_grant`
 * (AADSTS50053 lockout, a 53003 block without `suberror`) makes MSAL fall back to a hidden
 * iframe; the caller then gets the iframe's outcome (`timed_out`, `login_required`), never
 * the code. The observer saw the POST, so `guardClient` can report the real cause.
 *
 * Correlation ids (measured with msal-browser 5.29): `acquireTokenSilent` uses one id for
 * the whole call (the request's `correlationId`, else a fresh GUID): the refresh POST's
 * `options.correlationId`, its `client-request-id` query parameter, the iframe and the
 * error's `correlationId` all carry it. The iframe itself never goes through the network
 * module. Two concurrent identical calls share one MSAL promise and one error object
 * whose `correlationId` MSAL overwrites with the *last* caller's id, so the guard looks
 * records up by the id it gave the call, not by the error's.
 *
 * Only responses are kept, never requests (bodies carry codes, verifiers and refresh
 * tokens), never success bodies, never token fields. It never logs.
 */
// A value import: msal-common rethrows only its own AuthError subclasses unchanged
// (`instanceof AuthError` in `sendPostRequest`); anything else becomes a bare
// `network_error`. msal-browser's FetchClient throws a NetworkError wrapping a
// BrowserAuthError, which msal-common unwraps; NetworkError isn't exported, so the
// observer throws the BrowserAuthError itself: the caller sees the same error.
import { keptErrorBody, lowerCaseHeaders, observedHttpRecord, OBSERVED_HEADER_NAMES, type ObservedHttpRecord } from "../core/observed.js";
import { rejectUnknownOptions } from "../core/options.js";
import { BrowserAuthError, version as msalVersion } from "@azure/msal-browser";
import type { BrowserSystemOptions, INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-browser";

/** Response headers a record keeps (lower-case); all others are dropped. */
export const OBSERVED_BROWSER_HEADERS = OBSERVED_HEADER_NAMES;

/** An error response: a non-2xx status, whatever its body (the shape both observers keep). */
export type ObservedBrowserResponse = ObservedHttpRecord;

/** A request that got no response. */
export interface ObservedBrowserTransportFailure {
  /** `timeout`: the observer's own `timeoutMs` ran out. `network`: fetch rejected (offline, CORS, DNS ...). */
  readonly type: "timeout" | "network";
  readonly method: "GET" | "POST";
  readonly timedOut: boolean;
  /** `ETIMEDOUT` for a timeout, else `undefined` (browsers give no code). */
  readonly code: string | undefined;
  readonly url: string;
  readonly at: number;
}

/** What the observer remembers about a failed request: an HTTP error response, or a request that got no answer. */
export type ObservedBrowserFailure = ObservedBrowserResponse | ObservedBrowserTransportFailure;

/** Options for {@link createBrowserNetworkObserver}. */
export interface BrowserNetworkObserverOptions {
  /** The fetch to send with. @default globalThis.fetch, read at call time */
  readonly fetch?: typeof fetch;
  /**
   * Longest wait for one request, in milliseconds. msal-browser's own client sets none,
   * and neither does the observer unless asked.
   * @default Infinity
   */
  readonly timeoutMs?: number;
  /** Most correlation ids remembered; the oldest is forgotten first. @default 200 */
  readonly maxEntries?: number;
  /** How long a record is kept, ms. @default 300_000 (5 minutes) */
  readonly ttlMs?: number;
  /** Current time, epoch ms. @default Date.now, read at call time */
  readonly now?: () => number;
  /** Whether the browser is online (decides `no_network_connectivity`, as MSAL does). @default navigator.onLine */
  readonly isOnline?: () => boolean;
  /** Pause before MSAL's one retry of a POST whose fetch rejected. @default 100 */
  readonly postRetryDelayMs?: number;
}

/** `system` for msal-browser with the observer installed. */
export type ObservedBrowserSystemOptions = BrowserSystemOptions & { networkClient: INetworkModule };

/** A network module for msal-browser that remembers the answers to failed token requests by correlation id, including those MSAL hides behind its iframe fallback. Create it with {@link createBrowserNetworkObserver}. */
export interface BrowserNetworkObserver {
  /** The MSAL network module. Install it with {@link BrowserNetworkObserver.system}. */
  readonly networkClient: INetworkModule;
  /** The last failure recorded for a correlation id (pass the id or the MSAL error). */
  responseFor(correlationIdOrError: unknown): ObservedBrowserFailure | undefined;
  /** Every failure recorded for a correlation id, oldest first (a silent call can make several requests). */
  failuresFor(correlationIdOrError: unknown): readonly ObservedBrowserFailure[];
  /** Like {@link BrowserNetworkObserver.responseFor}, and forgets the id's records. */
  take(correlationIdOrError: unknown): ObservedBrowserFailure | undefined;
  readonly size: number;
  /** Forgets every record. */
  clear(): void;
  /**
   * MSAL's `system` block with `networkClient` set; other options are copied.
   * @example new PublicClientApplication({ auth, system: observer.system({ loggerOptions }) })
   */
  system(extra?: Omit<BrowserSystemOptions, "networkClient">): ObservedBrowserSystemOptions;
  /** A copy of a msal-browser configuration with `system.networkClient` set. The argument is not changed. */
  configure<C extends object>(config: C & { readonly system?: BrowserSystemOptions }): Omit<C, "system"> & { system: ObservedBrowserSystemOptions };
}

const MAX_PER_ID = 8;

/**
 * Creates a network observer for msal-browser (4.x and 5.x).
 *
 * @example
 * const observer = createBrowserNetworkObserver();
 * const pca = new PublicClientApplication({ auth, system: observer.system() });
 * const client = guardClient(pca, { observer });
 */
export function createBrowserNetworkObserver(options: BrowserNetworkObserverOptions = {}): BrowserNetworkObserver {
  if (typeof options !== "object" || options === null) throw new TypeError("msal-guard: createBrowserNetworkObserver(options): options must be an object.");
  rejectUnknownOptions(options, new Set(["fetch", "timeoutMs", "maxEntries", "ttlMs", "now", "isOnline", "postRetryDelayMs"]), "createBrowserNetworkObserver(options)");
  const timeoutMs = positive(options.timeoutMs, Number.POSITIVE_INFINITY, "timeoutMs");
  const ttlMs = positive(options.ttlMs, 5 * 60_000, "ttlMs");
  const maxEntries = options.maxEntries ?? 200;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`msal-guard: maxEntries must be a positive integer; got ${String(maxEntries)}`);
  const retryDelayMs = options.postRetryDelayMs ?? 100;
  const now = options.now ?? (() => Date.now());
  const isOnline = options.isOnline ?? (() => globalThis.navigator?.onLine !== false);
  // Insertion order is age order: an id is re-inserted on every new record.
  const records = new Map<string, ObservedBrowserFailure[]>();

  function remember(id: string | undefined, record: ObservedBrowserFailure): void {
    if (id === undefined) return;
    const list = records.get(id) ?? [];
    records.delete(id);
    records.set(id, [...list, Object.freeze(record)].slice(-MAX_PER_ID));
    for (const [key, kept] of records) {
      if (record.at - (kept.at(-1)?.at ?? 0) < ttlMs) break;
      records.delete(key);
    }
    while (records.size > maxEntries) records.delete(records.keys().next().value as string);
  }

  function lookup(input: unknown): [string, ObservedBrowserFailure[]] | undefined {
    const id = correlationIdOf(input);
    const list = id === undefined ? undefined : records.get(id);
    if (id === undefined || list === undefined) return undefined;
    const fresh = list.filter((r) => now() - r.at < ttlMs);
    if (fresh.length === 0) {
      records.delete(id);
      return undefined;
    }
    return [id, fresh];
  }

  async function send<T>(method: "GET" | "POST", url: string, request: NetworkRequestOptions | undefined): Promise<NetworkResponse<T>> {
    const id = requestCorrelationId(url, request);
    // As FetchClient: GET errors carry no correlation id, POST errors the request's.
    const errorId = method === "POST" ? (request?.correlationId ?? "") : "";
    const bareUrl = withoutQuery(url);
    const doFetch = options.fetch ?? globalThis.fetch;
    let timedOut = false;

    const attempt = async (): Promise<Response> => {
      const controller = Number.isFinite(timeoutMs) ? new AbortController() : undefined;
      const timer = controller === undefined ? undefined : setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      try {
        return await doFetch(url, {
          method,
          headers: new Headers(request?.headers ?? {}),
          ...(method === "POST" ? { body: request?.body ?? "" } : {}),
          ...(controller === undefined ? {} : { signal: controller.signal }),
        });
      } finally {
        clearTimeout(timer);
      }
    };

    let response: Response | undefined;
    let lastError: unknown;
    // msal-browser 5's FetchClient retries a POST once, after 100 ms, when fetch itself
    // rejected (not on an abort, not offline); 4's never retries.
    const attempts = method === "POST" && retriesPosts() ? 2 : 1;
    for (let tries = 1; tries <= attempts && response === undefined; tries++) {
      try {
        response = await attempt();
      } catch (error) {
        lastError = error;
        const retry = tries < attempts && !timedOut && isOnline() && (error as { name?: unknown })?.name !== "AbortError";
        if (!retry) break;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
    if (response === undefined) {
      remember(id, { type: timedOut ? "timeout" : "network", method, timedOut, code: timedOut ? "ETIMEDOUT" : undefined, url: bareUrl, at: now() });
      const code = !isOnline() ? "no_network_connectivity" : method === "POST" ? "post_request_failed" : "get_request_failed";
      throw msalError(code, errorId, lastError);
    }

    const status = response.status;
    const headers = lowerCaseHeaders(response.headers);
    let text: string;
    let body: T;
    try {
      text = await response.text();
      body = JSON.parse(text) as T;
    } catch (cause) {
      // FetchClient: failed_to_parse_response, and the status dies with its NetworkError.
      if (status < 200 || status >= 300) remember(id, observedHttpRecord(method, status, headers, undefined, bareUrl, now()));
      throw msalError("failed_to_parse_response", errorId, cause);
    }
    if (status >= 200 && status < 300) {
      if (id !== undefined) records.delete(id);
    } else {
      remember(id, observedHttpRecord(method, status, headers, keptErrorBody(text), bareUrl, now()));
    }
    return { headers, body, status };
  }

  const networkClient: INetworkModule = {
    sendGetRequestAsync: (url, request) => send("GET", url, request),
    sendPostRequestAsync: (url, request) => send("POST", url, request),
  };

  return {
    networkClient,
    responseFor: (input) => lookup(input)?.[1].at(-1),
    failuresFor: (input) => lookup(input)?.[1] ?? [],
    take(input) {
      const found = lookup(input);
      if (found !== undefined) records.delete(found[0]);
      return found?.[1].at(-1);
    },
    get size() {
      return records.size;
    },
    clear: () => records.clear(),
    system: (extra) => ({ ...extra, networkClient }),
    configure: (config) => ({ ...config, system: { ...config.system, networkClient } }),
  };
}

/**
 * The error msal-browser's FetchClient ends up throwing (msal-common unwraps its
 * NetworkError), with the same `errorMessage` suffix, plus the cause.
 */
function msalError(code: string, correlationId: string, cause: unknown): BrowserAuthError {
  // 4.x takes (code, subError), 5.x (code, correlationId): pass "" and set the id after.
  const error = new BrowserAuthError(code, "");
  error.correlationId = correlationId;
  const detail = cause instanceof Error ? cause : undefined;
  error.errorMessage = `${error.errorMessage}, additionalErrorInfo: error.name:${detail?.name}, error.message:${detail?.message}`;
  Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true, enumerable: false });
  return error;
}

/** Whether the installed msal-browser's own client retries a failed POST (5.x and later). */
function retriesPosts(): boolean {
  const major = Number.parseInt(String(msalVersion), 10);
  return !(major < 5);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`msal-guard: ${name} must be a positive number of milliseconds (Infinity for none); got ${String(value)}`);
  return value;
}

function requestCorrelationId(url: string, request: NetworkRequestOptions | undefined): string | undefined {
  const given = nonEmpty(request?.correlationId);
  if (given !== undefined) return given;
  for (const [name, value] of Object.entries(request?.headers ?? {})) {
    if (name.toLowerCase() === "client-request-id" && nonEmpty(value) !== undefined) return value;
  }
  try {
    return nonEmpty(new URL(url).searchParams.get("client-request-id"));
  } catch {
    return undefined;
  }
}

export function correlationIdOf(input: unknown): string | undefined {
  if (typeof input === "string") return nonEmpty(input);
  if (typeof input !== "object" || input === null) return undefined;
  try {
    return nonEmpty((input as { correlationId?: unknown }).correlationId);
  } catch {
    return undefined;
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}
