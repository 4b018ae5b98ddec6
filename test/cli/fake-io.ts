import { runCli, type CliIo } from "../../src/cli/run.js";

export const NOW = Date.UTC(2026, 10, 22, 10, 15, 2);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output, no terminal, no colours, a fixed clock and version. */
export async function run(argv: readonly string[], overrides: Partial<CliIo> = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdin: [],
    env: {},
    isTTY: false,
    columns: 80,
    version: () => "9.9.9",
    now: () => NOW,
    ...overrides,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

export async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield part;
}
