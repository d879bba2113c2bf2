"use client";

/**
 * Connect a wallet: any injected wallet found by EIP-6963 discovery (MetaMask …), and on the local
 * devnet a picker of the seeded dev accounts (Hardhat's public accounts — no extension needed).
 */
import { useEffect, useRef, useState } from "react";
import type { Address } from "viem";
import { useConnect, useConnectors, useDisconnect, type Connector } from "wagmi";
import { useToasts } from "./Toasts";
import { DEV_ACCOUNTS, type DevAccount } from "@/lib/devnet/accounts";
import { DEV_ACCOUNTS_CONNECTOR_ID } from "@/lib/app/devAccountsConnector";
import { KIND_LABEL, devAccount } from "@/lib/app/names";
import { explainError } from "@/lib/errors";
import { shortAddress } from "@/lib/format";
import { useDeployment, useWallet } from "@/lib/hooks/useDeployment";

type DevConnector = Connector & { selectAccount?: (a: Address) => Promise<void> };

/** Order of the picker: traders first, then the roles a newcomer may want to try. */
const GROUPS: { title: string; kinds: DevAccount["kind"][] }[] = [
  { title: "Households & aggregator", kinds: ["prosumer", "consumer", "aggregator"] },
  { title: "Regulator & grid", kinds: ["regulator", "dso"] },
  { title: "Not registered", kinds: ["newcomer"] },
  { title: "Validators & admin", kinds: ["validator", "admin"] },
];

export const KIND_BADGE: Record<DevAccount["kind"], string> = {
  prosumer: "bg-amber-100 text-amber-800",
  consumer: "bg-sky-100 text-sky-800",
  aggregator: "bg-violet-100 text-violet-800",
  regulator: "bg-emerald-100 text-emerald-800",
  dso: "bg-slate-200 text-slate-700",
  validator: "bg-slate-100 text-slate-600",
  admin: "bg-slate-100 text-slate-600",
  newcomer: "bg-rose-50 text-rose-700",
};

export function ConnectButton() {
  const d = useDeployment();
  const wallet = useWallet();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const toasts = useToasts();
  const [open, setOpen] = useState(false);
  const [mounted, setMounted] = useState(false);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => setMounted(true), []);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (panel.current && !panel.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const devConnector = connectors.find((c) => c.id === DEV_ACCOUNTS_CONNECTOR_ID) as DevConnector | undefined;
  // EIP-6963 wallets announce themselves by name; the generic "Injected" entry only when none did.
  const discovered = connectors.filter((c) => c.type === "injected" && c.id !== "injected");
  const hasWindowEthereum = mounted && typeof window !== "undefined" && "ethereum" in window;
  const browserWallets = discovered.length > 0 ? discovered : connectors.filter((c) => c.id === "injected" && hasWindowEthereum);

  const fail = (error: unknown) => {
    const e = explainError(error);
    toasts.show({ kind: "error", title: e.kind === "rejected" ? "Connection rejected" : e.title, message: e.message });
  };

  async function pickDevAccount(account: DevAccount) {
    setOpen(false);
    if (!devConnector) return;
    try {
      if (wallet.connected && wallet.connector?.id === DEV_ACCOUNTS_CONNECTOR_ID) {
        await devConnector.selectAccount?.(account.address);
        return;
      }
      if (wallet.connected) await disconnect.mutateAsync({});
      await connect.mutateAsync({ connector: devConnector, account: account.address } as never);
    } catch (error) {
      fail(error);
    }
  }

  async function pickBrowserWallet(connector: Connector) {
    setOpen(false);
    try {
      if (wallet.connected) await disconnect.mutateAsync({});
      // Connect on whatever chain the wallet is on: if it is not PowerLAN's, the banner offers to switch.
      await connect.mutateAsync({ connector });
    } catch (error) {
      fail(error);
    }
  }

  const me = devAccount(wallet.address);
  const label = !mounted
    ? "Connect"
    : wallet.connected && wallet.address
      ? (me?.name ?? shortAddress(wallet.address))
      : wallet.status === "connecting" || wallet.status === "reconnecting"
        ? "Connecting…"
        : "Connect";

  return (
    <div className="relative" ref={panel}>
      <button
        type="button"
        className={wallet.connected ? "btn btn-secondary" : "btn btn-primary"}
        aria-haspopup="dialog"
        aria-expanded={open}
        data-testid="connect-button"
        onClick={() => setOpen((o) => !o)}
      >
        {wallet.connected && <span className={`h-2 w-2 rounded-full ${wallet.wrongChain ? "bg-amber-500" : "bg-emerald-500"}`} />}
        {label}
        {wallet.connected && me && <span className={`badge ${KIND_BADGE[me.kind]}`}>{KIND_LABEL[me.kind]}</span>}
      </button>
      {open && (
        <div
          role="dialog"
          aria-label="Choose a wallet"
          className="absolute right-0 z-50 mt-2 max-h-[80vh] w-[22rem] overflow-y-auto rounded-xl border border-slate-200 bg-white p-3 shadow-xl"
        >
          {wallet.connected && wallet.address && (
            <div className="mb-3 rounded-lg bg-slate-50 p-2.5 text-sm">
              <div className="flex items-center justify-between gap-2">
                <div className="min-w-0">
                  <p className="font-medium text-slate-900">{me?.name ?? "Connected"}</p>
                  <p className="truncate font-mono text-xs text-slate-500" title={wallet.address}>
                    {wallet.address}
                  </p>
                  <p className="text-xs text-slate-500">via {wallet.connector?.name}</p>
                </div>
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  onClick={() => {
                    setOpen(false);
                    disconnect.mutate({});
                  }}
                >
                  Disconnect
                </button>
              </div>
            </div>
          )}

          <p className="card-title mb-1.5">Browser wallet</p>
          {browserWallets.length === 0 ? (
            <p className="mb-3 text-sm text-slate-500">
              No browser wallet found. Install one such as MetaMask{d.isDevnet ? ", or use a devnet account below" : ""}.
            </p>
          ) : (
            <ul className="mb-3 space-y-1">
              {browserWallets.map((c) => (
                <li key={c.uid}>
                  <button
                    type="button"
                    className="flex w-full items-center gap-2 rounded-lg px-2 py-1.5 text-left text-sm hover:bg-slate-100"
                    onClick={() => pickBrowserWallet(c)}
                  >
                    {c.icon ? (
                      // A wallet's icon is a data: URI announced via EIP-6963; next/image adds nothing here.
                      <img src={c.icon} alt="" className="h-5 w-5" />
                    ) : (
                      <span className="h-5 w-5 rounded bg-slate-200" />
                    )}
                    <span className="font-medium text-slate-800">{c.id === "injected" ? "Browser wallet" : c.name}</span>
                    {wallet.connector?.uid === c.uid && <span className="ml-auto text-xs text-emerald-700">connected</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}

          {d.isDevnet && devConnector && (
            <>
              <p className="card-title mb-0.5">Devnet accounts</p>
              <p className="mb-2 text-xs text-slate-500">
                Hardhat&apos;s public test accounts, unlocked on the local node: no extension needed. Never use them on a real network.
              </p>
              {GROUPS.map((group) => (
                <div key={group.title} className="mb-2">
                  <p className="mb-0.5 text-xs font-medium text-slate-400">{group.title}</p>
                  <ul>
                    {DEV_ACCOUNTS.filter((a) => group.kinds.includes(a.kind)).map((a) => {
                      const active = wallet.address?.toLowerCase() === a.address.toLowerCase();
                      return (
                        <li key={a.address}>
                          <button
                            type="button"
                            data-testid={`dev-account-${a.index}`}
                            className={`flex w-full items-center gap-2 rounded-lg px-2 py-1 text-left text-sm hover:bg-slate-100 ${active ? "bg-emerald-50" : ""}`}
                            title={a.label}
                            onClick={() => pickDevAccount(a)}
                          >
                            <span className="font-medium text-slate-800">{a.name}</span>
                            <span className={`badge ${KIND_BADGE[a.kind]}`}>{KIND_LABEL[a.kind]}</span>
                            <span className="ml-auto font-mono text-xs text-slate-400">{shortAddress(a.address)}</span>
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                </div>
              ))}
            </>
          )}
        </div>
      )}
    </div>
  );
}
