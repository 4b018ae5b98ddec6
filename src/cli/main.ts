// The `msal-guard` executable: wires the process to `runCli`. Everything else is testable in-process.
import { runCli } from "./run.js";
import { readPackageVersion } from "./version.js";

const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  stdinIsTTY: process.stdin.isTTY === true,
  columns: process.stdout.isTTY === true ? process.stdout.columns : undefined,
  version: () => readPackageVersion(),
});
// Let pending writes to a pipe drain instead of calling process.exit().
process.exitCode = exitCode;
