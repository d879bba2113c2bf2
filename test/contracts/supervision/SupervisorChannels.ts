/**
 * Supervisor → PaymentChannels: the regulator pauses opening and funding channels from its console;
 * money already in a channel can always leave (close, challenge, unlock, settle, withdraw and the
 * cooperative close keep working while paused).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { keccak256, toBytes, zeroAddress, type Hex, type WalletClient } from "viem";
import { balanceProofTypes, channelsDomain, cooperativeCloseTypes, ZERO_ROOT, type BalanceProof, type ChannelsDomain } from "../../../lib/channels/eip712.ts";
import { hashlockOf, LockTree, newSecret } from "../../../lib/channels/htlc.ts";
import PowerLANModule from "../../../scripts/deploy/modules/PowerLAN.ts";

const { viem, networkHelpers, ignition } = await network.create();

const REGULATOR_ROLE = keccak256(toBytes("REGULATOR_ROLE"));
const SUPERVISOR_ROLE = keccak256(toBytes("SUPERVISOR_ROLE"));
const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as Hex;
const PLC = 1_000_000n;
const PERIOD = 10n;
const Status = { Open: 1, Closing: 2, Settled: 3 } as const;

const MARKET_PARAMS = {
  priceCapWeiPerKWh: 1_000_000,
  priceFloorWeiPerKWh: 1,
  minOrderWh: 100,
  maxOrdersPerSide: 100,
  kNumerator: 1,
  kDenominator: 2,
  intervalSeconds: 900,
  gateLeadSeconds: 300,
};

/**
 * Token, registry, market, Supervisor and PaymentChannels wired as the Ignition module wires them:
 * the Supervisor knows the channels and holds their SUPERVISOR_ROLE, the deployer renounced its own.
 * Alice and Bob hold 1,000 PLC each (approved to the channels); channel 1 is Alice → Bob with
 * 100 PLC from Alice and 50 PLC from Bob.
 */
async function deploySupervisedChannels() {
  const [admin, regulator, alice, bob, dso, stranger] = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const genesisTime = BigInt(await networkHelpers.time.latest());
  const token = await viem.deployContract("PaymentToken", [admin.account.address, false]);
  const registry = await viem.deployContract("ParticipantRegistry", [admin.account.address, regulator.account.address]);
  const market = await viem.deployContract("EnergyMarket", [
    admin.account.address,
    registry.address,
    token.address,
    dso.account.address,
    MARKET_PARAMS,
    genesisTime,
  ]);
  const supervisor = await viem.deployContract("Supervisor", [
    admin.account.address,
    regulator.account.address,
    market.address,
    registry.address,
  ]);
  const channels = await viem.deployContract("PaymentChannels", [token.address, admin.account.address, 2n, 1_000n]);
  await market.write.grantRole([SUPERVISOR_ROLE, supervisor.address]);
  await registry.write.grantRole([REGULATOR_ROLE, supervisor.address]);
  await channels.write.grantRole([SUPERVISOR_ROLE, supervisor.address]);
  await supervisor.write.setPaymentChannels([channels.address]);
  await channels.write.renounceRole([SUPERVISOR_ROLE, admin.account.address]);

  for (const w of [alice, bob]) {
    await token.write.mint([w.account.address, 1_000n * PLC]);
    await token.write.approve([channels.address, 2n ** 256n - 1n], { account: w.account });
  }
  await channels.write.open([bob.account.address, 100n * PLC, PERIOD], { account: alice.account });
  await channels.write.deposit([1n, 50n * PLC], { account: bob.account });
  const domain = channelsDomain(await publicClient.getChainId(), channels.address);
  return { token, market, supervisor, channels, admin, regulator, alice, bob, stranger, publicClient, domain };
}
type Fixture = Awaited<ReturnType<typeof deploySupervisedChannels>>;

/** A Supervisor deployed without `setPaymentChannels` (an old deployment, or before wiring). */
async function deployUnwiredSupervisor() {
  const f = await deploySupervisedChannels();
  const supervisor = await viem.deployContract("Supervisor", [
    f.admin.account.address,
    f.regulator.account.address,
    f.market.address,
    f.token.address, // any non-zero address stands in for the registry here
  ]);
  return { ...f, unwired: supervisor };
}

async function holdings(f: Fixture) {
  const who = [f.alice, f.bob, f.stranger].map((w) => w.account.address);
  return {
    balances: await Promise.all([...who, f.channels.address].map((a) => f.token.read.balanceOf([a]))),
    channel: await f.channels.read.getChannel([1n]),
    nextChannelId: await f.channels.read.nextChannelId(),
    paused: await f.channels.read.paused(),
  };
}

async function sign(signer: WalletClient, domain: ChannelsDomain, p: BalanceProof): Promise<Hex> {
  return signer.signTypedData({ account: signer.account!, domain, types: balanceProofTypes, primaryType: "BalanceProof", message: p });
}

async function signClose(signer: WalletClient, domain: ChannelsDomain, channelId: bigint, a: bigint, b: bigint): Promise<Hex> {
  return signer.signTypedData({
    account: signer.account!,
    domain,
    types: cooperativeCloseTypes,
    primaryType: "CooperativeClose",
    message: { channelId, payoutAWei: a, payoutBWei: b },
  });
}

describe("Supervisor: payment channels", () => {
  describe("wiring", () => {
    it("knows the channels; only the Supervisor holds their SUPERVISOR_ROLE", async () => {
      const f = await networkHelpers.loadFixture(deploySupervisedChannels);
      assert.equal((await f.supervisor.read.paymentChannels()).toLowerCase(), f.channels.address.toLowerCase());
      assert.equal(await f.channels.read.hasRole([SUPERVISOR_ROLE, f.supervisor.address]), true);
      assert.equal(await f.channels.read.hasRole([SUPERVISOR_ROLE, f.admin.account.address]), false);
      assert.equal(await f.channels.read.hasRole([SUPERVISOR_ROLE, f.regulator.account.address]), false);
    });

    it("the Ignition module wires it: the Supervisor knows the channels and alone holds their SUPERVISOR_ROLE", async () => {
      const [admin, regulator, dso, v1, v2, v3, v4] = await viem.getWalletClients();
      const deployed = await ignition.deploy(PowerLANModule, {
        parameters: {
          PowerLAN: {
            regulator: regulator.account.address,
            dso: dso.account.address,
            validators: [v1, v2, v3, v4].map((w) => w.account.address),
            genesisTime: BigInt(await networkHelpers.time.latest()),
          },
        },
      });
      const { supervisor, paymentChannels } = deployed;
      assert.equal((await supervisor.read.paymentChannels()).toLowerCase(), paymentChannels.address.toLowerCase());
      assert.equal(await paymentChannels.read.hasRole([SUPERVISOR_ROLE, supervisor.address]), true);
      assert.equal(await paymentChannels.read.hasRole([SUPERVISOR_ROLE, admin.account.address]), false);
      await supervisor.write.pauseChannels({ account: regulator.account });
      assert.equal(await paymentChannels.read.paused(), true);
    });

    it("setPaymentChannels: admin only, never zero, emits PaymentChannelsSet", async () => {
      const f = await networkHelpers.loadFixture(deploySupervisedChannels);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.supervisor.write.setPaymentChannels([f.stranger.account.address], { account: f.regulator.account }),
        f.supervisor,
        "AccessControlUnauthorizedAccount",
        [f.regulator.account.address, DEFAULT_ADMIN_ROLE],
      );
      await viem.assertions.revertWithCustomError(f.supervisor.write.setPaymentChannels([zeroAddress]), f.supervisor, "SupervisorZeroAddress");
      assert.equal((await f.supervisor.read.paymentChannels()).toLowerCase(), f.channels.address.toLowerCase(), "unchanged after the failures");
      await viem.assertions.emitWithArgs(f.supervisor.write.setPaymentChannels([f.channels.address]), f.supervisor, "PaymentChannelsSet", [
        f.admin.account.address,
        f.channels.address,
      ]);
    });

    it("pauseChannels before setPaymentChannels: SupervisorZeroAddress, nothing changes", async () => {
      const f = await networkHelpers.loadFixture(deployUnwiredSupervisor);
      assert.equal(await f.unwired.read.paymentChannels(), zeroAddress);
      const before = await holdings(f);
      await viem.assertions.revertWithCustomError(f.unwired.write.pauseChannels({ account: f.regulator.account }), f.unwired, "SupervisorZeroAddress");
      await viem.assertions.revertWithCustomError(f.unwired.write.unpauseChannels({ account: f.regulator.account }), f.unwired, "SupervisorZeroAddress");
      assert.deepEqual(await holdings(f), before);
    });
  });

  describe("pause", () => {
    it("non-regulators may not pause or unpause: AccessControlUnauthorizedAccount, nothing changes", async () => {
      const f = await networkHelpers.loadFixture(deploySupervisedChannels);
      for (const who of [f.stranger, f.alice, f.admin]) {
        const before = await holdings(f);
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.supervisor.write.pauseChannels({ account: who.account }),
          f.supervisor,
          "AccessControlUnauthorizedAccount",
          [who.account.address, REGULATOR_ROLE],
        );
        assert.deepEqual(await holdings(f), before);
      }
      await f.supervisor.write.pauseChannels({ account: f.regulator.account });
      const paused = await holdings(f);
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.supervisor.write.unpauseChannels({ account: f.stranger.account }),
        f.supervisor,
        "AccessControlUnauthorizedAccount",
        [f.stranger.account.address, REGULATOR_ROLE],
      );
      assert.deepEqual(await holdings(f), paused);
      assert.equal(paused.paused, true);
    });

    it("the regulator itself cannot bypass the Supervisor: the channels' pause needs their SUPERVISOR_ROLE", async () => {
      const f = await networkHelpers.loadFixture(deploySupervisedChannels);
      for (const who of [f.regulator, f.admin]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          f.channels.write.pause({ account: who.account }),
          f.channels,
          "AccessControlUnauthorizedAccount",
          [who.account.address, SUPERVISOR_ROLE],
        );
      }
      assert.equal(await f.channels.read.paused(), false);
    });

    it("pauseChannels: events on both contracts; open and deposit refused with ChannelPaused, nothing lost", async () => {
      const f = await networkHelpers.loadFixture(deploySupervisedChannels);
      const hash = await f.supervisor.write.pauseChannels({ account: f.regulator.account });
      await viem.assertions.emitWithArgs(Promise.resolve(hash), f.supervisor, "ChannelsPaused", [f.regulator.account.address]);
      await viem.assertions.emitWithArgs(Promise.resolve(hash), f.channels, "Paused", [f.supervisor.address]);
      assert.equal(await f.channels.read.paused(), true);

      const before = await holdings(f);
      await viem.assertions.revertWithCustomError(
        f.channels.write.open([f.bob.account.address, 10n * PLC, PERIOD], { account: f.alice.account }),
        f.channels,
        "ChannelPaused",
      );
      await viem.assertions.revertWithCustomError(f.channels.write.deposit([1n, PLC], { account: f.bob.account }), f.channels, "ChannelPaused");
      // A channel opened with nothing in it is refused too (the pause is about new channels, not amounts).
      await viem.assertions.revertWithCustomError(
        f.channels.write.open([f.bob.account.address, 0n, PERIOD], { account: f.alice.account }),
        f.channels,
        "ChannelPaused",
      );
      assert.deepEqual(await holdings(f), before, "balances, channel and id counter unchanged");

      // Unpause: both events; open and deposit work again.
      const hash2 = await f.supervisor.write.unpauseChannels({ account: f.regulator.account });
      await viem.assertions.emitWithArgs(Promise.resolve(hash2), f.supervisor, "ChannelsUnpaused", [f.regulator.account.address]);
      await viem.assertions.emitWithArgs(Promise.resolve(hash2), f.channels, "Unpaused", [f.supervisor.address]);
      await f.channels.write.deposit([1n, PLC], { account: f.bob.account });
      await f.channels.write.open([f.bob.account.address, PLC, PERIOD], { account: f.alice.account });
      assert.equal(await f.channels.read.nextChannelId(), 3n);
      assert.equal((await f.channels.read.getChannel([1n])).balanceBWei, 51n * PLC);
    });

    it("while paused: unilateral close, challenge, unlock, settle, withdraw and cooperative close all work and pay exactly", async () => {
      const f = await networkHelpers.loadFixture(deploySupervisedChannels);
      // Channel 2 (Alice → Bob, 10 PLC) for the cooperative close.
      await f.channels.write.open([f.bob.account.address, 10n * PLC, PERIOD], { account: f.alice.account });
      await f.supervisor.write.pauseChannels({ account: f.regulator.account });

      // Channel 1: Alice closes with a stale state; Bob challenges with the newest one (Alice paid
      // 6 PLC and locked 4 PLC for Bob); Bob unlocks with the secret; anyone settles; both withdraw.
      const secret = newSecret();
      const lock = {
        sender: f.alice.account.address,
        amountWei: 4n * PLC,
        expiryBlock: (await f.publicClient.getBlockNumber()) + 100n,
        hashlock: hashlockOf(secret),
      };
      const tree = new LockTree([lock]);
      const stale: BalanceProof = { channelId: 1n, nonce: 1n, transferredAToBWei: PLC, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
      const newest: BalanceProof = { channelId: 1n, nonce: 2n, transferredAToBWei: 6n * PLC, transferredBToAWei: 0n, locksRoot: tree.root };
      await f.channels.write.close([stale, await sign(f.alice, f.domain, stale), await sign(f.bob, f.domain, stale)], { account: f.alice.account });
      assert.equal((await f.channels.read.getChannel([1n])).status, Status.Closing);
      await f.channels.write.challenge([newest, await sign(f.alice, f.domain, newest), await sign(f.bob, f.domain, newest)], {
        account: f.bob.account,
      });
      await f.channels.write.unlock([1n, lock, secret, tree.proof(lock)], { account: f.stranger.account });
      await networkHelpers.mine(Number(PERIOD) + 1);
      await viem.assertions.emitWithArgs(f.channels.write.settle([1n], { account: f.stranger.account }), f.channels, "ChannelSettled", [
        1n,
        90n * PLC,
        60n * PLC,
      ]);
      await viem.assertions.emitWithArgs(f.channels.write.withdraw([1n], { account: f.alice.account }), f.channels, "ChannelWithdrawn", [
        1n,
        f.alice.account.address,
        90n * PLC,
      ]);
      await f.channels.write.withdraw([1n], { account: f.bob.account });

      // Channel 2: cooperative close (Alice pays Bob 3 PLC) and both withdrawals.
      await f.channels.write.cooperativeClose([
        2n,
        7n * PLC,
        3n * PLC,
        await signClose(f.alice, f.domain, 2n, 7n * PLC, 3n * PLC),
        await signClose(f.bob, f.domain, 2n, 7n * PLC, 3n * PLC),
      ]);
      await f.channels.write.withdraw([2n], { account: f.alice.account });
      await f.channels.write.withdraw([2n], { account: f.bob.account });

      assert.equal(await f.channels.read.paused(), true, "still paused throughout");
      // Alice: 1000 − 100 − 10 + 90 + 7; Bob: 1000 − 50 + 60 + 3; nothing left in the contract.
      assert.equal(await f.token.read.balanceOf([f.alice.account.address]), 987n * PLC);
      assert.equal(await f.token.read.balanceOf([f.bob.account.address]), 1_013n * PLC);
      assert.equal(await f.token.read.balanceOf([f.channels.address]), 0n);
      assert.equal((await f.channels.read.getChannel([1n])).status, Status.Settled);
      assert.equal((await f.channels.read.getChannel([2n])).status, Status.Settled);
    });

    it("pausing the channels leaves trading alone, and pausing trading leaves the channels alone", async () => {
      const f = await networkHelpers.loadFixture(deploySupervisedChannels);
      await f.supervisor.write.pauseChannels({ account: f.regulator.account });
      assert.equal(await f.market.read.paused(), false);
      await f.supervisor.write.unpauseChannels({ account: f.regulator.account });
      await f.supervisor.write.pauseTrading({ account: f.regulator.account });
      assert.equal(await f.channels.read.paused(), false);
      assert.equal(await f.market.read.paused(), true);
    });
  });
});
