/**
 * Pay-as-delivered streaming of channel-paid trades (issue #5, "Lightning for PowerLAN").
 *
 * A channel-paid offer (EnergyMarket.placeChannelOffer) is taken without escrow: the take locks
 * nothing, settlement on metered delivery mints the buyer's certificates and charges the seller's
 * grid fee / imbalance but moves no money between them. The buyer pays the seller off-chain,
 * through the LAN hub, as the energy is metered: once per minute of the delivery interval (and
 * again after its end, to catch up) it pays what the energy metered so far is worth, minus what it
 * already streamed for that take. Browser-safe; unit-tested in test/app/deliveryStream.test.ts.
 *
 * What a take is owed — the rule, mirroring the market's settlement of takes
 * (IEnergyMarket.take / settle) so that what is streamed matches what settlement later records:
 *  - Seller j sold S_j = A_j + W_j in the interval: A_j its auction fills (before clearing: the
 *    energy of its live auction offers, an upper bound, which only lowers what its takes get), W_j
 *    all the Wh taken from its offers (escrowed and channel-paid takes alike).
 *  - E = its export register at the last full minute of delivery (lib/consensus/meters.ts
 *    MeterSimulator.exportedWhSoFar on the devnet), the interval's reading once delivery is over.
 *    Delivered D = min(E, S); the auction part is floor(D × A_j / S_j); its takes share the rest,
 *    T = D − floor(D × A_j / S_j).
 *  - The seller's takes are served in take order (ascending take id, the order the keeper settles
 *    them): once delivery is over take t of w_t Wh gets the settlement's cumulative-rounding share
 *      d_t = floor(W_after × T / W_j) − floor(W_before × T / W_j)
 *    (W_before: Wh of the seller's takes before t, W_after = W_before + w_t; Σ d_t = T exactly).
 *    While delivery runs it gets floor(w_t × T / W_j), which never exceeds its final d_t
 *    (floor(a) + floor(b) ≤ floor(a + b), T only grows), so a stream never pays ahead of settlement.
 *  - Owed = ceil(d_t × p / 1000) (stream.ts owedWei: the buyer rounds up, as the market charges
 *    buyers), never more than the take is worth, ceil(w_t × p / 1000).
 *  - Each payment pays owed − streamed (the payments of earlier ticks, confirmed or in flight).
 *
 * Payments go through the hub (HouseholdHub.pay), one at a time: the hub routes one payment per
 * channel at a time, so one payment covers every take of one seller that has something due. The
 * buyer adds the hub's fee, so the seller receives exactly what its energy is worth.
 *
 * Restart-safe: the streamed total per take id and the payments in flight live in the same
 * storage as the household client's (localStorage in the browser, via KeyValueMemory). A payment is
 * written down as an intent BEFORE it is requested and gets its hub payment id after; a reload in
 * between finds the request in the household client's own list of requested payments (it only ever
 * locks money for payments in that list) or, if it is not there, knows it can never be paid and
 * drops it. A payment counts as streamed from the moment it is written down and is given back only
 * if the hub reports it failed — so a reload never pays twice. Runs under a lock (the app passes a
 * Web Lock per account, so two tabs never stream at once).
 */
import type { Address } from "viem";
import type { KeyValueMemory } from "./householdHub.ts";
import type { PaymentStatus } from "./hubProtocol.ts";
import { owedWei } from "./stream.ts";
import { serialLock, type SerialLock } from "./serialLock.ts";

// ───────────────────────────── inputs ─────────────────────────────

/** A take of a channel-paid offer, from OfferTaken (paidWei = 0) and getOrder(offerId).channelPaid. */
export interface ChannelTake {
  takeId: bigint;
  offerId: bigint;
  interval: bigint;
  buyer: Address;
  seller: Address;
  energyWh: bigint;
  priceWeiPerKWh: bigint;
}

/** What a seller sold in one interval: the basis of its takes' share of its metered export. */
export interface SellerSales {
  /** Σ auction fills of its offers; before clearing, Σ energy of its live auction offers (upper bound). */
  auctionWh: bigint;
  /** Every take of its offers in the interval (escrowed and channel-paid, any buyer). */
  takes: readonly { takeId: bigint; energyWh: bigint }[];
  /** True once these figures can no longer change (the interval is cleared). */
  final: boolean;
}

/** When an interval's delivery runs (chain time, unix seconds). */
export interface DeliveryWindow {
  startTime: number;
  intervalSeconds: number;
}

/** The chain reads the stream needs (viem in the app, a fake in tests). */
export interface DeliveryMarket {
  /** The buyer's takes of channel-paid offers (any order). */
  channelTakes(buyer: Address): Promise<ChannelTake[]>;
  sellerSales(seller: Address, interval: bigint): Promise<SellerSales>;
  deliveryWindow(interval: bigint): Promise<DeliveryWindow>;
}

/**
 * The seller's export register: Wh exported `secondsInto` seconds into `interval`'s delivery (the
 * interval's reading from its end on); null when nobody meters this seller (nothing is paid).
 */
export type ExportRegister = (seller: Address, interval: bigint, secondsInto: number) => bigint | null | Promise<bigint | null>;

/** The household's hub client, as far as the stream uses it (HouseholdHub fits). */
export interface StreamHub {
  pay(payee: Address, amountWei: bigint): Promise<{ id: string }>;
  /** Payments this household asked the hub for (HouseholdHub.outgoing). */
  outgoing(): readonly { id: string; payee: Address; amountWei: string; createdAt: number }[];
}

/** A hub payment's status (hub query "payment"); null when the hub does not know the id. */
export type PaymentLookup = (id: string) => Promise<{ status: PaymentStatus; error: string | null } | null>;

// ───────────────────────────── the rule ─────────────────────────────

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * The Wh of take `takeId` delivered when the seller's register reads `exportedWh` (rule above):
 * `final` (delivery over) gives the settlement's share d_t, otherwise floor(w_t × T / W_j).
 * Throws if `takeId` is not among the seller's takes.
 */
export function takeDeliveredWh(takeId: bigint, sales: SellerSales, exportedWh: bigint, final: boolean): bigint {
  const takes = [...sales.takes].sort((a, b) => (a.takeId < b.takeId ? -1 : a.takeId > b.takeId ? 1 : 0));
  const index = takes.findIndex((t) => t.takeId === takeId);
  if (index < 0) throw new RangeError(`take ${takeId} is not among the seller's takes`);
  let takenWh = 0n;
  let beforeWh = 0n;
  for (const [k, t] of takes.entries()) {
    if (k < index) beforeWh += t.energyWh;
    takenWh += t.energyWh;
  }
  const soldWh = sales.auctionWh + takenWh;
  if (takenWh === 0n || exportedWh <= 0n) return 0n;
  const deliveredWh = min(exportedWh, soldWh);
  const takesPartWh = deliveredWh - (deliveredWh * sales.auctionWh) / soldWh;
  const w = takes[index].energyWh;
  if (!final) return (w * takesPartWh) / takenWh;
  return ((beforeWh + w) * takesPartWh) / takenWh - (beforeWh * takesPartWh) / takenWh;
}

/** Where delivery stands at chain time `now`, metered at whole `tickSeconds` (one payment per minute). */
export function meteringPoint(
  now: number,
  window: DeliveryWindow,
  tickSeconds = 60,
): { phase: "before" | "during" | "after"; secondsInto: number } {
  const elapsed = Math.floor(now - window.startTime);
  if (elapsed < 0) return { phase: "before", secondsInto: 0 };
  if (elapsed >= window.intervalSeconds) return { phase: "after", secondsInto: window.intervalSeconds };
  return { phase: "during", secondsInto: Math.floor(elapsed / tickSeconds) * tickSeconds };
}

// ───────────────────────────── the ledger ─────────────────────────────

interface PendingPart {
  takeId: string;
  amountWei: string;
}

/** A payment written down before it is requested; `paymentId` once the hub accepted the request. */
interface PendingPayment {
  paymentId: string | null;
  seller: Address;
  /** What the buyer pays: Σ parts + the hub's fee. */
  amountWei: string;
  parts: PendingPart[];
  createdAt: number;
}

interface Ledger {
  v: 1;
  /** Confirmed streamed amount per take id (the seller was paid). */
  paid: Record<string, string>;
  pending: PendingPayment[];
  /** Hub payment ids already accounted for (so an interrupted intent is never matched to one twice). */
  done: string[];
}

const DONE_LIMIT = 200;
const emptyLedger = (): Ledger => ({ v: 1, paid: {}, pending: [], done: [] });
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

// ───────────────────────────── views ─────────────────────────────

export type StreamStatus = "waiting for delivery" | "streaming" | "paid" | "not metered";

/** One take's stream, for the UI. */
export interface TakeStream {
  take: ChannelTake;
  status: StreamStatus;
  /** What the whole take is worth to the seller: ceil(w × p / 1000). */
  worthWei: bigint;
  /** Delivered so far by the rule above (null: not metered / not started). */
  deliveredWh: bigint | null;
  /** What the delivery so far is worth. */
  owedWei: bigint;
  /** Confirmed streamed to the seller. */
  paidWei: bigint;
  /** Streamed, still on its way through the hub. */
  pendingWei: bigint;
  /** Seconds of delivery metered (0 … intervalSeconds). */
  secondsInto: number;
  intervalSeconds: number | null;
  /** Why the last payment to this take's seller did not go through (cleared by the next success). */
  error: string | null;
}

export type DeliveryStreamEvent =
  | { type: "requested"; seller: Address; amountWei: bigint; takeIds: bigint[]; paymentId: string }
  | { type: "streamed"; seller: Address; amountWei: bigint; takeIds: bigint[]; paymentId: string }
  | { type: "failed"; seller: Address; amountWei: bigint; error: string };

export interface DeliveryStreamOptions {
  buyer: Address;
  hub: StreamHub;
  paymentStatus: PaymentLookup;
  market: DeliveryMarket;
  exportedWhSoFar: ExportRegister;
  memory: KeyValueMemory;
  /** Key in `memory` (the app: per chain genesis, market and account). */
  memoryKey: string;
  /** Chain time, unix seconds. */
  nowSeconds: () => number;
  /** Wall clock for bookkeeping (default Date.now). */
  nowMs?: () => number;
  /** The hub's fee per payment, added on top so the seller receives the full amount. Default 0. */
  feeWei?: bigint;
  /** Metering step (default 60 s: one payment per minute). */
  tickSeconds?: number;
  /** After a failed payment, leave that seller alone this long (default 20 s). */
  retryAfterMs?: number;
  /** Run `fn` exclusively (default: an in-process queue). */
  lock?: SerialLock;
  /** A refused payment request in words (default: the error's message). */
  explain?: (error: unknown, seller: Address) => string;
  onEvent?: (event: DeliveryStreamEvent) => void;
}

/** Streams the buyer's channel-paid takes; call `tick()` every few seconds while the app is open. */
export class DeliveryStreamer {
  private readonly o: Required<Omit<DeliveryStreamOptions, "onEvent" | "lock">> & Pick<DeliveryStreamOptions, "onEvent">;
  private readonly lock: SerialLock;
  private readonly windows = new Map<bigint, DeliveryWindow>();
  private readonly finalSales = new Map<string, SellerSales>();
  private readonly backoff = new Map<string, { until: number; error: string }>();

  constructor(options: DeliveryStreamOptions) {
    this.o = {
      nowMs: Date.now,
      feeWei: 0n,
      tickSeconds: 60,
      retryAfterMs: 20_000,
      explain: (e: unknown) => (e instanceof Error ? e.message : String(e)),
      ...options,
    };
    this.lock = options.lock ?? serialLock();
  }

  private read(): Ledger {
    const text = this.o.memory.getItem(this.o.memoryKey);
    if (!text) return emptyLedger();
    try {
      const l = JSON.parse(text) as Partial<Ledger>;
      return { v: 1, paid: l.paid ?? {}, pending: l.pending ?? [], done: l.done ?? [] };
    } catch {
      return emptyLedger();
    }
  }

  private write(l: Ledger): void {
    this.o.memory.setItem(this.o.memoryKey, JSON.stringify({ ...l, done: l.done.slice(-DONE_LIMIT) }));
  }

  /** What was streamed per take id so far (confirmed + in flight). */
  streamed(): Map<bigint, { paidWei: bigint; pendingWei: bigint }> {
    const l = this.read();
    const out = new Map<bigint, { paidWei: bigint; pendingWei: bigint }>();
    const at = (id: string) => {
      const k = BigInt(id);
      let v = out.get(k);
      if (!v) out.set(k, (v = { paidWei: 0n, pendingWei: 0n }));
      return v;
    };
    for (const [id, wei] of Object.entries(l.paid)) at(id).paidWei += BigInt(wei);
    for (const p of l.pending) for (const part of p.parts) at(part.takeId).pendingWei += BigInt(part.amountWei);
    return out;
  }

  /**
   * One round: account for payments in flight, work out what each take is owed now and pay the
   * next seller with something due (at most one payment in flight). Returns every take's stream.
   */
  tick(): Promise<TakeStream[]> {
    return this.lock(async () => {
      await this.reconcile();
      const takes = (await this.o.market.channelTakes(this.o.buyer)).sort((a, b) => (a.takeId < b.takeId ? -1 : a.takeId > b.takeId ? 1 : 0));
      const views = await Promise.all(takes.map((t) => this.view(t)));
      if (this.read().pending.length === 0) await this.payNext(views);
      const streamed = this.streamed();
      return views.map((v) => this.withStreamed(v, streamed));
    });
  }

  private withStreamed(v: TakeStream, streamed: Map<bigint, { paidWei: bigint; pendingWei: bigint }>): TakeStream {
    const s = streamed.get(v.take.takeId) ?? { paidWei: 0n, pendingWei: 0n };
    const phaseOver = v.intervalSeconds !== null && v.secondsInto >= v.intervalSeconds;
    let status = v.status;
    if (status !== "not metered" && status !== "waiting for delivery") {
      status = phaseOver && s.pendingWei === 0n && s.paidWei >= v.owedWei ? "paid" : "streaming";
    }
    const backoff = this.backoff.get(v.take.seller.toLowerCase());
    return { ...v, paidWei: s.paidWei, pendingWei: s.pendingWei, status, error: backoff?.error ?? null };
  }

  /** Payments in flight: confirm, give back failed ones, resolve intents a reload interrupted. */
  private async reconcile(): Promise<void> {
    const l = this.read();
    if (l.pending.length === 0) return;
    const keep: PendingPayment[] = [];
    const events: DeliveryStreamEvent[] = [];
    for (const p of l.pending) {
      if (p.paymentId === null) {
        // Cut off between writing the intent and hearing back from the hub: the household client
        // locks money only for payments in its own list, so the request either is there or can never be paid.
        const taken = new Set([...l.done, ...l.pending.map((q) => q.paymentId).filter((id): id is string => id !== null)]);
        const match = this.o.hub
          .outgoing()
          .find((q) => !taken.has(q.id) && same(q.payee, p.seller) && q.amountWei === p.amountWei && q.createdAt >= p.createdAt);
        if (match) keep.push({ ...p, paymentId: match.id });
        continue;
      }
      let found: Awaited<ReturnType<PaymentLookup>>;
      try {
        found = await this.o.paymentStatus(p.paymentId);
      } catch {
        keep.push(p); // hub unreachable: ask again next time
        continue;
      }
      const status = found?.status;
      if (status === "completed" || status === "payee-paid") {
        for (const part of p.parts) l.paid[part.takeId] = (BigInt(l.paid[part.takeId] ?? "0") + BigInt(part.amountWei)).toString();
        l.done.push(p.paymentId);
        this.backoff.delete(p.seller.toLowerCase());
        events.push({ type: "streamed", seller: p.seller, amountWei: BigInt(p.amountWei), takeIds: p.parts.map((x) => BigInt(x.takeId)), paymentId: p.paymentId });
      } else if (status === "failed" || found === null) {
        // Nothing reached the seller: the amount is due again (after a pause for this seller).
        l.done.push(p.paymentId);
        const error = found?.error ?? "The hub no longer knows this payment.";
        this.backoff.set(p.seller.toLowerCase(), { until: this.o.nowMs() + this.o.retryAfterMs, error });
        events.push({ type: "failed", seller: p.seller, amountWei: BigInt(p.amountWei), error });
      } else {
        keep.push(p);
      }
    }
    l.pending = keep;
    this.write(l);
    for (const e of events) this.o.onEvent?.(e);
  }

  private async window(interval: bigint): Promise<DeliveryWindow> {
    let w = this.windows.get(interval);
    if (!w) {
      w = await this.o.market.deliveryWindow(interval);
      this.windows.set(interval, w);
    }
    return w;
  }

  private async sales(seller: Address, interval: bigint): Promise<SellerSales> {
    const key = `${seller.toLowerCase()}:${interval}`;
    const cached = this.finalSales.get(key);
    if (cached) return cached;
    const sales = await this.o.market.sellerSales(seller, interval);
    if (sales.final) this.finalSales.set(key, sales);
    return sales;
  }

  /** The take's delivery and what it is owed at the current metering point (streamed figures filled in later). */
  private async view(take: ChannelTake): Promise<TakeStream> {
    const worthWei = owedWei(take.energyWh, take.priceWeiPerKWh);
    const window = await this.window(take.interval);
    const point = meteringPoint(this.o.nowSeconds(), window, this.o.tickSeconds);
    const base = { take, worthWei, paidWei: 0n, pendingWei: 0n, secondsInto: point.secondsInto, intervalSeconds: window.intervalSeconds, error: null };
    if (point.phase === "before") return { ...base, status: "waiting for delivery", deliveredWh: null, owedWei: 0n };
    const exported = await this.o.exportedWhSoFar(take.seller, take.interval, point.secondsInto);
    if (exported === null) return { ...base, status: "not metered", deliveredWh: null, owedWei: 0n };
    const sales = await this.sales(take.seller, take.interval);
    // Before clearing an upper bound of the auction part stands in; at the end only final figures count.
    const final = point.phase === "after" && sales.final;
    const deliveredWh = min(takeDeliveredWh(take.takeId, sales, exported, final), take.energyWh);
    const owed = min(owedWei(deliveredWh, take.priceWeiPerKWh), worthWei);
    return { ...base, status: "streaming", deliveredWh, owedWei: owed };
  }

  /** Pay the first seller (in take order) with something due, for all its takes at once. */
  private async payNext(views: TakeStream[]): Promise<void> {
    const streamed = this.streamed();
    const now = this.o.nowMs();
    const due = new Map<string, { seller: Address; parts: PendingPart[]; totalWei: bigint }>();
    for (const v of views) {
      const s = streamed.get(v.take.takeId) ?? { paidWei: 0n, pendingWei: 0n };
      const dueWei = v.owedWei - s.paidWei - s.pendingWei;
      if (dueWei <= 0n) continue;
      const key = v.take.seller.toLowerCase();
      const b = this.backoff.get(key);
      if (b && b.until > now) continue;
      let d = due.get(key);
      if (!d) due.set(key, (d = { seller: v.take.seller, parts: [], totalWei: 0n }));
      d.parts.push({ takeId: v.take.takeId.toString(), amountWei: dueWei.toString() });
      d.totalWei += dueWei;
    }
    const next = due.values().next();
    if (next.done) return;
    const { seller, parts, totalWei } = next.value;
    const amountWei = totalWei + this.o.feeWei;
    // Written down first: from here on the amount counts as streamed (a reload never pays it twice).
    const intent: PendingPayment = { paymentId: null, seller, amountWei: amountWei.toString(), parts, createdAt: now };
    const l = this.read();
    l.pending.push(intent);
    this.write(l);
    try {
      const payment = await this.o.hub.pay(seller, amountWei);
      const after = this.read();
      const mine = after.pending.find((p) => p.paymentId === null && p.createdAt === intent.createdAt && same(p.seller, seller) && p.amountWei === intent.amountWei);
      if (mine) mine.paymentId = payment.id;
      this.write(after);
      this.o.onEvent?.({ type: "requested", seller, amountWei, takeIds: parts.map((p) => BigInt(p.takeId)), paymentId: payment.id });
    } catch (e) {
      // The hub refused the request (no channel, busy, offline): nothing was requested, give it back.
      const after = this.read();
      after.pending = after.pending.filter((p) => !(p.paymentId === null && p.createdAt === intent.createdAt && same(p.seller, seller)));
      this.write(after);
      const error = this.o.explain(e, seller);
      this.backoff.set(seller.toLowerCase(), { until: now + this.o.retryAfterMs, error });
      this.o.onEvent?.({ type: "failed", seller, amountWei, error });
    }
  }
}
