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
///
/// Settlement on metered delivery (transaction layer, `settle`): an interval's auction trades are
/// paid for the energy that actually flowed, as recorded in the MeterLedger after the validator
/// quorum finalised the interval's readings. With p the clearing price, C the cleared Wh:
/// 1. Sellers first. Seller j sold S_j = A_j + T_j: A_j = Σ auction fills of its offers in the
///    interval, T_j = Σ Wh taken from its offers (see `take`); it exported E_j (its meter reading)
///    and delivered D_j = min(E_j, S_j), of which the auction part is D_j^A = floor(D_j × A_j / S_j)
///    and the rest goes to its takes (paid per take at the offer's price, see `take`). For D_j^A it
///    is paid floor(p × D_j^A / 1000) minus the grid fee of its zone on D_j^A,
///    ceil(fee × D_j^A / 1000) (capped at that payment), which goes to the DSO. One grid-fee rule
///    for every sale: a take's share d_t pays its seller's zone fee the same way (see `take`).
///    Its shortfall S_j − D_j is charged as imbalance, ceil(imbalanceTariff ×
///    shortfall / 1000), from its free balance to the DSO; what the balance cannot cover becomes a
///    debt: it blocks the account's new orders and takes, and every later credit to the account
///    (payout, refund, deposit) repays it first. The credit score moves: MeterLedger.recordDelivery(j, S_j, D_j).
///    A seller is settled once, with the first of its offers or takes passed to `settle` (all of
///    its offers are scanned for A_j); its other offers then only record their own settlement.
/// 2. Buyers, once every offer of the interval is settled. D = Σ D_j^A. Buyer k with fill F_k is
///    delivered d_k = F_k × D / C, rounded by cumulative rounding in settlement order:
///    d_k = floor((A + F_k) × D / C) − floor(A × D / C), A = fills of the buyers settled before.
///    So each d_k is floor or ceil of its exact share (≤ F_k) and Σ d_k = D exactly: every
///    delivered Wh is paid for by one buyer and certified once (the rounding remainder goes to
///    whichever buyers settle when it accumulates to a whole Wh). The buyer pays ceil(p × d_k / 1000);
///    the rest of its lock is refunded (so a seller's shortfall is refunded to the buyers), and it
///    receives d_k Wh of energy certificates (EnergyCertificate id = interval).
/// 3. When the interval's last order is settled, Σ buyers' charges − Σ sellers' payments (before
///    fees) — rounding dust, never negative — goes to the DSO.
/// Readings are final when the committee has a finalised root for the interval and each seller's
/// reading is recorded; a seller whose reading is still missing READING_GRACE_SECONDS after the
/// interval's delivery ended counts as having exported 0 (so a dead meter cannot lock its buyers'
/// money forever). Grid tariffs and zone fees are versioned by interval like MarketParams: a
/// change applies only to intervals whose gate has not closed, so a trade's fees are known when it
/// is made. Bilateral takes are escrowed at take time and settled on delivery too, each on its
/// own at its offer's price (see `take`); they take no part in steps 2 and 3.
///
/// Channel-paid trades (`placeChannelOffer`): the buyer pays the seller off-chain through payment
/// channels (e.g. one balance proof per minute of metered energy, via the LAN's hub), so the chain
/// escrows and moves nothing between them. Their takes count in S_j and share T_j exactly like
/// escrowed takes; at settlement the buyer gets certificates for its d_t, the seller pays its grid
/// fee on d_t (the same fee an escrowed take's seller has deducted from its payout) and its
/// imbalance from its own balance (debt if that is short), and nobody is charged, paid or refunded
/// for the energy itself.
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
        bool channelPaid; // addressed offer whose takes are paid through payment channels (placeChannelOffer)
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
        uint16 unsettledOffers; // of which offers (buyers settle only when this is 0)
    }

    /// @notice Grid tariffs set by the regulator (payment-token base units per kWh). The imbalance
    /// tariff prices a seller's shortfall; retail (grid → household) and feed-in (household → grid)
    /// are not charged on-chain but stored so that every savings figure uses the same numbers; the
    /// default zone fee applies to zones without their own (`scheduleZoneGridFee`).
    struct GridTariffs {
        uint32 imbalanceWeiPerKWh;
        uint32 retailWeiPerKWh;
        uint32 feedInWeiPerKWh;
        uint32 defaultZoneFeeWeiPerKWh;
    }

    /// @notice An interval's settlement so far.
    struct IntervalSettlement {
        uint64 deliveredWh; // D: Σ auction parts D_j^A delivered by the sellers settled so far
        uint64 buyersFilledWh; // Σ fills of the buyers settled so far
        uint64 buyersDeliveredWh; // Σ d_k of the buyers settled so far (== D when all are)
        uint128 sellersPaidWei; // Σ floor(p × D_j^A / 1000) credited to sellers (incl. their grid fees)
        uint128 buyersChargedWei; // Σ ceil(p × d_k / 1000) charged to buyers
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
    error MarketSettleBatchTooLarge(uint256 given, uint256 max);
    error MarketSettlementNotConfigured();
    error MarketSettlementAlreadyConfigured();
    error MarketReadingsNotFinal(uint64 interval); // the committee has no final readings root yet
    error MarketReadingMissing(address account, uint64 interval, uint256 graceEndsAt);
    error MarketSellersNotSettled(uint64 interval, uint256 unsettledOffers);
    error MarketAccountInDebt(address account, uint256 debtWei);
    error MarketOnlySelf(address caller); // internal plumbing of the settlement module

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
    /// @notice A bilateral trade: `buyer` took `energyWh` of an offer at the offer's price and
    /// locked `paidWei` = ceil(p × Wh / 1000) in escrow; `takeId` settles it (see `settle`).
    event OfferTaken(
        uint256 indexed offerId,
        address indexed buyer,
        address indexed seller,
        uint32 energyWh,
        uint32 priceWeiPerKWh,
        uint256 paidWei,
        uint256 takeId
    );
    /// @notice The interval was cleared; `hasPrice` false means no bid crossed an offer.
    event IntervalCleared(uint64 indexed interval, bool hasPrice, uint32 priceWeiPerKWh, uint64 clearedWh, uint16 matchedBids, uint16 matchedOffers);
    /// @notice An auction order was settled on metered delivery. Bids: `deliveredWh` = d_k, the buyer
    /// paid `amountWei` and got `refundWei` back. Offers: `deliveredWh` = the order's share of its
    /// seller's delivery, floor(filled × D_j / S_j) (informative); amountWei and refundWei are 0 —
    /// the seller's money is in SellerSettled.
    event OrderSettled(
        uint256 indexed orderId,
        address indexed owner,
        uint64 indexed interval,
        uint32 filledWh,
        uint64 deliveredWh,
        uint256 amountWei,
        uint256 refundWei
    );
    /// @notice Seller `seller` was settled for `interval`: it sold `soldWh` and delivered `deliveredWh`
    /// (S_j and D_j, takes included), received `payoutWei` for the auction part D_j^A (after
    /// `gridFeeWei` to the DSO; its takes' d_t are paid per take, see EscrowedTakeSettled and
    /// ChannelTakeSettled), was charged `imbalanceWei` for the shortfall, of which `debtWei` could not
    /// be paid from its balance and became debt.
    event SellerSettled(
        uint64 indexed interval,
        address indexed seller,
        uint64 soldWh,
        uint64 deliveredWh,
        uint256 payoutWei,
        uint256 gridFeeWei,
        uint256 imbalanceWei,
        uint256 debtWei
    );
    /// @notice All auction orders of an interval are settled: buyers were charged `chargedWei` for
    /// `deliveredWh`, sellers were paid `paidWei` (before grid fees); the dust went to the DSO.
    /// Takes are not included (see EscrowedTakeSettled and ChannelTakeSettled).
    event IntervalSettled(uint64 indexed interval, uint64 deliveredWh, uint256 chargedWei, uint256 paidWei, uint256 dustToDsoWei);
    /// @notice A channel-paid take `takeId` of `seller`'s offer was settled (after its OrderSettled):
    /// `deliveredWh` = d_t were certified to the buyer, who paid off-chain; the seller was charged
    /// `gridFeeWei` from its free balance for the DSO, of which `debtWei` could not be paid and became debt.
    event ChannelTakeSettled(uint256 indexed takeId, address indexed seller, uint64 deliveredWh, uint256 gridFeeWei, uint256 debtWei);
    /// @notice An escrowed take `takeId` of `seller`'s offer was settled (after its OrderSettled, which
    /// carries the buyer's side): for its `deliveredWh` = d_t the seller received `payoutWei`, after
    /// `gridFeeWei` (its zone's grid fee on d_t, as in SellerSettled) went to the DSO.
    event EscrowedTakeSettled(uint256 indexed takeId, address indexed seller, uint64 deliveredWh, uint256 payoutWei, uint256 gridFeeWei);
    /// @notice `repaidWei` of `account`'s debt was repaid to the DSO out of a credit; `debtWei` is left.
    event DebtRepaid(address indexed account, uint256 repaidWei, uint256 debtWei);
    /// @notice The market settles on the readings of `ledger` (final when `committee` has a root) and
    /// mints certificates on `certificate`.
    event SettlementConfigured(address ledger, address committee, address certificate);
    event GridTariffsScheduled(uint64 indexed effectiveFromInterval, GridTariffs tariffs);
    event ZoneGridFeeScheduled(uint16 indexed zone, uint64 indexed effectiveFromInterval, uint32 feeWeiPerKWh);
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
    /// Requirements: as placeOffer; `buyer` may buy (MarketBuyerNotParticipant, also for address(0)).
    function placeAddressedOffer(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh, address buyer)
        external
        returns (uint256 orderId);

    /// @notice Post an offer only `buyer` may take, paid through payment channels instead of escrow:
    /// its takes lock nothing and move no money between buyer and seller at settlement (the buyer
    /// pays the seller off-chain); see `take` and `settle`. Stored as an addressed offer with
    /// Order.channelPaid set; OrderPlaced does not tell the two apart (read `getOrder`).
    /// Requirements and errors: exactly those of placeAddressedOffer. Emits OrderPlaced.
    function placeChannelOffer(uint64 interval, uint32 priceWeiPerKWh, uint32 energyWh, address buyer)
        external
        returns (uint256 orderId);

    /// @notice Cancel an open order before gate closure; a bid's lock returns to the free balance.
    /// Allowed while paused (cancelling only reduces exposure). Emits OrderCancelled.
    function cancel(uint256 orderId) external;

    /// @notice Take `energyWh` of a posted offer at the offer's price p (pay-as-offer), settled on
    /// metered delivery like the auction: ceil(p × Wh / 1000) moves from the caller's free to its
    /// locked balance now; the seller gets nothing yet. The take gets an id (OfferTaken.takeId:
    /// interval << 40 | 2 << 32 | n, n counting the interval's takes from 0) and is settled by
    /// `settle` once the interval is cleared and its readings are final: the seller's S_j includes
    /// the Wh taken from its offers, D_j = min(export, S_j); the auction part of D_j is
    /// floor(D_j × auctionFills_j / S_j), the takes share the rest, T_j. Take t of w_t Wh gets
    /// d_t = floor(W_after × T_j / W_j) − floor(W_before × T_j / W_j) (W: Σ Wh of the seller's takes
    /// settled before / after it, W_j all of them; Σ d_t = T_j exactly), pays ceil(p × d_t / 1000),
    /// gets the rest of its lock back and certificates for d_t; the seller is paid for d_t like an
    /// auction sale: floor(p × d_t / 1000) minus the grid fee of its zone on d_t,
    /// ceil(fee × d_t / 1000) capped at that payment; the DSO gets the fee and the rounding dust
    /// (ceil − floor). The seller's imbalance is charged on S_j − D_j.
    /// Requirements: not paused; before gate closure; active buyer without debt;
    /// not own offer; energyWh ≤ what is left; energyWh ≥ minOrderWh unless it takes all that is left;
    /// the offer's price still within the interval's [floor, cap]; the lock covered by the free
    /// balance (VaultInsufficientBalance). Emits OfferTaken.
    /// A channel-paid offer (placeChannelOffer) is taken with the same requirements except the free
    /// balance: nothing is locked, OfferTaken has paidWei 0, and the take is settled without money
    /// between buyer and seller (see `settle`).
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

    /// @notice Settle auction orders and takes (their OfferTaken.takeId, see `take`) of cleared
    /// intervals on metered delivery (rule above; any mix of intervals, any caller, at most
    /// MAX_SETTLE_BATCH ids). Works while paused. A take emits OrderSettled like a bid (buyer,
    /// taken Wh, d_t, amount, refund) and then EscrowedTakeSettled (the seller's payout and grid
    /// fee on d_t), settles its seller first if needed, needs the same configuration, readings and
    /// cleared interval as an offer, and takes no part in the interval's IntervalSettlement sums
    /// (its grid fee and dust go to the DSO at once); an unknown take id reverts MarketUnknownOrder,
    /// a settled one MarketOrderAlreadySettled.
    /// A channel-paid take gets its d_t exactly as an escrowed one and the buyer its certificates,
    /// but the buyer is not charged (OrderSettled amountWei and refundWei 0) and the seller not paid;
    /// the seller is charged the grid fee of its zone on d_t, ceil(fee × d_t / 1000) capped at
    /// floor(p × d_t / 1000) (the fee an escrowed take's seller has deducted from its payout), from
    /// its free balance to the DSO (debt for what it cannot pay), and ChannelTakeSettled (not
    /// EscrowedTakeSettled) follows OrderSettled. Its seller's imbalance is charged as for any seller.
    /// Emits OrderSettled per order, SellerSettled per seller (with its first offer), and
    /// IntervalSettled when an interval's last order is settled (the DSO is then credited the dust).
    /// Requirements: at most MAX_SETTLE_BATCH ids (MarketSettleBatchTooLarge); each order is an
    /// auction order that was live at clearing (not cancelled, not addressed, not fully taken: else
    /// MarketOrderNotOpen), its interval is cleared (MarketNotCleared) and it is not settled yet
    /// (MarketOrderAlreadySettled); an offer whose seller sold energy needs the settlement
    /// configured (MarketSettlementNotConfigured), the interval's readings final
    /// (MarketReadingsNotFinal) and the seller's reading recorded or its grace over
    /// (MarketReadingMissing); a bid needs every offer of its interval settled
    /// (MarketSellersNotSettled). One bad id reverts the whole batch.
    function settle(uint256[] calldata orderIds) external;

    /// @notice Most order ids one `settle` call takes (keeps a batch far below the block gas limit).
    function MAX_SETTLE_BATCH() external view returns (uint256);
    /// @notice How long after an interval's delivery end a missing seller reading blocks settlement.
    function READING_GRACE_SECONDS() external view returns (uint256);

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
    /// @notice The distribution grid operator: receives the rounding dust of every charge and payout,
    /// grid fees and imbalance charges.
    function dso() external view returns (address);
    /// @notice The grid tariffs that apply to `interval` (all zero before the first version).
    function gridTariffsFor(uint64 interval) external view returns (GridTariffs memory);
    /// @notice The grid fee of `zone` in `interval` (its own version, else the default zone fee).
    function zoneGridFeeFor(uint16 zone, uint64 interval) external view returns (uint32 feeWeiPerKWh);
    /// @notice Delivery and money of `interval`'s settlement so far.
    function settlementOf(uint64 interval) external view returns (IntervalSettlement memory);
    /// @notice Whether `seller` is settled in `interval`, and what it sold and delivered.
    function sellerSettlementOf(uint64 interval, address seller)
        external
        view
        returns (bool settled, uint64 soldWh, uint64 deliveredWh);
    /// @notice Imbalance charges `account` still owes the DSO (blocks its new orders while > 0).
    function debtOf(address account) external view returns (uint256);
    /// @notice The MeterLedger the market settles on (address(0) until configured).
    function meterLedger() external view returns (address);
    /// @notice The EnergyCertificate the market mints on (address(0) until configured).
    function energyCertificate() external view returns (address);

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

    /// @notice Wire the settlement: readings from `ledger` (final when its committee has a root),
    /// certificates on `certificate`, grid tariffs `initialTariffs` from interval 0. Once only.
    /// The market needs the ledger's SCORER_ROLE and the certificate's MINTER_ROLE.
    /// Requirements: DEFAULT_ADMIN_ROLE; not configured yet; non-zero addresses.
    /// Emits SettlementConfigured and GridTariffsScheduled.
    function configureSettlement(address ledger, address certificate, GridTariffs calldata initialTariffs) external;

    /// @notice Schedule grid tariffs for `effectiveFromInterval` and every later interval (replacing
    /// versions that start there or later). Requirements: SUPERVISOR_ROLE; that interval's gate has
    /// not closed (MarketParamsIntervalGated), nor the first interval of a version it replaces.
    /// Emits GridTariffsScheduled.
    function scheduleGridTariffs(GridTariffs calldata tariffs, uint64 effectiveFromInterval) external;

    /// @notice Schedule `zone`'s grid fee for `effectiveFromInterval` on; same rules as scheduleGridTariffs.
    /// Emits ZoneGridFeeScheduled.
    function scheduleZoneGridFee(uint16 zone, uint32 feeWeiPerKWh, uint64 effectiveFromInterval) external;
}
