// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Transaction layer: payment channels ("lightning") in the payment token
/// @notice Two parties lock payment tokens in a channel and then pay each other off-chain with
/// balance proofs: EIP-712 messages signed by BOTH parties (domain name "PowerLAN PaymentChannels",
/// version "1", chain id, this contract) carrying a strictly increasing nonce, the cumulative amount
/// each side has transferred to the other and the Merkle root of the pending hash time-locks.
///
/// Lifecycle: `open` (the opener is party A and may deposit) → either party may `deposit` more →
///   * `cooperativeClose` with both signatures over the final payouts: settled at once; or
///   * `close` (a party, with the latest both-signed proof) → challenge period of the channel's
///     `challengePeriodBlocks` during which ANYONE holding a newer both-signed proof (the
///     counterparty, a watchtower) may `challenge`, and pending locks may be `unlock`ed with their
///     secret → `settle` (anyone, after the period) → each party `withdraw`s its payout (pull).
/// Channel ids come from a counter starting at 1 and are never reused.
///
/// Payouts. With T = depositA + depositB and every signed amount capped at T (a signed amount above
/// the deposits is never paid: it is clamped), party A gets
///   clamp(depositA + transferredBToA + unlockedBToA − transferredAToB − unlockedAToB, 0, T)
/// and party B gets T minus that. So the payouts of a channel always add up to exactly its deposits.
///
/// Hash time-locks (multi-hop through the LAN's hub). A lock {sender, amountWei, expiryBlock,
/// hashlock} is money the sender has promised to the other party if the receiver knows the secret
/// with keccak256(secret) == hashlock by `expiryBlock`. Pending locks are NOT part of the transferred
/// amounts: off-chain, a revealed secret is folded into the next balance proof. The leaf of a lock is
/// keccak256(abi.encode(sender, amountWei, expiryBlock, hashlock)); the tree hashes sorted pairs
/// (OpenZeppelin MerkleProof). After a unilateral close the receiver can `unlock` a lock of the
/// closing state with the secret and a Merkle proof until the challenge period ends, provided the
/// secret was revealed on-chain (`revealSecret`, or by `unlock` itself) no later than the lock's
/// expiry block. Locks never unlocked stay with their sender at `settle` (an expired lock returns).
/// Unlocks count for the proof they were made against: a `challenge` with a newer proof resets them,
/// so a receiver submits its latest proof first and unlocks after.
///
/// The regulator's pause (SUPERVISOR_ROLE) blocks `open` and `deposit` only — never close, challenge,
/// unlock, settle or withdraw: money already in a channel can always leave.
interface IPaymentChannels {
    /// @notice None: never opened. Open: payments flow. Closing: challenge period running.
    /// Settled: payouts fixed, withdrawable.
    enum ChannelStatus {
        None,
        Open,
        Closing,
        Settled
    }

    /// @notice An off-chain channel state; valid when signed by both parties (EIP-712 type
    /// `BalanceProof(uint256 channelId,uint64 nonce,uint256 transferredAToBWei,uint256 transferredBToAWei,bytes32 locksRoot)`).
    /// Nonce 0 is the channel's initial state (nothing transferred, no locks) and needs no signatures.
    struct BalanceProof {
        uint256 channelId;
        uint64 nonce; // strictly increasing per channel
        uint256 transferredAToBWei; // cumulative, from party A to party B
        uint256 transferredBToAWei; // cumulative, from party B to party A
        bytes32 locksRoot; // Merkle root of the pending locks, 0 if none
    }

    /// @notice A hash time-lock inside a balance proof's `locksRoot`.
    struct Lock {
        address sender; // party A or party B; the other party receives
        uint256 amountWei;
        uint64 expiryBlock; // the secret must be revealed on-chain at a block ≤ this
        bytes32 hashlock; // keccak256(abi.encodePacked(secret))
    }

    /// @notice Everything stored about a channel. `balanceAWei`/`balanceBWei` are the parties'
    /// deposits while Open or Closing and their not yet withdrawn payouts once Settled. The closing
    /// fields (nonce … locksRoot) are set while Closing and zero otherwise; stored transferred and
    /// unlocked amounts are already capped at the total deposit.
    struct ChannelView {
        address partyA;
        address partyB;
        uint256 balanceAWei;
        uint256 balanceBWei;
        ChannelStatus status;
        uint64 challengePeriodBlocks;
        uint64 nonce;
        uint64 challengeDeadlineBlock; // last block at which challenge/unlock are accepted
        uint256 transferredAToBWei;
        uint256 transferredBToAWei;
        uint256 unlockedAToBWei;
        uint256 unlockedBToAWei;
        bytes32 locksRoot;
    }

    // ----------------------------------------------------------------------------------- errors

    /// @notice A zero address where an account or contract is required (deployment).
    error ChannelZeroAddress();
    /// @notice The regulator has paused opening and funding channels.
    error ChannelPaused();
    /// @notice The counterparty is the zero address or the caller itself.
    error ChannelCounterpartyInvalid(address counterparty);
    /// @notice The requested challenge period is outside this contract's bounds.
    error ChannelChallengePeriodOutOfRange(uint256 challengePeriodBlocks, uint256 minBlocks, uint256 maxBlocks);
    /// @notice A deposit of zero tokens.
    error ChannelZeroDeposit();
    /// @notice The channel's deposits would exceed MAX_TOTAL_DEPOSIT_WEI.
    error ChannelDepositTooLarge(uint256 channelId, uint256 amountWei, uint256 maxMoreWei);
    /// @notice `account` is neither party of the channel.
    error ChannelNotParticipant(uint256 channelId, address account);
    /// @notice The action needs an Open channel.
    error ChannelNotOpen(uint256 channelId, ChannelStatus status);
    /// @notice The action needs a Closing channel.
    error ChannelNotClosing(uint256 channelId, ChannelStatus status);
    /// @notice The action needs a Settled channel.
    error ChannelNotSettled(uint256 channelId, ChannelStatus status);
    /// @notice A signature did not come from `expectedSigner` (it recovers to `recoveredSigner`):
    /// signed by the wrong party or a stranger, or for another channel, chain or contract.
    error ChannelSignatureInvalid(uint256 channelId, address expectedSigner, address recoveredSigner);
    /// @notice A nonce-0 (initial, unsigned) state must transfer nothing and have no locks.
    error ChannelInitialStateNotEmpty(uint256 channelId);
    /// @notice A balance proof that is not newer than the one on record (replay or stale state).
    error ChannelNonceTooLow(uint256 channelId, uint64 nonce, uint64 currentNonce);
    /// @notice The challenge period ended at `challengeDeadlineBlock`: no more challenges or unlocks.
    error ChannelChallengePeriodOver(uint256 channelId, uint64 challengeDeadlineBlock);
    /// @notice The challenge period runs until `challengeDeadlineBlock`: too early to settle.
    error ChannelChallengePeriodNotOver(uint256 channelId, uint64 challengeDeadlineBlock);
    /// @notice Cooperative payouts must add up to exactly the channel's deposits.
    error ChannelPayoutsMismatch(uint256 channelId, uint256 payoutAWei, uint256 payoutBWei, uint256 depositsWei);
    /// @notice `account` has nothing (left) to withdraw from the channel.
    error ChannelNothingToWithdraw(uint256 channelId, address account);
    /// @notice The lock's sender is neither party.
    error ChannelLockSenderInvalid(uint256 channelId, address sender);
    /// @notice keccak256(secret) is not the lock's hashlock.
    error ChannelLockSecretMismatch(bytes32 hashlock, bytes32 secretHash);
    /// @notice The secret became known on-chain only at `revealedAtBlock`, after the lock expired.
    error ChannelLockExpired(bytes32 hashlock, uint64 expiryBlock, uint256 revealedAtBlock);
    /// @notice The Merkle proof does not put the lock's `leaf` under the recorded locks root.
    error ChannelLockNotFound(uint256 channelId, bytes32 leaf);
    /// @notice The lock was already unlocked against the recorded balance proof.
    error ChannelLockAlreadyUnlocked(uint256 channelId, bytes32 leaf);

    // ----------------------------------------------------------------------------------- events

    /// @notice Channel `channelId` opened by `partyA` with `partyB`; `depositWei` came from A.
    event ChannelOpened(
        uint256 indexed channelId,
        address indexed partyA,
        address indexed partyB,
        uint256 depositWei,
        uint64 challengePeriodBlocks
    );
    /// @notice `participant` added `amountWei`; its deposit is now `depositWei`.
    event ChannelDeposited(uint256 indexed channelId, address indexed participant, uint256 amountWei, uint256 depositWei);
    /// @notice Both parties agreed on the final payouts; the channel is Settled.
    event ChannelCooperativelyClosed(uint256 indexed channelId, uint256 payoutAWei, uint256 payoutBWei);
    /// @notice `closer` started the challenge period with the proof of nonce `nonce`; challenges and
    /// unlocks are accepted up to and including block `challengeDeadlineBlock`.
    event ChannelClosed(uint256 indexed channelId, address indexed closer, uint64 nonce, uint64 challengeDeadlineBlock);
    /// @notice `submitter` replaced the recorded proof with the newer one of nonce `nonce`.
    event ChannelChallenged(uint256 indexed channelId, address indexed submitter, uint64 nonce);
    /// @notice The preimage `secret` of `hashlock` became known on-chain (first time only).
    event SecretRevealed(bytes32 indexed hashlock, bytes32 secret);
    /// @notice A pending lock (leaf `leaf`) of the recorded proof now pays `amountWei` to `receiver`.
    event ChannelLockUnlocked(uint256 indexed channelId, bytes32 indexed leaf, address indexed receiver, uint256 amountWei);
    /// @notice The challenge period is over and the payouts are fixed.
    event ChannelSettled(uint256 indexed channelId, uint256 payoutAWei, uint256 payoutBWei);
    /// @notice `account` withdrew its payout `amountWei`.
    event ChannelWithdrawn(uint256 indexed channelId, address indexed account, uint256 amountWei);
    /// @notice The regulator paused opening and funding channels.
    event Paused(address account);
    /// @notice The regulator lifted the pause.
    event Unpaused(address account);

    // -------------------------------------------------------------------------------- functions

    /// @notice Open a channel with `counterparty` (party B); the caller is party A and deposits
    /// `depositWei` (may be 0; needs ERC-20 allowance).
    /// @param challengePeriodBlocks blocks during which a unilateral close can be challenged
    /// Requirements: not paused; counterparty ≠ 0 and ≠ caller; min ≤ challengePeriodBlocks ≤ max;
    /// depositWei ≤ MAX_TOTAL_DEPOSIT_WEI. Emits ChannelOpened.
    /// @return channelId the new channel's id (never reused)
    function open(address counterparty, uint256 depositWei, uint64 challengePeriodBlocks) external returns (uint256 channelId);

    /// @notice Top up the caller's side of an Open channel with `amountWei` (needs allowance).
    /// Requirements: not paused; channel Open; caller is a party; amountWei > 0; total deposits stay
    /// ≤ MAX_TOTAL_DEPOSIT_WEI. Emits ChannelDeposited.
    function deposit(uint256 channelId, uint256 amountWei) external;

    /// @notice Close at once with payouts both parties signed (EIP-712 type
    /// `CooperativeClose(uint256 channelId,uint256 payoutAWei,uint256 payoutBWei)`). Anyone may submit.
    /// Requirements: channel Open; payouts add up to the deposits; sigA by party A and sigB by party B
    /// (65-byte, low-s). Emits ChannelCooperativelyClosed.
    function cooperativeClose(
        uint256 channelId,
        uint256 payoutAWei,
        uint256 payoutBWei,
        bytes calldata sigA,
        bytes calldata sigB
    ) external;

    /// @notice Start a unilateral close with the latest both-signed proof (or the unsigned nonce-0
    /// initial state). Requirements: channel Open; caller is a party; valid signatures of A and B
    /// unless nonce is 0. Emits ChannelClosed.
    function close(BalanceProof calldata proof, bytes calldata sigA, bytes calldata sigB) external;

    /// @notice Replace the recorded proof with a newer both-signed one during the challenge period.
    /// Anyone may submit (watchtower). Resets unlocks made against the older proof.
    /// Requirements: channel Closing; block ≤ challengeDeadlineBlock; nonce > recorded nonce; valid
    /// signatures of A and B. Emits ChannelChallenged.
    function challenge(BalanceProof calldata proof, bytes calldata sigA, bytes calldata sigB) external;

    /// @notice Make `secret` known on-chain now (records the block of its first reveal), so locks
    /// with hashlock keccak256(secret) expiring at or after this block can be unlocked later.
    /// Works in any state and while paused. Emits SecretRevealed the first time.
    /// @return revealedAtBlock the block at which the secret was first revealed
    function revealSecret(bytes32 secret) external returns (uint256 revealedAtBlock);

    /// @notice Pay a pending lock of the recorded proof to its receiver. Anyone may submit.
    /// Reveals `secret` if it was not revealed yet.
    /// Requirements: channel Closing; block ≤ challengeDeadlineBlock; lock.sender is a party;
    /// keccak256(secret) == lock.hashlock; secret revealed at a block ≤ lock.expiryBlock; the lock is
    /// under the recorded locksRoot; not yet unlocked against this proof. Emits ChannelLockUnlocked.
    function unlock(uint256 channelId, Lock calldata lock, bytes32 secret, bytes32[] calldata merkleProof) external;

    /// @notice Fix the payouts after the challenge period. Anyone may call.
    /// Requirements: channel Closing; block > challengeDeadlineBlock. Emits ChannelSettled.
    function settle(uint256 channelId) external;

    /// @notice Pay the caller's payout of a Settled channel out to the caller (pull payment).
    /// Requirements: channel Settled; caller is a party with a payout left. Emits ChannelWithdrawn.
    function withdraw(uint256 channelId) external;

    /// @notice Stop `open` and `deposit`. Requirements: SUPERVISOR_ROLE. Emits Paused.
    function pause() external;

    /// @notice Allow `open` and `deposit` again. Requirements: SUPERVISOR_ROLE. Emits Unpaused.
    function unpause() external;

    /// @notice Whether opening and funding channels is paused.
    function paused() external view returns (bool);

    /// @notice The payment token (ERC-20 without transfer fees).
    function token() external view returns (address);

    /// @notice The id the next opened channel will get.
    function nextChannelId() external view returns (uint256);

    /// @notice Bounds for a channel's challenge period, fixed at deployment.
    function minChallengePeriodBlocks() external view returns (uint64);
    function maxChallengePeriodBlocks() external view returns (uint64);

    /// @notice Everything stored about channel `channelId` (status None if it never existed).
    function getChannel(uint256 channelId) external view returns (ChannelView memory);

    /// @notice The payouts (A, B) that `settle` would fix now for a Closing channel, or the remaining
    /// balances for any other state.
    function previewPayouts(uint256 channelId) external view returns (uint256 payoutAWei, uint256 payoutBWei);

    /// @notice The block at which keccak256(secret) == hashlock was first revealed (0: never).
    function secretRevealedAtBlock(bytes32 hashlock) external view returns (uint256);

    /// @notice Whether the lock with leaf `leaf` has been unlocked against the recorded proof.
    function isLockUnlocked(uint256 channelId, bytes32 leaf) external view returns (bool);

    /// @notice The EIP-712 digest both parties sign for `proof`.
    function hashBalanceProof(BalanceProof calldata proof) external view returns (bytes32);

    /// @notice The EIP-712 digest both parties sign to close cooperatively.
    function hashCooperativeClose(uint256 channelId, uint256 payoutAWei, uint256 payoutBWei)
        external
        view
        returns (bytes32);

    /// @notice The Merkle leaf of `lock`: keccak256(abi.encode(sender, amountWei, expiryBlock, hashlock)).
    function lockLeaf(Lock calldata lock) external pure returns (bytes32);
}
