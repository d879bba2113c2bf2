/**
 * The interval history of one household and the LAN's totals per interval: pure shaping of what
 * the chain says (orders, bilateral takes, settlement events, meter readings, certificates, credit
 * score updates, interval states, grid tariffs) into table rows. No React, no chain; unit-tested in
 * test/app/history.test.ts. The page (components/history/**) reads the inputs and renders the rows.
 *
 * Definitions (energies in Wh, money in PLC base units, prices in base units per kWh):
 * - traded: what the household sold / bought in the interval's auction (its orders' fills) plus
 *   bilateral takes of posted offers (pay-as-offer at the offer's price p). A take is escrowed at
 *   take time (the buyer's ceil(p × Wh / 1000) is locked, the seller gets nothing yet) and settled
 *   on metered delivery like the auction: its OrderSettled (orderId = OfferTaken.takeId, owner =
 *   the buyer) says d_t, what the buyer paid (ceil(p × d_t / 1000)) and the refund of the rest;
 *   its EscrowedTakeSettled what the seller got for d_t and the grid fee deducted from it.
 *   Until then the take is "awaiting readings" and its lock counts as escrowed, not as paid.
 * - delivered (seller): D_j = min(metered export, S_j) with S_j = auction fills + Wh taken from its
 *   offers, as the market's SellerSettled says; shortfall = S_j − D_j, charged as imbalance at the
 *   imbalance tariff.
 * - delivered (buyer): d_k of its bids, as OrderSettled says; shortfall = bought − delivered,
 *   refunded to the buyer (so the buyer only pays for energy that flowed).
 * - grid import = max(0, metered import − energy received from the LAN (auction delivered + takes'
 *   d_t, or taken Wh before settlement)); grid export = max(0, metered export − energy delivered to
 *   the LAN (D_j once settled, else taken Wh)). What the household traded is the rest of what its meter measured.
 * - money: one grid-fee rule for every sale — the seller's zone fee ceil(fee × Wh / 1000), capped
 *   at the payment floor(p × Wh / 1000), on the auction part of D_j and on each take's d_t.
 *   received = gross seller proceeds of the auction part of D_j (SellerSettled payout + grid
 *   fee) + settled escrowed takes' gross proceeds floor(p × d_t / 1000) (EscrowedTakeSettled
 *   payout + grid fee); gridFee = the zone fees on the auction part (SellerSettled), on its
 *   escrowed takes (EscrowedTakeSettled) and on its channel-paid takes (ChannelTakeSettled);
 *   imbalance = the shortfall charge; paid = auction charges
 *   ceil(p × d_k / 1000) + settled takes' OrderSettled amounts; refund = both kinds' refunds;
 *   escrowed = the locks of the household's takes not settled yet (not in net).
 *   Channel-paid takes (placeChannelOffer; OfferTaken.paidWei = 0) move no money on-chain: the
 *   buyer pays the seller through payment channels as the energy is delivered (lib/channels/
 *   deliveryStream.ts). They are not in received / paid / escrowed; once settled, their value
 *   ceil(p × d_t / 1000) — what the delivery stream pays for d_t — is channelReceived (seller) or
 *   channelPaid (buyer), hub fees not included; the seller's grid fee on d_t (ChannelTakeSettled)
 *   is in gridFee and what it could not pay in debt.
 *   net = received − gridFee − imbalance − paid + channelReceived − channelPaid (positive: the household earned).
 * - cost vs grid only (savings figures use the market's stored tariffs, as `npm run simulate` does):
 *   gridOnlyCost = ceil(retail × metered import / 1000) − floor(feedIn × metered export / 1000);
 *   lanCost = ceil(retail × grid import / 1000) − floor(feedIn × grid export / 1000) − net;
 *   savings = gridOnlyCost − lanCost.
 * - LAN self-sufficiency of an interval, as `npm run simulate` counts it (lib/sim/accounting.ts) but
 *   over metered imports (a household's own PV use behind its meter is not on-chain): the share of
 *   the households' metered imports that neighbours delivered through the auction,
 *   Σ_h min(import_h, delivered to h) / Σ_h import_h; energy that flowed between neighbours without a
 *   trade does not count (it was bought from the grid). Null without imports.
 */
import type { Address } from "viem";
import { intervalOfOrderId, isChannelTake, SIDE, ZERO_ADDRESS } from "./orderbook.ts";

// ───────────────────────────── inputs ─────────────────────────────

/** An auction or addressed order of the household (`IEnergyMarket.Order` as viem decodes it). */
export interface HistoryOrder {
  id: bigint;
  side: number;
  interval: bigint;
  priceWeiPerKWh: number;
  energyWh: number;
  filledWh: number;
  addressedTo: Address;
  cancelled: boolean;
  settled: boolean;
}

/** `OfferTaken`: a bilateral trade, seen from either side. */
export interface TakeEvent {
  offerId: bigint;
  buyer: Address;
  seller: Address;
  energyWh: number;
  priceWeiPerKWh: number;
  /** The buyer's lock, ceil(p × Wh / 1000). */
  paidWei: bigint;
  /** OfferTaken.takeId: the id `settle` takes and OrderSettled reports. */
  takeId: bigint;
}

/** `EscrowedTakeSettled` of one of the household's escrowed takes as seller. */
export interface EscrowedTakeSettledEvent {
  takeId: bigint;
  deliveredWh: bigint;
  /** What the seller was credited for d_t: floor(p × d_t / 1000) − gridFeeWei. */
  payoutWei: bigint;
  /** The seller's zone grid fee on d_t (to the DSO), capped at floor(p × d_t / 1000). */
  gridFeeWei: bigint;
}

/** `ChannelTakeSettled` of one of the household's channel-paid takes as seller. */
export interface ChannelTakeSettledEvent {
  takeId: bigint;
  deliveredWh: bigint;
  gridFeeWei: bigint;
  debtWei: bigint;
}

/** `OrderSettled` of one of the household's orders or takes (as buyer or as seller). */
export interface OrderSettledEvent {
  orderId: bigint;
  interval: bigint;
  filledWh: number;
  deliveredWh: bigint;
  amountWei: bigint;
  refundWei: bigint;
}

/** `SellerSettled`, with the transaction it came in (to pair it with the credit score update). */
export interface SellerSettledEvent {
  interval: bigint;
  seller: Address;
  soldWh: bigint;
  deliveredWh: bigint;
  payoutWei: bigint;
  gridFeeWei: bigint;
  imbalanceWei: bigint;
  debtWei: bigint;
  transactionHash?: string;
}

/** A meter reading recorded in the MeterLedger (`ReadingRecorded` or `readingOf`). */
export interface ReadingEvent {
  account?: Address;
  interval: bigint;
  importedWh: number;
  exportedWh: number;
}

/** `CertificateMinted` to the household. */
export interface CertificateEvent {
  interval: bigint;
  energyWh: bigint;
}

/** `CreditScoreUpdated` of the household, in chain order. */
export interface CreditScoreEvent {
  previousScoreBps: number;
  scoreBps: number;
  soldWh: bigint;
  deliveredWh: bigint;
  blockNumber?: bigint;
  transactionHash?: string;
}

/** The fields of `IEnergyMarket.IntervalState` the history needs. */
export interface HistoryIntervalState {
  cleared: boolean;
  hasPrice: boolean;
  clearingPriceWeiPerKWh: number;
  clearedWh: bigint;
  unsettledOrders: number;
}

/** `IEnergyMarket.GridTariffs`. */
export interface GridTariffs {
  imbalanceWeiPerKWh: number;
  retailWeiPerKWh: number;
  feedInWeiPerKWh: number;
  defaultZoneFeeWeiPerKWh: number;
}

export interface HouseholdHistoryInput {
  account: Address;
  orders: readonly HistoryOrder[];
  takes: readonly TakeEvent[];
  orderSettlements: readonly OrderSettledEvent[];
  sellerSettlements: readonly SellerSettledEvent[];
  readings: readonly ReadingEvent[];
  certificates: readonly CertificateEvent[];
  scoreUpdates: readonly CreditScoreEvent[];
  /** The seller's ChannelTakeSettled events (grid fees of its channel-paid takes). */
  channelTakeSettlements?: readonly ChannelTakeSettledEvent[];
  /**
   * The seller's EscrowedTakeSettled events (payout and grid fee of its escrowed takes). A settled
   * escrowed take sold without its event counts its gross floor(p × d_t / 1000) as received and no fee.
   */
  escrowedTakeSettlements?: readonly EscrowedTakeSettledEvent[];
  states: ReadonlyMap<bigint, HistoryIntervalState>;
  tariffs: ReadonlyMap<bigint, GridTariffs>;
}

// ───────────────────────────── outputs ─────────────────────────────

export type HistoryRole = "seller" | "buyer" | "seller & buyer" | "metered only" | "no trade";

/**
 * Where the interval is for this household:
 * - "awaiting clearing": it has auction orders and the interval is not cleared yet;
 * - "awaiting readings": cleared with fills, some not settled yet (settlement waits for the
 *   validators to attest the meter readings);
 * - "settled": every auction fill settled (or only bilateral trades / a reading);
 * - "no match": cleared, but none of its auction orders was filled (and nothing else happened).
 */
export type HistoryStatus = "awaiting clearing" | "awaiting readings" | "settled" | "no match";

export interface HistoryRow {
  interval: bigint;
  role: HistoryRole;
  status: HistoryStatus;
  clearingPriceWeiPerKWh: number | null;
  /** Energy of its auction offers / bids still waiting for the clearing (0 once cleared). */
  offeredWh: bigint;
  bidWh: bigint;
  soldAuctionWh: bigint;
  soldBilateralWh: bigint;
  boughtAuctionWh: bigint;
  boughtBilateralWh: bigint;
  /** Metered import / export; null while the meter reading is not recorded. */
  meteredImportWh: number | null;
  meteredExportWh: number | null;
  /** As a seller: D_j (null until settled). */
  sellerDeliveredWh: bigint | null;
  /** As a seller: sold − delivered (null until settled). */
  sellerShortfallWh: bigint | null;
  /** As a buyer: Σ d_k of its settled bids (null while none is settled). */
  buyerDeliveredWh: bigint | null;
  /** As a buyer: bought − delivered, refunded (null until all its bids are settled). */
  buyerShortfallWh: bigint | null;
  receivedWei: bigint;
  gridFeeWei: bigint;
  imbalanceWei: bigint;
  debtWei: bigint;
  paidWei: bigint;
  refundWei: bigint;
  /** Locks of the household's takes (as buyer) not settled on delivery yet; not part of net. */
  escrowedWei: bigint;
  /** Wh of channel-paid takes (bought and sold) in the interval: paid through channels, not escrow. */
  channelWh: bigint;
  /** Value of its settled channel-paid takes, ceil(p × d_t / 1000): as seller (received) and as buyer (paid) off-chain. */
  channelReceivedWei: bigint;
  channelPaidWei: bigint;
  /** Some channel-paid take of the interval is not settled yet. */
  channelPending: boolean;
  netWei: bigint;
  /** Grid import / export (metered − traded); null without a reading. */
  gridImportWh: number | null;
  gridExportWh: number | null;
  /** Cost of this interval's energy with PowerLAN and with the grid alone; null without a reading or tariffs. */
  lanCostWei: bigint | null;
  gridOnlyCostWei: bigint | null;
  savingsWei: bigint | null;
  certificatesWh: bigint;
  /** Credit score after this interval's delivery report (null if the interval did not move it). */
  creditScoreBps: number | null;
  creditScoreDeltaBps: number | null;
}

export interface CreditTrend {
  currentBps: number;
  /** Scores after each report, oldest first (at most `points`). */
  series: number[];
  /** Change over the series (current − first point's previous score); 0 without history. */
  changeBps: number;
  direction: "up" | "down" | "flat";
  reports: number;
}

export interface HistoryTotals {
  intervals: number;
  settled: number;
  soldWh: bigint;
  boughtWh: bigint;
  deliveredWh: bigint;
  shortfallWh: bigint;
  receivedWei: bigint;
  paidWei: bigint;
  gridFeeWei: bigint;
  imbalanceWei: bigint;
  netWei: bigint;
  certificatesWh: bigint;
  savingsWei: bigint;
}

// ───────────────────────────── maths ─────────────────────────────

/** ceil(price × Wh / 1000): a charge, as the market rounds it. */
export function chargeWei(priceWeiPerKWh: bigint | number, energyWh: bigint | number): bigint {
  const product = BigInt(priceWeiPerKWh) * BigInt(energyWh);
  return (product + 999n) / 1000n;
}

/** floor(price × Wh / 1000): a credit, as the market rounds it. */
export function creditWei(priceWeiPerKWh: bigint | number, energyWh: bigint | number): bigint {
  return (BigInt(priceWeiPerKWh) * BigInt(energyWh)) / 1000n;
}

/**
 * What a settled escrowed take earned its seller before the grid fee: EscrowedTakeSettled's
 * payout + fee, which is floor(p × d_t / 1000) (the rule, used when the event is not given).
 */
function takeGrossWei(take: TakeEvent, settled: OrderSettledEvent, event: EscrowedTakeSettledEvent | undefined): bigint {
  return event ? event.payoutWei + event.gridFeeWei : creditWei(take.priceWeiPerKWh, settled.deliveredWh);
}

function sum<T>(items: readonly T[], f: (x: T) => bigint): bigint {
  let total = 0n;
  for (const x of items) total += f(x);
  return total;
}

function groupBy<T>(items: readonly T[], key: (x: T) => bigint): Map<bigint, T[]> {
  const map = new Map<bigint, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = map.get(k);
    if (list) list.push(x);
    else map.set(k, [x]);
  }
  return map;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const isAuction = (o: HistoryOrder) => o.addressedTo.toLowerCase() === ZERO_ADDRESS;
const clampWh = (x: number) => Math.max(0, x);

/** Grid import/export of a household: what its meter measured beyond what it traded in the LAN. */
export function gridFlows(
  reading: { importedWh: number; exportedWh: number },
  fromLanWh: bigint,
  toLanWh: bigint,
): { gridImportWh: number; gridExportWh: number } {
  return {
    gridImportWh: clampWh(reading.importedWh - Number(fromLanWh)),
    gridExportWh: clampWh(reading.exportedWh - Number(toLanWh)),
  };
}

/** What a household's metered energy costs with the grid alone: retail for imports, feed-in for exports. */
export function gridOnlyCost(tariffs: GridTariffs, importedWh: number, exportedWh: number): bigint {
  return chargeWei(tariffs.retailWeiPerKWh, importedWh) - creditWei(tariffs.feedInWeiPerKWh, exportedWh);
}

// ───────────────────────────── household rows ─────────────────────────────

/**
 * One row per interval in which the household traded, was settled, was metered or got
 * certificates; newest first, at most `limit` rows.
 */
export function householdHistory(input: HouseholdHistoryInput, limit = 96): HistoryRow[] {
  const me = input.account;
  const orders = groupBy(input.orders, (o) => o.interval);
  const takes = groupBy(input.takes, (t) => intervalOfOrderId(t.offerId));
  const orderSettled = new Map(input.orderSettlements.map((e) => [e.orderId, e]));
  const channelSettled = new Map((input.channelTakeSettlements ?? []).map((e) => [e.takeId, e]));
  const escrowedSettled = new Map((input.escrowedTakeSettlements ?? []).map((e) => [e.takeId, e]));
  const sellerSettled = new Map(
    input.sellerSettlements.filter((e) => same(e.seller, me)).map((e) => [e.interval, e] as const),
  );
  const readings = new Map(
    input.readings.filter((r) => r.account === undefined || same(r.account, me)).map((r) => [r.interval, r] as const),
  );
  const certificates = groupBy(input.certificates, (c) => c.interval);
  // A seller's credit score moves in the transaction that settles it: pair them by transaction.
  const scoreByTx = new Map(
    input.scoreUpdates.filter((s) => s.transactionHash).map((s) => [s.transactionHash!.toLowerCase(), s] as const),
  );

  const intervals = new Set<bigint>([
    ...orders.keys(),
    ...takes.keys(),
    ...sellerSettled.keys(),
    ...readings.keys(),
    ...certificates.keys(),
  ]);
  const sorted = [...intervals].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)).slice(0, limit);

  return sorted.map((interval): HistoryRow => {
    const mine = (orders.get(interval) ?? []).filter((o) => !o.cancelled);
    const auction = mine.filter(isAuction);
    const offers = auction.filter((o) => o.side === SIDE.Offer);
    const bids = auction.filter((o) => o.side === SIDE.Bid);
    const state = input.states.get(interval);
    const cleared = state?.cleared ?? false;
    const price = state?.cleared && state.hasPrice ? state.clearingPriceWeiPerKWh : null;

    const soldAuctionWh = cleared ? sum(offers, (o) => BigInt(o.filledWh)) : 0n;
    const boughtAuctionWh = cleared ? sum(bids, (o) => BigInt(o.filledWh)) : 0n;
    const intervalTakes = takes.get(interval) ?? [];
    const sells = intervalTakes.filter((t) => same(t.seller, me));
    const buys = intervalTakes.filter((t) => same(t.buyer, me));
    const soldBilateralWh = sum(sells, (t) => BigInt(t.energyWh));
    const boughtBilateralWh = sum(buys, (t) => BigInt(t.energyWh));

    // Seller side.
    const seller = sellerSettled.get(interval);
    const sellerDeliveredWh = seller ? seller.deliveredWh : null;
    const sellerShortfallWh = seller ? seller.soldWh - seller.deliveredWh : null;

    // Buyer side: settled bids with a fill.
    const filledBids = bids.filter((o) => o.filledWh > 0);
    const bidSettlements = filledBids.map((o) => orderSettled.get(o.id)).filter((e) => e !== undefined);
    const allBidsSettled = filledBids.length > 0 && bidSettlements.length === filledBids.length;
    const buyerDeliveredWh = bidSettlements.length > 0 ? sum(bidSettlements, (e) => e.deliveredWh) : null;
    const buyerShortfallWh =
      allBidsSettled && buyerDeliveredWh !== null ? sum(filledBids, (o) => BigInt(o.filledWh)) - buyerDeliveredWh : null;

    const imbalanceWei = seller?.imbalanceWei ?? 0n;
    // Takes: money only once settled on delivery (OrderSettled of the take id); before, escrowed.
    const takeSettled = (t: TakeEvent) => orderSettled.get(t.takeId);
    const escrowSells = sells.filter((t) => !isChannelTake(t));
    const settledSells = escrowSells.flatMap((t) => {
      const e = takeSettled(t);
      return e ? [{ t, e }] : [];
    });
    const settledBuys = buys.map(takeSettled).filter((e) => e !== undefined);
    // Channel-paid takes: money off-chain, valued at what the delivery stream pays for d_t.
    const channelValue = (list: readonly TakeEvent[]) =>
      sum(list.filter(isChannelTake), (t) => {
        const e = takeSettled(t);
        return e ? chargeWei(t.priceWeiPerKWh, e.deliveredWh) : 0n;
      });
    const channelReceivedWei = channelValue(sells);
    const channelPaidWei = channelValue(buys);
    const channelTakes = [...sells, ...buys].filter(isChannelTake);
    const channelFees = channelTakes.map((t) => channelSettled.get(t.takeId)).filter((e) => e !== undefined);
    // Escrowed takes sold: the gross floor(p × d_t / 1000) is received, the zone fee on d_t is a charge.
    const sellFees = settledSells.map(({ t }) => escrowedSettled.get(t.takeId)).filter((e) => e !== undefined);
    const gridFeeWei = (seller?.gridFeeWei ?? 0n) + sum(sellFees, (e) => e.gridFeeWei) + sum(channelFees, (e) => e.gridFeeWei);
    const takesPending = intervalTakes.some((t) => (same(t.seller, me) || same(t.buyer, me)) && !takeSettled(t));
    const receivedWei =
      (seller ? seller.payoutWei + seller.gridFeeWei : 0n) + sum(settledSells, ({ t, e }) => takeGrossWei(t, e, escrowedSettled.get(t.takeId)));
    const paidWei = sum(bidSettlements, (e) => e.amountWei) + sum(settledBuys, (e) => e.amountWei);
    const refundWei = sum(bidSettlements, (e) => e.refundWei) + sum(settledBuys, (e) => e.refundWei);
    const escrowedWei = sum(
      buys.filter((t) => !takeSettled(t)),
      (t) => t.paidWei,
    );
    const netWei = receivedWei - gridFeeWei - imbalanceWei - paidWei + channelReceivedWei - channelPaidWei;

    // Status.
    const filledAuction = auction.filter((o) => o.filledWh > 0);
    let status: HistoryStatus;
    if (auction.length > 0 && !cleared) status = "awaiting clearing";
    else if (
      filledAuction.some((o) => !o.settled && !orderSettled.has(o.id)) ||
      (offers.some((o) => o.filledWh > 0) && !seller) ||
      takesPending
    )
      status = "awaiting readings";
    else if (auction.length > 0 && filledAuction.length === 0 && intervalTakes.length === 0 && !readings.has(interval)) status = "no match";
    else status = "settled";

    // Role: what it traded (auction fills or takes), or — before clearing — what its orders ask for;
    // a reading alone is "metered only".
    const waiting = status === "awaiting clearing";
    const sold = soldAuctionWh + soldBilateralWh > 0n || (seller?.soldWh ?? 0n) > 0n || (waiting && offers.length > 0);
    const bought = boughtAuctionWh + boughtBilateralWh > 0n || (waiting && bids.length > 0);
    const role: HistoryRole =
      sold && bought ? "seller & buyer" : sold ? "seller" : bought ? "buyer" : readings.has(interval) ? "metered only" : "no trade";

    // Grid flows and savings.
    const reading = readings.get(interval);
    const fromLanWh = (buyerDeliveredWh ?? 0n) + sum(buys, (t) => takeSettled(t)?.deliveredWh ?? BigInt(t.energyWh));
    // D_j covers the seller's takes too; before its settlement the taken Wh stand in.
    const toLanWh = seller ? seller.deliveredWh : soldBilateralWh;
    const flows = reading ? gridFlows(reading, fromLanWh, toLanWh) : null;
    const tariffs = input.tariffs.get(interval);
    const settledForMoney = status === "settled";
    let lanCostWei: bigint | null = null;
    let gridOnlyCostWei: bigint | null = null;
    let savingsWei: bigint | null = null;
    if (reading && flows && tariffs && settledForMoney) {
      gridOnlyCostWei = gridOnlyCost(tariffs, reading.importedWh, reading.exportedWh);
      lanCostWei = gridOnlyCost(tariffs, flows.gridImportWh, flows.gridExportWh) - netWei;
      savingsWei = gridOnlyCostWei - lanCostWei;
    }

    const score = seller?.transactionHash ? scoreByTx.get(seller.transactionHash.toLowerCase()) : undefined;

    return {
      interval,
      role,
      status,
      clearingPriceWeiPerKWh: price,
      offeredWh: waiting ? sum(offers, (o) => BigInt(o.energyWh)) : 0n,
      bidWh: waiting ? sum(bids, (o) => BigInt(o.energyWh)) : 0n,
      // S_j counts the Wh taken from its offers: the auction part is the rest.
      soldAuctionWh: seller ? (seller.soldWh > soldBilateralWh ? seller.soldWh - soldBilateralWh : 0n) : soldAuctionWh,
      soldBilateralWh,
      boughtAuctionWh,
      boughtBilateralWh,
      meteredImportWh: reading ? reading.importedWh : null,
      meteredExportWh: reading ? reading.exportedWh : null,
      sellerDeliveredWh,
      sellerShortfallWh,
      buyerDeliveredWh,
      buyerShortfallWh,
      receivedWei,
      gridFeeWei,
      imbalanceWei,
      debtWei: (seller?.debtWei ?? 0n) + sum(channelFees, (e) => e.debtWei),
      paidWei,
      refundWei,
      escrowedWei,
      channelWh: sum(channelTakes, (t) => BigInt(t.energyWh)),
      channelReceivedWei,
      channelPaidWei,
      channelPending: channelTakes.some((t) => !takeSettled(t)),
      netWei,
      gridImportWh: flows ? flows.gridImportWh : null,
      gridExportWh: flows ? flows.gridExportWh : null,
      lanCostWei,
      gridOnlyCostWei,
      savingsWei,
      certificatesWh: sum(certificates.get(interval) ?? [], (c) => c.energyWh),
      creditScoreBps: score ? score.scoreBps : null,
      creditScoreDeltaBps: score ? score.scoreBps - score.previousScoreBps : null,
    };
  });
}

/** Totals over the rows (settled figures only count once their interval is settled). */
export function historyTotals(rows: readonly HistoryRow[]): HistoryTotals {
  const settled = rows.filter((r) => r.status === "settled");
  return {
    intervals: rows.length,
    settled: settled.length,
    soldWh: sum(settled, (r) => r.soldAuctionWh + r.soldBilateralWh),
    boughtWh: sum(settled, (r) => r.boughtAuctionWh + r.boughtBilateralWh),
    deliveredWh: sum(settled, (r) => r.sellerDeliveredWh ?? 0n),
    shortfallWh: sum(settled, (r) => r.sellerShortfallWh ?? 0n),
    receivedWei: sum(settled, (r) => r.receivedWei),
    paidWei: sum(settled, (r) => r.paidWei),
    gridFeeWei: sum(settled, (r) => r.gridFeeWei),
    imbalanceWei: sum(settled, (r) => r.imbalanceWei),
    netWei: sum(settled, (r) => r.netWei),
    certificatesWh: sum(rows, (r) => r.certificatesWh),
    savingsWei: sum(settled, (r) => r.savingsWei ?? 0n),
  };
}

/** The credit score now and how it moved over the last `points` delivery reports. */
export function creditTrend(currentBps: number, updates: readonly CreditScoreEvent[], points = 12): CreditTrend {
  const recent = updates.slice(-points);
  if (recent.length === 0) return { currentBps, series: [], changeBps: 0, direction: "flat", reports: updates.length };
  const changeBps = currentBps - recent[0].previousScoreBps;
  return {
    currentBps,
    series: recent.map((u) => u.scoreBps),
    changeBps,
    direction: changeBps > 0 ? "up" : changeBps < 0 ? "down" : "flat",
    reports: updates.length,
  };
}

/** "97.50 %" for basis points. */
export function formatBps(bps: number): string {
  return `${(bps / 100).toFixed(2)} %`;
}

// ───────────────────────────── LAN totals ─────────────────────────────

/** `IEnergyMarket.IntervalSettlement`. */
export interface IntervalSettlementView {
  deliveredWh: bigint;
  buyersFilledWh: bigint;
  buyersDeliveredWh: bigint;
  sellersPaidWei: bigint;
  buyersChargedWei: bigint;
}

export interface LanIntervalInput {
  interval: bigint;
  state: HistoryIntervalState & { bidCount?: number; offerCount?: number };
  settlement?: IntervalSettlementView;
  mintedWh?: bigint;
  /** SellerSettled events of the interval (any seller). */
  sellerSettlements: readonly SellerSettledEvent[];
  /**
   * Grid fees of the interval's settled takes (any seller): its EscrowedTakeSettled and
   * ChannelTakeSettled events (the take id's interval is takeId >> 40).
   */
  takeFees?: readonly { gridFeeWei: bigint }[];
  /** Readings recorded for the interval (every meter). */
  readings: readonly ReadingEvent[];
  /** Energy delivered to each buyer in the interval's settlement (OrderSettled of bids, any buyer). */
  buyerDeliveries?: readonly { account: Address; deliveredWh: bigint }[];
}

export interface LanRow {
  interval: bigint;
  /** Whether every auction order of the interval is settled (figures below are final). */
  settled: boolean;
  clearingPriceWeiPerKWh: number | null;
  clearedWh: bigint;
  deliveredWh: bigint;
  /** Σ sellers' shortfalls of the sellers settled so far. */
  shortfallWh: bigint;
  imbalanceWei: bigint;
  /** Σ zone grid fees: the sellers' auction parts and the settled takes given (`takeFees`). */
  gridFeeWei: bigint;
  buyersChargedWei: bigint;
  certificatesWh: bigint;
  meters: number;
  importedWh: bigint;
  exportedWh: bigint;
  /** Σ delivered-to-buyer Wh (capped per household at its import). */
  localImportWh: bigint;
  /** localImportWh / Σ import in basis points; null without imports. */
  selfSufficiencyBps: number | null;
}

/** The LAN's totals for each interval given, newest first. */
export function lanTotals(inputs: readonly LanIntervalInput[]): LanRow[] {
  return [...inputs]
    .sort((a, b) => (a.interval > b.interval ? -1 : a.interval < b.interval ? 1 : 0))
    .map((x): LanRow => {
      const importedWh = sum(x.readings, (r) => BigInt(r.importedWh));
      const exportedWh = sum(x.readings, (r) => BigInt(r.exportedWh));
      const deliveredTo = new Map<string, bigint>();
      for (const b of x.buyerDeliveries ?? []) {
        const k = b.account.toLowerCase();
        deliveredTo.set(k, (deliveredTo.get(k) ?? 0n) + b.deliveredWh);
      }
      const local = sum(x.readings, (r) => {
        const got = r.account ? (deliveredTo.get(r.account.toLowerCase()) ?? 0n) : 0n;
        const imported = BigInt(r.importedWh);
        return got < imported ? got : imported;
      });
      return {
        interval: x.interval,
        settled: x.state.cleared && x.state.unsettledOrders === 0,
        clearingPriceWeiPerKWh: x.state.cleared && x.state.hasPrice ? x.state.clearingPriceWeiPerKWh : null,
        clearedWh: x.state.cleared ? x.state.clearedWh : 0n,
        deliveredWh: x.settlement?.deliveredWh ?? sum(x.sellerSettlements, (e) => e.deliveredWh),
        shortfallWh: sum(x.sellerSettlements, (e) => e.soldWh - e.deliveredWh),
        imbalanceWei: sum(x.sellerSettlements, (e) => e.imbalanceWei),
        gridFeeWei: sum(x.sellerSettlements, (e) => e.gridFeeWei) + sum(x.takeFees ?? [], (e) => e.gridFeeWei),
        buyersChargedWei: x.settlement?.buyersChargedWei ?? 0n,
        certificatesWh: x.mintedWh ?? 0n,
        meters: x.readings.length,
        importedWh,
        exportedWh,
        localImportWh: local,
        selfSufficiencyBps: importedWh === 0n ? null : Number((local * 10_000n) / importedWh),
      };
    });
}
