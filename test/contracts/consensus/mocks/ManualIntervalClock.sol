// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIntervalClock} from "../../../../contracts/interfaces/IMeterLedger.sol";

/// @notice Test double (never deployed outside tests): an interval clock the test sets by hand, so
/// MeterLedger tests need no market and no time travel.
contract ManualIntervalClock is IIntervalClock {
    uint64 public currentInterval;

    constructor(uint64 current) {
        currentInterval = current;
    }

    function set(uint64 current) external {
        currentInterval = current;
    }
}
