import { describe, expect, it } from "vitest";
import { householdInput as input, ME } from "./historyFixtures";
import type { Address } from "viem";
import {
  chargeWei,
  creditTrend,
  creditWei,
  formatBps,
  gridFlows,
  gridOnlyCost,
  historyTotals,
  householdHistory,
  lanTotals,
  type GridTariffs,
  type HistoryIntervalState,
  type HistoryOrder,
} from "@/lib/app/history";

const OTHER = "0x2222222222222222222222222222222222222222" as Address;
const BUYER = "0x3333333333333333333333333333333333333333" as Address;
const BUYER2 = "0x4444444444444444444444444444444444444444" as Address;
const ZERO = "0x0000000000000000000000000000000000000000" as Address;
const TARIFFS: GridTariffs = { imbalanceWeiPerKWh: 400_000, retailWeiPerKWh: 300_000, feedInWeiPerKWh: 80_000, defaultZoneFeeWeiPerKWh: 10_000 };

/** Order ids as the market encodes them: interval << 40 | side << 32 | index. */
const id = (interval: bigint, side: number, index: number) => (interval << 40n) | (BigInt(side) << 32n) | BigInt(index);

function order(interval: bigint, side: 0 | 1, index: number, filledWh: number, extra: Partial<HistoryOrder> = {}): HistoryOrder {
  return {
    id: id(interval, side, index),
    side,
    interval,
    priceWeiPerKWh: side === 0 ? 260_000 : 180_000,
    energyWh: 500,
    filledWh,
    addressedTo: ZERO,
    cancelled: false,
    settled: false,
    ...extra,
  };
}

const cleared = (price: number, clearedWh: bigint, unsettledOrders = 0): HistoryIntervalState => ({
  cleared: true,
  hasPrice: true,
  clearingPriceWeiPerKWh: price,
  clearedWh,
  unsettledOrders,
});

describe("rounding as the market does it", () => {
  it("charges round up, credits round down", () => {
    expect(chargeWei(215_000, 333)).toBe(71_595n); // 71,595 exactly
    expect(chargeWei(215_001, 333)).toBe(71_596n); // 71,595.333 → up
    expect(creditWei(215_001, 333)).toBe(71_595n); // → down
    expect(chargeWei(0, 999)).toBe(0n);
  });

  it("grid-only cost: retail for imports minus feed-in for exports", () => {
    expect(gridOnlyCost(TARIFFS, 1000, 0)).toBe(300_000n);
    expect(gridOnlyCost(TARIFFS, 0, 1000)).toBe(-80_000n);
    expect(gridOnlyCost(TARIFFS, 500, 250)).toBe(150_000n - 20_000n);
  });

  it("grid flows are what the meter measured beyond what was traded, never negative", () => {
    expect(gridFlows({ importedWh: 800, exportedWh: 100 }, 300n, 0n)).toEqual({ gridImportWh: 500, gridExportWh: 100 });
    expect(gridFlows({ importedWh: 100, exportedWh: 50 }, 300n, 200n)).toEqual({ gridImportWh: 0, gridExportWh: 0 });
  });
});

describe("householdHistory: a seller", () => {
  const I = 40n;
  const TX = "0xaaaa";
  const base = input({
    orders: [order(I, 1, 0, 300, { settled: true }), order(I, 1, 1, 100, { settled: true })],
    sellerSettlements: [
      // sold 400, exported 250 → delivered 250, shortfall 150
      {
        interval: I,
        seller: ME,
        soldWh: 400n,
        deliveredWh: 250n,
        payoutWei: creditWei(200_000, 250) - chargeWei(10_000, 250),
        gridFeeWei: chargeWei(10_000, 250),
        imbalanceWei: chargeWei(400_000, 150),
        debtWei: 0n,
        transactionHash: TX,
      },
    ],
    readings: [{ account: ME, interval: I, importedWh: 40, exportedWh: 250 }],
    scoreUpdates: [{ previousScoreBps: 10_000, scoreBps: 9_063, soldWh: 400n, deliveredWh: 250n, transactionHash: TX }],
    states: new Map([[I, cleared(200_000, 400n)]]),
    tariffs: new Map([[I, TARIFFS]]),
  });

  it("shows sold vs delivered, shortfall, imbalance, grid fee and the score the delivery moved", () => {
    const [row] = householdHistory(base);
    expect(row.interval).toBe(I);
    expect(row.role).toBe("seller");
    expect(row.status).toBe("settled");
    expect(row.clearingPriceWeiPerKWh).toBe(200_000);
    expect(row.soldAuctionWh).toBe(400n);
    expect(row.meteredExportWh).toBe(250);
    expect(row.meteredImportWh).toBe(40);
    expect(row.sellerDeliveredWh).toBe(250n);
    expect(row.sellerShortfallWh).toBe(150n);
    expect(row.receivedWei).toBe(50_000n); // floor(0.2 × 250) PLC-units, before the fee
    expect(row.gridFeeWei).toBe(2_500n);
    expect(row.imbalanceWei).toBe(60_000n);
    expect(row.paidWei).toBe(0n);
    expect(row.netWei).toBe(50_000n - 2_500n - 60_000n);
    // everything exported went to the LAN; the 40 Wh import came from the grid
    expect(row.gridExportWh).toBe(0);
    expect(row.gridImportWh).toBe(40);
    expect(row.creditScoreBps).toBe(9_063);
    expect(row.creditScoreDeltaBps).toBe(-937);
  });

  it("cost vs grid only: savings = grid-only cost − cost with PowerLAN", () => {
    const [row] = householdHistory(base);
    const gridOnly = chargeWei(300_000, 40) - creditWei(80_000, 250); // 12,000 − 20,000
    const lan = chargeWei(300_000, 40) - row.netWei;
    expect(row.gridOnlyCostWei).toBe(gridOnly);
    expect(row.lanCostWei).toBe(lan);
    expect(row.savingsWei).toBe(gridOnly - lan);
  });

  it("waits for readings while the seller is not settled; no money shown yet", () => {
    const [row] = householdHistory(
      input({
        orders: [order(I, 1, 0, 300)],
        states: new Map([[I, cleared(200_000, 300n, 2)]]),
        tariffs: new Map([[I, TARIFFS]]),
      }),
    );
    expect(row.status).toBe("awaiting readings");
    expect(row.soldAuctionWh).toBe(300n);
    expect(row.sellerDeliveredWh).toBeNull();
    expect(row.meteredExportWh).toBeNull();
    expect(row.savingsWei).toBeNull();
    expect(row.netWei).toBe(0n);
  });

  it("before clearing: awaiting clearing, nothing traded yet", () => {
    const [row] = householdHistory(input({ orders: [order(I, 1, 0, 0)], states: new Map([[I, { ...cleared(0, 0n), cleared: false, hasPrice: false }]]) }));
    expect(row.status).toBe("awaiting clearing");
    expect(row.role).toBe("seller"); // what its order asks for
    expect(row.offeredWh).toBe(500n);
    expect(row.bidWh).toBe(0n);
    expect(row.soldAuctionWh).toBe(0n);
    expect(row.clearingPriceWeiPerKWh).toBeNull();
  });
});

describe("householdHistory: a buyer", () => {
  const I = 41n;
  const bid = order(I, 0, 0, 150, { settled: true });
  const rows = householdHistory(
    input({
      orders: [bid, order(I, 0, 1, 0, { cancelled: true })],
      orderSettlements: [{ orderId: bid.id, interval: I, filledWh: 150, deliveredWh: 100n, amountWei: chargeWei(180_000, 100), refundWei: 21_000n }],
      readings: [{ account: ME, interval: I, importedWh: 400, exportedWh: 0 }],
      certificates: [{ interval: I, energyWh: 100n }],
      states: new Map([[I, cleared(180_000, 150n)]]),
      tariffs: new Map([[I, TARIFFS]]),
    }),
  );

  it("delivered, refunded shortfall, paid, certificates", () => {
    const [row] = rows;
    expect(row.role).toBe("buyer");
    expect(row.status).toBe("settled");
    expect(row.boughtAuctionWh).toBe(150n);
    expect(row.buyerDeliveredWh).toBe(100n);
    expect(row.buyerShortfallWh).toBe(50n);
    expect(row.paidWei).toBe(18_000n);
    expect(row.refundWei).toBe(21_000n);
    expect(row.certificatesWh).toBe(100n);
    expect(row.gridImportWh).toBe(300);
    expect(row.netWei).toBe(-18_000n);
    // grid only: 400 Wh × 0.30 = 120,000; with PowerLAN: 300 Wh × 0.30 + 18,000 = 108,000
    expect(row.gridOnlyCostWei).toBe(120_000n);
    expect(row.lanCostWei).toBe(108_000n);
    expect(row.savingsWei).toBe(12_000n);
    expect(row.creditScoreBps).toBeNull();
  });
});

describe("householdHistory: bilateral takes, both roles, ordering and limits", () => {
  it("a take counts in its offer's interval, seen by buyer and seller; escrowed until settled on delivery", () => {
    const I = 50n;
    const take = { offerId: id(I, 1, 3), buyer: ME, seller: OTHER, energyWh: 200, priceWeiPerKWh: 210_000, paidWei: chargeWei(210_000, 200), takeId: id(I, 2, 0) };
    const [asBuyer] = householdHistory(input({ takes: [take] }));
    expect(asBuyer.interval).toBe(I);
    expect(asBuyer.role).toBe("buyer");
    expect(asBuyer.boughtBilateralWh).toBe(200n);
    expect(asBuyer.status).toBe("awaiting readings");
    expect(asBuyer.paidWei).toBe(0n);
    expect(asBuyer.escrowedWei).toBe(42_000n);
    expect(asBuyer.netWei).toBe(0n);
    const [asSeller] = householdHistory(input({ account: OTHER, takes: [take] }));
    expect(asSeller.role).toBe("seller");
    expect(asSeller.soldBilateralWh).toBe(200n);
    expect(asSeller.status).toBe("awaiting readings");
    expect(asSeller.receivedWei).toBe(0n);
    expect(asSeller.escrowedWei).toBe(0n);

    // Fully delivered.
    const full = { orderId: take.takeId, interval: I, filledWh: 200, deliveredWh: 200n, amountWei: 42_000n, refundWei: 0n };
    const [paid] = householdHistory(input({ takes: [take], orderSettlements: [full] }));
    expect(paid.status).toBe("settled");
    expect(paid.paidWei).toBe(42_000n);
    expect(paid.escrowedWei).toBe(0n);
    // The seller: gross floor(210,000 × 200 / 1000) = 42,000, minus its zone's grid fee on d_t
    // ceil(10,000 × 200 / 1000) = 2,000 (EscrowedTakeSettled), as for an auction sale.
    const fee = { takeId: take.takeId, deliveredWh: 200n, payoutWei: 40_000n, gridFeeWei: chargeWei(10_000, 200) };
    const [got] = householdHistory(input({ account: OTHER, takes: [take], orderSettlements: [full], escrowedTakeSettlements: [fee] }));
    expect(got.status).toBe("settled");
    expect(got.receivedWei).toBe(42_000n);
    expect(got.gridFeeWei).toBe(2_000n);
    expect(got.netWei).toBe(40_000n);
    // Without its EscrowedTakeSettled the gross is still known, the fee is not.
    const [noEvent] = householdHistory(input({ account: OTHER, takes: [take], orderSettlements: [full] }));
    expect(noEvent.receivedWei).toBe(42_000n);
    expect(noEvent.gridFeeWei).toBe(0n);
  });

  it("a take settled with a shortfall: the buyer pays for d_t and is refunded the rest, the seller gets floor(p × d_t / 1000) minus the grid fee", () => {
    const I = 51n;
    const take = { offerId: id(I, 1, 0), buyer: ME, seller: OTHER, energyWh: 300, priceWeiPerKWh: 123_457, paidWei: chargeWei(123_457, 300), takeId: id(I, 2, 4) };
    // d_t = 101 of 300 Wh: the buyer pays ceil(123457 × 101 / 1000) = 12470, the seller gets floor(…) = 12469.
    const settled = { orderId: take.takeId, interval: I, filledWh: 300, deliveredWh: 101n, amountWei: chargeWei(123_457, 101), refundWei: chargeWei(123_457, 300) - chargeWei(123_457, 101) };
    expect(settled.amountWei).toBe(12_470n);
    const reading = { interval: I, importedWh: 250, exportedWh: 0 };
    const [buyer] = householdHistory(input({ takes: [take], orderSettlements: [settled], readings: [reading], tariffs: new Map([[I, TARIFFS]]) }));
    expect(buyer.status).toBe("settled");
    expect(buyer.boughtBilateralWh).toBe(300n);
    expect(buyer.paidWei).toBe(12_470n);
    expect(buyer.refundWei).toBe(37_038n - 12_470n);
    expect(buyer.escrowedWei).toBe(0n);
    expect(buyer.netWei).toBe(-12_470n);
    // Only d_t came from the LAN: the rest of the import came from the grid.
    expect(buyer.gridImportWh).toBe(149);

    const sellerSettled = { interval: I, seller: OTHER, soldWh: 300n, deliveredWh: 101n, payoutWei: 0n, gridFeeWei: 0n, imbalanceWei: chargeWei(400_000, 199), debtWei: 0n };
    // The seller's zone fee on d_t: ceil(10,000 × 101 / 1000) = 1,010, deducted from its 12,469.
    const takeFee = { takeId: take.takeId, deliveredWh: 101n, payoutWei: 12_469n - 1_010n, gridFeeWei: chargeWei(10_000, 101) };
    expect(takeFee.gridFeeWei).toBe(1_010n);
    const [seller] = householdHistory(
      input({ account: OTHER, takes: [take], orderSettlements: [settled], sellerSettlements: [sellerSettled], escrowedTakeSettlements: [takeFee] }),
    );
    expect(seller.status).toBe("settled");
    expect(seller.soldAuctionWh).toBe(0n);
    expect(seller.soldBilateralWh).toBe(300n);
    expect(seller.sellerDeliveredWh).toBe(101n);
    expect(seller.sellerShortfallWh).toBe(199n);
    expect(seller.receivedWei).toBe(12_469n);
    expect(seller.gridFeeWei).toBe(1_010n);
    expect(seller.imbalanceWei).toBe(79_600n);
    expect(seller.netWei).toBe(12_469n - 1_010n - 79_600n);
  });

  it("seller & buyer in one interval; rows newest first; limit; a reading alone is metered only", () => {
    const rows = householdHistory(
      input({
        orders: [order(60n, 1, 0, 100), order(60n, 0, 0, 50)],
        readings: [
          { account: ME, interval: 58n, importedWh: 10, exportedWh: 0 },
          { account: OTHER, interval: 59n, importedWh: 10, exportedWh: 0 }, // someone else's: ignored
        ],
        states: new Map([[60n, cleared(200_000, 100n, 2)]]),
      }),
    );
    expect(rows.map((r) => r.interval)).toEqual([60n, 58n]);
    expect(rows[0].role).toBe("seller & buyer");
    expect(rows[1].role).toBe("metered only");
    expect(rows[1].status).toBe("settled");
    expect(householdHistory(input({ readings: [1n, 2n, 3n].map((i) => ({ interval: i, importedWh: 1, exportedWh: 0 })) }), 2).map((r) => r.interval)).toEqual([3n, 2n]);
  });

  it("an interval where nothing of mine matched", () => {
    const [row] = householdHistory(input({ orders: [order(70n, 0, 0, 0)], states: new Map([[70n, cleared(200_000, 100n)]]) }));
    expect(row.status).toBe("no match");
    expect(row.role).toBe("no trade");
  });

  it("totals count settled rows only", () => {
    const rows = householdHistory(
      input({
        takes: [{ offerId: id(80n, 1, 0), buyer: ME, seller: OTHER, energyWh: 100, priceWeiPerKWh: 200_000, paidWei: 20_000n, takeId: id(80n, 2, 0) }],
        orderSettlements: [{ orderId: id(80n, 2, 0), interval: 80n, filledWh: 100, deliveredWh: 100n, amountWei: 20_000n, refundWei: 0n }],
        orders: [order(81n, 1, 0, 300)],
        certificates: [{ interval: 80n, energyWh: 0n }],
        states: new Map([[81n, cleared(200_000, 300n, 1)]]),
      }),
    );
    const t = historyTotals(rows);
    expect(t.intervals).toBe(2);
    expect(t.settled).toBe(1);
    expect(t.boughtWh).toBe(100n);
    expect(t.soldWh).toBe(0n);
    expect(t.paidWei).toBe(20_000n);
    expect(t.netWei).toBe(-20_000n);
  });
});

describe("creditTrend", () => {
  it("no history: the current score, flat", () => {
    expect(creditTrend(10_000, [])).toEqual({ currentBps: 10_000, series: [], changeBps: 0, direction: "flat", reports: 0 });
  });
  it("moves with the last reports", () => {
    const updates = [
      { previousScoreBps: 10_000, scoreBps: 9_000, soldWh: 1n, deliveredWh: 0n },
      { previousScoreBps: 9_000, scoreBps: 9_200, soldWh: 1n, deliveredWh: 1n },
      { previousScoreBps: 9_200, scoreBps: 9_400, soldWh: 1n, deliveredWh: 1n },
    ];
    expect(creditTrend(9_400, updates)).toMatchObject({ series: [9_000, 9_200, 9_400], changeBps: -600, direction: "down", reports: 3 });
    expect(creditTrend(9_400, updates, 2)).toMatchObject({ series: [9_200, 9_400], changeBps: 400, direction: "up" });
    expect(formatBps(9_063)).toBe("90.63 %");
  });
});

describe("lanTotals", () => {
  it("per interval: cleared, delivered, shortfall, imbalance, certificates, self-sufficiency; newest first", () => {
    const rows = lanTotals([
      {
        interval: 90n,
        state: cleared(200_000, 500n),
        settlement: { deliveredWh: 400n, buyersFilledWh: 500n, buyersDeliveredWh: 400n, sellersPaidWei: 80_000n, buyersChargedWei: 80_000n },
        mintedWh: 400n,
        sellerSettlements: [
          { interval: 90n, seller: ME, soldWh: 300n, deliveredWh: 300n, payoutWei: 57_000n, gridFeeWei: 3_000n, imbalanceWei: 0n, debtWei: 0n },
          { interval: 90n, seller: OTHER, soldWh: 200n, deliveredWh: 100n, payoutWei: 19_000n, gridFeeWei: 1_000n, imbalanceWei: 40_000n, debtWei: 0n },
        ],
        readings: [
          { account: ME, interval: 90n, importedWh: 0, exportedWh: 300 },
          { account: OTHER, interval: 90n, importedWh: 0, exportedWh: 100 },
          { account: BUYER, interval: 90n, importedWh: 800, exportedWh: 0 },
          { account: BUYER2, interval: 90n, importedWh: 50, exportedWh: 0 },
        ],
        // BUYER got 350 Wh, BUYER2 got 50 Wh but imported only 50: capped at its import
        buyerDeliveries: [
          { account: BUYER, deliveredWh: 300n },
          { account: BUYER, deliveredWh: 50n },
          { account: BUYER2, deliveredWh: 50n },
        ],
        // An escrowed and a channel-paid take's grid fees (EscrowedTakeSettled, ChannelTakeSettled).
        takeFees: [{ gridFeeWei: 700n }, { gridFeeWei: 300n }],
      },
      { interval: 91n, state: { ...cleared(0, 0n), hasPrice: false }, sellerSettlements: [], readings: [], takeFees: [] },
    ]);
    expect(rows.map((r) => r.interval)).toEqual([91n, 90n]);
    const r = rows[1];
    expect(r.settled).toBe(true);
    expect(r.clearedWh).toBe(500n);
    expect(r.deliveredWh).toBe(400n);
    expect(r.shortfallWh).toBe(100n);
    expect(r.imbalanceWei).toBe(40_000n);
    expect(r.gridFeeWei).toBe(4_000n + 1_000n);
    expect(r.certificatesWh).toBe(400n);
    expect(r.meters).toBe(4);
    expect(r.localImportWh).toBe(400n);
    expect(r.selfSufficiencyBps).toBe(4_705); // 400 of 850 Wh imported were delivered by neighbours (floor)
    expect(rows[0].clearingPriceWeiPerKWh).toBeNull();
    expect(rows[0].selfSufficiencyBps).toBeNull();
  });

  it("self-sufficiency counts traded deliveries only, each capped at the buyer's import", () => {
    const readings = [{ account: BUYER, interval: 1n, importedWh: 100, exportedWh: 0 }, { account: ME, interval: 1n, importedWh: 0, exportedWh: 900 }];
    // 900 Wh flowed to the feeder but nobody traded: nothing counts as local
    expect(lanTotals([{ interval: 1n, state: cleared(1, 0n), sellerSettlements: [], readings }])[0].selfSufficiencyBps).toBe(0);
    const [r] = lanTotals([{ interval: 1n, state: cleared(1, 0n), sellerSettlements: [], readings, buyerDeliveries: [{ account: BUYER, deliveredWh: 500n }] }]);
    expect(r.selfSufficiencyBps).toBe(10_000);
  });
});
