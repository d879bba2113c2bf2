"use client";

/**
 * Page-wide warnings about the network: the node is down, no contracts on this chain, or the
 * wallet is on the wrong chain (with a button to switch).
 */
import { useBlockNumber, useSwitchChain } from "wagmi";
import { useToasts } from "./Toasts";
import { explainError } from "@/lib/errors";
import { useDeployment, useWallet } from "@/lib/hooks/useDeployment";

export function NetworkBanner() {
  const d = useDeployment();
  const wallet = useWallet();
  const { isError: nodeDown } = useBlockNumber({ chainId: d.chainId });
  const switchChain = useSwitchChain();
  const toasts = useToasts();

  if (nodeDown) {
    return (
      <Banner tone="error" testId="banner-node-down">
        Cannot reach the {d.chainName} node. On your machine, start the devnet with <code className="font-mono">npm start</code>{" "}
        and reload.
      </Banner>
    );
  }
  if (!d.deployed) {
    return (
      <Banner tone="warn" testId="banner-not-deployed">
        PowerLAN&apos;s contracts are not known on {d.chainName} (chain {d.chainId}). Deploy them (<code className="font-mono">npm start</code>{" "}
        on the devnet) and regenerate the bindings (<code className="font-mono">npm run bindings</code>).
      </Banner>
    );
  }
  if (wallet.wrongChain) {
    return (
      <Banner tone="warn" testId="banner-wrong-chain">
        <span>
          Your wallet is on chain {wallet.walletChainId}, but PowerLAN runs on <b>{d.chainName}</b> (chain {d.chainId}). Switch to
          trade; you can still look around.
        </span>
        <button
          type="button"
          className="btn btn-primary btn-small ml-3"
          disabled={switchChain.isPending}
          onClick={() =>
            switchChain.mutate(
              { chainId: d.chainId },
              {
                onError: (error) => {
                  const e = explainError(error);
                  toasts.show({ kind: "error", title: e.kind === "rejected" ? "Switch rejected" : e.title, message: e.message });
                },
              },
            )
          }
        >
          {switchChain.isPending ? "Switching…" : `Switch to ${d.chainName}`}
        </button>
      </Banner>
    );
  }
  return null;
}

function Banner({ tone, children, testId }: { tone: "warn" | "error"; children: React.ReactNode; testId: string }) {
  const style = tone === "error" ? "border-rose-200 bg-rose-50 text-rose-900" : "border-amber-200 bg-amber-50 text-amber-900";
  return (
    <div role="alert" data-testid={testId} className={`border-b ${style}`}>
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-y-2 px-4 py-2 text-sm sm:px-6">{children}</div>
    </div>
  );
}
