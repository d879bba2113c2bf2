/**
 * Every number that makes the local devnet what it is, in one place: ports, chain id, market
 * timing, token funding, the demo order book. Browser-safe (no Node imports), so the app may
 * read the same values (e.g. to label the devnet chain).
 *
 * Production values live next to them (`PRODUCTION_MARKET_PARAMS`) so the difference is visible:
 * the devnet runs the same contracts with shorter intervals so a demo moves.
 */

/** Hardhat node defaults (`hardhat node` serves chain id 31337 on 127.0.0.1:8545). */
export const DEVNET_CHAIN_ID = 31337;
export const DEVNET_RPC_HOST = "127.0.0.1";
export const DEVNET_RPC_PORT = 8545;
export const DEVNET_RPC_URL = `http://${DEVNET_RPC_HOST}:${DEVNET_RPC_PORT}`;
/** `next dev` serves the app here. */
export const DEVNET_APP_PORT = 3000;

/**
 * Seed of the devnet's simulated smart meters (lib/consensus/meters.ts): the keeper signs the
 * interval readings from it and the app's delivery streams read the same running register, so
 * what a stream pays ends at exactly what settlement records.
 */
export const DEVNET_METER_SEED = 1;
export const DEVNET_APP_URL = `http://localhost:${DEVNET_APP_PORT}`;

/** The Ignition module id (scripts/deploy/modules/PowerLAN.ts) and the deployment folder of the devnet. */
export const IGNITION_MODULE_ID = "PowerLAN";
export const devnetDeploymentId = (chainId: number = DEVNET_CHAIN_ID): string => `chain-${chainId}`;

/** Payment token "PowerLAN Credit" (PLC): 6 decimals; prices are base units per kWh. */
export const PLC_DECIMALS = 6;
export const PLC = 10n ** BigInt(PLC_DECIMALS);

/**
 * Mirrors `IEnergyMarket.MarketParams` (field order = the Solidity struct's order).
 * Prices in PLC base units per kWh (0.25 PLC/kWh = 250_000), energy in Wh, times in seconds.
 */
export type MarketParams = {
  priceCapWeiPerKWh: number;
  priceFloorWeiPerKWh: number;
  minOrderWh: number;
  maxOrdersPerSide: number;
  kNumerator: number;
  kDenominator: number;
  intervalSeconds: number;
  gateLeadSeconds: number;
};

/**
 * Production defaults: 15-minute delivery intervals (the settlement period of European
 * electricity markets), gate closure 5 minutes before delivery, price band 0.01–1.00 PLC/kWh,
 * k = 1/2 (the uniform price sits in the middle of the competitive-equilibrium interval).
 */
export const PRODUCTION_MARKET_PARAMS: MarketParams = {
  priceCapWeiPerKWh: 1_000_000,
  priceFloorWeiPerKWh: 10_000,
  minOrderWh: 100,
  maxOrdersPerSide: 500,
  kNumerator: 1,
  kDenominator: 2,
  intervalSeconds: 900,
  gateLeadSeconds: 300,
};

/**
 * Devnet: 3-minute intervals with gate closure 30 s before delivery, so an order placed now is
 * cleared within 3 minutes — long enough to fill in a form, short enough to watch a whole cycle.
 * (The Hardhat node stamps each mined block with the wall clock, so intervals pass in real time.)
 * Orders are small (3-minute slices of a household's PV), hence a 10 Wh minimum.
 */
export const DEVNET_MARKET_PARAMS: MarketParams = {
  ...PRODUCTION_MARKET_PARAMS,
  minOrderWh: 10,
  maxOrdersPerSide: 100,
  intervalSeconds: 180,
  gateLeadSeconds: 30,
};

/**
 * Market genesis on the devnet: midnight UTC of the current day, so interval numbers read as
 * "slot of the day" (interval 240 of 3 minutes = 12:00 UTC) and stay the same across restarts
 * within one day.
 */
export function devnetGenesisTime(nowSeconds: number = Math.floor(Date.now() / 1000)): number {
  return nowSeconds - (nowSeconds % 86_400);
}

/**
 * Bounds of a payment channel's challenge period on the devnet, in blocks. The Hardhat node mines
 * one block per transaction (the keeper sends a few per interval), so a short period passes quickly.
 */
export const DEVNET_CHANNEL_CHALLENGE_BLOCKS = { min: 2, max: 10_000 } as const;

/** Export rating of a meter without its own (MeterLedger): 10 kW for one 3-minute devnet interval. */
export const DEVNET_METER_MAX_EXPORT_WH = 500;

/** Tokens minted to every trader, and how much of it the seed deposits into the market vault. */
export const DEVNET_MINT_PER_TRADER = 5_000n * PLC;
export const DEVNET_DEPOSIT_PER_TRADER = 1_000n * PLC;

/** The seed posts demo orders for this many upcoming open intervals. */
export const DEVNET_SEED_INTERVALS = 3;

/**
 * The demo order book of one interval, per household name: offers from prosumers and the
 * aggregator, bids from consumers. Energy is a 3-minute slice (a 5 kWp roof at noon makes
 * ~250 Wh in 3 minutes). Some bids cross some offers, so the depth chart shows a clearing price.
 */
export interface DemoOrder {
  name: string;
  side: "bid" | "offer";
  priceWeiPerKWh: number;
  energyWh: number;
}
export const DEVNET_DEMO_BOOK: readonly DemoOrder[] = [
  { name: "Household 1", side: "offer", priceWeiPerKWh: 180_000, energyWh: 150 },
  { name: "Household 2", side: "offer", priceWeiPerKWh: 210_000, energyWh: 240 },
  { name: "Household 3", side: "offer", priceWeiPerKWh: 240_000, energyWh: 100 },
  { name: "Household 4", side: "offer", priceWeiPerKWh: 200_000, energyWh: 300 },
  { name: "Aggregator", side: "offer", priceWeiPerKWh: 270_000, energyWh: 500 },
  { name: "Household 5", side: "bid", priceWeiPerKWh: 260_000, energyWh: 120 },
  { name: "Household 6", side: "bid", priceWeiPerKWh: 230_000, energyWh: 350 },
  { name: "Household 7", side: "bid", priceWeiPerKWh: 300_000, energyWh: 400 },
  { name: "Household 8", side: "bid", priceWeiPerKWh: 190_000, energyWh: 200 },
];
