/**
 * Pure order-book logic for the trading page: which orders are live in the auction, their merit
 * order, price levels with cumulative depth, and the input format of the TypeScript reference
 * auction (lib/market/clearing.ts). Unit-tested in test/app/orderbook.test.ts.
 */
import type { Address } from "viem";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as const;

/** `IEnergyMarket.Side` values. */
export const SIDE = { Bid: 0, Offer: 1 } as const;
export type SideValue = (typeof SIDE)[keyof typeof SIDE];

/** `IEnergyMarket.Order` as viem decodes it (uint32/uint16 → number, uint64/uint256 → bigint). */
export interface BookOrder {
  id: bigint;
  owner: Address;
  side: number;
  interval: bigint;
  index: number;
  priceWeiPerKWh: number;
  energyWh: number;
  filledWh: number;
  addressedTo: Address;
  cancelled: boolean;
  settled: boolean;
  /** Addressed offer whose takes are paid through payment channels, not escrow (placeChannelOffer). */
  channelPaid?: boolean;
}

/**
 * Whether an OfferTaken is a take of a channel-paid offer: such a take locks nothing (paidWei 0),
 * while an escrowed take always locks ceil(p × Wh / 1000) ≥ 1 base unit (price ≥ floor ≥ 1, Wh ≥ 1).
 */
export function isChannelTake(take: { paidWei: bigint }): boolean {
  return take.paidWei === 0n;
}

export function isAddressed(order: BookOrder): boolean {
  return order.addressedTo.toLowerCase() !== ZERO_ADDRESS;
}

/** In the auction and still open: not cancelled, not addressed to one buyer, energy left. */
export function isLiveAuctionOrder(order: BookOrder): boolean {
  return !order.cancelled && !isAddressed(order) && order.energyWh > 0;
}

/** Bids by price descending, then arrival; offers by price ascending, then arrival (merit order). */
export function meritOrder(orders: readonly BookOrder[], side: SideValue): BookOrder[] {
  return orders
    .filter((o) => o.side === side && isLiveAuctionOrder(o))
    .sort((a, b) =>
      a.priceWeiPerKWh !== b.priceWeiPerKWh
        ? side === SIDE.Bid
          ? b.priceWeiPerKWh - a.priceWeiPerKWh
          : a.priceWeiPerKWh - b.priceWeiPerKWh
        : a.index - b.index,
    );
}

export interface PriceLevel {
  priceWeiPerKWh: number;
  /** Energy at this price. */
  energyWh: number;
  /** Energy at this price and all better prices (the depth). */
  cumulativeWh: number;
  orders: number;
  /** Of which the viewer's own orders. */
  mineWh: number;
}

/** Aggregate the live orders of one side into price levels in merit order, with cumulative depth. */
export function priceLevels(orders: readonly BookOrder[], side: SideValue, me?: Address): PriceLevel[] {
  const levels: PriceLevel[] = [];
  const mine = me?.toLowerCase();
  let cumulative = 0;
  for (const order of meritOrder(orders, side)) {
    let level = levels[levels.length - 1];
    if (!level || level.priceWeiPerKWh !== order.priceWeiPerKWh) {
      level = { priceWeiPerKWh: order.priceWeiPerKWh, energyWh: 0, cumulativeWh: cumulative, orders: 0, mineWh: 0 };
      levels.push(level);
    }
    level.energyWh += order.energyWh;
    level.orders += 1;
    if (mine && order.owner.toLowerCase() === mine) level.mineWh += order.energyWh;
    cumulative += order.energyWh;
    level.cumulativeWh = cumulative;
  }
  return levels;
}

/** The order shape `clearDoubleAuction` takes (lib/market/clearing.ts). */
export interface AuctionOrder {
  id: bigint;
  side: "bid" | "offer";
  priceWeiPerKWh: bigint;
  energyWh: bigint;
  seq: bigint;
}

/** The live auction orders of a book, as reference-auction input (seq = arrival index within the side). */
export function toAuctionOrders(orders: readonly BookOrder[]): AuctionOrder[] {
  return orders.filter(isLiveAuctionOrder).map((o) => ({
    id: o.id,
    side: o.side === SIDE.Bid ? "bid" : "offer",
    priceWeiPerKWh: BigInt(o.priceWeiPerKWh),
    energyWh: BigInt(o.energyWh),
    seq: BigInt(o.index),
  }));
}

/** Totals of one side of the live book. */
export function sideTotals(orders: readonly BookOrder[], side: SideValue): { orders: number; energyWh: number } {
  const live = orders.filter((o) => o.side === side && isLiveAuctionOrder(o));
  return { orders: live.length, energyWh: live.reduce((sum, o) => sum + o.energyWh, 0) };
}

/** What an order's status is, in words, for "my orders". */
export function orderStatus(
  order: BookOrder,
  interval: { cleared: boolean; hasPrice: boolean } | undefined,
  gated: boolean,
): "open" | "cancelled" | "taken" | "awaiting clearing" | "filled" | "partly filled" | "not filled" | "settled" | "addressed" {
  if (order.cancelled) return "cancelled";
  if (order.settled) return "settled";
  if (interval?.cleared) {
    if (isAddressed(order)) return order.energyWh === 0 ? "taken" : "not filled";
    if (order.filledWh === 0) return order.side === SIDE.Offer && order.energyWh === 0 ? "taken" : "not filled";
    return order.filledWh >= order.energyWh ? "filled" : "partly filled";
  }
  if (order.side === SIDE.Offer && order.energyWh === 0) return "taken";
  if (gated) return "awaiting clearing";
  return isAddressed(order) ? "addressed" : "open";
}

/** The interval of an order id (contracts/libraries/OrderIds.sol: interval << 40 | side << 32 | index). */
export function intervalOfOrderId(orderId: bigint): bigint {
  return orderId >> 40n;
}

/** The market's id space for bilateral takes: side 2 (next to SIDE.Bid 0 and SIDE.Offer 1). */
export const TAKE_SIDE = 2n;

/** Is this id a take's (side 2), not a bid's or an offer's? */
export function isTakeId(orderId: bigint): boolean {
  return ((orderId >> 32n) & 0xffn) === TAKE_SIDE;
}
