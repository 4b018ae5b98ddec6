// A real redis-server for the tests: a child process on a free loopback port, no
// persistence, stopped (or killed, paused, restarted on the same port) on request.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, Socket } from "node:net";

const CANDIDATES = [process.env.REDIS_SERVER, "/usr/bin/redis-server", "/usr/local/bin/redis-server"];

/** The redis-server binary, or an error telling how to get it. Never skips silently. */
export function redisServerBinary(): string {
  const found = CANDIDATES.find((path): path is string => path !== undefined && existsSync(path));
  if (found === undefined) {
    throw new Error("redis-server not found (looked in $REDIS_SERVER, /usr/bin, /usr/local/bin). .ci/run installs it: apt-get install redis-server");
  }
  return found;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** The running server's process id (changes on restart). */
  readonly pid: number;
  /** Stops it gracefully (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port (empty: no persistence). */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /** A fixed port (e.g. for cluster nodes); @default a free one */
  readonly port?: number;
  /** Extra arguments, e.g. `["--cluster-enabled", "yes"]`. */
  readonly args?: readonly string[];
  /** Working directory (cluster nodes write nodes.conf there). */
  readonly cwd?: string;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisServerBinary();
  const port = options.port ?? (await freePort());
  let child = await launch(binary, port, options);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid as number;
    },
    stop: () => terminate(child, "SIGTERM"),
    kill: () => terminate(child, "SIGKILL"),
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    async restart() {
      await terminate(child, "SIGKILL");
      child = await launch(binary, port, options);
    },
  };
}

async function launch(binary: string, port: number, options: RedisServerOptions): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning", ...(options.args ?? [])];
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"], cwd: options.cwd });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`redis-server exited (${code}) on port ${port}: ${stderr}`))));
  exited.catch(() => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await ping(port)) return child;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not answer PING on port ${port} within 10 s: ${stderr}`);
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20))]);
  }
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGCONT"); // a paused server cannot act on SIGTERM
  child.kill(signal);
  await exited;
}

/** True when something on `port` answers `+PONG`. */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = "";
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once("error", () => finish(false));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG"));
    });
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
