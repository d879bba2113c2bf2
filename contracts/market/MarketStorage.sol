// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";
import {IMeterLedger} from "../interfaces/IMeterLedger.sol";
import {IValidatorCommittee} from "../interfaces/IValidatorCommittee.sol";
import {IEnergyCertificate} from "../interfaces/IEnergyCertificate.sol";
import {EscrowVault} from "../transaction/EscrowVault.sol";
import {OrderIds} from "../libraries/OrderIds.sol";
import {PackedOrder} from "../libraries/PackedOrder.sol";
import {MarketSchedule} from "../libraries/MarketSchedule.sol";
import {IntervalHeader} from "../libraries/IntervalHeader.sol";
import {ClearingResult} from "../libraries/ClearingResult.sol";

/// @title Contract layer: the storage of the energy market, shared with its settlement module
/// @notice Every state variable of the market is declared here and only here. Two contracts inherit
/// it: `EnergyMarket` (orders, clearing, views) and `DeliverySettlement` (settlement on metered
/// delivery, grid tariffs), which the market creates in its constructor and runs by DELEGATECALL on
/// its own storage. Both see the same slots because both inherit exactly this layout first and
/// `DeliverySettlement` declares no state of its own (the market's AccessControl roles come after
/// these slots and the module never touches them). Split for EIP-170: the market alone is near
/// the 24,576-byte limit, and the order hot path stays in the market, unchanged.
/// @dev Append new variables at the end only.
// The market's whole state lives here by design (one layout shared with its module): more than 15 slots.
// solhint-disable-next-line max-states-count
abstract contract MarketStorage is EscrowVault {
    using PackedOrder for uint256;
    using MarketSchedule for uint256;
    using IntervalHeader for uint256;

    /// @dev Participant cache flags in Account.flags (the debt flag belongs to the vault).
    uint8 internal constant _CAN_BUY = 1;
    uint8 internal constant _CAN_SELL = 2;

    /// @dev Most order ids one `settle` call takes (see IEnergyMarket.MAX_SETTLE_BATCH).
    uint256 internal constant _MAX_SETTLE_BATCH = 64;
    /// @dev The side byte of a take id (OrderIds layout: interval << 40 | side << 32 | index).
    uint8 internal constant _TAKE_SIDE = 2;
    /// @dev A take record: buyer account index (bits 0-31) | offer index (32-63) | energyWh (64-95)
    /// | this flag once settled. energyWh > 0, so a recorded take is never 0.
    uint256 internal constant _TAKE_SETTLED = 1 << 96;
    /// @dev Take record flag: paid through payment channels (nothing escrowed). The same bit as the
    /// offer's PackedOrder.FLAG_CHANNEL_PAID in its packed word (flags start at bit 96), so `take`
    /// copies it with one mask: `order & _TAKE_CHANNEL_PAID`.
    uint256 internal constant _TAKE_CHANNEL_PAID = PackedOrder.FLAG_CHANNEL_PAID << 96;

    /// @dev See IEnergyMarket.READING_GRACE_SECONDS.
    uint256 internal constant _READING_GRACE_SECONDS = 1 days;

    /// @dev One parameter version: its schedule word (MarketSchedule: first interval, start time,
    /// lengths, limits) and k, which only clearing reads.
    struct Version {
        uint256 schedule;
        uint16 kNumerator;
        uint16 kDenominator;
    }

    /// @dev One version of the grid tariffs (one slot).
    struct TariffVersion {
        uint64 fromInterval;
        IEnergyMarket.GridTariffs tariffs;
    }

    /// @dev One version of a zone's grid fee (one slot).
    struct ZoneFeeVersion {
        uint64 fromInterval;
        uint32 feeWeiPerKWh;
    }

    /// @dev The consensus-side contracts settlement reads and writes (set once by configureSettlement).
    struct Wiring {
        IMeterLedger ledger;
        IValidatorCommittee committee;
        IEnergyCertificate certificate;
    }

    /// @dev A seller's takes and settlement in one interval (two slots). `takenWh` grows with each
    /// take of the seller's offers (before the gate); the rest is written once, when the seller is
    /// settled (soldWh = S_j, auction fills + takenWh; deliveredWh = D_j; takenDeliveredWh = the
    /// takes' part of D_j), then `takesSettledWh` / `takesDeliveredWh` count the takes settled so far
    /// and what they were delivered (cumulative floor: the takes' deliveries sum to takenDeliveredWh).
    struct SellerRecord {
        bool settled;
        uint64 soldWh;
        uint64 deliveredWh;
        uint64 takenWh;
        uint64 takenDeliveredWh;
        uint64 takesSettledWh;
        uint64 takesDeliveredWh;
    }

    address internal immutable _registry;
    address internal immutable _dso;

    /// @dev The latest version's schedule word plus the pause flag: the one slot every order reads.
    uint256 internal _hot;
    Version[] internal _versions; // ascending first interval; _versions[0] starts at interval 0

    uint32 internal _accountCount;
    mapping(uint32 accountIndex => address) internal _accountAt;

    /// @dev IntervalState packed as an IntervalHeader word
    mapping(uint64 interval => uint256) internal _intervals;
    /// @dev marginal orders and price limits of a cleared interval, packed by ClearingResult
    mapping(uint64 interval => uint256) internal _results;
    /// @dev delivery and money of an interval's settlement so far
    mapping(uint64 interval => IEnergyMarket.IntervalSettlement) internal _settlements;
    /// @dev key: orderId >> 1 (two neighbouring indexes of one interval and side share a slot)
    mapping(uint256 pairKey => uint256) internal _orderSlots;
    /// @dev key: orderId >> 8, bit: orderId & 255
    mapping(uint256 wordKey => uint256) internal _settledBits;
    mapping(uint256 orderId => address buyer) internal _addressedTo;

    // ── settlement on metered delivery (DeliverySettlement) ──
    Wiring internal _wiring;
    mapping(uint64 interval => mapping(address seller => SellerRecord)) internal _sellers;
    TariffVersion[] internal _tariffVersions; // ascending first interval
    mapping(uint16 zone => ZoneFeeVersion[]) internal _zoneFees; // ascending first interval
    /// @dev Imbalance charges a seller could not pay yet (owed to the DSO).
    mapping(address account => uint256) internal _debtWei;

    // ── bilateral takes, settled on metered delivery (see IEnergyMarket.take) ──
    mapping(uint64 interval => uint32) internal _takeCounts;
    /// @dev key: take id (interval << 40 | _TAKE_SIDE << 32 | index); value: see _TAKE_SETTLED
    mapping(uint256 takeId => uint256) internal _takes;

    constructor(IERC20 paymentToken_, address registry_, address dso_) EscrowVault(paymentToken_) {
        _registry = registry_;
        _dso = dso_;
    }

    // ───────────────────────────── debt (vault hook) ─────────────────────────────

    /// @dev A credit to an account in debt repays the debt first (to the DSO); returns what is left
    /// for the account. Accounts without debt pay one bit test.
    function _repayDebtFrom(address owner, Account storage account, uint256 amountWei)
        internal
        override
        returns (uint256)
    {
        if (account.flags & _FLAG_IN_DEBT == 0 || owner == _dso) return amountWei;
        uint256 debt = _debtWei[owner];
        uint256 repaid = amountWei < debt ? amountWei : debt;
        // repaid ≤ debt.
        unchecked {
            debt -= repaid;
        }
        _debtWei[owner] = debt;
        if (debt == 0) account.flags &= ~_FLAG_IN_DEBT;
        _accounts[_dso].freeWei += SafeCast.toUint96(repaid);
        emit IEnergyMarket.DebtRepaid(owner, repaid, debt);
        // repaid ≤ amountWei.
        unchecked {
            return amountWei - repaid;
        }
    }

    // ───────────────────────────── shared helpers ─────────────────────────────

    /// @dev Decode an id and check the order exists (its index is below the side's count).
    function _decodeExisting(uint256 id) internal view returns (uint64 interval, IEnergyMarket.Side side, uint256 index) {
        (bool valid, uint64 i, uint8 s, uint32 idx) = OrderIds.decode(id);
        if (!valid) revert IEnergyMarket.MarketUnknownOrder(id);
        uint256 header = _intervals[i];
        if (idx >= (s == 0 ? header.bidCount() : header.offerCount())) revert IEnergyMarket.MarketUnknownOrder(id);
        return (i, IEnergyMarket.Side(s), idx);
    }

    function _loadOrder(uint256 id) internal view returns (uint256) {
        return PackedOrder.fromSlot(_orderSlots[id >> 1], id);
    }

    /// @dev Auction fill of a live order of a cleared interval (see ClearingResult).
    function _filledWh(IEnergyMarket.Side side, uint256 index, uint256 order, uint256 header, uint256 result)
        internal
        pure
        returns (uint256)
    {
        if (!header.hasPrice()) return 0;
        return ClearingResult.filledWh(result, side == IEnergyMarket.Side.Bid, index, order.priceWeiPerKWh(), order.energyWh());
    }

    /// @dev The schedule word that applies to `interval` (the hot slot unless the interval is older).
    function _scheduleFor(uint64 interval) internal view returns (uint256 s) {
        s = _hot;
        if (interval < s.fromInterval()) s = _historicSchedule(interval);
    }

    function _historicSchedule(uint64 interval) internal view returns (uint256) {
        return _versions[_versionIndexFor(interval)].schedule;
    }

    /// @dev Binary search for the last version whose first interval is ≤ interval (version 0 starts at 0).
    function _versionIndexFor(uint64 interval) internal view returns (uint256) {
        uint256 lo;
        uint256 hi = _versions.length - 1;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (_versions[mid].schedule.fromInterval() <= interval) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// @dev Ascending keys are the merit order: bids by price desc, offers by price asc, then index
    /// asc (index < 2^16 makes every key distinct). +1 so that no key is 0.
    function _meritKey(IEnergyMarket.Side side, uint256 priceWeiPerKWh, uint256 index) internal pure returns (uint256) {
        return (((side == IEnergyMarket.Side.Bid ? type(uint32).max - priceWeiPerKWh : priceWeiPerKWh) << 16) | index) + 1;
    }
}
