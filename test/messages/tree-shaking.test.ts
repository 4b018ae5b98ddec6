// Apps that show messages in one language must not ship the other four, and
// nothing may run at import time. Bundles a few entry points with esbuild and
// looks for each table's text in the output.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function bundle(entry: string, options: { ignoreSideEffectsFlag?: boolean } = {}): Promise<string> {
  const result = await build({
    // With it, esbuild trusts package.json `sideEffects: false` and drops unused modules wholesale;
    // without it, a module survives only if its top level does something.
    ignoreAnnotations: options.ignoreSideEffectsFlag ?? false,
    stdin: { contents: entry, resolveDir: root, loader: "ts" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    treeShaking: true,
    charset: "utf8",
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

/** A phrase only each table contains. */
const MARKERS = {
  en: "Your account is temporarily locked",
  de: "Ihr Konto ist vorübergehend gesperrt",
  fr: "Votre compte est temporairement verrouillé",
  es: "Su cuenta está bloqueada temporalmente",
  ja: "アカウントが一時的にロックされています",
} as const;

function tablesIn(code: string): string[] {
  return Object.entries(MARKERS)
    .filter(([, marker]) => code.includes(marker))
    .map(([tag]) => tag);
}

describe("tree-shaking", () => {
  it("a formatter built from English and German bundles only those two tables", async () => {
    const code = await bundle(`
      import { createMessageFormatter, en, de } from "./src/core/messages/index.ts";
      export const format = createMessageFormatter({ locales: [en, de] });
    `);
    expect(tablesIn(code)).toEqual(["en", "de"]);
  });

  it("messageFor bundles every built-in table", async () => {
    const code = await bundle(`export { messageFor } from "./src/core/messages/index.ts";`);
    expect(tablesIn(code)).toEqual(["en", "de", "fr", "es", "ja"]);
  });

  it("explain and classify bundle no user-facing table", async () => {
    const code = await bundle(`
      export { explain } from "./src/core/explain.ts";
      export { classify } from "./src/core/classify.ts";
    `);
    expect(tablesIn(code)).toEqual([]);
  });

  it("importing the messages module for nothing leaves nothing behind", async () => {
    expect((await bundle(`import "./src/core/messages/index.ts";`)).trim()).toBe("");
  });

  it("no messages module does work at import time, even without the sideEffects flag", async () => {
    const code = await bundle(
      `import "./src/core/messages/index.ts"; import "./src/core/explain.ts"; import "./src/cli/run.ts";`,
      { ignoreSideEffectsFlag: true },
    );
    // esbuild heads each module it keeps with a `// path` comment.
    expect(code).not.toMatch(/\/\/ src\/core\/(messages\/|explain)|\/\/ src\/cli\//);
  });
});
