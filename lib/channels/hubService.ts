/**
 * The LAN hub as a service: the aggregator's side of every household's channel, routing payments
 * household → hub → household with hash time-locks (protocol in ./hubProtocol.ts). Households talk
 * to it with messages only (HTTP in the app: app/channels/hub/route.ts; direct calls in tests); the
 * hub signs only states its own ChannelClient accepts, and it is paid for a forwarded payment only
 * after the payee revealed the secret it alone created.
 *
 * Environment-agnostic: the chain is injected (`HubChain`; `viemHubChain` for a real node) and so is
 * the store (`JsonFileStore` in Node, `MemoryHubStore` in tests). Every call runs under one mutex,
 * so concurrent requests never interleave their updates of a channel. Restart-safe: channel states
 * live in the hub's ChannelClient store, payments and frozen channels in the hub store.
 *
 * Hub policy: it joins channels households open with it (challenge period ≥ its own), deposits up
 * to `liquidityCapWei` on its side once (its inbound liquidity for the household), routes one
 * payment per channel at a time, and after signing a cooperative close it freezes the channel (no
 * more updates: the close signature is over payouts, not over a nonce).
 */
import {
  erc20Abi,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { paymentChannelsAbi } from "../contracts/abis.ts";
import { CHANNEL_STATUS, ChannelRejected, MemoryRevStore, revIsNewer, type ChannelClient, type ChannelRecord, type RevStore } from "./client.ts";
import { hashlockOf } from "./htlc.ts";
import {
  fromWireAck,
  fromWireUpdate,
  HubError,
  toWireAck,
  toWireUpdate,
  type CloseSignature,
  type HubChannelView,
  type HubInfo,
  type HubPaymentView,
  type HubQuery,
  type HubRequest,
  type HubResponses,
  type HubTransport,
  type Inbox,
  type InboxItem,
  type PaymentStatus,
  type WireUpdate,
} from "./hubProtocol.ts";
import { serialLock, type SerialLock } from "./serialLock.ts";

export interface OnChainChannel {
  partyA: Address;
  partyB: Address;
  balanceAWei: bigint;
  balanceBWei: bigint;
  status: number;
  challengePeriodBlocks: bigint;
}

/** What the hub needs from the chain. */
export interface HubChain {
  blockNumber(): Promise<bigint>;
  getChannel(channelId: bigint): Promise<OnChainChannel>;
  /** Deposit on the hub's side (approving the token first if needed). */
  deposit(channelId: bigint, amountWei: bigint): Promise<void>;
  /** Withdraw the hub's payout of a settled channel; returns the amount (0 if nothing was left). */
  withdraw(channelId: bigint): Promise<bigint>;
}

/** A stored payment: the view's fields plus the store's kind and revision (the secret stays private until the payee is paid; `view` hides it). */
export interface PaymentRecord extends HubPaymentView {
  kind: "payment";
  rev: number;
}

/** A channel the hub signed a cooperative close for: no more updates. */
export interface FrozenRecord {
  kind: "frozen";
  rev: number;
  channelId: string;
  payoutAWei: string;
  payoutBWei: string;
}

export type HubEntry = PaymentRecord | FrozenRecord;

/** Where the hub keeps payments and frozen channels (JsonFileStore<HubEntry> fits). */
export type HubStore = RevStore<HubEntry>;

export class MemoryHubStore extends MemoryRevStore<HubEntry> {}

/** `isNewer` for JsonFileStore<HubEntry>. */
export const hubEntryIsNewer: (candidate: HubEntry, current: HubEntry) => boolean = revIsNewer;

export interface HubServiceOptions {
  /** The hub's ChannelClient (its signer is the hub account). */
  client: ChannelClient;
  chain: HubChain;
  store: HubStore;
  name?: string;
  feeWei?: bigint;
  /** Blocks between the payee's and the payer's lock expiry (default 20). */
  hopBlocks?: bigint;
  /** Challenge period the hub asks for, and the least it accepts (default 40 blocks). */
  challengePeriodBlocks?: bigint;
  /** Most the hub deposits on its side of a new channel (default 100 PLC). */
  liquidityCapWei?: bigint;
  /** A payee must invoice, and the payer lock, within this long (default 60 s). */
  answerTimeoutMs?: number;
  now?: () => number;
}

const ACTIVE: readonly PaymentStatus[] = ["requested", "invoiced", "payer-locked", "payee-locked", "payee-paid"];
const RECENT_PAYMENTS = 20;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function parseAmount(text: string, what: string): bigint {
  if (!/^\d{1,78}$/.test(text)) throw new HubError("bad-request", `${what} must be a whole number of token base units.`);
  return BigInt(text);
}

export class HubService {
  readonly client: ChannelClient;
  readonly address: Address;
  private readonly chain: HubChain;
  private readonly store: HubStore;
  private readonly name: string;
  private readonly feeWei: bigint;
  private readonly hopBlocks: bigint;
  private readonly challengePeriodBlocks: bigint;
  private readonly liquidityCapWei: bigint;
  private readonly answerTimeoutMs: number;
  private readonly now: () => number;

  constructor(options: HubServiceOptions) {
    this.client = options.client;
    this.address = options.client.address;
    this.chain = options.chain;
    this.store = options.store;
    this.name = options.name ?? "LAN hub";
    this.feeWei = options.feeWei ?? 0n;
    this.hopBlocks = options.hopBlocks ?? 20n;
    this.challengePeriodBlocks = options.challengePeriodBlocks ?? 40n;
    this.liquidityCapWei = options.liquidityCapWei ?? 100_000_000n;
    this.answerTimeoutMs = options.answerTimeoutMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Run `fn` after every earlier call finished (one request at a time). */
  private readonly exclusive: SerialLock = serialLock();

  /** Answer a read. */
  query<A extends HubQuery["action"]>(query: Extract<HubQuery, { action: A }>): Promise<HubResponses[A]> {
    const q = query as HubQuery;
    return this.exclusive(async () => {
      switch (q.action) {
        case "info":
          return this.info();
        case "inbox":
          return this.inbox(checkAddress(q.account));
        case "payment":
          this.expireStale();
          return this.view(this.payment(String(q.id)));
        case "channels":
          return this.channelsOf(checkAddress(q.account));
        default:
          throw new HubError("bad-request", `Unknown query ${(q as { action: string }).action}.`);
      }
    }) as Promise<HubResponses[A]>;
  }

  /** Handle a request. ChannelRejected (a state the hub will not sign) becomes a HubError. */
  send<A extends HubRequest["action"]>(request: Extract<HubRequest, { action: A }>): Promise<HubResponses[A]> {
    const r = request as HubRequest;
    return this.exclusive(async () => {
      try {
        switch (r.action) {
          case "join":
            return await this.join(parseAmount(r.channelId, "channelId"));
          case "request-payment":
            return await this.requestPayment(checkAddress(r.payer), checkAddress(r.payee), parseAmount(r.amountWei, "amountWei"));
          case "invoice":
            return await this.invoice(String(r.paymentId), checkAddress(r.payee), checkHex32(r.hashlock));
          case "update":
            return await this.receiveUpdate(r.update);
          case "ack":
            return await this.receiveAck(r);
          case "close-signature":
            return await this.closeSignature(parseAmount(r.channelId, "channelId"), parseAmount(r.nonce, "nonce"));
          case "closed":
            return await this.closed(parseAmount(r.channelId, "channelId"));
          default:
            throw new HubError("bad-request", `Unknown action ${(r as { action: string }).action}.`);
        }
      } catch (error) {
        if (error instanceof ChannelRejected) throw new HubError("update-rejected", `The hub refused the update: ${error.message}.`);
        throw error;
      }
    }) as Promise<HubResponses[A]>;
  }

  /** This service as a HubTransport with a JSON round trip (tests: same bytes as over HTTP). */
  transport(): HubTransport {
    const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
    return {
      query: async (query) => roundTrip(await this.query(roundTrip(query))),
      send: async (request) => roundTrip(await this.send(roundTrip(request))),
    };
  }

  info(): HubInfo {
    return {
      hub: this.address,
      chainId: this.client.domain.chainId,
      contract: this.client.domain.verifyingContract,
      feeWei: this.feeWei.toString(),
      hopBlocks: this.hopBlocks.toString(),
      challengePeriodBlocks: this.challengePeriodBlocks.toString(),
      liquidityCapWei: this.liquidityCapWei.toString(),
      name: this.name,
    };
  }

  // ------------------------------------------------------------------------------- channels

  private counterpartyOf(r: ChannelRecord): Address {
    return same(r.partyA, this.address) ? r.partyB : r.partyA;
  }

  private channelView(r: ChannelRecord): HubChannelView {
    return {
      channelId: r.channelId,
      partyA: r.partyA,
      partyB: r.partyB,
      depositAWei: r.depositAWei,
      depositBWei: r.depositBWei,
      challengePeriodBlocks: r.challengePeriodBlocks,
      nonce: r.latest?.proof.nonce ?? "0",
      latest: r.latest,
    };
  }

  private channelsOf(account: Address): HubChannelView[] {
    return this.client
      .channels()
      .filter((r) => same(this.counterpartyOf(r), account))
      .sort((a, b) => Number(BigInt(a.channelId) - BigInt(b.channelId)))
      .map((r) => this.channelView(r));
  }

  private tracked(channelId: bigint): ChannelRecord {
    const r = this.client.channels().find((c) => c.channelId === channelId.toString());
    if (!r) throw new HubError("unknown-channel", `The hub has not joined channel #${channelId}: open it with the hub, then join.`, 404);
    return r;
  }

  private frozen(channelId: bigint | string): FrozenRecord | undefined {
    const entry = this.store.get(`frozen:${channelId.toString()}`);
    return entry?.kind === "frozen" ? entry : undefined;
  }

  /** Start serving a channel a household opened with the hub; add the hub's liquidity once. */
  private async join(channelId: bigint): Promise<HubChannelView> {
    const c = await this.chain.getChannel(channelId);
    if (c.status === CHANNEL_STATUS.None) throw new HubError("unknown-channel", `Channel #${channelId} does not exist.`, 404);
    if (!same(c.partyA, this.address) && !same(c.partyB, this.address)) {
      throw new HubError("not-hub-channel", `Channel #${channelId} is not a channel with the hub (${short(this.address)}).`);
    }
    if (c.status !== CHANNEL_STATUS.Open) throw new HubError("channel-not-open", `Channel #${channelId} is not open any more.`);
    if (c.challengePeriodBlocks < this.challengePeriodBlocks) {
      throw new HubError(
        "challenge-too-short",
        `Channel #${channelId} has a challenge period of ${c.challengePeriodBlocks} blocks; the hub needs at least ${this.challengePeriodBlocks} to answer a stale close in time.`,
      );
    }
    const hubIsA = same(c.partyA, this.address);
    const track = (x: OnChainChannel) =>
      this.client.track({
        channelId,
        partyA: x.partyA,
        partyB: x.partyB,
        depositAWei: x.balanceAWei,
        depositBWei: x.balanceBWei,
        challengePeriodBlocks: x.challengePeriodBlocks,
      });
    track(c);
    const hubDeposit = hubIsA ? c.balanceAWei : c.balanceBWei;
    const theirDeposit = hubIsA ? c.balanceBWei : c.balanceAWei;
    if (hubDeposit === 0n && theirDeposit > 0n && this.liquidityCapWei > 0n) {
      const amount = theirDeposit < this.liquidityCapWei ? theirDeposit : this.liquidityCapWei;
      await this.chain.deposit(channelId, amount);
      track(await this.chain.getChannel(channelId));
    }
    return this.channelView(this.tracked(channelId));
  }

  /** Re-read deposits of a tracked channel (a household topped up). */
  private async refresh(r: ChannelRecord): Promise<OnChainChannel> {
    const c = await this.chain.getChannel(BigInt(r.channelId));
    if (c.status === CHANNEL_STATUS.Open && (c.balanceAWei.toString() !== r.depositAWei || c.balanceBWei.toString() !== r.depositBWei)) {
      this.client.track({
        channelId: BigInt(r.channelId),
        partyA: c.partyA,
        partyB: c.partyB,
        depositAWei: c.balanceAWei,
        depositBWei: c.balanceBWei,
        challengePeriodBlocks: c.challengePeriodBlocks,
      });
    }
    return c;
  }

  /** The household's open, joined, unfrozen channel with the hub (the newest if several). */
  private async openChannelWith(account: Address, role: "payer" | "payee"): Promise<ChannelRecord> {
    const candidates = this.client
      .channels()
      .filter((r) => same(this.counterpartyOf(r), account) && !this.frozen(r.channelId))
      .sort((a, b) => Number(BigInt(b.channelId) - BigInt(a.channelId)));
    for (const r of candidates) {
      const c = await this.refresh(r);
      if (c.status === CHANNEL_STATUS.Open) return this.tracked(BigInt(r.channelId));
    }
    throw new HubError(
      role === "payer" ? "payer-no-channel" : "payee-no-channel",
      `${short(account)} has no open channel with the hub${role === "payee" ? ", so the hub cannot pay it" : ""}.`,
    );
  }

  // ------------------------------------------------------------------------------- payments

  private payment(id: string): PaymentRecord {
    const entry = this.store.get(`payment:${id}`);
    if (entry?.kind !== "payment") throw new HubError("unknown-payment", `No payment ${id}.`, 404);
    return entry;
  }

  private savePayment(p: PaymentRecord, change: Partial<PaymentRecord>): PaymentRecord {
    const next: PaymentRecord = { ...p, ...change, rev: p.rev + 1, updatedAt: this.now() };
    this.store.put(`payment:${p.id}`, next);
    return next;
  }

  private view(p: PaymentRecord): HubPaymentView {
    const revealed = p.status === "payee-paid" || p.status === "completed";
    const { kind: _kind, rev: _rev, ...view } = p;
    return { ...view, secret: revealed ? p.secret : null };
  }

  private payments(): PaymentRecord[] {
    return this.store.values().filter((e): e is PaymentRecord => e.kind === "payment");
  }

  private activePaymentOn(channelId: string): PaymentRecord | undefined {
    return this.payments().find((p) => ACTIVE.includes(p.status) && (p.payerChannelId === channelId || p.payeeChannelId === channelId));
  }

  /** Payments nobody answered in time fail (nothing was signed for them yet). */
  private expireStale(): void {
    const now = this.now();
    for (const p of this.payments()) {
      if ((p.status === "requested" || p.status === "invoiced") && now - p.updatedAt > this.answerTimeoutMs) {
        this.savePayment(p, {
          status: "failed",
          error:
            p.status === "requested"
              ? `The payee did not answer within ${Math.round(this.answerTimeoutMs / 1000)} s (it must have PowerLAN open to receive).`
              : `The payer did not lock the amount within ${Math.round(this.answerTimeoutMs / 1000)} s.`,
        });
      }
    }
  }

  private async requestPayment(payer: Address, payee: Address, amountWei: bigint): Promise<HubPaymentView> {
    if (same(payer, payee)) throw new HubError("same-party", "Payer and payee are the same account.");
    if (amountWei <= this.feeWei) throw new HubError("amount-too-small", `The amount must be more than the hub's fee of ${this.feeWei} base units.`);
    this.expireStale();
    const payerChannel = await this.openChannelWith(payer, "payer");
    const payeeChannel = await this.openChannelWith(payee, "payee");
    for (const r of [payerChannel, payeeChannel]) {
      if (this.activePaymentOn(r.channelId) || r.proposed) {
        throw new HubError("channel-busy", `Another payment through channel #${r.channelId} is still in progress; try again in a moment.`, 409);
      }
    }
    const forwardWei = amountWei - this.feeWei;
    const payerBalances = this.client.balances(BigInt(payerChannel.channelId));
    if (payerBalances.receivableWei < amountWei) {
      throw new HubError("payer-insufficient", `The payer can pay at most ${payerBalances.receivableWei} base units through its channel #${payerChannel.channelId}.`);
    }
    const payeeBalances = this.client.balances(BigInt(payeeChannel.channelId));
    if (payeeBalances.spendableWei < forwardWei) {
      throw new HubError(
        "hub-no-capacity",
        `The hub can forward at most ${payeeBalances.spendableWei} base units to ${short(payee)} right now (its side of channel #${payeeChannel.channelId}).`,
      );
    }
    const now = this.now();
    const record: PaymentRecord = {
      kind: "payment",
      rev: 0,
      id: randomId(),
      payer,
      payee,
      payerChannelId: payerChannel.channelId,
      payeeChannelId: payeeChannel.channelId,
      amountWei: amountWei.toString(),
      forwardWei: forwardWei.toString(),
      feeWei: this.feeWei.toString(),
      status: "requested",
      hashlock: null,
      payerExpiryBlock: null,
      payeeExpiryBlock: null,
      secret: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    this.store.put(`payment:${record.id}`, record);
    return this.view(record);
  }

  private async invoice(paymentId: string, payee: Address, hashlock: Hex): Promise<HubPaymentView> {
    this.expireStale();
    const p = this.payment(paymentId);
    if (!same(p.payee, payee)) throw new HubError("not-payee", `Payment ${paymentId} is not addressed to ${short(payee)}.`, 403);
    if (p.status !== "requested") throw new HubError("wrong-status", `Payment ${paymentId} is ${p.status}, not waiting for an invoice.`, 409);
    if (this.payments().some((q) => q.hashlock === hashlock)) throw new HubError("hashlock-reused", "This hashlock was used before: make a fresh secret.");
    const block = await this.chain.blockNumber();
    const payerExpiry = block + 2n * this.hopBlocks;
    return this.view(
      this.savePayment(p, {
        status: "invoiced",
        hashlock,
        payerExpiryBlock: payerExpiry.toString(),
        payeeExpiryBlock: (payerExpiry - this.hopBlocks).toString(),
      }),
    );
  }

  private refuseIfFrozen(channelId: bigint): void {
    if (this.frozen(channelId)) {
      throw new HubError("channel-frozen", `Channel #${channelId} is being closed cooperatively: the hub signs no more updates for it.`, 409);
    }
  }

  private async receiveUpdate(wire: WireUpdate): Promise<HubResponses["update"]> {
    const update = fromWireUpdate(wire);
    const channelId = update.proof.channelId;
    const r = this.tracked(channelId);
    this.refuseIfFrozen(channelId);
    await this.refresh(r);
    const block = await this.chain.blockNumber();
    let payment: PaymentRecord | undefined;
    if (update.kind === "lock") {
      const counterparty = this.counterpartyOf(r);
      const known = new Set((r.latest?.locks ?? []).map((l) => l.hashlock));
      const added = update.locks.filter((l) => !known.has(l.hashlock));
      payment = this.payments().find(
        (p) => p.status === "invoiced" && p.payerChannelId === channelId.toString() && added.some((l) => l.hashlock === p.hashlock),
      );
      if (!payment || added.length !== 1) {
        throw new HubError("unexpected-lock", "The hub accepts a lock only for a payment it is routing (request the payment first).");
      }
      const lock = added[0];
      if (!same(lock.sender, counterparty) || lock.amountWei !== BigInt(payment.amountWei) || lock.expiryBlock !== BigInt(payment.payerExpiryBlock!)) {
        throw new HubError("lock-mismatch", `The lock does not match payment ${payment.id} (amount ${payment.amountWei}, expiry block ${payment.payerExpiryBlock}).`);
      }
    }
    if (update.kind === "resolve") {
      payment = this.payments().find(
        (p) => p.status === "payee-paid" && p.payerChannelId === channelId.toString() && !update.locks.some((l) => l.hashlock === p.hashlock),
      );
    }
    const ack = await this.client.receive(update, block);
    if (payment && update.kind === "resolve") {
      payment = this.savePayment(payment, { status: "completed" });
    } else if (payment && update.kind === "lock") {
      payment = this.savePayment(payment, { status: "payer-locked" });
      // Forward: the hub's own lock towards the payee, with the shorter expiry.
      try {
        await this.client.lock(BigInt(payment.payeeChannelId), BigInt(payment.forwardWei), payment.hashlock!, BigInt(payment.payeeExpiryBlock!));
      } catch (error) {
        payment = this.savePayment(payment, {
          status: "failed",
          error: `The hub could not forward the payment (${error instanceof Error ? error.message : String(error)}); the payer's lock expires at block ${payment.payerExpiryBlock} and the amount returns to it.`,
        });
      }
    }
    return { ack: toWireAck(ack), payment: payment ? this.view(payment) : null };
  }

  private async receiveAck(request: Extract<HubRequest, { action: "ack" }>): Promise<HubResponses["ack"]> {
    const ack = fromWireAck(request.ack);
    const channelId = ack.proof.channelId.toString();
    const r = this.tracked(ack.proof.channelId);
    const proposedKind = r.proposed ? r.history[r.history.length - 1]?.kind : undefined;
    await this.client.confirm(ack);
    let payment = this.payments().find((p) => p.payeeChannelId === channelId && (p.status === "payer-locked" || p.status === "payee-locked"));
    if (!payment) return { next: null, payment: null };
    if (payment.status === "payee-locked" && proposedKind === "resolve") {
      payment = this.savePayment(payment, { status: "payee-paid" });
      return { next: null, payment: this.view(payment) };
    }
    if (payment.status === "payer-locked" && proposedKind === "lock") {
      const secret = request.secret;
      if (!secret) return { next: null, payment: this.view(payment) };
      if (hashlockOf(checkHex32(secret)) !== payment.hashlock) throw new HubError("wrong-secret", "The secret does not match the payment's hashlock.");
      const hashlock = payment.hashlock;
      this.client.learnSecret(BigInt(payment.payeeChannelId), hashlock, secret);
      this.client.learnSecret(BigInt(payment.payerChannelId), hashlock, secret);
      payment = this.savePayment(payment, { secret });
      const next = await this.client.resolveLock(BigInt(payment.payeeChannelId), secret, hashlock);
      payment = this.savePayment(payment, { status: "payee-locked" });
      return { next: toWireUpdate(next), payment: this.view(payment) };
    }
    return { next: null, payment: this.view(payment) };
  }

  private async closeSignature(channelId: bigint, nonce: bigint): Promise<CloseSignature> {
    const r = this.tracked(channelId);
    const c = await this.refresh(r);
    if (c.status !== CHANNEL_STATUS.Open) throw new HubError("channel-not-open", `Channel #${channelId} is not open.`);
    const active = this.activePaymentOn(channelId.toString());
    if (active || r.proposed) throw new HubError("channel-busy", `A payment through channel #${channelId} is still in progress.`, 409);
    const latest = this.client.latestProof(channelId);
    if (latest.nonce !== nonce) {
      throw new HubError("state-mismatch", `The hub's latest state of channel #${channelId} is number ${latest.nonce}, yours is ${nonce}: reload to restore it.`, 409);
    }
    const { message, signature } = await this.client.signCooperativeClose(channelId);
    const existing = this.frozen(channelId);
    this.store.put(`frozen:${channelId}`, {
      kind: "frozen",
      rev: (existing?.rev ?? -1) + 1,
      channelId: channelId.toString(),
      payoutAWei: message.payoutAWei.toString(),
      payoutBWei: message.payoutBWei.toString(),
    });
    return {
      channelId: channelId.toString(),
      nonce: nonce.toString(),
      payoutAWei: message.payoutAWei.toString(),
      payoutBWei: message.payoutBWei.toString(),
      signature,
    };
  }

  /** A household closed the channel: withdraw the hub's payout (pull payment). */
  private async closed(channelId: bigint): Promise<{ withdrawnWei: string }> {
    this.tracked(channelId);
    const c = await this.chain.getChannel(channelId);
    if (c.status !== CHANNEL_STATUS.Settled) throw new HubError("not-settled", `Channel #${channelId} is not settled yet.`, 409);
    const withdrawn = await this.chain.withdraw(channelId);
    return { withdrawnWei: withdrawn.toString() };
  }

  // ------------------------------------------------------------------------------- inbox

  private inbox(account: Address): Inbox {
    this.expireStale();
    const items: InboxItem[] = [];
    const mine = this.payments().filter((p) => same(p.payer, account) || same(p.payee, account));
    for (const p of mine) {
      if (p.status === "requested" && same(p.payee, account)) items.push({ type: "invoice-request", payment: this.view(p) });
      if (p.status === "invoiced" && same(p.payer, account)) items.push({ type: "lock-request", payment: this.view(p) });
      if (p.status === "payee-paid" && same(p.payer, account)) items.push({ type: "secret", payment: this.view(p) });
    }
    for (const r of this.client.channels()) {
      if (!r.proposed || !same(this.counterpartyOf(r), account)) continue;
      const last = r.history[r.history.length - 1];
      const update = {
        chainId: r.chainId,
        contract: r.contract,
        kind: last?.kind ?? "pay",
        proof: r.proposed.proof,
        locks: r.proposed.locks,
        signature: r.proposed.sig,
      } satisfies WireUpdate;
      const p = mine.find((q) => q.payeeChannelId === r.channelId && (q.status === "payer-locked" || q.status === "payee-locked"));
      items.push({ type: "update", channelId: r.channelId, update, payment: p ? this.view(p) : null });
    }
    const payments = mine
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, RECENT_PAYMENTS)
      .map((p) => this.view(p));
    return { items, payments };
  }
}

function checkAddress(value: unknown): Address {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) throw new HubError("bad-request", "An account address (0x + 40 hex digits) is required.");
  return value as Address;
}

function checkHex32(value: unknown): Hex {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) throw new HubError("bad-request", "A 32-byte hex value is required.");
  return value.toLowerCase() as Hex;
}

// ------------------------------------------------------------------------------- a real chain

/** HubChain over viem clients (the hub's account must be able to sign: a local key account). */
export function viemHubChain(options: {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  contract: Address;
}): HubChain {
  const { publicClient, walletClient, contract } = options;
  const account = walletClient.account;
  const send = async (request: Parameters<typeof walletClient.writeContract>[0]) => {
    const hash = await walletClient.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 100 });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };
  return {
    blockNumber: () => publicClient.getBlockNumber({ cacheTime: 0 }),
    async getChannel(channelId) {
      const c = await publicClient.readContract({ address: contract, abi: paymentChannelsAbi, functionName: "getChannel", args: [channelId] });
      return {
        partyA: c.partyA,
        partyB: c.partyB,
        balanceAWei: c.balanceAWei,
        balanceBWei: c.balanceBWei,
        status: Number(c.status),
        challengePeriodBlocks: BigInt(c.challengePeriodBlocks),
      };
    },
    async deposit(channelId, amountWei) {
      const token = await publicClient.readContract({ address: contract, abi: paymentChannelsAbi, functionName: "token" });
      const allowance = await publicClient.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [account.address, contract] });
      if (allowance < amountWei) {
        await send({ address: token, abi: erc20Abi, functionName: "approve", args: [contract, amountWei], account, chain: walletClient.chain });
      }
      const { request } = await publicClient.simulateContract({
        address: contract,
        abi: paymentChannelsAbi,
        functionName: "deposit",
        args: [channelId, amountWei],
        account,
      });
      await send(request as never);
    },
    async withdraw(channelId) {
      const c = await publicClient.readContract({ address: contract, abi: paymentChannelsAbi, functionName: "getChannel", args: [channelId] });
      const mineWei = same(c.partyA, account.address) ? c.balanceAWei : c.balanceBWei;
      if (mineWei === 0n) return 0n;
      const { request } = await publicClient.simulateContract({
        address: contract,
        abi: paymentChannelsAbi,
        functionName: "withdraw",
        args: [channelId],
        account,
      });
      const receipt = await send(request as never);
      const [event] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "ChannelWithdrawn", logs: receipt.logs });
      return event?.args.amountWei ?? 0n;
    },
  };
}
