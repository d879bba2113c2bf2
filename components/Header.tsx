"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useBlockNumber, useChains } from "wagmi";
import { ConnectButton } from "./ConnectButton";
import { NetworkBanner } from "./NetworkBanner";

const NAV = [
  { href: "/", label: "Trade" },
  { href: "/history", label: "My intervals" },
  { href: "/channels", label: "Channels" },
  { href: "/regulator", label: "Regulator" },
  { href: "/contracts", label: "Contracts" },
] as const;

export function Header() {
  const pathname = usePathname();
  return (
    <>
      <header className="sticky top-0 z-40 border-b border-slate-200 bg-white/90 backdrop-blur">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 sm:h-14 sm:flex-nowrap sm:py-0 sm:px-6">
          <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
            <svg viewBox="0 0 32 32" className="h-7 w-7" aria-hidden>
              <rect width="32" height="32" rx="8" fill="#059669" />
              <path d="M18 4 8 18h7l-2 10 10-14h-7z" fill="#fcd34d" />
            </svg>
            <span>PowerLAN</span>
          </Link>
          <nav className="order-last flex w-full items-center gap-1 sm:order-none sm:w-auto" aria-label="Main">
            {NAV.map((item) => {
              const active = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
              return (
                <Link
                  key={item.href}
                  href={item.href}
                  aria-current={active ? "page" : undefined}
                  className={`rounded-lg px-3 py-1.5 text-sm font-medium ${
                    active ? "bg-emerald-50 text-emerald-800" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
                  }`}
                >
                  {item.label}
                </Link>
              );
            })}
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <NetworkIndicator />
            <ConnectButton />
          </div>
        </div>
      </header>
      <NetworkBanner />
    </>
  );
}

/** The app chain and its latest block: green when the node answers, red when it does not. */
function NetworkIndicator() {
  const [chain] = useChains();
  const { data: block, isError, isLoading } = useBlockNumber({ chainId: chain.id, watch: true });
  const color = isError ? "bg-rose-500" : isLoading ? "bg-slate-300" : "bg-emerald-500";
  return (
    <div
      className="hidden items-center gap-2 rounded-lg border border-slate-200 px-2.5 py-1 text-xs text-slate-600 md:flex"
      title={isError ? "The node does not answer" : `Chain id ${chain.id}`}
      data-testid="network-indicator"
    >
      <span className={`h-2 w-2 rounded-full ${color}`} />
      <span className="font-medium text-slate-700">{chain.name}</span>
      {block !== undefined && <span className="num text-slate-400">#{block.toString()}</span>}
    </div>
  );
}
