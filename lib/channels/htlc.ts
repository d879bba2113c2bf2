/**
 * Hash time-locks for multi-hop payments through the hub, and the Merkle tree of a channel's
 * pending locks. Browser-safe.
 *
 * - secret: 32 random bytes; hashlock = keccak256(secret) (what PaymentChannels checks).
 * - leaf: keccak256(abi.encode(sender, amountWei, expiryBlock, hashlock)) (PaymentChannels.lockLeaf).
 * - tree: leaves sorted ascending (so both parties get the same root from the same set of locks),
 *   inner node = keccak256 of the two children in ascending order (OpenZeppelin MerkleProof's
 *   commutative hashing), an odd node moves up unchanged. Root of no locks = 0x00…00.
 */
import { concatHex, encodeAbiParameters, keccak256, type Address, type Hex } from "viem";
import { ZERO_ROOT } from "./eip712.ts";

/** A pending lock (see IPaymentChannels.Lock). */
export interface Lock {
  sender: Address;
  amountWei: bigint;
  expiryBlock: bigint;
  hashlock: Hex;
}

/** 32 fresh random bytes (Web Crypto: Node ≥ 19 and browsers). */
export function newSecret(): Hex {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** keccak256(secret) — the lock's hashlock. */
export function hashlockOf(secret: Hex): Hex {
  return keccak256(secret);
}

/** The Merkle leaf of a lock, as PaymentChannels.lockLeaf computes it. */
export function lockLeaf(lock: Lock): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "uint256" }, { type: "uint64" }, { type: "bytes32" }],
      [lock.sender, lock.amountWei, lock.expiryBlock, lock.hashlock],
    ),
  );
}

function hashPair(a: Hex, b: Hex): Hex {
  return BigInt(a) < BigInt(b) ? keccak256(concatHex([a, b])) : keccak256(concatHex([b, a]));
}

/** The Merkle tree over a set of locks: root and inclusion proofs for PaymentChannels.unlock. */
export class LockTree {
  /** layers[0] = sorted leaves, last layer = [root]. */
  private readonly layers: Hex[][];

  constructor(locks: readonly Lock[]) {
    const leaves = locks.map(lockLeaf).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0));
    for (let i = 1; i < leaves.length; i++) {
      if (leaves[i] === leaves[i - 1]) throw new Error(`duplicate lock ${leaves[i]}: every lock needs its own hashlock`);
    }
    this.layers = [leaves];
    while (this.layers[this.layers.length - 1].length > 1) {
      const below = this.layers[this.layers.length - 1];
      const above: Hex[] = [];
      for (let i = 0; i < below.length; i += 2) above.push(i + 1 < below.length ? hashPair(below[i], below[i + 1]) : below[i]);
      this.layers.push(above);
    }
  }

  /** The locks root to put into a balance proof (0x00…00 without locks). */
  get root(): Hex {
    const top = this.layers[this.layers.length - 1];
    return top.length === 0 ? ZERO_ROOT : top[0];
  }

  /** The sibling hashes proving `lock` is in the tree. Throws if it is not. */
  proof(lock: Lock): Hex[] {
    const leaf = lockLeaf(lock);
    let index = this.layers[0].indexOf(leaf);
    if (index < 0) throw new Error(`lock ${leaf} is not in this tree`);
    const proof: Hex[] = [];
    for (let level = 0; level < this.layers.length - 1; level++) {
      const layer = this.layers[level];
      const sibling = index ^ 1;
      if (sibling < layer.length) proof.push(layer[sibling]);
      index >>= 1;
    }
    return proof;
  }
}

/** The root a proof leads to from `leaf` (OpenZeppelin MerkleProof.processProof). */
export function processProof(proof: readonly Hex[], leaf: Hex): Hex {
  return proof.reduce<Hex>((node, sibling) => hashPair(node, sibling), leaf);
}

/** The root of a set of locks. */
export function locksRoot(locks: readonly Lock[]): Hex {
  return new LockTree(locks).root;
}
