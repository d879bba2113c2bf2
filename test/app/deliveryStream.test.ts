/**
 * Pay-as-delivered streaming of channel-paid takes (lib/channels/deliveryStream.ts) and the
 * simulated meters' running export register (lib/consensus/meters.ts exportedWhSoFar): the share
 * rule against the market's settlement rule, one payment per metered minute, restart safety
 * ("a reload never pays twice"), failed payments given back, the take's worth as a hard cap, and a
 * real hub round trip (HubService + HouseholdHub over a fake chain).
 */
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { CHANNEL_STATUS, ChannelClient, MemoryChannelStore, privateKeySigner } from "../../lib/channels/client.ts";
import {
  DeliveryStreamer,
  meteringPoint,
  takeDeliveredWh,
  type ChannelTake,
  type DeliveryMarket,
  type DeliveryStreamEvent,
  type SellerSales,
  type StreamHub,
} from "../../lib/channels/deliveryStream.ts";
import { HouseholdHub, MemoryKeyValue } from "../../lib/channels/householdHub.ts";
import type { PaymentStatus } from "../../lib/channels/hubProtocol.ts";
import { HubService, MemoryHubStore, type HubChain, type OnChainChannel } from "../../lib/channels/hubService.ts";
import { owedWei } from "../../lib/channels/stream.ts";
import { demoMeters, MeterSimulator } from "../../lib/consensus/meters.ts";

const BUYER: Address = "0x00000000000000000000000000000000000000b1";
const SELLER: Address = "0x00000000000000000000000000000000000000a1";
const SELLER2: Address = "0x00000000000000000000000000000000000000a2";
const PRICE = 250_000n; // 0.25 PLC/kWh
const START = 1_000_000; // interval 7's delivery starts (unix seconds)
const LENGTH = 180;

// ───────────────────────────── the register ─────────────────────────────

describe("MeterSimulator.exportedWhSoFar: the running export register", () => {
  const genesis = Date.UTC(2025, 5, 21) / 1000; // midnight UTC, 21 June
  const sim = new MeterSimulator(demoMeters(), 1, { intervalSeconds: 180, genesisTime: genesis });
  const noon = 240n; // 12:00 UTC

  it("starts at 0, never decreases, is the floored linear share and ends exactly at the interval's reading", () => {
    const exporting = sim.samples(noon).filter((s) => s.reading.exportedWh > 0);
    expect(exporting.length).toBeGreaterThan(0);
    for (const s of exporting) {
      const final = s.reading.exportedWh;
      let last = -1;
      for (let t = 0; t <= 180; t += 15) {
        const wh = sim.exportedWhSoFar(s.meter.meter, noon, t);
        expect(wh).toBe(Math.floor((final * t) / 180));
        expect(wh).toBeGreaterThanOrEqual(last);
        last = wh;
      }
      expect(sim.exportedWhSoFar(s.meter.meter, noon, 0)).toBe(0);
      expect(sim.exportedWhSoFar(s.meter.meter, noon, 180)).toBe(final);
      // Past the end and before the start it stays at the ends.
      expect(sim.exportedWhSoFar(s.meter.meter, noon, 10_000)).toBe(final);
      expect(sim.exportedWhSoFar(s.meter.meter, noon, -30)).toBe(0);
      // The three one-minute marks of a devnet interval.
      expect([60, 120, 180].map((t) => sim.exportedWhSoFar(s.meter.meter.toLowerCase() as Address, noon, t))).toEqual([
        Math.floor(final / 3),
        Math.floor((2 * final) / 3),
        final,
      ]);
    }
  });

  it("agrees with the readings the keeper signs, for any order of questions, and refuses unknown meters", () => {
    const fresh = new MeterSimulator(demoMeters(), 1, { intervalSeconds: 180, genesisTime: genesis });
    const m = demoMeters()[1].meter;
    expect(fresh.exportedWhSoFar(m, noon, 180)).toBe(sim.readings(noon).find((r) => r.meter === m)!.exportedWh);
    expect(sim.hasMeter(m)).toBe(true);
    expect(sim.hasMeter(BUYER)).toBe(false);
    expect(() => sim.exportedWhSoFar(BUYER, noon, 60)).toThrow(RangeError);
  });
});

// ───────────────────────────── the rule ─────────────────────────────

/** The market's settlement of one seller's takes (IEnergyMarket.take): d_t per take in take order. */
function settlementShares(sales: SellerSales, exportedWh: bigint): bigint[] {
  const W = sales.takes.reduce((s, t) => s + t.energyWh, 0n);
  const S = sales.auctionWh + W;
  const D = exportedWh < S ? exportedWh : S;
  const T = D - (D * sales.auctionWh) / S;
  let before = 0n;
  return sales.takes.map((t) => {
    const d = ((before + t.energyWh) * T) / W - (before * T) / W;
    before += t.energyWh;
    return d;
  });
}

describe("takeDeliveredWh: a take's share of its seller's export", () => {
  const one: SellerSales = { auctionWh: 0n, takes: [{ takeId: 1n, energyWh: 150n }], final: true };

  it("a lone take gets min(export, taken)", () => {
    expect(takeDeliveredWh(1n, one, 0n, false)).toBe(0n);
    expect(takeDeliveredWh(1n, one, 40n, false)).toBe(40n);
    expect(takeDeliveredWh(1n, one, 40n, true)).toBe(40n);
    expect(takeDeliveredWh(1n, one, 400n, true)).toBe(150n);
    expect(() => takeDeliveredWh(2n, one, 40n, true)).toThrow(RangeError);
  });

  it("at the end equals the settlement's cumulative-rounding share; during delivery never more, never decreasing", () => {
    const sales: SellerSales = {
      auctionWh: 130n,
      takes: [
        { takeId: 12n, energyWh: 77n },
        { takeId: 10n, energyWh: 33n }, // take order is by id, not by list order
        { takeId: 11n, energyWh: 51n },
      ],
      final: true,
    };
    const ordered = [...sales.takes].sort((a, b) => Number(a.takeId - b.takeId));
    for (let e = 0n; e <= 320n; e += 1n) {
      const expected = settlementShares({ ...sales, takes: ordered }, e);
      const finals = ordered.map((t) => takeDeliveredWh(t.takeId, sales, e, true));
      expect(finals).toEqual(expected);
      const S = 130n + 161n;
      const D = e < S ? e : S;
      expect(finals.reduce((s, x) => s + x, 0n)).toBe(D - (D * 130n) / S); // Σ d_t = T exactly
      for (const [k, t] of ordered.entries()) {
        const during = takeDeliveredWh(t.takeId, sales, e, false);
        expect(during).toBeLessThanOrEqual(finals[k]);
        expect(during).toBeLessThanOrEqual(t.energyWh);
        if (e > 0n) expect(during).toBeGreaterThanOrEqual(takeDeliveredWh(t.takeId, sales, e - 1n, false));
        // What is streamed by the end never exceeds what the final share is worth.
        expect(owedWei(during, PRICE)).toBeLessThanOrEqual(owedWei(settlementShares({ ...sales, takes: ordered }, 320n)[k], PRICE));
      }
    }
  });

  it("meteringPoint: one metering point per whole minute, the full interval from its end on", () => {
    const w = { startTime: START, intervalSeconds: LENGTH };
    expect(meteringPoint(START - 1, w)).toEqual({ phase: "before", secondsInto: 0 });
    expect(meteringPoint(START, w)).toEqual({ phase: "during", secondsInto: 0 });
    expect(meteringPoint(START + 59, w)).toEqual({ phase: "during", secondsInto: 0 });
    expect(meteringPoint(START + 60, w)).toEqual({ phase: "during", secondsInto: 60 });
    expect(meteringPoint(START + 179, w)).toEqual({ phase: "during", secondsInto: 120 });
    expect(meteringPoint(START + 180, w)).toEqual({ phase: "after", secondsInto: 180 });
    expect(meteringPoint(START + 5000, w)).toEqual({ phase: "after", secondsInto: 180 });
  });
});

async function until(condition: () => boolean) {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(condition()).toBe(true);
}

// ───────────────────────────── the streamer, with a scripted hub ─────────────────────────────

function take(takeId: bigint, energyWh: bigint, seller = SELLER, priceWeiPerKWh = PRICE): ChannelTake {
  return { takeId, offerId: 100n + takeId, interval: 7n, buyer: BUYER, seller, energyWh, priceWeiPerKWh };
}

/** A hub whose payments complete, fail or hang as the test says. */
class ScriptedHub implements StreamHub {
  readonly requests: { id: string; payee: Address; amountWei: bigint }[] = [];
  readonly list: { id: string; payee: Address; amountWei: string; createdAt: number }[] = [];
  readonly status = new Map<string, PaymentStatus>();
  refuse: string | null = null;
  /** Never answer (the page is gone), before or after the hub recorded the request. */
  hang: "before-request" | "after-request" | null = null;
  constructor(private readonly now: () => number) {}
  async pay(payee: Address, amountWei: bigint) {
    if (this.refuse) throw new Error(this.refuse);
    if (this.hang === "before-request") return new Promise<never>(() => {});
    const id = `p${this.requests.length + 1}`;
    this.requests.push({ id, payee, amountWei });
    this.list.push({ id, payee, amountWei: amountWei.toString(), createdAt: this.now() });
    this.status.set(id, "requested");
    if (this.hang === "after-request") return new Promise<never>(() => {});
    return { id };
  }
  outgoing() {
    return this.list;
  }
  lookup = async (id: string) => {
    const status = this.status.get(id);
    return status ? { status, error: status === "failed" ? "The payee did not answer within 60 s." : null } : null;
  };
  completeAll() {
    for (const [id, s] of this.status) if (s !== "failed") this.status.set(id, "completed");
  }
  paidTo(payee: Address) {
    return this.requests.filter((r) => r.payee === payee && this.status.get(r.id) === "completed").reduce((s, r) => s + r.amountWei, 0n);
  }
}

/** Seller export grows linearly to `finalWh` over the interval (like the simulator's register). */
function setup(options: { takes: ChannelTake[]; finalWh: Record<string, bigint>; auctionWh?: bigint; memory?: MemoryKeyValue; feeWei?: bigint }) {
  const clock = { chain: START - 30, ms: 5_000_000 };
  const hub = new ScriptedHub(() => clock.ms);
  const memory = options.memory ?? new MemoryKeyValue();
  const market: DeliveryMarket = {
    channelTakes: async () => options.takes,
    sellerSales: async (seller) => ({
      auctionWh: options.auctionWh ?? 0n,
      takes: options.takes.filter((t) => t.seller === seller).map((t) => ({ takeId: t.takeId, energyWh: t.energyWh })),
      final: true,
    }),
    deliveryWindow: async () => ({ startTime: START, intervalSeconds: LENGTH }),
  };
  const events: DeliveryStreamEvent[] = [];
  const make = () =>
    new DeliveryStreamer({
      buyer: BUYER,
      hub,
      paymentStatus: hub.lookup,
      market,
      exportedWhSoFar: (seller, _i, s) => {
        const f = options.finalWh[seller];
        return f === undefined ? null : (f * BigInt(Math.min(Math.max(s, 0), LENGTH))) / BigInt(LENGTH);
      },
      memory,
      memoryKey: "powerlan.streams.test",
      nowSeconds: () => clock.chain,
      nowMs: () => clock.ms,
      feeWei: options.feeWei ?? 0n,
      onEvent: (e) => events.push(e),
    });
  const at = (chainSeconds: number) => {
    clock.chain = chainSeconds;
    clock.ms += 1_000;
  };
  return { hub, memory, make, at, clock, events };
}

describe("DeliveryStreamer", () => {
  it("pays once per metered minute what the delivery so far is worth, then 'paid'", async () => {
    const t = take(1n, 150n); // worth ceil(150 × 0.25) = 37,500 base units
    const s = setup({ takes: [t], finalWh: { [SELLER]: 200n } });
    const streamer = s.make();

    let [v] = await streamer.tick();
    expect(v).toMatchObject({ status: "waiting for delivery", owedWei: 0n, paidWei: 0n, worthWei: 37_500n });
    expect(s.hub.requests).toEqual([]);

    s.at(START + 10);
    [v] = await streamer.tick();
    expect(v).toMatchObject({ status: "streaming", deliveredWh: 0n, owedWei: 0n });
    expect(s.hub.requests).toEqual([]);

    // Minute 1: 200 × 60/180 = 66 Wh exported, all of it the take's → ceil(66 × 250000 / 1000) = 16,500.
    s.at(START + 61);
    [v] = await streamer.tick();
    expect(s.hub.requests.map((r) => r.amountWei)).toEqual([16_500n]);
    expect(v).toMatchObject({ deliveredWh: 66n, owedWei: 16_500n, paidWei: 0n, pendingWei: 16_500n, status: "streaming" });
    // Ticks within the same minute pay nothing more, also while the payment is in flight.
    s.at(START + 70);
    await streamer.tick();
    s.hub.completeAll();
    [v] = await streamer.tick();
    expect(v).toMatchObject({ paidWei: 16_500n, pendingWei: 0n });
    expect(s.hub.requests).toHaveLength(1);

    // Minute 2: 133 Wh → 33,250 owed, 16,750 more.
    s.at(START + 125);
    await streamer.tick();
    s.hub.completeAll();
    // End: 200 Wh exported, the take is 150 Wh → 37,500 owed (the worth), 4,250 more.
    s.at(START + 181);
    await streamer.tick();
    s.hub.completeAll();
    [v] = await streamer.tick();
    expect(s.hub.requests.map((r) => r.amountWei)).toEqual([16_500n, 16_750n, 4_250n]);
    expect(v).toMatchObject({ status: "paid", deliveredWh: 150n, owedWei: 37_500n, paidWei: 37_500n, pendingWei: 0n });
    expect(s.hub.paidTo(SELLER)).toBe(37_500n); // never more than the take is worth

    // Long after: nothing more.
    s.at(START + 5_000);
    await streamer.tick();
    expect(s.hub.requests).toHaveLength(3);
    expect(s.events.filter((e) => e.type === "streamed").map((e) => e.amountWei)).toEqual([16_500n, 16_750n, 4_250n]);
  });

  it("a seller that delivers less is paid for what it delivered; the final catch-up uses the settlement's share", async () => {
    // Two takes of one seller plus 100 Wh of auction fills; the seller exports 120 Wh of 300 sold.
    const takes = [take(1n, 120n), take(2n, 80n)];
    const s = setup({ takes, finalWh: { [SELLER]: 120n }, auctionWh: 100n });
    const streamer = s.make();
    s.at(START + 200);
    const views = await streamer.tick();
    // D = 120, auction part floor(120 × 100 / 300) = 40, takes T = 80: d = floor(120×80/200) = 48, then 80 − 48 = 32.
    expect(views.map((v) => v.deliveredWh)).toEqual([48n, 32n]);
    // One payment covers both takes of the seller.
    expect(s.hub.requests).toEqual([{ id: "p1", payee: SELLER, amountWei: 12_000n + 8_000n }]);
    s.hub.completeAll();
    const after = await streamer.tick();
    expect(after.map((v) => [v.status, v.paidWei])).toEqual([
      ["paid", 12_000n],
      ["paid", 8_000n],
    ]);
  });

  it("pays sellers one at a time (the hub routes one payment per channel) and adds the hub's fee", async () => {
    const s = setup({ takes: [take(1n, 100n, SELLER), take(2n, 100n, SELLER2)], finalWh: { [SELLER]: 300n, [SELLER2]: 300n }, feeWei: 7n });
    const streamer = s.make();
    s.at(START + 190);
    await streamer.tick();
    expect(s.hub.requests).toEqual([{ id: "p1", payee: SELLER, amountWei: 25_000n + 7n }]);
    await streamer.tick(); // still in flight: nobody else is paid
    expect(s.hub.requests).toHaveLength(1);
    s.hub.completeAll();
    const views = await streamer.tick();
    expect(s.hub.requests.map((r) => [r.payee, r.amountWei])).toEqual([
      [SELLER, 25_007n],
      [SELLER2, 25_007n],
    ]);
    // The seller's share counts without the fee.
    expect(views[0]).toMatchObject({ paidWei: 25_000n, status: "paid" });
    expect(views[1]).toMatchObject({ pendingWei: 25_000n, status: "streaming" });
  });

  it("a failed payment is given back and paid again after a pause; a refused request creates nothing", async () => {
    const s = setup({ takes: [take(1n, 100n)], finalWh: { [SELLER]: 300n } });
    const streamer = s.make();
    s.at(START + 190);
    await streamer.tick();
    s.hub.status.set("p1", "failed");
    let [v] = await streamer.tick();
    expect(v).toMatchObject({ paidWei: 0n, pendingWei: 0n, status: "streaming", error: "The payee did not answer within 60 s." });
    expect(s.hub.requests).toHaveLength(1); // paused for this seller
    expect(s.events.map((e) => e.type)).toEqual(["requested", "failed"]);

    s.clock.ms += 25_000;
    s.hub.refuse = "Another payment through channel #3 is still in progress; try again in a moment.";
    [v] = await streamer.tick();
    expect(v).toMatchObject({ paidWei: 0n, pendingWei: 0n, error: s.hub.refuse });
    expect(s.memory.getItem("powerlan.streams.test")).toContain('"pending":[]'); // nothing left behind

    s.clock.ms += 25_000;
    s.hub.refuse = null;
    await streamer.tick();
    s.hub.completeAll();
    [v] = await streamer.tick();
    expect(v).toMatchObject({ paidWei: 25_000n, status: "paid", error: null });
    expect(s.hub.paidTo(SELLER)).toBe(25_000n);
  });

  it("restart-safe: a reload (new streamer, same storage) never pays twice", async () => {
    const s = setup({ takes: [take(1n, 150n)], finalWh: { [SELLER]: 150n } });
    s.at(START + 65);
    await s.make().tick(); // 50 Wh → 12,500 requested
    // Reload while the payment is in flight, and again after it completed.
    await s.make().tick();
    expect(s.hub.requests).toHaveLength(1);
    s.hub.completeAll();
    let [v] = await s.make().tick();
    expect(v).toMatchObject({ paidWei: 12_500n, pendingWei: 0n });
    expect(s.hub.requests).toHaveLength(1);

    // The page dies after the hub took the request but before the stream heard the answer: the
    // reloaded stream finds the request in the household client's own list and waits for it.
    s.at(START + 125);
    s.hub.hang = "after-request";
    void s.make().tick(); // never returns (the page is gone)
    await until(() => s.hub.requests.length === 2);
    s.hub.hang = null;
    [v] = await s.make().tick();
    expect(s.hub.requests.map((r) => r.amountWei)).toEqual([12_500n, 12_500n]);
    expect(v).toMatchObject({ paidWei: 12_500n, pendingWei: 12_500n });
    s.hub.completeAll();
    [v] = await s.make().tick();
    expect(v).toMatchObject({ paidWei: 25_000n, pendingWei: 0n });

    // The page dies before the request reached the hub: nothing can be paid for it (the household
    // client locks only requests in its own list), so the reloaded stream pays it once.
    s.at(START + 185);
    s.hub.hang = "before-request";
    void s.make().tick();
    await until(() => (s.memory.getItem("powerlan.streams.test") ?? "").includes('"paymentId":null'));
    s.hub.hang = null;
    [v] = await s.make().tick();
    expect(v).toMatchObject({ paidWei: 25_000n, pendingWei: 12_500n });
    expect(s.hub.requests.map((r) => r.amountWei)).toEqual([12_500n, 12_500n, 12_500n]);
    s.hub.completeAll();
    [v] = await s.make().tick();
    expect(v).toMatchObject({ status: "paid", paidWei: 37_500n, owedWei: 37_500n });
    expect(s.hub.paidTo(SELLER)).toBe(37_500n);
  });
});

// ───────────────────────────── with the real hub ─────────────────────────────

// Hardhat's PUBLIC dev keys (never use them anywhere but a local devnet).
const KEYS = {
  buyer: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  seller: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  hub: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
} as const satisfies Record<string, Hex>;
const CONTRACT: Address = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const PLC = 1_000_000n;

/** PaymentChannels in memory: enough for the hub (deposits, status). */
class FakeChain implements HubChain {
  block = 100n;
  readonly channels = new Map<bigint, OnChainChannel>();
  constructor(readonly hub: Address) {}
  async blockNumber() {
    return this.block;
  }
  async getChannel(channelId: bigint): Promise<OnChainChannel> {
    return { ...this.channels.get(channelId)! };
  }
  async deposit(channelId: bigint, amountWei: bigint) {
    this.channels.get(channelId)!.balanceBWei += amountWei;
  }
  async withdraw(): Promise<bigint> {
    return 0n;
  }
  open(household: Address, depositWei: bigint): bigint {
    const id = BigInt(this.channels.size + 1);
    this.channels.set(id, { partyA: household, partyB: this.hub, balanceAWei: depositWei, balanceBWei: 0n, status: CHANNEL_STATUS.Open, challengePeriodBlocks: 40n });
    return id;
  }
}

describe("DeliveryStreamer through the LAN hub (HubService + HouseholdHub)", () => {
  it("the seller receives exactly what its metered energy is worth, minute by minute, and both channels agree", async () => {
    const clientOf = (key: Hex) => new ChannelClient({ signer: privateKeySigner(key), chainId: 31337, contract: CONTRACT, store: new MemoryChannelStore() });
    let ms = 1_000_000;
    const hubClient = clientOf(KEYS.hub);
    const chain = new FakeChain(hubClient.address);
    const service = new HubService({ client: hubClient, chain, store: new MemoryHubStore(), name: "Aggregator", liquidityCapWei: 20n * PLC, hopBlocks: 20n, challengePeriodBlocks: 40n, now: () => ms });
    const household = (key: Hex) =>
      new HouseholdHub({ client: clientOf(key), transport: service.transport(), currentBlock: async () => chain.block, memory: new MemoryKeyValue(), syncFromChain: false, now: () => ms });
    const buyer = household(KEYS.buyer);
    const seller = household(KEYS.seller);
    const a = chain.open(buyer.address, 10n * PLC);
    await buyer.join(a);
    const b = chain.open(seller.address, 1n * PLC);
    await seller.join(b);
    const sellerBefore = seller.client.balances(b).myPayoutWei;

    const t: ChannelTake = { takeId: 1n, offerId: 9n, interval: 7n, buyer: buyer.address, seller: seller.address, energyWh: 240n, priceWeiPerKWh: 210_000n };
    let chainNow = START - 10;
    const memory = new MemoryKeyValue();
    const streamer = new DeliveryStreamer({
      buyer: buyer.address,
      hub: buyer,
      paymentStatus: async (id) => {
        const p = await service.query({ action: "payment", id });
        return { status: p.status, error: p.error };
      },
      market: {
        channelTakes: async () => [t],
        sellerSales: async () => ({ auctionWh: 0n, takes: [{ takeId: 1n, energyWh: 240n }], final: true }),
        deliveryWindow: async () => ({ startTime: START, intervalSeconds: LENGTH }),
      },
      exportedWhSoFar: (_s, _i, secs) => (250n * BigInt(secs)) / 180n, // 250 Wh over the interval
      memory,
      memoryKey: "streams",
      nowSeconds: () => chainNow,
      nowMs: () => ms,
    });
    const round = async () => {
      ms += 1_500;
      const views = await streamer.tick();
      for (let i = 0; i < 6; i++) {
        await seller.step();
        await buyer.step();
      }
      return views;
    };
    for (const secs of [30, 61, 62, 121, 181, 182, 240]) {
      chainNow = START + secs;
      await round();
    }
    const [v] = await streamer.tick();
    // 240 Wh delivered (the take; the seller exported 250) at 0.21 PLC/kWh: ceil(240 × 210000 / 1000) = 50,400.
    expect(v).toMatchObject({ status: "paid", deliveredWh: 240n, owedWei: 50_400n, paidWei: 50_400n, pendingWei: 0n });
    const payments = (await service.query({ action: "inbox", account: buyer.address })).payments;
    // Minutes 1, 2 and the end: 83 Wh → 17,430; 166 Wh → 34,860 (+17,430); 240 Wh → 50,400 (+15,540).
    expect(payments.map((p) => [p.status, p.amountWei]).reverse()).toEqual([
      ["completed", "17430"],
      ["completed", "17430"],
      ["completed", "15540"],
    ]);
    expect(seller.client.balances(b).myPayoutWei - sellerBefore).toBe(50_400n);
    expect(buyer.client.balances(a).myPayoutWei).toBe(10n * PLC - 50_400n);
    expect(buyer.client.latestProof(a)).toEqual(hubClient.latestProof(a));
    expect(seller.client.latestProof(b)).toEqual(hubClient.latestProof(b));
  });
});
