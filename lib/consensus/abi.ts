/**
 * The slices of the consensus contracts' ABIs that lib/consensus calls, typed `as const` via
 * viem's parseAbi. Hand-written so this library does not depend on the generated bindings;
 * test/contracts/consensus/ConsensusLib.ts checks every entry against the compiled artifacts.
 */
import { parseAbi } from "viem";

export const meterLedgerAbi = parseAbi([
  "struct MeterReading { address meter; uint64 interval; uint32 importedWh; uint32 exportedWh; }",
  "function recordReadings(MeterReading[] readings, bytes[] meterSignatures, bytes32[][] proofs)",
  "function readingOf(address account, uint64 interval) view returns (bool recorded, uint32 importedWh, uint32 exportedWh)",
  "function maxExportWhOf(address meter) view returns (uint32)",
  "function registry() view returns (address)",
  "function committee() view returns (address)",
  "function clock() view returns (address)",
  "function MAX_READINGS_PER_BATCH() view returns (uint256)",
  "function creditScoreOf(address account) view returns (uint16)",
  "error MeterLedgerBatchTooLarge(uint256 given, uint256 max)",
  "error MeterLedgerLengthMismatch(uint256 readings, uint256 signatures, uint256 proofs)",
  "error MeterLedgerClockNotSet()",
  "error MeterLedgerSignerNotBound(address recovered, address meter)",
  "error MeterLedgerFutureInterval(uint64 interval, uint64 currentInterval)",
  "error MeterLedgerIntervalNotFinal(uint64 interval)",
  "error MeterLedgerReadingNotAttested(address meter, uint64 interval)",
  "error MeterLedgerDuplicateReading(address meter, uint64 interval)",
  "error MeterLedgerExportAboveRating(uint32 exportedWh, uint32 maxWh)",
  "event ReadingRecorded(address indexed account, uint64 indexed interval, address indexed meter, uint32 importedWh, uint32 exportedWh)",
]);

export const validatorCommitteeAbi = parseAbi([
  "function finalizeReadings(uint64 interval, bytes32 readingsRoot, bytes[] signatures)",
  "function finalizedReadingsRoot(uint64 interval) view returns (bytes32)",
  "function isValidator(address account) view returns (bool)",
  "function validators() view returns (address[])",
  "function quorum() view returns (uint256)",
  "function validatorSetEpoch() view returns (uint64)",
  "function changeValidatorSet(address[] add, address[] remove, bytes[] signatures)",
  "error CommitteeNotEnoughSignatures(uint256 given, uint256 quorum)",
  "error CommitteeNotValidator(address signer)",
  "error CommitteeDuplicateSigner(address signer)",
  "error CommitteeSignersNotAscending(address signer, address previous)",
  "error CommitteeAlreadyFinalized(uint64 interval)",
  "error CommitteeZeroRoot()",
  "event ReadingsFinalized(uint64 indexed interval, bytes32 readingsRoot, uint256 signers)",
]);

export const intervalClockAbi = parseAbi(["function currentInterval() view returns (uint64)"]);

export const participantRegistryAbi = parseAbi(["function accountOfMeter(address meter) view returns (address)"]);
