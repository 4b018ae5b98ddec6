import { demoCommand } from "./demo.js";
import { explainCommand } from "./explain.js";
import type { CliCommand } from "./types.js";

export type { CliCommand, CommandContext } from "./types.js";

/**
 * Every subcommand, in help order. To add one, write `commands/<name>.ts` exporting a
 * `CliCommand` and list it here; parsing, `--help` and exit statuses come with it.
 */
export const COMMANDS: readonly CliCommand[] = [explainCommand, demoCommand];
