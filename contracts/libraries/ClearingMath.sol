// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Contract layer: the money and price arithmetic of the energy market
/// @notice Pure helpers shared by the market, its tests and (mirrored in TypeScript) the reference
/// auction. Prices are payment-token base units per kWh, energies integer Wh, amounts base units.
/// All inputs are 32-bit, so every product below is < 2^64 and no intermediate can overflow.
library ClearingMath {
    /// @notice Wh in one kWh: a price per kWh times an energy in Wh is divided by this.
    uint256 internal constant WH_PER_KWH = 1000;

    /// @notice What a buyer pays for `energyWh` at `priceWeiPerKWh`: ceil(price × Wh / 1000).
    /// Also the amount a bid locks (at its limit price), so a fill at any price ≤ the limit is covered.
    function chargeWei(uint256 priceWeiPerKWh, uint256 energyWh) internal pure returns (uint256) {
        // Callers pass uint32 values: the product is < 2^64, no overflow possible.
        return (priceWeiPerKWh * energyWh + (WH_PER_KWH - 1)) / WH_PER_KWH;
    }

    /// @notice What a seller receives for `energyWh` at `priceWeiPerKWh`: floor(price × Wh / 1000).
    function payoutWei(uint256 priceWeiPerKWh, uint256 energyWh) internal pure returns (uint256) {
        return (priceWeiPerKWh * energyWh) / WH_PER_KWH;
    }

    /// @notice The uniform price in [lo, hi]: lo + floor((hi − lo) × kNumerator / kDenominator).
    /// @dev Requires lo ≤ hi and kNumerator ≤ kDenominator, kDenominator > 0 (the market guarantees both).
    function clearingPrice(uint256 loWeiPerKWh, uint256 hiWeiPerKWh, uint256 kNumerator, uint256 kDenominator)
        internal
        pure
        returns (uint256)
    {
        return loWeiPerKWh + ((hiWeiPerKWh - loWeiPerKWh) * kNumerator) / kDenominator;
    }
}
