/**
 * The devnet keeper (Node only): drives the interval loop while `npm start` runs, so the market
 * lives without anyone clicking. For each interval i, in order:
 *  1. gate closure → `clear(i)` (hints from the `sortHints` view), if i has orders;
 *  2. delivery over (i < the chain's current interval) → the demo LAN's simulated smart meters
 *     (lib/consensus/meters.ts: PV and load of the aggregator and households 1–8) sign their
 *     readings of i, the four devnet validators attest them, a quorum finalises the Merkle root on
 *     the ValidatorCommittee and the readings are recorded in the MeterLedger (`finalizeInterval`);
 *  3. `settle` on metered delivery: every seller's offers first, then the buyers' bids, in batches
 *     of at most MAX_SETTLE_BATCH (sellers are paid for what their meter exported, buyers pay for
 *     what was delivered and receive energy certificates).
 * It also posts the demo order book into upcoming open intervals that have no orders yet, so the
 * book is never empty (`demoOrders: false` turns it off).
 *
 * Restart-safe: a durable cursor (`stateFile`, default .powerlan/keeper.json) holds the last
 * interval fully processed on this deployment (chain id + market address + hash of block 1 tell
 * deployments apart; a different one starts afresh). Idempotent against the chain: every step
 * reads the chain first (cleared? root final? reading recorded? order settled?), so a step someone
 * else did — a user in the app, a test, the keeper before a crash — is skipped; a replayed
 * transaction that reverts as "already done" (MarketAlreadyCleared, MarketOrderAlreadySettled) counts
 * as done. Nothing is ever settled twice: the contract refuses it and the keeper only sends orders
 * the chain reports unsettled. `stop()` finishes the current step and returns (start.ts calls it on
 * SIGINT/SIGTERM). One log line per step.
 */
import fs from "node:fs";
import path from "node:path";
import { BaseError, ContractFunctionRevertedError, type Address, type Hash, type Hex } from "viem";
import { devnetMeterSimulator } from "../app/deliveryMarket.ts";
import { unsettledTakeIds, type TakeProbe } from "../app/settlement.ts";
import { meterLedgerDomain } from "../consensus/readings.ts";
import { committeeDomain, finalizeInterval, Validator, type ConsensusReader, type ConsensusWriter, type MeterBindingCache } from "../consensus/validator.ts";
import { DEVNET_CAST } from "./accounts.ts";
import { DEVNET_METER_SEED, DEVNET_SEED_INTERVALS } from "./config.ts";
import type { PowerLANAddresses } from "./deploy.ts";
import type { DevnetConnection } from "./hardhat.ts";
import { PROJECT_ROOT } from "./processes.ts";
import { devnetContracts, openIntervals, postDemoOrders } from "./seed.ts";

export interface KeeperOptions {
  /** Poll period. Default 3 s. */
  periodMs?: number;
  /** Post the demo book into upcoming intervals. Default true. */
  demoOrders?: boolean;
  /** Intervals that already have the demo book (e.g. from the seed). */
  seededIntervals?: readonly bigint[];
  /**
   * The first interval to look at when the cursor file has nothing for this deployment.
   * Default: the current interval.
   */
  fromInterval?: bigint;
  /** The durable cursor. Default .powerlan/keeper.json; null keeps it in memory only. */
  stateFile?: string | null;
  /** Seed of the simulated meters (same seed → same readings). Default 1. */
  meterSeed?: number | string;
  /**
   * On a node that stamps blocks with the wall clock (hardhat node), mine an empty block when an
   * interval's delivery is over by the wall clock but no block says so yet. Default true.
   */
  mineToWallClock?: boolean;
  log?: (line: string) => void;
}

export interface Keeper {
  /** Stop after the current step; resolves when stopped. */
  stop(): Promise<void>;
  /** The last interval fully processed (cleared, readings final, settled), or null. */
  lastProcessed(): bigint | null;
}

/** What the cursor file holds. */
export interface KeeperCursor {
  version: 1;
  chainId: number;
  market: Address;
  /** Hash of block 1: tells two fresh deployments at the same (deterministic) address apart. */
  firstBlockHash: Hex | null;
  /** Last interval fully processed, as a decimal string. */
  lastProcessedInterval: string;
  updatedAt: string;
}

export const DEFAULT_KEEPER_STATE_FILE = path.join(PROJECT_ROOT, ".powerlan", "keeper.json");

const SIDE_BID = 0;
const SIDE_OFFER = 1;
/** Intervals the keeper works on ahead of its cursor in one tick (bounds a catch-up after downtime). */
const MAX_WINDOW = 40;
/** An interval still not done this many intervals behind the newest one is given up (logged). */
const GIVE_UP_AFTER_INTERVALS = 100n;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** 215000 → "0.2150" (PLC per kWh, payment token base units with 6 decimals). */
export function formatPricePerKWh(priceWeiPerKWh: number | bigint): string {
  return (Number(priceWeiPerKWh) / 1e6).toFixed(4);
}

/** 1234567 → "1.234567" (PLC, 6 decimals). */
export function formatPlc(amountWei: bigint): string {
  const sign = amountWei < 0n ? "-" : "";
  const abs = amountWei < 0n ? -amountWei : amountWei;
  return `${sign}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, "0")}`;
}

/** The custom error's name when `error` is a contract revert with one. */
export function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}

/** One line for a failed call: the custom error with its arguments when the contract reverted with one. */
export function shortError(error: unknown): string {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName) {
      return `${revert.data.errorName}(${(revert.data.args ?? []).map(String).join(", ")})`;
    }
    return error.shortMessage.split("\n")[0] ?? error.shortMessage;
  }
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? String(error);
}

/** Read the cursor file; null if missing, unreadable or for another deployment. */
export function readKeeperCursor(file: string, identity: Omit<KeeperCursor, "version" | "lastProcessedInterval" | "updatedAt">): bigint | null {
  try {
    const data = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<KeeperCursor>;
    if (
      data.version !== 1 ||
      data.chainId !== identity.chainId ||
      data.market?.toLowerCase() !== identity.market.toLowerCase() ||
      data.firstBlockHash !== identity.firstBlockHash ||
      typeof data.lastProcessedInterval !== "string"
    ) {
      return null;
    }
    return BigInt(data.lastProcessedInterval);
  } catch {
    return null;
  }
}

/** Write the cursor atomically (temp file + rename), so a crash never leaves half a file. */
export function writeKeeperCursor(file: string, cursor: KeeperCursor): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(cursor, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Start the keeper loop against a deployment; returns a handle to stop it. */
export async function startKeeper(connection: DevnetConnection, addresses: PowerLANAddresses, options: KeeperOptions = {}): Promise<Keeper> {
  const log = options.log ?? (() => {});
  const periodMs = options.periodMs ?? 3_000;
  const { market, certificate } = await devnetContracts(connection, addresses);
  const publicClient = await connection.viem.getPublicClient();
  const account = DEVNET_CAST.admin.address;
  const walletClient = await connection.viem.getWalletClient(account);
  const chainId = await publicClient.getChainId();
  const stateFile = options.stateFile === undefined ? DEFAULT_KEEPER_STATE_FILE : options.stateFile;
  const firstBlock = await publicClient.getBlock({ blockNumber: 1n }).catch(() => null);
  const identity = { chainId, market: addresses.EnergyMarket, firstBlockHash: firstBlock?.hash ?? null };
  const maxBatch = Number(await market.read.MAX_SETTLE_BATCH());

  // Meters and validators of the demo LAN (PUBLIC devnet keys).
  const meters = await devnetMeterSimulator(publicClient, addresses.EnergyMarket, options.meterSeed ?? DEVNET_METER_SEED);
  const ledgerDomain = meterLedgerDomain(chainId, addresses.MeterLedger);
  const validators = DEVNET_CAST.validators.map((v) => new Validator(v.privateKey, committeeDomain(chainId, addresses.ValidatorCommittee)));
  const bindings: MeterBindingCache = new Map();

  const saved = stateFile ? readKeeperCursor(stateFile, identity) : null;
  let lastProcessed: bigint | null = saved;
  let cursor = saved !== null ? saved + 1n : (options.fromInterval ?? (await market.read.currentInterval()));
  if (saved !== null) log(`resuming after interval ${saved} (cursor ${stateFile})`);
  const demoPosted = new Set<bigint>(options.seededIntervals ?? []);
  /** Intervals whose readings this process saw final and recorded. */
  const readingsDone = new Set<bigint>();
  /** Last "waiting" message per interval, so a waiting interval is logged once, not every tick. */
  const waiting = new Map<bigint, string>();
  let stopped = false;
  let lastError = "";

  const confirm = async (hash: Hash): Promise<void> => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  };

  const saveCursor = (interval: bigint): void => {
    lastProcessed = interval;
    if (!stateFile) return;
    writeKeeperCursor(stateFile, { version: 1, ...identity, lastProcessedInterval: interval.toString(), updatedAt: new Date().toISOString() });
  };

  const wallSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));

  /** The node's clock: the latest block's timestamp, or the wall clock if later (the next block gets that). */
  const nowSeconds = async (): Promise<bigint> => {
    const block = await publicClient.getBlock();
    return block.timestamp > wallSeconds() ? block.timestamp : wallSeconds();
  };

  /** The chain's current interval; mines an empty block first if the wall clock is ahead of the last block. */
  const chainCurrentInterval = async (wantAfter: bigint): Promise<bigint> => {
    let current = await market.read.currentInterval();
    if (current <= wantAfter && options.mineToWallClock !== false) {
      const block = await publicClient.getBlock();
      if (wallSeconds() > block.timestamp && wallSeconds() >= (await market.read.intervalStartTime([wantAfter + 1n]))) {
        await connection.provider.request({ method: "evm_mine", params: [] });
        current = await market.read.currentInterval();
      }
    }
    return current;
  };

  const note = (interval: bigint, message: string): void => {
    if (waiting.get(interval) !== message) log(`interval ${interval}: ${message}`);
    waiting.set(interval, message);
  };

  /** Step 1: clear after gate closure (skipped when cleared already, by anyone). */
  const clearStep = async (interval: bigint): Promise<void> => {
    try {
      const [bids, offers] = await market.read.sortHints([interval]);
      await confirm(await market.write.clear([interval, bids, offers], { account }));
    } catch (error) {
      if (revertName(error) !== "MarketAlreadyCleared") throw error; // cleared meanwhile: done
    }
    const cleared = await market.read.intervalState([interval]);
    log(
      cleared.hasPrice
        ? `interval ${interval} cleared at ${formatPricePerKWh(cleared.clearingPriceWeiPerKWh)} PLC/kWh: ${cleared.clearedWh} Wh matched (${cleared.unsettledOffers} offers, ${cleared.unsettledOrders - cleared.unsettledOffers} bids to settle)`
        : `interval ${interval} cleared: no bid crossed an offer`,
    );
  };

  /** Step 2: meters sign, validators attest, a quorum finalises, the readings are recorded. */
  const readingsStep = async (interval: bigint): Promise<void> => {
    const signed = await meters.signedReadings(interval, ledgerDomain);
    const result = await finalizeInterval({
      reader: publicClient as unknown as ConsensusReader,
      writer: walletClient as unknown as ConsensusWriter,
      addresses: { chainId, committee: addresses.ValidatorCommittee, ledger: addresses.MeterLedger },
      interval,
      readings: signed,
      validators,
      bindings,
    });
    readingsDone.add(interval);
    const exported = signed.reduce((sum, s) => sum + s.reading.exportedWh, 0);
    const imported = signed.reduce((sum, s) => sum + s.reading.importedWh, 0);
    const what = result.finalizedNow ? `final with ${result.signers.length} of ${validators.length} validator signatures` : "already final";
    log(
      `interval ${interval} readings ${what} (root ${result.root.slice(0, 10)}…): ${result.recorded} recorded, ${result.alreadyRecorded} already; meters exported ${exported} Wh, imported ${imported} Wh` +
        (result.rejected.length > 0 ? `; ${result.rejected.length} rejected` : ""),
    );
  };

  /** Open (settleable) auction order ids of one side of an interval, not settled yet. */
  const unsettledIds = async (interval: bigint, side: number, count: number): Promise<bigint[]> => {
    if (count === 0) return [];
    const orders = await market.read.getOrders([interval, side, 0n, BigInt(count)]);
    return orders.filter((o) => !o.cancelled && !o.settled && o.addressedTo === ZERO_ADDRESS && o.energyWh > 0).map((o) => o.id);
  };

  /** Settle `ids` in batches; a batch that reverts because someone settled first is re-read, not retried blindly. */
  const settleIds = async (interval: bigint, side: number, count: number): Promise<number> => {
    let settled = 0;
    for (let attempt = 0; attempt < 3 && !stopped; attempt++) {
      const ids = await unsettledIds(interval, side, count);
      if (ids.length === 0) return settled;
      try {
        for (let i = 0; i < ids.length && !stopped; i += maxBatch) {
          const batch = ids.slice(i, i + maxBatch);
          await confirm(await market.write.settle([batch], { account }));
          settled += batch.length;
        }
        return settled;
      } catch (error) {
        if (revertName(error) !== "MarketOrderAlreadySettled") throw error; // a replay: re-read what is left
      }
    }
    return settled;
  };

  /**
   * Step 3b: bilateral takes (escrowed at take time, settled on delivery like a bid). The take ids
   * come from the same dry-run walk the app's Settle button uses (lib/app/settlement.ts), settled
   * in batches of at most MAX_SETTLE_BATCH. Bounded by the interval's takes.
   */
  const probeTake = async (takeId: bigint): Promise<TakeProbe> => {
    try {
      await market.simulate.settle([[takeId]], { account });
      return "open";
    } catch (error) {
      const name = revertName(error);
      if (name === "MarketUnknownOrder") return "unknown";
      if (name === "MarketOrderAlreadySettled") return "settled";
      throw error;
    }
  };
  const settleTakes = async (interval: bigint): Promise<number> => {
    let settled = 0;
    while (!stopped) {
      const ids = await unsettledTakeIds(interval, probeTake, maxBatch);
      if (ids.length === 0) break;
      await confirm(await market.write.settle([ids], { account }));
      settled += ids.length;
    }
    if (settled > 0) log(`interval ${interval}: ${settled} bilateral take(s) settled on delivery`);
    return settled;
  };

  /** Step 3: sellers first, then buyers. */
  const settleStep = async (interval: bigint): Promise<void> => {
    const state = await market.read.intervalState([interval]);
    const sellers = await settleIds(interval, SIDE_OFFER, state.offerCount);
    const buyers = await settleIds(interval, SIDE_BID, state.bidCount);
    const after = await market.read.intervalState([interval]);
    if (after.unsettledOrders > 0) return;
    const s = await market.read.settlementOf([interval]);
    const certifiedWh = await certificate.read.mintedWh([interval]);
    log(
      `interval ${interval} settled (${sellers} offers, ${buyers} bids): ${s.deliveredWh} of ${after.clearedWh} Wh delivered, buyers paid ${formatPlc(s.buyersChargedWei)} PLC, sellers got ${formatPlc(s.sellersPaidWei)} PLC before grid fees; ${certifiedWh} Wh of certificates`,
    );
  };

  /** Run whatever step of `interval` is due; true when the interval is fully processed. */
  const process1 = async (interval: bigint, now: bigint): Promise<boolean> => {
    if ((await market.read.gateClosureTime([interval])) > now) return false;
    let state = await market.read.intervalState([interval]);
    const hasOrders = state.bidCount + state.offerCount > 0;
    if (hasOrders && !state.cleared) {
      await clearStep(interval);
      state = await market.read.intervalState([interval]);
    }
    if (stopped) return false;
    // Delivery must be over (the ledger refuses readings of the current interval).
    if ((await chainCurrentInterval(interval)) <= interval) return false;
    if (!readingsDone.has(interval)) await readingsStep(interval);
    if (stopped) return false;
    if (state.unsettledOrders > 0) {
      try {
        await settleStep(interval);
      } catch (error) {
        note(interval, `not settled yet: ${shortError(error)} (will retry)`);
        return false;
      }
      if ((await market.read.intervalState([interval])).unsettledOrders > 0) return false;
    }
    if (hasOrders) {
      try {
        await settleTakes(interval);
      } catch (error) {
        note(interval, `takes not settled yet: ${shortError(error)} (will retry)`);
        return false;
      }
    }
    waiting.delete(interval);
    readingsDone.delete(interval);
    return true;
  };

  const tick = async (): Promise<void> => {
    const now = await nowSeconds();
    // Intervals from the cursor on whose gate has closed; the cursor moves over those done in order.
    let allDoneSoFar = true;
    for (let interval = cursor; interval < cursor + BigInt(MAX_WINDOW) && !stopped; interval++) {
      if ((await market.read.gateClosureTime([interval])) > now) break;
      let done: boolean;
      try {
        done = await process1(interval, now);
      } catch (error) {
        note(interval, `${shortError(error)} (will retry)`);
        done = false;
      }
      if (done && allDoneSoFar) {
        saveCursor(interval);
        cursor = interval + 1n;
      } else if (!done) {
        allDoneSoFar = false;
        const newest = await market.read.currentInterval();
        if (interval === cursor && newest > interval + GIVE_UP_AFTER_INTERVALS) {
          log(`interval ${interval}: gave up after ${GIVE_UP_AFTER_INTERVALS} intervals (anyone can still settle it)`);
          saveCursor(interval);
          cursor = interval + 1n;
          allDoneSoFar = true;
        }
      }
    }
    // Keep the upcoming intervals' order books populated (once per interval; never on top of orders).
    if (options.demoOrders !== false && !stopped && !(await market.read.paused())) {
      const upcoming = await openIntervals(connection, market, DEVNET_SEED_INTERVALS);
      const fresh: bigint[] = [];
      for (const i of upcoming) {
        if (demoPosted.has(i)) continue;
        demoPosted.add(i); // once per interval, even if posting fails
        const s = await market.read.intervalState([i]);
        if (s.bidCount + s.offerCount === 0) fresh.push(i);
      }
      if (fresh.length > 0) {
        const placed = await postDemoOrders(connection, market, fresh);
        log(`posted ${placed} demo orders in interval ${fresh.join(", ")}`);
      }
    }
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await tick();
        lastError = "";
      } catch (error) {
        const message = shortError(error);
        if (!stopped && message !== lastError) log(`warning: ${message} (will retry)`);
        lastError = message;
      }
      const until = Date.now() + periodMs;
      while (!stopped && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
    lastProcessed: () => lastProcessed,
  };
}
