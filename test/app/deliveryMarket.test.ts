/**
 * The delivery streams' chain reads (lib/app/deliveryMarket.ts) against a stub viem client: which
 * takes are channel-paid, what a seller sold in an interval before and after clearing, the
 * delivery window, and the devnet register (seller → registered meter → simulated export).
 */
import { describe, expect, it } from "vitest";
import type { Address, PublicClient } from "viem";
import { devnetExportRegister, orderIsChannelPaid, viemDeliveryMarket } from "@/lib/app/deliveryMarket";
import { DEVNET_METER_SEED } from "@/lib/devnet/config";
import { demoMeters, MeterSimulator } from "@/lib/consensus/meters";

const MARKET: Address = "0x00000000000000000000000000000000000000cc";
const REGISTRY: Address = "0x00000000000000000000000000000000000000dd";
const ZERO: Address = "0x0000000000000000000000000000000000000000";
const BUYER: Address = "0x00000000000000000000000000000000000000b1";
const SELLER: Address = "0x00000000000000000000000000000000000000a1";
const OTHER_BUYER: Address = "0x00000000000000000000000000000000000000b2";
const I = 702n;
const GENESIS = Date.UTC(2025, 5, 21) / 1000; // midnight UTC, 21 June
const oid = (interval: bigint, side: number, index: number) => (interval << 40n) | (BigInt(side) << 32n) | BigInt(index);

type Taken = { offerId: bigint; buyer: Address; seller: Address; energyWh: number; priceWeiPerKWh: number; paidWei: bigint; takeId: bigint };

function stub(state: { cleared: boolean }) {
  const taken: Taken[] = [
    { offerId: oid(I, 1, 5), buyer: BUYER, seller: SELLER, energyWh: 120, priceWeiPerKWh: 210_000, paidWei: 0n, takeId: oid(I, 2, 1) }, // channel-paid
    { offerId: oid(I, 1, 6), buyer: BUYER, seller: SELLER, energyWh: 50, priceWeiPerKWh: 200_000, paidWei: 10_000n, takeId: oid(I, 2, 2) }, // escrowed
    { offerId: oid(I, 1, 7), buyer: OTHER_BUYER, seller: SELLER, energyWh: 30, priceWeiPerKWh: 200_000, paidWei: 0n, takeId: oid(I, 2, 0) }, // someone else's
    { offerId: oid(I + 1n, 1, 0), buyer: OTHER_BUYER, seller: SELLER, energyWh: 99, priceWeiPerKWh: 200_000, paidWei: 0n, takeId: oid(I + 1n, 2, 0) }, // other interval
  ];
  const offers = [
    { owner: SELLER, addressedTo: ZERO, cancelled: false, energyWh: 100, filledWh: 80 },
    { owner: SELLER, addressedTo: ZERO, cancelled: true, energyWh: 300, filledWh: 0 },
    { owner: SELLER, addressedTo: BUYER, cancelled: false, energyWh: 0, filledWh: 0 }, // the channel offer, taken
    { owner: OTHER_BUYER, addressedTo: ZERO, cancelled: false, energyWh: 500, filledWh: 500 },
  ];
  const reads: string[] = [];
  const client = {
    async getContractEvents({ eventName, args }: { eventName: string; args: { buyer?: Address; seller?: Address } }) {
      expect(eventName).toBe("OfferTaken");
      return taken.filter((t) => (!args.buyer || t.buyer === args.buyer) && (!args.seller || t.seller === args.seller)).map((t) => ({ args: t }));
    },
    async readContract({ functionName, args }: { functionName: string; args?: readonly unknown[] }) {
      reads.push(functionName);
      switch (functionName) {
        case "getOrder":
          return { id: args![0], channelPaid: args![0] === oid(I, 1, 5) || args![0] === oid(I, 1, 7) };
        case "intervalState":
          return { cleared: state.cleared };
        case "getOrders":
          return offers;
        case "intervalStartTime":
          return BigInt(GENESIS) + (args![0] as bigint) * 180n;
        case "paramsFor":
          return { intervalSeconds: 180 };
        case "currentInterval":
          return I;
        case "participantOf":
          return { meter: args![0] === SELLER ? demoMeters()[4].meter : ZERO };
        default:
          throw new Error(`unexpected read ${functionName}`);
      }
    },
  } as unknown as PublicClient;
  return { client, reads };
}

describe("viemDeliveryMarket", () => {
  it("lists only my takes of channel-paid offers (zero lock and getOrder.channelPaid), reading each offer once", async () => {
    const { client, reads } = stub({ cleared: false });
    const market = viemDeliveryMarket(client, MARKET);
    const takes = await market.channelTakes(BUYER);
    expect(takes).toEqual([{ takeId: oid(I, 2, 1), offerId: oid(I, 1, 5), interval: I, buyer: BUYER, seller: SELLER, energyWh: 120n, priceWeiPerKWh: 210_000n }]);
    await market.channelTakes(BUYER);
    expect(reads.filter((r) => r === "getOrder")).toHaveLength(1); // the escrowed take needs no read; the kind is cached
  });

  it("a seller's sales: every take of the interval (any buyer, any kind); auction fills once cleared, open energy before", async () => {
    const before = await viemDeliveryMarket(stub({ cleared: false }).client, MARKET).sellerSales(SELLER, I);
    expect(before).toEqual({
      auctionWh: 100n, // live auction offer's open energy (upper bound); cancelled and addressed offers left out
      takes: [
        { takeId: oid(I, 2, 1), energyWh: 120n },
        { takeId: oid(I, 2, 2), energyWh: 50n },
        { takeId: oid(I, 2, 0), energyWh: 30n },
      ],
      final: false,
    });
    const after = await viemDeliveryMarket(stub({ cleared: true }).client, MARKET).sellerSales(SELLER, I);
    expect(after.auctionWh).toBe(80n);
    expect(after.final).toBe(true);
  });

  it("the delivery window from intervalStartTime and paramsFor", async () => {
    expect(await viemDeliveryMarket(stub({ cleared: true }).client, MARKET).deliveryWindow(I)).toEqual({ startTime: GENESIS + 702 * 180, intervalSeconds: 180 });
  });

  it("orderIsChannelPaid reads the flag, false when missing", () => {
    expect(orderIsChannelPaid({ channelPaid: true })).toBe(true);
    expect(orderIsChannelPaid({ channelPaid: false })).toBe(false);
    expect(orderIsChannelPaid({})).toBe(false);
  });
});

describe("devnetExportRegister", () => {
  it("reads the seller's registered meter from the keeper's simulated meters; unknown meters are not metered", async () => {
    const { client } = stub({ cleared: true });
    const register = devnetExportRegister(client, MARKET, REGISTRY);
    const sim = new MeterSimulator(demoMeters(), DEVNET_METER_SEED, { intervalSeconds: 180, genesisTime: GENESIS });
    const noon = 240n; // Household 4 (10 kWp) exports at noon
    const final = sim.readings(noon).find((r) => r.meter === demoMeters()[4].meter)!.exportedWh;
    expect(final).toBeGreaterThan(0);
    for (const s of [0, 60, 120, 180, 400]) {
      expect(await register(SELLER, noon, s)).toBe(BigInt(Math.floor((final * Math.min(s, 180)) / 180)));
    }
    expect(await register(BUYER, 240n, 60)).toBeNull();
  });
});
