"use client";

/**
 * The five layers of PowerLAN and their contracts, with the addresses on the chain the wallet is
 * connected to (or the app's chain), from the generated bindings in lib/contracts.
 */
import { useState } from "react";
import { useChains } from "wagmi";
import { contractAddress, contracts, deployedChainIds, type ContractName, type Layer } from "@/lib/contracts";
import { useWallet } from "@/lib/hooks/useDeployment";
import { Card, Notice } from "../ui";

const LAYERS: { layer: Layer; title: string; what: string }[] = [
  { layer: "user", title: "User layer", what: "Who takes part: identities, roles, smart-meter binding, zones; the regulator approves and suspends." },
  {
    layer: "consensus",
    title: "Consensus layer",
    what: "A validator committee (DSO, aggregators) must reach a BFT quorum (2f+1 of 3f+1) before meter readings count.",
  },
  {
    layer: "contract",
    title: "Contract layer",
    what: "The market: a double auction per delivery interval with one uniform price, plus direct bilateral trades.",
  },
  {
    layer: "transaction",
    title: "Transaction layer",
    what: "Value transfer: the PowerLAN Credit token, escrow and settlement, payment channels for fast off-chain payments.",
  },
  { layer: "supervision", title: "Supervision layer", what: "The regulator's controls: pause, price cap and floor, participant status, flags; all as events." },
];

/** Contracts that have no address of their own to call: modules run inside another contract. */
const MODULE_OF: Partial<Record<ContractName | string, string>> = {
  DeliverySettlement: "module of EnergyMarket (delegatecall)",
};

/** One line per contract, in words. */
const DESCRIPTIONS: Partial<Record<ContractName | string, string>> = {
  ParticipantRegistry: "Registry of participants: role, status (pending, approved, suspended), meter and zone; notifies the market of every change.",
  ValidatorCommittee: "Finalises an interval's meter readings once a quorum of validators has signed them (EIP-712).",
  MeterLedger:
    "Signed smart-meter readings per interval, accepted once the committee's quorum attested them; the market settles on them. Delivery history and credit scores.",
  EnergyCertificate: "Energy certificates (ERC-1155, in Wh per interval) minted only for attested delivered energy; retire them to claim green energy.",
  DeliverySettlement:
    "Settlement on metered delivery: pays sellers for what their meters exported minus the zone grid fee, charges shortfalls as imbalance, charges buyers their share, mints certificates. A module the market creates and runs by DELEGATECALL on its own storage — call the market's settle, not this.",
  EnergyMarket: "Orders per interval, gate closure, clearing at one uniform price (pay-as-clear), takes, settlement; holds the escrow vault.",
  PaymentToken: "PowerLAN Credit (PLC): the ERC-20 payment token, 6 decimals, with permits and a devnet faucet.",
  PaymentChannels: "Two-party payment channels with signed off-chain balance proofs, challenge period and hash-time locks.",
  Supervisor: "The regulator's console over the market and the registry; records flags against accounts.",
};

export function ContractsPage() {
  const chains = useChains();
  const wallet = useWallet();
  const walletChainDeployed = wallet.connected && deployedChainIds.includes(wallet.walletChainId);
  const [chosen, setChosen] = useState<number | null>(null);
  const chainId = chosen ?? (walletChainDeployed ? wallet.walletChainId : chains[0].id);
  const chainName = chains.find((c) => c.id === chainId)?.name ?? `chain ${chainId}`;
  const names = Object.keys(contracts) as ContractName[];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold text-slate-900">Contracts</h1>
          <p className="text-sm text-slate-600">
            PowerLAN&apos;s five layers and where their contracts live on <b data-testid="contracts-chain">{chainName}</b> (chain {chainId}).
          </p>
        </div>
        {deployedChainIds.length > 1 && (
          <label className="text-sm text-slate-600">
            Chain{" "}
            <select className="input inline-block w-auto" value={chainId} onChange={(e) => setChosen(Number(e.target.value))}>
              {deployedChainIds.map((id) => (
                <option key={id} value={id}>
                  {chains.find((c) => c.id === id)?.name ?? `chain ${id}`} ({id})
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {!deployedChainIds.includes(chainId) && <Notice tone="warn">No deployment is recorded for chain {chainId}.</Notice>}

      <ol className="space-y-3">
        {LAYERS.map((l, i) => {
          const inLayer = names.filter((n) => contracts[n].layer === l.layer);
          return (
            <li key={l.layer}>
              <Card testId={`layer-${l.layer}`}>
                <div className="flex flex-wrap gap-4 md:flex-nowrap">
                  <div className="md:w-64 md:shrink-0">
                    <p className="text-xs font-semibold text-emerald-700">Layer {i + 1}</p>
                    <h2 className="font-semibold text-slate-900">{l.title}</h2>
                    <p className="mt-1 text-sm text-slate-600">{l.what}</p>
                  </div>
                  <div className="min-w-0 flex-1 space-y-2">
                    {inLayer.length === 0 && <p className="text-sm text-slate-400">No contract in this layer yet.</p>}
                    {inLayer.map((name) => {
                      const address = contractAddress(chainId, name);
                      return (
                        <div key={name} className="rounded-lg border border-slate-100 bg-slate-50 px-3 py-2" data-testid={`contract-${name}`}>
                          <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                            <span className="font-medium text-slate-900">{name}</span>
                            <code className="font-mono text-xs break-all text-slate-600" data-testid={`address-${name}`}>
                              {MODULE_OF[name] ? (address ? `${MODULE_OF[name]} · ${address}` : MODULE_OF[name]) : (address ?? "not deployed on this chain")}
                            </code>
                          </div>
                          <p className="mt-0.5 text-sm text-slate-600">{DESCRIPTIONS[name] ?? ""}</p>
                          <p className="mt-0.5 font-mono text-xs text-slate-400">{contracts[name].source}</p>
                        </div>
                      );
                    })}
                  </div>
                </div>
              </Card>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
