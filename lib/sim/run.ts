/**
 * The whole PowerLAN interval loop, headless (Node only) — what `npm run simulate` runs:
 *
 *  1. a fresh in-process Hardhat network (EDR, `hre.network.create()`), the real contracts deployed
 *     with the same Ignition module and code as the devnet (lib/devnet/deploy.ts), 15-minute
 *     intervals, the demo cast registered and funded (lib/devnet/seed.ts);
 *  2. N households (lib/consensus/meters.ts `simulatedMeters`: the demo's aggregator and households
 *     1–8, then generated ones from lib/physics `defaultHouseholds`) registered with their meters as
 *     prosumers (PV) or consumers, each funded with 5,000 PLC of which 1,000 deposited in the market;
 *  3. for each of K intervals c (time moved with evm_setNextBlockTimestamp, one block per tx):
 *       gate(c) − 240 s   every household forecasts interval c and posts a bid or an offer
 *                         (lib/sim/strategy.ts);
 *       gate(c) + 1 s     clear(c);
 *       start(c+1) + 1 s  the meters sign their readings of c (same physics, actual clouds and
 *                         load noise: actual ≠ forecast), the four validators attest, a quorum
 *                         finalises the root, the readings are recorded; then settle(c): sellers,
 *                         then buyers, in batches of MAX_SETTLE_BATCH;
 *  4. per-interval figures and totals from the settlement events and the meters
 *     (lib/sim/accounting.ts defines the cost, savings and self-sufficiency figures).
 */
import os from "node:os";
import { encodeFunctionData, keccak256, parseEventLogs, toHex, type Abi, type Address, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { energyMarketAbi, participantRegistryAbi, paymentTokenAbi } from "../contracts/abis.ts";
import { MeterSimulator, simulatedMeters, type SimulatedMeter } from "../consensus/meters.ts";
import { meterLedgerDomain } from "../consensus/readings.ts";
import { committeeDomain, finalizeInterval, Validator, type ConsensusReader, type ConsensusWriter, type MeterBindingCache } from "../consensus/validator.ts";
import { DEVNET_CAST, PARTICIPANT_ROLE } from "../devnet/accounts.ts";
import { DEVNET_DEPOSIT_PER_TRADER, DEVNET_MINT_PER_TRADER, PRODUCTION_MARKET_PARAMS, type MarketParams } from "../devnet/config.ts";
import { deployPowerLANOn } from "../devnet/deploy.ts";
import { getHre, type DevnetConnection } from "../devnet/hardhat.ts";
import { seedDevnet } from "../devnet/seed.ts";
import { CostTotals, intervalCosts, round2, type HouseholdInterval } from "./accounting.ts";
import {
  DEFAULT_STRATEGY,
  forecastInterval,
  planOrder,
  temperament,
  type SlotPlace,
  type StrategyParams,
  type Temperament,
} from "./strategy.ts";

/** The simulation's market: production parameters (15-minute intervals) with a 10 Wh minimum order, so small households trade. */
export const SIM_MARKET_PARAMS: MarketParams = { ...PRODUCTION_MARKET_PARAMS, minOrderWh: 10 };
/** Export rating of meters without their own: 10 kW for 15 minutes. */
export const SIM_METER_MAX_EXPORT_WH = 2_500;
export const SIM_LATITUDE_DEG = 48.1;
/**
 * Orders are posted this long before gate closure (each order is one block, one second later than
 * the last, so the lead grows with the households; at most 540 s, after the previous settlement).
 */
const orderLeadSeconds = (households: number): bigint => BigInt(Math.min(540, Math.max(240, households + 60)));
/** Gas limits sent with each transaction (no estimation round trip; unused gas is not charged). */
const GAS_SINGLE = 2_000_000n;
const GAS_BATCH = 16_000_000n; // under the EIP-7825 per-transaction cap (2^24)

export interface SimulateOptions {
  households: number;
  intervals: number;
  seed: number | string;
  /** Day of year of the simulated day. Default 172 (21 June). */
  dayOfYear?: number;
  /** Minutes after midnight UTC of the first interval (a multiple of 15). Default 0. */
  startMinute?: number;
  strategy?: StrategyParams;
  /** One line per phase and per interval. */
  log?: (line: string) => void;
}

export interface IntervalFigures {
  interval: number;
  /** UTC time of day the interval starts, "HH:MM". */
  time: string;
  offers: number;
  bids: number;
  ordersRejected: number;
  offeredWh: number;
  bidWh: number;
  /** Uniform price in PLC base units per kWh; null when nothing crossed. */
  clearingPriceWeiPerKWh: number | null;
  tradedWh: number;
  deliveredWh: number;
  shortfallWh: number;
  certificatesWh: number;
  meterImportWh: number;
  meterExportWh: number;
  loadWh: number;
  pvWh: number;
  /** Imports not covered by LAN deliveries (paid at retail) and exports not sold in the LAN (feed-in). */
  gridImportWh: number;
  gridExportWh: number;
  buyersPaidWei: number;
  sellersReceivedWei: number;
  gridFeesWei: number;
  imbalanceWei: number;
  settledOrders: number;
  settledTrades: number;
  failedSettlements: number;
  gridOnlyCostWei: number;
  lanCostWei: number;
  gas: { contract: number; consensus: number; transaction: number };
}

export interface HouseholdFigures {
  id: string;
  name: string;
  account: Address;
  role: "Prosumer" | "Consumer" | "Aggregator";
  pvKWp: number;
  batteryKWh: number;
  annualLoadKWh: number;
  importedWh: number;
  exportedWh: number;
  boughtWh: number;
  soldWh: number;
  imbalancePlc: number;
  gridOnlyCostPlc: number;
  lanCostPlc: number;
  savingsPct: number;
}

export interface SimulateResult {
  generatedBy: string;
  args: { households: number; intervals: number; seed: number | string; dayOfYear: number; startMinute: number };
  network: { kind: string; chainId: number; genesisTime: number; firstInterval: number };
  marketParams: MarketParams;
  tariffs: { imbalanceWeiPerKWh: number; retailWeiPerKWh: number; feedInWeiPerKWh: number; defaultZoneFeeWeiPerKWh: number };
  strategy: StrategyParams & { summary: string };
  definitions: Record<string, string>;
  machine: { cpus: number; loadAverageAtStart: number[]; node: string };
  totals: {
    savingsPct: number;
    selfSufficiencyPct: number;
    failedSettlements: number;
    gasPerSettledTrade: number;
    wallSeconds: number;
    settlementGasPerSettledTrade: number;
    lanTradedShareOfImportsPct: number;
    tradedWh: number;
    deliveredWh: number;
    shortfallWh: number;
    certificatesWh: number;
    meterImportWh: number;
    meterExportWh: number;
    loadWh: number;
    gridImportWh: number;
    gridExportWh: number;
    volumeWeightedPriceWeiPerKWh: number | null;
    intervalsWithPrice: number;
    ordersPlaced: number;
    ordersRejected: number;
    settledOrders: number;
    settledTrades: number;
    unsettledOrdersLeft: number;
    gridOnlyCostPlc: number;
    lanCostPlc: number;
    imbalancePlc: number;
    gridFeesPlc: number;
    gas: { setup: number; contract: number; consensus: number; transaction: number; total: number };
    transactions: number;
  };
  households: HouseholdFigures[];
  intervals: IntervalFigures[];
}

interface Receipt {
  status: Hex;
  gasUsed: Hex;
  logs: { address: Address; topics: [Hex, ...Hex[]]; data: Hex }[];
}

interface SimHousehold {
  meter: SimulatedMeter;
  account: Address;
  role: "Prosumer" | "Consumer" | "Aggregator";
  who: Temperament;
  figures: CostTotals;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** Run the simulation (see the file comment). */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const started = Date.now();
  const loadAverageAtStart = os.loadavg().map((x) => round2(x));
  const log = options.log ?? (() => {});
  const K = options.intervals;
  const N = options.households;
  const dayOfYear = options.dayOfYear ?? 172;
  const strategy = options.strategy ?? DEFAULT_STRATEGY;
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`--households must be a whole number ≥ 1, got ${N}`);
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`--intervals must be a whole number ≥ 1, got ${K}`);

  // 1. network + contracts
  const hre = await getHre();
  const connection: DevnetConnection = await hre.network.create({ network: "default" });
  const provider = connection.provider;
  const rpc = <T>(method: string, params: unknown[] = []): Promise<T> => provider.request({ method, params }) as Promise<T>;
  const chainId = Number(await rpc<Hex>("eth_chainId"));
  const latest = async () => BigInt((await rpc<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false])).timestamp);
  const now0 = Number(await latest());
  const genesisTime = now0 - (now0 % 86_400);
  const perDay = 86_400 / SIM_MARKET_PARAMS.intervalSeconds;
  // First simulated interval: the next midnight whose gate (minus the order lead) is still ahead.
  let firstDay = 1;
  const ORDER_LEAD_SECONDS = orderLeadSeconds(N);
  while (genesisTime + firstDay * 86_400 - SIM_MARKET_PARAMS.gateLeadSeconds - Number(ORDER_LEAD_SECONDS) <= now0 + 5) firstDay++;
  const startMinute = options.startMinute ?? 0;
  if (!Number.isInteger(startMinute) || startMinute < 0 || startMinute >= 1440 || (startMinute * 60) % SIM_MARKET_PARAMS.intervalSeconds !== 0) {
    throw new RangeError(`start time must be a whole interval after midnight, got minute ${startMinute}`);
  }
  const first = BigInt(firstDay * perDay + (startMinute * 60) / SIM_MARKET_PARAMS.intervalSeconds);

  log(`deploying the contracts with Ignition on an in-process Hardhat network (chain ${chainId})`);
  const deployed = await deployPowerLANOn(connection, { marketParams: SIM_MARKET_PARAMS, genesisTime, meterDefaultMaxExportWh: SIM_METER_MAX_EXPORT_WH });
  const a = deployed.addresses;
  await seedDevnet(connection, a, { noOrders: true });

  let txCount = 0;
  /** Send a transaction from an unlocked or impersonated account; null receipt when it reverted. */
  const send = async (from: Address, to: Address, abi: Abi, functionName: string, args: readonly unknown[], gas = GAS_SINGLE): Promise<{ receipt: Receipt | null; error?: string }> => {
    const data = encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]);
    txCount++;
    try {
      const hash = await rpc<Hex>("eth_sendTransaction", [{ from, to, data, gas: toHex(gas) }]);
      const receipt = await rpc<Receipt>("eth_getTransactionReceipt", [hash]);
      return receipt.status === "0x1" ? { receipt } : { receipt: null, error: `reverted (${hash})` };
    } catch (error) {
      return { receipt: null, error: (error instanceof Error ? error.message : String(error)).split("\n")[0] };
    }
  };
  const must = async (...args: Parameters<typeof send>): Promise<Receipt> => {
    const { receipt, error } = await send(...args);
    if (!receipt) throw new Error(`${args[3]} failed: ${error}`);
    return receipt;
  };
  const read = async <T>(address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> =>
    (await connection.viem.getPublicClient()).readContract({ address, abi, functionName, args }) as Promise<T>;
  const publicClient = await connection.viem.getPublicClient();
  const gasOf = (r: Receipt | null) => (r ? Number(BigInt(r.gasUsed)) : 0);

  // 2. households: the demo accounts are unlocked; generated ones are impersonated, registered and funded
  const meters = simulatedMeters(N, options.seed);
  const admin = DEVNET_CAST.admin.address;
  const regulator = DEVNET_CAST.regulator.address;
  let setupGas = 0;
  const households: SimHousehold[] = [];
  for (const meter of meters) {
    const role = meter.id === "aggregator" ? "Aggregator" : meter.household.pvKWp > 0 ? "Prosumer" : "Consumer";
    let account = meter.account;
    if (!account) {
      account = privateKeyToAddress(keccak256(toHex(`PowerLAN simulated household ${meter.meterKeyIndex}`)));
      await rpc("hardhat_impersonateAccount", [account]);
      await rpc("hardhat_setBalance", [account, toHex(10n ** 21n)]);
      const zone = (households.length % 2) + 1;
      setupGas += gasOf(await must(regulator, a.ParticipantRegistry, participantRegistryAbi, "registerFor", [account, PARTICIPANT_ROLE[role], meter.meter, zone]));
      setupGas += gasOf(await must(admin, a.PaymentToken, paymentTokenAbi, "mint", [account, DEVNET_MINT_PER_TRADER]));
      setupGas += gasOf(await must(account, a.PaymentToken, paymentTokenAbi, "approve", [a.EnergyMarket, DEVNET_DEPOSIT_PER_TRADER]));
      setupGas += gasOf(await must(account, a.EnergyMarket, energyMarketAbi, "deposit", [DEVNET_DEPOSIT_PER_TRADER]));
    }
    households.push({ meter, account, role, who: temperament(options.seed, meter.id, strategy), figures: new CostTotals() });
  }
  log(`registered and funded ${N} households (${households.filter((h) => h.role !== "Consumer").length} with PV) with their meters`);

  const tariffsRaw = await read<{ imbalanceWeiPerKWh: number; retailWeiPerKWh: number; feedInWeiPerKWh: number; defaultZoneFeeWeiPerKWh: number }>(
    a.EnergyMarket, energyMarketAbi, "gridTariffsFor", [first]);
  const tariffs = { ...tariffsRaw };
  const maxBatch = Number(await read<bigint>(a.EnergyMarket, energyMarketAbi, "MAX_SETTLE_BATCH"));

  // Meters: interval `first` is midnight of `dayOfYear` (the simulator places interval i on day i / perDay).
  const meterDayOfYear = ((((dayOfYear - 1 - firstDay) % 365) + 365) % 365) + 1;
  const sim = new MeterSimulator(meters, options.seed, { intervalSeconds: SIM_MARKET_PARAMS.intervalSeconds, dayOfYear: meterDayOfYear, latitudeDeg: SIM_LATITUDE_DEG });
  const placeOf = (c: bigint): SlotPlace => {
    const day = Math.floor(Number(c) / perDay);
    const slot = Number(c) - day * perDay;
    const minutes = SIM_MARKET_PARAMS.intervalSeconds / 60;
    return { dayOfYear: ((meterDayOfYear - 1 + day) % 365) + 1, midMinute: slot * minutes + minutes / 2, intervalMinutes: minutes, latitudeDeg: SIM_LATITUDE_DEG };
  };
  const dayOf = (c: bigint) => Math.floor(Number(c) / perDay);

  const validators = DEVNET_CAST.validators.map((v) => new Validator(v.privateKey, committeeDomain(chainId, a.ValidatorCommittee)));
  const ledgerDomain = meterLedgerDomain(chainId, a.MeterLedger);
  const bindings: MeterBindingCache = new Map();
  let consensusGasPending = 0;
  const reader: ConsensusReader = {
    readContract: (args) => publicClient.readContract(args as Parameters<typeof publicClient.readContract>[0]) as Promise<unknown>,
    waitForTransactionReceipt: async ({ hash }) => {
      const r = await rpc<Receipt>("eth_getTransactionReceipt", [hash]);
      consensusGasPending += gasOf(r);
      return { status: r.status === "0x1" ? "success" : "reverted", gasUsed: BigInt(r.gasUsed) };
    },
  };
  const writer: ConsensusWriter = {
    writeContract: async ({ address, abi, functionName, args }) => {
      const data = encodeFunctionData({ abi: abi as Abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]);
      txCount++;
      return rpc<Hex>("eth_sendTransaction", [{ from: admin, to: address, data, gas: toHex(GAS_BATCH) }]);
    },
  };

  const setTime = async (t: bigint) => {
    // Mine an empty block at t, so views (currentInterval, the validators' rules) see the new time.
    if (t > (await latest())) await rpc("evm_mine", [toHex(t)]);
  };
  const start = (c: bigint) => BigInt(genesisTime) + c * BigInt(SIM_MARKET_PARAMS.intervalSeconds);
  const gate = (c: bigint) => start(c) - BigInt(SIM_MARKET_PARAMS.gateLeadSeconds);

  const figures = new Map<bigint, IntervalFigures>();
  const lan = new CostTotals();
  let failedSettlements = 0;
  let ordersPlaced = 0;
  let ordersRejected = 0;

  // Phase A: forecast and post orders for c.
  const postOrders = async (c: bigint): Promise<void> => {
    const minutes = SIM_MARKET_PARAMS.intervalSeconds / 60;
    const slot = Number(c) % perDay;
    const f: IntervalFigures = {
      interval: Number(c),
      time: `${pad2(Math.floor((slot * minutes) / 60))}:${pad2((slot * minutes) % 60)}`,
      offers: 0, bids: 0, ordersRejected: 0, offeredWh: 0, bidWh: 0, clearingPriceWeiPerKWh: null, tradedWh: 0,
      deliveredWh: 0, shortfallWh: 0, certificatesWh: 0, meterImportWh: 0, meterExportWh: 0, loadWh: 0, pvWh: 0,
      gridImportWh: 0, gridExportWh: 0, buyersPaidWei: 0, sellersReceivedWei: 0, gridFeesWei: 0, imbalanceWei: 0,
      settledOrders: 0, settledTrades: 0, failedSettlements: 0, gridOnlyCostWei: 0, lanCostWei: 0,
      gas: { contract: 0, consensus: 0, transaction: 0 },
    };
    figures.set(c, f);
    // What each household knows: its battery's state at the end of c − 2 (if that is the same day;
    // the physics starts each day's battery half full).
    const known = dayOf(c - 2n) === dayOf(c) ? sim.samples(c - 2n) : null;
    const pending: Promise<void>[] = [];
    households.forEach((h, i) => {
      const spec = h.meter.household;
      const places = dayOf(c - 1n) === dayOf(c) ? [placeOf(c - 1n), placeOf(c)] : [placeOf(c)];
      const soc = known ? known[i].energy.batterySocWh : ((spec.batteryKWh ?? 0) * 1000) / 2;
      const forecast = forecastInterval(spec, places, soc);
      const order = planOrder(forecast, h.who, tariffs, { ...SIM_MARKET_PARAMS, canSell: h.role !== "Consumer" }, strategy);
      if (!order) return;
      pending.push(
        send(h.account, a.EnergyMarket, energyMarketAbi, order.side === "offer" ? "placeOffer" : "placeBid", [c, order.priceWeiPerKWh, order.energyWh]).then(({ receipt, error }) => {
          if (!receipt) {
            f.ordersRejected++;
            ordersRejected++;
            log(`interval ${c}: ${h.meter.name}'s ${order.side} rejected: ${error}`);
            return;
          }
          ordersPlaced++;
          f.gas.contract += gasOf(receipt);
          if (order.side === "offer") {
            f.offers++;
            f.offeredWh += order.energyWh;
          } else {
            f.bids++;
            f.bidWh += order.energyWh;
          }
        }),
      );
    });
    await Promise.all(pending);
  };

  // Phase B: clear c.
  const clear = async (c: bigint): Promise<void> => {
    const f = figures.get(c)!;
    if (f.offers + f.bids === 0) return;
    const [bids, offers] = await read<[Hex, Hex]>(a.EnergyMarket, energyMarketAbi, "sortHints", [c]);
    f.gas.contract += gasOf(await must(admin, a.EnergyMarket, energyMarketAbi, "clear", [c, bids, offers], GAS_BATCH));
    const s = await read<{ hasPrice: boolean; clearingPriceWeiPerKWh: number; clearedWh: bigint }>(a.EnergyMarket, energyMarketAbi, "intervalState", [c]);
    f.clearingPriceWeiPerKWh = s.hasPrice ? s.clearingPriceWeiPerKWh : null;
    f.tradedWh = Number(s.clearedWh);
  };

  // Phase C: readings, quorum, record, settle c; then the accounting.
  const settle = async (c: bigint): Promise<void> => {
    const f = figures.get(c)!;
    const samples = sim.samples(c);
    const signed = await sim.signedReadings(c, ledgerDomain);
    consensusGasPending = 0;
    await finalizeInterval({ reader, writer, addresses: { chainId, committee: a.ValidatorCommittee, ledger: a.MeterLedger }, interval: c, readings: signed, validators, bindings });
    f.gas.consensus += consensusGasPending;

    const per = new Map<string, HouseholdInterval>();
    households.forEach((h, i) => {
      const e = samples[i];
      per.set(h.account.toLowerCase(), {
        importedWh: e.reading.importedWh, exportedWh: e.reading.exportedWh, loadWh: e.energy.loadWh,
        boughtWh: 0, paidWei: 0, soldWh: 0, receivedWei: 0, imbalanceWei: 0,
      });
      f.meterImportWh += e.reading.importedWh;
      f.meterExportWh += e.reading.exportedWh;
      f.loadWh += e.energy.loadWh;
      f.pvWh += e.energy.pvWh;
    });

    if (f.offers + f.bids > 0) {
      for (const side of [1, 0]) {
        const state = await read<{ bidCount: number; offerCount: number }>(a.EnergyMarket, energyMarketAbi, "intervalState", [c]);
        const count = side === 1 ? state.offerCount : state.bidCount;
        const orders = await read<{ id: bigint; cancelled: boolean; settled: boolean; addressedTo: Address; energyWh: number; filledWh: number }[]>(
          a.EnergyMarket, energyMarketAbi, "getOrders", [c, side, 0n, BigInt(count)]);
        const open = orders.filter((o) => !o.cancelled && !o.settled && BigInt(o.addressedTo) === 0n && o.energyWh > 0);
        for (let i = 0; i < open.length; i += maxBatch) {
          const batch = open.slice(i, i + maxBatch);
          const { receipt, error } = await send(admin, a.EnergyMarket, energyMarketAbi, "settle", [batch.map((o) => o.id)], GAS_BATCH);
          if (!receipt) {
            f.failedSettlements += batch.length;
            failedSettlements += batch.length;
            log(`interval ${c}: settle of ${batch.length} ${side === 1 ? "offers" : "bids"} FAILED: ${error}`);
            continue;
          }
          f.gas.transaction += gasOf(receipt);
          f.settledOrders += batch.length;
          f.settledTrades += batch.filter((o) => o.filledWh > 0).length;
          for (const ev of parseEventLogs({ abi: energyMarketAbi, logs: receipt.logs as never })) {
            if (ev.eventName === "SellerSettled") {
              const h = per.get(ev.args.seller.toLowerCase());
              f.deliveredWh += Number(ev.args.deliveredWh);
              f.shortfallWh += Number(ev.args.soldWh - ev.args.deliveredWh);
              f.sellersReceivedWei += Number(ev.args.payoutWei);
              f.gridFeesWei += Number(ev.args.gridFeeWei);
              f.imbalanceWei += Number(ev.args.imbalanceWei);
              if (h) {
                h.soldWh += Number(ev.args.deliveredWh);
                h.receivedWei += Number(ev.args.payoutWei);
                h.imbalanceWei += Number(ev.args.imbalanceWei);
              }
            } else if (ev.eventName === "OrderSettled" && side === 0) {
              const h = per.get(ev.args.owner.toLowerCase());
              f.buyersPaidWei += Number(ev.args.amountWei);
              f.certificatesWh += Number(ev.args.deliveredWh);
              if (h) {
                h.boughtWh += Number(ev.args.deliveredWh);
                h.paidWei += Number(ev.args.amountWei);
              }
            }
          }
        }
      }
    }

    for (const h of households) {
      const hi = per.get(h.account.toLowerCase())!;
      const costs = intervalCosts(hi, tariffs);
      h.figures.add(hi, costs);
      lan.add(hi, costs);
      f.gridImportWh += costs.residualImportWh;
      f.gridExportWh += costs.residualExportWh;
      f.gridOnlyCostWei += costs.gridOnlyWei;
      f.lanCostWei += costs.lanWei;
    }
    f.gridOnlyCostWei = Math.round(f.gridOnlyCostWei);
    f.lanCostWei = Math.round(f.lanCostWei);
    const price = f.clearingPriceWeiPerKWh === null ? "no price" : `${(f.clearingPriceWeiPerKWh / 1e6).toFixed(4)} PLC/kWh`;
    log(
      `[${String(Number(c - first) + 1).padStart(String(K).length)}/${K}] ${f.time}  ${String(f.offers).padStart(3)} offers ${String(f.bids).padStart(3)} bids  ${price.padEnd(16)} traded ${f.tradedWh} Wh, delivered ${f.deliveredWh} Wh, shortfall ${f.shortfallWh} Wh; meters import ${f.meterImportWh} / export ${f.meterExportWh} Wh` +
        (f.failedSettlements > 0 ? `  ${f.failedSettlements} FAILED` : ""),
    );
  };

  // 3. the loop: post orders for c, clear c, then readings + settlement of c − 1 once c has started.
  for (let k = 0n; k <= BigInt(K); k++) {
    const c = first + k;
    if (k < BigInt(K)) {
      await setTime(gate(c) - ORDER_LEAD_SECONDS);
      await postOrders(c);
      await setTime(gate(c) + 1n);
      await clear(c);
    }
    if (k > 0n) {
      await setTime(start(c) + 1n);
      await settle(c - 1n);
    }
  }

  // Anything left unsettled counts as failed.
  let unsettledOrdersLeft = 0;
  for (let k = 0n; k < BigInt(K); k++) {
    const s = await read<{ unsettledOrders: number }>(a.EnergyMarket, energyMarketAbi, "intervalState", [first + k]);
    unsettledOrdersLeft += s.unsettledOrders;
  }

  const intervals = [...figures.values()];
  const sum = (pick: (f: IntervalFigures) => number) => intervals.reduce((s, f) => s + pick(f), 0);
  const gas = {
    setup: setupGas,
    contract: sum((f) => f.gas.contract),
    consensus: sum((f) => f.gas.consensus),
    transaction: sum((f) => f.gas.transaction),
    total: 0,
  };
  gas.total = gas.setup + gas.contract + gas.consensus + gas.transaction;
  const settledTrades = sum((f) => f.settledTrades);
  const tradedWh = sum((f) => f.tradedWh);
  const priced = intervals.filter((f) => f.clearingPriceWeiPerKWh !== null);
  const loopGas = gas.contract + gas.consensus + gas.transaction;
  const wallSeconds = round2((Date.now() - started) / 1000);

  return {
    generatedBy: "npm run simulate",
    args: { households: N, intervals: K, seed: options.seed, dayOfYear, startMinute },
    network: { kind: "in-process Hardhat network (EDR, edr-simulated), automine, time set per phase", chainId, genesisTime, firstInterval: Number(first) },
    marketParams: SIM_MARKET_PARAMS,
    tariffs,
    strategy: {
      ...strategy,
      summary:
        "forecast = clear-sky PV × expected cloud factor (0.775) and the standard load shape, battery run from its last known state; " +
        "offer sellShare of a forecast surplus at feedIn + askFactor × (retail − feedIn), bid buyShare of a forecast deficit at feedIn + bidFactor × (retail − feedIn); factors fixed per household from the seed (lib/sim/strategy.ts)",
    },
    definitions: {
      savingsPct: "(Σ grid-only cost − Σ PowerLAN cost) / |Σ grid-only cost| × 100 over all households and intervals; grid only = retail × import − feedIn × export; PowerLAN = paid for LAN deliveries − received for own deliveries (net of grid fees) + imbalance charges + retail × imports not delivered by the LAN − feedIn × exports not sold in the LAN (lib/sim/accounting.ts)",
      selfSufficiencyPct: "(Σ load − Σ imports not delivered by a LAN trade) / Σ load × 100: consumption covered by own PV/battery or by energy bought from neighbours",
      lanTradedShareOfImportsPct: "Σ LAN-delivered Wh / Σ metered imports × 100",
      gasPerSettledTrade: "gas of the whole interval loop (orders, clear, readings finalisation and recording, settlement) / settled trades; a settled trade = a filled auction order (bid or offer) settled on delivery",
      settlementGasPerSettledTrade: "gas of settle calls only / settled trades",
      failedSettlements: "auction orders whose settle call reverted, plus orders still unsettled at the end",
      gridImportWh: "metered imports not covered by LAN deliveries (bought at retail)",
      gridExportWh: "metered exports not sold in the LAN (paid the feed-in tariff)",
    },
    machine: { cpus: os.cpus().length, loadAverageAtStart, node: process.version },
    totals: {
      savingsPct: round2(lan.savingsPct),
      selfSufficiencyPct: round2(lan.selfSufficiencyPct),
      failedSettlements: failedSettlements + unsettledOrdersLeft,
      gasPerSettledTrade: settledTrades === 0 ? 0 : Math.round(loopGas / settledTrades),
      wallSeconds,
      settlementGasPerSettledTrade: settledTrades === 0 ? 0 : Math.round(gas.transaction / settledTrades),
      lanTradedShareOfImportsPct: lan.importedWh === 0 ? 0 : round2((sum((f) => f.deliveredWh) / lan.importedWh) * 100),
      tradedWh,
      deliveredWh: sum((f) => f.deliveredWh),
      shortfallWh: sum((f) => f.shortfallWh),
      certificatesWh: sum((f) => f.certificatesWh),
      meterImportWh: lan.importedWh,
      meterExportWh: lan.exportedWh,
      loadWh: lan.loadWh,
      gridImportWh: lan.residualImportWh,
      gridExportWh: lan.residualExportWh,
      volumeWeightedPriceWeiPerKWh: tradedWh === 0 ? null : Math.round(priced.reduce((s, f) => s + f.clearingPriceWeiPerKWh! * f.tradedWh, 0) / tradedWh),
      intervalsWithPrice: priced.length,
      ordersPlaced,
      ordersRejected,
      settledOrders: sum((f) => f.settledOrders),
      settledTrades,
      unsettledOrdersLeft,
      gridOnlyCostPlc: round2(lan.gridOnlyWei / 1e6),
      lanCostPlc: round2(lan.lanWei / 1e6),
      imbalancePlc: round2(sum((f) => f.imbalanceWei) / 1e6),
      gridFeesPlc: round2(sum((f) => f.gridFeesWei) / 1e6),
      gas,
      transactions: txCount,
    },
    households: households.map((h) => ({
      id: h.meter.id,
      name: h.meter.name,
      account: h.account,
      role: h.role,
      pvKWp: h.meter.household.pvKWp,
      batteryKWh: h.meter.household.batteryKWh ?? 0,
      annualLoadKWh: h.meter.household.annualLoadKWh,
      importedWh: h.figures.importedWh,
      exportedWh: h.figures.exportedWh,
      boughtWh: h.figures.boughtWh,
      soldWh: h.figures.soldWh,
      imbalancePlc: round2(h.figures.imbalanceWei / 1e6),
      gridOnlyCostPlc: round2(h.figures.gridOnlyWei / 1e6),
      lanCostPlc: round2(h.figures.lanWei / 1e6),
      savingsPct: round2(h.figures.savingsPct),
    })),
    intervals,
  };
}
