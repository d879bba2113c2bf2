/**
 * EnergyMarket: uniform-price clearing, sort-hint verification and settlement.
 * Worked examples are computed by hand in the comments; fills, prices and money are asserted exactly.
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
  charge,
  payout,
  closeGate,
  hints,
  orderIdOf,
  assertRevertsUnchanged,
  assertVaultSolvent,
  type MarketFixture,
  addr,
  type Wallet,
} from "../helpers/market.ts";
import { attestDeliveries, settleDelivered } from "../helpers/delivery.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const { deployMarket, deployMarketK0, deployMarketK1, deployWith } = marketFixtures(connection);

const I = 0n;
type Spec = [Wallet, "bid" | "offer", number, number]; // owner, side, price, Wh

async function place(fx: MarketFixture, interval: bigint, specs: Spec[]) {
  for (const [w, side, price, wh] of specs) {
    if (side === "bid") await fx.market.write.placeBid([interval, price, wh], { account: w.account });
    else await fx.market.write.placeOffer([interval, price, wh], { account: w.account });
  }
}

async function clearWithHints(fx: MarketFixture, interval: bigint): Promise<Hex> {
  await closeGate(fx, interval);
  const [b, o] = await fx.market.read.sortHints([interval]);
  return fx.market.write.clear([interval, b, o]);
}

async function fills(fx: MarketFixture, interval: bigint) {
  const bids = await fx.market.read.getOrders([interval, Side.Bid, 0n, 100n]);
  const offers = await fx.market.read.getOrders([interval, Side.Offer, 0n, 100n]);
  return { bids: bids.map((o) => o.filledWh), offers: offers.map((o) => o.filledWh) };
}

/** Every order id of an interval, offers first (sellers settle before buyers). */
async function allIds(fx: MarketFixture, interval: bigint) {
  const s = await fx.market.read.intervalState([interval]);
  return [
    ...[...Array(s.offerCount).keys()].map((i) => orderIdOf(interval, Side.Offer, i)),
    ...[...Array(s.bidCount).keys()].map((i) => orderIdOf(interval, Side.Bid, i)),
  ];
}

describe("EnergyMarket — clearing and settlement", () => {
  describe("worked example: ties, a partial fill, rounding dust", () => {
    /*
     * bids (index: price, Wh, owner)        offers
     *  b0: 300,000 × 1,010  bob              o0: 200,000 × 606  alice
     *  b1: 280,000 ×   505  dave             o1: 100,000 × 707  carol
     *  b2: 300,000 ×   404  frank (tie b0)   o2: 260,003 × 909  alice
     *  b3: 150,000 ×   808  bob              o3: 200,000 × 303  carol (tie o0)
     * merit order: bids b0, b2, b1, b3; offers o1, o0, o3, o2 (ties: earlier index first)
     * walk: b0×o1 707, b0×o0 303, b2×o0 303, b2×o3 101, b1×o3 202, b1×o2 303; b3 (150k) < o2 (260,003): stop
     * cleared 1,919 Wh; marginal bid b1 (full 505), marginal offer o2 (303 of 909)
     * lo = max(o2 260,003, best bid left b3 150,000) = 260,003; hi = min(b1 280,000, o2 260,003) = 260,003
     * price 260,003 (any k). Charges ceil: b0 262,604, b2 105,042, b1 131,302 → 498,948
     * payouts floor: o1 183,822, o0 157,561, o3 78,780, o2 78,780 → 498,943; dust 5 to the DSO.
     */
    async function workedExample() {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { alice, bob, carol, dave, frank } = fx;
      await place(fx, I, [
        [bob, "bid", 300_000, 1_010],
        [dave, "bid", 280_000, 505],
        [frank, "bid", 300_000, 404],
        [bob, "bid", 150_000, 808],
        [alice, "offer", 200_000, 606],
        [carol, "offer", 100_000, 707],
        [alice, "offer", 260_003, 909],
        [carol, "offer", 200_000, 303],
      ]);
      return fx;
    }

    it("sortHints returns the merit order", async () => {
      const fx = await workedExample();
      const [b, o] = await fx.market.read.sortHints([I]);
      assert.equal(b, hints([0, 2, 1, 3]));
      assert.equal(o, hints([1, 0, 3, 2]));
    });

    it("clears at 260,003 with 1,919 Wh and reports every fill", async () => {
      const fx = await workedExample();
      const { viem, market, bob } = fx;
      const hash = await clearWithHints(fx, I);
      await viem.assertions.emitWithArgs(hash, market, "IntervalCleared", [I, true, 260_003, 1_919n, 3, 4]);
      assert.deepEqual(await market.read.intervalState([I]), {
        bidCount: 4,
        offerCount: 4,
        liveBids: 4,
        liveOffers: 4,
        cleared: true,
        hasPrice: true,
        clearingPriceWeiPerKWh: 260_003,
        clearedWh: 1_919n,
        unsettledOrders: 8,
        unsettledOffers: 4,
      });
      assert.deepEqual(await fills(fx, I), { bids: [1_010, 505, 404, 0], offers: [606, 707, 303, 303] });
      // Nothing moves until settlement.
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 303_000n + 121_200n);
    });

    it("settles on full delivery: sellers first (floor of their total), then buyers pay ceil; dust to the DSO", async () => {
      const fx = await workedExample();
      const { viem, market, alice, bob, carol, dave, frank, dso } = fx;
      await clearWithHints(fx, I);
      const p = 260_003;
      assert.deepEqual(
        [charge(p, 1_010), charge(p, 404), charge(p, 505)],
        [262_604n, 105_042n, 131_302n],
      );
      // Each seller is paid floor(p × its total delivered / 1000): alice 606 + 303, carol 707 + 303.
      assert.deepEqual([payout(p, 909), payout(p, 1_010)], [236_342n, 262_603n]);
      await attestDeliveries(fx, I); // every seller exports exactly what it sold
      const b0 = orderIdOf(I, Side.Bid, 0);
      const b3 = orderIdOf(I, Side.Bid, 3);
      const o2 = orderIdOf(I, Side.Offer, 2);
      // Buyers wait for every seller of the interval.
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[o2, b0]]), "MarketSellersNotSettled", [I, 3n]);
      // Settle in batches, in any order within a side; anyone may call.
      let hash = await market.write.settle([[o2]], { account: carol.account });
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(alice), 909n, 909n, 236_342n, 0n, 0n, 0n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [o2, addr(alice), I, 303, 303n, 0n, 0n]);
      const others = (await allIds(fx, I)).filter((id) => id !== o2);
      hash = await market.write.settle([others.slice(0, 3)]);
      await viem.assertions.emitWithArgs(hash, market, "SellerSettled", [I, addr(carol), 1_010n, 1_010n, 262_603n, 0n, 0n, 0n]);
      hash = await market.write.settle([[b0, b3]]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [b0, addr(bob), I, 1_010, 1_010n, 262_604n, 303_000n - 262_604n]);
      await viem.assertions.emitWithArgs(hash, market, "OrderSettled", [b3, addr(bob), I, 0, 0n, 0n, 121_200n]);
      assert.equal((await market.read.intervalState([I])).unsettledOrders, 2);
      await assertVaultSolvent(fx, [I]);
      const rest = others.slice(3).filter((id) => id !== b0 && id !== b3);
      hash = await market.write.settle([rest]);
      await viem.assertions.emitWithArgs(hash, market, "IntervalSettled", [I, 1_919n, 498_948n, 498_945n, 3n]);

      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 262_604n);
      assert.equal(await market.read.freeBalanceOf([frank.account.address]), DEPOSIT - 105_042n);
      assert.equal(await market.read.freeBalanceOf([dave.account.address]), DEPOSIT - 131_302n);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT + 236_342n);
      assert.equal(await market.read.freeBalanceOf([carol.account.address]), DEPOSIT + 262_603n);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 3n);
      for (const w of [bob, frank, dave]) assert.equal(await market.read.lockedBalanceOf([w.account.address]), 0n);
      assert.equal((await market.read.intervalState([I])).unsettledOrders, 0);
      assert.ok((await market.read.getOrders([I, Side.Bid, 0n, 10n])).every((o) => o.settled));
      // Certificates: exactly the delivered Wh, to the buyers.
      assert.equal(await fx.certificate.read.balanceOf([bob.account.address, I]), 1_010n);
      assert.equal(await fx.certificate.read.mintedWh([I]), 1_919n);
      await assertVaultSolvent(fx);
      // Sellers withdraw their proceeds.
      await market.write.withdraw([DEPOSIT + 236_342n], { account: alice.account });
      await assertVaultSolvent(fx);
    });
  });

  describe("price within [lo, hi] by k", () => {
    /*
     * b0 300,000 × 1,000 (bob), b1 50,000 × 500 (frank); o0 100,000 × 1,000 (alice), o1 400,000 × 500 (carol).
     * b0×o0 1,000, both done; b1 50,000 < o1 400,000. lo = max(100,000, 50,000) = 100,000;
     * hi = min(300,000, 400,000) = 300,000. k=0 → 100,000; k=1/2 → 200,000; k=1 → 300,000.
     */
    const book = (fx: MarketFixture): Spec[] => [
      [fx.bob, "bid", 300_000, 1_000],
      [fx.frank, "bid", 50_000, 500],
      [fx.alice, "offer", 100_000, 1_000],
      [fx.carol, "offer", 400_000, 500],
    ];
    for (const [name, deploy, price] of [
      ["k = 0", deployMarketK0, 100_000],
      ["k = 1/2", deployMarket, 200_000],
      ["k = 1", deployMarketK1, 300_000],
    ] as const) {
      it(`${name} clears at ${price}`, async () => {
        const fx = await networkHelpers.loadFixture(deploy);
        await place(fx, I, book(fx));
        const hash = await clearWithHints(fx, I);
        await fx.viem.assertions.emitWithArgs(hash, fx.market, "IntervalCleared", [I, true, price, 1_000n, 1, 1]);
        await settleDelivered(fx, I);
        assert.equal(await fx.market.read.freeBalanceOf([fx.bob.account.address]), DEPOSIT - BigInt(price));
        assert.equal(await fx.market.read.freeBalanceOf([fx.alice.account.address]), DEPOSIT + BigInt(price));
        assert.equal(await fx.market.read.freeBalanceOf([fx.frank.account.address]), DEPOSIT);
        await assertVaultSolvent(fx);
      });
    }

    it("k = 1/3 rounds down: lo 100,000, hi 300,001 → 166,667", async () => {
      async function deployK13() {
        return deployWith({ ...TEST_PARAMS, kNumerator: 1, kDenominator: 3 });
      }
      const fx = await networkHelpers.loadFixture(deployK13);
      await place(fx, I, [
        [fx.bob, "bid", 300_001, 1_000],
        [fx.alice, "offer", 100_000, 1_000],
      ]);
      const hash = await clearWithHints(fx, I);
      await fx.viem.assertions.emitWithArgs(hash, fx.market, "IntervalCleared", [I, true, 166_667, 1_000n, 1, 1]);
    });
  });

  describe("ties and partial fills", () => {
    it("equal-priced bids: the earlier is filled first, the later partially", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      // b0, b1 200,000 × 500; o0 100,000 × 700 → b0 500, b1 200. lo = max(100,000, b1 200,000) = hi = 200,000.
      await place(fx, I, [
        [fx.frank, "bid", 200_000, 500],
        [fx.bob, "bid", 200_000, 500],
        [fx.alice, "offer", 100_000, 700],
      ]);
      const hash = await clearWithHints(fx, I);
      await fx.viem.assertions.emitWithArgs(hash, fx.market, "IntervalCleared", [I, true, 200_000, 700n, 2, 1]);
      assert.deepEqual(await fills(fx, I), { bids: [500, 200], offers: [700] });
      await settleDelivered(fx, I);
      assert.equal(await fx.market.read.freeBalanceOf([fx.bob.account.address]), DEPOSIT - 40_000n);
      assert.equal(await fx.market.read.lockedBalanceOf([fx.bob.account.address]), 0n);
      assert.equal(await fx.market.read.freeBalanceOf([fx.alice.account.address]), DEPOSIT + 140_000n);
    });

    it("equal-priced offers: the earlier sells first, the later partially", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      // o0, o1 100,000 × 300; b 150,000 × 400 → o0 300, o1 100. lo = 100,000; hi = min(150,000, o1 100,000).
      await place(fx, I, [
        [fx.carol, "offer", 100_000, 300],
        [fx.alice, "offer", 100_000, 300],
        [fx.bob, "bid", 150_000, 400],
      ]);
      const hash = await clearWithHints(fx, I);
      await fx.viem.assertions.emitWithArgs(hash, fx.market, "IntervalCleared", [I, true, 100_000, 400n, 1, 2]);
      assert.deepEqual(await fills(fx, I), { bids: [400], offers: [300, 100] });
    });
  });

  describe("nothing crossing, empty intervals, orders outside changed limits", () => {
    it("no crossing: no price, everything refunded at settlement", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { viem, market, bob, alice } = fx;
      await place(fx, I, [
        [bob, "bid", 100_000, 1_000],
        [alice, "offer", 200_000, 1_000],
      ]);
      const hash = await clearWithHints(fx, I);
      await viem.assertions.emitWithArgs(hash, market, "IntervalCleared", [I, false, 0, 0n, 0, 0]);
      const state = await market.read.intervalState([I]);
      assert.equal(state.hasPrice, false);
      assert.equal(state.unsettledOrders, 2);
      // Nobody sold anything: no readings are needed.
      const settleHash = await market.write.settle([await allIds(fx, I)]);
      await viem.assertions.emitWithArgs(settleHash, market, "OrderSettled", [orderIdOf(I, Side.Bid, 0), addr(bob), I, 0, 0n, 0n, 100_000n]);
      await viem.assertions.emitWithArgs(settleHash, market, "IntervalSettled", [I, 0n, 0n, 0n, 0n]);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
    });

    it("an empty interval clears and is settled at once", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const hash = await clearWithHints(fx, 3n);
      await fx.viem.assertions.emitWithArgs(hash, fx.market, "IntervalCleared", [3n, false, 0, 0n, 0, 0]);
      await fx.viem.assertions.emitWithArgs(hash, fx.market, "IntervalSettled", [3n, 0n, 0n, 0n, 0n]);
    });

    it("cancelled orders and fully taken offers are not in the auction", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { market, bob, frank, alice, carol, dave } = fx;
      await place(fx, I, [
        [bob, "bid", 300_000, 1_000], // b0 cancelled
        [frank, "bid", 200_000, 1_000], // b1
        [alice, "offer", 100_000, 400], // o0 fully taken by dave
        [carol, "offer", 150_000, 1_000], // o1
      ]);
      await market.write.cancel([orderIdOf(I, Side.Bid, 0)], { account: bob.account });
      await market.write.take([orderIdOf(I, Side.Offer, 0), 400], { account: dave.account });
      await closeGate(fx, I);
      const [b, o] = await market.read.sortHints([I]);
      assert.deepEqual([b, o], [hints([1]), hints([1])]);
      await market.write.clear([I, b, o]);
      // b1 × o1 1,000; lo = 150,000, hi = 200,000 → 175,000.
      const state = await market.read.intervalState([I]);
      assert.equal(state.clearingPriceWeiPerKWh, 175_000);
      assert.equal(state.unsettledOrders, 2);
      assert.deepEqual(await fills(fx, I), { bids: [0, 1_000], offers: [0, 1_000] });
      const b0 = orderIdOf(I, Side.Bid, 0);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[b0]]), "MarketOrderNotOpen", [b0]);
      const o0 = orderIdOf(I, Side.Offer, 0);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[o0]]), "MarketOrderNotOpen", [o0]);
    });

    it("resting orders outside a later-changed [floor, cap] stay in the hints but are not filled", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { market, supervisor, bob, frank, alice } = fx;
      const J = 2n;
      await place(fx, J, [
        [bob, "bid", 900_000, 500], // b0: above the new cap
        [frank, "bid", 500_000, 500], // b1
        [alice, "offer", 100_000, 800], // o0
      ]);
      await market.write.scheduleParams([{ ...TEST_PARAMS, priceCapWeiPerKWh: 800_000 }, J], { account: supervisor.account });
      const [b] = await market.read.sortHints([J]);
      assert.equal(b, hints([0, 1]));
      await clearWithHints(fx, J);
      // In range: b1 × o0 500 → lo = 100,000; hi = min(500,000, o0 left 100,000) = 100,000.
      const state = await market.read.intervalState([J]);
      assert.deepEqual([state.clearingPriceWeiPerKWh, state.clearedWh], [100_000, 500n]);
      assert.deepEqual(await fills(fx, J), { bids: [0, 500], offers: [500] });
      await settleDelivered(fx, J);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT); // whole lock back
      assert.equal(await market.read.freeBalanceOf([frank.account.address]), DEPOSIT - 50_000n);
      await assertVaultSolvent(fx);
    });
  });

  describe("clear: failures", () => {
    async function twoByTwo() {
      const fx = await networkHelpers.loadFixture(deployMarket);
      await place(fx, I, [
        [fx.bob, "bid", 300_000, 1_000],
        [fx.frank, "bid", 200_000, 1_000],
        [fx.dave, "bid", 250_000, 1_000],
        [fx.alice, "offer", 100_000, 1_000],
        [fx.carol, "offer", 150_000, 1_000],
      ]);
      return fx;
    }
    // merit order: bids 0, 2, 1; offers 0, 1

    it("rejects clearing before the gate closes", async () => {
      const fx = await twoByTwo();
      const gate = await fx.market.read.gateClosureTime([I]);
      await assertRevertsUnchanged(
        fx,
        I,
        () => fx.market.write.clear([I, hints([0, 2, 1]), hints([0, 1])]),
        "MarketGateNotClosed",
        [I, gate],
      );
    });

    it("rejects clearing twice", async () => {
      const fx = await twoByTwo();
      await clearWithHints(fx, I);
      await assertRevertsUnchanged(
        fx,
        I,
        () => fx.market.write.clear([I, hints([0, 2, 1]), hints([0, 1])]),
        "MarketAlreadyCleared",
        [I],
      );
    });

    it("rejects bad sort hints: length, duplicates, order, range, cancelled orders", async () => {
      const fx = await twoByTwo();
      const { market, bob, alice } = fx;
      await closeGate(fx, I);
      const cases: [Hex, Hex, string, unknown[]][] = [
        [hints([0, 2]), hints([0, 1]), "MarketSortHintLength", [Side.Bid, 2n, 3n]],
        [hints([0, 2, 1, 1]), hints([0, 1]), "MarketSortHintLength", [Side.Bid, 4n, 3n]],
        ["0x00000002000100", hints([0, 1]), "MarketSortHintLength", [Side.Bid, 3n, 3n]], // odd length
        [hints([0, 2, 1]), hints([0]), "MarketSortHintLength", [Side.Offer, 1n, 2n]],
        [hints([0, 0, 1]), hints([0, 1]), "MarketSortHintInvalid", [Side.Bid, 1n]],
        [hints([0, 1, 2]), hints([0, 1]), "MarketSortHintInvalid", [Side.Bid, 2n]],
        [hints([2, 0, 1]), hints([0, 1]), "MarketSortHintInvalid", [Side.Bid, 1n]],
        [hints([0, 2, 7]), hints([0, 1]), "MarketSortHintInvalid", [Side.Bid, 2n]],
        [hints([0, 2, 1]), hints([1, 0]), "MarketSortHintInvalid", [Side.Offer, 1n]],
        [hints([0, 2, 1]), hints([0, 0]), "MarketSortHintInvalid", [Side.Offer, 1n]],
      ];
      for (const [b, o, error, args] of cases) {
        await assertRevertsUnchanged(fx, I, () => market.write.clear([I, b, o]), error, args);
      }
      // A cancelled order in the hints (with a right-length list) is refused too.
      const fx2 = await twoByTwo();
      await fx2.market.write.cancel([orderIdOf(I, Side.Bid, 2)], { account: fx2.dave.account });
      await fx2.market.write.placeOffer([I, 120_000, 500], { account: fx2.alice.account });
      await fx2.market.write.cancel([orderIdOf(I, Side.Offer, 2)], { account: fx2.alice.account });
      await closeGate(fx2, I);
      await assertRevertsUnchanged(
        fx2,
        I,
        () => fx2.market.write.clear([I, hints([0, 2]), hints([0, 1])]),
        "MarketSortHintInvalid",
        [Side.Bid, 1n],
      );
      await assertRevertsUnchanged(
        fx2,
        I,
        () => fx2.market.write.clear([I, hints([0, 1]), hints([0, 2])]),
        "MarketSortHintInvalid",
        [Side.Offer, 1n],
      );
      await fx2.market.write.clear([I, hints([0, 1]), hints([0, 1])]);
      void bob;
      void alice;
    });
  });

  describe("settle: failures", () => {
    it("rejects settling before clearing, twice, and unknown ids — the whole batch", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { market, bob, alice } = fx;
      await place(fx, I, [
        [bob, "bid", 300_000, 1_000],
        [alice, "offer", 100_000, 1_000],
      ]);
      const b0 = orderIdOf(I, Side.Bid, 0);
      const o0 = orderIdOf(I, Side.Offer, 0);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[b0]]), "MarketNotCleared", [I]);
      await closeGate(fx, I);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[b0]]), "MarketNotCleared", [I]);
      await clearWithHints(fx, I);
      await attestDeliveries(fx, I);
      await market.write.settle([[o0]]);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[b0, o0]]), "MarketOrderAlreadySettled", [o0]);
      await market.write.settle([[b0]]);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[b0, b0]]), "MarketOrderAlreadySettled", [b0]);
      const unknown = orderIdOf(I, Side.Offer, 1);
      await assertRevertsUnchanged(fx, I, () => market.write.settle([[unknown]]), "MarketUnknownOrder", [unknown]);
    });

    it("settles several intervals in one call", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { market, bob, alice } = fx;
      for (const interval of [0n, 1n]) {
        await place(fx, interval, [
          [bob, "bid", 300_000, 1_000],
          [alice, "offer", 100_000, 1_000],
        ]);
      }
      await clearWithHints(fx, 0n);
      await clearWithHints(fx, 1n);
      await attestDeliveries(fx, 0n);
      await attestDeliveries(fx, 1n);
      const [o0, b0] = await allIds(fx, 0n);
      const [o1, b1] = await allIds(fx, 1n);
      const hash = await market.write.settle([[o0, o1, b0, b1]]);
      await fx.viem.assertions.emitWithArgs(hash, market, "IntervalSettled", [0n, 1_000n, 200_000n, 200_000n, 0n]);
      await fx.viem.assertions.emitWithArgs(hash, market, "IntervalSettled", [1n, 1_000n, 200_000n, 200_000n, 0n]);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - 400_000n);
      await assertVaultSolvent(fx);
    });
  });
});
