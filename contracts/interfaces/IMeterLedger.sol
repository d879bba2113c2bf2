// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The market's interval clock, as seen by the consensus layer
/// @notice Market interval numbers are THE interval numbers everywhere. `EnergyMarket` implements
/// this (its `currentInterval()`); a reading for interval i may be recorded once i < currentInterval(),
/// i.e. once i's delivery is over.
interface IIntervalClock {
    /// @notice The interval whose delivery is under way now.
    function currentInterval() external view returns (uint64);
}

/// @title Consensus layer: the meter ledger and credit scores
/// @notice Physical facts of the energy LAN. Each smart meter signs its reading of an interval
/// (EIP-712, domain "PowerLAN MeterLedger" / "1" with chain id and this contract's address, type
/// `MeterReading(address meter,uint64 interval,uint32 importedWh,uint32 exportedWh)`) with its own
/// key, the key bound to a participant in the `ParticipantRegistry`. Validators check the readings
/// off-chain, build a Merkle tree over the interval's readings and a quorum of them signs its root
/// (`IValidatorCommittee.finalizeReadings`). Then anyone records the readings here in batches, each
/// with its meter signature and its Merkle proof against the final root; the ledger stores one
/// packed slot per (account, interval) that the market reads to settle on metered delivery.
///
/// Merkle tree (OpenZeppelin-compatible, "standard" double-hashed leaves, sorted-pair hashing):
///   leaf = keccak256(bytes.concat(keccak256(abi.encode(meter, interval, importedWh, exportedWh))))
/// verified with OZ `MerkleProof`. lib/consensus/merkle.ts builds the same tree off-chain.
///
/// Credit score: per account, in basis points (0 … 10,000), 10,000 for an account with no history.
/// After each delivery the market (SCORER_ROLE) reports (soldWh, deliveredWh) and the score moves as
/// an exponential moving average of the delivery ratio with weight 1/CREDIT_EMA_DIVISOR:
///   ratioBps = min(deliveredWh, soldWh) × 10,000 / soldWh            (floor)
///   scoreBps' = scoreBps + ceil(|ratioBps − scoreBps| / CREDIT_EMA_DIVISOR) × sign(ratioBps − scoreBps)
/// Rounding the step away from zero makes the score reach the ratio exactly (no sticking one point
/// short of 10,000) and never overshoot it, so it always stays within [0, 10,000].
interface IMeterLedger {
    /// @notice One meter's reading of one interval, as the meter signs it.
    struct MeterReading {
        address meter; // the meter's signing key (bound to an account in the registry)
        uint64 interval; // market interval number
        uint32 importedWh; // energy taken from the feeder during the interval
        uint32 exportedWh; // energy sent to the feeder during the interval
    }

    /// @notice A participant's delivery history (for the UI and the market's risk checks).
    struct DeliveryHistory {
        uint16 creditScoreBps; // 0 … 10,000
        uint64 soldWh; // sum of soldWh ever reported
        uint64 deliveredWh; // sum of min(deliveredWh, soldWh) ever reported
        uint32 deliveries; // number of reports
    }

    error MeterLedgerBatchTooLarge(uint256 given, uint256 max);
    error MeterLedgerLengthMismatch(uint256 readings, uint256 signatures, uint256 proofs);
    error MeterLedgerClockNotSet();
    /// @dev `recovered` is who signed; the reading counts only if that is `meter` itself and `meter`
    /// is bound to an account. A signature made for another chain id or another ledger contract
    /// recovers to an unrelated address and fails here too.
    error MeterLedgerSignerNotBound(address recovered, address meter);
    error MeterLedgerFutureInterval(uint64 interval, uint64 currentInterval);
    error MeterLedgerIntervalNotFinal(uint64 interval);
    error MeterLedgerReadingNotAttested(address meter, uint64 interval);
    error MeterLedgerDuplicateReading(address meter, uint64 interval);
    error MeterLedgerExportAboveRating(uint32 exportedWh, uint32 maxWh);
    error MeterLedgerInvalidRating(uint32 maxExportWh);
    error MeterLedgerZeroAddress();

    /// @notice Emitted for each reading recorded: `account` (owner of `meter`) in `interval`.
    event ReadingRecorded(
        address indexed account, uint64 indexed interval, address indexed meter, uint32 importedWh, uint32 exportedWh
    );
    /// @notice Emitted when the DSO set a meter's export rating (max Wh per interval); 0 = back to the default.
    event MeterRatingSet(address indexed meter, uint32 maxExportWh);
    /// @notice Emitted when the admin pointed the ledger at another interval clock.
    event IntervalClockSet(address indexed previous, address indexed current);
    /// @notice Emitted after every delivery report with the new score and the report that moved it.
    event CreditScoreUpdated(
        address indexed account, uint16 previousScoreBps, uint16 scoreBps, uint64 soldWh, uint64 deliveredWh
    );

    /// @notice EIP-712 type signed by meters:
    /// MeterReading(address meter,uint64 interval,uint32 importedWh,uint32 exportedWh)
    function METER_READING_TYPEHASH() external view returns (bytes32);

    /// @notice Record attested readings (anyone may call; a keeper or validator usually does).
    /// @param readings the readings, any intervals, any order (usually one interval's readings in tree order)
    /// @param meterSignatures per reading, the meter's 65-byte EIP-712 signature
    /// @param proofs per reading, its Merkle proof against the interval's final readings root
    /// Requirements, for the batch: at most MAX_READINGS_PER_BATCH readings; three arrays of equal
    /// length; the clock is set. Per reading, checked in this order:
    /// - its interval's delivery is over (interval < clock.currentInterval()) — MeterLedgerFutureInterval;
    /// - exportedWh ≤ the meter's rating — MeterLedgerExportAboveRating;
    /// - signed by `meter` itself, and `meter` is bound to an account — MeterLedgerSignerNotBound;
    /// - not recorded before for that account and interval — MeterLedgerDuplicateReading;
    /// - the interval's readings root is final in the committee — MeterLedgerIntervalNotFinal;
    /// - the proof shows the reading is in that root — MeterLedgerReadingNotAttested.
    /// Any failure reverts the whole batch (nothing is stored).
    /// Emits ReadingRecorded per reading.
    function recordReadings(
        MeterReading[] calldata readings,
        bytes[] calldata meterSignatures,
        bytes32[][] calldata proofs
    ) external;

    /// @notice What the meter of `account` recorded for `interval` (all zero / false if nothing yet).
    function readingOf(address account, uint64 interval)
        external
        view
        returns (bool recorded, uint32 importedWh, uint32 exportedWh);

    /// @notice The EIP-712 digest a meter signs for `reading` on this ledger.
    function readingDigest(MeterReading calldata reading) external view returns (bytes32);

    /// @notice The Merkle leaf of `reading`: keccak256(bytes.concat(keccak256(abi.encode(meter, interval, importedWh, exportedWh)))).
    function readingLeaf(MeterReading calldata reading) external pure returns (bytes32);

    /// @notice Whether `proof` shows `reading` is in its interval's final readings root (false if not final).
    function isAttested(MeterReading calldata reading, bytes32[] calldata proof) external view returns (bool);

    /// @notice The most a meter may export in one interval (its rating, or the default).
    function maxExportWhOf(address meter) external view returns (uint32);

    /// @notice Set a meter's export rating in Wh per interval (e.g. 10 kW for 15 min = 2,500 Wh);
    /// 0 resets it to the default. Requirements: DSO_ROLE; meter non-zero. Emits MeterRatingSet.
    function setMeterRating(address meter, uint32 maxExportWh) external;

    /// @notice Point the ledger at the market's interval clock. Requirements: DEFAULT_ADMIN_ROLE; non-zero.
    /// Emits IntervalClockSet.
    function setClock(IIntervalClock clock) external;

    /// @notice Report one delivery of `account`: it sold `soldWh` and delivered `deliveredWh`
    /// (delivered above sold counts as sold). Moves the credit score by the EMA above; soldWh == 0 is
    /// a no-op (nothing to score, no event).
    /// Requirements: SCORER_ROLE (the market). Emits CreditScoreUpdated.
    /// @return scoreBps the account's score after the report
    function recordDelivery(address account, uint64 soldWh, uint64 deliveredWh) external returns (uint16 scoreBps);

    /// @notice The score after one delivery report from `scoreBps` (the EMA step above), for UIs and tests.
    function nextCreditScore(uint16 scoreBps, uint64 soldWh, uint64 deliveredWh) external pure returns (uint16);

    /// @notice The credit score of `account` in basis points (10,000 without history).
    function creditScoreOf(address account) external view returns (uint16);

    /// @notice Score and cumulative delivery figures of `account`.
    function deliveryHistoryOf(address account) external view returns (DeliveryHistory memory);

    /// @notice The registry that binds meters to accounts.
    function registry() external view returns (address);
    /// @notice The validator committee whose final readings roots attest readings.
    function committee() external view returns (address);
    /// @notice The interval clock (the market); address(0) until set.
    function clock() external view returns (address);
    /// @notice The export rating of meters without their own (Wh per interval).
    function defaultMaxExportWh() external view returns (uint32);
}
