"use client";

/**
 * "My intervals": the connected household's interval history — what it sold and bought (auction
 * and bilateral) against what its meter measured, what was delivered, the shortfall and its
 * imbalance charge, prices, grid fee, money in and out, grid import/export, certificates and its
 * credit score — and the LAN's totals per interval. Reads: components/history/useHistory.ts;
 * shaping: lib/app/history.ts.
 */
import type { ReactNode } from "react";
import { displayName } from "@/lib/app/names";
import { formatBps, historyTotals, type HistoryRow, type HistoryStatus, type LanRow } from "@/lib/app/history";
import { explainError } from "@/lib/errors";
import { formatEnergy, formatPLC, formatPricePerKWh, formatWindow } from "@/lib/format";
import { useDeployment, useWallet } from "@/lib/hooks/useDeployment";
import { Card, Empty, Notice, SkeletonRows } from "../ui";
import { useHouseholdHistory, useLanTotals } from "./useHistory";

export const EMPTY_HISTORY = "No settled intervals yet — intervals settle after the validators attest the meter readings.";

const STATUS_STYLE: Record<HistoryStatus, string> = {
  "awaiting clearing": "bg-amber-50 text-amber-800",
  "awaiting readings": "bg-sky-50 text-sky-800",
  settled: "bg-slate-800 text-white",
  "no match": "bg-slate-100 text-slate-600",
};

const STATUS_HINT: Record<HistoryStatus, string> = {
  "awaiting clearing": "The interval's auction has not been cleared yet.",
  "awaiting readings": "Cleared; settlement waits until the validators attest the meter readings.",
  settled: "Paid for the energy that actually flowed.",
  "no match": "None of your auction orders was filled.",
};

const dash = <span className="text-slate-300">–</span>;

/** A score change in basis points as "+1.25 pts" / "−4.17 pts". */
function formatPoints(bps: number): string {
  return `${bps > 0 ? "+" : bps < 0 ? "−" : "±"}${(Math.abs(bps) / 100).toFixed(2)} pts`;
}

function errorText(error: unknown): string {
  const e = explainError(error);
  return `${e.title}: ${e.message}`;
}

/** Two stacked lines in one cell: a main figure and a muted detail. */
function Two({ main, sub }: { main: ReactNode; sub?: ReactNode }) {
  return (
    <>
      <span className="block">{main}</span>
      {sub ? <span className="block text-xs text-slate-400">{sub}</span> : null}
    </>
  );
}

/** The money of an interval's channel-paid takes: streamed off-chain, so no escrow and no on-chain amount. */
function ChannelMoney({ r }: { r: HistoryRow }) {
  const value = r.channelReceivedWei - r.channelPaidWei;
  if (r.channelPending || value === 0n) {
    return (
      <span className="text-xs text-violet-700" data-testid="channel-money" title="No escrow: the buyer pays the seller through the LAN hub as the energy is metered">
        paid through channels
      </span>
    );
  }
  return (
    <span data-testid="channel-money">
      <Two
        main={<span className={value > 0n ? "text-emerald-700" : ""}>{value > 0n ? "+" : "−"}{formatPLC(value > 0n ? value : -value, undefined, false)}</span>}
        sub={<span className="text-violet-700">paid through channels</span>}
      />
    </span>
  );
}

function Plc({ wei, sign = false, testId }: { wei: bigint; sign?: boolean; testId?: string }) {
  const tone = !sign || wei === 0n ? "" : wei > 0n ? "text-emerald-700" : "text-rose-700";
  return (
    <span className={tone} data-testid={testId}>
      {sign && wei > 0n ? "+" : ""}
      {formatPLC(wei, undefined, false)}
    </span>
  );
}

export function HistoryPage() {
  const d = useDeployment();
  const wallet = useWallet();
  const me = wallet.address;
  const history = useHouseholdHistory(d, me);
  const lan = useLanTotals(d);

  if (!d.deployed) {
    return (
      <Notice tone="warn">
        No PowerLAN market is known on {d.chainName}. Start the devnet with <code>npm start</code>.
      </Notice>
    );
  }

  const rows = history.data?.rows;
  const totals = rows ? historyTotals(rows) : undefined;
  const trend = history.data?.trend;

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-lg font-semibold text-slate-900">My intervals{me ? ` — ${displayName(me)}` : ""}</h1>
        <p className="text-sm text-slate-500">
          What you traded against what your meter measured. Auction trades are paid for the energy that actually flowed, after the
          validators attest the interval&apos;s meter readings; a seller&apos;s shortfall is refunded to the buyers and charged as imbalance.
        </p>
      </div>

      {!me ? (
        <Notice testId="history-connect">Connect a wallet to see your intervals. The LAN&apos;s totals are below.</Notice>
      ) : history.error ? (
        <Notice tone="error" testId="history-error">
          Could not read your history. {errorText(history.error)}
        </Notice>
      ) : (
        <>
          <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
            <ScoreCard trend={trend} loading={history.isLoading} />
            <SummaryCard
              title="Net (settled intervals)"
              testId="summary-net"
              value={totals ? <Plc wei={totals.netWei} sign /> : undefined}
              unit="PLC"
              hint={totals ? `received ${formatPLC(totals.receivedWei)} · paid ${formatPLC(totals.paidWei)}` : undefined}
            />
            <SummaryCard
              title="Certificates"
              testId="summary-certificates"
              value={totals ? formatEnergy(totals.certificatesWh) : undefined}
              hint="Attested local energy delivered to you"
            />
            <SummaryCard
              title="Savings vs grid only"
              testId="summary-savings"
              value={totals ? <Plc wei={totals.savingsWei} sign /> : undefined}
              unit="PLC"
              hint={totals ? `over ${totals.settled} settled interval${totals.settled === 1 ? "" : "s"} with a reading` : undefined}
            />
          </div>

          <Card
            title="Interval history"
            subtitle="Newest first. Energies in Wh/kWh; money in PLC. Grid import/export = what the meter measured beyond what you traded in the LAN."
            testId="household-history"
          >
            {history.isLoading && !rows ? (
              <SkeletonRows rows={4} />
            ) : !rows || rows.length === 0 ? (
              <Empty>{EMPTY_HISTORY}</Empty>
            ) : (
              <>
                {totals && totals.settled === 0 && (
                  <div className="mb-3">
                    <Notice testId="history-none-settled">{EMPTY_HISTORY}</Notice>
                  </div>
                )}
                <HouseholdTable rows={rows} timing={history.data!.timing} />
              </>
            )}
          </Card>
        </>
      )}

      <Card
        title="LAN totals per interval"
        subtitle="Every household together. Self-sufficiency: the share of the households' metered imports that neighbours delivered through the auction (as npm run simulate counts it, over metered imports)."
        testId="lan-totals"
      >
        {lan.error ? (
          <Notice tone="error">Could not read the LAN&apos;s totals. {errorText(lan.error)}</Notice>
        ) : lan.isLoading && !lan.data ? (
          <SkeletonRows rows={4} />
        ) : !lan.data || lan.data.rows.length === 0 ? (
          <Empty>No interval has orders or meter readings yet.</Empty>
        ) : (
          <LanTable rows={lan.data.rows} current={lan.data.current} />
        )}
      </Card>
    </div>
  );
}

function SummaryCard({ title, value, unit, hint, testId }: { title: string; value?: ReactNode; unit?: string; hint?: ReactNode; testId?: string }) {
  return (
    <Card title={title}>
      {value === undefined ? (
        <SkeletonRows rows={1} />
      ) : (
        <p className="num text-left text-2xl font-semibold text-slate-900" data-testid={testId}>
          {value}
          {unit && <span className="ml-1 text-sm font-normal text-slate-400">{unit}</span>}
        </p>
      )}
      {hint && <p className="mt-1 text-xs text-slate-500">{hint}</p>}
    </Card>
  );
}

function ScoreCard({ trend, loading }: { trend?: { currentBps: number; series: number[]; changeBps: number; direction: string; reports: number }; loading: boolean }) {
  return (
    <Card title="Credit score">
      {!trend ? (
        loading ? <SkeletonRows rows={1} /> : null
      ) : (
        <div className="flex items-end justify-between gap-3">
          <div>
            <p className="num text-left text-2xl font-semibold text-slate-900" data-testid="credit-score">
              {formatBps(trend.currentBps)}
            </p>
            <p className="mt-1 text-xs text-slate-500" data-testid="credit-trend">
              {trend.reports === 0
                ? "No deliveries yet: full score until you sell."
                : `${trend.direction === "up" ? "▲" : trend.direction === "down" ? "▼" : "●"} ${formatPoints(trend.changeBps)} over the last ${trend.series.length} deliver${trend.series.length === 1 ? "y" : "ies"}`}
            </p>
          </div>
          <Sparkline series={trend.series} />
        </div>
      )}
    </Card>
  );
}

/** The score after each of the last deliveries (0 … 100 %). */
function Sparkline({ series }: { series: number[] }) {
  if (series.length < 2) return null;
  const w = 96;
  const h = 32;
  const min = Math.min(...series);
  const max = Math.max(...series);
  const span = Math.max(1, max - min);
  const points = series.map((v, i) => `${((i / (series.length - 1)) * w).toFixed(1)},${(h - 2 - ((v - min) / span) * (h - 4)).toFixed(1)}`).join(" ");
  return (
    <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-label="Credit score trend" className="shrink-0">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="2" className="text-emerald-600" />
    </svg>
  );
}

function HouseholdTable({ rows, timing }: { rows: HistoryRow[]; timing: Map<bigint, { startTime: bigint; intervalSeconds: number }> }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[68rem] text-[13px]" data-testid="history-table">
        <thead>
          <tr className="table-head border-b border-slate-100 align-bottom text-xs text-slate-500">
            <th className="py-1 pr-2 text-left font-medium">Interval</th>
            <th className="py-1 pr-2 text-left font-medium">Role / status</th>
            <th className="py-1 pr-2 text-right font-medium">Sold / bought</th>
            <th className="py-1 pr-2 text-right font-medium">Metered export / import</th>
            <th className="py-1 pr-2 text-right font-medium">Delivered</th>
            <th className="py-1 pr-2 text-right font-medium">Shortfall</th>
            <th className="py-1 pr-2 text-right font-medium">Price (PLC/kWh)</th>
            <th className="py-1 pr-2 text-right font-medium">Received / paid</th>
            <th className="py-1 pr-2 text-right font-medium">Grid fee / imbalance</th>
            <th className="py-1 pr-2 text-right font-medium">Net (PLC)</th>
            <th className="py-1 pr-2 text-right font-medium">Grid import / export</th>
            <th className="py-1 pr-2 text-right font-medium">Certificates</th>
            <th className="py-1 text-right font-medium">Score</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const t = timing.get(r.interval);
            const sold = r.soldAuctionWh + r.soldBilateralWh;
            const bought = r.boughtAuctionWh + r.boughtBilateralWh;
            const isSeller = r.role === "seller" || r.role === "seller & buyer";
            const isBuyer = r.role === "buyer" || r.role === "seller & buyer";
            const settled = r.status === "settled";
            return (
              <tr key={r.interval.toString()} className="border-b border-slate-50 align-top" data-testid={`history-row-${r.interval}`}>
                <td className="py-1.5 pr-2">
                  <Two
                    main={<span className="font-medium text-slate-800">#{r.interval.toString()}</span>}
                    sub={t ? <span className="whitespace-nowrap">{formatWindow(t.startTime, t.intervalSeconds)}</span> : undefined}
                  />
                </td>
                <td className="py-1.5 pr-2 text-slate-700">
                  <span className="block whitespace-nowrap" data-field="role">
                    {r.role}
                  </span>
                  <span className={`badge mt-0.5 ${STATUS_STYLE[r.status]}`} title={STATUS_HINT[r.status]} data-field="status">
                    {r.status}
                  </span>
                </td>
                <td className="num py-1.5 pr-2" data-field="traded">
                  <Two
                    main={
                      <>
                        {sold > 0n ? <span className="text-amber-700">sold {formatEnergy(sold)}</span> : null}
                        {sold > 0n && bought > 0n ? " · " : null}
                        {bought > 0n ? <span className="text-sky-700">bought {formatEnergy(bought)}</span> : null}
                        {sold === 0n && bought === 0n && r.offeredWh + r.bidWh === 0n ? dash : null}
                        {sold === 0n && bought === 0n && r.offeredWh + r.bidWh > 0n ? (
                          <span className="text-xs text-slate-400">
                            {[r.offeredWh > 0n ? `offer ${formatEnergy(r.offeredWh)}` : "", r.bidWh > 0n ? `bid ${formatEnergy(r.bidWh)}` : ""]
                              .filter(Boolean)
                              .join(" · ")}
                          </span>
                        ) : null}
                      </>
                    }
                    sub={
                      r.soldBilateralWh + r.boughtBilateralWh > 0n
                        ? `bilateral ${formatEnergy(r.soldBilateralWh + r.boughtBilateralWh)}`
                        : undefined
                    }
                  />
                </td>
                <td className="num py-1.5 pr-2" data-field="metered">
                  {r.meteredExportWh === null ? (
                    <span className="text-xs text-slate-400">no reading yet</span>
                  ) : (
                    <Two main={`↑ ${formatEnergy(r.meteredExportWh)}`} sub={`↓ ${formatEnergy(r.meteredImportWh ?? 0)}`} />
                  )}
                </td>
                <td className="num py-1.5 pr-2" data-field="delivered">
                  {isSeller && r.sellerDeliveredWh !== null ? (
                    <Two main={`${formatEnergy(r.sellerDeliveredWh)}`} sub={`of ${formatEnergy(r.soldAuctionWh)} sold`} />
                  ) : isBuyer && r.buyerDeliveredWh !== null ? (
                    <Two main={`${formatEnergy(r.buyerDeliveredWh)}`} sub={`of ${formatEnergy(r.boughtAuctionWh)} bought`} />
                  ) : (
                    dash
                  )}
                </td>
                <td className="num py-1.5 pr-2" data-field="shortfall">
                  {r.sellerShortfallWh !== null && r.sellerShortfallWh > 0n ? (
                    <Two main={<span className="text-rose-700">{formatEnergy(r.sellerShortfallWh)}</span>} sub="not delivered" />
                  ) : r.buyerShortfallWh !== null && r.buyerShortfallWh > 0n ? (
                    <Two main={formatEnergy(r.buyerShortfallWh)} sub={`refunded ${formatPLC(r.refundWei)}`} />
                  ) : r.sellerShortfallWh === 0n || r.buyerShortfallWh === 0n ? (
                    "none"
                  ) : (
                    dash
                  )}
                </td>
                <td className="num py-1.5 pr-2" data-field="price">
                  {r.clearingPriceWeiPerKWh !== null ? formatPricePerKWh(r.clearingPriceWeiPerKWh, false) : dash}
                </td>
                <td className="num py-1.5 pr-2" data-field="money">
                  {r.receivedWei === 0n && r.paidWei === 0n ? (
                    r.escrowedWei > 0n ? (
                      // A bilateral take: escrowed at take time, paid for metered delivery at settlement.
                      <Two main={<span>{formatPLC(r.escrowedWei, undefined, false)}</span>} sub="escrowed, awaiting delivery" />
                    ) : r.channelWh > 0n ? (
                      // A channel-paid take: no escrow; the buyer streams the money through the hub as it is delivered.
                      <ChannelMoney r={r} />
                    ) : (
                      dash
                    )
                  ) : (
                    <Two
                      main={
                        r.receivedWei > 0n ? (
                          <span className="text-emerald-700">+{formatPLC(r.receivedWei, undefined, false)}</span>
                        ) : (
                          <span>−{formatPLC(r.paidWei, undefined, false)}</span>
                        )
                      }
                      sub={r.receivedWei > 0n && r.paidWei > 0n ? `paid ${formatPLC(r.paidWei, undefined, false)}` : r.receivedWei > 0n ? "received" : "paid"}
                    />
                  )}
                  {r.channelWh > 0n && (r.receivedWei > 0n || r.paidWei > 0n || r.escrowedWei > 0n) && (
                    <span className="block text-xs text-violet-700" data-testid="channel-money">
                      {r.channelPending || r.channelReceivedWei === r.channelPaidWei
                        ? `+ ${formatEnergy(r.channelWh)} paid through channels`
                        : r.channelReceivedWei > r.channelPaidWei
                          ? `+${formatPLC(r.channelReceivedWei - r.channelPaidWei, undefined, false)} through channels`
                          : `−${formatPLC(r.channelPaidWei - r.channelReceivedWei, undefined, false)} through channels`}
                    </span>
                  )}
                </td>
                <td className="num py-1.5 pr-2" data-field="charges">
                  {r.gridFeeWei === 0n && r.imbalanceWei === 0n ? (
                    dash
                  ) : (
                    <Two
                      main={`fee ${formatPLC(r.gridFeeWei, undefined, false)}`}
                      sub={
                        r.imbalanceWei > 0n ? (
                          <span className="text-rose-700">
                            imbalance {formatPLC(r.imbalanceWei, undefined, false)}
                            {r.debtWei > 0n ? ` (debt ${formatPLC(r.debtWei, undefined, false)})` : ""}
                          </span>
                        ) : undefined
                      }
                    />
                  )}
                </td>
                <td className="num py-1.5 pr-2 font-medium" data-field="net">
                  {settled && (r.receivedWei !== 0n || r.paidWei !== 0n || r.imbalanceWei !== 0n) ? (
                    <Two
                      main={<Plc wei={r.netWei} sign />}
                      sub={
                        r.savingsWei !== null && r.savingsWei !== 0n ? (
                          <span
                            className={`font-normal ${r.savingsWei > 0n ? "text-emerald-600" : "text-rose-600"}`}
                            title="Savings vs buying and selling the metered energy at the grid's retail and feed-in tariffs"
                          >
                            vs grid {r.savingsWei > 0n ? "+" : ""}
                            {formatPLC(r.savingsWei, undefined, false)}
                          </span>
                        ) : undefined
                      }
                    />
                  ) : (
                    dash
                  )}
                </td>
                <td className="num py-1.5 pr-2" data-field="grid">
                  {r.gridImportWh === null || !settled ? (
                    dash
                  ) : (
                    <Two
                      main={`↓ ${formatEnergy(r.gridImportWh)}`}
                      sub={`↑ ${formatEnergy(r.gridExportWh ?? 0)}`}
                    />
                  )}
                </td>
                <td className="num py-1.5 pr-2" data-field="certificates">
                  {r.certificatesWh > 0n ? formatEnergy(r.certificatesWh) : dash}
                </td>
                <td className="num py-1.5" data-field="score">
                  {r.creditScoreBps !== null ? (
                    <Two
                      main={formatBps(r.creditScoreBps)}
                      sub={
                        <span className={r.creditScoreDeltaBps! < 0 ? "text-rose-600" : r.creditScoreDeltaBps! > 0 ? "text-emerald-600" : ""}>
                          {formatPoints(r.creditScoreDeltaBps ?? 0)}
                        </span>
                      }
                    />
                  ) : (
                    dash
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function LanTable({ rows, current }: { rows: LanRow[]; current?: bigint }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[56rem] text-sm" data-testid="lan-table">
        <thead>
          <tr className="table-head border-b border-slate-100 text-xs text-slate-500">
            <th className="py-1 pr-2 text-left font-medium">Interval</th>
            <th className="py-1 pr-2 text-right font-medium">Price (PLC/kWh)</th>
            <th className="py-1 pr-2 text-right font-medium">Cleared</th>
            <th className="py-1 pr-2 text-right font-medium">Delivered</th>
            <th className="py-1 pr-2 text-right font-medium">Shortfall</th>
            <th className="py-1 pr-2 text-right font-medium">Imbalance (PLC)</th>
            <th className="py-1 pr-2 text-right font-medium">Certificates</th>
            <th className="py-1 pr-2 text-right font-medium">Meters</th>
            <th className="py-1 pr-2 text-right font-medium">Self-sufficiency</th>
            <th className="py-1 text-left font-medium">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const cleared = r.clearingPriceWeiPerKWh !== null || r.clearedWh > 0n;
            const status =
              current !== undefined && r.interval === current
                ? "delivering"
                : r.settled
                  ? "settled"
                  : cleared
                    ? "awaiting readings"
                    : r.meters > 0
                      ? "metered"
                      : "not cleared";
            return (
              <tr key={r.interval.toString()} className="border-b border-slate-50" data-testid={`lan-row-${r.interval}`}>
                <td className="py-1.5 pr-2 font-medium text-slate-800">#{r.interval.toString()}</td>
                <td className="num py-1.5 pr-2" data-field="price">
                  {r.clearingPriceWeiPerKWh !== null ? formatPricePerKWh(r.clearingPriceWeiPerKWh, false) : dash}
                </td>
                <td className="num py-1.5 pr-2" data-field="cleared">
                  {r.clearedWh > 0n ? formatEnergy(r.clearedWh) : dash}
                </td>
                <td className="num py-1.5 pr-2" data-field="delivered">
                  {r.deliveredWh > 0n || r.settled ? formatEnergy(r.deliveredWh) : dash}
                </td>
                <td className="num py-1.5 pr-2" data-field="shortfall">
                  {r.shortfallWh > 0n ? <span className="text-rose-700">{formatEnergy(r.shortfallWh)}</span> : dash}
                </td>
                <td className="num py-1.5 pr-2" data-field="imbalance">
                  {r.imbalanceWei > 0n ? formatPLC(r.imbalanceWei, undefined, false) : dash}
                </td>
                <td className="num py-1.5 pr-2" data-field="certificates">
                  {r.certificatesWh > 0n ? formatEnergy(r.certificatesWh) : dash}
                </td>
                <td className="num py-1.5 pr-2" data-field="meters">
                  {r.meters > 0 ? (
                    <Two main={r.meters} sub={`↑ ${formatEnergy(r.exportedWh)} ↓ ${formatEnergy(r.importedWh)}`} />
                  ) : (
                    dash
                  )}
                </td>
                <td className="num py-1.5 pr-2" data-field="self-sufficiency">
                  {r.selfSufficiencyBps !== null ? formatBps(r.selfSufficiencyBps) : dash}
                </td>
                <td className="py-1.5 text-xs text-slate-600" data-field="status">
                  {status}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
