/**
 * Paying the energy market through channels instead of on-chain escrow.
 *
 * A matched trade (an auction fill or a taken bilateral offer) fixes a price per kWh and an energy;
 * the buyer owes ceil(price × Wh / 1000) (the market's buyer rounding). Through channels it can be
 * paid at once (`payTrade`) or as delivery happens (`streamTrade`: one payment per minute of metered
 * energy, capped at the traded energy), directly over a buyer–seller channel or through the LAN's
 * hub (HubRouter). Browser-safe.
 */
import type { ChannelClient } from "./client.ts";
import type { HubRouter } from "./hub.ts";
import { owedWei, StreamPayer, type StreamTick } from "./stream.ts";

/** How a payer reaches a payee. */
export type ChannelRoute =
  | {
      kind: "direct";
      payer: ChannelClient;
      payee: ChannelClient;
      channelId: bigint;
      currentBlock: () => bigint | Promise<bigint>;
    }
  | {
      kind: "hub";
      router: HubRouter;
      payer: ChannelClient;
      payee: ChannelClient;
      payerChannelId: bigint;
      payeeChannelId: bigint;
      currentBlock: () => bigint | Promise<bigint>;
    };

/** A function that pays `amountWei` over `route` (off-chain, both sides updated and stored). */
export function channelPayment(route: ChannelRoute): (amountWei: bigint) => Promise<void> {
  return async (amountWei) => {
    const block = await route.currentBlock();
    if (route.kind === "direct") {
      const update = await route.payer.pay(route.channelId, amountWei);
      await route.payer.confirm(await route.payee.receive(update, block));
      return;
    }
    await route.router.route({
      payer: route.payer,
      payee: route.payee,
      payerChannelId: route.payerChannelId,
      payeeChannelId: route.payeeChannelId,
      amountWei,
      currentBlock: block,
    });
  };
}

/** A matched trade as the market reports it (OrderSettled / OfferTaken / the fills of an interval). */
export interface MatchedTrade {
  priceWeiPerKWh: bigint;
  energyWh: bigint;
}

/** What the buyer owes for a trade: ceil(price × Wh / 1000), as the market charges buyers. */
export function tradeAmountWei(trade: MatchedTrade): bigint {
  return owedWei(trade.energyWh, trade.priceWeiPerKWh);
}

/** Pay a whole matched trade at once through channels; returns the amount paid. */
export async function payTrade(trade: MatchedTrade, route: ChannelRoute): Promise<bigint> {
  const amountWei = tradeAmountWei(trade);
  if (amountWei > 0n) await channelPayment(route)(amountWei);
  return amountWei;
}

/**
 * Pay a trade as it is delivered: every tick (default one minute) the energy metered since the
 * start is paid for, never more than the traded energy. Call `start()`/`stop()`, or `tick()`
 * yourself (e.g. from the meter simulator's clock).
 */
export function streamTrade(
  trade: MatchedTrade,
  route: ChannelRoute,
  readMeterWh: () => bigint | Promise<bigint>,
  options: { intervalMs?: number; onPayment?: (t: StreamTick) => void; onError?: (e: unknown) => void } = {},
): StreamPayer {
  return new StreamPayer({
    priceWeiPerKWh: trade.priceWeiPerKWh,
    capWh: trade.energyWh,
    readMeterWh,
    pay: channelPayment(route),
    ...options,
  });
}
