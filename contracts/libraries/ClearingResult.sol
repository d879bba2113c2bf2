// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Contract layer: the O(1) result of clearing one interval, packed in one word
/// @notice `clear` stores only the marginal (last filled) order of each side and the price limits it
/// applied. Every other order's fill follows from its rank: a live order whose price is within
/// [floor, cap] is filled completely if it ranks strictly before the marginal order of its side
/// (bids: higher price, or equal price and lower index; offers: lower price, or equal price and
/// lower index), by the marginal fill if it is the marginal order, and not at all otherwise.
/// Layout (bit ranges): 0–15 marginal bid index, 16–47 its price, 48–79 its fill (Wh),
/// 80–95 marginal offer index, 96–127 its price, 128–159 its fill, 160–191 cap, 192–223 floor.
library ClearingResult {
    /// @notice One side's marginal order as an 80-bit part: index | price << 16 | fill << 48.
    /// @dev The caller guarantees index < 2^16 and price, fill < 2^32.
    function marginal(uint256 index, uint256 priceWeiPerKWh, uint256 filledWh_) internal pure returns (uint256) {
        return index | (priceWeiPerKWh << 16) | (filledWh_ << 48);
    }

    /// @notice The stored word from both sides' marginal parts and the price limits (< 2^32 each).
    function pack(uint256 marginalBid, uint256 marginalOffer, uint256 capWeiPerKWh, uint256 floorWeiPerKWh)
        internal
        pure
        returns (uint256)
    {
        return marginalBid | (marginalOffer << 80) | (capWeiPerKWh << 160) | (floorWeiPerKWh << 192);
    }

    /// @notice The auction fill of a live order at `index` with `priceWeiPerKWh` and `energyWh`
    /// (isBid: a bid, else an offer), given the stored result `r` of an interval that has a price.
    function filledWh(uint256 r, bool isBid, uint256 index, uint256 priceWeiPerKWh, uint256 energyWh)
        internal
        pure
        returns (uint256)
    {
        if (priceWeiPerKWh > uint32(r >> 160) || priceWeiPerKWh < uint32(r >> 192)) return 0;
        uint256 side = isBid ? r : r >> 80;
        uint256 marginalIndex = uint16(side);
        if (index == marginalIndex) return uint32(side >> 48);
        uint256 marginalPrice = uint32(side >> 16);
        bool better = isBid ? priceWeiPerKWh > marginalPrice : priceWeiPerKWh < marginalPrice;
        return (better || (priceWeiPerKWh == marginalPrice && index < marginalIndex)) ? energyWh : 0;
    }
}
