/**
 * The demo's MSAL network module: real HTTP to the simulator over loopback, with
 * keep-alive connections. msal-node's own client (fetch, a fresh connection per
 * request) is correct but slow for tens of thousands of requests; this one is several
 * times faster, so the demo finishes in seconds. Every request still crosses a socket
 * and is answered (and logged) by the simulator.
 *
 * It refuses any URL that is not on the simulator, and can declare a simulated source
 * address per app (the host a ghost client runs on).
 */
import type * as Http from "node:http";
import { SOURCE_ADDRESS_HEADER } from "../testing/network-client.js";

/** Structurally msal-node's `INetworkModule`. */
export interface DemoNetworkModule {
  sendGetRequestAsync<T>(url: string, options?: DemoRequestOptions, timeout?: number): Promise<DemoNetworkResponse<T>>;
  sendPostRequestAsync<T>(url: string, options?: DemoRequestOptions): Promise<DemoNetworkResponse<T>>;
}

interface DemoRequestOptions {
  headers?: Record<string, string>;
  body?: string;
}

interface DemoNetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}

export interface LoopbackNetwork {
  /** A network module for one app; `sourceAddress` is the simulated host it runs on. */
  client(sourceAddress?: string): DemoNetworkModule;
  /** Closes the keep-alive connections. */
  close(): void;
}

/**
 * Creates keep-alive network modules for apps talking to the simulator at `simulatorUrl`.
 * `http` is `node:http` (passed in: the CLI loads it at run time).
 */
export function createLoopbackNetwork(http: Pick<typeof Http, "Agent" | "request">, simulatorUrl: string): LoopbackNetwork {
  const origin = new URL(simulatorUrl).origin;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  function send<T>(method: "GET" | "POST", url: string, options: DemoRequestOptions | undefined, sourceAddress: string | undefined, timeoutMs?: number): Promise<DemoNetworkResponse<T>> {
    return new Promise((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (target.origin !== origin) {
        reject(new Error(`demo network: refusing ${target.origin}: only the simulator at ${origin} is reachable`));
        return;
      }
      const body = method === "POST" ? (options?.body ?? "") : undefined;
      const headers: Record<string, string> = { ...options?.headers };
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
      if (sourceAddress !== undefined) headers[SOURCE_ADDRESS_HEADER] = sourceAddress;
      const req = http.request(target, { method, agent, headers, ...(timeoutMs ? { timeout: timeoutMs } : {}) }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => {
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === "string") responseHeaders[name] = value;
            else if (Array.isArray(value)) responseHeaders[name] = value.join(", ");
          }
          try {
            resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: JSON.parse(text) as T });
          } catch {
            reject(new Error(`demo network: HTTP ${res.statusCode ?? "?"} from ${target.pathname} was not JSON`));
          }
        });
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`demo network: ${method} ${target.pathname} timed out`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  return {
    client(sourceAddress) {
      return {
        sendGetRequestAsync: (url, options, timeout) => send("GET", url, options, sourceAddress, timeout),
        sendPostRequestAsync: (url, options) => send("POST", url, options, sourceAddress),
      };
    },
    close() {
      agent.destroy();
    },
  };
}
