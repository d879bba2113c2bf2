/**
 * Deploy PowerLAN to a running devnet node with Hardhat Ignition (Node only).
 *
 * The deployment state (scripts/deploy/deployments/<deploymentId>/) is wiped first, so every run
 * against a fresh node is a fresh deployment; on a fresh Hardhat node the addresses are always the
 * same (deployer nonce 0…4), which is why lib/contracts/addresses.ts can commit them.
 */
import fs from "node:fs";
import path from "node:path";
import type { Address } from "viem";
import { DEVNET_CAST } from "./accounts.ts";
import {
  DEVNET_CHANNEL_CHALLENGE_BLOCKS,
  DEVNET_MARKET_PARAMS,
  DEVNET_METER_MAX_EXPORT_WH,
  DEVNET_RPC_PORT,
  devnetDeploymentId,
  devnetGenesisTime,
  IGNITION_MODULE_ID,
  type MarketParams,
} from "./config.ts";
import { connectTo, getHre, type DevnetConnection } from "./hardhat.ts";

/** The deployed contracts of the five layers, by contract name. */
export type PowerLANAddresses = {
  PaymentToken: Address;
  ParticipantRegistry: Address;
  ValidatorCommittee: Address;
  EnergyMarket: Address;
  Supervisor: Address;
  PaymentChannels: Address;
  MeterLedger: Address;
  EnergyCertificate: Address;
};

export interface DeployOptions {
  /**
   * Ignition deployment id (folder under scripts/deploy/deployments/). Default: `chain-<chainId>`
   * for the standard devnet port 8545 (the folder lib/contracts/addresses.ts is generated from),
   * `devnet-<port>` for a node on any other port (e.g. a test's), so the two never clobber each other.
   */
  deploymentId?: string;
  marketParams?: MarketParams;
  /** Unix seconds where interval 0 starts. Default: midnight UTC today. */
  genesisTime?: number;
  /** MeterLedger's export rating of meters without their own, Wh per interval. Default DEVNET_METER_MAX_EXPORT_WH. */
  meterDefaultMaxExportWh?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface DeployResult {
  chainId: number;
  deploymentId: string;
  deploymentDir: string;
  addresses: PowerLANAddresses;
  genesisTime: number;
  marketParams: MarketParams;
  connection: DevnetConnection;
}

/** The Ignition parameters of the devnet deployment (module id → parameter → value). */
export function devnetIgnitionParameters(marketParams: MarketParams, genesisTime: number, meterDefaultMaxExportWh: number = DEVNET_METER_MAX_EXPORT_WH) {
  return {
    [IGNITION_MODULE_ID]: {
      regulator: DEVNET_CAST.regulator.address,
      dso: DEVNET_CAST.dso.address,
      validators: DEVNET_CAST.validators.map((v) => v.address),
      faucetEnabled: true,
      marketParams: { ...marketParams },
      genesisTime: BigInt(genesisTime),
      // Devnet blocks are mined per transaction, so challenge periods are short in blocks.
      minChallengePeriodBlocks: BigInt(DEVNET_CHANNEL_CHALLENGE_BLOCKS.min),
      maxChallengePeriodBlocks: BigInt(DEVNET_CHANNEL_CHALLENGE_BLOCKS.max),
      meterDefaultMaxExportWh: BigInt(meterDefaultMaxExportWh),
    },
  };
}

/** Deploy every PowerLAN contract to the node at `rpcUrl` with Ignition (fresh deployment state). */
export async function deployPowerLAN(rpcUrl: string, options: DeployOptions = {}): Promise<DeployResult> {
  const hre = await getHre();
  const connection = await connectTo(rpcUrl);
  const chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
  const port = new URL(rpcUrl).port;
  const deploymentId = options.deploymentId ?? (port === String(DEVNET_RPC_PORT) ? devnetDeploymentId(chainId) : `devnet-${port || "80"}`);
  const deploymentDir = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  fs.rmSync(deploymentDir, { recursive: true, force: true });
  return deployPowerLANOn(connection, { ...options, deploymentId }, deploymentDir);
}

/**
 * Deploy every PowerLAN contract with Ignition over an existing Hardhat connection — e.g. an
 * in-process simulated network (`hre.network.create()`, used by `npm run simulate`), where Ignition
 * keeps its state in memory when no `deploymentId` is given.
 */
export async function deployPowerLANOn(connection: DevnetConnection, options: DeployOptions = {}, deploymentDir = ""): Promise<DeployResult> {
  const log = options.log ?? (() => {});
  const chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
  const deploymentId = options.deploymentId ?? "";
  const marketParams = options.marketParams ?? DEVNET_MARKET_PARAMS;
  const genesisTime = options.genesisTime ?? devnetGenesisTime();
  const { default: PowerLANModule } = await import("../../scripts/deploy/modules/PowerLAN.ts");
  log(`Ignition module ${IGNITION_MODULE_ID} → deployment ${deploymentId || "(in memory)"} (fresh)`);
  const deployed = await connection.ignition.deploy(PowerLANModule, {
    ...(deploymentId ? { deploymentId } : {}),
    parameters: devnetIgnitionParameters(marketParams, genesisTime, options.meterDefaultMaxExportWh),
    // The devnet mines instantly; don't wait the default second between receipt polls.
    config: { blockPollingInterval: 50 },
  });
  const addresses: PowerLANAddresses = {
    PaymentToken: deployed.paymentToken.address,
    ParticipantRegistry: deployed.participantRegistry.address,
    ValidatorCommittee: deployed.validatorCommittee.address,
    EnergyMarket: deployed.energyMarket.address,
    Supervisor: deployed.supervisor.address,
    PaymentChannels: deployed.paymentChannels.address,
    MeterLedger: deployed.meterLedger.address,
    EnergyCertificate: deployed.energyCertificate.address,
  };
  for (const [name, address] of Object.entries(addresses)) log(`${name.padEnd(20)} ${address}`);
  return { chainId, deploymentId, deploymentDir, addresses, genesisTime, marketParams, connection };
}
