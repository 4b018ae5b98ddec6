/**
 * An MSAL network module (`system.networkClient`) that sends MSAL's requests to the
 * simulator over real loopback HTTP with `fetch`. msal-browser needs one outside a
 * real browser (jsdom); it also works for msal-node.
 *
 * It refuses any URL that is not on the simulator, so MSAL cannot reach the internet
 * through it. Unlike msal-browser's own `FetchClient` it does not retry a failed POST.
 */

/** Request options MSAL passes (structurally a subset of its `NetworkRequestOptions`). */
export interface SimulatorNetworkRequestOptions {
  headers?: Record<string, string>;
  body?: string;
  correlationId?: string;
}

/** Response shape MSAL expects (its `NetworkResponse<T>`). */
export interface SimulatorNetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}

/** Structurally MSAL's `INetworkModule`; assign it to `system.networkClient`. */
export interface SimulatorNetworkModule {
  /** Sends a GET (metadata, discovery) to the simulator. */
  sendGetRequestAsync<T>(url: string, options?: SimulatorNetworkRequestOptions, timeout?: number): Promise<SimulatorNetworkResponse<T>>;
  /** Sends a POST (token requests) to the simulator. */
  sendPostRequestAsync<T>(url: string, options?: SimulatorNetworkRequestOptions): Promise<SimulatorNetworkResponse<T>>;
}

/** Why a request could not produce a JSON response. */
export type NetworkFailureKind =
  /** The URL is not on the simulator; nothing was sent. */
  | "foreign_host"
  /** The connection failed or was dropped. */
  | "network"
  /** The response body was not JSON (HTML, empty). */
  | "parse";

/** Details of a failure, for `createError`. */
export interface NetworkFailure {
  readonly kind: NetworkFailureKind;
  readonly url: string;
  /** HTTP status, for `parse` failures. */
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly correlationId: string | undefined;
  readonly cause: unknown;
}

/** Default error thrown for a {@link NetworkFailure}. */
export class SimulatorNetworkError extends Error {
  override readonly name = "SimulatorNetworkError" as const;
  readonly kind: NetworkFailureKind;
  readonly url: string;
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(failure: NetworkFailure) {
    super(`simulator network client: ${failure.kind} failure for ${failure.url}`, { cause: failure.cause });
    this.kind = failure.kind;
    this.url = failure.url;
    this.status = failure.status;
    this.headers = failure.headers;
  }
}

/** A response as the network client saw it, before MSAL interprets it. */
export interface NetworkObservation {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body. */
  readonly body: unknown;
  /** MSAL's correlation id for the call (equals the error's `correlationId`). */
  readonly correlationId: string | undefined;
}

/** Options for {@link createSimulatorNetworkClient}. */
export interface SimulatorNetworkClientOptions {
  /** Sent as `x-simulator-source-address` on every request. @default none (the simulator's own source address applies) */
  readonly sourceAddress?: string;
  /** The fetch to use. @default `globalThis.fetch`, read at call time */
  readonly fetch?: typeof fetch;
  /** Called with every JSON response before MSAL sees it (e.g. to record raw error bodies). */
  readonly onResponse?: (observation: NetworkObservation) => void;
  /**
   * Makes the error thrown for a failure. Pass one that builds MSAL's own errors to
   * mimic its clients exactly. @default `new SimulatorNetworkError(failure)`
   */
  readonly createError?: (failure: NetworkFailure) => Error;
}

/** Header a request can use to declare its simulated source address. */
export const SOURCE_ADDRESS_HEADER = "x-simulator-source-address";

/**
 * Creates a network module that forwards MSAL's requests to `simulator` over HTTP.
 *
 * @example
 * const pca = new PublicClientApplication({
 *   auth: sim.msalBrowserAuth("spa-client"),
 *   system: { networkClient: createSimulatorNetworkClient(sim) },
 * });
 */
export function createSimulatorNetworkClient(
  simulator: { readonly url: string },
  options: SimulatorNetworkClientOptions = {},
): SimulatorNetworkModule {
  const origin = new URL(simulator.url).origin;
  const makeError = options.createError ?? ((failure: NetworkFailure) => new SimulatorNetworkError(failure));

  async function send<T>(
    method: "GET" | "POST",
    url: string,
    requestOptions: SimulatorNetworkRequestOptions | undefined,
    timeoutMs: number | undefined,
  ): Promise<SimulatorNetworkResponse<T>> {
    const correlationId = requestOptions?.correlationId;
    const failure = (kind: NetworkFailureKind, cause: unknown, status?: number, headers?: Record<string, string>) =>
      makeError({ kind, url, status, headers, correlationId, cause });

    let target: URL;
    try {
      target = new URL(url);
    } catch (cause) {
      throw failure("foreign_host", cause);
    }
    if (target.origin !== origin) throw failure("foreign_host", undefined);

    const headers: Record<string, string> = { ...requestOptions?.headers };
    if (options.sourceAddress !== undefined) headers[SOURCE_ADDRESS_HEADER] = options.sourceAddress;
    const signal = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
    const doFetch = options.fetch ?? globalThis.fetch;

    let response: Response;
    try {
      response = await doFetch(target, {
        method,
        headers,
        ...(method === "POST" ? { body: requestOptions?.body ?? "" } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (cause) {
      throw failure("network", cause);
    }
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    let body: T;
    try {
      body = JSON.parse(await response.text()) as T;
    } catch (cause) {
      throw failure("parse", cause, response.status, responseHeaders);
    }
    options.onResponse?.({ method, url, status: response.status, headers: responseHeaders, body, correlationId });
    return { headers: responseHeaders, body, status: response.status };
  }

  return {
    sendGetRequestAsync: (url, requestOptions, timeout) => send("GET", url, requestOptions, timeout),
    sendPostRequestAsync: (url, requestOptions) => send("POST", url, requestOptions, undefined),
  };
}
