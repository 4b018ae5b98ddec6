import { kindForCode } from "./index.js";
import { CODE_DETAILS } from "./details.generated.js";
import type { GuardErrorKind } from "../kinds.js";

/** Developer-facing facts about one AADSTS code. Kept apart from `classify` so apps that only classify don't ship the text. */
export interface CodeDetails {
  readonly code: number;
  /** Microsoft's internal name (for example `IdsLocked`), when the reference gives one. */
  readonly name: string | undefined;
  readonly kind: GuardErrorKind;
  /** Our handling class: T transient, W wait, U user, A administrator, D developer, P protocol, I sign-in UI interrupt, ? unclear. */
  readonly handling: string;
  /** A condensed meaning (our paraphrase of Microsoft's reference). */
  readonly meaning: string;
}

/** Developer-facing facts about one catalogued AADSTS code: name, kind, handling class and meaning; `undefined` for codes not in the catalogue. */
export function codeDetails(code: number): CodeDetails | undefined {
  const entry = CODE_DETAILS[code];
  const kind = kindForCode(code);
  if (entry === undefined || kind === undefined) return undefined;
  const [name, handling, meaning] = entry;
  return { code, name: name === "" ? undefined : name, kind, handling, meaning };
}
