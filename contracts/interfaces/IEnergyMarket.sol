// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Contract layer: the PowerLAN energy market
/// @notice Per delivery interval a sealed double auction with one uniform clearing price
/// (pay-as-clear), plus direct bilateral trades (take a posted offer at its price, pay-as-offer).
///
/// Clearing rule for the orders of one interval (bids and offers; price in payment-token base units
/// per kWh, energy in Wh, index = arrival order within its side):
/// 1. Volume — merit-order walk: bids by price descending, offers by price ascending, ties by
///    arrival (earlier first); match the two fronts for min(remaining) while bid ≥ offer.
/// 2. Price — one uniform price in the competitive-equilibrium interval:
///    lo = max(last accepted offer's price, price of the best bid left with unfilled energy),
///    hi = min(last accepted bid's price, price of the best offer left with unfilled energy),
///    ignoring terms that do not exist; price = lo + floor((hi − lo) × k), k set by the regulator
///    (default 1/2). Nothing crosses → no price, no trades.
/// 3. Who is filled: price-time priority, so at most one bid and one offer are partially filled.
/// 4. Money: a buyer pays ceil(price × Wh / 1000), a seller receives floor(price × Wh / 1000);
///    the rounding dust goes to the DSO; escrow beyond the charge is refunded.
///
/// The sort is computed off-chain (or with the `sortHints` view) and verified on-chain in one
/// pass by `clear`, so clearing costs O(orders) and never an on-chain sort.
interface IEnergyMarket {
    enum Side {
        Bid,
        Offer
    }

    /// @notice Regulator parameters of the market. A version applies from `effectiveFromInterval` on.
    struct MarketParams {
        uint32 priceCapWeiPerKWh; // highest price an order may carry
        uint32 priceFloorWeiPerKWh; // lowest price an order may carry (≥ 1)
        uint32 minOrderWh; // smallest order (and smallest partial take)
        uint16 maxOrdersPerSide; // orders ever placed per interval and side (cancelled, addressed included); ≤ MAX_ORDERS_PER_SIDE
        uint16 kNumerator; // k = kNumerator / kDenominator ∈ [0, 1]
        uint16 kDenominator;
        uint24 intervalSeconds; // delivery interval length (900 = 15 min)
        uint24 gateLeadSeconds; // gate closure this long before the interval's delivery starts
    }

    /// @notice One order, as returned by views.
    struct Order {
        uint256 id;
        address owner;
        Side side;
        uint64 interval;
        uint32 index; // arrival order within (interval, side), 0-based
        uint32 priceWeiPerKWh;
        uint32 energyWh; // energy still open for the auction (offers lose energy to takes)
        uint32 filledWh; // auction fill, known once the interval is cleared
        address addressedTo; // non-zero: bilateral offer only this buyer may take (not in the auction)
        bool cancelled;
        bool settled;
    }

    /// @notice Per-interval bookkeeping.
    struct IntervalState {
        uint16 bidCount; // bids ever placed
        uint16 offerCount; // offers ever placed (auction and addressed)
        uint16 liveBids; // bids still in the auction
        uint16 liveOffers; // auction offers with energy left
        bool cleared;
        bool hasPrice; // false: cleared but nothing crossed
        uint32 clearingPriceWeiPerKWh;
        uint64 clearedWh;
        uint16 unsettledOrders; // auction orders that still wait for `settle`
    }

    // ───────────────────────────────── errors ─────────────────────────────────
    error MarketNotParticipant(address account); // unregistered, pending or suspended
    error MarketCannotSell(address account); // consumers may only buy
    error MarketPaused();
    error MarketZeroEnergy();
    error MarketEnergyBelowMinimum(uint256 energyWh, uint256 minOrderWh);
    error MarketZeroPrice();
    error MarketPriceAboveCap(uint256 priceWeiPerKWh, uint256 capWeiPerKWh);
    error MarketPriceBelowFloor(uint256 priceWeiPerKWh, uint256 floorWeiPerKWh);
    error MarketTooManyOrders(uint64 interval, Side side, uint256 maxOrdersPerSide);
    error MarketGateClosed(uint64 interval, uint256 gateClosureTime);
    error MarketGateNotClosed(uint64 interval, uint256 gateClosureTime);
    error MarketAlreadyCleared(uint64 interval);
    error MarketNotCleared(uint64 interval);
    error MarketUnknownOrder(uint256 orderId);
    error MarketNotOrderOwner(uint256 orderId, address caller);
    error MarketOrderNotOpen(uint256 orderId); // cancelled, fully taken, or not an open auction order
    error MarketNotAnOffer(uint256 orderId);
    error MarketTakeExceedsOffer(uint256 orderId, uint256 requestedWh, uint256 availableWh);
    error MarketOwnOffer(uint256 orderId);
    error MarketNotAddressedBuyer(uint256 orderId, address caller);
    error MarketBuyerNotParticipant(address buyer);
    error MarketOrderAlreadySettled(uint256 orderId);
    error MarketSortHintLength(Side side, uint256 givenOrders, uint256 liveOrders);
    error MarketSortHintInvalid(Side side, uint256 position); // not live, out of range or out of order
    error MarketParamsInvalid();
    error MarketParamsIntervalGated(uint64 interval, uint256 gateClosureTime);
    error MarketOnlyRegistry(address caller);
    error MarketZeroAddress();

    // ───────────────────────────────── events ─────────────────────────────────
    event OrderPlaced(
        uint256 indexed orderId,
        address indexed owner,
        uint64 indexed interval,
        Side side,
        uint32 priceWeiPerKWh,
        uint32 energyWh,
        address addressedTo
    );
    event OrderCancelled(uint256 indexed orderId, address indexed owner, uint256 refundWei);
    /// @notice A bilateral trade: `buyer` took `energyWh` of an offer at the offer's price.
    event OfferTaken(
        uint256 indexed offerId,
        address indexed buyer,
        address indexed seller,
        uint32 energyWh,
        uint32 priceWeiPerKWh,
        uint256 paidWei
    );
    /// @notice The interval was cleared; `hasPrice` false means no bid crossed an offer.
    event IntervalCleared(uint64 indexed interval, bool hasPrice, uint32 priceWeiPerKWh, uint64 clearedWh, uint16 matchedBids, uint16 matchedOffers);
    /// @notice An auction order was settled: buyers pay `amountWei` (and get `refundWei` back), sellers receive `amountWei`.
    event OrderSettled(uint256 indexed orderId, address indexed owner, uint64 indexed interval, uint32 filledWh, uint256 amountWei, uint256 refundWei);
    /// @notice All auction orders of an interval are settled; the rounding dust went to the DSO.
    event IntervalSettled(uint64 indexed interval, uint256 chargedWei, uint256 paidWei, uint256 dustToDsoWei);
    event MarketParamsScheduled(uint64 indexed effectiveFromInterval, MarketParams params);
    /// @notice Trading (new orders and takes) was paused by `account`.
    event Paused(address account);
    /// @notice Trading was resumed by `account`.
    event Unpaused(address account);

    // ──────────────────────────────── trading ─────────────────────────────────
    /// @notice Post a bid: buy up to `energyWh` in `interval` paying at most `priceWeiPerKWh`.
    /// Locks ceil(price × energyWh / 1000) of the caller's free vault balance.
    /// Requirements: not paused; caller an active participant; before gate closure; price within
    /// [floor, cap]; energy ≥ minOrderWh; fewer than maxOrdersPerSide bids. Emits OrderPlaced.
    function placeBid(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh) external returns (uint256 orderId);

    /// @notice Post an offer: sell up to `energyWh` in `interval` for at least `priceWeiPerKWh`.
    /// Requirements: as placeBid, and the caller's role may sell. Emits OrderPlaced.
    function placeOffer(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh) external returns (uint256 orderId);

    /// @notice Post an offer only `buyer` may take (bilateral; not in the auction). Emits OrderPlaced.
    function placeAddressedOffer(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh, address buyer)
        external
        returns (uint256 orderId);

    /// @notice Cancel an open order before gate closure; a bid's lock returns to the free balance.
    /// Allowed while paused (cancelling only reduces exposure). Emits OrderCancelled.
    function cancel(uint256 orderId) external;

    /// @notice Take `energyWh` of a posted offer now, at the offer's price (pay-as-offer); paid from
    /// the caller's free vault balance. Requirements: not paused; before gate closure; active buyer;
    /// not own offer; energyWh ≤ what is left; energyWh ≥ minOrderWh unless it takes all that is left;
    /// the offer's price still within the interval's [floor, cap]. The buyer pays ceil(p × Wh / 1000),
    /// the seller receives floor(p × Wh / 1000), the DSO the difference. Emits OfferTaken.
    function take(uint256 offerId, uint32 energyWh) external;

    // ─────────────────────────────── clearing ─────────────────────────────────
    /// @notice Clear `interval` after its gate closure; anyone may call.
    /// @param sortedBidIndexes live bid indexes, 2 bytes each (big-endian), by price desc then index asc
    /// @param sortedOfferIndexes live auction offer indexes, 2 bytes each, by price asc then index asc
    /// Requirements: gate closed; not cleared yet; hints are exactly the live orders in that order
    /// (use `sortHints`). Emits IntervalCleared (and IntervalSettled at once if the interval has no
    /// auction orders). Orders whose price lies outside the interval's [floor, cap] — possible only
    /// if the regulator moved the limits after they were placed — are part of the hints but take no
    /// part in the walk: they are not filled and bids are refunded in full at settlement.
    function clear(uint64 interval, bytes calldata sortedBidIndexes, bytes calldata sortedOfferIndexes) external;

    /// @notice The sort hints `clear` expects, computed in a view (call it off-chain).
    function sortHints(uint64 interval) external view returns (bytes memory sortedBidIndexes, bytes memory sortedOfferIndexes);

    /// @notice Settle auction orders of cleared intervals (any mix, any caller, bounded by calldata).
    /// Buyers pay the uniform price for their fill and get the rest of their lock back; sellers are
    /// credited; unfilled bids are refunded. Works while paused. Emits OrderSettled per order and
    /// IntervalSettled when an interval's last order is settled (the DSO is then credited the dust).
    /// Requirements: each order is an auction order that was live at clearing (not cancelled, not
    /// addressed, not fully taken: else MarketOrderNotOpen), its interval is cleared, and it is not
    /// settled yet. One bad id reverts the whole batch.
    function settle(uint256[] calldata orderIds) external;

    // ──────────────────────────────── views ───────────────────────────────────
    function currentInterval() external view returns (uint64);
    function intervalStartTime(uint64 interval) external view returns (uint256);
    function gateClosureTime(uint64 interval) external view returns (uint256);
    function paramsFor(uint64 interval) external view returns (MarketParams memory);
    function intervalState(uint64 interval) external view returns (IntervalState memory);
    function getOrder(uint256 orderId) external view returns (Order memory);
    /// @notice Orders of one side of an interval, `count` from `fromIndex` (clipped to what exists).
    function getOrders(uint64 interval, Side side, uint256 fromIndex, uint256 count) external view returns (Order[] memory);
    function orderId(uint64 interval, Side side, uint32 index) external pure returns (uint256);
    function paused() external view returns (bool);
    /// @notice The market's cached view of `account` (kept fresh by the registry's listener calls):
    /// whether it may buy (approved prosumer, consumer or aggregator), may sell (approved prosumer or
    /// aggregator), and its zone.
    function traderStatus(address account) external view returns (bool canBuy, bool canSell, uint16 zone);
    /// @notice The participant registry whose updates the market caches.
    function registry() external view returns (address);
    /// @notice The distribution grid operator: receives the rounding dust of every charge and payout.
    function dso() external view returns (address);

    // ─────────────────────────────── participants ─────────────────────────────
    /// @notice Copy `account`'s current record from the registry into the market's cache. Anyone may
    /// call; needed only for accounts registered before the market subscribed to the registry.
    function syncParticipant(address account) external;

    // ─────────────────────────────── supervision ──────────────────────────────
    /// @notice Stop new orders and takes. Cancel, clear, settle and withdraw keep working.
    /// Requirements: SUPERVISOR_ROLE.
    function pause() external;
    function unpause() external;
    /// @notice Schedule `params` for `effectiveFromInterval` and every later interval.
    /// Requirements: SUPERVISOR_ROLE; that interval's gate has not closed, neither under the current
    /// nor under the new gate lead; params valid. The new version replaces any version scheduled for
    /// that interval or later, and starts where the current schedule starts `effectiveFromInterval`,
    /// so no earlier interval moves. Emits MarketParamsScheduled.
    function scheduleParams(MarketParams calldata params, uint64 effectiveFromInterval) external;
}
