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

/** Checks a 65-byte signature (r ‖ s ‖ v) over a 32-byte digest against `expected`, from bytes; synchronous. */
export type BytesSignatureVerifier = (digest: Uint8Array, signature: Uint8Array, expected: Address) => boolean;

/**
 * A verifier over bytes using libsecp256k1, as strict as OZ ECDSA on-chain: exactly 65 bytes,
 * v 27 or 28 only, low s, and the public key recovered with THAT v must be the expected signer's
 * (so r, s and v are all checked, as ecrecover does on-chain).
 *
 * The counterparty's public key is learned once: the first signature that recovers to a key whose
 * address (keccak of the key) is `expected` puts that key (compressed, 33 bytes) in this verifier's
 * cache; every later signature for `expected` is recovered in compressed form and compared byte for
 * byte with the cached key — no keccak, no hex, no uncompressed serialisation per proof. Only keys
 * proven to belong to an address are cached, one per address the caller expected (a channel's
 * counterparties), so a stranger cannot grow the cache.
 *
 * Why recover and not `ecdsaVerify` against the known key (≈ 10 µs cheaper): ECDSA verification
 * checks r and s only; v (the parity of R) is not part of it, yet ecrecover on-chain needs the right
 * v — a proof with the wrong v would verify here and be worthless in a dispute. libsecp256k1's
 * binding has no verify that also reports R's parity, so recovery with the given v is the check.
 */
export function nativeBytesVerifier(): BytesSignatureVerifier | null {
  const native = loadNativeSecp256k1();
  if (!native) return null;
  const publicKeys = new Map<string, Uint8Array>();
  return (digest, sig, expected) => {
    if (sig.length !== 65 || digest.length !== 32) return false;
    if (greaterThan(sig.subarray(32, 64), HALF_N_BYTES)) return false;
    const v = sig[64];
    // Only 27/28, as ecrecover: with v = 0/1 the contract's OZ ECDSA.recover reverts.
    if (v !== 27 && v !== 28) return false;
    const rs = sig.subarray(0, 64);
    try {
      const known = publicKeys.get(expected) ?? publicKeys.get(expected.toLowerCase());
      if (known) return equalBytes(known, native.ecdsaRecover(rs, v - 27, digest, true));
      // First signature for this address: recover the full key, derive its address, remember it.
      const publicKey = native.ecdsaRecover(rs, v - 27, digest, false);
      const who = expected.toLowerCase();
      if (`0x${keccak256(publicKey.subarray(1)).slice(-40)}` !== who) return false;
      const compressed = new Uint8Array(33);
      compressed[0] = publicKey[64] & 1 ? 0x03 : 0x02;
      compressed.set(publicKey.subarray(1, 33), 1);
      publicKeys.set(who, compressed);
      publicKeys.set(expected, compressed);
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * `signature` as its 65 bytes, or null unless it is exactly 0x + 130 hex digits (Buffer's hex
 * decoder stops at the first non-hex digit, so anything else comes out short).
 */
export function signatureBytes(signature: Hex): Uint8Array | null {
  const bytes = fromHex(signature);
  return bytes.length === 65 && signature.length === 132 ? bytes : null;
}

/**
 * A SignatureVerifier (hex in, as ChannelClient calls it) on `nativeBytesVerifier`: the same checks,
 * after refusing anything that is not exactly 0x + 130 hex digits (signature) / 0x + 64 (digest).
 */
export function nativeVerifier(): SignatureVerifier | null {
  const verifyBytes = nativeBytesVerifier();
  if (!verifyBytes) return null;
  return async (digest: Hex, signature: Hex, expected: Address) => {
    const sig = signatureBytes(signature);
    if (!sig) return false;
    const msg = fromHex(digest);
    if (msg.length !== 32 || digest.length !== 66) return false;
    return verifyBytes(msg, sig, expected);
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
