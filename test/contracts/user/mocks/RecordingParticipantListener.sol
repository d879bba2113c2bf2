// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IParticipantRegistry, IParticipantListener} from "../../../../contracts/interfaces/IParticipantRegistry.sol";

/// @notice Test double (never deployed outside tests): records every participant update it is told
/// of, and can be switched to revert so tests can show a broken listener blocks the registry
/// until the admin removes it.
contract RecordingParticipantListener is IParticipantListener {
    error ListenerBroken();

    event UpdateReceived(address indexed registry, address indexed account, IParticipantRegistry.Role role, IParticipantRegistry.Status status, uint16 zone, address meter);

    bool public broken;
    uint256 public updateCount;
    mapping(address account => IParticipantRegistry.Participant) private _lastSeen;

    function setBroken(bool broken_) external {
        broken = broken_;
    }

    function onParticipantUpdated(address account, IParticipantRegistry.Participant calldata participant) external {
        if (broken) revert ListenerBroken();
        ++updateCount;
        _lastSeen[account] = participant;
        emit UpdateReceived(msg.sender, account, participant.role, participant.status, participant.zone, participant.meter);
    }

    function lastSeen(address account) external view returns (IParticipantRegistry.Participant memory) {
        return _lastSeen[account];
    }
}
