// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ValidatorCommittee} from "../../../contracts/consensus/ValidatorCommittee.sol";
import {IValidatorCommittee} from "../../../contracts/interfaces/IValidatorCommittee.sol";

/// @dev The few cheatcodes used here (forge-std is not available offline).
interface Vm {
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function expectRevert(bytes calldata revertData) external;
    function assume(bool condition) external pure;
}

/// @notice Fuzz tests of the committee's BFT arithmetic and of finalisation with real signatures.
contract ValidatorCommitteeFuzzTest {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev Validators with private keys 1 … n, sorted by address (insertion sort: n ≤ 64).
    function _committee(uint256 n) private returns (ValidatorCommittee committee, uint256[] memory keys) {
        keys = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            keys[i] = i + 1;
        }
        for (uint256 i = 1; i < n; ++i) {
            uint256 key = keys[i];
            uint256 j = i;
            while (j > 0 && vm.addr(keys[j - 1]) > vm.addr(key)) {
                keys[j] = keys[j - 1];
                --j;
            }
            keys[j] = key;
        }
        address[] memory validators = new address[](n);
        for (uint256 i; i < n; ++i) {
            validators[i] = vm.addr(keys[i]);
        }
        committee = new ValidatorCommittee(address(this), validators);
    }

    function _sign(uint256 key, bytes32 digest) private pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @notice For every committee size: the quorum is reachable without the f faulty validators
    /// (liveness) and any two quorums share at least f + 1 validators, so at least one honest one
    /// (safety).
    function testFuzz_quorumIsByzantineFaultTolerant(uint8 nSeed) public {
        uint256 n = 1 + (uint256(nSeed) % 64);
        (ValidatorCommittee committee,) = _committee(n);
        uint256 q = committee.quorum();
        uint256 f = (n - 1) / 3;
        require(q <= n - f, "quorum not reachable without the faulty validators");
        require(2 * q >= n + f + 1, "two quorums may intersect in faulty validators only");
        require(committee.validators().length == n, "validator count");
    }

    /// @notice Any quorum-sized ascending subset finalises any (interval, non-zero root) once;
    /// one signature fewer does not.
    function testFuzz_quorumOfSignaturesFinalises(uint8 nSeed, uint64 interval, bytes32 root, uint256 skipSeed) public {
        vm.assume(root != bytes32(0));
        uint256 n = 1 + (uint256(nSeed) % 10);
        (ValidatorCommittee committee, uint256[] memory keys) = _committee(n);
        uint256 q = committee.quorum();
        bytes32 digest = committee.readingsDigest(interval, root);

        // Leave out n − q validators starting at a fuzzed offset (keeping ascending order).
        uint256 skipFrom = skipSeed % n;
        bytes[] memory signatures = new bytes[](q);
        uint256 k;
        for (uint256 i; i < n && k < q; ++i) {
            bool skipped = ((i + n - skipFrom) % n) < n - q;
            if (!skipped) signatures[k++] = _sign(keys[i], digest);
        }
        require(k == q, "built a quorum");

        if (q > 1) {
            bytes[] memory tooFew = new bytes[](q - 1);
            for (uint256 i; i < q - 1; ++i) {
                tooFew[i] = signatures[i];
            }
            vm.expectRevert(abi.encodeWithSelector(IValidatorCommittee.CommitteeNotEnoughSignatures.selector, q - 1, q));
            committee.finalizeReadings(interval, root, tooFew);
        }

        committee.finalizeReadings(interval, root, signatures);
        require(committee.finalizedReadingsRoot(interval) == root, "root stored");

        vm.expectRevert(abi.encodeWithSelector(IValidatorCommittee.CommitteeAlreadyFinalized.selector, interval));
        committee.finalizeReadings(interval, root, signatures);
    }

    /// @notice A key outside the committee never counts, wherever its signature sits.
    function testFuzz_nonValidatorRejected(uint256 outsiderKey, uint64 interval, bytes32 root) public {
        vm.assume(root != bytes32(0));
        // Valid secp256k1 keys only, and not one of the committee's keys 1 … 4.
        outsiderKey = 5 + (outsiderKey % (0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141 - 5));
        (ValidatorCommittee committee, uint256[] memory keys) = _committee(4);
        bytes32 digest = committee.readingsDigest(interval, root);
        bytes[] memory signatures = new bytes[](3);
        signatures[0] = _sign(outsiderKey, digest);
        signatures[1] = _sign(keys[1], digest);
        signatures[2] = _sign(keys[2], digest);
        vm.expectRevert(abi.encodeWithSelector(IValidatorCommittee.CommitteeNotValidator.selector, vm.addr(outsiderKey)));
        committee.finalizeReadings(interval, root, signatures);
        require(committee.finalizedReadingsRoot(interval) == bytes32(0), "nothing finalised");
    }

    /// @dev The validators of `keys` (sorted) whose bit is set in `mask`.
    function _selected(uint256[] memory keys, uint16 mask) private pure returns (address[] memory out, uint256[] memory outKeys) {
        uint256 count;
        for (uint256 i; i < keys.length; ++i) {
            if (mask & (1 << i) != 0) ++count;
        }
        out = new address[](count);
        outKeys = new uint256[](count);
        uint256 k;
        for (uint256 i; i < keys.length; ++i) {
            if (mask & (1 << i) != 0) {
                outKeys[k] = keys[i];
                out[k++] = vm.addr(keys[i]);
            }
        }
    }

    /// @dev The first quorum() validators (by address) vote for the change.
    function _vote(ValidatorCommittee committee, uint256[] memory keys, address[] memory add, address[] memory remove)
        private
    {
        uint256 q = committee.quorum();
        bytes32 digest = committee.validatorSetChangeDigest(add, remove, committee.validatorSetEpoch());
        bytes[] memory votes = new bytes[](q);
        for (uint256 i; i < q; ++i) {
            votes[i] = _sign(keys[i], digest);
        }
        committee.changeValidatorSet(add, remove, votes);
    }

    function _assertConsistent(ValidatorCommittee committee, uint256 size, address[] memory removed) private view {
        address[] memory set = committee.validators();
        require(set.length == size, "size");
        require(committee.validatorSetEpoch() == 1, "epoch");
        require(committee.quorum() == size - (size - 1) / 3, "quorum");
        for (uint256 i; i < set.length; ++i) {
            require(committee.isValidator(set[i]), "listed but not a member");
            for (uint256 j = i + 1; j < set.length; ++j) {
                require(set[i] != set[j], "duplicate member");
            }
        }
        for (uint256 i; i < removed.length; ++i) {
            require(!committee.isValidator(removed[i]), "removed still a member");
        }
    }

    /// @notice A voted change (fuzzed removals from a fuzzed committee, fuzzed number of additions)
    /// leaves a consistent set: the expected size, membership matching the list, no duplicates, the
    /// epoch bumped, the BFT quorum of the new size; and a removed validator's signature no longer
    /// counts for finalisation.
    function testFuzz_votedChangeKeepsTheSetConsistent(uint8 nSeed, uint16 removeMask, uint8 addSeed, bytes32 root)
        public
    {
        vm.assume(root != bytes32(0));
        uint256 n = 1 + (uint256(nSeed) % 10);
        (ValidatorCommittee committee, uint256[] memory keys) = _committee(n);
        (address[] memory remove, uint256[] memory removedKeys) = _selected(keys, removeMask);

        uint256 addCount = uint256(addSeed) % 5;
        if (addCount == 0 && (remove.length == n || remove.length == 0)) addCount = 1;
        address[] memory add = new address[](addCount);
        for (uint256 i; i < addCount; ++i) {
            add[i] = vm.addr(1_000 + i);
        }

        _vote(committee, keys, add, remove);
        _assertConsistent(committee, n - remove.length + addCount, remove);

        if (remove.length > 0) {
            // Anything signed by a removed validator does not count.
            bytes[] memory signatures = new bytes[](committee.quorum());
            signatures[0] = _sign(removedKeys[0], committee.readingsDigest(1, root));
            vm.expectRevert(abi.encodeWithSelector(IValidatorCommittee.CommitteeNotValidator.selector, remove[0]));
            committee.finalizeReadings(1, root, signatures);
        }
    }
}
