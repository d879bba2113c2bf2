import { describe, expect, it } from "vitest";
import { ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult, type Address, type PublicClient } from "viem";
import { SIDE, ZERO_ADDRESS, type BookOrder } from "../../lib/app/orderbook.ts";
import {
  STAGE_ORDER,
  deliveryWords,
  nextSettleBatch,
  settleTransactionCount,
  settlementStage,
  takeIdOf,
  takesStatus,
  unsettledTakeIds,
  type IntervalStateLike,
  type TakeProbe,
  type TakesStatus,
  type ReadingsStatus,
} from "../../lib/app/settlement.ts";
import { KNOWN_ERRORS_ABI, explainError } from "../../lib/errors.ts";
import { takeProbe } from "../../lib/hooks/useSettlement.ts";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;

const base: IntervalStateLike = {
  bidCount: 1,
  offerCount: 1,
  cleared: false,
  hasPrice: false,
  clearedWh: 0n,
  unsettledOrders: 0,
  unsettledOffers: 0,
};
const cleared: IntervalStateLike = { ...base, cleared: true, hasPrice: true, clearedWh: 150n, unsettledOrders: 2, unsettledOffers: 1 };
const final: ReadingsStatus = { rootFinal: true, sellersMissing: 0, offersNeedingReadings: 1, deliveryEndsAt: 1_000n };

function order(id: bigint, side: number, extra: Partial<BookOrder> = {}): BookOrder {
  return {
    id,
    owner: A,
    side,
    interval: 7n,
    index: Number(id),
    priceWeiPerKWh: 200_000,
    energyWh: 100,
    filledWh: 100,
    addressedTo: ZERO_ADDRESS,
    cancelled: false,
    settled: false,
    ...extra,
  };
}

describe("settlement stages on metered delivery", () => {
  it("walks gate open → awaiting clearing → awaiting readings → readings final → sellers settled → settled", () => {
    expect(settlementStage(base, false)?.kind).toBe("gate-open");
    expect(settlementStage({ ...base, bidCount: 0, offerCount: 0 }, true)?.kind).toBe("no-orders");
    expect(settlementStage(base, true)).toMatchObject({ kind: "awaiting-clearing", action: "clear" });
    // Readings unknown yet: never offer a Settle that would revert.
    expect(settlementStage(cleared, true)).toMatchObject({ kind: "awaiting-readings", action: null, label: "cleared, awaiting meter readings" });
    expect(settlementStage(cleared, true, { ...final, rootFinal: false })).toMatchObject({ kind: "awaiting-readings", action: null });
    expect(settlementStage(cleared, true, { ...final, sellersMissing: 1 })?.detail).toMatch(/1 seller's reading is not recorded yet/);
    expect(settlementStage(cleared, true, final)).toMatchObject({ kind: "readings-final", action: "settle" });
    expect(settlementStage({ ...cleared, unsettledOrders: 1, unsettledOffers: 0 }, true)).toMatchObject({ kind: "sellers-settled", action: "settle" });
    expect(settlementStage({ ...cleared, unsettledOrders: 0, unsettledOffers: 0 }, true)).toMatchObject({ kind: "settled", action: null });
    expect(settlementStage(undefined, true)).toBeUndefined();
  });

  it("lets offers that sold nothing settle without readings (no price, or no fill)", () => {
    const noMatch = { ...cleared, hasPrice: false, clearedWh: 0n };
    expect(settlementStage(noMatch, true)).toMatchObject({ kind: "readings-final", action: "settle" });
    expect(settlementStage(cleared, true, { ...final, rootFinal: false, offersNeedingReadings: 0 })?.action).toBe("settle");
  });

  it("settles offers first, then bids, in batches of at most MAX_SETTLE_BATCH", () => {
    const orders = [
      order(1n, SIDE.Bid),
      order(2n, SIDE.Offer),
      order(3n, SIDE.Offer, { settled: true }),
      order(4n, SIDE.Offer, { cancelled: true }),
      order(5n, SIDE.Offer, { addressedTo: A }),
      order(6n, SIDE.Offer, { energyWh: 0 }), // fully taken: not in the auction
      order(7n, SIDE.Offer),
      order(8n, SIDE.Bid),
    ];
    expect(nextSettleBatch(orders, 64)).toEqual({ side: "offers", ids: [2n, 7n] });
    expect(nextSettleBatch(orders, 1)).toEqual({ side: "offers", ids: [2n] });
    const offersDone = orders.map((o) => (o.side === SIDE.Offer ? { ...o, settled: true } : o));
    expect(nextSettleBatch(offersDone, 64)).toEqual({ side: "bids", ids: [1n, 8n] });
    expect(nextSettleBatch(offersDone.map((o) => ({ ...o, settled: true })), 64)).toEqual({ side: "bids", ids: [] });
    expect(() => nextSettleBatch(orders, 0)).toThrow(RangeError);
    expect(settleTransactionCount(65, 1, 64)).toBe(3);
    expect(settleTransactionCount(0, 64, 64)).toBe(1);
    expect(settleTransactionCount(0, 0, 64)).toBe(0);
  });

  it("says delivered vs sold once settlement knows it", () => {
    expect(deliveryWords(150, undefined)).toBeUndefined();
    expect(deliveryWords(150, 150n)).toEqual({ delivered: 150n, shortfallWh: 0n, full: true });
    expect(deliveryWords(150, 90n)).toEqual({ delivered: 90n, shortfallWh: 60n, full: false });
  });

  it("walks the interval's take ids after the auction: unknown ends, settled skips, at most a batch", async () => {
    const I = 7n;
    expect(takeIdOf(I, 3)).toBe((7n << 40n) | (2n << 32n) | 3n);
    // Takes 0 and 2 settled already (e.g. by the keeper), 1, 3 and 4 in escrow, no take 5.
    const settled = new Set([takeIdOf(I, 0), takeIdOf(I, 2)]);
    const asked: bigint[] = [];
    const probe = async (id: bigint): Promise<TakeProbe> => {
      asked.push(id);
      return id > takeIdOf(I, 4) ? "unknown" : settled.has(id) ? "settled" : "open";
    };
    expect(await unsettledTakeIds(I, probe, 64)).toEqual([takeIdOf(I, 1), takeIdOf(I, 3), takeIdOf(I, 4)]);
    expect(asked).toEqual([0, 1, 2, 3, 4, 5].map((n) => takeIdOf(I, n)));
    expect(await unsettledTakeIds(I, probe, 2)).toEqual([takeIdOf(I, 1), takeIdOf(I, 3)]);
    expect(await unsettledTakeIds(I, async () => "unknown", 64)).toEqual([]);
    await expect(unsettledTakeIds(I, probe, 0)).rejects.toThrow(RangeError);
    // Any other revert (e.g. readings not final) is the caller's: it propagates.
    await expect(unsettledTakeIds(I, async () => Promise.reject(new Error("MarketReadingsNotFinal")), 64)).rejects.toThrow("MarketReadingsNotFinal");
  });
});

/** What viem's simulateContract throws for a revert of `settle`: an execution error wrapping the decoded revert. */
function settleRevert(errorName: string, args: readonly unknown[]) {
  const data = encodeErrorResult({ abi: KNOWN_ERRORS_ABI, errorName, args } as never);
  const cause = new ContractFunctionRevertedError({ abi: KNOWN_ERRORS_ABI, data, functionName: "settle" });
  return new ContractFunctionExecutionError(cause, { abi: KNOWN_ERRORS_ABI, functionName: "settle", args: [] });
}
const errorNameOf = (error: unknown) => explainError(error).errorName;

describe("settlement stages: bilateral takes once the auction part is settled", () => {
  const auctionDone: IntervalStateLike = { ...cleared, unsettledOrders: 0, unsettledOffers: 0 };
  const open = (n: number, extra: Partial<TakesStatus> = {}): TakesStatus => ({ open: n, awaitingReadings: false, ...extra });

  it("changes nothing without takes, or with none open", () => {
    for (const takes of [undefined, open(0), open(0, { more: true })]) {
      expect(settlementStage(auctionDone, true, undefined, takes)).toEqual(settlementStage(auctionDone, true));
      expect(settlementStage(auctionDone, true, undefined, takes)).toMatchObject({ kind: "settled", label: "settled", action: null });
    }
  });

  it("says how many takes wait for settlement and offers Settle", () => {
    expect(settlementStage(auctionDone, true, undefined, open(2))).toMatchObject({
      kind: "takes-open",
      label: "2 bilateral takes wait for settlement",
      action: "settle",
    });
    expect(settlementStage(auctionDone, true, undefined, open(1))).toMatchObject({
      kind: "takes-open",
      label: "1 bilateral take waits for settlement",
      action: "settle",
    });
    // The walk stopped at its bound: a lower bound.
    expect(settlementStage(auctionDone, true, undefined, open(65, { more: true }))?.label).toBe("at least 65 bilateral takes wait for settlement");
    expect(STAGE_ORDER.indexOf("takes-open")).toBe(STAGE_ORDER.indexOf("settled") - 1);
  });

  it("counts an interval with no auction orders left to settle (only addressed offers, nothing crossed) once cleared", () => {
    const onlyChannelOffer: IntervalStateLike = { ...base, bidCount: 0, offerCount: 1, cleared: true, hasPrice: false, clearedWh: 0n };
    expect(settlementStage(onlyChannelOffer, true, undefined, open(1))).toMatchObject({ kind: "takes-open", action: "settle" });
    // Not cleared yet: takes cannot settle (MarketNotCleared), clearing comes first.
    expect(settlementStage({ ...onlyChannelOffer, cleared: false }, true, undefined, open(1))).toMatchObject({ kind: "awaiting-clearing", action: "clear" });
  });

  it("waits for meter readings when a take's settlement needs them, with no button", () => {
    const stage = settlementStage(auctionDone, true, undefined, open(3, { awaitingReadings: true }));
    expect(stage).toMatchObject({ kind: "awaiting-readings", action: null, label: "3 bilateral takes wait for meter readings" });
    expect(stage?.detail).toMatch(/meter reading is not final yet/);
    expect(settlementStage(auctionDone, true, undefined, open(1, { awaitingReadings: true }))?.label).toBe("1 bilateral take waits for meter readings");
  });

  it("leaves the auction stages alone while auction orders are unsettled", () => {
    const takes = open(2);
    expect(settlementStage(cleared, true, final, takes)).toEqual(settlementStage(cleared, true, final));
    expect(settlementStage({ ...cleared, unsettledOrders: 1, unsettledOffers: 0 }, true, undefined, takes)?.kind).toBe("sellers-settled");
    expect(settlementStage(cleared, true, undefined, takes)?.kind).toBe("awaiting-readings");
    expect(settlementStage(base, false, undefined, takes)?.kind).toBe("gate-open");
  });
});

describe("takesStatus: the bounded walk behind the stage", () => {
  const I = 9n;
  const n = (id: bigint) => Number(id & 0xffffffffn);

  it("counts open takes, skips settled ones, stops at the first unknown id", async () => {
    const asked: number[] = [];
    const probe = async (id: bigint): Promise<TakeProbe> => {
      asked.push(n(id));
      return n(id) >= 4 ? "unknown" : n(id) === 1 ? "settled" : "open";
    };
    expect(await takesStatus(I, probe, 64, errorNameOf)).toEqual({ open: 3, awaitingReadings: false, more: false });
    expect(asked).toEqual([0, 1, 2, 3, 4]);
    expect(await takesStatus(I, async () => "unknown", 64, errorNameOf)).toEqual({ open: 0, awaitingReadings: false, more: false });
    await expect(takesStatus(I, probe, 0, errorNameOf)).rejects.toThrow(RangeError);
  });

  it("probes at most maxBatch + 1 take ids per interval", async () => {
    let asked = 0;
    const allOpen = async (): Promise<TakeProbe> => (asked++, "open");
    expect(await takesStatus(I, allOpen, 4, errorNameOf)).toEqual({ open: 5, awaitingReadings: false, more: true });
    expect(asked).toBe(5);
    asked = 0;
    const allSettled = async (): Promise<TakeProbe> => (asked++, "settled");
    expect(await takesStatus(I, allSettled, 4, errorNameOf)).toEqual({ open: 0, awaitingReadings: false, more: true });
    expect(asked).toBe(5);
    // Exactly maxBatch takes, then no more: not cut.
    asked = 0;
    const four = async (id: bigint): Promise<TakeProbe> => (asked++, n(id) < 4 ? "open" : "unknown");
    expect(await takesStatus(I, four, 4, errorNameOf)).toEqual({ open: 4, awaitingReadings: false, more: false });
    expect(asked).toBe(5);
  });

  it("counts a take whose seller's readings are not final as open and awaiting readings; any other revert propagates", async () => {
    const probe = async (id: bigint): Promise<TakeProbe> => {
      if (n(id) === 0) return "settled";
      if (n(id) === 1) throw settleRevert("MarketReadingsNotFinal", [I]);
      if (n(id) === 2) throw settleRevert("MarketReadingMissing", [A, I, 1_000n]);
      return n(id) === 3 ? "open" : "unknown";
    };
    expect(await takesStatus(I, probe, 64, errorNameOf)).toEqual({ open: 3, awaitingReadings: true, more: false });
    const broken = async (): Promise<TakeProbe> => {
      throw settleRevert("MarketSettlementNotConfigured", []);
    };
    await expect(takesStatus(I, broken, 64, errorNameOf)).rejects.toThrow(ContractFunctionExecutionError);
    await expect(takesStatus(I, async () => Promise.reject(new Error("network down")), 64, errorNameOf)).rejects.toThrow("network down");
  });

  it("takeProbe maps the dry run of settle([takeId]): would settle, already settled, unknown, anything else thrown", async () => {
    const market = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
    const calls: unknown[] = [];
    const client = (outcome: Error | undefined) =>
      ({
        simulateContract: async (args: unknown) => {
          calls.push(args);
          if (outcome) throw outcome;
          return { result: undefined, request: {} };
        },
      }) as unknown as Pick<PublicClient, "simulateContract">;
    const id = takeIdOf(I, 0);
    expect(await takeProbe(client(undefined), market)(id)).toBe("open");
    expect(calls[0]).toMatchObject({ address: market, functionName: "settle", args: [[id]] });
    expect(await takeProbe(client(settleRevert("MarketOrderAlreadySettled", [id])), market)(id)).toBe("settled");
    expect(await takeProbe(client(settleRevert("MarketUnknownOrder", [id])), market)(id)).toBe("unknown");
    await expect(takeProbe(client(settleRevert("MarketReadingsNotFinal", [I])), market)(id)).rejects.toThrow(ContractFunctionExecutionError);
    // The readings revert, through takesStatus: open and awaiting readings.
    const probe = takeProbe(client(settleRevert("MarketReadingsNotFinal", [I])), market);
    let first = true;
    const once = async (takeId: bigint): Promise<TakeProbe> => (first ? ((first = false), probe(takeId)) : "unknown");
    expect(await takesStatus(I, once, 64, errorNameOf)).toEqual({ open: 1, awaitingReadings: true, more: false });
  });
});
