// The demo's claims, checked against its own measurements: real msal-node against the
// simulator on simulated time, plain vs guarded. One full run serves every assertion.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { styleFor } from "../../src/cli/layout.js";
import { DEMO_CA_POLICY_ID, renderDemoJson, renderDemoReport, reportSections, runDemoScenarios, type DemoResults, type DemoStep } from "../../src/demo/index.js";
import { run } from "../cli/fake-io.js";
import { sourceDeps } from "./source-deps.js";

const RUN_TIMEOUT_MS = 120_000;
const ANSI = /\u001b\[[0-9;]*m/g;

let results: DemoResults;
const steps: DemoStep[] = [];
beforeAll(async () => {
  results = await runDemoScenarios({ deps: sourceDeps, onProgress: (step) => steps.push(step) });
}, RUN_TIMEOUT_MS);

describe("1. ghost daemon: stale passwords retried every 5 minutes for 24 hours", () => {
  it("plain msal-node sends every attempt and locks the account, again and again", () => {
    const { plain, ghosts, hours, retryEveryMinutes } = results.ghostDaemon;
    expect(plain.staleCalls).toBe(ghosts.length * ((hours * 60) / retryEveryMinutes));
    expect(plain.staleRequests).toBe(plain.staleCalls);
    expect(plain.lockouts).toBeGreaterThanOrEqual(1);
    expect(plain.lockedMs).toBeGreaterThan(0);
    expect(plain.liveSignInsRefused).toBeGreaterThan(0);
  });

  it("the guard sends each stale password once and causes no lockout", () => {
    const { guarded, ghosts } = results.ghostDaemon;
    expect(guarded.staleCalls).toBe(results.ghostDaemon.plain.staleCalls);
    expect(guarded.staleRequests).toBeLessThanOrEqual(ghosts.length);
    expect(guarded.staleAnswers).toEqual({ AADSTS50126: guarded.staleRequests });
    expect(guarded.lockouts).toBe(0);
    expect(guarded.lockIntervals).toEqual([]);
    expect(guarded.lockedMs).toBe(0);
    expect(guarded.liveSignInsRefused).toBe(0);
    expect(guarded.liveAnswers).toEqual({ token: guarded.liveSignIns });
  });

  it("lockouts in the request log and locked periods from lockout snapshots agree", () => {
    const { plain, hours } = results.ghostDaemon;
    expect(plain.lockIntervals).toHaveLength(plain.lockouts);
    const sorted = [...plain.lockIntervals].sort((a, b) => a.fromMs - b.fromMs);
    sorted.forEach((interval, i) => {
      expect(interval.untilMs).toBeGreaterThan(interval.fromMs);
      if (i > 0) expect(interval.fromMs).toBeGreaterThanOrEqual(sorted[i - 1]!.untilMs); // a lock starts only after the last one ended
    });
    expect(plain.lockedMs).toBeLessThanOrEqual(hours * 3_600_000);
    // Refused live sign-ins were answered "locked" (50053), never "wrong password".
    expect(Object.keys(plain.liveAnswers).sort()).toEqual(["AADSTS50053", "token"]);
  });
});

describe("2. retry storm: 200 workers, a locked account, 10 minutes", () => {
  it("plain msal-node sends every call", () => {
    const { plain, workers } = results.storm;
    expect(plain.calls).toBeGreaterThan(workers * 10);
    expect(plain.requests).toBe(plain.calls);
    expect(plain.tokens).toBe(0);
  });

  it("the guard sends at most one request per lockout window, for all workers", () => {
    const { guarded, plain } = results.storm;
    expect(guarded.calls).toBe(plain.calls);
    expect(guarded.requests).toBeGreaterThanOrEqual(1);
    expect(guarded.requestTimesMs).toHaveLength(guarded.requests);
    expect(guarded.requests).toBe(guarded.windows.length);
    // Each request opens a window; the next request comes no sooner than that window's end.
    guarded.requestTimesMs.forEach((at, i) => {
      const window = guarded.windows[i]!;
      expect(window.fromMs).toBe(at);
      const next = guarded.requestTimesMs[i + 1];
      if (next !== undefined) expect(next).toBeGreaterThanOrEqual(window.untilMs);
    });
    expect(guarded.answers).toEqual({ AADSTS50053: guarded.requests });
    expect(guarded.suppressed + guarded.shared + guarded.requests).toBe(guarded.calls);
  });
});

describe("3. Conditional Access block", () => {
  it("plain code following MSAL's advice opens a popup every time", () => {
    const { plain } = results.conditionalAccess;
    expect(plain.error).toMatchObject({ name: "InteractionRequiredAuthError", subError: "message_only", interactionRequired: true });
    expect(plain.popups).toBe(plain.attempts);
    expect(plain.popups).toBeGreaterThanOrEqual(5);
    expect(plain.requests).toBe(plain.attempts * 2);
    expect(plain.tokens).toBe(0);
  });

  it("guarded: ConditionalAccessBlockedError with the policy id, no interaction, one request", () => {
    const { guarded } = results.conditionalAccess;
    expect(guarded.error).toEqual({
      name: "ConditionalAccessBlockedError",
      code: "conditional_access_blocked",
      subError: undefined,
      interactionRequired: false,
      policyIds: [DEMO_CA_POLICY_ID],
    });
    expect(guarded.popups).toBe(0);
    expect(guarded.requests).toBe(1);
    expect(guarded.suppressed).toBe(guarded.attempts - 1);
  });
});

describe("the report", () => {
  it("reports progress for every run, in order", () => {
    expect(steps).toEqual([
      "ghost-daemon:plain",
      "ghost-daemon:guarded",
      "storm:plain",
      "storm:guarded",
      "conditional-access:plain",
      "conditional-access:guarded",
    ]);
  });

  it("tables the measured numbers, plain vs guarded, with what was saved", () => {
    const [ghost, storm, ca] = reportSections(results);
    expect(ghost!.rows).toEqual([
      { label: "token requests from the stale copies", plain: results.ghostDaemon.plain.staleRequests, guarded: results.ghostDaemon.guarded.staleRequests },
      { label: "lockouts caused", plain: results.ghostDaemon.plain.lockouts, guarded: 0 },
      { label: "minutes the account was locked", plain: Math.round(results.ghostDaemon.plain.lockedMs / 60_000), guarded: 0 },
      { label: "live job's sign-ins refused (of 24)", plain: results.ghostDaemon.plain.liveSignInsRefused, guarded: 0 },
    ]);
    expect(storm!.rows[0]).toEqual({ label: "token requests sent", plain: results.storm.plain.requests, guarded: results.storm.guarded.requests });
    expect(ca!.rows).toEqual([
      { label: "interactive sign-ins (popups) opened", plain: results.conditionalAccess.plain.popups, guarded: 0 },
      { label: "token requests sent", plain: results.conditionalAccess.plain.requests, guarded: 1 },
    ]);
  });

  it("renders the same layout with or without colour; colour only on a terminal without NO_COLOR", () => {
    const plain = renderDemoReport(results, { style: styleFor(false, {}), columns: 80 });
    const coloured = renderDemoReport(results, { style: styleFor(true, {}), columns: 80 });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(ANSI, "")).toBe(plain);
    expect(renderDemoReport(results, { style: styleFor(true, { NO_COLOR: "1" }), columns: 80 })).toBe(plain);
    expect(plain).not.toMatch(ANSI);
    expect(Math.max(...plain.split("\n").map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it("fits a 40-column terminal (the CLI's narrowest): tables become one row per measure, every number kept", () => {
    const narrow = renderDemoReport(results, { style: styleFor(true, {}), columns: 40 }).replace(ANSI, "");
    const tooWide = narrow.split("\n").filter((line) => line.length > 40);
    expect(tooWide).toEqual([]);
    const flowing = narrow.replace(/\s+/g, " ");
    for (const section of reportSections(results)) {
      for (const row of section.rows) {
        expect(flowing).toContain(row.label);
        expect(flowing).toContain(`plain ${row.plain.toLocaleString("en-US")}, guarded ${row.guarded.toLocaleString("en-US")}, saved ${(row.plain - row.guarded).toLocaleString("en-US")}`);
      }
    }
  });

  it("has a stable structure (numbers masked)", () => {
    const masked = renderDemoReport(results, { columns: 80 })
      // Standalone numbers only: host names, codes and the policy id stay readable.
      .replace(/(?<![\w-])\d[\d,]*(?![\w-])/g, (n) => "#".repeat(n.length))
      .replace(/ +$/gm, "");
    expect(masked).toMatchInlineSnapshot(`
      "msal-guard demo
      Real @azure/msal-node against the bundled Entra simulator, on simulated time.
      Each run starts a fresh simulated tenant.

      #. Ghost daemon: stale passwords retried every # minutes for ## hours
         Four forgotten copies of a job (app-01, app-02, app-03, report-vm) each
         hold a different old password of the account (Entra ignores repeats of its
         last # wrong ones, so one copy alone never locks it); the live job, with
         the new password, signs in hourly.

                                                 plain msal-node  msal-guard   saved
         token requests from the stale copies              #####           #   #####
         lockouts caused                                      ##           #      ##
         minutes the account was locked                    #####           #   #####
         live job's sign-ins refused (of ##)                  ##           #      ##

         msal-guard sends each stale password once (# requests for ##### calls) and
         never again until it changes; the account stays usable.

      #. Retry storm: ### workers, one locked account, ## minutes
         The account is in its 6th lockout in a row (## minutes: Entra lengthens
         repeated lockouts). Each worker asks for a token every ##–## s: ######
         calls in both runs.

                                                 plain msal-node  msal-guard   saved
         token requests sent                              ######           #  ######
         answered "loop detected" (AADSTS50196)           ######           #  ######

         msal-guard: one request per lockout window (# min, # min, # min, # min),
         shared by all ### workers; the other ###### calls got AccountLockedError
         (with its retryAt) without a request of their own.

      #. Conditional Access block (AADSTS53003): a sync every minute for ## minutes
         An admin's Conditional Access policy blocks the app for its user. The app
         refreshes her token once a minute and does what the error says about
         interaction.

                                                 plain msal-node  msal-guard   saved
         interactive sign-ins (popups) opened                 ##           #      ##
         token requests sent                                  ##           #      ##

         plain: InteractionRequiredAuthError (invalid_grant, message_only): MSAL
         says interaction is required, so the code opens a popup, and the sign-in is
         blocked again.
         msal-guard: ConditionalAccessBlockedError, interactionRequired: false,
         policy 7c0d2f4e-1b3a-4e5f-9a8b-53003b10c4ed: alert an admin; no popup, and
         no request again for an hour.

      Every number is read from the simulator's request log and lockout state. Run
      with --json for the details.
      "
    `);
  });

  it("--json carries every measurement", () => {
    const parsed = JSON.parse(renderDemoJson(results)) as Record<string, unknown>;
    expect(parsed).toMatchObject({ demo: "msal-guard", simulated: true });
    expect(parsed).toEqual(JSON.parse(JSON.stringify({ demo: "msal-guard", simulated: true, ...results })));
  });
});

// The CLI loads the simulator at run time from the package's own build (msal-guard/testing).
const built = existsSync(fileURLToPath(new URL("../../dist/testing.js", import.meta.url)));

describe.skipIf(!built)(built ? "msal-guard demo (the CLI)" : "msal-guard demo (the CLI; skipped: run `npm run build` first)", () => {
  it(
    "exits 0 and prints the same numbers on a second run (deterministic)",
    async () => {
      const cli = await run(["demo"]);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toBe(renderDemoReport(results, { style: styleFor(false, {}), columns: 80 }));
      // Only progress lines, if any, on stderr.
      expect(cli.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("msal-guard demo: "))).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );
});
