// The CLI's pure helpers: argument parsing and terminal layout.
import { describe, expect, it } from "vitest";
import { parseArgs, type FlagSpec } from "../../src/cli/args.js";
import { rows, styleFor, wrap } from "../../src/cli/layout.js";

const SPECS: readonly FlagSpec[] = [
  { name: "locale", valueName: "<tag>", description: "" },
  { name: "json", description: "" },
  { name: "help", alias: "h", description: "" },
];

describe("parseArgs", () => {
  it.each([
    [["50053"], ["50053"], {}],
    [["50053", "--json"], ["50053"], { json: true }],
    [["--locale", "de", "50053"], ["50053"], { locale: "de" }],
    [["--locale=de-AT", "x"], ["x"], { locale: "de-AT" }],
    [["--locale", "de", "--locale", "fr"], [], { locale: "fr" }],
    [["-h"], [], { help: true }],
    [["-"], ["-"], {}],
    [["--", "--json", "-h"], ["--json", "-h"], {}],
  ] as const)("%j → positionals %j, flags %j", (argv, positionals, flags) => {
    const result = parseArgs(argv, SPECS);
    expect(result).toEqual({ ok: true, args: { positionals, flags: new Map(Object.entries(flags)) } });
  });

  it.each([
    [["--nope"], "unknown option --nope"],
    [["-q"], "unknown option -q"],
    [["--locale"], "--locale needs a value: --locale <tag>"],
    [["--locale="], "--locale needs a value: --locale <tag>"],
    [["--locale", "-h"], "--locale needs a value: --locale <tag>"],
    [["--json=true"], "--json doesn't take a value"],
  ] as const)("%j is rejected: %s", (argv, error) => {
    expect(parseArgs(argv, SPECS)).toEqual({ ok: false, error });
  });
});

describe("wrap", () => {
  it("breaks at spaces within the width", () => {
    expect(wrap("one two three four", 9)).toEqual(["one two", "three", "four"]);
  });

  it("keeps a word longer than the width whole", () => {
    expect(wrap("a 1f0c2d3e-4b5a-6978 b", 8)).toEqual(["a", "1f0c2d3e-4b5a-6978", "b"]);
  });

  it("counts Japanese characters as two columns and breaks between them", () => {
    expect(wrap("もう一度お試しください", 10)).toEqual(["もう一度お", "試しくださ", "い"]);
  });

  it("never starts a line with Japanese closing punctuation", () => {
    expect(wrap("確認してください。次へ", 16)).toEqual(["確認してくださ", "い。次へ"]);
  });

  it("returns one empty line for empty text", () => {
    expect(wrap("", 10)).toEqual([""]);
  });
});

describe("rows", () => {
  const plain = styleFor(false, {});

  it("aligns values in one column, indents continuation lines and skips empty rows", () => {
    const text = rows([["Kind", "throttled"], ["Skipped", undefined], ["Meaning", "too many requests from one client"]], 31, plain);
    expect(text).toBe(["Kind     throttled", "Meaning  too many requests from", "         one client"].join("\n"));
  });

  it("starts a new line at each newline in a value", () => {
    expect(rows([["Reference", "Code: 1\nID: 2"]], 80, plain, 12)).toBe("Reference   Code: 1\n            ID: 2");
  });
});
