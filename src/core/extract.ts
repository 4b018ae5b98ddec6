import type { ErrorSource } from "./classification.js";
import { MAX_TEXT, asInteger, asString, isBag, read, readItems, readString } from "./read.js";
import { retryAfterFromHeaders } from "./retry-after.js";

/**
 * Everything found about one failure, before a verdict. Server text is scanned for
 * codes and identifiers but never kept.
 */
export interface Evidence {
  /** AADSTS codes in order of trust (most trusted source first), possibly repeated. */
  codes: number[];
  error?: string | undefined;
  subError?: string | undefined;
  /** `error_subcode` from an `/authorize` redirect (`cancel` when the user backed out). */
  errorSubcode?: string | undefined;
  httpStatus?: number | undefined;
  retryAfterMs?: number | undefined;
  correlationId?: string | undefined;
  traceId?: string | undefined;
  timestamp?: string | undefined;
  claims?: string | undefined;
  replayed?: boolean;
  source?: ErrorSource | undefined;
  /** The `name` of the first error-like object that told us something (e.g. `ServerError`). */
  errorName?: string | undefined;
  /** Low-level transport hints (`ECONNREFUSED`, `AbortError`, `fetch failed` ...). */
  transportFailure?: boolean;
  /**
   * The managed identity endpoint does not know the identity asked for, or cannot tell
   * which one is meant (IMDS: "Identity not found", "Multiple user assigned identities exist").
   */
  unknownManagedIdentity?: boolean;
}

const MAX_DEPTH = 6;
const MAX_CODES = 24;

/** MSAL error class names (any package, any build). Minified builds keep these: MSAL assigns `name` explicitly. */
const MSAL_ERROR_NAME =
  /^(Auth|Server|InteractionRequiredAuth|ClientAuth|ClientConfiguration|BrowserAuth|BrowserConfigurationAuth|NodeAuth|Network|Cache|JoseHeader|NativeAuth|PlatformBroker|NestedAppAuth|ManagedIdentity)Error$/;

/** `@azure/identity` error names. */
const IDENTITY_ERROR_NAME = /^(Authentication|AuthenticationRequired|CredentialUnavailable|AggregateAuthentication)Error$/;

/** Node (undici, net, dns) and browser transport failure codes. */
const TRANSPORT_CODE = /^(ECONN(REFUSED|RESET|ABORTED)|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|E(HOST|NET)UNREACH|EPIPE|UND_ERR_(CONNECT_TIMEOUT|HEADERS_TIMEOUT|BODY_TIMEOUT|SOCKET|CLOSED))$/;

/** Transport failure messages: undici, Chromium, Firefox, Safari, MSAL's own wrapper, Node http. */
const TRANSPORT_MESSAGE = /^(fetch failed|Failed to fetch|NetworkError when attempting to fetch resource\.?|Load failed)$|^Network request failed|socket hang up/;

/** The parameters an `/authorize` redirect carries an error in. */
const REDIRECT_KEYS = ["error", "error_description", "error_uri", "suberror", "error_subcode", "claims", "correlation_id", "trace_id", "timestamp", "state"];

/**
 * Gathers evidence from the error and, when given, from the raw HTTP response of the
 * same request (a network observer's record). Earlier inputs win for single fields;
 * codes from every input are kept. Within one object, its own fields win over ids
 * quoted in its text (a throttle replay quotes the original request's).
 */
export function gatherEvidence(inputs: readonly unknown[], nowMs: number): Evidence {
  const evidence: Evidence = { codes: [] };
  const seen = new WeakSet<object>();
  for (const input of inputs) visit(input, 0);
  return evidence;

  function visit(value: unknown, depth: number): void {
    if (depth > MAX_DEPTH) return;
    if (typeof value === "string") return visitString(value, depth);
    if (typeof value === "number") {
      // AADSTS codes have four to nine digits; smaller numbers are not codes.
      if (value >= 1000 && addCode(asInteger(value))) evidence.source ??= "text";
      return;
    }
    if (!isBag(value) || seen.has(value)) return;
    seen.add(value);
    if (isInstance(value, "URL")) return visitRedirect(paramsFromText(readString(value, "href")));
    if (isInstance(value, "URLSearchParams")) return visitRedirect(value as SearchParamsLike);

    const name = readString(value, "name", 100);
    const errorCode = read(value, "errorCode");
    const message = readString(value, "message");
    if (typeof errorCode === "string" && (name === undefined || MSAL_ERROR_NAME.test(name) || readString(value, "errorMessage") !== undefined)) {
      visitMsalError(value, name, errorCode, message);
    } else if (name !== undefined && IDENTITY_ERROR_NAME.test(name)) {
      evidence.source ??= "azure-identity";
      evidence.errorName ??= name;
      fields(value);
      const response = read(value, "errorResponse");
      if (isBag(response)) {
        // `error` holds the OAuth value, except where identity puts its own sentence there
        // (EnvironmentCredential); then the description's "invalid_client: ..." prefix tells.
        evidence.error ??= errorValue(read(response, "error"));
        fields(response);
        visitText(readString(response, "errorDescription") ?? readString(response, "error_description"));
      }
      // AuthenticationRequiredError keeps only MSAL's message: "<errorCode>: <errorMessage>".
      visitText(message);
    } else if (asInteger(read(value, "status")) !== undefined && read(value, "body") !== undefined && read(value, "headers") !== undefined) {
      // A network-level response: `{ status, headers, body }` (MSAL's `NetworkResponse`, a fetch-like record).
      evidence.source ??= "token-response";
      fields(value);
      visit(read(value, "body"), depth + 1);
    } else if (typeof read(value, "error") === "string") {
      visitOAuthBody(value, read(value, "state") !== undefined ? "authorize-redirect" : "token-response");
    } else {
      const code = readString(value, "code", 64);
      if (name === "AbortError" || name === "TimeoutError" || (code !== undefined && TRANSPORT_CODE.test(code)) || (message !== undefined && TRANSPORT_MESSAGE.test(message.slice(0, 300)))) {
        evidence.transportFailure = true;
      }
      // Some wrappers carry the status and headers directly.
      fields(value);
      visitText(message);
      if (message !== undefined || name !== undefined) evidence.source ??= "other";
    }

    // Chains: the standard `cause`, MSAL's NetworkError.error, identity's aggregate `errors`.
    visit(read(value, "cause"), depth + 1);
    const inner = read(value, "error");
    if (isBag(inner)) visit(inner, depth + 1);
    for (const item of readItems(read(value, "errors"), 10)) visit(item, depth + 1);
  }

  /** Adds a plausible AADSTS code; says whether it was one. */
  function addCode(code: number | undefined): boolean {
    const valid = code !== undefined && code > 0 && code < 1e9;
    if (valid && evidence.codes.length < MAX_CODES) evidence.codes.push(code);
    return valid;
  }

  /** The structured fields any error, body or response may carry, in camelCase (MSAL, identity) or snake_case (the wire). */
  function fields(bag: object): void {
    for (const c of readItems(read(bag, "error_codes") ?? read(bag, "errorCodes"), MAX_CODES)) addCode(asInteger(c));
    const status = statusOf(bag);
    if (status !== undefined && status >= 100 && status <= 599) evidence.httpStatus ??= status;
    evidence.retryAfterMs ??= retryAfterFromHeaders(read(bag, "responseHeaders") ?? read(bag, "headers"), nowMs);
    evidence.correlationId ??= identifier(read(bag, "correlationId") ?? read(bag, "correlation_id"));
    evidence.traceId ??= identifier(read(bag, "traceId") ?? read(bag, "trace_id"));
    evidence.timestamp ??= timestampText(read(bag, "timestamp"));
    evidence.claims ??= readString(bag, "claims", 16 * 1024);
    evidence.subError ??= errorValue(read(bag, "subError")) ?? errorValue(read(bag, "suberror"));
    evidence.errorSubcode ??= errorValue(read(bag, "error_subcode"));
  }

  function visitMsalError(error: object, name: string | undefined, errorCode: string, message: string | undefined): void {
    evidence.source ??= "msal";
    evidence.errorName ??= name;
    const errorNo = asInteger(read(error, "errorNo"));
    addCode(errorNo);
    const errorMessage = readString(error, "errorMessage");
    const polled = errorCode === "post_request_failed" ? polledError(errorMessage) : undefined;
    // A throttle replay is a ServerError whose errorCode is the numeric codes joined by
    // spaces (or empty), with no errorNo and no status: nothing else marks it.
    if (name === "ServerError" && /^(\d+( \d+)*)?$/.test(errorCode) && errorNo === undefined && statusOf(error) === undefined) {
      evidence.replayed = true;
      for (const c of errorCode.split(" ")) if (c !== "") addCode(Number(c));
    } else if (polled !== undefined) {
      // msal-node's device-code poll throws AuthError("post_request_failed", <the OAuth error
      // value>) (msal-node 3: a sentence ending in it) and drops everything else: the codes
      // survive only in the response.
      evidence.error ??= polled;
    } else {
      evidence.error ??= errorValue(errorCode);
    }
    fields(error);
    visitText(errorMessage);
    if (message !== errorMessage) visitText(message);
  }

  function visitOAuthBody(body: object, source: ErrorSource): void {
    evidence.source ??= source;
    evidence.error ??= errorValue(read(body, "error"));
    const uri = readString(body, "error_uri", 2048);
    const uriCode = uri === undefined ? undefined : /[?&]code=(\d{4,9})\b/.exec(uri)?.[1];
    if (uriCode !== undefined) addCode(Number(uriCode));
    fields(body);
    visitText(readString(body, "error_description"));
  }

  function visitRedirect(params: SearchParamsLike | undefined): void {
    if (params === undefined) return;
    const record: Record<string, string> = {};
    for (const key of REDIRECT_KEYS) {
      try {
        const value: unknown = params.get(key);
        if (typeof value === "string") record[key] = value;
      } catch {
        // a hostile `get`: that parameter is simply absent
      }
    }
    if (record.error !== undefined || record.error_description !== undefined) visitOAuthBody(record, "authorize-redirect");
  }

  function visitString(text: string, depth: number): void {
    const bounded = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
    const trimmed = bounded.trim();
    if (trimmed.startsWith("{") && text.length <= MAX_TEXT) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        // not JSON after all: read it as text
      }
      if (isBag(parsed)) {
        evidence.source ??= "token-response";
        return visit(parsed, depth + 1);
      }
    }
    if (/(^|[?#&])error=/.test(trimmed) && !/\s/.test(trimmed)) {
      const params = paramsFromText(trimmed);
      if (params !== undefined) {
        evidence.source ??= "authorize-redirect";
        return visitRedirect(params);
      }
    }
    evidence.source ??= "text";
    const bareCode = /^(?:AADSTS)?(\d{4,9})$/i.exec(trimmed)?.[1];
    if (bareCode !== undefined) addCode(Number(bareCode));
    else visitText(bounded);
  }

  /**
   * Free text: MSAL's "<errorCode>: <text>" prefix (`interaction_required: AADSTS53003: ...`),
   * its "Error(s): 50053 - ..." list, AADSTS codes anywhere, and the identifier lines
   * Entra appends to descriptions.
   */
  function visitText(text: string | undefined): void {
    if (text === undefined) return;
    const prefix = /^([a-z][a-z0-9_]{2,60}):\s/.exec(text)?.[1];
    // "post_request_failed: invalid_grant" (@azure/identity's device code): the server's answer.
    if (prefix !== undefined) evidence.error ??= (prefix === "post_request_failed" ? polledError(text) : undefined) ?? prefix;
    const listed = /^(?:[a-z][a-z0-9_]{2,60}: )?Error\(s\): ([\d,\s]+) - /.exec(text)?.[1];
    if (listed !== undefined) for (const c of listed.split(",")) addCode(Number(c));
    let found = 0;
    for (const match of text.matchAll(/AADSTS(\d{4,9})/g)) {
      if (found++ >= MAX_CODES) break;
      addCode(Number(match[1]));
    }
    if (/\b(Identity not found|Multiple user assigned identities exist)\b/.test(text.slice(0, 300))) evidence.unknownManagedIdentity = true;
    evidence.traceId ??= identifier(/Trace ID: ([0-9a-f-]{8,64})/i.exec(text)?.[1]);
    evidence.correlationId ??= identifier(/Correlation ID: ([0-9a-f-]{8,64})/i.exec(text)?.[1]);
    evidence.timestamp ??= timestampText(/Timestamp: (\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?)/.exec(text)?.[1]);
  }
}

interface SearchParamsLike {
  get(name: string): string | null;
}

/** `value instanceof globalThis[constructorName]`, false where the global is missing or the check throws. */
function isInstance(value: object, constructorName: "URL" | "URLSearchParams"): boolean {
  try {
    const constructor = (globalThis as Record<string, unknown>)[constructorName];
    return typeof constructor === "function" && value instanceof constructor;
  } catch {
    return false;
  }
}

/** Query and fragment parameters of a URL, or of a bare `a=b&c=d` string (fragment wins, as MSAL reads it). */
function paramsFromText(text: string | undefined): SearchParamsLike | undefined {
  if (text === undefined || typeof URLSearchParams === "undefined") return undefined;
  try {
    const hashAt = text.indexOf("#");
    const queryAt = text.indexOf("?");
    const fragment = hashAt >= 0 ? new URLSearchParams(text.slice(hashAt + 1)) : undefined;
    const queryText = queryAt >= 0 ? text.slice(queryAt + 1, hashAt > queryAt ? hashAt : undefined) : hashAt >= 0 || /^[a-z]+:\/\//i.test(text) ? "" : text;
    return fragment?.has("error") ? fragment : new URLSearchParams(queryText);
  } catch {
    return undefined;
  }
}

/** The HTTP status as MSAL (`status`, `httpStatus`), identity (`statusCode`) or a response spells it. */
function statusOf(bag: object): number | undefined {
  return asInteger(read(bag, "status")) ?? asInteger(read(bag, "httpStatus")) ?? asInteger(read(bag, "statusCode"));
}

/** The OAuth error a failed device-code poll ends its text with (`... invalid_grant`); always has an underscore. */
function polledError(text: string | undefined): string | undefined {
  return text === undefined ? undefined : /(?:^|\s)([a-z]+_[a-z0-9_]{2,60})$/.exec(text)?.[1];
}

/**
 * An OAuth or MSAL error value (`invalid_grant`, `message_only`): a word, never free text.
 * Anything else (a proxy's sentence, a user name) is not kept: it would reach events and logs.
 */
function errorValue(value: unknown): string | undefined {
  const text = asString(value, 100);
  return text !== undefined && /^[a-z][\w.-]*$/i.test(text) ? text : undefined;
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
