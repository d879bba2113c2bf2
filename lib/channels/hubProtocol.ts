/**
 * The messages between a household and the LAN's hub service (lib/channels/hubService.ts), as they
 * travel over HTTP (app/channels/hub/route.ts) or in-process (tests). Browser-safe.
 *
 * Amounts and block numbers travel as decimal strings (JSON has no bigint); `toWire*`/`fromWire*`
 * convert. A hub payment A → hub → B, with the secret created by the PAYEE only:
 *
 *   A: request {payer A, payee B, amount}            → payment "requested"
 *   B (inbox: invoice-request): invoice {hashlock}   → payment "invoiced" (B keeps the secret)
 *   A (inbox: lock-request, only for payments A itself requested):
 *        update = lock(amount, hashlock, payerExpiry) → hub countersigns → payment "payer-locked",
 *        and the hub proposes lock(amount − fee, hashlock, payerExpiry − hopBlocks) to B
 *   B (inbox: update): countersigns the lock; its ack carries the secret → "payee-locked";
 *        the hub proposes resolve (pays B's lock) → B countersigns → "payee-paid"
 *   A (inbox: secret): update = resolve (pays A's lock to the hub) → hub countersigns → "completed"
 * Every update is a ChannelClient balance proof: each side checks it and signs nothing else.
 */
import type { Address, Hex } from "viem";
import {
  fromStoredLock,
  fromStoredProof,
  toStoredLock,
  toStoredProof,
  type ChannelAck,
  type ChannelUpdate,
  type StoredLock,
  type StoredProof,
  type UpdateKind,
} from "./client.ts";

export interface WireUpdate {
  chainId: number;
  contract: Address;
  kind: UpdateKind;
  proof: StoredProof;
  locks: StoredLock[];
  signature: Hex;
}

export interface WireAck {
  chainId: number;
  contract: Address;
  proof: StoredProof;
  signature: Hex;
}

export function toWireUpdate(u: ChannelUpdate): WireUpdate {
  return { chainId: u.chainId, contract: u.contract, kind: u.kind, proof: toStoredProof(u.proof), locks: u.locks.map(toStoredLock), signature: u.signature };
}

export function fromWireUpdate(u: WireUpdate): ChannelUpdate {
  return { chainId: u.chainId, contract: u.contract, kind: u.kind, proof: fromStoredProof(u.proof), locks: u.locks.map(fromStoredLock), signature: u.signature };
}

export function toWireAck(a: ChannelAck): WireAck {
  return { chainId: a.chainId, contract: a.contract, proof: toStoredProof(a.proof), signature: a.signature };
}

export function fromWireAck(a: WireAck): ChannelAck {
  return { chainId: a.chainId, contract: a.contract, proof: fromStoredProof(a.proof), signature: a.signature };
}

/** What the hub tells anyone who asks. */
export interface HubInfo {
  hub: Address;
  chainId: number;
  contract: Address;
  /** The hub's fee per payment, kept from the forwarded amount. */
  feeWei: string;
  /** Blocks between the payee's and the payer's lock expiry. */
  hopBlocks: string;
  /** Challenge period (blocks) the hub asks for when households open a channel with it. */
  challengePeriodBlocks: string;
  /** Most the hub deposits on its side of a new channel (its inbound liquidity for the household). */
  liquidityCapWei: string;
  /** Human-readable name, e.g. "Aggregator (LAN hub)". */
  name: string;
}

export type PaymentStatus =
  | "requested" // waiting for the payee's invoice (hashlock)
  | "invoiced" // waiting for the payer's lock
  | "payer-locked" // the payer's lock is countersigned; the hub's lock to the payee is proposed
  | "payee-locked" // the payee countersigned and revealed the secret; the hub's payment to the payee is proposed
  | "payee-paid" // the payee is paid off-chain; waiting for the payer to pay its lock
  | "completed"
  | "failed";

/** A hub payment as the hub reports it (no secret until the payee is paid). */
export interface HubPaymentView {
  id: string;
  payer: Address;
  payee: Address;
  payerChannelId: string;
  payeeChannelId: string;
  amountWei: string;
  /** What the payee receives: amount − fee. */
  forwardWei: string;
  feeWei: string;
  status: PaymentStatus;
  hashlock: Hex | null;
  payerExpiryBlock: string | null;
  payeeExpiryBlock: string | null;
  /** Revealed once the payee is paid (status payee-paid or completed). */
  secret: Hex | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Work the hub has for a household, derived from the hub's state each time it is asked. */
export type InboxItem =
  /** Make an invoice: create a secret, answer with its hashlock (payee). */
  | { type: "invoice-request"; payment: HubPaymentView }
  /** Lock the amount for the hub with this hashlock and expiry (payer; only if it asked for this payment). */
  | { type: "lock-request"; payment: HubPaymentView }
  /** The hub proposes a new state of our channel: check, countersign, answer with the ack. */
  | { type: "update"; channelId: string; update: WireUpdate; payment: HubPaymentView | null }
  /** The payee revealed the secret: turn the lock into a payment to the hub (payer). */
  | { type: "secret"; payment: HubPaymentView };

export interface Inbox {
  items: InboxItem[];
  /** Recent payments where the account is payer or payee, newest first. */
  payments: HubPaymentView[];
}

/** The hub's signature for a cooperative close at the latest both-signed state's payouts. */
export interface CloseSignature {
  channelId: string;
  nonce: string;
  payoutAWei: string;
  payoutBWei: string;
  signature: Hex;
}

/** A household channel as the hub sees it. */
export interface HubChannelView {
  channelId: string;
  partyA: Address;
  partyB: Address;
  depositAWei: string;
  depositBWei: string;
  challengePeriodBlocks: string;
  nonce: string;
  /** The latest both-signed state (so a household that lost its copy can restore it). */
  latest: { proof: StoredProof; locks: StoredLock[]; sigA: Hex; sigB: Hex } | null;
}

/** Requests a household sends to the hub (HTTP POST bodies, by `action`). */
export type HubRequest =
  | { action: "join"; channelId: string }
  | { action: "request-payment"; payer: Address; payee: Address; amountWei: string }
  | { action: "invoice"; paymentId: string; payee: Address; hashlock: Hex }
  | { action: "update"; update: WireUpdate; paymentId?: string }
  | { action: "ack"; ack: WireAck; secret?: Hex; paymentId?: string }
  | { action: "close-signature"; channelId: string; nonce: string }
  | { action: "closed"; channelId: string };

/** Reads households send (HTTP GET). */
export type HubQuery =
  | { action: "info" }
  | { action: "inbox"; account: Address }
  | { action: "payment"; id: string }
  | { action: "channels"; account: Address };

/** What each action answers. */
export interface HubResponses {
  info: HubInfo;
  inbox: Inbox;
  payment: HubPaymentView;
  channels: HubChannelView[];
  join: HubChannelView;
  "request-payment": HubPaymentView;
  invoice: HubPaymentView;
  /** The hub's countersignature; `payment` when the update belonged to one. */
  update: { ack: WireAck; payment: HubPaymentView | null };
  /** `next`: the hub's follow-up proposal (e.g. paying the payee's lock once the secret is known). */
  ack: { next: WireUpdate | null; payment: HubPaymentView | null };
  "close-signature": CloseSignature;
  closed: { withdrawnWei: string };
}

/** A refusal from the hub, in words (HTTP 4xx with `{ error, code }`). */
export class HubError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = "HubError";
    this.code = code;
    this.status = status;
  }
}

/** How a household reaches the hub: HTTP in the app, direct calls in tests. */
export interface HubTransport {
  query<A extends HubQuery["action"]>(query: Extract<HubQuery, { action: A }>): Promise<HubResponses[A]>;
  send<A extends HubRequest["action"]>(request: Extract<HubRequest, { action: A }>): Promise<HubResponses[A]>;
}

/** The hub over HTTP: GET `${baseUrl}?action=…&…`, POST `${baseUrl}` with a JSON body. */
export function httpHubTransport(baseUrl: string, fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args)): HubTransport {
  const parse = async (response: Response) => {
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      throw new HubError("hub-unreachable", `The hub answered HTTP ${response.status} with something that is not JSON.`, response.status);
    }
    if (!response.ok) {
      const e = body as { error?: string; code?: string } | null;
      throw new HubError(e?.code ?? "hub-error", e?.error ?? `The hub answered HTTP ${response.status}.`, response.status);
    }
    return body;
  };
  const call = async (run: () => Promise<Response>) => {
    let response: Response;
    try {
      response = await run();
    } catch (error) {
      throw new HubError("hub-unreachable", `The hub service does not answer (${error instanceof Error ? error.message : String(error)}).`, 0);
    }
    return parse(response);
  };
  return {
    async query(query) {
      const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
      return (await call(() => fetchImpl(`${baseUrl}?${params.toString()}`, { cache: "no-store" }))) as never;
    },
    async send(request) {
      return (await call(() =>
        fetchImpl(baseUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) }),
      )) as never;
    },
  };
}
