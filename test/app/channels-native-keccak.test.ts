/** Native Keccak-256 (optional `keccak` package) gives exactly viem's keccak256, so digests signed on the fast path are the contract's. */
import { describe, expect, it } from "vitest";
import { keccak256 } from "viem";
import { loadNativeKeccak256 } from "../../lib/channels/nativeKeccak.ts";

const native = loadNativeKeccak256();

describe("native keccak256 (optional dependency)", () => {
  it.skipIf(native === null)("equals viem's keccak256 for every length 0..300 (around the 136-byte rate), also on views into larger buffers", () => {
    const big = new Uint8Array(400);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 7) & 0xff;
    for (let len = 0; len <= 300; len++) {
      const data = big.subarray(len % 50, (len % 50) + len);
      expect(Buffer.from(native!(data)).toString("hex")).toBe(keccak256(data).slice(2));
    }
  });

  it.skipIf(native === null)("returns a fresh 32-byte result per call (the reused hash state does not leak between calls)", () => {
    const a = native!(new Uint8Array([1, 2, 3]));
    const b = native!(new Uint8Array([4, 5, 6]));
    expect(a.length).toBe(32);
    expect(Buffer.from(a).toString("hex")).toBe(keccak256(new Uint8Array([1, 2, 3])).slice(2));
    expect(Buffer.from(b).toString("hex")).toBe(keccak256(new Uint8Array([4, 5, 6])).slice(2));
  });
});

describe("nativeBalanceProofDigest / nativeVerifier", async () => {
  const { hashTypedData, recoverTypedDataAddress } = await import("viem");
  const { balanceProofTypes, channelsDomain, ZERO_ROOT } = await import("../../lib/channels/eip712.ts");
  const { balanceProofDigest, privateKeySigner } = await import("../../lib/channels/client.ts");
  const { loadNativeSecp256k1, nativeBalanceProofDigest, nativePrivateKeySigner, nativeVerifier } = await import("../../lib/channels/nativeCrypto.ts");
  const domain = channelsDomain(31337, "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707");
  const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

  it("equals hashTypedData (the contract's digest) for small, 2^64-boundary and full-width values, with and without a locks root", () => {
    const values = [0n, 1n, (1n << 64n) - 1n, 1n << 64n, (1n << 255n) + 3n, (1n << 256n) - 1n];
    for (const [i, v] of values.entries()) {
      const proof = { channelId: values[(i + 2) % values.length], nonce: BigInt(i) * 977n, transferredAToBWei: v, transferredBToAWei: values[(i + 4) % values.length], locksRoot: i % 2 ? (`0x${"cd".repeat(32)}` as const) : ZERO_ROOT };
      const expected = hashTypedData({ domain, types: balanceProofTypes, primaryType: "BalanceProof", message: proof });
      expect(nativeBalanceProofDigest(domain, proof)).toBe(expected);
      expect(balanceProofDigest(domain, proof)).toBe(expected);
    }
  });

  it.skipIf(loadNativeSecp256k1() === null)("signs like viem; the verifier accepts only what ecrecover accepts (v 27/28, 65 bytes, clean hex)", async () => {
    const native = nativePrivateKeySigner(KEY)!;
    const verify = nativeVerifier()!;
    const proof = { channelId: 7n, nonce: 3n, transferredAToBWei: 5_000n, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
    const sig = await native.signBalanceProof(domain, proof);
    expect(sig).toBe(await privateKeySigner(KEY).signBalanceProof(domain, proof));
    const digest = nativeBalanceProofDigest(domain, proof);
    expect(await verify(digest, sig, native.address)).toBe(true);
    // What the contract does: recover the EIP-712 signer of the full typed message.
    expect(await recoverTypedDataAddress({ domain, types: balanceProofTypes, primaryType: "BalanceProof", message: proof, signature: sig })).toBe(native.address);
    const v = Number.parseInt(sig.slice(130), 16);
    const asV = (x: number) => `${sig.slice(0, 130)}${x.toString(16).padStart(2, "0")}` as `0x${string}`;
    expect(await verify(digest, asV(v - 27), native.address)).toBe(false); // v = 0/1: OZ ECDSA reverts on-chain
    expect(await verify(digest, sig.slice(0, 130) as `0x${string}`, native.address)).toBe(false); // 64 bytes
    expect(await verify(digest, `${sig.slice(0, 128)}zz${sig.slice(130)}` as `0x${string}`, native.address)).toBe(false);
    expect(await verify(digest.slice(0, 64) as `0x${string}`, sig, native.address)).toBe(false);
    expect(await verify(nativeBalanceProofDigest(domain, { ...proof, nonce: 4n }), sig, native.address)).toBe(false);
  });
});

describe("viemVerifier is as strict as the contract", async () => {
  const { channelsDomain, ZERO_ROOT } = await import("../../lib/channels/eip712.ts");
  const { balanceProofDigest, privateKeySigner, viemVerifier } = await import("../../lib/channels/client.ts");
  const domain = channelsDomain(31337, "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707");
  const signer = privateKeySigner("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

  it("accepts the signer's 65-byte low-s signature with v 27/28 only", async () => {
    const proof = { channelId: 9n, nonce: 1n, transferredAToBWei: 1n, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
    const sig = await signer.signBalanceProof(domain, proof);
    const digest = balanceProofDigest(domain, proof);
    expect(await viemVerifier(digest, sig, signer.address)).toBe(true);
    const v = Number.parseInt(sig.slice(130), 16);
    expect(await viemVerifier(digest, `${sig.slice(0, 130)}0${v - 27}` as `0x${string}`, signer.address)).toBe(false);
    expect(await viemVerifier(digest, sig.slice(0, 130) as `0x${string}`, signer.address)).toBe(false);
    const s = BigInt(`0x${sig.slice(66, 130)}`);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const highS = `${sig.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${v === 27 ? "1c" : "1b"}` as `0x${string}`;
    expect(await viemVerifier(digest, highS, signer.address)).toBe(false);
  });
});
