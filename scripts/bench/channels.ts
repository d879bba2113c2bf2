/**
 * Benchmark section `channels`: payment channels vs plain on-chain payments, in one run.
 *
 *  - onchainTransfersPerSec: ERC-20 (PLC) transfers sent one after another to a local `hardhat node`
 *    (spawned here, automine), each waiting for its receipt — the fastest a single payer can pay
 *    on-chain against a local node.
 *  - offchainPaymentsPerSec: per payment, the payer signs the next EIP-712 balance proof, the payee
 *    verifies the signature and stores the signed state durably (journal append of JsonFileStore:
 *    survives a process crash once written). One process, one thread.
 *  - offchainRoundTripsPerSec: the full ChannelClient protocol per payment (pay → receive: checks,
 *    verify, countersign, store → confirm: verify, store): two signatures, two verifications, two
 *    stores.
 *  - offchainPaymentsPerSecFsync: like offchainPaymentsPerSec with fdatasync per store (power-loss safe).
 *  - lifecycleGas: gas of every channel operation, measured on the same node.
 *  - breakEvenPayments: smallest n with n × (gas of one ERC-20 transfer) ≥ gas of a channel's whole
 *    life (open + deposit + cooperative close + both withdrawals).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  http,
  parseEventLogs,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { paymentChannelsAbi, paymentTokenAbi } from "../../lib/contracts/abis.ts";
import {
  balanceProofDigest,
  ChannelClient,
  privateKeySigner,
  recordIsNewer,
  toStoredProof,
  viemVerifier,
  type ChannelRecord,
  type ChannelSigner,
  type SignatureVerifier,
} from "../../lib/channels/client.ts";
import { channelsDomain, ZERO_ROOT, type BalanceProof } from "../../lib/channels/eip712.ts";
import { nativePrivateKeySigner, nativeVerifier } from "../../lib/channels/nativeCrypto.ts";
import { JsonFileStore } from "../../lib/channels/store.ts";
import { startHardhatNode } from "../../lib/devnet/node.ts";
import { bytecodeOf, compileContracts, machineInfo, opsPerSecond, round, type BenchContext, type BenchSection } from "./lib.ts";

const PLC = 1_000_000n;
// Hardhat's PUBLIC dev accounts 0–3 (keys are well known; local node only).
const KEYS: Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];
const CHALLENGE_BLOCKS = 5n;

export const section: BenchSection = {
  name: "channels",
  description: "payment channels: off-chain payments/s vs on-chain transfers/s, gas of every operation, break-even",
  run: runChannels,
};

async function runChannels(ctx: BenchContext): Promise<Record<string, unknown>> {
  const n = {
    onchain: ctx.quick ? 40 : 300,
    offchain: ctx.quick ? 500 : 5_000,
    offchainJs: ctx.quick ? 50 : 500,
    roundTrips: ctx.quick ? 50 : 500,
    fsync: ctx.quick ? 50 : 300,
  };
  ctx.log("compiling contracts");
  compileContracts();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-bench-channels-"));
  ctx.log("starting a local hardhat node (automine)");
  const node = await startHardhatNode({ port: 0, logFile: path.join(tmp, "hardhat-node.log") });
  try {
    const chain = defineChain({
      id: node.chainId,
      name: "bench",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [node.rpcUrl] } },
    });
    const transport = http(node.rpcUrl);
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 10 }) as PublicClient;
    const wallet = createWalletClient({ chain, transport });
    const [admin, alice, bob, hub] = (await wallet.getAddresses()).slice(0, 4);
    const receipt = async (hash: Hex) =>
      (await publicClient.getTransactionReceipt({ hash }).catch(() => null)) ?? publicClient.waitForTransactionReceipt({ hash });

    ctx.log("deploying PaymentToken and PaymentChannels");
    const tokenDeploy = await wallet.deployContract({
      abi: paymentTokenAbi,
      bytecode: bytecodeOf("contracts/transaction/PaymentToken.sol", "PaymentToken"),
      args: [admin, false],
      account: admin,
    });
    const token = (await receipt(tokenDeploy)).contractAddress as Address;
    const channelsDeploy = await wallet.deployContract({
      abi: paymentChannelsAbi,
      bytecode: bytecodeOf("contracts/transaction/PaymentChannels.sol", "PaymentChannels"),
      args: [token, admin, 1n, 10_000n],
      account: admin,
    });
    const channels = (await receipt(channelsDeploy)).contractAddress as Address;
    const write = async (account: Address, address: Address, abi: typeof paymentTokenAbi | typeof paymentChannelsAbi, functionName: string, args: readonly unknown[]) => {
      const hash = await wallet.writeContract({ address, abi, functionName, args, account } as never);
      const r = await receipt(hash);
      if (r.status !== "success") throw new Error(`${functionName} reverted`);
      return r;
    };
    for (const who of [alice, bob, hub]) {
      await write(admin, token, paymentTokenAbi, "mint", [who, 1_000_000n * PLC]);
      await write(who, token, paymentTokenAbi, "approve", [channels, 2n ** 256n - 1n]);
    }
    const domain = channelsDomain(node.chainId, channels);

    // ------------------------------------------------------------------------- gas
    ctx.log("measuring gas of every channel operation");
    const clientOf = (key: Hex, dir: string) =>
      new ChannelClient({
        signer: privateKeySigner(key),
        chainId: node.chainId,
        contract: channels,
        store: new JsonFileStore<ChannelRecord>({ dir, isNewer: recordIsNewer }),
      });
    const track = (c: ChannelClient, id: bigint, depA: bigint, depB: bigint) =>
      c.track({ channelId: id, partyA: alice, partyB: bob, depositAWei: depA, depositBWei: depB, challengePeriodBlocks: CHALLENGE_BLOCKS });
    const openChannel = async (from: Address, to: Address, depositWei: bigint) => {
      const r = await write(from, channels, paymentChannelsAbi, "open", [to, depositWei, CHALLENGE_BLOCKS]);
      const [ev] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "ChannelOpened", logs: r.logs });
      return { id: ev.args.channelId, gas: r.gasUsed };
    };
    // A first channel, so counter and contract token balance are non-zero as on a live network.
    await openChannel(hub, admin, PLC);

    const gasAlice = clientOf(KEYS[1], path.join(tmp, "gas-alice"));
    const gasBob = clientOf(KEYS[2], path.join(tmp, "gas-bob"));
    const opened = await openChannel(alice, bob, 100n * PLC);
    const deposited = await write(bob, channels, paymentChannelsAbi, "deposit", [opened.id, 50n * PLC]);
    track(gasAlice, opened.id, 100n * PLC, 50n * PLC);
    track(gasBob, opened.id, 100n * PLC, 50n * PLC);
    for (let i = 0; i < 5; i++) await gasAlice.confirm(await gasBob.receive(await gasAlice.pay(opened.id, 3n * PLC)));
    const closeA = await gasAlice.signCooperativeClose(opened.id);
    const closeB = await gasBob.signCooperativeClose(opened.id);
    const coop = await write(bob, channels, paymentChannelsAbi, "cooperativeClose", [
      opened.id,
      closeA.message.payoutAWei,
      closeA.message.payoutBWei,
      closeA.signature,
      closeB.signature,
    ]);
    const withdrawA = await write(alice, channels, paymentChannelsAbi, "withdraw", [opened.id]);
    const withdrawB = await write(bob, channels, paymentChannelsAbi, "withdraw", [opened.id]);

    // Unilateral: Alice closes with a stale state, Bob challenges with the newest, anyone settles.
    const u = await openChannel(alice, bob, 100n * PLC);
    await write(bob, channels, paymentChannelsAbi, "deposit", [u.id, 50n * PLC]);
    track(gasAlice, u.id, 100n * PLC, 50n * PLC);
    track(gasBob, u.id, 100n * PLC, 50n * PLC);
    await gasAlice.confirm(await gasBob.receive(await gasAlice.pay(u.id, 10n * PLC)));
    const stale = gasAlice.closingArgs(u.id);
    for (let i = 0; i < 3; i++) await gasAlice.confirm(await gasBob.receive(await gasAlice.pay(u.id, 10n * PLC)));
    const unilateral = await write(alice, channels, paymentChannelsAbi, "close", stale);
    const challenge = await write(bob, channels, paymentChannelsAbi, "challenge", gasBob.closingArgs(u.id));
    await publicClient.request({ method: "hardhat_mine" as never, params: [`0x${(CHALLENGE_BLOCKS + 1n).toString(16)}`] as never });
    const settle = await write(hub, channels, paymentChannelsAbi, "settle", [u.id]);
    const withdrawAfterSettle = await write(bob, channels, paymentChannelsAbi, "withdraw", [u.id]);

    const transfer = await write(alice, token, paymentTokenAbi, "transfer", [bob, PLC]);
    const lifecycleGas = {
      open: Number(opened.gas),
      deposit: Number(deposited.gasUsed),
      cooperativeClose: Number(coop.gasUsed),
      unilateralClose: Number(unilateral.gasUsed),
      challenge: Number(challenge.gasUsed),
      settle: Number(settle.gasUsed),
      withdraw: Number(withdrawA.gasUsed),
      withdrawSecondParty: Number(withdrawB.gasUsed),
      withdrawAfterSettle: Number(withdrawAfterSettle.gasUsed),
      total: Number(opened.gas + deposited.gasUsed + coop.gasUsed + withdrawA.gasUsed),
    };
    const erc20TransferGas = Number(transfer.gasUsed);
    const channelLifeGas = lifecycleGas.total + lifecycleGas.withdrawSecondParty;
    const breakEvenPayments = Math.ceil(channelLifeGas / erc20TransferGas);
    ctx.log(`lifecycle gas ${lifecycleGas.total} (goal ≤ 250,000); ERC-20 transfer ${erc20TransferGas}; break-even ${breakEvenPayments} payments`);

    // ------------------------------------------------------------------- on-chain
    ctx.log(`on-chain: ${n.onchain} ERC-20 transfers, one at a time, each waiting for its receipt`);
    const transferData = encodeFunctionData({ abi: paymentTokenAbi, functionName: "transfer", args: [bob, 1n] });
    const sendTransfer = async () => {
      const hash = await wallet.sendTransaction({ account: alice, to: token, data: transferData, gas: 100_000n });
      const r = await receipt(hash);
      if (r.status !== "success") throw new Error("transfer reverted");
    };
    for (let i = 0; i < 10; i++) await sendTransfer(); // warm-up
    const onchain = await opsPerSecond(n.onchain, sendTransfer);
    ctx.log(`on-chain: ${round(onchain.perSec)} transfers/s`);

    // ------------------------------------------------------------------- off-chain
    const channelId = 1_000_000n; // off-chain only: never opened on-chain, the contract is only the domain
    // The fastest secp256k1 available: libsecp256k1 (optional native module) or viem's noble (JS).
    const native = { signer: nativePrivateKeySigner(KEYS[1]), verifier: nativeVerifier() };
    const js = { signer: privateKeySigner(KEYS[1]), verifier: viemVerifier };
    const best = native.signer && native.verifier ? { ...native, name: "libsecp256k1 (native, optional dependency secp256k1)" } : { ...js, name: "viem/noble (JavaScript)" };
    const measurePayments = async (count: number, fsync: boolean, payer: ChannelSigner, verify: SignatureVerifier, label: string) => {
      const store = new JsonFileStore<{ rev: number; proof: ReturnType<typeof toStoredProof>; sig: Hex }>({
        dir: path.join(tmp, `payee-${label}`),
        fsync,
        isNewer: (a, b) => a.rev > b.rev,
      });
      let proof: BalanceProof = { channelId, nonce: 0n, transferredAToBWei: 0n, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
      const onePayment = async () => {
        // payer: next state, sign
        proof = { ...proof, nonce: proof.nonce + 1n, transferredAToBWei: proof.transferredAToBWei + 1_000n };
        const signature = await payer.signBalanceProof(domain, proof);
        // payee: recompute the digest, verify the payer's signature, store the signed state durably
        if (!(await verify(balanceProofDigest(domain, proof), signature, payer.address))) throw new Error("bad signature");
        store.put("channel", { rev: Number(proof.nonce), proof: toStoredProof(proof), sig: signature });
      };
      for (let i = 0; i < 20; i++) await onePayment(); // warm-up
      const result = await opsPerSecond(count, onePayment);
      store.close();
      return result;
    };
    ctx.log(`off-chain: ${n.offchain} payments (sign + verify + durable store) with ${best.name}`);
    const offchain = await measurePayments(n.offchain, false, best.signer!, best.verifier!, "best");
    ctx.log(`off-chain: ${round(offchain.perSec)} payments/s`);
    ctx.log(`off-chain: ${n.offchainJs} payments with viem/noble (JavaScript) for reference`);
    const offchainJs = await measurePayments(n.offchainJs, false, js.signer, js.verifier, "js");
    ctx.log(`off-chain (JavaScript crypto): ${round(offchainJs.perSec)} payments/s`);
    ctx.log(`off-chain: ${n.fsync} payments with fdatasync per store`);
    const offchainFsync = await measurePayments(n.fsync, true, best.signer!, best.verifier!, "fsync");

    ctx.log(`off-chain: ${n.roundTrips} full protocol round trips (pay → receive → confirm)`);
    const rtClient = (key: Hex, dir: string) =>
      new ChannelClient({
        signer: nativePrivateKeySigner(key) ?? privateKeySigner(key),
        verifier: nativeVerifier() ?? viemVerifier,
        chainId: node.chainId,
        contract: channels,
        store: new JsonFileStore<ChannelRecord>({ dir: path.join(tmp, dir), isNewer: recordIsNewer }),
      });
    const rtAlice = rtClient(KEYS[1], "rt-alice");
    const rtBob = rtClient(KEYS[2], "rt-bob");
    track(rtAlice, channelId, 10n ** 15n, 0n);
    track(rtBob, channelId, 10n ** 15n, 0n);
    const roundTrip = async () => rtAlice.confirm(await rtBob.receive(await rtAlice.pay(channelId, 1_000n)));
    for (let i = 0; i < 10; i++) await roundTrip();
    const roundTrips = await opsPerSecond(n.roundTrips, roundTrip);

    const ratio = offchain.perSec / onchain.perSec;
    ctx.log(`ratio off-chain/on-chain: ${round(ratio)}× (goal ≥ 100×)`);
    return {
      offchainPaymentsPerSec: round(offchain.perSec),
      onchainTransfersPerSec: round(onchain.perSec),
      ratio: round(ratio, 2),
      offchainCrypto: best.name,
      offchainPaymentsPerSecJsCrypto: round(offchainJs.perSec),
      ratioJsCrypto: round(offchainJs.perSec / onchain.perSec, 2),
      offchainRoundTripsPerSec: round(roundTrips.perSec),
      roundTripRatio: round(roundTrips.perSec / onchain.perSec, 2),
      offchainPaymentsPerSecFsync: round(offchainFsync.perSec),
      lifecycleGas,
      erc20TransferGas,
      breakEvenPayments,
      breakEvenBasis:
        "ceil((open + deposit + cooperativeClose + withdraw + withdrawSecondParty) / erc20TransferGas): payments after which one channel costs less gas than paying each on-chain",
      goals: {
        ratioAtLeast100: ratio >= 100,
        lifecycleGasAtMost250k: lifecycleGas.total <= 250_000,
      },
      iterations: n,
      method: {
        onchain: "eth_sendTransaction (node-unlocked account, fixed gas) + eth_getTransactionReceipt, sequential, hardhat node automine over HTTP",
        offchain:
          "payer signs the EIP-712 BalanceProof digest; payee recomputes the digest, verifies the signature (public-key recovery) and appends the signed state to a JsonFileStore journal (no fsync); one thread, one process",
      },
      machine: machineInfo(),
      timestamp: new Date().toISOString(),
    };
  } finally {
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
