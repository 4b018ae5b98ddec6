// The built typings against each supported MSAL major. dist/node.d.ts and dist/browser.d.ts
// import their MSAL types from `@azure/msal-node` / `@azure/msal-browser`, i.e. from whatever
// major the user's project installed. Two small apps (test/compat/consumers/) are compiled
// against the BUILT package (NodeNext, package self-reference) twice: with the MSAL
// specifiers mapped to the oldest supported majors (msal-node 3.x, msal-browser 4.x, the
// npm aliases), and with the current majors. skipLibCheck is off, so dist/*.d.ts are
// checked against each major's own declarations too.
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, assertBuilt, requireFromRoot, runBin, tempDir, type RunResult } from "../quality/support.js";

const CONSUMERS = ["node-app.ts", "browser-app.ts"].map((file) => join(ROOT, "test/compat/consumers", file));

interface Setup {
  readonly name: string;
  /** `paths` entries: which declaration file each MSAL specifier resolves to (none: the installed current major). */
  readonly paths: Record<string, string[]>;
  /** Where dist/node.d.ts's and dist/browser.d.ts's MSAL imports must land. */
  readonly expected: { readonly node: RegExp; readonly browser: RegExp };
}

const SETUPS: readonly Setup[] = [
  {
    name: "msal-node 3.x + msal-browser 4.x (oldest supported majors)",
    paths: {
      "@azure/msal-node": [join(ROOT, "node_modules/msal-node-3/dist/index.d.ts")],
      "@azure/msal-browser": [join(ROOT, "node_modules/msal-browser-4/dist/index.d.ts")],
    },
    expected: { node: /^node_modules\/msal-node-3\//, browser: /^node_modules\/msal-browser-4\// },
  },
  {
    name: "current majors (@azure/msal-node, @azure/msal-browser as installed)",
    paths: {},
    expected: { node: /^node_modules\/@azure\/msal-node\//, browser: /^node_modules\/@azure\/msal-browser\// },
  },
];

let dir: ReturnType<typeof tempDir>;
const results = new Map<string, RunResult>();

beforeAll(async () => {
  assertBuilt();
  dir = tempDir("compat-types");
  await Promise.all(
    SETUPS.map(async (setup, index) => {
      const tsconfig = join(dir.path, `tsconfig.${index}.json`);
      writeFileSync(
        tsconfig,
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            lib: ["ES2022", "DOM", "DOM.Iterable"],
            types: ["node"],
            typeRoots: [join(ROOT, "node_modules/@types")],
            strict: true,
            skipLibCheck: false,
            noEmit: true,
            paths: setup.paths,
          },
          files: CONSUMERS,
        }),
      );
      results.set(setup.name, await runBin("typescript", "tsc", ["-p", tsconfig, "--pretty", "false", "--explainFiles"], { timeoutMs: 120_000 }));
    }),
  );
}, 120_000);

afterAll(() => dir?.dispose());

/** The file an `Imported via "<specifier>" from file '<from>'` line of --explainFiles belongs to. */
function resolvedFrom(output: string, specifier: string, from: string): string[] {
  const files: string[] = [];
  let current = "";
  for (const line of output.split("\n")) {
    if (line.length > 0 && !line.startsWith(" ")) current = relative(ROOT, join(ROOT, line.trim())).replaceAll("\\", "/");
    if (line.includes(`Imported via '${specifier}' from file '${from}'`) || line.includes(`Imported via "${specifier}" from file '${from}'`)) files.push(current);
  }
  return files;
}

it("the oldest supported majors are installed side by side (npm aliases)", () => {
  expect((requireFromRoot("msal-node-3/package.json") as { version: string }).version).toMatch(/^3\./);
  expect((requireFromRoot("msal-browser-4/package.json") as { version: string }).version).toMatch(/^4\./);
});

describe.each(SETUPS)("$name", ({ name, expected }) => {
  it("dist's own MSAL imports resolve to this major", () => {
    const output = results.get(name)?.stdout ?? "";
    expect(resolvedFrom(output, "@azure/msal-node", "dist/node.d.ts")).toEqual([expect.stringMatching(expected.node)]);
    expect(resolvedFrom(output, "@azure/msal-browser", "dist/browser.d.ts")).toEqual([expect.stringMatching(expected.browser)]);
  });

  it("a Node app and a browser app compile with no error, dist/*.d.ts included", () => {
    const result = results.get(name);
    expect(result?.code, result?.output).toBe(0);
  });
});
