import { describe, expect, it } from "vitest";
import { EXIT_NOTHING_FOUND, EXIT_OK, EXIT_USAGE, type CliIo } from "../../src/cli/run.js";
import { CORRELATION_ID, HOSTILE_LOCKOUT_BODY, SERVER_TEXT_FRAGMENTS } from "../messages/fixtures.js";
import { NOW, chunks, run } from "./fake-io.js";

const CA_BODY = JSON.stringify({
  error: "invalid_grant",
  error_description: "AADSTS53003: Access has been blocked by Conditional Access policies.",
  error_codes: [53003],
  suberror: "message_only",
  correlation_id: CORRELATION_ID,
  claims: JSON.stringify({ access_token: { capolids: { essential: true, values: ["0a1b2c3d-0000-4000-8000-000000000001"] } } }),
});

describe("msal-guard explain: what it prints", () => {
  it.each([
    ["a bare code", ["50053"], ["Kind          account_locked", "Code          AADSTS50053 (IdsLocked / malicious IP)", "Who can fix   no one: it clears with time", "Your account is temporarily locked", "Reference     Error code: AADSTS50053"]],
    ["an AADSTS code", ["AADSTS53003"], ["Kind          conditional_access_blocked", "Who can fix   an administrator", "Interaction   doesn't help", "(after_fix)", "Your organization's policy blocks this sign-in"]],
    ["error text with two codes", ["AADSTS70002: Error validating credentials. AADSTS50126: Error validating credentials due to invalid username or password."], ["Kind          invalid_credentials", "AADSTS50126 (InvalidUserNameOrPassword); also AADSTS70002", "Incorrect user name or password"]],
    ["unquoted text split into arguments", ["AADSTS50126:", "Error", "validating"], ["Kind          invalid_credentials"]],
    ["a token-endpoint JSON body", [CA_BODY], ["Kind          conditional_access_blocked", "Error         invalid_grant (suberror message_only)", `Correlation   ${CORRELATION_ID}`, "Policies      0a1b2c3d-0000-4000-8000-000000000001", `              Correlation ID: ${CORRELATION_ID}`]],
    ["bare codes as separate arguments", ["50053", "53003"], ["Kind          account_locked", "AADSTS50053 (IdsLocked / malicious IP); also AADSTS53003"]],
    ["a comma-separated list of codes", ["50053, AADSTS53003"], ["Kind          account_locked", "AADSTS50053 (IdsLocked / malicious IP); also AADSTS53003"]],
    ["a code not in the catalogue", ["AADSTS99999"], ["Kind          unknown", "AADSTS99999 (not in msal-guard's catalogue)"]],
    ["--locale de", ["50053", "--locale", "de"], ["User message (de)", "Ihr Konto ist vorübergehend gesperrt", "Fehlercode: AADSTS50053"]],
    ["--locale=ja-JP", ["50053", "--locale=ja-JP"], ["User message (ja)", "アカウントが一時的にロックされています"]],
    ["flags before the input", ["--locale", "fr", "50053"], ["User message (fr)"]],
    ["a bare OAuth error", ["invalid_grant"], ["Kind          interaction_required", "Error         invalid_grant"]],
    ["a bare MSAL error code", ["popup_window_error"], ["Kind          popup_blocked", "Error         popup_window_error"]],
  ] as const)("explains %s", async (_case, args, expected) => {
    const result = await run(["explain", ...args]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(EXIT_OK);
    for (const line of expected) expect(result.stdout).toContain(line);
  });

  it("prints the retry sentence and the wait when the server gave one", async () => {
    const response = JSON.stringify({ status: 429, headers: { "retry-after": "120" }, body: { error: "temporarily_unavailable", error_codes: [50196] } });
    const result = await run(["explain", response]);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toContain("Retry         Yes, after a wait: the server asked to wait 2 min (120 s)");
    expect(result.stdout).toContain(`Wait          about 2 minutes (until ${new Date(NOW + 120_000).toISOString()})`);
  });

  it("never prints the server's description, markup or user name", async () => {
    const result = await run(["explain", JSON.stringify(HOSTILE_LOCKOUT_BODY), "--locale", "de"]);
    expect(result.code).toBe(EXIT_OK);
    for (const fragment of SERVER_TEXT_FRAGMENTS) expect(result.stdout + result.stderr).not.toContain(fragment);
  });

  it("strips terminal control characters from echoed values", async () => {
    const body = JSON.stringify({ error: "invalid_grant\u001b]0;pwned\u0007", error_codes: [50053], correlation_id: "abc\u001b[2J" });
    const result = await run(["explain", body]);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it("notes on stderr when the requested locale has no messages, and shows English", async () => {
    const result = await run(["explain", "50053", "--locale", "nl"]);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stderr).toBe('msal-guard explain: no user messages in "nl"; showing English.\n');
    expect(result.stdout).toContain("User message (en)");
  });
});

describe("msal-guard explain: reading stdin with -", () => {
  it.each([
    ["a JSON body as one string", [CA_BODY], "conditional_access_blocked"],
    ["text in byte chunks split inside a character", [new TextEncoder().encode("AADSTS50053 Kon"), new Uint8Array([0xc3]), new Uint8Array([0xa4, 0x0a])], "account_locked"],
  ] as const)("reads %s", async (_case, parts, kind) => {
    const result = await run(["explain", "-"], { stdin: chunks(...parts) });
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toContain(`Kind          ${kind}`);
  });

  it("says on stderr that it waits for input when stdin is a terminal, and only then", async () => {
    const typed = await run(["explain", "-"], { stdin: chunks("AADSTS50053"), stdinIsTTY: true });
    expect(typed.code).toBe(EXIT_OK);
    expect(typed.stderr).toBe("msal-guard explain: paste the error, then press Ctrl-D (Ctrl-Z, Enter on Windows)\n");
    const piped = await run(["explain", "-"], { stdin: chunks("AADSTS50053") });
    expect(piped.stderr).toBe("");
  });

  it("reads stdin only for -", async () => {
    let read = false;
    const stdin = { [Symbol.asyncIterator]: () => ((read = true), chunks()) };
    await run(["explain", "50053"], { stdin });
    expect(read).toBe(false);
  });
});

describe("msal-guard explain: --json", () => {
  it("prints the explanation, the user message and the classification as JSON", async () => {
    const result = await run(["explain", CA_BODY, "--json", "--locale", "es"]);
    expect(result.code).toBe(EXIT_OK);
    const output = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    expect(output.explanation).toMatchObject({ kind: "conditional_access_blocked", primaryCode: 53003, fixedBy: "administrator", interactionHelps: false });
    expect(output.message).toMatchObject({ locale: "es", kind: "conditional_access_blocked", title: "La política de su organización bloquea este inicio de sesión" });
    expect(output.classification).toMatchObject({ codes: [53003], correlationId: CORRELATION_ID, subError: "message_only" });
    expect(result.stdout).not.toContain("Access has been blocked");
  });

  it("writes retryAt as an ISO time", async () => {
    const response = JSON.stringify({ status: 429, headers: { "retry-after": "60" }, body: { error: "temporarily_unavailable" } });
    const output = JSON.parse((await run(["explain", response, "--json"])).stdout) as { message: Record<string, unknown> };
    expect(output.message).toMatchObject({ retryAfterMs: 60_000, retryAt: new Date(NOW + 60_000).toISOString(), waitText: "about 60 seconds" });
  });
});

describe("msal-guard explain: input with nothing to explain exits 1", () => {
  it.each([
    ["plain words", ["explain", "hello"], {}, "no AADSTS code, OAuth error or MSAL error code found"],
    ["a word that is no error code msal-guard knows", ["explain", "not_an_error"], {}, "no AADSTS code, OAuth error or MSAL error code found"],
    ["a bare code among other words (a forgotten --locale)", ["explain", "50053", "de"], {}, "50053 among other words is not read as a code: give codes alone (explain 50053) or with their AADSTS prefix; options start with --, e.g. --locale de"],
    ["broken JSON", ["explain", '{"error": '], {}, "looks like JSON but doesn't parse"],
    ["JSON without an error", ["explain", '{"foo":1}'], {}, "the JSON has no error, error_codes or AADSTS code"],
    ["an empty argument", ["explain", ""], {}, "the input is empty"],
    ["empty stdin", ["explain", "-"], { stdin: chunks() }, "the input is empty"],
    ["stdin over 1 MiB", ["explain", "-"], { stdin: chunks("x".repeat(1024 * 1024), "x") }, "input is larger than 1 MiB"],
    ["unreadable stdin", ["explain", "-"], { stdin: { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("EIO")) }) } }, "stdin could not be read"],
  ] as const)("%s", async (_case, argv, overrides, reason) => {
    const result = await run(argv, overrides as never);
    expect(result.code).toBe(EXIT_NOTHING_FOUND);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(reason);
  });

  it("says what input is accepted", async () => {
    const { stderr } = await run(["explain", "hello"]);
    expect(stderr).toContain("Accepted input:");
    expect(stderr).toContain("50053 or AADSTS50053");
    expect(stderr).toContain("invalid_grant, popup_window_error");
    expect(stderr).toContain("read any of these from stdin");
  });
});

describe("msal-guard: usage errors exit 2", () => {
  it.each([
    ["no command", [], "msal-guard: missing command"],
    ["an unknown command", ["frobnicate"], "msal-guard: unknown command 'frobnicate'"],
    ["an unknown global option", ["--nope"], "msal-guard: unknown option --nope"],
    ["stdin before a command", ["-"], "msal-guard: unexpected -"],
    ["explain without input", ["explain"], "msal-guard explain: missing input"],
    ["an unknown option", ["explain", "50053", "--bogus"], "msal-guard explain: unknown option --bogus"],
    ["an unknown short option", ["explain", "50053", "-x"], "msal-guard explain: unknown option -x"],
    ["--locale without a value", ["explain", "50053", "--locale"], "--locale needs a value"],
    ["--locale followed by a flag", ["explain", "50053", "--locale", "--json"], "--locale needs a value"],
    ["--locale that isn't a tag", ["explain", "50053", "--locale", "!!"], 'is not a locale tag'],
    ["a value for a switch", ["explain", "50053", "--json=yes"], "--json doesn't take a value"],
    ["- with other input", ["explain", "-", "50053"], "- (read stdin) must be the only input"],
    ["help for an unknown command", ["help", "nope"], "unknown command 'nope'"],
  ] as const)("%s", async (_case, argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/--help|Usage:/);
  });
});

describe("msal-guard: help and version", () => {
  it.each([
    [["--help"], "Usage: msal-guard <command> [options]"],
    [["-h"], "Usage: msal-guard <command> [options]"],
    [["help"], "Usage: msal-guard <command> [options]"],
    [["help", "explain"], "Usage: msal-guard explain <input> [options]"],
    [["explain", "--help"], "Usage: msal-guard explain <input> [options]"],
    [["explain", "50053", "-h"], "Usage: msal-guard explain <input> [options]"],
  ] as const)("%j prints help to stdout and exits 0", async (argv, heading) => {
    const result = await run(argv);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stderr).toBe("");
    expect(result.stdout.startsWith(heading)).toBe(true);
  });

  it("lists every command and the exit statuses", async () => {
    expect((await run(["--help"])).stdout).toMatch(/^ {2}explain {3}What an AADSTS code/m);
    expect((await run(["explain", "--help"])).stdout).toContain("Exit status: 0 explained, 1 nothing recognisable in the input, 2 usage error.");
    expect((await run(["demo", "--help"])).stdout).toContain("Exit status: 0 done, 1 @azure/msal-node is missing or the demo failed,\n2 usage error.");
  });

  it.each([["--help"], ["explain", "--help"], ["demo", "--help"]].map((argv) => [argv.join(" "), argv] as const))("%s fits 80 columns", async (_name, argv) => {
    const { stdout } = await run(argv);
    const tooWide = stdout.split("\n").filter((line) => line.length > 80);
    expect(tooWide).toEqual([]);
  });

  const VERSION_CASES: readonly (readonly [string, CliIo["version"], string])[] = [
    ["--version", () => "1.2.3", "msal-guard 1.2.3\n"],
    ["-V", () => Promise.resolve("1.2.3"), "msal-guard 1.2.3\n"],
    ["--version", () => undefined, "msal-guard (version unknown)\n"],
    ["--version", () => { throw new Error("EACCES"); }, "msal-guard (version unknown)\n"],
    ["--version", undefined, "msal-guard (version unknown)\n"],
  ];

  it.each(VERSION_CASES)("%s prints the version from io.version", async (flag, version, expected) => {
    const result = await run([flag], { version });
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toBe(expected);
  });
});

describe("msal-guard explain: terminal output", () => {
  const ESC = "\u001b[";

  it.each([
    ["a terminal", { isTTY: true, env: {} }, true],
    ["a terminal with NO_COLOR", { isTTY: true, env: { NO_COLOR: "1" } }, false],
    ["a terminal with an empty NO_COLOR", { isTTY: true, env: { NO_COLOR: "" } }, true],
    ["a dumb terminal", { isTTY: true, env: { TERM: "dumb" } }, false],
    ["a pipe", { isTTY: false, env: {} }, false],
  ] as const)("colours on %s: %s", async (_case, overrides, coloured) => {
    const { stdout } = await run(["explain", "50053"], overrides);
    expect(stdout.includes(ESC)).toBe(coloured);
  });

  it.each([40, 60, 100])("wraps to %i columns with values aligned under each other", async (columns) => {
    const { stdout } = await run(["explain", "50053"], { columns });
    const lines = stdout.split("\n").filter((line) => line !== "" && !line.startsWith("User message"));
    for (const line of lines) {
      // Long unbreakable tokens (ids) may overflow; prose may not.
      if (!/\S{30,}/.test(line)) expect(line.length).toBeLessThanOrEqual(columns);
      expect(line.slice(0, 14)).toMatch(/^(?:[A-Z][a-z ]+ {2,}| {14})$/);
      expect(line[14]).not.toBe(" ");
    }
  });
});
