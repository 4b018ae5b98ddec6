// Raw HTTP helpers for simulator tests (no MSAL involved).
import type { EntraSimulator } from "../../src/testing/index.js";

export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: Record<string, unknown> | undefined;
}

export async function postForm(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<RawReply> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return readReply(response);
}

/** A response as a {@link RawReply}: its status, headers, text and, when it is JSON, the parsed body. */
export async function readReply(response: Response): Promise<RawReply> {
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function postToken(
  sim: EntraSimulator,
  params: Record<string, string>,
  headers: Record<string, string> = {},
  query = "",
): Promise<RawReply> {
  return postForm(sim.endpoints.tokenEndpoint + query, params, headers);
}

/** A ROPC request body for a public client. */
export function ropc(username: string, password: string, clientId = "public-app"): Record<string, string> {
  return { grant_type: "password", client_id: clientId, username, password, scope: "openid profile offline_access" };
}

export function codesOf(reply: RawReply): unknown {
  return reply.json?.["error_codes"];
}

/** A logger config that keeps MSAL quiet (tests fail on console output). */
export const quietLogger = {
  loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false },
};
