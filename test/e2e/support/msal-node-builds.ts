// The msal-node builds an application can end up running: the package's CJS and ESM
// entries, a minified bundle of it (what an app bundler ships), and the older major
// that @azure/identity nests. All are real MSAL code; nothing here imitates an error.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { join } from "node:path";
import { build } from "esbuild";
import { PROJECT_ROOT } from "./paths.js";

/** The msal-node API surface the tests use (the typings of the installed 7.x). */
export type MsalNode = typeof import("@azure/msal-node");

const requireFromProject = createRequire(join(PROJECT_ROOT, "package.json"));

/** msal-node's CommonJS entry, as `require("@azure/msal-node")` loads it. */
export function loadMsalNodeCjs(): MsalNode {
  return requireFromProject("@azure/msal-node") as MsalNode;
}

/** Resolves as @azure/identity does, so it finds the msal-node identity nests. */
function requireFromIdentity(): NodeJS.Require {
  return createRequire(requireFromProject.resolve("@azure/identity"));
}

/** The msal-node major nested under @azure/identity (loaded exactly as identity loads it, CJS). */
export function loadNestedMsalNode(): { msal: MsalNode; version: string; path: string } {
  const req = requireFromIdentity();
  const path = req.resolve("@azure/msal-node");
  const { version } = req("@azure/msal-node/package.json") as { version: string };
  return { msal: req("@azure/msal-node") as MsalNode, version, path };
}

export interface MinifiedBuild {
  readonly msal: MsalNode;
  /** The bundle file. */
  readonly file: string;
  /** Removes the temporary directory. */
  dispose(): void;
}

/**
 * Bundles and minifies msal-node (with msal-common inside) into one CJS file under
 * `<project>/.tmp/`, as an application bundler would, and loads it.
 */
export async function buildMinifiedMsalNode(): Promise<MinifiedBuild> {
  const tmpRoot = join(PROJECT_ROOT, ".tmp");
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(join(tmpRoot, "msal-node-min-"));
  const file = join(dir, "msal-node.min.cjs");
  const result = await build({
    entryPoints: [requireFromProject.resolve("@azure/msal-node")],
    bundle: true,
    minify: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: file,
    logLevel: "silent",
  });
  if (result.errors.length > 0) throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join("; ")}`);
  // Everything MSAL needs must be inside the bundle: it may only require Node built-ins.
  const source = readFileSync(file, "utf8");
  const required = [...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] as string);
  const foreign = required.filter((name) => !name.startsWith("node:") && !builtinModules.includes(name));
  if (foreign.length > 0) throw new Error(`minified bundle still requires packages: ${foreign.join(", ")}`);
  const msal = createRequire(file)(file) as MsalNode;
  return { msal, file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
