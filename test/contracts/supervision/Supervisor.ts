import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress, keccak256, toBytes, zeroAddress, type Address } from "viem";

const { viem, networkHelpers } = await network.create();

const Role = { Prosumer: 1, Consumer: 2 } as const;
const Status = { Pending: 1, Approved: 2, Suspended: 3 } as const;
const Side = { Bid: 0, Offer: 1 } as const;

const REGULATOR_ROLE = keccak256(toBytes("REGULATOR_ROLE"));
const SUPERVISOR_ROLE = keccak256(toBytes("SUPERVISOR_ROLE"));

const PLC = 1_000_000n;
const INTERVAL_SECONDS = 900;
const GATE_LEAD_SECONDS = 300;

/** Market parameters at deployment: 0.000001 … 1 PLC/kWh, orders ≥ 100 Wh, k = 1/2, 15-minute intervals. */
const INITIAL_PARAMS = {
  priceCapWeiPerKWh: 1_000_000,
  priceFloorWeiPerKWh: 1,
  minOrderWh: 100,
  maxOrdersPerSide: 100,
  kNumerator: 1,
  kDenominator: 2,
  intervalSeconds: INTERVAL_SECONDS,
  gateLeadSeconds: GATE_LEAD_SECONDS,
};

const TARIFFS = { imbalanceWeiPerKWh: 400_000, retailWeiPerKWh: 300_000, feedInWeiPerKWh: 80_000, defaultZoneFeeWeiPerKWh: 30_000 };
const ZERO_TARIFFS = { imbalanceWeiPerKWh: 0, retailWeiPerKWh: 0, feedInWeiPerKWh: 0, defaultZoneFeeWeiPerKWh: 0 };

const METER_ALICE = getAddress("0x00000000000000000000000000000000000a0001");
const METER_BOB = getAddress("0x00000000000000000000000000000000000b0001");
const METER_CAROL = getAddress("0x00000000000000000000000000000000000c0001");

/**
 * The supervision wiring of a deployment: token, registry, market (listening to the registry),
 * and the Supervisor holding the market's SUPERVISOR_ROLE and the registry's REGULATOR_ROLE.
 * Alice (prosumer) and Bob (consumer) are approved and have 100 PLC each in the market's vault;
 * Carol registered herself and is pending.
 */
async function deploySupervision() {
  const [admin, regulator, alice, bob, carol, dso, stranger] = await viem.getWalletClients();
  const genesisTime = BigInt(await networkHelpers.time.latest());

  const token = await viem.deployContract("PaymentToken", [admin.account.address, false]);
  const registry = await viem.deployContract("ParticipantRegistry", [admin.account.address, regulator.account.address]);
  const market = await viem.deployContract("EnergyMarket", [
    admin.account.address,
    registry.address,
    token.address,
    dso.account.address,
    INITIAL_PARAMS,
    genesisTime,
  ]);
  await registry.write.addListener([market.address]);
  const supervisor = await viem.deployContract("Supervisor", [
    admin.account.address,
    regulator.account.address,
    market.address,
    registry.address,
  ]);
  await market.write.grantRole([SUPERVISOR_ROLE, supervisor.address]);
  await registry.write.grantRole([REGULATOR_ROLE, supervisor.address]);

  const asRegulator = { account: regulator.account };
  await registry.write.registerFor([alice.account.address, Role.Prosumer, METER_ALICE, 1], asRegulator);
  await registry.write.registerFor([bob.account.address, Role.Consumer, METER_BOB, 1], asRegulator);
  await registry.write.register([Role.Consumer, METER_CAROL, 1], { account: carol.account });
  for (const trader of [alice, bob]) {
    await token.write.mint([trader.account.address, 100n * PLC]);
    await token.write.approve([market.address, 100n * PLC], { account: trader.account });
    await market.write.deposit([100n * PLC], { account: trader.account });
  }

  /** An interval whose gate is still open for a while: two intervals ahead of the current one. */
  const openInterval = (await market.read.currentInterval()) + 2n;
  return { token, registry, market, supervisor, admin, regulator, alice, bob, carol, dso, stranger, asRegulator, openInterval };
}

type Fixture = Awaited<ReturnType<typeof deploySupervision>>;

/** Vault balances of the traders: must not move when a supervised call fails. */
async function vaultBalances({ market, alice, bob }: Fixture) {
  const accounts: Address[] = [alice.account.address, bob.account.address];
  return Promise.all(accounts.map(async (a) => [await market.read.freeBalanceOf([a]), await market.read.lockedBalanceOf([a])]));
}

describe("Supervisor", () => {
  describe("deployment", () => {
    it("points at the market and the registry and holds the roles it needs", async () => {
      const { supervisor, market, registry, regulator, admin } = await networkHelpers.loadFixture(deploySupervision);
      assert.equal(await supervisor.read.market(), getAddress(market.address));
      assert.equal(await supervisor.read.registry(), getAddress(registry.address));
      assert.equal(await supervisor.read.REGULATOR_ROLE(), REGULATOR_ROLE);
      assert.equal(await supervisor.read.hasRole([REGULATOR_ROLE, regulator.account.address]), true);
      assert.equal(await supervisor.read.hasRole([REGULATOR_ROLE, admin.account.address]), false);
      assert.equal(await market.read.hasRole([SUPERVISOR_ROLE, supervisor.address]), true);
      assert.equal(await registry.read.hasRole([REGULATOR_ROLE, supervisor.address]), true);
    });

    it("rejects zero addresses", async () => {
      const { supervisor, market, registry, admin, regulator } = await networkHelpers.loadFixture(deploySupervision);
      const good = [admin.account.address, regulator.account.address, market.address, registry.address] as const;
      for (let i = 0; i < good.length; i++) {
        const args = [...good] as [Address, Address, Address, Address];
        args[i] = zeroAddress;
        await viem.assertions.revertWithCustomError(viem.deployContract("Supervisor", args), supervisor, "SupervisorZeroAddress");
      }
    });
  });

  describe("access control", () => {
    it("rejects every action by a non-regulator with AccessControlUnauthorizedAccount(caller, REGULATOR_ROLE)", async () => {
      const fixture = await networkHelpers.loadFixture(deploySupervision);
      const { supervisor, market, registry, stranger, admin, alice, carol, openInterval } = fixture;
      const paramsBefore = await market.read.paramsFor([openInterval]);
      for (const caller of [stranger, admin, alice]) {
        const as = { account: caller.account };
        const expectUnauthorized = (call: Promise<`0x${string}`>) =>
          viem.assertions.revertWithCustomErrorWithArgs(call, supervisor, "AccessControlUnauthorizedAccount", [
            getAddress(caller.account.address),
            REGULATOR_ROLE,
          ]);
        await expectUnauthorized(supervisor.write.pauseTrading(as));
        await expectUnauthorized(supervisor.write.unpauseTrading(as));
        await expectUnauthorized(supervisor.write.setPriceLimits([10, 20, openInterval], as));
        await expectUnauthorized(supervisor.write.setMarketParams([INITIAL_PARAMS, openInterval], as));
        await expectUnauthorized(supervisor.write.setGridTariffs([TARIFFS, openInterval], as));
        await expectUnauthorized(supervisor.write.setZoneGridFee([1, 10, openInterval], as));
        await expectUnauthorized(supervisor.write.suspendParticipant([alice.account.address], as));
        await expectUnauthorized(supervisor.write.reinstateParticipant([alice.account.address], as));
        await expectUnauthorized(supervisor.write.approveParticipant([carol.account.address], as));
        await expectUnauthorized(supervisor.write.flagAccount([alice.account.address, "x"], as));
        await expectUnauthorized(supervisor.write.unflagAccount([alice.account.address], as));
      }
      // Nothing changed.
      assert.equal(await market.read.paused(), false);
      assert.deepEqual(await market.read.paramsFor([openInterval]), paramsBefore);
      assert.equal(await registry.read.isActive([alice.account.address]), true);
      assert.equal((await registry.read.participantOf([carol.account.address])).status, Status.Pending);
      assert.equal(await supervisor.read.isFlagged([alice.account.address]), false);
    });

    it("bubbles up the market's error when the Supervisor lacks SUPERVISOR_ROLE", async () => {
      const { supervisor, market, admin, asRegulator } = await networkHelpers.loadFixture(deploySupervision);
      await market.write.revokeRole([SUPERVISOR_ROLE, supervisor.address], { account: admin.account });
      await viem.assertions.revertWithCustomErrorWithArgs(supervisor.write.pauseTrading(asRegulator), market, "AccessControlUnauthorizedAccount", [
        getAddress(supervisor.address),
        SUPERVISOR_ROLE,
      ]);
      assert.equal(await market.read.paused(), false);
    });
  });

  describe("pause / unpause", () => {
    it("pauses new orders and takes, keeps cancel and withdraw working, and resumes", async () => {
      const fixture = await networkHelpers.loadFixture(deploySupervision);
      const { supervisor, market, regulator, alice, bob, asRegulator, openInterval } = fixture;
      // A resting bid placed before the pause.
      await market.write.placeBid([openInterval, 200_000, 1_000], { account: bob.account });
      const bidId = await market.read.orderId([openInterval, Side.Bid, 0]);

      const hash = await supervisor.write.pauseTrading(asRegulator);
      await viem.assertions.emitWithArgs(hash, supervisor, "TradingPaused", [getAddress(regulator.account.address)]);
      await viem.assertions.emitWithArgs(hash, market, "Paused", [getAddress(supervisor.address)]);
      assert.equal(await market.read.paused(), true);

      const before = await vaultBalances(fixture);
      await viem.assertions.revertWithCustomError(
        market.write.placeOffer([openInterval, 150_000, 500], { account: alice.account }),
        market,
        "MarketPaused",
      );
      await viem.assertions.revertWithCustomError(
        market.write.placeBid([openInterval, 150_000, 500], { account: bob.account }),
        market,
        "MarketPaused",
      );
      assert.deepEqual(await vaultBalances(fixture), before);

      // Cancelling and withdrawing are never stopped by a pause.
      await market.write.cancel([bidId], { account: bob.account });
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      await market.write.withdraw([10n * PLC], { account: bob.account });
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), 90n * PLC);

      const resumed = await supervisor.write.unpauseTrading(asRegulator);
      await viem.assertions.emitWithArgs(resumed, supervisor, "TradingUnpaused", [getAddress(regulator.account.address)]);
      await viem.assertions.emitWithArgs(resumed, market, "Unpaused", [getAddress(supervisor.address)]);
      assert.equal(await market.read.paused(), false);
      await market.write.placeOffer([openInterval, 150_000, 500], { account: alice.account });
      assert.equal((await market.read.intervalState([openInterval])).offerCount, 1);
    });
  });

  describe("price limits and market parameters", () => {
    it("sets floor and cap from a future interval on, leaving other parameters and earlier intervals alone", async () => {
      const { supervisor, market, regulator, bob, asRegulator, openInterval } = await networkHelpers.loadFixture(deploySupervision);
      const from = openInterval + 1n;
      const hash = await supervisor.write.setPriceLimits([50_000, 400_000, from], asRegulator);
      const expected = { ...INITIAL_PARAMS, priceFloorWeiPerKWh: 50_000, priceCapWeiPerKWh: 400_000 };
      await viem.assertions.emitWithArgs(hash, supervisor, "PriceLimitsSet", [getAddress(regulator.account.address), from, 50_000, 400_000]);
      await viem.assertions.emitWithArgs(hash, market, "MarketParamsScheduled", [from, expected]);
      assert.deepEqual(await market.read.paramsFor([from]), expected);
      assert.deepEqual(await market.read.paramsFor([from + 10n]), expected);
      assert.deepEqual(await market.read.paramsFor([openInterval]), INITIAL_PARAMS);

      // The market enforces them on orders for those intervals.
      const before = await market.read.freeBalanceOf([bob.account.address]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.placeBid([from, 400_001, 1_000], { account: bob.account }),
        market,
        "MarketPriceAboveCap",
        [400_001n, 400_000n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.placeBid([from, 49_999, 1_000], { account: bob.account }),
        market,
        "MarketPriceBelowFloor",
        [49_999n, 50_000n],
      );
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), before);
      // … but not on earlier intervals.
      await market.write.placeBid([openInterval, 900_000, 100], { account: bob.account });
    });

    it("rejects a zero floor or a floor above the cap, changing nothing", async () => {
      const { supervisor, market, asRegulator, openInterval } = await networkHelpers.loadFixture(deploySupervision);
      await viem.assertions.revertWithCustomErrorWithArgs(
        supervisor.write.setPriceLimits([0, 400_000, openInterval], asRegulator),
        supervisor,
        "SupervisorPriceLimitsInvalid",
        [0n, 400_000n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        supervisor.write.setPriceLimits([400_001, 400_000, openInterval], asRegulator),
        supervisor,
        "SupervisorPriceLimitsInvalid",
        [400_001n, 400_000n],
      );
      assert.deepEqual(await market.read.paramsFor([openInterval]), INITIAL_PARAMS);
      // floor == cap is a valid (fixed-price) setting.
      await supervisor.write.setPriceLimits([300_000, 300_000, openInterval], asRegulator);
      assert.equal((await market.read.paramsFor([openInterval])).priceFloorWeiPerKWh, 300_000);
    });

    it("bubbles up MarketParamsIntervalGated for an interval past its gate closure", async () => {
      const { supervisor, market, asRegulator } = await networkHelpers.loadFixture(deploySupervision);
      const current = await market.read.currentInterval();
      const gate = await market.read.gateClosureTime([current]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        supervisor.write.setPriceLimits([10, 20, current], asRegulator),
        market,
        "MarketParamsIntervalGated",
        [current, gate],
      );
      // Also the next interval once its gate has closed.
      const next = current + 1n;
      const nextGate = await market.read.gateClosureTime([next]);
      await networkHelpers.time.increaseTo(nextGate);
      await viem.assertions.revertWithCustomErrorWithArgs(
        supervisor.write.setMarketParams([INITIAL_PARAMS, next], asRegulator),
        market,
        "MarketParamsIntervalGated",
        [next, nextGate],
      );
      assert.deepEqual(await market.read.paramsFor([current]), INITIAL_PARAMS);
      assert.deepEqual(await market.read.paramsFor([next]), INITIAL_PARAMS);
    });

    it("sets every parameter with setMarketParams, and invalid parameters bubble up", async () => {
      const { supervisor, market, regulator, asRegulator, openInterval } = await networkHelpers.loadFixture(deploySupervision);
      const params = { ...INITIAL_PARAMS, minOrderWh: 250, kNumerator: 1, kDenominator: 3, maxOrdersPerSide: 50 };
      const hash = await supervisor.write.setMarketParams([params, openInterval], asRegulator);
      await viem.assertions.emitWithArgs(hash, supervisor, "MarketParamsSet", [getAddress(regulator.account.address), openInterval]);
      await viem.assertions.emitWithArgs(hash, market, "MarketParamsScheduled", [openInterval, params]);
      assert.deepEqual(await market.read.paramsFor([openInterval]), params);

      await viem.assertions.revertWithCustomError(
        supervisor.write.setMarketParams([{ ...params, kNumerator: 4, kDenominator: 3 }, openInterval + 1n], asRegulator),
        market,
        "MarketParamsInvalid",
      );
      assert.deepEqual(await market.read.paramsFor([openInterval + 1n]), params);
    });
  });

  describe("grid tariffs and zone fees", () => {
    it("forwards tariffs and zone fees to the market from a future interval on, with an audit event", async () => {
      const { supervisor, market, regulator, asRegulator, openInterval } = await networkHelpers.loadFixture(deploySupervision);
      const from = openInterval + 1n;
      let hash = await supervisor.write.setGridTariffs([TARIFFS, from], asRegulator);
      await viem.assertions.emitWithArgs(hash, supervisor, "GridTariffsSet", [getAddress(regulator.account.address), from]);
      await viem.assertions.emitWithArgs(hash, market, "GridTariffsScheduled", [from, TARIFFS]);
      assert.deepEqual(await market.read.gridTariffsFor([from + 5n]), TARIFFS);
      assert.deepEqual(await market.read.gridTariffsFor([openInterval]), ZERO_TARIFFS);
      assert.equal(await market.read.zoneGridFeeFor([7, from]), 30_000);
      hash = await supervisor.write.setZoneGridFee([7, 12_345, from + 2n], asRegulator);
      await viem.assertions.emitWithArgs(hash, supervisor, "ZoneGridFeeSet", [getAddress(regulator.account.address), 7, from + 2n, 12_345]);
      await viem.assertions.emitWithArgs(hash, market, "ZoneGridFeeScheduled", [7, from + 2n, 12_345]);
      assert.equal(await market.read.zoneGridFeeFor([7, from + 1n]), 30_000);
      assert.equal(await market.read.zoneGridFeeFor([7, from + 2n]), 12_345);
      assert.equal(await market.read.zoneGridFeeFor([8, from + 2n]), 30_000);
    });

    it("bubbles up the market's error for an interval whose gate has closed, changing nothing", async () => {
      const { supervisor, market, asRegulator } = await networkHelpers.loadFixture(deploySupervision);
      const current = await market.read.currentInterval();
      const gate = await market.read.gateClosureTime([current]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        supervisor.write.setGridTariffs([TARIFFS, current], asRegulator),
        market,
        "MarketParamsIntervalGated",
        [current, gate],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        supervisor.write.setZoneGridFee([1, 5, current], asRegulator),
        market,
        "MarketParamsIntervalGated",
        [current, gate],
      );
      assert.deepEqual(await market.read.gridTariffsFor([current]), ZERO_TARIFFS);
      assert.equal(await market.read.zoneGridFeeFor([1, current]), 0);
    });
  });

  describe("participants", () => {
    it("suspending through the Supervisor makes the market reject the account's orders; reinstating lifts it", async () => {
      const fixture = await networkHelpers.loadFixture(deploySupervision);
      const { supervisor, registry, market, alice, asRegulator, openInterval } = fixture;
      const who = getAddress(alice.account.address);
      const hash = await supervisor.write.suspendParticipant([who], asRegulator);
      await viem.assertions.emitWithArgs(hash, registry, "ParticipantStatusChanged", [who, Status.Approved, Status.Suspended]);
      assert.equal(await registry.read.isActive([who]), false);
      // The registry told the market in the same transaction.
      assert.deepEqual(await market.read.traderStatus([who]), [false, false, 1]);

      const before = await vaultBalances(fixture);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.placeOffer([openInterval, 150_000, 500], { account: alice.account }),
        market,
        "MarketNotParticipant",
        [who],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.placeBid([openInterval, 150_000, 500], { account: alice.account }),
        market,
        "MarketNotParticipant",
        [who],
      );
      assert.deepEqual(await vaultBalances(fixture), before);
      // A suspended account's money stays withdrawable.
      await market.write.withdraw([1n * PLC], { account: alice.account });
      assert.equal(await market.read.freeBalanceOf([who]), 99n * PLC);

      await viem.assertions.emitWithArgs(supervisor.write.reinstateParticipant([who], asRegulator), registry, "ParticipantStatusChanged", [
        who,
        Status.Suspended,
        Status.Approved,
      ]);
      assert.deepEqual(await market.read.traderStatus([who]), [true, true, 1]);
      await market.write.placeOffer([openInterval, 150_000, 500], { account: alice.account });
    });

    it("approves a pending participant, who can then trade", async () => {
      const { supervisor, registry, market, carol, asRegulator } = await networkHelpers.loadFixture(deploySupervision);
      const who = getAddress(carol.account.address);
      assert.deepEqual(await market.read.traderStatus([who]), [false, false, 1]);
      await viem.assertions.emitWithArgs(supervisor.write.approveParticipant([who], asRegulator), registry, "ParticipantStatusChanged", [
        who,
        Status.Pending,
        Status.Approved,
      ]);
      assert.equal(await registry.read.isActive([who]), true);
      assert.deepEqual(await market.read.traderStatus([who]), [true, false, 1]); // a consumer buys only
    });

    it("bubbles up the registry's errors, changing nothing", async () => {
      const { supervisor, registry, carol, stranger, asRegulator } = await networkHelpers.loadFixture(deploySupervision);
      await viem.assertions.revertWithCustomErrorWithArgs(
        supervisor.write.suspendParticipant([carol.account.address], asRegulator),
        registry,
        "RegistryInvalidStatus",
        [getAddress(carol.account.address), Status.Pending],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        supervisor.write.reinstateParticipant([stranger.account.address], asRegulator),
        registry,
        "RegistryNotRegistered",
        [getAddress(stranger.account.address)],
      );
      assert.equal((await registry.read.participantOf([carol.account.address])).status, Status.Pending);
    });
  });

  describe("flags", () => {
    it("flags with a reason (repeatable), unflags, and records who did it", async () => {
      const { supervisor, regulator, bob, asRegulator } = await networkHelpers.loadFixture(deploySupervision);
      const who = getAddress(bob.account.address);
      const by = getAddress(regulator.account.address);
      await viem.assertions.emitWithArgs(
        supervisor.write.flagAccount([who, "delivered 0 Wh of 1500 Wh traded"], asRegulator),
        supervisor,
        "AccountFlagged",
        [who, by, "delivered 0 Wh of 1500 Wh traded"],
      );
      assert.equal(await supervisor.read.isFlagged([who]), true);
      await viem.assertions.emitWithArgs(supervisor.write.flagAccount([who, "reading out of range"], asRegulator), supervisor, "AccountFlagged", [
        who,
        by,
        "reading out of range",
      ]);
      assert.equal(await supervisor.read.isFlagged([who]), true);

      await viem.assertions.emitWithArgs(supervisor.write.unflagAccount([who], asRegulator), supervisor, "AccountUnflagged", [who, by]);
      assert.equal(await supervisor.read.isFlagged([who]), false);
    });

    it("rejects unflagging an unflagged account and flagging the zero address", async () => {
      const { supervisor, bob, asRegulator } = await networkHelpers.loadFixture(deploySupervision);
      await viem.assertions.revertWithCustomErrorWithArgs(supervisor.write.unflagAccount([bob.account.address], asRegulator), supervisor, "SupervisorAccountNotFlagged", [
        getAddress(bob.account.address),
      ]);
      await viem.assertions.revertWithCustomError(supervisor.write.flagAccount([zeroAddress, "x"], asRegulator), supervisor, "SupervisorZeroAddress");
      assert.equal(await supervisor.read.isFlagged([bob.account.address]), false);
      assert.equal(await supervisor.read.isFlagged([zeroAddress]), false);
    });
  });
});
