// A small, strict argument parser: long flags (`--locale de`, `--locale=de`), a few
// short aliases (`-h`), `-` as a positional (stdin), `--` to end options.
import { wrap } from "./layout.js";

export interface FlagSpec {
  /** Long name without dashes, for example `locale`. */
  readonly name: string;
  /** One-letter alias without the dash, for example `h`. */
  readonly alias?: string;
  /** Placeholder for a flag that takes a value (`<tag>`); absent for a switch. */
  readonly valueName?: string;
  readonly description: string;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  /** Switches map to `true`, value flags to their (last) value. */
  readonly flags: ReadonlyMap<string, string | true>;
}

export type ParseResult = { readonly ok: true; readonly args: ParsedArgs } | { readonly ok: false; readonly error: string };

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParseResult {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === "-" || !token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    const long = token.startsWith("--");
    const equals = long ? token.indexOf("=") : -1;
    const key = equals === -1 ? token.slice(long ? 2 : 1) : token.slice(2, equals);
    const spec = specs.find((s) => (long ? s.name === key : s.alias === key));
    if (spec === undefined) return { ok: false, error: `unknown option ${long ? `--${key}` : `-${key}`}` };
    if (spec.valueName === undefined) {
      if (equals !== -1) return { ok: false, error: `--${spec.name} doesn't take a value` };
      flags.set(spec.name, true);
      continue;
    }
    const value = equals !== -1 ? token.slice(equals + 1) : argv[i + 1];
    if (value === undefined || value === "" || (equals === -1 && value.startsWith("-"))) {
      return { ok: false, error: `--${spec.name} needs a value: --${spec.name} ${spec.valueName}` };
    }
    flags.set(spec.name, value);
    if (equals === -1) i++;
  }
  return { ok: true, args: { positionals, flags } };
}

/** Help lines for a list of flags, aligned: `  -h, --help         Show this help`. */
export function describeFlags(specs: readonly FlagSpec[]): string[] {
  const heads = specs.map((s) => `${s.alias === undefined ? "    " : `-${s.alias}, `}--${s.name}${s.valueName === undefined ? "" : ` ${s.valueName}`}`);
  const width = Math.max(...heads.map((h) => h.length)) + 3;
  return specs.flatMap((s, i) => helpEntry(`  ${(heads[i] as string).padEnd(width)}`, s.description));
}

/** Help text width: what a terminal shows without wrapping. */
export const HELP_COLUMNS = 80;

/** `head` then `text` wrapped to {@link HELP_COLUMNS}, continuation lines under the text. */
export function helpEntry(head: string, text: string): string[] {
  return wrap(text, HELP_COLUMNS - head.length).map((line, i) => (i === 0 ? head : " ".repeat(head.length)) + line);
}
