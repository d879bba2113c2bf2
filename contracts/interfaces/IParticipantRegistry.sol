// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title User layer: who may take part in the energy LAN
/// @notice Identities, roles, meter binding and zone (feeder) of every participant. The regulator
/// approves and suspends; other layers read `isActive` / `participantOf`, and contracts that keep a
/// hot-path copy of a participant's status (the market) subscribe as listeners and are told of
/// every change in the same transaction.
interface IParticipantRegistry {
    /// @notice What a participant does in the LAN.
    enum Role {
        None,
        Prosumer, // has PV: may buy and sell
        Consumer, // may buy only
        Aggregator, // may buy and sell; runs the LAN's channel hub
        Validator, // member of the validator committee (consensus layer)
        DSO, // distribution grid operator: receives grid fees, rounding dust and imbalance charges
        Regulator // supervision layer
    }

    /// @notice Lifecycle of a participant record.
    enum Status {
        None,
        Pending, // self-registered, awaiting the regulator's approval
        Approved,
        Suspended
    }

    struct Participant {
        Role role;
        Status status;
        uint16 zone; // feeder / zone number, used for zone limits and grid fees
        address meter; // the smart meter's signing key
    }

    error RegistryAlreadyRegistered(address account);
    error RegistryNotRegistered(address account);
    error RegistryInvalidRole(Role role);
    error RegistryZeroMeter();
    error RegistryMeterInUse(address meter, address account);
    error RegistryInvalidStatus(address account, Status status);
    error RegistryTooManyListeners(uint256 max);
    error RegistryListenerAlreadyAdded(address listener);
    error RegistryListenerNotFound(address listener);
    error RegistryZeroAddress();

    /// @notice Emitted when an account registers (self-service: Pending) or is registered by the regulator (Approved).
    event ParticipantRegistered(address indexed account, Role role, address indexed meter, uint16 zone, Status status);
    /// @notice Emitted whenever an account's status changes (approved, suspended, reinstated).
    event ParticipantStatusChanged(address indexed account, Status previous, Status current);
    /// @notice Emitted when a contract subscribes to participant updates.
    event ParticipantListenerAdded(address indexed listener);
    /// @notice Emitted when a contract is unsubscribed from participant updates.
    event ParticipantListenerRemoved(address indexed listener);

    /// @notice Self-service registration; the record starts Pending until the regulator approves it.
    /// Requirements: not registered yet; role is Prosumer, Consumer or Aggregator; meter non-zero and unused.
    /// Emits ParticipantRegistered.
    function register(Role role, address meter, uint16 zone) external;

    /// @notice The regulator registers and approves an account in one step (onboarding, demo seeding).
    /// Requirements: caller has REGULATOR_ROLE; account non-zero and not registered; any role but None;
    /// meter unused, and non-zero for the trading roles (Prosumer, Consumer, Aggregator) — the other
    /// roles may pass address(0) for "no meter". Emits ParticipantRegistered.
    function registerFor(address account, Role role, address meter, uint16 zone) external;

    /// @notice Approve a Pending account. Requirements: REGULATOR_ROLE. Emits ParticipantStatusChanged.
    function approve(address account) external;

    /// @notice Suspend an Approved account: it can no longer trade; funds already held stay withdrawable.
    /// Requirements: REGULATOR_ROLE. Emits ParticipantStatusChanged.
    function suspend(address account) external;

    /// @notice Lift a suspension. Requirements: REGULATOR_ROLE. Emits ParticipantStatusChanged.
    function reinstate(address account) external;

    /// @notice Subscribe a contract to participant changes (max 8). Requirements: DEFAULT_ADMIN_ROLE;
    /// listener non-zero and not added yet. Emits ParticipantListenerAdded.
    function addListener(address listener) external;

    /// @notice Unsubscribe a contract (e.g. a retired market, or one whose hook reverts and would
    /// otherwise block every registration). Requirements: DEFAULT_ADMIN_ROLE; listener subscribed.
    /// Emits ParticipantListenerRemoved.
    function removeListener(address listener) external;

    /// @notice The subscribed contracts, in the order they are notified.
    function listeners() external view returns (address[] memory);

    /// @notice The record of `account` (all zero if it never registered).

    function participantOf(address account) external view returns (Participant memory);
    /// @notice True iff `account` is Approved (registered, approved and not suspended).
    function isActive(address account) external view returns (bool);
    /// @notice The account a meter is bound to (address(0) if none).
    function accountOfMeter(address meter) external view returns (address);
    /// @notice Number of accounts ever registered (for enumeration by UIs and scripts, never on-chain loops).
    function participantCount() external view returns (uint256);
    /// @notice The `index`-th registered account (registration order) and its record.
    function participantAt(uint256 index) external view returns (address account, Participant memory);
}

/// @notice Implemented by contracts that keep a copy of participant status for cheap reads.
interface IParticipantListener {
    /// @notice Called by the registry in the same transaction as every registration or status change.
    function onParticipantUpdated(address account, IParticipantRegistry.Participant calldata participant) external;
}
