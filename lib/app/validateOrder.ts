/**
 * Validation of the order form (pure, unit-tested): a draft typed by a person against the
 * interval's regulator parameters, with errors in words per field. The contract checks the same
 * rules; checking first saves a wallet round trip and says precisely what is wrong.
 */
import { isAddress } from "viem";
import { formatEnergy, formatPricePerKWh, parseEnergyKWh, parsePricePerKWh } from "../format.ts";

/** The parameters the form checks against (a subset of IEnergyMarket.MarketParams). */
export interface OrderLimits {
  priceCapWeiPerKWh: number;
  priceFloorWeiPerKWh: number;
  minOrderWh: number;
}

const MAX_UINT32 = 2n ** 32n - 1n;

export interface OrderDraft {
  side: "offer" | "bid";
  price: string;
  energy: string;
  buyer: string;
  /** Offer only: its takes are paid through payment channels, not escrow (needs a buyer). */
  channel?: boolean;
}

/** Check a draft against the interval's parameters; errors in words, per field. */
export function validateOrder(draft: OrderDraft, params: OrderLimits | undefined) {
  const errors: { price?: string; energy?: string; buyer?: string } = {};
  const price = parsePricePerKWh(draft.price);
  const energy = parseEnergyKWh(draft.energy);
  if (!price.ok) errors.price = price.error;
  else if (price.value === 0n) errors.price = "The price must be more than 0 PLC/kWh.";
  else if (price.value > MAX_UINT32) errors.price = "That price is too large.";
  else if (params && price.value > BigInt(params.priceCapWeiPerKWh))
    errors.price = `Above the regulator's price cap of ${formatPricePerKWh(params.priceCapWeiPerKWh)}.`;
  else if (params && price.value < BigInt(params.priceFloorWeiPerKWh))
    errors.price = `Below the regulator's price floor of ${formatPricePerKWh(params.priceFloorWeiPerKWh)}.`;
  if (!energy.ok) errors.energy = energy.error;
  else if (energy.value === 0n) errors.energy = "The energy must be more than 0 kWh.";
  else if (energy.value > MAX_UINT32) errors.energy = "That is more energy than one order can carry.";
  else if (params && energy.value < BigInt(params.minOrderWh))
    errors.energy = `The smallest order is ${formatEnergy(params.minOrderWh)}.`;
  if (draft.side === "offer" && draft.buyer.trim() !== "" && !isAddress(draft.buyer.trim())) errors.buyer = "Not an address (0x…).";
  else if (draft.side === "offer" && draft.channel && draft.buyer.trim() === "")
    errors.buyer = "A channel-paid offer is for one buyer: enter their address.";
  return {
    errors,
    ok: Object.keys(errors).length === 0,
    priceWeiPerKWh: price.ok ? price.value : 0n,
    energyWh: energy.ok ? energy.value : 0n,
  };
}

