"use client";

/**
 * Reads of the market for the trading page: the chain's clock and the open intervals, one
 * interval's book and parameters, balances, the viewer's participant record and activity.
 * Every read is a react-query query, so the one write path (useWrite) refreshes them all.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { Address } from "viem";
import { useBlock, usePublicClient, useReadContracts } from "wagmi";
import { energyMarketAbi, participantRegistryAbi, paymentTokenAbi, supervisorAbi } from "@/lib/contracts";
import { chainNowSeconds, intervalRange, openIntervals, type IntervalTiming } from "@/lib/app/intervals";
import { SIDE, type BookOrder } from "@/lib/app/orderbook";
import type { Deployment } from "./useDeployment";
import type { AppChainId } from "@/lib/wagmi";

/** Refresh period of market reads (the devnet mines on demand; others may trade any time). */
export const REFRESH_MS = 3_000;

/** Mirrors `IEnergyMarket.MarketParams`; one definition, browser-safe, in lib/devnet/config.ts. */
import type { MarketParams } from "@/lib/devnet/config";
export type { MarketParams };

export type IntervalState = {
  bidCount: number;
  offerCount: number;
  liveBids: number;
  liveOffers: number;
  cleared: boolean;
  hasPrice: boolean;
  clearingPriceWeiPerKWh: number;
  clearedWh: bigint;
  unsettledOrders: number;
  /** Of which offers (buyers settle only when this is 0). */
  unsettledOffers: number;
};

/**
 * The chain's clock, ticking every second: the wall clock plus how far the chain's last block is
 * ahead of it (tests move the devnet's time forward with evm_increaseTime).
 */
export function useChainClock(chainId: AppChainId): number {
  const { data: block } = useBlock({ chainId, watch: true });
  const [aheadSeconds, setAhead] = useState(0);
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    if (block) setAhead(Math.max(0, chainNowSeconds(block.timestamp, Date.now()) - Math.floor(Date.now() / 1000)));
  }, [block]);
  useEffect(() => {
    const tick = () => setNow(Math.floor(Date.now() / 1000) + aheadSeconds);
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [aheadSeconds]);
  return now;
}

export interface MarketClock {
  now: number;
  current?: bigint;
  /** Timing of intervals from the current one − `before` on. */
  timings: IntervalTiming[];
  /** Intervals still accepting orders, soonest first. */
  open: IntervalTiming[];
  paused?: boolean;
  isLoading: boolean;
  error: Error | null;
}

/** The current interval, the timing of the ones around it, and which are open for orders. */
export function useMarketClock(d: Deployment, before = 6, after = 6): MarketClock {
  const now = useChainClock(d.chainId);
  const base = { address: d.market, abi: energyMarketAbi, chainId: d.chainId } as const;
  const head = useReadContracts({
    contracts: [
      { ...base, functionName: "currentInterval" },
      { ...base, functionName: "paused" },
    ],
    allowFailure: false,
    query: { enabled: d.deployed, refetchInterval: REFRESH_MS },
  });
  const current = head.data?.[0];
  const numbers = useMemo(() => (current === undefined ? [] : intervalRange(current, before, after)), [current, before, after]);
  const timingReads = useReadContracts({
    contracts: numbers.flatMap((i) => [
      { ...base, functionName: "intervalStartTime", args: [i] } as const,
      { ...base, functionName: "gateClosureTime", args: [i] } as const,
    ]),
    allowFailure: false,
    query: { enabled: d.deployed && numbers.length > 0, staleTime: 60_000 },
  });
  const timings = useMemo<IntervalTiming[]>(() => {
    const data = timingReads.data as readonly bigint[] | undefined;
    if (!data || data.length !== numbers.length * 2) return [];
    return numbers.map((interval, k) => ({ interval, startTime: data[2 * k], gateClosureTime: data[2 * k + 1] }));
  }, [timingReads.data, numbers]);
  return {
    now,
    current,
    timings,
    open: openIntervals(timings, now),
    paused: head.data?.[1],
    isLoading: head.isLoading || timingReads.isLoading,
    error: (head.error ?? timingReads.error) as Error | null,
  };
}

/** Largest `count` asked of getOrders (the contract clips it to what exists). */
const ALL_ORDERS = 5_000n;

export interface IntervalBook {
  params?: MarketParams;
  state?: IntervalState;
  orders: BookOrder[];
  isLoading: boolean;
  error: Error | null;
}

/** One interval's parameters, state and every order (both sides). */
export function useIntervalBook(d: Deployment, interval: bigint | undefined): IntervalBook {
  const base = { address: d.market, abi: energyMarketAbi, chainId: d.chainId } as const;
  const i = interval ?? 0n;
  const reads = useReadContracts({
    contracts: [
      { ...base, functionName: "paramsFor", args: [i] },
      { ...base, functionName: "intervalState", args: [i] },
      { ...base, functionName: "getOrders", args: [i, SIDE.Bid, 0n, ALL_ORDERS] },
      { ...base, functionName: "getOrders", args: [i, SIDE.Offer, 0n, ALL_ORDERS] },
    ],
    allowFailure: false,
    query: { enabled: d.deployed && interval !== undefined, refetchInterval: REFRESH_MS },
  });
  const orders = useMemo(
    () => (reads.data ? ([...reads.data[2], ...reads.data[3]] as unknown as BookOrder[]) : []),
    [reads.data],
  );
  return {
    params: reads.data?.[0] as MarketParams | undefined,
    state: reads.data?.[1] as IntervalState | undefined,
    orders,
    isLoading: reads.isLoading,
    error: reads.error as Error | null,
  };
}

/** States of several intervals (for the recent-intervals panel). */
export function useIntervalStates(d: Deployment, intervals: readonly bigint[]) {
  const reads = useReadContracts({
    contracts: intervals.map((i) => ({ address: d.market, abi: energyMarketAbi, chainId: d.chainId, functionName: "intervalState", args: [i] }) as const),
    allowFailure: false,
    query: { enabled: d.deployed && intervals.length > 0, refetchInterval: REFRESH_MS },
  });
  return { states: reads.data as readonly IntervalState[] | undefined, isLoading: reads.isLoading, error: reads.error as Error | null };
}

export interface Balances {
  walletWei: bigint;
  allowanceWei: bigint;
  freeWei: bigint;
  lockedWei: bigint;
  faucetEnabled: boolean;
  faucetReadyAt: bigint;
}

/** Wallet PLC, allowance to the market, vault free + locked, faucet state. */
export function useBalances(d: Deployment, account: Address | undefined) {
  const token = { address: d.token, abi: paymentTokenAbi, chainId: d.chainId } as const;
  const market = { address: d.market, abi: energyMarketAbi, chainId: d.chainId } as const;
  const a = account ?? "0x0000000000000000000000000000000000000000";
  const reads = useReadContracts({
    contracts: [
      { ...token, functionName: "balanceOf", args: [a] },
      { ...token, functionName: "allowance", args: [a, d.market ?? a] },
      { ...market, functionName: "freeBalanceOf", args: [a] },
      { ...market, functionName: "lockedBalanceOf", args: [a] },
      { ...token, functionName: "faucetEnabled" },
      { ...token, functionName: "faucetReadyAt", args: [a] },
    ],
    allowFailure: false,
    query: { enabled: d.deployed && account !== undefined, refetchInterval: REFRESH_MS },
  });
  const balances: Balances | undefined = reads.data
    ? {
        walletWei: reads.data[0],
        allowanceWei: reads.data[1],
        freeWei: reads.data[2],
        lockedWei: reads.data[3],
        faucetEnabled: reads.data[4],
        faucetReadyAt: reads.data[5],
      }
    : undefined;
  return { balances, isLoading: reads.isLoading, error: reads.error as Error | null };
}

export const ROLE_NAMES = ["None", "Prosumer", "Consumer", "Aggregator", "Validator", "DSO", "Regulator"] as const;
export const STATUS_NAMES = ["Not registered", "Pending", "Approved", "Suspended"] as const;

export interface Trader {
  role: number;
  status: number;
  zone: number;
  meter: Address;
  canBuy: boolean;
  canSell: boolean;
  flagged: boolean;
}

/** The viewer's participant record and what the market lets it do. */
export function useTrader(d: Deployment, account: Address | undefined) {
  const a = account ?? "0x0000000000000000000000000000000000000000";
  const reads = useReadContracts({
    contracts: [
      { address: d.registry, abi: participantRegistryAbi, chainId: d.chainId, functionName: "participantOf", args: [a] },
      { address: d.market, abi: energyMarketAbi, chainId: d.chainId, functionName: "traderStatus", args: [a] },
      { address: d.supervisor, abi: supervisorAbi, chainId: d.chainId, functionName: "isFlagged", args: [a] },
    ],
    allowFailure: false,
    query: { enabled: d.deployed && account !== undefined, refetchInterval: REFRESH_MS * 2 },
  });
  const trader: Trader | undefined = reads.data
    ? {
        role: reads.data[0].role,
        status: reads.data[0].status,
        zone: reads.data[0].zone,
        meter: reads.data[0].meter,
        canBuy: reads.data[1][0],
        canSell: reads.data[1][1],
        flagged: reads.data[2],
      }
    : undefined;
  return { trader, isLoading: reads.isLoading };
}

/** A bilateral trade the viewer took part in. */
export interface TakeFill {
  offerId: bigint;
  takeId: bigint;
  buyer: Address;
  seller: Address;
  energyWh: number;
  priceWeiPerKWh: number;
  /** Locked in the buyer's vault at take time (0: paid through channels). */
  paidWei: bigint;
  blockNumber: bigint;
  /** Once settled on metered delivery: the take's delivered share d_t and the viewer's money. */
  settlement?: {
    deliveredWh: bigint;
    /** Buyer: what was charged for d_t (escrowed) — 0 for a channel take. Seller: payout after the grid fee (escrowed) or 0. */
    amountWei: bigint;
    /** Seller: the zone's grid fee on d_t. */
    gridFeeWei?: bigint;
  };
}

/** The viewer's auction orders (newest first) with their interval's state and settlement. */
export interface MyOrder extends BookOrder {
  intervalState?: IntervalState;
  settledAmountWei?: bigint;
  settledRefundWei?: bigint;
  /** What settlement said was delivered: bids d_k, offers their share of the seller's delivery. */
  settledDeliveredWh?: bigint;
}

/** How many of the viewer's most recent orders the page looks at. */
const MY_ORDERS_LIMIT = 60;

/**
 * The viewer's orders, fills and settlements, from the market's indexed events (filtered by the
 * viewer's address, so the node does the filtering) plus `getOrder` for their current state.
 * Fine for a devnet or a LAN; a larger deployment would read them from the indexer instead.
 */
export function useMyActivity(d: Deployment, account: Address | undefined) {
  const client = usePublicClient({ chainId: d.chainId });
  return useQuery({
    queryKey: ["powerlan", "myActivity", d.chainId, d.market, account],
    enabled: Boolean(client && d.market && account),
    refetchInterval: REFRESH_MS,
    queryFn: async () => {
      const market = d.market!;
      const me = account!;
      const [placed, bought, sold, settled, soldEscrowed, soldChannel] = await Promise.all([
        client!.getContractEvents({ address: market, abi: energyMarketAbi, eventName: "OrderPlaced", args: { owner: me }, fromBlock: 0n }),
        client!.getContractEvents({ address: market, abi: energyMarketAbi, eventName: "OfferTaken", args: { buyer: me }, fromBlock: 0n }),
        client!.getContractEvents({ address: market, abi: energyMarketAbi, eventName: "OfferTaken", args: { seller: me }, fromBlock: 0n }),
        // A take's OrderSettled names the buyer; the seller's side of it is in Escrowed/ChannelTakeSettled.
        client!.getContractEvents({ address: market, abi: energyMarketAbi, eventName: "OrderSettled", args: { owner: me }, fromBlock: 0n }),
        client!.getContractEvents({ address: market, abi: energyMarketAbi, eventName: "EscrowedTakeSettled", args: { seller: me }, fromBlock: 0n }),
        client!.getContractEvents({ address: market, abi: energyMarketAbi, eventName: "ChannelTakeSettled", args: { seller: me }, fromBlock: 0n }),
      ]);
      const ids = placed
        .map((e) => e.args.orderId!)
        .reverse()
        .slice(0, MY_ORDERS_LIMIT);
      const orders = (await Promise.all(
        ids.map((id) => client!.readContract({ address: market, abi: energyMarketAbi, functionName: "getOrder", args: [id] })),
      )) as unknown as BookOrder[];
      const intervals = [...new Set(orders.map((o) => o.interval))];
      const states = (await Promise.all(
        intervals.map((i) => client!.readContract({ address: market, abi: energyMarketAbi, functionName: "intervalState", args: [i] })),
      )) as unknown as IntervalState[];
      const stateOf = new Map(intervals.map((i, k) => [i, states[k]]));
      const settlement = new Map(settled.map((e) => [e.args.orderId!, e.args]));
      const myOrders: MyOrder[] = orders.map((o) => ({
        ...o,
        intervalState: stateOf.get(o.interval),
        settledAmountWei: settlement.get(o.id)?.amountWei,
        settledRefundWei: settlement.get(o.id)?.refundWei,
        settledDeliveredWh: settlement.get(o.id)?.deliveredWh,
      }));
      const sellerSide = new Map<bigint, NonNullable<TakeFill["settlement"]>>([
        ...soldEscrowed.map((e) => [e.args.takeId!, { deliveredWh: e.args.deliveredWh!, amountWei: e.args.payoutWei!, gridFeeWei: e.args.gridFeeWei! }] as const),
        ...soldChannel.map((e) => [e.args.takeId!, { deliveredWh: e.args.deliveredWh!, amountWei: 0n, gridFeeWei: e.args.gridFeeWei! }] as const),
      ]);
      const takeSettlement = (takeId: bigint, iAmBuyer: boolean): TakeFill["settlement"] => {
        if (!iAmBuyer) return sellerSide.get(takeId);
        const s = settlement.get(takeId);
        return s ? { deliveredWh: s.deliveredWh!, amountWei: s.amountWei! } : undefined;
      };
      const toFill = (e: (typeof bought)[number]): TakeFill => ({
        offerId: e.args.offerId!,
        takeId: e.args.takeId!,
        settlement: takeSettlement(e.args.takeId!, e.args.buyer!.toLowerCase() === me.toLowerCase()),
        buyer: e.args.buyer!,
        seller: e.args.seller!,
        energyWh: e.args.energyWh!,
        priceWeiPerKWh: e.args.priceWeiPerKWh!,
        paidWei: e.args.paidWei!,
        blockNumber: e.blockNumber,
      });
      const takes = [...bought, ...sold].map(toFill).sort((a, b) => Number(b.blockNumber - a.blockNumber));
      return { orders: myOrders, takes };
    },
  });
}
