import { describe, expect, it } from "vitest";
import type { Address } from "viem";
import {
  SIDE,
  ZERO_ADDRESS,
  meritOrder,
  orderStatus,
  priceLevels,
  sideTotals,
  toAuctionOrders,
  type BookOrder,
} from "../../lib/app/orderbook.ts";
import { depthChartGeometry, niceTicks } from "../../lib/app/depthChart.ts";
import { chainNowSeconds, intervalRange, isGated, openIntervals, secondsToGate } from "../../lib/app/intervals.ts";

const ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as Address;

let nextId = 1n;
function order(side: number, index: number, priceWeiPerKWh: number, energyWh: number, extra: Partial<BookOrder> = {}): BookOrder {
  return {
    id: nextId++,
    owner: ALICE,
    side,
    interval: 7n,
    index,
    priceWeiPerKWh,
    energyWh,
    filledWh: 0,
    addressedTo: ZERO_ADDRESS,
    cancelled: false,
    settled: false,
    ...extra,
  };
}

describe("order book", () => {
  const book = [
    order(SIDE.Bid, 0, 200_000, 100),
    order(SIDE.Bid, 1, 300_000, 50, { owner: BOB }),
    order(SIDE.Bid, 2, 200_000, 70, { owner: BOB }),
    order(SIDE.Bid, 3, 400_000, 10, { cancelled: true }),
    order(SIDE.Offer, 0, 250_000, 80),
    order(SIDE.Offer, 1, 150_000, 40, { owner: BOB }),
    order(SIDE.Offer, 2, 150_000, 0), // fully taken
    order(SIDE.Offer, 3, 100_000, 500, { addressedTo: BOB }), // bilateral only
  ];

  it("sorts bids by price descending and offers ascending, ties by arrival, live auction orders only", () => {
    expect(meritOrder(book, SIDE.Bid).map((o) => o.index)).toEqual([1, 0, 2]);
    expect(meritOrder(book, SIDE.Offer).map((o) => o.index)).toEqual([1, 0]);
  });

  it("aggregates price levels with cumulative depth and the viewer's share", () => {
    expect(priceLevels(book, SIDE.Bid, BOB)).toEqual([
      { priceWeiPerKWh: 300_000, energyWh: 50, cumulativeWh: 50, orders: 1, mineWh: 50 },
      { priceWeiPerKWh: 200_000, energyWh: 170, cumulativeWh: 220, orders: 2, mineWh: 70 },
    ]);
    expect(priceLevels(book, SIDE.Offer)).toEqual([
      { priceWeiPerKWh: 150_000, energyWh: 40, cumulativeWh: 40, orders: 1, mineWh: 0 },
      { priceWeiPerKWh: 250_000, energyWh: 80, cumulativeWh: 120, orders: 1, mineWh: 0 },
    ]);
    expect(priceLevels([], SIDE.Bid)).toEqual([]);
    expect(sideTotals(book, SIDE.Bid)).toEqual({ orders: 3, energyWh: 220 });
  });

  it("converts live orders to the reference auction's input", () => {
    const input = toAuctionOrders(book);
    expect(input).toHaveLength(5);
    expect(input[0]).toEqual({ id: book[0].id, side: "bid", priceWeiPerKWh: 200_000n, energyWh: 100n, seq: 0n });
    expect(input.filter((o) => o.side === "offer").map((o) => o.seq)).toEqual([0n, 1n]);
  });

  it("describes an order's status", () => {
    const open = order(SIDE.Bid, 0, 1, 100);
    expect(orderStatus(open, undefined, false)).toBe("open");
    expect(orderStatus(open, undefined, true)).toBe("awaiting clearing");
    expect(orderStatus({ ...open, cancelled: true }, undefined, false)).toBe("cancelled");
    expect(orderStatus(open, { cleared: true, hasPrice: false }, true)).toBe("not filled");
    expect(orderStatus({ ...open, filledWh: 40 }, { cleared: true, hasPrice: true }, true)).toBe("partly filled");
    expect(orderStatus({ ...open, filledWh: 100 }, { cleared: true, hasPrice: true }, true)).toBe("filled");
    expect(orderStatus({ ...open, filledWh: 100, settled: true }, { cleared: true, hasPrice: true }, true)).toBe("settled");
    expect(orderStatus(order(SIDE.Offer, 0, 1, 0), undefined, false)).toBe("taken");
    expect(orderStatus(order(SIDE.Offer, 0, 1, 10, { addressedTo: BOB }), undefined, false)).toBe("addressed");
  });
});

describe("depth chart geometry", () => {
  const box = { width: 400, height: 200, left: 40, right: 10, top: 10, bottom: 30 };

  it("draws demand and supply as step curves in merit order", () => {
    const bids = [
      { priceWeiPerKWh: 300, energyWh: 50, cumulativeWh: 50, orders: 1, mineWh: 0 },
      { priceWeiPerKWh: 200, energyWh: 50, cumulativeWh: 100, orders: 1, mineWh: 0 },
    ];
    const offers = [{ priceWeiPerKWh: 100, energyWh: 100, cumulativeWh: 100, orders: 1, mineWh: 0 }];
    const g = depthChartGeometry(bids, offers, box, 250);
    expect(g.maxWh).toBeCloseTo(105);
    expect(g.x(0)).toBe(40);
    expect(g.x(g.maxWh)).toBe(390);
    expect(g.y(g.maxPrice)).toBe(10);
    expect(g.y(g.minPrice)).toBe(170);
    // Demand: starts at x=0 at the best bid, steps down at 50 Wh.
    expect(g.demandPath).toMatch(/^M40\.0,[\d.]+ H[\d.]+ V[\d.]+ H[\d.]+$/);
    expect(g.supplyPath.startsWith("M40.0,")).toBe(true);
    // Higher prices are higher up (smaller y).
    expect(g.y(300)).toBeLessThan(g.y(100));
  });

  it("handles an empty book and a single price", () => {
    const empty = depthChartGeometry([], [], box);
    expect(empty.demandPath).toBe("");
    expect(empty.supplyPath).toBe("");
    const single = depthChartGeometry([{ priceWeiPerKWh: 250_000, cumulativeWh: 10 }], [], box);
    expect(single.maxPrice).toBeGreaterThan(single.minPrice);
    expect(Number.isFinite(single.y(250_000))).toBe(true);
  });

  it("picks round tick values", () => {
    expect(niceTicks(0, 1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });
});

describe("interval timing", () => {
  const timings = [
    { interval: 10n, startTime: 1800n, gateClosureTime: 1770n },
    { interval: 11n, startTime: 1980n, gateClosureTime: 1950n },
    { interval: 12n, startTime: 2160n, gateClosureTime: 2130n },
  ];

  it("takes the later of wall clock and last block as the chain's now", () => {
    expect(chainNowSeconds(undefined, 1_000_500)).toBe(1000);
    expect(chainNowSeconds(2000n, 1_000_500)).toBe(2000);
    expect(chainNowSeconds(10n, 1_000_500)).toBe(1000);
  });

  it("lists open intervals and the time to their gate closure", () => {
    expect(openIntervals(timings, 1769).map((t) => t.interval)).toEqual([10n, 11n, 12n]);
    expect(openIntervals(timings, 1770).map((t) => t.interval)).toEqual([11n, 12n]);
    expect(isGated(timings[0], 1770)).toBe(true);
    expect(secondsToGate(timings[1], 1900)).toBe(50);
    expect(secondsToGate(timings[0], 1900)).toBe(0);
    expect(intervalRange(1n, 3, 2)).toEqual([0n, 1n, 2n, 3n]);
  });
});
