/**
 * Geometry of the depth chart (pure, unit-tested): supply and demand as step curves — x is the
 * cumulative energy in merit order, y the price — plus axis ticks, in SVG coordinates.
 */
/** One step of a curve: up to `cumulativeWh` (merit order) the marginal price is `priceWeiPerKWh`. */
export interface DepthPoint {
  priceWeiPerKWh: number;
  cumulativeWh: number;
}

/** The curves of lib/market/clearing.ts's `supplyDemandCurves` (bigint) as chart numbers. */
export function toDepthPoints(steps: readonly { priceWeiPerKWh: bigint; cumulativeWh: bigint }[]): DepthPoint[] {
  return steps.map((s) => ({ priceWeiPerKWh: Number(s.priceWeiPerKWh), cumulativeWh: Number(s.cumulativeWh) }));
}

export interface ChartBox {
  width: number;
  height: number;
  /** Inner margins for the axes. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface DepthGeometry {
  demandPath: string;
  supplyPath: string;
  /** Largest cumulative energy shown (Wh). */
  maxWh: number;
  minPrice: number;
  maxPrice: number;
  x(wh: number): number;
  y(priceWeiPerKWh: number): number;
  energyTicks: number[];
  priceTicks: number[];
}

/** Round numbers between min and max (about `count` of them): 1, 2, 2.5 or 5 × 10^k steps. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * SVG path of one side's step curve: a horizontal run per price level from the previous cumulative
 * energy to this level's, joined by vertical steps.
 */
function stepPath(levels: readonly DepthPoint[], x: (wh: number) => number, y: (p: number) => number): string {
  if (levels.length === 0) return "";
  const parts: string[] = [];
  let from = 0;
  levels.forEach((level, i) => {
    const yy = y(level.priceWeiPerKWh).toFixed(1);
    parts.push(i === 0 ? `M${x(from).toFixed(1)},${yy}` : `V${yy}`);
    parts.push(`H${x(level.cumulativeWh).toFixed(1)}`);
    from = level.cumulativeWh;
  });
  return parts.join(" ");
}

export function depthChartGeometry(
  bids: readonly DepthPoint[],
  offers: readonly DepthPoint[],
  box: ChartBox,
  clearingPriceWeiPerKWh?: number | null,
): DepthGeometry {
  const prices = [...bids, ...offers].map((l) => l.priceWeiPerKWh);
  if (clearingPriceWeiPerKWh != null) prices.push(clearingPriceWeiPerKWh);
  const lo = prices.length ? Math.min(...prices) : 0;
  const hi = prices.length ? Math.max(...prices) : 1;
  const margin = hi > lo ? (hi - lo) * 0.12 : Math.max(hi * 0.1, 1);
  const minPrice = Math.max(0, lo - margin);
  const maxPrice = hi + margin;
  const totalWh = Math.max(bids.at(-1)?.cumulativeWh ?? 0, offers.at(-1)?.cumulativeWh ?? 0);
  const maxWh = totalWh > 0 ? totalWh * 1.05 : 1000;

  const innerW = box.width - box.left - box.right;
  const innerH = box.height - box.top - box.bottom;
  const x = (wh: number) => box.left + (wh / maxWh) * innerW;
  const y = (p: number) => box.top + (1 - (p - minPrice) / (maxPrice - minPrice)) * innerH;

  return {
    demandPath: stepPath(bids, x, y),
    supplyPath: stepPath(offers, x, y),
    maxWh,
    minPrice,
    maxPrice,
    x,
    y,
    energyTicks: niceTicks(0, maxWh, 5).filter((t) => t <= maxWh),
    priceTicks: niceTicks(minPrice, maxPrice, 4).filter((t) => t >= minPrice && t <= maxPrice),
  };
}
