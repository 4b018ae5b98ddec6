// The package as npm would publish it: `npm pack` of the built tree, then the two
// linters the ecosystem uses on exactly that tarball. publint (--strict: warnings fail
// too) checks package.json against the files shipped; "Are the types wrong?" resolves
// every export the way TypeScript does under node10, node16 (from CJS and from ESM) and
// bundler resolution and fails on any entry whose types are missing or lie about the
// module format. A failure prints the tool's own report.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, assertBuilt, exportTargets, packageJson, run, runBin, tempDir } from "./support.js";

interface PackResult {
  readonly filename: string;
  readonly files: readonly { path: string; mode: number }[];
}

let dir: ReturnType<typeof tempDir>;
let tarball: string;
let packed: PackResult;

beforeAll(async () => {
  assertBuilt();
  dir = tempDir("pack");
  // The npm that runs `npm test` (npm_execpath), else the one on PATH.
  const npm = process.env.npm_execpath;
  const [file, args] = npm?.endsWith(".js") ? [process.execPath, [npm]] : ["npm", []];
  const result = await run(file, [...args, "pack", "--json", "--ignore-scripts", "--pack-destination", dir.path]);
  if (result.code !== 0) throw new Error(`npm pack failed:\n${result.output}`);
  const [first] = JSON.parse(result.stdout) as PackResult[];
  if (first === undefined) throw new Error(`npm pack printed no result:\n${result.output}`);
  packed = first;
  tarball = join(dir.path, first.filename);
}, 60_000);

afterAll(() => dir?.dispose());

describe("the packed tarball", () => {
  it("holds dist/, README and package.json, and nothing from src/, test/ or examples/", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain("package.json");
    expect(paths).toContain("README.md");
    expect(paths.filter((p) => !/^(dist\/|README\.md$|package\.json$|LICENSE)/.test(p))).toEqual([]);
  });

  it("holds every file the exports map points at", () => {
    const paths = new Set(packed.files.map((f) => f.path));
    const targets = exportTargets().map((target) => target.replace(/^\.\//, ""));
    expect(targets.filter((target) => !paths.has(target))).toEqual([]);
  });

  it("has CommonJS declarations (.d.cts) beside ESM ones (.d.ts) for every entry", () => {
    for (const [subpath, conditions] of Object.entries(packageJson().exports)) {
      if (typeof conditions === "string") continue; // ./package.json
      expect(conditions, subpath).toMatchObject({
        import: { types: expect.stringMatching(/\.d\.ts$/), default: expect.stringMatching(/\.js$/) },
        require: { types: expect.stringMatching(/\.d\.cts$/), default: expect.stringMatching(/\.cjs$/) },
      });
    }
  });

  it("ships the CLI as an ESM file with a shebang", () => {
    const bin = packageJson().bin ?? {};
    expect(Object.keys(bin)).toEqual(["msal-guard"]);
    const target = (bin["msal-guard"] as string).replace(/^\.\//, "");
    expect(packed.files.map((f) => f.path)).toContain(target);
    expect(readFileSync(join(ROOT, target), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(packageJson().type).toBe("module");
  });
});

describe("linters on the tarball", () => {
  it("publint --strict finds nothing", async () => {
    const result = await runBin("publint", "publint", ["--strict", tarball]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/All good!/);
  });

  it("Are the types wrong? (attw) finds no problem under node10, node16 (CJS and ESM) or bundler", async () => {
    const result = await runBin("@arethetypeswrong/cli", "attw", [tarball, "--format", "ascii"]);
    expect(result.code, result.output).toBe(0);
    // Every code entry was checked (a new export path shows up here, typesVersions included).
    for (const subpath of Object.keys(packageJson().exports)) {
      expect(result.output).toContain(`"${subpath === "." ? "msal-guard" : `msal-guard/${subpath.slice(2)}`}"`);
    }
  });
});
