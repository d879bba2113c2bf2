// GENERATED — do not edit; run `npm run bindings` (scripts/gen-bindings.ts).
import type { Address } from "viem";
import { deliverySettlementAbi, energyCertificateAbi, energyMarketAbi, meterLedgerAbi, participantRegistryAbi, paymentChannelsAbi, paymentTokenAbi, supervisorAbi, validatorCommitteeAbi } from "./abis.ts";
import { addresses, type ContractName } from "./addresses.ts";

export * from "./abis.ts";
export * from "./addresses.ts";

export type Layer = "user" | "consensus" | "contract" | "transaction" | "supervision";

/** Every deployable contract: its ABI, its layer and its source file. */
export const contracts = {
  DeliverySettlement: { abi: deliverySettlementAbi, layer: "transaction", source: "contracts/transaction/DeliverySettlement.sol" },
  EnergyCertificate: { abi: energyCertificateAbi, layer: "transaction", source: "contracts/transaction/EnergyCertificate.sol" },
  EnergyMarket: { abi: energyMarketAbi, layer: "contract", source: "contracts/market/EnergyMarket.sol" },
  MeterLedger: { abi: meterLedgerAbi, layer: "consensus", source: "contracts/consensus/MeterLedger.sol" },
  ParticipantRegistry: { abi: participantRegistryAbi, layer: "user", source: "contracts/user/ParticipantRegistry.sol" },
  PaymentChannels: { abi: paymentChannelsAbi, layer: "transaction", source: "contracts/transaction/PaymentChannels.sol" },
  PaymentToken: { abi: paymentTokenAbi, layer: "transaction", source: "contracts/transaction/PaymentToken.sol" },
  Supervisor: { abi: supervisorAbi, layer: "supervision", source: "contracts/supervision/Supervisor.sol" },
  ValidatorCommittee: { abi: validatorCommitteeAbi, layer: "consensus", source: "contracts/consensus/ValidatorCommittee.sol" },
} as const satisfies Record<ContractName, { abi: readonly unknown[]; layer: Layer; source: string }>;

/** The chain ids with a known deployment. */
export const deployedChainIds: readonly number[] = Object.keys(addresses).map(Number);

/** The address of `name` on `chainId`, or undefined if it is not deployed there. */
export function contractAddress(chainId: number, name: ContractName): Address | undefined {
  const chain = (addresses as Record<number, Partial<Record<ContractName, Address>>>)[chainId];
  return chain?.[name];
}
