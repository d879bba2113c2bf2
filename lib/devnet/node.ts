/**
 * Start and stop a local Hardhat node (Node only). Used by `npm start` and the browser e2e test.
 *
 *   const node = await startHardhatNode({ port: 0 });   // 0: any free port
 *   … node.rpcUrl …
 *   await node.stop();
 */
import path from "node:path";
import { DEVNET_CHAIN_ID, DEVNET_RPC_HOST, DEVNET_RPC_PORT } from "./config.ts";
import { freePort, packageBin, PROJECT_ROOT, spawnGroup, waitForRpc, type ManagedProcess } from "./processes.ts";

export { freePort, portConflict, waitForHttp, waitForRpc } from "./processes.ts";

export interface HardhatNodeOptions {
  /** Port to listen on; 0 picks a free one. Default 8545. */
  port?: number;
  /** Default 127.0.0.1 (local only). */
  hostname?: string;
  /** Where the node's output goes. Default .powerlan/logs/hardhat-node-<port>.log */
  logFile?: string;
  /** How long to wait for the node to answer. Default 60 s. */
  timeoutMs?: number;
}

export interface HardhatNode {
  readonly rpcUrl: string;
  readonly port: number;
  readonly chainId: number;
  readonly logFile: string;
  readonly process: ManagedProcess;
  /** Stop the node and everything it started (its whole process group). Idempotent. */
  stop(): Promise<void>;
}

/** Start `hardhat node` (chain id 31337, automine, 20 unlocked public dev accounts) and wait until it answers. */
export async function startHardhatNode(options: HardhatNodeOptions = {}): Promise<HardhatNode> {
  const port = options.port === 0 ? await freePort() : (options.port ?? DEVNET_RPC_PORT);
  const hostname = options.hostname ?? DEVNET_RPC_HOST;
  const logFile = options.logFile ?? path.join(PROJECT_ROOT, ".powerlan", "logs", `hardhat-node-${port}.log`);
  const proc = spawnGroup(
    "hardhat node",
    process.execPath,
    [packageBin("hardhat", "dist/src/cli.js"), "node", "--hostname", hostname, "--port", String(port)],
    { logFile, env: { ...process.env, FORCE_COLOR: "0" } },
  );
  const rpcUrl = `http://${hostname === "0.0.0.0" ? "127.0.0.1" : hostname}:${port}`;
  let chainId: number;
  try {
    chainId = await waitForRpc(rpcUrl, {
      timeoutMs: options.timeoutMs ?? 60_000,
      abortIf: () => (proc.hasExited() ? `hardhat node exited:\n${proc.recentOutput()}` : null),
    });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  if (chainId !== DEVNET_CHAIN_ID) {
    await proc.stop();
    throw new Error(`hardhat node answered with chain id ${chainId}, expected ${DEVNET_CHAIN_ID}`);
  }
  return { rpcUrl, port, chainId, logFile, process: proc, stop: () => proc.stop() };
}
