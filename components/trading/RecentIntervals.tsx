"use client";

/**
 * Intervals whose gate has closed: their clearing result, where each stands on its way to
 * settlement on metered delivery (gate open → awaiting clearing → cleared, awaiting meter readings
 * → readings final → sellers settled → settled, see lib/app/settlement.ts), and the two actions
 * anyone may take — "Clear" (after gate closure; the sort hints come from the market's `sortHints`
 * view) and "Settle", offered only once the readings are final: it settles the offers first
 * (sellers paid for what their meters exported), then the bids (buyers charged for their share of
 * the delivered energy, the rest refunded), in batches of at most MAX_SETTLE_BATCH orders, and
 * then the interval's bilateral takes (escrowed or channel-paid) still waiting for `settle` (found
 * by a dry-run walk over their ids). An interval whose auction orders are all settled but whose
 * takes still wait says so ("N bilateral takes wait for settlement", or for meter readings) and
 * offers "Settle N takes" (the same click; only its takes step sends anything).
 * On the devnet a keeper does all of this too; the buttons make the cycle visible and testable.
 */
import { useConfig } from "wagmi";
import { getPublicClient, readContract } from "wagmi/actions";
import { energyMarketAbi } from "@/lib/contracts";
import { SIDE, type BookOrder } from "@/lib/app/orderbook";
import type { IntervalTiming } from "@/lib/app/intervals";
import {
  TAKE_AWAITS_READINGS_ERRORS,
  nextSettleBatch,
  settleTransactionCount,
  settlementStage,
  unsettledTakeIds,
  type SettlementStageKind,
} from "@/lib/app/settlement";
import { explainError } from "@/lib/errors";
import { formatClock, formatEnergy, formatPricePerKWh, formatWindow } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import { useIntervalStates, type IntervalState } from "@/lib/hooks/useMarket";
import { takeProbe, useSettlementReads } from "@/lib/hooks/useSettlement";
import { useWrite, type WriteStep } from "@/lib/hooks/useWrite";
import { Card, Empty, SkeletonRows } from "../ui";

const MAX_ROWS = 6;

/** The market's MAX_SETTLE_BATCH until it has been read (the contract refuses larger batches). */
const DEFAULT_SETTLE_BATCH = 64;

const STAGE_STYLE: Record<SettlementStageKind, string> = {
  "gate-open": "bg-emerald-50 text-emerald-800",
  "no-orders": "bg-slate-100 text-slate-500",
  "awaiting-clearing": "bg-amber-50 text-amber-800",
  "awaiting-readings": "bg-sky-50 text-sky-800",
  "readings-final": "bg-emerald-100 text-emerald-900",
  "sellers-settled": "bg-violet-50 text-violet-800",
  "takes-open": "bg-orange-50 text-orange-800",
  settled: "bg-slate-800 text-white",
};

export function RecentIntervals({
  d,
  timings,
  now,
  intervalSeconds,
  connected,
}: {
  d: Deployment;
  timings: IntervalTiming[];
  now: number;
  intervalSeconds?: number;
  connected: boolean;
}) {
  const gated = timings.filter((t) => BigInt(now) >= t.gateClosureTime).reverse(); // newest first
  const { states, isLoading } = useIntervalStates(
    d,
    gated.map((t) => t.interval),
  );
  const { write, pending } = useWrite();
  const config = useConfig();
  // Intervals nobody traded in are noise: show those with orders (and the latest one, so the panel
  // is never empty once trading has started), at most MAX_ROWS.
  const rows = gated
    .map((t, k) => ({ t, s: states?.[k] }))
    .filter(({ s }, k) => k === 0 || !s || s.bidCount + s.offerCount > 0)
    .slice(0, MAX_ROWS);
  const quiet = states ? gated.length - rows.length : 0;
  const reads = useSettlementReads(
    d,
    rows.map(({ t, s }) => ({ interval: t.interval, state: s })),
    now,
  );
  const maxBatch = reads.data?.maxBatch ?? DEFAULT_SETTLE_BATCH;

  async function ordersOf(interval: bigint): Promise<BookOrder[]> {
    const read = (side: number) =>
      readContract(config, {
        address: d.market!,
        abi: energyMarketAbi,
        functionName: "getOrders",
        args: [interval, side, 0n, 5_000n],
        chainId: d.chainId,
      }) as Promise<readonly BookOrder[]>;
    const [bids, offers] = await Promise.all([read(SIDE.Bid), read(SIDE.Offer)]);
    return [...offers, ...bids];
  }

  function clear(interval: bigint) {
    if (!d.market) return;
    return write(
      {
        label: "Clear interval",
        address: d.market,
        abi: energyMarketAbi,
        functionName: "clear",
        prepareArgs: async () => {
          const [bids, offers] = await readContract(config, {
            address: d.market!,
            abi: energyMarketAbi,
            functionName: "sortHints",
            args: [interval],
            chainId: d.chainId,
          });
          return [interval, bids, offers];
        },
      },
      { title: `Clear interval #${interval}`, success: `Interval #${interval} cleared at one uniform price.` },
    );
  }

  /**
   * One click settles what is left: offers first, then bids, each `settle` call at most maxBatch ids.
   * Every step reads the chain right before it runs, so orders someone else (the keeper) settled
   * meanwhile are not sent again, and a step with nothing left is skipped. Last, the interval's
   * bilateral takes still waiting (at most maxBatch per click; the keeper settles them too) — the
   * only step that sends take ids. With every auction order settled, that step is the whole click.
   * If a take still waits for its seller's meter reading (possible when the auction part needed no
   * reading, or not that seller's), the step is skipped: the auction part is done, and the row then
   * says the takes wait for meter readings.
   */
  function settle(interval: bigint, s: IntervalState) {
    if (!d.market) return;
    const offers = s.unsettledOffers;
    const bids = s.unsettledOrders - s.unsettledOffers;
    const count = settleTransactionCount(offers, bids, maxBatch);
    const steps: WriteStep[] = Array.from({ length: count }, (_, k) => {
      const side = k < Math.ceil(offers / maxBatch) ? "offers" : "bids";
      let ids: bigint[] = [];
      return {
        label: side === "offers" ? "Settle sellers (offers)" : "Settle buyers (bids)",
        address: d.market!,
        abi: energyMarketAbi,
        functionName: "settle",
        skipIf: async () => {
          const next = nextSettleBatch(await ordersOf(interval), maxBatch);
          ids = next.side === side ? next.ids : [];
          return ids.length === 0;
        },
        prepareArgs: async () => [ids],
      };
    });
    let takeIds: bigint[] = [];
    steps.push({
      label: "Settle bilateral takes",
      address: d.market,
      abi: energyMarketAbi,
      functionName: "settle",
      skipIf: async () => {
        try {
          takeIds = await unsettledTakeIds(interval, takeProbe(getPublicClient(config, { chainId: d.chainId })!, d.market!), maxBatch);
        } catch (error) {
          const name = explainError(error).errorName;
          if (count > 0 && name !== undefined && TAKE_AWAITS_READINGS_ERRORS.includes(name)) return true;
          throw error;
        }
        return takeIds.length === 0;
      },
      prepareArgs: async () => [takeIds],
    });
    return write(steps, {
      title: `Settle interval #${interval}`,
      success:
        s.unsettledOrders === 0
          ? `Interval #${interval}: bilateral takes settled on metered delivery, each buyer charged for its share (or certified, if paid through channels) and each seller paid.`
          : `Interval #${interval} settled on metered delivery: sellers paid for what they delivered, buyers charged for their share and refunded the rest.`,
    });
  }

  return (
    <Card
      title="Recent intervals"
      subtitle="After gate closure anyone may clear an interval. Trades are paid for metered delivery: settlement opens once the validators have made the meter readings final."
      testId="recent-intervals"
    >
      {isLoading && !states ? (
        <SkeletonRows rows={3} />
      ) : gated.length === 0 ? (
        <Empty>No interval has closed yet.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[44rem] text-sm">
            <thead>
              <tr className="table-head border-b border-slate-100">
                <th className="py-1 text-left font-medium">Interval</th>
                <th className="py-1 text-left font-medium">Delivery</th>
                <th className="py-1 text-right font-medium">Bids / offers</th>
                <th className="py-1 text-right font-medium">Clearing price</th>
                <th className="py-1 text-right font-medium">Cleared</th>
                <th className="py-1 pl-3 text-left font-medium">Stage</th>
                <th className="py-1 pl-3 text-right font-medium">Action</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ t, s }) => {
                const key = t.interval.toString();
                const readings = reads.data?.readings.get(key);
                // Once the auction part is settled, the takes decide; until they are read, no stage
                // (never a "settled" that an open take would contradict a moment later).
                const takes = reads.data?.takes.get(key);
                const takesUnread = Boolean(s?.cleared && s.unsettledOrders === 0 && takes === undefined && !reads.isError);
                const stage = takesUnread
                  ? undefined
                  : settlementStage(s, true, s?.cleared && s.unsettledOffers > 0 ? readings : undefined, takes ?? undefined);
                const settleTitle =
                  stage?.kind === "takes-open"
                    ? "Settle the bilateral takes: each buyer pays for its share of the seller's delivery (channel-paid: gets its certificates), each seller is paid after its grid fee"
                    : stage?.kind === "sellers-settled"
                      ? "Settle the buyers: each pays for its share of the delivered energy and gets the rest of its lock back"
                      : "Settle the sellers first (paid for what their meters exported), then the buyers";
                const takesToSettle = Math.min(takes?.open ?? 0, maxBatch);
                return (
                  <tr key={key} className="border-b border-slate-50" data-testid={`interval-row-${key}`}>
                    <td className="py-1.5 font-medium text-slate-800">#{key}</td>
                    <td className="py-1.5 text-slate-600">{formatWindow(t.startTime, intervalSeconds ?? 0)}</td>
                    <td className="num py-1.5 text-slate-600">{s ? `${s.bidCount} / ${s.offerCount}` : "…"}</td>
                    <td className="num py-1.5" data-testid="interval-price">
                      {!s ? "…" : s.cleared ? (s.hasPrice ? formatPricePerKWh(s.clearingPriceWeiPerKWh) : "no match") : "–"}
                    </td>
                    <td className="num py-1.5">{s?.cleared && s.hasPrice ? formatEnergy(s.clearedWh) : "–"}</td>
                    <td className="py-1.5 pl-3">
                      {takesUnread && <span className="text-xs text-slate-400">…</span>}
                      {stage && (
                        <span
                          className={`badge ${STAGE_STYLE[stage.kind]}`}
                          title={stage.detail}
                          data-testid={`interval-stage-${key}`}
                          data-stage={stage.kind}
                        >
                          {stage.label}
                        </span>
                      )}
                      {stage?.kind === "awaiting-readings" && readings && !readings.rootFinal && BigInt(now) < readings.deliveryEndsAt && (
                        <span className="ml-1 text-xs text-slate-400">delivery ends {formatClock(readings.deliveryEndsAt)}</span>
                      )}
                    </td>
                    <td className="py-1.5 pl-3 text-right">
                      {!s || !stage ? null : stage.action === "clear" ? (
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          disabled={!connected || pending !== null}
                          title={connected ? "Compute one uniform price for this interval" : "Connect a wallet to send the transaction"}
                          onClick={() => clear(t.interval)}
                          data-testid={`clear-${key}`}
                        >
                          Clear
                        </button>
                      ) : stage.action === "settle" ? (
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          disabled={!connected || pending !== null}
                          title={connected ? settleTitle : "Connect a wallet to send the transaction"}
                          onClick={() => settle(t.interval, s)}
                          data-testid={`settle-${key}`}
                        >
                          {stage.kind === "takes-open"
                            ? `Settle ${takesToSettle} take${takesToSettle === 1 ? "" : "s"}`
                            : stage.kind === "sellers-settled"
                              ? `Settle ${s.unsettledOrders} bid${s.unsettledOrders === 1 ? "" : "s"}`
                              : `Settle ${s.unsettledOrders} order${s.unsettledOrders === 1 ? "" : "s"}`}
                        </button>
                      ) : stage.kind === "awaiting-readings" ? (
                        <span className="text-xs text-slate-400" title={stage.detail}>
                          settle after readings
                        </span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {quiet > 0 && (
            <p className="mt-2 text-xs text-slate-400">
              {quiet} more recent interval{quiet === 1 ? "" : "s"} without orders not shown.
            </p>
          )}
        </div>
      )}
    </Card>
  );
}
