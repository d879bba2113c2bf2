/**
 * EnergyMarket: channel-paid bilateral trades (issue #5, "Lightning for PowerLAN").
 * A seller posts an offer addressed to one buyer with `placeChannelOffer`; the buyer pays it
 * off-chain through payment channels, so `take` locks nothing (OfferTaken.paidWei 0) and settlement
 * on metered delivery moves no money between the two: the buyer gets certificates for its share of
 * the delivery, the seller pays its zone's grid fee on that share and its imbalance from its own
 * vault balance (debt if short). Worked examples are computed by hand and asserted exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { zeroAddress, type Hex } from "viem";
import {
  marketFixtures,
  Side,
  TEST_PARAMS,
  DEPOSIT,
  closeGate,
  orderIdOf,
  marketSnapshot,
  assertRevertsUnchanged,
  assertVaultSolvent,
  type MarketFixture,
  addr,
} from "../helpers/market.ts";
import { attestDeliveries, endDelivery, SETTLEMENT_TARIFFS as TARIFFS } from "../helpers/delivery.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const { deployWith } = marketFixtures(connection);

/** minOrderWh stays 100 (TEST_PARAMS), so the minimum-energy rule of `take` can be exercised. */
async function deployWithTariffs() {
  return deployWith({ ...TEST_PARAMS, maxOrdersPerSide: 100 }, TARIFFS);
}

const I = 0n;
/** The n-th take of an interval: interval << 40 | 2 << 32 | n. */
const takeIdOf = (interval: bigint, n: number) => (interval << 40n) | (2n << 32n) | BigInt(n);

async function clear(fx: MarketFixture, interval: bigint): Promise<Hex> {
  await closeGate(fx, interval);
  const [b, o] = await fx.market.read.sortHints([interval]);
  return fx.market.write.clear([interval, b, o]);
}

/** Vault and wallet balances of every actor and the vault's token balance (what must not move). */
async function money(fx: MarketFixture) {
  const { free, locked, wallets, vault } = await marketSnapshot(fx, I);
  return { free, locked, wallets, vault };
}

const o0 = orderIdOf(I, Side.Offer, 0);
const o1 = orderIdOf(I, Side.Offer, 1);
const b0 = orderIdOf(I, Side.Bid, 0);
const t0 = takeIdOf(I, 0);
const t1 = takeIdOf(I, 1);

/*
 * alice offers o0: 700 Wh at 200,001 to bob, paid through channels. bob has withdrawn his whole
 * deposit (free balance 0) and takes 500 (t0) and then the 200 left (t1).
 */
async function channelOfferTaken() {
  const fx = await networkHelpers.loadFixture(deployWithTariffs);
  const { market, alice, bob } = fx;
  await market.write.withdraw([DEPOSIT], { account: bob.account });
  await market.write.placeChannelOffer([I, 200_001, 700, bob.account.address], { account: alice.account });
  await market.write.take([o0, 500], { account: bob.account });
  await market.write.take([o0, 200], { account: bob.account });
  return fx;
}

describe("EnergyMarket — channel-paid bilateral trades", () => {
  describe("placeChannelOffer", () => {
    it("posts an addressed offer marked channelPaid; it is not in the auction and locks nothing", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { viem, market, alice, bob } = fx;
      const before = await money(fx);
      const hash = await market.write.placeChannelOffer([I, 200_001, 700, bob.account.address], { account: alice.account });
      await viem.assertions.emitWithArgs(hash, market, "OrderPlaced", [o0, addr(alice), I, Side.Offer, 200_001, 700, addr(bob)]);
      assert.deepEqual(await market.read.getOrder([o0]), {
        id: o0,
        owner: addr(alice),
        side: Side.Offer,
        interval: I,
        index: 0,
        priceWeiPerKWh: 200_001,
        energyWh: 700,
        filledWh: 0,
        addressedTo: addr(bob),
        cancelled: false,
        settled: false,
        channelPaid: true,
      });
      // An ordinary addressed offer is not channel-paid; getOrders fills the flag too.
      await market.write.placeAddressedOffer([I, 200_001, 700, bob.account.address], { account: alice.account });
      const offers = await market.read.getOrders([I, Side.Offer, 0n, 10n]);
      assert.deepEqual(
        offers.map((o) => o.channelPaid),
        [true, false],
      );
      const state = await market.read.intervalState([I]);
      assert.equal(state.offerCount, 2);
      assert.equal(state.liveOffers, 0);
      assert.deepEqual(await market.read.sortHints([I]), ["0x", "0x"]);
      assert.deepEqual(await money(fx), before);
    });

    it("rejects what placeAddressedOffer rejects, with the same errors; nothing changes", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { market, alice, bob, eve, grace, supervisor } = fx;
      for (const buyer of [zeroAddress, addr(eve), addr(grace)]) {
        await assertRevertsUnchanged(
          fx,
          I,
          () => market.write.placeChannelOffer([I, 200_000, 700, buyer], { account: alice.account }),
          "MarketBuyerNotParticipant",
          [buyer],
        );
      }
      // A consumer may not sell; an unregistered account may not trade.
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeChannelOffer([I, 200_000, 700, addr(alice)], { account: bob.account }),
        "MarketCannotSell",
        [addr(bob)],
      );
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeChannelOffer([I, 200_000, 700, addr(bob)], { account: eve.account }),
        "MarketNotParticipant",
        [addr(eve)],
      );
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeChannelOffer([I, 2_000_000, 700, addr(bob)], { account: alice.account }),
        "MarketPriceAboveCap",
        [2_000_000n, 1_000_000n],
      );
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeChannelOffer([I, 200_000, 99, addr(bob)], { account: alice.account }),
        "MarketEnergyBelowMinimum",
        [99n, 100n],
      );
      await market.write.pause({ account: supervisor.account });
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeChannelOffer([I, 200_000, 700, addr(bob)], { account: alice.account }),
        "MarketPaused",
        [],
      );
      await market.write.unpause({ account: supervisor.account });
      await closeGate(fx, I);
      const gate = await market.read.gateClosureTime([I]);
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeChannelOffer([I, 200_000, 700, addr(bob)], { account: alice.account }),
        "MarketGateClosed",
        [I, gate],
      );
    });

    it("addressed to the seller itself: placed, as placeAddressedOffer allows; the seller's take fails MarketOwnOffer", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { market, alice } = fx;
      await market.write.placeAddressedOffer([I, 200_000, 700, addr(alice)], { account: alice.account });
      await market.write.placeChannelOffer([I, 200_000, 700, addr(alice)], { account: alice.account });
      assert.equal((await market.read.getOrder([o1])).addressedTo, addr(alice));
      assert.equal((await market.read.getOrder([o1])).channelPaid, true);
      await assertRevertsUnchanged(fx, I, () => market.write.take([o1, 700], { account: alice.account }), "MarketOwnOffer", [o1]);
    });
  });

  describe("take and settle", () => {
    it("happy path: a buyer with a zero balance takes it, nothing is locked; settlement certifies, charges the seller's grid fee only", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { viem, market, token, certificate, alice, bob, dso } = fx;
      await market.write.withdraw([DEPOSIT], { account: bob.account });
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), 0n);
      await market.write.placeChannelOffer([I, 200_001, 700, bob.account.address], { account: alice.account });

      const before = await money(fx);
      let hash = await market.write.take([o0, 500], { account: bob.account });
      await viem.assertions.emitWithArgs(hash, market, "OfferTaken", [o0, addr(bob), addr(alice), 500, 200_001, 0n, t0]);
      assert.deepEqual(await money(fx), before); // nothing locked, nothing moved
      assert.equal((await market.read.getOrder([o0])).energyWh, 200);
      hash = await market.write.take([o0, 200], { account: bob.account });
      await viem.assertions.emitWithArgs(hash, market, "OfferTaken", [o0, addr(bob), addr(alice), 200, 200_001, 0n, t1]);
      assert.deepEqual(await money(fx), before);
      const order = await market.read.getOrder([o0]);
      assert.equal(order.energyWh, 0);
      assert.equal(order.channelPaid, true);

      // No auction orders: clearing settles the (empty) auction at once.
      hash = await clear(fx, I);
      await viem.assertions.emitWithArgs(hash, market, "IntervalSettled", [I, 0n, 0n, 0n, 0n]);
      await attestDeliveries(fx, I, { [alice.account.address]: 700 });
      const vaultTokens = await token.read.balanceOf([market.address]);
      // alice sold S = T = 700 (both takes), exported 700: no imbalance, no auction payout.
      // t0: d = 500, grid fee ceil(30,000 × 500 / 1000) = 15,000 (≤ floor(200,001 × 500 / 1000) = 100,000).
      // t1: d = 700 − 500 = 200, fee 6,000. The buyer is charged nothing, the seller paid nothing.
      hash = await market.write.settle([[t0, t1]]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 700n, 700n, 0n, 0n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t0, addr(bob), I, 500, 500n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "ChannelTakeSettled", [t0, addr(alice), 500n, 15_000n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t1, addr(bob), I, 200, 200n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "ChannelTakeSettled", [t1, addr(alice), 200n, 6_000n, 0n]);
      await viem.assertions.emitWithArgs(hash, certificate, "CertificateMinted", [addr(bob), I, 500n]);
      await viem.assertions.emitWithArgs(hash, certificate, "CertificateMinted", [addr(bob), I, 200n]);
      assert.equal(await certificate.read.balanceOf([bob.account.address, I]), 700n);
      assert.equal(await certificate.read.mintedWh([I]), 700n);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT - 21_000n);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 21_000n);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), 0n);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      assert.equal(await market.read.lockedBalanceOf([alice.account.address]), 0n);
      assert.equal(await market.read.debtOf([alice.account.address]), 0n);
      assert.deepEqual(await market.read.sellerSettlementOf([I, alice.account.address]), [true, 700n, 700n]);
      // No tokens moved: the vault holds what it held, the wallets are as they were.
      assert.equal(await token.read.balanceOf([market.address]), vaultTokens);
      assert.deepEqual((await money(fx)).wallets, before.wallets);
      // Settled: a second settle fails and changes nothing.
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t0]]), "MarketOrderAlreadySettled", [t0]);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t1]]), "MarketOrderAlreadySettled", [t1]);
      await assertVaultSolvent(fx);
    });

    it("short delivery: the imbalance and the grid fee come from the seller's vault, the buyer's is untouched", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { viem, market, certificate, alice, bob, dso } = fx;
      await market.write.placeChannelOffer([I, 250_000, 1_000, bob.account.address], { account: alice.account });
      await market.write.take([o0, 1_000], { account: bob.account });
      await clear(fx, I);
      // alice exports 600 of 1,000: imbalance ceil(400,000 × 400 / 1000) = 160,000;
      // t0: d = 600, fee ceil(30,000 × 600 / 1000) = 18,000.
      await attestDeliveries(fx, I, { [alice.account.address]: 600 });
      const hash = await market.write.settle([[t0]]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 1_000n, 600n, 0n, 0n, 160_000n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t0, addr(bob), I, 1_000, 600n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "ChannelTakeSettled", [t0, addr(alice), 600n, 18_000n, 0n]);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT - 178_000n);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 178_000n);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      assert.equal(await certificate.read.balanceOf([bob.account.address, I]), 600n);
      await assertVaultSolvent(fx);
    });

    it("short delivery, seller short of funds: what the vault cannot pay becomes debt; the buyer's vault is untouched", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { viem, market, certificate, alice, bob, carol, dso } = fx;
      await market.write.placeChannelOffer([I, 250_000, 1_000, bob.account.address], { account: alice.account });
      await market.write.take([o0, 1_000], { account: bob.account });
      await clear(fx, I);
      await market.write.withdraw([DEPOSIT - 100_000n], { account: alice.account });
      await attestDeliveries(fx, I, { [alice.account.address]: 600 });
      // Imbalance 160,000: 100,000 paid, 60,000 debt; then the fee 18,000 finds 0: all debt.
      const hash = await market.write.settle([[t0]]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 1_000n, 600n, 0n, 0n, 160_000n, 60_000n]);
      await viem.assertions.emitWithArgs(hash, market, "ChannelTakeSettled", [t0, addr(alice), 600n, 18_000n, 18_000n]);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), 0n);
      assert.equal(await market.read.debtOf([alice.account.address]), 78_000n);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 100_000n);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      assert.equal(await certificate.read.balanceOf([bob.account.address, I]), 600n);
      // The debt blocks alice as a buyer of a channel offer too (the debt check of `take` stays).
      const J = 2n;
      await market.write.placeChannelOffer([J, 250_000, 500, alice.account.address], { account: carol.account });
      await assertRevertsUnchanged(
        fx,
        J,
        () => market.write.take([orderIdOf(J, Side.Offer, 0), 500], { account: alice.account }),
        "MarketAccountInDebt",
        [addr(alice), 78_000n],
      );
      await assertVaultSolvent(fx);
    });

    it("a channel-paid take, an escrowed take and an auction trade of one seller in one interval: one grid-fee rule", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { viem, market, certificate, alice, bob, frank, dso } = fx;
      // o0: channel offer to bob, 400 Wh at 200,000; o1: public offer 600 Wh at 100,001.
      await market.write.placeChannelOffer([I, 200_000, 400, bob.account.address], { account: alice.account });
      await market.write.placeOffer([I, 100_001, 600], { account: alice.account });
      await market.write.take([o0, 400], { account: bob.account }); // t0: channel, nothing locked
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      let hash = await market.write.take([o1, 300], { account: frank.account }); // t1: escrowed
      // lock ceil(100,001 × 300 / 1000) = 30,001.
      await viem.assertions.emitWithArgs(hash, market, "OfferTaken", [o1, addr(frank), addr(alice), 300, 100_001, 30_001n, t1]);
      assert.equal(await market.read.lockedBalanceOf([frank.account.address]), 30_001n);
      assert.equal(await market.read.freeBalanceOf([frank.account.address]), DEPOSIT - 30_001n);
      // b0: bob bids 300,001 × 200 (lock ceil(60,000.2) = 60,001). Clears 200 Wh; o1 keeps 100 Wh
      // unfilled, so hi = lo = 100,001: the price. alice: A = 200, T = 400 + 300 = 700, S = 900.
      await market.write.placeBid([I, 300_001, 200], { account: bob.account });
      await clear(fx, I);
      // alice exports 600: D = 600, auction part floor(600 × 200 / 900) = 133, takes' part 467.
      await attestDeliveries(fx, I, { [alice.account.address]: 600 });
      hash = await market.write.settle([[t0, t1, o1, b0]]);
      // Seller: gross floor(100,001 × 133 / 1000) = 13,300, fee ceil(30,000 × 133 / 1000) = 3,990
      // → 9,310; imbalance ceil(400,000 × 300 / 1000) = 120,000.
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 900n, 600n, 9_310n, 3_990n, 120_000n, 0n]);
      // t0 (channel): d = floor(400 × 467 / 700) = 266, fee ceil(30,000 × 266 / 1000) = 7,980.
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t0, addr(bob), I, 400, 266n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "ChannelTakeSettled", [t0, addr(alice), 266n, 7_980n, 0n]);
      // t1 (escrowed): d = 467 − 266 = 201, pays ceil(100,001 × 201 / 1000) = 20,101, refund
      // 30,001 − 20,101 = 9,900; alice floor(20,100.201) = 20,100 − fee ceil(30,000 × 201 / 1000) =
      // 6,030 → 14,070 (the same fee as t0's, deducted from the payout); the DSO the fee and dust 1.
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [t1, addr(frank), I, 300, 201n, 20_101n, 9_900n]);
      await viem.assertions.emitWithArgs(hash, market, "EscrowedTakeSettled", [t1, addr(alice), 201n, 14_070n, 6_030n]);
      // o1's informative share: floor(200 × 600 / 900) = 133.
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [o1, addr(alice), I, 200, 133n, 0n, 0n]);
      // b0: d = 133, pays ceil(100,001 × 133 / 1000) = 13,301, refund 60,001 − 13,301 = 46,700; dust 1.
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [b0, addr(bob), I, 200, 133n, 13_301n, 46_700n]);
      await viem.assertions.emitWithArgs(hash, market, "IntervalSettled", [I, 133n, 13_301n, 13_300n, 1n]);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT + 9_310n - 120_000n + 14_070n - 7_980n);
      assert.equal(await market.read.freeBalanceOf([frank.account.address]), DEPOSIT - 20_101n);
      assert.equal(await market.read.lockedBalanceOf([frank.account.address]), 0n);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 13_301n);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      // DSO: auction fee 3,990 + imbalance 120,000 + channel fee 7,980 + escrowed take's fee 6,030
      // + take dust 1 + interval dust 1.
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 138_002n);
      assert.equal(await certificate.read.balanceOf([bob.account.address, I]), 266n + 133n);
      assert.equal(await certificate.read.balanceOf([frank.account.address, I]), 201n);
      assert.equal(await certificate.read.mintedWh([I]), 600n);
      await assertVaultSolvent(fx);
    });
  });

  describe("bad input: exact errors, nothing lost", () => {
    it("take: a stranger, the seller itself, while paused, after the gate; nothing changes", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { market, alice, bob, frank, supervisor } = fx;
      await market.write.placeChannelOffer([I, 200_001, 700, bob.account.address], { account: alice.account });
      // assertRevertsUnchanged compares every actor's balances and the offer's open energy.
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 500], { account: frank.account }), "MarketNotAddressedBuyer", [
        o0,
        addr(frank),
      ]);
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 500], { account: alice.account }), "MarketOwnOffer", [o0]);
      await market.write.pause({ account: supervisor.account });
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 500], { account: bob.account }), "MarketPaused", []);
      await market.write.unpause({ account: supervisor.account });
      await closeGate(fx, I);
      const gate = await market.read.gateClosureTime([I]);
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 500], { account: bob.account }), "MarketGateClosed", [I, gate]);
      assert.equal((await market.read.getOrder([o0])).energyWh, 700);
    });

    it("take: energy rules, the price limits and a cancelled offer still apply (only the balance check is skipped)", async () => {
      const fx = await networkHelpers.loadFixture(deployWithTariffs);
      const { market, alice, bob, supervisor, params } = fx;
      await market.write.withdraw([DEPOSIT], { account: bob.account });
      await market.write.placeChannelOffer([I, 200_001, 700, bob.account.address], { account: alice.account });
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 0], { account: bob.account }), "MarketZeroEnergy", []);
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 99], { account: bob.account }), "MarketEnergyBelowMinimum", [99n, 100n]);
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 701], { account: bob.account }), "MarketTakeExceedsOffer", [
        o0,
        701n,
        700n,
      ]);
      // The regulator lowers the interval's cap below the offer's price.
      await market.write.scheduleParams([{ ...params, priceCapWeiPerKWh: 200_000 }, I], { account: supervisor.account });
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 500], { account: bob.account }), "MarketPriceAboveCap", [
        200_001n,
        200_000n,
      ]);
      await market.write.scheduleParams([params, I], { account: supervisor.account });
      await market.write.take([o0, 600], { account: bob.account });
      // alice cancels the 100 Wh left: a take of a cancelled offer fails.
      await market.write.cancel([o0], { account: alice.account });
      await assertRevertsUnchanged(fx, I, () => market.write.take([o0, 100], { account: bob.account }), "MarketOrderNotOpen", [o0]);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), 0n);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
    });

    it("settle: before clearing, before the readings are final, twice", async () => {
      const fx = await channelOfferTaken();
      const { market, alice } = fx;
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t0]]), "MarketNotCleared", [I]);
      await clear(fx, I);
      await endDelivery(fx, I);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t0]]), "MarketReadingsNotFinal", [I]);
      await attestDeliveries(fx, I, { [alice.account.address]: 700 });
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t0, t0]]), "MarketOrderAlreadySettled", [t0]);
      await market.write.settle([[t0]]);
      const charged = await market.read.freeBalanceOf([alice.account.address]);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t0]]), "MarketOrderAlreadySettled", [t0]);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[t1, t0]]), "MarketOrderAlreadySettled", [t0]);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), charged);
      await market.write.settle([[t1]]);
      await assertVaultSolvent(fx);
    });
  });
});
