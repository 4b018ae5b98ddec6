// The error a real MSAL / @azure/identity call rejects with, and its classification.
import { classify, type Classification } from "../../../src/index.js";

/** A thrown value seen through its fields only (MSAL's `.d.ts` types do not match the runtime). */
export type ErrorFields = Record<string, unknown>;

export interface Failure {
  readonly error: ErrorFields;
  readonly c: Classification;
}

/** Awaits `call`, which must reject, and classifies what it rejected with. */
export async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    return { error: error as ErrorFields, c: classify(error) };
  }
  throw new Error("expected the call to fail");
}
