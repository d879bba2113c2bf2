/**
 * Costs and savings of the simulated energy LAN (`npm run simulate`). Pure; money in PLC base
 * units (6 decimals), energy in Wh, tariffs in base units per kWh.
 *
 * For household h in interval i, with its meter's import I and export X:
 *  - grid only (no PowerLAN): cost = retail × I − feedIn × X.
 *  - with PowerLAN: it paid `paidWei` for `boughtWh` delivered to it by neighbours (settlement,
 *    bids), received `receivedWei` (net of zone grid fees) for `soldWh` it delivered, and was charged
 *    `imbalanceWei` for its shortfall; the rest goes to/from the grid at the same tariffs:
 *    cost = paid − received + imbalance + retail × max(0, I − bought) − feedIn × max(0, X − sold).
 *    (Energy a buyer bought but did not use went to the grid unpaid: that is its forecast risk.)
 * Savings % = (Σ grid-only cost − Σ PowerLAN cost) / |Σ grid-only cost| × 100, over all households
 * and intervals.
 * Self-sufficiency % = share of the households' consumption (load) covered inside the LAN:
 *    (Σ load − Σ residual grid import) / Σ load × 100, residual grid import = max(0, I − bought):
 *    what the meter imported and no neighbour delivered. Own PV (directly or via the battery) and
 *    energy bought from neighbours count as local; energy that flowed between neighbours without a
 *    trade does not (it was paid to the grid).
 */

export interface HouseholdInterval {
  importedWh: number;
  exportedWh: number;
  loadWh: number;
  boughtWh: number;
  paidWei: number;
  soldWh: number;
  receivedWei: number;
  imbalanceWei: number;
}

export interface Costs {
  gridOnlyWei: number;
  lanWei: number;
  residualImportWh: number;
  residualExportWh: number;
}

export function intervalCosts(h: HouseholdInterval, tariffs: { retailWeiPerKWh: number; feedInWeiPerKWh: number }): Costs {
  const residualImportWh = Math.max(0, h.importedWh - h.boughtWh);
  const residualExportWh = Math.max(0, h.exportedWh - h.soldWh);
  const gridOnlyWei = (tariffs.retailWeiPerKWh * h.importedWh - tariffs.feedInWeiPerKWh * h.exportedWh) / 1000;
  const lanWei =
    h.paidWei -
    h.receivedWei +
    h.imbalanceWei +
    (tariffs.retailWeiPerKWh * residualImportWh - tariffs.feedInWeiPerKWh * residualExportWh) / 1000;
  return { gridOnlyWei, lanWei, residualImportWh, residualExportWh };
}

/** Running totals of one household or of the LAN. */
export class CostTotals {
  gridOnlyWei = 0;
  lanWei = 0;
  importedWh = 0;
  exportedWh = 0;
  loadWh = 0;
  boughtWh = 0;
  soldWh = 0;
  residualImportWh = 0;
  residualExportWh = 0;
  imbalanceWei = 0;

  add(h: HouseholdInterval, c: Costs): void {
    this.gridOnlyWei += c.gridOnlyWei;
    this.lanWei += c.lanWei;
    this.importedWh += h.importedWh;
    this.exportedWh += h.exportedWh;
    this.loadWh += h.loadWh;
    this.boughtWh += h.boughtWh;
    this.soldWh += h.soldWh;
    this.residualImportWh += c.residualImportWh;
    this.residualExportWh += c.residualExportWh;
    this.imbalanceWei += h.imbalanceWei;
  }

  get savingsPct(): number {
    return this.gridOnlyWei === 0 ? 0 : ((this.gridOnlyWei - this.lanWei) / Math.abs(this.gridOnlyWei)) * 100;
  }

  get selfSufficiencyPct(): number {
    return this.loadWh === 0 ? 0 : ((this.loadWh - this.residualImportWh) / this.loadWh) * 100;
  }
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;
