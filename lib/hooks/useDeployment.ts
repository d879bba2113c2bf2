"use client";

/** Where PowerLAN's contracts are on the app's chain (from the generated lib/contracts). */
import { useChainId, useChains, useConnection } from "wagmi";
import type { Address } from "viem";
import { contractAddress, type ContractName } from "@/lib/contracts";
import { DEVNET_CHAIN_ID, type AppChainId } from "@/lib/wagmi";

export interface Deployment {
  /** The chain the app reads from and writes to (the first configured chain). */
  chainId: AppChainId;
  chainName: string;
  isDevnet: boolean;
  /** False when lib/contracts has no addresses for this chain (run `npm start` / `npm run bindings`). */
  deployed: boolean;
  market?: Address;
  token?: Address;
  registry?: Address;
  committee?: Address;
  supervisor?: Address;
  address(name: ContractName): Address | undefined;
}

export function deploymentOn(chainId: AppChainId, chainName: string): Deployment {
  const address = (name: ContractName) => contractAddress(chainId, name);
  const market = address("EnergyMarket");
  return {
    chainId,
    chainName,
    isDevnet: chainId === DEVNET_CHAIN_ID,
    deployed: market !== undefined,
    market,
    token: address("PaymentToken"),
    registry: address("ParticipantRegistry"),
    committee: address("ValidatorCommittee"),
    supervisor: address("Supervisor"),
    address,
  };
}

/** The app chain's deployment. */
export function useDeployment(): Deployment {
  const [chain] = useChains();
  return deploymentOn(chain.id, chain.name);
}

/** The wallet's connection and whether it is on the app's chain. */
export function useWallet() {
  const connection = useConnection();
  const [appChain] = useChains();
  const configChainId = useChainId();
  const connected = connection.status === "connected" && connection.address !== undefined;
  return {
    address: connected ? connection.address : undefined,
    connected,
    connector: connection.connector,
    walletChainId: connection.chainId ?? configChainId,
    wrongChain: connected && connection.chainId !== appChain.id,
    appChain,
    status: connection.status,
  };
}
