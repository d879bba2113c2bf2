// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Transaction layer: PowerLAN Credit (PLC), the payment token
/// @notice ERC-20 with 6 decimals in which every price and payment of the LAN is denominated:
/// prices are base units per kWh (0.25 PLC/kWh = 250000), payments are base units ("Wei" in names).
/// Supports EIP-2612 permits (deposit into the market's vault in one transaction) and burning
/// (the cross-chain bridge burns on one chain and releases/mints on the other).
/// Minting is restricted to MINTER_ROLE (the deployer at first, later the bridge). On a devnet the
/// contract can be deployed with a faucet that gives any caller FAUCET_AMOUNT_WEI once per
/// FAUCET_COOLDOWN_SECONDS; on any other network deploy it with `faucetEnabled = false`.
contract PaymentToken is ERC20, ERC20Burnable, ERC20Permit, AccessControl {
    /// @notice May mint new tokens (deployer / seeding script, later the bridge).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice What one faucet call mints: 1,000 PLC.
    uint256 public constant FAUCET_AMOUNT_WEI = 1_000 * 10 ** 6;
    /// @notice Minimum time between two faucet calls of the same account.
    uint256 public constant FAUCET_COOLDOWN_SECONDS = 1 hours;

    /// @notice True only on devnets: whether `faucet()` works. Fixed at deployment.
    bool public immutable faucetEnabled;

    /// @notice When `account` may use the faucet again (0: never used it).
    mapping(address account => uint256 timestamp) public faucetReadyAt;

    error TokenZeroAddress();
    error TokenFaucetDisabled();
    error TokenFaucetCooldown(address account, uint256 readyAt);

    /// @notice Emitted when `account` received `amountWei` from the faucet; it may ask again at `readyAt`.
    event FaucetUsed(address indexed account, uint256 amountWei, uint256 readyAt);

    /// @param admin receives DEFAULT_ADMIN_ROLE and MINTER_ROLE (it may hand minting to a bridge and renounce)
    /// @param faucetEnabled_ true on a devnet only
    constructor(address admin, bool faucetEnabled_) ERC20("PowerLAN Credit", "PLC") ERC20Permit("PowerLAN Credit") {
        if (admin == address(0)) revert TokenZeroAddress();
        faucetEnabled = faucetEnabled_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice 6 decimals, like common fiat-backed stablecoins: 1 PLC = 1,000,000 base units.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mint `amountWei` base units to `to`. Requirements: MINTER_ROLE. Emits Transfer.
    function mint(address to, uint256 amountWei) external onlyRole(MINTER_ROLE) {
        _mint(to, amountWei);
    }

    /// @notice Devnet faucet: mint FAUCET_AMOUNT_WEI to the caller.
    /// Requirements: `faucetEnabled`; the caller's cooldown has passed. Emits FaucetUsed and Transfer.
    function faucet() external {
        if (!faucetEnabled) revert TokenFaucetDisabled();
        uint256 readyAt = faucetReadyAt[msg.sender];
        if (block.timestamp < readyAt) revert TokenFaucetCooldown(msg.sender, readyAt);
        uint256 nextReadyAt = block.timestamp + FAUCET_COOLDOWN_SECONDS;
        faucetReadyAt[msg.sender] = nextReadyAt;
        _mint(msg.sender, FAUCET_AMOUNT_WEI);
        emit FaucetUsed(msg.sender, FAUCET_AMOUNT_WEI, nextReadyAt);
    }
}
