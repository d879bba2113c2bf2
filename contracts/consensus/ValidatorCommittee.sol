// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IValidatorCommittee} from "../interfaces/IValidatorCommittee.sol";

/// @title Consensus layer: the validator committee
/// @notice A fixed committee of validators (the DSO, aggregators …) that finalises each interval's
/// meter-readings root once a BFT quorum of them signed it (EIP-712, domain
/// "PowerLAN ValidatorCommittee" / "1" with chain id and this contract's address, so a signature is
/// valid for exactly one deployment on one chain).
/// @dev The set changes only by a quorum vote of the current set (`changeValidatorSet`, EIP-712
/// `ValidatorSetChange(bytes32 addHash,bytes32 removeHash,uint64 epoch)`); each change bumps
/// `validatorSetEpoch`, so a vote cannot be replayed. Membership is read at verification time, so a
/// removed validator's later signatures do not count. The admin has no power over the set; it holds
/// DEFAULT_ADMIN_ROLE only to wire other consensus contracts.
contract ValidatorCommittee is IValidatorCommittee, AccessControl, EIP712 {
    /// @inheritdoc IValidatorCommittee
    bytes32 public constant INTERVAL_READINGS_TYPEHASH = keccak256("IntervalReadings(uint64 interval,bytes32 readingsRoot)");

    /// @inheritdoc IValidatorCommittee
    bytes32 public constant VALIDATOR_SET_CHANGE_TYPEHASH =
        keccak256("ValidatorSetChange(bytes32 addHash,bytes32 removeHash,uint64 epoch)");

    /// @notice Upper bound on the committee size (keeps every loop over the set bounded).
    uint256 public constant MAX_VALIDATORS = 64;

    /// @inheritdoc IValidatorCommittee
    uint64 public validatorSetEpoch;

    address[] private _validators;
    mapping(address account => bool) private _isValidator;
    mapping(uint64 interval => bytes32 readingsRoot) private _finalizedRoots;

    /// @param admin receives DEFAULT_ADMIN_ROLE
    /// @param initialValidators the committee: 1 to MAX_VALIDATORS distinct non-zero addresses
    constructor(address admin, address[] memory initialValidators) EIP712("PowerLAN ValidatorCommittee", "1") {
        uint256 n = initialValidators.length;
        if (admin == address(0) || n == 0 || n > MAX_VALIDATORS) revert CommitteeInvalidValidatorSet();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        for (uint256 i; i < n; ++i) {
            address validator = initialValidators[i];
            if (validator == address(0) || _isValidator[validator]) revert CommitteeInvalidValidatorSet();
            _isValidator[validator] = true;
            _validators.push(validator);
            emit ValidatorAdded(validator);
        }
    }

    /// @inheritdoc IValidatorCommittee
    function finalizeReadings(uint64 interval, bytes32 readingsRoot, bytes[] calldata signatures) external {
        if (readingsRoot == bytes32(0)) revert CommitteeZeroRoot();
        if (_finalizedRoots[interval] != bytes32(0)) revert CommitteeAlreadyFinalized(interval);
        _verifyQuorum(readingsDigest(interval, readingsRoot), signatures);

        _finalizedRoots[interval] = readingsRoot;
        emit ReadingsFinalized(interval, readingsRoot, signatures.length);
    }

    /// @inheritdoc IValidatorCommittee
    function changeValidatorSet(address[] calldata add, address[] calldata remove, bytes[] calldata signatures)
        external
    {
        if (add.length == 0 && remove.length == 0) revert CommitteeEmptyChange();
        uint64 epoch = validatorSetEpoch;
        // Signatures are checked against the set as it is before the change.
        _verifyQuorum(validatorSetChangeDigest(add, remove, epoch), signatures);

        // Removals first: each must be a current validator, so this loop stops (reverts) after at most
        // MAX_VALIDATORS + 1 steps. Then the size check bounds the additions before any is made.
        for (uint256 i; i < remove.length; ++i) {
            address validator = remove[i];
            if (!_isValidator[validator]) revert CommitteeCannotRemove(validator);
            _isValidator[validator] = false;
            _removeFromList(validator);
            emit ValidatorRemoved(validator);
        }
        uint256 newSize = _validators.length + add.length;
        if (newSize == 0 || newSize > MAX_VALIDATORS) revert CommitteeValidatorSetSize(newSize, MAX_VALIDATORS);
        for (uint256 i; i < add.length; ++i) {
            address validator = add[i];
            if (validator == address(0) || _isValidator[validator]) revert CommitteeCannotAdd(validator);
            _isValidator[validator] = true;
            _validators.push(validator);
            emit ValidatorAdded(validator);
        }

        validatorSetEpoch = epoch + 1;
        emit ValidatorSetChanged(epoch + 1, newSize, quorum(), signatures.length);
    }

    /// @inheritdoc IValidatorCommittee
    function validatorSetChangeDigest(address[] calldata add, address[] calldata remove, uint64 epoch)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    VALIDATOR_SET_CHANGE_TYPEHASH, keccak256(abi.encodePacked(add)), keccak256(abi.encodePacked(remove)), epoch
                )
            )
        );
    }

    /// @dev Reverts unless `signatures` are by at least `quorum()` distinct current validators, ascending.
    function _verifyQuorum(bytes32 digest, bytes[] calldata signatures) private view {
        uint256 given = signatures.length;
        uint256 needed = quorum();
        if (given < needed) revert CommitteeNotEnoughSignatures(given, needed);

        address previous;
        // The loop is bounded by calldata the caller pays for; ascending order makes duplicates
        // detectable without any storage or memory set.
        for (uint256 i; i < given; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]); // reverts on malleable (high-s) or malformed signatures
            if (!_isValidator[signer]) revert CommitteeNotValidator(signer);
            if (i != 0) {
                if (signer == previous) revert CommitteeDuplicateSigner(signer);
                if (signer < previous) revert CommitteeSignersNotAscending(signer, previous);
            }
            previous = signer;
        }
    }

    /// @dev Swap-and-pop `validator` out of `_validators` (it is in the list: ≤ MAX_VALIDATORS steps).
    function _removeFromList(address validator) private {
        uint256 last = _validators.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (_validators[i] == validator) {
                if (i != last) _validators[i] = _validators[last];
                _validators.pop();
                return;
            }
        }
    }

    /// @inheritdoc IValidatorCommittee
    function readingsDigest(uint64 interval, bytes32 readingsRoot) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(INTERVAL_READINGS_TYPEHASH, interval, readingsRoot)));
    }

    /// @notice The EIP-712 domain separator of this deployment (chain id and address included).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IValidatorCommittee
    function finalizedReadingsRoot(uint64 interval) external view returns (bytes32) {
        return _finalizedRoots[interval];
    }

    /// @inheritdoc IValidatorCommittee
    function isValidator(address account) external view returns (bool) {
        return _isValidator[account];
    }

    /// @inheritdoc IValidatorCommittee
    function validators() external view returns (address[] memory) {
        return _validators;
    }

    /// @inheritdoc IValidatorCommittee
    function quorum() public view returns (uint256) {
        uint256 n = _validators.length;
        // n ≥ 1 always (constructor), so n − 1 cannot underflow; (n − 1) / 3 < n.
        unchecked {
            return n - (n - 1) / 3;
        }
    }
}
