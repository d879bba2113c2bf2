"use client";

/**
 * Latest payments: the hub payments this household sent or received (from the hub), and the latest
 * off-chain states of its channel as this browser holds them (LocalStorageChannelStore history).
 */
import type { Address } from "viem";
import { displayName } from "@/lib/app/names";
import type { UpdateKind } from "@/lib/channels/client";
import { formatPLC } from "@/lib/format";
import { Card, Empty } from "../ui";
import { PAYMENT_STATUS_STYLE, PAYMENT_STATUS_WORDS } from "./PayCard";
import type { HouseholdHubState } from "./useHouseholdHub";

const KIND_WORDS: Record<UpdateKind, { out: string; in: string }> = {
  pay: { out: "you paid", in: "you were paid" },
  lock: { out: "you locked a hub payment", in: "the hub locked a payment for you" },
  resolve: { out: "you paid your locked payment", in: "the hub paid its locked payment" },
  expire: { out: "your expired lock returned", in: "an expired lock returned to the hub" },
};

function time(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function PaymentsCard({ me, state }: { me?: Address; state: HouseholdHubState }) {
  if (!me || !state.hub) return null;
  const history = state.channels
    .flatMap((c) => c.record.history.map((h) => ({ ...h, channelId: c.record.channelId })))
    .sort((a, b) => b.at - a.at)
    .slice(0, 12);
  return (
    <Card title="Latest payments" subtitle="Hub payments you sent or received, and the channel states your browser holds." testId="payments-card">
      {state.payments.length === 0 ? (
        <Empty>No payments through the hub yet.</Empty>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="payments-list">
          {state.payments.map((p) => {
            const outgoing = p.payer.toLowerCase() === me.toLowerCase();
            const amount = outgoing ? BigInt(p.amountWei) : BigInt(p.forwardWei);
            return (
              <li key={p.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5" data-testid={`payment-${p.id}`}>
                <span>
                  {outgoing ? <>To {displayName(p.payee)}</> : <>From {displayName(p.payer)}</>}{" "}
                  <span className="ml-1 text-xs text-slate-400">{time(p.createdAt)}</span>
                </span>
                <span className="flex items-center gap-2">
                  <span className={`num font-medium ${outgoing ? "text-slate-900" : "text-emerald-700"}`}>
                    {outgoing ? "−" : "+"}
                    {formatPLC(amount)}
                  </span>
                  {!outgoing && (p.status === "payee-paid" || p.status === "completed") ? (
                    // The payee holds the money once it is paid; the hub and the payer settle afterwards.
                    <span className={`badge ${PAYMENT_STATUS_STYLE.completed}`}>received</span>
                  ) : (
                    <span className={`badge ${PAYMENT_STATUS_STYLE[p.status]}`}>{PAYMENT_STATUS_WORDS[p.status]}</span>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <p className="mt-4 mb-1 text-xs font-semibold tracking-wide text-slate-400 uppercase">Channel states in this browser</p>
      {history.length === 0 ? (
        <Empty>No off-chain state yet: the channel is at its opening deposits.</Empty>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="channel-history">
          {history.map((h) => (
            <li key={`${h.channelId}-${h.nonce}-${h.direction}`} className="flex items-center justify-between gap-2 py-1">
              <span>
                <span className="text-slate-400">
                  #{h.channelId} · state {h.nonce}
                </span>{" "}
                {KIND_WORDS[h.kind][h.direction]}
              </span>
              <span className="num text-slate-700">
                {BigInt(h.amountWei) > 0n ? `${h.direction === "out" ? "−" : "+"}${formatPLC(BigInt(h.amountWei))}` : "—"}
                <span className="ml-2 text-xs text-slate-400">{time(h.at)}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="mt-2 text-xs text-slate-400">Signed by {displayName(me)} and the hub; kept in this browser (localStorage) and by the hub.</p>
    </Card>
  );
}
