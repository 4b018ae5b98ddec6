// The on-disk formats of FileStore: the state file and the key file. Pure functions
// only (no I/O, no clock), so every malformed input is a table test away.

/** Version of both file formats. A file with any other `v` is ignored, never trusted. */
export const FORMAT_VERSION = 1;

/** Length of the fingerprint secret, bytes. */
export const SECRET_BYTES = 32;

/** A stored value and when it stops being visible (epoch ms, exclusive). */
export interface EntryRecord {
  readonly value: string;
  readonly expiresAt: number;
}

/** A probe lease: who holds it and until when (epoch ms, exclusive). */
export interface LeaseRecord {
  readonly holder: string;
  readonly expiresAt: number;
}

/** Everything in a state file. Treated as immutable: updates build new maps. */
export interface StoreState {
  readonly entries: ReadonlyMap<string, EntryRecord>;
  readonly leases: ReadonlyMap<string, LeaseRecord>;
}

/**
 * Why a file was (partly) ignored:
 * - `unparseable`: not JSON (garbage, truncated, empty);
 * - `unsupported_version`: JSON, but `v` is not the format version this release writes;
 * - `invalid_envelope`: the right version, but the top-level shape is wrong;
 * - `invalid_records`: some records had the wrong shape and were dropped; the rest were kept.
 */
export type FileStoreCorruptReason = "unparseable" | "unsupported_version" | "invalid_envelope" | "invalid_records";

export interface FormatProblem {
  readonly reason: FileStoreCorruptReason;
  /** Human-readable specifics, for logs. Never contains stored values. */
  readonly detail: string;
}

export const EMPTY_STATE: StoreState = { entries: new Map(), leases: new Map() };

/**
 * Reads a state file's text. Never throws: anything unusable yields the empty state
 * and a problem; records of the wrong shape are dropped one by one.
 */
export function parseState(text: string): { state: StoreState; problem: FormatProblem | undefined } {
  const envelope = parseEnvelope(text);
  if ("problem" in envelope) return { state: EMPTY_STATE, problem: envelope.problem };
  const { root } = envelope;

  // Absent sections are empty; present ones must have the right shape.
  const rawEntries = root["entries"] === undefined ? {} : root["entries"];
  const rawLeases = root["leases"] === undefined ? {} : root["leases"];
  if (!isPlainObject(rawEntries) || !isPlainObject(rawLeases)) {
    return { state: EMPTY_STATE, problem: { reason: "invalid_envelope", detail: '"entries" and "leases" must be objects' } };
  }

  let dropped = 0;
  let total = 0;
  const entries = new Map<string, EntryRecord>();
  for (const [key, record] of Object.entries(rawEntries)) {
    total++;
    const value = isPlainObject(record) ? record["value"] : undefined;
    const expiresAt = isPlainObject(record) ? record["expiresAt"] : undefined;
    if (typeof value === "string" && isTime(expiresAt)) entries.set(key, { value, expiresAt });
    else dropped++;
  }
  const leases = new Map<string, LeaseRecord>();
  for (const [key, record] of Object.entries(rawLeases)) {
    total++;
    const holder = isPlainObject(record) ? record["holder"] : undefined;
    const expiresAt = isPlainObject(record) ? record["expiresAt"] : undefined;
    if (typeof holder === "string" && isTime(expiresAt)) leases.set(key, { holder, expiresAt });
    else dropped++;
  }

  const problem: FormatProblem | undefined =
    dropped > 0 ? { reason: "invalid_records", detail: `dropped ${dropped} of ${total} records with the wrong shape` } : undefined;
  return { state: { entries, leases }, problem };
}

/** The state file's text: the versioned envelope, one line. */
export function serializeState(state: StoreState): string {
  return `${JSON.stringify({
    v: FORMAT_VERSION,
    entries: Object.fromEntries(state.entries),
    leases: Object.fromEntries(state.leases),
  })}\n`;
}

/**
 * What may be written at `now`: expired records gone (`expiresAt <= now`), and at most
 * `maxEntries` entries, the soonest-expiring evicted first (ties: the earlier written
 * first). Live leases are all kept, however many: evicting one would let a second holder
 * take a lease someone still holds. `acquireLease` bounds them instead, by refusing.
 */
export function pruneState(state: StoreState, now: number, maxEntries: number): StoreState {
  return { entries: prune(state.entries, now, maxEntries), leases: prune(state.leases, now, Number.POSITIVE_INFINITY) };
}

/** How many of `records` are still live at `now`. */
export function countLive(records: ReadonlyMap<string, { readonly expiresAt: number }>, now: number): number {
  let live = 0;
  for (const record of records.values()) if (record.expiresAt > now) live++;
  return live;
}

function prune<R extends { readonly expiresAt: number }>(records: ReadonlyMap<string, R>, now: number, max: number): Map<string, R> {
  const live = [...records].filter(([, record]) => record.expiresAt > now);
  if (live.length > max) {
    // Array#sort is stable, so equal expiries keep insertion (write) order.
    live.sort(([, a], [, b]) => a.expiresAt - b.expiresAt);
    live.splice(0, live.length - max);
  }
  return new Map(live);
}

/** Reads a key file's text: the secret, or why it can't be used. Never throws. */
export function parseKey(text: string): { secret: Uint8Array } | { problem: FormatProblem } {
  const envelope = parseEnvelope(text);
  if ("problem" in envelope) return envelope;
  const encoded = envelope.root["secret"];
  if (typeof encoded === "string") {
    const bytes = Buffer.from(encoded, "base64");
    // Buffer.from ignores stray characters; a round trip proves the text was exact.
    if (bytes.length === SECRET_BYTES && bytes.toString("base64") === encoded) return { secret: new Uint8Array(bytes) };
  }
  return { problem: { reason: "invalid_envelope", detail: `"secret" must be ${SECRET_BYTES} bytes in base64` } };
}

/** The key file's text. */
export function serializeKey(secret: Uint8Array): string {
  return `${JSON.stringify({ v: FORMAT_VERSION, secret: Buffer.from(secret).toString("base64") })}\n`;
}

function parseEnvelope(text: string): { root: Record<string, unknown> } | { problem: FormatProblem } {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return { problem: { reason: "unparseable", detail: `not JSON (${text.length} characters)` } };
  }
  if (!isPlainObject(root)) return { problem: { reason: "invalid_envelope", detail: "the top level is not an object" } };
  const version = root["v"];
  if (version !== FORMAT_VERSION) {
    const shown = typeof version === "number" ? String(version) : typeof version;
    return { problem: { reason: "unsupported_version", detail: `version ${shown}, expected ${FORMAT_VERSION}` } };
  }
  return { root };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
