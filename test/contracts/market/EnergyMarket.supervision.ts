/**
 * EnergyMarket: the regulator's controls (pause, versioned parameters) and the participant cache.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress } from "viem";
import {
  marketFixtures,
  Side,
  TEST_PARAMS,
  DEPOSIT,
  SUPERVISOR_ROLE,
  Role,
  closeGate,
  hints,
  orderIdOf,
  assertRevertsUnchanged,
  assertVaultSolvent,
  type MarketFixture,
} from "../helpers/market.ts";
import { attestDeliveries } from "../helpers/delivery.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const { deployMarket } = marketFixtures(connection);

const I = 0n;
const addr = (w: MarketFixture["alice"]) => getAddress(w.account.address);

async function withBook() {
  const fx = await networkHelpers.loadFixture(deployMarket);
  await fx.market.write.placeBid([I, 300_000, 1_000], { account: fx.bob.account });
  await fx.market.write.placeOffer([I, 100_000, 2_000], { account: fx.alice.account });
  return fx;
}

describe("EnergyMarket — supervision", () => {
  describe("pause", () => {
    it("stops new orders and takes; cancel, withdraw, clear and settle keep working", async () => {
      const fx = await withBook();
      const { viem, market, supervisor, alice, bob, dave } = fx;
      const hash = await market.write.pause({ account: supervisor.account });
      await viem.assertions.emitWithArgs(hash, market, "Paused", [addr(supervisor)]);
      assert.equal(await market.read.paused(), true);
      const offer = orderIdOf(I, Side.Offer, 0);
      for (const run of [
        () => market.write.placeBid([I, 300_000, 1_000], { account: bob.account }),
        () => market.write.placeOffer([I, 300_000, 1_000], { account: alice.account }),
        () => market.write.placeAddressedOffer([I, 300_000, 1_000, bob.account.address], { account: alice.account }),
        () => market.write.take([offer, 500], { account: dave.account }),
      ]) {
        await assertRevertsUnchanged(fx, I, run, "MarketPaused", []);
      }
      // Withdrawing free funds and cancelling still work.
      await market.write.withdraw([1n], { account: bob.account });
      await market.write.cancel([offer], { account: alice.account });
      await market.write.unpause({ account: supervisor.account });
      await market.write.placeOffer([I, 100_000, 2_000], { account: alice.account });
      await market.write.pause({ account: supervisor.account });
      // Clearing and settling what already happened work while paused.
      await closeGate(fx, I);
      await market.write.clear([I, hints([0]), hints([1])]);
      await attestDeliveries(fx, I);
      await market.write.settle([[orderIdOf(I, Side.Offer, 1), orderIdOf(I, Side.Bid, 0)]]);
      // b0 300,000 × 1,000 fills 1,000 of o1 100,000 × 2,000: hi = min(300,000, o1 100,000) → 100,000.
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 1n - 100_000n);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT + 100_000n);
      await market.write.withdraw([DEPOSIT + 100_000n], { account: alice.account });
      await assertVaultSolvent(fx);
    });

    it("unpause resumes trading and emits Unpaused", async () => {
      const fx = await withBook();
      const { viem, market, supervisor, bob } = fx;
      await market.write.pause({ account: supervisor.account });
      const hash = await market.write.unpause({ account: supervisor.account });
      await viem.assertions.emitWithArgs(hash, market, "Unpaused", [addr(supervisor)]);
      assert.equal(await market.read.paused(), false);
      await market.write.placeBid([I, 300_000, 1_000], { account: bob.account });
    });

    it("only the supervisor role may pause, unpause or schedule parameters", async () => {
      const fx = await withBook();
      const { market, eve, admin } = fx;
      for (const who of [eve, admin]) {
        for (const run of [
          () => market.write.pause({ account: who.account }),
          () => market.write.unpause({ account: who.account }),
          () => market.write.scheduleParams([TEST_PARAMS, 5n], { account: who.account }),
        ]) {
          await assertRevertsUnchanged(fx, I, run, "AccessControlUnauthorizedAccount", [addr(who), SUPERVISOR_ROLE]);
        }
      }
    });
  });

  describe("scheduleParams", () => {
    it("applies from the given interval on; earlier intervals keep theirs", async () => {
      const fx = await withBook();
      const { viem, market, supervisor, bob } = fx;
      const next = { ...TEST_PARAMS, priceCapWeiPerKWh: 500_000, kNumerator: 0 };
      const hash = await market.write.scheduleParams([next, 2n], { account: supervisor.account });
      await viem.assertions.emitWithArgs(hash, market, "MarketParamsScheduled", [2n, next]);
      assert.deepEqual(await market.read.paramsFor([1n]), TEST_PARAMS);
      assert.deepEqual(await market.read.paramsFor([2n]), next);
      assert.deepEqual(await market.read.paramsFor([99n]), next);
      await market.write.placeBid([1n, 900_000, 1_000], { account: bob.account });
      await assertRevertsUnchanged(
        fx,
        2n,
        () => market.write.placeBid([2n, 900_000, 1_000], { account: bob.account }),
        "MarketPriceAboveCap",
        [900_000n, 500_000n],
      );
    });

    it("an offer left outside a lowered cap cannot be taken", async () => {
      const fx = await withBook();
      const { market, supervisor, alice, bob } = fx;
      await market.write.placeOffer([2n, 900_000, 1_000], { account: alice.account });
      await market.write.scheduleParams([{ ...TEST_PARAMS, priceCapWeiPerKWh: 800_000 }, 2n], { account: supervisor.account });
      await assertRevertsUnchanged(
        fx,
        2n,
        () => market.write.take([orderIdOf(2n, Side.Offer, 0), 500], { account: bob.account }),
        "MarketPriceAboveCap",
        [900_000n, 800_000n],
      );
    });

    it("currentInterval follows the clock from genesis", async () => {
      const fx = await withBook();
      const { market, genesisTime } = fx;
      await networkHelpers.time.increaseTo(genesisTime + 5n * 900n + 1n);
      assert.equal(await market.read.currentInterval(), 5n);
    });

    it("an already-gated interval keeps its k and cap", async () => {
      const fx = await withBook();
      const { market, supervisor, dave } = fx;
      // Leave 1,000 Wh of the offer, so both sides are used up: lo 100,000, hi 300,000.
      await market.write.take([orderIdOf(I, Side.Offer, 0), 1_000], { account: dave.account });
      await closeGate(fx, I);
      // k = 0 and a cap below the resting bid, from interval 1 on.
      await market.write.scheduleParams([{ ...TEST_PARAMS, kNumerator: 0, priceCapWeiPerKWh: 200_000 }, 1n], {
        account: supervisor.account,
      });
      await market.write.clear([I, hints([0]), hints([0])]);
      // Interval 0 still uses k = 1/2 and cap 1 PLC: lo 100,000, hi 300,000 → 200,000.
      const state = await market.read.intervalState([I]);
      assert.deepEqual([state.clearingPriceWeiPerKWh, state.clearedWh], [200_000, 1_000n]);
    });

    it("rejects a change aimed at a gated interval (also when the new gate lead would gate it)", async () => {
      const fx = await withBook();
      const { market, supervisor } = fx;
      const gate0 = await market.read.gateClosureTime([I]);
      await closeGate(fx, I);
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.scheduleParams([TEST_PARAMS, 0n], { account: supervisor.account }),
        "MarketParamsIntervalGated",
        [0n, gate0],
      );
      // Now is interval 0's gate (its start − 300 s); interval 1 starts 900 s later. A gate lead of
      // 1,300 s would have closed interval 1's gate 100 s ago.
      const start1 = await market.read.intervalStartTime([1n]);
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.scheduleParams([{ ...TEST_PARAMS, gateLeadSeconds: 1_300 }, 1n], { account: supervisor.account }),
        "MarketParamsIntervalGated",
        [1n, start1 - 1_300n],
      );
      // With 1,000 s it is still open (gate 200 s from now): accepted.
      await market.write.scheduleParams([{ ...TEST_PARAMS, gateLeadSeconds: 1_000 }, 1n], { account: supervisor.account });
    });

    it("never replaces a later version whose first interval is already gated (longer gate lead)", async () => {
      const fx = await withBook();
      const { market, supervisor, genesisTime } = fx;
      // From interval 10 on, gates close 8,500 s ahead: interval 10 (start g + 9,000) gates at g + 500,
      // before interval 9 (start g + 8,100, gate g + 7,800).
      await market.write.scheduleParams([{ ...TEST_PARAMS, gateLeadSeconds: 8_500 }, 10n], { account: supervisor.account });
      assert.equal(await market.read.gateClosureTime([10n]), genesisTime + 500n);
      await networkHelpers.time.increaseTo(genesisTime + 600n);
      await assertRevertsUnchanged(
        fx,
        9n,
        () => market.write.scheduleParams([TEST_PARAMS, 9n], { account: supervisor.account }),
        "MarketParamsIntervalGated",
        [10n, genesisTime + 500n],
      );
      assert.equal(await market.read.gateClosureTime([10n]), genesisTime + 500n);
      // Scheduling from after the gated version is fine.
      await market.write.scheduleParams([TEST_PARAMS, 12n], { account: supervisor.account });
      assert.equal(await market.read.gateClosureTime([11n]), genesisTime + 900n * 11n - 8_500n);
    });

    it("rejects invalid parameters", async () => {
      const fx = await withBook();
      const { market, supervisor } = fx;
      for (const [params, from] of [
        [{ ...TEST_PARAMS, priceFloorWeiPerKWh: 0 }, 3n],
        [{ ...TEST_PARAMS, priceCapWeiPerKWh: 999 }, 3n],
        [{ ...TEST_PARAMS, maxOrdersPerSide: 1_001 }, 3n],
        [{ ...TEST_PARAMS, kNumerator: 3 }, 3n],
        [{ ...TEST_PARAMS, intervalSeconds: 0 }, 3n],
        [TEST_PARAMS, 1n << 32n],
      ] as const) {
        await assertRevertsUnchanged(
          fx,
          I,
          () => market.write.scheduleParams([params, from], { account: supervisor.account }),
          "MarketParamsInvalid",
          [],
        );
      }
    });

    it("a new interval length does not move gated intervals; later ones follow the new length", async () => {
      const fx = await withBook();
      const { market, supervisor, bob, genesisTime } = fx;
      await closeGate(fx, I);
      const start1 = await market.read.intervalStartTime([1n]);
      await market.write.scheduleParams([{ ...TEST_PARAMS, intervalSeconds: 60, gateLeadSeconds: 30 }, 1n], {
        account: supervisor.account,
      });
      assert.equal(await market.read.intervalStartTime([0n]), genesisTime);
      assert.equal(await market.read.gateClosureTime([0n]), genesisTime - 300n);
      assert.equal(await market.read.intervalStartTime([1n]), start1);
      assert.equal(await market.read.intervalStartTime([2n]), start1 + 60n);
      assert.equal(await market.read.gateClosureTime([5n]), start1 + 4n * 60n - 30n);
      // Interval 1 is open until 30 s before its (unchanged) start.
      await market.write.placeBid([1n, 300_000, 1_000], { account: bob.account });
      await networkHelpers.time.increaseTo(start1 + 2n * 60n + 5n);
      assert.equal(await market.read.currentInterval(), 3n);
    });

    it("re-scheduling replaces versions that start at or after the new one", async () => {
      const fx = await withBook();
      const { market, supervisor, genesisTime } = fx;
      const a = { ...TEST_PARAMS, priceCapWeiPerKWh: 700_000 };
      const b = { ...TEST_PARAMS, priceCapWeiPerKWh: 600_000, intervalSeconds: 600 };
      await market.write.scheduleParams([a, 5n], { account: supervisor.account });
      await market.write.scheduleParams([b, 3n], { account: supervisor.account });
      assert.deepEqual(await market.read.paramsFor([2n]), TEST_PARAMS);
      assert.deepEqual(await market.read.paramsFor([3n]), b);
      assert.deepEqual(await market.read.paramsFor([7n]), b);
      assert.equal(await market.read.intervalStartTime([4n]), genesisTime + 3n * 900n + 600n);
      // Orders for an interval older than the latest version use the older parameters.
      await market.write.placeBid([1n, 900_000, 1_000], { account: fx.bob.account });
      await market.write.placeOffer([1n, 900_000, 1_000], { account: fx.alice.account });
      const offer = orderIdOf(1n, Side.Offer, 0);
      await market.write.take([offer, 100], { account: fx.dave.account });
      await market.write.cancel([offer], { account: fx.alice.account });
    });
  });

  describe("participant cache", () => {
    it("mirrors the registry: roles, suspension, reinstatement, pending accounts", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { market, registry, supervisor, alice, bob, dave, eve, grace, wallets } = fx;
      assert.deepEqual(await market.read.traderStatus([alice.account.address]), [true, true, 1]);
      assert.deepEqual(await market.read.traderStatus([bob.account.address]), [true, false, 1]);
      assert.deepEqual(await market.read.traderStatus([dave.account.address]), [true, true, 1]);
      assert.deepEqual(await market.read.traderStatus([grace.account.address]), [false, false, 1]);
      assert.deepEqual(await market.read.traderStatus([eve.account.address]), [false, false, 0]);
      await registry.write.suspend([alice.account.address], { account: supervisor.account });
      assert.deepEqual(await market.read.traderStatus([alice.account.address]), [false, false, 1]);
      await registry.write.reinstate([alice.account.address], { account: supervisor.account });
      assert.deepEqual(await market.read.traderStatus([alice.account.address]), [true, true, 1]);
      // Self-registration is Pending (no trading) until the regulator approves.
      const newcomer = wallets[11];
      await registry.write.register([Role.Prosumer, getAddress("0x00000000000000000000000000000000000b0b00"), 4], {
        account: newcomer.account,
      });
      assert.deepEqual(await market.read.traderStatus([newcomer.account.address]), [false, false, 4]);
      await registry.write.approve([newcomer.account.address], { account: supervisor.account });
      assert.deepEqual(await market.read.traderStatus([newcomer.account.address]), [true, true, 4]);
    });

    it("a suspended account's resting orders stay; it may cancel and withdraw", async () => {
      const fx = await withBook();
      const { market, registry, supervisor, bob } = fx;
      await registry.write.suspend([bob.account.address], { account: supervisor.account });
      await market.write.cancel([orderIdOf(I, Side.Bid, 0)], { account: bob.account });
      await market.write.withdraw([DEPOSIT], { account: bob.account });
      await assertVaultSolvent(fx);
    });

    it("only the registry may push updates", async () => {
      const fx = await withBook();
      const { market, eve } = fx;
      await assertRevertsUnchanged(
        fx,
        I,
        () =>
          market.write.onParticipantUpdated(
            [eve.account.address, { role: Role.Prosumer, status: 2, zone: 1, meter: eve.account.address }],
            { account: eve.account },
          ),
        "MarketOnlyRegistry",
        [addr(eve)],
      );
      assert.deepEqual(await market.read.traderStatus([eve.account.address]), [false, false, 0]);
    });

    it("syncParticipant copies accounts registered before the market subscribed", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { viem, registry, token, dso, admin, alice } = fx;
      const late = await viem.deployContract("EnergyMarket", [
        admin.account.address,
        registry.address,
        token.address,
        dso.account.address,
        TEST_PARAMS,
        fx.genesisTime,
      ]);
      assert.deepEqual(await late.read.traderStatus([alice.account.address]), [false, false, 0]);
      await late.write.syncParticipant([alice.account.address]);
      assert.deepEqual(await late.read.traderStatus([alice.account.address]), [true, true, 1]);
      await late.write.placeOffer([I, 100_000, 1_000], { account: alice.account });
      assert.equal((await late.read.getOrder([orderIdOf(I, Side.Offer, 0)])).owner, addr(alice));
    });
  });
});
