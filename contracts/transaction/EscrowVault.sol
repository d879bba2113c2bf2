// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IEscrowVault} from "../interfaces/IEscrowVault.sol";

/// @title Transaction layer: the market's escrow vault
/// @notice Holds every participant's payment tokens as a free and a locked balance. Tokens enter
/// only through `deposit` and leave only through `withdraw` (pull payments, allowed while paused);
/// everything in between — bid locks, refunds, charges, payouts — moves numbers between balances.
/// Invariant: token balance of this contract == Σ (freeWei + lockedWei) over all accounts, except
/// while an interval is half settled: its sellers are credited before its buyers' locks are charged,
/// so Σ free + Σ locked exceeds the balance by exactly the interval's seller credits not yet
/// collected from buyers (IEnergyMarket.settlementOf: sellersPaidWei − buyersChargedWei, never
/// more than those buyers' locks), and is equal again when its last order is settled.
/// Debt: an account may owe an imbalance charge it could not pay (`_FLAG_IN_DEBT`, amount kept by
/// the inheriting contract); every later credit to it — deposit, refund, payout — repays the debt
/// first (hook `_repayDebtFrom`).
/// @dev Abstract: the market inherits it, so one deployed contract holds orders and money (one
/// storage read serves both). The account record is one storage slot; its last 56 bits belong to
/// the inheriting contract (the market keeps its participant cache there).
abstract contract EscrowVault is IEscrowVault, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice One account, packed in a single storage slot (96+96+32+16+8 = 248 bits).
    /// 2^96 base units = 7.9e22 PLC: no real balance comes near it, and every addition is checked.
    struct Account {
        uint96 freeWei; // withdrawable, and what new bids and takes are paid from
        uint96 lockedWei; // locked in open bids until settlement or cancel
        uint32 accountIndex; // participant cache (market): 0 = never seen by the registry
        uint16 zone; // participant cache (market): feeder / zone number
        uint8 flags; // participant cache (market): may buy / may sell
    }

    /// @dev Account.flags bit owned by the vault: the account owes a debt (see `_repayDebtFrom`).
    uint8 internal constant _FLAG_IN_DEBT = 0x80;

    IERC20 private immutable _paymentToken;

    mapping(address account => Account) internal _accounts;

    constructor(IERC20 paymentToken_) {
        _paymentToken = paymentToken_;
    }

    /// @inheritdoc IEscrowVault
    function deposit(uint256 amountWei) external nonReentrant {
        _deposit(amountWei);
    }

    /// @inheritdoc IEscrowVault
    /// @dev The permit call may fail because someone front-ran it with the same signature; the
    /// deposit then still succeeds if the allowance is in place (the usual permit-griefing guard).
    function depositWithPermit(uint256 amountWei, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        try IERC20Permit(address(_paymentToken)).permit(msg.sender, address(this), amountWei, deadline, v, r, s) {}
            catch {}
        _deposit(amountWei);
    }

    /// @inheritdoc IEscrowVault
    function withdraw(uint256 amountWei) external nonReentrant {
        if (amountWei == 0) revert VaultZeroAmount();
        Account storage account = _accounts[msg.sender];
        uint256 free = account.freeWei;
        if (amountWei > free) revert VaultInsufficientBalance(msg.sender, free, amountWei);
        // amountWei ≤ free < 2^96: the cast is exact and the subtraction cannot underflow.
        account.freeWei = uint96(free - amountWei);
        emit Withdrawn(msg.sender, amountWei);
        _paymentToken.safeTransfer(msg.sender, amountWei);
    }

    /// @inheritdoc IEscrowVault
    function paymentToken() external view returns (address) {
        return address(_paymentToken);
    }

    /// @inheritdoc IEscrowVault
    function freeBalanceOf(address account) external view returns (uint256) {
        return _accounts[account].freeWei;
    }

    /// @inheritdoc IEscrowVault
    function lockedBalanceOf(address account) external view returns (uint256) {
        return _accounts[account].lockedWei;
    }

    /// @dev Add `amountWei` to `owner`'s free balance, after repaying its debt if it has one
    /// (checked: reverts rather than truncates or wraps).
    function _credit(address owner, Account storage account, uint256 amountWei) internal {
        account.freeWei += SafeCast.toUint96(_repayDebtFrom(owner, account, amountWei));
    }

    /// @dev Hook: repay `owner`'s debt out of a credit of `amountWei`; returns what is left to credit.
    function _repayDebtFrom(address owner, Account storage account, uint256 amountWei)
        internal
        virtual
        returns (uint256);

    /// @dev Move `lockWei` of `owner`'s free balance into its locked balance.
    /// Reverts with VaultInsufficientBalance if the free balance is smaller.
    function _lock(address owner, Account storage account, uint256 lockWei) internal {
        uint256 free = account.freeWei;
        if (free < lockWei) revert VaultInsufficientBalance(owner, free, lockWei);
        // lockWei ≤ free < 2^96: the cast is exact and nothing underflows; the addition is checked.
        account.freeWei = uint96(free - lockWei);
        account.lockedWei += uint96(lockWei);
    }

    /// @dev Release a lock of `lockWei` (must be part of the locked balance) and return `refundWei`
    /// (≤ lockWei) of it to the free balance; the rest was spent.
    function _releaseLock(address owner, Account storage account, uint256 lockWei, uint256 refundWei) internal {
        account.lockedWei -= SafeCast.toUint96(lockWei);
        account.freeWei += SafeCast.toUint96(_repayDebtFrom(owner, account, refundWei));
    }

    /// @dev Take `amountWei` out of `owner`'s free balance (it is paid to others inside the vault).
    function _debit(address owner, Account storage account, uint256 amountWei) internal {
        uint256 free = account.freeWei;
        if (free < amountWei) revert VaultInsufficientBalance(owner, free, amountWei);
        // amountWei ≤ free < 2^96: exact cast, no underflow.
        account.freeWei = uint96(free - amountWei);
    }

    function _deposit(uint256 amountWei) private {
        if (amountWei == 0) revert VaultZeroAmount();
        Account storage account = _accounts[msg.sender];
        // Checked: reverts (SafeCastOverflowedUintDowncast or overflow) rather than truncating.
        account.freeWei += SafeCast.toUint96(_repayDebtFrom(msg.sender, account, amountWei));
        emit Deposited(msg.sender, amountWei);
        _paymentToken.safeTransferFrom(msg.sender, address(this), amountWei);
    }
}
