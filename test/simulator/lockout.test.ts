import { describe, expect, it } from "vitest";
import {
  escalatingDuration,
  evaluatePasswordAttempt,
  INITIAL_LOCKOUT_COUNTER,
  isLocked,
  type LockoutCounter,
  type LockoutDecision,
  type LockoutPolicy,
} from "../../src/testing/index.js";

const policy = (threshold: number): LockoutPolicy => ({ threshold, durationMs: escalatingDuration(60_000) });
const wrong = (hash: string) => ({ correct: false, passwordHash: hash });
const right = { correct: true, passwordHash: "right" };

/** Feeds attempts at a fixed time; returns the decisions and the final counter. */
function run(
  attempts: readonly { correct: boolean; passwordHash: string }[],
  p: LockoutPolicy,
  nowMs = 0,
  start: LockoutCounter = INITIAL_LOCKOUT_COUNTER,
): { decisions: LockoutDecision[]; counter: LockoutCounter } {
  let counter = start;
  const decisions: LockoutDecision[] = [];
  for (const attempt of attempts) {
    const { decision, next } = evaluatePasswordAttempt(counter, attempt, nowMs, p);
    decisions.push(decision);
    counter = next;
  }
  return { decisions, counter };
}

const distinct = (n: number) => Array.from({ length: n }, (_, i) => wrong(`bad-${i}`));

describe("smart lockout state machine", () => {
  it.each([
    { threshold: 10, label: "public cloud" },
    { threshold: 3, label: "US Gov" },
  ])("locks after exactly $threshold distinct bad passwords ($label)", ({ threshold }) => {
    const before = run(distinct(threshold - 1), policy(threshold));
    expect(isLocked(before.counter, 0)).toBe(false);
    expect(before.counter.failedCount).toBe(threshold - 1);

    const { decisions, counter } = run([wrong("one-more")], policy(threshold), 0, before.counter);
    expect(decisions[0]).toEqual({ outcome: "bad_password", counted: true, lockedNow: true });
    expect(counter.lockedUntilMs).toBe(60_000);
    expect(isLocked(counter, 59_999)).toBe(true);
    expect(isLocked(counter, 60_000)).toBe(false);
  });

  it("does not count the same bad password twice", () => {
    const { decisions, counter } = run(Array.from({ length: 25 }, () => wrong("stale")), policy(10));
    expect(counter.failedCount).toBe(1);
    expect(isLocked(counter, 0)).toBe(false);
    expect(decisions.slice(1).every((d) => d.outcome === "bad_password" && !d.counted)).toBe(true);
  });

  it("remembers only the last three bad hashes: three rotating passwords never lock, four do", () => {
    const rotate = (n: number, total: number) => Array.from({ length: total }, (_, i) => wrong(`stale-${i % n}`));
    expect(run(rotate(3, 30), policy(10)).counter.failedCount).toBe(3);
    const four = run(rotate(4, 10), policy(10));
    expect(isLocked(four.counter, 0)).toBe(true);
    expect(four.decisions.every((d) => d.outcome === "bad_password" && d.counted)).toBe(true);
  });

  it("refuses the right password while locked and counts nothing", () => {
    const locked = run(distinct(10), policy(10)).counter;
    const { decisions, counter } = run([right, wrong("new-bad")], policy(10), 1_000, locked);
    expect(decisions).toEqual([
      { outcome: "locked", lockedUntilMs: 60_000 },
      { outcome: "locked", lockedUntilMs: 60_000 },
    ]);
    expect(counter).toBe(locked);
  });

  it("relocks at once after expiry, each time for longer", () => {
    let { counter } = run(distinct(10), policy(10), 0);
    const untils: number[] = [counter.lockedUntilMs as number];
    for (const _ of [1, 2, 3]) {
      const now = counter.lockedUntilMs as number;
      const step = run([wrong(`after-${now}`)], policy(10), now, counter);
      expect(step.decisions[0]).toEqual({ outcome: "bad_password", counted: true, lockedNow: true });
      counter = step.counter;
      untils.push((counter.lockedUntilMs as number) - now);
    }
    expect(untils).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(counter.lockoutCount).toBe(4);
  });

  it("does not relock after expiry for a repeat of a remembered bad password", () => {
    const locked = run(distinct(10), policy(10), 0).counter;
    const { decisions, counter } = run([wrong("bad-9")], policy(10), 60_000, locked);
    expect(decisions[0]).toEqual({ outcome: "bad_password", counted: false, lockedNow: false });
    expect(isLocked(counter, 60_000)).toBe(false);
  });

  it("accepts the right password after expiry and resets the counter and escalation", () => {
    const locked = run(distinct(10), policy(10), 0).counter;
    const { decisions, counter } = run([right], policy(10), 60_000, locked);
    expect(decisions[0]).toEqual({ outcome: "accepted" });
    expect(counter).toEqual(INITIAL_LOCKOUT_COUNTER);
  });

  it("resets the failure count on a successful sign-in before the threshold", () => {
    const { counter } = run([...distinct(9), right, ...distinct(9)], policy(10));
    expect(isLocked(counter, 0)).toBe(false);
    expect(counter.failedCount).toBe(9);
  });

  it.each([
    { n: 1, ms: 60_000 },
    { n: 2, ms: 120_000 },
    { n: 5, ms: 960_000 },
    { n: 6, ms: 1_800_000 },
    { n: 40, ms: 1_800_000 },
  ])("escalates lockout $n to $ms ms (doubling, capped at 30 minutes)", ({ n, ms }) => {
    expect(escalatingDuration()(n)).toBe(ms);
  });

  it("honours a custom escalation factor and cap", () => {
    const duration = escalatingDuration(10_000, { factor: 3, maxDurationMs: 50_000 });
    expect([1, 2, 3].map(duration)).toEqual([10_000, 30_000, 50_000]);
  });
});
