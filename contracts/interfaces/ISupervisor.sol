// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEnergyMarket} from "./IEnergyMarket.sol";

/// @title Supervision layer: the regulator's controls
/// @notice The one place the regulator acts from. It holds the supervisor role on the market
/// (pause, parameters), on the payment channels (pause opening and funding) and the regulator role
/// on the registry (approve, suspend), records flags against accounts, and every action is an
/// event: the audit trail.
interface ISupervisor {
    /// @notice floor is 0 or above cap.
    error SupervisorPriceLimitsInvalid(uint256 floorWeiPerKWh, uint256 capWeiPerKWh);
    error SupervisorZeroAddress();
    error SupervisorAccountNotFlagged(address account);

    /// @notice `regulator` paused trading in the market.
    event TradingPaused(address indexed regulator);
    /// @notice `regulator` resumed trading in the market.
    event TradingUnpaused(address indexed regulator);
    /// @notice `regulator` set the price floor and cap (base units per kWh) from `effectiveFromInterval` on.
    event PriceLimitsSet(address indexed regulator, uint64 indexed effectiveFromInterval, uint32 floorWeiPerKWh, uint32 capWeiPerKWh);
    /// @notice `regulator` scheduled a full parameter set from `effectiveFromInterval` on (the market's
    /// MarketParamsScheduled event carries the values).
    event MarketParamsSet(address indexed regulator, uint64 indexed effectiveFromInterval);
    /// @notice `admin` made `channels` the supervised PaymentChannels contract.
    event PaymentChannelsSet(address indexed admin, address indexed channels);
    /// @notice `regulator` paused opening and funding payment channels.
    event ChannelsPaused(address indexed regulator);
    /// @notice `regulator` allowed opening and funding payment channels again.
    event ChannelsUnpaused(address indexed regulator);
    /// @notice `regulator` scheduled grid tariffs from `effectiveFromInterval` on (the market's
    /// GridTariffsScheduled event carries the values).
    event GridTariffsSet(address indexed regulator, uint64 indexed effectiveFromInterval);
    /// @notice `regulator` set `zone`'s grid fee from `effectiveFromInterval` on.
    event ZoneGridFeeSet(address indexed regulator, uint16 indexed zone, uint64 indexed effectiveFromInterval, uint32 feeWeiPerKWh);
    /// @notice `regulator` flagged `account` as anomalous, with a human-readable `reason`.
    event AccountFlagged(address indexed account, address indexed regulator, string reason);
    /// @notice `regulator` cleared `account`'s flag.
    event AccountUnflagged(address indexed account, address indexed regulator);

    /// @notice Pause new trading in the market. Requirements: REGULATOR_ROLE. Emits TradingPaused.
    function pauseTrading() external;
    /// @notice Resume trading. Requirements: REGULATOR_ROLE. Emits TradingUnpaused.
    function unpauseTrading() external;
    /// @notice Set price floor and cap from `effectiveFromInterval` on (other parameters unchanged).
    /// Requirements: REGULATOR_ROLE; 0 < floor ≤ cap; interval not gated. Emits PriceLimitsSet.
    function setPriceLimits(uint32 floorWeiPerKWh, uint32 capWeiPerKWh, uint64 effectiveFromInterval) external;
    /// @notice Set every market parameter from `effectiveFromInterval` on.
    /// Requirements: REGULATOR_ROLE; the market's own checks (params valid, interval not gated). Emits MarketParamsSet.
    function setMarketParams(IEnergyMarket.MarketParams calldata params, uint64 effectiveFromInterval) external;
    /// @notice Point this contract at the PaymentChannels contract it supervises (grant this contract
    /// that contract's SUPERVISOR_ROLE too). May be changed later, e.g. after a migration.
    /// Requirements: DEFAULT_ADMIN_ROLE; channels non-zero. Emits PaymentChannelsSet.
    function setPaymentChannels(address channels) external;
    /// @notice Pause opening and funding payment channels (PaymentChannels.pause): closes, challenges,
    /// unlocks, settlements and withdrawals keep working. Requirements: REGULATOR_ROLE; the
    /// PaymentChannels contract is set (else SupervisorZeroAddress). Emits ChannelsPaused.
    function pauseChannels() external;
    /// @notice Allow opening and funding payment channels again (PaymentChannels.unpause).
    /// Requirements: REGULATOR_ROLE; the PaymentChannels contract is set. Emits ChannelsUnpaused.
    function unpauseChannels() external;
    /// @notice Set the grid tariffs (imbalance, retail, feed-in, default zone fee) from
    /// `effectiveFromInterval` on. Requirements: REGULATOR_ROLE; the market's own checks (interval
    /// not gated). Emits GridTariffsSet.
    function setGridTariffs(IEnergyMarket.GridTariffs calldata tariffs, uint64 effectiveFromInterval) external;
    /// @notice Set `zone`'s grid fee (base units per kWh of delivered LAN energy) from
    /// `effectiveFromInterval` on. Requirements: REGULATOR_ROLE; interval not gated. Emits ZoneGridFeeSet.
    function setZoneGridFee(uint16 zone, uint32 feeWeiPerKWh, uint64 effectiveFromInterval) external;
    /// @notice Suspend a participant in the registry (it can no longer trade). Requirements: REGULATOR_ROLE.
    function suspendParticipant(address account) external;
    /// @notice Lift a participant's suspension in the registry. Requirements: REGULATOR_ROLE.
    function reinstateParticipant(address account) external;
    /// @notice Approve a Pending participant in the registry. Requirements: REGULATOR_ROLE.
    function approveParticipant(address account) external;
    /// @notice Record an anomaly flag against an account (audit trail). Flagging a flagged account
    /// again is allowed and records the new reason. Requirements: REGULATOR_ROLE; account non-zero.
    /// Emits AccountFlagged.
    function flagAccount(address account, string calldata reason) external;
    /// @notice Clear an account's flag. Requirements: REGULATOR_ROLE; account flagged. Emits AccountUnflagged.
    function unflagAccount(address account) external;
    /// @notice Whether `account` carries a flag.
    function isFlagged(address account) external view returns (bool);

    /// @notice The supervised EnergyMarket.
    function market() external view returns (address);
    /// @notice The supervised ParticipantRegistry.
    function registry() external view returns (address);
    /// @notice The supervised PaymentChannels (zero until `setPaymentChannels`).
    function paymentChannels() external view returns (address);
}
