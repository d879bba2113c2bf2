// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ClearingMath} from "../../../contracts/libraries/ClearingMath.sol";
import {OrderIds} from "../../../contracts/libraries/OrderIds.sol";
import {PackedOrder} from "../../../contracts/libraries/PackedOrder.sol";
import {MarketSchedule} from "../../../contracts/libraries/MarketSchedule.sol";
import {IntervalHeader} from "../../../contracts/libraries/IntervalHeader.sol";
import {ClearingResult} from "../../../contracts/libraries/ClearingResult.sol";
import {IEnergyMarket} from "../../../contracts/interfaces/IEnergyMarket.sol";

/// @dev The one cheatcode these tests use (no forge-std offline).
interface Vm {
    function assume(bool condition) external pure;
}

/// @notice Fuzz tests of the market's pure maths: money rounding, the uniform price, and the
/// packed storage words (every pack/unpack round-trips and never disturbs a neighbouring field).
contract ClearingMathTest {
    Vm private constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// Buyers pay ceil(p × Wh / 1000), sellers get floor(p × Wh / 1000); the difference is 0 or 1 unit.
    function testFuzz_chargeIsCeilingPayoutIsFloor(uint32 price, uint32 energyWh) public pure {
        uint256 exact = uint256(price) * energyWh; // in thousandths of a unit
        uint256 c = ClearingMath.chargeWei(price, energyWh);
        uint256 p = ClearingMath.payoutWei(price, energyWh);
        require(c * 1000 >= exact && (c == 0 || (c - 1) * 1000 < exact), "charge is not the ceiling");
        require(p * 1000 <= exact && (p + 1) * 1000 > exact, "payout is not the floor");
        require(c - p == (exact % 1000 == 0 ? 0 : 1), "dust is not 0 or 1 unit");
    }

    /// A bid's lock at its limit covers the charge of any fill ≤ its energy at any price ≤ its limit.
    function testFuzz_lockCoversAnyFill(uint32 limit, uint32 energyWh, uint32 price, uint32 filledWh) public pure {
        vm.assume(price <= limit && filledWh <= energyWh);
        require(ClearingMath.chargeWei(price, filledWh) <= ClearingMath.chargeWei(limit, energyWh), "lock too small");
    }

    /// The uniform price lies in [lo, hi]; k = 0 gives lo, k = 1 gives hi, and it grows with k.
    function testFuzz_priceWithinInterval(uint32 a, uint32 b, uint16 kNum, uint16 kDen) public pure {
        vm.assume(kDen > 0 && kNum <= kDen);
        (uint256 lo, uint256 hi) = a <= b ? (uint256(a), uint256(b)) : (uint256(b), uint256(a));
        uint256 price = ClearingMath.clearingPrice(lo, hi, kNum, kDen);
        require(price >= lo && price <= hi, "price outside [lo, hi]");
        require(ClearingMath.clearingPrice(lo, hi, 0, kDen) == lo, "k = 0 is not lo");
        require(ClearingMath.clearingPrice(lo, hi, kDen, kDen) == hi, "k = 1 is not hi");
        if (kNum < kDen) require(ClearingMath.clearingPrice(lo, hi, kNum + 1, kDen) >= price, "not monotone in k");
        // floor((hi − lo) × k): never more than one unit below the exact value
        require((price - lo) * kDen <= (hi - lo) * kNum && (price - lo + 1) * kDen > (hi - lo) * kNum, "not floor");
    }

    /// Interval dust: three buyers and three sellers share the same cleared energy at one price.
    /// Σ charges ≥ Σ payouts, and the dust is less than one unit per order.
    function testFuzz_intervalDustBounded(uint32 price, uint24 f0, uint24 f1, uint24 f2, uint24 cutA, uint24 cutB)
        public
        pure
    {
        uint256 total = uint256(f0) + f1 + f2;
        uint256 a = total == 0 ? 0 : uint256(cutA) % (total + 1);
        uint256 b = total == 0 ? 0 : uint256(cutB) % (total + 1);
        (a, b) = a <= b ? (a, b) : (b, a);
        uint256 charged = ClearingMath.chargeWei(price, f0) + ClearingMath.chargeWei(price, f1)
            + ClearingMath.chargeWei(price, f2);
        uint256 paid = ClearingMath.payoutWei(price, a) + ClearingMath.payoutWei(price, b - a)
            + ClearingMath.payoutWei(price, total - b);
        require(charged >= paid, "sellers paid more than buyers were charged");
        require(charged - paid < 6, "dust of one unit or more per order");
        require(charged * 1000 >= uint256(price) * total && paid * 1000 <= uint256(price) * total, "not ceil/floor");
    }
}

contract OrderIdsTest {
    function testFuzz_roundTrip(uint64 interval, bool offer, uint32 index) public pure {
        uint8 side = offer ? 1 : 0;
        uint256 id = OrderIds.encode(interval, side, index);
        (bool valid, uint64 i, uint8 s, uint32 x) = OrderIds.decode(id);
        require(valid && i == interval && s == side && x == index, "round trip");
        // Neighbouring indexes 2k and 2k+1 share a slot key; other orders never do.
        uint32 even = index & ~uint32(1);
        require(OrderIds.encode(interval, side, even) >> 1 == OrderIds.encode(interval, side, even | 1) >> 1, "pair");
        require(OrderIds.encode(interval, 0, index) >> 1 != OrderIds.encode(interval, 1, index) >> 1, "sides");
    }

    function testFuzz_rejectsIdsNeverIssued(uint256 id) public pure {
        (bool valid,,,) = OrderIds.decode(id);
        bool issuable = (id >> 104) == 0 && uint8(id >> 32) <= 1;
        require(valid == issuable, "validity");
    }
}

contract PackedOrderTest {
    using PackedOrder for uint256;

    function testFuzz_packRoundTrip(uint32 account, uint32 price, uint32 energyWh, uint8 flags) public pure {
        uint256 o = PackedOrder.pack(account, price, energyWh, flags);
        require(o >> 128 == 0, "wider than 128 bits");
        require(o.accountIndex() == account && o.priceWeiPerKWh() == price && o.energyWh() == energyWh, "fields");
        require(o.flags() == flags, "flags");
        uint256 less = o.withEnergy(energyWh / 2);
        require(less.energyWh() == energyWh / 2 && less.priceWeiPerKWh() == price && less.flags() == flags, "energy");
        uint256 cancelled = o.withFlag(PackedOrder.FLAG_CANCELLED);
        require(cancelled.flags() & PackedOrder.FLAG_CANCELLED != 0 && cancelled.energyWh() == energyWh, "flag");
        require(!cancelled.isLiveAuctionOrder(), "cancelled is live");
    }

    function testFuzz_halvesAreIndependent(uint256 slot, uint128 order, bool odd) public pure {
        uint256 index = odd ? 1 : 0;
        uint256 updated = PackedOrder.intoSlot(slot, index, order);
        require(PackedOrder.fromSlot(updated, index) == order, "written half");
        require(PackedOrder.fromSlot(updated, index + 1) == PackedOrder.fromSlot(slot, index + 1), "other half");
    }
}

contract MarketScheduleTest {
    using MarketSchedule for uint256;

    function testFuzz_packRoundTrip(uint32 from, uint40 start, IEnergyMarket.MarketParams memory p, bool paused)
        public
        pure
    {
        uint256 w = MarketSchedule.pack(from, start, p).withPaused(paused);
        require(w.fromInterval() == from && w.startTime() == start, "time");
        require(w.intervalSeconds() == p.intervalSeconds && w.gateLeadSeconds() == p.gateLeadSeconds, "lengths");
        require(w.capWeiPerKWh() == p.priceCapWeiPerKWh && w.floorWeiPerKWh() == p.priceFloorWeiPerKWh, "limits");
        require(w.minOrderWh() == p.minOrderWh && w.maxOrdersPerSide() == p.maxOrdersPerSide, "orders");
        require(w.paused() == paused && w.withPaused(!paused).paused() == !paused, "paused");
        require(w.withPaused(!paused).withPaused(paused) == w, "pause bit touches other fields");
    }

    function testFuzz_gateBeforeStartAndMonotone(uint32 from, uint40 start, uint24 len, uint24 lead, uint32 k)
        public
        pure
    {
        IEnergyMarket.MarketParams memory p;
        p.intervalSeconds = len;
        p.gateLeadSeconds = lead;
        uint256 w = MarketSchedule.pack(from, start, p);
        uint256 i = uint256(from) + k;
        require(w.startOf(from) == start, "first interval starts at the version start");
        require(w.gateClosureOf(i) <= w.startOf(i), "gate after start");
        require(w.startOf(i + 1) == w.startOf(i) + len && w.gateClosureOf(i + 1) >= w.gateClosureOf(i), "monotone");
    }
}

contract IntervalHeaderTest {
    using IntervalHeader for uint256;

    function testFuzz_countersAndClearing(uint16 bids, uint16 offers, uint16 liveBids, uint16 liveOffers, uint32 price, uint64 wh)
        public
        pure
    {
        vm_assume(liveBids <= bids && liveOffers <= offers && bids < 1000 && offers < 1000);
        uint256 h = uint256(bids) | (uint256(offers) << 16) | (uint256(liveBids) << 32) | (uint256(liveOffers) << 48);
        uint256 more = h + (IntervalHeader.ONE_BID | IntervalHeader.ONE_LIVE_BID) + IntervalHeader.ONE_OFFER;
        require(more.bidCount() == uint256(bids) + 1 && more.liveBids() == uint256(liveBids) + 1, "bid counters");
        require(more.offerCount() == uint256(offers) + 1 && more.liveOffers() == liveOffers, "offer counters");
        uint256 c = h.withClearing(true, price, wh);
        require(c.cleared() && c.hasPrice() && c.clearingPriceWeiPerKWh() == price && c.clearedWh() == wh, "result");
        require(c.unsettledOrders() == uint256(liveBids) + liveOffers, "unsettled");
        require(c.unsettledOffers() == liveOffers, "unsettled offers");
        if (liveOffers != 0) {
            // Settling an offer takes one from both counters and touches nothing else.
            uint256 d = c - (IntervalHeader.ONE_UNSETTLED | IntervalHeader.ONE_UNSETTLED_OFFER);
            require(d.unsettledOffers() == uint256(liveOffers) - 1 && d.unsettledOrders() == c.unsettledOrders() - 1, "offer settled");
            require(d.clearedWh() == wh && d.clearingPriceWeiPerKWh() == price && d.hasPrice(), "result kept");
        }
        require(c.bidCount() == bids && c.offerCount() == offers && c.liveBids() == liveBids, "counts kept");
        IEnergyMarket.IntervalState memory s = c.toState();
        require(s.liveOffers == liveOffers && s.clearedWh == wh && s.unsettledOrders == c.unsettledOrders(), "state");
        require(s.unsettledOffers == liveOffers, "state offers");
        require(!h.withClearing(false, 0, 0).hasPrice(), "hasPrice");
    }

    function vm_assume(bool condition) private pure {
        Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D).assume(condition);
    }
}

contract ClearingResultTest {
    /// Fill by rank: strictly better than the marginal order → full; the marginal → its fill; worse → 0;
    /// outside [floor, cap] → 0.
    function testFuzz_fillByRank(uint16 mIndex, uint32 mPrice, uint32 mFill, uint16 index, uint32 price, uint32 energyWh)
        public
        pure
    {
        uint256 cap = type(uint32).max - 1;
        uint256 floor = 1;
        uint256 r = ClearingResult.pack(
            ClearingResult.marginal(mIndex, mPrice, mFill), ClearingResult.marginal(mIndex, mPrice, mFill), cap, floor
        );
        uint256 bidFill = ClearingResult.filledWh(r, true, index, price, energyWh);
        uint256 offerFill = ClearingResult.filledWh(r, false, index, price, energyWh);
        if (price > cap || price < floor) {
            require(bidFill == 0 && offerFill == 0, "out of range filled");
        } else if (index == mIndex) {
            require(bidFill == mFill && offerFill == mFill, "marginal fill");
        } else {
            bool bidBetter = price > mPrice || (price == mPrice && index < mIndex);
            bool offerBetter = price < mPrice || (price == mPrice && index < mIndex);
            require(bidFill == (bidBetter ? energyWh : 0), "bid rank");
            require(offerFill == (offerBetter ? energyWh : 0), "offer rank");
        }
    }
}
