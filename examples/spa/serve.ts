// Serves the msal-guard SPA demo: bundles main.ts and the redirect bridge with esbuild,
// starts the Entra simulator with three demo users, and serves the page on
// http://127.0.0.1:<port>.
//
//   npm run example:spa                 # msal-guard/browser from src/ (no build needed)
//   npm run example:spa -- --dist       # from dist/ (after npm run build)
//   npm run example:spa -- --port 8080
//
// Tests import startSpaDemo() and drive the page with Chromium (test/chromium/).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { startEntraSimulator, type EntraSimulator, type EntraSimulatorOptions, type SimulatorClock } from "../../src/testing/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");

/** The demo tenant's people. Passwords only matter for locking `locked`. */
export const DEMO_USERS = {
  /** Signs in normally; the simulated browser session belongs to her. */
  normal: "ada@contoso.test",
  /** Locked by smart lockout (ten wrong passwords) when the demo starts. */
  locked: "lee@contoso.test",
  /** Blocked by a Conditional Access policy. */
  blocked: "blake@contoso.test",
} as const;
export const DEMO_CLIENT_ID = "5e1f3a52-0000-4000-8000-00000000d3e0";
export const DEMO_CA_POLICY = "7d8c2f10-ca00-4b10-9000-00000000b10c";
const DEMO_PASSWORD = "Correct-Horse-7";

/** What the page fetches from `/config.json`. */
export interface SpaDemoConfig {
  readonly auth: {
    clientId: string;
    authority: string;
    knownAuthorities: string[];
    authorityMetadata: string;
    redirectUri: string;
  };
  readonly scopes: readonly string[];
  readonly users: typeof DEMO_USERS;
}

export interface SpaDemoOptions {
  /** Port of the page server on 127.0.0.1. @default 0 (a random free port) */
  readonly port?: number;
  /**
   * How `msal-guard/browser` (and `msal-guard`) are bundled: `source` maps them to
   * `src/**` (works without a build); `dist` to `dist/` (run `npm run build` first).
   * @default "source"
   */
  readonly resolve?: "source" | "dist";
  /** The simulator's clock (tests pass a manual one so the lockout never ends). @default the wall clock */
  readonly clock?: SimulatorClock;
  /** Lock the `locked` user with ten wrong passwords at start. @default true */
  readonly lockLockedUser?: boolean;
  /** More simulator options (users and clients are the demo's). */
  readonly simulator?: Omit<EntraSimulatorOptions, "users" | "clients" | "clock">;
  /** Inline source maps in the bundle. @default false */
  readonly sourcemap?: boolean;
}

export interface SpaDemo {
  /** The page, e.g. `http://127.0.0.1:5173/`. */
  readonly url: string;
  readonly sim: EntraSimulator;
  readonly config: SpaDemoConfig;
  close(): Promise<void>;
}

/** Resolves `msal-guard` and `msal-guard/browser` to the source tree or the build. */
function msalGuardResolver(mode: "source" | "dist"): Plugin {
  const targets: Record<string, string> =
    mode === "source"
      ? { "msal-guard": join(ROOT, "src/index.ts"), "msal-guard/browser": join(ROOT, "src/browser/index.ts") }
      : { "msal-guard": join(ROOT, "dist/index.js"), "msal-guard/browser": join(ROOT, "dist/browser.js") };
  return {
    name: "msal-guard-resolver",
    setup(builder) {
      builder.onResolve({ filter: /^msal-guard(\/browser)?$/ }, (args) => {
        const path = targets[args.path] as string;
        if (!existsSync(path)) {
          return { errors: [{ text: `${args.path} → ${path} does not exist${mode === "dist" ? " (run npm run build first)" : ""}` }] };
        }
        return { path };
      });
    },
  };
}

/** Bundles the page and the redirect bridge in memory. */
export async function bundleSpa(mode: "source" | "dist" = "source", sourcemap = false): Promise<Map<string, string>> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: join(HERE, "main.ts"), redirect: join(HERE, "redirect.ts") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outdir: join(HERE, "out"),
    write: false,
    sourcemap: sourcemap ? "inline" : false,
    logLevel: "silent",
    plugins: [msalGuardResolver(mode)],
  });
  const files = new Map<string, string>();
  for (const file of result.outputFiles) files.set(`/${file.path.split("/").pop() as string}`, file.text);
  return files;
}

/** Ten counted wrong passwords: smart lockout locks the account (as an attacker would). */
async function lockAccount(sim: EntraSimulator, clientId: string, username: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await fetch(sim.endpoints.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "password", client_id: clientId, username, password: `guess-${attempt}`, scope: "openid" }).toString(),
    });
  }
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

/** Starts the simulator and the page server. */
export async function startSpaDemo(options: SpaDemoOptions = {}): Promise<SpaDemo> {
  const files = await bundleSpa(options.resolve ?? "source", options.sourcemap ?? false);
  const pages = new Map([
    ["/", await readFile(join(HERE, "index.html"), "utf8")],
    ["/redirect.html", await readFile(join(HERE, "redirect.html"), "utf8")],
  ]);

  const sim = await startEntraSimulator({
    ...options.simulator,
    ...(options.clock ? { clock: options.clock } : {}),
    users: [
      { username: DEMO_USERS.normal, password: DEMO_PASSWORD, displayName: "Ada Lovelace" },
      { username: DEMO_USERS.locked, password: DEMO_PASSWORD, displayName: "Lee Locked" },
      { username: DEMO_USERS.blocked, password: DEMO_PASSWORD, displayName: "Blake Blocked" },
    ],
    clients: [{ clientId: DEMO_CLIENT_ID }],
    conditionalAccess: [...(options.simulator?.conditionalAccess ?? []), { policyId: DEMO_CA_POLICY, users: [DEMO_USERS.blocked], action: "block" }],
    interactiveUser: options.simulator?.interactiveUser ?? DEMO_USERS.normal,
    // Long enough for a demo session; msal-guard's own window (a minute at first) is what the notice counts down.
    lockout: options.simulator?.lockout ?? { durationMs: 30 * 60_000 },
  });
  if (options.lockLockedUser ?? true) await lockAccount(sim, DEMO_CLIENT_ID, DEMO_USERS.locked);
  sim.resetLog();

  let config: SpaDemoConfig | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "GET only");
    const page = pages.get(path === "/index.html" ? "/" : path);
    if (page !== undefined) return send(200, "text/html; charset=utf-8", page);
    const script = files.get(path);
    if (script !== undefined) return send(200, "text/javascript; charset=utf-8", script);
    if (path === "/config.json") return send(200, "application/json", JSON.stringify(config));
    if (path === "/favicon.ico") return send(204, "image/x-icon", "");
    return send(404, "text/plain", "Not found");
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  let port: number;
  try {
    port = await listen(server, options.port ?? 0);
  } catch (error) {
    await sim.close();
    throw error;
  }
  const url = `http://127.0.0.1:${port}/`;
  config = {
    auth: sim.msalBrowserAuth(DEMO_CLIENT_ID, { redirectUri: `http://127.0.0.1:${port}/redirect.html` }),
    scopes: ["User.Read"],
    users: DEMO_USERS,
  };

  return {
    url,
    sim,
    config,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
      await sim.close();
    },
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const portIndex = argv.indexOf("--port");
  const port = portIndex >= 0 ? Number(argv[portIndex + 1]) : 5173;
  const mode = argv.includes("--dist") ? "dist" : "source";
  let demo: SpaDemo;
  try {
    demo = await startSpaDemo({ port, resolve: mode, sourcemap: true });
  } catch (error) {
    if ((error as { code?: string }).code !== "EADDRINUSE" || portIndex >= 0) throw error;
    demo = await startSpaDemo({ resolve: mode, sourcemap: true });
  }
  process.stdout.write(
    [
      `msal-guard SPA demo (msal-guard/browser from ${mode === "source" ? "src/" : "dist/"}):`,
      ``,
      `  ${demo.url}`,
      ``,
      `  simulator  ${demo.sim.url} (tenant ${demo.sim.tenantId})`,
      `  users      ${DEMO_USERS.normal} (signed in at the simulated sign-in page)`,
      `             ${DEMO_USERS.locked} (locked: ten wrong passwords)`,
      `             ${DEMO_USERS.blocked} (blocked by Conditional Access policy ${DEMO_CA_POLICY})`,
      ``,
      `Ctrl+C stops.`,
      ``,
    ].join("\n"),
  );
  const stop = () => {
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
