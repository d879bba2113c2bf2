import { describe, expect, it } from "vitest";
import { hashTypedData, type Address, type Hex } from "viem";
import {
  ChannelClient,
  ChannelRejected,
  MemoryChannelStore,
  privateKeySigner,
  type ChannelUpdate,
} from "../../lib/channels/client.ts";
import { balanceProofTypes, channelsDomain, domainSeparator, hashBalanceProofWithSeparator } from "../../lib/channels/eip712.ts";
import { hashlockOf, LockTree, lockLeaf, newSecret, processProof, type Lock } from "../../lib/channels/htlc.ts";
import { HubRouter } from "../../lib/channels/hub.ts";
import { channelPayouts } from "../../lib/channels/payouts.ts";
import { owedWei, StreamPayer } from "../../lib/channels/stream.ts";

// Hardhat's PUBLIC dev keys (never use them anywhere but a local devnet).
const KEYS: Record<"alice" | "bob" | "hub" | "mallory", Hex> = {
  alice: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  bob: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  hub: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  mallory: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
};
const CHAIN_ID = 31337;
const CONTRACT: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const PLC = 1_000_000n;

function client(name: keyof typeof KEYS) {
  return new ChannelClient({ signer: privateKeySigner(KEYS[name]), chainId: CHAIN_ID, contract: CONTRACT, store: new MemoryChannelStore() });
}

/** Channel `id` between a (party A, deposit depA) and b (party B, deposit depB), tracked by both. */
function link(a: ChannelClient, b: ChannelClient, id: bigint, depA: bigint, depB: bigint) {
  for (const c of [a, b]) {
    c.track({ channelId: id, partyA: a.address, partyB: b.address, depositAWei: depA, depositBWei: depB, challengePeriodBlocks: 20n });
  }
}

async function deliver(from: ChannelClient, to: ChannelClient, update: ChannelUpdate, block = 0n) {
  const ack = await to.receive(update, block);
  await from.confirm(ack);
  return ack;
}

describe("EIP-712 fast path", () => {
  it("equals viem's hashTypedData for random proofs", () => {
    const domain = channelsDomain(CHAIN_ID, CONTRACT);
    const separator = domainSeparator(domain);
    for (let i = 0; i < 20; i++) {
      const proof = {
        channelId: BigInt(i * 7919),
        nonce: BigInt(i) ** 5n,
        transferredAToBWei: 2n ** BigInt(i * 12) - 1n,
        transferredBToAWei: BigInt(i) * PLC,
        locksRoot: i % 2 ? newSecret() : (`0x${"00".repeat(32)}` as Hex),
      };
      expect(hashBalanceProofWithSeparator(separator, proof)).toBe(
        hashTypedData({ domain, types: balanceProofTypes, primaryType: "BalanceProof", message: proof }),
      );
    }
  });
});

describe("LockTree", () => {
  it("proves every lock of trees with 1 to 9 leaves, and the empty root is zero", () => {
    expect(new LockTree([]).root).toBe(`0x${"00".repeat(32)}`);
    for (let n = 1; n <= 9; n++) {
      const locks: Lock[] = Array.from({ length: n }, (_, i) => ({
        sender: CONTRACT,
        amountWei: BigInt(i + 1),
        expiryBlock: 100n + BigInt(i),
        hashlock: hashlockOf(newSecret()),
      }));
      const tree = new LockTree(locks);
      if (n === 1) expect(tree.root).toBe(lockLeaf(locks[0]));
      for (const lock of locks) expect(processProof(tree.proof(lock), lockLeaf(lock))).toBe(tree.root);
      // Order of the locks does not matter.
      expect(new LockTree([...locks].reverse()).root).toBe(tree.root);
    }
  });

  it("rejects duplicate locks", () => {
    const lock: Lock = { sender: CONTRACT, amountWei: 1n, expiryBlock: 1n, hashlock: hashlockOf(newSecret()) };
    expect(() => new LockTree([lock, { ...lock }])).toThrow(/duplicate lock/);
  });
});

describe("channelPayouts", () => {
  it("always sums to the deposits and caps amounts above them", () => {
    const cases = [
      [100n, 50n, 30n, 5n],
      [100n, 50n, 1000n, 0n],
      [100n, 50n, 0n, 1000n],
      [0n, 0n, 5n, 5n],
      [10n, 10n, 2n ** 255n, 2n ** 255n],
    ] as const;
    for (const [depositAWei, depositBWei, transferredAToBWei, transferredBToAWei] of cases) {
      const { payoutAWei, payoutBWei } = channelPayouts({ depositAWei, depositBWei, transferredAToBWei, transferredBToAWei });
      expect(payoutAWei + payoutBWei).toBe(depositAWei + depositBWei);
      expect(payoutAWei >= 0n && payoutBWei >= 0n).toBe(true);
    }
    expect(channelPayouts({ depositAWei: 100n, depositBWei: 50n, transferredAToBWei: 30n, transferredBToAWei: 5n })).toEqual({
      payoutAWei: 75n,
      payoutBWei: 75n,
    });
  });
});

describe("ChannelClient off-chain protocol", () => {
  it("pays, countersigns and keeps both sides' view equal", async () => {
    const alice = client("alice");
    const bob = client("bob");
    link(alice, bob, 1n, 100n * PLC, 50n * PLC);
    for (let i = 1n; i <= 3n; i++) await deliver(alice, bob, await alice.pay(1n, 10n * PLC));
    const ack = await deliver(bob, alice, await bob.pay(1n, 4n * PLC));
    expect(ack.proof.nonce).toBe(4n);
    expect(alice.latestProof(1n)).toEqual(bob.latestProof(1n));
    expect(alice.balances(1n)).toMatchObject({ spendableWei: 74n * PLC, receivableWei: 76n * PLC, myPayoutWei: 74n * PLC });
    expect(bob.balances(1n)).toMatchObject({ spendableWei: 76n * PLC, myPayoutWei: 76n * PLC });
    const [, sigA, sigB] = alice.closingArgs(1n);
    expect(bob.closingArgs(1n)).toEqual([alice.latestProof(1n), sigA, sigB]);
    expect(bob.record(1n).history.at(-1)).toMatchObject({ direction: "out", amountWei: (4n * PLC).toString(), kind: "pay" });
  });

  it("rejects a replayed update, a forged signature, an overdraft and an update that moves my side", async () => {
    const alice = client("alice");
    const bob = client("bob");
    const mallory = client("mallory");
    link(alice, bob, 1n, 100n * PLC, 0n);
    const u1 = await alice.pay(1n, 10n * PLC);
    await deliver(alice, bob, u1);
    await expect(bob.receive(u1)).rejects.toThrow(/nonce not above 1/);

    // Mallory signs a state of the alice–bob channel.
    mallory.track({ channelId: 1n, partyA: mallory.address, partyB: bob.address, depositAWei: 100n * PLC, depositBWei: 0n, challengePeriodBlocks: 20n });
    const forged = await mallory.pay(1n, 20n * PLC);
    await expect(bob.receive({ ...forged, proof: { ...forged.proof, nonce: 2n } })).rejects.toThrow(/signature is not the counterparty's/);

    // Alice cannot pay more than she has; Bob would refuse it anyway.
    await expect(alice.pay(1n, 91n * PLC)).rejects.toThrow(ChannelRejected);
    const u2 = await alice.pay(1n, 5n * PLC);
    await expect(bob.receive({ ...u2, proof: { ...u2.proof, transferredAToBWei: 200n * PLC } })).rejects.toThrow(/cannot afford/);
    await expect(bob.receive({ ...u2, proof: { ...u2.proof, transferredBToAWei: 1n } })).rejects.toThrow(/changes what I sent/);
    await expect(bob.receive({ ...u2, chainId: 1 })).rejects.toThrow(/not this client's channels/);
    // A pending proposal blocks a second one until confirmed.
    await expect(alice.pay(1n, 1n)).rejects.toThrow(/awaits the counterparty/);
    await deliver(alice, bob, u2);
    expect(bob.balances(1n).myPayoutWei).toBe(15n * PLC);
  });

  it("routes A → hub → B with hash time-locks; the hub is paid only after B reveals", async () => {
    const alice = client("alice");
    const hub = client("hub");
    const bob = client("bob");
    link(alice, hub, 1n, 100n * PLC, 0n);
    link(hub, bob, 2n, 100n * PLC, 0n);
    const router = new HubRouter(hub, { feeWei: 1000n, hopBlocks: 10n });
    const paid = await router.route({ payer: alice, payee: bob, payerChannelId: 1n, payeeChannelId: 2n, amountWei: 5n * PLC, currentBlock: 50n });
    expect(paid.hashlock).toBe(hashlockOf(paid.secret));
    expect(alice.balances(1n)).toMatchObject({ spendableWei: 95n * PLC, pendingLocks: [] });
    expect(hub.balances(1n).myPayoutWei).toBe(5n * PLC);
    expect(bob.balances(2n)).toMatchObject({ myPayoutWei: 5n * PLC - 1000n, pendingLocks: [] });
    expect(alice.latestProof(1n)).toEqual(hub.latestProof(1n));
    expect(bob.latestProof(2n)).toEqual(hub.latestProof(2n));
  });

  it("a hub that withholds the secret is never paid: the payer's lock expires back", async () => {
    const alice = client("alice");
    const hub = client("hub");
    const bob = client("bob");
    link(alice, hub, 1n, 100n * PLC, 0n);
    link(hub, bob, 2n, 100n * PLC, 0n);
    const router = new HubRouter(hub, { hopBlocks: 10n });
    await router.route({ payer: alice, payee: bob, payerChannelId: 1n, payeeChannelId: 2n, amountWei: 5n * PLC, currentBlock: 50n, withholdSecret: true });
    expect(bob.balances(2n).myPayoutWei).toBe(5n * PLC); // the hub paid Bob
    const pending = alice.balances(1n).pendingLocks;
    expect(pending).toHaveLength(1);
    expect(alice.balances(1n).spendableWei).toBe(95n * PLC);
    // Before expiry Alice cannot drop the lock; the hub would refuse an early drop without payment.
    await expect(alice.expireLocks(1n, 60n)).rejects.toThrow(/no expired lock/);
    const drop = await alice.expireLocks(1n, 71n); // expiry 70
    await expect(hub.receive(drop, 60n)).rejects.toThrow(/drops an unexpired lock without paying/);
    await deliver(alice, hub, drop, 71n);
    expect(alice.balances(1n)).toMatchObject({ spendableWei: 100n * PLC, pendingLocks: [] });
    expect(hub.balances(1n).myPayoutWei).toBe(0n);
  });

  it("refuses new locks that expire too soon and locks that change the receiver's own locks", async () => {
    const alice = client("alice");
    const bob = client("bob");
    link(alice, bob, 1n, 100n * PLC, 100n * PLC);
    const h = hashlockOf(newSecret());
    await expect(bob.receive(await alice.lock(1n, PLC, h, 101n), 100n)).rejects.toThrow(/expires too soon/);
    alice.abandonProposal(1n);
    await deliver(alice, bob, await alice.lock(1n, PLC, h, 200n), 100n);
    const theirs = await bob.lock(1n, PLC, hashlockOf(newSecret()), 300n);
    // Alice receives Bob's lock but with her own lock removed: refused.
    const tampered = { ...theirs, locks: theirs.locks.filter((l) => l.sender === bob.address) };
    await expect(alice.receive({ ...tampered, proof: { ...theirs.proof, locksRoot: new LockTree(tampered.locks).root } }, 100n)).rejects.toThrow(
      /changes my locks/,
    );
  });
});

describe("StreamPayer", () => {
  it("pays once per tick for the energy metered since the start, rounding on the cumulative total", async () => {
    let meterWh = 10_000n;
    const payments: bigint[] = [];
    const stream = new StreamPayer({
      priceWeiPerKWh: 250_001n,
      readMeterWh: () => meterWh,
      pay: async (amountWei) => {
        payments.push(amountWei);
      },
      capWh: 100n,
    });
    expect((await stream.tick()).amountWei).toBe(0n); // baseline
    for (const wh of [3n, 0n, 7n, 33n, 100n]) {
      meterWh += wh;
      await stream.tick();
    }
    // Delivered 3, 3, 10, 43, capped at 100 Wh.
    expect(stream.totalPaidWei).toBe(owedWei(100n, 250_001n));
    expect(payments.reduce((s, x) => s + x, 0n)).toBe(owedWei(100n, 250_001n));
    expect(payments).toEqual([owedWei(3n, 250_001n), owedWei(10n, 250_001n) - owedWei(3n, 250_001n), owedWei(43n, 250_001n) - owedWei(10n, 250_001n), owedWei(100n, 250_001n) - owedWei(43n, 250_001n)]);
  });

  it("streams through real channel updates", async () => {
    const alice = client("alice");
    const bob = client("bob");
    link(alice, bob, 1n, 10n * PLC, 0n);
    let meterWh = 0n;
    const stream = new StreamPayer({
      priceWeiPerKWh: 250_000n,
      readMeterWh: () => meterWh,
      pay: async (amountWei) => deliver(alice, bob, await alice.pay(1n, amountWei)),
    });
    await stream.tick();
    for (let minute = 0; minute < 15; minute++) {
      meterWh += 25n; // 1.5 kW for a minute
      await stream.tick();
    }
    expect(bob.balances(1n).myPayoutWei).toBe(owedWei(375n, 250_000n)); // 93,750
    expect(bob.latestProof(1n).nonce).toBe(15n);
  });
});

describe("native secp256k1 backend (optional dependency)", async () => {
  const { loadNativeSecp256k1, nativePrivateKeySigner, nativeVerifier } = await import("../../lib/channels/nativeCrypto.ts");
  const { privateKeySigner: jsSigner, viemVerifier, balanceProofDigest } = await import("../../lib/channels/client.ts");
  const { hashBalanceProofBytes } = await import("../../lib/channels/eip712.ts");
  const available = loadNativeSecp256k1() !== null;

  it("hashes balance proofs from bytes exactly like the hex path", () => {
    const domain = channelsDomain(CHAIN_ID, CONTRACT);
    const separator = domainSeparator(domain);
    const proof = { channelId: 3n, nonce: 99n, transferredAToBWei: 2n ** 200n + 5n, transferredBToAWei: 7n, locksRoot: newSecret() };
    const bytes = hashBalanceProofBytes(Uint8Array.from(Buffer.from(separator.slice(2), "hex")), proof);
    expect(`0x${Buffer.from(bytes).toString("hex")}`).toBe(hashBalanceProofWithSeparator(separator, proof));
  });

  it.skipIf(!available)("signs exactly like viem and verifies strictly (wrong signer, wrong v, high s)", async () => {
    const domain = channelsDomain(CHAIN_ID, CONTRACT);
    const native = nativePrivateKeySigner(KEYS.alice)!;
    const js = jsSigner(KEYS.alice);
    const verify = nativeVerifier()!;
    for (let i = 1n; i <= 5n; i++) {
      const proof = { channelId: 1n, nonce: i, transferredAToBWei: i * PLC, transferredBToAWei: 0n, locksRoot: `0x${"00".repeat(32)}` as Hex };
      const sig = await native.signBalanceProof(domain, proof);
      expect(sig).toBe(await js.signBalanceProof(domain, proof));
      const digest = balanceProofDigest(domain, proof);
      expect(await verify(digest, sig, native.address)).toBe(true);
      expect(await verify(digest, sig, jsSigner(KEYS.bob).address)).toBe(false);
      const wrongV = `${sig.slice(0, 130)}${sig.endsWith("1b") ? "1c" : "1b"}` as Hex;
      expect(await verify(digest, wrongV, native.address)).toBe(false);
      expect(await viemVerifier(digest, wrongV, native.address)).toBe(false);
      const s = BigInt(`0x${sig.slice(66, 130)}`);
      const highS = `${sig.slice(0, 66)}${(0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n - s).toString(16).padStart(64, "0")}${sig.endsWith("1b") ? "1c" : "1b"}` as Hex;
      expect(await verify(digest, highS, native.address)).toBe(false);
    }
  });
});

describe("market through channels", async () => {
  const { payTrade, streamTrade, tradeAmountWei } = await import("../../lib/channels/market.ts");

  it("pays a matched trade directly, and streams another through the hub minute by minute", async () => {
    const buyer = client("alice");
    const hub = client("hub");
    const seller = client("bob");
    link(buyer, seller, 1n, 10n * PLC, 0n);
    link(buyer, hub, 2n, 10n * PLC, 0n);
    link(hub, seller, 3n, 10n * PLC, 0n);
    const block = () => 100n;

    // 2.5 kWh at 0.25 PLC/kWh, paid at once over the direct channel.
    const paid = await payTrade({ priceWeiPerKWh: 250_000n, energyWh: 2_500n }, { kind: "direct", payer: buyer, payee: seller, channelId: 1n, currentBlock: block });
    expect(paid).toBe(625_000n);
    expect(seller.balances(1n).myPayoutWei).toBe(625_000n);

    // 1 kWh at 0.31 PLC/kWh, delivered at 30 Wh per minute for 40 minutes: paid per minute via the hub,
    // capped at the traded 1,000 Wh.
    const trade = { priceWeiPerKWh: 310_000n, energyWh: 1_000n };
    let meterWh = 5_000n;
    const router = new HubRouter(hub, { hopBlocks: 10n });
    const stream = streamTrade(trade, { kind: "hub", router, payer: buyer, payee: seller, payerChannelId: 2n, payeeChannelId: 3n, currentBlock: block }, () => meterWh);
    await stream.tick();
    for (let minute = 0; minute < 40; minute++) {
      meterWh += 30n;
      await stream.tick();
    }
    expect(stream.totalPaidWei).toBe(tradeAmountWei(trade));
    expect(seller.balances(3n).myPayoutWei).toBe(310_000n);
    expect(hub.balances(2n).myPayoutWei).toBe(310_000n);
    expect(buyer.balances(2n).spendableWei).toBe(10n * PLC - 310_000n);
    expect(buyer.balances(2n).pendingLocks).toEqual([]);
  });
});

describe("LocalStorageChannelStore", async () => {
  const { LocalStorageChannelStore } = await import("../../lib/channels/browserStore.ts");

  it("keeps a household's channel across page loads and never rolls it back", async () => {
    localStorage.clear();
    const alice = new ChannelClient({ signer: privateKeySigner(KEYS.alice), chainId: CHAIN_ID, contract: CONTRACT, store: new LocalStorageChannelStore(localStorage, "alice") });
    const bob = client("bob");
    link(alice, bob, 1n, 10n * PLC, 0n);
    await deliver(alice, bob, await alice.pay(1n, PLC));
    // "Reload": a new client on the same storage sees the latest state.
    const reloaded = new ChannelClient({ signer: privateKeySigner(KEYS.alice), chainId: CHAIN_ID, contract: CONTRACT, store: new LocalStorageChannelStore(localStorage, "alice") });
    expect(reloaded.latestProof(1n)).toEqual(bob.latestProof(1n));
    expect(reloaded.channels()).toHaveLength(1);
    const store = new LocalStorageChannelStore(localStorage, "alice");
    const record = reloaded.record(1n);
    expect(store.put(record.key, { ...record, rev: record.rev - 1, latest: null })).toBe(false);
    expect(reloaded.balances(1n).spendableWei).toBe(9n * PLC);
  });
});
