/**
 * Renders the demo's results: a plain-vs-guarded table per scenario with a line or two
 * of explanation, or JSON. Colours come from the CLI's style (only on a terminal, never
 * with NO_COLOR); the layout is the same either way.
 */
import { wrap, type Style } from "../cli/layout.js";
import type { DemoResults } from "./scenarios.js";

const PLAIN_STYLE: Style = { label: (t) => t, heading: (t) => t, emphasis: (t) => t };

export interface ReportOptions {
  readonly style?: Style;
  /** Terminal width: explanations wrap to it, and below the tables' width each measure gets its own lines. @default 80 */
  readonly columns?: number;
}

/** One table row: a measure, its plain and guarded values. */
export interface ReportRow {
  readonly label: string;
  readonly plain: number;
  readonly guarded: number;
}

/** One scenario as printed. */
export interface ReportSection {
  readonly title: string;
  /** Context before the table. */
  readonly setup: readonly string[];
  readonly rows: readonly ReportRow[];
  /** What happened, after the table. */
  readonly notes: readonly string[];
}

const HEADERS = { plain: "plain msal-node", guarded: "msal-guard", saved: "saved" } as const;
const INDENT = "   ";
const GAP = "  ";

/** Thousands separators, without depending on the runtime's locale data. */
export function formatCount(n: number): string {
  const sign = n < 0 ? "-" : "";
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/** The report's content, independent of layout (what the snapshot test looks at). */
export function reportSections(results: DemoResults): ReportSection[] {
  const { ghostDaemon: g, storm: s, conditionalAccess: c } = results;
  const minutes = (ms: number) => Math.round(ms / 60_000);
  const windows = s.guarded.windows.map((w) => seconds(w.untilMs - w.fromMs));
  const loopDetected = (answers: Readonly<Record<string, number>>) => answers.AADSTS50196 ?? 0;

  return [
    {
      title: `Ghost daemon: stale passwords retried every ${g.retryEveryMinutes} minutes for ${g.hours} hours`,
      setup: [
        `${capitalise(numberWord(g.ghosts.length))} forgotten copies of a job (${g.ghosts.map((ghost) => ghost.host).join(", ")}) each hold a different old password of the account (Entra ignores repeats of its last 3 wrong ones, so one copy alone never locks it); the live job, with the new password, signs in ${g.liveSignInEveryMinutes === 60 ? "hourly" : `every ${g.liveSignInEveryMinutes} minutes`}.`,
      ],
      rows: [
        { label: "token requests from the stale copies", plain: g.plain.staleRequests, guarded: g.guarded.staleRequests },
        { label: "lockouts caused", plain: g.plain.lockouts, guarded: g.guarded.lockouts },
        { label: "minutes the account was locked", plain: minutes(g.plain.lockedMs), guarded: minutes(g.guarded.lockedMs) },
        { label: `live job's sign-ins refused (of ${g.plain.liveSignIns})`, plain: g.plain.liveSignInsRefused, guarded: g.guarded.liveSignInsRefused },
      ],
      notes: [
        `msal-guard sends each stale password once (${g.guarded.staleRequests} requests for ${formatCount(g.guarded.staleCalls)} calls) and never again until it changes; the account stays usable.`,
      ],
    },
    {
      title: `Retry storm: ${s.workers} workers, one locked account, ${s.minutes} minutes`,
      setup: [
        `The account is in its ${ordinal(s.lockoutNumber)} lockout in a row (${s.lockoutMinutes} minutes: Entra lengthens repeated lockouts). Each worker asks for a token every ${s.retryEveryMs / 1000}–${(s.retryEveryMs + s.jitterMs) / 1000} s: ${formatCount(s.plain.calls)} calls in both runs.`,
      ],
      rows: [
        { label: "token requests sent", plain: s.plain.requests, guarded: s.guarded.requests },
        { label: "answered \"loop detected\" (AADSTS50196)", plain: loopDetected(s.plain.answers), guarded: loopDetected(s.guarded.answers) },
      ],
      notes: [
        `msal-guard: one request per lockout window (${windows.join(", ")}), shared by all ${s.workers} workers; the other ${formatCount(s.guarded.calls - s.guarded.requests)} calls got AccountLockedError (with its retryAt) without a request of their own.`,
      ],
    },
    {
      title: `Conditional Access block (AADSTS53003): a sync every minute for ${c.minutes} minutes`,
      setup: [
        "An admin's Conditional Access policy blocks the app for its user. The app refreshes her token once a minute and does what the error says about interaction.",
      ],
      rows: [
        { label: "interactive sign-ins (popups) opened", plain: c.plain.popups, guarded: c.guarded.popups },
        { label: "token requests sent", plain: c.plain.requests, guarded: c.guarded.requests },
      ],
      notes: [
        `plain: ${c.plain.error.name} (${[c.plain.error.code, c.plain.error.subError].filter(Boolean).join(", ")}): MSAL says interaction is required, so the code opens a popup, and the sign-in is blocked again.`,
        `msal-guard: ${c.guarded.error.name}, interactionRequired: ${String(c.guarded.error.interactionRequired)}, policy ${c.guarded.error.policyIds.join(", ") || "(not named)"}: alert an admin; no popup, and no request again for an hour.`,
      ],
    },
  ];
}

const WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

function numberWord(n: number): string {
  return WORDS[n] ?? formatCount(n);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

interface TableWidths {
  readonly label: number;
  readonly plain: number;
  readonly guarded: number;
  readonly saved: number;
}

function cellsOf(row: ReportRow) {
  return { label: row.label, plain: formatCount(row.plain), guarded: formatCount(row.guarded), saved: formatCount(row.plain - row.guarded) };
}

/** One set of column widths for every table, so the report reads as one table. */
function tableWidths(rows: readonly ReportRow[]): TableWidths {
  const cells = rows.map(cellsOf);
  return {
    label: Math.max(...cells.map((c) => c.label.length)) + 2,
    plain: Math.max(HEADERS.plain.length, ...cells.map((c) => c.plain.length)),
    guarded: Math.max(HEADERS.guarded.length, ...cells.map((c) => c.guarded.length)),
    saved: Math.max(HEADERS.saved.length, ...cells.map((c) => c.saved.length)),
  };
}

function tableLineWidth(width: TableWidths): number {
  return INDENT.length + width.label + width.plain + GAP.length + width.guarded + GAP.length + width.saved;
}

function renderTable(rows: readonly ReportRow[], width: TableWidths, style: Style): string[] {
  const line = (label: string, plain: string, guarded: string, saved: string, styleGuarded: (t: string) => string = (t) => t) =>
    `${INDENT}${label.padEnd(width.label)}${plain.padStart(width.plain)}${GAP}${styleGuarded(guarded.padStart(width.guarded))}${GAP}${saved.padStart(width.saved)}`.trimEnd();
  return [
    style.label(line("", HEADERS.plain, HEADERS.guarded, HEADERS.saved)),
    ...rows.map(cellsOf).map((c) => line(c.label, c.plain, c.guarded, c.saved, style.emphasis)),
  ];
}

/** For a terminal narrower than the table: each measure on its own line, its numbers on the next. */
function renderRows(rows: readonly ReportRow[], columns: number, style: Style): string[] {
  return rows.map(cellsOf).flatMap((c) => [
    ...paragraph(`${c.label}:`, columns),
    ...paragraph(`plain ${c.plain}, guarded ${c.guarded}, saved ${c.saved}`, columns).map((line) => style.emphasis(line)),
  ]);
}

function paragraph(text: string, columns: number, indent = INDENT): string[] {
  return wrap(text, Math.max(20, columns - indent.length)).map((l) => indent + l);
}

/** The demo report as text (ends with a newline). */
export function renderDemoReport(results: DemoResults, options: ReportOptions = {}): string {
  const style = options.style ?? PLAIN_STYLE;
  const sections = reportSections(results);
  const widths = tableWidths(sections.flatMap((section) => section.rows));
  // Text no wider than the tables (nor the terminal).
  const columns = Math.min(options.columns ?? 80, Math.max(60, tableLineWidth(widths)));
  // Below the table's width a terminal would break every row in two: list the measures instead.
  const narrow = columns < tableLineWidth(widths);
  const out: string[] = [
    style.heading("msal-guard demo"),
    ...paragraph("Real @azure/msal-node against the bundled Entra simulator, on simulated time. Each run starts a fresh simulated tenant.", columns, ""),
    "",
  ];
  sections.forEach((section, index) => {
    out.push(...paragraph(`${index + 1}. ${section.title}`, columns, "").map((line) => style.heading(line)));
    for (const text of section.setup) out.push(...paragraph(text, columns));
    out.push("", ...(narrow ? renderRows(section.rows, columns, style) : renderTable(section.rows, widths, style)), "");
    for (const text of section.notes) out.push(...paragraph(text, columns));
    out.push("");
  });
  out.push(...paragraph("Every number is read from the simulator's request log and lockout state. Run with --json for the details.", columns, ""));
  return `${out.join("\n")}\n`;
}

/** The results as JSON (ends with a newline). Deterministic: the same on every run. */
export function renderDemoJson(results: DemoResults): string {
  return `${JSON.stringify({ demo: "msal-guard", simulated: true, ...results }, null, 2)}\n`;
}
