// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MeterLedger} from "../../../contracts/consensus/MeterLedger.sol";
import {ValidatorCommittee} from "../../../contracts/consensus/ValidatorCommittee.sol";
import {ParticipantRegistry} from "../../../contracts/user/ParticipantRegistry.sol";
import {IMeterLedger, IIntervalClock} from "../../../contracts/interfaces/IMeterLedger.sol";
import {IParticipantRegistry} from "../../../contracts/interfaces/IParticipantRegistry.sol";
import {IValidatorCommittee} from "../../../contracts/interfaces/IValidatorCommittee.sol";
import {ManualIntervalClock} from "./mocks/ManualIntervalClock.sol";

/// @dev The few cheatcodes used here (forge-std is not available offline).
interface Vm {
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function expectRevert(bytes calldata revertData) external;
    function assume(bool condition) external pure;
}

/// @notice Fuzz tests of the credit score maths and of recording a fuzzed reading end to end.
contract MeterLedgerFuzzTest {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 private constant METER_KEY = 0xA11CE;
    uint256 private constant VALIDATOR_KEY = 0xB0B;
    uint32 private constant MAX_EXPORT_WH = 2_500;

    bytes32 private constant SCORER_ROLE = keccak256("SCORER_ROLE");

    function _ledger() private returns (MeterLedger ledger, ValidatorCommittee committee, ManualIntervalClock clock) {
        ParticipantRegistry registry = new ParticipantRegistry(address(this), address(this));
        registry.registerFor(address(0xCAFE), IParticipantRegistry.Role.Prosumer, vm.addr(METER_KEY), 1);
        address[] memory validators = new address[](1);
        validators[0] = vm.addr(VALIDATOR_KEY);
        committee = new ValidatorCommittee(address(this), validators);
        clock = new ManualIntervalClock(type(uint64).max);
        ledger = new MeterLedger(
            address(this),
            IParticipantRegistry(address(registry)),
            IValidatorCommittee(address(committee)),
            IIntervalClock(address(clock)),
            MAX_EXPORT_WH
        );
        ledger.grantRole(SCORER_ROLE, address(this));
    }

    function _sign(uint256 key, bytes32 digest) private pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @notice One EMA step never leaves [0, 10,000], never overshoots the delivery ratio, and moves
    /// at least one point toward it.
    function testFuzz_creditScoreStepStaysBetweenScoreAndRatio(uint16 score, uint64 soldWh, uint64 deliveredWh) public {
        (MeterLedger ledger,,) = _ledger();
        score = uint16(score % 10_001);
        vm.assume(soldWh > 0);
        uint256 counted = deliveredWh < soldWh ? deliveredWh : soldWh;
        uint256 ratio = (counted * 10_000) / soldWh;
        uint16 next = ledger.nextCreditScore(score, soldWh, deliveredWh);
        require(next <= 10_000, "score above 10,000");
        uint256 lo = ratio < score ? ratio : score;
        uint256 hi = ratio < score ? score : ratio;
        require(next >= lo && next <= hi, "overshoot");
        if (ratio != score) require(next != score, "stuck");
    }

    /// @notice Any sequence of delivery reports keeps the score within [0, 10,000] and the history
    /// consistent (delivered ≤ sold, one count per non-empty report).
    function testFuzz_recordDeliverySequence(uint64[6] memory soldWh, uint64[6] memory deliveredWh) public {
        (MeterLedger ledger,,) = _ledger();
        address account = address(0xCAFE);
        uint256 reports;
        for (uint256 i; i < 6; ++i) {
            uint64 sold = soldWh[i] % 1e12; // keep the cumulative sums far from uint64 overflow
            uint64 delivered = deliveredWh[i] % 1e12;
            uint16 before = ledger.creditScoreOf(account);
            uint16 score = ledger.recordDelivery(account, sold, delivered);
            require(score == ledger.creditScoreOf(account), "returned score");
            require(score <= 10_000, "score in range");
            if (sold == 0) require(score == before, "empty report moved the score");
            else ++reports;
        }
        IMeterLedger.DeliveryHistory memory h = ledger.deliveryHistoryOf(account);
        require(h.deliveredWh <= h.soldWh, "delivered above sold");
        require(h.deliveries == reports, "report count");
    }

    /// @dev Sign `reading` with the meter key and finalise a single-leaf root (root = leaf, empty proof).
    function _attest(MeterLedger ledger, ValidatorCommittee committee, IMeterLedger.MeterReading memory reading)
        private
        returns (IMeterLedger.MeterReading[] memory readings, bytes[] memory signatures, bytes32[][] memory proofs)
    {
        readings = new IMeterLedger.MeterReading[](1);
        readings[0] = reading;
        signatures = new bytes[](1);
        signatures[0] = _sign(METER_KEY, ledger.readingDigest(reading));
        proofs = new bytes32[][](1);
        bytes32 root = ledger.readingLeaf(reading);
        bytes[] memory votes = new bytes[](1);
        votes[0] = _sign(VALIDATOR_KEY, committee.readingsDigest(reading.interval, root));
        committee.finalizeReadings(reading.interval, root, votes);
    }

    /// @notice A fuzzed reading within the rating, signed by its meter and attested, is stored
    /// exactly; a fuzzed one above the rating is rejected with the exact error and nothing stored.
    function testFuzz_recordsAttestedReading(uint64 interval, uint32 importedWh, uint32 exportedWh) public {
        (MeterLedger ledger, ValidatorCommittee committee, ManualIntervalClock clock) = _ledger();
        vm.assume(interval < type(uint64).max);
        clock.set(interval + 1);
        (IMeterLedger.MeterReading[] memory readings, bytes[] memory signatures, bytes32[][] memory proofs) =
            _attest(ledger, committee, IMeterLedger.MeterReading(vm.addr(METER_KEY), interval, importedWh, exportedWh));

        if (exportedWh > MAX_EXPORT_WH) {
            vm.expectRevert(
                abi.encodeWithSelector(IMeterLedger.MeterLedgerExportAboveRating.selector, exportedWh, MAX_EXPORT_WH)
            );
            ledger.recordReadings(readings, signatures, proofs);
            (bool stored,,) = ledger.readingOf(address(0xCAFE), interval);
            require(!stored, "nothing stored");
            return;
        }
        ledger.recordReadings(readings, signatures, proofs);
        (bool recorded, uint32 imp, uint32 exp) = ledger.readingOf(address(0xCAFE), interval);
        require(recorded && imp == importedWh && exp == exportedWh, "stored as signed");
    }
}
