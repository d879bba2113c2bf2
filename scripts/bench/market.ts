/**
 * Benchmark section `market`: gas of the energy market's operations, measured on an in-process
 * Hardhat network (EDR) running the real contracts (PaymentToken, ParticipantRegistry,
 * EnergyMarket with its escrow vault), every figure the `gasUsed` of a mined transaction
 * (intrinsic 21,000 and calldata included). Traders deposit into the vault beforehand: deposits
 * and withdrawals are never counted.
 *
 *  - placeOrderGas: a later bid of an interval (not its first order), funds already in the vault.
 *    Orders are packed two per storage slot: an even index opens a fresh slot (zero → non-zero),
 *    an odd index fills the second half of its neighbour's slot. placeOrderGas is the average of
 *    the two; both raw numbers are reported (bids, and offers as well).
 *  - firstOrderGas: the first order of an interval (it also creates the interval's header slot).
 *  - cancelGas: cancelling a bid (its lock returns to the free balance); cancelling an offer too.
 *  - takeGas: the larger of taking part of a posted offer and taking all that is left of it
 *    (pay-as-offer; buyer, seller and DSO balances move), in steady state (the DSO already holds
 *    dust, as it does after the first trade of a market).
 *  - clearGas at 10, 50, 100 and MAX_ORDERS_PER_SIDE orders per side, on books where bids and
 *    offers cross (every bid above every offer, random energies); clearGasPerMatchedOrder is
 *    clear gas ÷ (matched bids + matched offers), the worst over those sizes.
 *  - gasPerMatchedPair: a 50-bid × 50-offer book (bids 0.20–0.30, offers 0.10–0.25 PLC/kWh,
 *    500–1,500 Wh) end to end — every order placed (one transaction each), `clear`, and `settle`
 *    of every live auction order (matched and unmatched, one batch) — divided by the matched
 *    pairs. Matched pairs = the steps of the merit-order walk, i.e. the (bid, offer) pairs that
 *    exchanged energy: each step matches the current best bid with the current best offer for
 *    min(remaining). Settlement is whatever `settle` does at the time of the run.
 *
 * Run: `npm run bench -- --only market`. About a minute on 2 cores (the 1000 × 1000 book is most of it).
 */
import { getAddress, parseEventLogs, type Hex } from "viem";
import { compileContracts, machineInfo, round, type BenchContext, type BenchSection } from "./lib.ts";

export const section: BenchSection = {
  name: "market",
  description: "energy market gas: place/cancel/take, clear at 10/50/100/max orders per side, end-to-end gas per matched pair",
  run: runMarket,
};

/** Goals of issue 3 and the anchor it compares against. */
const GOALS = { placeOrderGas: 55_000, gasPerMatchedPair: 150_000, clearGasAtMax: 15_000_000 };
const ANCHOR = {
  name: "gsy-contracts (Grid Singularity's EVM exchange)",
  placeOrderGas: 59_800,
  settleExtraMatchGas: 59_700,
  gasPerMatchedPair: 179_000,
  note:
    "figures quoted by issue 3, measured on the same EVM (Hardhat 3 / EDR, osaka) with gsy-contracts' own compiler " +
    "settings; there a trusted operator computes the matching off-chain, PowerLAN computes and verifies it on-chain",
};

const PARAMS = {
  priceCapWeiPerKWh: 1_000_000, // 1 PLC/kWh
  priceFloorWeiPerKWh: 1_000,
  minOrderWh: 100,
  maxOrdersPerSide: 1000, // raised to MAX_ORDERS_PER_SIDE below if it differs
  kNumerator: 1,
  kDenominator: 2,
  intervalSeconds: 900,
  gateLeadSeconds: 300,
};
const Role = { Prosumer: 1, Consumer: 2 } as const;
/** Concurrent sends (no receipt awaited per order) need an explicit limit: a gas estimate could race. */
const PLACE_GAS = 150_000n;
const FUNDS = 10n ** 15n; // per trader, deposited once (1e9 PLC)
const CLEAR_SIZES = [10, 50, 100] as const;

/** Deterministic numbers (LCG), so every run measures the same books. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (lo: number, hi: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo));
  };
}

type Book = { side: "bid" | "offer"; price: number; energyWh: number }[];

/** Merit-order walk over the live orders (index order = arrival): steps = matched (bid, offer) pairs. */
function walkSteps(bids: { price: number; energyWh: number }[], offers: { price: number; energyWh: number }[]) {
  const b = bids.map((o, i) => ({ ...o, i })).sort((x, y) => y.price - x.price || x.i - y.i);
  const o = offers.map((x, i) => ({ ...x, i })).sort((x, y) => x.price - y.price || x.i - y.i);
  let i = 0;
  let j = 0;
  let bidLeft = b[0]?.energyWh ?? 0;
  let offerLeft = o[0]?.energyWh ?? 0;
  let steps = 0;
  let clearedWh = 0;
  while (i < b.length && j < o.length && b[i].price >= o[j].price) {
    const q = Math.min(bidLeft, offerLeft);
    steps++;
    clearedWh += q;
    bidLeft -= q;
    offerLeft -= q;
    if (bidLeft === 0 && ++i < b.length) bidLeft = b[i].energyWh;
    if (offerLeft === 0 && ++j < o.length) offerLeft = o[j].energyWh;
  }
  return { steps, clearedWh };
}

async function runMarket(ctx: BenchContext): Promise<Record<string, unknown>> {
  ctx.log("compiling contracts");
  compileContracts();
  const { network } = await import("hardhat");
  const connection = await network.create();
  try {
    return await measure(ctx, connection);
  } finally {
    await connection.close();
  }
}

type Connection = Awaited<ReturnType<Awaited<typeof import("hardhat")>["network"]["create"]>>;

async function measure(ctx: BenchContext, connection: Connection): Promise<Record<string, unknown>> {
  const { viem, networkHelpers } = connection;
  const hardfork = "hardfork" in connection.networkConfig ? String(connection.networkConfig.hardfork) : "unknown";
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const [admin, supervisor, dso] = wallets;
  const buyers = wallets.slice(3, 11);
  const sellers = wallets.slice(11, 19);

  ctx.log(`deploying PaymentToken, ParticipantRegistry, EnergyMarket on an in-process EDR network (${hardfork})`);
  const token = await viem.deployContract("PaymentToken", [admin.account.address, false]);
  const registry = await viem.deployContract("ParticipantRegistry", [admin.account.address, supervisor.account.address]);
  const now = BigInt(await networkHelpers.time.latest());
  const genesisTime = now - (now % 900n) + 3600n;
  const market = await viem.deployContract("EnergyMarket", [
    admin.account.address,
    registry.address,
    token.address,
    dso.account.address,
    PARAMS,
    genesisTime,
  ]);
  const maxOrdersPerSide = Number(await market.read.MAX_ORDERS_PER_SIDE());
  if (maxOrdersPerSide !== PARAMS.maxOrdersPerSide) {
    await market.write.grantRole([await market.read.SUPERVISOR_ROLE(), supervisor.account.address]);
    await market.write.scheduleParams([{ ...PARAMS, maxOrdersPerSide }, 0n], { account: supervisor.account });
  }
  await registry.write.addListener([market.address]);
  let meter = 0xa000;
  for (const [list, role] of [
    [buyers, Role.Consumer],
    [sellers, Role.Prosumer],
  ] as const) {
    for (const w of list) {
      await registry.write.registerFor([w.account.address, role, getAddress(`0x${(meter++).toString(16).padStart(40, "0")}`), 1], {
        account: supervisor.account,
      });
      await token.write.mint([w.account.address, FUNDS]);
      await token.write.approve([market.address, FUNDS], { account: w.account });
      await market.write.deposit([FUNDS], { account: w.account });
    }
  }

  const gasOf = async (hash: Hex | Promise<Hex>) => (await publicClient.getTransactionReceipt({ hash: await hash })).gasUsed;
  const orderIdOf = (interval: bigint, side: 0 | 1, index: number) => (interval << 40n) | (BigInt(side) << 32n) | BigInt(index);
  const closeGate = async (interval: bigint) => {
    const gate = await market.read.gateClosureTime([interval]);
    if (BigInt(await networkHelpers.time.latest()) < gate) await networkHelpers.time.increaseTo(gate);
  };
  type Wallet = (typeof wallets)[number];
  const place = (interval: bigint, side: "bid" | "offer", who: Wallet, price: number, energyWh: number) =>
    side === "bid"
      ? market.write.placeBid([interval, price, energyWh], { account: who.account, gas: PLACE_GAS })
      : market.write.placeOffer([interval, price, energyWh], { account: who.account, gas: PLACE_GAS });
  const mean = (xs: bigint[]) => (xs.length ? Math.round(Number(xs.reduce((a, x) => a + x, 0n)) / xs.length) : 0);

  // ── 1. single operations ───────────────────────────────────────────────────────────────────
  ctx.log("single operations: first and later orders (even/odd slot), cancel, take");
  // Steady state first: the DSO's vault account already holds dust (a take credits it).
  await place(100n, "offer", sellers[0], 250_001, 1_000);
  await market.write.take([orderIdOf(100n, 1, 0), 333], { account: buyers[0].account });

  const P = 250_000;
  const E = 1_000;
  const firstBidGas = await gasOf(place(1n, "bid", buyers[0], P, E));
  const firstOfferGas = await gasOf(place(2n, "offer", sellers[0], P, E));
  const later = { bid: { even: [] as bigint[], odd: [] as bigint[] }, offer: { even: [] as bigint[], odd: [] as bigint[] } };
  for (let index = 1; index <= 20; index++) {
    later.bid[index % 2 === 0 ? "even" : "odd"].push(await gasOf(place(1n, "bid", buyers[index % buyers.length], P, E)));
    later.offer[index % 2 === 0 ? "even" : "odd"].push(await gasOf(place(2n, "offer", sellers[index % sellers.length], P, E)));
  }
  const placeBid = { even: mean(later.bid.even), odd: mean(later.bid.odd) };
  const placeOffer = { even: mean(later.offer.even), odd: mean(later.offer.odd) };
  const placeOrderGas = Math.round((placeBid.even + placeBid.odd) / 2);
  const placeOfferGas = Math.round((placeOffer.even + placeOffer.odd) / 2);
  ctx.log(`placeBid later: even ${placeBid.even}, odd ${placeBid.odd} → ${placeOrderGas} (goal ≤ ${GOALS.placeOrderGas}); placeOffer later: even ${placeOffer.even}, odd ${placeOffer.odd}`);
  ctx.log(`first order of an interval: bid ${firstBidGas}, offer ${firstOfferGas}`);

  // cancel a later bid (index 3, owner buyers[3]) and a later offer (index 3)
  const cancelBidGas = await gasOf(market.write.cancel([orderIdOf(1n, 0, 3)], { account: buyers[3].account }));
  const cancelOfferGas = await gasOf(market.write.cancel([orderIdOf(2n, 1, 3)], { account: sellers[3].account }));
  // take part of an offer (1,000 Wh at 0.250001 PLC/kWh, so each take leaves rounding dust for the DSO), then the rest
  await place(3n, "offer", sellers[1], 250_001, 1_000);
  const takePartGas = await gasOf(market.write.take([orderIdOf(3n, 1, 0), 400], { account: buyers[1].account }));
  const takeRestGas = await gasOf(market.write.take([orderIdOf(3n, 1, 0), 600], { account: buyers[1].account }));
  ctx.log(`cancel bid ${cancelBidGas}, cancel offer ${cancelOfferGas}; take part ${takePartGas}, take the rest ${takeRestGas}`);

  // ── 2. clearing at several sizes ───────────────────────────────────────────────────────────
  const sizes = [...CLEAR_SIZES, maxOrdersPerSide];
  const rand = lcg(2026);
  const clearing: { ordersPerSide: number; clearGas: number; matchedBids: number; matchedOffers: number; gasPerMatchedOrder: number }[] = [];
  for (const [k, n] of sizes.entries()) {
    const interval = BigInt(10 + k);
    ctx.log(`clear: placing ${n} bids × ${n} offers (every bid above every offer) in interval ${interval}`);
    const hashes: Promise<Hex>[] = [];
    for (let i = 0; i < n; i++) {
      hashes.push(place(interval, "bid", buyers[i % buyers.length], rand(500_000, 1_000_000), rand(100, 1_100)));
      hashes.push(place(interval, "offer", sellers[i % sellers.length], rand(1_000, 500_000), rand(100, 1_100)));
    }
    await Promise.all(hashes);
  }
  for (const [k, n] of sizes.entries()) {
    const interval = BigInt(10 + k);
    await closeGate(interval);
    const [b, o] = await market.read.sortHints([interval]);
    const receipt = await publicClient.getTransactionReceipt({ hash: await market.write.clear([interval, b, o]) });
    const [ev] = parseEventLogs({ abi: market.abi, logs: receipt.logs, eventName: "IntervalCleared" });
    const matched = ev.args.matchedBids + ev.args.matchedOffers;
    const row = {
      ordersPerSide: n,
      clearGas: Number(receipt.gasUsed),
      matchedBids: ev.args.matchedBids,
      matchedOffers: ev.args.matchedOffers,
      gasPerMatchedOrder: Math.round(Number(receipt.gasUsed) / matched),
    };
    clearing.push(row);
    ctx.log(`clear ${n}×${n}: ${row.clearGas} gas, ${row.matchedBids}+${row.matchedOffers} matched, ${row.gasPerMatchedOrder} per matched order`);
  }
  // Marginal gas per extra matched order between consecutive sizes: constant if clearing is linear.
  const slopes = clearing.slice(1).map((r, i) => {
    const p = clearing[i];
    return round((r.clearGas - p.clearGas) / (r.matchedBids + r.matchedOffers - p.matchedBids - p.matchedOffers), 0);
  });
  const clearLinear = slopes[slopes.length - 1] <= 1.25 * slopes[0];
  const atMax = clearing[clearing.length - 1];

  // ── 3. end to end: 50 bids × 50 offers ─────────────────────────────────────────────────────
  ctx.log("end to end: 50 bids × 50 offers placed one by one, cleared, every auction order settled");
  const e2e = 50;
  const interval = 40n;
  const book: Book = [];
  const r2 = lcg(50);
  for (let i = 0; i < e2e; i++) {
    book.push({ side: "bid", price: r2(200_000, 300_000), energyWh: r2(500, 1_500) });
    book.push({ side: "offer", price: r2(100_000, 250_000), energyWh: r2(500, 1_500) });
  }
  let placeTotal = 0n;
  const e2ePlace: bigint[] = [];
  for (const [i, o] of book.entries()) {
    const who = o.side === "bid" ? buyers[(i >> 1) % buyers.length] : sellers[(i >> 1) % sellers.length];
    const gas = await gasOf(place(interval, o.side, who, o.price, o.energyWh));
    placeTotal += gas;
    e2ePlace.push(gas);
  }
  await closeGate(interval);
  const [b, o] = await market.read.sortHints([interval]);
  const clearReceipt = await publicClient.getTransactionReceipt({ hash: await market.write.clear([interval, b, o]) });
  const [cleared] = parseEventLogs({ abi: market.abi, logs: clearReceipt.logs, eventName: "IntervalCleared" });
  const ids = [...Array(e2e).keys()].flatMap((i) => [orderIdOf(interval, 0, i), orderIdOf(interval, 1, i)]);
  const settleGas = await gasOf(market.write.settle([ids]));
  const walk = walkSteps(
    book.filter((x) => x.side === "bid"),
    book.filter((x) => x.side === "offer"),
  );
  if (BigInt(walk.clearedWh) !== cleared.args.clearedWh) {
    throw new Error(`walk cleared ${walk.clearedWh} Wh but the market ${cleared.args.clearedWh} Wh`);
  }
  const e2eTotal = placeTotal + clearReceipt.gasUsed + settleGas;
  const gasPerMatchedPair = Math.round(Number(e2eTotal) / walk.steps);
  ctx.log(
    `end to end: place ${placeTotal} + clear ${clearReceipt.gasUsed} + settle ${settleGas} = ${e2eTotal} gas; ` +
      `${walk.steps} matched pairs (${cleared.args.matchedBids} bids, ${cleared.args.matchedOffers} offers) → ${gasPerMatchedPair} per pair (goal ≤ ${GOALS.gasPerMatchedPair})`,
  );

  const clearGasPerMatchedOrder = Math.max(...clearing.map((r) => r.gasPerMatchedOrder));
  return {
    placeOrderGas,
    placeOrderGasEvenSlot: placeBid.even,
    placeOrderGasOddSlot: placeBid.odd,
    placeOfferGas,
    placeOfferGasEvenSlot: placeOffer.even,
    placeOfferGasOddSlot: placeOffer.odd,
    firstOrderGas: Number(firstBidGas),
    firstOfferGas: Number(firstOfferGas),
    cancelGas: Number(cancelBidGas),
    cancelOfferGas: Number(cancelOfferGas),
    takeGas: Number(takePartGas > takeRestGas ? takePartGas : takeRestGas),
    takePartGas: Number(takePartGas),
    takeRestGas: Number(takeRestGas),
    clearGas: Object.fromEntries(clearing.map((r) => [String(r.ordersPerSide), r.clearGas])),
    clearing,
    clearMarginalGasPerMatchedOrder: slopes,
    clearGasPerMatchedOrder,
    maxOrdersPerSide,
    clearGasAtMax: atMax.clearGas,
    gasPerMatchedPair,
    endToEnd: {
      book: "50 bids (0.20–0.30 PLC/kWh) × 50 offers (0.10–0.25 PLC/kWh), 500–1,500 Wh each, deterministic",
      placeGasTotal: Number(placeTotal),
      placeGasMean: mean(e2ePlace),
      clearGas: Number(clearReceipt.gasUsed),
      settleGas: Number(settleGas),
      settledOrders: ids.length,
      settleGasPerOrder: Math.round(Number(settleGas) / ids.length),
      totalGas: Number(e2eTotal),
      matchedPairs: walk.steps,
      matchedBids: cleared.args.matchedBids,
      matchedOffers: cleared.args.matchedOffers,
      clearedWh: Number(cleared.args.clearedWh),
      clearingPriceWeiPerKWh: cleared.args.priceWeiPerKWh,
      gasPerMatchedOrder: Math.round(Number(e2eTotal) / (cleared.args.matchedBids + cleared.args.matchedOffers)),
    },
    goals: {
      placeOrderGasAtMost55k: placeOrderGas <= GOALS.placeOrderGas,
      gasPerMatchedPairAtMost150k: gasPerMatchedPair <= GOALS.gasPerMatchedPair,
      clearLinear,
      maxBookUnder15M: atMax.clearGas < GOALS.clearGasAtMax,
    },
    anchor: {
      ...ANCHOR,
      placeOrderGasVsAnchor: round(placeOrderGas / ANCHOR.placeOrderGas, 3),
      gasPerMatchedPairVsAnchor: round(gasPerMatchedPair / ANCHOR.gasPerMatchedPair, 3),
    },
    method: {
      network: `in-process Hardhat network (EDR, hardfork ${hardfork}), automine; real PaymentToken, ParticipantRegistry, EnergyMarket`,
      compiler: "solc 0.8.28, optimizer 10,000 runs, evmVersion cancun (hardhat.config.ts default profile)",
      gas: "gasUsed of each mined transaction (21,000 intrinsic and calldata included); deposits and withdrawals excluded",
      placeOrderGas:
        "a later bid of an interval at 0.25 PLC/kWh × 1,000 Wh, funds already in the vault; mean of even-index (fresh storage slot) and odd-index (second half of a slot) placements, both reported; offers reported apart",
      firstOrderGas: "the first order (a bid) of an interval, which also creates the interval's header",
      cancelGas: "cancel of a later bid (refunds its lock); cancelOfferGas for an offer",
      takeGas:
        "max of a partial take (400 of 1,000 Wh) and a take of all that is left (600 Wh), at 0.250001 PLC/kWh so that each take credits rounding dust to the DSO (the dearer case), in steady state (the DSO's vault account already non-zero)",
      clear:
        "books of n bids (0.5–1 PLC/kWh) × n offers (0.001–0.5 PLC/kWh), 100–1,100 Wh each: every bid crosses every offer; sortHints from the contract's view; clearGasPerMatchedOrder = max over sizes of clearGas ÷ (matched bids + matched offers); clearLinear: the marginal gas per matched order between the two largest sizes ≤ 1.25 × that between the two smallest",
      gasPerMatchedPair:
        "50 × 50 book end to end: Σ gas of all 100 placements (one transaction each) + clear + one settle batch of all 100 auction orders (matched or not), ÷ matched pairs; matched pairs = steps of the merit-order walk (each step matches the best remaining bid with the best remaining offer for min(remaining)). Settlement = `settle` as implemented at the time of the run",
    },
    machine: machineInfo(),
    timestamp: new Date().toISOString(),
  };
}
