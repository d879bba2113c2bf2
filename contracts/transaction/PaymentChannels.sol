// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IPaymentChannels} from "../interfaces/IPaymentChannels.sol";

/// @title Transaction layer: payment channels between two parties (one may be the LAN's hub)
/// @notice See IPaymentChannels for the protocol. Design choices of this implementation:
/// - Storage is packed so that the common lifecycle touches few slots: a channel's parties, deposits,
///   status and challenge period live in two slots (written once by `open`); the closing data
///   (nonce, deadline, transferred and unlocked amounts, locks root) in three more slots that only a
///   unilateral close writes and `settle` clears. Amounts are uint72: a channel holds at most
///   MAX_TOTAL_DEPOSIT_WEI ≈ 4.7e21 base units (≈ 4.7e15 PLC at 6 decimals); challenge periods are
///   uint24 blocks (≤ 16,777,215).
/// - `cooperativeClose` and `settle` write the payouts over the deposits (same slots): withdrawing
///   is a pull from the channel, no per-account balance mapping is needed.
/// - Payouts always add up to exactly the channel's deposits (see IPaymentChannels), so the token
///   balance of this contract always covers every channel.
/// - The pause flag shares a slot with the channel counter that `open` touches anyway.
/// Tokens with transfer fees or rebasing are not supported (PowerLAN Credit has neither).
contract PaymentChannels is IPaymentChannels, AccessControl, ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    /// @notice May pause/unpause opening and funding channels (granted to the regulator's Supervisor).
    bytes32 public constant SUPERVISOR_ROLE = keccak256("SUPERVISOR_ROLE");

    /// @notice Most a channel can hold (both deposits together): the uint72 the amounts are stored in.
    uint256 public constant MAX_TOTAL_DEPOSIT_WEI = type(uint72).max;

    bytes32 public constant BALANCE_PROOF_TYPEHASH = keccak256(
        "BalanceProof(uint256 channelId,uint64 nonce,uint256 transferredAToBWei,uint256 transferredBToAWei,bytes32 locksRoot)"
    );
    bytes32 public constant COOPERATIVE_CLOSE_TYPEHASH =
        keccak256("CooperativeClose(uint256 channelId,uint256 payoutAWei,uint256 payoutBWei)");

    IERC20 private immutable _token;
    uint64 private immutable _minChallengePeriodBlocks;
    uint64 private immutable _maxChallengePeriodBlocks;

    /// @dev Stored channel, 5 slots. See ChannelView for the meaning of each field.
    struct Channel {
        // slot 0
        address partyA;
        uint72 balanceAWei;
        uint24 challengePeriodBlocks;
        // slot 1
        address partyB;
        uint72 balanceBWei;
        ChannelStatus status;
        // slot 2 (Closing only)
        uint64 nonce;
        uint64 challengeDeadlineBlock;
        uint72 transferredAToBWei;
        // slot 3 (Closing only)
        uint72 transferredBToAWei;
        uint72 unlockedAToBWei;
        uint72 unlockedBToAWei;
        // slot 4 (Closing only)
        bytes32 locksRoot;
    }

    /// @dev The counter and the pause flag: one slot that `open` reads and writes anyway.
    struct Hot {
        uint64 nextChannelId;
        bool paused;
    }

    Hot private _hot;
    mapping(uint256 channelId => Channel) private _channels;
    mapping(bytes32 hashlock => uint256 blockNumber) private _secretRevealedAtBlock;
    /// @dev keccak256(abi.encode(channelId, nonce, leaf)) → unlocked against that proof.
    mapping(bytes32 key => bool) private _unlocked;

    /// @param token_ the payment token (PowerLAN Credit)
    /// @param admin receives DEFAULT_ADMIN_ROLE and SUPERVISOR_ROLE (hands the latter to the Supervisor)
    /// @param minChallengePeriodBlocks_ shortest challenge period a channel may choose (≥ 1)
    /// @param maxChallengePeriodBlocks_ longest challenge period a channel may choose (≤ 2^24 − 1)
    constructor(IERC20 token_, address admin, uint64 minChallengePeriodBlocks_, uint64 maxChallengePeriodBlocks_)
        EIP712("PowerLAN PaymentChannels", "1")
    {
        if (address(token_) == address(0) || admin == address(0)) revert ChannelZeroAddress();
        if (minChallengePeriodBlocks_ == 0) revert ChannelChallengePeriodOutOfRange(0, 1, type(uint24).max);
        if (maxChallengePeriodBlocks_ > type(uint24).max || maxChallengePeriodBlocks_ < minChallengePeriodBlocks_) {
            revert ChannelChallengePeriodOutOfRange(maxChallengePeriodBlocks_, minChallengePeriodBlocks_, type(uint24).max);
        }
        _token = token_;
        _minChallengePeriodBlocks = minChallengePeriodBlocks_;
        _maxChallengePeriodBlocks = maxChallengePeriodBlocks_;
        _hot.nextChannelId = 1; // ids start at 1 (0 is "no channel"); a non-zero slot also keeps opens cheaper
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(SUPERVISOR_ROLE, admin);
    }

    // ------------------------------------------------------------------------ open and fund

    /// @inheritdoc IPaymentChannels
    function open(address counterparty, uint256 depositWei, uint64 challengePeriodBlocks)
        external
        nonReentrant
        returns (uint256 channelId)
    {
        Hot memory hot = _hot;
        if (hot.paused) revert ChannelPaused();
        if (counterparty == address(0) || counterparty == msg.sender) revert ChannelCounterpartyInvalid(counterparty);
        if (challengePeriodBlocks < _minChallengePeriodBlocks || challengePeriodBlocks > _maxChallengePeriodBlocks) {
            revert ChannelChallengePeriodOutOfRange(
                challengePeriodBlocks, _minChallengePeriodBlocks, _maxChallengePeriodBlocks
            );
        }
        channelId = hot.nextChannelId;
        if (depositWei > MAX_TOTAL_DEPOSIT_WEI) revert ChannelDepositTooLarge(channelId, depositWei, MAX_TOTAL_DEPOSIT_WEI);

        // unchecked: a uint64 counter incremented by one per transaction cannot reach 2^64.
        unchecked {
            _hot.nextChannelId = hot.nextChannelId + 1;
        }
        Channel storage c = _channels[channelId];
        c.partyA = msg.sender;
        c.balanceAWei = uint72(depositWei); // ≤ MAX_TOTAL_DEPOSIT_WEI checked above
        c.challengePeriodBlocks = uint24(challengePeriodBlocks); // ≤ max ≤ 2^24 − 1 (constructor)
        c.partyB = counterparty;
        c.status = ChannelStatus.Open;
        emit ChannelOpened(channelId, msg.sender, counterparty, depositWei, challengePeriodBlocks);

        if (depositWei != 0) _token.safeTransferFrom(msg.sender, address(this), depositWei);
    }

    /// @inheritdoc IPaymentChannels
    function deposit(uint256 channelId, uint256 amountWei) external nonReentrant {
        if (_hot.paused) revert ChannelPaused();
        Channel storage c = _channels[channelId];
        if (c.status != ChannelStatus.Open) revert ChannelNotOpen(channelId, c.status);
        if (amountWei == 0) revert ChannelZeroDeposit();
        uint256 balanceA = c.balanceAWei;
        uint256 balanceB = c.balanceBWei;
        // unchecked: both are uint72, their sum fits easily and never exceeds MAX_TOTAL_DEPOSIT_WEI.
        uint256 room;
        unchecked {
            room = MAX_TOTAL_DEPOSIT_WEI - (balanceA + balanceB);
        }
        if (amountWei > room) revert ChannelDepositTooLarge(channelId, amountWei, room);

        uint256 newDeposit;
        // unchecked (both branches): amountWei ≤ room, so the new deposit ≤ MAX_TOTAL_DEPOSIT_WEI fits uint72.
        if (msg.sender == c.partyA) {
            unchecked {
                newDeposit = balanceA + amountWei;
            }
            c.balanceAWei = uint72(newDeposit);
        } else if (msg.sender == c.partyB) {
            unchecked {
                newDeposit = balanceB + amountWei;
            }
            c.balanceBWei = uint72(newDeposit);
        } else {
            revert ChannelNotParticipant(channelId, msg.sender);
        }
        emit ChannelDeposited(channelId, msg.sender, amountWei, newDeposit);

        _token.safeTransferFrom(msg.sender, address(this), amountWei);
    }

    // ------------------------------------------------------------------------------- close

    /// @inheritdoc IPaymentChannels
    function cooperativeClose(
        uint256 channelId,
        uint256 payoutAWei,
        uint256 payoutBWei,
        bytes calldata sigA,
        bytes calldata sigB
    ) external {
        Channel storage c = _channels[channelId];
        if (c.status != ChannelStatus.Open) revert ChannelNotOpen(channelId, c.status);
        uint256 deposits = uint256(c.balanceAWei) + c.balanceBWei;
        if (payoutAWei > deposits || payoutBWei != deposits - payoutAWei) {
            revert ChannelPayoutsMismatch(channelId, payoutAWei, payoutBWei, deposits);
        }
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(COOPERATIVE_CLOSE_TYPEHASH, channelId, payoutAWei, payoutBWei)));
        _checkSignatures(channelId, digest, c.partyA, c.partyB, sigA, sigB);

        // Both ≤ deposits ≤ MAX_TOTAL_DEPOSIT_WEI, so they fit uint72.
        c.balanceAWei = uint72(payoutAWei);
        c.balanceBWei = uint72(payoutBWei);
        c.status = ChannelStatus.Settled;
        emit ChannelCooperativelyClosed(channelId, payoutAWei, payoutBWei);
    }

    /// @inheritdoc IPaymentChannels
    function close(BalanceProof calldata proof, bytes calldata sigA, bytes calldata sigB) external {
        uint256 channelId = proof.channelId;
        Channel storage c = _channels[channelId];
        if (c.status != ChannelStatus.Open) revert ChannelNotOpen(channelId, c.status);
        if (msg.sender != c.partyA && msg.sender != c.partyB) revert ChannelNotParticipant(channelId, msg.sender);
        if (proof.nonce == 0) {
            if (proof.transferredAToBWei != 0 || proof.transferredBToAWei != 0 || proof.locksRoot != bytes32(0)) {
                revert ChannelInitialStateNotEmpty(channelId);
            }
        } else {
            _checkSignatures(channelId, _hashBalanceProof(proof), c.partyA, c.partyB, sigA, sigB);
        }

        uint64 deadline;
        // unchecked: block numbers and a uint24 period are far below 2^64.
        unchecked {
            deadline = uint64(block.number) + c.challengePeriodBlocks;
        }
        c.status = ChannelStatus.Closing;
        c.challengeDeadlineBlock = deadline;
        _recordProof(c, proof);
        emit ChannelClosed(channelId, msg.sender, proof.nonce, deadline);
    }

    /// @inheritdoc IPaymentChannels
    function challenge(BalanceProof calldata proof, bytes calldata sigA, bytes calldata sigB) external {
        uint256 channelId = proof.channelId;
        Channel storage c = _channels[channelId];
        if (c.status != ChannelStatus.Closing) revert ChannelNotClosing(channelId, c.status);
        if (block.number > c.challengeDeadlineBlock) revert ChannelChallengePeriodOver(channelId, c.challengeDeadlineBlock);
        if (proof.nonce <= c.nonce) revert ChannelNonceTooLow(channelId, proof.nonce, c.nonce);
        _checkSignatures(channelId, _hashBalanceProof(proof), c.partyA, c.partyB, sigA, sigB);

        _recordProof(c, proof);
        emit ChannelChallenged(channelId, msg.sender, proof.nonce);
    }

    // ------------------------------------------------------------------------------- locks

    /// @inheritdoc IPaymentChannels
    function revealSecret(bytes32 secret) external returns (uint256 revealedAtBlock) {
        return _revealSecret(secret, keccak256(abi.encodePacked(secret)));
    }

    /// @inheritdoc IPaymentChannels
    function unlock(uint256 channelId, Lock calldata lock, bytes32 secret, bytes32[] calldata merkleProof) external {
        Channel storage c = _channels[channelId];
        if (c.status != ChannelStatus.Closing) revert ChannelNotClosing(channelId, c.status);
        if (block.number > c.challengeDeadlineBlock) revert ChannelChallengePeriodOver(channelId, c.challengeDeadlineBlock);
        address receiver;
        if (lock.sender == c.partyA) receiver = c.partyB;
        else if (lock.sender == c.partyB) receiver = c.partyA;
        else revert ChannelLockSenderInvalid(channelId, lock.sender);

        bytes32 secretHash = keccak256(abi.encodePacked(secret));
        if (secretHash != lock.hashlock) revert ChannelLockSecretMismatch(lock.hashlock, secretHash);
        uint256 revealedAtBlock = _revealSecret(secret, secretHash);
        if (revealedAtBlock > lock.expiryBlock) revert ChannelLockExpired(lock.hashlock, lock.expiryBlock, revealedAtBlock);

        bytes32 leaf = _lockLeaf(lock);
        if (!MerkleProof.verifyCalldata(merkleProof, c.locksRoot, leaf)) revert ChannelLockNotFound(channelId, leaf);
        bytes32 key = keccak256(abi.encode(channelId, c.nonce, leaf));
        if (_unlocked[key]) revert ChannelLockAlreadyUnlocked(channelId, leaf);
        _unlocked[key] = true;

        uint256 deposits = uint256(c.balanceAWei) + c.balanceBWei;
        uint256 amountWei = lock.amountWei < deposits ? lock.amountWei : deposits;
        // Sums of two values ≤ deposits (< 2^73) cannot overflow; the result is capped at deposits (uint72).
        if (lock.sender == c.partyA) {
            c.unlockedAToBWei = uint72(_min(c.unlockedAToBWei + amountWei, deposits));
        } else {
            c.unlockedBToAWei = uint72(_min(c.unlockedBToAWei + amountWei, deposits));
        }
        emit ChannelLockUnlocked(channelId, leaf, receiver, amountWei);
    }

    // ------------------------------------------------------------------------ settle, withdraw

    /// @inheritdoc IPaymentChannels
    function settle(uint256 channelId) external {
        Channel storage c = _channels[channelId];
        if (c.status != ChannelStatus.Closing) revert ChannelNotClosing(channelId, c.status);
        uint64 deadline = c.challengeDeadlineBlock;
        if (block.number <= deadline) revert ChannelChallengePeriodNotOver(channelId, deadline);

        (uint256 payoutAWei, uint256 payoutBWei) = _closingPayouts(c);
        c.balanceAWei = uint72(payoutAWei); // payouts ≤ deposits ≤ MAX_TOTAL_DEPOSIT_WEI
        c.balanceBWei = uint72(payoutBWei);
        c.status = ChannelStatus.Settled;
        // The closing data has done its job (events keep the history): clear it.
        c.nonce = 0;
        c.challengeDeadlineBlock = 0;
        c.transferredAToBWei = 0;
        c.transferredBToAWei = 0;
        c.unlockedAToBWei = 0;
        c.unlockedBToAWei = 0;
        c.locksRoot = bytes32(0);
        emit ChannelSettled(channelId, payoutAWei, payoutBWei);
    }

    /// @inheritdoc IPaymentChannels
    function withdraw(uint256 channelId) external nonReentrant {
        Channel storage c = _channels[channelId];
        if (c.status != ChannelStatus.Settled) revert ChannelNotSettled(channelId, c.status);
        uint256 amountWei;
        if (msg.sender == c.partyA) {
            amountWei = c.balanceAWei;
            c.balanceAWei = 0;
        } else if (msg.sender == c.partyB) {
            amountWei = c.balanceBWei;
            c.balanceBWei = 0;
        } else {
            revert ChannelNotParticipant(channelId, msg.sender);
        }
        if (amountWei == 0) revert ChannelNothingToWithdraw(channelId, msg.sender);
        emit ChannelWithdrawn(channelId, msg.sender, amountWei);

        _token.safeTransfer(msg.sender, amountWei);
    }

    // ------------------------------------------------------------------------------- pause

    /// @inheritdoc IPaymentChannels
    function pause() external onlyRole(SUPERVISOR_ROLE) {
        _hot.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IPaymentChannels
    function unpause() external onlyRole(SUPERVISOR_ROLE) {
        _hot.paused = false;
        emit Unpaused(msg.sender);
    }

    // ------------------------------------------------------------------------------- views

    /// @inheritdoc IPaymentChannels
    function paused() external view returns (bool) {
        return _hot.paused;
    }

    /// @inheritdoc IPaymentChannels
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IPaymentChannels
    function nextChannelId() external view returns (uint256) {
        return _hot.nextChannelId;
    }

    /// @inheritdoc IPaymentChannels
    function minChallengePeriodBlocks() external view returns (uint64) {
        return _minChallengePeriodBlocks;
    }

    /// @inheritdoc IPaymentChannels
    function maxChallengePeriodBlocks() external view returns (uint64) {
        return _maxChallengePeriodBlocks;
    }

    /// @inheritdoc IPaymentChannels
    function getChannel(uint256 channelId) external view returns (ChannelView memory v) {
        Channel storage c = _channels[channelId];
        v.partyA = c.partyA;
        v.partyB = c.partyB;
        v.balanceAWei = c.balanceAWei;
        v.balanceBWei = c.balanceBWei;
        v.status = c.status;
        v.challengePeriodBlocks = c.challengePeriodBlocks;
        v.nonce = c.nonce;
        v.challengeDeadlineBlock = c.challengeDeadlineBlock;
        v.transferredAToBWei = c.transferredAToBWei;
        v.transferredBToAWei = c.transferredBToAWei;
        v.unlockedAToBWei = c.unlockedAToBWei;
        v.unlockedBToAWei = c.unlockedBToAWei;
        v.locksRoot = c.locksRoot;
    }

    /// @inheritdoc IPaymentChannels
    function previewPayouts(uint256 channelId) external view returns (uint256 payoutAWei, uint256 payoutBWei) {
        Channel storage c = _channels[channelId];
        if (c.status == ChannelStatus.Closing) return _closingPayouts(c);
        return (c.balanceAWei, c.balanceBWei);
    }

    /// @inheritdoc IPaymentChannels
    function secretRevealedAtBlock(bytes32 hashlock) external view returns (uint256) {
        return _secretRevealedAtBlock[hashlock];
    }

    /// @inheritdoc IPaymentChannels
    function isLockUnlocked(uint256 channelId, bytes32 leaf) external view returns (bool) {
        return _unlocked[keccak256(abi.encode(channelId, _channels[channelId].nonce, leaf))];
    }

    /// @inheritdoc IPaymentChannels
    function hashBalanceProof(BalanceProof calldata proof) external view returns (bytes32) {
        return _hashBalanceProof(proof);
    }

    /// @inheritdoc IPaymentChannels
    function hashCooperativeClose(uint256 channelId, uint256 payoutAWei, uint256 payoutBWei)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(COOPERATIVE_CLOSE_TYPEHASH, channelId, payoutAWei, payoutBWei)));
    }

    /// @inheritdoc IPaymentChannels
    function lockLeaf(Lock calldata lock) external pure returns (bytes32) {
        return _lockLeaf(lock);
    }

    // ---------------------------------------------------------------------------- internals

    function _hashBalanceProof(BalanceProof calldata proof) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    BALANCE_PROOF_TYPEHASH,
                    proof.channelId,
                    proof.nonce,
                    proof.transferredAToBWei,
                    proof.transferredBToAWei,
                    proof.locksRoot
                )
            )
        );
    }

    /// @dev Leaf preimages are 128 bytes and inner nodes 64, so a leaf can never pose as a node.
    function _lockLeaf(Lock calldata lock) private pure returns (bytes32) {
        return keccak256(abi.encode(lock.sender, lock.amountWei, lock.expiryBlock, lock.hashlock));
    }

    /// @dev OZ ECDSA reverts on malformed signatures (ECDSAInvalidSignatureLength for anything but
    /// 65 bytes, e.g. a 64-byte ERC-2098 one; ECDSAInvalidSignatureS for a malleable high-s one).
    function _checkSignatures(
        uint256 channelId,
        bytes32 digest,
        address partyA,
        address partyB,
        bytes calldata sigA,
        bytes calldata sigB
    ) private pure {
        address signerA = ECDSA.recoverCalldata(digest, sigA);
        if (signerA != partyA) revert ChannelSignatureInvalid(channelId, partyA, signerA);
        address signerB = ECDSA.recoverCalldata(digest, sigB);
        if (signerB != partyB) revert ChannelSignatureInvalid(channelId, partyB, signerB);
    }

    /// @dev Record a proof's state, every amount capped at the channel's deposits; resets unlocks.
    function _recordProof(Channel storage c, BalanceProof calldata proof) private {
        uint256 deposits = uint256(c.balanceAWei) + c.balanceBWei;
        c.nonce = proof.nonce;
        c.transferredAToBWei = uint72(_min(proof.transferredAToBWei, deposits));
        c.transferredBToAWei = uint72(_min(proof.transferredBToAWei, deposits));
        c.unlockedAToBWei = 0;
        c.unlockedBToAWei = 0;
        c.locksRoot = proof.locksRoot;
    }

    /// @dev Payouts of a Closing channel: see IPaymentChannels. Always sum to the deposits.
    function _closingPayouts(Channel storage c) private view returns (uint256 payoutAWei, uint256 payoutBWei) {
        uint256 depositA = c.balanceAWei;
        uint256 deposits = depositA + c.balanceBWei;
        // Each term ≤ deposits < 2^73: no sum here can overflow.
        uint256 inA = depositA + c.transferredBToAWei + c.unlockedBToAWei;
        uint256 outA = uint256(c.transferredAToBWei) + c.unlockedAToBWei;
        payoutAWei = inA > outA ? _min(inA - outA, deposits) : 0;
        payoutBWei = deposits - payoutAWei;
    }

    function _revealSecret(bytes32 secret, bytes32 hashlock) private returns (uint256 revealedAtBlock) {
        revealedAtBlock = _secretRevealedAtBlock[hashlock];
        if (revealedAtBlock == 0) {
            revealedAtBlock = block.number;
            _secretRevealedAtBlock[hashlock] = revealedAtBlock;
            emit SecretRevealed(hashlock, secret);
        }
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
