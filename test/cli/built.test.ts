// The published executable, end to end. `npm test` builds first; when dist/cli.js is
// missing (running vitest alone without a build) these are skipped, not failed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string; bin: Record<string, string> };
const built = existsSync(cli);

function spawn(...args: string[]) {
  // NO_COLOR and a pipe: plain text whatever the developer's terminal is.
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 15_000 });
}

describe.skipIf(!built)(built ? "dist/cli.js" : "dist/cli.js (skipped: not built; run `npm run build` first)", () => {
  it("is the package's msal-guard bin and starts with a node shebang", () => {
    expect(manifest.bin["msal-guard"]).toBe("./dist/cli.js");
    expect(readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("explains 50053 and exits 0", () => {
    const result = spawn("explain", "50053");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Kind          account_locked");
    expect(result.stdout).toContain("Your account is temporarily locked");
  });

  it("reports the version from package.json", () => {
    const result = spawn("--version");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`msal-guard ${manifest.version}\n`);
  });

  it("exits 1 for input with nothing to explain and 2 for a usage error", () => {
    expect(spawn("explain", "hello").status).toBe(1);
    expect(spawn("explain", "--bogus").status).toBe(2);
  });
});
