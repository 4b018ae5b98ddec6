/**
 * Server timing, in one place. Accepts what Entra and proxies send:
 * `Retry-After` as delta-seconds or as an HTTP-date, and `retry-after-ms` /
 * `x-ms-retry-after-ms` in milliseconds. A malformed value means "the server gave
 * no timing" (`undefined`), never "wait forever" and never "retry now".
 */

/** Longest wait we will report from a header: one day. Anything beyond is treated as malformed. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** Parses one `Retry-After` value. HTTP-dates are measured from `nowMs`; dates in the past give 0. */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (typeof value === "number") return clamp(value * 1000);
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return clamp(Number(text) * 1000);
  // HTTP-date (IMF-fixdate, RFC 850 or asctime); Date.parse understands all three.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return clamp(Math.max(0, at - nowMs));
}

/** Parses a millisecond header such as `retry-after-ms`. */
export function parseRetryAfterMs(value: unknown): number | undefined {
  if (typeof value === "number") return clamp(value);
  if (typeof value !== "string" || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return clamp(Number(value));
}

/**
 * The server's requested wait from a header bag (a plain record, any key case, or a
 * `Headers`-like object with `get`). Millisecond headers win over `Retry-After`.
 */
export function retryAfterFromHeaders(headers: unknown, nowMs: number): number | undefined {
  const get = headerReader(headers);
  if (get === undefined) return undefined;
  return (
    parseRetryAfterMs(get("retry-after-ms")) ??
    parseRetryAfterMs(get("x-ms-retry-after-ms")) ??
    parseRetryAfter(get("retry-after"), nowMs)
  );
}

function headerReader(headers: unknown): ((name: string) => unknown) | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  try {
    const getter = (headers as { get?: unknown }).get;
    if (typeof getter === "function") {
      return (name) => {
        try {
          return (getter as (n: string) => unknown).call(headers, name) ?? undefined;
        } catch {
          return undefined;
        }
      };
    }
    const keys = Object.keys(headers).slice(0, 200);
    const lower = new Map(keys.map((k) => [k.toLowerCase(), k]));
    return (name) => {
      const key = lower.get(name);
      if (key === undefined) return undefined;
      try {
        return (headers as Record<string, unknown>)[key];
      } catch {
        return undefined;
      }
    };
  } catch {
    return undefined;
  }
}

function clamp(ms: number): number | undefined {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_RETRY_AFTER_MS) return undefined;
  return Math.round(ms);
}
