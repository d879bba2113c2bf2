"use client";

/**
 * My orders (cancel while the gate is open) and my fills: auction results and bilateral takes. A
 * take of a channel-paid offer shows "paid through channels" instead of an escrowed amount: its
 * money goes buyer → hub → seller off-chain, as the energy is delivered (Channels page).
 */
import Link from "next/link";
import type { Address } from "viem";
import { energyMarketAbi } from "@/lib/contracts";
import { SIDE, intervalOfOrderId, isChannelTake, orderStatus } from "@/lib/app/orderbook";
import { displayName } from "@/lib/app/names";
import { deliveryWords } from "@/lib/app/settlement";
import { bidLockWei, formatEnergy, formatKWh, formatPLC, formatPricePerKWh, sellerProceedsWei } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import type { MyOrder, TakeFill } from "@/lib/hooks/useMarket";
import { useWrite } from "@/lib/hooks/useWrite";
import { Card, Empty, Notice, SkeletonRows } from "../ui";
import { ChannelBadge } from "./OrderBook";

const STATUS_STYLE: Record<string, string> = {
  open: "bg-emerald-50 text-emerald-800",
  addressed: "bg-violet-50 text-violet-800",
  "awaiting clearing": "bg-amber-50 text-amber-800",
  filled: "bg-emerald-100 text-emerald-900",
  "partly filled": "bg-emerald-50 text-emerald-800",
  "not filled": "bg-slate-100 text-slate-600",
  settled: "bg-slate-800 text-white",
  cancelled: "bg-slate-100 text-slate-500",
  taken: "bg-violet-50 text-violet-800",
};

export function MyOrders({
  d,
  me,
  orders,
  loading,
  firstOpenInterval,
}: {
  d: Deployment;
  me?: Address;
  orders?: MyOrder[];
  loading: boolean;
  firstOpenInterval?: bigint;
}) {
  const { write, pending } = useWrite();
  if (!me) return null;
  return (
    <Card title="My orders" subtitle="Newest first. Cancel is possible until the interval's gate closes." testId="my-orders">
      {loading && !orders ? (
        <SkeletonRows rows={3} />
      ) : !orders || orders.length === 0 ? (
        <Empty>You have no orders yet. Post an offer or a bid above.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[36rem] text-sm">
            <thead>
              <tr className="table-head border-b border-slate-100">
                <th className="py-1 text-left font-medium">Interval</th>
                <th className="py-1 text-left font-medium">Side</th>
                <th className="py-1 text-right font-medium">Price (PLC/kWh)</th>
                <th className="py-1 text-right font-medium">Energy (kWh)</th>
                <th className="py-1 text-right font-medium">Filled (kWh)</th>
                <th className="py-1 pl-3 text-left font-medium">Status</th>
                <th className="py-1" />
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => {
                const gated = firstOpenInterval !== undefined && o.interval < firstOpenInterval;
                const status = orderStatus(o, o.intervalState, gated);
                const cancellable = (status === "open" || status === "addressed") && !gated;
                return (
                  <tr key={o.id.toString()} className="border-b border-slate-50" data-testid={`my-order-${o.id.toString()}`}>
                    <td className="py-1.5 text-slate-700">#{o.interval.toString()}</td>
                    <td className={`py-1.5 font-medium ${o.side === SIDE.Offer ? "text-amber-700" : "text-sky-700"}`}>
                      {o.side === SIDE.Offer ? "sell" : "buy"}
                    </td>
                    <td className="num py-1.5">{formatPricePerKWh(o.priceWeiPerKWh, false)}</td>
                    <td className="num py-1.5">{formatKWh(o.energyWh)}</td>
                    <td className="num py-1.5">{o.intervalState?.cleared ? formatKWh(o.filledWh) : "–"}</td>
                    <td className="py-1.5 pl-3">
                      <span className={`badge ${STATUS_STYLE[status] ?? ""}`} data-testid="order-status">
                        {status}
                      </span>
                      {o.channelPaid && <ChannelBadge />}
                    </td>
                    <td className="py-1.5 text-right">
                      {cancellable && d.market && (
                        <button
                          type="button"
                          className="btn btn-danger btn-small"
                          disabled={pending !== null}
                          onClick={() =>
                            write(
                              { label: "Cancel order", address: d.market!, abi: energyMarketAbi, functionName: "cancel", args: [o.id] },
                              {
                                title: "Cancel order",
                                success:
                                  o.side === SIDE.Bid
                                    ? `Bid cancelled; ${formatPLC(bidLockWei(BigInt(o.priceWeiPerKWh), BigInt(o.energyWh)))} is free again.`
                                    : "Offer cancelled.",
                              },
                            )
                          }
                        >
                          Cancel
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export function MyFills({ me, orders, takes, loading }: { me?: Address; orders?: MyOrder[]; takes?: TakeFill[]; loading: boolean }) {
  if (!me) return null;
  const auction = (orders ?? []).filter((o) => o.intervalState?.cleared && o.intervalState.hasPrice && o.filledWh > 0);
  const lower = me.toLowerCase();
  const empty = auction.length === 0 && (takes ?? []).length === 0;
  return (
    <Card title="My fills" subtitle="Auction fills at the uniform clearing price, and direct trades at the offer's price." testId="my-fills">
      {loading && !orders ? (
        <SkeletonRows rows={2} />
      ) : empty ? (
        <Empty>No fills yet. Fills appear once an interval with your orders is cleared, or when you take an offer.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[42rem] text-sm">
            <thead>
              <tr className="table-head border-b border-slate-100">
                <th className="py-1 text-left font-medium">Interval</th>
                <th className="py-1 text-left font-medium">Trade</th>
                <th className="py-1 text-right font-medium">Energy (kWh)</th>
                <th className="py-1 text-right font-medium" title="Metered delivery, known once the trade is settled">
                  Delivered (kWh)
                </th>
                <th className="py-1 text-right font-medium">Price (PLC/kWh)</th>
                <th className="py-1 text-right font-medium">Amount</th>
                <th className="py-1 pl-3 text-left font-medium">Money</th>
              </tr>
            </thead>
            <tbody>
              {auction.map((o) => {
                const price = BigInt(o.intervalState!.clearingPriceWeiPerKWh);
                const filled = BigInt(o.filledWh);
                // Settled: what the meters say flowed. Bids: the charge for d_k. Offers: floor(p × delivered),
                // before the zone's grid fee (the seller's net payout is in SellerSettled, shown in History).
                const delivered = o.settled ? o.settledDeliveredWh : undefined;
                const amount =
                  o.side === SIDE.Bid
                    ? (o.settledAmountWei ?? bidLockWei(price, filled))
                    : sellerProceedsWei(price, delivered ?? filled);
                return (
                  <tr key={o.id.toString()} className="border-b border-slate-50" data-testid={`fill-${o.id.toString()}`}>
                    <td className="py-1.5 text-slate-700">#{o.interval.toString()}</td>
                    <td className={`py-1.5 font-medium ${o.side === SIDE.Offer ? "text-amber-700" : "text-sky-700"}`}>
                      {o.side === SIDE.Offer ? "sold" : "bought"} · auction
                    </td>
                    <td className="num py-1.5">{formatKWh(o.filledWh)}</td>
                    <td className="num py-1.5" data-testid="fill-delivered">
                      {delivered === undefined ? (
                        <span className="text-slate-400" title="Known once the meter readings are final and the trade is settled">
                          –
                        </span>
                      ) : (
                        <DeliveredCell soldWh={o.filledWh} deliveredWh={delivered} />
                      )}
                    </td>
                    <td className="num py-1.5">{formatPricePerKWh(price, false)}</td>
                    <td className="num py-1.5 font-medium">
                      {o.side === SIDE.Offer ? "+" : "−"}
                      {formatPLC(amount)}
                      {o.side === SIDE.Offer && <span className="text-xs font-normal text-slate-400"> before grid fee</span>}
                    </td>
                    <td className="py-1.5 pl-3 text-xs text-slate-600">
                      {o.settled ? (
                        <span className="badge bg-slate-800 text-white">settled</span>
                      ) : (
                        <span className="badge bg-amber-50 text-amber-800" title="Paid for metered delivery once the meter readings are final">
                          awaiting delivery &amp; settlement
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
              {(takes ?? []).map((t) => {
                const bought = t.buyer.toLowerCase() === lower;
                if (isChannelTake(t)) return <ChannelTakeRow key={`${t.offerId}-${t.blockNumber}-${t.buyer}`} t={t} bought={bought} />;
                // Escrowed: the buyer's lock is held until settlement on metered delivery, then the buyer
                // pays for d_t (the rest refunded) and the seller gets floor(p × d_t) less its grid fee.
                const settled = t.settlement;
                const gross = sellerProceedsWei(BigInt(t.priceWeiPerKWh), BigInt(t.energyWh));
                return (
                  <tr key={`${t.offerId}-${t.blockNumber}-${t.buyer}`} className="border-b border-slate-50" data-testid={`take-${t.takeId.toString()}`}>
                    <td className="py-1.5 text-slate-700">#{intervalOfOrderId(t.offerId).toString()}</td>
                    <td className={`py-1.5 font-medium ${bought ? "text-sky-700" : "text-amber-700"}`}>
                      {bought ? `bought from ${displayName(t.seller)}` : `sold to ${displayName(t.buyer)}`} · direct
                    </td>
                    <td className="num py-1.5">{formatKWh(t.energyWh)}</td>
                    <td className="num py-1.5" data-testid="take-delivered">
                      {settled ? (
                        <DeliveredCell soldWh={t.energyWh} deliveredWh={settled.deliveredWh} />
                      ) : (
                        <span className="text-slate-400" title="Known once the meter readings are final and the take is settled">
                          –
                        </span>
                      )}
                    </td>
                    <td className="num py-1.5">{formatPricePerKWh(t.priceWeiPerKWh, false)}</td>
                    <td className="num py-1.5 font-medium" data-testid="take-amount">
                      {bought ? "−" : "+"}
                      {formatPLC(settled ? settled.amountWei : bought ? t.paidWei : gross)}
                      {!settled && <span className="text-xs font-normal text-slate-400">{bought ? " in escrow" : " before grid fee"}</span>}
                      {settled && !bought && settled.gridFeeWei !== undefined && (
                        <span className="block text-xs font-normal text-slate-400">after {formatPLC(settled.gridFeeWei)} grid fee</span>
                      )}
                    </td>
                    <td className="py-1.5 pl-3 text-xs">
                      {settled ? (
                        <span className="badge bg-slate-800 text-white">settled</span>
                      ) : (
                        <span className="badge bg-amber-50 text-amber-800" title="Settled for metered delivery once the meter readings are final">
                          awaiting delivery &amp; settlement
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {auction.some((o) => !o.settled) && (
        <div className="mt-2">
          <Notice>
            Fills are paid for metered delivery: after the interval the meters sign their readings and the validators make them final;
            then sellers and buyers are settled (<b>Settle</b> in “Recent intervals” below — anyone may, and on the devnet the keeper does),
            and your vault balance updates. A seller&apos;s shortfall is refunded to its buyers. Total filled:{" "}
            {formatEnergy(auction.reduce((s, o) => s + o.filledWh, 0))}.
          </Notice>
        </div>
      )}
    </Card>
  );
}

/** A take of a channel-paid offer: no escrow, no on-chain money; paid through channels as delivered. */
/** Delivered energy of a settled trade, marked "(short)" when less than was sold. */
function DeliveredCell({ soldWh, deliveredWh }: { soldWh: number; deliveredWh: bigint }) {
  const short = deliveryWords(soldWh, deliveredWh)!.shortfallWh;
  return (
    <span className={short > 0n ? "text-amber-700" : ""} title={short > 0n ? `short by ${formatEnergy(short)}` : "delivered in full"}>
      {formatKWh(deliveredWh)}
      {short > 0n ? " (short)" : ""}
    </span>
  );
}

function ChannelTakeRow({ t, bought }: { t: TakeFill; bought: boolean }) {
  return (
    <tr className="border-b border-slate-50" data-testid={`channel-take-${t.offerId.toString()}`}>
      <td className="py-1.5 text-slate-700">#{intervalOfOrderId(t.offerId).toString()}</td>
      <td className={`py-1.5 font-medium ${bought ? "text-sky-700" : "text-amber-700"}`}>
        {bought ? `bought from ${displayName(t.seller)}` : `sold to ${displayName(t.buyer)}`} · direct
      </td>
      <td className="num py-1.5">{formatKWh(t.energyWh)}</td>
      <td className="num py-1.5" title="Metered by the seller's meter; streamed minute by minute">
        {t.settlement ? <DeliveredCell soldWh={t.energyWh} deliveredWh={t.settlement.deliveredWh} /> : <span className="text-slate-400">–</span>}
      </td>
      <td className="num py-1.5">{formatPricePerKWh(t.priceWeiPerKWh, false)}</td>
      <td className="py-1.5 text-right text-xs text-slate-600" data-testid="take-amount">
        paid through channels
        <span className="block text-slate-400">
          up to {formatPLC(bidLockWei(BigInt(t.priceWeiPerKWh), BigInt(t.energyWh)))}, as delivered
        </span>
      </td>
      <td className="py-1.5 pl-3 text-xs">
        <Link href="/channels" title="Streamed through the LAN hub as the energy is metered: see Delivery streams">
          <ChannelBadge />
        </Link>
      </td>
    </tr>
  );
}
