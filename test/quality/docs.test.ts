// The API reference: `npm run docs` (TypeDoc, typedoc.json) must document every export of
// every entry point. TypeDoc's validation (notDocumented, notExported, invalidLink) runs as
// errors, so an export without a doc comment fails here with TypeDoc's own report. Nothing
// is written (--emit none).
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, packageJson, runBin, type RunResult } from "./support.js";

interface TypedocConfig {
  readonly entryPoints: readonly string[];
  readonly out: string;
  readonly treatValidationWarningsAsErrors?: boolean;
  readonly validation?: Record<string, boolean>;
}

const config = JSON.parse(readFileSync(join(ROOT, "typedoc.json"), "utf8")) as TypedocConfig;

/** The source entry of an exports subpath: `.` is src/index.ts, `./node` is src/node/index.ts. */
const sourceEntryOf = (subpath: string) => (subpath === "." ? "src/index.ts" : `src/${subpath.slice(2)}/index.ts`);

describe("API reference (TypeDoc)", () => {
  let typedoc: RunResult;
  beforeAll(async () => {
    typedoc = await runBin("typedoc", "typedoc", ["--emit", "none", "--logLevel", "Warn"], { timeoutMs: 60_000 });
  }, 60_000);

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

  it("finds every export documented (typedoc --emit none)", () => {
    expect(typedoc.code, typedoc.output).toBe(0);
    expect(typedoc.output).not.toMatch(/\[warning\]|\[error\]/);
  });
});
