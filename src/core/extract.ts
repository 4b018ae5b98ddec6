import type { ErrorSource } from "./classification.js";
import { MAX_TEXT, asInteger, asString, isBag, read, readItems, readString } from "./read.js";
import { parseRetryAfter, retryAfterFromHeaders } from "./retry-after.js";

/**
 * Everything found about one failure, before a verdict. Server text is scanned for
 * codes and identifiers but never kept.
 */
export interface Evidence {
  /** AADSTS codes in order of trust (most trusted source first), possibly repeated. */
  codes: number[];
  error: string | undefined;
  subError: string | undefined;
  /** `error_subcode` from an `/authorize` redirect (`cancel` when the user backed out). */
  errorSubcode: string | undefined;
  httpStatus: number | undefined;
  retryAfterMs: number | undefined;
  correlationId: string | undefined;
  traceId: string | undefined;
  timestamp: string | undefined;
  claims: string | undefined;
  replayed: boolean;
  source: ErrorSource | undefined;
  /** The `name` of the first error-like object that told us something (e.g. `ServerError`). */
  errorName: string | undefined;
  /** Low-level transport hints (`ECONNREFUSED`, `AbortError`, `fetch failed` ...). */
  transportFailure: boolean;
}

export function emptyEvidence(): Evidence {
  return {
    codes: [],
    error: undefined,
    subError: undefined,
    errorSubcode: undefined,
    httpStatus: undefined,
    retryAfterMs: undefined,
    correlationId: undefined,
    traceId: undefined,
    timestamp: undefined,
    claims: undefined,
    replayed: false,
    source: undefined,
    errorName: undefined,
    transportFailure: false,
  };
}

const MAX_DEPTH = 6;
const MAX_CODES = 24;

/** MSAL error class names (any package, any build). Minified builds keep these: MSAL assigns `name` explicitly. */
const MSAL_ERROR_NAMES = new Set([
  "AuthError",
  "ServerError",
  "InteractionRequiredAuthError",
  "ClientAuthError",
  "ClientConfigurationError",
  "BrowserAuthError",
  "BrowserConfigurationAuthError",
  "NodeAuthError",
  "NetworkError",
  "CacheError",
  "JoseHeaderError",
  "NativeAuthError",
  "PlatformBrokerError",
  "NestedAppAuthError",
  "ManagedIdentityError",
]);

/** `@azure/identity` error names. */
const IDENTITY_ERROR_NAMES = new Set([
  "AuthenticationError",
  "AuthenticationRequiredError",
  "CredentialUnavailableError",
  "AggregateAuthenticationError",
]);

/**
 * Gathers evidence from the error and, when given, from the raw HTTP response of the
 * same request (a network observer's record). Earlier inputs win for single fields;
 * codes from every input are kept.
 */
export function gatherEvidence(inputs: readonly unknown[], nowMs: number): Evidence {
  const evidence = emptyEvidence();
  const seen = new WeakSet<object>();
  for (const input of inputs) visit(input, 0);
  return evidence;

  function visit(value: unknown, depth: number): void {
    if (depth > MAX_DEPTH) return;
    if (typeof value === "string") {
      visitString(value, depth);
      return;
    }
    if (typeof value === "number") {
      const code = asInteger(value);
      // AADSTS codes have four to nine digits; smaller numbers are not codes.
      if (code !== undefined && code >= 1000) {
        addCode(code);
        evidence.source ??= "text";
      }
      return;
    }
    if (!isBag(value)) return;
    if (seen.has(value)) return;
    seen.add(value);

    if (isUrlLike(value)) {
      visitRedirect(urlParams(value), depth);
      return;
    }
    if (isSearchParams(value)) {
      visitRedirect(value, depth);
      return;
    }

    const name = readString(value, "name", 100);
    const errorCode = read(value, "errorCode");
    if (typeof errorCode === "string" && (name === undefined || MSAL_ERROR_NAMES.has(name) || readString(value, "errorMessage") !== undefined)) {
      visitMsalError(value, name, errorCode);
    } else if (name !== undefined && IDENTITY_ERROR_NAMES.has(name)) {
      visitIdentityError(value, name, depth);
    } else if (looksLikeResponse(value)) {
      visitResponse(value, depth);
    } else if (typeof read(value, "error") === "string") {
      visitOAuthBody(value, evidence.source ?? (read(value, "state") !== undefined ? "authorize-redirect" : "token-response"));
    } else {
      visitGeneric(value, name);
    }

    // Chains: the standard `cause`, MSAL's NetworkError.error, identity's aggregate `errors`.
    visit(read(value, "cause"), depth + 1);
    const inner = read(value, "error");
    if (isBag(inner)) visit(inner, depth + 1);
    for (const item of readItems(read(value, "errors"), 10)) visit(item, depth + 1);
  }

  function addCode(code: number): void {
    if (evidence.codes.length < MAX_CODES && code > 0 && code < 1e9) evidence.codes.push(code);
  }

  function setOnce<K extends keyof Evidence>(key: K, value: Evidence[K] | undefined): void {
    if (value !== undefined && evidence[key] === undefined) evidence[key] = value;
  }

  function visitMsalError(error: object, name: string | undefined, errorCode: string): void {
    evidence.source ??= "msal";
    setOnce("errorName", name);
    const errorNo = asInteger(read(error, "errorNo"));
    if (errorNo !== undefined) addCode(errorNo);
    const message = readString(error, "errorMessage");
    if (message !== undefined) {
      const listed = /^Error\(s\): ([\d,\s]+) - /.exec(message);
      if (listed?.[1] !== undefined) for (const c of listed[1].split(",")) addCode(Number(c));
    }
    // A throttle replay is a ServerError whose errorCode is the numeric codes joined by
    // spaces (or empty), with no errorNo and no status: nothing else marks it.
    const status = asInteger(read(error, "status")) ?? asInteger(read(error, "httpStatus"));
    if (name === "ServerError" && /^(\d+( \d+)*)?$/.test(errorCode) && errorNo === undefined && status === undefined) {
      evidence.replayed = true;
      for (const c of errorCode.split(" ")) if (c !== "") addCode(Number(c));
    } else if (errorCode === "post_request_failed" && message !== undefined && /^[a-z_]{3,60}$/.test(message)) {
      // msal-node's device-code poll throws AuthError("post_request_failed", <the OAuth
      // error value>) and drops everything else: the codes survive only in the response.
      setOnce("error", message);
    } else if (errorCode !== "") {
      setOnce("error", errorCode.slice(0, 100));
    }
    // The error's own correlation id (the request's) wins over ids quoted in its text:
    // a throttle replay quotes the original request's.
    setOnce("correlationId", identifier(read(error, "correlationId")));
    if (message !== undefined) scanText(message);
    const plainMessage = readString(error, "message");
    if (plainMessage !== undefined && plainMessage !== message) scanCodes(plainMessage);
    setOnce("subError", readString(error, "subError", 100));
    setOnce("httpStatus", validStatus(status));
    setOnce("traceId", identifier(read(error, "traceId")));
    setOnce("timestamp", timestampText(read(error, "timestamp")));
    setOnce("claims", readString(error, "claims", 16 * 1024));
    setOnce("retryAfterMs", retryAfterFromHeaders(read(error, "responseHeaders"), nowMs));
  }

  function visitIdentityError(error: object, name: string, depth: number): void {
    evidence.source ??= "azure-identity";
    setOnce("errorName", name);
    setOnce("httpStatus", validStatus(asInteger(read(error, "statusCode"))));
    const response = read(error, "errorResponse");
    if (isBag(response)) {
      // `error` holds the OAuth value, except where identity puts its own sentence there
      // (EnvironmentCredential); then the description's "invalid_client: ..." prefix tells.
      setOnce("error", oauthValue(readString(response, "error", 100)));
      for (const c of readItems(read(response, "errorCodes") ?? read(response, "error_codes"), MAX_CODES)) {
        const code = asInteger(c);
        if (code !== undefined) addCode(code);
      }
      const description = readString(response, "errorDescription") ?? readString(response, "error_description");
      if (description !== undefined) visitMessage(description);
      setOnce("correlationId", identifier(read(response, "correlationId") ?? read(response, "correlation_id")));
      setOnce("traceId", identifier(read(response, "traceId") ?? read(response, "trace_id")));
      setOnce("timestamp", timestampText(read(response, "timestamp")));
      setOnce("claims", readString(response, "claims", 16 * 1024));
    }
    // AuthenticationRequiredError keeps only MSAL's message: "<errorCode>: <errorMessage>".
    const message = readString(error, "message");
    if (message !== undefined) visitMessage(message);
    void depth;
  }

  /** An MSAL-style message, "<errorCode>: <text>", where the text may be MSAL's "Error(s): ..." template. */
  function visitMessage(message: string): void {
    const prefix = /^([a-z][a-z0-9_]{2,60}): /.exec(message);
    if (prefix?.[1] !== undefined) setOnce("error", prefix[1]);
    const listed = /^(?:[a-z][a-z0-9_]{2,60}: )?Error\(s\): ([\d,\s]+) - /.exec(message);
    if (listed?.[1] !== undefined) for (const c of listed[1].split(",")) addCode(Number(c));
    scanText(message);
  }

  /** A network-level response: `{ status, headers, body }` (MSAL's `NetworkResponse`, a fetch-like record). */
  function visitResponse(response: object, depth: number): void {
    evidence.source ??= "token-response";
    setOnce("httpStatus", validStatus(asInteger(read(response, "status"))));
    setOnce("retryAfterMs", retryAfterFromHeaders(read(response, "headers"), nowMs));
    const body = read(response, "body");
    if (typeof body === "string") visitString(body, depth + 1);
    else if (isBag(body)) visit(body, depth + 1);
  }

  function visitOAuthBody(body: object, source: ErrorSource): void {
    evidence.source ??= source;
    setOnce("error", readString(body, "error", 100));
    for (const c of readItems(read(body, "error_codes"), MAX_CODES)) {
      const code = asInteger(c);
      if (code !== undefined) addCode(code);
    }
    const uriCode = codeFromErrorUri(readString(body, "error_uri", 2048));
    if (uriCode !== undefined) addCode(uriCode);
    const description = readString(body, "error_description");
    if (description !== undefined) scanText(description);
    setOnce("subError", readString(body, "suberror", 100));
    setOnce("errorSubcode", readString(body, "error_subcode", 100));
    setOnce("correlationId", identifier(read(body, "correlation_id")));
    setOnce("traceId", identifier(read(body, "trace_id")));
    setOnce("timestamp", timestampText(read(body, "timestamp")));
    setOnce("claims", readString(body, "claims", 16 * 1024));
    setOnce("httpStatus", validStatus(asInteger(read(body, "status"))));
  }

  function visitRedirect(params: SearchParamsLike | undefined, depth: number): void {
    if (params === undefined) return;
    const record: Record<string, string> = {};
    for (const key of ["error", "error_description", "error_uri", "suberror", "error_subcode", "claims", "correlation_id", "trace_id", "timestamp", "state"]) {
      let value: unknown;
      try {
        value = params.get(key);
      } catch {
        value = undefined;
      }
      if (typeof value === "string") record[key] = value;
    }
    if (record.error === undefined && record.error_description === undefined) return;
    void depth;
    visitOAuthBody(record, "authorize-redirect");
  }

  function visitGeneric(value: object, name: string | undefined): void {
    const message = readString(value, "message");
    const code = readString(value, "code", 64);
    if (name === "AbortError" || name === "TimeoutError" || (code !== undefined && TRANSPORT_CODES.has(code))) {
      evidence.transportFailure = true;
    }
    if (message !== undefined) {
      if (TRANSPORT_MESSAGES.some((pattern) => pattern.test(message.slice(0, 300)))) evidence.transportFailure = true;
      scanText(message);
    }
    // Some wrappers carry the status and headers directly.
    setOnce("httpStatus", validStatus(asInteger(read(value, "statusCode")) ?? asInteger(read(value, "status"))));
    const headers = read(value, "headers");
    if (headers !== undefined) setOnce("retryAfterMs", retryAfterFromHeaders(headers, nowMs));
    if (evidence.source === undefined && (message !== undefined || name !== undefined)) evidence.source = "other";
  }

  function visitString(text: string, depth: number): void {
    const bounded = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
    const trimmed = bounded.trim();
    if (trimmed.startsWith("{") && text.length <= MAX_TEXT) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        parsed = undefined;
      }
      if (isBag(parsed)) {
        evidence.source ??= "token-response";
        visit(parsed, depth + 1);
        return;
      }
    }
    if (/(^|[?#&])error=/.test(trimmed) && !/\s/.test(trimmed)) {
      const params = paramsFromText(trimmed);
      if (params !== undefined) {
        evidence.source ??= "authorize-redirect";
        visitRedirect(params, depth);
        return;
      }
    }
    evidence.source ??= "text";
    const bareCode = /^(?:AADSTS)?(\d{4,9})$/i.exec(trimmed);
    if (bareCode?.[1] !== undefined) {
      addCode(Number(bareCode[1]));
      return;
    }
    // "interaction_required: AADSTS53003: ..." — MSAL's message shape.
    const prefix = /^([a-z][a-z0-9_]{2,60}):\s/.exec(trimmed);
    if (prefix?.[1] !== undefined) setOnce("error", prefix[1]);
    scanText(bounded);
  }

  /** AADSTS codes plus the identifier lines Entra appends to descriptions. */
  function scanText(text: string): void {
    scanCodes(text);
    setOnce("traceId", identifier(/Trace ID: ([0-9a-f-]{8,64})/i.exec(text)?.[1]));
    setOnce("correlationId", identifier(/Correlation ID: ([0-9a-f-]{8,64})/i.exec(text)?.[1]));
    setOnce("timestamp", timestampText(/Timestamp: (\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?)/.exec(text)?.[1]));
  }

  function scanCodes(text: string): void {
    const pattern = /AADSTS(\d{4,9})/g;
    let match: RegExpExecArray | null;
    let found = 0;
    while ((match = pattern.exec(text)) !== null && found < MAX_CODES) {
      addCode(Number(match[1]));
      found++;
    }
  }
}

interface SearchParamsLike {
  get(name: string): string | null;
}

function isSearchParams(value: object): value is SearchParamsLike {
  try {
    return typeof URLSearchParams !== "undefined" && value instanceof URLSearchParams;
  } catch {
    return false;
  }
}

function isUrlLike(value: object): boolean {
  try {
    return typeof URL !== "undefined" && value instanceof URL;
  } catch {
    return false;
  }
}

function urlParams(url: object): SearchParamsLike | undefined {
  const href = read(url, "href");
  return typeof href === "string" ? paramsFromText(href) : undefined;
}

/** Query and fragment parameters of a URL, or of a bare `a=b&c=d` string (fragment wins, as MSAL reads it). */
function paramsFromText(text: string): SearchParamsLike | undefined {
  if (typeof URLSearchParams === "undefined") return undefined;
  try {
    const hashAt = text.indexOf("#");
    const queryAt = text.indexOf("?");
    const fragment = hashAt >= 0 ? new URLSearchParams(text.slice(hashAt + 1)) : undefined;
    const queryText = queryAt >= 0 ? text.slice(queryAt + 1, hashAt > queryAt ? hashAt : undefined) : hashAt >= 0 || /^[a-z]+:\/\//i.test(text) ? "" : text;
    const query = new URLSearchParams(queryText);
    if (fragment?.has("error")) return fragment;
    return query;
  } catch {
    return undefined;
  }
}

function looksLikeResponse(value: object): boolean {
  return asInteger(read(value, "status")) !== undefined && read(value, "body") !== undefined && read(value, "headers") !== undefined;
}

function codeFromErrorUri(uri: string | undefined): number | undefined {
  if (uri === undefined) return undefined;
  const match = /[?&]code=(\d{4,9})\b/.exec(uri);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

function oauthValue(value: string | undefined): string | undefined {
  return value !== undefined && /^[a-z][a-z0-9_]{1,60}$/.test(value) ? value : undefined;
}

function validStatus(status: number | undefined): number | undefined {
  return status !== undefined && status >= 100 && status <= 599 ? status : undefined;
}

/** Ids are GUID-like; anything else (free text, a user name) is not kept. */
function identifier(value: unknown): string | undefined {
  const text = asString(value, 100);
  return text !== undefined && /^[0-9A-Za-z-]{8,64}$/.test(text) ? text : undefined;
}

function timestampText(value: unknown): string | undefined {
  const text = asString(value, 64);
  return text !== undefined && /^\d{4}-\d\d-\d\d[ T][\d:.]+Z?$/.test(text) ? text : undefined;
}

/** Node (undici, net, dns) and browser transport failures. One line per engine family. */
const TRANSPORT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

const TRANSPORT_MESSAGES: readonly RegExp[] = [
  /^fetch failed$/, // Node's undici
  /^Failed to fetch$/, // Chromium
  /^NetworkError when attempting to fetch resource\.?$/, // Firefox
  /^Load failed$/, // Safari
  /^Network request failed/, // MSAL's own wrapper message
  /socket hang up/, // Node http
];
