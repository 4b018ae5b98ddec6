// The API reference: `npm run docs` (TypeDoc, typedoc.json) must document every export of
// every entry point. TypeDoc's validation (notDocumented, notExported, invalidLink) runs as
// errors, so an export without a doc comment fails here with TypeDoc's own report. The
// pages and the JSON model go to a temporary directory, removed after reading the JSON.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, packageJson, runBin, tempDir, type RunResult } from "./support.js";

interface TypedocConfig {
  readonly entryPoints: readonly string[];
  readonly out: string;
  readonly treatValidationWarningsAsErrors?: boolean;
  readonly validation?: Record<string, boolean>;
}

const config = JSON.parse(readFileSync(join(ROOT, "typedoc.json"), "utf8")) as TypedocConfig;

/** The source entry of an exports subpath: `.` is src/index.ts, `./node` is src/node/index.ts. */
const sourceEntryOf = (subpath: string) => (subpath === "." ? "src/index.ts" : `src/${subpath.slice(2)}/index.ts`);

/** A node of TypeDoc's JSON output, as far as these checks read it. */
interface Reflection {
  readonly name: string;
  readonly comment?: { readonly blockTags?: readonly { readonly tag: string }[] };
  readonly children?: readonly Reflection[];
  readonly signatures?: readonly Reflection[];
}

/** Functions and methods whose own doc comment has a `@default` tag, as `parent.name`. */
function signaturesWithDefault(node: Reflection, parent = ""): string[] {
  const path = parent === "" ? node.name : `${parent}.${node.name}`;
  const own = (node.signatures ?? []).filter((s) => s.comment?.blockTags?.some((b) => b.tag === "@default")).map(() => path);
  return [...own, ...(node.children ?? []).flatMap((child) => signaturesWithDefault(child, path))];
}

describe("API reference (TypeDoc)", () => {
  let typedoc: RunResult;
  let reflections: Reflection;
  beforeAll(async () => {
    const dir = tempDir("typedoc");
    try {
      const json = join(dir.path, "api.json");
      typedoc = await runBin("typedoc", "typedoc", ["--out", join(dir.path, "html"), "--json", json, "--logLevel", "Warn"], { timeoutMs: 120_000 });
      reflections = existsSync(json) ? (JSON.parse(readFileSync(json, "utf8")) as Reflection) : { name: "(typedoc wrote no JSON)" };
    } finally {
      dir.dispose();
    }
  }, 120_000);

  it("covers every entry point the package exports", () => {
    const expected = Object.keys(packageJson().exports)
      .filter((subpath) => !subpath.endsWith(".json"))
      .map(sourceEntryOf);
    for (const entry of expected) expect(existsSync(join(ROOT, entry)), entry).toBe(true);
    expect([...config.entryPoints].sort()).toEqual(expected.sort());
  });

  it("treats a missing doc comment, an unexported type in the API or a broken {@link} as an error", () => {
    expect(config.treatValidationWarningsAsErrors).toBe(true);
    expect(config.validation).toMatchObject({ notDocumented: true, notExported: true, invalidLink: true });
  });

  it("finds every export documented", () => {
    expect(typedoc.code, typedoc.output).toBe(0);
    expect(typedoc.output).not.toMatch(/\[warning\]|\[error\]/);
  });

  it("puts a parameter's default in its @param text: a @default there becomes the whole function's 'Default Value'", () => {
    expect(reflections.children?.length ?? 0).toBeGreaterThan(0);
    expect(signaturesWithDefault(reflections)).toEqual([]);
  });
});
