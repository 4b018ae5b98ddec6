/**
 * One simulated tenant for a scenario benchmark: the Entra simulator on a manual clock,
 * real msal-node apps talking to it over loopback HTTP through the demo's keep-alive
 * network module (the demo's own plumbing, reused).
 */
import * as http from "node:http";
import * as msal from "@azure/msal-node";
import { createLoopbackNetwork, type DemoNetworkModule, type LoopbackNetwork } from "../src/demo/network.js";
import { createManualClock, startEntraSimulator, type EntraSimulator, type EntraSimulatorOptions, type ManualClock, type RequestLogEntry } from "../src/testing/index.js";

/** 2026-01-01T00:00:00Z, as in the demo. */
export const START_MS = 1_767_225_600_000;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const JOB_APP = "0b1ee7a1-5e57-4c1a-9d6e-000000000001";
export const SCOPES = ["https://graph.microsoft.com/User.Read"];

export interface BenchTenant {
  readonly sim: EntraSimulator;
  readonly clock: ManualClock;
  readonly network: LoopbackNetwork;
  /** A fresh public client app on `sourceAddress`; `wrap` may replace its network module. */
  app(options?: { readonly sourceAddress?: string; readonly wrap?: (network: DemoNetworkModule) => DemoNetworkModule }): msal.PublicClientApplication;
  /** Token-endpoint requests the simulator received. */
  tokenRequests(keep?: (entry: RequestLogEntry) => boolean): RequestLogEntry[];
  close(): Promise<void>;
}

export async function startBenchTenant(options: EntraSimulatorOptions): Promise<BenchTenant> {
  const clock = createManualClock(START_MS);
  const sim = await startEntraSimulator({ clock, clients: [{ clientId: JOB_APP, type: "public" }], ...options });
  const network = createLoopbackNetwork(http, sim.url);
  return {
    sim,
    clock,
    network,
    app: ({ sourceAddress, wrap } = {}) => {
      const base = network.client(sourceAddress);
      return new msal.PublicClientApplication({
        auth: sim.msalNodeAuth(JOB_APP),
        system: { networkClient: (wrap?.(base) ?? base) as msal.INetworkModule, loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } },
      });
    },
    tokenRequests: (keep = () => true) => sim.requests.filter((entry) => entry.endpoint === "token" && keep(entry)),
    async close() {
      network.close();
      await sim.close();
    },
  };
}

/** What the simulator answered, e.g. `{ AADSTS50053: 4, AADSTS50196: 9000 }`. */
export function answers(entries: readonly RequestLogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of entries) {
    const answer = entry.status === 200 ? "token" : entry.codes.length > 0 ? `AADSTS${entry.codes[entry.codes.length - 1]}` : `HTTP ${entry.status ?? "dropped"}`;
    out[answer] = (out[answer] ?? 0) + 1;
  }
  return out;
}
