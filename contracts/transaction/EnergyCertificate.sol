// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IEnergyCertificate} from "../interfaces/IEnergyCertificate.sol";

/// @title Transaction layer: energy certificates (ERC-1155, id = interval, amount = delivered Wh)
/// @notice See IEnergyCertificate for the design (transferable with an audit trail, retirement,
/// callback-free minting).
/// @dev Roles: DEFAULT_ADMIN_ROLE (metadata URI, role grants), MINTER_ROLE (the market).
contract EnergyCertificate is IEnergyCertificate, ERC1155, AccessControl {
    /// @notice May mint certificates for attested delivery (the market's settlement).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");


    mapping(uint64 interval => uint256 energyWh) private _mintedWh;
    mapping(uint64 interval => uint256 energyWh) private _retiredWh;

    /// @param admin receives DEFAULT_ADMIN_ROLE
    /// @param uriTemplate ERC-1155 metadata URI with `{id}`, e.g. "https://lan.example/certificates/{id}.json"
    constructor(address admin, string memory uriTemplate) ERC1155(uriTemplate) {
        if (admin == address(0)) revert CertificateZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        emit CertificateUriSet(uriTemplate);
    }

    /// @inheritdoc IEnergyCertificate
    function mintDelivered(address to, uint64 interval, uint256 energyWh) external onlyRole(MINTER_ROLE) {
        if (energyWh == 0) revert CertificateZeroEnergy();
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        _mintedWh[interval] += energyWh;
        // `_update` (not `_mint`): no onERC1155Received callback, so a buyer contract can neither
        // block nor re-enter the market's settlement. Still emits TransferSingle(minter, 0, to, id, Wh).
        uint256[] memory ids = new uint256[](1);
        uint256[] memory values = new uint256[](1);
        ids[0] = interval;
        values[0] = energyWh;
        _update(address(0), to, ids, values);
        emit CertificateMinted(to, interval, energyWh);
    }

    /// @inheritdoc IEnergyCertificate
    function retire(uint64 interval, uint256 energyWh) external {
        if (energyWh == 0) revert CertificateZeroEnergy();
        _burn(msg.sender, interval, energyWh); // reverts ERC1155InsufficientBalance if not held
        _retiredWh[interval] += energyWh;
        emit CertificateRetired(msg.sender, interval, energyWh);
    }

    /// @inheritdoc IEnergyCertificate
    function setUri(string calldata uriTemplate) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setURI(uriTemplate);
        emit CertificateUriSet(uriTemplate);
    }

    /// @notice Collection name shown by wallets and explorers (not part of ERC-1155, a common courtesy).
    function name() external pure returns (string memory) {
        return "PowerLAN Energy Certificate";
    }

    /// @notice Short symbol of the collection.
    function symbol() external pure returns (string memory) {
        return "PLEC";
    }

    /// @inheritdoc IEnergyCertificate
    function mintedWh(uint64 interval) external view returns (uint256) {
        return _mintedWh[interval];
    }

    /// @inheritdoc IEnergyCertificate
    function retiredWh(uint64 interval) external view returns (uint256) {
        return _retiredWh[interval];
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return ERC1155.supportsInterface(interfaceId) || AccessControl.supportsInterface(interfaceId);
    }
}
