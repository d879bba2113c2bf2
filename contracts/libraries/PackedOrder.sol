// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Contract layer: the 128-bit storage form of one market order
/// @notice Two orders share one storage slot (low half: even index, high half: odd index), so every
/// second order of a book writes an already-used slot. Layout of the 128-bit word:
/// bits 0–31 owner's account index (the market's participant cache; 0 never issued),
/// 32–63 price (base units per kWh), 64–95 energy still open (Wh), 96–103 flags, 104–127 spare.
library PackedOrder {
    /// @notice The order was cancelled (its bid lock was refunded).
    uint256 internal constant FLAG_CANCELLED = 1;
    /// @notice A bilateral offer addressed to one buyer: never part of the auction.
    uint256 internal constant FLAG_ADDRESSED = 2;
    /// @notice An addressed offer whose takes are paid through payment channels, not escrow
    /// (always set together with FLAG_ADDRESSED). Bit 98 of the word: the market's take records
    /// keep the same bit for a channel-paid take (see MarketStorage._TAKE_CHANNEL_PAID).
    uint256 internal constant FLAG_CHANNEL_PAID = 4;

    uint256 private constant _MASK32 = 0xffffffff;
    uint256 private constant _MASK128 = type(uint128).max;

    function pack(uint256 accountIndex_, uint256 priceWeiPerKWh_, uint256 energyWh_, uint256 flags_)
        internal
        pure
        returns (uint256)
    {
        return (accountIndex_ & _MASK32) | ((priceWeiPerKWh_ & _MASK32) << 32) | ((energyWh_ & _MASK32) << 64)
            | ((flags_ & 0xff) << 96);
    }

    function accountIndex(uint256 order) internal pure returns (uint32) {
        return uint32(order);
    }

    function priceWeiPerKWh(uint256 order) internal pure returns (uint32) {
        return uint32(order >> 32);
    }

    function energyWh(uint256 order) internal pure returns (uint32) {
        return uint32(order >> 64);
    }

    function flags(uint256 order) internal pure returns (uint256) {
        return (order >> 96) & 0xff;
    }

    /// @notice The same order with its open energy replaced.
    function withEnergy(uint256 order, uint256 newEnergyWh) internal pure returns (uint256) {
        return (order & ~(_MASK32 << 64)) | ((newEnergyWh & _MASK32) << 64);
    }

    /// @notice The same order with `flag` set.
    function withFlag(uint256 order, uint256 flag) internal pure returns (uint256) {
        return order | ((flag & 0xff) << 96);
    }

    /// @notice In the auction: not cancelled, not addressed, energy left.
    function isLiveAuctionOrder(uint256 order) internal pure returns (bool) {
        return flags(order) & (FLAG_CANCELLED | FLAG_ADDRESSED) == 0 && energyWh(order) != 0;
    }

    /// @notice Read the half of `slotValue` that holds order `index` (by the index's parity).
    function fromSlot(uint256 slotValue, uint256 index) internal pure returns (uint256) {
        return (slotValue >> ((index & 1) * 128)) & _MASK128;
    }

    /// @notice `slotValue` with the half of order `index` replaced by `order`.
    function intoSlot(uint256 slotValue, uint256 index, uint256 order) internal pure returns (uint256) {
        uint256 shift = (index & 1) * 128;
        return (slotValue & ~(_MASK128 << shift)) | ((order & _MASK128) << shift);
    }
}
