/**
 * Where an interval stands on its way to settlement on metered delivery (pure, unit-tested in
 * test/app/settlement.test.ts), and which orders a "Settle" click sends.
 *
 * The market's rule (contracts/interfaces/IEnergyMarket.sol): after gate closure anyone clears the
 * interval; after delivery the meters sign their readings, the validator committee finalises the
 * interval's readings root with a quorum and the readings are recorded in the MeterLedger; then
 * every offer is settled (sellers are paid for what their meter exported), and only then the bids
 * (buyers pay for their share of the delivered energy and get the rest of their lock back), in
 * batches of at most MAX_SETTLE_BATCH order ids. An offer whose seller sold nothing needs no reading.
 * Bilateral takes (IEnergyMarket.take) are escrowed at take time and settled by the same `settle`
 * under their OfferTaken.takeId (interval << 40 | 2 << 32 | n); they are not counted in the
 * interval's unsettledOrders, so a "Settle" click walks the interval's take ids after the auction
 * orders (`unsettledTakeIds`) to release their escrow.
 */
import { SIDE, TAKE_SIDE, isLiveAuctionOrder, type BookOrder } from "./orderbook.ts";

/** The stages an interval passes through, in order. */
export type SettlementStageKind =
  | "gate-open" // orders still accepted
  | "no-orders" // gated, nobody traded
  | "awaiting-clearing" // gated, has orders, nobody has cleared it yet
  | "awaiting-readings" // cleared, some seller sold energy, its readings are not final yet
  | "readings-final" // readings final (or not needed): the offers can be settled
  | "sellers-settled" // every offer settled: the bids can be settled
  | "settled"; // every auction order settled

/** What the stage panel needs of IEnergyMarket.IntervalState. */
export interface IntervalStateLike {
  bidCount: number;
  offerCount: number;
  cleared: boolean;
  hasPrice: boolean;
  clearedWh: bigint;
  unsettledOrders: number;
  unsettledOffers: number;
}

/** What is known about the interval's meter readings (undefined: not read yet). */
export interface ReadingsStatus {
  /** The committee has a finalised readings root for the interval. */
  rootFinal: boolean;
  /** Sellers with unsettled sold energy whose reading is neither recorded nor past its grace. */
  sellersMissing: number;
  /** Unsettled offers with a fill, i.e. offers whose settlement needs a final reading. */
  offersNeedingReadings: number;
  /** Delivery of the interval ends (unix seconds): readings can be recorded only after it. */
  deliveryEndsAt: bigint;
}

export interface SettlementStage {
  kind: SettlementStageKind;
  /** Short words for a badge, e.g. "cleared, awaiting meter readings". */
  label: string;
  /** One sentence for a tooltip or hint. */
  detail: string;
  /** The action anyone may take now, if any. */
  action: "clear" | "settle" | null;
}

export const STAGE_LABELS: Readonly<Record<SettlementStageKind, string>> = {
  "gate-open": "gate open",
  "no-orders": "no orders",
  "awaiting-clearing": "awaiting clearing",
  "awaiting-readings": "cleared, awaiting meter readings",
  "readings-final": "readings final",
  "sellers-settled": "sellers settled",
  settled: "settled",
};

/** The order the stages come in (for progress displays). */
export const STAGE_ORDER: readonly SettlementStageKind[] = [
  "gate-open",
  "awaiting-clearing",
  "awaiting-readings",
  "readings-final",
  "sellers-settled",
  "settled",
];

function stage(kind: SettlementStageKind, detail: string, action: SettlementStage["action"] = null): SettlementStage {
  return { kind, label: STAGE_LABELS[kind], detail, action };
}

/**
 * The stage of one interval.
 * @param gated the interval's gate has closed (chain clock)
 * @param readings undefined while unknown; then a cleared interval with offers to settle counts as
 *   awaiting readings (never offer a Settle that would revert)
 */
export function settlementStage(state: IntervalStateLike | undefined, gated: boolean, readings?: ReadingsStatus): SettlementStage | undefined {
  if (!gated) return stage("gate-open", "Orders are accepted until the gate closes.");
  if (!state) return undefined;
  const orders = state.bidCount + state.offerCount;
  if (!state.cleared) {
    return orders === 0
      ? stage("no-orders", "Nobody traded in this interval.")
      : stage("awaiting-clearing", "The gate has closed: anyone may clear the interval at one uniform price.", "clear");
  }
  if (state.unsettledOrders === 0) {
    return stage(
      "settled",
      state.hasPrice ? "Sellers were paid for metered delivery, buyers charged for their share and refunded the rest." : "Nothing crossed; every lock was returned.",
    );
  }
  if (state.unsettledOffers === 0) {
    return stage("sellers-settled", "Every seller is settled: the buyers can be settled now (charged for delivered energy, the rest refunded).", "settle");
  }
  // Offers are left. Those that sold nothing settle without readings; any with a fill needs them final.
  const needsReadings = readings === undefined ? state.hasPrice && state.clearedWh > 0n : readings.offersNeedingReadings > 0;
  if (!needsReadings) return stage("readings-final", "No seller's settlement depends on a meter reading: the offers can be settled.", "settle");
  if (!readings || !readings.rootFinal) {
    return stage(
      "awaiting-readings",
      "Trades are paid for metered delivery: after delivery the meters sign their readings and a quorum of validators finalises them. Settlement opens then.",
    );
  }
  if (readings.sellersMissing > 0) {
    return stage(
      "awaiting-readings",
      `The validators finalised the readings, but ${readings.sellersMissing} seller${readings.sellersMissing === 1 ? "'s reading is" : "s' readings are"} not recorded yet.`,
    );
  }
  return stage("readings-final", "The meter readings are final: sellers are settled first (paid for what they exported), then buyers.", "settle");
}

/** Auction orders of one side that still wait for `settle`, in order. */
export function unsettledOrderIds(orders: readonly BookOrder[], side: number): bigint[] {
  return orders.filter((o) => o.side === side && isLiveAuctionOrder(o) && !o.settled).map((o) => o.id);
}

/**
 * The next `settle` batch: offers first (at most `maxBatch`); bids only once no offer is left.
 * Empty when everything is settled.
 */
export function nextSettleBatch(orders: readonly BookOrder[], maxBatch: number): { side: "offers" | "bids"; ids: bigint[] } {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`settle batch size ${maxBatch} is not a positive integer`);
  const offers = unsettledOrderIds(orders, SIDE.Offer);
  if (offers.length > 0) return { side: "offers", ids: offers.slice(0, maxBatch) };
  return { side: "bids", ids: unsettledOrderIds(orders, SIDE.Bid).slice(0, maxBatch) };
}

/** How many `settle` transactions the interval still needs: offers in batches, then bids in batches. */
export function settleTransactionCount(unsettledOffers: number, unsettledBids: number, maxBatch: number): number {
  return Math.ceil(unsettledOffers / maxBatch) + Math.ceil(unsettledBids / maxBatch);
}

/** A fill's delivered energy as "delivered of sold" words, once settlement has said what flowed. */
export function deliveryWords(filledWh: number, deliveredWh: bigint | undefined): { delivered: bigint; shortfallWh: bigint; full: boolean } | undefined {
  if (deliveredWh === undefined) return undefined;
  const shortfallWh = BigInt(filledWh) > deliveredWh ? BigInt(filledWh) - deliveredWh : 0n;
  return { delivered: deliveredWh, shortfallWh, full: shortfallWh === 0n };
}

/** The id of the interval's `n`-th bilateral take (OfferTaken.takeId): interval << 40 | 2 << 32 | n. */
export function takeIdOf(interval: bigint, n: bigint | number): bigint {
  return (interval << 40n) | (TAKE_SIDE << 32n) | BigInt(n);
}

/**
 * What a dry run of `settle([takeId])` said: "open" (it would settle), "settled"
 * (MarketOrderAlreadySettled) or "unknown" (MarketUnknownOrder: no take with that number, the
 * interval's takes end there). Any other revert is the caller's to throw.
 */
export type TakeProbe = "open" | "settled" | "unknown";

/** Take counters are 32 bits: the walk never goes further. */
const MAX_TAKES_PER_INTERVAL = 1n << 32n;

/**
 * The interval's takes still waiting for `settle`, in order, at most `maxBatch`: walks
 * n = 0, 1, … with `probe` (a dry run, as the devnet keeper does) until the first unknown id.
 */
export async function unsettledTakeIds(interval: bigint, probe: (takeId: bigint) => Promise<TakeProbe>, maxBatch: number): Promise<bigint[]> {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`settle batch size ${maxBatch} is not a positive integer`);
  const ids: bigint[] = [];
  for (let n = 0n; n < MAX_TAKES_PER_INTERVAL && ids.length < maxBatch; n++) {
    const id = takeIdOf(interval, n);
    const result = await probe(id);
    if (result === "unknown") break;
    if (result === "open") ids.push(id);
  }
  return ids;
}
