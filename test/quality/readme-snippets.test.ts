// The TypeScript snippets of README.md and src/browser/README.md compile against the BUILT
// package, as a user pasting them into a strict NodeNext project would compile them. Each
// is its own module; the only names they may use without importing or declaring are the
// ones a snippet leaves to the reader (the app's `auth` options, an `account`, ...),
// declared once below. Angular and other framework snippets are not compiled here.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, assertBuilt, runBin, tempDir, type RunResult } from "./support.js";

const READMES = ["README.md", "src/browser/README.md"];

/** What a snippet may use without declaring it: the reader's own values. */
const READER_VALUES = `
declare const auth: import("@azure/msal-node").NodeAuthOptions & import("@azure/msal-browser").BrowserAuthOptions;
declare const loggerOptions: NonNullable<NonNullable<import("@azure/msal-browser").Configuration["system"]>["loggerOptions"]>;
declare const account: import("@azure/msal-browser").AccountInfo;
declare const noticeElement: HTMLElement;
declare function onRetry(): void;
declare const log: { info(entry: unknown): void };
declare const pca: import("@azure/msal-node").PublicClientApplication;
declare const scopes: string[];
declare const username: string;
declare const password: string;
declare const navigatorLanguage: string;
declare function show(title: string, body: string, action: string): void;
/** A value caught from an MSAL call. */
declare const error: unknown;
/** A guarded msal-node app, for snippets that continue the Node quickstart. */
declare const client: ReturnType<typeof import("msal-guard/node").guardClient<import("@azure/msal-node").PublicClientApplication>>;
/** A running simulator, for snippets that continue the simulator quickstart. */
declare const sim: import("msal-guard/testing").EntraSimulator;
`;

interface Snippet {
  readonly readme: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
  readonly file: string;
}

function snippets(): Snippet[] {
  return READMES.flatMap((readme) => {
    const lines = readFileSync(join(ROOT, readme), "utf8").split("\n");
    const found: Snippet[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== "```ts") continue;
      const start = i + 1;
      const end = lines.indexOf("```", start);
      const code = lines.slice(start, end).join("\n");
      i = end;
      if (/^@Component\(/m.test(code)) continue; // Angular: needs @angular/core
      found.push({ readme, line: start, code, file: `${readme.replace(/[/.]/g, "-")}-${start}.ts` });
    }
    return found;
  });
}

const all = snippets();
let dir: ReturnType<typeof tempDir>;
let tsc: RunResult;

beforeAll(async () => {
  assertBuilt();
  dir = tempDir("readme-snippets");
  writeFileSync(join(dir.path, "reader-values.d.ts"), READER_VALUES);
  // `export {}` makes every snippet a module, as a file of the user's would be.
  for (const snippet of all) writeFileSync(join(dir.path, snippet.file), `${snippet.code}\nexport {};\n`);
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022", "DOM", "DOM.Iterable"],
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules/@types")],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    },
    files: ["reader-values.d.ts", ...all.map((s) => s.file)],
  };
  writeFileSync(join(dir.path, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  tsc = await runBin("typescript", "tsc", ["-p", join(dir.path, "tsconfig.json"), "--pretty", "false"], { timeoutMs: 120_000 });
}, 120_000);

afterAll(() => dir?.dispose());

describe("README snippets compile against the built package (strict, NodeNext)", () => {
  it("finds the quickstarts", () => {
    expect(all.filter((s) => s.readme === "README.md").length).toBeGreaterThanOrEqual(5);
    expect(all.some((s) => s.readme === "src/browser/README.md")).toBe(true);
  });

  it("the compiler reports nothing outside the snippets", () => {
    const errors = tsc.stdout.split("\n").filter((line) => /error TS\d+/.test(line) && !all.some((s) => line.includes(s.file)));
    expect(errors, tsc.output).toEqual([]);
  });

  for (const snippet of all) {
    it(`${snippet.readme}, the snippet at line ${snippet.line}`, () => {
      const errors = tsc.stdout.split("\n").filter((line) => line.includes(snippet.file));
      expect(errors, snippet.code).toEqual([]);
    });
  }
});
