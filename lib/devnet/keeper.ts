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
import type { Hash } from "viem";
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
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** 215000 → "0.2150" (PLC per kWh, payment token base units with 6 decimals). */
export function formatPricePerKWh(priceWeiPerKWh: number | bigint): string {
  return (Number(priceWeiPerKWh) / 1e6).toFixed(4);
}

function shortError(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e.shortMessage ?? e.message ?? String(error)).split("\n")[0];
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

  /** Settle every live auction order of a cleared interval that is not settled yet. */
  const settleInterval = async (interval: bigint, bidCount: number, offerCount: number): Promise<number> => {
    const ids: bigint[] = [];
    for (const [side, count] of [
      [SIDE_BID, bidCount],
      [SIDE_OFFER, offerCount],
    ] as const) {
      if (count === 0) continue;
      const orders = await market.read.getOrders([interval, side, 0n, BigInt(count)]);
      for (const o of orders) {
        if (!o.cancelled && !o.settled && o.addressedTo === ZERO_ADDRESS && o.energyWh > 0) ids.push(o.id);
      }
    }
    for (let i = 0; i < ids.length; i += SETTLE_BATCH) {
      await confirm(await market.write.settle([ids.slice(i, i + SETTLE_BATCH)], { account }));
    }
    return ids.length;
  };

  const tick = async (): Promise<void> => {
    const now = await nowSeconds();
    // 1. clear and settle every interval whose gate has closed
    while (!stopped && (await market.read.gateClosureTime([cursor])) <= now) {
      let state = await market.read.intervalState([cursor]);
      if (state.bidCount + state.offerCount === 0) {
        cursor += 1n;
        continue;
      }
      if (!state.cleared) {
        const [bids, offers] = await market.read.sortHints([cursor]);
        await confirm(await market.write.clear([cursor, bids, offers], { account }));
        state = await market.read.intervalState([cursor]);
        log(
          state.hasPrice
            ? `interval ${cursor} cleared at ${formatPricePerKWh(state.clearingPriceWeiPerKWh)} PLC/kWh, ${state.clearedWh} Wh matched`
            : `interval ${cursor} cleared: no bid crossed an offer`,
        );
      }
      if (state.unsettledOrders > 0) {
        const settled = await settleInterval(cursor, state.bidCount, state.offerCount);
        if (settled > 0) log(`interval ${cursor} settled: ${settled} orders`);
      }
      cursor += 1n;
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
