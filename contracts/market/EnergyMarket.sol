// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";
import {IParticipantRegistry, IParticipantListener} from "../interfaces/IParticipantRegistry.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {DeliverySettlement} from "../transaction/DeliverySettlement.sol";
import {ClearingMath} from "../libraries/ClearingMath.sol";
import {OrderIds} from "../libraries/OrderIds.sol";
import {PackedOrder} from "../libraries/PackedOrder.sol";
import {MarketSchedule} from "../libraries/MarketSchedule.sol";
import {IntervalHeader} from "../libraries/IntervalHeader.sol";
import {ClearingResult} from "../libraries/ClearingResult.sol";

/// @title Contract layer: the PowerLAN energy market (with its transaction-layer escrow vault)
/// @notice Per delivery interval a double auction with one uniform price, plus bilateral takes.
/// See IEnergyMarket for the clearing rule. Implementation notes:
/// - Participant status is cached in the account slot of the vault, written by the registry in the
///   same transaction as every change (IParticipantListener): placing an order never calls out.
/// - Orders are packed two per storage slot (PackedOrder); an interval's header is one slot.
/// - `clear` verifies an off-chain sort (price-time priority) in one pass and stores O(1) results:
///   the marginal bid and offer. Any order's fill follows from its rank relative to them.
/// - Regulator parameters are versioned by interval (`scheduleParams`); the latest version and
///   the pause flag share one slot read by every order.
/// - Price limits are checked when an order is placed. If the regulator later moves the cap or
///   floor of a not-yet-gated interval, resting orders whose price falls outside the interval's
///   [floor, cap] stay in the book (hints include them) but take no part in clearing: they are
///   not filled, and bids get their whole lock back at settlement. The limits used are stored with
///   the clearing result, so every fill is reproducible.
/// - Suspension blocks new orders and takes by the account; its resting orders stay (it may cancel).
/// - Settlement on metered delivery and the grid tariffs live in DeliverySettlement (transaction
///   layer), created by the constructor and run by DELEGATECALL on this contract's storage
///   (MarketStorage): the market stays within EIP-170 and its order hot path is unchanged. Roles and
///   the reentrancy guard are checked here before delegating; views reach the module through a
///   static self-call (`delegatedView`), so they cannot write.
/// - An account in debt (an imbalance it could not pay) may not place orders or take offers.
contract EnergyMarket is IEnergyMarket, IParticipantListener, MarketStorage, AccessControl {
    using PackedOrder for uint256;
    using MarketSchedule for uint256;
    using IntervalHeader for uint256;

    /// @notice May pause/unpause trading and schedule parameters (granted to the Supervisor contract).
    bytes32 public constant SUPERVISOR_ROLE = keccak256("SUPERVISOR_ROLE");

    /// @notice Hard bound on orders per interval and side (placed, including cancelled and addressed
    /// ones). `clear` on a full book (both sides at this bound) stays far below 15M gas.
    uint16 public constant MAX_ORDERS_PER_SIDE = 1000;

    uint256 private constant _MAX_UINT32 = type(uint32).max;

    /// @inheritdoc IEnergyMarket
    uint256 public constant MAX_SETTLE_BATCH = _MAX_SETTLE_BATCH;
    /// @inheritdoc IEnergyMarket
    uint256 public constant READING_GRACE_SECONDS = _READING_GRACE_SECONDS;

    /// @dev In-memory form of one order while clearing: index << 64 | price << 32 | energy.
    uint256 private constant _BOOK_INDEX_SHIFT = 64;

    /// @dev The settlement module (DeliverySettlement), run by DELEGATECALL.
    address private immutable _settlement;

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants SUPERVISOR_ROLE to the Supervisor)
    /// @param registry_ the participant registry (the market must then be added as its listener)
    /// @param paymentToken_ the ERC-20 (with EIP-2612) everything is paid in
    /// @param dso_ receives rounding dust
    /// @param initialParams parameters from interval 0 on
    /// @param genesisTime delivery start of interval 0 (unix seconds)
    constructor(
        address admin,
        address registry_,
        IERC20 paymentToken_,
        address dso_,
        MarketParams memory initialParams,
        uint256 genesisTime
    ) MarketStorage(paymentToken_, registry_, dso_) {
        if (
            admin == address(0) || registry_ == address(0) || address(paymentToken_) == address(0)
                || dso_ == address(0)
        ) revert MarketZeroAddress();
        _validateParams(initialParams);
        if (genesisTime > type(uint40).max) revert MarketParamsInvalid();
        _settlement = address(new DeliverySettlement(paymentToken_, registry_, dso_));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _pushVersion(0, genesisTime, initialParams);
        emit MarketParamsScheduled(0, initialParams);
    }

    // ───────────────────────────── participant cache ─────────────────────────────

    /// @inheritdoc IParticipantListener
    function onParticipantUpdated(address account, IParticipantRegistry.Participant calldata participant)
        external
    {
        if (msg.sender != _registry) revert MarketOnlyRegistry(msg.sender);
        _cacheParticipant(account, participant.role, participant.status, participant.zone);
    }

    /// @inheritdoc IEnergyMarket
    function syncParticipant(address account) external {
        IParticipantRegistry.Participant memory p = IParticipantRegistry(_registry).participantOf(account);
        _cacheParticipant(account, p.role, p.status, p.zone);
    }

    // ───────────────────────────────── trading ──────────────────────────────────

    /// @inheritdoc IEnergyMarket
    function placeBid(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh) external returns (uint256) {
        return _place(interval, Side.Bid, priceWeiPerKWh, energyWh, address(0), 0);
    }

    /// @inheritdoc IEnergyMarket
    function placeOffer(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh) external returns (uint256) {
        return _place(interval, Side.Offer, priceWeiPerKWh, energyWh, address(0), 0);
    }

    /// @inheritdoc IEnergyMarket
    function placeAddressedOffer(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh, address buyer)
        external
        returns (uint256)
    {
        return _placeAddressed(interval, priceWeiPerKWh, energyWh, buyer, PackedOrder.FLAG_ADDRESSED);
    }

    /// @inheritdoc IEnergyMarket
    function placeChannelOffer(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh, address buyer)
        external
        returns (uint256)
    {
        return _placeAddressed(
            interval, priceWeiPerKWh, energyWh, buyer, PackedOrder.FLAG_ADDRESSED | PackedOrder.FLAG_CHANNEL_PAID
        );
    }

    /// @inheritdoc IEnergyMarket
    function cancel(uint256 id) external {
        (uint64 interval, Side side, uint256 index) = _decodeExisting(id);
        uint256 order = _loadOrder(id);
        Account storage account = _accounts[msg.sender];
        if (order.accountIndex() != account.accountIndex) revert MarketNotOrderOwner(id, msg.sender);
        uint256 gate = _scheduleFor(interval).gateClosureOf(interval);
        if (block.timestamp >= gate) revert MarketGateClosed(interval, gate);
        if (order.flags() & PackedOrder.FLAG_CANCELLED != 0 || order.energyWh() == 0) revert MarketOrderNotOpen(id);

        _storeOrder(id, index, order.withFlag(PackedOrder.FLAG_CANCELLED));
        uint256 refundWei;
        if (side == Side.Bid) {
            // A live bid is counted in liveBids ≥ 1: no borrow from the next field.
            _intervals[interval] -= IntervalHeader.ONE_LIVE_BID;
            refundWei = ClearingMath.chargeWei(order.priceWeiPerKWh(), order.energyWh());
            _releaseLock(msg.sender, account, refundWei, refundWei);
        } else if (order.flags() & PackedOrder.FLAG_ADDRESSED == 0) {
            // A live auction offer is counted in liveOffers ≥ 1.
            _intervals[interval] -= IntervalHeader.ONE_LIVE_OFFER;
        }
        emit OrderCancelled(id, msg.sender, refundWei);
    }

    /// @inheritdoc IEnergyMarket
    function take(uint256 offerId, uint32 energyWh) external {
        (uint64 interval, uint256 index, uint256 order, uint256 paidWei) = _checkTake(offerId, energyWh);
        uint256 remainingWh = order.energyWh() - energyWh; // _checkTake: energyWh ≤ what is left
        _storeOrder(offerId, index, order.withEnergy(remainingWh));
        if (remainingWh == 0 && order.flags() & PackedOrder.FLAG_ADDRESSED == 0) {
            // The offer was live until now, so liveOffers ≥ 1.
            _intervals[interval] -= IntervalHeader.ONE_LIVE_OFFER;
        }
        Account storage buyer = _accounts[msg.sender];
        // A channel-paid offer's buyer pays off-chain: nothing is locked (paidWei is 0 only then).
        if (paidWei != 0) _lock(msg.sender, buyer, paidWei);
        address seller = _accountAt[order.accountIndex()];
        _sellers[interval][seller].takenWh += energyWh;
        // Checked: reverts after 2^32 − 1 takes in one interval.
        uint32 n = _takeCounts[interval]++;
        uint256 takeId = OrderIds.encode(interval, _TAKE_SIDE, n);
        // index < 2^16 (MAX_ORDERS_PER_SIDE) and energyWh > 0: see _TAKE_SETTLED; the offer's
        // channel flag sits at the take record's _TAKE_CHANNEL_PAID bit.
        _takes[takeId] =
            uint256(buyer.accountIndex) | (index << 32) | (uint256(energyWh) << 64) | (order & _TAKE_CHANNEL_PAID);
        emit OfferTaken(offerId, msg.sender, seller, energyWh, order.priceWeiPerKWh(), paidWei, takeId);
    }

    // ───────────────────────────────── clearing ─────────────────────────────────

    /// @inheritdoc IEnergyMarket
    function clear(uint64 interval, bytes calldata sortedBidIndexes, bytes calldata sortedOfferIndexes) external {
        uint256 header = _intervals[interval];
        if (header.cleared()) revert MarketAlreadyCleared(interval);
        Version storage version = _gatedVersion(interval);
        (uint256 matchedBids, uint256 matchedOffers, uint256 priceWeiPerKWh, uint256 clearedWh) = _match(
            interval,
            _verifiedBook(interval, Side.Bid, sortedBidIndexes, header, version.schedule),
            _verifiedBook(interval, Side.Offer, sortedOfferIndexes, header, version.schedule),
            version
        );
        // The price lies between two order prices (uint32); clearedWh ≤ 1000 × 2^32 < 2^64.
        header = header.withClearing(matchedBids != 0, priceWeiPerKWh, clearedWh);
        _intervals[interval] = header;
        // matched counts ≤ live counts ≤ 1000: exact casts.
        emit IntervalCleared(
            interval, matchedBids != 0, uint32(priceWeiPerKWh), uint64(clearedWh), uint16(matchedBids), uint16(matchedOffers)
        );
        if (header.unsettledOrders() == 0) emit IntervalSettled(interval, 0, 0, 0, 0);
    }

    /// @inheritdoc IEnergyMarket
    function sortHints(uint64) external view returns (bytes memory, bytes memory) {
        _delegateView();
    }

    /// @inheritdoc IEnergyMarket
    function settle(uint256[] calldata) external nonReentrant {
        _delegate();
    }

    /// @inheritdoc IEnergyMarket
    function configureSettlement(address, address, GridTariffs calldata) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _delegate();
    }

    /// @inheritdoc IEnergyMarket
    function scheduleGridTariffs(GridTariffs calldata, uint64) external onlyRole(SUPERVISOR_ROLE) {
        _delegate();
    }

    /// @inheritdoc IEnergyMarket
    function scheduleZoneGridFee(uint16, uint32, uint64) external onlyRole(SUPERVISOR_ROLE) {
        _delegate();
    }

    // ─────────────────────────────────── views ───────────────────────────────────

    /// @inheritdoc IEnergyMarket
    function currentInterval() external view returns (uint64) {
        uint256 t = block.timestamp;
        // Walks back over the supervisor's versions only (not growable by strangers).
        for (uint256 i = _versions.length; i > 0; --i) {
            uint256 w = _versions[i - 1].schedule;
            if (t >= w.startTime()) return uint64(w.fromInterval() + (t - w.startTime()) / w.intervalSeconds());
        }
        return 0;
    }

    /// @inheritdoc IEnergyMarket
    function intervalStartTime(uint64 interval) external view returns (uint256) {
        return _scheduleFor(interval).startOf(interval);
    }

    /// @inheritdoc IEnergyMarket
    function gateClosureTime(uint64 interval) external view returns (uint256) {
        return _scheduleFor(interval).gateClosureOf(interval);
    }

    /// @inheritdoc IEnergyMarket
    function paramsFor(uint64 interval) external view returns (MarketParams memory) {
        return _paramsOf(_versions[_versionIndexFor(interval)]);
    }

    /// @inheritdoc IEnergyMarket
    function intervalState(uint64 interval) external view returns (IntervalState memory) {
        return _intervals[interval].toState();
    }

    /// @inheritdoc IEnergyMarket
    function getOrder(uint256 id) external view returns (Order memory) {
        (uint64 interval, Side side, uint256 index) = _decodeExisting(id);
        return _orderView(interval, side, index, _intervals[interval], _results[interval]);
    }

    /// @inheritdoc IEnergyMarket
    function getOrders(uint64 interval, Side side, uint256 fromIndex, uint256 count)
        external
        view
        returns (Order[] memory orders)
    {
        uint256 state = _intervals[interval];
        uint256 result = _results[interval];
        uint256 total = side == Side.Bid ? state.bidCount() : state.offerCount();
        uint256 end = fromIndex >= total ? fromIndex : (count > total - fromIndex ? total : fromIndex + count);
        orders = new Order[](end - fromIndex);
        for (uint256 i = fromIndex; i < end; ++i) {
            orders[i - fromIndex] = _orderView(interval, side, i, state, result);
        }
    }

    /// @inheritdoc IEnergyMarket
    function orderId(uint64 interval, Side side, uint32 index) external pure returns (uint256) {
        return OrderIds.encode(interval, uint8(side), index);
    }

    /// @inheritdoc IEnergyMarket
    function paused() external view returns (bool) {
        return _hot.paused();
    }

    /// @inheritdoc IEnergyMarket
    function traderStatus(address account) external view returns (bool canBuy, bool canSell, uint16 zone) {
        Account storage a = _accounts[account];
        return (a.flags & _CAN_BUY != 0, a.flags & _CAN_SELL != 0, a.zone);
    }

    /// @inheritdoc IEnergyMarket
    function registry() external view returns (address) {
        return _registry;
    }

    /// @inheritdoc IEnergyMarket
    function dso() external view returns (address) {
        return _dso;
    }

    /// @inheritdoc IEnergyMarket
    function gridTariffsFor(uint64) external view returns (GridTariffs memory) {
        _delegateView();
    }

    /// @inheritdoc IEnergyMarket
    function zoneGridFeeFor(uint16, uint64) external view returns (uint32) {
        _delegateView();
    }

    /// @inheritdoc IEnergyMarket
    function settlementOf(uint64) external view returns (IntervalSettlement memory) {
        _delegateView();
    }

    /// @inheritdoc IEnergyMarket
    function sellerSettlementOf(uint64, address) external view returns (bool, uint64, uint64) {
        _delegateView();
    }

    /// @inheritdoc IEnergyMarket
    function debtOf(address account) external view returns (uint256) {
        return _debtWei[account];
    }

    /// @inheritdoc IEnergyMarket
    function meterLedger() external view returns (address) {
        return address(_wiring.ledger);
    }

    /// @inheritdoc IEnergyMarket
    function energyCertificate() external view returns (address) {
        return address(_wiring.certificate);
    }

    /// @notice Plumbing of the views above: runs `data` in the settlement module on this contract's
    /// storage. Only this contract may call it, and only through a static call.
    function delegatedView(bytes calldata data) external {
        if (msg.sender != address(this)) revert MarketOnlySelf(msg.sender);
        address target = _settlement;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, data.offset, data.length)
            let ok := delegatecall(gas(), target, ptr, data.length, 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) { revert(ptr, returndatasize()) }
            return(ptr, returndatasize())
        }
    }

    // ──────────────────────────────── supervision ────────────────────────────────

    /// @inheritdoc IEnergyMarket
    function pause() external onlyRole(SUPERVISOR_ROLE) {
        _hot = _hot.withPaused(true);
        emit Paused(msg.sender);
    }

    /// @inheritdoc IEnergyMarket
    function unpause() external onlyRole(SUPERVISOR_ROLE) {
        _hot = _hot.withPaused(false);
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IEnergyMarket
    /// @dev The new version replaces every version that starts at or after `effectiveFromInterval`
    /// (none of whose intervals may be gated yet). It starts where the current schedule puts
    /// `effectiveFromInterval`, so earlier intervals keep their times. The interval must be open
    /// under both the current and the new gate lead.
    /// `params` is `memory` on purpose: it shares the ABI code of the constructor's copy (~300 bytes
    /// less bytecode; the market is close to the 24 KiB limit) and this is not a hot path.
    // solhint-disable-next-line gas-calldata-parameters
    function scheduleParams(MarketParams memory params, uint64 effectiveFromInterval)
        external
        onlyRole(SUPERVISOR_ROLE)
    {
        _validateParams(params);
        if (effectiveFromInterval > _MAX_UINT32) revert MarketParamsInvalid();
        uint256 current = _scheduleFor(effectiveFromInterval);
        uint256 start = current.startOf(effectiveFromInterval);
        if (start > type(uint40).max) revert MarketParamsInvalid();
        uint256 gate = current.gateClosureOf(effectiveFromInterval);
        uint256 newGate = start > params.gateLeadSeconds ? start - params.gateLeadSeconds : 0;
        if (newGate < gate) gate = newGate;
        if (block.timestamp >= gate) revert MarketParamsIntervalGated(effectiveFromInterval, gate);

        // Drop the superseded versions (bounded by the supervisor's own scheduling, not a stranger's).
        // Gate leads may differ between versions, so a later version's first interval can be gated
        // before this one: such a version must not be replaced.
        while (_versions.length != 0) {
            uint256 w = _versions[_versions.length - 1].schedule;
            if (w.fromInterval() < effectiveFromInterval) break;
            uint256 firstGate = w.gateClosureOf(w.fromInterval());
            // fromInterval < 2^32: exact cast.
            if (block.timestamp >= firstGate) revert MarketParamsIntervalGated(uint64(w.fromInterval()), firstGate);
            _versions.pop();
        }
        _pushVersion(effectiveFromInterval, start, params);
        emit MarketParamsScheduled(effectiveFromInterval, params);
    }

    // ───────────────────────────────── internals ─────────────────────────────────

    /// @dev All requirements of `take` but the buyer's free balance (`_lock` checks it); returns the
    /// offer and what the buyer locks: ceil(p × Wh / 1000) ≥ 1, or 0 for a channel-paid offer.
    function _checkTake(uint256 offerId, uint32 energyWh)
        private
        view
        returns (uint64 interval, uint256 index, uint256 order, uint256 paidWei)
    {
        uint256 s = _hot;
        if (s.paused()) revert MarketPaused();
        Side side;
        (interval, side, index) = _decodeExisting(offerId);
        if (side != Side.Offer) revert MarketNotAnOffer(offerId);
        Account storage buyer = _accounts[msg.sender];
        if (buyer.flags & _CAN_BUY == 0) revert MarketNotParticipant(msg.sender);
        if (buyer.flags & _FLAG_IN_DEBT != 0) revert MarketAccountInDebt(msg.sender, _debtWei[msg.sender]);
        if (interval < s.fromInterval()) s = _historicSchedule(interval);
        {
            uint256 gate = s.gateClosureOf(interval);
            if (block.timestamp >= gate) revert MarketGateClosed(interval, gate);
        }
        order = _loadOrder(offerId);
        uint256 availableWh = order.energyWh();
        if (order.flags() & PackedOrder.FLAG_CANCELLED != 0 || availableWh == 0) revert MarketOrderNotOpen(offerId);
        if (order.accountIndex() == buyer.accountIndex) revert MarketOwnOffer(offerId);
        if (order.flags() & PackedOrder.FLAG_ADDRESSED != 0 && _addressedTo[offerId] != msg.sender) {
            revert MarketNotAddressedBuyer(offerId, msg.sender);
        }
        uint32 priceWeiPerKWh = order.priceWeiPerKWh();
        if (priceWeiPerKWh > s.capWeiPerKWh()) revert MarketPriceAboveCap(priceWeiPerKWh, s.capWeiPerKWh());
        if (priceWeiPerKWh < s.floorWeiPerKWh()) revert MarketPriceBelowFloor(priceWeiPerKWh, s.floorWeiPerKWh());
        if (energyWh == 0) revert MarketZeroEnergy();
        if (energyWh > availableWh) revert MarketTakeExceedsOffer(offerId, energyWh, availableWh);
        if (energyWh < s.minOrderWh() && energyWh != availableWh) {
            revert MarketEnergyBelowMinimum(energyWh, s.minOrderWh());
        }
        if (order.flags() & PackedOrder.FLAG_CHANNEL_PAID == 0) paidWei = ClearingMath.chargeWei(priceWeiPerKWh, energyWh);
    }

    /// @dev placeAddressedOffer and placeChannelOffer: an offer only `buyer` may take.
    function _placeAddressed(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh, address buyer, uint256 orderFlags)
        private
        returns (uint256)
    {
        if (_accounts[buyer].flags & _CAN_BUY == 0 || buyer == address(0)) revert MarketBuyerNotParticipant(buyer);
        return _place(interval, Side.Offer, priceWeiPerKWh, energyWh, buyer, orderFlags);
    }

    /// @dev `buyer` and `orderFlags` (FLAG_ADDRESSED, maybe FLAG_CHANNEL_PAID) are set for addressed
    /// offers only (address(0) and 0 otherwise).
    function _place(uint64 interval, Side side, uint32 priceWeiPerKWh, uint32 energyWh, address buyer, uint256 orderFlags)
        private
        returns (uint256 id)
    {
        uint256 maxOrders = _checkPlace(interval, side, priceWeiPerKWh, energyWh);
        uint256 header = _intervals[interval];
        Account storage account = _accounts[msg.sender];
        uint256 index;
        if (side == Side.Bid) {
            index = header.bidCount();
            if (index >= maxOrders) revert MarketTooManyOrders(interval, side, maxOrders);
            // bidCount < maxOrdersPerSide ≤ 1000 and liveBids ≤ bidCount: no carry between fields.
            _intervals[interval] = header + (IntervalHeader.ONE_BID | IntervalHeader.ONE_LIVE_BID);
            _lock(msg.sender, account, ClearingMath.chargeWei(priceWeiPerKWh, energyWh));
        } else {
            index = header.offerCount();
            if (index >= maxOrders) revert MarketTooManyOrders(interval, side, maxOrders);
            // as above: offerCount < 1000 and liveOffers ≤ offerCount, no carry between fields.
            if (buyer == address(0)) {
                _intervals[interval] = header + (IntervalHeader.ONE_OFFER | IntervalHeader.ONE_LIVE_OFFER);
            } else {
                _intervals[interval] = header + IntervalHeader.ONE_OFFER;
            }
        }
        id = OrderIds.encode(interval, uint8(side), uint32(index));
        if (buyer != address(0)) _addressedTo[id] = buyer;
        uint256 order = PackedOrder.pack(account.accountIndex, priceWeiPerKWh, energyWh, orderFlags);
        if (index & 1 == 0) {
            // The even index is the first order of a fresh slot (indexes are never reused).
            _orderSlots[id >> 1] = order;
        } else {
            _orderSlots[id >> 1] |= order << 128;
        }
        emit OrderPlaced(id, msg.sender, interval, side, priceWeiPerKWh, energyWh, buyer);
    }

    /// @dev Every requirement of placing an order but the count; returns the interval's maxOrdersPerSide.
    function _checkPlace(uint64 interval, Side side, uint32 priceWeiPerKWh, uint32 energyWh)
        private
        view
        returns (uint256)
    {
        uint256 s = _hot;
        if (s.paused()) revert MarketPaused();
        uint8 flags = _accounts[msg.sender].flags;
        if (flags & _CAN_BUY == 0) revert MarketNotParticipant(msg.sender);
        if (side == Side.Offer && flags & _CAN_SELL == 0) revert MarketCannotSell(msg.sender);
        if (flags & _FLAG_IN_DEBT != 0) revert MarketAccountInDebt(msg.sender, _debtWei[msg.sender]);
        if (interval < s.fromInterval()) s = _historicSchedule(interval);
        uint256 gate = s.gateClosureOf(interval);
        if (block.timestamp >= gate) revert MarketGateClosed(interval, gate);
        if (energyWh == 0) revert MarketZeroEnergy();
        if (energyWh < s.minOrderWh()) revert MarketEnergyBelowMinimum(energyWh, s.minOrderWh());
        if (priceWeiPerKWh == 0) revert MarketZeroPrice();
        if (priceWeiPerKWh > s.capWeiPerKWh()) revert MarketPriceAboveCap(priceWeiPerKWh, s.capWeiPerKWh());
        if (priceWeiPerKWh < s.floorWeiPerKWh()) revert MarketPriceBelowFloor(priceWeiPerKWh, s.floorWeiPerKWh());
        return s.maxOrdersPerSide();
    }

    /// @dev The parameter version of `interval`, which must have passed its gate closure.
    function _gatedVersion(uint64 interval) private view returns (Version storage) {
        Version storage version = _versions[_versionIndexFor(interval)];
        uint256 gate = version.schedule.gateClosureOf(interval);
        if (block.timestamp < gate) revert MarketGateNotClosed(interval, gate);
        return version;
    }

    /// @dev Verify one side's hints and return its in-range live orders in merit order, each as
    /// index << 64 | price << 32 | energy. Hints must be strictly increasing in (price desc, index
    /// asc) for bids / (price asc, index asc) for offers, in range, live, and exactly `live` many:
    /// strict order + the right count ⇒ exactly the live set, each once.
    function _verifiedBook(uint64 interval, Side side, bytes calldata hints, uint256 header, uint256 schedule)
        private
        view
        returns (uint256[] memory book)
    {
        {
            uint256 live = side == Side.Bid ? header.liveBids() : header.liveOffers();
            if (hints.length % 2 != 0 || hints.length / 2 != live) {
                revert MarketSortHintLength(side, hints.length / 2, live);
            }
            book = new uint256[](live);
        }
        uint256 n;
        uint256 previousKey; // keys start at 1, so the first hint always passes the order check
        uint256 baseId = OrderIds.encode(interval, uint8(side), 0);
        for (uint256 position; position < book.length; ++position) {
            uint256 index;
            assembly ("memory-safe") {
                index := shr(240, calldataload(add(hints.offset, mul(position, 2))))
            }
            if (index >= (side == Side.Bid ? header.bidCount() : header.offerCount())) {
                revert MarketSortHintInvalid(side, position);
            }
            uint256 order = PackedOrder.fromSlot(_orderSlots[(baseId | index) >> 1], index);
            if (!order.isLiveAuctionOrder()) revert MarketSortHintInvalid(side, position);
            uint256 key = _meritKey(side, order.priceWeiPerKWh(), index);
            if (key <= previousKey) revert MarketSortHintInvalid(side, position);
            previousKey = key;
            if (order.priceWeiPerKWh() <= schedule.capWeiPerKWh() && order.priceWeiPerKWh() >= schedule.floorWeiPerKWh())
            {
                book[n] = (index << _BOOK_INDEX_SHIFT) | (uint256(order.priceWeiPerKWh()) << 32) | order.energyWh();
                // n < live ≤ 1000.
                unchecked {
                    ++n;
                }
            }
        }
        assembly ("memory-safe") {
            mstore(book, n) // shrink to the in-range orders
        }
    }

    /// @dev Outcome of the merit-order walk over the in-range books (positions in merit order).
    struct Walk {
        uint256 nextBid; // position of the best bid left with unfilled energy (== length: none)
        uint256 nextOffer; // position of the best offer left with unfilled energy
        uint256 matchedBids; // bids with a fill: the marginal bid is at matchedBids − 1
        uint256 matchedOffers;
        uint256 marginalBidFilledWh;
        uint256 marginalOfferFilledWh;
        uint256 clearedWh;
    }

    /// @dev The merit-order walk: match the two fronts for min(remaining) while bid ≥ offer.
    /// Each step fills at least one front order completely: at most bids + offers steps.
    function _walk(uint256[] memory bids, uint256[] memory offers) private pure returns (Walk memory w) {
        uint256 bi;
        uint256 oi;
        uint256 bidLeftWh = bids.length != 0 ? uint32(bids[0]) : 0;
        uint256 offerLeftWh = offers.length != 0 ? uint32(offers[0]) : 0;
        while (bi < bids.length && oi < offers.length && uint32(bids[bi] >> 32) >= uint32(offers[oi] >> 32)) {
            uint256 q = bidLeftWh < offerLeftWh ? bidLeftWh : offerLeftWh;
            w.clearedWh += q;
            bidLeftWh -= q;
            offerLeftWh -= q;
            w.matchedBids = bi + 1;
            w.matchedOffers = oi + 1;
            w.marginalBidFilledWh = uint32(bids[bi]) - bidLeftWh;
            w.marginalOfferFilledWh = uint32(offers[oi]) - offerLeftWh;
            if (bidLeftWh == 0 && ++bi < bids.length) bidLeftWh = uint32(bids[bi]);
            if (offerLeftWh == 0 && ++oi < offers.length) offerLeftWh = uint32(offers[oi]);
        }
        w.nextBid = bi;
        w.nextOffer = oi;
    }

    /// @dev Walk, uniform price, and storage of the O(1) result.
    function _match(uint64 interval, uint256[] memory bids, uint256[] memory offers, Version storage version)
        private
        returns (uint256 matchedBids, uint256 matchedOffers, uint256 priceWeiPerKWh, uint256 clearedWh)
    {
        Walk memory w = _walk(bids, offers);
        if (w.matchedBids == 0) return (0, 0, 0, 0);
        uint256 marginalBid = bids[w.matchedBids - 1];
        uint256 marginalOffer = offers[w.matchedOffers - 1];
        {
            // lo = max(last accepted offer, best bid left); hi = min(last accepted bid, best offer left).
            uint256 lo = uint32(marginalOffer >> 32);
            uint256 hi = uint32(marginalBid >> 32);
            if (w.nextBid < bids.length && uint32(bids[w.nextBid] >> 32) > lo) lo = uint32(bids[w.nextBid] >> 32);
            if (w.nextOffer < offers.length && uint32(offers[w.nextOffer] >> 32) < hi) {
                hi = uint32(offers[w.nextOffer] >> 32);
            }
            priceWeiPerKWh = ClearingMath.clearingPrice(lo, hi, version.kNumerator, version.kDenominator);
        }
        // Indexes < 1000; prices, fills, cap and floor are uint32 values: every field fits.
        _results[interval] = ClearingResult.pack(
            ClearingResult.marginal(marginalBid >> _BOOK_INDEX_SHIFT, uint32(marginalBid >> 32), w.marginalBidFilledWh),
            ClearingResult.marginal(
                marginalOffer >> _BOOK_INDEX_SHIFT, uint32(marginalOffer >> 32), w.marginalOfferFilledWh
            ),
            version.schedule.capWeiPerKWh(),
            version.schedule.floorWeiPerKWh()
        );
        return (w.matchedBids, w.matchedOffers, priceWeiPerKWh, w.clearedWh);
    }

    function _orderView(uint64 interval, Side side, uint256 index, uint256 header, uint256 result)
        private
        view
        returns (Order memory o)
    {
        uint256 id = OrderIds.encode(interval, uint8(side), uint32(index));
        uint256 order = _loadOrder(id);
        o.id = id;
        o.owner = _accountAt[order.accountIndex()];
        o.side = side;
        o.interval = interval;
        o.index = uint32(index);
        o.priceWeiPerKWh = order.priceWeiPerKWh();
        o.energyWh = order.energyWh();
        o.cancelled = order.flags() & PackedOrder.FLAG_CANCELLED != 0;
        if (order.flags() & PackedOrder.FLAG_ADDRESSED != 0) o.addressedTo = _addressedTo[id];
        o.channelPaid = order.flags() & PackedOrder.FLAG_CHANNEL_PAID != 0;
        if (header.cleared() && order.isLiveAuctionOrder()) {
            o.filledWh = uint32(_filledWh(side, index, order, header, result));
        }
        o.settled = _settledBits[id >> 8] & (1 << (id & 0xff)) != 0;
    }

    function _cacheParticipant(
        address account,
        IParticipantRegistry.Role role,
        IParticipantRegistry.Status status,
        uint16 zone
    ) private {
        Account storage a = _accounts[account];
        uint32 accountIndex = a.accountIndex;
        if (accountIndex == 0) {
            // One index per account ever registered: 2^32 − 1 accounts before this would revert.
            accountIndex = ++_accountCount;
            _accountAt[accountIndex] = account;
            a.accountIndex = accountIndex;
        }
        uint256 flags;
        if (status == IParticipantRegistry.Status.Approved) {
            if (role == IParticipantRegistry.Role.Prosumer || role == IParticipantRegistry.Role.Aggregator) {
                flags = _CAN_BUY | _CAN_SELL;
            } else if (role == IParticipantRegistry.Role.Consumer) {
                flags = _CAN_BUY;
            }
        }
        a.flags = uint8(flags) | (a.flags & _FLAG_IN_DEBT);
        a.zone = zone;
    }

    function _storeOrder(uint256 id, uint256 index, uint256 order) private {
        _orderSlots[id >> 1] = PackedOrder.intoSlot(_orderSlots[id >> 1], index, order);
    }

    function _paramsOf(Version storage v) private view returns (MarketParams memory) {
        uint256 w = v.schedule;
        // Each field was packed from a value of the same width: the casts are exact.
        return MarketParams({
            priceCapWeiPerKWh: uint32(w.capWeiPerKWh()),
            priceFloorWeiPerKWh: uint32(w.floorWeiPerKWh()),
            minOrderWh: uint32(w.minOrderWh()),
            maxOrdersPerSide: uint16(w.maxOrdersPerSide()),
            kNumerator: v.kNumerator,
            kDenominator: v.kDenominator,
            intervalSeconds: uint24(w.intervalSeconds()),
            gateLeadSeconds: uint24(w.gateLeadSeconds())
        });
    }

    /// @dev Append a version and make it the hot one (keeping the pause flag).
    /// Callers check fromInterval < 2^32 and startTime < 2^40.
    function _pushVersion(uint256 fromInterval, uint256 startTime, MarketParams memory params) private {
        uint256 w = MarketSchedule.pack(fromInterval, startTime, params);
        _versions.push(Version({schedule: w, kNumerator: params.kNumerator, kDenominator: params.kDenominator}));
        _hot = w.withPaused(_hot.paused());
    }

    function _validateParams(MarketParams memory p) private pure {
        if (
            p.priceFloorWeiPerKWh == 0 || p.priceFloorWeiPerKWh > p.priceCapWeiPerKWh || p.maxOrdersPerSide == 0
                || p.maxOrdersPerSide > MAX_ORDERS_PER_SIDE || p.kDenominator == 0 || p.kNumerator > p.kDenominator
                || p.intervalSeconds == 0
        ) revert MarketParamsInvalid();
    }

    /// @dev Run this call's calldata in the settlement module on this contract's storage; bubble up
    /// its revert. (Used by functions without return values; returns normally so that modifiers
    /// such as nonReentrant complete.)
    function _delegate() private {
        address target = _settlement;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            if iszero(delegatecall(gas(), target, ptr, calldatasize(), 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev A view of the settlement module: static self-call to `delegatedView(msg.data)`, whose
    /// raw result is this call's result.
    function _delegateView() private view {
        (bool ok, bytes memory ret) = address(this).staticcall(abi.encodeCall(this.delegatedView, (msg.data)));
        assembly ("memory-safe") {
            if iszero(ok) { revert(add(ret, 32), mload(ret)) }
            return(add(ret, 32), mload(ret))
        }
    }
}
