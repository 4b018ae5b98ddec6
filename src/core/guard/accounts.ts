/**
 * The names one MSAL account goes by. Silent calls name the account (its home account id),
 * password and hinted calls the user name: the adapters use both when a sign-in or a reset
 * concerns the user, whichever name it came with.
 */
import { read } from "../read.js";
import type { ResetScope } from "./engine.js";

const str = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);

/** The names a token result's account goes by: user name and home account id. */
export function namesOfAccount(result: unknown): (string | undefined)[] {
  const account = read(result, "account");
  return [str(read(account, "username")), str(read(account, "homeAccountId"))];
}

/** Resets `scope`, and when it names a user, the same under that user's other names among MSAL's `accounts`. */
export async function resetEveryName(reset: (scope: ResetScope) => Promise<void>, scope: ResetScope, accounts: unknown): Promise<void> {
  await reset(scope);
  if (typeof scope.user !== "string" || !Array.isArray(accounts)) return;
  for (const user of otherNames(accounts, scope.user)) await reset({ ...scope, user });
}

/** The other names (user name, home account id) of the accounts among `accounts` that go by `user`. */
function otherNames(accounts: readonly unknown[], user: string): string[] {
  const wanted = user.toLowerCase();
  const names = new Set<string>();
  for (const account of accounts) {
    const own = [str(read(account, "username")), str(read(account, "homeAccountId"))].filter((name): name is string => name !== undefined);
    if (own.some((name) => name.toLowerCase() === wanted)) for (const name of own) if (name.toLowerCase() !== wanted) names.add(name);
  }
  return [...names];
}
