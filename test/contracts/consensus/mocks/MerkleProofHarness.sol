// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @notice Test double (never deployed outside tests): exposes OZ MerkleProof so lib/consensus/merkle.ts
/// can be checked against the exact on-chain verifier.
contract MerkleProofHarness {
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    function processProof(bytes32[] calldata proof, bytes32 leaf) external pure returns (bytes32) {
        return MerkleProof.processProofCalldata(proof, leaf);
    }
}
