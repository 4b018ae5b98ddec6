// The `demo` command's edges, without running the scenarios: help, usage, a missing
// msal-node, and when progress lines appear.
import { describe, expect, it } from "vitest";
import { createDemoCommand } from "../../src/cli/commands/demo.js";
import type { CommandContext } from "../../src/cli/commands/index.js";
import { styleFor } from "../../src/cli/layout.js";
import { MsalNodeMissingError } from "../../src/demo/deps.js";
import { createProgress } from "../../src/demo/progress.js";
import { run } from "../cli/fake-io.js";

describe("msal-guard demo: usage", () => {
  it("is listed in the top-level help", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}demo {2,}Plain msal-node vs msal-guard/m);
  });

  it("explains itself with --help", async () => {
    const { code, stdout } = await run(["demo", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: msal-guard demo [options]");
    expect(stdout).toContain("--json");
    expect(stdout).toContain("npm install @azure/msal-node");
  });

  it("takes no input", async () => {
    const { code, stderr } = await run(["demo", "50053"]);
    expect(code).toBe(2);
    expect(stderr).toContain("msal-guard demo: unexpected argument '50053': demo takes no input");
  });

  it("rejects unknown options", async () => {
    const { code, stderr } = await run(["demo", "--fast"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option --fast");
  });
});

describe("msal-guard demo without @azure/msal-node", () => {
  it("says how to install it and exits 1", async () => {
    const command = createDemoCommand({
      loadDeps: () => Promise.reject(new MsalNodeMissingError(Object.assign(new Error("Cannot find package '@azure/msal-node'"), { code: "ERR_MODULE_NOT_FOUND" }))),
    });
    let stdout = "";
    let stderr = "";
    const context: CommandContext = {
      io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, stdin: [], env: {}, isTTY: false },
      style: styleFor(false, {}),
      columns: 80,
      usageError: () => 2,
    };
    const code = await command.run({ positionals: [], flags: new Map() }, context);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("msal-guard demo: @azure/msal-node is not installed: npm install @azure/msal-node to run the demo.\n");
  });
});

describe("progress lines", () => {
  function recorder(delayMs: number) {
    let now = 0;
    const lines: string[] = [];
    const progress = createProgress({ write: (text) => lines.push(text), delayMs, now: () => now });
    return { progress, lines, advance: (ms: number) => (now += ms) };
  }

  it("stay quiet when the run is quick", () => {
    const { progress, lines, advance } = recorder(1_000);
    progress.step("ghost-daemon:plain");
    advance(400);
    progress.step("storm:plain");
    progress.done();
    expect(lines).toEqual([]);
  });

  it("start once the run has taken longer than the delay, one line per step", () => {
    const { progress, lines, advance } = recorder(1_000);
    progress.step("ghost-daemon:plain");
    advance(1_200);
    progress.step("storm:plain");
    progress.step("storm:guarded");
    progress.done();
    progress.step("conditional-access:plain");
    expect(lines).toEqual([
      "msal-guard demo: 2/3 retry storm, plain msal-node (200 workers, 10 simulated minutes)…\n",
      "msal-guard demo: 2/3 retry storm, with msal-guard…\n",
    ]);
  });

  it("show a long-running step when the delay passes", async () => {
    const { progress, lines } = recorder(5);
    progress.step("ghost-daemon:plain");
    await new Promise((resolve) => setTimeout(resolve, 30));
    progress.done();
    expect(lines).toEqual(["msal-guard demo: 1/3 ghost daemon, plain msal-node (24 simulated hours)…\n"]);
  });
});
