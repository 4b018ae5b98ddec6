import { describeFlags, helpEntry, parseArgs, type FlagSpec } from "./args.js";
import { COMMANDS, type CliCommand, type CommandContext } from "./commands/index.js";
import { EXIT_NOTHING_FOUND, EXIT_OK, EXIT_USAGE, type CliIo } from "./io.js";
import { styleFor } from "./layout.js";

export { EXIT_NOTHING_FOUND, EXIT_OK, EXIT_USAGE, type CliIo } from "./io.js";

const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: "help", alias: "h", description: "Show help" },
  { name: "version", alias: "V", description: "Show the version" },
];

function topLevelHelp(): string {
  const nameWidth = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  return [
    "Usage: msal-guard <command> [options]",
    "",
    "Makes Microsoft Entra ID sign-in failures understandable.",
    "",
    "Commands",
    ...COMMANDS.flatMap((c) => helpEntry(`  ${c.name.padEnd(nameWidth)}`, c.summary)),
    "",
    "Options",
    ...describeFlags(GLOBAL_FLAGS),
    "",
    "Run 'msal-guard <command> --help' for a command's input and options.",
    "",
  ].join("\n");
}

const MIN_COLUMNS = 40;
const MAX_COLUMNS = 100;
const DEFAULT_COLUMNS = 80;

async function printVersion(io: CliIo): Promise<number> {
  let version: string | undefined;
  try {
    version = await io.version?.();
  } catch {
    version = undefined;
  }
  io.stdout.write(`msal-guard ${version ?? "(version unknown)"}\n`);
  return EXIT_OK;
}

/**
 * Runs `msal-guard` with `argv` (the arguments after the program name) and returns
 * the exit status: 0 done, 1 nothing classifiable in the input, 2 usage error.
 * All input and output goes through `io`, so it runs in-process in tests.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const usageError = (prefix: string, message: string, helpHint: string): number => {
    io.stderr.write(`${prefix}: ${message}\n${helpHint}\n`);
    return EXIT_USAGE;
  };

  // Before the command only the global switches are allowed.
  const commandIndex = argv.findIndex((token) => !token.startsWith("-"));
  const leading = parseArgs(commandIndex === -1 ? argv : argv.slice(0, commandIndex), GLOBAL_FLAGS);
  if (!leading.ok) return usageError("msal-guard", leading.error, "Run 'msal-guard --help' for usage.");
  if (leading.args.positionals.length > 0) {
    // `-` or `--` before any command.
    return usageError("msal-guard", `unexpected ${leading.args.positionals[0] ?? "--"}`, "Run 'msal-guard --help' for usage.");
  }
  if (leading.args.flags.has("help")) {
    io.stdout.write(topLevelHelp());
    return EXIT_OK;
  }
  if (leading.args.flags.has("version")) return printVersion(io);

  const name = commandIndex === -1 ? undefined : argv[commandIndex];
  if (name === undefined) {
    io.stderr.write(`msal-guard: missing command\n\n${topLevelHelp()}`);
    return EXIT_USAGE;
  }
  const rest = argv.slice(commandIndex + 1);

  if (name === "help") {
    const topic = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === rest[0]);
    if (rest[0] !== undefined && topic === undefined) {
      return usageError("msal-guard", `unknown command '${rest[0]}'`, "Run 'msal-guard --help' for the list of commands.");
    }
    io.stdout.write(topic === undefined ? topLevelHelp() : topic.help());
    return EXIT_OK;
  }

  const command: CliCommand | undefined = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    return usageError("msal-guard", `unknown command '${name}'`, "Run 'msal-guard --help' for the list of commands.");
  }

  const hint = `Run 'msal-guard ${command.name} --help' for usage.`;
  const parsed = parseArgs(rest, command.flags);
  if (!parsed.ok) return usageError(`msal-guard ${command.name}`, parsed.error, hint);
  if (parsed.args.flags.has("help")) {
    io.stdout.write(command.help());
    return EXIT_OK;
  }

  const columns = Math.min(MAX_COLUMNS, Math.max(MIN_COLUMNS, io.columns ?? DEFAULT_COLUMNS));
  const context: CommandContext = {
    io,
    style: styleFor(io.isTTY, io.env),
    columns: Number.isFinite(columns) ? columns : DEFAULT_COLUMNS,
    usageError: (message) => usageError(`msal-guard ${command.name}`, message, hint),
  };
  try {
    return await command.run(parsed.args, context);
  } catch (error) {
    // A bug, not the user's fault: say so briefly rather than dumping a stack trace.
    io.stderr.write(`msal-guard ${command.name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_NOTHING_FOUND;
  }
}
