import { describe, expect, it } from "vitest";
import { validateOrder, type OrderDraft } from "../../lib/app/validateOrder.ts";

const limits = { priceCapWeiPerKWh: 1_000_000, priceFloorWeiPerKWh: 10_000, minOrderWh: 10 };
const draft = (patch: Partial<OrderDraft>): OrderDraft => ({ side: "bid", price: "0.25", energy: "0.15", buyer: "", ...patch });

describe("order form validation", () => {
  it("accepts a valid order and converts it to base units", () => {
    expect(validateOrder(draft({}), limits)).toEqual({ errors: {}, ok: true, priceWeiPerKWh: 250_000n, energyWh: 150n });
  });

  it("checks the price against the regulator's cap and floor, in words", () => {
    expect(validateOrder(draft({ price: "1.5" }), limits).errors).toEqual({
      price: "Above the regulator's price cap of 1.0000 PLC/kWh.",
    });
    expect(validateOrder(draft({ price: "0.001" }), limits).errors).toEqual({
      price: "Below the regulator's price floor of 0.0100 PLC/kWh.",
    });
    expect(validateOrder(draft({ price: "0" }), limits).errors.price).toBe("The price must be more than 0 PLC/kWh.");
    expect(validateOrder(draft({ price: "cheap" }), limits).errors.price).toBe('"cheap" is not a number.');
  });

  it("checks the energy against the minimum order size", () => {
    expect(validateOrder(draft({ energy: "0.005" }), limits).errors).toEqual({ energy: "The smallest order is 10 Wh." });
    expect(validateOrder(draft({ energy: "0" }), limits).errors.energy).toBe("The energy must be more than 0 kWh.");
    expect(validateOrder(draft({ energy: "5000000" }), limits).errors.energy).toBe("That is more energy than one order can carry.");
  });

  it("checks an addressed offer's buyer address, and ignores it for bids", () => {
    expect(validateOrder(draft({ side: "offer", buyer: "0x123" }), limits).errors).toEqual({ buyer: "Not an address (0x…)." });
    expect(validateOrder(draft({ side: "bid", buyer: "0x123" }), limits).ok).toBe(true);
    expect(validateOrder(draft({ side: "offer", buyer: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }), limits).ok).toBe(true);
  });

  it("validates the format even before the interval's parameters are loaded", () => {
    expect(validateOrder(draft({ price: "5" }), undefined).ok).toBe(true);
    expect(validateOrder(draft({ energy: "" }), undefined).errors.energy).toBe("Enter an energy.");
  });
});
