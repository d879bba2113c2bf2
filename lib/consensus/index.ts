/**
 * Consensus layer, off-chain side: meter readings (EIP-712), Merkle trees over an interval's
 * readings, validators that attest roots and finalise intervals, and simulated meters.
 * See contracts/interfaces/IMeterLedger.sol and IValidatorCommittee.sol for the on-chain side.
 */
export * from "./abi.ts";
export * from "./merkle.ts";
export * from "./meters.ts";
export * from "./readings.ts";
export * from "./validator.ts";
