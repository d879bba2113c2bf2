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
 * orders (`unsettledTakeIds`) to release their escrow, and the stage of an interval whose auction
 * orders are all settled looks at its takes too (`takesStatus`, the same walk, bounded).
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
  | "takes-open" // every auction order settled, bilateral takes still wait for `settle`
  | "settled"; // every auction order settled (and every take known to the panel)

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

/**
 * What a bounded dry-run walk over the interval's take ids found (`takesStatus`); undefined: not read.
 */
export interface TakesStatus {
  /** Takes that still wait for `settle` among those walked (escrowed or channel-paid). */
  open: number;
  /** At least one of them cannot settle yet: its seller's meter reading is not final. */
  awaitingReadings: boolean;
  /** The walk stopped at its bound: further takes may wait too (`open` is a lower bound). */
  more?: boolean;
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
  "takes-open": "bilateral takes wait for settlement",
  settled: "settled",
};

/** The order the stages come in (for progress displays). */
export const STAGE_ORDER: readonly SettlementStageKind[] = [
  "gate-open",
  "awaiting-clearing",
  "awaiting-readings",
  "readings-final",
  "sellers-settled",
  "takes-open",
  "settled",
];

function stage(kind: SettlementStageKind, detail: string, action: SettlementStage["action"] = null, label = STAGE_LABELS[kind]): SettlementStage {
  return { kind, label, detail, action };
}

/** "1 bilateral take", "3 bilateral takes", "at least 65 bilateral takes". */
export function takeCountWords(takes: TakesStatus): string {
  return `${takes.more ? "at least " : ""}${takes.open} bilateral take${takes.open === 1 ? "" : "s"}`;
}

/**
 * The stage of one interval.
 * @param gated the interval's gate has closed (chain clock)
 * @param readings undefined while unknown; then a cleared interval with offers to settle counts as
 *   awaiting readings (never offer a Settle that would revert)
 * @param takes the interval's bilateral takes (`takesStatus`), looked at once every auction order is
 *   settled: open ones keep the interval from "settled" (undefined: not read, the auction decides)
 */
export function settlementStage(
  state: IntervalStateLike | undefined,
  gated: boolean,
  readings?: ReadingsStatus,
  takes?: TakesStatus,
): SettlementStage | undefined {
  if (!gated) return stage("gate-open", "Orders are accepted until the gate closes.");
  if (!state) return undefined;
  const orders = state.bidCount + state.offerCount;
  if (!state.cleared) {
    return orders === 0
      ? stage("no-orders", "Nobody traded in this interval.")
      : stage("awaiting-clearing", "The gate has closed: anyone may clear the interval at one uniform price.", "clear");
  }
  if (state.unsettledOrders === 0) {
    if (takes && takes.open > 0) {
      const count = takeCountWords(takes);
      const wait = takes.open === 1 ? "waits" : "wait";
      if (takes.awaitingReadings) {
        return stage(
          "awaiting-readings",
          `The auction part is settled, but ${count} ${wait} for settlement on metered delivery: a seller's meter reading is not final yet. Settlement opens once the validators have finalised it.`,
          null,
          `${count} ${wait} for meter readings`,
        );
      }
      return stage(
        "takes-open",
        `${count} ${wait} for settlement: the buyer pays for its share of the seller's delivery (or, paid through channels, gets its certificates) and the seller its payout after the grid fee.`,
        "settle",
        `${count} ${wait} for settlement`,
      );
    }
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

/**
 * Reverts of a take's dry run that mean "not yet": its seller's settlement needs a meter reading
 * that is not final (IEnergyMarket: no finalised readings root, or the seller's reading neither
 * recorded nor past its grace).
 */
export const TAKE_AWAITS_READINGS_ERRORS: readonly string[] = ["MarketReadingsNotFinal", "MarketReadingMissing"];

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

/**
 * How many of the interval's takes still wait for `settle`, for the stage panel: the same walk as
 * `unsettledTakeIds`, bounded to `maxBatch + 1` probes (so the panel can say "more than one batch"
 * without walking every take on every refresh). A take whose dry run reverts with one of
 * TAKE_AWAITS_READINGS_ERRORS (named by `errorNameOf`) counts as open and sets awaitingReadings;
 * any other revert propagates. If the first `maxBatch + 1` takes are all settled, the takes after
 * them are not looked at (open 0, more true).
 */
export async function takesStatus(
  interval: bigint,
  probe: (takeId: bigint) => Promise<TakeProbe>,
  maxBatch: number,
  errorNameOf: (error: unknown) => string | undefined,
): Promise<TakesStatus> {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`settle batch size ${maxBatch} is not a positive integer`);
  const limit = maxBatch + 1;
  let probes = 0;
  let awaitingReadings = false;
  let cut = false;
  const bounded = async (takeId: bigint): Promise<TakeProbe> => {
    if (probes === limit) {
      cut = true;
      return "unknown";
    }
    probes++;
    try {
      return await probe(takeId);
    } catch (error) {
      const name = errorNameOf(error);
      if (name === undefined || !TAKE_AWAITS_READINGS_ERRORS.includes(name)) throw error;
      awaitingReadings = true;
      return "open";
    }
  };
  const open = (await unsettledTakeIds(interval, bounded, limit)).length;
  return { open, awaitingReadings, more: cut || open === limit };
}
