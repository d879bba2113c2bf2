/**
 * OpenZeppelin-compatible Merkle trees over an interval's meter readings.
 *
 *   leaf      = keccak256(bytes.concat(keccak256(abi.encode(meter, interval, importedWh, exportedWh))))
 *   node      = keccak256(sort(a, b))              (sorted-pair hashing, as OZ MerkleProof expects)
 *   layout    = OZ StandardMerkleTree: leaves sorted by hash, a complete binary tree stored in one
 *               array (root at 0, children of i at 2i+1 and 2i+2, leaf k at length − 1 − k)
 *
 * So a proof from `proof()` verifies with OZ `MerkleProof.verify(proof, root, leaf)` and with
 * `MeterLedger.recordReadings`; the root equals what @openzeppelin/merkle-tree's StandardMerkleTree
 * would give for the same values with types ["address","uint64","uint32","uint32"].
 * Browser-safe (no Node imports).
 */
import { concatHex, encodeAbiParameters, keccak256, type Hex } from "viem";
import type { MeterReading } from "./readings.ts";

const READING_ABI = [{ type: "address" }, { type: "uint64" }, { type: "uint32" }, { type: "uint32" }] as const;

/** The Merkle leaf of a reading (equals MeterLedger.readingLeaf). */
export function readingLeaf(reading: MeterReading): Hex {
  return keccak256(
    keccak256(encodeAbiParameters(READING_ABI, [reading.meter, reading.interval, reading.importedWh, reading.exportedWh])),
  );
}

function compareHex(a: Hex, b: Hex): number {
  // Same length, lowercase-normalised 0x… strings: lexicographic order is numeric order.
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** keccak256 of the two nodes in ascending order (OZ `Hashes.commutativeKeccak256`). */
export function hashPair(a: Hex, b: Hex): Hex {
  return compareHex(a, b) <= 0 ? keccak256(concatHex([a, b])) : keccak256(concatHex([b, a]));
}

/** Fold a proof as OZ MerkleProof.processProof does. */
export function processProof(leaf: Hex, proof: readonly Hex[]): Hex {
  let computed = leaf;
  for (const sibling of proof) computed = hashPair(computed, sibling);
  return computed;
}

/** OZ MerkleProof.verify: does `proof` lead from `leaf` to `root`? */
export function verifyProof(root: Hex, leaf: Hex, proof: readonly Hex[]): boolean {
  return compareHex(processProof(leaf, proof), root) === 0;
}

export class MerkleTreeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MerkleTreeError";
  }
}

/** A Merkle tree over leaves (32-byte hashes). */
export class MerkleTree {
  /** The whole tree: root at 0, children of i at 2i+1 and 2i+2. */
  readonly nodes: readonly Hex[];
  /** The leaves in tree order (sorted ascending). */
  readonly leaves: readonly Hex[];
  private readonly positionOfLeaf: Map<string, number>;

  /** Build from leaf hashes in any order (sorted here). Throws on an empty set or a repeated leaf. */
  constructor(leafHashes: readonly Hex[]) {
    if (leafHashes.length === 0) throw new MerkleTreeError("a Merkle tree needs at least one leaf");
    const leaves = [...leafHashes].map((h) => h.toLowerCase() as Hex).sort(compareHex);
    for (let i = 1; i < leaves.length; i++) {
      if (leaves[i] === leaves[i - 1]) throw new MerkleTreeError(`leaf ${leaves[i]} appears twice`);
    }
    const n = leaves.length;
    const nodes = new Array<Hex>(2 * n - 1);
    for (let k = 0; k < n; k++) nodes[nodes.length - 1 - k] = leaves[k];
    for (let i = nodes.length - 1 - n; i >= 0; i--) nodes[i] = hashPair(nodes[2 * i + 1], nodes[2 * i + 2]);
    this.nodes = nodes;
    this.leaves = leaves;
    this.positionOfLeaf = new Map(leaves.map((leaf, k) => [leaf, nodes.length - 1 - k]));
  }

  get root(): Hex {
    return this.nodes[0];
  }

  /** Whether `leaf` is one of the tree's leaves. */
  has(leaf: Hex): boolean {
    return this.positionOfLeaf.has(leaf.toLowerCase());
  }

  /** The proof of `leaf` (sibling hashes from the leaf up); throws if the leaf is not in the tree. */
  proof(leaf: Hex): Hex[] {
    let i = this.positionOfLeaf.get(leaf.toLowerCase());
    if (i === undefined) throw new MerkleTreeError(`leaf ${leaf} is not in the tree`);
    const proof: Hex[] = [];
    while (i > 0) {
      const sibling = i % 2 === 1 ? i + 1 : i - 1;
      proof.push(this.nodes[sibling]);
      i = Math.floor((i - 1) / 2);
    }
    return proof;
  }
}

/** A tree over readings, keeping each reading's leaf for proofs. */
export class ReadingsTree {
  readonly tree: MerkleTree;
  /** The readings in tree (leaf) order. */
  readonly readings: readonly MeterReading[];
  private readonly leafOf: Map<MeterReading, Hex>;

  /** Throws MerkleTreeError on an empty list or two identical readings. */
  constructor(readings: readonly MeterReading[]) {
    const withLeaves = readings.map((reading) => ({ reading, leaf: readingLeaf(reading).toLowerCase() as Hex }));
    this.tree = new MerkleTree(withLeaves.map((x) => x.leaf));
    withLeaves.sort((a, b) => compareHex(a.leaf, b.leaf));
    this.readings = withLeaves.map((x) => x.reading);
    this.leafOf = new Map(withLeaves.map((x) => [x.reading, x.leaf]));
  }

  get root(): Hex {
    return this.tree.root;
  }

  /** The proof of `reading` (the same object or an equal reading). */
  proof(reading: MeterReading): Hex[] {
    return this.tree.proof(this.leafOf.get(reading) ?? readingLeaf(reading));
  }
}
