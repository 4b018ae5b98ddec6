// Shared by the quality gates: they check the BUILT package (dist/ and what `npm pack`
// ships), never src/. `npm test` builds first; run alone, they ask for a build.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Project root (package.json, dist/, the gitignored .tmp/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const requireFromRoot = createRequire(join(ROOT, "package.json"));

export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly exports: Record<string, unknown>;
  readonly bin?: Record<string, string>;
  readonly [field: string]: unknown;
}

export function packageJson(): PackageJson {
  return JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;
}

/** Every file `exports` points at (types and code, import and require). */
export function exportTargets(): string[] {
  const targets = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node === "string") targets.add(node);
    else if (typeof node === "object" && node !== null) Object.values(node).forEach(visit);
  };
  visit(packageJson().exports);
  return [...targets];
}

/** Fails with a clear message when dist/ lacks a file the exports map serves. */
export function assertBuilt(): void {
  const missing = exportTargets().filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length > 0) throw new Error(`the package is not built (missing ${missing.join(", ")}): run \`npm run build\` (npm test does)`);
}

/** A fresh directory under <root>/.tmp/ (inside the project so package resolution still finds node_modules). */
export function tempDir(prefix: string): { path: string; dispose(): void } {
  const base = join(ROOT, ".tmp");
  mkdirSync(base, { recursive: true });
  const path = mkdtempSync(join(base, `${prefix}-`));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** The JS file behind a dev dependency's CLI command, run with this very Node (no npx, no PATH lookup). */
export function binScript(pkg: string, command: string): string {
  // Not require.resolve(`${pkg}/package.json`): a package's exports may hide it (publint's do).
  const manifestPath = (requireFromRoot.resolve.paths(pkg) ?? [])
    .map((nodeModules) => join(nodeModules, pkg, "package.json"))
    .find((candidate) => existsSync(candidate));
  if (manifestPath === undefined) throw new Error(`${pkg} is not installed: npm install`);
  const { bin } = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin?: string | Record<string, string> };
  const relative = typeof bin === "string" ? bin : bin?.[command];
  if (relative === undefined) throw new Error(`${pkg} has no "${command}" command`);
  return join(dirname(manifestPath), relative);
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  /** stdout and stderr together, for failure messages. */
  readonly output: string;
}

/** Runs a command without a shell; never throws for a non-zero exit: callers show the output. */
export function run(file: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd ?? ROOT,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolvePromise({ code, stdout, output: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

/** Runs a dev dependency's CLI with the current Node. */
export function runBin(pkg: string, command: string, args: readonly string[], options?: { cwd?: string; timeoutMs?: number }): Promise<RunResult> {
  return run(process.execPath, [binScript(pkg, command), ...args], options);
}
