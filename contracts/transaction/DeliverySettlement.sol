// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";
import {IMeterLedger} from "../interfaces/IMeterLedger.sol";
import {IValidatorCommittee} from "../interfaces/IValidatorCommittee.sol";
import {IEnergyCertificate} from "../interfaces/IEnergyCertificate.sol";
import {MarketStorage} from "../market/MarketStorage.sol";
import {ClearingMath} from "../libraries/ClearingMath.sol";
import {ClearingResult} from "../libraries/ClearingResult.sol";
import {OrderIds} from "../libraries/OrderIds.sol";
import {PackedOrder} from "../libraries/PackedOrder.sol";
import {MarketSchedule} from "../libraries/MarketSchedule.sol";
import {IntervalHeader} from "../libraries/IntervalHeader.sol";

/// @title Transaction layer: settlement of the energy market on metered delivery
/// @notice The market's settlement code (see IEnergyMarket for the rule), split off the market for
/// EIP-170. The market creates this contract in its constructor and runs it only by DELEGATECALL on
/// its own storage (MarketStorage): every function here executes as the market, with the market's
/// balances, roles checked by the market before it delegates, and events emitted by the market.
/// Called directly, every function reverts (MarketOnlySelf): this contract holds nothing.
/// @dev Declares no state variables (the layout is MarketStorage's). Function selectors match
/// IEnergyMarket's, so the market forwards its calldata unchanged.
contract DeliverySettlement is MarketStorage {
    using PackedOrder for uint256;
    using MarketSchedule for uint256;
    using IntervalHeader for uint256;

    address private immutable _self;

    constructor(IERC20 paymentToken_, address registry_, address dso_) MarketStorage(paymentToken_, registry_, dso_) {
        _self = address(this);
    }

    /// @dev Only by DELEGATECALL (from the market, whose code is the only one that delegates here).
    modifier onlyDelegated() {
        if (address(this) == _self) revert IEnergyMarket.MarketOnlySelf(msg.sender);
        _;
    }

    // ───────────────────────────── settlement ─────────────────────────────

    /// @dev What one `settle` call keeps in memory so that each interval's offers are scanned once
    /// per batch for the S_j of all of the batch's sellers, instead of once per seller.
    /// `ids`: the batch (≤ MAX_SETTLE_BATCH ids). `table`: allocated by the first seller that needs
    /// S_j (length 0 until then), an open-addressing hash table of _TABLE_SLOTS words, each
    /// `key << 64 | value`, 0 = empty (see _sellerKey, _markerKey).
    struct Batch {
        uint256[] ids;
        uint256[] table;
    }

    /// @dev Keys in a Batch table: at most one seller key per id of the batch and one marker per
    /// interval of the batch, so ≤ 2 × MAX_SETTLE_BATCH = 128 keys in 256 slots: the table is never
    /// full and every probe stops at an empty slot within one turn of the table.
    uint256 private constant _TABLE_SLOTS = 256;
    /// @dev Fibonacci hashing: the top 8 bits of key × ⌊2^256/φ⌋ (made odd), mod 2^256, spread
    /// neighbouring keys over the table.
    uint256 private constant _HASH_MULTIPLIER = 0x9e3779b97f4a7c15f39cc0605cedc8341082276bf3a27251f86c6a11d0c18e95;

    /// @notice See IEnergyMarket.settle.
    function settle(uint256[] calldata orderIds) external onlyDelegated {
        uint256 n = orderIds.length;
        if (n > _MAX_SETTLE_BATCH) revert IEnergyMarket.MarketSettleBatchTooLarge(n, _MAX_SETTLE_BATCH);
        Batch memory b = Batch({ids: orderIds, table: new uint256[](0)});
        for (uint256 i; i < n; ++i) {
            _settleOne(orderIds[i], b);
        }
    }

    function _settleOne(uint256 id, Batch memory b) private {
        if (id >> 104 == 0 && uint8(id >> 32) == _TAKE_SIDE) return _settleTake(id, b);
        (uint64 interval, IEnergyMarket.Side side, uint256 index) = _decodeExisting(id);
        uint256 header = _intervals[interval];
        if (!header.cleared()) revert IEnergyMarket.MarketNotCleared(interval);
        uint256 order = _loadOrder(id);
        if (!order.isLiveAuctionOrder()) revert IEnergyMarket.MarketOrderNotOpen(id);
        {
            uint256 wordKey = id >> 8;
            uint256 bit = 1 << (id & 0xff);
            uint256 word = _settledBits[wordKey];
            if (word & bit != 0) revert IEnergyMarket.MarketOrderAlreadySettled(id);
            _settledBits[wordKey] = word | bit;
        }
        uint256 result = _results[interval];
        uint256 filledWh = _filledWh(side, index, order, header, result);
        if (side == IEnergyMarket.Side.Offer) {
            _settleOffer(id, interval, order, filledWh, header, result, b);
            // Every live auction order is counted in unsettledOrders and, if an offer, in
            // unsettledOffers (both ≥ 1 here) and settled exactly once (bitmap): no borrow.
            header -= IntervalHeader.ONE_UNSETTLED | IntervalHeader.ONE_UNSETTLED_OFFER;
        } else {
            if (header.unsettledOffers() != 0) {
                revert IEnergyMarket.MarketSellersNotSettled(interval, header.unsettledOffers());
            }
            _settleBid(id, interval, order, filledWh, header);
            // As above.
            header -= IntervalHeader.ONE_UNSETTLED;
        }
        _intervals[interval] = header;
        if (header.unsettledOrders() == 0) _finishInterval(interval);
    }

    /// @dev Settle the offer's seller (once per interval) and record the offer's share.
    function _settleOffer(
        uint256 id,
        uint64 interval,
        uint256 order,
        uint256 filledWh,
        uint256 header,
        uint256 result,
        Batch memory b
    ) private {
        address seller = _accountAt[order.accountIndex()];
        SellerRecord memory rec = _sellers[interval][seller];
        if (!rec.settled && filledWh != 0) rec = _settleSeller(interval, seller, order.accountIndex(), header, result, b);
        // An offer with a fill belongs to a seller with soldWh ≥ that fill > 0; delivered ≤ sold < 2^64.
        uint256 shareWh = filledWh == 0 ? 0 : (filledWh * rec.deliveredWh) / rec.soldWh;
        emit IEnergyMarket.OrderSettled(id, seller, interval, uint32(filledWh), uint64(shareWh), 0, 0);
    }

    /// @dev Pay seller `seller` for what it delivered in `interval`, charge its imbalance, report its
    /// delivery to the ledger (credit score). Called once per (interval, seller) that sold energy.
    function _settleSeller(
        uint64 interval,
        address seller,
        uint32 accountIndex,
        uint256 header,
        uint256 result,
        Batch memory b
    ) private returns (SellerRecord memory rec) {
        (uint256 auctionWh, bool firstOfInterval) = _soldWhInBatch(b, interval, accountIndex, header, result);
        rec = _sellers[interval][seller]; // takenWh: written by the takes
        uint256 soldWh = auctionWh + rec.takenWh;
        // The interval's readings need checking once per batch: by its first seller (a failed check
        // reverts the whole batch, and a finalised root is never removed).
        uint256 deliveredWh = _exportedWh(seller, interval, firstOfInterval);
        if (deliveredWh > soldWh) deliveredWh = soldWh;
        // Called for a seller with an auction fill or a take: soldWh > 0. D_j ≤ S_j < 2^64.
        uint256 auctionDeliveredWh = (deliveredWh * auctionWh) / soldWh;
        // Σ fills of ≤ 1000 offers of uint32 energy plus Σ takes of them < 2^43: the casts are exact.
        rec.settled = true;
        rec.soldWh = uint64(soldWh);
        rec.deliveredWh = uint64(deliveredWh);
        rec.takenDeliveredWh = uint64(deliveredWh - auctionDeliveredWh);
        _sellers[interval][seller] = rec;

        _paySeller(interval, seller, soldWh, deliveredWh, auctionDeliveredWh, header.clearingPriceWeiPerKWh());
        // The ledger is the market's own trusted wiring (set once by the admin); called last.
        _wiring.ledger.recordDelivery(seller, rec.soldWh, rec.deliveredWh);
    }

    /// @dev Settle one take (see IEnergyMarket.take): the buyer pays for its share d_t of the
    /// seller's delivery to takes, the seller gets floor(p × d_t / 1000) minus its zone's grid fee,
    /// the DSO the fee and the dust.
    function _settleTake(uint256 id, Batch memory b) private {
        uint256 take = _takes[id];
        if (take == 0) revert IEnergyMarket.MarketUnknownOrder(id);
        if (take & _TAKE_SETTLED != 0) revert IEnergyMarket.MarketOrderAlreadySettled(id);
        uint64 interval = uint64(id >> 40);
        uint256 header = _intervals[interval];
        if (!header.cleared()) revert IEnergyMarket.MarketNotCleared(interval);
        _takes[id] = take | _TAKE_SETTLED;
        uint256 order = _loadOrder(OrderIds.encode(interval, uint8(IEnergyMarket.Side.Offer), uint32(take >> 32)));
        address seller = _accountAt[order.accountIndex()];
        SellerRecord memory rec = _sellers[interval][seller];
        if (!rec.settled) rec = _settleSeller(interval, seller, order.accountIndex(), header, _results[interval], b);
        uint256 takenWh = uint32(take >> 64);
        uint256 deliveredWh;
        {
            // This take is part of rec.takenWh > 0; Σ settled ≤ takenWh < 2^43 and T_j ≤ takenWh,
            // so the product is < 2^86. floor is monotonic: Σ d_t over all takes == T_j.
            uint256 settledAfter = rec.takesSettledWh + takenWh;
            uint256 deliveredAfter = (settledAfter * rec.takenDeliveredWh) / rec.takenWh;
            deliveredWh = deliveredAfter - rec.takesDeliveredWh;
            SellerRecord storage r = _sellers[interval][seller];
            r.takesSettledWh = uint64(settledAfter);
            r.takesDeliveredWh = uint64(deliveredAfter);
        }
        if (take & _TAKE_CHANNEL_PAID != 0) {
            _settleChannelTake(id, interval, _accountAt[uint32(take)], seller, order.priceWeiPerKWh(), takenWh, deliveredWh);
        } else {
            _payTake(id, interval, _accountAt[uint32(take)], seller, order.priceWeiPerKWh(), takenWh, deliveredWh);
        }
    }

    /// @dev A channel-paid take (see IEnergyMarket.settle): the buyer paid the seller off-chain, so
    /// nothing is charged, paid or refunded between them; the seller pays the grid fee on d_t
    /// (_saleWei, the rule of every sale) from its balance; the buyer gets certificates for d_t.
    function _settleChannelTake(
        uint256 id,
        uint64 interval,
        address buyer,
        address seller,
        uint256 priceWeiPerKWh,
        uint256 takenWh,
        uint256 deliveredWh
    ) private {
        Account storage account = _accounts[seller];
        (, uint256 feeWei) = _saleWei(account.zone, interval, _tariffsFor(interval), priceWeiPerKWh, deliveredWh);
        uint256 debtWei = _chargeToDso(seller, account, feeWei);
        // takenWh < 2^32 and deliveredWh ≤ takenWh.
        emit IEnergyMarket.OrderSettled(id, buyer, interval, uint32(takenWh), uint64(deliveredWh), 0, 0);
        emit IEnergyMarket.ChannelTakeSettled(id, seller, uint64(deliveredWh), feeWei, debtWei);
        // The certificate contract is the market's own trusted wiring and mints without callbacks.
        if (deliveredWh != 0) _wiring.certificate.mintDelivered(buyer, interval, deliveredWh);
    }

    /// @dev Charge `amountWei` to `owner`'s free balance for the DSO; what the balance cannot cover
    /// becomes debt (blocks new orders and takes, repaid first from later credits). Returns that debt.
    function _chargeToDso(address owner, Account storage account, uint256 amountWei) private returns (uint256 debtWei) {
        if (amountWei == 0) return 0;
        uint256 free = account.freeWei;
        uint256 paidWei = amountWei < free ? amountWei : free;
        // paidWei ≤ free < 2^96 and paidWei ≤ amountWei.
        unchecked {
            account.freeWei = uint96(free - paidWei);
            debtWei = amountWei - paidWei;
        }
        _credit(_dso, _accounts[_dso], paidWei);
        if (debtWei != 0) {
            _debtWei[owner] += debtWei;
            account.flags |= _FLAG_IN_DEBT;
        }
    }

    /// @dev An escrowed take's money and certificates (see _settleTake): the buyer pays
    /// ceil(p × d_t / 1000) from its lock and gets the rest back; the seller is paid for d_t like an
    /// auction sale (_saleWei: floor(p × d_t / 1000) minus its zone's grid fee); the DSO gets the fee
    /// and the rounding dust.
    function _payTake(
        uint256 id,
        uint64 interval,
        address buyer,
        address seller,
        uint256 priceWeiPerKWh,
        uint256 takenWh,
        uint256 deliveredWh
    ) private {
        uint256 lockWei = ClearingMath.chargeWei(priceWeiPerKWh, takenWh);
        uint256 amountWei = ClearingMath.chargeWei(priceWeiPerKWh, deliveredWh);
        Account storage account = _accounts[seller];
        (uint256 grossWei, uint256 feeWei) =
            _saleWei(account.zone, interval, _tariffsFor(interval), priceWeiPerKWh, deliveredWh);
        _releaseLock(buyer, _accounts[buyer], lockWei, lockWei - amountWei);
        // deliveredWh ≤ takenWh ⇒ amountWei ≤ lockWei; floor ≤ ceil ⇒ grossWei ≤ amountWei; feeWei ≤ grossWei.
        uint256 payoutWei = grossWei - feeWei;
        _credit(seller, account, payoutWei);
        if (amountWei != payoutWei) _credit(_dso, _accounts[_dso], amountWei - payoutWei);
        // takenWh < 2^32 and deliveredWh ≤ takenWh.
        emit IEnergyMarket.OrderSettled(
            id, buyer, interval, uint32(takenWh), uint64(deliveredWh), amountWei, lockWei - amountWei
        );
        emit IEnergyMarket.EscrowedTakeSettled(id, seller, uint64(deliveredWh), payoutWei, feeWei);
        // The certificate contract is the market's own trusted wiring and mints without callbacks.
        if (deliveredWh != 0) _wiring.certificate.mintDelivered(buyer, interval, deliveredWh);
    }

    /// @dev The seller's money: payout minus grid fee, then the imbalance charge (debt if unpaid).
    /// Paid here: the auction part of the delivery at the clearing price (the takes' part is paid as
    /// each take settles); the imbalance covers all of S_j − D_j.
    function _paySeller(
        uint64 interval,
        address seller,
        uint256 soldWh,
        uint256 deliveredWh,
        uint256 auctionDeliveredWh,
        uint256 priceWeiPerKWh
    ) private {
        Account storage account = _accounts[seller];
        uint256 grossWei;
        uint256 feeWei;
        uint256 imbalanceWei;
        {
            IEnergyMarket.GridTariffs memory tariffs = _tariffsFor(interval);
            (grossWei, feeWei) = _saleWei(account.zone, interval, tariffs, priceWeiPerKWh, auctionDeliveredWh);
            // tariff < 2^32 and Wh < 2^42: the product is < 2^74, no overflow.
            imbalanceWei = ClearingMath.chargeWei(tariffs.imbalanceWeiPerKWh, soldWh - deliveredWh);
        }
        {
            IEnergyMarket.IntervalSettlement storage st = _settlements[interval];
            // auctionDeliveredWh ≤ the seller's auction fills < 2^42: exact cast; the sums are checked.
            st.deliveredWh += uint64(auctionDeliveredWh);
            st.sellersPaidWei += SafeCast.toUint128(grossWei);
        }
        // feeWei ≤ grossWei.
        _credit(seller, account, grossWei - feeWei);
        _credit(_dso, _accounts[_dso], feeWei);
        uint256 debtWei = _chargeToDso(seller, account, imbalanceWei);
        // soldWh, deliveredWh < 2^42: exact casts.
        emit IEnergyMarket.SellerSettled(
            interval, seller, uint64(soldWh), uint64(deliveredWh), grossWei - feeWei, feeWei, imbalanceWei, debtWei
        );
    }

    /// @dev The one grid-fee rule of every sale: the auction part D_j^A of a seller's delivery, an
    /// escrowed take's d_t and a channel-paid take's d_t. `deliveredWh` sold at `priceWeiPerKWh`
    /// earns grossWei = floor(p × Wh / 1000); the seller's zone (`zone`) charges
    /// feeWei = ceil(zoneFee × Wh / 1000) on it for the DSO, capped at grossWei.
    function _saleWei(
        uint16 zone,
        uint64 interval,
        IEnergyMarket.GridTariffs memory tariffs,
        uint256 priceWeiPerKWh,
        uint256 deliveredWh
    ) private view returns (uint256 grossWei, uint256 feeWei) {
        // price, fee < 2^32 and Wh < 2^42: the products are < 2^74, no overflow.
        grossWei = ClearingMath.payoutWei(priceWeiPerKWh, deliveredWh);
        feeWei = ClearingMath.chargeWei(_zoneFeeFor(zone, interval, tariffs), deliveredWh);
        if (feeWei > grossWei) feeWei = grossWei;
    }

    /// @dev S_j of `accountIndex` in `interval`, and whether this call scanned the interval. The
    /// first seller of an interval in the batch collects the batch's sellers of that interval and
    /// scans the interval's offers once for all of them; later sellers of the interval look their
    /// sum up. Loops: the batch's ids (≤ MAX_SETTLE_BATCH) and the interval's offers
    /// (≤ MAX_ORDERS_PER_SIDE), each once per interval of the batch.
    function _soldWhInBatch(Batch memory b, uint64 interval, uint32 accountIndex, uint256 header, uint256 result)
        private
        view
        returns (uint256 soldWh, bool scanned)
    {
        if (b.table.length == 0) b.table = new uint256[](_TABLE_SLOTS);
        uint256[] memory table = b.table;
        uint256 markerKey = _markerKey(interval);
        (uint256 m, uint256 marker) = _find(table, markerKey);
        if (marker == 0) {
            scanned = true;
            table[m] = markerKey << 64;
            uint256 sellers = _collectSellers(table, b.ids, interval);
            if (sellers == 1) {
                // The batch's only seller in this interval (this one): the plain scan is cheapest.
                soldWh = _soldWh(interval, accountIndex, header, result);
                (uint256 p, uint256 word) = _find(table, _sellerKey(interval, accountIndex));
                if (word != 0) table[p] = word | soldWh;
                return (soldWh, scanned);
            }
            _scanOffers(table, interval, header, result);
        }
        (, uint256 found) = _find(table, _sellerKey(interval, accountIndex));
        // Every seller settled here has a live offer among the batch's ids, so it was collected;
        // the plain scan is a fallback that gives the same sum.
        // A sum of ≤ 1000 fills < 2^32 is < 2^42: it fits the value's 64 bits.
        soldWh = found != 0 ? uint64(found) : _soldWh(interval, accountIndex, header, result);
    }

    /// @dev Insert a key for each distinct account with a live offer of `interval` among `ids`
    /// (≤ MAX_SETTLE_BATCH); returns how many were new. Ids that are invalid or not (yet) settleable
    /// only add keys whose sums are still exact and never read: `settle` checks each id itself.
    function _collectSellers(uint256[] memory table, uint256[] memory ids, uint64 interval)
        private
        view
        returns (uint256 sellers)
    {
        uint256 n = ids.length;
        for (uint256 j; j < n; ++j) {
            uint256 id = ids[j];
            (bool valid, uint64 idInterval, uint8 side,) = OrderIds.decode(id);
            if (!valid || idInterval != interval || side != uint8(IEnergyMarket.Side.Offer)) continue;
            uint256 o = _loadOrder(id);
            if (!o.isLiveAuctionOrder()) continue;
            uint256 key = _sellerKey(interval, o.accountIndex());
            (uint256 p, uint256 word) = _find(table, key);
            if (word == 0) {
                table[p] = key << 64;
                ++sellers;
            }
        }
    }

    /// @dev One pass over the interval's offers (≤ MAX_ORDERS_PER_SIDE, two per slot): add each
    /// live offer's auction fill to its seller's sum if the seller is in the table.
    function _scanOffers(uint256[] memory table, uint64 interval, uint256 header, uint256 result) private view {
        uint256 count = header.offerCount();
        uint256 baseId = OrderIds.encode(interval, uint8(IEnergyMarket.Side.Offer), 0);
        uint256 keyBase = _sellerKey(interval, 0);
        uint256 slot;
        for (uint256 index; index < count; ++index) {
            if (index & 1 == 0) slot = _orderSlots[(baseId | index) >> 1];
            uint256 o = PackedOrder.fromSlot(slot, index);
            if (!o.isLiveAuctionOrder()) continue;
            (uint256 p, uint256 word) = _find(table, keyBase | o.accountIndex());
            if (word == 0) continue; // not a seller of this batch
            // The sum stays < 2^42 (see _soldWhInBatch): no carry into the key bits.
            table[p] = word + ClearingResult.filledWh(result, false, index, o.priceWeiPerKWh(), o.energyWh());
        }
    }

    /// @dev The slot of `key` in `table`, or of the empty slot where it belongs (word == 0).
    /// Stops within one turn: the table always has an empty slot (see _TABLE_SLOTS).
    function _find(uint256[] memory table, uint256 key) private pure returns (uint256 p, uint256 word) {
        // The product wraps mod 2^256 on purpose (hashing); the top 8 bits index the 256 slots.
        unchecked {
            p = (key * _HASH_MULTIPLIER) >> 248;
        }
        while (true) {
            word = table[p];
            if (word == 0 || word >> 64 == key) return (p, word);
            p = (p + 1) & (_TABLE_SLOTS - 1);
        }
    }

    /// @dev A seller's key: bit 97 (never 0) | interval << 33 | accountIndex (bit 32 clear).
    function _sellerKey(uint64 interval, uint32 accountIndex) private pure returns (uint256) {
        return (1 << 97) | (uint256(interval) << 33) | accountIndex;
    }

    /// @dev The marker of an interval scanned in this batch: bit 32 set, so no seller key equals it.
    function _markerKey(uint64 interval) private pure returns (uint256) {
        return (1 << 97) | (uint256(interval) << 33) | (1 << 32);
    }

    /// @dev Σ auction fills of the offers of `accountIndex` in `interval`: one pass over the
    /// interval's offers (≤ MAX_ORDERS_PER_SIDE, two per slot), bounded by the market's own limit.
    function _soldWh(uint64 interval, uint32 accountIndex, uint256 header, uint256 result)
        private
        view
        returns (uint256 soldWh)
    {
        uint256 count = header.offerCount();
        uint256 baseId = OrderIds.encode(interval, uint8(IEnergyMarket.Side.Offer), 0);
        uint256 slot;
        for (uint256 index; index < count; ++index) {
            if (index & 1 == 0) slot = _orderSlots[(baseId | index) >> 1];
            uint256 o = PackedOrder.fromSlot(slot, index);
            if (o.accountIndex() != accountIndex || !o.isLiveAuctionOrder()) continue;
            soldWh += ClearingResult.filledWh(result, false, index, o.priceWeiPerKWh(), o.energyWh());
        }
    }

    /// @dev What `seller`'s meter exported in `interval`, once final (see IEnergyMarket).
    /// `checkFinal`: check the interval's root (false once a seller of the interval passed it in this batch).
    function _exportedWh(address seller, uint64 interval, bool checkFinal) private view returns (uint256) {
        IMeterLedger ledger = _wiring.ledger;
        if (address(ledger) == address(0)) revert IEnergyMarket.MarketSettlementNotConfigured();
        if (checkFinal && _wiring.committee.finalizedReadingsRoot(interval) == bytes32(0)) {
            revert IEnergyMarket.MarketReadingsNotFinal(interval);
        }
        (bool recorded,, uint32 exportedWh) = ledger.readingOf(seller, interval);
        if (recorded) return exportedWh;
        uint256 s = _scheduleFor(interval);
        uint256 graceEndsAt = s.startOf(interval) + s.intervalSeconds() + _READING_GRACE_SECONDS;
        if (block.timestamp < graceEndsAt) revert IEnergyMarket.MarketReadingMissing(seller, interval, graceEndsAt);
        return 0;
    }

    /// @dev Charge the buyer for its share of the delivered energy, refund the rest, certify it.
    function _settleBid(uint256 id, uint64 interval, uint256 order, uint256 filledWh, uint256 header) private {
        address buyer = _accountAt[order.accountIndex()];
        IEnergyMarket.IntervalSettlement storage st = _settlements[interval];
        uint256 deliveredWh;
        if (filledWh != 0) {
            // A fill implies clearedWh ≥ Σ fills > 0. Σ fills ≤ clearedWh < 2^64 and D ≤ clearedWh,
            // so the products are < 2^128.
            uint256 clearedWh = header.clearedWh();
            uint256 filledBefore = st.buyersFilledWh;
            uint256 filledAfter = filledBefore + filledWh;
            uint256 deliveredBefore = st.buyersDeliveredWh;
            uint256 deliveredAfter = (filledAfter * st.deliveredWh) / clearedWh;
            deliveredWh = deliveredAfter - deliveredBefore; // floor is monotonic in the fills
            st.buyersFilledWh = uint64(filledAfter);
            st.buyersDeliveredWh = uint64(deliveredAfter);
        }
        uint256 lockWei = ClearingMath.chargeWei(order.priceWeiPerKWh(), order.energyWh());
        uint256 amountWei = ClearingMath.chargeWei(header.clearingPriceWeiPerKWh(), deliveredWh);
        // clearing price ≤ the bid's limit and deliveredWh ≤ filledWh ≤ its energy ⇒ amountWei ≤ lockWei.
        uint256 refundWei = lockWei - amountWei;
        st.buyersChargedWei += SafeCast.toUint128(amountWei);
        _releaseLock(buyer, _accounts[buyer], lockWei, refundWei);
        // deliveredWh ≤ filledWh < 2^32.
        emit IEnergyMarket.OrderSettled(id, buyer, interval, uint32(filledWh), uint64(deliveredWh), amountWei, refundWei);
        // The certificate contract is the market's own trusted wiring and mints without callbacks.
        if (deliveredWh != 0) _wiring.certificate.mintDelivered(buyer, interval, deliveredWh);
    }

    /// @dev The interval's last order: the DSO gets Σ charges − Σ payments (rounding dust).
    function _finishInterval(uint64 interval) private {
        IEnergyMarket.IntervalSettlement memory st = _settlements[interval];
        // Σ d_k == D, so Σ ceil(p × d_k / 1000) ≥ p × D / 1000 ≥ Σ floor(p × D_j / 1000): checked anyway.
        uint256 dustWei = st.buyersChargedWei - st.sellersPaidWei;
        if (dustWei != 0) _credit(_dso, _accounts[_dso], dustWei);
        emit IEnergyMarket.IntervalSettled(interval, st.deliveredWh, st.buyersChargedWei, st.sellersPaidWei, dustWei);
    }

    // ───────────────────────────── tariffs ─────────────────────────────

    /// @notice See IEnergyMarket.configureSettlement (the market checks DEFAULT_ADMIN_ROLE).
    function configureSettlement(address ledger, address certificate, IEnergyMarket.GridTariffs calldata initialTariffs)
        external
        onlyDelegated
    {
        if (address(_wiring.ledger) != address(0)) revert IEnergyMarket.MarketSettlementAlreadyConfigured();
        if (ledger == address(0) || certificate == address(0)) revert IEnergyMarket.MarketZeroAddress();
        IValidatorCommittee committee = IValidatorCommittee(IMeterLedger(ledger).committee());
        if (address(committee) == address(0)) revert IEnergyMarket.MarketZeroAddress();
        _wiring = Wiring({ledger: IMeterLedger(ledger), committee: committee, certificate: IEnergyCertificate(certificate)});
        emit IEnergyMarket.SettlementConfigured(ledger, address(committee), certificate);
        if (_tariffVersions.length == 0) {
            _tariffVersions.push(TariffVersion({fromInterval: 0, tariffs: initialTariffs}));
            emit IEnergyMarket.GridTariffsScheduled(0, initialTariffs);
        }
    }

    /// @notice See IEnergyMarket.scheduleGridTariffs (the market checks SUPERVISOR_ROLE).
    function scheduleGridTariffs(IEnergyMarket.GridTariffs calldata tariffs, uint64 effectiveFromInterval)
        external
        onlyDelegated
    {
        _requireOpen(effectiveFromInterval);
        // Bounded by the supervisor's own scheduling.
        while (_tariffVersions.length != 0) {
            uint64 from = _tariffVersions[_tariffVersions.length - 1].fromInterval;
            if (from < effectiveFromInterval) break;
            _requireOpen(from);
            _tariffVersions.pop();
        }
        _tariffVersions.push(TariffVersion({fromInterval: effectiveFromInterval, tariffs: tariffs}));
        emit IEnergyMarket.GridTariffsScheduled(effectiveFromInterval, tariffs);
    }

    /// @notice See IEnergyMarket.scheduleZoneGridFee (the market checks SUPERVISOR_ROLE).
    function scheduleZoneGridFee(uint16 zone, uint32 feeWeiPerKWh, uint64 effectiveFromInterval)
        external
        onlyDelegated
    {
        _requireOpen(effectiveFromInterval);
        ZoneFeeVersion[] storage versions = _zoneFees[zone];
        while (versions.length != 0) {
            uint64 from = versions[versions.length - 1].fromInterval;
            if (from < effectiveFromInterval) break;
            _requireOpen(from);
            versions.pop();
        }
        versions.push(ZoneFeeVersion({fromInterval: effectiveFromInterval, feeWeiPerKWh: feeWeiPerKWh}));
        emit IEnergyMarket.ZoneGridFeeScheduled(zone, effectiveFromInterval, feeWeiPerKWh);
    }

    /// @dev Reverts if `interval`'s gate has closed (its fees are then fixed).
    function _requireOpen(uint64 interval) private view {
        uint256 gate = _scheduleFor(interval).gateClosureOf(interval);
        if (block.timestamp >= gate) revert IEnergyMarket.MarketParamsIntervalGated(interval, gate);
    }

    function _tariffsFor(uint64 interval) private view returns (IEnergyMarket.GridTariffs memory t) {
        // Walks back over the supervisor's versions only (not growable by strangers).
        for (uint256 i = _tariffVersions.length; i > 0; --i) {
            TariffVersion storage v = _tariffVersions[i - 1];
            if (v.fromInterval <= interval) return v.tariffs;
        }
    }

    function _zoneFeeFor(uint16 zone, uint64 interval, IEnergyMarket.GridTariffs memory tariffs)
        private
        view
        returns (uint32)
    {
        ZoneFeeVersion[] storage versions = _zoneFees[zone];
        for (uint256 i = versions.length; i > 0; --i) {
            ZoneFeeVersion storage v = versions[i - 1];
            if (v.fromInterval <= interval) return v.feeWeiPerKWh;
        }
        return tariffs.defaultZoneFeeWeiPerKWh;
    }

    // ───────────────────────────── views (run by the market through a static call) ─────────────────────────────

    /// @notice See IEnergyMarket.gridTariffsFor.
    function gridTariffsFor(uint64 interval) external view onlyDelegated returns (IEnergyMarket.GridTariffs memory) {
        return _tariffsFor(interval);
    }

    /// @notice See IEnergyMarket.zoneGridFeeFor.
    function zoneGridFeeFor(uint16 zone, uint64 interval) external view onlyDelegated returns (uint32) {
        return _zoneFeeFor(zone, interval, _tariffsFor(interval));
    }

    /// @notice See IEnergyMarket.settlementOf.
    function settlementOf(uint64 interval)
        external
        view
        onlyDelegated
        returns (IEnergyMarket.IntervalSettlement memory)
    {
        return _settlements[interval];
    }

    /// @notice See IEnergyMarket.sellerSettlementOf.
    function sellerSettlementOf(uint64 interval, address seller)
        external
        view
        onlyDelegated
        returns (bool settled, uint64 soldWh, uint64 deliveredWh)
    {
        SellerRecord storage r = _sellers[interval][seller];
        return (r.settled, r.soldWh, r.deliveredWh);
    }

    // ───────────────────────────── the market's sort hints (a heavy view, kept out of the market) ─────────────────────────────

    /// @notice See IEnergyMarket.sortHints.
    function sortHints(uint64 interval)
        external
        view
        onlyDelegated
        returns (bytes memory sortedBidIndexes, bytes memory sortedOfferIndexes)
    {
        uint256 header = _intervals[interval];
        sortedBidIndexes = _sortedSide(interval, IEnergyMarket.Side.Bid, header.bidCount(), header.liveBids());
        sortedOfferIndexes = _sortedSide(interval, IEnergyMarket.Side.Offer, header.offerCount(), header.liveOffers());
    }

    function _sortedSide(uint64 interval, IEnergyMarket.Side side, uint256 count, uint256 live)
        private
        view
        returns (bytes memory out)
    {
        uint256[] memory keys = new uint256[](live);
        uint256 n;
        uint256 baseId = OrderIds.encode(interval, uint8(side), 0);
        for (uint256 index; index < count; ++index) {
            uint256 order = PackedOrder.fromSlot(_orderSlots[(baseId | index) >> 1], index);
            if (!order.isLiveAuctionOrder()) continue;
            keys[n++] = _meritKey(side, order.priceWeiPerKWh(), index);
        }
        keys = _mergeSort(keys);
        out = new bytes(2 * n);
        for (uint256 p; p < n; ++p) {
            uint256 index = keys[p] - 1; // low 16 bits: the index
            out[2 * p] = bytes1(uint8(index >> 8));
            out[2 * p + 1] = bytes1(uint8(index));
        }
    }

    /// @dev Bottom-up merge sort (ascending) in memory: O(n log n), used by the `sortHints` view only.
    function _mergeSort(uint256[] memory a) private pure returns (uint256[] memory) {
        uint256 n = a.length;
        uint256[] memory b = new uint256[](n);
        for (uint256 width = 1; width < n; width *= 2) {
            for (uint256 lo; lo < n; lo += 2 * width) {
                uint256 mid = lo + width < n ? lo + width : n;
                uint256 hi = lo + 2 * width < n ? lo + 2 * width : n;
                uint256 i = lo;
                uint256 j = mid;
                uint256 k = lo;
                while (i < mid && j < hi) b[k++] = a[i] <= a[j] ? a[i++] : a[j++];
                while (i < mid) b[k++] = a[i++];
                while (j < hi) b[k++] = a[j++];
            }
            (a, b) = (b, a);
        }
        return a;
    }
}
