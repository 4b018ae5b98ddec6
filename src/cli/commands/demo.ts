import { MsalNodeMissingError, loadDemoDeps, type DemoDeps } from "../../demo/deps.js";
import { createProgress } from "../../demo/progress.js";
import { renderDemoJson, renderDemoReport } from "../../demo/report.js";
import { runDemoScenarios, type DemoResults } from "../../demo/scenarios.js";
import type { ParsedArgs } from "../args.js";
import { describeFlags, type FlagSpec } from "../args.js";
import { EXIT_NOTHING_FOUND, EXIT_OK } from "../io.js";
import type { CliCommand, CommandContext } from "./types.js";

const FLAGS: readonly FlagSpec[] = [
  { name: "json", description: "Print the measurements as JSON" },
  { name: "help", alias: "h", description: "Show this help" },
];

const help = (): string =>
  [
    "Usage: msal-guard demo [options]",
    "",
    "Runs real @azure/msal-node against the bundled Entra simulator on simulated",
    "time, once as is and once wrapped with msal-guard, and prints what each sent:",
    "",
    "  1. stale passwords retried every 5 minutes for 24 hours: requests, lockouts,",
    "     minutes locked;",
    "  2. 200 workers hitting a locked account for 10 minutes: requests;",
    "  3. a Conditional Access block: popups opened and requests, when the code",
    "     follows the error's advice about interaction.",
    "",
    "Nothing leaves the machine: the simulator listens on 127.0.0.1. Takes a few",
    "seconds.",
    "Needs @azure/msal-node (npm install @azure/msal-node).",
    "",
    "Options",
    ...describeFlags(FLAGS),
    "",
    "Exit status: 0 done, 1 @azure/msal-node is missing or the demo failed,",
    "2 usage error.",
    "",
  ].join("\n");

async function runDemo(args: ParsedArgs, context: CommandContext, load: () => Promise<DemoDeps>): Promise<number> {
  const { io } = context;
  if (args.positionals.length > 0) return context.usageError(`unexpected argument '${args.positionals[0] ?? ""}': demo takes no input`);
  let deps: DemoDeps;
  try {
    deps = await load();
  } catch (error) {
    if (!(error instanceof MsalNodeMissingError)) throw error;
    io.stderr.write(`msal-guard demo: ${error.message}\n`);
    return EXIT_NOTHING_FOUND;
  }
  const progress = createProgress({ write: (text) => io.stderr.write(text) });
  let results: DemoResults;
  try {
    results = await runDemoScenarios({ deps, onProgress: (step) => progress.step(step) });
  } finally {
    progress.done();
  }
  io.stdout.write(args.flags.get("json") === true ? renderDemoJson(results) : renderDemoReport(results, { style: context.style, columns: context.columns }));
  return EXIT_OK;
}

// A plain object (no call at import time): the CLI's modules do nothing until run.
export const demoCommand: CliCommand = {
  name: "demo",
  summary: "Plain msal-node vs msal-guard, side by side, against the bundled Entra simulator",
  flags: FLAGS,
  help,
  run: (args, context) => runDemo(args, context, loadDemoDeps),
};

/** For tests: where msal-node, the simulator and node:http come from. */
export interface DemoCommandOptions {
  readonly loadDeps?: () => Promise<DemoDeps>;
}

export function createDemoCommand(options: DemoCommandOptions = {}): CliCommand {
  const load = options.loadDeps ?? loadDemoDeps;
  return { ...demoCommand, run: (args, context) => runDemo(args, context, load) };
}
