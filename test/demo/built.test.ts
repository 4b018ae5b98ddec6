// `npm run demo` runs the bundled CLI: it loads @azure/msal-node (an optional peer
// dependency) and the simulator (msal-guard/testing) at run time rather than bundling
// them, and must work from dist/. Skipped when dist/cli.js is not built.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { DemoResults } from "../../src/demo/index.js";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const built = existsSync(cli);

function runBuilt(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(!built)(built ? "dist/cli.js demo" : "dist/cli.js demo (skipped: not built; run `npm run build` first)", () => {
  it("loads @azure/msal-node and the simulator at run time instead of bundling them", () => {
    const source = readFileSync(cli, "utf8");
    expect(source).toContain('"@azure/msal-node"');
    expect(source).toContain('"msal-guard/testing"');
    expect(source).not.toMatch(/class PublicClientApplication\b/);
    expect(source).not.toMatch(/function startEntraSimulator\b/);
  });

  it(
    "runs the demo and prints JSON in which the guard always sends less",
    async () => {
      const result = await runBuilt("demo", "--json");
      expect(result.status).toBe(0);
      const { ghostDaemon, storm, conditionalAccess } = JSON.parse(result.stdout) as DemoResults;
      expect(ghostDaemon.guarded.staleRequests).toBeLessThan(ghostDaemon.plain.staleRequests);
      expect(ghostDaemon.guarded.lockouts).toBe(0);
      expect(storm.guarded.requests).toBeLessThan(storm.plain.requests);
      expect(conditionalAccess.guarded).toMatchObject({ popups: 0, requests: 1 });
    },
    120_000,
  );
});
