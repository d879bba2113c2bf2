// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IMeterLedger, IIntervalClock} from "../interfaces/IMeterLedger.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {IValidatorCommittee} from "../interfaces/IValidatorCommittee.sol";

/// @title Consensus layer: the meter ledger and credit scores
/// @notice Stores each participant's attested meter reading per interval (meter-signed EIP-712
/// readings, proven against the validator quorum's final Merkle root) and each participant's credit
/// score, fed by the market with delivery history. See IMeterLedger for the flow and the formulas.
/// @dev Roles: DEFAULT_ADMIN_ROLE (wiring: clock, role grants), DSO_ROLE (meter export ratings),
/// SCORER_ROLE (the market: delivery reports). Recording readings needs no role: a reading counts
/// because its meter signed it and a validator quorum attested it, not because of who submits it.
contract MeterLedger is IMeterLedger, AccessControl, EIP712 {
    /// @notice May set meter export ratings (the distribution grid operator).
    bytes32 public constant DSO_ROLE = keccak256("DSO_ROLE");
    /// @notice May report deliveries that move credit scores (the market).
    bytes32 public constant SCORER_ROLE = keccak256("SCORER_ROLE");

    /// @inheritdoc IMeterLedger
    bytes32 public constant METER_READING_TYPEHASH =
        keccak256("MeterReading(address meter,uint64 interval,uint32 importedWh,uint32 exportedWh)");

    /// @notice Most readings one `recordReadings` call takes (≈ 48k gas each: ~6.1M gas per full batch).
    uint256 public constant MAX_READINGS_PER_BATCH = 128;
    /// @notice Full credit score (a perfect delivery record).
    uint16 public constant MAX_CREDIT_SCORE_BPS = 10_000;
    /// @notice The EMA weight of the newest delivery is 1 / CREDIT_EMA_DIVISOR.
    uint16 public constant CREDIT_EMA_DIVISOR = 8;

    /// @dev One slot per (account, interval).
    struct StoredReading {
        bool recorded;
        uint32 importedWh;
        uint32 exportedWh;
    }

    /// @dev One slot per account. The deficit (10,000 − score) is stored so that a fresh account
    /// (all zero) reads as a full score without an initialisation write.
    struct StoredHistory {
        uint16 scoreDeficitBps;
        uint64 soldWh;
        uint64 deliveredWh;
        uint32 deliveries;
    }

    IParticipantRegistry private immutable _registry;
    IValidatorCommittee private immutable _committee;
    uint32 private immutable _defaultMaxExportWh;
    IIntervalClock private _clock;

    mapping(address account => mapping(uint64 interval => StoredReading)) private _readings;
    mapping(address meter => uint32 maxExportWh) private _ratings;
    mapping(address account => StoredHistory) private _history;

    /// @param admin receives DEFAULT_ADMIN_ROLE
    /// @param registry_ the ParticipantRegistry binding meters to accounts
    /// @param committee_ the ValidatorCommittee whose final roots attest readings
    /// @param clock_ the market (its currentInterval()); may be address(0) and set later with setClock
    /// @param defaultMaxExportWh_ export rating of meters without their own, Wh per interval (> 0),
    /// e.g. 10 kW for 15 minutes = 2,500
    constructor(
        address admin,
        IParticipantRegistry registry_,
        IValidatorCommittee committee_,
        IIntervalClock clock_,
        uint32 defaultMaxExportWh_
    ) EIP712("PowerLAN MeterLedger", "1") {
        if (admin == address(0) || address(registry_) == address(0) || address(committee_) == address(0)) {
            revert MeterLedgerZeroAddress();
        }
        if (defaultMaxExportWh_ == 0) revert MeterLedgerInvalidRating(defaultMaxExportWh_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _registry = registry_;
        _committee = committee_;
        _defaultMaxExportWh = defaultMaxExportWh_;
        if (address(clock_) != address(0)) {
            _clock = clock_;
            emit IntervalClockSet(address(0), address(clock_));
        }
    }

    // ───────────────────────────── readings ─────────────────────────────

    /// @inheritdoc IMeterLedger
    function recordReadings(
        MeterReading[] calldata readings,
        bytes[] calldata meterSignatures,
        bytes32[][] calldata proofs
    ) external {
        uint256 count = readings.length;
        if (count > MAX_READINGS_PER_BATCH) revert MeterLedgerBatchTooLarge(count, MAX_READINGS_PER_BATCH);
        if (meterSignatures.length != count || proofs.length != count) {
            revert MeterLedgerLengthMismatch(count, meterSignatures.length, proofs.length);
        }
        IIntervalClock clock_ = _clock;
        if (address(clock_) == address(0)) revert MeterLedgerClockNotSet();
        uint64 current = clock_.currentInterval();

        // A batch is usually one interval: remember the last root read from the committee.
        uint64 rootInterval;
        bytes32 root;
        for (uint256 i; i < count; ++i) {
            MeterReading calldata r = readings[i];
            if (r.interval >= current) revert MeterLedgerFutureInterval(r.interval, current);
            uint32 maxWh = maxExportWhOf(r.meter);
            if (r.exportedWh > maxWh) revert MeterLedgerExportAboveRating(r.exportedWh, maxWh);

            address recovered = ECDSA.recover(readingDigest(r), meterSignatures[i]); // rejects malleable / malformed
            address account = recovered == r.meter ? _registry.accountOfMeter(r.meter) : address(0);
            if (account == address(0)) revert MeterLedgerSignerNotBound(recovered, r.meter);

            StoredReading storage slot = _readings[account][r.interval];
            if (slot.recorded) revert MeterLedgerDuplicateReading(r.meter, r.interval);

            if (root == bytes32(0) || rootInterval != r.interval) {
                root = _committee.finalizedReadingsRoot(r.interval);
                rootInterval = r.interval;
                if (root == bytes32(0)) revert MeterLedgerIntervalNotFinal(r.interval);
            }
            if (!MerkleProof.verifyCalldata(proofs[i], root, readingLeaf(r))) {
                revert MeterLedgerReadingNotAttested(r.meter, r.interval);
            }

            slot.recorded = true;
            slot.importedWh = r.importedWh;
            slot.exportedWh = r.exportedWh;
            emit ReadingRecorded(account, r.interval, r.meter, r.importedWh, r.exportedWh);
        }
    }

    /// @inheritdoc IMeterLedger
    function readingOf(address account, uint64 interval)
        external
        view
        returns (bool recorded, uint32 importedWh, uint32 exportedWh)
    {
        StoredReading storage slot = _readings[account][interval];
        return (slot.recorded, slot.importedWh, slot.exportedWh);
    }

    /// @inheritdoc IMeterLedger
    function readingDigest(MeterReading calldata reading) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    METER_READING_TYPEHASH, reading.meter, reading.interval, reading.importedWh, reading.exportedWh
                )
            )
        );
    }

    /// @inheritdoc IMeterLedger
    function readingLeaf(MeterReading calldata reading) public pure returns (bytes32) {
        return keccak256(
            bytes.concat(keccak256(abi.encode(reading.meter, reading.interval, reading.importedWh, reading.exportedWh)))
        );
    }

    /// @inheritdoc IMeterLedger
    function isAttested(MeterReading calldata reading, bytes32[] calldata proof) external view returns (bool) {
        bytes32 root = _committee.finalizedReadingsRoot(reading.interval);
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, readingLeaf(reading));
    }

    /// @notice The EIP-712 domain separator of this deployment (chain id and address included).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ───────────────────────────── ratings and wiring ─────────────────────────────

    /// @inheritdoc IMeterLedger
    function maxExportWhOf(address meter) public view returns (uint32) {
        uint32 rating = _ratings[meter];
        return rating == 0 ? _defaultMaxExportWh : rating;
    }

    /// @inheritdoc IMeterLedger
    function setMeterRating(address meter, uint32 maxExportWh) external onlyRole(DSO_ROLE) {
        if (meter == address(0)) revert MeterLedgerZeroAddress();
        _ratings[meter] = maxExportWh;
        emit MeterRatingSet(meter, maxExportWh);
    }

    /// @inheritdoc IMeterLedger
    function setClock(IIntervalClock clock_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(clock_) == address(0)) revert MeterLedgerZeroAddress();
        address previous = address(_clock);
        _clock = clock_;
        emit IntervalClockSet(previous, address(clock_));
    }

    /// @inheritdoc IMeterLedger
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IMeterLedger
    function committee() external view returns (address) {
        return address(_committee);
    }

    /// @inheritdoc IMeterLedger
    function clock() external view returns (address) {
        return address(_clock);
    }

    /// @inheritdoc IMeterLedger
    function defaultMaxExportWh() external view returns (uint32) {
        return _defaultMaxExportWh;
    }

    // ───────────────────────────── credit scores ─────────────────────────────

    /// @inheritdoc IMeterLedger
    function recordDelivery(address account, uint64 soldWh, uint64 deliveredWh)
        external
        onlyRole(SCORER_ROLE)
        returns (uint16 scoreBps)
    {
        StoredHistory storage h = _history[account];
        uint16 previous = MAX_CREDIT_SCORE_BPS - h.scoreDeficitBps;
        if (soldWh == 0) return previous;
        uint64 counted = deliveredWh < soldWh ? deliveredWh : soldWh;
        scoreBps = nextCreditScore(previous, soldWh, counted);

        h.scoreDeficitBps = MAX_CREDIT_SCORE_BPS - scoreBps;
        h.soldWh += soldWh;
        h.deliveredWh += counted;
        h.deliveries += 1;
        emit CreditScoreUpdated(account, previous, scoreBps, soldWh, deliveredWh);
    }

    /// @inheritdoc IMeterLedger
    function nextCreditScore(uint16 scoreBps, uint64 soldWh, uint64 deliveredWh) public pure returns (uint16) {
        if (soldWh == 0) return scoreBps;
        if (deliveredWh > soldWh) deliveredWh = soldWh;
        if (scoreBps > MAX_CREDIT_SCORE_BPS) scoreBps = MAX_CREDIT_SCORE_BPS;
        // deliveredWh ≤ soldWh < 2^64, so deliveredWh × 10,000 < 2^78: no overflow in uint256; ratio ≤ 10,000.
        uint256 ratio = (uint256(deliveredWh) * MAX_CREDIT_SCORE_BPS) / soldWh;
        uint256 score = scoreBps;
        if (ratio > score) {
            // step = ceil((ratio − score) / 8) ∈ [1, ratio − score]: the result stays ≤ ratio ≤ 10,000.
            return uint16(score + (ratio - score + CREDIT_EMA_DIVISOR - 1) / CREDIT_EMA_DIVISOR);
        }
        // step = ceil((score − ratio) / 8) ∈ [0, score − ratio]: the result stays ≥ ratio ≥ 0.
        return uint16(score - (score - ratio + CREDIT_EMA_DIVISOR - 1) / CREDIT_EMA_DIVISOR);
    }

    /// @inheritdoc IMeterLedger
    function creditScoreOf(address account) external view returns (uint16) {
        return MAX_CREDIT_SCORE_BPS - _history[account].scoreDeficitBps;
    }

    /// @inheritdoc IMeterLedger
    function deliveryHistoryOf(address account) external view returns (DeliveryHistory memory) {
        StoredHistory storage h = _history[account];
        return DeliveryHistory({
            creditScoreBps: MAX_CREDIT_SCORE_BPS - h.scoreDeficitBps,
            soldWh: h.soldWh,
            deliveredWh: h.deliveredWh,
            deliveries: h.deliveries
        });
    }
}
