/**
 * A household's side of the LAN hub service (protocol in ./hubProtocol.ts). Browser-safe: the app
 * runs it with the household's wallet as signer and localStorage as memory; tests run it against
 * HubService in-process.
 *
 * The household signs only what its ChannelClient accepts:
 *  - as payer it locks money only for payments it requested itself (kept in `memory`), with the
 *    amount it asked for, and turns the lock into a payment only once it holds the payee's secret;
 *  - as payee it creates the secret, and reveals it only together with its countersignature of
 *    the hub's lock — by then it holds a both-signed state it could unlock on-chain;
 *  - every incoming state passes ChannelClient.receive (only the hub's side moves, forward, within
 *    the hub's balance).
 * `step()` does whatever the hub's inbox asks for; the app calls it every second or two while
 * open. Runs under a lock (one step at a time; in the browser a Web Lock shared by the account's
 * tabs) and recovers an interrupted step from the hub's copy of the latest both-signed state.
 */
import { recoverAddress, type Address, type Hex } from "viem";
import { ChannelRejected, fromStoredProof, type ChannelClient, type CooperativeCloseMessage } from "./client.ts";
import { hashCooperativeClose } from "./eip712.ts";
import { hashlockOf, newSecret } from "./htlc.ts";
import {
  fromWireAck,
  fromWireUpdate,
  toWireAck,
  toWireUpdate,
  type CloseSignature,
  type HubChannelView,
  type HubInfo,
  type HubPaymentView,
  type HubTransport,
  type Inbox,
  type InboxItem,
} from "./hubProtocol.ts";
import { serialLock, type SerialLock } from "./serialLock.ts";

/** Where the household keeps its invoices and the payments it asked for (localStorage fits). */
export interface KeyValueMemory {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export class MemoryKeyValue implements KeyValueMemory {
  private readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

/** A payment this household asked the hub to route. */
export interface OutgoingPayment {
  id: string;
  payee: Address;
  amountWei: string;
  channelId: string;
  createdAt: number;
}

/** A secret this household created to be paid. */
export interface Invoice {
  paymentId: string;
  channelId: string;
  payer: Address;
  forwardWei: string;
  hashlock: Hex;
  secret: Hex;
  createdAt: number;
}

interface Memory {
  outgoing: Record<string, OutgoingPayment>;
  invoices: Record<string, Invoice>;
}

export type HouseholdEvent =
  | { type: "invoiced"; paymentId: string; payer: Address; amountWei: bigint }
  | { type: "locked"; paymentId: string; amountWei: bigint }
  | { type: "received"; channelId: bigint; amountWei: bigint; paymentId: string | null }
  | { type: "countersigned"; channelId: bigint; kind: string }
  | { type: "paid"; paymentId: string; amountWei: bigint; payee: Address }
  | { type: "restored"; channelId: bigint; nonce: bigint }
  | { type: "error"; message: string; error?: unknown; paymentId?: string };

export interface HouseholdHubOptions {
  client: ChannelClient;
  transport: HubTransport;
  /** The chain's current block (lock expiries are judged against it). */
  currentBlock: () => Promise<bigint>;
  memory: KeyValueMemory;
  /** Key prefix in `memory` (default "powerlan.hub."). */
  memoryKey?: string;
  /** Read deposits from the chain after joining (ChannelClient.sync; needs its publicClient). Default true. */
  syncFromChain?: boolean;
  /** Run `fn` exclusively (default: an in-process queue). The app passes a Web Lock per account. */
  lock?: SerialLock;
  now?: () => number;
}

const HISTORY_LIMIT = 50;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class HouseholdHub {
  readonly client: ChannelClient;
  readonly address: Address;
  private readonly transport: HubTransport;
  private readonly currentBlock: () => Promise<bigint>;
  private readonly memory: KeyValueMemory;
  private readonly memoryKey: string;
  private readonly lock: SerialLock;
  private readonly now: () => number;
  private readonly syncFromChain: boolean;
  private cachedInfo?: HubInfo;

  constructor(options: HouseholdHubOptions) {
    this.client = options.client;
    this.address = options.client.address;
    this.transport = options.transport;
    this.currentBlock = options.currentBlock;
    this.memory = options.memory;
    this.memoryKey = `${options.memoryKey ?? "powerlan.hub."}${options.client.domain.chainId}.${options.client.domain.verifyingContract.toLowerCase()}.${this.address.toLowerCase()}`;
    this.now = options.now ?? Date.now;
    this.syncFromChain = options.syncFromChain ?? true;
    this.lock = options.lock ?? serialLock();
  }

  // ----------------------------------------------------------------------------- memory

  private read(): Memory {
    const text = this.memory.getItem(this.memoryKey);
    if (!text) return { outgoing: {}, invoices: {} };
    try {
      const m = JSON.parse(text) as Partial<Memory>;
      return { outgoing: m.outgoing ?? {}, invoices: m.invoices ?? {} };
    } catch {
      return { outgoing: {}, invoices: {} };
    }
  }

  private write(change: (m: Memory) => void): void {
    const m = this.read();
    change(m);
    // Keep the newest entries only (by creation time).
    const trim = <T extends { createdAt: number }>(r: Record<string, T>) =>
      Object.fromEntries(Object.entries(r).sort(([, a], [, b]) => b.createdAt - a.createdAt).slice(0, HISTORY_LIMIT));
    this.memory.setItem(this.memoryKey, JSON.stringify({ outgoing: trim(m.outgoing), invoices: trim(m.invoices) }));
  }

  /** Payments this household asked for (newest first). */
  outgoing(): OutgoingPayment[] {
    return Object.values(this.read().outgoing).sort((a, b) => b.createdAt - a.createdAt);
  }

  // ----------------------------------------------------------------------------- hub

  async info(): Promise<HubInfo> {
    this.cachedInfo ??= await this.transport.query({ action: "info" });
    return this.cachedInfo;
  }

  /** Tell the hub about a channel this household opened with it; the hub adds its liquidity. */
  async join(channelId: bigint): Promise<HubChannelView> {
    return this.lock(async () => {
      const view = await this.transport.send({ action: "join", channelId: channelId.toString() });
      if (this.syncFromChain) await this.client.sync(channelId);
      else this.trackView(view);
      return view;
    });
  }

  private trackView(view: HubChannelView): void {
    this.client.track({
      channelId: BigInt(view.channelId),
      partyA: view.partyA,
      partyB: view.partyB,
      depositAWei: BigInt(view.depositAWei),
      depositBWei: BigInt(view.depositBWei),
      challengePeriodBlocks: BigInt(view.challengePeriodBlocks),
    });
  }

  /** The hub's view of my channels with it. */
  channels(): Promise<HubChannelView[]> {
    return this.transport.query({ action: "channels", account: this.address });
  }

  /**
   * Take over the hub's latest both-signed states where they are newer than mine (a lost or
   * interrupted copy); an unanswered proposal of mine that the hub never signed is dropped.
   */
  private async restore(views: HubChannelView[], events: HouseholdEvent[]): Promise<void> {
    for (const view of views) {
      const channelId = BigInt(view.channelId);
      if (!this.client.channels().some((r) => r.channelId === view.channelId)) continue;
      if (view.latest && (await this.client.adopt(channelId, view.latest))) {
        events.push({ type: "restored", channelId, nonce: BigInt(view.latest.proof.nonce) });
      }
      const r = this.client.record(channelId);
      if (r.proposed && BigInt(r.proposed.proof.nonce) > BigInt(view.nonce)) this.client.abandonProposal(channelId);
    }
  }

  /** Pay `amountWei` to another household through the hub (the steps run in `step()`). */
  async pay(payee: Address, amountWei: bigint): Promise<HubPaymentView> {
    if (amountWei <= 0n) throw new ChannelRejected("amount must be positive");
    return this.lock(async () => {
      const payment = await this.transport.send({ action: "request-payment", payer: this.address, payee, amountWei: amountWei.toString() });
      this.write((m) => {
        m.outgoing[payment.id] = { id: payment.id, payee, amountWei: amountWei.toString(), channelId: payment.payerChannelId, createdAt: this.now() };
      });
      return payment;
    });
  }

  /** Do whatever the hub's inbox asks for. Returns what happened and the hub's recent payments. */
  step(): Promise<{ events: HouseholdEvent[]; inbox: Inbox }> {
    return this.lock(async () => {
      const events: HouseholdEvent[] = [];
      // An interrupted earlier step may have left a proposal without its countersignature.
      if (this.client.channels().some((r) => r.proposed)) await this.restore(await this.channels(), events);
      let inbox = await this.transport.query({ action: "inbox", account: this.address });
      let acted = false;
      for (const item of inbox.items) {
        try {
          acted = (await this.handle(item, events)) || acted;
        } catch (error) {
          // A proposal left unanswered is settled by the next step (restore or abandon).
          events.push({
            type: "error",
            message: error instanceof Error ? error.message : String(error),
            error,
            paymentId: "payment" in item && item.payment ? item.payment.id : undefined,
          });
        }
      }
      if (acted) inbox = await this.transport.query({ action: "inbox", account: this.address });
      return { events, inbox };
    });
  }

  private tracks(channelId: string): boolean {
    return this.client.channels().some((r) => r.channelId === channelId);
  }

  private async handle(item: InboxItem, events: HouseholdEvent[]): Promise<boolean> {
    switch (item.type) {
      case "invoice-request": {
        const p = item.payment;
        if (!same(p.payee, this.address) || !this.tracks(p.payeeChannelId)) return false;
        const existing = Object.values(this.read().invoices).find((i) => i.paymentId === p.id);
        const secret = existing?.secret ?? newSecret();
        const hashlock = hashlockOf(secret);
        // Remember the secret BEFORE the hashlock leaves: a lost secret would lose the payment.
        this.client.learnSecret(BigInt(p.payeeChannelId), hashlock, secret);
        this.write((m) => {
          m.invoices[hashlock] = { paymentId: p.id, channelId: p.payeeChannelId, payer: p.payer, forwardWei: p.forwardWei, hashlock, secret, createdAt: this.now() };
        });
        await this.transport.send({ action: "invoice", paymentId: p.id, payee: this.address, hashlock });
        events.push({ type: "invoiced", paymentId: p.id, payer: p.payer, amountWei: BigInt(p.forwardWei) });
        return true;
      }
      case "lock-request": {
        const p = item.payment;
        const mine = this.read().outgoing[p.id];
        // Only payments I asked for, to whom and for how much I asked.
        if (!mine || !same(mine.payee, p.payee) || mine.amountWei !== p.amountWei || mine.channelId !== p.payerChannelId) return false;
        if (!p.hashlock || !p.payerExpiryBlock) return false;
        const block = await this.currentBlock();
        const info = await this.info();
        const expiry = BigInt(p.payerExpiryBlock);
        const hop = BigInt(info.hopBlocks);
        if (expiry <= block + 3n || expiry > block + 4n * hop) throw new ChannelRejected(`payment ${p.id}: lock expiry ${expiry} is not sensible at block ${block}`);
        const channelId = BigInt(p.payerChannelId);
        const update = await this.client.lock(channelId, BigInt(p.amountWei), p.hashlock, expiry);
        const answer = await this.transport.send({ action: "update", update: toWireUpdate(update), paymentId: p.id });
        await this.client.confirm(fromWireAck(answer.ack));
        events.push({ type: "locked", paymentId: p.id, amountWei: BigInt(p.amountWei) });
        return true;
      }
      case "update": {
        if (!this.tracks(item.channelId)) return false;
        const channelId = BigInt(item.channelId);
        const update = fromWireUpdate(item.update);
        const block = await this.currentBlock();
        const ack = await this.client.receive(update, block);
        events.push({ type: "countersigned", channelId, kind: update.kind });
        if (ack.receivedWei > 0n) events.push({ type: "received", channelId, amountWei: ack.receivedWei, paymentId: item.payment?.id ?? null });
        // A lock for one of my invoices: reveal the secret with the countersignature.
        const invoices = this.read().invoices;
        const invoice = update.kind === "lock" ? update.locks.map((l) => invoices[l.hashlock.toLowerCase()]).find(Boolean) : undefined;
        const paysEnough =
          invoice && update.locks.some((l) => same(l.hashlock, invoice.hashlock) && !same(l.sender, this.address) && l.amountWei >= BigInt(invoice.forwardWei));
        const answer = await this.transport.send({ action: "ack", ack: toWireAck(ack), secret: paysEnough ? invoice.secret : undefined, paymentId: item.payment?.id });
        if (answer.next) {
          const next = fromWireUpdate(answer.next);
          const ack2 = await this.client.receive(next, await this.currentBlock());
          events.push({ type: "countersigned", channelId, kind: next.kind });
          if (ack2.receivedWei > 0n) events.push({ type: "received", channelId, amountWei: ack2.receivedWei, paymentId: answer.payment?.id ?? null });
          await this.transport.send({ action: "ack", ack: toWireAck(ack2), paymentId: answer.payment?.id });
        }
        return true;
      }
      case "secret": {
        const p = item.payment;
        const mine = this.read().outgoing[p.id];
        if (!mine || !p.secret || !p.hashlock || hashlockOf(p.secret) !== p.hashlock) return false;
        const channelId = BigInt(p.payerChannelId);
        const pending = this.client.balances(channelId).pendingLocks.some((l) => l.hashlock === p.hashlock && same(l.sender, this.address));
        if (!pending) return false;
        // The secret is the payee's receipt: now the hub has earned the locked amount.
        this.client.learnSecret(channelId, p.hashlock, p.secret);
        const update = await this.client.resolveLock(channelId, p.secret, p.hashlock);
        const answer = await this.transport.send({ action: "update", update: toWireUpdate(update), paymentId: p.id });
        await this.client.confirm(fromWireAck(answer.ack));
        events.push({ type: "paid", paymentId: p.id, amountWei: BigInt(p.amountWei), payee: p.payee });
        return true;
      }
      default:
        return false;
    }
  }

  // ----------------------------------------------------------------------------- closing

  /**
   * The hub's signature for closing `channelId` cooperatively at my latest state, checked against
   * the payouts my own client computes. After this the hub signs no more updates of the channel.
   */
  async closeSignature(channelId: bigint): Promise<{ message: CooperativeCloseMessage; hubSignature: Hex }> {
    return this.lock(async () => {
      const r = this.client.record(channelId);
      if (r.proposed) throw new ChannelRejected(`channel ${channelId}: an update is still waiting for the hub; try again in a moment`);
      const message = this.client.cooperativePayouts(channelId);
      const nonce = this.client.latestProof(channelId).nonce;
      const answer: CloseSignature = await this.transport.send({ action: "close-signature", channelId: channelId.toString(), nonce: nonce.toString() });
      if (BigInt(answer.payoutAWei) !== message.payoutAWei || BigInt(answer.payoutBWei) !== message.payoutBWei) {
        throw new ChannelRejected(`channel ${channelId}: the hub's close payouts differ from this household's latest state`);
      }
      const hub = same(r.partyA, this.address) ? r.partyB : r.partyA;
      const digest = hashCooperativeClose(this.client.domain, message);
      const signer = await recoverAddress({ hash: digest, signature: answer.signature }).catch(() => undefined);
      if (!signer || !same(signer, hub)) throw new ChannelRejected(`channel ${channelId}: the close signature is not the hub's`);
      return { message, hubSignature: answer.signature };
    });
  }

  /** Tell the hub the channel is settled, so it withdraws its side. */
  async closed(channelId: bigint): Promise<bigint> {
    const answer = await this.transport.send({ action: "closed", channelId: channelId.toString() });
    return BigInt(answer.withdrawnWei);
  }

  /** The latest proof's nonce I hold for `channelId` (0 if none). */
  nonce(channelId: bigint): bigint {
    const r = this.client.record(channelId);
    return r.latest ? fromStoredProof(r.latest.proof).nonce : 0n;
  }
}
