// The Node examples run as a user runs them (`npx tsx examples/...`, against the built
// package) and tell the story their READMEs tell: what was sent, what was suppressed, and
// that no log line carries the account's name, password or the app's secret.
import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, binScript, run } from "./support.js";

beforeAll(() => assertBuilt());

const runExample = (file: string, args: readonly string[] = []) => run(process.execPath, [binScript("tsx", "tsx"), file, ...args], { timeoutMs: 60_000 });

/** The JSON log lines an example printed. */
function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("the Node examples run and do what their READMEs say", () => {
  it("daemon/client-credentials-daemon.ts: one 503 retried, then a Conditional Access block stops it; the secret is never logged", async () => {
    const { code, stdout, output } = await runExample("examples/daemon/client-credentials-daemon.ts");
    expect(code, output).toBe(0);
    const lines = logLines(stdout);
    expect(lines.filter((l) => l.msg === "retrying a transient failure")).toHaveLength(1);
    expect(lines).toContainEqual(expect.objectContaining({ level: "alert", policyIds: ["d3c2b1a0-5f4e-4d3c-8b2a-0c9d8e7f6a51"], codes: [53003] }));
    expect(lines.at(-1)).toMatchObject({ msg: "daemon stopped", tokenRequestsSent: 7, guard: { calls: 6, sent: 7, retries: 1, suppressed: 0 } });
    expect(stdout).not.toContain("daemon-secret-from-your-vault");
  });

  it("daemon/service-account-job.ts: a stale password sent once, one probe after the lockout, no lockout caused; no user name or password logged", async () => {
    const { code, stdout, output } = await runExample("examples/daemon/service-account-job.ts");
    expect(code, output).toBe(0);
    const lines = logLines(stdout);
    expect(lines.at(-1)).toMatchObject({ msg: "job scheduler stopped", tokenRequests: 19, lockoutsStarted: 0, guard: { calls: 23, sent: 19, suppressed: 4, probes: 1 } });
    expect(lines.filter((l) => l.kind === "invalid_credentials" && l.msg === "token request failed")).toHaveLength(1);
    for (const secret of ["svc-reports", "Report-Job-Password"]) expect(stdout).not.toContain(secret);
  });

  it.each([
    ["en", "Your account is temporarily locked"],
    ["de", "Ihr Konto ist vorübergehend gesperrt"],
    ["ja", "アカウントが一時的にロックされています"],
  ])("simulator-lockout/main.ts %s: ten wrong passwords, then 50053 explained in that language, then signed in after the lock", async (locale, heading) => {
    const { code, stdout, output } = await runExample("examples/simulator-lockout/main.ts", [locale]);
    expect(code, output).toBe(0);
    expect(stdout).toContain(heading);
    expect(stdout).toContain("account_locked [50053]");
    expect(stdout).toMatch(/after 61 s: +signed in/);
    expect(stdout).toContain("token requests sent: 13");
  });
});
