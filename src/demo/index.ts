/**
 * `msal-guard demo`: plain msal-node vs msal-guard, side by side, against the bundled
 * Entra simulator on simulated time. Used by the CLI's `demo` command and its tests.
 */
export {
  runDemoScenarios,
  runGhostDaemon,
  runStorm,
  runConditionalAccess,
  DEMO_CA_POLICY_ID,
  type DemoResults,
  type DemoStep,
  type ScenarioOptions,
  type StormOptions,
  type GhostClient,
  type GhostRun,
  type GhostDaemonResult,
  type StormRun,
  type GuardedStormRun,
  type StormResult,
  type ConditionalAccessRun,
  type ConditionalAccessResult,
  type LockInterval,
} from "./scenarios.js";
export { renderDemoReport, renderDemoJson, reportSections, formatCount, type ReportOptions, type ReportRow, type ReportSection } from "./report.js";
export { loadDemoDeps, loadMsalNode, MsalNodeMissingError, MSAL_NODE_MISSING_MESSAGE, type DemoDeps, type MsalNode } from "./deps.js";
