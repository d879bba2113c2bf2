// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IParticipantRegistry, IParticipantListener} from "../interfaces/IParticipantRegistry.sol";

/// @title User layer: the participant registry
/// @notice Who takes part in the energy LAN, with which role, meter and zone, and whether the
/// regulator has approved (or suspended) them. Anyone may self-register (Pending); REGULATOR_ROLE
/// approves, suspends, reinstates and onboards in one step. Subscribed listener contracts (at most
/// MAX_LISTENERS, chosen by DEFAULT_ADMIN_ROLE) are told of every change in the same transaction.
/// @dev The account list grows with self-registration: it is only read by views
/// (`participantCount` / `participantAt`), never looped over in state-changing code.
contract ParticipantRegistry is IParticipantRegistry, AccessControl {
    /// @notice Approves, suspends, reinstates and registers participants (the regulator, and the Supervisor contract).
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");

    /// @notice Upper bound on listeners: every registration and status change calls each of them.
    uint256 public constant MAX_LISTENERS = 8;

    mapping(address account => Participant) private _participants;
    mapping(address meter => address account) private _accountOfMeter;
    address[] private _accounts;
    address[] private _listeners;

    /// @param admin receives DEFAULT_ADMIN_ROLE (manages roles and listeners)
    /// @param regulator receives REGULATOR_ROLE (may be address(0) to grant it later)
    constructor(address admin, address regulator) {
        if (admin == address(0)) revert RegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (regulator != address(0)) _grantRole(REGULATOR_ROLE, regulator);
    }

    // ───────────────────────────── registration ─────────────────────────────

    /// @inheritdoc IParticipantRegistry
    function register(Role role, address meter, uint16 zone) external {
        if (role != Role.Prosumer && role != Role.Consumer && role != Role.Aggregator) revert RegistryInvalidRole(role);
        if (meter == address(0)) revert RegistryZeroMeter();
        _register(msg.sender, role, meter, zone, Status.Pending);
    }

    /// @inheritdoc IParticipantRegistry
    function registerFor(address account, Role role, address meter, uint16 zone) external onlyRole(REGULATOR_ROLE) {
        if (account == address(0)) revert RegistryZeroAddress();
        if (role == Role.None) revert RegistryInvalidRole(role);
        if (meter == address(0) && _isTradingRole(role)) revert RegistryZeroMeter();
        _register(account, role, meter, zone, Status.Approved);
    }

    // ─────────────────────────────── status ─────────────────────────────────

    /// @inheritdoc IParticipantRegistry
    function approve(address account) external onlyRole(REGULATOR_ROLE) {
        _changeStatus(account, Status.Pending, Status.Approved);
    }

    /// @inheritdoc IParticipantRegistry
    function suspend(address account) external onlyRole(REGULATOR_ROLE) {
        _changeStatus(account, Status.Approved, Status.Suspended);
    }

    /// @inheritdoc IParticipantRegistry
    function reinstate(address account) external onlyRole(REGULATOR_ROLE) {
        _changeStatus(account, Status.Suspended, Status.Approved);
    }

    // ────────────────────────────── listeners ───────────────────────────────

    /// @inheritdoc IParticipantRegistry
    function addListener(address listener) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (listener == address(0)) revert RegistryZeroAddress();
        uint256 count = _listeners.length;
        if (count >= MAX_LISTENERS) revert RegistryTooManyListeners(MAX_LISTENERS);
        for (uint256 i; i < count; ++i) {
            if (_listeners[i] == listener) revert RegistryListenerAlreadyAdded(listener);
        }
        _listeners.push(listener);
        emit ParticipantListenerAdded(listener);
    }

    /// @inheritdoc IParticipantRegistry
    function removeListener(address listener) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 count = _listeners.length;
        for (uint256 i; i < count; ++i) {
            if (_listeners[i] == listener) {
                // Keep the notification order of the others: shift the tail left (≤ MAX_LISTENERS steps).
                for (uint256 j = i + 1; j < count; ++j) {
                    _listeners[j - 1] = _listeners[j];
                }
                _listeners.pop();
                emit ParticipantListenerRemoved(listener);
                return;
            }
        }
        revert RegistryListenerNotFound(listener);
    }

    // ──────────────────────────────── views ─────────────────────────────────

    /// @inheritdoc IParticipantRegistry
    function listeners() external view returns (address[] memory) {
        return _listeners;
    }

    /// @inheritdoc IParticipantRegistry
    function participantOf(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    /// @inheritdoc IParticipantRegistry
    function isActive(address account) external view returns (bool) {
        return _participants[account].status == Status.Approved;
    }

    /// @inheritdoc IParticipantRegistry
    function accountOfMeter(address meter) external view returns (address) {
        return _accountOfMeter[meter];
    }

    /// @inheritdoc IParticipantRegistry
    function participantCount() external view returns (uint256) {
        return _accounts.length;
    }

    /// @inheritdoc IParticipantRegistry
    function participantAt(uint256 index) external view returns (address account, Participant memory) {
        account = _accounts[index];
        return (account, _participants[account]);
    }

    // ─────────────────────────────── internal ───────────────────────────────

    function _isTradingRole(Role role) private pure returns (bool) {
        return role == Role.Prosumer || role == Role.Consumer || role == Role.Aggregator;
    }

    function _register(address account, Role role, address meter, uint16 zone, Status status) private {
        if (_participants[account].status != Status.None) revert RegistryAlreadyRegistered(account);
        if (meter != address(0)) {
            address holder = _accountOfMeter[meter];
            if (holder != address(0)) revert RegistryMeterInUse(meter, holder);
            _accountOfMeter[meter] = account;
        }
        Participant memory participant = Participant({role: role, status: status, zone: zone, meter: meter});
        _participants[account] = participant;
        _accounts.push(account);
        emit ParticipantRegistered(account, role, meter, zone, status);
        _notify(account, participant);
    }

    function _changeStatus(address account, Status from, Status to) private {
        Participant storage stored = _participants[account];
        Status current = stored.status;
        if (current == Status.None) revert RegistryNotRegistered(account);
        if (current != from) revert RegistryInvalidStatus(account, current);
        stored.status = to;
        emit ParticipantStatusChanged(account, from, to);
        _notify(account, stored);
    }

    /// @dev Interactions last: listeners are trusted contracts chosen by the admin, at most MAX_LISTENERS.
    function _notify(address account, Participant memory participant) private {
        uint256 count = _listeners.length;
        for (uint256 i; i < count; ++i) {
            IParticipantListener(_listeners[i]).onParticipantUpdated(account, participant);
        }
    }
}
