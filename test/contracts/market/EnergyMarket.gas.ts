/**
 * Gas bounds and a quick gas profile of the market (the full benchmark is `npm run bench`).
 * The largest book (MAX_ORDERS_PER_SIDE bids and offers, all crossing) must clear < 15M gas.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import type { Hex } from "viem";
import { marketFixtures, TEST_PARAMS, orderIdOf, closeGate, assertVaultSolvent } from "../helpers/market.ts";
import { attestDeliveries } from "../helpers/delivery.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const { deployWith } = marketFixtures(connection);

/** Sends run concurrently, so a gas estimate may be made against an earlier state: set a limit. */
const PLACE_GAS = 150_000n;

async function deployLargeBook() {
  return deployWith({ ...TEST_PARAMS, maxOrdersPerSide: 1000, minOrderWh: 1 });
}

/** Deterministic pseudo-random numbers (LCG) so the books are reproducible. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe("EnergyMarket gas", () => {
  it("profiles place, cancel, take, clear and settle on a 50×50 book", async () => {
    const fx = await networkHelpers.loadFixture(deployLargeBook);
    const { market, publicClient, alice, bob, carol, dave, frank } = fx;
    const gasOf = async (hash: Hex | Promise<Hex>) => (await publicClient.getTransactionReceipt({ hash: await hash })).gasUsed;
    const r = rng(7);
    const buyers = [bob, frank, dave];
    const sellers = [alice, carol, dave];
    const placeGas: bigint[] = [];
    const n = 50;
    for (let i = 0; i < n; i++) {
      placeGas.push(
        await gasOf(market.write.placeBid([0n, 200_000 + r(100_000), 500 + r(1000)], { account: buyers[i % 3].account, gas: PLACE_GAS })),
      );
      placeGas.push(
        await gasOf(market.write.placeOffer([0n, 100_000 + r(150_000), 500 + r(1000)], { account: sellers[i % 3].account, gas: PLACE_GAS })),
      );
    }
    const bids = placeGas.filter((_, i) => i % 2 === 0);
    const offers = placeGas.filter((_, i) => i % 2 === 1);
    await closeGate(fx, 0n);
    const [b, o] = await market.read.sortHints([0n]);
    const clearGas = await gasOf(market.write.clear([0n, b, o]));
    await attestDeliveries(fx, 0n);
    // Offers first (3 sellers, one settlement each), then bids; two batches (MAX_SETTLE_BATCH = 64).
    const offerIds = [...Array(n).keys()].map((i) => orderIdOf(0n, 1, i));
    const bidIds = [...Array(n).keys()].map((i) => orderIdOf(0n, 0, i));
    const settleGas = (await gasOf(market.write.settle([offerIds]))) + (await gasOf(market.write.settle([bidIds])));
    const state = await market.read.intervalState([0n]);
    const placeTotal = placeGas.reduce((a, g) => a + g, 0n);
    const perPair = (placeTotal + clearGas + settleGas) / BigInt(n);
    console.log(
      `      gas: placeBid first ${bids[0]}, placeBid later even/odd ${bids[2]}/${bids[3]}, ` +
        `placeOffer later even/odd ${offers[2]}/${offers[3]}, mean later bid ${(bids.slice(1).reduce((a, g) => a + g, 0n)) / BigInt(n - 1)}, ` +
        `clear(50×50) ${clearGas}, settle(100 orders) ${settleGas}, end-to-end per pair ${perPair} ` +
        `(matched bids ${state.clearedWh > 0n ? "yes" : "no"})`,
    );
    assert.equal(state.unsettledOrders, 0);
    await assertVaultSolvent(fx);
  });

  it("profiles cancel, take and clear at several book sizes", async () => {
    const fx = await networkHelpers.loadFixture(deployLargeBook);
    const { market, publicClient, alice, bob, carol, dave, frank } = fx;
    const gasOf = async (hash: Hex | Promise<Hex>) => (await publicClient.getTransactionReceipt({ hash: await hash })).gasUsed;
    const r = rng(11);
    const buyers = [bob, frank, dave];
    const sellers = [alice, carol, dave];
    // cancel and take on interval 9
    await market.write.placeBid([9n, 300_000, 1_000], { account: bob.account });
    await market.write.placeBid([9n, 300_000, 1_000], { account: bob.account });
    await market.write.placeOffer([9n, 250_001, 1_000], { account: alice.account });
    const cancelGas = await gasOf(market.write.cancel([orderIdOf(9n, 0, 1)], { account: bob.account }));
    const takePartGas = await gasOf(market.write.take([orderIdOf(9n, 1, 0), 333], { account: frank.account }));
    const takeRestGas = await gasOf(market.write.take([orderIdOf(9n, 1, 0), 667], { account: frank.account }));
    const sizes = [10, 100, 200];
    const clearGas: bigint[] = [];
    for (const [k, n] of sizes.entries()) {
      const interval = BigInt(k + 1);
      const hashes: Promise<Hex>[] = [];
      for (let i = 0; i < n; i++) {
        hashes.push(market.write.placeBid([interval, 200_000 + r(100_000), 1 + r(1000)], { account: buyers[i % 3].account, gas: PLACE_GAS }));
        hashes.push(market.write.placeOffer([interval, 100_000 + r(150_000), 1 + r(1000)], { account: sellers[i % 3].account, gas: PLACE_GAS }));
      }
      await Promise.all(hashes);
    }
    for (const [k] of sizes.entries()) {
      const interval = BigInt(k + 1);
      await closeGate(fx, interval);
      const [b, o] = await market.read.sortHints([interval]);
      clearGas.push(await gasOf(market.write.clear([interval, b, o])));
    }
    console.log(
      `      gas: cancel(bid) ${cancelGas}, take(partial) ${takePartGas}, take(rest) ${takeRestGas}, ` +
        sizes.map((n, i) => `clear(${n}×${n}) ${clearGas[i]}`).join(", "),
    );
    // Linear in orders: per-order cost of the largest book within 25% of the mid-size one.
    const perOrder = sizes.map((n, i) => Number(clearGas[i]) / (2 * n));
    assert.ok(perOrder[2] < perOrder[1] * 1.25, `clear not linear: ${perOrder.join(", ")}`);
  });

  it("clears the largest book (1000 × 1000, all crossing) under 15,000,000 gas", async () => {
    const fx = await networkHelpers.loadFixture(deployLargeBook);
    const { market, publicClient, alice, bob, carol, dave, frank } = fx;
    assert.equal(await market.read.MAX_ORDERS_PER_SIDE(), 1000);
    const r = rng(42);
    const buyers = [bob, frank, dave];
    const sellers = [alice, carol, dave];
    const max = 1000;
    // Sequential sends keep nonces simple; automine mines each at once.
    const hashes: Promise<Hex>[] = [];
    for (let i = 0; i < max; i++) {
      hashes.push(market.write.placeBid([0n, 500_000 + r(500_000), 1 + r(100)], { account: buyers[i % 3].account, gas: PLACE_GAS }));
      hashes.push(market.write.placeOffer([0n, 1_000 + r(499_000), 1 + r(100)], { account: sellers[i % 3].account, gas: PLACE_GAS }));
    }
    await Promise.all(hashes);
    await closeGate(fx, 0n);
    const [b, o] = await market.read.sortHints([0n]);
    assert.equal(b.length, 2 + 4 * max);
    const hash = await market.write.clear([0n, b, o]);
    const { gasUsed } = await publicClient.getTransactionReceipt({ hash });
    console.log(`      gas: clear(1000×1000) ${gasUsed}`);
    assert.ok(gasUsed < 15_000_000n, `clear used ${gasUsed}`);

    // Settlement of the same book in batches of MAX_SETTLE_BATCH: the first offer of each seller
    // scans all 1000 offers of the interval (cold), each bid mints a real ERC-1155 certificate.
    await attestDeliveries(fx, 0n);
    const batch = Number(await market.read.MAX_SETTLE_BATCH());
    const settleGas: bigint[] = [];
    for (const side of [1, 0]) {
      for (let from = 0; from < max; from += batch) {
        const ids = [...Array(Math.min(batch, max - from)).keys()].map((i) => orderIdOf(0n, side, from + i));
        settleGas.push((await publicClient.getTransactionReceipt({ hash: await market.write.settle([ids]) })).gasUsed);
      }
    }
    const worst = settleGas.reduce((a, g) => (g > a ? g : a), 0n);
    console.log(`      gas: settle(1000×1000) in ${settleGas.length} batches of ${batch}: first ${settleGas[0]}, worst ${worst}`);
    assert.equal((await market.read.intervalState([0n])).unsettledOrders, 0);
    assert.ok(worst < 15_000_000n, `a settle batch used ${worst}`);
    await assertVaultSolvent(fx);
  });
});
