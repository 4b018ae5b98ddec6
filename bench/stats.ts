/** Small statistics and timing helpers shared by the benchmarks. */

/** The median of `values` (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The p-th percentile (0–100), nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const p95 = (values: readonly number[]): number => percentile(values, 95);

/** Nanoseconds since an arbitrary origin, as a number (ample precision for intervals). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** A measured contestant: `run(n)` does the operation `n` times and returns when done. */
export interface Contestant {
  readonly name: string;
  run(iterations: number): Promise<void> | void;
}

export interface InterleavedResult {
  /** Per contestant: nanoseconds per operation, one value per round. */
  readonly perRound: Record<string, number[]>;
  /** Per round: ratio of each contestant to the first one, measured in that same round. */
  readonly ratios: Record<string, number[]>;
}

/**
 * Runs the contestants side by side: `rounds` rounds, each timing `iterations` operations
 * of every contestant, the order reversed on every other round (so neither always runs
 * first, on a warmer or colder process), after `warmupRounds` untimed rounds.
 */
export async function interleave(
  contestants: readonly Contestant[],
  options: { readonly rounds: number; readonly iterations: number; readonly warmupRounds?: number; readonly onRound?: (round: number) => void },
): Promise<InterleavedResult> {
  const perRound: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.name, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(contestants.slice(1).map((c) => [c.name, []]));
  const warmup = options.warmupRounds ?? 2;
  for (let round = -warmup; round < options.rounds; round++) {
    const order = round % 2 === 0 ? contestants : [...contestants].reverse();
    const times = new Map<string, number>();
    for (const contestant of order) {
      const start = nowNs();
      await contestant.run(options.iterations);
      times.set(contestant.name, (nowNs() - start) / options.iterations);
    }
    if (round < 0) continue;
    for (const contestant of contestants) perRound[contestant.name]!.push(times.get(contestant.name) as number);
    const base = times.get(contestants[0]!.name) as number;
    for (const contestant of contestants.slice(1)) ratios[contestant.name]!.push((times.get(contestant.name) as number) / base);
    options.onRound?.(round);
  }
  return { perRound, ratios };
}

/** Rounds for display: 3 significant digits, at most 2 decimals. */
export function round3(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, Math.min(2, 2 - Math.floor(Math.log10(Math.abs(value)))));
  return Number(value.toFixed(digits));
}
