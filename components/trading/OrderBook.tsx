"use client";

/**
 * The interval's order book: offers (cheapest first) and bids (highest first), in merit order,
 * with who posted them, whether the previewed clearing would fill them, and "Take" on offers
 * (a direct bilateral trade at the offer's price). Offers addressed to the viewer are listed apart;
 * a channel-paid one (badge "channel") is taken without escrow and paid through the viewer's
 * channel with the hub as the energy is delivered (the Channels page, or this page's channel card, streams it).
 */
import Link from "next/link";
import { useState } from "react";
import type { Address } from "viem";
import { energyMarketAbi } from "@/lib/contracts";
import { SIDE, meritOrder, isAddressed, type BookOrder } from "@/lib/app/orderbook";
import { displayName } from "@/lib/app/names";
import { bidLockWei, formatEnergy, formatKWh, formatPLC, formatPricePerKWh, parseEnergyKWh } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import type { MarketParams } from "@/lib/hooks/useMarket";
import { useWrite } from "@/lib/hooks/useWrite";
import { Empty, ErrorLine, SkeletonRows } from "../ui";

export function OrderBook({
  d,
  orders,
  me,
  params,
  previewFills,
  loading,
  gated,
}: {
  d: Deployment;
  orders: BookOrder[];
  me?: Address;
  params?: MarketParams;
  previewFills: Map<bigint, bigint>;
  loading: boolean;
  gated: boolean;
}) {
  const offers = meritOrder(orders, SIDE.Offer);
  const bids = meritOrder(orders, SIDE.Bid);
  const addressedToMe = me
    ? orders.filter((o) => o.side === SIDE.Offer && isAddressed(o) && !o.cancelled && o.energyWh > 0 && o.addressedTo.toLowerCase() === me.toLowerCase())
    : [];
  return (
    <div className="grid gap-4 md:grid-cols-2" data-testid="order-book">
      <BookSide
        title="Offers (sell)"
        tone="supply"
        orders={offers}
        me={me}
        previewFills={previewFills}
        loading={loading}
        empty="No offers yet. Prosumers with PV surplus post offers here."
        takeable={!gated}
        d={d}
        params={params}
        testId="offers-table"
      />
      <BookSide
        title="Bids (buy)"
        tone="demand"
        orders={bids}
        me={me}
        previewFills={previewFills}
        loading={loading}
        empty="No bids yet. Households post bids to buy energy here."
        takeable={false}
        d={d}
        params={params}
        testId="bids-table"
      />
      {addressedToMe.length > 0 && (
        <div className="md:col-span-2">
          <BookSide
            title="Offers addressed to you (bilateral, not in the auction)"
            tone="supply"
            orders={addressedToMe}
            me={me}
            previewFills={previewFills}
            loading={false}
            empty=""
            takeable={!gated}
            d={d}
            params={params}
            testId="addressed-table"
          />
        </div>
      )}
    </div>
  );
}

function BookSide({
  title,
  tone,
  orders,
  me,
  previewFills,
  loading,
  empty,
  takeable,
  d,
  params,
  testId,
}: {
  title: string;
  tone: "supply" | "demand";
  orders: BookOrder[];
  me?: Address;
  previewFills: Map<bigint, bigint>;
  loading: boolean;
  empty: string;
  takeable: boolean;
  d: Deployment;
  params?: MarketParams;
  testId: string;
}) {
  const [taking, setTaking] = useState<bigint | null>(null);
  const totalWh = orders.reduce((s, o) => s + o.energyWh, 0);
  const head = tone === "supply" ? "text-amber-700" : "text-sky-700";
  return (
    <div data-testid={testId}>
      <div className="mb-1.5 flex items-baseline justify-between">
        <h3 className={`text-sm font-semibold ${head}`}>{title}</h3>
        <span className="text-xs text-slate-500">
          {orders.length} order{orders.length === 1 ? "" : "s"} · {formatEnergy(totalWh)}
        </span>
      </div>
      {loading ? (
        <SkeletonRows rows={4} />
      ) : orders.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <table className="w-full text-sm">
          <thead>
            <tr className="table-head border-b border-slate-100">
              <th className="py-1 text-right font-medium">Price (PLC/kWh)</th>
              <th className="py-1 text-right font-medium">Energy (kWh)</th>
              <th className="py-1 pl-3 text-left font-medium">From</th>
              <th className="py-1" />
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => {
              const mine = me !== undefined && o.owner.toLowerCase() === me.toLowerCase();
              const fill = previewFills.get(o.id);
              return (
                <FragmentRow
                  key={o.id.toString()}
                  order={o}
                  mine={mine}
                  fillWh={fill}
                  tone={tone}
                  canTake={takeable && tone === "supply" && !mine && me !== undefined}
                  taking={taking === o.id}
                  onTake={() => setTaking(taking === o.id ? null : o.id)}
                  onDone={() => setTaking(null)}
                  d={d}
                  params={params}
                />
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function FragmentRow({
  order,
  mine,
  fillWh,
  tone,
  canTake,
  taking,
  onTake,
  onDone,
  d,
  params,
}: {
  order: BookOrder;
  mine: boolean;
  fillWh?: bigint;
  tone: "supply" | "demand";
  canTake: boolean;
  taking: boolean;
  onTake: () => void;
  onDone: () => void;
  d: Deployment;
  params?: MarketParams;
}) {
  const bar = tone === "supply" ? "bg-amber-400" : "bg-sky-500";
  return (
    <>
      <tr className={`border-b border-slate-50 ${mine ? "bg-emerald-50/60" : ""}`} data-order-id={order.id.toString()}>
        <td className="num py-1.5 font-medium text-slate-900">
          <span className="inline-flex items-center gap-1.5">
            {fillWh !== undefined && (
              <span
                className={`h-1.5 w-1.5 rounded-full ${bar}`}
                title={`Would be filled: ${formatEnergy(fillWh)} at the previewed price`}
                aria-label="would clear"
              />
            )}
            {formatPricePerKWh(order.priceWeiPerKWh, false)}
          </span>
        </td>
        <td className="num py-1.5 text-slate-700">{formatKWh(order.energyWh)}</td>
        <td className="max-w-[12rem] truncate py-1.5 pl-3 text-slate-600" title={order.owner}>
          {mine ? <span className="font-medium text-emerald-700">you</span> : displayName(order.owner)}
          {order.channelPaid && <ChannelBadge />}
        </td>
        <td className="py-1.5 text-right">
          {canTake && (
            <button type="button" className="btn btn-secondary btn-small whitespace-nowrap" onClick={onTake} data-testid={`take-${order.id.toString()}`}>
              {taking ? "Close" : order.channelPaid ? "Take (pay via channel)" : "Take"}
            </button>
          )}
        </td>
      </tr>
      {taking && (
        <tr>
          <td colSpan={4} className="bg-slate-50 px-2 py-2">
            <TakeForm order={order} d={d} params={params} onDone={onDone} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Marks an offer whose takes are paid through payment channels instead of escrow. */
export function ChannelBadge() {
  return (
    <span
      className="badge ml-1.5 bg-violet-50 text-violet-800"
      title="Paid through payment channels: nothing is escrowed; the buyer pays the seller through the LAN hub as the energy is metered."
      data-testid="channel-badge"
    >
      channel
    </span>
  );
}

function TakeForm({ order, d, params, onDone }: { order: BookOrder; d: Deployment; params?: MarketParams; onDone: () => void }) {
  const { write, pending } = useWrite();
  const [text, setText] = useState(formatKWh(order.energyWh));
  const parsed = parseEnergyKWh(text);
  let error: string | null = parsed.ok ? null : parsed.error;
  if (parsed.ok) {
    const wh = parsed.value;
    if (wh === 0n) error = "Take more than 0 kWh.";
    else if (wh > BigInt(order.energyWh)) error = `Only ${formatEnergy(order.energyWh)} is left.`;
    else if (params && wh < BigInt(params.minOrderWh) && wh !== BigInt(order.energyWh))
      error = `Take at least ${formatEnergy(params.minOrderWh)}, or all that is left.`;
  }
  const costWei = parsed.ok ? bidLockWei(BigInt(order.priceWeiPerKWh), parsed.value) : 0n;
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        if (error || !parsed.ok || !d.market) return;
        const receipts = await write(
          { label: "Take offer", address: d.market, abi: energyMarketAbi, functionName: "take", args: [order.id, Number(parsed.value)] },
          {
            title: "Take offer",
            success: order.channelPaid
              ? `Bought ${formatEnergy(parsed.value)} at ${formatPricePerKWh(order.priceWeiPerKWh)}, paid through your channel as it is delivered (keep PowerLAN open then).`
              : `Bought ${formatEnergy(parsed.value)} at ${formatPricePerKWh(order.priceWeiPerKWh)} for ${formatPLC(costWei)}.`,
          },
        );
        if (receipts) onDone();
      }}
    >
      <label className="text-xs text-slate-600">
        Energy to buy (kWh)
        <input className="input mt-0.5 w-28 text-right" inputMode="decimal" value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      {order.channelPaid ? (
        <span className="pb-1.5 text-xs text-slate-600">
          Nothing locked now: up to <b className="num">{formatPLC(costWei)}</b> through your{" "}
          <Link href="/channels" className="font-medium text-emerald-700 hover:underline">
            channel
          </Link>
          , minute by minute as it is delivered
        </span>
      ) : (
        <span className="pb-1.5 text-xs text-slate-600">
          Pay now: <b className="num">{formatPLC(costWei)}</b> from your vault
        </span>
      )}
      <button type="submit" className="btn btn-primary btn-small" disabled={Boolean(error) || pending !== null} data-testid="take-submit">
        Buy now
      </button>
      <div className="w-full">
        <ErrorLine error={error} />
      </div>
    </form>
  );
}
