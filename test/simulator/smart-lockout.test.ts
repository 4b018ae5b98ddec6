import { afterEach, describe, expect, it } from "vitest";
import {
  createManualClock,
  startEntraSimulator,
  type EntraSimulator,
  type EntraSimulatorOptions,
} from "../../src/testing/index.js";
import { codesOf, postToken, ropc } from "./helpers.js";

const USER = "grace@contoso.test";
const PASSWORD = "right-password";
const AWAY = { "x-simulator-source-address": "203.0.113.50" };

let sim: EntraSimulator | undefined;
afterEach(() => sim?.close());

async function start(options: EntraSimulatorOptions = {}) {
  const clock = createManualClock();
  sim = await startEntraSimulator({
    clock,
    loopDetection: false,
    users: [
      { username: USER, password: PASSWORD, familiarAddresses: ["198.51.100.20"] },
      { username: "other@contoso.test", password: "other-password" },
    ],
    clients: [{ clientId: "public-app" }],
    ...options,
  });
  return { sim, clock };
}

async function signIn(s: EntraSimulator, password: string, headers: Record<string, string> = {}, username = USER) {
  return codesOf(await postToken(s, ropc(username, password), headers));
}

async function failDistinct(s: EntraSimulator, count: number, headers: Record<string, string> = {}) {
  for (let i = 0; i < count; i++) expect(await signIn(s, `wrong-${i}`, headers)).toEqual([50126]);
}

describe("smart lockout over HTTP", () => {
  it.each([
    { profile: "public" as const, threshold: 10 },
    { profile: "usgov" as const, threshold: 3 },
  ])("locks a $profile tenant after $threshold bad passwords; the right password then gets 50053", async ({ profile, threshold }) => {
    const { sim: s } = await start({ profile });
    await failDistinct(s, threshold - 1);
    expect(s.lockoutState(USER)).toMatchObject({ failedCount: threshold - 1, locked: false });
    expect(await signIn(s, PASSWORD)).toBeUndefined(); // success resets the counter
    await failDistinct(s, threshold);
    expect(s.lockoutState(USER)).toMatchObject({ locked: true, lockoutCount: 1 });
    expect(await signIn(s, PASSWORD)).toEqual([50053]);
    expect(s.requests.at(-1)).toMatchObject({ reason: "locked", status: 400 });
  });

  it("unlocks after 60 simulated seconds and then accepts the right password", async () => {
    const { sim: s, clock } = await start();
    await failDistinct(s, 10);
    const { lockedUntilMs } = s.lockoutState(USER);
    expect(lockedUntilMs).toBe(clock.now() + 60_000);
    clock.advance(59_999);
    expect(await signIn(s, PASSWORD)).toEqual([50053]);
    clock.advance(1);
    expect(await signIn(s, PASSWORD)).toBeUndefined();
    expect(s.lockoutState(USER)).toMatchObject({ failedCount: 0, locked: false, lockoutCount: 0 });
  });

  it("relocks at once after expiry, for twice as long", async () => {
    const { sim: s, clock } = await start();
    await failDistinct(s, 10);
    clock.advance(60_000);
    expect(await signIn(s, "yet-another-wrong")).toEqual([50126]);
    expect(s.lockoutState(USER)).toMatchObject({ locked: true, lockoutCount: 2, lockedUntilMs: clock.now() + 120_000 });
    clock.advance(119_000);
    expect(await signIn(s, PASSWORD)).toEqual([50053]);
  });

  it("never locks for one stale password repeated, but does for four rotating ones", async () => {
    const { sim: s } = await start();
    for (let i = 0; i < 30; i++) expect(await signIn(s, "stale")).toEqual([50126]);
    expect(s.lockoutState(USER)).toMatchObject({ failedCount: 1, locked: false });
    expect(s.requests.at(-1)?.reason).toBe("bad_password_repeat");
    for (let i = 0; i < 9; i++) await signIn(s, `rotating-${i % 4}`);
    expect(s.lockoutState(USER).locked).toBe(true);
  });

  it("keeps familiar and unfamiliar counters apart", async () => {
    const { sim: s } = await start();
    await failDistinct(s, 10, AWAY);
    expect(s.lockoutState(USER, "unfamiliar").locked).toBe(true);
    expect(s.lockoutState(USER, "familiar")).toMatchObject({ failedCount: 0, locked: false });
    expect(await signIn(s, PASSWORD, AWAY)).toEqual([50053]);
    expect(await signIn(s, PASSWORD)).toBeUndefined();
    // The user's own familiar address uses the familiar counter.
    expect(await signIn(s, PASSWORD, { "x-simulator-source-address": "198.51.100.20" })).toBeUndefined();
    expect(s.requests.at(-1)?.location).toBe("familiar");
  });

  it("declares the source address by query parameter or setSourceAddress as well as by header", async () => {
    const { sim: s } = await start();
    await postToken(s, ropc(USER, "q-wrong"), {}, "?sim_source=203.0.113.50");
    s.setSourceAddress("203.0.113.50");
    await signIn(s, "default-wrong");
    s.setSourceAddress(undefined);
    await signIn(s, "home-wrong");
    expect(s.requests.map((r) => [r.sourceAddress, r.location])).toEqual([
      ["203.0.113.50", "unfamiliar"],
      ["203.0.113.50", "unfamiliar"],
      ["127.0.0.1", "familiar"],
    ]);
    expect(s.lockoutState(USER, "unfamiliar").failedCount).toBe(2);
  });

  it("answers 50053 to everyone from a flagged address, counting nothing", async () => {
    const { sim: s } = await start({ flaggedAddresses: ["192.0.2.66"] });
    const flagged = { "x-simulator-source-address": "192.0.2.66" };
    expect(await signIn(s, PASSWORD, flagged)).toEqual([50053]);
    expect(await signIn(s, "other-password", flagged, "other@contoso.test")).toEqual([50053]);
    expect(await signIn(s, "pw", flagged, "nobody@contoso.test")).toEqual([50053]);
    expect(s.requests.every((r) => r.reason === "flagged_address")).toBe(true);
    expect(s.lockoutState(USER, "unfamiliar").failedCount).toBe(0);
    s.unflagAddress("192.0.2.66");
    expect(await signIn(s, PASSWORD, flagged)).toBeUndefined();
  });

  it("locked and flagged 50053 bodies are identical apart from ids", async () => {
    const { sim: s } = await start({ flaggedAddresses: ["192.0.2.66"] });
    await failDistinct(s, 10);
    const locked = (await postToken(s, ropc(USER, PASSWORD))).json as Record<string, unknown>;
    const flagged = (await postToken(s, ropc("other@contoso.test", "other-password"), { "x-simulator-source-address": "192.0.2.66" })).json as Record<string, unknown>;
    const strip = (body: Record<string, unknown>) => ({
      ...body,
      error_description: String(body["error_description"]).split("\r\n")[0],
      trace_id: undefined,
      correlation_id: undefined,
    });
    expect(strip(locked)).toEqual(strip(flagged));
  });

  it("unlock() and a password change clear the lockout", async () => {
    const { sim: s } = await start();
    await failDistinct(s, 10);
    s.unlock(USER);
    expect(await signIn(s, PASSWORD)).toBeUndefined();
    await failDistinct(s, 10);
    s.updateUser(USER, { password: "new-password" });
    expect(await signIn(s, "new-password")).toBeUndefined();
  });

  it("honours custom threshold, duration and escalation", async () => {
    const { sim: s, clock } = await start({
      lockout: { threshold: 2, durationMs: 5_000, escalation: (n, base) => base * n * 10 },
    });
    await failDistinct(s, 2);
    expect(s.lockoutState(USER).lockedUntilMs).toBe(clock.now() + 50_000);
    clock.advance(50_000);
    await signIn(s, "again");
    expect(s.lockoutState(USER).lockedUntilMs).toBe(clock.now() + 100_000);
  });
});
