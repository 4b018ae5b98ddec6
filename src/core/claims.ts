/**
 * Conditional Access policy ids from a claims challenge. Entra sends
 * `{"access_token":{"capolids":{"essential":true,"values":["<id>", ...]}}}`;
 * we look for `capolids.values` under any top-level claim. Bad JSON gives `[]`.
 */
export function policyIdsFromClaims(claims: string | undefined): string[] {
  if (claims === undefined || claims.length > 16 * 1024) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    return [];
  }
  const ids = new Set<string>();
  if (typeof parsed !== "object" || parsed === null) return [];
  for (const section of Object.values(parsed as Record<string, unknown>)) {
    const values = (section as { capolids?: { values?: unknown } } | null)?.capolids?.values;
    if (!Array.isArray(values)) continue;
    for (const id of values.slice(0, 50)) {
      if (typeof id === "string" && /^[\w.-]{1,128}$/.test(id)) ids.add(id);
    }
  }
  return [...ids];
}
