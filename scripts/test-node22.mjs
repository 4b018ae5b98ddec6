#!/usr/bin/env node
// `npm run test:node22`: the unit, end-to-end, quality and compatibility suites again,
// on Node 22 (the system Node runs `npm test`). Node 22 comes from the npm registry's
// `node` package, pinned in scripts/node22/package-lock.json and installed there on
// first use (`npm ci --prefix scripts/node22`): only registry downloads, and no
// node_modules/.bin/node in the project root, so every other npm script keeps the
// system Node. Needs a built dist/ (run after `npm test`, which builds).
//
// The Chromium suite is left out: it tests the browser, not the Node runtime.
// Extra arguments go to vitest: `npm run test:node22 -- test/core`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNTIME_DIR = join(ROOT, "scripts", "node22");
const NODE22 = join(RUNTIME_DIR, "node_modules", "node", "bin", process.platform === "win32" ? "node.exe" : "node");
const WANTED_MAJOR = 22;

function fail(message) {
  console.error(`test:node22: ${message}`);
  process.exit(1);
}

function versionOf(binary) {
  const result = spawnSync(binary, ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

if (!existsSync(join(ROOT, "dist", "index.js"))) fail("dist/ is missing: run `npm run build` (or `npm test`) first.");

if (versionOf(NODE22) === undefined) {
  console.log(`::: npm ci --prefix scripts/node22 (Node ${WANTED_MAJOR} from the npm registry's "node" package)`);
  const npm = process.env.npm_execpath;
  const [command, prefixArgs] = npm?.endsWith(".js") ? [process.execPath, [npm]] : [process.platform === "win32" ? "npm.cmd" : "npm", []];
  const install = spawnSync(command, [...prefixArgs, "ci", "--prefix", RUNTIME_DIR, "--no-audit", "--no-fund"], { stdio: "inherit", cwd: RUNTIME_DIR });
  if (install.status !== 0) fail(`installing Node ${WANTED_MAJOR} failed (npm exit ${install.status}).`);
}

const version = versionOf(NODE22);
if (version === undefined || !version.startsWith(`v${WANTED_MAJOR}.`)) fail(`expected Node ${WANTED_MAJOR} at ${NODE22}, found ${version ?? "nothing runnable"}.`);
console.log(`::: vitest run on node ${version} (system node ${process.version})`);

// Node 22 first on PATH, so anything a test spawns as `node` runs on it too.
// MSAL_GUARD_EXPECT_NODE: test/compat/runtime.test.ts checks the workers really run on it.
const env = { ...process.env, PATH: `${dirname(NODE22)}${delimiter}${process.env.PATH ?? ""}`, MSAL_GUARD_EXPECT_NODE: String(WANTED_MAJOR) };
const vitest = join(ROOT, "node_modules", "vitest", "vitest.mjs");
const run = spawnSync(NODE22, [vitest, "run", "--exclude", "test/chromium/**", ...process.argv.slice(2)], { stdio: "inherit", cwd: ROOT, env });
process.exit(run.status ?? 1);
