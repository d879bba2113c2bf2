/**
 * The bidding strategy of simulated households (`npm run simulate`). Simple on purpose, and
 * documented so that the figures can be judged:
 *
 * Forecast (made just before gate closure of interval i, i.e. while interval i−1 is delivered):
 *  - PV: the clear-sky output of the household's array in i (same sun model as lib/physics: Haurwitz
 *    irradiance × kWp × performance ratio 0.8) × the EXPECTED cloud factor 1 − 0.75 × 0.3 (the mean
 *    of the physics' cloud process). The household does not know the actual clouds.
 *  - Load: its yearly consumption spread by the standard daily load shape (lib/physics `loadShape`),
 *    without the random noise the meter will see.
 *  - Battery: households with a battery run the physics' battery rule (charge from surplus, discharge
 *    into deficit, power limit capacity/2 per hour, round trip 90 %) over the forecast, starting from
 *    the last state of charge they know (end of interval i−2).
 *  So forecast ≠ actual: clouds and load noise make every seller over- or under-deliver.
 *
 * Orders (one per household and interval, if at least the market's minimum):
 *  - forecast surplus → an offer of `sellShare` (85 %) of it — a seller keeps a margin because a
 *    shortfall costs the imbalance tariff (above retail) — at an ask of
 *    feedIn + askFactor × (retail − feedIn), askFactor ∈ [0.15, 0.45] fixed per household (seeded);
 *  - forecast deficit → a bid of `buyShare` (90 %) of it — a buyer pays for the energy delivered to
 *    it, used or not — at a limit of feedIn + bidFactor × (retail − feedIn), bidFactor ∈ [0.55, 0.95].
 *  Asks lie above the feed-in tariff (selling to a neighbour must beat the grid's buy-back) and bids
 *  below retail (buying from a neighbour must beat the grid), so every LAN trade at the uniform
 *  clearing price leaves both sides better off than the grid, before grid fees and imbalances.
 * Browser-safe (pure).
 */
import { clearSkyIrradiance, cosSolarZenith, loadShape, type HouseholdSpec } from "../physics/profiles.ts";
import { createRng } from "../physics/random.ts";

export const PERFORMANCE_RATIO = 0.8;
/** Mean of the physics' cloud process (AR(1) around 0.3) and its effect on PV (1 − 0.75 × cloud). */
export const EXPECTED_CLOUD = 0.3;
export const EXPECTED_CLOUD_FACTOR = 1 - 0.75 * EXPECTED_CLOUD;
const BATTERY_ROUND_TRIP = 0.9;

export interface StrategyParams {
  /** Share of the forecast surplus offered. Default 0.85. */
  sellShare: number;
  /** Share of the forecast deficit bid for. Default 0.9. */
  buyShare: number;
  /** Range of the per-household ask factor within [feed-in, retail]. Default [0.15, 0.45]. */
  askFactor: readonly [number, number];
  /** Range of the per-household bid factor within [feed-in, retail]. Default [0.55, 0.95]. */
  bidFactor: readonly [number, number];
}

export const DEFAULT_STRATEGY: StrategyParams = {
  sellShare: 0.85,
  buyShare: 0.9,
  askFactor: [0.15, 0.45],
  bidFactor: [0.55, 0.95],
};

/** Where and when: what the forecast needs to place interval i in the day. */
export interface SlotPlace {
  dayOfYear: number;
  /** Minute of day at the middle of the interval. */
  midMinute: number;
  intervalMinutes: number;
  latitudeDeg: number;
}

/** A household's forecast of one interval (Wh). */
export interface Forecast {
  pvWh: number;
  loadWh: number;
  /** + surplus at the meter (after the battery), − deficit. */
  netWh: number;
  /** Forecast battery state of charge at the end of the interval. */
  batterySocWh: number;
}

/** Forecast PV and load of `spec` in one interval, before the battery. */
export function forecastPvAndLoad(spec: HouseholdSpec, place: SlotPlace): { pvWh: number; loadWh: number } {
  const hours = place.intervalMinutes / 60;
  const irradiance = clearSkyIrradiance(cosSolarZenith(place.latitudeDeg, place.dayOfYear, place.midMinute));
  const pvWh = spec.pvKWp * (irradiance / 1000) * PERFORMANCE_RATIO * EXPECTED_CLOUD_FACTOR * hours * 1000;
  const loadWh = (spec.annualLoadKWh / 8760) * loadShape(place.midMinute) * hours * 1000;
  return { pvWh, loadWh };
}

/** The physics' battery rule applied to a net (Wh) from `socWh`; returns the net at the meter and the new SoC. */
export function applyBattery(spec: HouseholdSpec, netWh: number, socWh: number, intervalMinutes: number): { netWh: number; socWh: number } {
  const capacityWh = (spec.batteryKWh ?? 0) * 1000;
  if (capacityWh <= 0) return { netWh, socWh };
  const powerLimitWh = (spec.batteryPowerKW ?? (spec.batteryKWh ?? 0) / 2) * 1000 * (intervalMinutes / 60);
  const eff = Math.sqrt(BATTERY_ROUND_TRIP);
  if (netWh > 0) {
    const charge = Math.min(netWh, powerLimitWh, (capacityWh - socWh) / eff);
    return { netWh: netWh - charge, socWh: socWh + charge * eff };
  }
  if (netWh < 0) {
    const discharge = Math.min(-netWh, powerLimitWh, socWh * eff);
    return { netWh: netWh + discharge, socWh: socWh - discharge / eff };
  }
  return { netWh, socWh };
}

/**
 * Forecast the interval at `places[places.length − 1]`, running the battery from `knownSocWh`
 * through the earlier `places` (the intervals between the last known state and the target).
 */
export function forecastInterval(spec: HouseholdSpec, places: readonly SlotPlace[], knownSocWh: number): Forecast {
  let soc = knownSocWh;
  let last: Forecast = { pvWh: 0, loadWh: 0, netWh: 0, batterySocWh: soc };
  for (const place of places) {
    const { pvWh, loadWh } = forecastPvAndLoad(spec, place);
    const after = applyBattery(spec, pvWh - loadWh, soc, place.intervalMinutes);
    soc = after.socWh;
    last = { pvWh, loadWh, netWh: after.netWh, batterySocWh: soc };
  }
  return last;
}

/** A household's fixed trading temperament (deterministic from the seed and its id). */
export interface Temperament {
  askFactor: number;
  bidFactor: number;
}

export function temperament(seed: number | string, householdId: string, params: StrategyParams = DEFAULT_STRATEGY): Temperament {
  const rng = createRng(`strategy:${seed}`).fork(householdId);
  const [a0, a1] = params.askFactor;
  const [b0, b1] = params.bidFactor;
  return { askFactor: a0 + (a1 - a0) * rng.next(), bidFactor: b0 + (b1 - b0) * rng.next() };
}

export interface Tariffs {
  retailWeiPerKWh: number;
  feedInWeiPerKWh: number;
}

export interface PlannedOrder {
  side: "bid" | "offer";
  priceWeiPerKWh: number;
  energyWh: number;
}

/** The order a household posts for a forecast, or null when its position is below `minOrderWh`. */
export function planOrder(
  forecast: Forecast,
  who: Temperament,
  tariffs: Tariffs,
  limits: { minOrderWh: number; priceFloorWeiPerKWh: number; priceCapWeiPerKWh: number; canSell: boolean },
  params: StrategyParams = DEFAULT_STRATEGY,
): PlannedOrder | null {
  const span = tariffs.retailWeiPerKWh - tariffs.feedInWeiPerKWh;
  const clamp = (p: number) => Math.min(limits.priceCapWeiPerKWh, Math.max(limits.priceFloorWeiPerKWh, Math.round(p)));
  if (forecast.netWh > 0 && limits.canSell) {
    const energyWh = Math.floor(forecast.netWh * params.sellShare);
    if (energyWh < limits.minOrderWh) return null;
    return { side: "offer", priceWeiPerKWh: clamp(tariffs.feedInWeiPerKWh + who.askFactor * span), energyWh };
  }
  if (forecast.netWh < 0) {
    const energyWh = Math.floor(-forecast.netWh * params.buyShare);
    if (energyWh < limits.minOrderWh) return null;
    return { side: "bid", priceWeiPerKWh: clamp(tariffs.feedInWeiPerKWh + who.bidFactor * span), energyWh };
  }
  return null;
}
