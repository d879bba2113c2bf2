"use client";

/**
 * "Delivery streams": my takes of channel-paid offers and how far their pay-as-delivered stream is
 * (useDeliveryStreams runs it while the page is open): interval, seller, energy, price, streamed
 * so far against what the metered delivery is worth, and the status.
 */
import Link from "next/link";
import type { Address } from "viem";
import { displayName } from "@/lib/app/names";
import type { StreamStatus, TakeStream } from "@/lib/channels/deliveryStream";
import { formatEnergy, formatKWh, formatPLC, formatPricePerKWh } from "@/lib/format";
import { Card, Empty, Notice, SkeletonRows } from "../ui";
import type { DeliveryStreamsState } from "./useDeliveryStreams";
import type { HouseholdHubState } from "./useHouseholdHub";

/** Most takes listed (newest first); older ones keep streaming if anything is still owed. */
const SHOWN = 12;

const STATUS_STYLE: Record<StreamStatus, string> = {
  "waiting for delivery": "bg-slate-100 text-slate-600",
  streaming: "bg-sky-50 text-sky-800",
  paid: "bg-emerald-100 text-emerald-900",
  "not metered": "bg-amber-50 text-amber-800",
};

const STATUS_HINT: Record<StreamStatus, string> = {
  "waiting for delivery": "Delivery has not started: the first payment follows its first metered minute.",
  streaming: "Paid once per metered minute through your channel with the hub.",
  paid: "Delivery is over and every metered Wh is paid for.",
  "not metered": "No meter readings are available for this seller here, so nothing is paid.",
};

export function DeliveryStreamsCard({ me, hubState, streams }: { me?: Address; hubState: HouseholdHubState; streams: DeliveryStreamsState }) {
  if (!me) return null;
  const list = (streams.streams ?? []).slice().reverse().slice(0, SHOWN);
  const active = (streams.streams ?? []).filter((s) => s.status === "streaming").length;
  return (
    <Card
      title="Delivery streams"
      subtitle="Energy you bought through channels: paid to the seller once per metered minute while it is delivered."
      testId="delivery-streams"
      actions={
        streams.running && active > 0 ? (
          <span className="badge bg-sky-50 text-sky-800" data-testid="streams-active">
            {active} streaming
          </span>
        ) : undefined
      }
    >
      {!hubState.current && !hubState.loading && (
        <div className="mb-3">
          <Notice tone="warn">Open a channel with the hub first: delivery streams pay from it.</Notice>
        </div>
      )}
      {streams.error && (
        <div className="mb-3">
          <Notice tone="error">Streaming paused: {streams.error}</Notice>
        </div>
      )}
      {streams.loading || (hubState.loading && !streams.streams) ? (
        <SkeletonRows rows={3} />
      ) : list.length === 0 ? (
        <Empty>
          No channel-paid purchases yet. On the{" "}
          <Link href="/" className="font-medium text-emerald-700 hover:underline">
            trading page
          </Link>
          , take an offer marked <span className="badge bg-violet-50 text-violet-800">channel</span>: you pay as the energy is delivered, nothing is escrowed.
          <span className="mt-1 block" data-testid="streams-seller-hint">
            Energy you sell through channels is paid to you by the buyer&apos;s stream: those payments appear under Latest payments.
          </span>
        </Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[36rem] text-sm" data-testid="streams-table">
            <thead>
              <tr className="table-head border-b border-slate-100">
                <th className="py-1 text-left font-medium">Interval</th>
                <th className="py-1 text-left font-medium">Seller</th>
                <th className="py-1 text-right font-medium">Energy (kWh)</th>
                <th className="py-1 text-right font-medium">Price (PLC/kWh)</th>
                <th className="py-1 text-right font-medium">Streamed / owed</th>
                <th className="py-1 pl-3 text-left font-medium">Status</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <StreamRow key={s.take.takeId.toString()} s={s} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="mt-2 text-xs text-slate-500">
        Keep this page or the trading page open during delivery: it pays each minute&apos;s metered energy (and catches up after the interval if it was
        closed). The seller must have PowerLAN open to receive.
      </p>
    </Card>
  );
}

function StreamRow({ s }: { s: TakeStream }) {
  const streamed = s.paidWei + s.pendingWei;
  const minutes = s.intervalSeconds ? `${Math.floor(s.secondsInto / 60)} of ${Math.round(s.intervalSeconds / 60)} min metered` : "";
  return (
    <tr className="border-b border-slate-50 align-top" data-testid={`stream-${s.take.takeId.toString()}`}>
      <td className="py-1.5 text-slate-700">#{s.take.interval.toString()}</td>
      <td className="max-w-[9rem] truncate py-1.5 text-slate-700" title={s.take.seller}>
        {displayName(s.take.seller)}
      </td>
      <td className="num py-1.5">
        {formatKWh(s.take.energyWh)}
        {s.deliveredWh !== null && (
          <span className="block text-xs text-slate-400" title="Delivered so far, by the seller's meter">
            {formatEnergy(s.deliveredWh)} delivered
          </span>
        )}
      </td>
      <td className="num py-1.5">{formatPricePerKWh(s.take.priceWeiPerKWh, false)}</td>
      <td className="num py-1.5" data-testid="stream-amounts">
        <span className="font-medium text-slate-900">{formatPLC(streamed)}</span>
        <span className="text-slate-400"> / {formatPLC(s.owedWei)}</span>
        <span className="block text-xs text-slate-400">
          {s.pendingWei > 0n ? `${formatPLC(s.pendingWei)} on its way · ` : ""}worth {formatPLC(s.worthWei)} in full
        </span>
      </td>
      <td className="py-1.5 pl-3">
        <span className={`badge ${STATUS_STYLE[s.status]}`} title={STATUS_HINT[s.status]} data-testid="stream-status">
          {s.status}
        </span>
        {s.status === "streaming" && minutes && <span className="block text-xs text-slate-400">{minutes}</span>}
        {s.error && s.status !== "paid" && (
          <span className="block max-w-[14rem] text-xs text-rose-700" title={s.error}>
            {s.error}
          </span>
        )}
      </td>
    </tr>
  );
}
