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
