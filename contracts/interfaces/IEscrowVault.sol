// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Transaction layer: the market's escrow vault
/// @notice Participants deposit the payment token once and trade from that balance: a bid locks
/// `ceil(limitPrice × energyWh / 1000)` of it, settlement moves value between free balances, and
/// anything free can be withdrawn at any time — also while trading is paused (pull payments).
/// Tokens move in and out only on deposit and withdraw, never per order.
interface IEscrowVault {
    error VaultZeroAmount();
    error VaultInsufficientBalance(address account, uint256 availableWei, uint256 requiredWei);

    /// @notice Emitted after `amountWei` tokens were pulled from `account` into its free balance.
    event Deposited(address indexed account, uint256 amountWei);
    /// @notice Emitted after `amountWei` of `account`'s free balance was paid out to it.
    event Withdrawn(address indexed account, uint256 amountWei);

    /// @notice Pull `amountWei` payment tokens (needs ERC-20 allowance) into the caller's free balance.
    /// Requirements: amountWei > 0. Emits Deposited.
    function deposit(uint256 amountWei) external;

    /// @notice Deposit using an EIP-2612 permit instead of a prior approve (one transaction).
    function depositWithPermit(uint256 amountWei, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Pay `amountWei` of the caller's free balance out to the caller. Works while paused.
    /// Requirements: amountWei > 0 and ≤ free balance. Emits Withdrawn.
    function withdraw(uint256 amountWei) external;

    /// @notice The payment token (ERC-20, 6 decimals on the devnet).
    function paymentToken() external view returns (address);

    /// @notice Free (unlocked) balance of `account`, in token base units.
    function freeBalanceOf(address account) external view returns (uint256);

    /// @notice Funds of `account` locked in bids not yet settled, in token base units.
    function lockedBalanceOf(address account) external view returns (uint256);
}
