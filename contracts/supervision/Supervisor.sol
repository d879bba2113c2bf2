// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {IPaymentChannels} from "../interfaces/IPaymentChannels.sol";
import {ISupervisor} from "../interfaces/ISupervisor.sol";

/// @title Supervision layer: the regulator's console
/// @notice REGULATOR_ROLE holders act on the market and the registry from here, and every action
/// leaves an event naming the regulator who took it (the audit trail the dashboard reads).
/// Deployment wiring: grant this contract the market's SUPERVISOR_ROLE and the registry's
/// REGULATOR_ROLE; `setPaymentChannels` and grant it the channel contract's SUPERVISOR_ROLE. Errors of the market and the registry (e.g. MarketParamsIntervalGated,
/// RegistryInvalidStatus) bubble up unchanged.
contract Supervisor is ISupervisor, AccessControl {
    /// @notice The regulator: may use every function of this contract.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");

    IEnergyMarket private immutable _market;
    IParticipantRegistry private immutable _registry;
    /// @dev Set after deployment (PaymentChannels is deployed after this contract).
    IPaymentChannels private _channels;

    mapping(address account => bool) private _flagged;

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants and revokes regulators)
    /// @param regulator receives REGULATOR_ROLE
    /// @param market_ the EnergyMarket this contract supervises
    /// @param registry_ the ParticipantRegistry this contract supervises
    constructor(address admin, address regulator, address market_, address registry_) {
        if (admin == address(0) || regulator == address(0) || market_ == address(0) || registry_ == address(0)) {
            revert SupervisorZeroAddress();
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGULATOR_ROLE, regulator);
        _market = IEnergyMarket(market_);
        _registry = IParticipantRegistry(registry_);
    }

    // ──────────────────────────────── market ────────────────────────────────

    /// @inheritdoc ISupervisor
    function pauseTrading() external onlyRole(REGULATOR_ROLE) {
        _market.pause();
        emit TradingPaused(msg.sender);
    }

    /// @inheritdoc ISupervisor
    function unpauseTrading() external onlyRole(REGULATOR_ROLE) {
        _market.unpause();
        emit TradingUnpaused(msg.sender);
    }

    /// @inheritdoc ISupervisor
    function setPriceLimits(uint32 floorWeiPerKWh, uint32 capWeiPerKWh, uint64 effectiveFromInterval)
        external
        onlyRole(REGULATOR_ROLE)
    {
        if (floorWeiPerKWh == 0 || floorWeiPerKWh > capWeiPerKWh) {
            revert SupervisorPriceLimitsInvalid(floorWeiPerKWh, capWeiPerKWh);
        }
        IEnergyMarket.MarketParams memory params = _market.paramsFor(effectiveFromInterval);
        params.priceFloorWeiPerKWh = floorWeiPerKWh;
        params.priceCapWeiPerKWh = capWeiPerKWh;
        _market.scheduleParams(params, effectiveFromInterval);
        emit PriceLimitsSet(msg.sender, effectiveFromInterval, floorWeiPerKWh, capWeiPerKWh);
    }

    /// @inheritdoc ISupervisor
    function setMarketParams(IEnergyMarket.MarketParams calldata params, uint64 effectiveFromInterval)
        external
        onlyRole(REGULATOR_ROLE)
    {
        _market.scheduleParams(params, effectiveFromInterval);
        emit MarketParamsSet(msg.sender, effectiveFromInterval);
    }

    // ─────────────────────────────── channels ───────────────────────────────

    /// @inheritdoc ISupervisor
    function setPaymentChannels(address channels) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (channels == address(0)) revert SupervisorZeroAddress();
        _channels = IPaymentChannels(channels);
        emit PaymentChannelsSet(msg.sender, channels);
    }

    /// @inheritdoc ISupervisor
    function pauseChannels() external onlyRole(REGULATOR_ROLE) {
        _channelsOrRevert().pause();
        emit ChannelsPaused(msg.sender);
    }

    /// @inheritdoc ISupervisor
    function unpauseChannels() external onlyRole(REGULATOR_ROLE) {
        _channelsOrRevert().unpause();
        emit ChannelsUnpaused(msg.sender);
    }

    function _channelsOrRevert() private view returns (IPaymentChannels channels) {
        channels = _channels;
        if (address(channels) == address(0)) revert SupervisorZeroAddress();
    }

    /// @inheritdoc ISupervisor
    function setGridTariffs(IEnergyMarket.GridTariffs calldata tariffs, uint64 effectiveFromInterval)
        external
        onlyRole(REGULATOR_ROLE)
    {
        _market.scheduleGridTariffs(tariffs, effectiveFromInterval);
        emit GridTariffsSet(msg.sender, effectiveFromInterval);
    }

    /// @inheritdoc ISupervisor
    function setZoneGridFee(uint16 zone, uint32 feeWeiPerKWh, uint64 effectiveFromInterval)
        external
        onlyRole(REGULATOR_ROLE)
    {
        _market.scheduleZoneGridFee(zone, feeWeiPerKWh, effectiveFromInterval);
        emit ZoneGridFeeSet(msg.sender, zone, effectiveFromInterval, feeWeiPerKWh);
    }

    // ─────────────────────────────── registry ───────────────────────────────

    /// @inheritdoc ISupervisor
    function suspendParticipant(address account) external onlyRole(REGULATOR_ROLE) {
        _registry.suspend(account);
    }

    /// @inheritdoc ISupervisor
    function reinstateParticipant(address account) external onlyRole(REGULATOR_ROLE) {
        _registry.reinstate(account);
    }

    /// @inheritdoc ISupervisor
    function approveParticipant(address account) external onlyRole(REGULATOR_ROLE) {
        _registry.approve(account);
    }

    // ──────────────────────────────── flags ─────────────────────────────────

    /// @inheritdoc ISupervisor
    function flagAccount(address account, string calldata reason) external onlyRole(REGULATOR_ROLE) {
        if (account == address(0)) revert SupervisorZeroAddress();
        _flagged[account] = true;
        emit AccountFlagged(account, msg.sender, reason);
    }

    /// @inheritdoc ISupervisor
    function unflagAccount(address account) external onlyRole(REGULATOR_ROLE) {
        if (!_flagged[account]) revert SupervisorAccountNotFlagged(account);
        _flagged[account] = false;
        emit AccountUnflagged(account, msg.sender);
    }

    // ──────────────────────────────── views ─────────────────────────────────

    /// @inheritdoc ISupervisor
    function isFlagged(address account) external view returns (bool) {
        return _flagged[account];
    }

    /// @inheritdoc ISupervisor
    function market() external view returns (address) {
        return address(_market);
    }

    /// @inheritdoc ISupervisor
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc ISupervisor
    function paymentChannels() external view returns (address) {
        return address(_channels);
    }
}
