// Shared by the two daemon examples: structured, PII-free log lines.
// Nothing here is needed in production: there, leave `clock` out of guardClient's options
// and log to wherever your daemon logs.
import type { GuardEvent } from "msal-guard";

/** One JSON line per log entry, stamped with (simulated) time. */
export function createLogger(clock: { now(): number }, service: string) {
  return (entry: Record<string, unknown>): void => {
    console.log(JSON.stringify({ time: new Date(clock.now()).toISOString(), service, ...entry }));
  };
}

export type Log = ReturnType<typeof createLogger>;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * A guard event as a log entry. Events never carry user names or credentials: `identity`
 * is a keyed hash (shortened here), and only codes, kinds and times are logged.
 */
export function logGuardEvent(log: Log, event: GuardEvent): void {
  switch (event.type) {
    case "classified":
      log({
        level: "warn",
        msg: "token request failed",
        method: event.method,
        identity: event.identity.slice(0, 12),
        kind: event.classification.kind,
        codes: event.classification.codes,
        effect: event.effect,
        until: iso(event.until),
        correlationId: event.classification.correlationId,
      });
      break;
    case "suppressed":
      log({ level: "info", msg: "token request suppressed (not sent)", method: event.method, kind: event.kind, reason: event.reason, retryAt: iso(event.retryAt) });
      break;
    case "probe":
      log({ level: "info", msg: "probing: one request to see whether the lockout is over", method: event.method });
      break;
    case "released":
      log({ level: "info", msg: "suppression released", reason: event.reason });
      break;
    case "retry":
      log({ level: "info", msg: "retrying a transient failure", method: event.method, kind: event.kind, attempt: event.attempt, delayMs: event.delayMs });
      break;
    case "store_error":
      log({ level: "error", msg: "suppression store failed; deciding from memory", operation: event.operation, error: event.error instanceof Error ? event.error.message : String(event.error) });
      break;
  }
}
