/**
 * Progress lines for a run that may take a moment: nothing when it is over within
 * `delayMs`, otherwise the step under way and every later one, one line each.
 */
import type { DemoStep } from "./scenarios.js";

const STEP_TEXT: Readonly<Record<DemoStep, string>> = {
  "ghost-daemon:plain": "1/3 ghost daemon, plain msal-node (24 simulated hours)",
  "ghost-daemon:guarded": "1/3 ghost daemon, with msal-guard",
  "storm:plain": "2/3 retry storm, plain msal-node (200 workers, 10 simulated minutes)",
  "storm:guarded": "2/3 retry storm, with msal-guard",
  "conditional-access:plain": "3/3 Conditional Access block, plain msal-node",
  "conditional-access:guarded": "3/3 Conditional Access block, with msal-guard",
};

export interface Progress {
  step(step: DemoStep): void;
  /** Stops the delay timer; call when the run ends, however it ends. */
  done(): void;
}

export interface ProgressOptions {
  readonly write: (text: string) => void;
  /** Say nothing for runs shorter than this, ms. @default 1_000 */
  readonly delayMs?: number;
  readonly now?: () => number;
  /** Prefix of every line. @default "msal-guard demo: " */
  readonly prefix?: string;
}

export function createProgress(options: ProgressOptions): Progress {
  const delayMs = options.delayMs ?? 1_000;
  const now = options.now ?? (() => Date.now());
  const prefix = options.prefix ?? "msal-guard demo: ";
  const started = now();
  let pending: DemoStep | undefined;
  let speaking = false;
  let finished = false;
  const say = (step: DemoStep) => options.write(`${prefix}${STEP_TEXT[step]}…\n`);
  const timer = setTimeout(() => {
    if (finished) return;
    speaking = true;
    if (pending !== undefined) say(pending);
    pending = undefined;
  }, delayMs);
  // Never keep the process alive for a progress line.
  timer.unref?.();
  return {
    step(step) {
      if (finished) return;
      if (speaking || now() - started >= delayMs) {
        speaking = true;
        pending = undefined;
        say(step);
      } else {
        pending = step;
      }
    },
    done() {
      finished = true;
      clearTimeout(timer);
    },
  };
}
