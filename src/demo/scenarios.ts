/**
 * The demo's scenarios: real `@azure/msal-node` against the bundled Entra simulator on
 * simulated time, once as plain msal-node and once wrapped with `guardClient`, each run
 * in a fresh simulated tenant. They return numbers only (no printing); every number is
 * read from the simulator's request log and lockout state, never computed from a formula.
 */
import type { AccountInfo, PublicClientApplication } from "@azure/msal-node";
import { ConditionalAccessBlockedError, isMsalGuardError } from "../core/errors.js";
import type { GuardEvent } from "../core/guard/engine.js";
import { guardClient } from "../node/guard-client.js";
import { createGuardClock, seededRandom, type ManualClock } from "../testing/clock.js";
import type { RequestLogEntry } from "../testing/request-log.js";
import type { EntraSimulator, EntraSimulatorOptions } from "../testing/simulator.js";
import { loadDemoDeps, type DemoDeps } from "./deps.js";
import { createLoopbackNetwork, type LoopbackNetwork } from "./network.js";
import { Timeline } from "./timeline.js";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Simulated time starts at 2026-01-01T00:00:00Z in every tenant, so runs are reproducible. */
const START_MS = 1_767_225_600_000;
const SERVICE_ACCOUNT = "svc-billing@contoso.test";
const CURRENT_PASSWORD = "Winter-2026!rotated";
const JOB_APP = "0b1ee7a1-5e57-4c1a-9d6e-000000000001";
const SCOPES = ["https://graph.microsoft.com/User.Read"];
/** A fixed id, so the output names the same policy on every run. */
export const DEMO_CA_POLICY_ID = "7c0d2f4e-1b3a-4e5f-9a8b-53003b10c4ed";

/** Step names passed to `onProgress`. */
export type DemoStep =
  | "ghost-daemon:plain"
  | "ghost-daemon:guarded"
  | "storm:plain"
  | "storm:guarded"
  | "conditional-access:plain"
  | "conditional-access:guarded";

export interface ScenarioOptions {
  /** msal-node, the simulator and node:http. @default loaded at run time ({@link loadDemoDeps}) */
  readonly deps?: DemoDeps;
  /** Called as each run starts (for progress lines). */
  readonly onProgress?: (step: DemoStep) => void;
}

/** Shared plumbing of one simulated tenant. */
interface Tenant {
  readonly sim: EntraSimulator;
  readonly clock: ManualClock;
  readonly network: LoopbackNetwork;
  /** A fresh msal-node public client app, running on `sourceAddress`. */
  app(sourceAddress?: string): PublicClientApplication;
  close(): Promise<void>;
}

async function startTenant(deps: DemoDeps, options: EntraSimulatorOptions): Promise<Tenant> {
  const { msal, testing } = deps;
  const clock = testing.createManualClock(START_MS);
  const sim = await testing.startEntraSimulator({ clock, clients: [{ clientId: JOB_APP, type: "public" }], ...options });
  const network = createLoopbackNetwork(deps.http, sim.url);
  return {
    sim,
    clock,
    network,
    app: (sourceAddress) =>
      new msal.PublicClientApplication({
        auth: sim.msalNodeAuth(JOB_APP),
        system: {
          networkClient: network.client(sourceAddress),
          loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} },
        },
      }),
    async close() {
      network.close();
      await sim.close();
    },
  };
}

const tokenRequests = (sim: EntraSimulator, keep: (entry: RequestLogEntry) => boolean = () => true) =>
  sim.requests.filter((entry) => entry.endpoint === "token" && keep(entry));

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const answerOf = (entry: RequestLogEntry) => (entry.status === 200 ? "token" : entry.codes.length > 0 ? `AADSTS${entry.codes[entry.codes.length - 1]}` : `HTTP ${entry.status ?? "dropped"}`);

// ---------------------------------------------------------------- 1. ghost daemon

/** A forgotten copy of the job, still configured with an old password. */
export interface GhostClient {
  readonly host: string;
  readonly address: string;
  /** Which rotation its password is from (for the story; the password itself is never reported). */
  readonly passwordFrom: string;
  /** First attempt, ms after midnight. */
  readonly offsetMs: number;
}

const GHOSTS: readonly (GhostClient & { readonly password: string })[] = [
  { host: "app-01", address: "10.20.0.11", passwordFrom: "autumn 2025", password: "Autumn-2025!rotated", offsetMs: 0 },
  { host: "app-02", address: "10.20.0.12", passwordFrom: "summer 2025", password: "Summer-2025!rotated", offsetMs: 75 * SECOND },
  { host: "app-03", address: "10.20.0.13", passwordFrom: "spring 2025", password: "Spring-2025!rotated", offsetMs: 150 * SECOND },
  { host: "report-vm", address: "10.20.0.14", passwordFrom: "winter 2025", password: "Winter-2025!rotated", offsetMs: 225 * SECOND },
];
const LIVE_JOB_ADDRESS = "10.20.0.20";

export interface LockInterval {
  /** ms after the scenario started. */
  readonly fromMs: number;
  readonly untilMs: number;
}

export interface GhostRun {
  /** Token calls the stale copies made. */
  readonly staleCalls: number;
  /** Of those, requests that reached the token endpoint (simulator log). */
  readonly staleRequests: number;
  /** Lockouts started (log entries with reason `bad_password_lockout_started`). */
  readonly lockouts: number;
  /** Locked periods, from the simulator's lockout state after every instant. */
  readonly lockIntervals: readonly LockInterval[];
  /** Total locked time within the 24 hours, ms. */
  readonly lockedMs: number;
  readonly liveSignIns: number;
  /** The up-to-date job's sign-ins Entra refused (it had the right password). */
  readonly liveSignInsRefused: number;
  /** What the simulator answered the stale copies, e.g. `{ AADSTS50126: 4 }`. */
  readonly staleAnswers: Readonly<Record<string, number>>;
  readonly liveAnswers: Readonly<Record<string, number>>;
}

export interface GhostDaemonResult {
  readonly scenario: "ghost-daemon";
  readonly hours: number;
  readonly retryEveryMinutes: number;
  readonly ghosts: readonly GhostClient[];
  readonly liveSignInEveryMinutes: number;
  /** Smart lockout as simulated: 10 counted failures, 60 s doubling to 30 min, repeats of the last 3 bad passwords not counted. */
  readonly lockoutThreshold: number;
  readonly plain: GhostRun;
  readonly guarded: GhostRun;
}

async function ghostRun(deps: DemoDeps, guarded: boolean, hours: number): Promise<GhostRun> {
  const tenant = await startTenant(deps, {
    users: [{ username: SERVICE_ACCOUNT, password: CURRENT_PASSWORD, familiarAddresses: [...GHOSTS.map((g) => g.address), LIVE_JOB_ADDRESS] }],
  });
  const { sim, clock } = tenant;
  try {
    const end = hours * HOUR;
    const timeline = new Timeline(clock);
    let staleCalls = 0;
    GHOSTS.forEach((ghost, index) => {
      const app = tenant.app(ghost.address);
      // Each copy runs on its own host: its own process, its own guard.
      const client = guarded ? guardClient(app, { clock: createGuardClock(clock, 1000 + index) }) : app;
      for (let at = ghost.offsetMs; at < end; at += 5 * MINUTE) {
        timeline.at(at, async () => {
          staleCalls++;
          await client.acquireTokenByUsernamePassword({ scopes: SCOPES, username: SERVICE_ACCOUNT, password: ghost.password }).catch(() => undefined);
        });
      }
    });
    // The up-to-date job: the right password, once an hour (plain msal-node in both runs).
    const live = tenant.app(LIVE_JOB_ADDRESS);
    for (let at = 30 * MINUTE + 20 * SECOND; at < end; at += HOUR) {
      timeline.at(at, async () => {
        await live.acquireTokenByUsernamePassword({ scopes: SCOPES, username: SERVICE_ACCOUNT, password: CURRENT_PASSWORD }).catch(() => undefined);
      });
    }

    // A lock can only start with a request, so a snapshot after every instant sees each one begin.
    const intervals: LockInterval[] = [];
    let lastLockedUntil: number | undefined;
    await timeline.run(end, () => {
      const state = sim.lockoutState(SERVICE_ACCOUNT);
      if (state.lockedUntilMs !== undefined && state.lockedUntilMs !== lastLockedUntil && state.locked) {
        intervals.push({ fromMs: clock.now() - START_MS, untilMs: state.lockedUntilMs - START_MS });
      }
      lastLockedUntil = state.lockedUntilMs;
    });

    const ghostAddresses = new Set(GHOSTS.map((g) => g.address));
    const stale = tokenRequests(sim, (e) => ghostAddresses.has(e.sourceAddress));
    const liveRequests = tokenRequests(sim, (e) => e.sourceAddress === LIVE_JOB_ADDRESS);
    return {
      staleCalls,
      staleRequests: stale.length,
      lockouts: tokenRequests(sim, (e) => e.reason === "bad_password_lockout_started").length,
      lockIntervals: intervals,
      lockedMs: intervals.reduce((sum, i) => sum + Math.max(0, Math.min(i.untilMs, end) - i.fromMs), 0),
      liveSignIns: liveRequests.length,
      liveSignInsRefused: liveRequests.filter((e) => e.status !== 200).length,
      staleAnswers: countBy(stale, answerOf),
      liveAnswers: countBy(liveRequests, answerOf),
    };
  } finally {
    await tenant.close();
  }
}

/**
 * Scenario 1: four forgotten copies of a job, each with a different old password of the
 * same service account, retry every 5 minutes for 24 hours; the up-to-date job signs
 * in with the right password once an hour.
 */
export async function runGhostDaemon(options: ScenarioOptions & { readonly hours?: number } = {}): Promise<GhostDaemonResult> {
  const deps = options.deps ?? (await loadDemoDeps());
  const hours = options.hours ?? 24;
  options.onProgress?.("ghost-daemon:plain");
  const plain = await ghostRun(deps, false, hours);
  options.onProgress?.("ghost-daemon:guarded");
  const guarded = await ghostRun(deps, true, hours);
  return {
    scenario: "ghost-daemon",
    hours,
    retryEveryMinutes: 5,
    ghosts: GHOSTS.map(({ host, address, passwordFrom, offsetMs }) => ({ host, address, passwordFrom, offsetMs })),
    liveSignInEveryMinutes: 60,
    lockoutThreshold: 10,
    plain,
    guarded,
  };
}

// ---------------------------------------------------------------- 2. storm

export interface StormRun {
  /** Token calls the workers made (the same schedule in both runs). */
  readonly calls: number;
  /** Requests that reached the token endpoint. */
  readonly requests: number;
  readonly tokens: number;
  /** What the simulator answered, e.g. `{ AADSTS50053: 15, AADSTS50196: 2400 }`. */
  readonly answers: Readonly<Record<string, number>>;
  /** When each request arrived, ms after the storm began (only kept when there are few). */
  readonly requestTimesMs: readonly number[];
}

export interface GuardedStormRun extends StormRun {
  /** Calls the guard answered without a request. */
  readonly suppressed: number;
  /** Calls that joined an identical call in flight. */
  readonly shared: number;
  /** The guard's lockout windows (from its `classified` events), ms after the storm began. */
  readonly windows: readonly LockInterval[];
}

export interface StormResult {
  readonly scenario: "storm";
  readonly workers: number;
  readonly minutes: number;
  /** Each worker retries this long after its previous attempt, plus up to `jitterMs`. */
  readonly retryEveryMs: number;
  readonly jitterMs: number;
  /** The account's lockout number when the storm starts, and how long that lockout lasts. */
  readonly lockoutNumber: number;
  readonly lockoutMinutes: number;
  readonly plain: StormRun;
  readonly guarded: GuardedStormRun;
}

export interface StormOptions extends ScenarioOptions {
  readonly workers?: number;
  readonly minutes?: number;
  readonly retryEveryMs?: number;
  readonly jitterMs?: number;
}

/**
 * Locks the account the way it happens: wrong passwords until Entra locks it, again after
 * each lock ends, until the lockout reached is `minutes` long (escalation: 1, 2, 4, 8, 16,
 * 30 minutes). Returns the lockout number reached.
 */
async function lockRepeatedly(tenant: Tenant, minutes: number): Promise<{ lockoutNumber: number; lockedUntilMs: number }> {
  const lockedBy = tenant.app(); // whoever it was: a script with an old password, a typo-prone colleague
  for (let guess = 0; guess < 200; guess++) {
    await lockedBy.acquireTokenByUsernamePassword({ scopes: SCOPES, username: SERVICE_ACCOUNT, password: `old-guess-${guess}` }).catch(() => undefined);
    const state = tenant.sim.lockoutState(SERVICE_ACCOUNT);
    if (state.locked && state.lockedUntilMs !== undefined) {
      if (state.lockedUntilMs - tenant.clock.now() >= minutes * MINUTE) return { lockoutNumber: state.lockoutCount, lockedUntilMs: state.lockedUntilMs };
      tenant.clock.set(state.lockedUntilMs);
    }
  }
  throw new Error("demo: could not lock the simulated account");
}

async function stormRun(deps: DemoDeps, guarded: boolean, o: Required<Omit<StormOptions, "deps" | "onProgress">>): Promise<{ run: GuardedStormRun; lockoutNumber: number; lockoutMinutes: number }> {
  const tenant = await startTenant(deps, { users: [{ username: SERVICE_ACCOUNT, password: CURRENT_PASSWORD }] });
  const { sim, clock } = tenant;
  try {
    const lock = await lockRepeatedly(tenant, 30);
    const lockoutMinutes = (lock.lockedUntilMs - clock.now()) / MINUTE;
    sim.resetLog();
    const origin = clock.now();

    const events: { at: number; event: GuardEvent }[] = [];
    const app = tenant.app();
    const guard = guarded ? guardClient(app, { clock: createGuardClock(clock, 2000), onEvent: (event) => events.push({ at: clock.now() - origin, event }) }) : undefined;
    // One process: the workers share one msal-node app (and, guarded, one guard).
    const client = guard ?? app;

    const timeline = new Timeline(clock);
    const end = o.minutes * MINUTE;
    let calls = 0;
    let tokens = 0;
    for (let worker = 0; worker < o.workers; worker++) {
      // Each worker's own seeded jitter, so the schedule never depends on response order.
      const random = seededRandom(3000 + worker);
      const step = 100;
      const attempt = async (): Promise<void> => {
        calls++;
        try {
          const result = await client.acquireTokenByUsernamePassword({ scopes: SCOPES, username: SERVICE_ACCOUNT, password: CURRENT_PASSWORD });
          if (result?.accessToken) tokens++;
        } catch {
          // The worker's naive loop: log and try again in a few seconds.
        }
        const next = timeline.elapsed + o.retryEveryMs + Math.floor((random() * (o.jitterMs + step)) / step) * step;
        if (next < end) timeline.at(next, attempt);
      };
      timeline.at(0, attempt);
    }
    await timeline.run(end);

    const requests = tokenRequests(sim);
    const status = guard === undefined ? undefined : await guard.status();
    return {
      lockoutNumber: lock.lockoutNumber,
      lockoutMinutes,
      run: {
        calls,
        requests: requests.length,
        tokens,
        answers: countBy(requests, answerOf),
        requestTimesMs: requests.length <= 100 ? requests.map((e) => e.timeMs - origin) : [],
        suppressed: status?.counts.suppressed ?? 0,
        shared: status?.counts.shared ?? 0,
        windows: events.flatMap(({ at, event }) => (event.type === "classified" && event.effect === "lockout" && event.until !== undefined ? [{ fromMs: at, untilMs: event.until - origin }] : [])),
      },
    };
  } finally {
    await tenant.close();
  }
}

/**
 * Scenario 2: the account is locked (its 6th lockout in a row, 30 minutes long); 200
 * workers in one process each ask for a token every 10 to 12 s for 10 minutes.
 */
export async function runStorm(options: StormOptions = {}): Promise<StormResult> {
  const deps = options.deps ?? (await loadDemoDeps());
  const settings = {
    workers: options.workers ?? 200,
    minutes: options.minutes ?? 10,
    retryEveryMs: options.retryEveryMs ?? 10 * SECOND,
    jitterMs: options.jitterMs ?? 2 * SECOND,
  };
  options.onProgress?.("storm:plain");
  const plain = await stormRun(deps, false, settings);
  options.onProgress?.("storm:guarded");
  const guarded = await stormRun(deps, true, settings);
  const { suppressed: _s, shared: _h, windows: _w, ...plainRun } = plain.run;
  return {
    scenario: "storm",
    ...settings,
    lockoutNumber: plain.lockoutNumber,
    lockoutMinutes: plain.lockoutMinutes,
    plain: plainRun,
    guarded: guarded.run,
  };
}

// ---------------------------------------------------------------- 3. Conditional Access

export interface ConditionalAccessRun {
  /** Scheduled token calls (one a minute). */
  readonly attempts: number;
  /** Interactive sign-ins started because the error said interaction would help. */
  readonly popups: number;
  /** Requests that reached the token endpoint. */
  readonly requests: number;
  readonly tokens: number;
  /** The first error the code saw. */
  readonly error: {
    readonly name: string;
    /** MSAL's `errorCode` / `subError` (plain), or msal-guard's kind (guarded). */
    readonly code: string | undefined;
    readonly subError: string | undefined;
    /** What the code was told: does interaction help? */
    readonly interactionRequired: boolean;
    readonly policyIds: readonly string[];
  };
  /** Calls the guard answered without a request. */
  readonly suppressed: number;
}

export interface ConditionalAccessResult {
  readonly scenario: "conditional-access";
  readonly minutes: number;
  readonly policyId: string;
  readonly plain: ConditionalAccessRun;
  readonly guarded: ConditionalAccessRun;
}

async function conditionalAccessRun(deps: DemoDeps, guarded: boolean, minutes: number): Promise<ConditionalAccessRun> {
  const user = "ada@contoso.test";
  const password = "Correct-Horse-7";
  const tenant = await startTenant(deps, { users: [{ username: user, password }] });
  const { sim, clock } = tenant;
  try {
    // Ada signed in this morning; then an admin's Conditional Access policy blocks this app for her.
    const app = tenant.app();
    const first = await app.acquireTokenByUsernamePassword({ scopes: SCOPES, username: user, password });
    const account: AccountInfo | null | undefined = first?.account;
    if (!account) throw new Error("demo: the first sign-in returned no account");
    sim.addConditionalAccessRule({ policyId: DEMO_CA_POLICY_ID, users: [user], clients: [JOB_APP], action: "block" });
    sim.resetLog();

    const guard = guarded ? guardClient(app, { clock: createGuardClock(clock, 4000) }) : undefined;
    const client = guard ?? app;
    let popups = 0;
    let tokens = 0;
    let firstError: ConditionalAccessRun["error"] | undefined;

    // Stand-in for acquireTokenInteractive: the user goes through a sign-in popup, and the
    // token request that completes it is sent (Entra's Conditional Access applies to it too).
    const openPopup = async (): Promise<void> => {
      popups++;
      const code = sim.issueAuthorizationCode(user, { clientId: JOB_APP });
      await client.acquireTokenByCode({ scopes: SCOPES, code, redirectUri: `${sim.url}/redirect` });
    };

    const needsInteraction = (error: unknown): boolean =>
      isMsalGuardError(error) ? error.classification.interactionRequired : error instanceof deps.msal.InteractionRequiredAuthError;

    const timeline = new Timeline(clock);
    for (let minute = 0; minute < minutes; minute++) {
      timeline.at(minute * MINUTE, async () => {
        try {
          // forceRefresh: the access token has expired (msal-node's cache reads the wall
          // clock, not the simulator's, so the expiry is stated instead of waited for).
          const result = await client.acquireTokenSilent({ scopes: SCOPES, account, forceRefresh: true });
          if (result?.accessToken) tokens++;
        } catch (error) {
          firstError ??= describeError(error);
          if (needsInteraction(error)) {
            // "Follow the advice": interaction is required, so sign in interactively.
            try {
              await openPopup();
              tokens++;
            } catch {
              // Blocked again; the next sync will try the same.
            }
          }
          // Guarded: ConditionalAccessBlockedError is terminal; the app alerts an admin (once) and keeps its schedule.
        }
      });
    }
    await timeline.run(minutes * MINUTE);

    const status = guard === undefined ? undefined : await guard.status();
    return {
      attempts: minutes,
      popups,
      requests: tokenRequests(sim).length,
      tokens,
      error: firstError ?? { name: "none", code: undefined, subError: undefined, interactionRequired: false, policyIds: [] },
      suppressed: status?.counts.suppressed ?? 0,
    };
  } finally {
    await tenant.close();
  }
}

function describeError(error: unknown): ConditionalAccessRun["error"] {
  if (isMsalGuardError(error)) {
    return {
      name: error.name,
      code: error.kind,
      subError: undefined,
      interactionRequired: error.classification.interactionRequired,
      policyIds: error instanceof ConditionalAccessBlockedError ? [...error.policyIds] : [...error.classification.policyIds],
    };
  }
  const e = (typeof error === "object" && error !== null ? error : {}) as { name?: unknown; errorCode?: unknown; subError?: unknown };
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return {
    name: text(e.name) ?? "Error",
    code: text(e.errorCode),
    subError: text(e.subError),
    // MSAL's advice is its error class.
    interactionRequired: text(e.name) === "InteractionRequiredAuthError",
    policyIds: [],
  };
}

/**
 * Scenario 3: a Conditional Access policy blocks the app for the user; the app syncs once
 * a minute for 10 minutes and follows whatever its error tells it about interaction.
 */
export async function runConditionalAccess(options: ScenarioOptions & { readonly minutes?: number } = {}): Promise<ConditionalAccessResult> {
  const deps = options.deps ?? (await loadDemoDeps());
  const minutes = options.minutes ?? 10;
  options.onProgress?.("conditional-access:plain");
  const plain = await conditionalAccessRun(deps, false, minutes);
  options.onProgress?.("conditional-access:guarded");
  const guarded = await conditionalAccessRun(deps, true, minutes);
  return { scenario: "conditional-access", minutes, policyId: DEMO_CA_POLICY_ID, plain, guarded };
}

// ---------------------------------------------------------------- all

export interface DemoResults {
  readonly ghostDaemon: GhostDaemonResult;
  readonly storm: StormResult;
  readonly conditionalAccess: ConditionalAccessResult;
}

/** Runs the three scenarios, one after another. */
export async function runDemoScenarios(options: ScenarioOptions = {}): Promise<DemoResults> {
  const deps = options.deps ?? (await loadDemoDeps());
  const shared = { deps, ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) };
  const ghostDaemon = await runGhostDaemon(shared);
  const storm = await runStorm(shared);
  const conditionalAccess = await runConditionalAccess(shared);
  return { ghostDaemon, storm, conditionalAccess };
}
