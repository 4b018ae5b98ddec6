/**
 * How the scenario benchmarks' callers deal with a failed token call, besides msal-guard:
 * a naive retry loop, a well-known generic retry library (cockatiel), and an emulation of
 * MSAL Python's short-lived cache of HTTP 400 responses.
 */
import { ExponentialBackoff, handleAll, retry } from "cockatiel";
import type { DemoNetworkModule } from "../src/demo/network.js";

/** Retries a failed call at once, up to `retries` more times (what a hurried developer writes). */
export async function naiveRetry<T>(call: () => Promise<T>, retries: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= retries) throw error;
    }
  }
}

/** cockatiel: retry everything, 5 retries, exponential backoff with its default decorrelated jitter (128 ms up to 30 s). */
export function cockatielRetry(): <T>(call: () => Promise<T>) => Promise<T> {
  const policy = retry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff() });
  return (call) => policy.execute(() => call());
}

/** Form parameters that change with every request (ids, telemetry), so never part of a cache key. */
function isVolatile(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "client-request-id" || lower.startsWith("x-client-") || lower.startsWith("x-app-") || lower.startsWith("x-ms-");
}

function requestKey(url: string, body: string | undefined): string {
  const target = new URL(url);
  const params = [...new URLSearchParams(body ?? "").entries(), ...target.searchParams.entries()]
    .filter(([name]) => !isVolatile(name))
    .sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  return JSON.stringify([target.origin + target.pathname, params]);
}

/**
 * MSAL Python emulation: an msal-node network module that remembers every HTTP 400 answer
 * for 60 s (simulated time) keyed on the request's URL and all its parameters (less the
 * per-request ids), and answers an identical request from that memory without sending
 * it, as MSAL Python's throttled HTTP client does.
 */
export function msalPythonHttp400Cache(inner: DemoNetworkModule, now: () => number, ttlMs = 60_000): DemoNetworkModule & { readonly hits: () => number } {
  const cache = new Map<string, { until: number; response: unknown }>();
  let hits = 0;
  return {
    hits: () => hits,
    sendGetRequestAsync: (url, options, timeout) => inner.sendGetRequestAsync(url, options, timeout),
    async sendPostRequestAsync<T>(url: string, options?: { headers?: Record<string, string>; body?: string }) {
      const key = requestKey(url, options?.body);
      const cached = cache.get(key);
      if (cached !== undefined && cached.until > now()) {
        hits++;
        return structuredClone(cached.response) as Awaited<ReturnType<DemoNetworkModule["sendPostRequestAsync"]>> & { body: T };
      }
      const response = await inner.sendPostRequestAsync<T>(url, options);
      if (response.status === 400) cache.set(key, { until: now() + ttlMs, response: structuredClone(response) });
      else cache.delete(key);
      return response;
    },
  };
}
