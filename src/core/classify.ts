import { rankCodes } from "./catalogue/index.js";
import { makeClassification, type Classification } from "./classification.js";
import { policyIdsFromClaims } from "./claims.js";
import { decideKind } from "./decide.js";
import { gatherEvidence } from "./extract.js";
import { KIND_TRAITS, isGuardErrorKind } from "./kinds.js";
import { read, safeIsArray } from "./read.js";

/** Options for {@link classify}: extra evidence MSAL's error does not carry. */
export interface ClassifyOptions {
  /**
   * Current time in epoch milliseconds, used only to turn a `Retry-After` HTTP-date
   * into a wait. Defaults to `Date.now()`.
   */
  readonly now?: number;
  /**
   * The raw HTTP response of the failed request (`{ status, headers, body }`), when a
   * network observer captured it. MSAL drops the status outside client credentials,
   * every `Retry-After`, and in some flows (device code) even the AADSTS codes; the
   * response restores them. The error's own fields win where both speak.
   */
  readonly response?: unknown;
}

/**
 * Classifies any failure from MSAL (msal-node, msal-browser, any build), `@azure/identity`,
 * a token-endpoint error body (object or JSON text), `/authorize` redirect parameters, a
 * network response `{ status, headers, body }`, or text containing AADSTS codes.
 *
 * Never throws: whatever it is given, it returns a Classification (`kind: "unknown"` when
 * nothing is recognisable). Server text is read for codes and ids but never copied out.
 *
 * @example
 * try { await pca.acquireTokenByUsernamePassword(request) }
 * catch (error) {
 *   const { kind, retryAfterMs } = classify(error)
 *   if (kind === "account_locked") scheduleRetry(retryAfterMs ?? 60_000)
 * }
 */
export function classify(error: unknown, options?: ClassifyOptions): Classification {
  try {
    const existing = guardClassification(error);
    if (existing !== undefined) return existing;
    return classifyUnsafe(error, options);
  } catch {
    return UNKNOWN;
  }
}

/**
 * The Classification of anything: the value itself when it already is one, an
 * msal-guard error's own classification, otherwise `classify(input)`.
 */
export function classificationOf(input: unknown, options?: ClassifyOptions): Classification {
  try {
    if (isClassification(input)) return input;
  } catch {
    // fall through to classify, which never throws
  }
  return classify(input, options);
}

function classifyUnsafe(error: unknown, options: ClassifyOptions | undefined): Classification {
  const now = typeof options?.now === "number" && Number.isFinite(options.now) ? options.now : Date.now();
  const evidence = gatherEvidence(options?.response === undefined ? [error] : [error, options.response], now);
  const codes = rankCodes(evidence.codes);
  const kind = decideKind(evidence, codes);
  const traits = KIND_TRAITS[kind];
  // "message_only": interaction can only show a message. Never suggest a popup for it.
  const interactionRequired = traits.interactionHelps && evidence.subError !== "message_only";
  return {
    kind,
    codes,
    error: evidence.error,
    subError: evidence.subError,
    httpStatus: evidence.httpStatus,
    retryAfterMs: evidence.retryAfterMs,
    correlationId: evidence.correlationId,
    traceId: evidence.traceId,
    timestamp: evidence.timestamp,
    claims: evidence.claims,
    policyIds: policyIdsFromClaims(evidence.claims),
    replayed: evidence.replayed === true,
    interactionRequired,
    retry: traits.retry,
    source: evidence.source ?? "other",
  };
}

/** The classification carried by an msal-guard error (from any copy of the package). */
function guardClassification(value: unknown): Classification | undefined {
  if (read(value, GUARD_ERROR_BRAND) !== true) return undefined;
  const classification = read(value, "classification");
  return isClassification(classification) ? classification : undefined;
}

function isClassification(value: unknown): value is Classification {
  return (
    isGuardErrorKind(read(value, "kind")) &&
    safeIsArray(read(value, "codes")) &&
    typeof read(value, "replayed") === "boolean" &&
    typeof read(value, "interactionRequired") === "boolean" &&
    safeIsArray(read(value, "policyIds"))
  );
}

/** Shared by every copy of msal-guard in a process (Symbol.for), so guards work across bundles. */
export const GUARD_ERROR_BRAND: unique symbol = /* @__PURE__ */ Symbol.for("msal-guard.error") as never;

const UNKNOWN: Classification = makeClassification("unknown");
