// Terminal layout: aligned "label  value" rows, wrapped to the terminal width with
// a hanging indent, and optional ANSI styles.

export interface Style {
  readonly label: (text: string) => string;
  readonly heading: (text: string) => string;
  readonly emphasis: (text: string) => string;
}

const plain = (text: string) => text;
const PLAIN: Style = { label: plain, heading: plain, emphasis: plain };
const ANSI: Style = {
  label: (text) => `\u001b[2m${text}\u001b[22m`,
  heading: (text) => `\u001b[1m${text}\u001b[22m`,
  emphasis: (text) => `\u001b[36m${text}\u001b[39m`,
};

/** Colours only on a terminal, and never with `NO_COLOR` (https://no-color.org) or `TERM=dumb`. */
export function styleFor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return isTTY && !noColor && env.TERM !== "dumb" ? ANSI : PLAIN;
}

// East Asian wide and fullwidth characters take two columns and may break anywhere.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;
// Japanese punctuation that must not start a line (kinsoku): kept with the character before it.
const NO_LINE_START = /^[、。，．・：；？！）」』〕】ー]/;

function width(text: string): number {
  let columns = 0;
  for (const char of text) columns += WIDE.test(char) ? 2 : 1;
  return columns;
}

/** Breakable units: runs of non-wide, non-space characters, single wide characters, and spaces. */
function units(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/ +|[^ ]/g)) {
    const char = match[0];
    const last = out[out.length - 1];
    const joinsPrevious =
      last !== undefined &&
      !last.startsWith(" ") &&
      char !== " " &&
      !char.startsWith(" ") &&
      ((!WIDE.test(char) && !WIDE.test(last.slice(-1))) || NO_LINE_START.test(char));
    if (joinsPrevious) out[out.length - 1] = last + char;
    else out.push(char);
  }
  return out;
}

/** Wraps `text` to `columns`, breaking at spaces and between wide characters; a unit longer than a line stays whole. */
export function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const unit of units(text)) {
    if (unit.startsWith(" ")) {
      if (line !== "") line += unit;
      continue;
    }
    const candidate = line + unit;
    if (line !== "" && width(candidate.trimEnd()) > columns) {
      lines.push(line.trimEnd());
      line = unit;
    } else {
      line = candidate;
    }
  }
  if (line.trim() !== "" || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

export type Row = readonly [label: string, value: string | undefined];

/** Rows of `label  value`: labels padded to one column (at least `minLabelWidth`), values wrapped under each other (a `\n` in a value starts a new line); rows without a value are left out. */
export function rows(entries: readonly Row[], columns: number, style: Style, minLabelWidth = 0): string {
  const present = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined && entry[1] !== "");
  const labelWidth = Math.max(minLabelWidth, ...present.map(([label]) => label.length + 2));
  const valueWidth = Math.max(20, columns - labelWidth);
  const out: string[] = [];
  for (const [label, value] of present) {
    value.split("\n").flatMap((paragraph) => wrap(paragraph, valueWidth)).forEach((line, index) => {
      out.push(index === 0 ? `${style.label(label.padEnd(labelWidth))}${line}` : `${" ".repeat(labelWidth)}${line}`);
    });
  }
  return out.join("\n");
}
