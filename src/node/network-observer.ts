/**
 * A network module for msal-node (`system.networkClient`) that sends MSAL's requests with
 * `fetch`, as msal-node's own client does, and remembers each failed response by the
 * request's correlation id: HTTP status, `Retry-After` and the JSON error body. MSAL drops
 * the status outside client credentials, every `Retry-After`, and, for a non-JSON body
 * (an HTML 503, an empty 429), everything; `classify(error, { response })` gets them back.
 * It also bounds every request with a timeout (msal-node's client has none on POSTs).
 *
 * How a request is matched to the error MSAL throws (measured with msal-node 7.2.1):
 *
 * | flow                                   | `options.correlationId` | also in the request          | error's `correlationId` |
 * | -------------------------------------- | ----------------------- | ---------------------------- | ----------------------- |
 * | client credentials, ROPC, refresh token, on-behalf-of, auth code, device-code poll | yes | `client-request-id` query parameter | the same id |
 * | device-code request (`/devicecode`)    | yes                     | nothing                      | the same id             |
 * | managed identity                       | no                      | IMDS: `x-ms-client-request-id` header (a fresh id per request) | the server body's correlation id, or `""` |
 *
 * So the id comes from `options.correlationId`, else the `client-request-id` /
 * `x-ms-client-request-id` request header, else the `client-request-id` query parameter.
 * Managed identity errors cannot be matched by id (their `correlationId` is not the
 * request's; MSAL keeps the status on them, but not `Retry-After`): for them
 * {@link NetworkObserver.observe} tells the last failed response of the requests one call sent.
 *
 * Only responses are kept, never requests: request bodies carry passwords, secrets and
 * assertions. Success bodies (tokens) are never kept either. It never logs.
 */
// Values, not just types: MSAL rethrows only its own AuthError class unchanged
// (`instanceof AuthError` in msal-common's sendPostRequest); anything else becomes a
// generic network_error, which would make an HTML 503 look like a network failure. A
// static import resolves to the same build (ESM or CJS) the app uses; a lazy `import()`
// would load the ESM copy from a CommonJS app, a second msal-node with other classes.
import { keptErrorBody, lowerCaseHeaders, observedHttpRecord, OBSERVED_HEADER_NAMES, type ObservedHttpRecord } from "../core/observed.js";
import { rejectUnknownOptions } from "../core/options.js";
import { AsyncLocalStorage } from "node:async_hooks";
import { AuthError, ClientAuthErrorCodes } from "@azure/msal-node";
import type { INetworkModule, NetworkRequestOptions, NetworkResponse, NodeSystemOptions } from "@azure/msal-node";

/** Response headers a record keeps (lower-case); all others are dropped. */
export const OBSERVED_HEADERS = OBSERVED_HEADER_NAMES;

/** An error response: a non-2xx status, whatever its body (the shape both observers keep). */
export type ObservedHttpResponse = ObservedHttpRecord;

/** A request that produced no response. */
export interface ObservedTransportFailure {
  /** `timeout`: the observer's own `timeoutMs` ran out. `network`: fetch failed (refused, reset, DNS ...). */
  readonly type: "timeout" | "network";
  readonly method: "GET" | "POST";
  readonly timedOut: boolean;
  /**
   * A Node-style error code: `ETIMEDOUT` for a timeout, else the transport's own code
   * (`ECONNRESET`, `UND_ERR_SOCKET` ...) when it gave one. `classify` reads it as a network failure.
   */
  readonly code: string | undefined;
  readonly url: string;
  readonly at: number;
}

/** What the observer remembers about a failed request. Plain, frozen data. */
export type ObservedResponse = ObservedHttpResponse | ObservedTransportFailure;

/** Options for {@link createNetworkObserver}. */
export interface NetworkObserverOptions {
  /**
   * Longest wait for one request, headers and body, in milliseconds; applies to every GET
   * and POST (MSAL's own shorter GET timeouts still apply). `Infinity` turns it off.
   * @default 30_000
   */
  readonly timeoutMs?: number;
  /** Most correlation ids remembered; the oldest is forgotten first. @default 1_000 */
  readonly maxEntries?: number;
  /** How long a record is kept, in milliseconds. @default 300_000 (5 minutes) */
  readonly ttlMs?: number;
  /** The fetch to send with (e.g. undici's with a proxy dispatcher). @default globalThis.fetch, read at call time */
  readonly fetch?: typeof fetch;
  /** Current time, epoch ms. @default Date.now, read at call time */
  readonly now?: () => number;
}

/** `system` for msal-node with the observer installed. */
export type ObservedSystemOptions = NodeSystemOptions & { networkClient: INetworkModule };

/** A network module for msal-node that remembers the HTTP status, headers and body of failed token requests by correlation id (MSAL drops them). Create it with {@link createNetworkObserver}. */
export interface NetworkObserver {
  /** The MSAL network module. Install it with {@link NetworkObserver.system} or {@link NetworkObserver.configure}. */
  readonly networkClient: INetworkModule;
  /**
   * The last failure recorded for a correlation id: pass the id, or the MSAL error itself
   * (its `correlationId` is read). `undefined` when the request succeeded, nothing was
   * recorded, or the record expired.
   *
   * @example
   * catch (error) { const c = classify(error, { response: observer.responseFor(error) }) }
   */
  responseFor(correlationIdOrError: unknown): ObservedResponse | undefined;
  /** Like {@link NetworkObserver.responseFor}, and forgets the record. */
  take(correlationIdOrError: unknown): ObservedResponse | undefined;
  /**
   * Runs `run` (one MSAL call) and notes the failed responses of the requests it sends
   * through this observer, followed across its awaits (`AsyncLocalStorage`). For errors
   * that carry no correlation id of their request (managed identity: IMDS sends none),
   * `lastFailure` is the response to match. `guardClient({ observer })` uses it by itself.
   *
   * @example
   * const call = observer.observe(() => mi.acquireToken({ resource }));
   * try { await call.result }
   * catch (error) { classify(error, { response: observer.responseFor(error) ?? call.lastFailure }) }
   */
  observe<T>(run: () => Promise<T>): ObservedCall<T>;
  /**
   * Runs `run` (one MSAL call) with every request it would send through this observer
   * refused before it leaves, so that only MSAL's token cache can answer. Resolves with what
   * `run` returned, or `undefined` when it failed (it needed the network, typically). Nothing
   * is sent or recorded. `guardClient({ observer })` uses it for a call it would suppress:
   * a token MSAL has cached is still returned.
   */
  offline<T>(run: () => Promise<T>): Promise<T | undefined>;
  /** Records held now (expired ones may still count until the next read or write). */
  readonly size: number;
  /** Forgets every record. */
  clear(): void;
  /**
   * MSAL's `system` block with `networkClient` set; other options are copied.
   * @example new ConfidentialClientApplication({ auth, system: observer.system({ loggerOptions }) })
   */
  system(extra?: Omit<NodeSystemOptions, "networkClient">): ObservedSystemOptions;
  /** A copy of a msal-node configuration with `system.networkClient` set. The argument is not changed. */
  configure<C extends object>(config: C & { readonly system?: NodeSystemOptions }): Omit<C, "system"> & { system: ObservedSystemOptions };
}

/** One call run by {@link NetworkObserver.observe}. */
export interface ObservedCall<T> {
  /** What `run` returned (or threw). */
  readonly result: Promise<T>;
  /** The last failure recorded for a request the call sent (read when the call has settled), or `undefined`. */
  readonly lastFailure: ObservedResponse | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_ENTRIES = 1_000;
const DEFAULT_TTL_MS = 5 * 60_000;
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(["timeoutMs", "maxEntries", "ttlMs", "fetch", "now"]);
/** Longer error bodies are not kept (Entra's are about 1 KB); MSAL still gets them. */

/**
 * Creates a network observer. One can serve any number of msal-node applications.
 *
 * @example
 * const observer = createNetworkObserver({ timeoutMs: 10_000 });
 * const app = new PublicClientApplication({ auth, system: observer.system({ loggerOptions }) });
 * try { await app.acquireTokenByUsernamePassword(request) }
 * catch (error) {
 *   const c = classify(error, { response: observer.responseFor(error) }); // knows 429 from 503
 * }
 */
export function createNetworkObserver(options: NetworkObserverOptions = {}): NetworkObserver {
  if (typeof options !== "object" || options === null) throw new TypeError("msal-guard: createNetworkObserver(options): options must be an object.");
  rejectUnknownOptions(options, KNOWN_OPTIONS, "createNetworkObserver(options)");
  const timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, "timeoutMs");
  const ttlMs = positive(options.ttlMs, DEFAULT_TTL_MS, "ttlMs");
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`msal-guard: maxEntries must be a positive integer; got ${String(maxEntries)}`);
  const now = options.now ?? (() => Date.now());
  // Insertion order is age order: a record is re-inserted when replaced.
  const records = new Map<string, ObservedResponse>();
  // The call (see `observe`) a request is sent for, if any.
  const calls = new AsyncLocalStorage<{ last: ObservedResponse | undefined; readonly offline?: true }>();

  function remember(id: string | undefined, record: ObservedResponse): void {
    const frozen = Object.freeze(record);
    const call = calls.getStore();
    if (call !== undefined) call.last = frozen;
    if (id === undefined) return;
    records.delete(id);
    records.set(id, frozen);
    prune(record.at);
    while (records.size > maxEntries) records.delete(records.keys().next().value as string);
  }

  function prune(nowMs: number): void {
    for (const [id, record] of records) {
      if (nowMs - record.at < ttlMs) break;
      records.delete(id);
    }
  }

  function lookup(input: unknown): [string, ObservedResponse] | undefined {
    const id = correlationIdOf(input);
    if (id === undefined) return undefined;
    const record = records.get(id);
    if (record === undefined) return undefined;
    if (now() - record.at >= ttlMs) {
      records.delete(id);
      return undefined;
    }
    return [id, record];
  }

  async function send<T>(method: "GET" | "POST", url: string, request: NetworkRequestOptions | undefined, msalTimeoutMs: number | undefined): Promise<NetworkResponse<T>> {
    const id = requestCorrelationId(url, request);
    if (calls.getStore()?.offline) throw new AuthError(ClientAuthErrorCodes.networkError, id ?? "", "msal-guard: request not sent (answering from the token cache only)");
    const bareUrl = withoutQuery(url);
    const limit = msalTimeoutMs !== undefined && msalTimeoutMs > 0 ? Math.min(msalTimeoutMs, timeoutMs) : timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = Number.isFinite(limit)
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, limit)
      : undefined;

    const transportFailure = (cause: unknown): AuthError => {
      remember(id, {
        type: timedOut ? "timeout" : "network",
        method,
        timedOut,
        code: timedOut ? "ETIMEDOUT" : transportCode(cause),
        url: bareUrl,
        at: now(),
      });
      // What msal-node's HttpClient ends up throwing (its NetworkError wrapper is unwrapped
      // by MSAL before the caller sees it), with the request's correlation id and the cause.
      const message = timedOut ? "Request timeout" : `Network request failed: ${cause instanceof Error ? cause.message : "unknown"}`;
      const error = new AuthError(ClientAuthErrorCodes.networkError, id ?? "", message);
      Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true, enumerable: false });
      return error;
    };

    let status: number;
    let headers: Record<string, string>;
    let text: string;
    try {
      const doFetch = options.fetch ?? globalThis.fetch;
      const response = await doFetch(url, {
        method,
        headers: request?.headers ?? {},
        ...(method === "POST" ? { body: request?.body ?? "" } : {}),
        signal: controller.signal,
      });
      status = response.status;
      headers = lowerCaseHeaders(response.headers);
      // A failure while reading the body is a transport failure too (a reset, or the timeout).
      text = await response.text();
    } catch (cause) {
      throw transportFailure(cause);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }

    const ok = status >= 200 && status < 300;
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      // msal-node's client throws token_parsing_error here, and with it the status and
      // Retry-After are gone. Record them first.
      if (ok) forget(id);
      else remember(id, observedHttpRecord(method, status, headers, undefined, bareUrl, now()));
      throw new AuthError(ClientAuthErrorCodes.tokenParsingError, id ?? "", `Failed to parse response: HTTP ${status} with a body that is not JSON`);
    }
    if (ok) forget(id);
    else remember(id, observedHttpRecord(method, status, headers, keptErrorBody(text), bareUrl, now()));
    return { headers, body, status };
  }

  function forget(id: string | undefined): void {
    if (id !== undefined) records.delete(id);
  }

  const networkClient: INetworkModule = {
    sendGetRequestAsync: (url, request, timeout) => send("GET", url, request, timeout),
    sendPostRequestAsync: (url, request) => send("POST", url, request, undefined),
  };

  return {
    networkClient,
    responseFor: (input) => lookup(input)?.[1],
    take(input) {
      const found = lookup(input);
      if (found !== undefined) records.delete(found[0]);
      return found?.[1];
    },
    observe<T>(run: () => Promise<T>): ObservedCall<T> {
      // Inside offline(), the call stays offline.
      const call: { last: ObservedResponse | undefined; offline?: true } = calls.getStore()?.offline ? { last: undefined, offline: true } : { last: undefined };
      const result = calls.run(call, () => {
        try {
          return Promise.resolve(run());
        } catch (error) {
          return Promise.reject(error as Error);
        }
      });
      return {
        result,
        get lastFailure() {
          return call.last;
        },
      };
    },
    async offline<T>(run: () => Promise<T>): Promise<T | undefined> {
      try {
        return await calls.run({ last: undefined, offline: true }, run);
      } catch {
        return undefined;
      }
    },
    get size() {
      return records.size;
    },
    clear: () => records.clear(),
    system: (extra) => ({ ...extra, networkClient }),
    configure: (config) => ({ ...config, system: { ...config.system, networkClient } }),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`msal-guard: ${name} must be a positive number of milliseconds (Infinity for none); got ${String(value)}`);
  return value;
}

/** The correlation id MSAL gave this request (see the table at the top). */
function requestCorrelationId(url: string, request: NetworkRequestOptions | undefined): string | undefined {
  const given = nonEmpty(request?.correlationId);
  if (given !== undefined) return given;
  for (const [name, value] of Object.entries(request?.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === "client-request-id" || lower === "x-ms-client-request-id") {
      const id = nonEmpty(value);
      if (id !== undefined) return id;
    }
  }
  try {
    return nonEmpty(new URL(url).searchParams.get("client-request-id"));
  } catch {
    return undefined;
  }
}

function correlationIdOf(input: unknown): string | undefined {
  if (typeof input === "string") return nonEmpty(input);
  if (typeof input !== "object" || input === null) return undefined;
  try {
    return nonEmpty((input as { correlationId?: unknown }).correlationId);
  } catch {
    return undefined; // a getter or proxy that throws
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

/** The transport's error code (undici puts it on `cause`), if it looks like one. */
function transportCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; typeof current === "object" && current !== null && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
