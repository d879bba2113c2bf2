// GENERATED — do not edit; run `npm run bindings` (scripts/gen-bindings.ts).
// Deployed addresses per chain id, from scripts/deploy/deployments/chain-<id>/deployed_addresses.json.
// 31337 is the local devnet (`npm start`): a fresh Hardhat node always gets these addresses.
import type { Address } from "viem";

/** Names of the deployable contracts. */
export const contractNames = ["DeliverySettlement","EnergyCertificate","EnergyMarket","MeterLedger","ParticipantRegistry","PaymentChannels","PaymentToken","Supervisor","ValidatorCommittee"] as const;
export type ContractName = (typeof contractNames)[number];

/** chain id → contract name → address. */
export const addresses = {
  31337: {
    EnergyCertificate: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
    EnergyMarket: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
    MeterLedger: "0x0165878A594ca255338adfa4d48449f69242Eb8F",
    ParticipantRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    PaymentChannels: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
    PaymentToken: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    Supervisor: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
    ValidatorCommittee: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  },
} as const satisfies Record<number, Partial<Record<ContractName, Address>>>;
