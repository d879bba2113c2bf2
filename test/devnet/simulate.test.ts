/**
 * `npm run simulate`: a short run around noon on the in-process network (real contracts, readings,
 * quorum, settlement), the JSON it writes, its CLI errors; and the strategy/accounting rules alone.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../lib/devnet/processes.ts";
import { intervalCosts } from "../../lib/sim/accounting.ts";
import type { SimulateResult } from "../../lib/sim/run.ts";
import { DEFAULT_STRATEGY, forecastPvAndLoad, planOrder } from "../../lib/sim/strategy.ts";

const SCRIPT = path.join(PROJECT_ROOT, "scripts", "simulate.ts");

describe("npm run simulate", { timeout: 240_000 }, () => {
  it("runs 10 households × 3 noon intervals: trades settle on delivery, nothing fails, the JSON adds up", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-sim-"));
    const file = path.join(dir, "sim.json");
    try {
      const r = spawnSync(process.execPath, [SCRIPT, "--households", "10", "--intervals", "3", "--seed", "7", "--start-time", "11:00", "--json", file], {
        encoding: "utf8",
        timeout: 200_000,
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /\[1\/3\] 11:00/);
      const result = JSON.parse(fs.readFileSync(file, "utf8")) as SimulateResult;
      const t = result.totals;
      for (const key of ["savingsPct", "selfSufficiencyPct", "failedSettlements", "gasPerSettledTrade", "wallSeconds"] as const) {
        assert.equal(typeof t[key], "number", key);
      }
      assert.equal(result.intervals.length, 3);
      assert.equal(result.households.length, 10);
      assert.equal(t.failedSettlements, 0);
      assert.equal(t.unsettledOrdersLeft, 0);
      assert.ok(t.settledTrades > 0 && t.tradedWh > 0, "noon in June: prosumers sell to consumers");
      assert.ok(t.deliveredWh <= t.tradedWh);
      assert.equal(t.deliveredWh + t.shortfallWh, t.tradedWh, "every sold Wh is delivered or short");
      assert.equal(t.certificatesWh, t.deliveredWh, "certificates exactly for delivered energy");
      assert.equal(t.settledOrders, t.ordersPlaced, "every auction order settled once");
      assert.ok(t.gas.consensus > 0 && t.gas.transaction > 0 && t.gas.contract > 0);
      assert.ok(t.savingsPct > 0, `savings ${t.savingsPct}`);
      for (const f of result.intervals) {
        // buyers pay at least what sellers receive plus the grid fees (rounding dust goes to the DSO)
        assert.ok(f.buyersPaidWei >= f.sellersReceivedWei + f.gridFeesWei, `interval ${f.interval}`);
        if (f.clearingPriceWeiPerKWh !== null) {
          assert.ok(f.clearingPriceWeiPerKWh >= result.tariffs.feedInWeiPerKWh && f.clearingPriceWeiPerKWh <= result.tariffs.retailWeiPerKWh);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--help explains itself; a bad argument is a clear error with exit code 2", () => {
    const help = spawnSync(process.execPath, [SCRIPT, "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: npm run simulate/);
    const bad = spawnSync(process.execPath, [SCRIPT, "--households", "0"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--households must be a whole number from 1/);
    const badTime = spawnSync(process.execPath, [SCRIPT, "--start-time", "11:05"], { encoding: "utf8" });
    assert.equal(badTime.status, 2);
    assert.match(badTime.stderr, /--start-time must be HH:MM on a quarter hour/);
  });
});

describe("simulation strategy and accounting", () => {
  const tariffs = { retailWeiPerKWh: 300_000, feedInWeiPerKWh: 80_000 };
  const limits = { minOrderWh: 10, priceFloorWeiPerKWh: 10_000, priceCapWeiPerKWh: 1_000_000, canSell: true };
  const who = { askFactor: 0.3, bidFactor: 0.8 };

  it("offers a share of a forecast surplus above feed-in, bids for a share of a deficit below retail", () => {
    const offer = planOrder({ pvWh: 1000, loadWh: 200, netWh: 800, batterySocWh: 0 }, who, tariffs, limits);
    assert.deepEqual(offer, { side: "offer", priceWeiPerKWh: 80_000 + 0.3 * 220_000, energyWh: Math.floor(800 * DEFAULT_STRATEGY.sellShare) });
    const bid = planOrder({ pvWh: 0, loadWh: 300, netWh: -300, batterySocWh: 0 }, who, tariffs, limits);
    assert.deepEqual(bid, { side: "bid", priceWeiPerKWh: 80_000 + 0.8 * 220_000, energyWh: Math.floor(300 * DEFAULT_STRATEGY.buyShare) });
    assert.equal(planOrder({ pvWh: 0, loadWh: 5, netWh: -5, batterySocWh: 0 }, who, tariffs, limits), null, "below the minimum");
    assert.equal(planOrder({ pvWh: 900, loadWh: 100, netWh: 800, batterySocWh: 0 }, who, tariffs, { ...limits, canSell: false }), null, "consumers do not sell");
  });

  it("forecasts no PV at night and some at noon", () => {
    const spec = { id: "h", pvKWp: 5, annualLoadKWh: 3500 };
    const place = { dayOfYear: 172, intervalMinutes: 15, latitudeDeg: 48.1 };
    assert.equal(forecastPvAndLoad(spec, { ...place, midMinute: 7.5 }).pvWh, 0);
    assert.ok(forecastPvAndLoad(spec, { ...place, midMinute: 12 * 60 + 7.5 }).pvWh > 500);
  });

  it("costs: grid only vs PowerLAN for a buyer and a short seller", () => {
    const buyer = intervalCosts({ importedWh: 1000, exportedWh: 0, loadWh: 1000, boughtWh: 600, paidWei: 120_000, soldWh: 0, receivedWei: 0, imbalanceWei: 0 }, tariffs);
    assert.deepEqual(buyer, { gridOnlyWei: 300_000, lanWei: 120_000 + 0.4 * 300_000, residualImportWh: 400, residualExportWh: 0 });
    const seller = intervalCosts({ importedWh: 0, exportedWh: 500, loadWh: 100, boughtWh: 0, paidWei: 0, soldWh: 500, receivedWei: 85_000, imbalanceWei: 40_000 }, tariffs);
    assert.deepEqual(seller, { gridOnlyWei: -40_000, lanWei: -85_000 + 40_000, residualImportWh: 0, residualExportWh: 0 });
  });
});
