// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";

/// @title Contract layer: the market's interval schedule and order limits, packed in one word
/// @notice A parameter version as one 256-bit word, so that placing an order reads the whole
/// schedule (and the pause flag) with a single storage load. Layout (bit ranges, inclusive):
/// 0–31 first interval of the version, 32–71 its delivery start time (unix seconds),
/// 72–95 interval length (s), 96–119 gate lead (s), 120–151 price cap, 152–183 price floor
/// (base units per kWh), 184–215 minimum order (Wh), 216–231 max orders per side, 232 paused.
/// Interval `i ≥ first` of a version starts at start + (i − first) × length; its gate closes
/// `gate lead` seconds earlier (at 0 if that would be before the epoch).
library MarketSchedule {
    uint256 private constant _PAUSED_BIT = 1 << 232;

    /// @dev Callers guarantee fromInterval < 2^32 and startTime < 2^40; params are uint-typed to fit.
    function pack(uint256 fromInterval_, uint256 startTime_, IEnergyMarket.MarketParams memory p)
        internal
        pure
        returns (uint256)
    {
        return uint32(fromInterval_) | (uint256(uint40(startTime_)) << 32) | (uint256(p.intervalSeconds) << 72)
            | (uint256(p.gateLeadSeconds) << 96) | (uint256(p.priceCapWeiPerKWh) << 120)
            | (uint256(p.priceFloorWeiPerKWh) << 152) | (uint256(p.minOrderWh) << 184)
            | (uint256(p.maxOrdersPerSide) << 216);
    }

    function fromInterval(uint256 w) internal pure returns (uint256) {
        return uint32(w);
    }

    function startTime(uint256 w) internal pure returns (uint256) {
        return uint40(w >> 32);
    }

    function intervalSeconds(uint256 w) internal pure returns (uint256) {
        return uint24(w >> 72);
    }

    function gateLeadSeconds(uint256 w) internal pure returns (uint256) {
        return uint24(w >> 96);
    }

    function capWeiPerKWh(uint256 w) internal pure returns (uint256) {
        return uint32(w >> 120);
    }

    function floorWeiPerKWh(uint256 w) internal pure returns (uint256) {
        return uint32(w >> 152);
    }

    function minOrderWh(uint256 w) internal pure returns (uint256) {
        return uint32(w >> 184);
    }

    function maxOrdersPerSide(uint256 w) internal pure returns (uint256) {
        return uint16(w >> 216);
    }

    function paused(uint256 w) internal pure returns (bool) {
        return w & _PAUSED_BIT != 0;
    }

    function withPaused(uint256 w, bool isPaused) internal pure returns (uint256) {
        return isPaused ? w | _PAUSED_BIT : w & ~_PAUSED_BIT;
    }

    /// @notice Delivery start of `interval` (≥ the version's first interval).
    function startOf(uint256 w, uint256 interval) internal pure returns (uint256) {
        // interval < 2^64, length < 2^24, start < 2^40: no overflow in 256 bits.
        return startTime(w) + (interval - fromInterval(w)) * intervalSeconds(w);
    }

    /// @notice Gate closure of `interval`: orders accepted strictly before, clearing allowed from then on.
    function gateClosureOf(uint256 w, uint256 interval) internal pure returns (uint256) {
        uint256 start = startOf(w, interval);
        uint256 lead = gateLeadSeconds(w);
        return start > lead ? start - lead : 0;
    }
}
