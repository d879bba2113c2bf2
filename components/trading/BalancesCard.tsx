"use client";

/** Who I am in the LAN, my PLC in the wallet and in the market's vault, deposit/withdraw, devnet faucet. */
import { useState } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { readContract } from "wagmi/actions";
import { energyMarketAbi, paymentTokenAbi } from "@/lib/contracts";
import { devAccount } from "@/lib/app/names";
import { formatClock, formatPLC, parsePLC } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import { ROLE_NAMES, STATUS_NAMES, type Balances, type Trader } from "@/lib/hooks/useMarket";
import { useWrite } from "@/lib/hooks/useWrite";
import { Card, ErrorLine, Notice, SkeletonRows, Stat } from "../ui";

export function BalancesCard({
  d,
  me,
  balances,
  trader,
  loading,
  now,
}: {
  d: Deployment;
  me?: Address;
  balances?: Balances;
  trader?: Trader;
  loading: boolean;
  now: number;
}) {
  const { write, pending } = useWrite();
  const config = useConfig();
  const [mode, setMode] = useState<"deposit" | "withdraw">("deposit");
  const [amount, setAmount] = useState("100");
  const [touched, setTouched] = useState(false);
  const dev = devAccount(me);

  if (!me) {
    return (
      <Card title="Your account">
        <Notice>Connect a wallet (top right) to see your balances and trade. On the devnet, pick a household — no extension needed.</Notice>
      </Card>
    );
  }

  const parsed = parsePLC(amount);
  let error: string | null = parsed.ok ? null : parsed.error;
  if (parsed.ok && parsed.value === 0n) error = "Enter more than 0 PLC.";
  else if (parsed.ok && balances) {
    if (mode === "deposit" && parsed.value > balances.walletWei) error = `Your wallet holds only ${formatPLC(balances.walletWei)}.`;
    if (mode === "withdraw" && parsed.value > balances.freeWei) error = `Only ${formatPLC(balances.freeWei)} is free to withdraw.`;
  }

  async function move(e: React.FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (error || !parsed.ok || !d.market || !d.token || !me) return;
    const value = parsed.value;
    const market = d.market;
    const token = d.token;
    if (mode === "deposit") {
      const done = await write(
        [
          {
            label: "Approve PLC for the market",
            address: token,
            abi: paymentTokenAbi,
            functionName: "approve",
            args: [market, value],
            // Skip the approval when the allowance already covers the deposit.
            skipIf: async () =>
              (await readContract(config, {
                address: token,
                abi: paymentTokenAbi,
                functionName: "allowance",
                args: [me, market],
                chainId: d.chainId,
              })) >= value,
          },
          { label: "Deposit", address: market, abi: energyMarketAbi, functionName: "deposit", args: [value] },
        ],
        { title: "Deposit", success: `${formatPLC(value)} moved into the market vault.` },
      );
      if (done) setTouched(false);
    } else {
      const done = await write(
        { label: "Withdraw", address: market, abi: energyMarketAbi, functionName: "withdraw", args: [value] },
        { title: "Withdraw", success: `${formatPLC(value)} paid out to your wallet.` },
      );
      if (done) setTouched(false);
    }
  }

  const faucetWait = balances && balances.faucetReadyAt > BigInt(now);

  return (
    <Card
      title="Your account"
      testId="balances-card"
      actions={
        trader && (
          <span
            className={`badge ${trader.status === 2 ? "bg-emerald-100 text-emerald-800" : trader.status === 3 ? "bg-rose-100 text-rose-800" : "bg-slate-100 text-slate-700"}`}
            data-testid="participant-status"
          >
            {trader.role !== 0 ? `${ROLE_NAMES[trader.role]?.toLowerCase()} · ` : ""}
            {STATUS_NAMES[trader.status]?.toLowerCase()}
          </span>
        )
      }
    >
      {dev && <p className="-mt-1 mb-2 text-xs text-slate-500">{dev.label}</p>}
      {trader?.flagged && <Notice tone="warn">The regulator has flagged this account.</Notice>}
      {loading || !balances ? (
        <SkeletonRows rows={3} />
      ) : (
        <div className="divide-y divide-slate-100">
          <Stat label="Wallet" value={formatPLC(balances.walletWei)} testId="balance-wallet" />
          <Stat label="Vault — free" value={formatPLC(balances.freeWei)} hint="spendable on bids and takes; withdraw any time" testId="balance-free" />
          <Stat label="Vault — locked in bids" value={formatPLC(balances.lockedWei)} hint="returned or paid at settlement" testId="balance-locked" />
        </div>
      )}

      <form onSubmit={move} className="mt-3" noValidate>
        <div className="mb-2 flex gap-1 text-sm">
          {(["deposit", "withdraw"] as const).map((m) => (
            <button
              key={m}
              type="button"
              onClick={() => setMode(m)}
              className={`rounded-md px-2.5 py-1 font-medium ${mode === m ? "bg-slate-800 text-white" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {m === "deposit" ? "Deposit" : "Withdraw"}
            </button>
          ))}
        </div>
        <div className="flex gap-2">
          <label className="relative flex-1">
            <span className="sr-only">Amount in PLC</span>
            <input
              className="input pr-12 text-right"
              inputMode="decimal"
              value={amount}
              data-testid="vault-amount"
              onChange={(e) => setAmount(e.target.value)}
              onBlur={() => setTouched(true)}
            />
            <span className="pointer-events-none absolute top-1.5 right-3 text-sm text-slate-400">PLC</span>
          </label>
          <button type="submit" className="btn btn-secondary" disabled={pending !== null} data-testid="vault-submit">
            {mode === "deposit" ? "Deposit" : "Withdraw"}
          </button>
        </div>
        {touched && <ErrorLine error={error} />}
        <p className="mt-1 text-xs text-slate-500">
          {mode === "deposit"
            ? "Moves PLC from your wallet into the market's vault (approve + deposit). Bids and takes pay from the vault."
            : "Pays free vault PLC back to your wallet. Works even while trading is paused."}
        </p>
      </form>

      {d.isDevnet && balances?.faucetEnabled && (
        <div className="mt-3 flex items-center justify-between gap-2 border-t border-slate-100 pt-3">
          <p className="text-xs text-slate-500">
            Devnet faucet: 1,000 test PLC once an hour.
            {faucetWait && balances && <> Next at {formatClock(balances.faucetReadyAt)}.</>}
          </p>
          <button
            type="button"
            className="btn btn-secondary btn-small"
            disabled={pending !== null || Boolean(faucetWait)}
            data-testid="faucet"
            onClick={() =>
              d.token &&
              write(
                { label: "Faucet", address: d.token, abi: paymentTokenAbi, functionName: "faucet", args: [] },
                { title: "Faucet", success: "1,000.00 PLC added to your wallet." },
              )
            }
          >
            Get test PLC
          </button>
        </div>
      )}
    </Card>
  );
}
