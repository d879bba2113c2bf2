// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Consensus layer: the validator committee
/// @notice A committee of n = 3f+1 validators (the DSO, aggregators …). Physical facts — an
/// interval's meter readings — count only once a BFT quorum of 2f+1 validators has signed them
/// (EIP-712, domain with chain id and this contract's address). The set changes only by a quorum
/// vote of the current set (`changeValidatorSet`); each change bumps `validatorSetEpoch`, which the
/// vote signs over, so a vote can be used once. A removed validator's later signatures don't count.
interface IValidatorCommittee {
    error CommitteeNotEnoughSignatures(uint256 given, uint256 quorum);
    error CommitteeNotValidator(address signer);
    error CommitteeDuplicateSigner(address signer);
    error CommitteeSignersNotAscending(address signer, address previous);
    error CommitteeAlreadyFinalized(uint64 interval);
    error CommitteeZeroRoot();
    error CommitteeInvalidValidatorSet();
    /// @dev A change would leave the committee with `size` validators, outside [1, MAX_VALIDATORS].
    error CommitteeValidatorSetSize(uint256 size, uint256 max);
    /// @dev `validator` is to be added but is a validator already (or listed twice), or is address(0).
    error CommitteeCannotAdd(address validator);
    /// @dev `validator` is to be removed but is not a validator (or is listed twice).
    error CommitteeCannotRemove(address validator);
    error CommitteeEmptyChange();

    /// @notice Emitted when `interval`'s readings root became final with `signers` validators' signatures.
    event ReadingsFinalized(uint64 indexed interval, bytes32 readingsRoot, uint256 signers);
    /// @notice Emitted when `validator` joined the committee (at deployment, or by quorum vote).
    event ValidatorAdded(address indexed validator);
    /// @notice Emitted when `validator` left the committee by quorum vote.
    event ValidatorRemoved(address indexed validator);
    /// @notice Emitted after a voted change: the set is now at `epoch` with `size` validators and `quorum`,
    /// approved by `signers` validators of the previous set.
    event ValidatorSetChanged(uint64 indexed epoch, uint256 size, uint256 quorum, uint256 signers);

    /// @notice EIP-712 type signed by validators: IntervalReadings(uint64 interval,bytes32 readingsRoot)
    function INTERVAL_READINGS_TYPEHASH() external view returns (bytes32);

    /// @notice Make `readingsRoot` the final meter readings of `interval`.
    /// @param signatures 65-byte ECDSA signatures over the EIP-712 digest, ordered by signer address ascending
    /// Requirements: at least `quorum()` signatures, each by a distinct current validator; not finalised yet.
    /// Emits ReadingsFinalized.
    function finalizeReadings(uint64 interval, bytes32 readingsRoot, bytes[] calldata signatures) external;

    /// @notice EIP-712 type of a set-change vote:
    /// ValidatorSetChange(bytes32 addHash,bytes32 removeHash,uint64 epoch), where addHash / removeHash
    /// = keccak256(abi.encodePacked(addresses)) — each address left-padded to 32 bytes, i.e. exactly
    /// how EIP-712 hashes an address[] — and epoch = validatorSetEpoch() when the vote is signed.
    function VALIDATOR_SET_CHANGE_TYPEHASH() external view returns (bytes32);

    /// @notice Change the committee: remove `remove`, then add `add`, approved by a quorum of the
    /// CURRENT set (anyone may submit the signatures).
    /// @param signatures signatures over `validatorSetChangeDigest(add, remove, validatorSetEpoch())`,
    /// ordered by signer address ascending
    /// Requirements: at least `quorum()` signatures by distinct current validators; not both lists empty;
    /// every removed address a current validator (once); every added address non-zero and not a
    /// validator after the removals (once); the new size within [1, MAX_VALIDATORS].
    /// Emits ValidatorRemoved / ValidatorAdded per address, then ValidatorSetChanged; bumps the epoch.
    function changeValidatorSet(address[] calldata add, address[] calldata remove, bytes[] calldata signatures)
        external;

    /// @notice The EIP-712 digest validators sign to vote for a set change at `epoch`.
    function validatorSetChangeDigest(address[] calldata add, address[] calldata remove, uint64 epoch)
        external
        view
        returns (bytes32);

    /// @notice Version of the validator set: 0 at deployment, +1 per voted change.
    function validatorSetEpoch() external view returns (uint64);

    /// @notice The EIP-712 digest validators sign for (interval, readingsRoot).
    function readingsDigest(uint64 interval, bytes32 readingsRoot) external view returns (bytes32);

    /// @notice The final readings root of `interval` (zero until finalised).
    function finalizedReadingsRoot(uint64 interval) external view returns (bytes32);
    /// @notice Whether `account` is a current validator.
    function isValidator(address account) external view returns (bool);
    /// @notice The current validators (order: as added, except that a removal moves the last one into the gap).
    function validators() external view returns (address[] memory);
    /// @notice 2f+1 where n = 3f+1 (n − floor((n − 1) / 3) for any n).
    function quorum() external view returns (uint256);
}
