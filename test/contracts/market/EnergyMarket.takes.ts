/**
 * EnergyMarket: bilateral takes settle on metered delivery, like auction trades.
 * At take time the buyer's ceil(p × Wh / 1000) is locked in escrow; at settlement the take's share
 * d_t of its seller's delivery is paid at the offer's price (buyer ceil, seller floor minus its
 * zone's grid fee on d_t — the auction's rule, capped at that payment — the fee and the dust to the
 * DSO) and the rest of the lock is refunded. Worked examples are computed by hand and asserted exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import type { Hex } from "viem";
import {
  marketFixtures,
  Side,
  TEST_PARAMS,
  DEPOSIT,
  closeGate,
  orderIdOf,
  assertRevertsUnchanged,
  assertVaultSolvent,
  type MarketFixture,
  addr,
} from "../helpers/market.ts";
import { attestDeliveries, endDelivery, SETTLEMENT_TARIFFS as TARIFFS } from "../helpers/delivery.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const { deployWith } = marketFixtures(connection);

async function deployWithTariffs() {
  return deployWith({ ...TEST_PARAMS, maxOrdersPerSide: 100, minOrderWh: 1 }, TARIFFS);
}

const I = 0n;
/** The n-th take of an interval: interval << 40 | 2 << 32 | n. */
const takeIdOf = (interval: bigint, n: number) => (interval << 40n) | (2n << 32n) | BigInt(n);

async function clear(fx: MarketFixture, interval: bigint): Promise<Hex> {
  await closeGate(fx, interval);
  const [b, o] = await fx.market.read.sortHints([interval]);
  return fx.market.write.clear([interval, b, o]);
}

const o0 = orderIdOf(I, Side.Offer, 0);
const b0 = orderIdOf(I, Side.Bid, 0);
const t0 = takeIdOf(I, 0);
const t1 = takeIdOf(I, 1);

/*
 * alice offers o0 100,001 × 600. bob takes 300 (t0, lock ceil(30,000.3) = 30,001), frank takes 100
 * (t1, lock ceil(10,000.1) = 10,001): 200 Wh stay in the auction. bob bids b0 300,001 × 200 (lock
 * 60,001). Clearing (k = 1/2): 200 Wh at (100,001 + 300,001) / 2 = 200,001.
 * alice: auction A = 200, takes T = 400, S = 600.
 */
async function takeAndAuction() {
  const fx = await networkHelpers.loadFixture(deployWithTariffs);
  const { market, alice, bob, frank } = fx;
  await market.write.placeOffer([I, 100_001, 600], { account: alice.account });
  await market.write.take([o0, 300], { account: bob.account });
  await market.write.take([o0, 100], { account: frank.account });
  await market.write.placeBid([I, 300_001, 200], { account: bob.account });
  assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 30_001n + 60_001n);
  assert.equal(await market.read.lockedBalanceOf([frank.account.address]), 10_001n);
  assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT);
  await clear(fx, I);
  return fx;
}

describe("EnergyMarket — takes settle on metered delivery", () => {
  it("take + auction fill on one seller, with a shortfall: exact money, certificates, dust to the DSO", async () => {
    const fx = await takeAndAuction();
    const { viem, market, certificate, alice, bob, frank, dso } = fx;
    // alice exports 450 of 600: D = 450; auction part floor(450 × 200 / 600) = 150, takes' part 300.
    await attestDeliveries(fx, I, { [alice.account.address]: 450 });
    // Settling t1 first settles alice: gross floor(200,001 × 150 / 1000) = 30,000, fee
    // ceil(30,000 × 150 / 1000) = 4,500 → 25,500; imbalance ceil(400,000 × 150 / 1000) = 60,000.
    // t1: d = floor(100 × 300 / 400) = 75, pays ceil(7,500.075) = 7,501, refund 2,500; alice gross
    // 7,500 − fee ceil(30,000 × 75 / 1000) = 2,250 → 5,250; the DSO 2,250 + dust 1.
    let hash = await market.write.settle([[t1]]);
    await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 600n, 450n, 25_500n, 4_500n, 60_000n, 0n]);
    await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t1, addr(frank), I, 100, 75n, 7_501n, 2_500n]);
    await viem.assertions.emitWithArgs(hash, market, "EscrowedTakeSettled", [t1, addr(alice), 75n, 5_250n, 2_250n]);
    await viem.assertions.emitWithArgs(hash, certificate, "CertificateMinted", [addr(frank), I, 75n]);
    assert.deepEqual(await market.read.sellerSettlementOf([I, alice.account.address]), [true, 600n, 450n]);
    assert.equal(await market.read.freeBalanceOf([frank.account.address]), DEPOSIT - 7_501n);
    assert.equal(await market.read.lockedBalanceOf([frank.account.address]), 0n);
    // t0: d = floor(400 × 300 / 400) − 75 = 225 (the takes' deliveries sum to 300 exactly),
    // pays ceil(22,500.225) = 22,501, refund 30,001 − 22,501 = 7,500; alice 22,500 − fee
    // ceil(30,000 × 225 / 1000) = 6,750 → 15,750; the DSO 6,750 + dust 1.
    hash = await market.write.settle([[t0, o0]]);
    await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t0, addr(bob), I, 300, 225n, 22_501n, 7_500n]);
    await viem.assertions.emitWithArgs(hash, market, "EscrowedTakeSettled", [t0, addr(alice), 225n, 15_750n, 6_750n]);
    // o0's informative share: floor(200 × 450 / 600) = 150.
    await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [o0, addr(alice), I, 200, 150n, 0n, 0n]);
    // b0: d = 150, pays ceil(200,001 × 150 / 1000) = 30,001, refund 30,000; interval dust 1.
    hash = await market.write.settle([[b0]]);
    await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [b0, addr(bob), I, 200, 150n, 30_001n, 30_000n]);
    await viem.assertions.emitWithArgs(hash, market, "IntervalSettled", [I, 150n, 30_001n, 30_000n, 1n]);
    assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT + 25_500n - 60_000n + 5_250n + 15_750n);
    assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 22_501n - 30_001n);
    assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
    // DSO: auction fee 4,500 + imbalance 60,000 + take fees 2,250 + 6,750 + take dust 1 + 1 + interval dust 1.
    assert.equal(await market.read.freeBalanceOf([dso.account.address]), 73_503n);
    assert.equal(await certificate.read.balanceOf([bob.account.address, I]), 375n);
    assert.equal(await certificate.read.mintedWh([I]), 450n);
    await assertVaultSolvent(fx);
  });

  it("a take fully delivered: the seller gets floor(p × Wh / 1000) minus its zone's grid fee, the buyer pays its whole lock", async () => {
    const fx = await takeAndAuction();
    const { viem, market, alice, bob, frank, dso } = fx;
    await attestDeliveries(fx, I, { [alice.account.address]: 600 });
    const hash = await market.write.settle([[t0, t1, o0, b0]]);
    await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 600n, 600n, 34_000n, 6_000n, 0n, 0n]);
    await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t0, addr(bob), I, 300, 300n, 30_001n, 0n]);
    await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t1, addr(frank), I, 100, 100n, 10_001n, 0n]);
    // Takes: t0 gross 30,000 − fee ceil(30,000 × 300 / 1000) = 9,000; t1 gross 10,000 − fee 3,000.
    await viem.assertions.emitWithArgs(hash, market, "EscrowedTakeSettled", [t0, addr(alice), 300n, 21_000n, 9_000n]);
    await viem.assertions.emitWithArgs(hash, market, "EscrowedTakeSettled", [t1, addr(alice), 100n, 7_000n, 3_000n]);
    // alice: auction gross floor(200,001 × 200 / 1000) = 40,000 − fee 6,000, takes 21,000 + 7,000.
    assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT + 34_000n + 21_000n + 7_000n);
    assert.equal(await market.read.freeBalanceOf([frank.account.address]), DEPOSIT - 10_001n);
    // b0 pays ceil(40,000.2) = 40,001: DSO fees 6,000 + 9,000 + 3,000 + take dust 1 + 1 + interval dust 1.
    assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 30_001n - 40_001n);
    assert.equal(await market.read.freeBalanceOf([dso.account.address]), 18_003n);
    await assertVaultSolvent(fx);
  });

  it("a seller with takes only (addressed offer): settled by its take", async () => {
    const fx = await networkHelpers.loadFixture(deployWithTariffs);
    const { viem, market, carol, bob, dso } = fx;
    await market.write.placeAddressedOffer([I, 200_000, 700, bob.account.address], { account: carol.account });
    await market.write.take([o0, 700], { account: bob.account });
    await clear(fx, I);
    await attestDeliveries(fx, I, { [carol.account.address]: 350 });
    const hash = await market.write.settle([[t0]]);
    // S = 700, D = 350, all of it the take's: bob pays 70,000; carol gets 70,000 − fee
    // ceil(30,000 × 350 / 1000) = 10,500 → 59,500; imbalance ceil(400,000 × 350 / 1000) = 140,000.
    await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(carol), 700n, 350n, 0n, 0n, 140_000n, 0n]);
    await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t0, addr(bob), I, 700, 350n, 70_000n, 70_000n]);
    await viem.assertions.emitWithArgs(hash, market, "EscrowedTakeSettled", [t0, addr(carol), 350n, 59_500n, 10_500n]);
    assert.equal(await market.read.freeBalanceOf([carol.account.address]), DEPOSIT + 59_500n - 140_000n);
    assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 70_000n);
    assert.equal(await market.read.freeBalanceOf([dso.account.address]), 140_000n + 10_500n);
    await assertVaultSolvent(fx);
  });

  describe("one grid-fee rule: the seller's zone fee on d_t, as for an auction sale", () => {
    /** carol (zone 1) offers 500 Wh at `price` to bob, who takes it all; she exports 333. */
    async function zoneFeeTake(feeWeiPerKWh: number, price: number) {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { market, supervisor, carol, bob } = fx;
      const [, , zone] = await market.read.traderStatus([carol.account.address]);
      await market.write.scheduleZoneGridFee([zone, feeWeiPerKWh, I], { account: supervisor.account });
      assert.equal(await market.read.zoneGridFeeFor([zone, I]), feeWeiPerKWh);
      await market.write.placeAddressedOffer([I, price, 500, bob.account.address], { account: carol.account });
      await market.write.take([o0, 500], { account: bob.account });
      await clear(fx, I);
      await attestDeliveries(fx, I, { [carol.account.address]: 333 });
      return fx;
    }

    it("uses the fee of the seller's own zone, not the default", async () => {
      const fx = await zoneFeeTake(50_000, 200_001);
      const { viem, market, carol, bob, dso } = fx;
      const hash = await market.write.settle([[t0]]);
      // d = 333: bob pays ceil(200,001 × 333 / 1000) = ceil(66,600.333) = 66,601 (lock 100,001,
      // refund 33,400); carol gross 66,600 − zone fee ceil(50,000 × 333 / 1000) = 16,650 → 49,950;
      // imbalance ceil(400,000 × 167 / 1000) = 66,800.
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(carol), 500n, 333n, 0n, 0n, 66_800n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t0, addr(bob), I, 500, 333n, 66_601n, 33_400n]);
      await viem.assertions.emitWithArgs(hash, market, "EscrowedTakeSettled", [t0, addr(carol), 333n, 49_950n, 16_650n]);
      assert.equal(await market.read.freeBalanceOf([carol.account.address]), DEPOSIT + 49_950n - 66_800n);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 66_601n);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      // DSO: imbalance 66,800 + fee 16,650 + dust 1.
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 66_800n + 16_650n + 1n);
      await assertVaultSolvent(fx);
    });

    it("a fee above the take's payment is capped at it: the seller gets nothing, the DSO all the buyer paid", async () => {
      const fx = await zoneFeeTake(250_000, 200_000);
      const { viem, market, carol, bob, dso } = fx;
      const hash = await market.write.settle([[t0]]);
      // d = 333: bob pays 66,600 (lock 100,000, refund 33,400); fee ceil(250,000 × 333 / 1000) =
      // 83,250 > gross 66,600: capped at 66,600, carol gets 0; imbalance 66,800.
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t0, addr(bob), I, 500, 333n, 66_600n, 33_400n]);
      await viem.assertions.emitWithArgs(hash, market, "EscrowedTakeSettled", [t0, addr(carol), 333n, 0n, 66_600n]);
      assert.equal(await market.read.freeBalanceOf([carol.account.address]), DEPOSIT - 66_800n);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 66_600n);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 66_800n + 66_600n);
      await assertVaultSolvent(fx);
    });
  });

  describe("bad input: clear errors, nothing lost", () => {
    it("before clearing: MarketNotCleared; before the readings are final: MarketReadingsNotFinal", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { market, alice, bob } = fx;
      await market.write.placeOffer([I, 100_001, 600], { account: alice.account });
      await market.write.take([o0, 300], { account: bob.account });
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t0]]), "MarketNotCleared", [I]);
      await clear(fx, I);
      await endDelivery(fx, I);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t0]]), "MarketReadingsNotFinal", [I]);
    });

    it("settling a take twice: MarketOrderAlreadySettled; an unknown take: MarketUnknownOrder", async () => {
      const fx = await takeAndAuction();
      await attestDeliveries(fx, I, { [fx.alice.account.address]: 600 });
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[t0, t0]]), "MarketOrderAlreadySettled", [t0]);
      await fx.market.write.settle([[t0]]);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[t0]]), "MarketOrderAlreadySettled", [t0]);
      const t2 = takeIdOf(I, 2);
      await assertRevertsUnchanged(fx, I, () => fx.market.write.settle([[t2]]), "MarketUnknownOrder", [t2]);
      await assertVaultSolvent(fx, [I]);
    });
  });
});
