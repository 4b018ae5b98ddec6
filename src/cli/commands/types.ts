import type { FlagSpec, ParsedArgs } from "../args.js";
import type { CliIo } from "../io.js";
import type { Style } from "../layout.js";

/** What a command gets besides its arguments. */
export interface CommandContext {
  readonly io: CliIo;
  readonly style: Style;
  /** Wrap width in columns. */
  readonly columns: number;
  /** Reports a usage error (`msal-guard <command>: …` plus a help hint) and returns exit status 2. */
  readonly usageError: (message: string) => number;
}

/** One `msal-guard <name>` subcommand. Register it in `commands/index.ts`. */
export interface CliCommand {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The command's own flags (`--help` is added for every command). */
  readonly flags: readonly FlagSpec[];
  /** The full text of `msal-guard <name> --help` (built on demand). */
  readonly help: () => string;
  /** Runs the command and returns the exit status. */
  readonly run: (args: ParsedArgs, context: CommandContext) => Promise<number>;
}
