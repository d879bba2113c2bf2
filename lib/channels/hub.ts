/**
 * Multi-hop payments through the LAN's aggregator hub with hash time-locks:
 *
 *   payer ──lock(h, amount, expiry E)──▶ hub ──lock(h, amount − fee, expiry E − hopBlocks)──▶ payee
 *   payee ──secret──▶ hub: the hub turns its lock into a payment to the payee (or the payee unlocks
 *                     on-chain with the secret if the hub stalls)
 *   hub ──secret──▶ payer: the payer turns its lock into a payment to the hub (or the hub unlocks
 *                     on-chain if the payer stalls: it has `hopBlocks` more blocks to do so)
 * The hub is paid only once the payee has revealed the secret; if the payee never does (or the hub
 * withholds it), every lock expires and the money stays with its sender.
 *
 * In this process the three parties are ChannelClients (tests, the benchmark, the devnet demo where
 * the app holds the dev keys). Across machines each arrow is one message carrying a ChannelUpdate
 * or ChannelAck; the checks are the same (ChannelClient.receive).
 */
import type { Hex } from "viem";
import { ChannelRejected, type ChannelClient } from "./client.ts";
import { hashlockOf, newSecret } from "./htlc.ts";

export interface HubPayment {
  hashlock: Hex;
  secret: Hex;
  amountWei: bigint;
  feeWei: bigint;
  /** Nonces of the final states: payer–hub and hub–payee channels. */
  payerNonce: bigint;
  payeeNonce: bigint;
}

export interface HubRouterOptions {
  /** The hub's fee per payment, kept from the forwarded amount (default 0). */
  feeWei?: bigint;
  /** Blocks between the payee's and the payer's lock expiry (default 20). */
  hopBlocks?: bigint;
}

/** The hub's side of routing: forwards locks and settles them as secrets come back. */
export class HubRouter {
  readonly hub: ChannelClient;
  readonly feeWei: bigint;
  readonly hopBlocks: bigint;

  constructor(hub: ChannelClient, options: HubRouterOptions = {}) {
    this.hub = hub;
    this.feeWei = options.feeWei ?? 0n;
    this.hopBlocks = options.hopBlocks ?? 20n;
  }

  /**
   * Pay `amountWei` from `payer` (over channel `payerChannelId` with the hub) to `payee` (over
   * `payeeChannelId` with the hub). `currentBlock` sets the lock expiries. The payee receives
   * `amountWei − feeWei`.
   * `withholdSecret`: test hook — the payee is paid but the hub never tells the payer (its lock
   * expires and the hub loses its forwarded amount: it only hurts the hub).
   */
  async route(params: {
    payer: ChannelClient;
    payee: ChannelClient;
    payerChannelId: bigint;
    payeeChannelId: bigint;
    amountWei: bigint;
    currentBlock: bigint;
    withholdSecret?: boolean;
  }): Promise<HubPayment> {
    const { payer, payee, payerChannelId, payeeChannelId, amountWei, currentBlock } = params;
    if (amountWei <= this.feeWei) throw new ChannelRejected(`amount ${amountWei} does not cover the hub fee ${this.feeWei}`);
    const forwardWei = amountWei - this.feeWei;

    // 1. The payee makes an invoice: a fresh secret only it knows.
    const secret = newSecret();
    const hashlock = hashlockOf(secret);
    payee.learnSecret(payeeChannelId, hashlock, secret);

    // 2. payer → hub: locked, longer expiry.
    const payerExpiry = currentBlock + 2n * this.hopBlocks;
    const u1 = await payer.lock(payerChannelId, amountWei, hashlock, payerExpiry);
    await payer.confirm(await this.hub.receive(u1, currentBlock));

    // 3. hub → payee: locked, shorter expiry (the hub keeps hopBlocks to claim from the payer).
    // (If the hub cannot forward, e.g. no capacity towards the payee, this throws and the payer's
    // lock simply expires.)
    const u2 = await this.hub.lock(payeeChannelId, forwardWei, hashlock, payerExpiry - this.hopBlocks);
    await this.hub.confirm(await payee.receive(u2, currentBlock));

    // 4. The payee reveals the secret to the hub, which pays the payee's lock off-chain.
    this.hub.learnSecret(payeeChannelId, hashlock, secret);
    const u3 = await this.hub.resolveLock(payeeChannelId, secret, hashlock);
    const ack3 = await payee.receive(u3, currentBlock);
    await this.hub.confirm(ack3);

    // 5. The hub reveals the secret to the payer, which pays the hub's lock off-chain.
    this.hub.learnSecret(payerChannelId, hashlock, secret);
    if (params.withholdSecret) {
      return { hashlock, secret, amountWei, feeWei: this.feeWei, payerNonce: u1.proof.nonce, payeeNonce: ack3.proof.nonce };
    }
    payer.learnSecret(payerChannelId, hashlock, secret);
    const u4 = await payer.resolveLock(payerChannelId, secret, hashlock);
    const ack4 = await this.hub.receive(u4, currentBlock);
    await payer.confirm(ack4);
    return { hashlock, secret, amountWei, feeWei: this.feeWei, payerNonce: ack4.proof.nonce, payeeNonce: ack3.proof.nonce };
  }
}
