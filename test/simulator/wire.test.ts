import { createHash } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, startEntraSimulator, type EntraSimulator } from "../../src/testing/index.js";
import { codesOf, postForm, postToken, quietLogger, ropc } from "./helpers.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const clock = createManualClock(Date.UTC(2026, 10, 22, 10, 15, 2, 345));
let sim: EntraSimulator;

beforeAll(async () => {
  sim = await startEntraSimulator({
    clock,
    loopDetection: false,
    users: [
      { username: "ada@contoso.test", password: "pw" },
      { username: "off@contoso.test", password: "pw", state: "disabled" },
      { username: "old@contoso.test", password: "pw", state: "password_expired" },
      { username: "mfa@contoso.test", password: "pw", state: "mfa_required" },
      { username: "noconsent@contoso.test", password: "pw", state: "consent_missing" },
      { username: "blocked@contoso.test", password: "pw" },
      { username: "stepup@contoso.test", password: "pw" },
    ],
    clients: [
      { clientId: "public-app" },
      { clientId: "daemon", secret: "right" },
      { clientId: "stale-daemon", secret: "right", secretState: "expired" },
    ],
    conditionalAccess: [
      { policyId: "11111111-aaaa-4bbb-8ccc-000000000001", users: ["blocked@contoso.test"], action: "block" },
      { policyId: "11111111-aaaa-4bbb-8ccc-000000000002", users: ["stepup@contoso.test"], action: "require_mfa" },
    ],
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearFaults();
  sim.resetLog();
  sim.setErrorShape({ errorVariants: {}, omitSuberror: [], badPasswordCodes: [50126] });
});

/** A client-credentials body; `secret: null` sends none. */
const cc = (clientId = "daemon", secret: string | null = "right", scope = "https://graph.microsoft.com/.default") => ({
  grant_type: "client_credentials",
  client_id: clientId,
  scope,
  ...(secret === null ? {} : { client_secret: secret }),
});

describe("Entra-shaped error bodies", () => {
  it("carries every field Entra sends, with the correlation id echoed from client-request-id", async () => {
    const reply = await postToken(sim, ropc("ada@contoso.test", "wrong"), { "client-request-id": "c0ffee00-0000-4000-8000-000000000001" });
    const body = reply.json as Record<string, string>;
    expect(reply.status).toBe(400);
    expect(body).toMatchObject({
      error: "invalid_grant",
      error_codes: [50126],
      timestamp: "2026-11-22 10:15:02Z",
      correlation_id: "c0ffee00-0000-4000-8000-000000000001",
      error_uri: "https://login.microsoftonline.com/error?code=50126",
    });
    expect(body["trace_id"]).toMatch(GUID);
    expect(body["error_description"]).toBe(
      "AADSTS50126: Error validating credentials due to invalid username or password.\r\n" +
        `Trace ID: ${body["trace_id"]}\r\n` +
        "Correlation ID: c0ffee00-0000-4000-8000-000000000001\r\n" +
        "Timestamp: 2026-11-22 10:15:02Z",
    );
    expect(body).not.toHaveProperty("suberror");
    expect(reply.headers.get("client-request-id")).toBe("c0ffee00-0000-4000-8000-000000000001");
    expect(reply.headers.get("access-control-allow-origin")).toBe("*");
    expect(reply.headers.get("access-control-expose-headers")).toContain("Retry-After");
  });

  it("takes the correlation id from the client-request-id query parameter, as MSAL sends it", async () => {
    const reply = await postToken(sim, ropc("ada@contoso.test", "wrong"), {}, "?client-request-id=abc-123");
    expect(reply.json?.["correlation_id"]).toBe("abc-123");
    expect(sim.requests[0]?.correlationId).toBe("abc-123");
  });

  const claims = (id: string) => JSON.stringify({ access_token: { capolids: { essential: true, values: [id] } } });
  it.each([
    { name: "unknown user", body: ropc("nobody@contoso.test", "pw"), status: 400, error: "invalid_grant", codes: [50034] },
    { name: "disabled user", body: ropc("off@contoso.test", "pw"), status: 400, error: "invalid_grant", codes: [50057] },
    { name: "expired password, right password", body: ropc("old@contoso.test", "pw"), status: 400, error: "user_password_expired", codes: [50055], suberror: "user_password_expired" },
    { name: "expired password, wrong password", body: ropc("old@contoso.test", "nope"), status: 400, error: "invalid_grant", codes: [50126] },
    { name: "MFA required", body: ropc("mfa@contoso.test", "pw"), status: 400, error: "invalid_grant", codes: [50076], suberror: "basic_action" },
    { name: "consent missing", body: ropc("noconsent@contoso.test", "pw"), status: 400, error: "invalid_grant", codes: [65001], suberror: "consent_required" },
    { name: "CA block", body: ropc("blocked@contoso.test", "pw"), status: 400, error: "invalid_grant", codes: [53003], suberror: "message_only", claims: claims("11111111-aaaa-4bbb-8ccc-000000000001") },
    { name: "CA require MFA", body: ropc("stepup@contoso.test", "pw"), status: 400, error: "invalid_grant", codes: [50076], suberror: "basic_action", claims: claims("11111111-aaaa-4bbb-8ccc-000000000002") },
    { name: "wrong client secret", body: cc("daemon", "wrong"), status: 401, error: "invalid_client", codes: [7000215] },
    { name: "expired client secret", body: cc("stale-daemon"), status: 401, error: "invalid_client", codes: [7000222] },
    { name: "no client secret", body: cc("daemon", null), status: 401, error: "invalid_client", codes: [7000218] },
    { name: "public client sending a secret", body: { ...ropc("ada@contoso.test", "pw"), client_secret: "x" }, status: 401, error: "invalid_client", codes: [700025] },
    { name: "unknown client", body: cc("ghost"), status: 400, error: "unauthorized_client", codes: [700016] },
    { name: "client credentials scope without /.default", body: cc("daemon", "right", "User.Read"), status: 400, error: "invalid_scope", codes: [70011] },
    { name: "missing parameter", body: { grant_type: "password", client_id: "public-app", username: "ada@contoso.test" }, status: 400, error: "invalid_request", codes: [900144] },
    { name: "unsupported grant", body: { grant_type: "magic", client_id: "public-app" }, status: 400, error: "unsupported_grant_type", codes: [70003] },
    { name: "unknown refresh token", body: { grant_type: "refresh_token", client_id: "public-app", refresh_token: "nope" }, status: 400, error: "invalid_grant", codes: [70000] },
    { name: "unknown authorization code", body: { grant_type: "authorization_code", client_id: "public-app", code: "nope" }, status: 400, error: "invalid_request", codes: [9002313] },
  ])("answers $codes for $name", async ({ body, status, error, codes, suberror, claims: expectedClaims }) => {
    const reply = await postToken(sim, body);
    expect(reply.status).toBe(status);
    expect(reply.json).toMatchObject({ error, error_codes: codes });
    expect(reply.json?.["suberror"]).toBe(suberror);
    expect(reply.json?.["claims"]).toBe(expectedClaims);
    expect(String(reply.json?.["error_description"])).toMatch(new RegExp(`^AADSTS${codes[0]}: `));
  });

  it("answers 90002 for an unknown tenant and 900561 for a GET on the token endpoint", async () => {
    const tenantReply = await fetch(`${sim.url}/not-my-tenant/oauth2/v2.0/token`, { method: "POST" });
    expect(((await tenantReply.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
    const getReply = await fetch(sim.endpoints.tokenEndpoint);
    expect(getReply.status).toBe(400);
    expect(((await getReply.json()) as { error_codes: number[] }).error_codes).toEqual([900561]);
  });

  it.each([
    { code: 50053, error: "unauthorized_client" },
    { code: 53003, error: "interaction_required" },
  ])("can send $code under the variant error value $error", async ({ code, error }) => {
    sim.setErrorShape({ errorVariants: { [code]: error } });
    sim.flagAddress("203.0.113.1");
    try {
      const reply = await postToken(
        sim,
        ropc(code === 50053 ? "ada@contoso.test" : "blocked@contoso.test", "pw"),
        code === 50053 ? { "x-simulator-source-address": "203.0.113.1" } : {},
      );
      expect(reply.json).toMatchObject({ error, error_codes: [code] });
    } finally {
      sim.unflagAddress("203.0.113.1");
    }
  });

  it("can send 53003 without its suberror (claims kept)", async () => {
    sim.setErrorShape({ omitSuberror: [53003] });
    const reply = await postToken(sim, ropc("blocked@contoso.test", "pw"));
    expect(reply.json).not.toHaveProperty("suberror");
    expect(reply.json?.["claims"]).toContain("capolids");
  });

  it("can report a wrong password as [70002, 50126]", async () => {
    sim.setErrorShape({ badPasswordCodes: [70002, 50126] });
    const reply = await postToken(sim, ropc("ada@contoso.test", "wrong"));
    expect(codesOf(reply)).toEqual([70002, 50126]);
    expect(String(reply.json?.["error_description"])).toMatch(/^AADSTS70002: .* AADSTS50126: /);
  });
});

describe("successful token responses", () => {
  it("returns tokens, an unsigned ID token and client_info for a user grant", async () => {
    const reply = await postToken(sim, { ...ropc("ada@contoso.test", "pw"), client_info: "1" });
    expect(reply.status).toBe(200);
    const body = reply.json as Record<string, string>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, scope: "openid profile offline_access" });
    expect(body["refresh_token"]).toMatch(/^simRT\./);
    const claims = JSON.parse(Buffer.from(String(body["id_token"]).split(".")[1] as string, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: "public-app", tid: sim.tenantId, preferred_username: "ada@contoso.test", iss: `${sim.authority}/v2.0` });
    expect(claims["iat"]).toBe(Math.floor(clock.now() / 1000));
    const info = JSON.parse(Buffer.from(String(body["client_info"]), "base64url").toString()) as Record<string, unknown>;
    expect(info).toEqual({ uid: claims["oid"], utid: sim.tenantId });
  });

  it("returns only an access token for client credentials", async () => {
    const reply = await postToken(sim, cc());
    expect(Object.keys(reply.json ?? {}).sort()).toEqual(["access_token", "expires_in", "ext_expires_in", "token_type"]);
  });

  it("answers 50173 for a refresh token revoked by a password change", async () => {
    const first = await postToken(sim, ropc("ada@contoso.test", "pw"));
    const refreshToken = String(first.json?.["refresh_token"]);
    sim.updateUser("ada@contoso.test", { password: "pw2" });
    try {
      const reply = await postToken(sim, { grant_type: "refresh_token", client_id: "public-app", refresh_token: refreshToken });
      expect(codesOf(reply)).toEqual([50173]);
    } finally {
      sim.updateUser("ada@contoso.test", { password: "pw" });
    }
  });

  it("serves OpenID metadata pointing at its loopback endpoints", async () => {
    const reply = await fetch(sim.endpoints.openIdConfiguration);
    expect(await reply.json()).toMatchObject({
      issuer: `${sim.authority}/v2.0`,
      token_endpoint: sim.endpoints.tokenEndpoint,
      device_authorization_endpoint: sim.endpoints.deviceCodeEndpoint,
      jwks_uri: sim.endpoints.jwksUri,
    });
  });

  it("answers CORS preflights", async () => {
    const reply = await fetch(sim.endpoints.tokenEndpoint, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get("access-control-allow-origin")).toBe("*");
    expect(reply.headers.get("access-control-allow-methods")).toContain("POST");
    expect(reply.headers.get("access-control-allow-headers")).toBe("content-type");
  });
});

describe("injected faults and throttling", () => {
  it.each([
    { body: "json" as const, contentType: "application/json; charset=utf-8", check: (text: string) => expect(JSON.parse(text)).toMatchObject({ error: "temporarily_unavailable", error_codes: [90033] }) },
    { body: "html" as const, contentType: "text/html; charset=utf-8", check: (text: string) => expect(text).toMatch(/^<!DOCTYPE html>/) },
    { body: "empty" as const, contentType: null, check: (text: string) => expect(text).toBe("") },
    { body: "empty-object" as const, contentType: "application/json; charset=utf-8", check: (text: string) => expect(text).toBe("{}") },
  ])("sends a 503 with a $body body", async ({ body, contentType, check }) => {
    sim.inject({ status: 503, body, times: 1 });
    const reply = await postToken(sim, cc());
    expect(reply.status).toBe(503);
    expect(reply.headers.get("content-type")).toBe(contentType);
    check(reply.text);
    expect((await postToken(sim, cc())).status).toBe(200);
    expect(sim.requests.map((r) => r.reason)).toEqual(["fault", undefined]);
  });

  it.each([
    { retryAfter: 30 as number | Date, header: "30" },
    { retryAfter: new Date(Date.UTC(2026, 10, 22, 10, 20, 0)), header: "Sun, 22 Nov 2026 10:20:00 GMT" },
  ])("sends Retry-After $header", async ({ retryAfter, header }) => {
    sim.throttle({ clientId: "daemon", retryAfter, times: 1 });
    const reply = await postToken(sim, cc());
    expect(reply.status).toBe(429);
    expect(reply.headers.get("retry-after")).toBe(header);
    expect(codesOf(reply)).toEqual([90055]);
    expect(sim.requests[0]?.reason).toBe("throttled");
  });

  it("throttles only the named client, until the simulator clock reaches untilMs", async () => {
    sim.throttle({ clientId: "daemon", retryAfter: 60, untilMs: clock.now() + 60_000 });
    expect((await postToken(sim, ropc("ada@contoso.test", "pw"))).status).toBe(200);
    expect((await postToken(sim, cc())).status).toBe(429);
    clock.advance(60_000);
    expect((await postToken(sim, cc())).status).toBe(200);
  });

  it("matches faults by grant and user, and stops after remove()", async () => {
    const handle = sim.inject({ status: 500, match: { grant: "password", username: "ADA@contoso.test" } });
    expect((await postToken(sim, ropc("ada@contoso.test", "pw"))).status).toBe(500);
    expect((await postToken(sim, ropc("off@contoso.test", "pw"))).status).toBe(400);
    expect((await postToken(sim, cc())).status).toBe(200);
    expect(handle.hits).toBe(1);
    handle.remove();
    expect((await postToken(sim, ropc("ada@contoso.test", "pw"))).status).toBe(200);
  });

  it.each([
    { name: "throttle() without a client", add: () => sim.throttle({ retryAfter: 30 }), status: 200 },
    { name: "an unscoped inject()", add: () => sim.inject({ status: 503 }), status: 200 },
    { name: "an inject() that names the redirect page", add: () => sim.inject({ status: 503, match: { endpoint: "redirect" } }), status: 503 },
  ])("leaves the app's own redirect page alone unless named: $name", async ({ add, status }) => {
    const handle = add();
    const reply = await fetch(`${sim.url}/redirect?code=abc&state=xyz`);
    handle.remove();
    expect(reply.status).toBe(status);
  });

  it("can send any AADSTS code through a fault", async () => {
    sim.inject({ status: 400, code: 50053, times: 1 });
    const reply = await postToken(sim, cc());
    expect(reply.json).toMatchObject({ error: "invalid_grant", error_codes: [50053] });
  });

  it("drops the connection without an answer", async () => {
    sim.inject({ drop: true, times: 1 });
    await expect(postToken(sim, cc())).rejects.toThrow(/fetch failed/);
    expect(sim.requests[0]).toMatchObject({ status: undefined, reason: "fault_drop" });
    expect(sim.counts().byStatus).toEqual({ dropped: 1 });
  });

  it("delays a request, then answers normally", async () => {
    sim.inject({ delayMs: 150, times: 1 });
    const started = performance.now();
    const reply = await postToken(sim, cc());
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(reply.status).toBe(200);
  });
});

describe("throttle() and inject() refuse values they could not send, when called", () => {
  it.each([
    ["throttle retryAfter -1", () => sim.throttle({ retryAfter: -1 }), RangeError, "throttle: retryAfter must be a finite number of seconds, 0 or more, or a Date (got -1)"],
    ["throttle retryAfter NaN", () => sim.throttle({ retryAfter: Number.NaN }), RangeError, "throttle: retryAfter must be a finite number of seconds, 0 or more, or a Date (got NaN)"],
    ["throttle retryAfter Infinity", () => sim.throttle({ retryAfter: Number.POSITIVE_INFINITY }), RangeError, "(got Infinity)"],
    ["throttle retryAfter an Invalid Date", () => sim.throttle({ retryAfter: new Date(Number.NaN) }), RangeError, "throttle: retryAfter must be a valid Date (got an Invalid Date)"],
    ["throttle retryAfter a string", () => sim.throttle({ retryAfter: "30" as unknown as number }), TypeError, 'throttle: retryAfter must be a number of seconds or a Date (got string "30")'],
    ["throttle body typo", () => sim.throttle({ retryAfter: 5, body: "text" as unknown as "html" }), RangeError, 'throttle: body must be one of "json", "html", "empty", "empty-object" (got "text")'],
    ["throttle times -1", () => sim.throttle({ retryAfter: 5, times: -1 }), RangeError, "throttle: times must be a non-negative number (got -1)"],
    ["inject 429 retryAfter -5", () => sim.inject({ status: 429, retryAfter: -5 }), RangeError, "inject: retryAfter must be a finite number of seconds, 0 or more, or a Date (got -5)"],
    ["inject status 42", () => sim.inject({ status: 42 }), RangeError, "inject: status must be a whole-number HTTP status from 200 to 599, e.g. 503 (got 42)"],
    ["inject status 100 (informational: the client sees a bad response)", () => sim.inject({ status: 100 }), RangeError, "(got 100)"],
    ["inject status 199 (informational: the client waits forever)", () => sim.inject({ status: 199 }), RangeError, "(got 199)"],
    ["inject status 1000", () => sim.inject({ status: 1000 }), RangeError, "inject: status must be a whole-number HTTP status from 200 to 599, e.g. 503 (got 1000)"],
    ["inject status 503.5", () => sim.inject({ status: 503.5 }), RangeError, "(got 503.5)"],
    ["inject status as a string", () => sim.inject({ status: "503" as unknown as number }), TypeError, 'inject: status must be a whole-number HTTP status from 200 to 599, e.g. 503 (got "503")'],
    ["inject body typo", () => sim.inject({ status: 503, body: "xml" as unknown as "html" }), RangeError, 'inject: body must be one of "json", "html", "empty", "empty-object" (got "xml")'],
    ["inject delayMs -1", () => sim.inject({ delayMs: -1 }), RangeError, "inject: delayMs must be a finite number of milliseconds, 0 or more (got -1)"],
  ] as const)("%s", async (_name, call, kind, message) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown, "accepted, to fail later on every matching request").toBeInstanceOf(kind);
    expect((thrown as Error).message).toContain(message);
    // Nothing was left behind: the next request is answered normally.
    const reply = await postToken(sim, cc());
    expect(reply.status).toBe(200);
    expect(sim.requests.map((r) => r.reason)).toEqual([undefined]);
  });

  it.each([
    ["throttle({ retryAfter: 0 })", () => sim.throttle({ retryAfter: 0, times: 1 }), 429, "0"],
    ["inject({ status: 599, retryAfter: 0 })", () => sim.inject({ status: 599, retryAfter: 0, times: 1 }), 599, "0"],
    ["inject({ status: 200 }) (an error body under 200)", () => sim.inject({ status: 200, times: 1 }), 200, undefined],
  ] as const)("accepts the boundary %s and sends it; real msal-node gets no token", async (_name, add, status, retryAfter) => {
    add();
    const error = await new ConfidentialClientApplication({ auth: sim.msalNodeAuth("daemon", { clientSecret: "right" }), system: quietLogger })
      .acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true })
      .then(() => undefined, (e: unknown) => e);
    expect(error, "msal-node got a token").toBeInstanceOf(Error);
    expect(sim.requests.map((r) => [r.status, r.reason])).toEqual([[status, status === 429 ? "throttled" : "fault"]]);
    const reply = await postToken(sim, cc());
    expect(reply.status, "the fault was used once (times: 1)").toBe(200);
    sim.clearFaults();
    add();
    const raw = await postToken(sim, cc());
    expect([raw.status, raw.headers.get("retry-after") ?? undefined]).toEqual([status, retryAfter]);
  });
});

describe("request log", () => {
  it("counts requests per endpoint, grant, user, client and status", async () => {
    await postToken(sim, ropc("ada@contoso.test", "pw"));
    await postToken(sim, ropc("Ada@Contoso.test", "wrong"));
    await postToken(sim, ropc("off@contoso.test", "pw"));
    await postToken(sim, cc());
    expect(sim.counts()).toEqual({
      total: 4,
      byEndpoint: { token: 4 },
      byGrant: { password: 3, client_credentials: 1 },
      byUser: { "ada@contoso.test": 2, "off@contoso.test": 1 },
      byClient: { "public-app": 3, daemon: 1 },
      byStatus: { "200": 2, "400": 2 },
    });
    expect(sim.requests[1]).toMatchObject({ codes: [50126], reason: "bad_password", location: "familiar", sourceAddress: "127.0.0.1" });
    expect(JSON.stringify(sim.requests)).not.toContain("wrong");
    sim.resetLog();
    expect(sim.counts().total).toBe(0);
  });
});

describe("loop detection", () => {
  let loopSim: EntraSimulator;
  const loopClock = createManualClock();
  beforeAll(async () => {
    loopSim = await startEntraSimulator({ clock: loopClock, clients: [{ clientId: "daemon", secret: "right" }] });
  });
  afterAll(() => loopSim.close());

  it("answers the 16th identical request within 5 minutes with 50196, not the 15th", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 16; i++) {
      // client-request-id and telemetry differ per call; the request is still identical.
      const reply = await postToken(loopSim, { ...cc(), "client-request-id": `id-${i}`, "x-client-current-telemetry": `5|${i}` });
      statuses.push(reply.status);
      if (i === 16) expect(reply.json).toMatchObject({ error: "invalid_grant", error_codes: [50196] });
      loopClock.advance(10_000);
    }
    expect(statuses.slice(0, 15).every((s) => s === 200)).toBe(true);
    expect(statuses[15]).toBe(400);
    // A different request is not part of the loop.
    expect((await postToken(loopSim, cc("daemon", "right", "api://other/.default"))).status).toBe(200);
    // Once the window has slid past the burst, the request is allowed again.
    loopClock.advance(5 * 60_000);
    expect((await postToken(loopSim, cc())).status).toBe(200);
  });
});

describe("codes and device codes", () => {
  const verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789";
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const redeem = (code: string, extra: Record<string, string> = {}) =>
    postToken(sim, { grant_type: "authorization_code", client_id: "public-app", code, scope: "openid offline_access", ...extra });

  it.each([
    { name: "a wrong PKCE verifier", extra: { code_verifier: "not-it" }, advanceMs: 0, codes: [501481] },
    { name: "an expired code", extra: { code_verifier: verifier }, advanceMs: 600_000, codes: [70008] },
    { name: "the right verifier", extra: { code_verifier: verifier }, advanceMs: 0, codes: undefined },
  ])("redeems an authorization code with $name as $codes", async ({ extra, advanceMs, codes }) => {
    const code = sim.issueAuthorizationCode("ada@contoso.test", { codeChallenge: challenge });
    clock.advance(advanceMs);
    expect(codesOf(await redeem(code, extra))).toEqual(codes);
  });

  it("answers authorization_pending until approved, and expired_token after 15 minutes", async () => {
    const start = await postForm(sim.endpoints.deviceCodeEndpoint, { client_id: "public-app", scope: "openid offline_access" });
    const { device_code: deviceCode, user_code: userCode, interval, expires_in: expiresIn } = start.json as Record<string, string>;
    expect({ interval, expiresIn }).toEqual({ interval: 5, expiresIn: 900 });
    const poll = () => postToken(sim, { grant_type: "device_code", client_id: "public-app", device_code: String(deviceCode) });
    for (let i = 0; i < 20; i++) expect((await poll()).json).toMatchObject({ error: "authorization_pending", error_codes: [70016] });
    sim.approveDeviceCode(String(userCode), "ada@contoso.test");
    expect((await poll()).status).toBe(200);

    const late = await postForm(sim.endpoints.deviceCodeEndpoint, { client_id: "public-app" });
    clock.advance(900_000);
    const expired = await postToken(sim, { grant_type: "device_code", client_id: "public-app", device_code: String(late.json?.["device_code"]) });
    expect(expired.json).toMatchObject({ error: "expired_token", error_codes: [70019] });
  });
});

describe("manual clock", () => {
  it("moves only when told, and refuses to go backwards by advance()", () => {
    const c = createManualClock(1_000);
    expect(c.now()).toBe(1_000);
    c.advance(500);
    expect(c.now()).toBe(1_500);
    c.set(10);
    expect(c.now()).toBe(10);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });
});
