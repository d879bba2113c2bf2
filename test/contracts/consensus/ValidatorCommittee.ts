import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import {
  concatHex,
  getAddress,
  hashTypedData,
  padHex,
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

import {
  VALIDATOR_SET_CHANGE_TYPES,
  addressListHash,
  validatorSetChangeDigest,
} from "../../../lib/consensus/validator.ts";

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

  describe("changeValidatorSet (quorum vote of the current set)", () => {
    async function signVote(signers: WalletClient[], domain: Domain, add: Address[], remove: Address[], epoch: bigint) {
      return Promise.all(
        signers.map((s) =>
          s.signTypedData({
            account: s.account!,
            domain,
            types: VALIDATOR_SET_CHANGE_TYPES,
            primaryType: "ValidatorSetChange",
            message: { addHash: addressListHash(add), removeHash: addressListHash(remove), epoch },
          }),
        ),
      );
    }

    type Fixture = Awaited<ReturnType<typeof deployCommittee>>;

    async function setSnapshot(committee: Fixture["committee"]) {
      return {
        validators: await committee.read.validators(),
        epoch: await committee.read.validatorSetEpoch(),
        quorum: await committee.read.quorum(),
      };
    }

    /** Asserts the call reverts with `errorName(args)` and the set, epoch and quorum are unchanged. */
    async function assertRejected(fx: Fixture, run: () => Promise<Hex>, errorName: string, args?: unknown[]) {
      const before = await setSnapshot(fx.committee);
      if (args) {
        await viem.assertions.revertWithCustomErrorWithArgs(run(), fx.committee, errorName as never, args as never);
      } else {
        await viem.assertions.revertWithCustomError(run(), fx.committee, errorName as never);
      }
      assert.deepEqual(await setSnapshot(fx.committee), before);
    }

    it("vote digest matches lib/consensus (address lists hashed as EIP-712 address[])", async () => {
      const { committee, validators, outsider, chainId } = await networkHelpers.loadFixture(deployCommittee);
      const add = [outsider.account.address];
      const remove = [validators[0].account.address, validators[1].account.address];
      const domain = domainOf(committee, chainId);
      assert.equal(
        await committee.read.validatorSetChangeDigest([add, remove, 0n]),
        validatorSetChangeDigest(domain, add, remove, 0n),
      );
      // Each list hash is keccak256 of the addresses as 32-byte words: how EIP-712 hashes an address[].
      assert.equal(addressListHash(remove), keccak256(concatHex(remove.map((a) => padHex(a, { size: 32 })))));
      assert.equal(addressListHash([]), keccak256("0x"));
      assert.equal(
        await committee.read.VALIDATOR_SET_CHANGE_TYPEHASH(),
        keccak256(toBytes("ValidatorSetChange(bytes32 addHash,bytes32 removeHash,uint64 epoch)")),
      );
    });

    it("adds a validator with a quorum of the current set: events, epoch, new quorum", async () => {
      const fx = await networkHelpers.loadFixture(deployCommittee);
      const { committee, validators, outsider, relayer, chainId } = fx;
      const add = [outsider.account.address];
      const signatures = await signVote(validators.slice(0, 3), domainOf(committee, chainId), add, [], 0n);
      const hash = await committee.write.changeValidatorSet([add, [], signatures], { account: relayer.account });
      const receipt = await (await viem.getPublicClient()).waitForTransactionReceipt({ hash });
      const added = await committee.getEvents.ValidatorAdded({}, { blockHash: receipt.blockHash });
      assert.deepEqual(added.map((e) => e.args.validator), [getAddress(outsider.account.address)]);
      const changed = await committee.getEvents.ValidatorSetChanged({}, { blockHash: receipt.blockHash });
      assert.deepEqual(changed.map((e) => e.args), [{ epoch: 1n, size: 5n, quorum: 4n, signers: 3n }]);
      assert.equal(await committee.read.isValidator([outsider.account.address]), true);
      assert.equal(await committee.read.validatorSetEpoch(), 1n);
      assert.equal(await committee.read.quorum(), 4n);
      // The newcomer's signature now counts for finalisation.
      const sorted = [...validators.slice(0, 3), outsider].sort(byAddress);
      await committee.write.finalizeReadings([INTERVAL, ROOT, await signAll(sorted, domainOf(committee, chainId))]);
      assert.equal(await committee.read.finalizedReadingsRoot([INTERVAL]), ROOT);
    });

    it("removes a validator: its later signatures don't count (CommitteeNotValidator)", async () => {
      const fx = await networkHelpers.loadFixture(deployCommittee);
      const { committee, validators, chainId } = fx;
      const domain = domainOf(committee, chainId);
      const removed = validators[3];
      const signatures = await signVote(validators.slice(0, 3), domain, [], [removed.account.address], 0n);
      await viem.assertions.emitWithArgs(
        committee.write.changeValidatorSet([[], [removed.account.address], signatures]),
        committee,
        "ValidatorRemoved",
        [getAddress(removed.account.address)],
      );
      assert.equal(await committee.read.isValidator([removed.account.address]), false);
      assert.deepEqual(
        [...(await committee.read.validators())].sort(),
        validators.slice(0, 3).map((v) => getAddress(v.account.address)).sort(),
      );
      assert.equal(await committee.read.quorum(), 3n); // n = 3: 3 − floor(2 / 3)
      // A finalisation with the removed validator's signature fails …
      const withRemoved = await signAll([validators[1], validators[2], removed], domain);
      await viem.assertions.revertWithCustomErrorWithArgs(
        committee.write.finalizeReadings([INTERVAL, ROOT, withRemoved]),
        committee,
        "CommitteeNotValidator",
        [getAddress(removed.account.address)],
      );
      assert.equal(await committee.read.finalizedReadingsRoot([INTERVAL]), `0x${"00".repeat(32)}`);
      // … and so does its vote.
      const vote = await signVote([validators[1], validators[2], removed], domain, [removed.account.address], [], 1n);
      await assertRejected(
        fx,
        () => committee.write.changeValidatorSet([[removed.account.address], [], vote]),
        "CommitteeNotValidator",
        [getAddress(removed.account.address)],
      );
    });

    it("replaces a validator in one vote (remove, then add)", async () => {
      const fx = await networkHelpers.loadFixture(deployCommittee);
      const { committee, validators, outsider, chainId } = fx;
      const add = [outsider.account.address];
      const remove = [validators[0].account.address];
      await committee.write.changeValidatorSet([add, remove, await signVote(validators.slice(1, 4), domainOf(committee, chainId), add, remove, 0n)]);
      assert.deepEqual(
        [...(await committee.read.validators())].map((a) => a.toLowerCase()).sort(),
        [...validators.slice(1, 4).map((v) => v.account.address), outsider.account.address].map((a) => a.toLowerCase()).sort(),
      );
      assert.equal(await committee.read.quorum(), 3n);
    });

    it("rejects replaying a vote after the epoch moved on", async () => {
      const fx = await networkHelpers.loadFixture(deployCommittee);
      const { committee, validators, outsider, chainId } = fx;
      const domain = domainOf(committee, chainId);
      const add = [outsider.account.address];
      const first = await signVote(validators.slice(0, 3), domain, add, [], 0n);
      await committee.write.changeValidatorSet([add, [], first]);
      // Someone removes the outsider again (epoch 1), then replays the epoch-0 vote to re-add it.
      const sorted = [...validators.slice(0, 3), outsider].sort(byAddress);
      await committee.write.changeValidatorSet([[], add, await signVote(sorted, domain, [], add, 1n)]);
      assert.equal(await committee.read.validatorSetEpoch(), 2n);
      const digest = await committee.read.validatorSetChangeDigest([add, [], 2n]);
      const recovered = await recoverAddress({ hash: digest, signature: first[0] });
      await assertRejected(fx, () => committee.write.changeValidatorSet([add, [], first]), "CommitteeNotValidator", [recovered]);
      assert.equal(await committee.read.isValidator([outsider.account.address]), false);
    });

    it("rejects fewer than quorum, a duplicated, unsorted or non-validator signer", async () => {
      const fx = await networkHelpers.loadFixture(deployCommittee);
      const { committee, validators, outsider, admin, chainId } = fx;
      const domain = domainOf(committee, chainId);
      const add = [admin.account.address];
      const [s0, s1, s2] = await signVote(validators.slice(0, 3), domain, add, [], 0n);
      await assertRejected(fx, () => committee.write.changeValidatorSet([add, [], [s0, s1]]), "CommitteeNotEnoughSignatures", [2n, 3n]);
      await assertRejected(fx, () => committee.write.changeValidatorSet([add, [], [s0, s1, s1]]), "CommitteeDuplicateSigner", [
        getAddress(validators[1].account.address),
      ]);
      await assertRejected(fx, () => committee.write.changeValidatorSet([add, [], [s0, s2, s1]]), "CommitteeSignersNotAscending", [
        getAddress(validators[1].account.address),
        getAddress(validators[2].account.address),
      ]);
      const [o] = await signVote([outsider], domain, add, [], 0n);
      await assertRejected(fx, () => committee.write.changeValidatorSet([add, [], [o, s1, s2]]), "CommitteeNotValidator", [
        getAddress(outsider.account.address),
      ]);
      // A vote for other lists does not approve these.
      const [t0, t1, t2] = await signVote(validators.slice(0, 3), domain, [outsider.account.address], [], 0n);
      const digest = await committee.read.validatorSetChangeDigest([add, [], 0n]);
      await assertRejected(fx, () => committee.write.changeValidatorSet([add, [], [t0, t1, t2]]), "CommitteeNotValidator", [
        await recoverAddress({ hash: digest, signature: t0 }),
      ]);
    });

    it("rejects bad lists: empty change, adding a member / zero / twice, removing a stranger / twice", async () => {
      const fx = await networkHelpers.loadFixture(deployCommittee);
      const { committee, validators, outsider, admin, chainId } = fx;
      const domain = domainOf(committee, chainId);
      const quorumOf = (add: Address[], remove: Address[]) => signVote(validators.slice(0, 3), domain, add, remove, 0n);
      await assertRejected(fx, async () => committee.write.changeValidatorSet([[], [], await quorumOf([], [])]), "CommitteeEmptyChange", []);
      const member = validators[0].account.address;
      const o = outsider.account.address;
      for (const add of [[member], [zeroAddress], [o, o]] as Address[][]) {
        const bad = add[add.length - 1];
        await assertRejected(fx, async () => committee.write.changeValidatorSet([add, [], await quorumOf(add, [])]), "CommitteeCannotAdd", [
          getAddress(bad),
        ]);
      }
      for (const remove of [[admin.account.address], [member, member]] as Address[][]) {
        await assertRejected(
          fx,
          async () => committee.write.changeValidatorSet([[], remove, await quorumOf([], remove)]),
          "CommitteeCannotRemove",
          [getAddress(remove[remove.length - 1])],
        );
      }
    });

    it("keeps n within [1, MAX_VALIDATORS]", async () => {
      const fx = await networkHelpers.loadFixture(deployCommittee);
      const { committee, validators, chainId } = fx;
      const domain = domainOf(committee, chainId);
      const all = validators.map((v) => v.account.address);
      const removeAll = await signVote(validators.slice(0, 3), domain, [], all, 0n);
      await assertRejected(fx, () => committee.write.changeValidatorSet([[], all, removeAll]), "CommitteeValidatorSetSize", [0n, 64n]);
      const many = Array.from({ length: 61 }, (_, i) => getAddress(`0x${(0xbeef0000 + i).toString(16).padStart(40, "0")}`));
      const addMany = await signVote(validators.slice(0, 3), domain, many, [], 0n);
      await assertRejected(fx, () => committee.write.changeValidatorSet([many, [], addMany]), "CommitteeValidatorSetSize", [65n, 64n]);
      // Exactly 64 is fine, and so is going down to 1.
      const sixty = many.slice(0, 60);
      await committee.write.changeValidatorSet([sixty, [], await signVote(validators.slice(0, 3), domain, sixty, [], 0n)]);
      assert.equal((await committee.read.validators()).length, 64);
      assert.equal(await committee.read.quorum(), 43n); // 64 − floor(63 / 3)
    });

    it("shrinks to a single validator, who then finalises alone", async () => {
      const fx = await networkHelpers.loadFixture(deployCommittee);
      const { committee, validators, chainId } = fx;
      const domain = domainOf(committee, chainId);
      const remove = validators.slice(1).map((v) => v.account.address);
      await committee.write.changeValidatorSet([[], remove, await signVote(validators.slice(0, 3), domain, [], remove, 0n)]);
      assert.equal(await committee.read.quorum(), 1n);
      await committee.write.finalizeReadings([INTERVAL, ROOT, await signAll([validators[0]], domain)]);
      assert.equal(await committee.read.finalizedReadingsRoot([INTERVAL]), ROOT);
    });
  });
});
