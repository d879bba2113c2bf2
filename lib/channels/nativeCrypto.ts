/**
 * Native secp256k1 (libsecp256k1 through the optional `secp256k1` package, N-API, Node only) for
 * hot paths: a hub or the benchmark signing and verifying thousands of balance proofs per second.
 * Same signatures as viem (RFC 6979 deterministic nonces, low-s), about 10–20× faster than the
 * JavaScript implementation. Falls back to null when the native module is not installed or has no
 * build for this platform — callers then keep viem's `privateKeySigner` / `viemVerifier`.
 */
import { createRequire } from "node:module";
import { hexToBytes, keccak256, type Address, type Hex } from "viem";
import { privateKeyToAccount, serializeSignature, sign } from "viem/accounts";
import { hashBalanceProofBytes, hashCooperativeClose, type BalanceProof, type ChannelsDomain } from "./eip712.ts";
import { cachedSeparatorBytes, type ChannelSigner, type SignatureVerifier } from "./client.ts";
import { loadNativeKeccak256 } from "./nativeKeccak.ts";

interface NativeSecp256k1 {
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaVerify(signature: Uint8Array, msg32: Uint8Array, publicKey: Uint8Array): boolean;
  ecdsaRecover(signature: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array;
}

let cached: NativeSecp256k1 | null | undefined;

/** The native binding, or null (not installed / no prebuilt binary). Never the slow JS fallback. */
export function loadNativeSecp256k1(): NativeSecp256k1 | null {
  if (cached !== undefined) return cached;
  try {
    cached = createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    cached = null;
  }
  return cached;
}

/**
 * The EIP-712 digest of a balance proof as bytes, hashed with native Keccak-256 when the optional
 * `keccak` module is there (viem's otherwise): the same bytes as `balanceProofDigest` / hashTypedData.
 */
export function nativeBalanceProofDigestBytes(domain: ChannelsDomain, proof: BalanceProof): Uint8Array {
  return hashBalanceProofBytes(cachedSeparatorBytes(domain), proof, loadNativeKeccak256() ?? undefined);
}

/** `nativeBalanceProofDigestBytes` as hex: a drop-in for `balanceProofDigest` (ChannelClient's `digest` option). */
export function nativeBalanceProofDigest(domain: ChannelsDomain, proof: BalanceProof): Hex {
  return `0x${toBuffer(nativeBalanceProofDigestBytes(domain, proof)).toString("hex")}`;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Hex to bytes through Buffer (native); anything that is not 0x + even-length hex comes out shorter. */
function fromHex(hex: string): Buffer {
  return Buffer.from(hex.startsWith("0x") ? hex.slice(2) : "", "hex");
}

function toHexSignature(sig: { signature: Uint8Array; recid: number }): Hex {
  const out = Buffer.allocUnsafe(65);
  out.set(sig.signature, 0);
  out[64] = 27 + sig.recid;
  return `0x${out.toString("hex")}`;
}

/** A ChannelSigner using libsecp256k1, or null when the native module is unavailable. */
export function nativePrivateKeySigner(privateKey: Hex): ChannelSigner | null {
  const native = loadNativeSecp256k1();
  if (!native) return null;
  const key = hexToBytes(privateKey);
  const address = privateKeyToAccount(privateKey).address;
  return {
    address,
    async signBalanceProof(domain, proof) {
      return toHexSignature(native.ecdsaSign(nativeBalanceProofDigestBytes(domain, proof), key));
    },
    async signCooperativeClose(domain, message) {
      // Rare (once per channel): the viem path is fine.
      return serializeSignature(await sign({ hash: hashCooperativeClose(domain, message), privateKey }));
    },
  };
}

const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const HALF_N_BYTES = hexToBytes(`0x${SECP256K1_HALF_N.toString(16).padStart(64, "0")}`);

/** Big-endian a > b for equal-length byte strings (the low-s check without BigInt). */
function greaterThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/**
 * A SignatureVerifier using libsecp256k1: recovers the signer's public key (so r, s AND v must be
 * right, as for ecrecover on-chain) and compares it with the expected address (public keys of
 * known addresses are cached, which saves the keccak). As strict as OZ ECDSA on-chain: exactly 65
 * bytes of hex, v 27 or 28 only, low s.
 */
export function nativeVerifier(): SignatureVerifier | null {
  const native = loadNativeSecp256k1();
  if (!native) return null;
  const publicKeys = new Map<string, Uint8Array>();
  return async (digest: Hex, signature: Hex, expected: Address) => {
    const sig = fromHex(signature);
    if (sig.length !== 65 || signature.length !== 132) return false;
    const rs = sig.subarray(0, 64);
    if (greaterThan(sig.subarray(32, 64), HALF_N_BYTES)) return false;
    const v = sig[64];
    // Only 27/28, as ecrecover: with v = 0/1 the contract's OZ ECDSA.recover reverts.
    if (v !== 27 && v !== 28) return false;
    const recid = v - 27;
    const msg = fromHex(digest);
    if (msg.length !== 32) return false;
    const who = expected.toLowerCase();
    try {
      // Recover (not just verify): v must be right too, or ecrecover would disagree on-chain.
      const publicKey = native.ecdsaRecover(rs, recid, msg, false);
      const known = publicKeys.get(who);
      if (known) return equalBytes(known, publicKey);
      const address = `0x${keccak256(publicKey.subarray(1)).slice(-40)}`;
      if (address !== who) return false;
      publicKeys.set(who, publicKey);
      return true;
    } catch {
      return false;
    }
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
