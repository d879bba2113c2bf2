// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Transaction layer: energy certificates (kWh tokens of attested LAN delivery)
/// @notice ERC-1155: token id = market interval number, amount = Wh of LAN energy delivered in that
/// interval as attested by the meter readings the validator quorum finalised. The market (MINTER_ROLE)
/// mints them to buyers when it settles a trade on metered delivery — only for delivered Wh, never
/// for energy that was traded but not delivered.
///
/// Design choices:
/// - One id per interval (not one ERC-20 per interval): one contract, any number of intervals, the
///   origin time is the id itself, and a holder's whole history is `balanceOfBatch`.
/// - Transferable, like a guarantee of origin: a certificate may be sold on (e.g. to a company that
///   wants to claim local green energy). Every mint, transfer and retirement is an event
///   (CertificateMinted, TransferSingle/TransferBatch, CertificateRetired), so the regulator can
///   audit the whole chain of custody.
/// - Retirement: a holder claims the energy (for a disclosure or a green-energy claim) by retiring it,
///   which burns the amount and counts it in `retiredWh(interval)`, so no Wh is claimed twice.
/// - Minting does not call `onERC1155Received` on the buyer: a certificate is a record of settlement,
///   and no callback means a buyer contract can neither block nor re-enter settlement. Transfers
///   between holders are ordinary ERC-1155 safe transfers (with the receiver check).
/// - Metadata: `uri(id)` is an ERC-1155 template with `{id}` (64 lowercase hex digits of the interval),
///   set by the admin; the JSON names the LAN, the interval's time span and the unit (Wh).
interface IEnergyCertificate {
    error CertificateZeroEnergy();
    error CertificateZeroAdmin();

    /// @notice Emitted when `energyWh` of `interval`'s attested delivery was certified to `to`.
    event CertificateMinted(address indexed to, uint64 indexed interval, uint256 energyWh);
    /// @notice Emitted when `holder` retired (claimed and burned) `energyWh` of `interval`.
    event CertificateRetired(address indexed holder, uint64 indexed interval, uint256 energyWh);
    /// @notice Emitted when the admin changed the metadata URI template.
    event CertificateUriSet(string uriTemplate);

    /// @notice Mint `energyWh` certificates of `interval` to `to` (the buyer who received the energy).
    /// Requirements: MINTER_ROLE; to non-zero; energyWh > 0. Emits CertificateMinted and TransferSingle.
    function mintDelivered(address to, uint64 interval, uint256 energyWh) external;

    /// @notice Retire (burn) `energyWh` of the caller's certificates of `interval`.
    /// Requirements: energyWh > 0 and ≤ the caller's balance. Emits CertificateRetired and TransferSingle.
    function retire(uint64 interval, uint256 energyWh) external;

    /// @notice Set the metadata URI template (with `{id}`). Requirements: DEFAULT_ADMIN_ROLE. Emits CertificateUriSet.
    function setUri(string calldata uriTemplate) external;

    /// @notice Wh ever minted for `interval` (certified delivery; never decreases).
    function mintedWh(uint64 interval) external view returns (uint256);
    /// @notice Wh of `interval` retired so far.
    function retiredWh(uint64 interval) external view returns (uint256);
}
