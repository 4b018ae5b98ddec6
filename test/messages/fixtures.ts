import { makeClassification, type Classification } from "../../src/core/classification.js";
import type { GuardErrorKind } from "../../src/core/kinds.js";

/** A complete Classification for unit tests: the kind's traits, nothing else known unless overridden. */
export function classificationOf(kind: GuardErrorKind, overrides: Partial<Classification> = {}): Classification {
  return makeClassification(kind, overrides);
}

export const CORRELATION_ID = "1f0c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b";
export const TIMESTAMP = "2026-11-22 10:15:02Z";

/** A token-endpoint body whose server text carries markup and a user name that must never reach a message. */
export const HOSTILE_LOCKOUT_BODY = {
  error: "invalid_grant",
  error_description:
    "AADSTS50053: The account alice@contoso.com was frozen by Fabrikam <img src=x onerror=alert(1)>. Trace ID: 0000 Correlation ID: " +
    `${CORRELATION_ID} Timestamp: ${TIMESTAMP}`,
  error_codes: [50053],
  timestamp: TIMESTAMP,
  trace_id: "9a8b7c6d-0000-1111-2222-333344445555",
  correlation_id: CORRELATION_ID,
};

/** Substrings of the hostile body that no user-facing part may contain. */
export const SERVER_TEXT_FRAGMENTS = ["<img", "onerror", "alert(", "alice@contoso.com", "contoso", "Fabrikam", "frozen"];
