/** The byte-level balance-proof digest (the hub's and the benchmark's hot path) equals EIP-712 at every word boundary. */
import { describe, expect, it } from "vitest";
import { bytesToHex, hashTypedData, hexToBytes, type Address, type Hex } from "viem";
import { balanceProofTypes, channelsDomain, domainSeparator, hashBalanceProofBytes, ZERO_ROOT } from "../../lib/channels/eip712.ts";

const domain = channelsDomain(31337, "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707" as Address);
const separator = hexToBytes(domainSeparator(domain));
const MAX256 = (1n << 256n) - 1n;

describe("hashBalanceProofBytes", () => {
  it("equals hashTypedData for amounts at and around 2^64, 2^128, 2^192 and 2^256 − 1, with and without a locks root", () => {
    const values = [0n, 1n, (1n << 64n) - 1n, 1n << 64n, (1n << 64n) + 1n, (1n << 128n) - 1n, 1n << 128n, 1n << 192n, (1n << 192n) + 12345n, MAX256];
    const roots: Hex[] = [ZERO_ROOT, `0x${"ab".repeat(32)}`];
    for (const [i, v] of values.entries()) {
      const proof = {
        channelId: values[(i + 3) % values.length],
        nonce: (1n << 64n) - 1n - BigInt(i),
        transferredAToBWei: v,
        transferredBToAWei: values[(i + 5) % values.length],
        locksRoot: roots[i % 2],
      };
      expect(bytesToHex(hashBalanceProofBytes(separator, proof))).toBe(hashTypedData({ domain, types: balanceProofTypes, primaryType: "BalanceProof", message: proof }));
    }
  });

  it("refuses values that are not uint256 / a nonce that is not uint64", () => {
    const base = { channelId: 1n, nonce: 1n, transferredAToBWei: 0n, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
    expect(() => hashBalanceProofBytes(separator, { ...base, transferredAToBWei: MAX256 + 1n })).toThrow(RangeError);
    expect(() => hashBalanceProofBytes(separator, { ...base, transferredBToAWei: -1n })).toThrow(RangeError);
    expect(() => hashBalanceProofBytes(separator, { ...base, nonce: 1n << 64n })).toThrow(RangeError);
  });
});
