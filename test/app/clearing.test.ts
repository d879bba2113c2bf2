import { describe, expect, it } from "vitest";
import {
  bidLockWei,
  buyerChargeWei,
  clearDoubleAuction,
  sellerPayoutWei,
  supplyDemandCurves,
  type AuctionOrder,
} from "@/lib/market/clearing";

// Small book builders: ids are given explicitly so the expected fills read like the book.
let nextSeq = { bid: 0n, offer: 0n };
function resetSeq() {
  nextSeq = { bid: 0n, offer: 0n };
}
function bid(id: number, priceWeiPerKWh: bigint, energyWh: bigint, seq?: bigint): AuctionOrder {
  return { id: BigInt(id), side: "bid", priceWeiPerKWh, energyWh, seq: seq ?? nextSeq.bid++ };
}
function offer(id: number, priceWeiPerKWh: bigint, energyWh: bigint, seq?: bigint): AuctionOrder {
  return { id: BigInt(id), side: "offer", priceWeiPerKWh, energyWh, seq: seq ?? nextSeq.offer++ };
}
const fill = (id: number, filledWh: bigint) => ({ id: BigInt(id), filledWh });

describe("clearDoubleAuction", () => {
  it("clears a book with a partial fill on each side", () => {
    resetSeq();
    // Bids: #1 30 × 500, #2 25 × 400, #3 20 × 300. Offers: #11 10 × 300, #12 22 × 400, #13 28 × 500.
    // Walk: #1/#11 300 → #1/#12 200 → #2/#12 200 → #2 (25) < #13 (28): stop. 700 Wh.
    // lo = max(last offer 22, best bid left #2 25) = 25; hi = min(last bid 25, best offer left 28) = 25.
    const book = [bid(1, 30n, 500n), bid(2, 25n, 400n), bid(3, 20n, 300n), offer(11, 10n, 300n), offer(12, 22n, 400n), offer(13, 28n, 500n)];
    expect(clearDoubleAuction(book)).toEqual({
      priceWeiPerKWh: 25n,
      clearedWh: 700n,
      fills: [fill(1, 500n), fill(2, 200n), fill(11, 300n), fill(12, 400n)],
    });
  });

  describe("price within the equilibrium interval, by k", () => {
    // Bids: #1 30 × 500, #2 20 × 300. Offers: #11 10 × 300, #12 15 × 200, #13 26 × 100.
    // Walk: #1/#11 300, #1/#12 200 (both done) → #2 (20) < #13 (26): stop. 500 Wh.
    // lo = max(15, 20) = 20; hi = min(30, 26) = 26.
    const book = () => {
      resetSeq();
      return [bid(1, 30n, 500n), bid(2, 20n, 300n), offer(11, 10n, 300n), offer(12, 15n, 200n), offer(13, 26n, 100n)];
    };
    const fills = [fill(1, 500n), fill(11, 300n), fill(12, 200n)];

    it("k = 1/2 (default) takes the middle, rounded down", () => {
      expect(clearDoubleAuction(book())).toEqual({ priceWeiPerKWh: 23n, clearedWh: 500n, fills });
      expect(clearDoubleAuction(book(), { k: { num: 1n, den: 2n } }).priceWeiPerKWh).toBe(23n);
      expect(clearDoubleAuction(book(), {}).priceWeiPerKWh).toBe(23n);
    });
    it("k = 0 takes lo (buyers' best)", () => {
      expect(clearDoubleAuction(book(), { k: { num: 0n, den: 1n } })).toEqual({ priceWeiPerKWh: 20n, clearedWh: 500n, fills });
    });
    it("k = 1 takes hi (sellers' best)", () => {
      expect(clearDoubleAuction(book(), { k: { num: 1n, den: 1n } })).toEqual({ priceWeiPerKWh: 26n, clearedWh: 500n, fills });
    });
    it("k = 2/5 floors (hi − lo) × k: 20 + floor(12/5) = 22", () => {
      expect(clearDoubleAuction(book(), { k: { num: 2n, den: 5n } }).priceWeiPerKWh).toBe(22n);
    });
    it("rejects k outside [0, 1] or a non-positive denominator", () => {
      expect(() => clearDoubleAuction(book(), { k: { num: 3n, den: 2n } })).toThrow(RangeError);
      expect(() => clearDoubleAuction(book(), { k: { num: -1n, den: 2n } })).toThrow(RangeError);
      expect(() => clearDoubleAuction(book(), { k: { num: 0n, den: 0n } })).toThrow(RangeError);
    });
  });

  it("clears at the common price when bid and offer prices are equal", () => {
    resetSeq();
    expect(clearDoubleAuction([bid(1, 250_000n, 100n), offer(2, 250_000n, 100n)])).toEqual({
      priceWeiPerKWh: 250_000n,
      clearedWh: 100n,
      fills: [fill(1, 100n), fill(2, 100n)],
    });
  });

  it("spans [last offer, last bid] when both sides are exhausted exactly", () => {
    resetSeq();
    // lo = 10 (no bid left), hi = 50 (no offer left) → 30.
    expect(clearDoubleAuction([bid(1, 50n, 300n), offer(2, 10n, 300n)])).toEqual({
      priceWeiPerKWh: 30n,
      clearedWh: 300n,
      fills: [fill(1, 300n), fill(2, 300n)],
    });
  });

  it("breaks price ties by seq (earlier first), whatever the input order or id", () => {
    resetSeq();
    // Two bids at 30: #10 arrived second (seq 1), #11 first (seq 0). One offer of 150 Wh.
    const book = [bid(10, 30n, 100n, 1n), bid(11, 30n, 100n, 0n), offer(20, 10n, 150n, 0n)];
    // #11 fills fully, #10 gets the remaining 50. Excess demand at 30: lo = max(10, 30) = 30 = hi.
    const expected = { priceWeiPerKWh: 30n, clearedWh: 150n, fills: [fill(11, 100n), fill(10, 50n), fill(20, 150n)] };
    expect(clearDoubleAuction(book)).toEqual(expected);
    expect(clearDoubleAuction([...book].reverse())).toEqual(expected);
  });

  it("breaks offer price ties by seq too", () => {
    resetSeq();
    const book = [offer(1, 10n, 100n, 5n), offer(2, 10n, 100n, 3n), offer(3, 10n, 100n, 4n), bid(9, 40n, 150n, 0n)];
    const outcome = clearDoubleAuction(book);
    expect(outcome.fills).toEqual([fill(9, 150n), fill(2, 100n), fill(3, 50n)]);
    // Excess supply at 10: hi = min(40, best offer left #3 10) = 10, lo = 10.
    expect(outcome.priceWeiPerKWh).toBe(10n);
  });

  it("matches one bid against many offers in price order", () => {
    resetSeq();
    // Bid #1 50 × 1000. Offers (price asc, seq asc): #12 10 (seq 1), #11 10 (seq 2), #13 20, #14 60.
    // Walk: #12 300, #11 300, #13 300, then 100 Wh left vs 60 > 50: stop. 900 Wh.
    // lo = max(20, bid left 50) = 50; hi = min(50, 60) = 50.
    const book = [bid(1, 50n, 1000n), offer(11, 10n, 300n, 2n), offer(12, 10n, 300n, 1n), offer(13, 20n, 300n, 3n), offer(14, 60n, 500n, 4n)];
    expect(clearDoubleAuction(book)).toEqual({
      priceWeiPerKWh: 50n,
      clearedWh: 900n,
      fills: [fill(1, 900n), fill(12, 300n), fill(11, 300n), fill(13, 300n)],
    });
  });

  it("prices at the partially filled offer when supply is left over", () => {
    resetSeq();
    // Bid 50 × 500; offers 10 × 300, 20 × 300, 60 × 100. #12 partially filled (200 of 300).
    // lo = 20 (last offer; no bid left), hi = min(50, best offer left #12 20) = 20.
    const book = [bid(1, 50n, 500n), offer(11, 10n, 300n), offer(12, 20n, 300n), offer(13, 60n, 100n)];
    expect(clearDoubleAuction(book)).toEqual({
      priceWeiPerKWh: 20n,
      clearedWh: 500n,
      fills: [fill(1, 500n), fill(11, 300n), fill(12, 200n)],
    });
  });

  it("uses the first untouched offer as hi when the last accepted offer is exhausted", () => {
    resetSeq();
    // Bid 50 × 300; offers 10 × 300, 40 × 100: lo = 10, hi = min(50, 40) = 40 → 25.
    expect(clearDoubleAuction([bid(1, 50n, 300n), offer(11, 10n, 300n), offer(12, 40n, 100n)])).toEqual({
      priceWeiPerKWh: 25n,
      clearedWh: 300n,
      fills: [fill(1, 300n), fill(11, 300n)],
    });
  });

  it("returns no price and no fills when one side is empty", () => {
    resetSeq();
    const none = { priceWeiPerKWh: null, clearedWh: 0n, fills: [] };
    expect(clearDoubleAuction([])).toEqual(none);
    expect(clearDoubleAuction([bid(1, 30n, 100n), bid(2, 40n, 100n)])).toEqual(none);
    expect(clearDoubleAuction([offer(1, 30n, 100n)])).toEqual(none);
  });

  it("returns no price and no fills when nothing crosses", () => {
    resetSeq();
    expect(clearDoubleAuction([bid(1, 19n, 100n), bid(2, 10n, 500n), offer(3, 20n, 100n), offer(4, 25n, 100n)])).toEqual({
      priceWeiPerKWh: null,
      clearedWh: 0n,
      fills: [],
    });
  });

  it("ignores orders with no energy left", () => {
    resetSeq();
    // The 0-Wh offer at 5 would otherwise set lo; it takes no part at all.
    expect(clearDoubleAuction([bid(1, 40n, 100n), offer(2, 5n, 0n), offer(3, 20n, 100n)])).toEqual({
      priceWeiPerKWh: 30n,
      clearedWh: 100n,
      fills: [fill(1, 100n), fill(3, 100n)],
    });
  });

  it("does not mutate its input", () => {
    resetSeq();
    const book = [offer(3, 20n, 100n), bid(1, 40n, 100n), bid(2, 45n, 50n)];
    const copy = structuredClone(book);
    clearDoubleAuction(book);
    expect(book).toEqual(copy);
  });

  it("rejects negative prices or energies and unknown sides", () => {
    resetSeq();
    expect(() => clearDoubleAuction([bid(1, -1n, 100n)])).toThrow(RangeError);
    expect(() => clearDoubleAuction([offer(1, 10n, -5n)])).toThrow(RangeError);
    expect(() => clearDoubleAuction([{ ...bid(1, 1n, 1n), side: "ask" as "bid" }])).toThrow(RangeError);
  });

  it("keeps the price within every filled order's limit (random books)", () => {
    // Deterministic pseudo-random books: a property check on top of the hand-computed cases.
    let state = 12345;
    const rand = (n: number) => {
      // mulberry32: small, well-mixed 32-bit PRNG.
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const rounds = { crossed: 0 };
    for (let round = 0; round < 200; round++) {
      resetSeq();
      const book: AuctionOrder[] = [];
      const count = 1 + rand(12);
      for (let n = 0; n < count; n++) {
        const make = rand(2) === 0 ? bid : offer;
        book.push(make(n, BigInt(1 + rand(50)), BigInt(1 + rand(1000))));
      }
      const k = { num: BigInt(rand(5)), den: 4n + BigInt(rand(3)) }; // num 0…4 ≤ den 4…6
      const outcome = clearDoubleAuction(book, { k });
      if (outcome.priceWeiPerKWh !== null) rounds.crossed++;
      const byId = new Map(book.map((o) => [o.id, o]));
      let bidWh = 0n;
      let offerWh = 0n;
      for (const { id, filledWh } of outcome.fills) {
        const order = byId.get(id)!;
        expect(filledWh).toBeGreaterThan(0n);
        expect(filledWh).toBeLessThanOrEqual(order.energyWh);
        if (order.side === "bid") {
          bidWh += filledWh;
          expect(outcome.priceWeiPerKWh!).toBeLessThanOrEqual(order.priceWeiPerKWh);
        } else {
          offerWh += filledWh;
          expect(outcome.priceWeiPerKWh!).toBeGreaterThanOrEqual(order.priceWeiPerKWh);
        }
      }
      expect(bidWh).toBe(outcome.clearedWh);
      expect(offerWh).toBe(outcome.clearedWh);
      // At most one partially filled order per side.
      const partial = (side: "bid" | "offer") =>
        outcome.fills.filter((f) => byId.get(f.id)!.side === side && f.filledWh < byId.get(f.id)!.energyWh).length;
      expect(partial("bid")).toBeLessThanOrEqual(1);
      expect(partial("offer")).toBeLessThanOrEqual(1);
    }
    expect(rounds.crossed).toBeGreaterThan(50); // the property was exercised, not vacuous
  });
});

describe("money rounding", () => {
  it("charges buyers ceil(price × Wh / 1000) and pays sellers floor(…)", () => {
    // 0.25 PLC/kWh for 1 Wh = 250 base units exactly.
    expect(buyerChargeWei(250_000n, 1n)).toBe(250n);
    expect(sellerPayoutWei(250_000n, 1n)).toBe(250n);
    // 333,333 × 1 / 1000 = 333.333 → buyer 334, seller 333: 1 base unit of dust.
    expect(buyerChargeWei(333_333n, 1n)).toBe(334n);
    expect(sellerPayoutWei(333_333n, 1n)).toBe(333n);
    // 1 base unit per kWh for 1 Wh: buyer pays 1, seller gets 0.
    expect(buyerChargeWei(1n, 1n)).toBe(1n);
    expect(sellerPayoutWei(1n, 1n)).toBe(0n);
    // Exact multiples have no dust.
    expect(buyerChargeWei(7n, 2000n)).toBe(14n);
    expect(sellerPayoutWei(7n, 2000n)).toBe(14n);
    expect(buyerChargeWei(0n, 5000n)).toBe(0n);
    expect(buyerChargeWei(123n, 0n)).toBe(0n);
  });

  it("is exact for the largest on-chain values (uint32 price × uint32 energy)", () => {
    const max32 = 2n ** 32n - 1n;
    expect(buyerChargeWei(max32, max32)).toBe((max32 * max32 + 999n) / 1000n);
    expect(sellerPayoutWei(max32, max32)).toBe((max32 * max32) / 1000n);
  });

  it("locks ceil(limit × Wh / 1000) for a bid, which covers any fill at a lower price", () => {
    expect(bidLockWei(250_001n, 3n)).toBe(751n); // 750.003 → 751
    expect(bidLockWei(300_000n, 1500n)).toBe(450_000n);
    for (const price of [1n, 999n, 250_000n, 299_999n]) {
      expect(buyerChargeWei(price, 1500n)).toBeLessThanOrEqual(bidLockWei(300_000n, 1500n));
    }
  });

  it("rejects negative inputs", () => {
    expect(() => buyerChargeWei(-1n, 1n)).toThrow(RangeError);
    expect(() => sellerPayoutWei(1n, -1n)).toThrow(RangeError);
    expect(() => bidLockWei(-1n, 1n)).toThrow(RangeError);
  });
});

describe("supplyDemandCurves", () => {
  it("accumulates Wh per distinct price, demand descending and supply ascending", () => {
    resetSeq();
    const book = [bid(1, 20n, 300n), bid(2, 30n, 500n), bid(3, 30n, 100n), offer(4, 15n, 200n), offer(5, 10n, 300n), offer(6, 15n, 50n), offer(7, 99n, 0n)];
    expect(supplyDemandCurves(book)).toEqual({
      demand: [
        { priceWeiPerKWh: 30n, cumulativeWh: 600n },
        { priceWeiPerKWh: 20n, cumulativeWh: 900n },
      ],
      supply: [
        { priceWeiPerKWh: 10n, cumulativeWh: 300n },
        { priceWeiPerKWh: 15n, cumulativeWh: 550n },
      ],
    });
  });

  it("is empty for an empty book", () => {
    expect(supplyDemandCurves([])).toEqual({ demand: [], supply: [] });
  });
});
