import { describe, expect, it } from "vitest";
import { createRng } from "../../lib/physics/random.ts";
import {
  clearSkyIrradiance,
  cosSolarZenith,
  defaultHouseholds,
  loadShape,
  simulateHousehold,
  simulateLan,
} from "../../lib/physics/profiles.ts";

describe("physics: PV and load profiles", () => {
  it("the sun is down at midnight and highest near solar noon", () => {
    expect(cosSolarZenith(48.1, 172, 0)).toBe(0);
    const noon = cosSolarZenith(48.1, 172, 720);
    expect(noon).toBeGreaterThan(cosSolarZenith(48.1, 172, 600));
    // 21 June at 48.1° N: zenith = 48.1 − 23.45 ≈ 24.7°
    expect(noon).toBeCloseTo(Math.cos((24.65 * Math.PI) / 180), 2);
    // Winter noon is lower than summer noon.
    expect(cosSolarZenith(48.1, 355, 720)).toBeLessThan(noon);
    expect(clearSkyIrradiance(noon)).toBeGreaterThan(900);
    expect(clearSkyIrradiance(0)).toBe(0);
  });

  it("the load shape averages 1 over a day and peaks in the evening", () => {
    let sum = 0;
    for (let minute = 0; minute < 1440; minute++) sum += loadShape(minute + 0.5);
    expect(sum / 1440).toBeCloseTo(1, 4);
    expect(loadShape(19 * 60)).toBeGreaterThan(loadShape(3 * 60) * 2);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const households = defaultHouseholds(6, 1);
    const a = simulateLan(households, 96, {}, 1);
    const b = simulateLan(households, 96, {}, 1);
    const c = simulateLan(households, 96, {}, 2);
    expect(a).toEqual(b);
    expect(a.get("household-1")).not.toEqual(c.get("household-1"));
  });

  it("meters see net energy: export only with surplus, never both", () => {
    const rng = createRng(7);
    const day = simulateHousehold({ id: "h", pvKWp: 6, annualLoadKWh: 4000 }, 96, {}, rng);
    expect(day).toHaveLength(96);
    for (const interval of day) {
      expect(interval.exportedWh === 0 || interval.importedWh === 0).toBe(true);
      expect(Math.abs(interval.exportedWh - interval.importedWh - (interval.pvWh - interval.loadWh - interval.batteryWh))).toBeLessThanOrEqual(2);
    }
    const night = day.slice(0, 12); // 00:00–03:00
    expect(night.every((i) => i.pvWh === 0 && i.exportedWh === 0 && i.importedWh > 0)).toBe(true);
    const pvTotal = day.reduce((s, i) => s + i.pvWh, 0);
    // 6 kWp on a June day: between 15 and 45 kWh.
    expect(pvTotal).toBeGreaterThan(15_000);
    expect(pvTotal).toBeLessThan(45_000);
  });

  it("a battery shifts surplus into the evening and stays within its capacity", () => {
    const spec = { id: "b", pvKWp: 8, annualLoadKWh: 4000, batteryKWh: 10 };
    const withBattery = simulateHousehold(spec, 96, {}, createRng(3));
    const without = simulateHousehold({ ...spec, batteryKWh: 0 }, 96, {}, createRng(3));
    const sum = (xs: typeof withBattery, key: "importedWh" | "exportedWh") => xs.reduce((s, i) => s + i[key], 0);
    expect(sum(withBattery, "importedWh")).toBeLessThan(sum(without, "importedWh"));
    expect(sum(withBattery, "exportedWh")).toBeLessThan(sum(without, "exportedWh"));
    for (const interval of withBattery) {
      expect(interval.batterySocWh).toBeGreaterThanOrEqual(0);
      expect(interval.batterySocWh).toBeLessThanOrEqual(10_000);
    }
  });
});
