"use client";

/**
 * The regulator's dashboard: pause/unpause trading and payment channels, set the price floor and
 * cap from an interval on, approve/suspend/reinstate participants, flag accounts (with the audit trail). Everyone can
 * look; only the account with the regulator role can act (the page says so).
 */
import { useState } from "react";
import type { Address } from "viem";
import { supervisorAbi } from "@/lib/contracts";
import { devAccount, displayName } from "@/lib/app/names";
import { formatEnergy, formatPricePerKWh, formatWindow, parsePricePerKWh, shortAddress } from "@/lib/format";
import { useDeployment, useWallet } from "@/lib/hooks/useDeployment";
import { ROLE_NAMES, STATUS_NAMES, useIntervalBook, useMarketClock } from "@/lib/hooks/useMarket";
import { useChannelsPause, useFlagLog, useIsRegulator, useParticipants, type ParticipantRow } from "@/lib/hooks/useRegulator";
import { useWrite, type WriteStep } from "@/lib/hooks/useWrite";
import { DEVNET_CAST } from "@/lib/devnet/accounts";
import { Card, Empty, ErrorLine, Notice, SkeletonRows, Stat } from "../ui";

const STATUS_BADGE = ["bg-slate-100 text-slate-600", "bg-amber-100 text-amber-800", "bg-emerald-100 text-emerald-800", "bg-rose-100 text-rose-800"];

export function RegulatorPage() {
  const d = useDeployment();
  const wallet = useWallet();
  const { isRegulator, isLoading } = useIsRegulator(d, wallet.address);
  const clock = useMarketClock(d, 0, 8);
  const open = clock.open[0];
  const book = useIntervalBook(d, open?.interval);
  const channels = useChannelsPause(d);
  const { write, pending } = useWrite();
  const canAct = isRegulator && !wallet.wrongChain;

  function act(step: Omit<WriteStep, "address" | "abi">, title: string, success: string) {
    if (!d.supervisor) return;
    return write({ ...step, address: d.supervisor, abi: supervisorAbi }, { title, success });
  }

  if (!d.deployed) return <Notice tone="warn">No PowerLAN contracts are known on {d.chainName}.</Notice>;

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold text-slate-900">Regulator</h1>
        <p className="text-sm text-slate-600">Supervision layer: market switch, price limits, participants and flags. Every action is an on-chain event.</p>
      </div>

      {!wallet.connected ? (
        <Notice tone="info" testId="regulator-notice">
          Connect the regulator&apos;s account to act.{d.isDevnet && <> On the devnet: wallet menu → <b>Regulator</b> ({shortAddress(DEVNET_CAST.regulator.address)}).</>}{" "}
          You can look around without it.
        </Notice>
      ) : !isLoading && !isRegulator ? (
        <Notice tone="warn" testId="regulator-notice">
          {devAccount(wallet.address)?.name ?? shortAddress(wallet.address!)} is not the regulator, so the controls below are read-only. Only an
          account with the regulator role may pause trading or channels, set price limits or change a participant&apos;s status.
          {d.isDevnet && <> On the devnet, switch to <b>Regulator</b> in the wallet menu.</>}
        </Notice>
      ) : null}

      <div className="grid gap-4 lg:grid-cols-3">
        <div className="space-y-4">
          <Card title="Trading" testId="regulator-trading">
            <Stat
              label="Market"
              value={
                clock.paused === undefined ? (
                  "…"
                ) : clock.paused ? (
                  <span className="badge bg-rose-100 text-rose-800">paused</span>
                ) : (
                  <span className="badge bg-emerald-100 text-emerald-800">open</span>
                )
              }
            />
            <p className="mt-1 mb-3 text-xs text-slate-500">
              A pause stops new orders and takes. Cancelling, clearing, settling and withdrawing keep working.
            </p>
            {clock.paused ? (
              <button
                type="button"
                className="btn btn-primary w-full"
                disabled={!canAct || pending !== null}
                onClick={() => act({ label: "Resume trading", functionName: "unpauseTrading", args: [] }, "Resume trading", "Trading resumed.")}
              >
                Resume trading
              </button>
            ) : (
              <button
                type="button"
                className="btn btn-danger w-full"
                disabled={!canAct || pending !== null}
                data-testid="pause-trading"
                onClick={() => act({ label: "Pause trading", functionName: "pauseTrading", args: [] }, "Pause trading", "Trading paused.")}
              >
                Pause trading
              </button>
            )}
          </Card>

          <Card title="Payment channels" testId="regulator-channels">
            <Stat
              label="Channels"
              testId="channels-state"
              value={
                channels.channels === null ? (
                  <span className="badge bg-slate-100 text-slate-600">not supervised</span>
                ) : channels.paused === undefined ? (
                  "…"
                ) : channels.paused ? (
                  <span className="badge bg-rose-100 text-rose-800">paused</span>
                ) : (
                  <span className="badge bg-emerald-100 text-emerald-800">open</span>
                )
              }
            />
            <p className="mt-1 mb-3 text-xs text-slate-500">
              {channels.channels === null
                ? "The Supervisor has no PaymentChannels contract set, so there is nothing to pause."
                : "A pause stops opening and funding channels. Closing, challenging, settling and withdrawing keep working."}
            </p>
            <ErrorLine error={channels.error ? "Could not read the channels' state from the chain." : null} />
            {channels.paused ? (
              <button
                type="button"
                className="btn btn-primary w-full"
                disabled={!canAct || pending !== null}
                data-testid="resume-channels"
                onClick={() =>
                  act({ label: "Resume channels", functionName: "unpauseChannels", args: [] }, "Resume channels", "Payment channels resumed: opening and funding work again.")
                }
              >
                Resume channels
              </button>
            ) : (
              <button
                type="button"
                className="btn btn-danger w-full"
                disabled={!canAct || pending !== null || !channels.channels || channels.paused === undefined}
                data-testid="pause-channels"
                onClick={() => act({ label: "Pause channels", functionName: "pauseChannels", args: [] }, "Pause channels", "Payment channels paused: no new channels or funding.")}
              >
                Pause channels
              </button>
            )}
          </Card>
        </div>

        <Card title="Price limits" className="lg:col-span-2" testId="regulator-prices">
          <PriceLimits
            canAct={canAct}
            pending={pending !== null}
            openIntervals={clock.open.map((t) => ({ interval: t.interval, label: formatWindow(t.startTime, book.params?.intervalSeconds ?? 0) }))}
            floor={book.params?.priceFloorWeiPerKWh}
            cap={book.params?.priceCapWeiPerKWh}
            minOrderWh={book.params?.minOrderWh}
            openInterval={open?.interval}
            onSubmit={(floor, cap, from) =>
              act(
                { label: "Set price limits", functionName: "setPriceLimits", args: [floor, cap, from] },
                "Set price limits",
                `From interval #${from}: floor ${formatPricePerKWh(floor)}, cap ${formatPricePerKWh(cap)}.`,
              )
            }
          />
        </Card>
      </div>

      <Participants canAct={canAct} act={act} pending={pending !== null} />
      <FlagLog />
    </div>
  );
}

function PriceLimits({
  canAct,
  pending,
  openIntervals,
  floor,
  cap,
  minOrderWh,
  openInterval,
  onSubmit,
}: {
  canAct: boolean;
  pending: boolean;
  openIntervals: { interval: bigint; label: string }[];
  floor?: number;
  cap?: number;
  minOrderWh?: number;
  openInterval?: bigint;
  onSubmit: (floor: number, cap: number, from: bigint) => unknown;
}) {
  const [floorText, setFloor] = useState("");
  const [capText, setCap] = useState("");
  const [from, setFrom] = useState<string>("");
  const f = parsePricePerKWh(floorText || (floor !== undefined ? String(floor / 1e6) : ""));
  const c = parsePricePerKWh(capText || (cap !== undefined ? String(cap / 1e6) : ""));
  let error: string | null = !f.ok ? `Floor: ${f.error}` : !c.ok ? `Cap: ${c.error}` : null;
  if (!error && f.ok && c.ok) {
    if (f.value === 0n) error = "The floor must be above 0.";
    else if (f.value > c.value) error = "The floor must not be above the cap.";
    else if (c.value > 2n ** 32n - 1n) error = "The cap is too large.";
  }
  const fromInterval = from ? BigInt(from) : openIntervals[0]?.interval;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <div>
        <p className="mb-1 text-xs font-medium text-slate-500">Now (interval {openInterval !== undefined ? `#${openInterval}` : "…"})</p>
        <Stat label="Floor" value={floor !== undefined ? formatPricePerKWh(floor) : "…"} />
        <Stat label="Cap" value={cap !== undefined ? formatPricePerKWh(cap) : "…"} testId="current-cap" />
        <Stat label="Smallest order" value={minOrderWh !== undefined ? formatEnergy(minOrderWh) : "…"} />
      </div>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (error || !f.ok || !c.ok || fromInterval === undefined) return;
          onSubmit(Number(f.value), Number(c.value), fromInterval);
        }}
      >
        <div className="grid grid-cols-2 gap-2">
          <label>
            <span className="label">Floor (PLC/kWh)</span>
            <input className="input text-right" inputMode="decimal" placeholder={floor !== undefined ? String(floor / 1e6) : ""} value={floorText} onChange={(e) => setFloor(e.target.value)} />
          </label>
          <label>
            <span className="label">Cap (PLC/kWh)</span>
            <input
              className="input text-right"
              inputMode="decimal"
              data-testid="cap-input"
              placeholder={cap !== undefined ? String(cap / 1e6) : ""}
              value={capText}
              onChange={(e) => setCap(e.target.value)}
            />
          </label>
        </div>
        <label className="mt-2 block">
          <span className="label">From interval (not yet gated)</span>
          <select className="input" value={from} onChange={(e) => setFrom(e.target.value)}>
            {openIntervals.map((t) => (
              <option key={t.interval.toString()} value={t.interval.toString()}>
                #{t.interval.toString()} · {t.label}
              </option>
            ))}
          </select>
        </label>
        <ErrorLine error={floorText || capText ? error : null} />
        <button type="submit" className="btn btn-primary mt-2 w-full" disabled={!canAct || pending || Boolean(error)} data-testid="set-limits">
          Set price limits
        </button>
        <p className="mt-1 text-xs text-slate-500">Applies to that interval and every later one; intervals already gated keep their limits.</p>
      </form>
    </div>
  );
}

function Participants({
  canAct,
  act,
  pending,
}: {
  canAct: boolean;
  act: (step: Omit<WriteStep, "address" | "abi">, title: string, success: string) => unknown;
  pending: boolean;
}) {
  const d = useDeployment();
  const { participants, isLoading } = useParticipants(d);
  const [flagging, setFlagging] = useState<Address | null>(null);
  const [reason, setReason] = useState("");
  return (
    <Card title="Participants" subtitle="Registered accounts of the energy LAN (user layer)." testId="participants">
      {isLoading && !participants ? (
        <SkeletonRows rows={5} />
      ) : !participants || participants.length === 0 ? (
        <Empty>Nobody is registered yet.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[46rem] text-sm">
            <thead>
              <tr className="table-head border-b border-slate-100">
                <th className="py-1 text-left font-medium">Participant</th>
                <th className="py-1 text-left font-medium">Role</th>
                <th className="py-1 text-right font-medium">Zone</th>
                <th className="py-1 pl-4 text-left font-medium">Meter</th>
                <th className="py-1 text-left font-medium">Status</th>
                <th className="py-1 text-right font-medium">Actions</th>
              </tr>
            </thead>
            <tbody>
              {participants.map((p) => (
                <ParticipantLine
                  key={p.account}
                  p={p}
                  canAct={canAct}
                  pending={pending}
                  act={act}
                  onFlag={() => {
                    setFlagging(flagging === p.account ? null : p.account);
                    setReason("");
                  }}
                  flagging={flagging === p.account}
                  reason={reason}
                  setReason={setReason}
                  doneFlagging={() => setFlagging(null)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function ParticipantLine({
  p,
  canAct,
  pending,
  act,
  onFlag,
  flagging,
  reason,
  setReason,
  doneFlagging,
}: {
  p: ParticipantRow;
  canAct: boolean;
  pending: boolean;
  act: (step: Omit<WriteStep, "address" | "abi">, title: string, success: string) => unknown;
  onFlag: () => void;
  flagging: boolean;
  reason: string;
  setReason: (r: string) => void;
  doneFlagging: () => void;
}) {
  const name = displayName(p.account);
  const disabled = !canAct || pending;
  const button = (label: string, functionName: string, success: string, danger = false) => (
    <button
      type="button"
      className={`btn btn-small ${danger ? "btn-danger" : "btn-secondary"}`}
      disabled={disabled}
      onClick={() => act({ label, functionName, args: [p.account] }, `${label}: ${name}`, success)}
    >
      {label}
    </button>
  );
  return (
    <>
      <tr className="border-b border-slate-50" data-testid={`participant-${p.account}`}>
        <td className="py-1.5">
          <span className="font-medium text-slate-800">{name}</span>{" "}
          <span className="font-mono text-xs text-slate-400" title={p.account}>
            {shortAddress(p.account)}
          </span>
        </td>
        <td className="py-1.5 text-slate-700">{ROLE_NAMES[p.role]}</td>
        <td className="num py-1.5 text-slate-600">{p.zone || "–"}</td>
        <td className="py-1.5 pl-4 font-mono text-xs text-slate-500">{p.meter === "0x0000000000000000000000000000000000000000" ? "–" : shortAddress(p.meter)}</td>
        <td className="py-1.5">
          <span className={`badge ${STATUS_BADGE[p.status]}`}>{STATUS_NAMES[p.status]}</span>
          {p.flagged && <span className="badge ml-1 bg-amber-100 text-amber-800">flagged</span>}
        </td>
        <td className="space-x-1 py-1.5 text-right whitespace-nowrap">
          {p.status === 1 && button("Approve", "approveParticipant", `${name} approved.`)}
          {p.status === 2 && button("Suspend", "suspendParticipant", `${name} suspended: it can no longer trade.`, true)}
          {p.status === 3 && button("Reinstate", "reinstateParticipant", `${name} reinstated.`)}
          {p.flagged ? (
            button("Unflag", "unflagAccount", `${name}'s flag cleared.`)
          ) : (
            <button type="button" className="btn btn-secondary btn-small" disabled={disabled} onClick={onFlag}>
              Flag…
            </button>
          )}
        </td>
      </tr>
      {flagging && (
        <tr>
          <td colSpan={6} className="bg-slate-50 px-2 py-2">
            <form
              className="flex gap-2"
              onSubmit={async (e) => {
                e.preventDefault();
                if (!reason.trim()) return;
                await act({ label: "Flag", functionName: "flagAccount", args: [p.account, reason.trim()] }, `Flag ${name}`, `${name} flagged.`);
                doneFlagging();
              }}
            >
              <input
                className="input"
                placeholder="Reason, e.g. delivered energy ≠ traded energy in interval 123"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                maxLength={200}
              />
              <button type="submit" className="btn btn-primary btn-small" disabled={disabled || !reason.trim()}>
                Flag
              </button>
            </form>
          </td>
        </tr>
      )}
    </>
  );
}

function FlagLog() {
  const d = useDeployment();
  const { data, isLoading } = useFlagLog(d);
  return (
    <Card title="Flags — audit trail" subtitle="Every flag and unflag, newest first (Supervisor events).">
      {isLoading ? (
        <SkeletonRows rows={2} />
      ) : !data || data.length === 0 ? (
        <Empty>No account has been flagged.</Empty>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm">
          {data.slice(0, 20).map((e, i) => (
            <li key={i} className="flex flex-wrap items-baseline gap-x-2 py-1.5">
              <span className={`badge ${e.flagged ? "bg-amber-100 text-amber-800" : "bg-slate-100 text-slate-600"}`}>{e.flagged ? "flagged" : "unflagged"}</span>
              <span className="font-medium text-slate-800">{displayName(e.account)}</span>
              {e.reason && <span className="text-slate-600">— {e.reason}</span>}
              <span className="ml-auto text-xs text-slate-400">
                by {displayName(e.regulator)} · block {e.blockNumber.toString()}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
