"use client";

/** The open interval (delivery window, countdown to gate closure) and a selector for the following ones. */
import type { IntervalTiming } from "@/lib/app/intervals";
import { secondsToGate } from "@/lib/app/intervals";
import { formatClock, formatCountdown, formatDuration, formatWindow } from "@/lib/format";
import type { MarketParams } from "@/lib/hooks/useMarket";

export function IntervalBar({
  open,
  selected,
  onSelect,
  now,
  params,
  paused,
}: {
  open: IntervalTiming[];
  selected?: IntervalTiming;
  onSelect: (interval: bigint) => void;
  now: number;
  params?: MarketParams;
  paused?: boolean;
}) {
  const first = open[0];
  const length = params?.intervalSeconds ?? 0;
  const left = selected ? secondsToGate(selected, now) : 0;
  const urgent = left > 0 && left <= 30;
  return (
    <section className="card flex flex-wrap items-center gap-x-6 gap-y-3 p-4" data-testid="interval-bar">
      <div className="min-w-[14rem]">
        <p className="card-title">{selected && first && selected.interval === first.interval ? "Open interval" : "Trading for interval"}</p>
        {selected ? (
          <p className="mt-0.5 text-lg font-semibold text-slate-900">
            #{selected.interval.toString()}{" "}
            <span className="font-normal text-slate-500">
              · delivery {formatWindow(selected.startTime, length)}
              {length > 0 && <span className="text-sm"> ({formatDuration(length)})</span>}
            </span>
          </p>
        ) : (
          <p className="mt-0.5 h-7 w-48 animate-pulse rounded bg-slate-100" />
        )}
      </div>
      <div>
        <p className="card-title">Gate closes in</p>
        <p
          className={`num mt-0.5 text-left text-lg font-semibold ${urgent ? "text-rose-600" : "text-slate-900"}`}
          data-testid="gate-countdown"
          title={selected ? `Orders accepted until ${formatClock(selected.gateClosureTime)}` : undefined}
        >
          {selected ? formatCountdown(left) : "–:––"}
          {selected && <span className="ml-2 text-sm font-normal text-slate-500">at {formatClock(selected.gateClosureTime)}</span>}
        </p>
      </div>
      {paused && (
        <span className="badge bg-rose-100 text-rose-800" data-testid="paused-badge">
          Trading paused by the regulator
        </span>
      )}
      <div className="ml-auto">
        <p className="card-title mb-1">Intervals open for orders</p>
        <div className="flex flex-wrap gap-1" role="tablist" aria-label="Delivery interval">
          {open.slice(0, 5).map((t) => {
            const active = selected?.interval === t.interval;
            return (
              <button
                key={t.interval.toString()}
                type="button"
                role="tab"
                aria-selected={active}
                data-testid={`interval-tab-${t.interval.toString()}`}
                onClick={() => onSelect(t.interval)}
                className={`rounded-lg border px-2.5 py-1 text-xs font-medium ${
                  active ? "border-emerald-600 bg-emerald-600 text-white" : "border-slate-200 bg-white text-slate-700 hover:bg-slate-50"
                }`}
              >
                {formatClock(t.startTime)}
              </button>
            );
          })}
        </div>
      </div>
    </section>
  );
}
