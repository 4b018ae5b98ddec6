// A core-rest-pipeline HttpClient for @azure/identity that sends its requests to the
// simulator over loopback HTTP. Identity insists on an https: authority host; requests
// for that host are forwarded to the simulator, requests already addressed to the
// simulator (the endpoints in its OpenID metadata) pass through, anything else is refused.
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";

export interface SimulatorHttpClient extends HttpClient {
  /** `METHOD url` of every request identity made, as identity addressed it. */
  readonly requests: string[];
}

export function createSimulatorHttpClient(simulator: { readonly url: string }, authorityHost: string): SimulatorHttpClient {
  const authorityOrigin = new URL(authorityHost).origin;
  const simulatorOrigin = new URL(simulator.url).origin;
  const requests: string[] = [];

  function target(url: string): URL {
    const parsed = new URL(url);
    if (parsed.origin === simulatorOrigin) return parsed;
    if (parsed.origin === authorityOrigin) return new URL(parsed.pathname + parsed.search, simulatorOrigin);
    throw new Error(`refusing a request that would leave the simulator: ${url}`);
  }

  async function sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    requests.push(`${request.method} ${request.url}`);
    const body = request.body;
    if (body !== undefined && typeof body !== "string") throw new Error("only string bodies are forwarded");
    const response = await fetch(target(request.url), {
      method: request.method,
      headers: Object.fromEntries(request.headers),
      ...(body === undefined ? {} : { body }),
      ...(request.abortSignal ? { signal: request.abortSignal as AbortSignal } : {}),
    });
    const headers = createHttpHeaders();
    response.headers.forEach((value, name) => headers.set(name, value));
    return { request, status: response.status, headers, bodyAsText: await response.text() };
  }

  return { sendRequest, requests };
}
