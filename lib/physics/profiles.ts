/**
 * Physics of a household in the energy LAN: rooftop PV generation and household load per
 * metering interval (15 min by default), deterministic from a seed.
 *
 * - PV: clear-sky global horizontal irradiance from the sun's position (declination and hour
 *   angle for the site's latitude and day of year; Haurwitz clear-sky model), times the array's
 *   peak power and a performance ratio, times a cloud factor that follows a slow random walk
 *   (AR(1)) so cloudy spells last a while.
 * - Load: a base load plus a morning and an evening peak (Gaussian bumps), scaled to the
 *   household's yearly consumption, with multiplicative noise.
 * - Battery (optional): charges from PV surplus, discharges into the household's deficit,
 *   limited by capacity and power, with a round-trip efficiency.
 *
 * The meter sees only the net: `exportedWh` (surplus after the battery) and `importedWh`.
 */
import { createRng, type Rng } from "./random.ts";

export const DEFAULT_METERING_INTERVAL_MINUTES = 15;

export type SiteOptions = {
  /** Latitude in degrees (positive north). Default: 48.1 (a central European town). */
  latitudeDeg?: number;
  /** Day of year 1..365. Default 172 (21 June). */
  dayOfYear?: number;
  /** Metering interval length in minutes. Default 15. */
  intervalMinutes?: number;
};

export type HouseholdSpec = {
  id: string;
  /** Peak power of the PV array in kW (0: no PV, a plain consumer). */
  pvKWp: number;
  /** Yearly electricity use in kWh. */
  annualLoadKWh: number;
  /** Battery capacity in kWh (0 or absent: no battery). */
  batteryKWh?: number;
  /** Battery charge/discharge power limit in kW. Default: half the capacity per hour. */
  batteryPowerKW?: number;
};

export type IntervalEnergy = {
  /** Interval number within the simulated period, 0-based. */
  index: number;
  /** Start of the interval in minutes after local midnight of the first day. */
  startMinute: number;
  pvWh: number;
  loadWh: number;
  /** Energy into (+) / out of (−) the battery during the interval. */
  batteryWh: number;
  /** Battery state of charge at the end of the interval, Wh. */
  batterySocWh: number;
  /** What the meter records: energy sent to the feeder. */
  exportedWh: number;
  /** What the meter records: energy taken from the feeder. */
  importedWh: number;
};

const DEG = Math.PI / 180;

/** Cosine of the solar zenith angle at `minuteOfDay` (local solar time), 0 when the sun is down. */
export function cosSolarZenith(latitudeDeg: number, dayOfYear: number, minuteOfDay: number): number {
  const declination = 23.45 * DEG * Math.sin((2 * Math.PI * (284 + dayOfYear)) / 365);
  const hourAngle = ((minuteOfDay / 60 - 12) * 15) * DEG;
  const phi = latitudeDeg * DEG;
  const cosZ = Math.sin(phi) * Math.sin(declination) + Math.cos(phi) * Math.cos(declination) * Math.cos(hourAngle);
  return Math.max(0, cosZ);
}

/** Clear-sky global horizontal irradiance in W/m² (Haurwitz model). */
export function clearSkyIrradiance(cosZ: number): number {
  if (cosZ <= 0.01) return 0;
  return 1098 * cosZ * Math.exp(-0.057 / cosZ);
}

function rawLoadShape(minuteOfDay: number): number {
  const h = minuteOfDay / 60;
  const bump = (centre: number, width: number, height: number) =>
    height * Math.exp(-0.5 * ((h - centre) / width) ** 2);
  // base + morning peak (07:30) + lunch (12:30) + evening peak (19:00)
  const raw = 0.55 + bump(7.5, 1.0, 0.9) + bump(12.5, 1.2, 0.35) + bump(19, 1.6, 1.3);
  return raw;
}

/** Daily mean of the raw shape, so `loadShape` averages exactly 1 over a day. */
const LOAD_SHAPE_MEAN = (() => {
  let sum = 0;
  for (let minute = 0; minute < 1440; minute++) sum += rawLoadShape(minute + 0.5);
  return sum / 1440;
})();

/** Relative household load shape at a minute of the day (daily mean 1). */
export function loadShape(minuteOfDay: number): number {
  return rawLoadShape(minuteOfDay) / LOAD_SHAPE_MEAN;
}

const PERFORMANCE_RATIO = 0.8;
const BATTERY_ROUND_TRIP = 0.9;

/**
 * Simulate one household for `intervals` consecutive metering intervals starting at local
 * midnight of `site.dayOfYear` (days roll over). Deterministic for the same `rng` state.
 */
export function simulateHousehold(spec: HouseholdSpec, intervals: number, site: SiteOptions, rng: Rng): IntervalEnergy[] {
  const latitudeDeg = site.latitudeDeg ?? 48.1;
  const firstDay = site.dayOfYear ?? 172;
  const minutes = site.intervalMinutes ?? DEFAULT_METERING_INTERVAL_MINUTES;
  const hours = minutes / 60;
  const meanLoadKW = spec.annualLoadKWh / 8760;
  const capacityWh = (spec.batteryKWh ?? 0) * 1000;
  const powerLimitWh = (spec.batteryPowerKW ?? (spec.batteryKWh ?? 0) / 2) * 1000 * hours;

  let cloud = rng.next() * 0.4; // 0 clear … 1 overcast
  let socWh = capacityWh / 2;
  const out: IntervalEnergy[] = [];
  for (let i = 0; i < intervals; i++) {
    const startMinute = i * minutes;
    const midMinute = (startMinute + minutes / 2) % 1440;
    const day = firstDay + Math.floor(startMinute / 1440);
    const dayOfYear = ((day - 1) % 365) + 1;

    // Clouds: AR(1) around a mean of 0.3, kept in [0, 1].
    cloud = Math.min(1, Math.max(0, 0.3 + 0.92 * (cloud - 0.3) + 0.12 * rng.normal()));
    const cloudFactor = 1 - 0.75 * cloud;
    const irradiance = clearSkyIrradiance(cosSolarZenith(latitudeDeg, dayOfYear, midMinute));
    const pvWh = spec.pvKWp * (irradiance / 1000) * PERFORMANCE_RATIO * cloudFactor * hours * 1000;

    const noise = Math.max(0.3, 1 + 0.2 * rng.normal());
    const loadWh = meanLoadKW * loadShape(midMinute) * noise * hours * 1000;

    let net = pvWh - loadWh; // + surplus, − deficit
    let batteryWh = 0;
    if (capacityWh > 0) {
      if (net > 0) {
        const charge = Math.min(net, powerLimitWh, (capacityWh - socWh) / Math.sqrt(BATTERY_ROUND_TRIP));
        socWh += charge * Math.sqrt(BATTERY_ROUND_TRIP);
        batteryWh = charge;
        net -= charge;
      } else if (net < 0) {
        const discharge = Math.min(-net, powerLimitWh, socWh * Math.sqrt(BATTERY_ROUND_TRIP));
        socWh -= discharge / Math.sqrt(BATTERY_ROUND_TRIP);
        batteryWh = -discharge;
        net += discharge;
      }
    }
    out.push({
      index: i,
      startMinute,
      pvWh: Math.round(pvWh),
      loadWh: Math.round(loadWh),
      batteryWh: Math.round(batteryWh),
      batterySocWh: Math.round(socWh),
      exportedWh: Math.max(0, Math.round(net)),
      importedWh: Math.max(0, Math.round(-net)),
    });
  }
  return out;
}

/** A default mix of households for a LAN of `count`: about half prosumers (some with batteries). */
export function defaultHouseholds(count: number, seed: number | string): HouseholdSpec[] {
  const rng = createRng(`households:${seed}`);
  const specs: HouseholdSpec[] = [];
  for (let i = 0; i < count; i++) {
    const prosumer = i % 2 === 0;
    const pvKWp = prosumer ? Math.round((3 + rng.next() * 7) * 10) / 10 : 0;
    const annualLoadKWh = Math.round(2000 + rng.next() * 3500);
    const batteryKWh = prosumer && i % 6 === 0 ? 5 + Math.round(rng.next() * 5) : 0;
    specs.push({ id: `household-${i + 1}`, pvKWp, annualLoadKWh, batteryKWh });
  }
  return specs;
}

/** Simulate a whole LAN; households get independent noise streams from one seed. */
export function simulateLan(
  households: HouseholdSpec[],
  intervals: number,
  site: SiteOptions,
  seed: number | string,
): Map<string, IntervalEnergy[]> {
  const root = createRng(`lan:${seed}`);
  const result = new Map<string, IntervalEnergy[]>();
  for (const spec of households) result.set(spec.id, simulateHousehold(spec, intervals, site, root.fork(spec.id)));
  return result;
}
