// The simulator's /authorize endpoint on the wire (raw fetch, redirects not followed).
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, startEntraSimulator, type EntraSimulator, type ManualClock } from "../../src/testing/index.js";
import { postToken, ropc } from "./helpers.js";

const ADA = "ada@contoso.test";
const GRACE = "grace@contoso.test";
const LOCKED = "locked@contoso.test";
const BLOCKED = "blocked@contoso.test";
const STEPUP = "stepup@contoso.test";
const REDIRECT = "http://127.0.0.1:4999/redirect.html";
const CA_BLOCK = "11111111-aaaa-4bbb-8ccc-00000000000b";

let sim: EntraSimulator;
let clock: ManualClock;

beforeAll(async () => {
  clock = createManualClock();
  sim = await startEntraSimulator({
    clock,
    users: [
      { username: ADA, password: "pw" },
      { username: GRACE, password: "pw", displayName: "Grace Hopper" },
      { username: LOCKED, password: "pw" },
      { username: BLOCKED, password: "pw" },
      { username: STEPUP, password: "pw" },
      { username: "off@contoso.test", password: "pw", state: "disabled" },
      { username: "mfa@contoso.test", password: "pw", state: "mfa_required" },
    ],
    clients: [{ clientId: "spa-app" }, { clientId: "web-app", redirectUris: ["https://app.contoso.test/auth"] }],
    conditionalAccess: [
      { policyId: CA_BLOCK, users: [BLOCKED], action: "block" },
      { policyId: "ca-mfa", users: [STEPUP], action: "require_mfa" },
    ],
  });
  // Smart lockout: ten counted failures lock the account for a minute.
  for (let i = 0; i < 10; i++) await postToken(sim, ropc(LOCKED, `wrong-${i}`, "spa-app"));
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.resetLog();
  sim.clearFaults();
  sim.setInteractiveUser(ADA);
  sim.setErrorShape({});
});

interface AuthorizeReply {
  status: number;
  location: string | null;
  /** Response parameters from the Location's fragment or query. */
  response: Record<string, string>;
  text: string;
}

/** An /authorize request as msal-browser builds it (PKCE, nonce, state, fragment). */
function authorizeParams(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const params: Record<string, string | undefined> = {
    client_id: "spa-app",
    scope: "User.Read openid profile offline_access",
    redirect_uri: REDIRECT,
    "client-request-id": "c0ffee00-0000-4000-8000-0000000000a1",
    response_mode: "fragment",
    response_type: "code",
    client_info: "1",
    nonce: "nonce-123",
    state: "eyJpZCI6IjEyMyJ9|meta",
    code_challenge: challengeOf(VERIFIER),
    code_challenge_method: "S256",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

const VERIFIER = "verifier-0123456789-0123456789-0123456789-0123456789";
function challengeOf(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

async function authorize(overrides: Record<string, string | undefined> = {}, query = ""): Promise<AuthorizeReply> {
  const url = `${sim.endpoints.authorizationEndpoint}?${new URLSearchParams(authorizeParams(overrides)).toString()}${query}`;
  const reply = await fetch(url, { redirect: "manual" });
  const location = reply.headers.get("location");
  let response: Record<string, string> = {};
  if (location !== null) {
    const target = new URL(location);
    response = Object.fromEntries(new URLSearchParams(target.hash ? target.hash.slice(1) : target.search));
  }
  return { status: reply.status, location, response, text: await reply.text() };
}

function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8")) as Record<string, unknown>;
}

function redeem(code: string, extra: Record<string, string> = {}) {
  return postToken(sim, {
    grant_type: "authorization_code",
    client_id: "spa-app",
    code,
    redirect_uri: REDIRECT,
    scope: "User.Read openid profile offline_access",
    client_info: "1",
    code_verifier: VERIFIER,
    ...extra,
  });
}

describe("/authorize sign-in", () => {
  it("redirects with a code, the echoed state and client_info in the fragment", async () => {
    const reply = await authorize();
    expect(reply.status).toBe(302);
    expect(reply.location?.startsWith(`${REDIRECT}#code=simAC.`)).toBe(true);
    expect(reply.response["state"]).toBe("eyJpZCI6IjEyMyJ9|meta");
    const info = JSON.parse(Buffer.from(reply.response["client_info"] as string, "base64url").toString()) as Record<string, string>;
    expect(info["utid"]).toBe(sim.tenantId);
    expect(Object.keys(reply.response)).toEqual(["code", "client_info", "session_state", "state"]);
    expect(reply.location).toMatch(/&state=[^&]+$/);
  });

  it("answers in the query for response_mode=query, keeping the redirect URI's own query", async () => {
    const reply = await authorize({ response_mode: "query", redirect_uri: `${REDIRECT}?tab=2` });
    const target = new URL(reply.location as string);
    expect(target.hash).toBe("");
    expect(target.searchParams.get("tab")).toBe("2");
    expect(target.searchParams.get("code")).toMatch(/^simAC\./);
    expect(target.searchParams.get("state")).toBe("eyJpZCI6IjEyMyJ9|meta");
  });

  it("signs in the login_hint user when that user exists, else the interactive user", async () => {
    const hinted = await authorize({ login_hint: GRACE });
    const unknownHint = await authorize({ login_hint: "nobody@contoso.test" });
    const tokens = await redeem(hinted.response["code"] as string);
    expect(decodeJwt(tokens.json?.["id_token"] as string)).toMatchObject({ preferred_username: GRACE, name: "Grace Hopper" });
    const other = await redeem(unknownHint.response["code"] as string);
    expect(decodeJwt(other.json?.["id_token"] as string)["preferred_username"]).toBe(ADA);
  });

  it("carries the nonce into the ID token and checks the PKCE verifier at redemption", async () => {
    const good = await authorize({ nonce: "n-0451" });
    const tokens = await redeem(good.response["code"] as string);
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.json?.["id_token"] as string)).toMatchObject({ nonce: "n-0451", aud: "spa-app" });
    expect(tokens.json?.["refresh_token"]).toMatch(/^simRT\./);

    const bad = await authorize();
    const mismatch = await redeem(bad.response["code"] as string, { code_verifier: "not-the-verifier" });
    expect(mismatch.json).toMatchObject({ error: "invalid_grant", error_codes: [501481] });

    const plain = await authorize({ code_challenge: "plain-secret-verifier-0123456789-0123456789", code_challenge_method: undefined });
    const plainTokens = await redeem(plain.response["code"] as string, { code_verifier: "plain-secret-verifier-0123456789-0123456789" });
    expect(plainTokens.status).toBe(200);
  });

  it("accepts any loopback redirect URI and registered ones, and shows an error page for others", async () => {
    expect((await authorize({ redirect_uri: "http://localhost:3000/any/path" })).status).toBe(302);
    expect((await authorize({ client_id: "web-app", redirect_uri: "https://app.contoso.test/auth" })).status).toBe(302);

    const foreign = await authorize({ redirect_uri: "https://evil.example/steal" });
    expect(foreign.status).toBe(400);
    expect(foreign.location).toBeNull();
    expect(foreign.text).toContain("AADSTS50011");
    expect(foreign.text).not.toContain("<script");

    const unknownClient = await authorize({ client_id: "ghost" });
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.text).toContain("AADSTS700016");
    expect(sim.requests.map((r) => [r.status, r.reason])).toEqual([
      [302, undefined],
      [302, undefined],
      [400, "redirect_uri_mismatch"],
      [400, "client_authentication"],
    ]);
  });

  it("redirects invalid_request and unsupported_response_type errors with the state", async () => {
    const noType = await authorize({ response_type: undefined });
    expect(noType.response).toMatchObject({ error: "invalid_request", state: "eyJpZCI6IjEyMyJ9|meta" });
    expect(noType.response["error_description"]).toMatch(/^AADSTS900144: .*'response_type'/);
    const implicit = await authorize({ response_type: "id_token" });
    expect(implicit.response).toMatchObject({ error: "unsupported_response_type", error_uri: "https://login.microsoftonline.com/error?code=700054" });
  });
});

describe("/authorize with prompt=none (MSAL's hidden iframe)", () => {
  it("signs in silently while a browser session exists", async () => {
    const reply = await authorize({ prompt: "none", login_hint: GRACE });
    expect(reply.response["code"]).toMatch(/^simAC\./);
  });

  it("answers login_required (50058) without a session, and for an unknown login_hint", async () => {
    sim.setInteractiveUser(undefined);
    const reply = await authorize({ prompt: "none", login_hint: ADA });
    expect(reply.response).toMatchObject({
      error: "login_required",
      error_uri: "https://login.microsoftonline.com/error?code=50058",
      state: "eyJpZCI6IjEyMyJ9|meta",
    });
    expect(reply.response["error_description"]).toMatch(/^AADSTS50058: /);
    expect(reply.response).not.toHaveProperty("code");

    sim.setInteractiveUser(ADA);
    expect((await authorize({ prompt: "none", login_hint: "nobody@contoso.test" })).response["error"]).toBe("login_required");
  });

  it("asks for interaction when MFA is due, which an interactive sign-in satisfies", async () => {
    const silent = await authorize({ prompt: "none", login_hint: "mfa@contoso.test" });
    expect(silent.response).toMatchObject({ error: "interaction_required", error_uri: "https://login.microsoftonline.com/error?code=50076" });
    const stepUp = await authorize({ prompt: "none", login_hint: STEPUP });
    expect(stepUp.response["claims"]).toContain("ca-mfa");
    expect((await authorize({ login_hint: STEPUP })).response["code"]).toMatch(/^simAC\./);
  });

  it("without a session, an interactive request with no known user comes back cancelled", async () => {
    sim.setInteractiveUser(undefined);
    const reply = await authorize();
    expect(reply.response).toEqual({ error: "access_denied", error_subcode: "cancel", state: "eyJpZCI6IjEyMyJ9|meta" });
  });
});

describe("/authorize errors MSAL has to report", () => {
  it("a Conditional Access block: 53003 with message_only and the capolids claims", async () => {
    const reply = await authorize({ login_hint: BLOCKED });
    expect(reply.status).toBe(302);
    expect(reply.response).toMatchObject({
      error: "interaction_required",
      error_uri: "https://login.microsoftonline.com/error?code=53003",
      suberror: "message_only",
      state: "eyJpZCI6IjEyMyJ9|meta",
    });
    expect(reply.response["error_description"]).toMatch(/^AADSTS53003: Access has been blocked by Conditional Access policies/);
    expect(JSON.parse(reply.response["claims"] as string)).toEqual({ access_token: { capolids: { essential: true, values: [CA_BLOCK] } } });
    expect(sim.requests[0]).toMatchObject({ endpoint: "authorize", username: BLOCKED, codes: [53003], error: "interaction_required", reason: "conditional_access_block" });
  });

  it("a locked account: 50053 while the lock lasts, silent or not, then a code again", async () => {
    const interactive = await authorize({ login_hint: LOCKED });
    const silent = await authorize({ login_hint: LOCKED, prompt: "none" });
    for (const reply of [interactive, silent]) {
      expect(reply.response).toMatchObject({ error: "interaction_required", error_uri: "https://login.microsoftonline.com/error?code=50053" });
      expect(reply.response["error_description"]).toMatch(/^AADSTS50053: Your account is locked/);
    }
    expect(sim.requests.map((r) => r.reason)).toEqual(["locked", "locked"]);
    expect(sim.lockoutState(LOCKED).failedCount).toBe(0); // no password was tried, nothing counted

    sim.setErrorShape({ authorizeErrorVariants: { 50053: "access_denied" } });
    expect((await authorize({ login_hint: LOCKED })).response["error"]).toBe("access_denied");

    clock.advance(60_000);
    expect((await authorize({ login_hint: LOCKED })).response["code"]).toMatch(/^simAC\./);
  });

  it("a flagged source address: 50053 for everyone, declared with sim_source", async () => {
    sim.flagAddress("203.0.113.66");
    try {
      const reply = await authorize({ login_hint: ADA }, "&sim_source=203.0.113.66");
      expect(reply.response["error_uri"]).toBe("https://login.microsoftonline.com/error?code=50053");
      expect(sim.requests[0]).toMatchObject({ sourceAddress: "203.0.113.66", reason: "flagged_address" });
    } finally {
      sim.unflagAddress("203.0.113.66");
    }
  });

  it("a disabled account: 50057", async () => {
    expect((await authorize({ login_hint: "off@contoso.test" })).response["error_uri"]).toBe("https://login.microsoftonline.com/error?code=50057");
  });

  it("the user cancels: access_denied with error_subcode=cancel, as often as configured", async () => {
    const handle = sim.cancelSignIns({ times: 1 });
    const cancelled = await authorize();
    expect(cancelled.response).toEqual({ error: "access_denied", error_subcode: "cancel", state: "eyJpZCI6IjEyMyJ9|meta" });
    expect(handle).toMatchObject({ hits: 1, remaining: 0 });
    expect((await authorize()).response["code"]).toMatch(/^simAC\./);
    expect(sim.requests[0]).toMatchObject({ endpoint: "authorize", error: "access_denied", reason: "user_cancelled" });
  });

  it("configured failures match by user and prompt, and carry a verbatim description", async () => {
    const handle = sim.failSignIns({
      code: 53003,
      description: `<img src=x onerror="alert(1)">`,
      match: { username: GRACE, silent: true },
    });
    expect((await authorize({ login_hint: GRACE })).response["code"]).toMatch(/^simAC\./);
    const hit = await authorize({ login_hint: GRACE, prompt: "none" });
    expect(hit.response["error_description"]).toMatch(/^AADSTS53003: <img src=x onerror="alert\(1\)">\r\nTrace ID: /);
    expect(hit.response["suberror"]).toBe("message_only");
    handle.remove();
    expect((await authorize({ login_hint: GRACE, prompt: "none" })).response["code"]).toMatch(/^simAC\./);

    // clearFaults() removes them too, as it does every other fault.
    const cleared = sim.failSignIns({ code: 50053, match: { username: GRACE } });
    sim.clearFaults();
    expect((await authorize({ login_hint: GRACE })).response["code"]).toMatch(/^simAC\./);
    expect(cleared.remaining).toBe(0);
  });

  it("logs /authorize requests with client, user, status and codes, and lets faults hit them", async () => {
    await authorize({ login_hint: BLOCKED });
    sim.inject({ match: { endpoint: "authorize" }, status: 503, body: "html", times: 1 });
    const faulted = await authorize();
    expect(faulted.status).toBe(503);
    expect(sim.requests.map((r) => [r.endpoint, r.method, r.clientId, r.username, r.status, r.codes])).toEqual([
      ["authorize", "GET", "spa-app", BLOCKED, 302, [53003]],
      ["authorize", "GET", "spa-app", ADA, 503, []],
    ]);
    expect(sim.counts().byStatus).toEqual({ "302": 1, "503": 1 });
  });

  it("rejects an unknown interactive user", () => {
    expect(() => sim.setInteractiveUser("ghost@contoso.test")).toThrow(/no simulated user/);
  });
});
