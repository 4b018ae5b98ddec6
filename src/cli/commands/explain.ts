import type { Classification } from "../../core/classification.js";
import { classify } from "../../core/classify.js";
import { explain, type Explanation } from "../../core/explain.js";
import type { FixedBy } from "../../core/kinds.js";
import { builtInLocales, messageFor, type UserMessage } from "../../core/messages/index.js";
import { matchLocale, normalizeLocaleTag } from "../../core/messages/negotiate.js";
import type { ParsedArgs } from "../args.js";
import { describeFlags, type FlagSpec } from "../args.js";
import { EXIT_NOTHING_FOUND, EXIT_OK, InputTooLargeError, readAll } from "../io.js";
import { rows, type Row } from "../layout.js";
import type { CliCommand, CommandContext } from "./types.js";

const FLAGS: readonly FlagSpec[] = [
  { name: "locale", valueName: "<tag>", description: "Language of the user message: en, de, fr, es or ja (default en)" },
  { name: "json", description: "Print machine-readable JSON" },
  { name: "help", alias: "h", description: "Show this help" },
];

const ACCEPTED_INPUT = [
  "  50053 or AADSTS50053          an AADSTS code (several: one failure's codes)",
  '  "AADSTS50126: ..."            error text containing AADSTS codes',
  "  invalid_grant, popup_window_error",
  "                                an OAuth error or MSAL error code",
  `  '{"error":"invalid_grant","error_codes":[53003]}'`,
  "                                a token-endpoint JSON error body",
  "  -                             read any of these from stdin",
];

const help = (): string => [
  "Usage: msal-guard explain <input> [options]",
  "",
  "Explains a Microsoft Entra ID sign-in failure: its kind, what the code means,",
  "who can fix it, whether and when retrying helps, and the message to show the",
  "user.",
  "",
  "Input",
  ...ACCEPTED_INPUT,
  "",
  "Options",
  ...describeFlags(FLAGS),
  "",
  "Exit status: 0 explained, 1 nothing recognisable in the input, 2 usage error.",
  "",
  "Examples",
  "  msal-guard explain 50053",
  "  msal-guard explain AADSTS53003 --locale de",
  "  msal-guard explain - --json < error.json",
  "",
].join("\n");

const FIXED_BY: Readonly<Record<FixedBy, string>> = {
  user: "the user",
  administrator: "an administrator",
  developer: "the developer (app registration or code)",
  time: "no one: it clears with time",
  nobody: "unclear",
};

/** What was given, before classification. */
type Input =
  | { readonly form: "codes"; readonly codes: readonly number[] }
  | { readonly form: "json"; readonly value: unknown }
  | { readonly form: "text"; readonly text: string; readonly jsonError?: string };

function readInput(raw: string): Input {
  const text = raw.trim();
  // One code, or several (`50053 53003`, `50053, AADSTS53003`): the codes of one failure.
  if (/^(?:AADSTS)?\d{1,9}(?:[\s,;]+(?:AADSTS)?\d{1,9})*$/i.test(text)) return { form: "codes", codes: text.match(/\d+/g)!.map(Number) };
  if (text.startsWith("{") || text.startsWith("[")) {
    try {
      return { form: "json", value: JSON.parse(text) as unknown };
    } catch (error) {
      // Maybe a log line that starts with a brace: still worth scanning for codes.
      return { form: "text", text, jsonError: error instanceof Error ? error.message : String(error) };
    }
  }
  return { form: "text", text };
}

function classificationOfInput(input: Input): Classification {
  switch (input.form) {
    case "codes":
      return classify(input.codes.map((code) => `AADSTS${code}`).join(" "));
    case "json":
      return classify(input.value);
    case "text": {
      // A bare error value (`invalid_grant`, `popup_window_error`) reads as the start of an
      // MSAL message, "<code>: <text>"; a word classify doesn't know stays unrecognised.
      if (/^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/i.test(input.text)) {
        const bare = classify(`${input.text}: `);
        if (bare.kind !== "unknown") return bare;
      }
      return classify(input.text);
    }
  }
}

/** True when classification found anything at all: a code, an error value, or a kind other than `unknown`. */
function recognised(classification: Classification): boolean {
  return classification.codes.length > 0 || classification.kind !== "unknown" || classification.error !== undefined;
}

/** Input is echoed into the terminal: strip control characters so a pasted log can't send escape sequences. */
function printable(text: string | undefined): string | undefined {
  return text?.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
}

function codesLine(explanation: Explanation): string | undefined {
  const [primary, ...others] = explanation.codes;
  if (primary === undefined) return undefined;
  const note = explanation.name ?? (explanation.inCatalogue ? undefined : "not in msal-guard's catalogue");
  const head = note === undefined ? `AADSTS${primary}` : `AADSTS${primary} (${note})`;
  return others.length === 0 ? head : `${head}; also ${others.map((code) => `AADSTS${code}`).join(", ")}`;
}

function errorLine(classification: Classification): string | undefined {
  if (classification.error === undefined) return undefined;
  const sub = classification.subError === undefined ? "" : ` (suberror ${classification.subError})`;
  return printable(`${classification.error}${sub}`);
}

const LABEL_WIDTH = 14;
/** The separator every built-in locale puts between support-reference parts. */
const REFERENCE_SEPARATOR = " · ";

function renderText(classification: Classification, explanation: Explanation, message: UserMessage, context: CommandContext): string {
  const { style, columns } = context;
  const facts: Row[] = [
    ["Kind", style.emphasis(explanation.kind)],
    ["Code", codesLine(explanation)],
    ["Error", errorLine(classification)],
    ["Meaning", explanation.meaning],
    ["Who can fix", FIXED_BY[explanation.fixedBy]],
    ["Interaction", explanation.interactionHelps ? "helps: an interactive sign-in can resolve it" : "doesn't help"],
    ["Retry", `${explanation.retry.summary} (${explanation.retry.advice})`],
    ["What to do", explanation.whatToDo],
    ["Correlation", printable(classification.correlationId)],
    ["Policies", classification.policyIds.length === 0 ? undefined : printable(classification.policyIds.join(", "))],
  ];
  const user: Row[] = [
    ["Title", message.title],
    ["Body", message.body],
    ["Action", message.action],
    // One part per line, so an id never wraps away from its label.
    ["Reference", message.supportReference?.split(REFERENCE_SEPARATOR).join("\n")],
    ["Wait", message.waitText === undefined ? undefined : `${message.waitText} (until ${message.retryAt?.toISOString()})`],
  ];
  return [
    rows(facts, columns, style, LABEL_WIDTH),
    "",
    style.heading(`User message (${message.locale})`),
    rows(user, columns, style, LABEL_WIDTH),
    "",
  ].join("\n");
}

async function run(args: ParsedArgs, context: CommandContext): Promise<number> {
  const { io } = context;
  const { positionals } = args;
  if (positionals.length === 0) {
    return context.usageError("missing input: give an AADSTS code, error text, a JSON error body, or - to read stdin");
  }
  if (positionals.length > 1 && positionals.includes("-")) {
    return context.usageError("- (read stdin) must be the only input");
  }

  const locale = args.flags.get("locale");
  if (typeof locale === "string" && normalizeLocaleTag(locale) === undefined) {
    return context.usageError(`--locale ${JSON.stringify(locale)} is not a locale tag (try en, de, fr, es or ja)`);
  }

  let raw: string;
  if (positionals[0] === "-" && positionals.length === 1) {
    // Otherwise a person who typed `explain -` sees nothing happen.
    if (io.stdinIsTTY === true) io.stderr.write("msal-guard explain: paste the error, then press Ctrl-D (Ctrl-Z, Enter on Windows)\n");
    try {
      raw = await readAll(io.stdin);
    } catch (error) {
      const reason = error instanceof InputTooLargeError ? error.message : "stdin could not be read";
      io.stderr.write(`msal-guard explain: ${reason}\n`);
      return EXIT_NOTHING_FOUND;
    }
  } else {
    // Unquoted text arrives as several arguments; it was one message.
    raw = positionals.join(" ");
  }

  const input = readInput(raw);
  const classification = classificationOfInput(input);
  if (!recognised(classification)) {
    const bareCode = input.form === "text" ? /(?:^|\s)(\d{4,9})(?=[\s,;]|$)/.exec(input.text)?.[1] : undefined;
    const why =
      raw.trim() === ""
        ? "the input is empty"
        : input.form === "text" && input.jsonError !== undefined
          ? `the input looks like JSON but doesn't parse (${input.jsonError}) and holds no AADSTS code`
          : input.form === "json"
            ? "the JSON has no error, error_codes or AADSTS code in it"
            : bareCode !== undefined
              ? `${bareCode} among other words is not read as a code: give codes alone (explain ${bareCode}) or with their AADSTS prefix; options start with --, e.g. --locale de`
              : "no AADSTS code, OAuth error or MSAL error code found in the input";
    io.stderr.write(`msal-guard explain: nothing to explain: ${why}.\nAccepted input:\n${ACCEPTED_INPUT.join("\n")}\n`);
    return EXIT_NOTHING_FOUND;
  }

  if (typeof locale === "string" && matchLocale(locale, builtInLocales.map((table) => normalizeLocaleTag(table.locale))) === undefined) {
    io.stderr.write(`msal-guard explain: no user messages in ${JSON.stringify(locale)}; showing English.\n`);
  }

  const explanation = explain(classification);
  const message = messageFor(classification, {
    locale: typeof locale === "string" ? locale : undefined,
    now: io.now?.() ?? Date.now(),
  });

  if (args.flags.get("json") === true) {
    io.stdout.write(`${JSON.stringify({ explanation, message, classification }, null, 2)}\n`);
  } else {
    io.stdout.write(renderText(classification, explanation, message, context));
  }
  return EXIT_OK;
}

export const explainCommand: CliCommand = {
  name: "explain",
  summary: "What an AADSTS code or sign-in error means, who can fix it, whether retrying helps, and the user message",
  flags: FLAGS,
  help,
  run,
};
