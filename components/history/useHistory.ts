"use client";

/**
 * Reads for the history page, as react-query queries (refreshed every few seconds, like the trading
 * page's reads):
 * - the household's own facts, from events filtered by its address on the node (indexed topics):
 *   its orders (OrderPlaced → getOrder), bilateral takes (OfferTaken as buyer and as seller; the
 *   payouts and grid fees of its takes as seller from EscrowedTakeSettled and ChannelTakeSettled), its
 *   settlements (OrderSettled, SellerSettled; a take's OrderSettled names the buyer as owner, so as
 *   seller its takes' settlements are read by interval and matched on the take id), meter readings (ReadingRecorded), certificates
 *   (CertificateMinted) and credit score updates (CreditScoreUpdated); per interval it touches, the
 *   interval's state, grid tariffs and start time; its current credit score;
 * - the LAN's totals for the last intervals: state, settlement, certificates minted, every seller's
 *   and buyer's settlement and every reading of those intervals (events filtered by the indexed interval).
 * Fine for a devnet or a LAN of a few hundred households; a larger deployment would read the same
 * facts from an indexer. The shaping into rows is pure (lib/app/history.ts).
 */
import { useQuery } from "@tanstack/react-query";
import type { Address } from "viem";
import { usePublicClient } from "wagmi";
import { energyCertificateAbi, energyMarketAbi, meterLedgerAbi } from "@/lib/contracts";
import {
  creditTrend,
  householdHistory,
  lanTotals,
  type CreditScoreEvent,
  type GridTariffs,
  type HistoryIntervalState,
  type HistoryOrder,
  type LanIntervalInput,
  type ReadingEvent,
  type SellerSettledEvent,
} from "@/lib/app/history";
import { intervalOfOrderId, isTakeId } from "@/lib/app/orderbook";
import type { Deployment } from "@/lib/hooks/useDeployment";

export const HISTORY_REFRESH_MS = 4_000;
/** Most recent intervals shown for a household. */
export const HOUSEHOLD_INTERVALS = 48;
/** Most recent orders of the household looked at. */
const ORDERS_LIMIT = 300;
/** Intervals before the current one the LAN table looks at. */
export const LAN_INTERVALS = 16;

const FROM = 0n;

function asState(s: { cleared: boolean; hasPrice: boolean; clearingPriceWeiPerKWh: number; clearedWh: bigint; unsettledOrders: number; bidCount: number; offerCount: number }) {
  return {
    cleared: s.cleared,
    hasPrice: s.hasPrice,
    clearingPriceWeiPerKWh: s.clearingPriceWeiPerKWh,
    clearedWh: s.clearedWh,
    unsettledOrders: s.unsettledOrders,
    bidCount: s.bidCount,
    offerCount: s.offerCount,
  };
}

function sellerSettled(e: { args: Record<string, unknown>; transactionHash: string | null }): SellerSettledEvent {
  const a = e.args as Omit<SellerSettledEvent, "transactionHash">;
  return { ...a, transactionHash: e.transactionHash ?? undefined };
}

/** The connected household's interval history and credit trend. */
export function useHouseholdHistory(d: Deployment, account: Address | undefined) {
  const client = usePublicClient({ chainId: d.chainId });
  const ledger = d.address("MeterLedger");
  const certificate = d.address("EnergyCertificate");
  return useQuery({
    queryKey: ["powerlan", "history", d.chainId, d.market, account],
    enabled: Boolean(client && d.market && ledger && certificate && account),
    refetchInterval: HISTORY_REFRESH_MS,
    queryFn: async () => {
      const c = client!;
      const market = d.market!;
      const me = account!;
      const ev = { address: market, abi: energyMarketAbi, fromBlock: FROM } as const;
      const [placed, bought, sold, orderSettled, sellerEvents, readingEvents, certEvents, scoreEvents, currentScore, channelFees, escrowedFees] = await Promise.all([
        c.getContractEvents({ ...ev, eventName: "OrderPlaced", args: { owner: me } }),
        c.getContractEvents({ ...ev, eventName: "OfferTaken", args: { buyer: me } }),
        c.getContractEvents({ ...ev, eventName: "OfferTaken", args: { seller: me } }),
        c.getContractEvents({ ...ev, eventName: "OrderSettled", args: { owner: me } }),
        c.getContractEvents({ ...ev, eventName: "SellerSettled", args: { seller: me } }),
        c.getContractEvents({ address: ledger!, abi: meterLedgerAbi, eventName: "ReadingRecorded", args: { account: me }, fromBlock: FROM }),
        c.getContractEvents({ address: certificate!, abi: energyCertificateAbi, eventName: "CertificateMinted", args: { to: me }, fromBlock: FROM }),
        c.getContractEvents({ address: ledger!, abi: meterLedgerAbi, eventName: "CreditScoreUpdated", args: { account: me }, fromBlock: FROM }),
        c.readContract({ address: ledger!, abi: meterLedgerAbi, functionName: "creditScoreOf", args: [me] }),
        c.getContractEvents({ ...ev, eventName: "ChannelTakeSettled", args: { seller: me } }),
        c.getContractEvents({ ...ev, eventName: "EscrowedTakeSettled", args: { seller: me } }),
      ]);
      const ids = placed.map((e) => e.args.orderId!).slice(-ORDERS_LIMIT);
      const orders = (await Promise.all(
        ids.map((id) => c.readContract({ address: market, abi: energyMarketAbi, functionName: "getOrder", args: [id] })),
      )) as unknown as HistoryOrder[];

      const takes = [...bought, ...sold].map((e) => ({
        offerId: e.args.offerId!,
        buyer: e.args.buyer!,
        seller: e.args.seller!,
        energyWh: e.args.energyWh!,
        priceWeiPerKWh: e.args.priceWeiPerKWh!,
        paidWei: e.args.paidWei!,
        takeId: e.args.takeId!,
      }));
      // As seller, a take's OrderSettled is the buyer's (owner = buyer): read those of the
      // intervals of its sold takes and keep the ones of its take ids.
      const soldTakeIds = new Set(sold.map((e) => e.args.takeId!));
      const soldIntervals = [...new Set(sold.map((e) => intervalOfOrderId(e.args.offerId!)))];
      const soldTakeSettled =
        soldIntervals.length === 0
          ? []
          : (await c.getContractEvents({ ...ev, eventName: "OrderSettled", args: { interval: soldIntervals } })).filter((e) =>
              soldTakeIds.has(e.args.orderId!),
            );
      // Dedupe a take in which the household was both sides (impossible: own offers cannot be taken).
      const readings: ReadingEvent[] = readingEvents.map((e) => ({
        account: e.args.account!,
        interval: e.args.interval!,
        importedWh: e.args.importedWh!,
        exportedWh: e.args.exportedWh!,
      }));
      const scoreUpdates: CreditScoreEvent[] = scoreEvents.map((e) => ({
        previousScoreBps: e.args.previousScoreBps!,
        scoreBps: e.args.scoreBps!,
        soldWh: e.args.soldWh!,
        deliveredWh: e.args.deliveredWh!,
        blockNumber: e.blockNumber ?? undefined,
        transactionHash: e.transactionHash ?? undefined,
      }));
      const base = {
        account: me,
        orders,
        takes,
        orderSettlements: [...orderSettled, ...soldTakeSettled].map((e) => ({
          orderId: e.args.orderId!,
          interval: e.args.interval!,
          filledWh: e.args.filledWh!,
          deliveredWh: e.args.deliveredWh!,
          amountWei: e.args.amountWei!,
          refundWei: e.args.refundWei!,
        })),
        sellerSettlements: sellerEvents.map((e) => sellerSettled(e as never)),
        readings,
        certificates: certEvents.map((e) => ({ interval: e.args.interval!, energyWh: e.args.energyWh! })),
        scoreUpdates,
        channelTakeSettlements: channelFees.map((e) => ({
          takeId: e.args.takeId!,
          deliveredWh: e.args.deliveredWh!,
          gridFeeWei: e.args.gridFeeWei!,
          debtWei: e.args.debtWei!,
        })),
        escrowedTakeSettlements: escrowedFees.map((e) => ({
          takeId: e.args.takeId!,
          deliveredWh: e.args.deliveredWh!,
          payoutWei: e.args.payoutWei!,
          gridFeeWei: e.args.gridFeeWei!,
        })),
      };

      // The intervals the rows will show, and their state, tariffs and start time.
      const skeleton = householdHistory({ ...base, states: new Map(), tariffs: new Map() }, HOUSEHOLD_INTERVALS);
      const intervals = skeleton.map((r) => r.interval);
      const m = { address: market, abi: energyMarketAbi } as const;
      const [states, tariffs, starts, intervalSeconds] = await Promise.all([
        Promise.all(intervals.map((i) => c.readContract({ ...m, functionName: "intervalState", args: [i] }))),
        Promise.all(intervals.map((i) => c.readContract({ ...m, functionName: "gridTariffsFor", args: [i] }))),
        Promise.all(intervals.map((i) => c.readContract({ ...m, functionName: "intervalStartTime", args: [i] }))),
        Promise.all(intervals.map((i) => c.readContract({ ...m, functionName: "paramsFor", args: [i] }).then((p) => p.intervalSeconds))),
      ]);
      const stateMap = new Map<bigint, HistoryIntervalState>(intervals.map((i, k) => [i, asState(states[k])]));
      const tariffMap = new Map<bigint, GridTariffs>(intervals.map((i, k) => [i, tariffs[k] as GridTariffs]));
      const rows = householdHistory({ ...base, states: stateMap, tariffs: tariffMap }, HOUSEHOLD_INTERVALS);
      const timing = new Map(intervals.map((i, k) => [i, { startTime: starts[k], intervalSeconds: intervalSeconds[k] }]));
      return { rows, timing, trend: creditTrend(Number(currentScore), scoreUpdates) };
    },
  });
}

/** The LAN's totals for the last LAN_INTERVALS intervals before the current one (those with orders or readings). */
export function useLanTotals(d: Deployment) {
  const client = usePublicClient({ chainId: d.chainId });
  const ledger = d.address("MeterLedger");
  const certificate = d.address("EnergyCertificate");
  return useQuery({
    queryKey: ["powerlan", "lanTotals", d.chainId, d.market],
    enabled: Boolean(client && d.market && ledger && certificate),
    refetchInterval: HISTORY_REFRESH_MS,
    queryFn: async () => {
      const c = client!;
      const m = { address: d.market!, abi: energyMarketAbi } as const;
      const current = await c.readContract({ ...m, functionName: "currentInterval" });
      const intervals: bigint[] = [];
      for (let i = current; i >= 0n && intervals.length < LAN_INTERVALS; i--) intervals.push(i);
      if (intervals.length === 0) return { rows: [] };
      const [states, settlements, minted, sellerEvents, readingEvents, orderEvents] = await Promise.all([
        Promise.all(intervals.map((i) => c.readContract({ ...m, functionName: "intervalState", args: [i] }))),
        Promise.all(intervals.map((i) => c.readContract({ ...m, functionName: "settlementOf", args: [i] }))),
        Promise.all(
          intervals.map((i) => c.readContract({ address: certificate!, abi: energyCertificateAbi, functionName: "mintedWh", args: [i] })),
        ),
        c.getContractEvents({ ...m, eventName: "SellerSettled", args: { interval: intervals }, fromBlock: FROM }),
        c.getContractEvents({ address: ledger!, abi: meterLedgerAbi, eventName: "ReadingRecorded", args: { interval: intervals }, fromBlock: FROM }),
        c.getContractEvents({ ...m, eventName: "OrderSettled", args: { interval: intervals }, fromBlock: FROM }),
      ]);
      // Takes' grid fees: the take ids among the intervals' OrderSettled.
      const takeIds = orderEvents.map((e) => e.args.orderId!).filter(isTakeId);
      const takeFeeEvents =
        takeIds.length === 0
          ? []
          : (
              await Promise.all([
                c.getContractEvents({ ...m, eventName: "EscrowedTakeSettled", args: { takeId: takeIds }, fromBlock: FROM }),
                c.getContractEvents({ ...m, eventName: "ChannelTakeSettled", args: { takeId: takeIds }, fromBlock: FROM }),
              ])
            ).flat();
      const inputs: LanIntervalInput[] = intervals.map((interval, k) => ({
        interval,
        state: asState(states[k]),
        settlement: settlements[k],
        mintedWh: minted[k],
        sellerSettlements: sellerEvents.filter((e) => e.args.interval === interval).map((e) => sellerSettled(e as never)),
        readings: readingEvents
          .filter((e) => e.args.interval === interval)
          .map((e) => ({ account: e.args.account!, interval, importedWh: e.args.importedWh!, exportedWh: e.args.exportedWh! })),
        // Bids' settlements: order ids carry the side in bits 32–39 (0 = bid).
        buyerDeliveries: orderEvents
          .filter((e) => e.args.interval === interval && ((e.args.orderId! >> 32n) & 0xffn) === 0n)
          .map((e) => ({ account: e.args.owner!, deliveredWh: e.args.deliveredWh! })),
        takeFees: takeFeeEvents.filter((e) => e.args.takeId! >> 40n === interval).map((e) => ({ gridFeeWei: e.args.gridFeeWei! })),
      }));
      const active = inputs.filter((x) => (x.state.bidCount ?? 0) + (x.state.offerCount ?? 0) > 0 || x.readings.length > 0);
      return { rows: lanTotals(active), current };
    },
  });
}
