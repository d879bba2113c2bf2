"use client";

/**
 * A household's channel with the hub: open (approve + open, then the hub joins and adds its
 * liquidity), balances on both sides on-chain and off-chain, top up, cooperative close with the
 * hub's signature (close + withdraw in one go), and — should the hub be gone — a unilateral close
 * with the latest both-signed state, settle after the challenge period, withdraw.
 */
import { useState } from "react";
import { parseEventLogs, type Address, type TransactionReceipt } from "viem";
import { useBlockNumber, useConfig, useReadContract } from "wagmi";
import { readContract } from "wagmi/actions";
import { useToasts } from "@/components/Toasts";
import { displayName } from "@/lib/app/names";
import { paymentChannelsAbi, paymentTokenAbi } from "@/lib/contracts";
import { formatPLC, parsePLC } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import { useWrite, type WriteStep } from "@/lib/hooks/useWrite";
import { Card, Empty, ErrorLine, Notice, SkeletonRows, Stat } from "../ui";
import { explainChannelError } from "./channelErrors";
import { CHANNEL_STATUS } from "@/lib/channels/client";
import { CHANNEL_STATUS_NAME, type HouseholdChannel, type HouseholdHubState } from "./useHouseholdHub";

function AmountForm({
  label,
  testId,
  buttonLabel,
  buttonTestId,
  initial,
  max,
  maxLabel,
  disabled,
  onSubmit,
  hint,
}: {
  label: string;
  testId: string;
  buttonLabel: string;
  buttonTestId: string;
  initial: string;
  max?: bigint;
  maxLabel: string;
  disabled: boolean;
  onSubmit: (amountWei: bigint) => Promise<boolean>;
  hint: string;
}) {
  const [amount, setAmount] = useState(initial);
  const [touched, setTouched] = useState(false);
  const parsed = parsePLC(amount);
  let error: string | null = parsed.ok ? null : parsed.error;
  if (parsed.ok && parsed.value === 0n) error = "Enter more than 0 PLC.";
  else if (parsed.ok && max !== undefined && parsed.value > max) error = `${maxLabel} ${formatPLC(max)}.`;
  return (
    <form
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setTouched(true);
        if (error || !parsed.ok) return;
        if (await onSubmit(parsed.value)) setTouched(false);
      }}
    >
      <div className="flex gap-2">
        <label className="relative flex-1">
          <span className="sr-only">{label}</span>
          <input
            className="input pr-12 text-right"
            inputMode="decimal"
            value={amount}
            data-testid={testId}
            onChange={(e) => setAmount(e.target.value)}
            onBlur={() => setTouched(true)}
          />
          <span className="pointer-events-none absolute top-1.5 right-3 text-sm text-slate-400">PLC</span>
        </label>
        <button type="submit" className="btn btn-primary" disabled={disabled} data-testid={buttonTestId}>
          {buttonLabel}
        </button>
      </div>
      {touched && <ErrorLine error={error} />}
      <p className="mt-1 text-xs text-slate-500">{hint}</p>
    </form>
  );
}

export function ChannelCard({ d, me, state }: { d: Deployment; me?: Address; state: HouseholdHubState }) {
  const { write, pending } = useWrite();
  const config = useConfig();
  const toasts = useToasts();
  const [busy, setBusy] = useState<string | null>(null);
  const contract = d.address("PaymentChannels");
  const { data: walletWei } = useReadContract({
    address: d.token,
    abi: paymentTokenAbi,
    functionName: "balanceOf",
    args: me ? [me] : undefined,
    chainId: d.chainId,
    query: { enabled: Boolean(me && d.token), refetchInterval: 3_000 },
  });
  const { hub, info, current } = state;
  const disabled = pending !== null || busy !== null || !hub;

  if (!me) {
    return (
      <Card title="Your channel with the hub" testId="channel-card">
        <Notice>Connect a wallet (top right) to see and open your payment channel. On the devnet, pick a household — no extension needed.</Notice>
      </Card>
    );
  }
  if (info && me.toLowerCase() === info.hub.toLowerCase()) {
    return (
      <Card title="Your channel with the hub" testId="channel-card">
        <Notice>This is the hub&apos;s own account: its side of every channel is run by the hub service. Pick a household to use channels.</Notice>
      </Card>
    );
  }
  if (state.infoError) {
    return (
      <Card title="Your channel with the hub" testId="channel-card">
        <Notice tone="error" testId="hub-error">
          <strong>{state.infoError.title}.</strong> {state.infoError.message}
        </Notice>
      </Card>
    );
  }
  if (!contract || !d.token) {
    return (
      <Card title="Your channel with the hub" testId="channel-card">
        <Notice tone="warn">No PaymentChannels contract is known on {d.chainName}.</Notice>
      </Card>
    );
  }
  if (state.loading || !info || !hub) {
    return (
      <Card title="Your channel with the hub" testId="channel-card">
        <SkeletonRows rows={4} />
      </Card>
    );
  }

  const token = d.token;
  const approveStep = (amountWei: bigint): WriteStep => ({
    label: "Approve PLC for the channels",
    address: token,
    abi: paymentTokenAbi,
    functionName: "approve",
    args: [contract, amountWei],
    skipIf: async () =>
      (await readContract(config, { address: token, abi: paymentTokenAbi, functionName: "allowance", args: [me, contract], chainId: d.chainId })) >= amountWei,
  });

  /** Run an off-chain step with a notification on failure; returns undefined when it failed. */
  async function offChain<T>(title: string, run: () => Promise<T>, ctx: { payee?: Address } = {}): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      const words = explainChannelError(error, { account: me, nameOf: (a) => displayName(a), ...ctx });
      toasts.show({ kind: "error", title: words.title, message: words.message });
      return undefined;
    }
  }

  async function join(channelId: bigint) {
    const toastId = toasts.show({ kind: "pending", title: "Hub joins", message: `Asking the hub to join channel #${channelId}…` });
    const view = await offChain("Hub joins", () => hub!.join(channelId));
    if (view) {
      const hubIsA = view.partyA.toLowerCase() === info!.hub.toLowerCase();
      const hubWei = BigInt(hubIsA ? view.depositAWei : view.depositBWei);
      toasts.update(toastId, {
        kind: "success",
        title: "Hub joined",
        message: hubWei > 0n ? `The hub added ${formatPLC(hubWei)} on its side of channel #${channelId}: you can receive up to that much.` : `The hub joined channel #${channelId}.`,
      });
    } else {
      toasts.dismiss(toastId);
    }
    state.refresh();
  }

  async function open(amountWei: bigint): Promise<boolean> {
    const receipts = await write(
      [
        approveStep(amountWei),
        { label: "Open channel", address: contract!, abi: paymentChannelsAbi, functionName: "open", args: [info!.hub, amountWei, BigInt(info!.challengePeriodBlocks)] },
      ],
      { title: "Open channel", success: `Channel with the hub opened with ${formatPLC(amountWei)} from you.` },
    );
    const receipt: TransactionReceipt | undefined = receipts?.[receipts.length - 1];
    if (!receipt) return false;
    const [opened] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "ChannelOpened", logs: receipt.logs });
    if (!opened) return false;
    hub!.client.track({
      channelId: opened.args.channelId,
      partyA: opened.args.partyA,
      partyB: opened.args.partyB,
      depositAWei: opened.args.depositWei,
      depositBWei: 0n,
      challengePeriodBlocks: BigInt(opened.args.challengePeriodBlocks),
    });
    setBusy("join");
    try {
      await join(opened.args.channelId);
    } finally {
      setBusy(null);
    }
    return true;
  }

  if (!current) {
    return (
      <Card title="Your channel with the hub" subtitle={`${info.name} · ${displayName(info.hub)}`} testId="channel-card">
        <Empty>You have no open channel with the hub yet.</Empty>
        <div className="mt-3">
          <AmountForm
            label="Deposit in PLC"
            testId="open-amount"
            buttonLabel="Open channel"
            buttonTestId="open-channel"
            initial="20"
            max={walletWei}
            maxLabel="Your wallet holds only"
            disabled={disabled}
            onSubmit={open}
            hint={`Locks PLC from your wallet in a channel with the hub (approve + open). The hub adds up to ${formatPLC(BigInt(info.liquidityCapWei))} on its side so you can receive too. Challenge period ${info.challengePeriodBlocks} blocks.`}
          />
        </div>
        <ClosedChannels d={d} state={state} />
      </Card>
    );
  }

  return (
    <Card
      title="Your channel with the hub"
      subtitle={`Channel #${current.id} with ${info.name}`}
      testId="channel-card"
      actions={
        <span className="badge bg-emerald-100 text-emerald-800" data-testid="channel-status">
          {CHANNEL_STATUS_NAME[current.chain?.status ?? 0]}
        </span>
      }
    >
      <OpenChannel
        d={d}
        me={me}
        c={current}
        state={state}
        walletWei={walletWei}
        disabled={disabled}
        approveStep={approveStep}
        offChain={offChain}
        setBusy={setBusy}
        join={join}
      />
      <ClosedChannels d={d} state={state} />
    </Card>
  );
}

function OpenChannel({
  d,
  me,
  c,
  state,
  walletWei,
  disabled,
  approveStep,
  offChain,
  setBusy,
  join,
}: {
  d: Deployment;
  me: Address;
  c: HouseholdChannel;
  state: HouseholdHubState;
  walletWei?: bigint;
  disabled: boolean;
  approveStep: (amountWei: bigint) => WriteStep;
  offChain: <T>(title: string, run: () => Promise<T>) => Promise<T | undefined>;
  setBusy: (b: string | null) => void;
  join: (channelId: bigint) => Promise<void>;
}) {
  const { write } = useWrite();
  const toasts = useToasts();
  const [advanced, setAdvanced] = useState(false);
  const contract = d.address("PaymentChannels")!;
  const hub = state.hub!;
  const mineWei = c.chain ? (c.iAmA ? c.chain.balanceAWei : c.chain.balanceBWei) : BigInt(c.iAmA ? c.record.depositAWei : c.record.depositBWei);
  const hubWei = c.chain ? (c.iAmA ? c.chain.balanceBWei : c.chain.balanceAWei) : BigInt(c.iAmA ? c.record.depositBWei : c.record.depositAWei);
  const b = c.balances;
  const pendingLocks = b.pendingLocks.length;

  async function topUp(amountWei: bigint): Promise<boolean> {
    const receipts = await write(
      [approveStep(amountWei), { label: "Top up", address: contract, abi: paymentChannelsAbi, functionName: "deposit", args: [c.id, amountWei] }],
      { title: "Top up channel", success: `${formatPLC(amountWei)} added to your side of channel #${c.id}.` },
    );
    if (!receipts) return false;
    await offChain("Top up", () => hub.client.sync(c.id));
    state.refresh();
    return true;
  }

  async function closeCooperatively() {
    setBusy("close");
    try {
      const signed = await offChain("Close", () => hub.closeSignature(c.id));
      if (!signed) return;
      const mine = await offChain("Close", () => hub.client.signCooperativeClose(c.id));
      if (!mine) return;
      const [sigA, sigB] = c.iAmA ? [mine.signature, signed.hubSignature] : [signed.hubSignature, mine.signature];
      const myPayout = c.iAmA ? signed.message.payoutAWei : signed.message.payoutBWei;
      const receipts = await write(
        [
          {
            label: "Close",
            address: contract,
            abi: paymentChannelsAbi,
            functionName: "cooperativeClose",
            args: [c.id, signed.message.payoutAWei, signed.message.payoutBWei, sigA, sigB],
          },
          {
            label: "Withdraw",
            address: contract,
            abi: paymentChannelsAbi,
            functionName: "withdraw",
            args: [c.id],
            skipIf: async () => myPayout === 0n,
          },
        ],
        { title: "Close channel", success: `Channel #${c.id} closed with the hub: ${formatPLC(myPayout)} paid out to your wallet.` },
      );
      if (!receipts) return;
      const withdrawn = await offChain("Close", () => hub.closed(c.id));
      if (withdrawn !== undefined) {
        toasts.show({ kind: "info", title: "Hub paid out", message: `The hub withdrew its ${formatPLC(withdrawn)} from channel #${c.id}.` });
      }
    } finally {
      setBusy(null);
      state.refresh();
    }
  }

  async function closeAlone() {
    await write(
      { label: "Close", address: contract, abi: paymentChannelsAbi, functionName: "close", args: hub.client.closingArgs(c.id) },
      {
        title: "Close without the hub",
        success: `Channel #${c.id} is closing with your latest both-signed state. Settle it after the challenge period (${c.record.challengePeriodBlocks} blocks).`,
      },
    );
    state.refresh();
  }

  return (
    <div>
      <div className="grid gap-x-6 sm:grid-cols-2">
        <div className="divide-y divide-slate-100">
          <p className="pb-1 text-xs font-semibold tracking-wide text-slate-400 uppercase">On-chain deposits</p>
          <Stat label="Yours" value={formatPLC(mineWei)} testId="channel-deposit-mine" />
          <Stat label="The hub's" value={formatPLC(hubWei)} testId="channel-deposit-hub" />
        </div>
        <div className="divide-y divide-slate-100">
          <p className="pb-1 text-xs font-semibold tracking-wide text-slate-400 uppercase">Off-chain, latest both-signed state</p>
          <Stat label="You can pay" value={formatPLC(b.spendableWei)} testId="channel-spendable" />
          <Stat label="You can receive" value={formatPLC(b.receivableWei)} hint="the hub's side" testId="channel-receivable" />
          <Stat label="Yours if closed now" value={formatPLC(b.myPayoutWei)} testId="channel-payout" />
          <Stat label="State number" value={b.nonce.toString()} hint={pendingLocks ? `${pendingLocks} payment(s) in flight` : "no payment in flight"} testId="channel-nonce" />
        </div>
      </div>
      {state.stepError && (
        <div className="mt-3">
          <Notice tone="warn" testId="channel-step-error">
            <strong>{state.stepError.title}.</strong> {state.stepError.message}
          </Notice>
        </div>
      )}
      <div className="mt-4 grid gap-4 border-t border-slate-100 pt-3 sm:grid-cols-2">
        <AmountForm
          label="Top up in PLC"
          testId="topup-amount"
          buttonLabel="Top up"
          buttonTestId="topup-channel"
          initial="10"
          max={walletWei}
          maxLabel="Your wallet holds only"
          disabled={disabled}
          onSubmit={topUp}
          hint="Adds PLC from your wallet to your side (approve + deposit)."
        />
        <div>
          <button type="button" className="btn btn-secondary w-full" disabled={disabled || pendingLocks > 0} onClick={closeCooperatively} data-testid="close-channel">
            Close and withdraw {formatPLC(b.myPayoutWei)}
          </button>
          <p className="mt-1 text-xs text-slate-500">
            Closes at once with the hub&apos;s signature at the latest state, and pays your side back to your wallet. After you ask, the hub signs no more payments on this
            channel.
          </p>
        </div>
      </div>
      <div className="mt-3 text-xs text-slate-500">
        <button type="button" className="underline" onClick={() => setAdvanced(!advanced)}>
          {advanced ? "Hide" : "Show"} other actions
        </button>
        {advanced && (
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <button type="button" className="btn btn-danger btn-small" disabled={disabled} onClick={closeAlone} data-testid="force-close">
              Close without the hub
            </button>
            <span>Unilateral close with your latest both-signed state: settle after the challenge period, then withdraw.</span>
            <button type="button" className="btn btn-secondary btn-small" disabled={disabled} onClick={() => join(c.id)} data-testid="rejoin">
              Ask the hub to join again
            </button>
          </div>
        )}
      </div>
      <p className="mt-3 text-xs text-slate-400">You: {displayName(me)}</p>
    </div>
  );
}

/** Closing and settled channels of mine: settle after the challenge period, withdraw what is left. */
function ClosedChannels({ d, state }: { d: Deployment; state: HouseholdHubState }) {
  const { write, pending } = useWrite();
  const { data: block } = useBlockNumber({ chainId: d.chainId, watch: true });
  const contract = d.address("PaymentChannels");
  const done = state.channels.filter((c) => c.chain && c.chain.status !== CHANNEL_STATUS.Open);
  if (done.length === 0 || !contract) return null;
  return (
    <div className="mt-4 border-t border-slate-100 pt-3" data-testid="closed-channels">
      <p className="mb-1 text-xs font-semibold tracking-wide text-slate-400 uppercase">Earlier channels</p>
      <ul className="divide-y divide-slate-100 text-sm">
        {done.map((c) => {
          const chain = c.chain!;
          const mineWei = c.iAmA ? chain.balanceAWei : chain.balanceBWei;
          const canSettle = chain.status === CHANNEL_STATUS.Closing && block !== undefined && block > chain.challengeDeadlineBlock;
          return (
            <li key={c.id.toString()} className="flex flex-wrap items-center justify-between gap-2 py-1.5" data-testid={`closed-channel-${c.id}`}>
              <span>
                #{c.id.toString()} · {CHANNEL_STATUS_NAME[chain.status]}
                {chain.status === CHANNEL_STATUS.Closing && <> · challenge period until block {chain.challengeDeadlineBlock.toString()}</>}
                {chain.status === CHANNEL_STATUS.Settled && <> · {mineWei > 0n ? `${formatPLC(mineWei)} to withdraw` : "paid out"}</>}
              </span>
              {chain.status === CHANNEL_STATUS.Closing && (
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  disabled={pending !== null || !canSettle}
                  onClick={() =>
                    write({ label: "Settle", address: contract, abi: paymentChannelsAbi, functionName: "settle", args: [c.id] }, { title: "Settle channel", success: `Channel #${c.id} settled.` })
                  }
                >
                  Settle
                </button>
              )}
              {chain.status === CHANNEL_STATUS.Settled && mineWei > 0n && (
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  disabled={pending !== null}
                  data-testid={`withdraw-${c.id}`}
                  onClick={() =>
                    write(
                      { label: "Withdraw", address: contract, abi: paymentChannelsAbi, functionName: "withdraw", args: [c.id] },
                      { title: "Withdraw", success: `${formatPLC(mineWei)} paid out to your wallet.` },
                    )
                  }
                >
                  Withdraw
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
