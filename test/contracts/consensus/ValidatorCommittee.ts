import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import {
  getAddress,
  hashTypedData,
  keccak256,
  parseSignature,
  recoverAddress,
  serializeSignature,
  toBytes,
  zeroAddress,
  type Address,
  type Hex,
  type WalletClient,
} from "viem";

const { viem, networkHelpers } = await network.create();

const READINGS_TYPES = {
  IntervalReadings: [
    { name: "interval", type: "uint64" },
    { name: "readingsRoot", type: "bytes32" },
  ],
} as const;

/** secp256k1 group order: s > n/2 is the "high-s" twin of a valid signature. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const ROOT = keccak256(toBytes("readings of interval 42"));
const OTHER_ROOT = keccak256(toBytes("other readings"));
const INTERVAL = 42n;

const byAddress = (a: { account: { address: Address } }, b: { account: { address: Address } }) =>
  BigInt(a.account.address) < BigInt(b.account.address) ? -1 : 1;

async function deployCommittee() {
  const wallets = await viem.getWalletClients();
  const [admin, relayer, outsider] = wallets;
  // Four validators (n = 3f + 1 with f = 1, quorum 3), sorted by address as finalizeReadings wants them.
  const validators = wallets.slice(3, 7).sort(byAddress);
  const committee = await viem.deployContract("ValidatorCommittee", [
    admin.account.address,
    validators.map((v) => v.account.address),
  ]);
  const publicClient = await viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  return { committee, admin, relayer, outsider, validators, chainId };
}

type Domain = { name: string; version: string; chainId: number; verifyingContract: Address };

function domainOf(committee: { address: Address }, chainId: number): Domain {
  return { name: "PowerLAN ValidatorCommittee", version: "1", chainId, verifyingContract: committee.address };
}

async function signReadings(signer: WalletClient, domain: Domain, interval: bigint, readingsRoot: Hex): Promise<Hex> {
  return signer.signTypedData({
    account: signer.account!,
    domain,
    types: READINGS_TYPES,
    primaryType: "IntervalReadings",
    message: { interval, readingsRoot },
  });
}

async function signAll(signers: WalletClient[], domain: Domain, interval = INTERVAL, root: Hex = ROOT) {
  return Promise.all(signers.map((s) => signReadings(s, domain, interval, root)));
}

describe("ValidatorCommittee", () => {
  describe("deployment", () => {
    it("stores the set, emits ValidatorAdded per validator and computes the quorum", async () => {
      const { committee, validators, admin } = await networkHelpers.loadFixture(deployCommittee);
      assert.deepEqual(
        await committee.read.validators(),
        validators.map((v) => getAddress(v.account.address)),
      );
      for (const v of validators) assert.equal(await committee.read.isValidator([v.account.address]), true);
      assert.equal(await committee.read.isValidator([admin.account.address]), false);
      assert.equal(await committee.read.quorum(), 3n);
      assert.equal(await committee.read.validatorSetEpoch(), 0n);
      assert.equal(
        await committee.read.INTERVAL_READINGS_TYPEHASH(),
        keccak256(toBytes("IntervalReadings(uint64 interval,bytes32 readingsRoot)")),
      );
      const events = await committee.getEvents.ValidatorAdded({}, { fromBlock: 0n });
      assert.deepEqual(
        events.map((e) => e.args.validator),
        validators.map((v) => getAddress(v.account.address)),
      );
    });

    it("has quorum n − floor((n − 1) / 3): 2f + 1 of 3f + 1", async () => {
      const wallets = await viem.getWalletClients();
      const expected = [1n, 2n, 3n, 3n, 4n, 5n, 5n, 6n, 7n, 7n]; // n = 1 … 10
      for (let n = 1; n <= expected.length; n++) {
        const committee = await viem.deployContract("ValidatorCommittee", [
          wallets[0].account.address,
          wallets.slice(1, 1 + n).map((w) => w.account.address),
        ]);
        assert.equal(await committee.read.quorum(), expected[n - 1], `n = ${n}`);
      }
    });

    it("rejects an empty set, a zero address, a duplicate and a zero admin", async () => {
      const { committee, validators, admin } = await networkHelpers.loadFixture(deployCommittee);
      const a = validators[0].account.address;
      const b = validators[1].account.address;
      for (const [adminAddress, set] of [
        [admin.account.address, []],
        [admin.account.address, [a, zeroAddress]],
        [admin.account.address, [a, b, a]],
        [zeroAddress, [a, b]],
      ] as [Address, Address[]][]) {
        await viem.assertions.revertWithCustomError(
          viem.deployContract("ValidatorCommittee", [adminAddress, set]),
          committee,
          "CommitteeInvalidValidatorSet",
        );
      }
    });
  });

  describe("finalizeReadings", () => {
    it("digest matches EIP-712 typed data signed off-chain", async () => {
      const { committee, chainId } = await networkHelpers.loadFixture(deployCommittee);
      const expected = hashTypedData({
        domain: domainOf(committee, chainId),
        types: READINGS_TYPES,
        primaryType: "IntervalReadings",
        message: { interval: INTERVAL, readingsRoot: ROOT },
      });
      assert.equal(await committee.read.readingsDigest([INTERVAL, ROOT]), expected);
    });

    it("finalises with a quorum of ascending validator signatures (anyone may submit)", async () => {
      const { committee, validators, relayer, chainId } = await networkHelpers.loadFixture(deployCommittee);
      const signatures = await signAll(validators.slice(0, 3), domainOf(committee, chainId));
      await viem.assertions.emitWithArgs(
        committee.write.finalizeReadings([INTERVAL, ROOT, signatures], { account: relayer.account }),
        committee,
        "ReadingsFinalized",
        [INTERVAL, ROOT, 3n],
      );
      assert.equal(await committee.read.finalizedReadingsRoot([INTERVAL]), ROOT);
      assert.equal(await committee.read.finalizedReadingsRoot([INTERVAL + 1n]), `0x${"00".repeat(32)}`);
    });

    it("accepts more than a quorum (all four) and any quorum subset", async () => {
      const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
      const domain = domainOf(committee, chainId);
      await viem.assertions.emitWithArgs(
        committee.write.finalizeReadings([1n, ROOT, await signAll(validators, domain, 1n)]),
        committee,
        "ReadingsFinalized",
        [1n, ROOT, 4n],
      );
      const subset = [validators[0], validators[2], validators[3]];
      await committee.write.finalizeReadings([2n, OTHER_ROOT, await signAll(subset, domain, 2n, OTHER_ROOT)]);
      assert.equal(await committee.read.finalizedReadingsRoot([1n]), ROOT);
      assert.equal(await committee.read.finalizedReadingsRoot([2n]), OTHER_ROOT);
    });

    describe("rejects, leaving the interval unfinalised", () => {
      async function assertNotFinalized(committee: Awaited<ReturnType<typeof deployCommittee>>["committee"]) {
        assert.equal(await committee.read.finalizedReadingsRoot([INTERVAL]), `0x${"00".repeat(32)}`);
      }

      it("fewer signatures than the quorum", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const signatures = await signAll(validators.slice(0, 2), domainOf(committee, chainId));
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, signatures]),
          committee,
          "CommitteeNotEnoughSignatures",
          [2n, 3n],
        );
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, []]),
          committee,
          "CommitteeNotEnoughSignatures",
          [0n, 3n],
        );
        await assertNotFinalized(committee);
      });

      it("a duplicated signer (one validator's signature twice)", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const [s0, s1] = await signAll(validators.slice(0, 2), domainOf(committee, chainId));
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, [s0, s1, s1]]),
          committee,
          "CommitteeDuplicateSigner",
          [getAddress(validators[1].account.address)],
        );
        await assertNotFinalized(committee);
      });

      it("signers out of ascending order", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const [s0, s1, s2] = await signAll(validators.slice(0, 3), domainOf(committee, chainId));
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, [s0, s2, s1]]),
          committee,
          "CommitteeSignersNotAscending",
          [getAddress(validators[1].account.address), getAddress(validators[2].account.address)],
        );
        await assertNotFinalized(committee);
      });

      it("a signature by a non-validator", async () => {
        const { committee, validators, outsider, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const domain = domainOf(committee, chainId);
        const signatures = await signAll([outsider, ...validators.slice(0, 3)], domain);
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, signatures]),
          committee,
          "CommitteeNotValidator",
          [getAddress(outsider.account.address)],
        );
        await assertNotFinalized(committee);
      });

      it("signatures made for another chain id (replay from another chain)", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const foreign = domainOf(committee, chainId + 1);
        const signatures = await signAll(validators.slice(0, 3), foreign);
        // Over this chain's digest the signature recovers to some unrelated address.
        const digest = await committee.read.readingsDigest([INTERVAL, ROOT]);
        const recovered = await recoverAddress({ hash: digest, signature: signatures[0] });
        assert.notEqual(recovered, getAddress(validators[0].account.address));
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, signatures]),
          committee,
          "CommitteeNotValidator",
          [recovered],
        );
        await assertNotFinalized(committee);
      });

      it("signatures made for another committee contract (same chain)", async () => {
        const { committee, validators, admin, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const twin = await viem.deployContract("ValidatorCommittee", [
          admin.account.address,
          validators.map((v) => v.account.address),
        ]);
        const signatures = await signAll(validators.slice(0, 3), domainOf(twin, chainId));
        const digest = await committee.read.readingsDigest([INTERVAL, ROOT]);
        const recovered = await recoverAddress({ hash: digest, signature: signatures[0] });
        // Same members, other verifying contract: not valid here …
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, signatures]),
          committee,
          "CommitteeNotValidator",
          [recovered],
        );
        await assertNotFinalized(committee);
        // … only where they were meant.
        await twin.write.finalizeReadings([INTERVAL, ROOT, signatures]);
        assert.equal(await twin.read.finalizedReadingsRoot([INTERVAL]), ROOT);
      });

      it("signatures over a different root or interval", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const signatures = await signAll(validators.slice(0, 3), domainOf(committee, chainId), INTERVAL, OTHER_ROOT);
        await viem.assertions.revertWithCustomError(
          committee.write.finalizeReadings([INTERVAL, ROOT, signatures]),
          committee,
          "CommitteeNotValidator",
        );
        await viem.assertions.revertWithCustomError(
          committee.write.finalizeReadings([INTERVAL + 1n, OTHER_ROOT, signatures]),
          committee,
          "CommitteeNotValidator",
        );
        await assertNotFinalized(committee);
      });

      it("a malleable (high-s) twin of a valid signature", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const [s0, s1, s2] = await signAll(validators.slice(0, 3), domainOf(committee, chainId));
        const { r, s, yParity } = parseSignature(s1);
        const highS = SECP256K1_N - BigInt(s);
        const twin = serializeSignature({ r, s: `0x${highS.toString(16).padStart(64, "0")}`, yParity: yParity === 0 ? 1 : 0 });
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, [s0, twin, s2]]),
          committee,
          "ECDSAInvalidSignatureS",
          [`0x${highS.toString(16).padStart(64, "0")}`],
        );
        await assertNotFinalized(committee);
      });

      it("a malformed (64-byte) signature", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const [s0, s1, s2] = await signAll(validators.slice(0, 3), domainOf(committee, chainId));
        const short = s1.slice(0, 2 + 128) as Hex;
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, [s0, short, s2]]),
          committee,
          "ECDSAInvalidSignatureLength",
          [64n],
        );
        await assertNotFinalized(committee);
      });

      it("a zero root", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const zeroRoot = `0x${"00".repeat(32)}` as Hex;
        const signatures = await signAll(validators.slice(0, 3), domainOf(committee, chainId), INTERVAL, zeroRoot);
        await viem.assertions.revertWithCustomError(
          committee.write.finalizeReadings([INTERVAL, zeroRoot, signatures]),
          committee,
          "CommitteeZeroRoot",
        );
        await assertNotFinalized(committee);
      });

      it("finalising an interval twice (even with another root), keeping the first root", async () => {
        const { committee, validators, chainId } = await networkHelpers.loadFixture(deployCommittee);
        const domain = domainOf(committee, chainId);
        await committee.write.finalizeReadings([INTERVAL, ROOT, await signAll(validators.slice(0, 3), domain)]);
        const again = await signAll(validators.slice(1, 4), domain);
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, ROOT, again]),
          committee,
          "CommitteeAlreadyFinalized",
          [INTERVAL],
        );
        const other = await signAll(validators.slice(0, 3), domain, INTERVAL, OTHER_ROOT);
        await viem.assertions.revertWithCustomErrorWithArgs(
          committee.write.finalizeReadings([INTERVAL, OTHER_ROOT, other]),
          committee,
          "CommitteeAlreadyFinalized",
          [INTERVAL],
        );
        assert.equal(await committee.read.finalizedReadingsRoot([INTERVAL]), ROOT);
      });
    });
  });
});
