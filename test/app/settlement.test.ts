import { describe, expect, it } from "vitest";
import type { Address } from "viem";
import { SIDE, ZERO_ADDRESS, type BookOrder } from "../../lib/app/orderbook.ts";
import {
  deliveryWords,
  nextSettleBatch,
  settleTransactionCount,
  settlementStage,
  takeIdOf,
  unsettledTakeIds,
  type IntervalStateLike,
  type TakeProbe,
  type ReadingsStatus,
} from "../../lib/app/settlement.ts";

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
