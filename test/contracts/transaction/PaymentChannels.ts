import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import {
  keccak256,
  parseSignature,
  serializeCompactSignature,
  serializeSignature,
  signatureToCompactSignature,
  recoverTypedDataAddress,
  toBytes,
  zeroAddress,
  type Hex,
  type WalletClient,
} from "viem";
import {
  balanceProofTypes,
  channelsDomain,
  cooperativeCloseTypes,
  hashBalanceProof,
  hashBalanceProofWithSeparator,
  domainSeparator,
  hashCooperativeClose,
  ZERO_ROOT,
  type BalanceProof,
  type ChannelsDomain,
} from "../../../lib/channels/eip712.ts";
import { hashlockOf, LockTree, lockLeaf, newSecret, type Lock } from "../../../lib/channels/htlc.ts";
import { channelPayouts } from "../../../lib/channels/payouts.ts";

const { viem, networkHelpers } = await network.create();

const PLC = 1_000_000n; // 1 PLC in base units (6 decimals)
const MIN_PERIOD = 5n;
const MAX_PERIOD = 1_000n;
const PERIOD = 20n;
const SUPERVISOR_ROLE = keccak256(toBytes("SUPERVISOR_ROLE"));
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const MAX_TOTAL = (1n << 72n) - 1n;
const Status = { None: 0, Open: 1, Closing: 2, Settled: 3 } as const;

async function deployChannels() {
  const [admin, alice, bob, hub, stranger, regulator] = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const token = await viem.deployContract("PaymentToken", [admin.account.address, false]);
  const channels = await viem.deployContract("PaymentChannels", [
    token.address,
    admin.account.address,
    MIN_PERIOD,
    MAX_PERIOD,
  ]);
  await channels.write.grantRole([SUPERVISOR_ROLE, regulator.account.address]);
  for (const w of [alice, bob, hub, stranger]) {
    await token.write.mint([w.account.address, 1_000n * PLC]);
    await token.write.approve([channels.address, 2n ** 256n - 1n], { account: w.account });
  }
  const chainId = await publicClient.getChainId();
  const domain = channelsDomain(chainId, channels.address);
  return { token, channels, admin, alice, bob, hub, stranger, regulator, publicClient, chainId, domain };
}
type Fixture = Awaited<ReturnType<typeof deployChannels>>;

/** Alice opens with 100 PLC, Bob tops up 50 PLC: channel 1. */
async function deployWithChannel() {
  const f = await deployChannels();
  await f.channels.write.open([f.bob.account.address, 100n * PLC, PERIOD], { account: f.alice.account });
  await f.channels.write.deposit([1n, 50n * PLC], { account: f.bob.account });
  return { ...f, channelId: 1n };
}

function proof(channelId: bigint, nonce: bigint, aToB: bigint, bToA: bigint, locksRoot: Hex = ZERO_ROOT): BalanceProof {
  return { channelId, nonce, transferredAToBWei: aToB, transferredBToAWei: bToA, locksRoot };
}

async function signProof(signer: WalletClient, domain: ChannelsDomain, p: BalanceProof): Promise<Hex> {
  return signer.signTypedData({
    account: signer.account!,
    domain,
    types: balanceProofTypes,
    primaryType: "BalanceProof",
    message: p,
  });
}

async function signBoth(f: Fixture, p: BalanceProof, domain: ChannelsDomain = f.domain): Promise<[Hex, Hex]> {
  return [await signProof(f.alice, domain, p), await signProof(f.bob, domain, p)];
}

async function signClose(signer: WalletClient, domain: ChannelsDomain, channelId: bigint, a: bigint, b: bigint) {
  return signer.signTypedData({
    account: signer.account!,
    domain,
    types: cooperativeCloseTypes,
    primaryType: "CooperativeClose",
    message: { channelId, payoutAWei: a, payoutBWei: b },
  });
}

/** Token balances of everyone involved plus the stored channel: compare before/after a failure. */
async function holdings(f: Fixture, channelId = 1n) {
  const accounts = [f.alice, f.bob, f.hub, f.stranger].map((w) => w.account.address);
  return {
    balances: await Promise.all([...accounts, f.channels.address].map((a) => f.token.read.balanceOf([a]))),
    channel: await f.channels.read.getChannel([channelId]),
    nextChannelId: await f.channels.read.nextChannelId(),
  };
}

async function assertNothingLost(f: Fixture, before: Awaited<ReturnType<typeof holdings>>, channelId = 1n) {
  assert.deepEqual(await holdings(f, channelId), before);
}

/** Expect `tx` to revert with exactly `error(args)` and leave every balance and the channel as they were. */
async function expectRevert(f: Fixture, tx: () => Promise<unknown>, error: string, args: unknown[], channelId = 1n) {
  const before = await holdings(f, channelId);
  await viem.assertions.revertWithCustomErrorWithArgs(tx(), f.channels, error as never, args);
  await assertNothingLost(f, before, channelId);
}

async function gasOf(f: Fixture, hash: Hex): Promise<bigint> {
  return (await f.publicClient.waitForTransactionReceipt({ hash })).gasUsed;
}

async function currentBlock(f: Fixture): Promise<bigint> {
  return f.publicClient.getBlockNumber();
}

describe("PaymentChannels", () => {
  describe("deployment", () => {
    it("stores token, bounds, roles and starts ids at 1", async () => {
      const f = await networkHelpers.loadFixture(deployChannels);
      assert.equal((await f.channels.read.token()).toLowerCase(), f.token.address.toLowerCase());
      assert.equal(await f.channels.read.minChallengePeriodBlocks(), MIN_PERIOD);
      assert.equal(await f.channels.read.maxChallengePeriodBlocks(), MAX_PERIOD);
      assert.equal(await f.channels.read.nextChannelId(), 1n);
      assert.equal(await f.channels.read.paused(), false);
      assert.equal(await f.channels.read.hasRole([SUPERVISOR_ROLE, f.admin.account.address]), true);
      const eip712 = await f.channels.read.eip712Domain();
      assert.equal(eip712[1], "PowerLAN PaymentChannels");
      assert.equal(eip712[2], "1");
    });

    it("rejects zero addresses and bad challenge-period bounds", async () => {
      const f = await networkHelpers.loadFixture(deployChannels);
      const admin = f.admin.account.address;
      await viem.assertions.revertWithCustomError(
        viem.deployContract("PaymentChannels", [zeroAddress, admin, 1n, 2n]),
        f.channels,
        "ChannelZeroAddress",
      );
      await viem.assertions.revertWithCustomError(
        viem.deployContract("PaymentChannels", [f.token.address, zeroAddress, 1n, 2n]),
        f.channels,
        "ChannelZeroAddress",
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        viem.deployContract("PaymentChannels", [f.token.address, admin, 0n, 2n]),
        f.channels,
        "ChannelChallengePeriodOutOfRange",
        [0n, 1n, 2n ** 24n - 1n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        viem.deployContract("PaymentChannels", [f.token.address, admin, 10n, 9n]),
        f.channels,
        "ChannelChallengePeriodOutOfRange",
        [9n, 10n, 2n ** 24n - 1n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        viem.deployContract("PaymentChannels", [f.token.address, admin, 1n, 2n ** 24n]),
        f.channels,
        "ChannelChallengePeriodOutOfRange",
        [2n ** 24n, 1n, 2n ** 24n - 1n],
      );
    });

    it("hashes balance proofs and cooperative closes exactly like the TypeScript client", async () => {
      const f = await networkHelpers.loadFixture(deployChannels);
      const p = proof(7n, 3n, 12_345n, 2n ** 200n, keccak256(toBytes("locks")));
      const onChain = await f.channels.read.hashBalanceProof([p]);
      assert.equal(onChain, hashBalanceProof(f.domain, p));
      assert.equal(onChain, hashBalanceProofWithSeparator(domainSeparator(f.domain), p));
      assert.equal(
        await f.channels.read.hashCooperativeClose([7n, 1n, 2n]),
        hashCooperativeClose(f.domain, { channelId: 7n, payoutAWei: 1n, payoutBWei: 2n }),
      );
    });
  });

  describe("open and deposit", () => {
    it("opens with the opener's deposit, lets both sides top up, never reuses ids", async () => {
      const f = await networkHelpers.loadFixture(deployChannels);
      const alice = f.alice.account.address;
      const bob = f.bob.account.address;
      await viem.assertions.emitWithArgs(
        f.channels.write.open([bob, 100n * PLC, PERIOD], { account: f.alice.account }),
        f.channels,
        "ChannelOpened",
        [1n, alice, bob, 100n * PLC, PERIOD],
      );
      await viem.assertions.emitWithArgs(
        f.channels.write.deposit([1n, 50n * PLC], { account: f.bob.account }),
        f.channels,
        "ChannelDeposited",
        [1n, bob, 50n * PLC, 50n * PLC],
      );
      await viem.assertions.emitWithArgs(
        f.channels.write.deposit([1n, 5n * PLC], { account: f.alice.account }),
        f.channels,
        "ChannelDeposited",
        [1n, alice, 5n * PLC, 105n * PLC],
      );
      const c = await f.channels.read.getChannel([1n]);
      assert.equal(c.partyA.toLowerCase(), alice.toLowerCase());
      assert.equal(c.partyB.toLowerCase(), bob.toLowerCase());
      assert.equal(c.balanceAWei, 105n * PLC);
      assert.equal(c.balanceBWei, 50n * PLC);
      assert.equal(c.status, Status.Open);
      assert.equal(c.challengePeriodBlocks, PERIOD);
      assert.equal(await f.token.read.balanceOf([f.channels.address]), 155n * PLC);
      assert.equal(await f.token.read.balanceOf([alice]), 895n * PLC);
      assert.equal(await f.token.read.balanceOf([bob]), 950n * PLC);

      // The same pair again gets a new id; a zero-deposit open is allowed (the counterparty funds).
      await f.channels.write.open([alice, 0n, MIN_PERIOD], { account: f.bob.account });
      await f.channels.write.open([bob, 1n, MAX_PERIOD], { account: f.alice.account });
      assert.equal((await f.channels.read.getChannel([2n])).partyA.toLowerCase(), bob.toLowerCase());
      assert.equal((await f.channels.read.getChannel([3n])).balanceAWei, 1n);
      assert.equal(await f.channels.read.nextChannelId(), 4n);
      assert.equal((await f.channels.read.getChannel([4n])).status, Status.None);
    });

    it("rejects a zero or self counterparty", async () => {
      const f = await networkHelpers.loadFixture(deployChannels);
      await expectRevert(
        f,
        () => f.channels.write.open([zeroAddress, PLC, PERIOD], { account: f.alice.account }),
        "ChannelCounterpartyInvalid",
        [zeroAddress],
      );
      await expectRevert(
        f,
        () => f.channels.write.open([f.alice.account.address, PLC, PERIOD], { account: f.alice.account }),
        "ChannelCounterpartyInvalid",
        [f.alice.account.address],
      );
    });

    it("rejects a challenge period outside the bounds", async () => {
      const f = await networkHelpers.loadFixture(deployChannels);
      for (const period of [MIN_PERIOD - 1n, MAX_PERIOD + 1n]) {
        await expectRevert(
          f,
          () => f.channels.write.open([f.bob.account.address, PLC, period], { account: f.alice.account }),
          "ChannelChallengePeriodOutOfRange",
          [period, MIN_PERIOD, MAX_PERIOD],
        );
      }
    });

    it("rejects deposits beyond MAX_TOTAL_DEPOSIT_WEI", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      assert.equal(await f.channels.read.MAX_TOTAL_DEPOSIT_WEI(), MAX_TOTAL);
      await f.token.write.mint([f.alice.account.address, MAX_TOTAL]);
      await expectRevert(
        f,
        () => f.channels.write.open([f.bob.account.address, MAX_TOTAL + 1n, PERIOD], { account: f.alice.account }),
        "ChannelDepositTooLarge",
        [2n, MAX_TOTAL + 1n, MAX_TOTAL],
      );
      const room = MAX_TOTAL - 150n * PLC;
      await expectRevert(
        f,
        () => f.channels.write.deposit([1n, room + 1n], { account: f.alice.account }),
        "ChannelDepositTooLarge",
        [1n, room + 1n, room],
      );
      await f.channels.write.deposit([1n, room], { account: f.alice.account }); // exactly full is fine
      assert.equal((await f.channels.read.getChannel([1n])).balanceAWei, 100n * PLC + room);
    });

    it("rejects a zero deposit, a stranger's deposit and a deposit into an unknown or closed channel", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      await expectRevert(f, () => f.channels.write.deposit([1n, 0n], { account: f.alice.account }), "ChannelZeroDeposit", []);
      await expectRevert(
        f,
        () => f.channels.write.deposit([1n, PLC], { account: f.stranger.account }),
        "ChannelNotParticipant",
        [1n, f.stranger.account.address],
      );
      await expectRevert(
        f,
        () => f.channels.write.deposit([9n, PLC], { account: f.alice.account }),
        "ChannelNotOpen",
        [9n, Status.None],
      );
      await f.channels.write.close([proof(1n, 0n, 0n, 0n), "0x", "0x"], { account: f.alice.account });
      await expectRevert(
        f,
        () => f.channels.write.deposit([1n, PLC], { account: f.bob.account }),
        "ChannelNotOpen",
        [1n, Status.Closing],
      );
    });
  });

  describe("cooperative close and withdraw", () => {
    it("closes at once with both signatures and pays each side by pull", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const [sigA, sigB] = [
        await signClose(f.alice, f.domain, 1n, 70n * PLC, 80n * PLC),
        await signClose(f.bob, f.domain, 1n, 70n * PLC, 80n * PLC),
      ];
      await viem.assertions.emitWithArgs(
        f.channels.write.cooperativeClose([1n, 70n * PLC, 80n * PLC, sigA, sigB], { account: f.stranger.account }),
        f.channels,
        "ChannelCooperativelyClosed",
        [1n, 70n * PLC, 80n * PLC],
      );
      assert.equal((await f.channels.read.getChannel([1n])).status, Status.Settled);
      await viem.assertions.emitWithArgs(
        f.channels.write.withdraw([1n], { account: f.alice.account }),
        f.channels,
        "ChannelWithdrawn",
        [1n, f.alice.account.address, 70n * PLC],
      );
      assert.equal(await f.token.read.balanceOf([f.alice.account.address]), 970n * PLC);
      await viem.assertions.emitWithArgs(
        f.channels.write.withdraw([1n], { account: f.bob.account }),
        f.channels,
        "ChannelWithdrawn",
        [1n, f.bob.account.address, 80n * PLC],
      );
      assert.equal(await f.token.read.balanceOf([f.bob.account.address]), 1_030n * PLC);
      assert.equal(await f.token.read.balanceOf([f.channels.address]), 0n);
    });

    it("rejects payouts that do not add up to the deposits", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      for (const [a, b] of [
        [100n * PLC, 51n * PLC],
        [151n * PLC, 0n],
        [1n, 2n ** 256n - 1n],
      ] as const) {
        const sigs = [await signClose(f.alice, f.domain, 1n, a, b), await signClose(f.bob, f.domain, 1n, a, b)] as const;
        await expectRevert(
          f,
          () => f.channels.write.cooperativeClose([1n, a, b, ...sigs]),
          "ChannelPayoutsMismatch",
          [1n, a, b, 150n * PLC],
        );
      }
    });

    it("rejects a close signed by one side only, by a stranger, or for another channel/chain/contract", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const alice = f.alice.account.address;
      const bob = f.bob.account.address;
      const a = 75n * PLC;
      const b = 75n * PLC;
      const sigA = await signClose(f.alice, f.domain, 1n, a, b);
      const sigB = await signClose(f.bob, f.domain, 1n, a, b);
      const message = { channelId: 1n, payoutAWei: a, payoutBWei: b };
      const recover = (domain: ChannelsDomain, signature: Hex, msg = message) =>
        recoverTypedDataAddress({ domain: f.domain, types: cooperativeCloseTypes, primaryType: "CooperativeClose", message: msg, signature });

      // A's signature twice (B never signed).
      await expectRevert(f, () => f.channels.write.cooperativeClose([1n, a, b, sigA, sigA]), "ChannelSignatureInvalid", [1n, bob, alice]);
      // Swapped order.
      await expectRevert(f, () => f.channels.write.cooperativeClose([1n, a, b, sigB, sigA]), "ChannelSignatureInvalid", [1n, alice, bob]);
      // A stranger instead of B.
      const sigS = await signClose(f.stranger, f.domain, 1n, a, b);
      await expectRevert(
        f,
        () => f.channels.write.cooperativeClose([1n, a, b, sigA, sigS]),
        "ChannelSignatureInvalid",
        [1n, bob, f.stranger.account.address],
      );
      // Signed for channel 2 (same parties), submitted for channel 1.
      await f.channels.write.open([bob, 10n * PLC, PERIOD], { account: f.alice.account });
      const sigA2 = await signClose(f.alice, f.domain, 2n, a, b);
      const sigB2 = await signClose(f.bob, f.domain, 2n, a, b);
      await expectRevert(
        f,
        () => f.channels.write.cooperativeClose([1n, a, b, sigA2, sigB2]),
        "ChannelSignatureInvalid",
        [1n, alice, await recover(f.domain, sigA2)],
      );
      // Another chain id, another contract.
      for (const domain of [
        channelsDomain(f.chainId + 1, f.channels.address),
        channelsDomain(f.chainId, f.token.address),
      ]) {
        const sA = await signClose(f.alice, domain, 1n, a, b);
        const sB = await signClose(f.bob, domain, 1n, a, b);
        await expectRevert(
          f,
          () => f.channels.write.cooperativeClose([1n, a, b, sA, sB]),
          "ChannelSignatureInvalid",
          [1n, alice, await recover(f.domain, sA)],
        );
      }
      // The genuine pair still works afterwards.
      await f.channels.write.cooperativeClose([1n, a, b, sigA, sigB]);
    });

    it("rejects a malleable (high-s) and a 64-byte (ERC-2098) signature", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const a = 75n * PLC;
      const b = 75n * PLC;
      const sigA = await signClose(f.alice, f.domain, 1n, a, b);
      const sigB = await signClose(f.bob, f.domain, 1n, a, b);
      const parsed = parseSignature(sigB);
      const highS = (SECP256K1_N - BigInt(parsed.s)).toString(16).padStart(64, "0");
      const malleable = serializeSignature({ r: parsed.r, s: `0x${highS}`, yParity: parsed.yParity === 0 ? 1 : 0 });
      await expectRevert(f, () => f.channels.write.cooperativeClose([1n, a, b, sigA, malleable]), "ECDSAInvalidSignatureS", [
        `0x${highS}`,
      ]);
      const compact = serializeCompactSignature(signatureToCompactSignature(parsed));
      assert.equal((compact.length - 2) / 2, 64);
      await expectRevert(f, () => f.channels.write.cooperativeClose([1n, a, b, sigA, compact]), "ECDSAInvalidSignatureLength", [64n]);
      await expectRevert(f, () => f.channels.write.cooperativeClose([1n, a, b, "0x", sigB]), "ECDSAInvalidSignatureLength", [0n]);
    });

    it("rejects closing twice and withdrawing twice, a stranger's withdraw and a withdraw before settlement", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const a = 150n * PLC;
      const sigA = await signClose(f.alice, f.domain, 1n, a, 0n);
      const sigB = await signClose(f.bob, f.domain, 1n, a, 0n);
      await expectRevert(f, () => f.channels.write.withdraw([1n], { account: f.alice.account }), "ChannelNotSettled", [
        1n,
        Status.Open,
      ]);
      await f.channels.write.cooperativeClose([1n, a, 0n, sigA, sigB]);
      await expectRevert(f, () => f.channels.write.cooperativeClose([1n, a, 0n, sigA, sigB]), "ChannelNotOpen", [1n, Status.Settled]);
      await expectRevert(
        f,
        () => f.channels.write.close([proof(1n, 0n, 0n, 0n), "0x", "0x"], { account: f.alice.account }),
        "ChannelNotOpen",
        [1n, Status.Settled],
      );
      // B gets nothing in this close.
      await expectRevert(f, () => f.channels.write.withdraw([1n], { account: f.bob.account }), "ChannelNothingToWithdraw", [
        1n,
        f.bob.account.address,
      ]);
      await expectRevert(f, () => f.channels.write.withdraw([1n], { account: f.stranger.account }), "ChannelNotParticipant", [
        1n,
        f.stranger.account.address,
      ]);
      await f.channels.write.withdraw([1n], { account: f.alice.account });
      assert.equal(await f.token.read.balanceOf([f.alice.account.address]), 1_050n * PLC);
      await expectRevert(f, () => f.channels.write.withdraw([1n], { account: f.alice.account }), "ChannelNothingToWithdraw", [
        1n,
        f.alice.account.address,
      ]);
    });
  });

  describe("unilateral close, challenge, settle", () => {
    it("settles the latest proof after the challenge period", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const p = proof(1n, 7n, 30n * PLC, 5n * PLC);
      const [sigA, sigB] = await signBoth(f, p);
      const hash = await f.channels.write.close([p, sigA, sigB], { account: f.bob.account });
      const closedAt = (await f.publicClient.waitForTransactionReceipt({ hash })).blockNumber;
      await viem.assertions.emitWithArgs(Promise.resolve(hash), f.channels, "ChannelClosed", [
        1n,
        f.bob.account.address,
        7n,
        closedAt + PERIOD,
      ]);
      const c = await f.channels.read.getChannel([1n]);
      assert.equal(c.status, Status.Closing);
      assert.equal(c.nonce, 7n);
      assert.equal(c.challengeDeadlineBlock, closedAt + PERIOD);
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [75n * PLC, 75n * PLC]);

      await networkHelpers.mine(Number(PERIOD) - 1); // next block = deadline: still too early
      await expectRevert(f, () => f.channels.write.settle([1n]), "ChannelChallengePeriodNotOver", [1n, closedAt + PERIOD]);
      await networkHelpers.mine(1); // (a rejected transaction mines no block)
      await viem.assertions.emitWithArgs(f.channels.write.settle([1n], { account: f.stranger.account }), f.channels, "ChannelSettled", [
        1n,
        75n * PLC,
        75n * PLC,
      ]);
      const settled = await f.channels.read.getChannel([1n]);
      assert.equal(settled.status, Status.Settled);
      assert.equal(settled.nonce, 0n);
      assert.equal(settled.locksRoot, ZERO_ROOT);
      await f.channels.write.withdraw([1n], { account: f.alice.account });
      await f.channels.write.withdraw([1n], { account: f.bob.account });
      assert.equal(await f.token.read.balanceOf([f.alice.account.address]), 975n * PLC);
      assert.equal(await f.token.read.balanceOf([f.bob.account.address]), 1_025n * PLC);
      assert.equal(await f.token.read.balanceOf([f.channels.address]), 0n);
    });

    it("closes with the unsigned initial state (nonce 0) but only if it is empty", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      await expectRevert(
        f,
        () => f.channels.write.close([proof(1n, 0n, 1n, 0n), "0x", "0x"], { account: f.alice.account }),
        "ChannelInitialStateNotEmpty",
        [1n],
      );
      await expectRevert(
        f,
        () => f.channels.write.close([proof(1n, 0n, 0n, 0n, keccak256("0x01")), "0x", "0x"], { account: f.alice.account }),
        "ChannelInitialStateNotEmpty",
        [1n],
      );
      await f.channels.write.close([proof(1n, 0n, 0n, 0n), "0x", "0x"], { account: f.alice.account });
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [100n * PLC, 50n * PLC]);
    });

    it("lets the counterparty (or anyone) answer a stale close with a newer proof", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const stale = proof(1n, 3n, 10n * PLC, 0n);
      const latest = proof(1n, 4n, 60n * PLC, 0n);
      await f.channels.write.close([stale, ...(await signBoth(f, stale))], { account: f.alice.account });
      await viem.assertions.emitWithArgs(
        f.channels.write.challenge([latest, ...(await signBoth(f, latest))], { account: f.stranger.account }),
        f.channels,
        "ChannelChallenged",
        [1n, f.stranger.account.address, 4n],
      );
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [40n * PLC, 110n * PLC]);
    });

    it("rejects a replayed or older proof, a challenge after the period and a non-closing channel", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const p5 = proof(1n, 5n, 10n * PLC, 0n);
      const p4 = proof(1n, 4n, 90n * PLC, 0n);
      const sigs5 = await signBoth(f, p5);
      await expectRevert(f, () => f.channels.write.challenge([p5, ...sigs5]), "ChannelNotClosing", [1n, Status.Open]);
      await f.channels.write.close([p5, ...sigs5], { account: f.alice.account });
      await expectRevert(f, () => f.channels.write.challenge([p5, ...sigs5]), "ChannelNonceTooLow", [1n, 5n, 5n]);
      await expectRevert(f, async () => f.channels.write.challenge([p4, ...(await signBoth(f, p4))]), "ChannelNonceTooLow", [1n, 4n, 5n]);
      const deadline = (await f.channels.read.getChannel([1n])).challengeDeadlineBlock;
      await networkHelpers.mine(Number(deadline - (await currentBlock(f))));
      const p6 = proof(1n, 6n, 20n * PLC, 0n);
      await expectRevert(f, async () => f.channels.write.challenge([p6, ...(await signBoth(f, p6))]), "ChannelChallengePeriodOver", [
        1n,
        deadline,
      ]);
    });

    it("rejects proofs with bad signatures: one side, stranger, other channel/chain/contract, malleable, 64-byte", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const alice = f.alice.account.address;
      const bob = f.bob.account.address;
      const p = proof(1n, 2n, 10n * PLC, 0n);
      const [sigA, sigB] = await signBoth(f, p);
      const close = (pp: BalanceProof, a: Hex, b: Hex) => () => f.channels.write.close([pp, a, b], { account: f.alice.account });
      const recover = (pp: BalanceProof, signature: Hex) =>
        recoverTypedDataAddress({ domain: f.domain, types: balanceProofTypes, primaryType: "BalanceProof", message: pp, signature });

      await expectRevert(f, close(p, sigA, sigA), "ChannelSignatureInvalid", [1n, bob, alice]);
      await expectRevert(f, close(p, sigB, sigB), "ChannelSignatureInvalid", [1n, alice, bob]);
      const sigS = await signProof(f.stranger, f.domain, p);
      await expectRevert(f, close(p, sigA, sigS), "ChannelSignatureInvalid", [1n, bob, f.stranger.account.address]);
      // Signed for channel 1, replayed against channel 2 of the same parties.
      await f.channels.write.open([bob, 10n * PLC, PERIOD], { account: f.alice.account });
      const forChannel2 = { ...p, channelId: 2n };
      await expectRevert(
        f,
        close(forChannel2, sigA, sigB),
        "ChannelSignatureInvalid",
        [2n, alice, await recover(forChannel2, sigA)],
        2n,
      );
      for (const domain of [channelsDomain(f.chainId + 1, f.channels.address), channelsDomain(f.chainId, f.token.address)]) {
        const [a, b] = await signBoth(f, p, domain);
        await expectRevert(f, close(p, a, b), "ChannelSignatureInvalid", [1n, alice, await recover(p, a)]);
      }
      const parsed = parseSignature(sigB);
      const highS = `0x${(SECP256K1_N - BigInt(parsed.s)).toString(16).padStart(64, "0")}` as Hex;
      const malleable = serializeSignature({ r: parsed.r, s: highS, yParity: parsed.yParity === 0 ? 1 : 0 });
      await expectRevert(f, close(p, sigA, malleable), "ECDSAInvalidSignatureS", [highS]);
      const compact = serializeCompactSignature(signatureToCompactSignature(parsed));
      await expectRevert(f, close(p, sigA, compact), "ECDSAInvalidSignatureLength", [64n]);
      // Same checks on challenge.
      await f.channels.write.close([proof(1n, 0n, 0n, 0n), "0x", "0x"], { account: f.bob.account });
      await expectRevert(f, () => f.channels.write.challenge([p, sigA, sigS]), "ChannelSignatureInvalid", [
        1n,
        bob,
        f.stranger.account.address,
      ]);
      await expectRevert(f, () => f.channels.write.challenge([p, sigA, malleable]), "ECDSAInvalidSignatureS", [highS]);
      await f.channels.write.challenge([p, sigA, sigB]);
    });

    it("rejects a close by a stranger and closing twice", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const p = proof(1n, 1n, 0n, 0n);
      const sigs = await signBoth(f, p);
      await expectRevert(f, () => f.channels.write.close([p, ...sigs], { account: f.stranger.account }), "ChannelNotParticipant", [
        1n,
        f.stranger.account.address,
      ]);
      await f.channels.write.close([p, ...sigs], { account: f.alice.account });
      await expectRevert(f, () => f.channels.write.close([p, ...sigs], { account: f.bob.account }), "ChannelNotOpen", [
        1n,
        Status.Closing,
      ]);
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      await expectRevert(f, () => f.channels.write.settle([1n]), "ChannelNotClosing", [1n, Status.Settled]);
      await expectRevert(f, () => f.channels.write.close([p, ...sigs], { account: f.bob.account }), "ChannelNotOpen", [
        1n,
        Status.Settled,
      ]);
    });

    it("caps transferred amounts above the deposits: never pays out more than deposited", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      // Both signed that A sent 1,000 PLC though A only ever deposited 100 (and B 50).
      const p = proof(1n, 1n, 1_000n * PLC, 2n ** 255n);
      await f.channels.write.close([p, ...(await signBoth(f, p))], { account: f.alice.account });
      const c = await f.channels.read.getChannel([1n]);
      assert.equal(c.transferredAToBWei, 150n * PLC);
      assert.equal(c.transferredBToAWei, 150n * PLC);
      // A: 100 + 150 − 150 = 100; B: 50. Sum = deposits.
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [100n * PLC, 50n * PLC]);
      const p2 = proof(1n, 2n, 2n ** 256n - 1n, 0n);
      await f.channels.write.challenge([p2, ...(await signBoth(f, p2))]);
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [0n, 150n * PLC]);
      assert.deepEqual(
        channelPayouts({ depositAWei: 100n * PLC, depositBWei: 50n * PLC, transferredAToBWei: 2n ** 256n - 1n, transferredBToAWei: 0n }),
        { payoutAWei: 0n, payoutBWei: 150n * PLC },
      );
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      await f.channels.write.withdraw([1n], { account: f.bob.account });
      await expectRevert(f, () => f.channels.write.withdraw([1n], { account: f.alice.account }), "ChannelNothingToWithdraw", [
        1n,
        f.alice.account.address,
      ]);
      assert.equal(await f.token.read.balanceOf([f.bob.account.address]), 1_100n * PLC);
      assert.equal(await f.token.read.balanceOf([f.channels.address]), 0n);
    });
  });

  describe("hash time-locks", () => {
    /** A channel 1 state with two pending locks from Alice to Bob (10 and 7 PLC) and one from Bob (3 PLC). */
    async function closingWithLocks(f: Fixture, expiryOffset = 100n) {
      const now = await currentBlock(f);
      const secrets = [newSecret(), newSecret(), newSecret()];
      const locks: Lock[] = [
        { sender: f.alice.account.address, amountWei: 10n * PLC, expiryBlock: now + expiryOffset, hashlock: hashlockOf(secrets[0]) },
        { sender: f.alice.account.address, amountWei: 7n * PLC, expiryBlock: now + expiryOffset, hashlock: hashlockOf(secrets[1]) },
        { sender: f.bob.account.address, amountWei: 3n * PLC, expiryBlock: now + expiryOffset, hashlock: hashlockOf(secrets[2]) },
      ];
      const tree = new LockTree(locks);
      const p = proof(1n, 9n, 20n * PLC, 0n, tree.root);
      await f.channels.write.close([p, ...(await signBoth(f, p))], { account: f.alice.account });
      return { secrets, locks, tree, p };
    }

    it("computes lock leaves like the client and unlocks with the secret before expiry", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const { secrets, locks, tree } = await closingWithLocks(f);
      assert.equal(await f.channels.read.lockLeaf([locks[0]]), lockLeaf(locks[0]));
      await viem.assertions.emitWithArgs(
        f.channels.write.unlock([1n, locks[0], secrets[0], tree.proof(locks[0])], { account: f.stranger.account }),
        f.channels,
        "ChannelLockUnlocked",
        [1n, lockLeaf(locks[0]), f.bob.account.address, 10n * PLC],
      );
      assert.notEqual(await f.channels.read.secretRevealedAtBlock([locks[0].hashlock]), 0n);
      assert.equal(await f.channels.read.isLockUnlocked([1n, lockLeaf(locks[0])]), true);
      await f.channels.write.unlock([1n, locks[2], secrets[2], tree.proof(locks[2])]);
      // locks[1] is never unlocked: it stays with Alice.
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      // A: 100 − 20 − 10 + 3 = 73; B: 50 + 20 + 10 − 3 = 77.
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [73n * PLC, 77n * PLC]);
    });

    it("rejects a wrong secret, a lock not in the root, a second unlock and a sender who is not a party", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const { secrets, locks, tree } = await closingWithLocks(f);
      const wrong = newSecret();
      await expectRevert(f, () => f.channels.write.unlock([1n, locks[0], wrong, tree.proof(locks[0])]), "ChannelLockSecretMismatch", [
        locks[0].hashlock,
        hashlockOf(wrong),
      ]);
      const bigger = { ...locks[0], amountWei: 11n * PLC };
      await expectRevert(f, () => f.channels.write.unlock([1n, bigger, secrets[0], tree.proof(locks[0])]), "ChannelLockNotFound", [
        1n,
        lockLeaf(bigger),
      ]);
      const strangers = { ...locks[0], sender: f.stranger.account.address };
      await expectRevert(
        f,
        () => f.channels.write.unlock([1n, strangers, secrets[0], tree.proof(locks[0])]),
        "ChannelLockSenderInvalid",
        [1n, f.stranger.account.address],
      );
      await f.channels.write.unlock([1n, locks[0], secrets[0], tree.proof(locks[0])]);
      await expectRevert(f, () => f.channels.write.unlock([1n, locks[0], secrets[0], tree.proof(locks[0])]), "ChannelLockAlreadyUnlocked", [
        1n,
        lockLeaf(locks[0]),
      ]);
      const deadline = (await f.channels.read.getChannel([1n])).challengeDeadlineBlock;
      await networkHelpers.mine(Number(deadline - (await currentBlock(f))));
      await expectRevert(f, () => f.channels.write.unlock([1n, locks[1], secrets[1], tree.proof(locks[1])]), "ChannelChallengePeriodOver", [
        1n,
        deadline,
      ]);
      await expectRevert(f, () => f.channels.write.unlock([2n, locks[1], secrets[1], []]), "ChannelNotClosing", [2n, Status.None], 2n);
    });

    it("a hub that withholds the secret: the lock expires and the funds return to the sender", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const { secrets, locks, tree } = await closingWithLocks(f, 3n);
      await networkHelpers.mine(5); // past the locks' expiry, inside the challenge period
      const now = await currentBlock(f);
      await expectRevert(f, () => f.channels.write.unlock([1n, locks[0], secrets[0], tree.proof(locks[0])]), "ChannelLockExpired", [
        locks[0].hashlock,
        locks[0].expiryBlock,
        now + 1n,
      ]);
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      // Only the 20 PLC already transferred moved; all locks went back to their senders.
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [80n * PLC, 70n * PLC]);
    });

    it("a secret revealed on-chain before expiry still unlocks later (hub misbehaves, B goes on-chain)", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const { secrets, locks, tree } = await closingWithLocks(f, 4n);
      await viem.assertions.emitWithArgs(f.channels.write.revealSecret([secrets[1]]), f.channels, "SecretRevealed", [
        locks[1].hashlock,
        secrets[1],
      ]);
      const revealedAt = await f.channels.read.secretRevealedAtBlock([locks[1].hashlock]);
      await networkHelpers.mine(6); // now past expiry
      await f.channels.write.unlock([1n, locks[1], secrets[1], tree.proof(locks[1])]);
      // Revealing again changes nothing.
      await f.channels.write.revealSecret([secrets[1]]);
      assert.equal(await f.channels.read.secretRevealedAtBlock([locks[1].hashlock]), revealedAt);
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [73n * PLC, 77n * PLC]);
    });

    it("a challenge with a newer proof resets unlocks made against the older one (no double counting)", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      const { secrets, locks, tree } = await closingWithLocks(f);
      await f.channels.write.unlock([1n, locks[0], secrets[0], tree.proof(locks[0])]);
      assert.equal((await f.channels.read.getChannel([1n])).unlockedAToBWei, 10n * PLC);
      // The newer state already folded locks[0] into the transfers (20 + 10) and keeps locks[1].
      const tree2 = new LockTree([locks[1]]);
      const p10 = proof(1n, 10n, 30n * PLC, 0n, tree2.root);
      await f.channels.write.challenge([p10, ...(await signBoth(f, p10))], { account: f.bob.account });
      const c = await f.channels.read.getChannel([1n]);
      assert.equal(c.unlockedAToBWei, 0n);
      assert.equal(await f.channels.read.isLockUnlocked([1n, lockLeaf(locks[0])]), false);
      await expectRevert(f, () => f.channels.write.unlock([1n, locks[0], secrets[0], tree.proof(locks[0])]), "ChannelLockNotFound", [
        1n,
        lockLeaf(locks[0]),
      ]);
      await f.channels.write.unlock([1n, locks[1], secrets[1], tree2.proof(locks[1])]);
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      // A: 100 − 30 − 7 = 63; B: 87. locks[0] counted once.
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [63n * PLC, 87n * PLC]);
    });

    it("multi-hop A → hub → B: B reveals to the hub, the hub unlocks from an unresponsive A on-chain", async () => {
      const f = await networkHelpers.loadFixture(deployChannels);
      const alice = f.alice.account.address;
      const hub = f.hub.account.address;
      const bob = f.bob.account.address;
      await f.channels.write.open([hub, 100n * PLC, PERIOD], { account: f.alice.account }); // 1: A–hub
      await f.channels.write.open([bob, 100n * PLC, PERIOD], { account: f.hub.account }); // 2: hub–B
      const secret = newSecret(); // B's invoice secret
      const now = await currentBlock(f);
      const lockA = { sender: alice, amountWei: 5n * PLC, expiryBlock: now + 60n, hashlock: hashlockOf(secret) };
      const lockHub = { sender: hub, amountWei: 5n * PLC, expiryBlock: now + 40n, hashlock: hashlockOf(secret) };
      const treeA = new LockTree([lockA]);
      const treeHub = new LockTree([lockHub]);
      const pA = proof(1n, 1n, 0n, 0n, treeA.root);
      const pHub = proof(2n, 1n, 0n, 0n, treeHub.root);
      const sign2 = async (p: BalanceProof, x: WalletClient, y: WalletClient) =>
        [await signProof(x, f.domain, p), await signProof(y, f.domain, p)] as const;
      const sigsA = await sign2(pA, f.alice, f.hub); // A locked 5 to the hub
      await sign2(pHub, f.hub, f.bob); // the hub locked 5 to B
      // B reveals the secret to the hub off-chain; hub and B fold their lock into a transfer and close.
      await f.channels.write.cooperativeClose([
        2n,
        95n * PLC,
        5n * PLC,
        await signClose(f.hub, f.domain, 2n, 95n * PLC, 5n * PLC),
        await signClose(f.bob, f.domain, 2n, 95n * PLC, 5n * PLC),
      ]);
      // A goes silent. The hub closes A–hub with the locked state and unlocks with B's secret.
      await f.channels.write.close([pA, ...sigsA], { account: f.hub.account });
      await f.channels.write.unlock([1n, lockA, secret, treeA.proof(lockA)], { account: f.hub.account });
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      assert.deepEqual(await f.channels.read.previewPayouts([1n]), [95n * PLC, 5n * PLC]); // A paid the hub 5
      assert.deepEqual(await f.channels.read.previewPayouts([2n]), [95n * PLC, 5n * PLC]); // hub paid B 5
      for (const [w, id] of [
        [f.alice, 1n],
        [f.hub, 1n],
        [f.hub, 2n],
        [f.bob, 2n],
      ] as const) {
        await f.channels.write.withdraw([id], { account: w.account });
      }
      assert.equal(await f.token.read.balanceOf([alice]), 995n * PLC);
      assert.equal(await f.token.read.balanceOf([hub]), 1_000n * PLC);
      assert.equal(await f.token.read.balanceOf([bob]), 1_005n * PLC);
      assert.equal(await f.token.read.balanceOf([f.channels.address]), 0n);
    });
  });

  describe("regulator pause", () => {
    it("blocks open and deposit only; close, challenge, unlock, settle, withdraw and cooperative close still work", async () => {
      const f = await networkHelpers.loadFixture(deployWithChannel);
      await f.channels.write.open([f.bob.account.address, 10n * PLC, PERIOD], { account: f.alice.account }); // channel 2
      await expectRevert(
        f,
        () => f.channels.write.pause({ account: f.stranger.account }),
        "AccessControlUnauthorizedAccount",
        [f.stranger.account.address, SUPERVISOR_ROLE],
      );
      await viem.assertions.emitWithArgs(f.channels.write.pause({ account: f.regulator.account }), f.channels, "Paused", [
        f.regulator.account.address,
      ]);
      assert.equal(await f.channels.read.paused(), true);
      await expectRevert(f, () => f.channels.write.open([f.bob.account.address, PLC, PERIOD], { account: f.alice.account }), "ChannelPaused", []);
      await expectRevert(f, () => f.channels.write.deposit([1n, PLC], { account: f.alice.account }), "ChannelPaused", []);

      // Channel 1: unilateral close with a lock, challenge, unlock, settle, withdraw — all while paused.
      const secret = newSecret();
      const lock = { sender: f.alice.account.address, amountWei: 4n * PLC, expiryBlock: (await currentBlock(f)) + 100n, hashlock: hashlockOf(secret) };
      const tree = new LockTree([lock]);
      const p1 = proof(1n, 1n, 0n, 0n);
      const p2 = proof(1n, 2n, 6n * PLC, 0n, tree.root);
      await f.channels.write.close([p1, ...(await signBoth(f, p1))], { account: f.alice.account });
      await f.channels.write.challenge([p2, ...(await signBoth(f, p2))], { account: f.bob.account });
      await f.channels.write.unlock([1n, lock, secret, tree.proof(lock)]);
      await networkHelpers.mine(Number(PERIOD));
      await f.channels.write.settle([1n]);
      await f.channels.write.withdraw([1n], { account: f.alice.account });
      await f.channels.write.withdraw([1n], { account: f.bob.account });
      // Channel 2: cooperative close while paused.
      await f.channels.write.cooperativeClose([
        2n,
        10n * PLC,
        0n,
        await signClose(f.alice, f.domain, 2n, 10n * PLC, 0n),
        await signClose(f.bob, f.domain, 2n, 10n * PLC, 0n),
      ]);
      await f.channels.write.withdraw([2n], { account: f.alice.account });
      assert.equal(await f.token.read.balanceOf([f.alice.account.address]), 990n * PLC); // 1000 − 100 − 10 + 90 + 10
      assert.equal(await f.token.read.balanceOf([f.bob.account.address]), 1_010n * PLC); // 1000 − 50 + 60
      assert.equal(await f.token.read.balanceOf([f.channels.address]), 0n);

      await viem.assertions.emitWithArgs(f.channels.write.unpause({ account: f.regulator.account }), f.channels, "Unpaused", [
        f.regulator.account.address,
      ]);
      await f.channels.write.open([f.bob.account.address, PLC, PERIOD], { account: f.alice.account });
    });
  });

  describe("gas", () => {
    it("lifecycle open + deposit + cooperative close + withdraw stays within 250,000 gas", async () => {
      const f = await networkHelpers.loadFixture(deployChannels);
      // A channel opened before, so the counter slot and the contract's token balance are warm-started
      // (non-zero) as on a live network.
      await f.channels.write.open([f.hub.account.address, PLC, PERIOD], { account: f.stranger.account });
      const open = await gasOf(f, await f.channels.write.open([f.bob.account.address, 100n * PLC, PERIOD], { account: f.alice.account }));
      const deposit = await gasOf(f, await f.channels.write.deposit([2n, 50n * PLC], { account: f.bob.account }));
      const close = await gasOf(
        f,
        await f.channels.write.cooperativeClose([
          2n,
          90n * PLC,
          60n * PLC,
          await signClose(f.alice, f.domain, 2n, 90n * PLC, 60n * PLC),
          await signClose(f.bob, f.domain, 2n, 90n * PLC, 60n * PLC),
        ]),
      );
      const withdraw = await gasOf(f, await f.channels.write.withdraw([2n], { account: f.alice.account }));
      const total = open + deposit + close + withdraw;
      console.log(`      gas: open ${open}, deposit ${deposit}, cooperativeClose ${close}, withdraw ${withdraw}, total ${total}`);
      assert.ok(total <= 250_000n, `lifecycle ${total} gas > 250,000`);
    });
  });
});
