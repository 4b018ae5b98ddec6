/** Where the CLI reads and writes. `main.ts` wires the process; tests pass fakes. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Read only when the input argument is `-`. */
  readonly stdin: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal: colours are used only then (and never with `NO_COLOR`). */
  readonly isTTY: boolean;
  /** Whether stdin is a terminal: `explain -` then says it waits for input. @default false */
  readonly stdinIsTTY?: boolean | undefined;
  /** Terminal width for wrapping, in columns. @default 80 */
  readonly columns?: number | undefined;
  /** The package version, for `--version`; read only when asked for. */
  readonly version?: (() => string | undefined | Promise<string | undefined>) | undefined;
  /** The current time in epoch milliseconds, for the user message's retry time. @default `Date.now()` */
  readonly now?: (() => number) | undefined;
}

/** Exit statuses. */
export const EXIT_OK = 0;
/** The input holds nothing msal-guard can classify (or could not be read). */
export const EXIT_NOTHING_FOUND = 1;
/** Unknown command or option, or a missing argument. */
export const EXIT_USAGE = 2;

/** The most the CLI reads from stdin; an error body is a few kilobytes. */
export const MAX_STDIN_BYTES = 1_048_576;

export class InputTooLargeError extends Error {
  override name = "InputTooLargeError" as const;
}

/** Reads stdin as UTF-8 text, up to `MAX_STDIN_BYTES`. */
export async function readAll(stdin: CliIo["stdin"]): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const chunk of stdin) {
    bytes += typeof chunk === "string" ? chunk.length : chunk.byteLength;
    if (bytes > MAX_STDIN_BYTES) throw new InputTooLargeError(`input is larger than ${MAX_STDIN_BYTES / 1024 / 1024} MiB`);
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
