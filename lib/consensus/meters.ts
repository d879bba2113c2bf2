/**
 * Simulated smart meters of the energy LAN: which households there are, each meter's key, and
 * each meter's reading of any market interval — deterministic from a seed, from lib/physics.
 *
 * Households: the demo LAN's metered participants first (the aggregator and households 1–8 of
 * lib/devnet/accounts.ts, with their PUBLIC devnet meter keys), then as many generated households
 * as asked (lib/physics `defaultHouseholds`), whose meter keys are derived the same way:
 * privateKey = keccak256("PowerLAN devnet meter <i>") with i = 20, 21, … (past the 20 dev accounts).
 * SECURITY: every meter key here is PUBLIC — devnet and tests only.
 *
 * Time: interval i covers [genesisTime + i·intervalSeconds, + intervalSeconds). Each household is
 * simulated a whole day at a time (clouds and battery start fresh each day, from a generator
 * forked by (seed, household, day)), so the reading of interval i is a pure function of
 * (seed, household, i) — whichever intervals are asked for and in whatever order. The sun is
 * placed by UTC time of day (a site near longitude 0). Exports are clipped at the inverter rating.
 * Browser-safe (no Node imports).
 */
import { keccak256, toHex, type Address, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { DEV_ACCOUNTS, METER_KEY_LABEL } from "../devnet/accounts.ts";
import { defaultHouseholds, simulateHousehold, type HouseholdSpec, type IntervalEnergy } from "../physics/profiles.ts";
import { createRng } from "../physics/random.ts";
import { domainSeparator, signReading, type MeterLedgerDomain, type MeterReading, type SignedReading } from "./readings.ts";

/** A simulated household with its meter. */
export interface SimulatedMeter {
  /** Stable id, e.g. "household-1", "aggregator", "household-10". */
  id: string;
  name: string;
  /** i in keccak256("PowerLAN devnet meter <i>"). */
  meterKeyIndex: number;
  meter: Address;
  /** PUBLIC devnet key. */
  meterKey: Hex;
  /** The dev account the meter is bound to on the devnet, if it is one of the demo's. */
  account: Address | null;
  household: HouseholdSpec;
  /** Inverter / connection rating in kW: exports are clipped at this power. */
  ratedExportKW: number;
}

/** The meter key of index i: keccak256(utf8(`PowerLAN devnet meter ${i}`)). PUBLIC, devnet only. */
export function devnetMeterKey(index: number): { address: Address; privateKey: Hex } {
  const privateKey = keccak256(toHex(`${METER_KEY_LABEL} ${index}`));
  return { address: privateKeyToAddress(privateKey), privateKey };
}

/** Yearly load and battery of the demo's metered participants (by dev account index). */
const DEMO_PROFILE: Record<number, { annualLoadKWh: number; batteryKWh?: number; ratedExportKW?: number }> = {
  3: { annualLoadKWh: 9000, batteryKWh: 40, ratedExportKW: 30 }, // aggregator: school roof + community battery
  8: { annualLoadKWh: 3500 }, // household 1, 5 kWp
  9: { annualLoadKWh: 4500, batteryKWh: 10 }, // household 2, 8 kWp + battery
  10: { annualLoadKWh: 2500 }, // household 3, 3.5 kWp
  11: { annualLoadKWh: 6000 }, // household 4, 10 kWp farm barn
  12: { annualLoadKWh: 1800 }, // household 5, flat
  13: { annualLoadKWh: 7000 }, // household 6, heat pump
  14: { annualLoadKWh: 6500 }, // household 7, EV
  15: { annualLoadKWh: 12000 }, // household 8, bakery
};

/** Default inverter rating of a household (kW). 10 kW for 15 minutes = 2,500 Wh. */
export const DEFAULT_RATED_EXPORT_KW = 10;

/** Index of the first generated household's meter key (past Hardhat's 20 dev accounts). */
export const FIRST_GENERATED_METER_KEY_INDEX = 20;

/** The demo LAN's metered participants (aggregator, households 1–8), in dev-account order. */
export function demoMeters(): SimulatedMeter[] {
  return DEV_ACCOUNTS.filter((a) => a.meter !== null).map((a) => {
    const profile = DEMO_PROFILE[a.index] ?? { annualLoadKWh: 3500 };
    const id = a.kind === "aggregator" ? "aggregator" : a.name.toLowerCase().replace(/\s+/g, "-");
    return {
      id,
      name: a.name,
      meterKeyIndex: a.index,
      meter: a.meter!.address,
      meterKey: a.meter!.privateKey,
      account: a.address,
      household: { id, pvKWp: a.pvKWp, annualLoadKWh: profile.annualLoadKWh, batteryKWh: profile.batteryKWh ?? 0 },
      ratedExportKW: profile.ratedExportKW ?? DEFAULT_RATED_EXPORT_KW,
    };
  });
}

/** Number of households in the demo LAN (the default of the meter simulator). */
export const DEMO_HOUSEHOLD_COUNT = DEV_ACCOUNTS.filter((a) => a.meter !== null).length;

/**
 * `count` households: the demo's first, then generated ones ("household-10", …) with specs from
 * `defaultHouseholds(count, seed)` and meter keys 20, 21, ….
 */
export function simulatedMeters(count: number, seed: number | string): SimulatedMeter[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`households must be a whole number ≥ 1, got ${count}`);
  const demo = demoMeters().slice(0, count);
  const specs = defaultHouseholds(count, seed);
  for (let k = demo.length; k < count; k++) {
    const keyIndex = FIRST_GENERATED_METER_KEY_INDEX + (k - DEMO_HOUSEHOLD_COUNT);
    const { address, privateKey } = devnetMeterKey(keyIndex);
    const id = `household-${k + 1}`;
    demo.push({
      id,
      name: `Household ${k + 1}`,
      meterKeyIndex: keyIndex,
      meter: address,
      meterKey: privateKey,
      account: null,
      household: { ...specs[k], id },
      ratedExportKW: DEFAULT_RATED_EXPORT_KW,
    });
  }
  return demo;
}

/** How market interval numbers map to time. */
export interface MeterClock {
  /** Length of an interval in seconds; must divide a day (900 = 15 min, 180 on the devnet). */
  intervalSeconds: number;
  /**
   * Unix seconds where interval 0 starts (EnergyMarket's genesis). Omitted: interval 0 starts at
   * midnight of `dayOfYear`.
   */
  genesisTime?: number;
  /** Day of year of interval 0 when there is no genesisTime. Default 172 (21 June). */
  dayOfYear?: number;
  /** Site latitude. Default 48.1 (lib/physics). */
  latitudeDeg?: number;
}

/** A meter's figures for one interval: the reading plus the physics behind it. */
export interface MeterSample {
  meter: SimulatedMeter;
  reading: MeterReading;
  energy: IntervalEnergy;
}

/** Deterministic readings of a set of simulated meters for any interval. */
export class MeterSimulator {
  readonly meters: readonly SimulatedMeter[];
  readonly seed: number | string;
  readonly clock: Required<Omit<MeterClock, "genesisTime">> & { genesisTime?: number };
  private readonly intervalsPerDay: number;
  private readonly dayCache = new Map<string, IntervalEnergy[]>();

  constructor(meters: readonly SimulatedMeter[], seed: number | string, clock: MeterClock) {
    const { intervalSeconds } = clock;
    if (!Number.isInteger(intervalSeconds) || intervalSeconds <= 0 || 86_400 % intervalSeconds !== 0) {
      throw new RangeError(`intervalSeconds must divide a day (86400 s), got ${intervalSeconds}`);
    }
    this.meters = meters;
    this.seed = seed;
    this.clock = { dayOfYear: 172, latitudeDeg: 48.1, ...clock };
    this.intervalsPerDay = 86_400 / intervalSeconds;
  }

  /** (day number, slot within the day, day of year) of `interval`. */
  private place(interval: bigint): { day: number; slot: number; dayOfYear: number } {
    const s = this.clock.intervalSeconds;
    if (this.clock.genesisTime !== undefined) {
      const t = this.clock.genesisTime + Number(interval) * s;
      const day = Math.floor(t / 86_400);
      const slot = Math.floor((t - day * 86_400) / s);
      const date = new Date(day * 86_400_000);
      const dayOfYear = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
      return { day, slot, dayOfYear: Math.min(dayOfYear, 365) };
    }
    const i = Number(interval);
    const day = Math.floor(i / this.intervalsPerDay);
    const slot = i - day * this.intervalsPerDay;
    return { day, slot, dayOfYear: ((this.clock.dayOfYear - 1 + day) % 365) + 1 };
  }

  private dayOf(meter: SimulatedMeter, day: number, dayOfYear: number): IntervalEnergy[] {
    const key = `${meter.id}:${day}`;
    let energies = this.dayCache.get(key);
    if (!energies) {
      const rng = createRng(`meters:${this.seed}`).fork(`${meter.id}:day:${day}`);
      energies = simulateHousehold(
        meter.household,
        this.intervalsPerDay,
        { latitudeDeg: this.clock.latitudeDeg, dayOfYear, intervalMinutes: this.clock.intervalSeconds / 60 },
        rng,
      );
      if (this.dayCache.size > 50_000) this.dayCache.clear();
      this.dayCache.set(key, energies);
    }
    return energies;
  }

  /** Export limit of `meter` in Wh per interval (its inverter rating × interval length). */
  maxExportWh(meter: SimulatedMeter): number {
    return Math.floor((meter.ratedExportKW * 1000 * this.clock.intervalSeconds) / 3600);
  }

  /** Every meter's reading (and physics) of `interval`. */
  samples(interval: bigint): MeterSample[] {
    const { day, slot, dayOfYear } = this.place(interval);
    return this.meters.map((meter) => {
      const energy = this.dayOf(meter, day, dayOfYear)[slot];
      const reading: MeterReading = {
        meter: meter.meter,
        interval,
        importedWh: energy.importedWh,
        exportedWh: Math.min(energy.exportedWh, this.maxExportWh(meter)),
      };
      return { meter, reading, energy };
    });
  }

  /**
   * The running export register of one meter during `interval`: what it has exported after
   * `secondsIntoInterval` seconds of the interval's delivery, for pay-as-delivered streaming
   * (lib/channels/deliveryStream.ts). Linear within the interval and floored:
   *   floor(final exportedWh × min(max(s, 0), intervalSeconds) / intervalSeconds)
   * so it never decreases, is 0 at the start and reaches exactly the interval's reading (the one
   * the keeper signs and settlement records) at its end — a stream never pays for more than
   * settlement later counts. Throws RangeError for a meter this simulator does not have.
   */
  exportedWhSoFar(meterAddress: Address, interval: bigint, secondsIntoInterval: number): number {
    const lower = meterAddress.toLowerCase();
    const index = this.meters.findIndex((m) => m.meter.toLowerCase() === lower);
    if (index < 0) throw new RangeError(`no simulated meter ${meterAddress}`);
    if (Number.isNaN(secondsIntoInterval)) throw new RangeError("secondsIntoInterval must be a number");
    const length = this.clock.intervalSeconds;
    const elapsed = Math.min(Math.max(Math.floor(secondsIntoInterval), 0), length);
    const finalWh = this.samples(interval)[index].reading.exportedWh;
    // finalWh ≤ maxExportWh (inverter rating) and elapsed ≤ 86,400: the product stays far below 2^53.
    return Math.floor((finalWh * elapsed) / length);
  }

  /** Whether this simulator has a meter with this address. */
  hasMeter(meterAddress: Address): boolean {
    const lower = meterAddress.toLowerCase();
    return this.meters.some((m) => m.meter.toLowerCase() === lower);
  }

  /** Every meter's reading of `interval`. */
  readings(interval: bigint): MeterReading[] {
    return this.samples(interval).map((s) => s.reading);
  }

  /** Every meter's reading of `interval`, signed by its meter key for the ledger `domain`. */
  async signedReadings(interval: bigint, domain: MeterLedgerDomain): Promise<SignedReading[]> {
    const separator = domainSeparator(domain);
    return Promise.all(
      this.samples(interval).map((s) => signReading(s.meter.meterKey, s.reading, domain, separator)),
    );
  }
}
