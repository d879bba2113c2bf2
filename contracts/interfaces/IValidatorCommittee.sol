// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Consensus layer: the validator committee
/// @notice A committee of n = 3f+1 validators (the DSO, aggregators …). Physical facts — an
/// interval's meter readings — count only once a BFT quorum of 2f+1 validators has signed them
/// (EIP-712, domain with chain id and this contract's address).
interface IValidatorCommittee {
    error CommitteeNotEnoughSignatures(uint256 given, uint256 quorum);
    error CommitteeNotValidator(address signer);
    error CommitteeDuplicateSigner(address signer);
    error CommitteeSignersNotAscending(address signer, address previous);
    error CommitteeAlreadyFinalized(uint64 interval);
    error CommitteeZeroRoot();
    error CommitteeInvalidValidatorSet();

    /// @notice Emitted when `interval`'s readings root became final with `signers` validators' signatures.
    event ReadingsFinalized(uint64 indexed interval, bytes32 readingsRoot, uint256 signers);
    /// @notice Emitted when `validator` joined the committee (at deployment; later by quorum vote).
    event ValidatorAdded(address indexed validator);

    /// @notice EIP-712 type signed by validators: IntervalReadings(uint64 interval,bytes32 readingsRoot)
    function INTERVAL_READINGS_TYPEHASH() external view returns (bytes32);

    /// @notice Make `readingsRoot` the final meter readings of `interval`.
    /// @param signatures 65-byte ECDSA signatures over the EIP-712 digest, ordered by signer address ascending
    /// Requirements: at least `quorum()` signatures, each by a distinct current validator; not finalised yet.
    /// Emits ReadingsFinalized.
    function finalizeReadings(uint64 interval, bytes32 readingsRoot, bytes[] calldata signatures) external;

    /// @notice The EIP-712 digest validators sign for (interval, readingsRoot).
    function readingsDigest(uint64 interval, bytes32 readingsRoot) external view returns (bytes32);

    /// @notice The final readings root of `interval` (zero until finalised).
    function finalizedReadingsRoot(uint64 interval) external view returns (bytes32);
    /// @notice Whether `account` is a current validator.
    function isValidator(address account) external view returns (bool);
    /// @notice The current validators, in the order they were added.
    function validators() external view returns (address[] memory);
    /// @notice 2f+1 where n = 3f+1 (n − floor((n − 1) / 3) for any n).
    function quorum() external view returns (uint256);
}
