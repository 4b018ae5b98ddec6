// Identity keys: what an adapter keeps instead of a user it must not store (the browser's
// pending redirect across a page reload). A call made with the key is filed under the
// same identity as a call that names the user; a value that is not a key is refused.
import { describe, expect, it } from "vitest";
import { createSuppressionEngine, isMsalGuardError, type GuardRequest } from "../../src/index.js";

const AUTHORITY = "https://login.microsoftonline.com/contoso.onmicrosoft.com";
const CLIENT_ID = "11111111-1111-4111-8111-111111111111";
const USER = "Ada@Contoso.com";
const LOCKED = { error: "invalid_grant", error_codes: [50053] };

function call(overrides: Partial<GuardRequest<unknown>> & { fails?: unknown } = {}): GuardRequest<unknown> {
  const { fails, ...rest } = overrides;
  return {
    method: "acquireTokenRedirect",
    identity: { authority: AUTHORITY, clientId: CLIENT_ID, user: USER },
    scopes: ["User.Read"],
    silent: false,
    send: () => (fails === undefined ? Promise.resolve({ accessToken: "at" }) : Promise.reject(fails)),
    ...rest,
  };
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ ok: value }),
    (error: unknown) => error,
  );
}

describe("identityKeyOf and GuardRequest.identityKey", () => {
  it("is a 128-bit hex hash, the same whatever the case of the user or a trailing slash on the authority, and names none of them", async () => {
    const engine = createSuppressionEngine();
    const key = await engine.identityKeyOf({ authority: AUTHORITY, clientId: CLIENT_ID, user: USER });
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    await expect(engine.identityKeyOf({ authority: `${AUTHORITY.toUpperCase()}/`, clientId: CLIENT_ID, user: USER.toLowerCase() })).resolves.toBe(key);
    await expect(engine.identityKeyOf({ authority: AUTHORITY, clientId: CLIENT_ID, user: "grace@contoso.com" })).resolves.not.toBe(key);
    await expect(engine.identityKeyOf({ authority: AUTHORITY, clientId: CLIENT_ID })).resolves.not.toBe(key);
    // Another engine (another page, process) computes the same key.
    await expect(createSuppressionEngine().identityKeyOf({ authority: AUTHORITY, clientId: CLIENT_ID, user: USER })).resolves.toBe(key);
  });

  it("a failure recorded under the key suppresses the user's calls; a success under it is returned untouched", async () => {
    const engine = createSuppressionEngine();
    const identityKey = await engine.identityKeyOf({ authority: AUTHORITY, clientId: CLIENT_ID, user: USER });
    const anonymous = { authority: AUTHORITY, clientId: CLIENT_ID };
    const result = { accessToken: "at" };
    await expect(engine.execute(call({ identity: anonymous, identityKey, send: () => Promise.resolve(result) }))).resolves.toBe(result);

    const first = await outcome(engine.execute(call({ identity: anonymous, identityKey, fails: LOCKED })));
    expect(first).toMatchObject({ kind: "account_locked", suppressed: false });
    let sent = 0;
    const next = await outcome(engine.execute(call({ send: () => (sent++, Promise.resolve(result)) })));
    expect(next).toMatchObject({ kind: "account_locked", suppressed: true });
    expect(sent).toBe(0);
    // Another user of the app is not touched.
    await expect(engine.execute(call({ identity: { ...anonymous, user: "grace@contoso.com" } }))).resolves.toEqual(result);
  });

  it("reset({ identityKey }) clears that identity only", async () => {
    const engine = createSuppressionEngine();
    const grace = { authority: AUTHORITY, clientId: CLIENT_ID, user: "grace@contoso.com" };
    await outcome(engine.execute(call({ fails: LOCKED })));
    await outcome(engine.execute(call({ identity: grace, fails: LOCKED })));
    const identityKey = await engine.identityKeyOf({ authority: AUTHORITY, clientId: CLIENT_ID, user: USER });
    await engine.reset({ authority: AUTHORITY, clientId: CLIENT_ID, identityKey, kind: "account_locked" });
    await expect(engine.execute(call())).resolves.toEqual({ accessToken: "at" });
    await expect(outcome(engine.execute(call({ identity: grace })))).resolves.toMatchObject({ kind: "account_locked", suppressed: true });
  });

  it.each([["a user name", "ada@contoso.com"], ["a longer hex string", "a".repeat(64)], ["upper-case hex", "A".repeat(32)], ["a number", 42]])(
    "refuses %s as a key: the call rejects with a TypeError, sends nothing",
    async (_, identityKey) => {
      const engine = createSuppressionEngine();
      let sent = 0;
      const error = await outcome(engine.execute(call({ identityKey: identityKey as string, send: () => (sent++, Promise.resolve({})) })));
      expect(error).toBeInstanceOf(TypeError);
      expect(isMsalGuardError(error)).toBe(false);
      expect(String(error)).toContain("identityKeyOf");
      expect(sent).toBe(0);
    },
  );
});
