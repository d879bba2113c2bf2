/**
 * The devnet toolkit (Node only — the browser imports lib/devnet/accounts.ts and
 * lib/devnet/config.ts directly, never this file):
 *
 *   const node = await startHardhatNode({ port: 0 });
 *   const devnet = await deployAndSeed(node.rpcUrl);   // addresses, accounts table, seeded intervals
 *   …
 *   await node.stop();
 */
import { DEV_ACCOUNTS, type DevAccount } from "./accounts.ts";
import { deployPowerLAN, type DeployOptions, type PowerLANAddresses } from "./deploy.ts";
import { seedDevnet, type SeedOptions, type SeedResult } from "./seed.ts";
import type { DevnetConnection } from "./hardhat.ts";
import type { MarketParams } from "./config.ts";

export * from "./accounts.ts";
export * from "./config.ts";
export { startHardhatNode, type HardhatNode, type HardhatNodeOptions } from "./node.ts";
export { freePort, portConflict, waitForHttp, waitForRpc, spawnGroup, PROJECT_ROOT, type ManagedProcess } from "./processes.ts";
export { deployPowerLAN, devnetIgnitionParameters, type PowerLANAddresses, type DeployResult } from "./deploy.ts";
export { seedDevnet, devnetContracts, openIntervals, postDemoOrders, demoBookFor, type SeedResult } from "./seed.ts";
export { connectTo, compileContracts, getHre, type DevnetConnection } from "./hardhat.ts";

export interface DevnetDeployment {
  rpcUrl: string;
  chainId: number;
  addresses: PowerLANAddresses;
  /** Who is who (Hardhat's PUBLIC dev accounts). */
  accounts: readonly DevAccount[];
  genesisTime: number;
  marketParams: MarketParams;
  seed: SeedResult;
  /** The Hardhat connection used (viem helpers: `connection.viem.getContractAt(…)`). */
  connection: DevnetConnection;
}

/** Deploy every contract with Ignition and seed the demo energy LAN on the node at `rpcUrl`. */
export async function deployAndSeed(rpcUrl: string, options: DeployOptions & SeedOptions = {}): Promise<DevnetDeployment> {
  const deployed = await deployPowerLAN(rpcUrl, options);
  const seed = await seedDevnet(deployed.connection, deployed.addresses, options);
  return {
    rpcUrl,
    chainId: deployed.chainId,
    addresses: deployed.addresses,
    accounts: DEV_ACCOUNTS,
    genesisTime: deployed.genesisTime,
    marketParams: deployed.marketParams,
    seed,
    connection: deployed.connection,
  };
}
