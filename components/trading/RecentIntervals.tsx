"use client";

/**
 * Intervals whose gate has closed: their clearing result, and the two actions anyone may take —
 * "Clear" (after gate closure; the sort hints come from the market's `sortHints` view) and
 * "Settle" (pays sellers, charges buyers the uniform price and refunds the rest of their locks).
 * On the devnet a keeper does this too; the buttons make the cycle visible and testable.
 */
import { useConfig } from "wagmi";
import { readContract } from "wagmi/actions";
import { energyMarketAbi } from "@/lib/contracts";
import { SIDE, isLiveAuctionOrder, type BookOrder } from "@/lib/app/orderbook";
import type { IntervalTiming } from "@/lib/app/intervals";
import { formatEnergy, formatPricePerKWh, formatWindow } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import { useIntervalStates } from "@/lib/hooks/useMarket";
import { useWrite } from "@/lib/hooks/useWrite";
import { Card, Empty, SkeletonRows } from "../ui";

const MAX_ROWS = 6;

/** Orders settled per transaction (calldata-bounded; well under the block gas limit). */
const SETTLE_BATCH = 100;

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

  async function liveUnsettledIds(interval: bigint): Promise<bigint[]> {
    const read = (side: number) =>
      readContract(config, {
        address: d.market!,
        abi: energyMarketAbi,
        functionName: "getOrders",
        args: [interval, side, 0n, 5_000n],
        chainId: d.chainId,
      }) as Promise<readonly BookOrder[]>;
    const [bids, offers] = await Promise.all([read(SIDE.Bid), read(SIDE.Offer)]);
    return [...bids, ...offers].filter((o) => isLiveAuctionOrder(o) && !o.settled).map((o) => o.id);
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

  function settle(interval: bigint) {
    if (!d.market) return;
    return write(
      {
        label: "Settle interval",
        address: d.market,
        abi: energyMarketAbi,
        functionName: "settle",
        prepareArgs: async () => [(await liveUnsettledIds(interval)).slice(0, SETTLE_BATCH)],
      },
      { title: `Settle interval #${interval}`, success: `Interval #${interval} settled: sellers paid, buyers charged and refunded.` },
    );
  }

  return (
    <Card
      title="Recent intervals"
      subtitle="After gate closure anyone may clear an interval, then settle it."
      testId="recent-intervals"
    >
      {isLoading && !states ? (
        <SkeletonRows rows={3} />
      ) : gated.length === 0 ? (
        <Empty>No interval has closed yet.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[34rem] text-sm">
            <thead>
              <tr className="table-head border-b border-slate-100">
                <th className="py-1 text-left font-medium">Interval</th>
                <th className="py-1 text-left font-medium">Delivery</th>
                <th className="py-1 text-right font-medium">Bids / offers</th>
                <th className="py-1 text-right font-medium">Clearing price</th>
                <th className="py-1 text-right font-medium">Cleared</th>
                <th className="py-1 pl-3 text-right font-medium">Action</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ t, s }) => {
                const orders = s ? s.bidCount + s.offerCount : 0;
                return (
                  <tr key={t.interval.toString()} className="border-b border-slate-50" data-testid={`interval-row-${t.interval.toString()}`}>
                    <td className="py-1.5 font-medium text-slate-800">#{t.interval.toString()}</td>
                    <td className="py-1.5 text-slate-600">{formatWindow(t.startTime, intervalSeconds ?? 0)}</td>
                    <td className="num py-1.5 text-slate-600">{s ? `${s.bidCount} / ${s.offerCount}` : "…"}</td>
                    <td className="num py-1.5" data-testid="interval-price">
                      {!s ? "…" : s.cleared ? (s.hasPrice ? formatPricePerKWh(s.clearingPriceWeiPerKWh) : "no match") : "–"}
                    </td>
                    <td className="num py-1.5">{s?.cleared && s.hasPrice ? formatEnergy(s.clearedWh) : "–"}</td>
                    <td className="py-1.5 pl-3 text-right">
                      {!s ? null : !s.cleared ? (
                        orders === 0 ? (
                          <span className="text-xs text-slate-400">no orders</span>
                        ) : (
                          <button
                            type="button"
                            className="btn btn-secondary btn-small"
                            disabled={!connected || pending !== null}
                            title={connected ? "Compute one uniform price for this interval" : "Connect a wallet to send the transaction"}
                            onClick={() => clear(t.interval)}
                            data-testid={`clear-${t.interval.toString()}`}
                          >
                            Clear
                          </button>
                        )
                      ) : s.unsettledOrders > 0 ? (
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          disabled={!connected || pending !== null}
                          onClick={() => settle(t.interval)}
                          data-testid={`settle-${t.interval.toString()}`}
                        >
                          Settle {s.unsettledOrders} order{s.unsettledOrders === 1 ? "" : "s"}
                        </button>
                      ) : (
                        <span className="badge bg-slate-800 text-white">settled</span>
                      )}
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
