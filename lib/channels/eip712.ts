/**
 * EIP-712 definitions of PaymentChannels (contracts/transaction/PaymentChannels.sol), shared by the
 * channel client, the watchtower, the benchmark and the tests. Browser-safe (viem only).
 *
 * Two typed messages, both signed by BOTH parties of a channel:
 *  - BalanceProof(uint256 channelId,uint64 nonce,uint256 transferredAToBWei,uint256 transferredBToAWei,bytes32 locksRoot)
 *  - CooperativeClose(uint256 channelId,uint256 payoutAWei,uint256 payoutBWei)
 * Domain: name "PowerLAN PaymentChannels", version "1", chainId, verifyingContract.
 *
 * `hashBalanceProof` is a fast path (domain separator computed once, fixed-size ABI encoding by
 * hand, two keccaks) that gives exactly viem's `hashTypedData` — tests check both against the
 * contract's `hashBalanceProof`.
 */
import {
  concatHex,
  hashTypedData,
  hexToBytes,
  keccak256,
  numberToHex,
  padHex,
  toHex,
  type Address,
  type Hex,
  type TypedDataDomain,
} from "viem";

export const CHANNELS_EIP712_NAME = "PowerLAN PaymentChannels";
export const CHANNELS_EIP712_VERSION = "1";

/** An off-chain channel state (see IPaymentChannels.BalanceProof). Amounts in token base units. */
export interface BalanceProof {
  channelId: bigint;
  nonce: bigint;
  transferredAToBWei: bigint;
  transferredBToAWei: bigint;
  locksRoot: Hex;
}

export const ZERO_ROOT: Hex = `0x${"00".repeat(32)}`;

export const balanceProofTypes = {
  BalanceProof: [
    { name: "channelId", type: "uint256" },
    { name: "nonce", type: "uint64" },
    { name: "transferredAToBWei", type: "uint256" },
    { name: "transferredBToAWei", type: "uint256" },
    { name: "locksRoot", type: "bytes32" },
  ],
} as const;

export const cooperativeCloseTypes = {
  CooperativeClose: [
    { name: "channelId", type: "uint256" },
    { name: "payoutAWei", type: "uint256" },
    { name: "payoutBWei", type: "uint256" },
  ],
} as const;

export const BALANCE_PROOF_TYPEHASH = keccak256(
  toHex(
    "BalanceProof(uint256 channelId,uint64 nonce,uint256 transferredAToBWei,uint256 transferredBToAWei,bytes32 locksRoot)",
  ),
);
export const COOPERATIVE_CLOSE_TYPEHASH = keccak256(
  toHex("CooperativeClose(uint256 channelId,uint256 payoutAWei,uint256 payoutBWei)"),
);

export interface ChannelsDomain extends TypedDataDomain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
}

/** The EIP-712 domain of the PaymentChannels contract at `verifyingContract` on `chainId`. */
export function channelsDomain(chainId: number, verifyingContract: Address): ChannelsDomain {
  return { name: CHANNELS_EIP712_NAME, version: CHANNELS_EIP712_VERSION, chainId, verifyingContract };
}

const EIP712_DOMAIN_TYPEHASH = keccak256(
  toHex("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);

/** keccak256 of the EIP-712 domain (what the contract's `_domainSeparatorV4()` returns). */
export function domainSeparator(domain: ChannelsDomain): Hex {
  return keccak256(
    concatHex([
      EIP712_DOMAIN_TYPEHASH,
      keccak256(toHex(domain.name)),
      keccak256(toHex(domain.version)),
      word(BigInt(domain.chainId)),
      padHex(domain.verifyingContract, { size: 32 }),
    ]),
  );
}

const MAX_UINT256 = (1n << 256n) - 1n;
const MAX_UINT64 = (1n << 64n) - 1n;

function word(value: bigint): Hex {
  if (value < 0n || value > MAX_UINT256) throw new RangeError(`not a uint256: ${value}`);
  return numberToHex(value, { size: 32 });
}

/** The EIP-712 digest of `proof` given the domain separator (fast path, same as hashTypedData). */
export function hashBalanceProofWithSeparator(separator: Hex, proof: BalanceProof): Hex {
  if (proof.nonce < 0n || proof.nonce > MAX_UINT64) throw new RangeError(`nonce not a uint64: ${proof.nonce}`);
  const structHash = keccak256(
    concatHex([
      BALANCE_PROOF_TYPEHASH,
      word(proof.channelId),
      word(proof.nonce),
      word(proof.transferredAToBWei),
      word(proof.transferredBToAWei),
      padHex(proof.locksRoot, { size: 32 }),
    ]),
  );
  return keccak256(concatHex(["0x1901", separator, structHash]));
}

/** The EIP-712 digest both parties sign for `proof` (viem's reference implementation). */
export function hashBalanceProof(domain: ChannelsDomain, proof: BalanceProof): Hex {
  return hashTypedData({ domain, types: balanceProofTypes, primaryType: "BalanceProof", message: proof });
}

/** The EIP-712 digest both parties sign to close cooperatively with payouts (A, B). */
export function hashCooperativeClose(
  domain: ChannelsDomain,
  message: { channelId: bigint; payoutAWei: bigint; payoutBWei: bigint },
): Hex {
  return hashTypedData({ domain, types: cooperativeCloseTypes, primaryType: "CooperativeClose", message });
}

const MAX_UINT64_WORD = (1n << 64n) - 1n;

/**
 * Write `value` as a 32-byte big-endian word at `offset`, 64 bits at a time (DataView), every limb
 * written (the buffer is reused between hashes, so nothing may be left from the previous one); one
 * BigInt step for the usual amounts below 2^64 — per-byte BigInt shifts cost more than the hashing
 * itself on a payment hub's hot path.
 */
function writeWord(view: DataView, offset: number, value: bigint): void {
  if (value < 0n || value > MAX_UINT256) throw new RangeError(`not a uint256: ${value}`);
  if (value <= MAX_UINT64_WORD) {
    view.setBigUint64(offset, 0n);
    view.setBigUint64(offset + 8, 0n);
    view.setBigUint64(offset + 16, 0n);
    view.setBigUint64(offset + 24, value);
    return;
  }
  for (let i = 3; i >= 0; i--) {
    view.setBigUint64(offset + 8 * i, BigInt.asUintN(64, value));
    value >>= 64n;
  }
}

const ZERO_ROOT_BYTES = new Uint8Array(32);

const TYPEHASH_BYTES = hexToBytes(BALANCE_PROOF_TYPEHASH);

/** A Keccak-256 over bytes (viem's JavaScript one by default; Node hot paths pass a native one). */
export type Keccak256Bytes = (data: Uint8Array) => Uint8Array;

const keccak256Js: Keccak256Bytes = (data) => keccak256(data, "bytes");

/**
 * Scratch buffers of `hashBalanceProofBytes`, allocated once: the struct encoding (type hash
 * written once, the five words rewritten in full per hash) and the digest input (0x1901 written
 * once, separator and struct hash rewritten per hash). Safe to share: JavaScript runs one call at a
 * time per isolate (each worker thread has its own module instance), the function never yields,
 * and both keccaks return fresh bytes — no caller ever sees these buffers.
 */
const STRUCT = new Uint8Array(192);
const STRUCT_VIEW = new DataView(STRUCT.buffer);
STRUCT.set(TYPEHASH_BYTES, 0);
const DIGEST_INPUT = new Uint8Array(66);
DIGEST_INPUT[0] = 0x19;
DIGEST_INPUT[1] = 0x01;

/**
 * The digest of `proof` as bytes, from the domain separator as bytes: the same value as
 * `hashBalanceProofWithSeparator`, without hex strings or per-call allocations (the hot path of a
 * payment hub): the precomputed type hash, one 192-byte struct encoding in a reused buffer, then
 * keccak(0x1901 ‖ separator ‖ structHash) in a second reused buffer — two keccaks, as EIP-712 needs.
 * `keccak` defaults to viem's; nativeCrypto.ts passes libkeccak's (nativeKeccak.ts) — same bytes.
 * Returns fresh bytes (the keccak's output).
 */
export function hashBalanceProofBytes(separator: Uint8Array, proof: BalanceProof, keccak: Keccak256Bytes = keccak256Js): Uint8Array {
  if (proof.nonce < 0n || proof.nonce > MAX_UINT64) throw new RangeError(`nonce not a uint64: ${proof.nonce}`);
  if (separator.length !== 32) throw new RangeError(`domain separator of ${separator.length} bytes, not 32`);
  writeWord(STRUCT_VIEW, 32, proof.channelId);
  writeWord(STRUCT_VIEW, 64, proof.nonce);
  writeWord(STRUCT_VIEW, 96, proof.transferredAToBWei);
  writeWord(STRUCT_VIEW, 128, proof.transferredBToAWei);
  STRUCT.set(proof.locksRoot === ZERO_ROOT ? ZERO_ROOT_BYTES : hexToBytes(proof.locksRoot, { size: 32 }), 160);
  DIGEST_INPUT.set(separator, 2);
  DIGEST_INPUT.set(keccak(STRUCT), 34);
  return keccak(DIGEST_INPUT);
}
