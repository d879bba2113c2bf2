/**
 * Child-process control for the devnet (Node only): every child runs in its own process group,
 * and stopping it kills the whole group (a `next dev` or `hardhat node` may have children of its
 * own), so nothing is left behind. Groups still alive when this process exits are killed from an
 * `exit` hook as a last resort.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is lib/devnet/processes.ts). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A running child process group started by `spawnGroup`. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or null when killed by a signal) once the child has exited. */
  readonly exited: Promise<number | null>;
  /** True once the child has exited. */
  hasExited(): boolean;
  /** The last lines the child printed (stdout and stderr), for error messages. */
  recentOutput(): string;
  /** SIGTERM the whole group, wait up to `graceMs`, then SIGKILL it. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnGroupOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Append everything the child prints to this file (created with its directory). */
  logFile?: string;
  /** Called with every line the child prints. */
  onLine?: (line: string) => void;
  /** Keep this many recent lines for `recentOutput()` (default 60). */
  keepLines?: number;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pgid of liveGroups) killGroup(pgid, "SIGKILL");
  });
}

/** Send `signal` to process group `pgid`; false if the group no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of group `pgid` is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Start `command args` in a new process group (detached), with output captured. */
export function spawnGroup(name: string, command: string, args: readonly string[], options: SpawnGroupOptions = {}): ManagedProcess {
  installExitHook();
  const keep = options.keepLines ?? 60;
  const recent: string[] = [];
  let log: fs.WriteStream | undefined;
  if (options.logFile) {
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    log = fs.createWriteStream(options.logFile, { flags: "w" });
  }
  const child = spawn(command, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  liveGroups.add(pid);

  let exited = false;
  const exitedPromise = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      exited = true;
      resolve(code);
    });
    child.once("error", () => {
      exited = true;
      resolve(null);
    });
  });

  const onData = (stream: NodeJS.ReadableStream): void => {
    let buffer = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      log?.write(chunk);
      buffer += chunk;
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        recent.push(line);
        if (recent.length > keep) recent.shift();
        options.onLine?.(line);
        newline = buffer.indexOf("\n");
      }
    });
  };
  if (child.stdout) onData(child.stdout);
  if (child.stderr) onData(child.stderr);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000): Promise<void> => {
    stopping ??= (async () => {
      killGroup(pid, "SIGTERM");
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && (groupAlive(pid) || !exited)) await sleep(50);
      if (groupAlive(pid)) killGroup(pid, "SIGKILL");
      // The direct child is in the group, so it is gone now; wait for its exit event.
      await Promise.race([exitedPromise, sleep(2_000)]);
      while (groupAlive(pid)) await sleep(50);
      liveGroups.delete(pid);
      log?.end();
    })();
    return stopping;
  };

  return {
    name,
    pid,
    child,
    exited: exitedPromise,
    hasExited: () => exited,
    recentOutput: () => recent.join("\n"),
    stop,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolve a package's bin script (run it with `process.execPath`, i.e. this same Node 22). */
export function packageBin(pkg: string, binPath: string): string {
  return path.join(PROJECT_ROOT, "node_modules", pkg, binPath);
}

// ─────────────────────────────────── ports ───────────────────────────────────

function canConnect(port: number, host: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Null if `port` is free, else a sentence saying it is busy and, when `ss` can tell, by whom.
 * Checks both that nothing answers on localhost and that the port can be bound on all interfaces.
 */
export async function portConflict(port: number): Promise<string | null> {
  const answering = (await canConnect(port, "127.0.0.1")) || (await canConnect(port, "::1"));
  const bindable = !answering && (await canListen(port, "0.0.0.0")) && (await canListen(port, "127.0.0.1"));
  if (bindable) return null;
  let who = "";
  const ss = spawnSync("ss", ["-Hltnp", `sport = :${port}`], { encoding: "utf8" });
  if (ss.status === 0) {
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(ss.stdout);
    if (match) who = ` by ${match[1]} (pid ${match[2]})`;
  }
  return `port ${port} is already in use${who}`;
}

/** A TCP port that is free right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ──────────────────────────────────── RPC ────────────────────────────────────

/** One JSON-RPC call over HTTP (no client library: used before anything else is up). */
export async function rpcCall<T = unknown>(rpcUrl: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Give up early (e.g. the process that should answer has exited). */
  abortIf?: () => string | null;
}

/** Wait until `rpcUrl` answers `eth_chainId`; returns the chain id. */
export async function waitForRpc(rpcUrl: string, options: WaitOptions = {}): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    try {
      return Number(await rpcCall<string>(rpcUrl, "eth_chainId"));
    } catch (error) {
      const reason = options.abortIf?.();
      if (reason) throw new Error(`${rpcUrl} will not answer: ${reason}`, { cause: error });
      if (Date.now() > deadline) throw new Error(`${rpcUrl} did not answer eth_chainId in time (${String(error)})`, { cause: error });
      await sleep(options.intervalMs ?? 100);
    }
  }
}

/** Wait until `url` answers an HTTP GET (any status: the caller judges it); returns the status. */
export async function waitForHttp(url: string, options: WaitOptions = {}): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      const reason = options.abortIf?.();
      if (reason) throw new Error(`${url} will not answer: ${reason}`, { cause: error });
      if (Date.now() > deadline) throw new Error(`${url} did not answer in time (${String(error)})`, { cause: error });
      await sleep(options.intervalMs ?? 250);
    }
  }
}
