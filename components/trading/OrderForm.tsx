"use client";

/**
 * Post an offer (sell) or a bid (buy) for the selected interval, validated against the interval's
 * regulator parameters (floor, cap, minimum size) before anything is sent. An offer may be for one
 * buyer only (bilateral: placeAddressedOffer), and such an offer may be paid through payment
 * channels instead of escrow (placeChannelOffer: the buyer streams the money through the LAN hub
 * as the energy is metered).
 */
import { useState } from "react";
import type { Address } from "viem";
import { energyMarketAbi } from "@/lib/contracts";
import { DEV_ACCOUNTS } from "@/lib/devnet/accounts";
import { validateOrder, type OrderDraft } from "@/lib/app/validateOrder";
import { bidLockWei, formatEnergy, formatPLC, formatPricePerKWh } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import type { Balances, MarketParams, Trader } from "@/lib/hooks/useMarket";
import { useWrite } from "@/lib/hooks/useWrite";
import { ErrorLine, Notice } from "../ui";

export function OrderForm({
  d,
  interval,
  params,
  gated,
  me,
  trader,
  balances,
  paused,
}: {
  d: Deployment;
  interval?: bigint;
  params?: MarketParams;
  gated: boolean;
  me?: Address;
  trader?: Trader;
  balances?: Balances;
  paused?: boolean;
}) {
  const { write, pending } = useWrite();
  const [draft, setDraft] = useState<OrderDraft>({ side: "offer", price: "0.20", energy: "0.15", buyer: "", channel: false });
  const [touched, setTouched] = useState(false);
  const v = validateOrder(draft, params);
  const lockWei = draft.side === "bid" ? bidLockWei(v.priceWeiPerKWh, v.energyWh) : 0n;
  const short = draft.side === "bid" && balances !== undefined && lockWei > balances.freeWei;
  const set = (patch: Partial<OrderDraft>) => setDraft((x) => ({ ...x, ...patch }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!v.ok || interval === undefined || !d.market) return;
    const price = Number(v.priceWeiPerKWh);
    const energy = Number(v.energyWh);
    const buyer = draft.buyer.trim();
    const channel = draft.side === "offer" && Boolean(buyer) && Boolean(draft.channel);
    const what = `${draft.side === "offer" ? (channel ? "Channel-paid offer" : "Offer") : "Bid"} of ${formatEnergy(v.energyWh)} at ${formatPricePerKWh(v.priceWeiPerKWh)}`;
    const step =
      draft.side === "bid"
        ? ({ label: "Post bid", functionName: "placeBid", args: [interval, price, energy] } as const)
        : channel
          ? ({ label: "Post offer", functionName: "placeChannelOffer", args: [interval, price, energy, buyer as Address] } as const)
          : buyer
            ? ({ label: "Post offer", functionName: "placeAddressedOffer", args: [interval, price, energy, buyer as Address] } as const)
            : ({ label: "Post offer", functionName: "placeOffer", args: [interval, price, energy] } as const);
    const done = await write(
      { ...step, address: d.market, abi: energyMarketAbi, args: [...step.args] },
      { title: step.label, success: `${what} posted for interval ${interval.toString()}.` },
    );
    if (done) setTouched(false);
  }

  const sellerHint =
    trader && me
      ? trader.status !== 2
        ? "not-participant"
        : draft.side === "offer" && !trader.canSell
          ? "cannot-sell"
          : null
      : null;

  return (
    <form onSubmit={submit} noValidate data-testid="order-form">
      <div className="mb-3 grid grid-cols-2 gap-1 rounded-lg bg-slate-100 p-1" role="radiogroup" aria-label="Side">
        {(
          [
            ["offer", "Sell (offer)"],
            ["bid", "Buy (bid)"],
          ] as const
        ).map(([side, label]) => (
          <button
            key={side}
            type="button"
            role="radio"
            aria-checked={draft.side === side}
            data-testid={`side-${side}`}
            onClick={() => set({ side })}
            className={`rounded-md px-3 py-1.5 text-sm font-medium ${
              draft.side === side ? (side === "offer" ? "bg-amber-500 text-white shadow-sm" : "bg-sky-600 text-white shadow-sm") : "text-slate-600"
            }`}
          >
            {label}
          </button>
        ))}
      </div>

      <div className="grid grid-cols-2 gap-3">
        <label className="block">
          <span className="label">{draft.side === "offer" ? "Minimum price" : "Maximum price"} (PLC/kWh)</span>
          <input
            className="input text-right"
            inputMode="decimal"
            name="price"
            data-testid="order-price"
            value={draft.price}
            onChange={(e) => set({ price: e.target.value })}
            onBlur={() => setTouched(true)}
            aria-invalid={touched && Boolean(v.errors.price)}
          />
          {touched && <ErrorLine error={v.errors.price} />}
        </label>
        <label className="block">
          <span className="label">Energy (kWh)</span>
          <input
            className="input text-right"
            inputMode="decimal"
            name="energy"
            data-testid="order-energy"
            value={draft.energy}
            onChange={(e) => set({ energy: e.target.value })}
            onBlur={() => setTouched(true)}
            aria-invalid={touched && Boolean(v.errors.energy)}
          />
          {touched && <ErrorLine error={v.errors.energy} />}
        </label>
      </div>

      {params && (
        <p className="mt-2 text-xs text-slate-500">
          Allowed: {formatPricePerKWh(params.priceFloorWeiPerKWh)} to {formatPricePerKWh(params.priceCapWeiPerKWh)}, at least{" "}
          {formatEnergy(params.minOrderWh)}.
        </p>
      )}

      {draft.side === "offer" && (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer text-xs text-slate-600">Only for one buyer (bilateral, optional)</summary>
          <input
            className="input mt-1 font-mono text-xs"
            placeholder="0x… buyer address (empty: everyone, in the auction)"
            data-testid="order-buyer"
            list="powerlan-buyers"
            value={draft.buyer}
            onChange={(e) => set({ buyer: e.target.value })}
          />
          <datalist id="powerlan-buyers">
            {d.isDevnet &&
              DEV_ACCOUNTS.filter((a) => a.trader).map((a) => (
                <option key={a.address} value={a.address}>
                  {a.name}
                </option>
              ))}
          </datalist>
          {touched && <ErrorLine error={v.errors.buyer} />}
          <label className="mt-2 flex items-start gap-2 text-sm text-slate-700">
            <input
              type="checkbox"
              className="mt-0.5"
              data-testid="order-channel"
              checked={Boolean(draft.channel)}
              onChange={(e) => set({ channel: e.target.checked })}
            />
            <span>
              Paid through channels (no escrow)
              <span className="block text-xs text-slate-500">
                The buyer pays you through the LAN hub as your meter delivers, once a minute; nothing is locked. You need a channel with the hub and PowerLAN
                open during delivery to receive.
              </span>
            </span>
          </label>
        </details>
      )}

      <div className="mt-3 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700">
        {draft.side === "bid" ? (
          <>
            Locks up to <b className="num">{formatPLC(lockWei)}</b> of your vault balance until settlement; you pay the clearing price, at
            most your limit.
          </>
        ) : draft.channel && draft.buyer.trim() ? (
          <>
            The buyer pays you your price through your channel with the hub, minute by minute for the energy your meter delivers. The grid fee on it is
            charged to your vault at settlement.
          </>
        ) : draft.buyer.trim() ? (
          <>The buyer pays your price for the energy your meter delivers, from escrow at settlement.</>
        ) : (
          <>You are paid the clearing price, at least your minimum, for the energy that clears.</>
        )}
      </div>

      {short && balances && (
        <p className="mt-2 text-xs text-amber-700">
          This bid needs {formatPLC(lockWei)} but you have {formatPLC(balances.freeWei)} free in the vault. Deposit first.
        </p>
      )}
      {sellerHint === "not-participant" && (
        <Notice tone="warn">This account is not an approved participant of the LAN, so the market will refuse its orders.</Notice>
      )}
      {sellerHint === "cannot-sell" && <Notice tone="warn">This account is a consumer: consumers may only buy.</Notice>}
      {paused && <p className="mt-2 text-xs text-rose-700">Trading is paused by the regulator: new orders are refused.</p>}

      <button
        type="submit"
        data-testid="order-submit"
        className={`btn mt-3 w-full ${draft.side === "offer" ? "bg-amber-500 text-white hover:bg-amber-600" : "bg-sky-600 text-white hover:bg-sky-700"}`}
        disabled={pending !== null || interval === undefined || gated}
      >
        {pending === "Post offer" || pending === "Post bid"
          ? "Posting…"
          : `${draft.side === "offer" ? "Post offer" : "Post bid"}${interval !== undefined ? ` for #${interval.toString()}` : ""}`}
      </button>
    </form>
  );
}
