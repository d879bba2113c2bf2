"use client";

/**
 * Reads behind the settlement stages of the recent-intervals panel: for each cleared interval with
 * orders still to settle, whether the validator committee has finalised its readings root and
 * whether each seller with sold energy has its reading recorded in the MeterLedger (or is past its
 * grace); for each cleared interval whose auction orders are all settled, how many of its
 * bilateral takes still wait for `settle` (a bounded dry-run walk, `takesStatus`, with the same
 * `takeProbe` the Settle button's walk uses). One react-query query, so the write path's
 * invalidation refreshes it with everything else.
 */
import { useQuery } from "@tanstack/react-query";
import type { Address, Hex, PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import { energyMarketAbi, meterLedgerAbi, validatorCommitteeAbi } from "@/lib/contracts";
import { SIDE, isLiveAuctionOrder, type BookOrder } from "@/lib/app/orderbook";
import { takesStatus, type IntervalStateLike, type ReadingsStatus, type TakeProbe, type TakesStatus } from "@/lib/app/settlement";
import { explainError } from "@/lib/errors";
import type { Deployment } from "./useDeployment";
import { REFRESH_MS } from "./useMarket";

const ZERO_ROOT = `0x${"00".repeat(32)}` as Hex;

/** Largest `count` asked of getOrders (the contract clips it to what exists). */
const ALL_ORDERS = 5_000n;

/**
 * A dry run of `settle([takeId])` on `market` (anyone may settle): would it settle ("open"), is it
 * settled (MarketOrderAlreadySettled) or is there no such take (MarketUnknownOrder)? Any other
 * revert — e.g. MarketReadingsNotFinal — is thrown. The one probe of the app's take walks.
 */
export function takeProbe(client: Pick<PublicClient, "simulateContract">, market: Address): (takeId: bigint) => Promise<TakeProbe> {
  return async (takeId) => {
    try {
      await client.simulateContract({ address: market, abi: energyMarketAbi, functionName: "settle", args: [[takeId]] });
      return "open";
    } catch (error) {
      const name = explainError(error).errorName;
      if (name === "MarketUnknownOrder") return "unknown";
      if (name === "MarketOrderAlreadySettled") return "settled";
      throw error;
    }
  };
}

export interface SettlementReads {
  /** interval (decimal string) → readings status; only intervals that still have offers to settle. */
  readings: ReadonlyMap<string, ReadingsStatus>;
  /**
   * interval (decimal string) → its bilateral takes; only cleared intervals whose auction orders are
   * all settled. null: the walk met an unexpected revert (the stage then says what the auction says).
   */
  takes: ReadonlyMap<string, TakesStatus | null>;
  /** MAX_SETTLE_BATCH of the market. */
  maxBatch?: number;
}

/**
 * @param intervals gated intervals with their states (as the panel shows them)
 * @param now the chain's clock (unix seconds), for the readings' grace period
 */
export function useSettlementReads(d: Deployment, intervals: readonly { interval: bigint; state?: IntervalStateLike }[], now: number) {
  const client = usePublicClient({ chainId: d.chainId });
  const ledger = d.address("MeterLedger");
  const pending = intervals.filter((x) => x.state?.cleared && x.state.unsettledOffers > 0).map((x) => x.interval);
  const auctionDone = intervals.filter((x) => x.state?.cleared && x.state.unsettledOrders === 0).map((x) => x.interval);
  // The grace only matters in minutes: re-key the query once per minute, not every second.
  const minute = Math.floor(now / 60);
  return useQuery({
    queryKey: ["powerlan", "settlementReads", d.chainId, d.market, pending.map(String), auctionDone.map(String), minute],
    enabled: Boolean(client && d.market),
    refetchInterval: REFRESH_MS,
    placeholderData: (previous) => previous,
    queryFn: async (): Promise<SettlementReads> => {
      const market = d.market!;
      const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
        client!.readContract({ address, abi, functionName, args } as never) as Promise<T>;
      const maxBatch = Number(await read<bigint>(market, energyMarketAbi, "MAX_SETTLE_BATCH"));
      const readings = new Map<string, ReadingsStatus>();
      const takes = new Map<string, TakesStatus | null>();
      const probe = takeProbe(client!, market);
      const errorNameOf = (error: unknown) => explainError(error).errorName;
      // The takes' walks run alongside the readings' reads.
      const takesRead = Promise.all(
        auctionDone.map(async (interval) => {
          try {
            takes.set(interval.toString(), await takesStatus(interval, probe, maxBatch, errorNameOf));
          } catch {
            takes.set(interval.toString(), null);
          }
        }),
      );
      if (pending.length === 0) {
        await takesRead;
        return { readings, takes, maxBatch };
      }
      const committee = d.committee;
      const grace = await read<bigint>(market, energyMarketAbi, "READING_GRACE_SECONDS");
      await Promise.all(
        pending.map(async (interval) => {
          const [root, offers, deliveryEndsAt] = await Promise.all([
            committee ? read<Hex>(committee, validatorCommitteeAbi, "finalizedReadingsRoot", [interval]) : Promise.resolve(ZERO_ROOT),
            read<readonly BookOrder[]>(market, energyMarketAbi, "getOrders", [interval, SIDE.Offer, 0n, ALL_ORDERS]),
            read<bigint>(market, energyMarketAbi, "intervalStartTime", [interval + 1n]),
          ]);
          const needing = offers.filter((o) => isLiveAuctionOrder(o) && !o.settled && o.filledWh > 0);
          const sellers = [...new Set(needing.map((o) => o.owner))];
          const graceOver = BigInt(now) >= deliveryEndsAt + grace;
          let sellersMissing = 0;
          if (root !== ZERO_ROOT && !graceOver && ledger) {
            const recorded = await Promise.all(
              sellers.map((s) => read<readonly [boolean, number, number]>(ledger, meterLedgerAbi, "readingOf", [s, interval])),
            );
            sellersMissing = recorded.filter((r) => !r[0]).length;
          }
          readings.set(interval.toString(), {
            rootFinal: root !== ZERO_ROOT,
            sellersMissing,
            offersNeedingReadings: needing.length,
            deliveryEndsAt,
          });
        }),
      );
      await takesRead;
      return { readings, takes, maxBatch };
    },
  });
}
