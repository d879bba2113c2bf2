"use client";

/**
 * The Channels page: a household's payment channel with the LAN hub, paying other households
 * through the hub, the delivery streams of its channel-paid trades (run while the page is open),
 * and the latest payments. Also `ChannelSummaryCard` for the trading page.
 */
import Link from "next/link";
import type { Address } from "viem";
import { displayName } from "@/lib/app/names";
import { formatPLC } from "@/lib/format";
import { useDeployment, useWallet, type Deployment } from "@/lib/hooks/useDeployment";
import { Card, Notice, SkeletonRows, Stat } from "../ui";
import { ChannelCard } from "./ChannelCard";
import { DeliveryStreamsCard } from "./DeliveryStreamsCard";
import { PayCard } from "./PayCard";
import { PaymentsCard } from "./PaymentsCard";
import { useDeliveryStreams } from "./useDeliveryStreams";
import { useHouseholdHub, type HouseholdHubState } from "./useHouseholdHub";

export function ChannelsPage() {
  const d = useDeployment();
  const { address: me } = useWallet();
  const state = useHouseholdHub(d, me);
  const streams = useDeliveryStreams(d, me, state);
  if (!d.deployed) {
    return (
      <Notice tone="warn">
        No PowerLAN deployment is known on {d.chainName}. Start the devnet with <code>npm start</code>.
      </Notice>
    );
  }
  return (
    <div className="space-y-4">
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <ChannelCard d={d} me={me} state={state} />
          <PayCard d={d} me={me} state={state} />
          <DeliveryStreamsCard me={me} hubState={state} streams={streams} />
          <PaymentsCard me={me} state={state} />
        </div>
        <div className="min-w-0 space-y-4">
          <HubCard d={d} state={state} />
          <HowItWorks />
        </div>
      </div>
    </div>
  );
}

function HubCard({ d, state }: { d: Deployment; state: HouseholdHubState }) {
  const { info, infoError } = state;
  return (
    <Card
      title="The LAN hub"
      testId="hub-card"
      actions={
        <span className={`badge ${info ? "bg-emerald-100 text-emerald-800" : infoError ? "bg-rose-100 text-rose-800" : "bg-slate-100 text-slate-600"}`} data-testid="hub-status">
          {info ? "online" : infoError ? "offline" : "…"}
        </span>
      }
    >
      {infoError ? (
        <Notice tone="error">
          <strong>{infoError.title}.</strong> {infoError.message}
        </Notice>
      ) : !info ? (
        <SkeletonRows rows={3} />
      ) : (
        <div className="divide-y divide-slate-100">
          <Stat label="Hub" value={displayName(info.hub)} hint={info.name} />
          <Stat label="Fee per payment" value={formatPLC(BigInt(info.feeWei))} />
          <Stat label="Liquidity per channel" value={`up to ${formatPLC(BigInt(info.liquidityCapWei))}`} hint="what the hub deposits on its side" />
          <Stat label="Challenge period" value={`${info.challengePeriodBlocks} blocks`} />
          <Stat label="Contract" value={<span className="font-mono text-xs">{d.address("PaymentChannels")?.slice(0, 10)}…</span>} />
        </div>
      )}
      {d.isDevnet && (
        <p className="mt-2 text-xs text-slate-500">
          Devnet: the hub is the aggregator&apos;s dev account, run by this app&apos;s server as its own party (its own key, states and transactions); your browser only
          exchanges signed messages with it.
        </p>
      )}
    </Card>
  );
}

function HowItWorks() {
  return (
    <Card title="How channels work">
      <ol className="list-decimal space-y-1.5 pl-5 text-sm text-slate-600">
        <li>You lock PLC in a channel with the hub (one transaction); the hub adds some on its side.</li>
        <li>Payments are balance proofs signed by you and the hub — no transaction, no waiting for blocks.</li>
        <li>To pay a neighbour, your payment is hash-locked to a secret only they know; the hub forwards it and is paid once they reveal it.</li>
        <li>Close with the hub&apos;s signature at the latest state: everyone withdraws their side. Without the hub, close alone and wait out the challenge period.</li>
      </ol>
      <p className="mt-2 text-xs text-slate-500">
        Your wallet signs every channel state (typed data). On the devnet the node signs for the dev accounts; a wallet like MetaMask asks each time. Keep this page (or
        the trading page) open to receive payments.
      </p>
    </Card>
  );
}

/**
 * The trading page's view of my channel: balance, delivery streams, and a link to the Channels
 * page. Keeps receiving payments and streaming my channel-paid takes while open.
 */
export function ChannelSummaryCard({ d, me }: { d: Deployment; me?: Address }) {
  const state = useHouseholdHub(d, me);
  const streams = useDeliveryStreams(d, me, state);
  const streaming = (streams.streams ?? []).filter((s) => s.status === "streaming" || s.status === "waiting for delivery").length;
  if (!me || !d.address("PaymentChannels")) return null;
  if (state.info && me.toLowerCase() === state.info.hub.toLowerCase()) return null; // the hub's own account
  const c = state.current;
  return (
    <Card
      title="Payment channel"
      testId="channel-summary"
      actions={
        <Link href="/channels" className="text-xs font-medium text-emerald-700 hover:underline">
          {c ? "Open channels" : "Open a channel"} →
        </Link>
      }
    >
      {state.infoError ? (
        <p className="text-sm text-slate-500">{state.infoError.title}.</p>
      ) : state.loading ? (
        <SkeletonRows rows={2} />
      ) : !c ? (
        <p className="text-sm text-slate-500">No channel with the hub yet: open one to pay and be paid off-chain, instantly.</p>
      ) : (
        <div className="divide-y divide-slate-100">
          <Stat label="You can pay" value={formatPLC(c.balances.spendableWei)} hint={`channel #${c.id} with the hub`} testId="summary-spendable" />
          <Stat label="Yours if closed now" value={formatPLC(c.balances.myPayoutWei)} />
          {streaming > 0 && (
            <Stat
              label="Delivery streams"
              value={`${streaming} running`}
              hint="channel-paid trades, paid per metered minute"
              testId="summary-streams"
            />
          )}
        </div>
      )}
    </Card>
  );
}
