/**
 * EnergyMarket: settlement on metered delivery (DeliverySettlement, run by the market).
 * Readings are signed by the meters' own keys, finalised by a quorum of the 4 validators and
 * recorded in the real MeterLedger; certificates are the real EnergyCertificate.
 * Worked examples are computed by hand in the comments and asserted exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress, zeroAddress, type Hex } from "viem";
import {
  marketFixtures,
  Side,
  TEST_PARAMS,
  DEPOSIT,
  ZERO_TARIFFS,
  SUPERVISOR_ROLE,
  Role,
  charge,
  payout,
  closeGate,
  orderIdOf,
  assertRevertsUnchanged,
  assertVaultSolvent,
  type MarketFixture,
  addr,
} from "../helpers/market.ts";
import { devnetMeterKey } from "../../../lib/consensus/meters.ts";
import { attestDeliveries, endDelivery, liveOrders, settleDelivered, soldByAccount, SETTLEMENT_TARIFFS as TARIFFS } from "../helpers/delivery.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const { deployWith } = marketFixtures(connection);

async function deployWithTariffs() {
  return deployWith({ ...TEST_PARAMS, maxOrdersPerSide: 100, minOrderWh: 1 }, TARIFFS);
}

const I = 0n;

async function clear(fx: MarketFixture, interval: bigint): Promise<Hex> {
  await closeGate(fx, interval);
  const [b, o] = await fx.market.read.sortHints([interval]);
  return fx.market.write.clear([interval, b, o]);
}

/*
 * The shortfall example (tariffs above, k = 1/2):
 *  b0 bob 300,000 × 1,000, b1 frank 300,000 × 500; o0 alice 100,000 × 900, o1 carol 100,000 × 600.
 *  Everything crosses: cleared 1,500 Wh; lo = 100,000, hi = 300,000 → price 200,000.
 *  Meters: alice exports 900 (all she sold), carol 300 of her 600 → D = 1,200.
 *  alice: gross 180,000, fee ceil(30,000 × 900 / 1000) = 27,000 → paid 153,000.
 *  carol: gross 60,000, fee 9,000 → paid 51,000; imbalance ceil(400,000 × 300 / 1000) = 120,000.
 *  Buyers in settlement order b0, b1: d0 = floor(1,000 × 1,200 / 1,500) = 800, d1 = 1,200 − 800 = 400;
 *  charges 160,000 and 80,000; refunds 140,000 and 70,000. Dust 240,000 − 240,000 = 0.
 *  DSO: fees 36,000 + imbalance 120,000 = 156,000. Certificates: bob 800, frank 400.
 */
async function shortfallExample() {
  const fx = await networkHelpers.loadFixture(deployWithTariffs);
  const { market, alice, bob, carol, frank } = fx;
  await market.write.placeBid([I, 300_000, 1_000], { account: bob.account });
  await market.write.placeBid([I, 300_000, 500], { account: frank.account });
  await market.write.placeOffer([I, 100_000, 900], { account: alice.account });
  await market.write.placeOffer([I, 100_000, 600], { account: carol.account });
  await clear(fx, I);
  return fx;
}

const b0 = orderIdOf(I, Side.Bid, 0);
const b1 = orderIdOf(I, Side.Bid, 1);
const o0 = orderIdOf(I, Side.Offer, 0);
const o1 = orderIdOf(I, Side.Offer, 1);

describe("EnergyMarket — settlement on metered delivery", () => {
  describe("the rule, worked example with a shortfall", () => {
    it("pays sellers for delivered energy minus grid fees, charges the shortfall, refunds buyers, certifies delivery", async () => {
      const fx = await shortfallExample();
      const { viem, market, ledger, certificate, alice, bob, carol, frank, dso } = fx;
      await attestDeliveries(fx, I, { [alice.account.address]: 900, [carol.account.address]: 300 });

      let hash = await market.write.settle([[o0, o1]]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 900n, 900n, 153_000n, 27_000n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(carol), 600n, 300n, 51_000n, 9_000n, 120_000n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [o1, addr(carol), I, 600, 300n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, ledger, "CreditScoreUpdated", [addr(carol), 10_000, 9_375, 600n, 300n]);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT + 153_000n);
      assert.equal(await market.read.freeBalanceOf([carol.account.address]), DEPOSIT + 51_000n - 120_000n);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 156_000n);
      assert.deepEqual(await market.read.sellerSettlementOf([I, carol.account.address]), [true, 600n, 300n]);
      assert.equal(await ledger.read.creditScoreOf([carol.account.address]), 9_375);
      assert.equal(await ledger.read.creditScoreOf([alice.account.address]), 10_000);
      // Sellers are credited before the buyers pay: the vault is short by exactly that, until they do.
      assert.deepEqual(await market.read.settlementOf([I]), {
        deliveredWh: 1_200n,
        buyersFilledWh: 0n,
        buyersDeliveredWh: 0n,
        sellersPaidWei: 240_000n,
        buyersChargedWei: 0n,
      });
      await assertVaultSolvent(fx, [I]);

      hash = await market.write.settle([[b0, b1]]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [b0, addr(bob), I, 1_000, 800n, 160_000n, 140_000n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [b1, addr(frank), I, 500, 400n, 80_000n, 70_000n]);
      await viem.assertions.emitWithArgs(hash, market, "IntervalSettled", [I, 1_200n, 240_000n, 240_000n, 0n]);
      await viem.assertions.emitWithArgs(hash, certificate, "CertificateMinted", [addr(bob), I, 800n]);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 160_000n);
      assert.equal(await market.read.freeBalanceOf([frank.account.address]), DEPOSIT - 80_000n);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      assert.equal(await certificate.read.balanceOf([bob.account.address, I]), 800n);
      assert.equal(await certificate.read.balanceOf([frank.account.address, I]), 400n);
      assert.equal(await certificate.read.mintedWh([I]), 1_200n);
      assert.equal(await certificate.read.balanceOf([carol.account.address, I]), 0n);
      assert.equal((await market.read.settlementOf([I])).buyersDeliveredWh, 1_200n);
      await assertVaultSolvent(fx);
    });

    it("a seller that exports more than it sold is paid for what it sold only", async () => {
      const fx = await shortfallExample();
      const { viem, market, alice, carol } = fx;
      await attestDeliveries(fx, I, { [alice.account.address]: 2_000, [carol.account.address]: 600 });
      const hash = await market.write.settle([[o0]]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 900n, 900n, 153_000n, 27_000n, 0n, 0n]);
    });

    it("a zone's own grid fee replaces the default for sellers of that zone", async () => {
      const fx = await shortfallExample();
      const { viem, market, registry, supervisor, bob, eve } = fx;
      // eve joins as a prosumer in zone 2, whose fee is 0.05 PLC/kWh from interval 1 on.
      const meter = devnetMeterKey(399);
      fx.meters.set(eve.account.address.toLowerCase(), meter);
      await registry.write.registerFor([eve.account.address, Role.Prosumer, meter.address, 2], { account: supervisor.account });
      const J = 1n;
      await market.write.scheduleZoneGridFee([2, 50_000, J], { account: supervisor.account });
      assert.equal(await market.read.zoneGridFeeFor([2, I]), 30_000);
      assert.equal(await market.read.zoneGridFeeFor([2, J]), 50_000);
      await market.write.placeBid([J, 300_000, 1_000], { account: bob.account });
      await market.write.placeOffer([J, 100_000, 1_000], { account: eve.account });
      await clear(fx, J);
      await attestDeliveries(fx, J);
      // price 200,000: gross 200,000, fee ceil(50,000 × 1,000 / 1000) = 50,000.
      const hash = await market.write.settle([[orderIdOf(J, Side.Offer, 0)]]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [J, addr(eve), 1_000n, 1_000n, 150_000n, 50_000n, 0n, 0n]);
    });
  });

  describe("bad input: clear errors, nothing lost", () => {
    it("before the readings are final: MarketReadingsNotFinal", async () => {
      const fx = await shortfallExample();
      await endDelivery(fx, I);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[o0]]), "MarketReadingsNotFinal", [I]);
    });

    it("a seller's reading missing: MarketReadingMissing until the grace ends, then it counts as 0 exported", async () => {
      const fx = await shortfallExample();
      const { viem, market, carol, alice, bob, frank, certificate } = fx;
      await attestDeliveries(fx, I, { [alice.account.address]: 900, [carol.account.address]: 600 }, { unrecorded: [carol.account.address] });
      const end = await market.read.intervalStartTime([I + 1n]);
      const graceEndsAt = end + (await market.read.READING_GRACE_SECONDS());
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[o0, o1]]), "MarketReadingMissing", [addr(carol), I, graceEndsAt]);
      await networkHelpers.time.increaseTo(graceEndsAt);
      // carol delivered nothing: imbalance on all 600 Wh, no payout; buyers pay for alice's 900 only.
      let hash = await market.write.settle([[o0, o1]]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(carol), 600n, 0n, 0n, 0n, 240_000n, 0n]);
      hash = await market.write.settle([[b1, b0]]);
      // Settlement order b1, b0: d(b1) = floor(500 × 900 / 1,500) = 300, d(b0) = 900 − 300 = 600.
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [b1, addr(frank), I, 500, 300n, 60_000n, 90_000n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [b0, addr(bob), I, 1_000, 600n, 120_000n, 180_000n]);
      assert.equal(await certificate.read.mintedWh([I]), 900n);
      await assertVaultSolvent(fx);
    });

    it("settling an order twice: MarketOrderAlreadySettled (also inside one batch)", async () => {
      const fx = await shortfallExample();
      await attestDeliveries(fx, I);
      await fx.market.write.settle([[o0]]);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[o1, o0]]), "MarketOrderAlreadySettled", [o0]);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[o1, o1]]), "MarketOrderAlreadySettled", [o1]);
      await fx.market.write.settle([[o1, b0, b1]]);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[b0]]), "MarketOrderAlreadySettled", [b0]);
      // A seller is paid once even though each of its offers is settled on its own.
      assert.equal(await fx.market.read.freeBalanceOf([fx.alice.account.address]), DEPOSIT + 153_000n);
    });

    it("buyers before all sellers: MarketSellersNotSettled", async () => {
      const fx = await shortfallExample();
      await attestDeliveries(fx, I);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[b0]]), "MarketSellersNotSettled", [I, 2n]);
      await fx.market.write.settle([[o1]]);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[b0, o0]]), "MarketSellersNotSettled", [I, 1n]);
    });

    it("a batch over MAX_SETTLE_BATCH: MarketSettleBatchTooLarge", async () => {
      const fx = await shortfallExample();
      await attestDeliveries(fx, I);
      const max = await fx.market.read.MAX_SETTLE_BATCH();
      assert.equal(max, 64n);
      const ids = [...Array(Number(max) + 1).keys()].map(() => o0);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([ids]), "MarketSettleBatchTooLarge", [65n, 64n]);
    });

    it("settlement not configured: MarketSettlementNotConfigured; configuration once, by the admin, non-zero", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { viem, admin, alice, bob, registry, token, dso, ledger, certificate } = fx;
      const bare = await viem.deployContract("EnergyMarket", [
        admin.account.address,
        registry.address,
        token.address,
        dso.account.address,
        { ...TEST_PARAMS },
        fx.genesisTime,
      ]);
      await registry.write.addListener([bare.address]);
      for (const w of [alice, bob]) {
        await bare.write.syncParticipant([w.account.address]);
        await token.write.mint([w.account.address, 1_000_000n]);
        await token.write.approve([bare.address, 1_000_000n], { account: w.account });
        await bare.write.deposit([1_000_000n], { account: w.account });
      }
      await bare.write.placeBid([I, 300_000, 1_000], { account: bob.account });
      await bare.write.placeOffer([I, 100_000, 1_000], { account: alice.account });
      await closeGate(fx, I);
      const [h1, h2] = await bare.read.sortHints([I]);
      await bare.write.clear([I, h1, h2]);
      await viem.assertions.revertWithCustomError(bare.write.settle([[o0]]), bare, "MarketSettlementNotConfigured");
      assert.equal(await bare.read.meterLedger(), zeroAddress);
      await viem.assertions.revertWithCustomErrorWithArgs(
        bare.write.configureSettlement([ledger.address, certificate.address, TARIFFS], { account: alice.account }),
        bare,
        "AccessControlUnauthorizedAccount",
        [addr(alice), `0x${"00".repeat(32)}`],
      );
      await viem.assertions.revertWithCustomError(
        bare.write.configureSettlement([zeroAddress, certificate.address, TARIFFS]),
        bare,
        "MarketZeroAddress",
      );
      const hash = await bare.write.configureSettlement([ledger.address, certificate.address, TARIFFS]);
      await viem.assertions.emitWithArgs(hash, bare, "SettlementConfigured", [
        getAddress(ledger.address),
        getAddress(fx.committee.address),
        getAddress(certificate.address),
      ]);
      await viem.assertions.emitWithArgs(hash, bare, "GridTariffsScheduled", [0n, TARIFFS]);
      assert.equal(await bare.read.meterLedger(), getAddress(ledger.address));
      assert.equal(await bare.read.energyCertificate(), getAddress(certificate.address));
      await viem.assertions.revertWithCustomError(
        bare.write.configureSettlement([ledger.address, certificate.address, ZERO_TARIFFS]),
        bare,
        "MarketSettlementAlreadyConfigured",
      );
      assert.deepEqual(await bare.read.gridTariffsFor([I]), TARIFFS);
    });

    it("the settlement module refuses direct calls, and its view plumbing serves only the market", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { viem, market, alice } = fx;
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.delegatedView(["0x"], { account: alice.account }),
        market,
        "MarketOnlySelf",
        [addr(alice)],
      );
      // The module's address is the market's first contract creation (nonce 1).
      const { getContractAddress } = await import("viem");
      const moduleAddress = getContractAddress({ from: market.address, nonce: 1n });
      const module = await viem.getContractAt("DeliverySettlement", moduleAddress);
      await viem.assertions.revertWithCustomErrorWithArgs(module.write.settle([[]], { account: alice.account }), market, "MarketOnlySelf", [
        addr(alice),
      ]);
    });
  });

  describe("debt: an imbalance the seller cannot pay", () => {
    it("takes what is there, records the rest as debt that blocks new orders, repaid from later credits", async () => {
      const fx = await shortfallExample();
      const { viem, market, carol, alice, bob, dso } = fx;
      // carol withdraws all but 20,000: her payout 51,000 + 20,000 covers 71,000 of the 120,000 imbalance.
      await market.write.withdraw([DEPOSIT - 20_000n], { account: carol.account });
      await attestDeliveries(fx, I, { [alice.account.address]: 900, [carol.account.address]: 300 });
      const hash = await market.write.settle([[o1]]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(carol), 600n, 300n, 51_000n, 9_000n, 120_000n, 49_000n]);
      assert.equal(await market.read.freeBalanceOf([carol.account.address]), 0n);
      assert.equal(await market.read.debtOf([carol.account.address]), 49_000n);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 9_000n + 71_000n);
      // Blocked: new orders and takes.
      const J = 2n;
      await market.write.placeOffer([J, 100_000, 500], { account: alice.account });
      for (const [run, args] of [
        [() => market.write.placeOffer([J, 100_000, 500], { account: carol.account }), [addr(carol), 49_000n]],
        [() => market.write.placeBid([J, 100_000, 500], { account: carol.account }), [addr(carol), 49_000n]],
        [() => market.write.take([orderIdOf(J, Side.Offer, 0), 100], { account: carol.account }), [addr(carol), 49_000n]],
      ] as const) {
        await assertRevertsUnchanged(fx, J, run, "MarketAccountInDebt", [...args]);
      }
      // A registry update keeps the debt flag.
      await market.write.syncParticipant([carol.account.address]);
      await assertRevertsUnchanged(fx, J, () => market.write.placeOffer([J, 100_000, 500], { account: carol.account }), "MarketAccountInDebt", [
        addr(carol),
        49_000n,
      ]);
      // A take of carol's resting offer would credit her: here a deposit repays part, then the rest.
      await fx.token.write.approve([market.address, 100_000n], { account: carol.account });
      let repay = await market.write.deposit([30_000n], { account: carol.account });
      await viem.assertions.emitWithArgs(repay, market, "DebtRepaid", [addr(carol), 30_000n, 19_000n]);
      assert.equal(await market.read.freeBalanceOf([carol.account.address]), 0n);
      repay = await market.write.deposit([50_000n], { account: carol.account });
      await viem.assertions.emitWithArgs(repay, market, "DebtRepaid", [addr(carol), 19_000n, 0n]);
      assert.equal(await market.read.freeBalanceOf([carol.account.address]), 31_000n);
      assert.equal(await market.read.debtOf([carol.account.address]), 0n);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 9_000n + 120_000n);
      await market.write.placeOffer([J, 100_000, 500], { account: carol.account });
      // The buyers are unaffected by the seller's debt.
      await market.write.settle([[o0, b0, b1]]);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 160_000n);
      await assertVaultSolvent(fx);
    });
  });

  describe("grid tariffs are versioned by interval", () => {
    it("only the supervisor schedules them, never for a gated interval; a settled interval keeps its own", async () => {
      const fx = await shortfallExample(); // interval 0 is gated (cleared)
      const { viem, market, supervisor, alice } = fx;
      const next = { ...TARIFFS, imbalanceWeiPerKWh: 1_000_000, defaultZoneFeeWeiPerKWh: 0 };
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.scheduleGridTariffs([next, 5n], { account: alice.account }),
        market,
        "AccessControlUnauthorizedAccount",
        [addr(alice), SUPERVISOR_ROLE],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.scheduleZoneGridFee([1, 1, 5n], { account: alice.account }),
        market,
        "AccessControlUnauthorizedAccount",
        [addr(alice), SUPERVISOR_ROLE],
      );
      const gate = await market.read.gateClosureTime([I]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.scheduleGridTariffs([next, I], { account: supervisor.account }),
        market,
        "MarketParamsIntervalGated",
        [I, gate],
      );
      const hash = await market.write.scheduleGridTariffs([next, 5n], { account: supervisor.account });
      await viem.assertions.emitWithArgs(hash, market, "GridTariffsScheduled", [5n, next]);
      assert.deepEqual(await market.read.gridTariffsFor([I]), TARIFFS);
      assert.deepEqual(await market.read.gridTariffsFor([4n]), TARIFFS);
      assert.deepEqual(await market.read.gridTariffsFor([5n]), next);
      // Replacing from an earlier interval drops the later version.
      await market.write.scheduleGridTariffs([ZERO_TARIFFS, 3n], { account: supervisor.account });
      assert.deepEqual(await market.read.gridTariffsFor([9n]), ZERO_TARIFFS);
      // Interval 0 settles with its own tariffs (imbalance 0.40, fee 0.03).
      await attestDeliveries(fx, I, { [alice.account.address]: 900, [fx.carol.account.address]: 300 });
      const settled = await market.write.settle([[o1]]);
      await viem.assertions.emitWithArgs(settled, market, "SellerSettled", [I, addr(fx.carol), 600n, 300n, 51_000n, 9_000n, 120_000n, 0n]);
    });
  });

  describe("property: random books and random metered deliveries", () => {
    it("money and energy add up exactly for every interval", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { market, certificate, alice, bob, carol, dave, frank, dso } = fx;
      let seed = 20_261_125;
      const rnd = (n: number) => {
        seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
        return seed % n;
      };
      const buyers = [bob, frank, dave];
      const sellers = [alice, carol, dave];
      const everyone = [alice, bob, carol, dave, frank, dso];
      const p = TARIFFS;
      // Every other interval: settling one moves time past its delivery, i.e. into the next.
      for (let interval = 0n; interval < 16n; interval += 2n) {
        const nb = 1 + rnd(7);
        const no = 1 + rnd(7);
        for (let i = 0; i < nb; i++) {
          await market.write.placeBid([interval, 150_000 + rnd(150_000), 1 + rnd(900)], { account: buyers[rnd(3)].account });
        }
        for (let i = 0; i < no; i++) {
          await market.write.placeOffer([interval, 50_000 + rnd(200_000), 1 + rnd(900)], { account: sellers[rnd(3)].account });
        }
        await clear(fx, interval);
        const state = await market.read.intervalState([interval]);
        const sold = await soldByAccount(fx, interval);
        const exports: Record<string, number> = {};
        for (const [account, wh] of sold) exports[account] = rnd(4) === 0 ? wh : Math.floor((wh * rnd(130)) / 100);
        const before = await Promise.all(
          everyone.map(async (w) => (await market.read.freeBalanceOf([w.account.address])) + (await market.read.lockedBalanceOf([w.account.address]))),
        );
        await settleDelivered(fx, interval, exports);
        const after = await Promise.all(
          everyone.map(async (w) => (await market.read.freeBalanceOf([w.account.address])) + (await market.read.lockedBalanceOf([w.account.address]))),
        );
        // Expected: sellers gross − fee − imbalance; DSO fees + imbalance + dust; D = Σ min(E, S).
        let delivered = 0n;
        let gross = 0n;
        let fees = 0n;
        let imbalance = 0n;
        for (const [account, s] of sold) {
          const d = BigInt(Math.min(exports[account], s));
          delivered += d;
          const g = payout(state.clearingPriceWeiPerKWh, d);
          let f = charge(p.defaultZoneFeeWeiPerKWh, d);
          if (f > g) f = g;
          gross += g;
          fees += f;
          imbalance += charge(p.imbalanceWeiPerKWh, BigInt(s) - d);
        }
        const st = await market.read.settlementOf([interval]);
        assert.equal(st.deliveredWh, delivered);
        assert.equal(st.buyersDeliveredWh, delivered, "Σ d_k == D");
        assert.equal(st.sellersPaidWei, gross);
        assert.equal(await certificate.read.mintedWh([interval]), delivered, "certificates == attested delivered Wh");
        const dust = st.buyersChargedWei - st.sellersPaidWei;
        assert.ok(dust >= 0n);
        const deltas = after.map((a, i) => a - before[i]);
        assert.equal(deltas[5], fees + imbalance + dust, "DSO receives fees, imbalance and dust");
        assert.equal(deltas.reduce((a, d) => a + d, 0n), 0n, "nothing created or lost");
        assert.ok((await liveOrders(fx, interval)).bids.every((b) => b.settled));
        assert.equal((await market.read.intervalState([interval])).unsettledOrders, 0);
        await assertVaultSolvent(fx);
      }
    });
  });
});
