// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Contract layer: order identifiers of the energy market
/// @notice `orderId = interval << 40 | side << 32 | index` — interval (64 bits), side (0 bid, 1 offer,
/// 8 bits) and the arrival index within (interval, side) (32 bits). Ids sort by interval, then side,
/// then arrival, and two neighbouring indexes share `orderId >> 1` (the market's storage slot key).
library OrderIds {
    uint256 private constant _SIDE_SHIFT = 32;
    uint256 private constant _INTERVAL_SHIFT = 40;

    /// @notice The id of order `index` on `side` (0 bid, 1 offer) of `interval`.
    function encode(uint64 interval, uint8 side, uint32 index) internal pure returns (uint256) {
        return (uint256(interval) << _INTERVAL_SHIFT) | (uint256(side) << _SIDE_SHIFT) | uint256(index);
    }

    /// @notice Split an id into its parts; `valid` is false when the id cannot have been issued
    /// (bits above the interval set, or a side other than 0 and 1).
    function decode(uint256 orderId) internal pure returns (bool valid, uint64 interval, uint8 side, uint32 index) {
        interval = uint64(orderId >> _INTERVAL_SHIFT);
        side = uint8(orderId >> _SIDE_SHIFT);
        index = uint32(orderId);
        valid = (orderId >> (_INTERVAL_SHIFT + 64)) == 0 && side <= 1;
    }
}
