/**
 * Property test: the on-chain clearing equals the TypeScript reference (lib/market/clearing.ts).
 *
 * Random books are posted ON-CHAIN — ties (few price levels, bids and offers at the same prices),
 * equal energies, tiny and huge energies, prices at the floor and the cap, books that do not
 * cross, one-sided and empty books, addressed (bilateral) offers, offers partly or fully taken
 * before the gate, cancelled bids and offers — each with its own k (0, 1/2, 1 or a random
 * fraction, scheduled by the supervisor for that interval). After the gate each interval is
 * cleared with the contract's own `sortHints`, and the contract's price (or no price), cleared
 * volume, matched counts and EVERY order's `filledWh` must equal `clearDoubleAuction` of the book
 * as this test built it (live orders only; seq = the order's on-chain index, id = its order id).
 *
 * Books: 212 on a deployment accepting 100 orders per side (sizes 0–30 per side, and 12 books at
 * 100 per side, its maximum), plus one book at MAX_ORDERS_PER_SIDE (1000) bids × 1000 offers on a
 * deployment configured to that maximum (the 1001st order is refused).
 *
 * Deterministic: the seed is MARKET_PROPERTY_SEED (default below); a failure names the seed and
 * the book. Rerun one seed with `MARKET_PROPERTY_SEED=<seed> npx hardhat test nodejs <this file>`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress, parseEventLogs, type Hex } from "viem";
import { clearDoubleAuction, type AuctionOrder } from "../../../lib/market/clearing.ts";
import { marketFixtures, TEST_PARAMS, Side, closeGate, type MarketFixture, type MarketParams, type Wallet } from "../helpers/market.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const { deployWith } = marketFixtures(connection);

const DEFAULT_SEED = 0x5eed2026;
const SEED = process.env.MARKET_PROPERTY_SEED ? Number(process.env.MARKET_PROPERTY_SEED) : DEFAULT_SEED;
assert.ok(Number.isSafeInteger(SEED) && SEED >= 0, `MARKET_PROPERTY_SEED must be a non-negative integer, got ${process.env.MARKET_PROPERTY_SEED}`);

/** Sends run concurrently (no receipt awaited per order), so gas estimates could race: fixed limits. */
const PLACE_GAS = 150_000n;
const OP_GAS = 150_000n;

/** Prices span the whole uint32 range the market accepts: floor 1, cap 2^32 − 1 base units per kWh. */
const PROPERTY_PARAMS: MarketParams = {
  ...TEST_PARAMS,
  priceFloorWeiPerKWh: 1,
  priceCapWeiPerKWh: 2 ** 32 - 1,
  minOrderWh: 1,
  maxOrdersPerSide: 100,
};
/** Enough for every lock of every book (Σ locks ≪ this; vault balances are uint96). */
const FUNDS = 10n ** 24n;

async function fund(fx: MarketFixture) {
  for (const w of [fx.alice, fx.bob, fx.carol, fx.dave, fx.frank]) {
    await fx.token.write.mint([w.account.address, FUNDS]);
    await fx.token.write.approve([fx.market.address, FUNDS], { account: w.account });
    await fx.market.write.deposit([FUNDS], { account: w.account });
  }
  return fx;
}

async function deployModest() {
  return fund(await deployWith(PROPERTY_PARAMS));
}

async function deployMaximum() {
  return fund(await deployWith({ ...PROPERTY_PARAMS, maxOrdersPerSide: 1000 }));
}

// ───────────────────────────── deterministic randomness ─────────────────────────────

type Rng = {
  /** uniform integer in [lo, hi] (both inclusive, hi − lo < 2^53) */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
};

/** mulberry32, seeded per book from (seed, book number) so one book can be reproduced alone. */
function rngFor(seed: number, book: number): Rng {
  let a = (seed ^ Math.imul(book + 1, 0x9e3779b1)) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return { int, chance: (p) => next() < p, pick: (items) => items[int(0, items.length - 1)] };
}

// ───────────────────────────── books ─────────────────────────────


/** One order as this test placed it, and what happened to it before the gate. */
type Planned = {
  side: "bid" | "offer";
  owner: Wallet;
  priceWeiPerKWh: number;
  energyWh: number;
  addressedTo?: Wallet;
  // known once placed
  hash?: Hex;
  id?: bigint;
  index?: number;
  // before the gate
  remainingWh: number;
  cancelled: boolean;
};

type BookSpec = {
  bids: number;
  offers: number; // auction and addressed together (both count toward maxOrdersPerSide)
  k: { num: number; den: number };
  /** price modes that let bids and offers cross (for the big books) */
  mustCross?: boolean;
};

const U32 = 2 ** 32 - 1;

/** A price generator: a mode chosen per book, independently for shape and for crossing. */
function priceModel(r: Rng, mustCross: boolean): { mode: string; bid: () => number; offer: () => number } {
  const modes = ["levels", "levels", "overlap", "overlap", "wide", "apart", "edges", "single", "tiny"] as const;
  const mode = r.pick(mustCross ? modes.filter((m) => m !== "apart") : modes);
  switch (mode) {
    case "levels": {
      // A few shared price levels: ties within each side and between bids and offers.
      const base = r.int(1_000, 500_000);
      const step = r.pick([1, 7, 1_000, 25_000]);
      const levels = Array.from({ length: r.int(1, 5) }, (_, i) => base + i * step);
      return { mode: `levels(${levels.join(",")})`, bid: () => r.pick(levels), offer: () => r.pick(levels) };
    }
    case "overlap": {
      const mid = r.int(50_000, 1_000_000);
      const spread = r.int(1, mid - 1);
      return {
        mode: `overlap(mid ${mid} ± ${spread})`,
        bid: () => r.int(mid - spread, mid + spread),
        offer: () => r.int(mid - spread, mid + spread),
      };
    }
    case "wide":
      return { mode: "wide", bid: () => r.int(1, U32), offer: () => r.int(1, U32) };
    case "apart": {
      // Every bid below every offer: nothing crosses, no price.
      const gap = r.int(1, 1_000_000);
      return { mode: `apart(${gap})`, bid: () => r.int(1, gap), offer: () => r.int(gap + 1, 2 * gap) };
    }
    case "edges": {
      const edges = [1, 2, U32 - 1, U32];
      return { mode: "edges", bid: () => r.pick(edges), offer: () => r.pick(edges) };
    }
    case "single": {
      const p = r.int(1, 2_000_000);
      return { mode: `single(${p})`, bid: () => p, offer: () => p };
    }
    case "tiny":
      // Prices of a few base units: clearing prices with the most rounding.
      return { mode: "tiny", bid: () => r.int(1, 9), offer: () => r.int(1, 9) };
  }
}

function energyModel(r: Rng, huge: boolean): { mode: string; next: () => number } {
  const mode = r.pick(huge ? (["huge"] as const) : (["equal", "equal", "small", "wide", "mixed"] as const));
  switch (mode) {
    case "equal": {
      const e = r.int(1, 5_000);
      return { mode: `equal(${e})`, next: () => e };
    }
    case "small":
      return { mode: "small(1–10)", next: () => r.int(1, 10) };
    case "wide":
      return { mode: "wide(1–100k)", next: () => r.int(1, 100_000) };
    case "mixed": {
      const e = r.int(100, 2_000);
      return { mode: `mixed(${e} or 1–5k)`, next: () => (r.chance(0.5) ? e : r.int(1, 5_000)) };
    }
    case "huge":
      return { mode: "huge(up to 2^32−1)", next: () => (r.chance(0.5) ? U32 : r.int(1, U32)) };
  }
}

function randomK(r: Rng): { num: number; den: number } {
  switch (r.int(0, 5)) {
    case 0:
      return { num: 0, den: 1 };
    case 1:
      return { num: 1, den: 2 };
    case 2:
      return { num: 1, den: 1 };
    case 3:
      return { num: 1, den: 3 };
    default: {
      const den = r.int(1, 65_535);
      return { num: r.int(0, den), den };
    }
  }
}

type Actors = { buyers: Wallet[]; sellers: Wallet[] };
const actorsOf = (fx: MarketFixture): Actors => ({
  buyers: [fx.bob, fx.frank, fx.dave, fx.alice, fx.carol],
  sellers: [fx.alice, fx.carol, fx.dave],
});

/** The orders of one book, in the order they are sent. */
function planBook(r: Rng, actors: Actors, bids: number, offers: number, mustCross: boolean): { orders: Planned[]; description: string } {
  const huge = bids + offers <= 40 && r.chance(0.06);
  const prices = priceModel(r, mustCross);
  const energies = energyModel(r, huge);
  const addressedShare = r.chance(0.2) ? 0.15 : 0;
  const orders: Planned[] = [];
  const make = (side: "bid" | "offer"): Planned => {
    const owner = r.pick(side === "bid" ? actors.buyers : actors.sellers);
    const energyWh = energies.next();
    const order: Planned = {
      side,
      owner,
      priceWeiPerKWh: side === "bid" ? prices.bid() : prices.offer(),
      energyWh,
      remainingWh: energyWh,
      cancelled: false,
    };
    if (side === "offer" && r.chance(addressedShare)) {
      order.addressedTo = r.pick(actors.buyers.filter((b) => b !== owner));
    }
    return order;
  };
  for (let i = 0; i < bids; i++) orders.push(make("bid"));
  for (let i = 0; i < offers; i++) orders.push(make("offer"));
  // Interleave the two sides in a random order (arrival order within a side is what counts).
  for (let i = orders.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [orders[i], orders[j]] = [orders[j], orders[i]];
  }
  return { orders, description: `prices ${prices.mode}, energies ${energies.mode}${addressedShare ? ", some addressed offers" : ""}` };
}

// ───────────────────────────── on-chain steps ─────────────────────────────

/** Post every planned order without waiting for each receipt; learn ids from the OrderPlaced logs. */
async function postOrders(fx: MarketFixture, interval: bigint, orders: Planned[]) {
  const { market, publicClient } = fx;
  const fromBlock = (await publicClient.getBlockNumber()) + 1n;
  const hashes = await Promise.all(
    orders.map((o) => {
      const opts = { account: o.owner.account, gas: PLACE_GAS };
      if (o.side === "bid") return market.write.placeBid([interval, o.priceWeiPerKWh, o.energyWh], opts);
      if (o.addressedTo) {
        return market.write.placeAddressedOffer([interval, o.priceWeiPerKWh, o.energyWh, o.addressedTo.account.address], opts);
      }
      return market.write.placeOffer([interval, o.priceWeiPerKWh, o.energyWh], opts);
    }),
  );
  const logs = await publicClient.getContractEvents({
    address: market.address,
    abi: market.abi,
    eventName: "OrderPlaced",
    args: { interval },
    fromBlock,
  });
  const idByHash = new Map(logs.map((l) => [l.transactionHash, l.args.orderId!]));
  orders.forEach((o, i) => {
    o.hash = hashes[i];
    const id = idByHash.get(hashes[i]);
    assert.ok(id !== undefined, `no OrderPlaced for ${hashes[i]}`);
    o.id = id;
    o.index = Number(id & 0xffffffffn);
    assert.equal(Number((id >> 32n) & 0xffn), o.side === "bid" ? Side.Bid : Side.Offer);
  });
}

/** Before the gate: take some offers (partly or fully), then cancel some orders. */
async function tradeBeforeGate(r: Rng, fx: MarketFixture, actors: Actors, orders: Planned[]): Promise<string> {
  const { market } = fx;
  const takeShare = r.chance(0.5) ? r.pick([0.1, 0.3]) : 0;
  const cancelShare = r.chance(0.5) ? r.pick([0.05, 0.2]) : 0;
  const takes: Promise<Hex>[] = [];
  for (const o of orders) {
    if (o.side !== "offer" || !r.chance(takeShare)) continue;
    const buyer = o.addressedTo ?? r.pick(actors.buyers.filter((b) => b !== o.owner));
    const wh = o.remainingWh === 1 || r.chance(0.3) ? o.remainingWh : r.int(1, o.remainingWh - 1);
    o.remainingWh -= wh;
    takes.push(market.write.take([o.id!, wh], { account: buyer.account, gas: OP_GAS }));
  }
  await Promise.all(takes);
  const cancels: Promise<Hex>[] = [];
  for (const o of orders) {
    if (o.remainingWh === 0 || !r.chance(cancelShare)) continue;
    o.cancelled = true;
    cancels.push(market.write.cancel([o.id!], { account: o.owner.account, gas: OP_GAS }));
  }
  await Promise.all(cancels);
  return `${takes.length} takes, ${cancels.length} cancels`;
}

/** The orders that take part in the auction, as the reference sees them. */
function liveAuctionOrders(orders: Planned[]): AuctionOrder[] {
  return orders
    .filter((o) => !o.cancelled && !o.addressedTo && o.remainingWh > 0)
    .map((o) => ({
      id: o.id!,
      side: o.side,
      priceWeiPerKWh: BigInt(o.priceWeiPerKWh),
      energyWh: BigInt(o.remainingWh),
      seq: BigInt(o.index!),
    }));
}

async function allOrders(fx: MarketFixture, interval: bigint, side: number, count: number) {
  const pages = [];
  for (let from = 0; from < count; from += 250) {
    pages.push(fx.market.read.getOrders([interval, side, BigInt(from), 250n]));
  }
  return (await Promise.all(pages)).flat();
}

type BookResult = { clearGas: bigint; liveOrders: number; crossed: boolean };

/** Clear `interval` with the contract's hints and compare everything with the reference. */
async function clearAndCompare(fx: MarketFixture, interval: bigint, orders: Planned[], k: BookSpec["k"]): Promise<BookResult> {
  const { market, publicClient } = fx;
  const live = liveAuctionOrders(orders);
  const expected = clearDoubleAuction(live, { k: { num: BigInt(k.num), den: BigInt(k.den) } });

  await closeGate(fx, interval);
  const [bidHints, offerHints] = await market.read.sortHints([interval]);
  const hash = await market.write.clear([interval, bidHints, offerHints]);
  const receipt = await publicClient.getTransactionReceipt({ hash });
  const [cleared] = parseEventLogs({ abi: market.abi, logs: receipt.logs, eventName: "IntervalCleared" });

  const fills = new Map(expected.fills.map((f) => [f.id, f.filledWh]));
  const matchedBids = live.filter((o) => o.side === "bid" && fills.has(o.id)).length;
  const matchedOffers = live.filter((o) => o.side === "offer" && fills.has(o.id)).length;
  assert.deepEqual(cleared.args, {
    interval,
    hasPrice: expected.priceWeiPerKWh !== null,
    priceWeiPerKWh: Number(expected.priceWeiPerKWh ?? 0n),
    clearedWh: expected.clearedWh,
    matchedBids,
    matchedOffers,
  });

  const bids = orders.filter((o) => o.side === "bid");
  const offers = orders.filter((o) => o.side === "offer");
  const state = await market.read.intervalState([interval]);
  assert.deepEqual(
    {
      bidCount: state.bidCount,
      offerCount: state.offerCount,
      liveBids: state.liveBids,
      liveOffers: state.liveOffers,
      cleared: state.cleared,
      hasPrice: state.hasPrice,
      clearingPriceWeiPerKWh: state.clearingPriceWeiPerKWh,
      clearedWh: state.clearedWh,
    },
    {
      bidCount: bids.length,
      offerCount: offers.length,
      liveBids: live.filter((o) => o.side === "bid").length,
      liveOffers: live.filter((o) => o.side === "offer").length,
      cleared: true,
      hasPrice: expected.priceWeiPerKWh !== null,
      clearingPriceWeiPerKWh: Number(expected.priceWeiPerKWh ?? 0n),
      clearedWh: expected.clearedWh,
    },
  );

  // Every order, live or not: what the chain holds matches what was done, and the fill matches.
  const byId = new Map(orders.map((o) => [o.id!, o]));
  const onChain = [
    ...(await allOrders(fx, interval, Side.Bid, bids.length)),
    ...(await allOrders(fx, interval, Side.Offer, offers.length)),
  ];
  assert.equal(onChain.length, orders.length);
  for (const o of onChain) {
    const planned = byId.get(o.id);
    assert.ok(planned, `unexpected order ${o.id}`);
    assert.deepEqual(
      {
        owner: o.owner,
        price: o.priceWeiPerKWh,
        energyWh: o.energyWh,
        cancelled: o.cancelled,
        addressedTo: o.addressedTo,
        filledWh: BigInt(o.filledWh),
      },
      {
        owner: getAddress(planned.owner.account.address),
        price: planned.priceWeiPerKWh,
        energyWh: planned.remainingWh,
        cancelled: planned.cancelled,
        addressedTo: getAddress(planned.addressedTo?.account.address ?? "0x0000000000000000000000000000000000000000"),
        filledWh: fills.get(o.id) ?? 0n,
      },
      `order ${o.id} (${planned.side} #${planned.index})`,
    );
  }
  return { clearGas: receipt.gasUsed, liveOrders: live.length, crossed: expected.priceWeiPerKWh !== null };
}

/** Schedule k for `interval` (the supervisor may, until its gate closes). */
async function scheduleK(fx: MarketFixture, interval: bigint, k: BookSpec["k"]) {
  const params = { ...fx.params, kNumerator: k.num, kDenominator: k.den };
  await fx.market.write.scheduleParams([params, interval], { account: fx.supervisor.account });
  const stored = await fx.market.read.paramsFor([interval]);
  assert.equal(stored.kNumerator, k.num);
  assert.equal(stored.kDenominator, k.den);
}

/** Run one book end to end; on failure the error names the seed and the book. */
async function runBook(
  fx: MarketFixture,
  book: number,
  interval: bigint,
  spec: BookSpec,
  beforeGate?: () => Promise<void>,
): Promise<BookResult> {
  const r = rngFor(SEED, book);
  const actors = actorsOf(fx);
  const { orders, description } = planBook(r, actors, spec.bids, spec.offers, spec.mustCross ?? false);
  let trades = "";
  try {
    await scheduleK(fx, interval, spec.k);
    await postOrders(fx, interval, orders);
    trades = await tradeBeforeGate(r, fx, actors, orders);
    await beforeGate?.();
    return await clearAndCompare(fx, interval, orders, spec.k);
  } catch (error) {
    const what =
      `book ${book} (interval ${interval}, ${spec.bids} bids × ${spec.offers} offers, k ${spec.k.num}/${spec.k.den}, ` +
      `${description}${trades ? `, ${trades}` : ""})`;
    throw new Error(`property failed — seed ${SEED} (MARKET_PROPERTY_SEED=${SEED}), ${what}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Book sizes: mostly 1–30 per side, some empty or one-sided, `atMax` books at `max` per side. */
function bookSpecs(count: number, atMax: number, max: number, firstBook: number): BookSpec[] {
  const specs: BookSpec[] = [];
  const step = Math.floor(count / atMax);
  for (let i = 0; i < count; i++) {
    const r = rngFor(SEED ^ 0x512e5, firstBook + i);
    const full = (i + 1) % step === 0 && (i + 1) / step <= atMax;
    let bids = full ? max : r.int(1, 30);
    let offers = full ? max : r.int(1, 30);
    if (!full && r.chance(0.05)) [bids, offers] = r.pick([[0, offers], [bids, 0], [0, 0]] as const);
    specs.push({ bids, offers, k: randomK(r), mustCross: full });
  }
  return specs;
}

describe("EnergyMarket — on-chain clearing equals the TypeScript reference (property)", () => {
  it("212 random books (0–30 per side, 12 at 100 per side) clear exactly like clearDoubleAuction", async () => {
    const fx = await networkHelpers.loadFixture(deployModest);
    const specs = bookSpecs(212, 12, PROPERTY_PARAMS.maxOrdersPerSide, 0);
    assert.equal(specs.filter((s) => s.bids === 100 && s.offers === 100).length, 12);
    const started = performance.now();
    let crossed = 0;
    let maxClearGas = 0n;
    let orders = 0;
    for (const [i, spec] of specs.entries()) {
      const result = await runBook(fx, i, BigInt(i), spec);
      if (result.crossed) crossed++;
      if (result.clearGas > maxClearGas) maxClearGas = result.clearGas;
      orders += spec.bids + spec.offers;
    }
    // The books must exercise both outcomes.
    assert.ok(crossed > specs.length / 2 && crossed < specs.length, `crossed ${crossed} of ${specs.length}`);
    console.log(
      `      seed ${SEED}: ${specs.length} books, ${orders} orders, ${crossed} with a price; ` +
        `max clear gas ${maxClearGas}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });

  it("a book at the maximum (1000 bids × 1000 offers) clears exactly like clearDoubleAuction; the 1001st order is refused", async () => {
    const fx = await networkHelpers.loadFixture(deployMaximum);
    const max = Number(await fx.market.read.MAX_ORDERS_PER_SIDE());
    assert.equal(max, 1000);
    assert.equal((await fx.market.read.paramsFor([0n])).maxOrdersPerSide, max);
    const started = performance.now();
    const book = 1_000; // its own seed stream, apart from the small books
    const spec: BookSpec = { bids: max, offers: max, k: randomK(rngFor(SEED, book)), mustCross: true };
    const interval = 0n;
    const result = await runBook(fx, book, interval, spec, async () => {
      for (const [side, place] of [
        [Side.Bid, () => fx.market.write.placeBid([interval, 1_000, 1], { account: fx.bob.account, gas: PLACE_GAS })],
        [Side.Offer, () => fx.market.write.placeOffer([interval, 1_000, 1], { account: fx.alice.account, gas: PLACE_GAS })],
      ] as const) {
        await fx.viem.assertions.revertWithCustomErrorWithArgs(place(), fx.market, "MarketTooManyOrders", [
          interval,
          side,
          BigInt(max),
        ]);
      }
    });
    console.log(
      `      seed ${SEED}: ${max}×${max} book (${result.liveOrders} live), clear gas ${result.clearGas}; ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.ok(result.crossed, "the maximum book must cross");
    assert.ok(result.clearGas < 15_000_000n, `clear used ${result.clearGas}`);
  });
});
