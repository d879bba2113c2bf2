/**
 * The devnet keeper (Node only): keeps the demo market moving while `npm start` runs.
 * Every few seconds it
 *  - clears each interval whose gate has closed and that has orders (`sortHints` → `clear`),
 *  - settles the auction orders of cleared intervals (`settle`, in batches),
 *  - posts the demo order book for upcoming open intervals that have not had it yet, so the
 *    order book is never empty (households' orders, like the seed's; `--no-demo-orders` turns it off).
 * Anyone may call clear and settle; the keeper sends them from the admin dev account.
 * Idempotent against the chain: if someone else (a user in the app, a test) cleared or settled
 * first, the keeper sees it in the views and moves on; a failed transaction is logged, retried on
 * the next tick, and never stops the loop.
 */
import { BaseError, ContractFunctionRevertedError, type Hash } from "viem";
import { DEVNET_CAST } from "./accounts.ts";
import { DEVNET_SEED_INTERVALS } from "./config.ts";
import type { PowerLANAddresses } from "./deploy.ts";
import type { DevnetConnection } from "./hardhat.ts";
import { devnetContracts, openIntervals, postDemoOrders } from "./seed.ts";

export interface KeeperOptions {
  /** Poll period. Default 3 s. */
  periodMs?: number;
  /** Post the demo book into upcoming intervals. Default true. */
  demoOrders?: boolean;
  /** Intervals that already have the demo book (e.g. from the seed). */
  seededIntervals?: readonly bigint[];
  /** The first interval to look at. Default: the current interval. */
  fromInterval?: bigint;
  log?: (line: string) => void;
}

export interface Keeper {
  /** Stop after the current tick; resolves when stopped. */
  stop(): Promise<void>;
}

const SIDE_BID = 0;
const SIDE_OFFER = 1;
const SETTLE_BATCH = 40;
/** Cleared intervals the keeper keeps retrying to settle (e.g. while they wait for meter readings). */
const MAX_PENDING_SETTLEMENTS = 100;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** 215000 → "0.2150" (PLC per kWh, payment token base units with 6 decimals). */
export function formatPricePerKWh(priceWeiPerKWh: number | bigint): string {
  return (Number(priceWeiPerKWh) / 1e6).toFixed(4);
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

/** Start the keeper loop against a deployment; returns a handle to stop it. */
export async function startKeeper(connection: DevnetConnection, addresses: PowerLANAddresses, options: KeeperOptions = {}): Promise<Keeper> {
  const log = options.log ?? (() => {});
  const periodMs = options.periodMs ?? 3_000;
  const { market } = await devnetContracts(connection, addresses);
  const publicClient = await connection.viem.getPublicClient();
  const account = DEVNET_CAST.admin.address;
  const demoPosted = new Set<bigint>(options.seededIntervals ?? []);
  let cursor = options.fromInterval ?? (await market.read.currentInterval());
  let stopped = false;
  let lastError = "";

  const confirm = async (hash: Hash): Promise<void> => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  };

  const nowSeconds = async (): Promise<bigint> => {
    const block = await publicClient.getBlock();
    return BigInt(Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000)));
  };

  /**
   * Settle the live auction orders of a cleared interval that are not settled yet: offers first,
   * then bids (a market that pays on metered delivery settles sellers before buyers), in batches.
   */
  const settleInterval = async (interval: bigint): Promise<number> => {
    const state = await market.read.intervalState([interval]);
    let settled = 0;
    for (const [side, count] of [
      [SIDE_OFFER, state.offerCount],
      [SIDE_BID, state.bidCount],
    ] as const) {
      if (count === 0) continue;
      const orders = await market.read.getOrders([interval, side, 0n, BigInt(count)]);
      const ids = orders
        .filter((o) => !o.cancelled && !o.settled && o.addressedTo === ZERO_ADDRESS && o.energyWh > 0)
        .map((o) => o.id);
      for (let i = 0; i < ids.length; i += SETTLE_BATCH) {
        await confirm(await market.write.settle([ids.slice(i, i + SETTLE_BATCH)], { account }));
      }
      settled += ids.length;
    }
    return settled;
  };

  /** Cleared intervals whose settlement has not completed (it may wait for meter readings). */
  const toSettle = new Map<bigint, string>(); // interval → last settlement error logged

  const tick = async (): Promise<void> => {
    const now = await nowSeconds();
    // 1. clear every interval whose gate has closed
    while (!stopped && (await market.read.gateClosureTime([cursor])) <= now) {
      const state = await market.read.intervalState([cursor]);
      if (state.bidCount + state.offerCount > 0) {
        if (!state.cleared) {
          const [bids, offers] = await market.read.sortHints([cursor]);
          await confirm(await market.write.clear([cursor, bids, offers], { account }));
          const cleared = await market.read.intervalState([cursor]);
          log(
            cleared.hasPrice
              ? `interval ${cursor} cleared at ${formatPricePerKWh(cleared.clearingPriceWeiPerKWh)} PLC/kWh, ${cleared.clearedWh} Wh matched`
              : `interval ${cursor} cleared: no bid crossed an offer`,
          );
        }
        toSettle.set(cursor, toSettle.get(cursor) ?? "");
        if (toSettle.size > MAX_PENDING_SETTLEMENTS) {
          const [oldest] = toSettle.keys();
          if (oldest !== undefined) {
            toSettle.delete(oldest);
            log(`interval ${oldest}: gave up settling it (anyone can still call settle)`);
          }
        }
      }
      cursor += 1n;
    }
    // 2. settle cleared intervals; one that cannot settle yet is retried next tick
    for (const [interval, lastSettleError] of toSettle) {
      if (stopped) break;
      if ((await market.read.intervalState([interval])).unsettledOrders === 0) {
        toSettle.delete(interval);
        continue;
      }
      try {
        const settled = await settleInterval(interval);
        if (settled > 0) log(`interval ${interval} settled: ${settled} orders`);
        toSettle.delete(interval);
      } catch (error) {
        const message = shortError(error);
        if (message !== lastSettleError) log(`interval ${interval} not settled yet: ${message} (will retry)`);
        toSettle.set(interval, message);
      }
    }
    // 2. keep the upcoming intervals' order books populated
    if (options.demoOrders !== false && !stopped && !(await market.read.paused())) {
      const upcoming = await openIntervals(connection, market, DEVNET_SEED_INTERVALS);
      const fresh = upcoming.filter((i) => !demoPosted.has(i));
      if (fresh.length > 0) {
        for (const i of fresh) demoPosted.add(i); // once per interval, even if posting fails
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
  };
}
