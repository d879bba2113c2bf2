// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";

/// @title Contract layer: one interval's bookkeeping, packed in one word
/// @notice The market keeps IEnergyMarket.IntervalState as a single 256-bit word so that an order
/// placement updates its counters with one load and one store. Layout (bit ranges):
/// 0–15 bidCount, 16–31 offerCount, 32–47 liveBids, 48–63 liveOffers, 64 cleared, 65 hasPrice,
/// 80–111 clearing price, 112–175 clearedWh, 176–191 unsettledOrders, 192–207 unsettledOffers (of them).
/// Counters never exceed the market's MAX_ORDERS_PER_SIDE (≤ 2^16 − 1), so adding or subtracting
/// the unit constants below never carries into a neighbouring field.
library IntervalHeader {
    uint256 internal constant ONE_BID = 1;
    uint256 internal constant ONE_OFFER = 1 << 16;
    uint256 internal constant ONE_LIVE_BID = 1 << 32;
    uint256 internal constant ONE_LIVE_OFFER = 1 << 48;
    uint256 internal constant ONE_UNSETTLED = 1 << 176;
    uint256 internal constant ONE_UNSETTLED_OFFER = 1 << 192;
    uint256 private constant _CLEARED = 1 << 64;
    uint256 private constant _HAS_PRICE = 1 << 65;

    function bidCount(uint256 h) internal pure returns (uint256) {
        return uint16(h);
    }

    function offerCount(uint256 h) internal pure returns (uint256) {
        return uint16(h >> 16);
    }

    function liveBids(uint256 h) internal pure returns (uint256) {
        return uint16(h >> 32);
    }

    function liveOffers(uint256 h) internal pure returns (uint256) {
        return uint16(h >> 48);
    }

    function cleared(uint256 h) internal pure returns (bool) {
        return h & _CLEARED != 0;
    }

    function hasPrice(uint256 h) internal pure returns (bool) {
        return h & _HAS_PRICE != 0;
    }

    function clearingPriceWeiPerKWh(uint256 h) internal pure returns (uint256) {
        return uint32(h >> 80);
    }

    function clearedWh(uint256 h) internal pure returns (uint256) {
        return uint64(h >> 112);
    }

    function unsettledOrders(uint256 h) internal pure returns (uint256) {
        return uint16(h >> 176);
    }

    function unsettledOffers(uint256 h) internal pure returns (uint256) {
        return uint16(h >> 192);
    }

    /// @notice `h` marked cleared with its result; unsettledOrders becomes liveBids + liveOffers,
    /// unsettledOffers liveOffers.
    /// @dev price < 2^32 and clearedWh < 2^64 by the caller; live counts ≤ 2 × 1000 < 2^16.
    function withClearing(uint256 h, bool hasPrice_, uint256 priceWeiPerKWh, uint256 clearedWh_)
        internal
        pure
        returns (uint256)
    {
        h = (h & 0xffffffffffffffff) | _CLEARED | (uint256(uint32(priceWeiPerKWh)) << 80)
            | (uint256(uint64(clearedWh_)) << 112) | ((liveBids(h) + liveOffers(h)) << 176) | (liveOffers(h) << 192);
        return hasPrice_ ? h | _HAS_PRICE : h;
    }

    /// @notice The interface's struct form (views).
    function toState(uint256 h) internal pure returns (IEnergyMarket.IntervalState memory s) {
        s.bidCount = uint16(bidCount(h));
        s.offerCount = uint16(offerCount(h));
        s.liveBids = uint16(liveBids(h));
        s.liveOffers = uint16(liveOffers(h));
        s.cleared = cleared(h);
        s.hasPrice = hasPrice(h);
        s.clearingPriceWeiPerKWh = uint32(clearingPriceWeiPerKWh(h));
        s.clearedWh = uint64(clearedWh(h));
        s.unsettledOrders = uint16(unsettledOrders(h));
        s.unsettledOffers = uint16(unsettledOffers(h));
    }
}
