/**
 * Seed a freshly deployed devnet with the demo energy LAN (Node only):
 *  1. the regulator registers every participant of lib/devnet/accounts.ts (registerFor: approved
 *     at once) with its role, zone and — for households and the aggregator — its meter key;
 *     the admin grants the DSO the MeterLedger's DSO_ROLE and the DSO rates the meters whose
 *     inverter exceeds the ledger's default (the aggregator's 30 kW: 1,500 Wh per 3-minute interval);
 *  2. the admin mints payment tokens (PLC) to every trader;
 *  3. every trader approves the market and deposits part of it into the market's escrow vault;
 *  4. households and the aggregator post the demo order book (lib/devnet/config.ts) for the next
 *     few open intervals, so the order book is not empty.
 * All transactions are sent through the node's unlocked dev accounts (eth_sendTransaction).
 */
import { keccak256, toHex, type Address, type Hash } from "viem";
import { demoMeters, MeterSimulator } from "../consensus/meters.ts";
import { DEV_ACCOUNTS, DEVNET_CAST, PARTICIPANT_ROLE, type DevAccount } from "./accounts.ts";
import {
  DEVNET_DEMO_BOOK,
  DEVNET_DEPOSIT_PER_TRADER,
  DEVNET_MINT_PER_TRADER,
  DEVNET_SEED_INTERVALS,
  type DemoOrder,
} from "./config.ts";
import type { PowerLANAddresses } from "./deploy.ts";
import type { DevnetConnection } from "./hardhat.ts";

export interface SeedOptions {
  /** How many upcoming open intervals get the demo book. Default DEVNET_SEED_INTERVALS. */
  intervals?: number;
  /** Skip the demo orders (registration and funding only). */
  noOrders?: boolean;
  log?: (line: string) => void;
}

export interface SeedResult {
  registered: number;
  funded: number;
  /** Intervals that received the demo book. */
  intervals: bigint[];
  orders: number;
}

type Contracts = Awaited<ReturnType<typeof devnetContracts>>;

/** Typed viem contract instances of the deployment (types from the Hardhat artifacts). */
export async function devnetContracts(connection: DevnetConnection, addresses: PowerLANAddresses) {
  const { viem } = connection;
  return {
    token: await viem.getContractAt("PaymentToken", addresses.PaymentToken),
    registry: await viem.getContractAt("ParticipantRegistry", addresses.ParticipantRegistry),
    committee: await viem.getContractAt("ValidatorCommittee", addresses.ValidatorCommittee),
    market: await viem.getContractAt("EnergyMarket", addresses.EnergyMarket),
    supervisor: await viem.getContractAt("Supervisor", addresses.Supervisor),
    ledger: await viem.getContractAt("MeterLedger", addresses.MeterLedger),
    certificate: await viem.getContractAt("EnergyCertificate", addresses.EnergyCertificate),
  };
}

/** Wait for every transaction and fail loudly on a revert. */
async function confirmAll(connection: DevnetConnection, what: string, hashes: readonly Hash[]): Promise<void> {
  const publicClient = await connection.viem.getPublicClient();
  const receipts = await Promise.all(hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })));
  const failed = receipts.filter((r) => r.status !== "success");
  if (failed.length > 0) throw new Error(`${what}: ${failed.length} transaction(s) reverted (${failed.map((r) => r.transactionHash).join(", ")})`);
}

/**
 * The next `count` intervals whose gate closes at least `marginSeconds` from now (by the node's
 * clock: the latest block's timestamp, or the wall clock if later — the next block gets that).
 */
export async function openIntervals(connection: DevnetConnection, market: Contracts["market"], count: number, marginSeconds = 15): Promise<bigint[]> {
  const publicClient = await connection.viem.getPublicClient();
  const block = await publicClient.getBlock();
  const now = BigInt(Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000)));
  let interval = (await market.read.currentInterval()) + 1n;
  while ((await market.read.gateClosureTime([interval])) < now + BigInt(marginSeconds)) interval += 1n;
  return Array.from({ length: count }, (_, i) => interval + BigInt(i));
}

function byName(name: string): DevAccount {
  const account = DEV_ACCOUNTS.find((a) => a.name === name);
  if (!account) throw new Error(`demo book names unknown account ${name}`);
  return account;
}

/** The demo book of one interval, varied a little per interval so the intervals differ. */
export function demoBookFor(interval: bigint): DemoOrder[] {
  const step = Number(interval % 3n); // 0, 1, 2
  return DEVNET_DEMO_BOOK.map((order) => ({
    ...order,
    priceWeiPerKWh: order.priceWeiPerKWh + (order.side === "offer" ? -5_000 : 5_000) * (step - 1),
    energyWh: Math.round(order.energyWh * (0.8 + 0.2 * step)),
  }));
}

/** Post the demo book for each of `intervals`; returns the number of orders placed. */
export async function postDemoOrders(connection: DevnetConnection, market: Contracts["market"], intervals: readonly bigint[]): Promise<number> {
  const hashes: Hash[] = [];
  for (const interval of intervals) {
    for (const order of demoBookFor(interval)) {
      const account = byName(order.name).address;
      const args = [interval, order.priceWeiPerKWh, order.energyWh] as const;
      hashes.push(
        order.side === "offer"
          ? await market.write.placeOffer(args, { account })
          : await market.write.placeBid(args, { account }),
      );
    }
  }
  await confirmAll(connection, "demo orders", hashes);
  return hashes.length;
}

/** MeterLedger.DSO_ROLE (the DSO sets meters' export ratings). */
export const METER_LEDGER_DSO_ROLE = keccak256(toHex("DSO_ROLE"));

/**
 * Give the DSO the ledger's DSO_ROLE (if it lacks it) and set the export rating of every demo meter
 * whose inverter allows more than the ledger's default per interval (the aggregator: 30 kW). Without
 * it the validators would reject the aggregator's noon readings as above the meter's rating.
 * Idempotent; returns how many ratings it set.
 */
export async function rateDemoMeters(connection: DevnetConnection, addresses: PowerLANAddresses): Promise<number> {
  const { ledger, market } = await devnetContracts(connection, addresses);
  const admin: Address = DEVNET_CAST.admin.address;
  const dso: Address = DEVNET_CAST.dso.address;
  if (!(await ledger.read.hasRole([METER_LEDGER_DSO_ROLE, dso]))) {
    await confirmAll(connection, "grant DSO_ROLE", [await ledger.write.grantRole([METER_LEDGER_DSO_ROLE, dso], { account: admin })]);
  }
  const { intervalSeconds } = await market.read.paramsFor([await market.read.currentInterval()]);
  const sim = new MeterSimulator(demoMeters(), 0, { intervalSeconds });
  const hashes: Hash[] = [];
  for (const meter of sim.meters) {
    const wantWh = sim.maxExportWh(meter);
    if ((await ledger.read.maxExportWhOf([meter.meter])) < wantWh) {
      hashes.push(await ledger.write.setMeterRating([meter.meter, wantWh], { account: dso }));
    }
  }
  await confirmAll(connection, "setMeterRating", hashes);
  return hashes.length;
}

/** Register, fund and (unless `noOrders`) fill the order book of a fresh deployment. */
export async function seedDevnet(connection: DevnetConnection, addresses: PowerLANAddresses, options: SeedOptions = {}): Promise<SeedResult> {
  const log = options.log ?? (() => {});
  const { token, registry, market } = await devnetContracts(connection, addresses);
  const regulator: Address = DEVNET_CAST.regulator.address;
  const admin: Address = DEVNET_CAST.admin.address;
  const ZERO: Address = "0x0000000000000000000000000000000000000000";

  // 1. participants (the regulator holds REGULATOR_ROLE on the registry from its constructor)
  const participants = DEVNET_CAST.participants;
  const registrations: Hash[] = [];
  for (const p of participants) {
    const role = PARTICIPANT_ROLE[p.registryRole ?? "None"];
    registrations.push(await registry.write.registerFor([p.address, role, p.meter?.address ?? ZERO, p.zone], { account: regulator }));
  }
  await confirmAll(connection, "registerFor", registrations);
  log(`registered ${participants.length} participants (${DEVNET_CAST.households.length} households, aggregator, DSO, regulator, ${DEVNET_CAST.validators.length} validators); meters bound`);

  // 1b. meter ratings: the DSO (DSO_ROLE on the ledger, granted once) rates meters above the default
  const rated = await rateDemoMeters(connection, addresses);
  if (rated > 0) log(`DSO rated ${rated} meter(s) above the ledger's default export limit`);

  // 2.–3. tokens: mint to every trader, approve the market, deposit into the vault
  const traders = DEVNET_CAST.traders;
  await confirmAll(
    connection,
    "mint",
    await Promise.all(traders.map((t) => token.write.mint([t.address, DEVNET_MINT_PER_TRADER], { account: admin }))),
  );
  await confirmAll(
    connection,
    "approve",
    await Promise.all(traders.map((t) => token.write.approve([addresses.EnergyMarket, DEVNET_DEPOSIT_PER_TRADER], { account: t.address }))),
  );
  await confirmAll(
    connection,
    "deposit",
    await Promise.all(traders.map((t) => market.write.deposit([DEVNET_DEPOSIT_PER_TRADER], { account: t.address }))),
  );
  log(`funded ${traders.length} traders: ${DEVNET_MINT_PER_TRADER / 1_000_000n} PLC minted each, ${DEVNET_DEPOSIT_PER_TRADER / 1_000_000n} PLC deposited into the market vault`);

  // 4. demo order book
  let intervals: bigint[] = [];
  let orders = 0;
  if (!options.noOrders) {
    intervals = await openIntervals(connection, market, options.intervals ?? DEVNET_SEED_INTERVALS);
    orders = await postDemoOrders(connection, market, intervals);
    log(`posted ${orders} demo orders in intervals ${intervals.join(", ")}`);
  }
  return { registered: participants.length, funded: traders.length, intervals, orders };
}
