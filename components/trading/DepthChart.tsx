"use client";

/**
 * Depth chart: demand (bids, best first) and supply (offers, cheapest first) as step curves over
 * cumulative energy, with the uniform price the reference auction (lib/market/clearing.ts)
 * previews for this book.
 */
import { useMemo } from "react";
import { depthChartGeometry, type DepthPoint } from "@/lib/app/depthChart";
import { formatEnergy, formatPricePerKWh, formatUnitsFixed } from "@/lib/format";

const BOX = { width: 640, height: 240, left: 56, right: 16, top: 12, bottom: 34 };

export function DepthChart({
  demand,
  supply,
  previewPriceWeiPerKWh,
  previewClearedWh,
}: {
  demand: DepthPoint[];
  supply: DepthPoint[];
  previewPriceWeiPerKWh: number | null;
  previewClearedWh: number;
}) {
  const g = useMemo(() => depthChartGeometry(demand, supply, BOX, previewPriceWeiPerKWh), [demand, supply, previewPriceWeiPerKWh]);
  const empty = demand.length === 0 && supply.length === 0;
  const kWhTicks = g.maxWh >= 1000;
  return (
    <figure className="w-full" data-testid="depth-chart">
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} className="h-auto w-full" role="img" aria-label="Supply and demand curves">
        {/* grid + axes */}
        {!empty && g.priceTicks.map((p) => (
          <g key={`p${p}`}>
            <line x1={BOX.left} x2={BOX.width - BOX.right} y1={g.y(p)} y2={g.y(p)} className="stroke-slate-100" />
            <text x={BOX.left - 6} y={g.y(p) + 3} textAnchor="end" className="fill-slate-400 text-[10px]">
              {formatUnitsFixed(BigInt(Math.round(p)), 6, 2)}
            </text>
          </g>
        ))}
        {!empty && g.energyTicks.map((e) => (
          <text key={`e${e}`} x={g.x(e)} y={BOX.height - BOX.bottom + 14} textAnchor="middle" className="fill-slate-400 text-[10px]">
            {kWhTicks ? formatUnitsFixed(BigInt(Math.round(e)), 3, 1) : Math.round(e)}
          </text>
        ))}
        <line x1={BOX.left} x2={BOX.width - BOX.right} y1={BOX.height - BOX.bottom} y2={BOX.height - BOX.bottom} className="stroke-slate-300" />
        <line x1={BOX.left} x2={BOX.left} y1={BOX.top} y2={BOX.height - BOX.bottom} className="stroke-slate-300" />
        <text x={(BOX.left + BOX.width - BOX.right) / 2} y={BOX.height - 4} textAnchor="middle" className="fill-slate-500 text-[10px]">
          cumulative energy ({kWhTicks ? "kWh" : "Wh"})
        </text>
        <text x={12} y={(BOX.top + BOX.height - BOX.bottom) / 2} textAnchor="middle" className="fill-slate-500 text-[10px]" transform={`rotate(-90 12 ${(BOX.top + BOX.height - BOX.bottom) / 2})`}>
          price (PLC/kWh)
        </text>

        {empty && (
          <text x={(BOX.left + BOX.width) / 2} y={BOX.height / 2} textAnchor="middle" className="fill-slate-400 text-[12px]">
            No orders in this interval yet
          </text>
        )}

        {/* preview clearing point */}
        {previewPriceWeiPerKWh !== null && (
          <g data-testid="depth-clearing">
            <line
              x1={BOX.left}
              x2={BOX.width - BOX.right}
              y1={g.y(previewPriceWeiPerKWh)}
              y2={g.y(previewPriceWeiPerKWh)}
              className="stroke-emerald-500"
              strokeDasharray="5 4"
            />
            <line
              x1={g.x(previewClearedWh)}
              x2={g.x(previewClearedWh)}
              y1={BOX.top}
              y2={BOX.height - BOX.bottom}
              className="stroke-emerald-300"
              strokeDasharray="2 4"
            />
            <circle cx={g.x(previewClearedWh)} cy={g.y(previewPriceWeiPerKWh)} r={4} className="fill-emerald-600" />
          </g>
        )}

        <path d={g.demandPath} fill="none" strokeWidth={2.5} className="stroke-sky-600" strokeLinejoin="round" />
        <path d={g.supplyPath} fill="none" strokeWidth={2.5} className="stroke-amber-500" strokeLinejoin="round" />
      </svg>
      <figcaption className="mt-1 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600">
        <span className="flex items-center gap-1.5">
          <span className="h-0.5 w-4 bg-sky-600" /> demand (bids)
        </span>
        <span className="flex items-center gap-1.5">
          <span className="h-0.5 w-4 bg-amber-500" /> supply (offers)
        </span>
        <span className="ml-auto" data-testid="preview-price">
          {previewPriceWeiPerKWh !== null ? (
            <>
              Preview: <b className="text-emerald-700">{formatPricePerKWh(previewPriceWeiPerKWh)}</b> for {formatEnergy(previewClearedWh)}{" "}
              if the gate closed now
            </>
          ) : empty ? (
            "No preview yet"
          ) : (
            "No bid meets an offer yet: nothing would clear"
          )}
        </span>
      </figcaption>
    </figure>
  );
}
