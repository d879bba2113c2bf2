// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev Test stand-in for the consensus side the market settles on: one contract plays the meter
/// ledger (readings set by the handler, delivery reports counted), the validator committee (roots
/// set by the handler) and the energy certificate (mints counted per interval).
contract DeliveryOracleMock {
    mapping(uint64 interval => bytes32) public finalizedReadingsRoot;
    mapping(address account => mapping(uint64 interval => uint32)) private _exported;
    mapping(address account => mapping(uint64 interval => bool)) private _recorded;
    mapping(uint64 interval => uint256) public mintedWh;
    mapping(address account => mapping(uint64 interval => uint256)) public certificatesOf;

    function committee() external view returns (address) {
        return address(this);
    }

    function finalize(uint64 interval) external {
        finalizedReadingsRoot[interval] = keccak256(abi.encode(interval));
    }

    function setReading(address account, uint64 interval, uint32 exportedWh) external {
        _exported[account][interval] = exportedWh;
        _recorded[account][interval] = true;
    }

    function readingOf(address account, uint64 interval) external view returns (bool, uint32, uint32) {
        return (_recorded[account][interval], 0, _exported[account][interval]);
    }

    function recordDelivery(address, uint64 soldWh, uint64 deliveredWh) external pure returns (uint16) {
        require(deliveredWh <= soldWh, "delivered above sold");
        return 10_000;
    }

    function mintDelivered(address to, uint64 interval, uint256 energyWh) external {
        require(energyWh > 0, "zero mint");
        mintedWh[interval] += energyWh;
        certificatesOf[to][interval] += energyWh;
    }
}
