/** The benchmark report: a table on stdout and `bench/results.json`. */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, totalmem } from "node:os";
import { median } from "./stats.js";

/** One figure of one benchmark. */
export interface BenchResult {
  /** The benchmark, e.g. `happy-path`. */
  readonly name: string;
  /** What is measured, in words. */
  readonly figure: string;
  readonly unit: string;
  /** The median of `runs`, unless the figure says otherwise. */
  readonly median: number;
  /** Each run's value (rounds of a timing loop, repeated measurements, or the one run of a deterministic scenario). */
  readonly runs: readonly number[];
  /** The target in words, or `null` for a figure given for context. */
  readonly target: string | null;
  /** Whether the target is met; `null` when there is none. */
  readonly met: boolean | null;
}

export interface BenchReport {
  readonly generatedAt: string;
  /** The command that produced the report. */
  readonly command: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly memory: number; readonly platform: string };
  readonly node: string;
  readonly msalNode: string;
  readonly msalBrowser: string;
  /** Wall-clock time of the whole run, ms. */
  readonly durationMs: number;
  readonly results: readonly BenchResult[];
}

/** A figure whose median is that of its runs. */
export function result(name: string, figure: string, unit: string, runs: readonly number[], target: string | null = null, met: boolean | null = null): BenchResult {
  return { name, figure, unit, median: median(runs), runs: [...runs], target, met };
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

export function buildReport(results: readonly BenchResult[], command: string, durationMs: number): BenchReport {
  const cpuList = cpus();
  return {
    generatedAt: new Date().toISOString(),
    command,
    machine: { cpus: cpuList.length, model: cpuList[0]?.model.trim() ?? "unknown", memory: totalmem(), platform: `${process.platform} ${process.arch}` },
    node: process.version,
    msalNode: packageVersion("@azure/msal-node"),
    msalBrowser: packageVersion("@azure/msal-browser"),
    durationMs: Math.round(durationMs),
    results,
  };
}

export function writeReport(report: BenchReport, path: string): void {
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** `1234567` → `1,234,567`; fractions keep up to 3 significant decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

/** The report as a plain-text table, grouped by benchmark. */
export function renderTable(report: BenchReport): string {
  const header = ["benchmark", "figure", "median", "unit", "runs", "target", "met"];
  const rows: string[][] = [];
  let previous: string | undefined;
  for (const r of report.results) {
    rows.push([r.name === previous ? "" : r.name, r.figure, formatNumber(r.median), r.unit, String(r.runs.length), r.target ?? "", r.met === null ? "" : r.met ? "yes" : "NO"]);
    previous = r.name;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const right = new Set([2, 4]);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w)))];
  previous = undefined;
  report.results.forEach((r, index) => {
    if (previous !== undefined && r.name !== previous) out.push("");
    out.push(line(rows[index] as string[]));
    previous = r.name;
  });
  const { machine } = report;
  const gib = (machine.memory / 2 ** 30).toFixed(0);
  const met = report.results.filter((r) => r.met === true).length;
  const missed = report.results.filter((r) => r.met === false).length;
  return [
    `$ ${report.command}`,
    `${report.generatedAt}  ${machine.model}, ${machine.cpus} cpus, ${gib} GiB, ${machine.platform}  node ${report.node}  msal-node ${report.msalNode}  msal-browser ${report.msalBrowser}`,
    "",
    ...out,
    "",
    `targets met: ${met}, missed: ${missed}; ${(report.durationMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

/** Markers around the latest table in README.md and bench/README.md. */
const TABLE_START = "<!-- bench:latest-table:start (written by npm run bench) -->";
const TABLE_END = "<!-- bench:latest-table:end -->";

/**
 * Puts the printed table of a full run into the READMEs between their markers, so the
 * figures there always come from a bench run and never go stale by hand. Returns the
 * files it changed; a file without both markers is left alone.
 */
export function writeTableIntoReadmes(table: string, paths: readonly string[]): string[] {
  const changed: string[] = [];
  for (const path of paths) {
    const text = readFileSync(path, "utf8");
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    if (start < 0 || end < start) continue;
    const next = `${text.slice(0, start + TABLE_START.length)}\n\`\`\`text\n${table.trimEnd()}\n\`\`\`\n${text.slice(end)}`;
    if (next !== text) {
      writeFileSync(path, next);
      changed.push(path);
    }
  }
  return changed;
}
