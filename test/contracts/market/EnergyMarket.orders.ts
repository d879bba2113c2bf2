/**
 * EnergyMarket: placing, cancelling and taking orders, and the escrow vault.
 * Every failure asserts the exact custom error and that nothing changed (marketSnapshot).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress, parseSignature, zeroAddress } from "viem";
import {
  marketFixtures,
  Side,
  TEST_PARAMS,
  DEPOSIT,
  WALLET,
  charge,
  payout,
  closeGate,
  orderIdOf,
  assertRevertsUnchanged,
  assertVaultSolvent,
  type MarketFixture,
  addr,
} from "../helpers/market.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const { deployMarket } = marketFixtures(connection);

const I = 0n; // the interval most tests trade in (open until its gate closes)
const BID0 = orderIdOf(I, Side.Bid, 0);
const OFFER0 = orderIdOf(I, Side.Offer, 0);

async function withOrders() {
  const fx = await networkHelpers.loadFixture(deployMarket);
  // bob bids 0.3 PLC/kWh for 1,000 Wh; alice offers 0.25 PLC/kWh for 2,000 Wh.
  await fx.market.write.placeBid([I, 300_000, 1_000], { account: fx.bob.account });
  await fx.market.write.placeOffer([I, 250_000, 2_000], { account: fx.alice.account });
  return fx;
}


describe("EnergyMarket — orders", () => {
  describe("deployment", () => {
    it("wires registry, token, DSO, roles and the initial parameters", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { market, registry, token, dso, admin, supervisor } = fx;
      assert.equal(await market.read.registry(), getAddress(registry.address));
      assert.equal(await market.read.paymentToken(), getAddress(token.address));
      assert.equal(await market.read.dso(), addr(dso));
      assert.equal(await market.read.hasRole([`0x${"00".repeat(32)}`, admin.account.address]), true);
      assert.equal(await market.read.hasRole([await market.read.SUPERVISOR_ROLE(), supervisor.account.address]), true);
      assert.deepEqual(await market.read.paramsFor([0n]), TEST_PARAMS);
      assert.deepEqual(await market.read.paramsFor([123n]), TEST_PARAMS);
      assert.equal(await market.read.intervalStartTime([0n]), fx.genesisTime);
      assert.equal(await market.read.intervalStartTime([4n]), fx.genesisTime + 4n * 900n);
      assert.equal(await market.read.gateClosureTime([4n]), fx.genesisTime + 4n * 900n - 300n);
      assert.equal(await market.read.currentInterval(), 0n); // before genesis
      assert.equal(await market.read.paused(), false);
      assert.equal(await market.read.orderId([7n, Side.Offer, 3]), orderIdOf(7n, Side.Offer, 3));
    });

    it("rejects zero addresses and invalid parameters", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { viem, market, registry, token, dso, admin } = fx;
      const args = (p = TEST_PARAMS, a = admin.account.address) =>
        [a, registry.address, token.address, dso.account.address, p, fx.genesisTime] as const;
      await viem.assertions.revertWithCustomError(
        viem.deployContract("EnergyMarket", [...args(TEST_PARAMS, zeroAddress)]),
        market,
        "MarketZeroAddress",
      );
      for (const bad of [
        { ...TEST_PARAMS, priceFloorWeiPerKWh: 0 },
        { ...TEST_PARAMS, priceFloorWeiPerKWh: TEST_PARAMS.priceCapWeiPerKWh + 1 },
        { ...TEST_PARAMS, maxOrdersPerSide: 0 },
        { ...TEST_PARAMS, maxOrdersPerSide: 1001 },
        { ...TEST_PARAMS, kDenominator: 0, kNumerator: 0 },
        { ...TEST_PARAMS, kNumerator: 3 },
        { ...TEST_PARAMS, intervalSeconds: 0 },
      ]) {
        await viem.assertions.revertWithCustomError(
          viem.deployContract("EnergyMarket", [...args(bad)]),
          market,
          "MarketParamsInvalid",
        );
      }
    });
  });

  describe("vault", () => {
    it("deposits and withdraws, moving tokens only then", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { viem, market, token, bob } = fx;
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT);
      assert.equal(await token.read.balanceOf([bob.account.address]), WALLET);
      let hash = await market.write.deposit([5n], { account: bob.account });
      await viem.assertions.emitWithArgs(hash, market, "Deposited", [addr(bob), 5n]);
      hash = await market.write.withdraw([DEPOSIT + 5n], { account: bob.account });
      await viem.assertions.emitWithArgs(hash, market, "Withdrawn", [addr(bob), DEPOSIT + 5n]);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), 0n);
      assert.equal(await token.read.balanceOf([bob.account.address]), WALLET + DEPOSIT);
      await assertVaultSolvent(fx);
    });

    it("deposits with an EIP-2612 permit in one transaction", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { market, token, eve, publicClient } = fx;
      await token.write.approve([market.address, 0n], { account: eve.account });
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const signature = await eve.signTypedData({
        account: eve.account,
        domain: {
          name: "PowerLAN Credit",
          version: "1",
          chainId: await publicClient.getChainId(),
          verifyingContract: token.address,
        },
        types: {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        primaryType: "Permit",
        message: {
          owner: eve.account.address,
          spender: market.address,
          value: 7n,
          nonce: await token.read.nonces([eve.account.address]),
          deadline,
        },
      });
      const { v, r, s } = parseSignature(signature);
      await market.write.depositWithPermit([7n, deadline, Number(v), r, s], { account: eve.account });
      assert.equal(await market.read.freeBalanceOf([eve.account.address]), DEPOSIT + 7n);
      await assertVaultSolvent(fx);
    });

    it("rejects zero amounts and withdrawing more than is free (locked funds stay locked)", async () => {
      const fx = await withOrders();
      const { market, bob } = fx;
      await assertRevertsUnchanged(fx, I, () => market.write.deposit([0n], { account: bob.account }), "VaultZeroAmount", []);
      await assertRevertsUnchanged(fx, I, () => market.write.withdraw([0n], { account: bob.account }), "VaultZeroAmount", []);
      const free = DEPOSIT - 300_000n;
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.withdraw([free + 1n], { account: bob.account }),
        "VaultInsufficientBalance",
        [addr(bob), free, free + 1n],
      );
    });
  });

  describe("placeBid / placeOffer", () => {
    it("a bid locks ceil(price × Wh / 1000) and emits OrderPlaced", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { viem, market, token, bob } = fx;
      const vaultBefore = await token.read.balanceOf([market.address]);
      const hash = await market.write.placeBid([I, 250_001, 333], { account: bob.account });
      await viem.assertions.emitWithArgs(hash, market, "OrderPlaced", [
        BID0,
        addr(bob),
        I,
        Side.Bid,
        250_001,
        333,
        zeroAddress,
      ]);
      const lock = charge(250_001, 333); // 83,250.333 → 83,251
      assert.equal(lock, 83_251n);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), lock);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - lock);
      assert.equal(await token.read.balanceOf([market.address]), vaultBefore); // no token transfer per order
      const order = await market.read.getOrder([BID0]);
      assert.deepEqual(order, {
        id: BID0,
        owner: addr(bob),
        side: Side.Bid,
        interval: I,
        index: 0,
        priceWeiPerKWh: 250_001,
        energyWh: 333,
        filledWh: 0,
        addressedTo: zeroAddress,
        cancelled: false,
        settled: false,
        channelPaid: false,
      });
      const state = await market.read.intervalState([I]);
      assert.equal(state.bidCount, 1);
      assert.equal(state.liveBids, 1);
    });

    it("an offer locks nothing; indexes count per side", async () => {
      const fx = await withOrders();
      const { viem, market, alice, carol, dave } = fx;
      const hash = await market.write.placeOffer([I, 260_000, 500], { account: dave.account });
      await viem.assertions.emitWithArgs(hash, market, "OrderPlaced", [
        orderIdOf(I, Side.Offer, 1),
        addr(dave),
        I,
        Side.Offer,
        260_000,
        500,
        zeroAddress,
      ]);
      await market.write.placeBid([I, 100_000, 500], { account: carol.account }); // prosumers may buy
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT);
      assert.equal(await market.read.lockedBalanceOf([dave.account.address]), 0n);
      const state = await market.read.intervalState([I]);
      assert.deepEqual(
        [state.bidCount, state.offerCount, state.liveBids, state.liveOffers],
        [2, 2, 2, 2],
      );
    });

    it("rejects accounts that are not active traders", async () => {
      const fx = await withOrders();
      const { market, registry, supervisor, eve, grace, frank } = fx;
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeBid([I, 300_000, 1_000], { account: eve.account }),
        "MarketNotParticipant",
        [addr(eve)],
      );
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeBid([I, 300_000, 1_000], { account: grace.account }),
        "MarketNotParticipant",
        [addr(grace)],
      );
      await registry.write.suspend([frank.account.address], { account: supervisor.account });
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeBid([I, 300_000, 1_000], { account: frank.account }),
        "MarketNotParticipant",
        [addr(frank)],
      );
      await registry.write.reinstate([frank.account.address], { account: supervisor.account });
      await market.write.placeBid([I, 300_000, 1_000], { account: frank.account });
    });

    it("rejects offers from consumers", async () => {
      const fx = await withOrders();
      const { market, bob } = fx;
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeOffer([I, 250_000, 1_000], { account: bob.account }),
        "MarketCannotSell",
        [addr(bob)],
      );
    });

    it("rejects zero or too little energy and zero or out-of-limit prices", async () => {
      const fx = await withOrders();
      const { market, bob, alice } = fx;
      const cases: [() => Promise<`0x${string}`>, string, unknown[]][] = [
        [() => market.write.placeBid([I, 300_000, 0], { account: bob.account }), "MarketZeroEnergy", []],
        [() => market.write.placeOffer([I, 300_000, 0], { account: alice.account }), "MarketZeroEnergy", []],
        [() => market.write.placeBid([I, 300_000, 99], { account: bob.account }), "MarketEnergyBelowMinimum", [99n, 100n]],
        [() => market.write.placeBid([I, 0, 1_000], { account: bob.account }), "MarketZeroPrice", []],
        [
          () => market.write.placeBid([I, 1_000_001, 1_000], { account: bob.account }),
          "MarketPriceAboveCap",
          [1_000_001n, 1_000_000n],
        ],
        [
          () => market.write.placeOffer([I, 999, 1_000], { account: alice.account }),
          "MarketPriceBelowFloor",
          [999n, 1_000n],
        ],
      ];
      for (const [run, error, args] of cases) await assertRevertsUnchanged(fx, I, run, error, args);
    });

    it("rejects a bid the free balance cannot cover", async () => {
      const fx = await withOrders();
      const { market, bob } = fx;
      const free = DEPOSIT - 300_000n;
      // 1 PLC/kWh × 1,000,000 Wh = 1,000 PLC > free
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeBid([I, 1_000_000, 1_000_000], { account: bob.account }),
        "VaultInsufficientBalance",
        [addr(bob), free, 1_000n * 1_000_000n],
      );
    });

    it("rejects more orders per side than the interval accepts (cancelled ones count)", async () => {
      const fx = await withOrders();
      const { market, bob, alice } = fx;
      const max = TEST_PARAMS.maxOrdersPerSide;
      for (let i = 1; i < max; i++) await market.write.placeBid([I, 100_000, 100], { account: bob.account });
      await market.write.cancel([orderIdOf(I, Side.Bid, 5)], { account: bob.account });
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeBid([I, 100_000, 100], { account: bob.account }),
        "MarketTooManyOrders",
        [I, Side.Bid, BigInt(max)],
      );
      // The other side and other intervals are unaffected.
      await market.write.placeOffer([I, 100_000, 100], { account: alice.account });
      await market.write.placeBid([I + 1n, 100_000, 100], { account: bob.account });
    });

    it("rejects orders at and after gate closure (and accepts them one second before)", async () => {
      const fx = await withOrders();
      const { market, bob, alice } = fx;
      const gate = await market.read.gateClosureTime([I]);
      await networkHelpers.time.setNextBlockTimestamp(gate - 1n);
      await market.write.placeBid([I, 300_000, 1_000], { account: bob.account });
      await networkHelpers.time.setNextBlockTimestamp(gate);
      await networkHelpers.mine();
      // Reads and failing sends run on the next block, timestamp ≥ gate.
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeBid([I, 300_000, 1_000], { account: bob.account }),
        "MarketGateClosed",
        [I, gate],
      );
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeOffer([I, 300_000, 1_000], { account: alice.account }),
        "MarketGateClosed",
        [I, gate],
      );
      // The next interval is still open.
      await market.write.placeBid([I + 1n, 300_000, 1_000], { account: bob.account });
    });
  });

  describe("placeAddressedOffer", () => {
    it("posts an offer only the named buyer may take; it is not in the auction", async () => {
      const fx = await withOrders();
      const { viem, market, alice, bob } = fx;
      const id = orderIdOf(I, Side.Offer, 1);
      const hash = await market.write.placeAddressedOffer([I, 200_000, 700, bob.account.address], {
        account: alice.account,
      });
      await viem.assertions.emitWithArgs(hash, market, "OrderPlaced", [id, addr(alice), I, Side.Offer, 200_000, 700, addr(bob)]);
      const order = await market.read.getOrder([id]);
      assert.equal(order.addressedTo, addr(bob));
      const state = await market.read.intervalState([I]);
      assert.equal(state.offerCount, 2);
      assert.equal(state.liveOffers, 1);
      const [, offerHints] = await market.read.sortHints([I]);
      assert.equal(offerHints, "0x0000");
    });

    it("rejects a buyer who is not an active participant", async () => {
      const fx = await withOrders();
      const { market, alice, eve, grace } = fx;
      for (const buyer of [eve, grace]) {
        await assertRevertsUnchanged(
          fx,
          I,
          () => market.write.placeAddressedOffer([I, 200_000, 700, buyer.account.address], { account: alice.account }),
          "MarketBuyerNotParticipant",
          [addr(buyer)],
        );
      }
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.placeAddressedOffer([I, 200_000, 700, zeroAddress], { account: alice.account }),
        "MarketBuyerNotParticipant",
        [zeroAddress],
      );
    });
  });

  describe("cancel", () => {
    it("cancels a bid before the gate: the lock returns to the free balance", async () => {
      const fx = await withOrders();
      const { viem, market, bob } = fx;
      const hash = await market.write.cancel([BID0], { account: bob.account });
      await viem.assertions.emitWithArgs(hash, market, "OrderCancelled", [BID0, addr(bob), 300_000n]);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), 0n);
      assert.equal((await market.read.getOrder([BID0])).cancelled, true);
      assert.equal((await market.read.intervalState([I])).liveBids, 0);
      assert.equal((await market.read.intervalState([I])).bidCount, 1);
      await assertVaultSolvent(fx);
    });

    it("cancels an offer (nothing to refund) and an addressed offer", async () => {
      const fx = await withOrders();
      const { viem, market, alice, bob } = fx;
      await market.write.placeAddressedOffer([I, 200_000, 700, bob.account.address], { account: alice.account });
      let hash = await market.write.cancel([OFFER0], { account: alice.account });
      await viem.assertions.emitWithArgs(hash, market, "OrderCancelled", [OFFER0, addr(alice), 0n]);
      hash = await market.write.cancel([orderIdOf(I, Side.Offer, 1)], { account: alice.account });
      await viem.assertions.emitWithArgs(hash, market, "OrderCancelled", [orderIdOf(I, Side.Offer, 1), addr(alice), 0n]);
      const state = await market.read.intervalState([I]);
      assert.equal(state.liveOffers, 0);
      assert.equal(state.offerCount, 2);
    });

    it("rejects cancelling someone else's order, twice, unknown ids, and after the gate", async () => {
      const fx = await withOrders();
      const { market, bob, carol } = fx;
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.cancel([BID0], { account: carol.account }),
        "MarketNotOrderOwner",
        [BID0, addr(carol)],
      );
      const unknown = orderIdOf(I, Side.Bid, 1);
      await assertRevertsUnchanged(fx, I, () => market.write.cancel([unknown], { account: bob.account }), "MarketUnknownOrder", [
        unknown,
      ]);
      const badSide = (I << 40n) | (2n << 32n);
      await assertRevertsUnchanged(fx, I, () => market.write.cancel([badSide], { account: bob.account }), "MarketUnknownOrder", [
        badSide,
      ]);
      await market.write.cancel([BID0], { account: bob.account });
      await assertRevertsUnchanged(fx, I, () => market.write.cancel([BID0], { account: bob.account }), "MarketOrderNotOpen", [BID0]);
      const fx2 = await withOrders();
      const gate = await fx2.market.read.gateClosureTime([I]);
      await closeGate(fx2, I);
      await assertRevertsUnchanged(
        fx2,
        I,
        () => fx2.market.write.cancel([BID0], { account: fx2.bob.account }),
        "MarketGateClosed",
        [I, gate],
      );
    });
  });

  describe("take", () => {
    it("locks the buyer's ceil(p × Wh / 1000) in escrow and pays nobody yet (settled on delivery)", async () => {
      const fx = await networkHelpers.loadFixture(deployMarket);
      const { viem, market, token, alice, bob, dso } = fx;
      await market.write.placeOffer([I, 250_001, 1_000], { account: alice.account });
      const vault = await token.read.balanceOf([market.address]);
      const hash = await market.write.take([OFFER0, 333], { account: bob.account });
      const paid = charge(250_001, 333);
      const received = payout(250_001, 333);
      assert.deepEqual([paid, received], [83_251n, 83_250n]);
      const take0 = (I << 40n) | (2n << 32n);
      await viem.assertions.emitWithArgs(hash, market, "OfferTaken", [OFFER0, addr(bob), addr(alice), 333, 250_001, paid, take0]);
      assert.equal(await market.read.freeBalanceOf([bob.account.address]), DEPOSIT - paid);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), paid);
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT);
      assert.equal(await market.read.freeBalanceOf([dso.account.address]), 0n);
      assert.equal(await token.read.balanceOf([market.address]), vault);
      assert.equal((await market.read.getOrder([OFFER0])).energyWh, 1_000 - 333);
      assert.equal((await market.read.intervalState([I])).liveOffers, 1);
      // Taking the rest (below minOrderWh is fine when it is all that is left) ends the offer.
      const hash2 = await market.write.take([OFFER0, 667], { account: bob.account });
      await viem.assertions.emitWithArgs(hash2, market, "OfferTaken", [
        OFFER0,
        addr(bob),
        addr(alice),
        667,
        250_001,
        charge(250_001, 667),
        take0 + 1n,
      ]);
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), paid + charge(250_001, 667));
      assert.equal((await market.read.getOrder([OFFER0])).energyWh, 0);
      assert.equal((await market.read.intervalState([I])).liveOffers, 0);
      await assertRevertsUnchanged(fx, I, () => market.write.take([OFFER0, 1], { account: bob.account }), "MarketOrderNotOpen", [
        OFFER0,
      ]);
      await assertVaultSolvent(fx);
    });

    it("lets the addressed buyer take an addressed offer, and nobody else", async () => {
      const fx = await withOrders();
      const { market, alice, bob, dave } = fx;
      const id = orderIdOf(I, Side.Offer, 1);
      await market.write.placeAddressedOffer([I, 200_000, 700, bob.account.address], { account: alice.account });
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.take([id, 700], { account: dave.account }),
        "MarketNotAddressedBuyer",
        [id, addr(dave)],
      );
      const lockedBefore = await market.read.lockedBalanceOf([bob.account.address]);
      await market.write.take([id, 700], { account: bob.account });
      assert.equal(await market.read.freeBalanceOf([alice.account.address]), DEPOSIT); // paid at settlement
      assert.equal(await market.read.lockedBalanceOf([bob.account.address]), lockedBefore + 140_000n);
      const state = await market.read.intervalState([I]);
      assert.equal(state.liveOffers, 1); // the auction offer; addressed offers never counted
    });

    it("rejects taking more than is left, too little, zero, own offers, bids, and unknown ids", async () => {
      const fx = await withOrders();
      const { market, alice, bob, dave } = fx;
      const cases: [() => Promise<`0x${string}`>, string, unknown[]][] = [
        [() => market.write.take([OFFER0, 2_001], { account: bob.account }), "MarketTakeExceedsOffer", [OFFER0, 2_001n, 2_000n]],
        [() => market.write.take([OFFER0, 99], { account: bob.account }), "MarketEnergyBelowMinimum", [99n, 100n]],
        [() => market.write.take([OFFER0, 0], { account: bob.account }), "MarketZeroEnergy", []],
        [() => market.write.take([OFFER0, 500], { account: alice.account }), "MarketOwnOffer", [OFFER0]],
        [() => market.write.take([BID0, 500], { account: dave.account }), "MarketNotAnOffer", [BID0]],
        [
          () => market.write.take([orderIdOf(I, Side.Offer, 9), 500], { account: bob.account }),
          "MarketUnknownOrder",
          [orderIdOf(I, Side.Offer, 9)],
        ],
      ];
      for (const [run, error, args] of cases) await assertRevertsUnchanged(fx, I, run, error, args);
    });

    it("rejects takers who are not active participants or cannot pay", async () => {
      const fx = await withOrders();
      const { market, eve, bob } = fx;
      await assertRevertsUnchanged(fx, I, () => market.write.take([OFFER0, 500], { account: eve.account }), "MarketNotParticipant", [
        addr(eve),
      ]);
      await market.write.withdraw([DEPOSIT - 300_000n - 10n], { account: bob.account });
      await assertRevertsUnchanged(
        fx,
        I,
        () => market.write.take([OFFER0, 500], { account: bob.account }),
        "VaultInsufficientBalance",
        [addr(bob), 10n, 125_000n],
      );
    });

    it("rejects cancelled offers and takes after the gate", async () => {
      const fx = await withOrders();
      const { market, alice, bob } = fx;
      await market.write.placeOffer([I, 250_000, 500], { account: alice.account });
      await market.write.cancel([OFFER0], { account: alice.account });
      await assertRevertsUnchanged(fx, I, () => market.write.take([OFFER0, 500], { account: bob.account }), "MarketOrderNotOpen", [
        OFFER0,
      ]);
      const gate = await market.read.gateClosureTime([I]);
      await closeGate(fx, I);
      const id = orderIdOf(I, Side.Offer, 1);
      await assertRevertsUnchanged(fx, I, () => market.write.take([id, 500], { account: bob.account }), "MarketGateClosed", [I, gate]);
    });
  });
});

export type { MarketFixture };
