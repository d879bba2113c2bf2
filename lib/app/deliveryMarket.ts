/**
 * The chain reads behind the delivery streams of channel-paid takes (lib/channels/deliveryStream.ts),
 * with viem, and the devnet's export register (the simulated meters the keeper signs readings from).
 * Browser-safe. Reads events filtered by indexed topics (buyer / seller), which is fine for a devnet
 * or a LAN; a larger deployment would read the same facts from an indexer.
 *
 * A take is channel-paid when its offer is (getOrder(offerId).channelPaid, EnergyMarket.placeChannelOffer);
 * such a take locks nothing, so OfferTaken.paidWei is 0 — escrowed takes always lock ≥ 1 base unit
 * (price ≥ floor ≥ 1, energy ≥ 1 Wh) — which picks the candidates before any getOrder call.
 */
import type { Address, PublicClient } from "viem";
import { energyMarketAbi, participantRegistryAbi } from "../contracts/index.ts";
import { demoMeters, MeterSimulator } from "../consensus/meters.ts";
import type { ChannelTake, DeliveryMarket, DeliveryWindow, ExportRegister, SellerSales } from "../channels/deliveryStream.ts";
import { DEVNET_METER_SEED } from "../devnet/config.ts";
import { intervalOfOrderId, isChannelTake, SIDE, ZERO_ADDRESS } from "./orderbook.ts";

/** Largest `count` asked of getOrders (the contract clips it to what exists). */
const ALL_ORDERS = 5_000n;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** `Order.channelPaid` (EnergyMarket.placeChannelOffer); false for orders decoded without the field. */
export function orderIsChannelPaid(order: object): boolean {
  return (order as { channelPaid?: unknown }).channelPaid === true;
}

/** DeliveryMarket over a viem public client and the EnergyMarket at `market`. */
export function viemDeliveryMarket(client: PublicClient, market: Address): DeliveryMarket {
  const m = { address: market, abi: energyMarketAbi } as const;
  const channelPaid = new Map<bigint, boolean>(); // an offer's kind never changes
  const windows = new Map<bigint, DeliveryWindow>();
  return {
    async channelTakes(buyer: Address): Promise<ChannelTake[]> {
      const logs = await client.getContractEvents({ ...m, eventName: "OfferTaken", args: { buyer }, fromBlock: 0n });
      const candidates = logs.filter((e) => isChannelTake({ paidWei: e.args.paidWei! }));
      for (const offerId of new Set(candidates.map((e) => e.args.offerId!))) {
        if (channelPaid.has(offerId)) continue;
        const order = await client.readContract({ ...m, functionName: "getOrder", args: [offerId] });
        channelPaid.set(offerId, orderIsChannelPaid(order));
      }
      return candidates
        .filter((e) => channelPaid.get(e.args.offerId!))
        .map((e) => ({
          takeId: e.args.takeId!,
          offerId: e.args.offerId!,
          interval: intervalOfOrderId(e.args.offerId!),
          buyer: e.args.buyer!,
          seller: e.args.seller!,
          energyWh: BigInt(e.args.energyWh!),
          priceWeiPerKWh: BigInt(e.args.priceWeiPerKWh!),
        }));
    },

    async sellerSales(seller: Address, interval: bigint): Promise<SellerSales> {
      const [state, offers, taken] = await Promise.all([
        client.readContract({ ...m, functionName: "intervalState", args: [interval] }),
        client.readContract({ ...m, functionName: "getOrders", args: [interval, SIDE.Offer, 0n, ALL_ORDERS] }),
        client.getContractEvents({ ...m, eventName: "OfferTaken", args: { seller }, fromBlock: 0n }),
      ]);
      const auction = offers.filter((o) => same(o.owner, seller) && same(o.addressedTo, ZERO_ADDRESS) && !o.cancelled);
      // Cleared: the fills. Before: what is still open for the auction (an upper bound of the fills).
      const auctionWh = auction.reduce((s, o) => s + BigInt(state.cleared ? o.filledWh : o.energyWh), 0n);
      const takes = taken
        .filter((e) => intervalOfOrderId(e.args.offerId!) === interval)
        .map((e) => ({ takeId: e.args.takeId!, energyWh: BigInt(e.args.energyWh!) }));
      // Cleared means gated: no more takes or fills can come.
      return { auctionWh, takes, final: state.cleared };
    },

    async deliveryWindow(interval: bigint): Promise<DeliveryWindow> {
      let w = windows.get(interval);
      if (!w) {
        const [start, params] = await Promise.all([
          client.readContract({ ...m, functionName: "intervalStartTime", args: [interval] }),
          client.readContract({ ...m, functionName: "paramsFor", args: [interval] }),
        ]);
        w = { startTime: Number(start), intervalSeconds: Number(params.intervalSeconds) };
        windows.set(interval, w);
      }
      return w;
    },
  };
}

/**
 * The devnet's simulated smart meters exactly as the keeper signs their readings: the demo LAN's
 * households, `seed` (DEVNET_METER_SEED), and the market's interval length and genesis time.
 */
export async function devnetMeterSimulator(client: PublicClient, market: Address, seed: number | string = DEVNET_METER_SEED): Promise<MeterSimulator> {
  const m = { address: market, abi: energyMarketAbi } as const;
  const current = await client.readContract({ ...m, functionName: "currentInterval" });
  const [genesisTime, params] = await Promise.all([
    client.readContract({ ...m, functionName: "intervalStartTime", args: [0n] }),
    client.readContract({ ...m, functionName: "paramsFor", args: [current] }),
  ]);
  return new MeterSimulator(demoMeters(), seed, { intervalSeconds: Number(params.intervalSeconds), genesisTime: Number(genesisTime) });
}

/**
 * The devnet's export register: the seller's registered meter (ParticipantRegistry.participantOf)
 * read from the simulated meters the keeper signs readings from (same households, seed, interval
 * length and genesis), so the stream's last minute equals the reading settlement records. Sellers
 * whose meter is not simulated get null (nobody meters them: the keeper records no reading).
 */
export function devnetExportRegister(client: PublicClient, market: Address, registry: Address): ExportRegister {
  let simulator: Promise<MeterSimulator> | undefined;
  const meters = new Map<string, Promise<Address>>();
  const sim = () =>
    (simulator ??= devnetMeterSimulator(client, market).catch((e: unknown) => {
      simulator = undefined; // try again next time
      throw e;
    }));
  const meterOf = (seller: Address) => {
    const key = seller.toLowerCase();
    let p = meters.get(key);
    if (!p) {
      p = client.readContract({ address: registry, abi: participantRegistryAbi, functionName: "participantOf", args: [seller] }).then((x) => x.meter as Address);
      p.catch(() => meters.delete(key));
      meters.set(key, p);
    }
    return p;
  };
  return async (seller, interval, secondsInto) => {
    const [s, meter] = await Promise.all([sim(), meterOf(seller)]);
    if (same(meter, ZERO_ADDRESS) || !s.hasMeter(meter)) return null;
    return BigInt(s.exportedWhSoFar(meter, interval, secondsInto));
  };
}
