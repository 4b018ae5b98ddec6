/**
 * Classification cost: `classify(error)` on real MSAL error objects of every kind the
 * simulator can produce (see `msal-errors.ts`), against the cost of msal-node constructing
 * an error of the same class with the same arguments. Interleaved, per kind, in one
 * process. This compares costs; it says nothing about handling.
 */
import { classify } from "msal-guard";
import { produceMsalErrors } from "./msal-errors.js";
import { result, type BenchResult } from "./report.js";
import { interleave, median } from "./stats.js";

export async function benchClassification(options: { readonly quick: boolean; readonly progress: (line: string) => void }): Promise<BenchResult[]> {
  const rounds = options.quick ? 6 : 12;
  const iterations = options.quick ? 1_000 : 2_000;
  options.progress("classification: producing real MSAL errors against the simulator");
  const errors = await produceMsalErrors();
  options.progress(`classification: ${errors.length} kinds, ${rounds} rounds × ${iterations} iterations, classify and MSAL's construction alternating`);
  const name = "classification";
  const out: BenchResult[] = [];
  let sink = 0;
  // Warm both paths on every kind first, so the first kind measured is not the one that pays for the JIT.
  for (let i = 0; i < 2_000; i++) {
    for (const real of errors) sink += classify(real.error).codes.length + real.rebuild().message.length;
  }
  for (const real of errors) {
    const kind = classify(real.error).kind;
    const timing = await interleave(
      [
        {
          name: "construct",
          run: (n) => {
            for (let i = 0; i < n; i++) sink += real.rebuild().message.length;
          },
        },
        {
          name: "classify",
          run: (n) => {
            for (let i = 0; i < n; i++) sink += classify(real.error).codes.length;
          },
        },
      ],
      { rounds, iterations, warmupRounds: 2 },
    );
    const classifyNs = timing.perRound.classify as number[];
    const constructNs = timing.perRound.construct as number[];
    const met = median(classifyNs) < median(constructNs);
    const label = `${real.label} → ${kind}${kind === real.expectedKind ? "" : ` (expected ${real.expectedKind})`}`;
    out.push(result(name, `classify: ${label}`, "ns", classifyNs, `< new ${real.msalClass.replace(/ \(.*\)$/, "")}`, met));
    out.push(result(name, `  MSAL: new ${real.msalClass}`, "ns", constructNs));
  }
  if (sink === 0) throw new Error("bench: nothing measured");
  return out;
}
