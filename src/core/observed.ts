/**
 * What a network observer keeps of a failed response, shared by the Node and browser
 * observers: timing and id headers only, and a frozen copy of a JSON error body with any
 * credential fields removed. HTML and text bodies are never kept.
 */

/** Response headers an observer keeps (lower-case). */
export const OBSERVED_HEADER_NAMES = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms", "content-type", "x-ms-request-id", "client-request-id"] as const;

/** An error response a network observer kept: a non-2xx status, whatever its body. Plain, frozen data. */
export interface ObservedHttpRecord {
  readonly type: "response";
  readonly method: "GET" | "POST";
  readonly status: number;
  /**
   * Only {@link OBSERVED_HEADER_NAMES}, lower-case keys (in a browser, cross-origin, only
   * those the server exposes).
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body when it was a JSON object (credential fields removed), else `undefined`: HTML and text are never kept. */
  readonly body: Readonly<Record<string, unknown>> | undefined;
  /** The request URL without query string or fragment. */
  readonly url: string;
  /** When the response arrived, epoch ms (the observer's `now`). */
  readonly at: number;
}

/** Longest error body kept, in characters. */
const MAX_KEPT_BODY_CHARS = 64 * 1024;

/** Fields that carry credentials; dropped from kept bodies should a server ever send them with an error. */
const CREDENTIAL_FIELDS: ReadonlySet<string> = /* @__PURE__ */ new Set([
  "access_token",
  "refresh_token",
  "id_token",
  "device_code",
  "code",
  "assertion",
  "client_secret",
  "password",
]);

/** A kept record of an error response, with only the observed headers. */
export function observedHttpRecord(
  method: "GET" | "POST",
  status: number,
  headers: Readonly<Record<string, string>>,
  body: Readonly<Record<string, unknown>> | undefined,
  url: string,
  at: number,
): ObservedHttpRecord {
  const kept: Record<string, string> = {};
  for (const name of OBSERVED_HEADER_NAMES) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return { type: "response", method, status, headers: Object.freeze(kept), body, url, at };
}

/** A fresh, frozen copy of a JSON object body without credential fields, else `undefined`. Throws on invalid JSON. */
export function keptErrorBody(text: string): Readonly<Record<string, unknown>> | undefined {
  if (text.length > MAX_KEPT_BODY_CHARS) return undefined;
  // Parsed again so the record shares nothing with the object MSAL gets (MSAL mutates some).
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (!CREDENTIAL_FIELDS.has(key)) copy[key] = deepFreeze(field);
  return Object.freeze(copy);
}

/** A fetch `Headers` object as a plain record with lower-case names. */
export function lowerCaseHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const field of Object.values(value)) deepFreeze(field);
    Object.freeze(value);
  }
  return value;
}
