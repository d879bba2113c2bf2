/**
 * The hub service and the household side, talking through messages only (JSON round trip, as over
 * HTTP): HubService (lib/channels/hubService.ts) + HouseholdHub (lib/channels/householdHub.ts) over
 * a fake chain. The real chain and the browser are covered by test/e2e/channels.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { CHANNEL_STATUS, ChannelClient, MemoryChannelStore, privateKeySigner } from "../../lib/channels/client.ts";
import { hashlockOf, newSecret } from "../../lib/channels/htlc.ts";
import { HouseholdHub, MemoryKeyValue } from "../../lib/channels/householdHub.ts";
import { HubError, toWireUpdate, type HubTransport } from "../../lib/channels/hubProtocol.ts";
import { HubService, MemoryHubStore, type HubChain, type OnChainChannel } from "../../lib/channels/hubService.ts";

// Hardhat's PUBLIC dev keys (never use them anywhere but a local devnet).
const KEYS = {
  alice: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  bob: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  hub: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  carol: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
} as const satisfies Record<string, Hex>;
const CHAIN_ID = 31337;
const CONTRACT: Address = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const PLC = 1_000_000n;

/** PaymentChannels in memory: enough for the hub (deposits, status, withdraw). */
class FakeChain implements HubChain {
  block = 100n;
  readonly channels = new Map<bigint, OnChainChannel>();
  readonly deposits: { channelId: bigint; amountWei: bigint }[] = [];
  readonly withdrawals: { channelId: bigint; amountWei: bigint }[] = [];
  constructor(readonly hub: Address) {}
  async blockNumber() {
    return this.block;
  }
  async getChannel(channelId: bigint): Promise<OnChainChannel> {
    const c = this.channels.get(channelId);
    return c ? { ...c } : { partyA: CONTRACT, partyB: CONTRACT, balanceAWei: 0n, balanceBWei: 0n, status: CHANNEL_STATUS.None, challengePeriodBlocks: 0n };
  }
  async deposit(channelId: bigint, amountWei: bigint) {
    const c = this.channels.get(channelId)!;
    if (c.partyB === this.hub) c.balanceBWei += amountWei;
    else c.balanceAWei += amountWei;
    this.deposits.push({ channelId, amountWei });
  }
  async withdraw(channelId: bigint) {
    const c = this.channels.get(channelId)!;
    const amountWei = c.partyB === this.hub ? c.balanceBWei : c.balanceAWei;
    if (c.partyB === this.hub) c.balanceBWei = 0n;
    else c.balanceAWei = 0n;
    this.withdrawals.push({ channelId, amountWei });
    return amountWei;
  }
  open(household: Address, depositWei: bigint, challengePeriodBlocks = 40n): bigint {
    const id = BigInt(this.channels.size + 1);
    this.channels.set(id, { partyA: household, partyB: this.hub, balanceAWei: depositWei, balanceBWei: 0n, status: CHANNEL_STATUS.Open, challengePeriodBlocks });
    return id;
  }
}

function clientOf(key: Hex) {
  return new ChannelClient({ signer: privateKeySigner(key), chainId: CHAIN_ID, contract: CONTRACT, store: new MemoryChannelStore() });
}

/** The hub (cap 20 PLC of liquidity per channel), and households on its transport. */
function setup(options: { answerTimeoutMs?: number } = {}) {
  let now = 1_000_000;
  const hubClient = clientOf(KEYS.hub);
  const chain = new FakeChain(hubClient.address);
  const service = new HubService({
    client: hubClient,
    chain,
    store: new MemoryHubStore(),
    name: "Aggregator",
    liquidityCapWei: 20n * PLC,
    hopBlocks: 20n,
    challengePeriodBlocks: 40n,
    answerTimeoutMs: options.answerTimeoutMs ?? 60_000,
    now: () => now,
  });
  const household = (key: Hex, transport: HubTransport = service.transport()) =>
    new HouseholdHub({
      client: clientOf(key),
      transport,
      currentBlock: async () => chain.block,
      memory: new MemoryKeyValue(),
      syncFromChain: false,
      now: () => now,
    });
  /** Open on the fake chain, then join (the household tracks the hub's view). */
  const openAndJoin = async (h: HouseholdHub, depositWei: bigint) => {
    const id = chain.open(h.address, depositWei);
    await h.join(id);
    return id;
  };
  return { service, chain, hubClient, household, openAndJoin, advance: (ms: number) => (now += ms) };
}

/** Run both households' steps until nothing is left to do (at most `rounds`). */
async function settleAll(households: HouseholdHub[], rounds = 8) {
  const events = [];
  for (let i = 0; i < rounds; i++) {
    let acted = false;
    for (const h of households) {
      const r = await h.step();
      events.push(...r.events.map((e) => ({ who: h.address, ...e })));
      acted = acted || r.events.length > 0;
    }
    if (!acted) break;
  }
  return events;
}

async function expectHubError(promise: Promise<unknown>, code: string, message?: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  expect((error as HubError).code).toBe(code);
  if (message) expect((error as HubError).message).toMatch(message);
}

describe("hub service: households pay each other through the hub", () => {
  it("joins with liquidity, routes A → hub → B with hash locks, and both sides agree on every balance", async () => {
    const { service, chain, hubClient, household, openAndJoin } = setup();
    const alice = household(KEYS.alice);
    const bob = household(KEYS.bob);
    const a = await openAndJoin(alice, 50n * PLC);
    const b = await openAndJoin(bob, 5n * PLC);
    // The hub matches each deposit up to its 20 PLC cap.
    expect(chain.deposits).toEqual([
      { channelId: a, amountWei: 20n * PLC },
      { channelId: b, amountWei: 5n * PLC },
    ]);
    expect(alice.client.record(a).depositBWei).toBe((20n * PLC).toString());

    const payment = await alice.pay(bob.address, 3n * PLC);
    expect(payment).toMatchObject({ status: "requested", payerChannelId: a.toString(), payeeChannelId: b.toString(), amountWei: "3000000", secret: null });

    const events = await settleAll([alice, bob]);
    expect(events.map((e) => `${e.who === alice.address ? "alice" : "bob"}:${e.type}`)).toEqual([
      "bob:invoiced",
      "alice:locked",
      "bob:countersigned", // the hub's lock
      "bob:countersigned", // the hub pays the lock
      "bob:received",
      "alice:paid",
    ]);
    const done = await service.query({ action: "payment", id: payment.id });
    expect(done.status).toBe("completed");
    expect(hashlockOf(done.secret!)).toBe(done.hashlock);
    // Expiries: the payer's lock outlives the payee's by hopBlocks.
    expect(BigInt(done.payerExpiryBlock!) - BigInt(done.payeeExpiryBlock!)).toBe(20n);

    // Off-chain balances, both sides of both channels.
    expect(alice.client.balances(a)).toMatchObject({ spendableWei: 47n * PLC, receivableWei: 23n * PLC, myPayoutWei: 47n * PLC, pendingLocks: [] });
    expect(hubClient.balances(a)).toMatchObject({ spendableWei: 23n * PLC, myPayoutWei: 23n * PLC });
    expect(bob.client.balances(b)).toMatchObject({ spendableWei: 8n * PLC, receivableWei: 2n * PLC, myPayoutWei: 8n * PLC, pendingLocks: [] });
    expect(hubClient.balances(b)).toMatchObject({ spendableWei: 2n * PLC, myPayoutWei: 2n * PLC });
    // Same latest state on both sides of each channel.
    expect(alice.client.latestProof(a)).toEqual(hubClient.latestProof(a));
    expect(bob.client.latestProof(b)).toEqual(hubClient.latestProof(b));
    expect(alice.client.latestProof(a).nonce).toBe(2n); // lock, resolve
    expect(bob.client.latestProof(b).nonce).toBe(2n);

    // The household sees the payment in its inbox list.
    const inbox = await service.query({ action: "inbox", account: bob.address });
    expect(inbox.items).toEqual([]);
    expect(inbox.payments.map((p) => p.status)).toEqual(["completed"]);
  });

  it("a second payment the other way uses the liquidity the first one moved", async () => {
    const { household, openAndJoin, hubClient } = setup();
    const alice = household(KEYS.alice);
    const bob = household(KEYS.bob);
    const a = await openAndJoin(alice, 10n * PLC);
    const b = await openAndJoin(bob, 10n * PLC);
    await alice.pay(bob.address, 4n * PLC);
    await settleAll([alice, bob]);
    await bob.pay(alice.address, 1n * PLC);
    await settleAll([alice, bob]);
    expect(alice.client.balances(a).myPayoutWei).toBe(7n * PLC);
    expect(bob.client.balances(b).myPayoutWei).toBe(13n * PLC);
    expect(hubClient.balances(a).myPayoutWei + hubClient.balances(b).myPayoutWei).toBe(20n * PLC); // the hub neither gains nor loses
  });

  it("refuses payments it cannot route, in words, and creates nothing", async () => {
    const { service, household, openAndJoin, chain } = setup();
    const alice = household(KEYS.alice);
    const bob = household(KEYS.bob);
    const carol = household(KEYS.carol);
    await openAndJoin(alice, 10n * PLC);
    await openAndJoin(bob, 2n * PLC);
    await expectHubError(alice.pay(carol.address, PLC), "payee-no-channel", /has no open channel with the hub, so the hub cannot pay it/);
    await expectHubError(carol.pay(alice.address, PLC), "payer-no-channel");
    await expectHubError(alice.pay(bob.address, 3n * PLC), "hub-no-capacity", /at most 2000000 base units/);
    await expectHubError(bob.pay(alice.address, 20n * PLC), "payer-insufficient");
    await expectHubError(alice.pay(alice.address, PLC), "same-party");
    await alice.pay(bob.address, PLC);
    await expectHubError(alice.pay(bob.address, PLC), "channel-busy");
    expect((await service.query({ action: "inbox", account: alice.address })).payments).toHaveLength(1);
    // A channel with a challenge period too short for the hub to defend is not joined.
    const short = chain.open(carol.address, PLC, 5n);
    await expectHubError(carol.join(short), "challenge-too-short", /needs at least 40/);
  });

  it("the payer locks only payments it asked for; a payee that never answers fails the payment, nothing locked", async () => {
    const { service, household, openAndJoin, advance } = setup({ answerTimeoutMs: 30_000 });
    const alice = household(KEYS.alice);
    const bob = household(KEYS.bob);
    const a = await openAndJoin(alice, 10n * PLC);
    await openAndJoin(bob, 10n * PLC);
    // Mallory asks the hub to route a payment from Alice: Bob invoices, but Alice never locks.
    const forged = await service.send({ action: "request-payment", payer: alice.address, payee: bob.address, amountWei: (5n * PLC).toString() });
    await bob.step();
    expect((await service.query({ action: "payment", id: forged.id })).status).toBe("invoiced");
    const { events } = await alice.step();
    expect(events).toEqual([]);
    expect(alice.client.latestProof(a).nonce).toBe(0n);
    advance(31_000);
    const failed = await service.query({ action: "payment", id: forged.id });
    expect(failed).toMatchObject({ status: "failed", error: "The payer did not lock the amount within 30 s." });

    // Alice's own payment while Bob is away: fails after the timeout; nothing was signed.
    const mine = await alice.pay(bob.address, PLC);
    await alice.step();
    advance(31_000);
    expect(await service.query({ action: "payment", id: mine.id })).toMatchObject({
      status: "failed",
      error: "The payee did not answer within 30 s (it must have PowerLAN open to receive).",
    });
    expect(alice.client.latestProof(a).nonce).toBe(0n);
    expect(alice.client.balances(a).spendableWei).toBe(10n * PLC);
  });

  it("refuses a lock for no payment and a replayed update; nothing changes", async () => {
    const { service, household, openAndJoin, hubClient } = setup();
    const alice = household(KEYS.alice);
    const a = await openAndJoin(alice, 10n * PLC);
    const stray = await alice.client.lock(a, PLC, hashlockOf(newSecret()), 150n);
    await expectHubError(service.send({ action: "update", update: toWireUpdate(stray) }), "unexpected-lock");
    alice.client.abandonProposal(a);
    const pay = await alice.client.pay(a, PLC);
    const answer = await service.send({ action: "update", update: toWireUpdate(pay) });
    expect(answer.payment).toBeNull();
    await expectHubError(service.send({ action: "update", update: toWireUpdate(pay) }), "update-rejected", /nonce not above 1 \(replay or stale\)/);
    expect(hubClient.latestProof(a).nonce).toBe(1n);
    expect(hubClient.balances(a).myPayoutWei).toBe(10n * PLC + PLC); // 10 PLC liquidity + 1 PLC paid
  });

  it("recovers a step cut off between the hub's countersignature and the household's confirm", async () => {
    const { service, household, openAndJoin } = setup();
    const bob = household(KEYS.bob);
    await openAndJoin(bob, 10n * PLC);
    // Alice's transport loses the hub's answer to her lock once (the hub did countersign).
    let dropped = false;
    const inner = service.transport();
    const lossy: HubTransport = {
      query: (q) => inner.query(q),
      send: async (r) => {
        const answer = await inner.send(r);
        if (r.action === "update" && !dropped) {
          dropped = true;
          throw new HubError("hub-unreachable", "The hub service does not answer (connection reset).", 0);
        }
        return answer;
      },
    };
    const alice = household(KEYS.alice, lossy);
    const a = await openAndJoin(alice, 10n * PLC);
    const payment = await alice.pay(bob.address, 2n * PLC);
    const events = await settleAll([alice, bob]);
    expect(events.some((e) => e.type === "error" && /connection reset/.test(e.message))).toBe(true);
    expect(events.some((e) => e.type === "restored")).toBe(true);
    expect((await service.query({ action: "payment", id: payment.id })).status).toBe("completed");
    expect(alice.client.balances(a).myPayoutWei).toBe(8n * PLC);
    expect(alice.client.record(a).proposed).toBeNull();
  });

  it("cooperative close: the hub signs the latest payouts once, then freezes the channel and withdraws after settlement", async () => {
    const { service, chain, household, openAndJoin } = setup();
    const alice = household(KEYS.alice);
    const bob = household(KEYS.bob);
    const a = await openAndJoin(alice, 10n * PLC);
    await openAndJoin(bob, 10n * PLC);
    await alice.pay(bob.address, 3n * PLC);
    await settleAll([alice, bob]);

    const { message, hubSignature } = await alice.closeSignature(a);
    expect(message).toEqual({ channelId: a, payoutAWei: 7n * PLC, payoutBWei: 13n * PLC });
    expect(hubSignature).toMatch(/^0x[0-9a-f]{130}$/);
    // Frozen: no more updates, no more payments through it.
    const late = await alice.client.pay(a, PLC);
    await expectHubError(service.send({ action: "update", update: toWireUpdate(late) }), "channel-frozen");
    alice.client.abandonProposal(a);
    await expectHubError(alice.pay(bob.address, PLC), "payer-no-channel");
    // A stale nonce gets no signature.
    await expectHubError(service.send({ action: "close-signature", channelId: "2", nonce: "0" }), "state-mismatch");

    // On-chain close (simulated): the hub withdraws its 13 PLC when told.
    await expectHubError(alice.closed(a), "not-settled");
    const c = chain.channels.get(a)!;
    Object.assign(c, { status: CHANNEL_STATUS.Settled, balanceAWei: 7n * PLC, balanceBWei: 13n * PLC });
    expect(await alice.closed(a)).toBe(13n * PLC);
    expect(chain.withdrawals).toEqual([{ channelId: a, amountWei: 13n * PLC }]);
  });

  it("ChannelClient.adopt takes only newer states signed by both parties", async () => {
    const { household, openAndJoin, hubClient, service } = setup();
    const alice = household(KEYS.alice);
    const a = await openAndJoin(alice, 10n * PLC);
    const update = await alice.client.pay(a, PLC);
    await service.send({ action: "update", update: toWireUpdate(update) });
    // Alice "lost" the hub's answer: her proposal is pending; the hub holds the both-signed state.
    const hubState = hubClient.record(a).latest!;
    expect(alice.client.record(a).proposed).not.toBeNull();
    // Signed by one side only (the hub's signature in both places): refused, nothing changes.
    await expect(alice.client.adopt(a, { ...hubState, sigA: hubState.sigB })).rejects.toThrow(/not signed by both parties/);
    expect(alice.client.latestProof(a).nonce).toBe(0n);
    // Both-signed and newer: adopted, the pending proposal (this very state) is done.
    expect(await alice.client.adopt(a, hubState)).toBe(true);
    expect(alice.client.latestProof(a)).toEqual(hubClient.latestProof(a));
    expect(alice.client.record(a).proposed).toBeNull();
    // Not newer: ignored.
    expect(await alice.client.adopt(a, hubState)).toBe(false);
  });
});
