/**
 * The payee's hot path: nativeBytesVerifier learns a counterparty's public key from its first valid
 * signature and then compares every later recovery with it — and must stay exactly as strict as
 * ecrecover + OZ ECDSA on-chain, before and after the key is known. Also: the reused scratch buffers
 * of hashBalanceProofBytes never leak one proof's words into the next digest.
 */
import { describe, expect, it } from "vitest";
import { bytesToHex, hashTypedData, hexToBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { balanceProofDigest, cachedSeparatorBytes, privateKeySigner } from "../../lib/channels/client.ts";
import { balanceProofTypes, channelsDomain, hashBalanceProofBytes, ZERO_ROOT, type BalanceProof } from "../../lib/channels/eip712.ts";
import {
  loadNativeSecp256k1,
  nativeBalanceProofDigestBytes,
  nativeBytesVerifier,
  nativePrivateKeySigner,
  nativeVerifier,
  signatureBytes,
} from "../../lib/channels/nativeCrypto.ts";
import { loadNativeKeccak256 } from "../../lib/channels/nativeKeccak.ts";

// Hardhat's PUBLIC dev keys (local devnet only).
const ALICE_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const MALLORY_KEY: Hex = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
const ALICE = privateKeyToAccount(ALICE_KEY).address;
const MALLORY = privateKeyToAccount(MALLORY_KEY).address;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const domain = channelsDomain(31337, "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707");
const available = loadNativeSecp256k1() !== null;

const proofAt = (nonce: bigint): BalanceProof => ({ channelId: 7n, nonce, transferredAToBWei: nonce * 1_000n, transferredBToAWei: 0n, locksRoot: ZERO_ROOT });

/** Variants of a valid signature that ecrecover / OZ ECDSA refuse or attribute to someone else. */
function badVariants(sig: Hex): Record<string, Hex> {
  const v = Number.parseInt(sig.slice(130), 16);
  const s = BigInt(`0x${sig.slice(66, 130)}`);
  const variants: Record<string, string> = {
    "flipped v (recovers another key)": `${sig.slice(0, 130)}${v === 27 ? "1c" : "1b"}`,
    "v 0/1": `${sig.slice(0, 130)}${(v - 27).toString(16).padStart(2, "0")}`,
    "high s with flipped v (the malleable twin)": `${sig.slice(0, 66)}${(N - s).toString(16).padStart(64, "0")}${v === 27 ? "1c" : "1b"}`,
    "64 bytes": sig.slice(0, 130),
    "66 bytes": `${sig}00`,
    "non-hex digit": `${sig.slice(0, 128)}zz${sig.slice(130)}`,
    "r = 0": `0x${"00".repeat(32)}${sig.slice(66)}`,
    "r ≥ n": `0x${"ff".repeat(32)}${sig.slice(66)}`,
  };
  return variants as Record<string, Hex>;
}

describe.skipIf(!available)("nativeBytesVerifier (public key learned once per counterparty)", () => {
  it("refuses a stranger's signature before the key is known and does not learn the stranger's key", async () => {
    const verify = nativeBytesVerifier()!;
    const mallory = nativePrivateKeySigner(MALLORY_KEY)!;
    const alice = nativePrivateKeySigner(ALICE_KEY)!;
    const digest = nativeBalanceProofDigestBytes(domain, proofAt(1n));
    const forged = signatureBytes(await mallory.signBalanceProof(domain, proofAt(1n)))!;
    // Mallory signs first, claiming to be Alice: refused, and nothing cached for Alice.
    expect(verify(digest, forged, ALICE)).toBe(false);
    expect(verify(digest, signatureBytes(await alice.signBalanceProof(domain, proofAt(1n)))!, ALICE)).toBe(true);
    expect(verify(digest, forged, ALICE)).toBe(false);
    // Mallory's own signature is still hers (separate cache entry).
    expect(verify(digest, forged, MALLORY)).toBe(true);
  });

  it("after learning the key, still refuses a stranger's signature, the wrong v, the malleable twin, another state, bad lengths", async () => {
    const verify = nativeBytesVerifier()!;
    const alice = nativePrivateKeySigner(ALICE_KEY)!;
    const mallory = nativePrivateKeySigner(MALLORY_KEY)!;
    const first = proofAt(1n);
    expect(verify(nativeBalanceProofDigestBytes(domain, first), signatureBytes(await alice.signBalanceProof(domain, first))!, ALICE)).toBe(true);
    for (let nonce = 2n; nonce <= 6n; nonce++) {
      const proof = proofAt(nonce);
      const digest = nativeBalanceProofDigestBytes(domain, proof);
      const sig = await alice.signBalanceProof(domain, proof);
      expect(verify(digest, signatureBytes(sig)!, ALICE)).toBe(true);
      // The checksummed and the lowercase spelling of the address find the same key.
      expect(verify(digest, signatureBytes(sig)!, ALICE.toLowerCase() as Address)).toBe(true);
      expect(verify(digest, signatureBytes(await mallory.signBalanceProof(domain, proof))!, ALICE)).toBe(false);
      // Alice's signature of the previous state does not cover this one (replay onto a new state).
      expect(verify(digest, signatureBytes(await alice.signBalanceProof(domain, proofAt(nonce - 1n)))!, ALICE)).toBe(false);
      for (const [name, bad] of Object.entries(badVariants(sig))) {
        const bytes = Buffer.from(bad.slice(2), "hex");
        expect(verify(digest, bytes, ALICE), name).toBe(false);
      }
      expect(verify(digest.subarray(0, 31), signatureBytes(sig)!, ALICE)).toBe(false);
    }
  });

  it("the hex verifier (ChannelClient's) agrees with viem's strict verifier on every variant", async () => {
    const { viemVerifier } = await import("../../lib/channels/client.ts");
    const verify = nativeVerifier()!;
    const alice = privateKeySigner(ALICE_KEY);
    for (let nonce = 1n; nonce <= 3n; nonce++) {
      const proof = proofAt(nonce);
      const digest = balanceProofDigest(domain, proof);
      const sig = await alice.signBalanceProof(domain, proof);
      expect(await verify(digest, sig, ALICE)).toBe(true);
      expect(await verify(digest, sig, MALLORY)).toBe(false);
      for (const [name, bad] of Object.entries(badVariants(sig))) {
        expect(await verify(digest, bad, ALICE), name).toBe(false);
        expect(await viemVerifier(digest, bad, ALICE), name).toBe(false);
      }
      expect(await verify(digest.slice(0, 64) as Hex, sig, ALICE)).toBe(false);
      expect(await verify(`${digest}00`, sig, ALICE)).toBe(false);
    }
  });

  it("signatureBytes takes exactly 0x + 130 hex digits", async () => {
    const sig = await privateKeySigner(ALICE_KEY).signBalanceProof(domain, proofAt(1n));
    expect(bytesToHex(signatureBytes(sig)!)).toBe(sig.toLowerCase());
    for (const bad of Object.values(badVariants(sig)).filter((b) => b.length !== 132 || /z/.test(b))) expect(signatureBytes(bad)).toBeNull();
    expect(signatureBytes(sig.slice(2) as Hex)).toBeNull();
  });
});

describe("hashBalanceProofBytes with reused scratch buffers", () => {
  const separator = cachedSeparatorBytes(domain);
  const big: BalanceProof = { channelId: (1n << 255n) + 1n, nonce: (1n << 64n) - 1n, transferredAToBWei: (1n << 256n) - 1n, transferredBToAWei: (1n << 200n) + 7n, locksRoot: `0x${"ab".repeat(32)}` };
  const small: BalanceProof = { channelId: 1n, nonce: 1n, transferredAToBWei: 2n, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
  const reference = (p: BalanceProof) => hashTypedData({ domain, types: balanceProofTypes, primaryType: "BalanceProof", message: p });
  const keccaks = { viem: undefined, native: loadNativeKeccak256() ?? undefined };

  for (const [name, keccak] of Object.entries(keccaks)) {
    it.skipIf(name === "native" && !keccak)(`a small proof after a full-width one hashes right, and earlier results are not overwritten (${name} keccak)`, () => {
      const first = hashBalanceProofBytes(separator, big, keccak);
      const firstHex = bytesToHex(first);
      const second = hashBalanceProofBytes(separator, small, keccak);
      expect(firstHex).toBe(reference(big));
      expect(bytesToHex(second)).toBe(reference(small));
      expect(bytesToHex(first)).toBe(firstHex); // fresh bytes per call
      expect(bytesToHex(hashBalanceProofBytes(separator, big, keccak))).toBe(reference(big));
    });
  }

  it("a refused value leaves nothing behind for the next hash", () => {
    expect(() => hashBalanceProofBytes(separator, { ...big, transferredBToAWei: 1n << 256n })).toThrow(RangeError);
    expect(bytesToHex(hashBalanceProofBytes(separator, small))).toBe(reference(small));
    expect(() => hashBalanceProofBytes(hexToBytes("0x1234"), small)).toThrow(RangeError);
  });
});
