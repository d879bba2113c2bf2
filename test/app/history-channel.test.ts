/**
 * Channel-paid takes in the household history (lib/app/history.ts) and in the app's helpers
 * (lib/app/orderbook.ts isChannelTake, lib/app/validateOrder.ts): no escrow, no on-chain money,
 * the value of d_t paid through channels, the seller's grid fee from ChannelTakeSettled.
 */
import { describe, expect, it } from "vitest";
import { householdInput as input, ME } from "./historyFixtures";
import type { Address } from "viem";
import { chargeWei, creditWei, householdHistory, type GridTariffs } from "@/lib/app/history";
import { isChannelTake } from "@/lib/app/orderbook";
import { validateOrder } from "@/lib/app/validateOrder";

const SELLER = "0x2222222222222222222222222222222222222222" as Address;
const TARIFFS: GridTariffs = { imbalanceWeiPerKWh: 400_000, retailWeiPerKWh: 300_000, feedInWeiPerKWh: 80_000, defaultZoneFeeWeiPerKWh: 10_000 };
const id = (interval: bigint, side: number, index: number) => (interval << 40n) | (BigInt(side) << 32n) | BigInt(index);

describe("channel-paid takes in the history", () => {
  const I = 60n;
  // A channel-paid take locks nothing: OfferTaken.paidWei = 0.
  const take = { offerId: id(I, 1, 2), buyer: ME, seller: SELLER, energyWh: 240, priceWeiPerKWh: 210_000, paidWei: 0n, takeId: id(I, 2, 0) };
  const escrowed = { ...take, offerId: id(I, 1, 3), paidWei: chargeWei(210_000, 100), energyWh: 100, takeId: id(I, 2, 1) };

  it("is told apart from an escrowed take by its zero lock", () => {
    expect(isChannelTake(take)).toBe(true);
    expect(isChannelTake(escrowed)).toBe(false);
    expect(isChannelTake({ paidWei: 1n })).toBe(false);
  });

  it("before settlement: nothing escrowed, nothing paid on-chain, marked as paid through channels", () => {
    const [buyer] = householdHistory(input({ takes: [take] }));
    expect(buyer).toMatchObject({
      role: "buyer",
      status: "awaiting readings",
      boughtBilateralWh: 240n,
      escrowedWei: 0n,
      paidWei: 0n,
      channelWh: 240n,
      channelPending: true,
      channelPaidWei: 0n,
      netWei: 0n,
    });
    const [seller] = householdHistory(input({ account: SELLER, takes: [take] }));
    expect(seller).toMatchObject({ role: "seller", soldBilateralWh: 240n, receivedWei: 0n, channelWh: 240n, channelPending: true, netWei: 0n });
  });

  it("settled with a shortfall: its value for d_t is paid off-chain, the market moved no money; the seller's grid fee counts", () => {
    // d_t = 201 of 240 Wh: OrderSettled carries no amount or refund for a channel-paid take.
    const settled = { orderId: take.takeId, interval: I, filledWh: 240, deliveredWh: 201n, amountWei: 0n, refundWei: 0n };
    const value = chargeWei(210_000, 201); // what the delivery stream pays for 201 Wh
    expect(value).toBe(42_210n);
    const reading = { interval: I, importedWh: 300, exportedWh: 0 };
    const [buyer] = householdHistory(input({ takes: [take], orderSettlements: [settled], readings: [reading], tariffs: new Map([[I, TARIFFS]]) }));
    expect(buyer).toMatchObject({ status: "settled", paidWei: 0n, refundWei: 0n, escrowedWei: 0n, channelPaidWei: value, channelPending: false, netWei: -value });
    expect(buyer.gridImportWh).toBe(99); // 201 Wh came from the seller
    expect(buyer.savingsWei).toBe(chargeWei(300_000, 300) - (chargeWei(300_000, 99) + value));

    const fee = { takeId: take.takeId, deliveredWh: 201n, gridFeeWei: chargeWei(10_000, 201), debtWei: 0n };
    const sellerSettled = { interval: I, seller: SELLER, soldWh: 240n, deliveredWh: 201n, payoutWei: 0n, gridFeeWei: 0n, imbalanceWei: chargeWei(400_000, 39), debtWei: 0n };
    const [seller] = householdHistory(
      input({ account: SELLER, takes: [take], orderSettlements: [settled], sellerSettlements: [sellerSettled], channelTakeSettlements: [fee] }),
    );
    expect(seller).toMatchObject({
      status: "settled",
      receivedWei: 0n, // nothing from the market for the energy …
      channelReceivedWei: value, // … it came through the channel
      gridFeeWei: 2_010n,
      imbalanceWei: 15_600n,
      sellerDeliveredWh: 201n,
    });
    expect(seller.netWei).toBe(value - 2_010n - 15_600n);
  });

  it("next to an escrowed take of the same interval, only the escrowed one moves money on-chain", () => {
    const settled = [
      { orderId: take.takeId, interval: I, filledWh: 240, deliveredWh: 240n, amountWei: 0n, refundWei: 0n },
      { orderId: escrowed.takeId, interval: I, filledWh: 100, deliveredWh: 100n, amountWei: chargeWei(210_000, 100), refundWei: 0n },
    ];
    const [seller] = householdHistory(input({ account: SELLER, takes: [take, escrowed], orderSettlements: settled }));
    expect(seller.receivedWei).toBe(creditWei(210_000, 100));
    expect(seller.channelReceivedWei).toBe(chargeWei(210_000, 240));
    expect(seller.channelWh).toBe(240n);
    const [buyer] = householdHistory(input({ takes: [take, escrowed], orderSettlements: settled }));
    expect(buyer.paidWei).toBe(21_000n);
    expect(buyer.channelPaidWei).toBe(50_400n);
    expect(buyer.netWei).toBe(-71_400n);
  });
});

describe("order form: channel-paid offers", () => {
  const params = { priceCapWeiPerKWh: 1_000_000, priceFloorWeiPerKWh: 10_000, minOrderWh: 10 };
  it("need a buyer", () => {
    expect(validateOrder({ side: "offer", price: "0.2", energy: "0.1", buyer: "", channel: true }, params).errors.buyer).toBe(
      "A channel-paid offer is for one buyer: enter their address.",
    );
    expect(validateOrder({ side: "offer", price: "0.2", energy: "0.1", buyer: ME, channel: true }, params).ok).toBe(true);
    expect(validateOrder({ side: "offer", price: "0.2", energy: "0.1", buyer: "0x12", channel: true }, params).errors.buyer).toBe("Not an address (0x…).");
    // A bid ignores the flag.
    expect(validateOrder({ side: "bid", price: "0.2", energy: "0.1", buyer: "", channel: true }, params).ok).toBe(true);
  });
});
