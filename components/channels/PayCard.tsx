"use client";

/** Pay another household through the hub (hash time-locks), and follow the payment's progress. */
import { useState } from "react";
import { isAddress, type Address } from "viem";
import { useToasts } from "@/components/Toasts";
import { displayName } from "@/lib/app/names";
import { DEVNET_CAST } from "@/lib/devnet/accounts";
import type { HubPaymentView, PaymentStatus } from "@/lib/channels/hubProtocol";
import { formatPLC, parsePLC } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import { Card, ErrorLine, Notice } from "../ui";
import { explainChannelError } from "./channelErrors";
import type { HouseholdHubState } from "./useHouseholdHub";

export const PAYMENT_STATUS_WORDS: Record<PaymentStatus, string> = {
  requested: "waiting for the payee",
  invoiced: "locking your payment",
  "payer-locked": "hub forwarding",
  "payee-locked": "paying the payee",
  "payee-paid": "payee paid, settling with the hub",
  completed: "completed",
  failed: "failed",
};

export const PAYMENT_STATUS_STYLE: Record<PaymentStatus, string> = {
  requested: "bg-amber-50 text-amber-800",
  invoiced: "bg-amber-50 text-amber-800",
  "payer-locked": "bg-sky-50 text-sky-800",
  "payee-locked": "bg-sky-50 text-sky-800",
  "payee-paid": "bg-sky-50 text-sky-800",
  completed: "bg-emerald-100 text-emerald-900",
  failed: "bg-rose-100 text-rose-800",
};

export function PayCard({ d, me, state }: { d: Deployment; me?: Address; state: HouseholdHubState }) {
  const toasts = useToasts();
  const households = d.isDevnet ? DEVNET_CAST.households.filter((h) => h.address.toLowerCase() !== me?.toLowerCase()) : [];
  const [to, setTo] = useState<string>(households[0]?.address ?? "");
  const [amount, setAmount] = useState("1");
  const [touched, setTouched] = useState(false);
  const [sending, setSending] = useState(false);
  const [paymentId, setPaymentId] = useState<string | null>(null);
  const { hub, current } = state;
  if (!me || !hub || !current) return null;

  const parsed = parsePLC(amount);
  let error: string | null = parsed.ok ? null : parsed.error;
  if (parsed.ok && parsed.value === 0n) error = "Enter more than 0 PLC.";
  else if (parsed.ok && parsed.value > current.balances.spendableWei) error = `You can pay at most ${formatPLC(current.balances.spendableWei)} through your channel.`;
  const toError = isAddress(to) ? null : "Choose a household or enter an address (0x…).";
  const payment: HubPaymentView | undefined = paymentId ? state.payments.find((p) => p.id === paymentId) : undefined;
  const inFlight = payment !== undefined && payment.status !== "completed" && payment.status !== "failed";

  async function pay(e: React.FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (error || toError || !parsed.ok) return;
    setSending(true);
    try {
      const view = await hub!.pay(to as Address, parsed.value);
      setPaymentId(view.id);
      setTouched(false);
    } catch (err) {
      const words = explainChannelError(err, { account: me, nameOf: (a) => displayName(a), payee: to as Address });
      toasts.show({ kind: "error", title: words.title, message: words.message });
    } finally {
      setSending(false);
    }
  }

  return (
    <Card
      title="Pay a household through the hub"
      subtitle="Off-chain and instant: a hash-locked payment your channel → hub → their channel. The hub is paid only once the payee holds the money."
      testId="pay-card"
    >
      <form onSubmit={pay} noValidate className="grid gap-2 sm:grid-cols-[1fr_10rem_auto] sm:items-start">
        <div>
          <label className="label" htmlFor="pay-to">
            To
          </label>
          {households.length > 0 ? (
            <select id="pay-to" className="input" value={to} onChange={(e) => setTo(e.target.value)} data-testid="pay-to">
              {households.map((h) => (
                <option key={h.address} value={h.address}>
                  {h.label}
                </option>
              ))}
            </select>
          ) : (
            <input id="pay-to" className="input" placeholder="0x…" value={to} onChange={(e) => setTo(e.target.value.trim())} data-testid="pay-to" />
          )}
          {touched && <ErrorLine error={toError} />}
        </div>
        <div>
          <label className="label" htmlFor="pay-amount">
            Amount
          </label>
          <div className="relative">
            <input id="pay-amount" className="input pr-12 text-right" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="pay-amount" />
            <span className="pointer-events-none absolute top-1.5 right-3 text-sm text-slate-400">PLC</span>
          </div>
          {touched && <ErrorLine error={error} />}
        </div>
        <div className="sm:pt-5">
          <button type="submit" className="btn btn-primary w-full" disabled={sending || inFlight} data-testid="pay-submit">
            {sending ? "Sending…" : "Pay"}
          </button>
        </div>
      </form>
      {payment && (
        <div className="mt-3" data-testid="pay-status">
          <Notice tone={payment.status === "completed" ? "ok" : payment.status === "failed" ? "error" : "info"}>
            {formatPLC(BigInt(payment.amountWei))} to {displayName(payment.payee)}: <strong>{PAYMENT_STATUS_WORDS[payment.status]}</strong>
            {payment.status === "failed" && payment.error ? ` — ${payment.error}` : ""}
            {payment.status === "requested" && ` (${displayName(payment.payee)} must have PowerLAN open to receive)`}
          </Notice>
        </div>
      )}
    </Card>
  );
}
