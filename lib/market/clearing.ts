/**
 * Reference implementation, in TypeScript, of the PowerLAN market's clearing rule
 * (contracts/interfaces/IEnergyMarket.sol). The UI uses it to preview an interval's outcome and to
 * draw the depth chart; tests use it as the oracle the on-chain `clear` must agree with.
 *
 * Units: prices are payment-token base units per kWh (`priceWeiPerKWh`; PLC has 6 decimals, so
 * 0.25 PLC/kWh = 250000n), energies are integer Wh, money amounts are base units (`…Wei`).
 * Everything is `bigint`, so results are exact.
 *
 * Clearing rule for the orders of one interval:
 * 1. Volume — merit-order walk: bids by price descending, offers by price ascending, ties by `seq`
 *    ascending (arrival order; `id` ascending as a last resort); match the two fronts for
 *    min(remaining) while bid price ≥ offer price.
 * 2. Price — one uniform price in the competitive-equilibrium interval:
 *    lo = max(last accepted offer's price, price of the best bid left with unfilled energy),
 *    hi = min(last accepted bid's price, price of the best offer left with unfilled energy),
 *    ignoring terms that do not exist; price = lo + floor((hi − lo) × k), k ∈ [0, 1], default 1/2.
 *    Nothing crosses → price `null`, no fills.
 * 3. Who is filled — price-time priority (the walk above), so at most one bid and one offer are
 *    partially filled.
 * 4. Money — a buyer pays ceil(price × Wh / 1000) (`buyerChargeWei`), a seller receives
 *    floor(price × Wh / 1000) (`sellerPayoutWei`); a bid locks ceil(limit × Wh / 1000)
 *    (`bidLockWei`) when it is placed.
 *
 * Pure functions, no dependencies, inputs are never mutated.
 */

/** One live order of an interval's auction. */
export type AuctionOrder = {
  /** Order id (the market's order id, or any unique number in previews). */
  id: bigint;
  side: "bid" | "offer";
  /** Limit price: the most a bid pays / the least an offer accepts, base units per kWh (≥ 0). */
  priceWeiPerKWh: bigint;
  /** Energy still open for the auction, Wh (≥ 0; orders with 0 Wh take no part). */
  energyWh: bigint;
  /** Arrival order within its side (the market's `index`): breaks price ties, earlier first. */
  seq: bigint;
};

/** One order's share of the cleared volume. */
export type Fill = { id: bigint; filledWh: bigint };

/** The result of clearing one interval. */
export type ClearingOutcome = {
  /** The uniform clearing price, or `null` when no bid crosses an offer. */
  priceWeiPerKWh: bigint | null;
  /** Total matched energy in Wh (equal on both sides). */
  clearedWh: bigint;
  /**
   * Orders with `filledWh > 0` only: first the bids, then the offers, each side in priority order
   * (bids by price descending, offers by price ascending, ties by `seq` then `id` ascending).
   */
  fills: Fill[];
};

/** The regulator's split of the price interval: k = num / den, 0 ≤ num ≤ den, den > 0. */
export type PriceSplit = { num: bigint; den: bigint };

/** Default k = 1/2: the middle of the competitive-equilibrium interval. */
export const DEFAULT_K: PriceSplit = { num: 1n, den: 2n };

/** Wh per kWh: price per kWh × energy in Wh is divided by this. */
export const WH_PER_KWH = 1000n;

/** One step of a depth-chart curve. */
export type DepthStep = {
  priceWeiPerKWh: bigint;
  /** Demand: total Wh bid at this price or higher. Supply: total Wh offered at this price or lower. */
  cumulativeWh: bigint;
};

/** Demand and supply step curves of an order book. */
export type SupplyDemandCurves = {
  /** One step per distinct bid price, price descending; cumulativeWh grows along the array. */
  demand: DepthStep[];
  /** One step per distinct offer price, price ascending; cumulativeWh grows along the array. */
  supply: DepthStep[];
};

/** Bids in merit order: price descending, then seq ascending, then id ascending. */
function bidPriority(a: AuctionOrder, b: AuctionOrder): number {
  if (a.priceWeiPerKWh !== b.priceWeiPerKWh) return a.priceWeiPerKWh > b.priceWeiPerKWh ? -1 : 1;
  return tieBreak(a, b);
}

/** Offers in merit order: price ascending, then seq ascending, then id ascending. */
function offerPriority(a: AuctionOrder, b: AuctionOrder): number {
  if (a.priceWeiPerKWh !== b.priceWeiPerKWh) return a.priceWeiPerKWh < b.priceWeiPerKWh ? -1 : 1;
  return tieBreak(a, b);
}

function tieBreak(a: AuctionOrder, b: AuctionOrder): number {
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

function assertOrder(order: AuctionOrder): void {
  if (order.side !== "bid" && order.side !== "offer") {
    throw new RangeError(`order ${order.id}: side must be "bid" or "offer", got ${String(order.side)}`);
  }
  if (order.priceWeiPerKWh < 0n) throw new RangeError(`order ${order.id}: negative price ${order.priceWeiPerKWh}`);
  if (order.energyWh < 0n) throw new RangeError(`order ${order.id}: negative energy ${order.energyWh}`);
}

function assertNonNegative(name: string, value: bigint): void {
  if (value < 0n) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
}

/** Split the book into its two sides in merit order, dropping orders with no energy. */
function sortedSides(orders: readonly AuctionOrder[]): { bids: AuctionOrder[]; offers: AuctionOrder[] } {
  const bids: AuctionOrder[] = [];
  const offers: AuctionOrder[] = [];
  for (const order of orders) {
    assertOrder(order);
    if (order.energyWh === 0n) continue;
    (order.side === "bid" ? bids : offers).push(order);
  }
  bids.sort(bidPriority);
  offers.sort(offerPriority);
  return { bids, offers };
}

/**
 * Clear one interval's double auction with one uniform price (pay-as-clear), by the rule in this
 * module's header.
 *
 * @param orders the interval's live auction orders, any order, both sides mixed
 * @param options.k where in the equilibrium interval [lo, hi] the price lies (default 1/2)
 * @returns the price (`null` if nothing crosses), the cleared volume, and the fills — bids first,
 *   then offers, each in priority order, only orders with `filledWh > 0`
 * @throws RangeError on a negative price or energy, an unknown side, or k outside [0, 1]
 */
export function clearDoubleAuction(orders: AuctionOrder[], options?: { k?: { num: bigint; den: bigint } }): ClearingOutcome {
  const k = options?.k ?? DEFAULT_K;
  if (k.den <= 0n || k.num < 0n || k.num > k.den) {
    throw new RangeError(`k must satisfy 0 ≤ num ≤ den, den > 0; got ${k.num}/${k.den}`);
  }
  const { bids, offers } = sortedSides(orders);

  // 1. Merit-order walk.
  const bidFilled: bigint[] = bids.map(() => 0n);
  const offerFilled: bigint[] = offers.map(() => 0n);
  let i = 0;
  let j = 0;
  let clearedWh = 0n;
  let lastBidPrice: bigint | null = null;
  let lastOfferPrice: bigint | null = null;
  while (i < bids.length && j < offers.length && bids[i].priceWeiPerKWh >= offers[j].priceWeiPerKWh) {
    const bidLeft = bids[i].energyWh - bidFilled[i];
    const offerLeft = offers[j].energyWh - offerFilled[j];
    const matchedWh = bidLeft < offerLeft ? bidLeft : offerLeft; // > 0: zero-energy orders were dropped
    bidFilled[i] += matchedWh;
    offerFilled[j] += matchedWh;
    clearedWh += matchedWh;
    lastBidPrice = bids[i].priceWeiPerKWh;
    lastOfferPrice = offers[j].priceWeiPerKWh;
    if (bidFilled[i] === bids[i].energyWh) i++;
    if (offerFilled[j] === offers[j].energyWh) j++;
  }

  if (clearedWh === 0n || lastBidPrice === null || lastOfferPrice === null) {
    return { priceWeiPerKWh: null, clearedWh: 0n, fills: [] };
  }

  // 2. Price. bids[i] / offers[j] (if any) are the best orders left with unfilled energy: either
  // the partially filled front or the first untouched order.
  let lo = lastOfferPrice;
  if (i < bids.length && bids[i].priceWeiPerKWh > lo) lo = bids[i].priceWeiPerKWh;
  let hi = lastBidPrice;
  if (j < offers.length && offers[j].priceWeiPerKWh < hi) hi = offers[j].priceWeiPerKWh;
  // lo ≤ hi always holds: last accepted offer ≤ last accepted bid (they were matched); a bid left
  // is ≤ the last accepted bid and an offer left ≥ the last accepted offer (merit order); and when
  // both are left, bid < offer (that is why the walk stopped).
  const priceWeiPerKWh = lo + ((hi - lo) * k.num) / k.den;

  // 3. Fills in priority order, bids then offers.
  const fills: Fill[] = [];
  bids.forEach((bid, index) => {
    if (bidFilled[index] > 0n) fills.push({ id: bid.id, filledWh: bidFilled[index] });
  });
  offers.forEach((offer, index) => {
    if (offerFilled[index] > 0n) fills.push({ id: offer.id, filledWh: offerFilled[index] });
  });
  return { priceWeiPerKWh, clearedWh, fills };
}

/**
 * What a buyer pays for `energyWh` at `priceWeiPerKWh`: ceil(price × Wh / 1000) base units.
 * @throws RangeError on negative inputs
 */
export function buyerChargeWei(priceWeiPerKWh: bigint, energyWh: bigint): bigint {
  assertNonNegative("priceWeiPerKWh", priceWeiPerKWh);
  assertNonNegative("energyWh", energyWh);
  return (priceWeiPerKWh * energyWh + WH_PER_KWH - 1n) / WH_PER_KWH;
}

/**
 * What a seller receives for `energyWh` at `priceWeiPerKWh`: floor(price × Wh / 1000) base units.
 * The difference to `buyerChargeWei` (< 1 base unit per order) is rounding dust for the DSO.
 * @throws RangeError on negative inputs
 */
export function sellerPayoutWei(priceWeiPerKWh: bigint, energyWh: bigint): bigint {
  assertNonNegative("priceWeiPerKWh", priceWeiPerKWh);
  assertNonNegative("energyWh", energyWh);
  return (priceWeiPerKWh * energyWh) / WH_PER_KWH;
}

/**
 * What placing a bid locks in escrow: ceil(limit × Wh / 1000) base units, so any fill at a
 * uniform price ≤ the limit is covered.
 * @throws RangeError on negative inputs
 */
export function bidLockWei(limitPriceWeiPerKWh: bigint, energyWh: bigint): bigint {
  return buyerChargeWei(limitPriceWeiPerKWh, energyWh);
}

/**
 * Cumulative demand and supply curves of an order book, for a depth chart.
 * Demand has one step per distinct bid price (descending) with all Wh bid at that price or higher;
 * supply one step per distinct offer price (ascending) with all Wh offered at that price or lower.
 * Orders with 0 Wh are ignored. The curves cross where `clearDoubleAuction` clears.
 * @throws RangeError on a negative price or energy, or an unknown side
 */
export function supplyDemandCurves(orders: AuctionOrder[]): SupplyDemandCurves {
  const { bids, offers } = sortedSides(orders);
  return { demand: cumulate(bids), supply: cumulate(offers) };
}

/** Collapse orders already sorted by price into cumulative steps, one per distinct price. */
function cumulate(sorted: readonly AuctionOrder[]): DepthStep[] {
  const steps: DepthStep[] = [];
  let cumulativeWh = 0n;
  for (const order of sorted) {
    cumulativeWh += order.energyWh;
    const last = steps[steps.length - 1];
    if (last !== undefined && last.priceWeiPerKWh === order.priceWeiPerKWh) {
      last.cumulativeWh = cumulativeWh;
    } else {
      steps.push({ priceWeiPerKWh: order.priceWeiPerKWh, cumulativeWh });
    }
  }
  return steps;
}
