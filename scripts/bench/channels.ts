/**
 * Benchmark section `channels`: payment channels vs plain on-chain payments, in one run.
 *
 *  - onchainTransfersPerSec: ERC-20 (PLC) transfers sent one after another to a local `hardhat node`
 *    (spawned here, automine), each waiting for its receipt — the fastest a single payer can pay
 *    on-chain against a local node.
 *  - offchainPaymentsPerSec (the figure `ratio` uses): per payment, the payer signs the next EIP-712
 *    balance proof, the payee recomputes the digest, verifies the signature and stores the signed
 *    state durably (journal append of JsonFileStore: survives a process crash once written), then
 *    acknowledges it. Payer and payee are different machines in reality, working in parallel; here
 *    they are the two worker threads of ONE process (a pipeline) = this machine's two cores: the
 *    payer thread signs and streams payments to the payee thread over a MessagePort (batches of
 *    `pipeline.batch`, at most `pipeline.window` unacknowledged). The payee thread checks each
 *    batch's signatures itself, except 1 batch in `pipeline.helperEvery`, which it hands to its
 *    helper verifier — by default (`pipeline.helperVerifier` "payer-thread") a verifier object of
 *    the PAYEE's (own verifier instance and key cache, its own MessagePort, answering only the payee)
 *    hosted on the payer's thread between the payer's batches: alone, the payee thread is the
 *    bottleneck (≈ 66 µs CPU per payment against the payer's ≈ 47 µs) and a third of the payer's
 *    core idles; with 1 batch in 6 both threads do ≈ 56 µs. Signature checks of different payments
 *    are independent; everything sequential stays on the payee thread. Every check uses the
 *    PRODUCT verifier (nativeCrypto.ts `nativeBytesVerifier`: strict 65 bytes, v 27/28, low s, key
 *    recovered with the given v and compared with the payer's public key, learned once from its
 *    first proof and checked against its address). Then, strictly in order and only for checked
 *    batches, it checks nonce = previous + 1 and a growing cumulative amount, writes the NEWEST
 *    verified signed state of the batch to the journal (one write(2); that state supersedes every
 *    earlier one of the channel — amounts are cumulative, the contract takes the highest nonce, the
 *    keyed store keeps only the newest anyway) and only then acknowledges the batch cumulatively
 *    (like TCP): no payment is acknowledged before a state covering it is in the journal and every
 *    payment's own proof was verified. Timed from the first signature to the acknowledgement of the
 *    last payment. `pipeline.cpuMicrosPerPayment` gives each thread's CPU time per payment
 *    (process.threadCpuUsage), a load-independent view of the cost. Same per-payment signing, digest
 *    and verification code as the single-thread figure (which writes one journal line per payment,
 *    one write each).
 *  - offchainPaymentsPerSecPipelineNoHelper: the same pipeline without the helper verifier (every
 *    signature checked on the payee thread), measured in the same rounds, for comparison.
 *  - offchainPaymentsPerSecSingleThread: the same work, one payment after another on ONE thread
 *    (sign, then verify + store) — the figure when one machine is both payer and payee.
 *  - offchainRoundTripsPerSec: the full ChannelClient protocol per payment (pay → receive: checks,
 *    verify, countersign, store → confirm: verify, store): two signatures, two verifications, two
 *    stores.
 *  - offchainPaymentsPerSecFsync: like offchainPaymentsPerSecSingleThread with fdatasync per store
 *    (power-loss safe).
 *  - Rounds: on-chain, pipeline and single-thread figures are measured in `rounds` interleaved rounds
 *    (the machine is shared; other processes take CPU at random moments); each key holds the best
 *    round, `ratioMedian` the median ratio, and `rounds` every round with the load average.
 *  - lifecycleGas: gas of every channel operation, measured on the same node.
 *  - breakEvenPayments: smallest n with n × (gas of one ERC-20 transfer) ≥ gas of a channel's whole
 *    life (open + deposit + cooperative close + both withdrawals).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isMainThread, MessageChannel, parentPort, Worker, workerData, type MessagePort } from "node:worker_threads";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  http,
  keccak256,
  parseEventLogs,
  toHex,
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
import {
  loadNativeSecp256k1,
  nativeBalanceProofDigest,
  nativeBalanceProofDigestBytes,
  nativeBytesVerifier,
  nativePrivateKeySigner,
  nativeVerifier,
  signatureBytes,
} from "../../lib/channels/nativeCrypto.ts";
import { loadNativeKeccak256 } from "../../lib/channels/nativeKeccak.ts";
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
    // 1,000 transfers per round (~7 s): shorter on-chain rounds varied by ±20 % between rounds.
    onchain: ctx.quick ? 40 : 1_000,
    offchain: ctx.quick ? 500 : 5_000,
    pipeline: ctx.quick ? 2_000 : 20_000,
    /** Interleaved rounds of on-chain, pipeline and single-thread measurements (best and median reported). */
    rounds: ctx.quick ? 1 : 5,
    offchainJs: ctx.quick ? 50 : 500,
    roundTrips: ctx.quick ? 50 : 500,
    fsync: ctx.quick ? 50 : 300,
    /** Signatures and recoveries timed per round for the crypto ceiling. */
    ceilingOps: ctx.quick ? 200 : 3_000,
  };
  const loadAverageAtStart = Number(os.loadavg()[0].toFixed(2));
  ctx.log(`load average (1 min) at start: ${loadAverageAtStart} on ${os.cpus().length} cores`);
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
    const transferData = encodeFunctionData({ abi: paymentTokenAbi, functionName: "transfer", args: [bob, 1n] });
    const sendTransfer = async () => {
      const hash = await wallet.sendTransaction({ account: alice, to: token, data: transferData, gas: 100_000n });
      const r = await receipt(hash);
      if (r.status !== "success") throw new Error("transfer reverted");
    };
    for (let i = 0; i < 10; i++) await sendTransfer(); // warm-up

    // ------------------------------------------------------------------- off-chain
    const channelId = 1_000_000n; // off-chain only: never opened on-chain, the contract is only the domain
    // The fastest secp256k1 available: libsecp256k1 (optional native module) or viem's noble (JS).
    // Keccak-256 of the digests: libkeccak (optional native module keccak) or viem's noble (JS).
    const native = { signer: nativePrivateKeySigner(KEYS[1]), verifier: nativeVerifier(), digest: nativeBalanceProofDigest };
    const js = { signer: privateKeySigner(KEYS[1]), verifier: viemVerifier, digest: balanceProofDigest };
    const best =
      native.signer && native.verifier
        ? { ...native, name: `libsecp256k1 (native, optional dependency secp256k1); keccak ${KECCAK_NAME}` }
        : { ...js, name: "viem/noble (JavaScript)" };
    const measurePayments = async (
      count: number,
      fsync: boolean,
      payer: ChannelSigner,
      verify: SignatureVerifier,
      label: string,
      digest: typeof balanceProofDigest = best.digest,
    ) => {
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
        if (!(await verify(digest(domain, proof), signature, payer.address))) throw new Error("bad signature");
        store.put("channel", { rev: Number(proof.nonce), proof: toStoredProof(proof), sig: signature });
      };
      for (let i = 0; i < 20; i++) await onePayment(); // warm-up
      const result = await opsPerSecond(count, onePayment);
      store.close();
      return result;
    };
    // The machine is shared (other processes take CPU at random moments): measure in interleaved
    // rounds — on-chain, pipeline, single thread, again — so all three see the same conditions,
    // and report the best round of each (their capability) and the median, with every round listed.
    const rounds: {
      onchain: number[];
      pipeline: number[];
      pipelineNoHelper: number[];
      singleThread: number[];
      load: number[];
      ceiling: CryptoCeiling[];
    } = {
      onchain: [],
      pipeline: [],
      pipelineNoHelper: [],
      singleThread: [],
      load: [],
      ceiling: [],
    };
    let pipelineDetail: Awaited<ReturnType<typeof measurePipeline>> | undefined;
    let noHelperDetail: Awaited<ReturnType<typeof measurePipeline>> | undefined;
    for (let r = 0; r < n.rounds; r++) {
      rounds.load.push(Number(os.loadavg()[0].toFixed(2)));
      const tag = n.rounds > 1 ? ` (round ${r + 1}/${n.rounds}, load ${rounds.load[r]})` : "";
      ctx.log(`on-chain${tag}: ${n.onchain} ERC-20 transfers, one at a time, each waiting for its receipt`);
      const onchainRound = await opsPerSecond(n.onchain, sendTransfer);
      rounds.onchain.push(onchainRound.perSec);
      ctx.log(`on-chain${tag}: ${round(onchainRound.perSec)} transfers/s`);
      ctx.log(
        `off-chain pipeline${tag}: ${n.pipeline} payments, payer thread signs → payee thread verifies + stores + acknowledges, payee's helper verifier: ${PIPELINE_HELPER} (${best.name})`,
      );
      const p = await measurePipeline({
        count: n.pipeline,
        chainId: node.chainId,
        contract: channels,
        payerKey: KEYS[1],
        storeDir: path.join(tmp, `pipeline-payee-${r}`),
      });
      rounds.pipeline.push(p.perSec);
      if (!pipelineDetail || p.perSec > pipelineDetail.perSec) pipelineDetail = p;
      ctx.log(
        `off-chain pipeline${tag}: ${round(p.perSec)} payments/s (payer busy ${round(p.payerBusyShare * 100)}%, payee busy ${round(p.payeeBusyShare * 100)}% of the time; CPU µs per payment: payer thread ${round(p.cpuMicrosPerPayment.payerThread)} (hosting the payee's helper verifier), payee thread ${round(p.cpuMicrosPerPayment.payeeThread)}; crypto ${p.crypto})`,
      );
      // For comparison: the same pipeline with every signature checked on the payee thread itself.
      const alone = await measurePipeline({
        count: n.pipeline,
        chainId: node.chainId,
        contract: channels,
        payerKey: KEYS[1],
        storeDir: path.join(tmp, `pipeline-alone-payee-${r}`),
        helper: "none",
      });
      rounds.pipelineNoHelper.push(alone.perSec);
      if (!noHelperDetail || alone.perSec > noHelperDetail.perSec) noHelperDetail = alone;
      ctx.log(
        `off-chain pipeline, no helper verifier${tag}: ${round(alone.perSec)} payments/s (payer busy ${round(alone.payerBusyShare * 100)}%, payee busy ${round(alone.payeeBusyShare * 100)}%; CPU µs per payment: payer thread ${round(alone.cpuMicrosPerPayment.payerThread)}, payee thread ${round(alone.cpuMicrosPerPayment.payeeThread)})`,
      );
      ctx.log(`off-chain single thread${tag}: ${n.offchain} payments (sign, then verify + durable store) with ${best.name}`);
      const single = await measurePayments(n.offchain, false, best.signer!, best.verifier!, `best-${r}`);
      rounds.singleThread.push(single.perSec);
      ctx.log(`off-chain single thread${tag}: ${round(single.perSec)} payments/s`);
      const c = measureCryptoCeiling(n.ceilingOps);
      if (c) {
        rounds.ceiling.push(c);
        ctx.log(
          `crypto ceiling${tag}: libsecp256k1 sign ${round(c.signMicros, 1)} µs + recover ${round(c.recoverMicros, 1)} µs (verify ${round(c.verifyMicros, 1)} µs) per payment → at most ${round(c.paymentsPerSec)} payments/s on ${c.cores} cores = ${round(c.paymentsPerSec / onchainRound.perSec)}× this round's on-chain rate`,
        );
      }
    }
    const bestOf = (xs: number[]) => Math.max(...xs);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const onchain = { perSec: bestOf(rounds.onchain) };
    const pipeline = { ...pipelineDetail!, perSec: bestOf(rounds.pipeline) };
    const offchain = { perSec: bestOf(rounds.singleThread) };
    ctx.log(`off-chain: ${n.offchainJs} payments with viem/noble (JavaScript) for reference`);
    const offchainJs = await measurePayments(n.offchainJs, false, js.signer, js.verifier, "js", js.digest);
    ctx.log(`off-chain (JavaScript crypto): ${round(offchainJs.perSec)} payments/s`);
    ctx.log(`off-chain: ${n.fsync} payments with fdatasync per store`);
    const offchainFsync = await measurePayments(n.fsync, true, best.signer!, best.verifier!, "fsync");

    ctx.log(`off-chain: ${n.roundTrips} full protocol round trips (pay → receive → confirm)`);
    const rtClient = (key: Hex, dir: string) =>
      new ChannelClient({
        signer: nativePrivateKeySigner(key) ?? privateKeySigner(key),
        verifier: nativeVerifier() ?? viemVerifier,
        digest: nativeVerifier() ? nativeBalanceProofDigest : balanceProofDigest,
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

    const ratio = pipeline.perSec / onchain.perSec;
    // The round with the cheapest crypto (least disturbed by other processes) bounds best.
    const ceiling = rounds.ceiling.length ? rounds.ceiling.reduce((a, b) => (b.paymentsPerSec > a.paymentsPerSec ? b : a)) : null;
    const ratioSingleThread = offchain.perSec / onchain.perSec;
    const ratioMedian = median(rounds.pipeline) / median(rounds.onchain);
    ctx.log(
      `ratio off-chain (pipeline)/on-chain: ${round(ratio)}× best of ${n.rounds}, ${round(ratioMedian)}× median (goal ≥ 100×); single thread: ${round(ratioSingleThread)}×`,
    );
    return {
      offchainPaymentsPerSec: round(pipeline.perSec),
      onchainTransfersPerSec: round(onchain.perSec),
      ratio: round(ratio, 2),
      ratioBasis:
        "offchainPaymentsPerSec / onchainTransfersPerSec, same run, each the best of `rounds` interleaved rounds: offchainPaymentsPerSec is the pipeline of one process on two worker threads = this machine's two cores (payer thread signs; payee thread verifies, checks order, stores and acknowledges; 1 batch in `pipeline.helperEvery` is verified by the payee's helper verifier hosted on the payer thread, `pipeline.helperVerifier`), payer and payee working in parallel as on two machines; offchainPaymentsPerSecPipelineNoHelper is the same with every signature checked on the payee thread",
      ratioMedian: round(ratioMedian, 2),
      offchainPaymentsPerSecSingleThread: round(offchain.perSec),
      offchainPaymentsPerSecPipelineNoHelper: round(bestOf(rounds.pipelineNoHelper)),
      pipelineNoHelperCpuMicrosPerPayment: noHelperDetail
        ? Object.fromEntries(Object.entries(noHelperDetail.cpuMicrosPerPayment).map(([k, v]) => [k, round(v, 2)]))
        : null,
      ratioSingleThread: round(ratioSingleThread, 2),
      cryptoCeiling: ceiling && {
        signMicros: round(ceiling.signMicros, 2),
        recoverMicros: round(ceiling.recoverMicros, 2),
        verifyMicros: round(ceiling.verifyMicros, 2),
        cores: ceiling.cores,
        paymentsPerSec: round(ceiling.paymentsPerSec),
        ratio: round(ceiling.paymentsPerSec / onchain.perSec, 2),
        paymentsPerSecWithVerify: round(ceiling.paymentsPerSecWithVerify),
        ratioWithVerify: round(ceiling.paymentsPerSecWithVerify / onchain.perSec, 2),
        basis:
          "an upper bound, not a measurement of the protocol: every payment needs at least one ECDSA signature (payer) and one check of it (payee), nothing else; cores × 1e6 / (sign µs + recover µs) with libsecp256k1 timed on one thread in the same rounds (best round), as if hashing, messaging, ordering and storing were free and both cores were busy all the time. ratio divides by the best on-chain round. *WithVerify: the same with ecdsaVerify against a known key instead of recovery (which does not check v)",
      },
      rounds: {
        onchainTransfersPerSec: rounds.onchain.map((x) => round(x)),
        offchainPaymentsPerSecPipeline: rounds.pipeline.map((x) => round(x)),
        offchainPaymentsPerSecPipelineNoHelper: rounds.pipelineNoHelper.map((x) => round(x)),
        offchainPaymentsPerSecSingleThread: rounds.singleThread.map((x) => round(x)),
        loadAverage1mAtRoundStart: rounds.load,
        cryptoCeilingPaymentsPerSec: rounds.ceiling.map((c) => round(c.paymentsPerSec)),
      },
      pipeline: {
        payments: n.pipeline,
        batch: PIPELINE_BATCH,
        window: PIPELINE_WINDOW,
        helperVerifier: pipeline.helper,
        helperEvery: pipeline.helperEvery,
        crypto: pipeline.crypto,
        payerBusyShare: round(pipeline.payerBusyShare, 3),
        payeeBusyShare: round(pipeline.payeeBusyShare, 3),
        cpuMicrosPerPayment: Object.fromEntries(Object.entries(pipeline.cpuMicrosPerPayment).map(([k, v]) => [k, round(v, 2)])),
        ms: round(pipeline.ms),
        note: "busy shares (wall time in the thread's handlers / phase time), CPU µs per payment of each thread (process.threadCpuUsage over the measured phase) and ms of the best round; cores ÷ cpuMicrosPerPayment.total bounds what an otherwise idle machine could do",
      },
      offchainCrypto: best.name,
      offchainPaymentsPerSecJsCrypto: round(offchainJs.perSec),
      ratioJsCrypto: round(offchainJs.perSec / onchain.perSec, 2), // single thread, JS crypto, one round
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
          "ONE process, worker threads: the payer thread signs each next EIP-712 BalanceProof (libsecp256k1) and streams it over a MessagePort in batches of `pipeline.batch`, at most `pipeline.window` unacknowledged; the payee thread numbers the batches and checks their signatures itself, except 1 batch in `pipeline.helperEvery`, which it hands to its helper verifier (`pipeline.helperVerifier`: \"payer-thread\" = a verifier object of the payee's — own verifier, own key cache, answering only the payee over its own MessagePort — hosted on the payer's thread between the payer's batches, since the payer's core has time to spare; \"thread\" = a third thread; \"none\" = no helper) (per payment: rebuild the state from what arrived, recompute its EIP-712 digest, verify with the product verifier nativeBytesVerifier — strict 65 bytes, v 27/28, low s, public key recovered with the given v and compared with the payer's key learned once from the first proof and checked against its address); then, strictly in order and only once checked, the payee checks nonce = previous + 1 and a growing cumulative amount, writes the newest verified signed state of the batch to the JsonFileStore journal (one write(2), no fsync; it supersedes every earlier state of the channel: amounts are cumulative and the contract takes the highest nonce) and only then acknowledges cumulatively; timed from the first signature to the last acknowledgement",
        offchainSingleThread:
          "the same per-payment work on one thread, one payment after another: sign, then recompute the digest, verify and append to the journal (one write(2) per payment, no fsync)",
        hashing: "EIP-712 digests (precomputed type hash and domain separator, struct encoding and 0x1901 input in reused buffers, two keccaks) with native Keccak-256 (optional dependency keccak) when installed, else viem's; the JS-crypto figure uses viem for both keccak and secp256k1",
        changes:
          "until 2026-11-25 (H18) the payee verified on its own thread only, recovered an uncompressed key per proof and journalled every payment's state (one write per batch); now: 1 batch in 6 verified by the payee's helper verifier hosted on the payer thread, compressed recovery compared with the learned key, newest state per batch journalled, reused digest buffers",
      },
      loadAverageAtStart,
      machine: machineInfo(),
      timestamp: new Date().toISOString(),
    };
  } finally {
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ crypto ceiling

interface CryptoCeiling {
  signMicros: number;
  recoverMicros: number;
  verifyMicros: number;
  cores: number;
  /** cores / (sign + recover): what the machine could do if everything but the two signature operations were free. */
  paymentsPerSec: number;
  paymentsPerSecWithVerify: number;
}

/**
 * Times libsecp256k1's ecdsaSign, ecdsaRecover and ecdsaVerify on this thread over `ops` distinct
 * digests (null without the native module): the floor of a payment's CPU cost, since each payment is
 * one signature by the payer and one check by the payee.
 */
function measureCryptoCeiling(ops: number): CryptoCeiling | null {
  const native = loadNativeSecp256k1();
  if (!native) return null;
  const key = Buffer.from(KEYS[1].slice(2), "hex");
  const digests = Array.from({ length: ops }, (_, i) => Buffer.from(keccak256(toHex(i)).slice(2), "hex"));
  const micros = (start: bigint) => Number(process.hrtime.bigint() - start) / 1_000 / ops;
  for (let i = 0; i < 100; i++) native.ecdsaSign(digests[i % ops], key); // warm-up
  let t = process.hrtime.bigint();
  const sigs = digests.map((d) => native.ecdsaSign(d, key));
  const signMicros = micros(t);
  t = process.hrtime.bigint();
  const publicKey = native.ecdsaRecover(sigs[0].signature, sigs[0].recid, digests[0], true);
  for (let i = 0; i < ops; i++) native.ecdsaRecover(sigs[i].signature, sigs[i].recid, digests[i], true);
  const recoverMicros = micros(t);
  t = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) if (!native.ecdsaVerify(sigs[i].signature, digests[i], publicKey)) throw new Error("ceiling: bad signature");
  const verifyMicros = micros(t);
  const cores = os.cpus().length;
  return {
    signMicros,
    recoverMicros,
    verifyMicros,
    cores,
    paymentsPerSec: (cores * 1e6) / (signMicros + recoverMicros),
    paymentsPerSecWithVerify: (cores * 1e6) / (signMicros + verifyMicros),
  };
}

// ------------------------------------------------------------------ off-chain pipeline (threads)

/** Which Keccak-256 the off-chain digests use (reported in the results). */
const KECCAK_NAME = loadNativeKeccak256() ? "libkeccak (native, optional dependency keccak)" : "viem/noble (JavaScript)";

/** Payments per message from the payer thread to the payee thread. */
const PIPELINE_BATCH = 64;
/** Most payments the payer may have sent without an acknowledgement. */
const PIPELINE_WINDOW = 1_024;
/**
 * Where the payee's helper verifier runs (signature checks of different payments are independent;
 * what must be sequential — nonce + 1, growing amount, store, ack — stays on the payee thread, in
 * order):
 *  - "none": the payee thread checks every signature itself (payee ≈ 65 µs CPU per payment, payer
 *    ≈ 45 µs: the payee is the bottleneck and the payer's core idles a third of the time);
 *  - "thread": a third thread, 1 batch in `helperEvery` (3 threads on a 2-core machine);
 *  - "payer-thread": a verifier object of the PAYEE's (its own verifier, its own key cache; it only
 *    answers the payee) hosted on the payer's thread, which has CPU to spare — 1 batch in
 *    `helperEvery`, so both threads (= both cores) do about the same work.
 */
export type PipelineHelper = "none" | "thread" | "payer-thread";
export const PIPELINE_HELPER: PipelineHelper = "payer-thread";
/**
 * 1 batch in N goes to the helper. "payer-thread": per payment the payer thread spends ≈ 47 µs
 * signing and the payee thread ≈ 61 µs verifying + ≈ 5 µs committing; with 1 in 6 both come to
 * ≈ 56 µs (measured with process.threadCpuUsage, see `pipeline.cpuMicrosPerPayment`).
 */
export const PIPELINE_HELPER_EVERY: Record<PipelineHelper, number> = { none: 0, thread: 2, "payer-thread": 6 };
const PIPELINE_CHANNEL_ID = 2_000_000n;
const PIPELINE_AMOUNT_WEI = 1_000n;

interface PipelineSetup {
  role: "payer" | "payee" | "verifier";
  /** payer: to the payee; payee: to the payer; verifier: to the payee. */
  port: MessagePort;
  /** payee: to its helper verifier; payer: to the payee, for the helper verifier it hosts; else null. */
  helperPort: MessagePort | null;
  /** payee: 1 batch in `helperEvery` goes to the helper (0: none). */
  helperEvery: number;
  /** payer: payments per message, most payments unacknowledged. */
  batch: number;
  window: number;
  chainId: number;
  contract: Address;
  payerKey: Hex;
  payerAddress: Address;
  storeDir: string;
  /** Nonces at which the payee reports a phase done. */
  targets: bigint[];
}
/** One payment on the wire: the new state's nonce and cumulative amount, and the payer's signature of it. */
type WirePayment = { nonce: bigint; transferredWei: bigint; signature: Hex };
/** payer → payee: consecutive payments. */
type PaymentBatch = WirePayment[];
/** payee → payer: everything up to `nonce` is verified and stored; or why the payee stopped. */
type PipelineAck = { nonce: bigint } | { error: string };
/** payee → helper: verify these; helper → payee: index of the first payment whose signature is bad (−1: none). */
type VerifyRequest = { seq: number; batch: PaymentBatch };
type VerifyResult = { seq: number; badIndex: number };
/** main → payer: sign and send up to nonce `untilNonce`; main → any: report CPU time, or stop. */
type PipelineCommand = { phase: "run"; untilNonce: bigint } | { phase: "cpu" } | { phase: "stop" };
/** threads → main: a phase is done (payee: `busyMs` is cumulative); this thread's CPU time so far; or why a thread stopped. */
type PipelineReport =
  | { kind: "phase"; ms: number; busyMs: number; crypto: string }
  | { kind: "cpu"; cpuMicros: number }
  | { kind: "error"; error: string };

const PIPELINE_WARMUP = 500;

/** CPU time (user + system) this thread has used, µs. */
const threadCpuMicros = () => {
  const { user, system } = process.threadCpuUsage();
  return user + system;
};

/**
 * Run the pipeline in worker threads of this process (this module, loaded as a worker): a payer and
 * a payee, and the payee's helper verifier per `helper` (default PIPELINE_HELPER: on the payer's
 * thread; "thread": a third thread; "none": no helper). Returns payments/s of the
 * measured phase (after a warm-up phase of PIPELINE_WARMUP payments) and the CPU time each thread
 * spent per payment in it.
 */
export async function measurePipeline(options: {
  count: number;
  chainId: number;
  contract: Address;
  payerKey: Hex;
  storeDir: string;
  helper?: PipelineHelper;
  helperEvery?: number;
  batch?: number;
  window?: number;
}) {
  const helper = options.helper ?? PIPELINE_HELPER;
  const helperEvery = helper === "none" ? 0 : (options.helperEvery ?? PIPELINE_HELPER_EVERY[helper]);
  const { port1, port2 } = new MessageChannel();
  const helperChannel = helper === "none" ? null : new MessageChannel();
  const payerAddress = privateKeySigner(options.payerKey).address;
  // The payee reports when it has stored each phase's last payment.
  const targets = [BigInt(PIPELINE_WARMUP), BigInt(PIPELINE_WARMUP + options.count)];
  const common = { chainId: options.chainId, contract: options.contract, payerKey: options.payerKey, payerAddress, storeDir: options.storeDir, targets, helperEvery, batch: options.batch ?? PIPELINE_BATCH, window: options.window ?? PIPELINE_WINDOW };
  const start = (role: PipelineSetup["role"], port: MessagePort, helperPort: MessagePort | null) =>
    new Worker(new URL(import.meta.url), {
      workerData: { powerlanChannelsPipeline: { ...common, role, port, helperPort } satisfies PipelineSetup },
      transferList: helperPort ? [port, helperPort] : [port],
    });
  const payer = start("payer", port1, helper === "payer-thread" ? helperChannel!.port2 : null);
  const payee = start("payee", port2, helperChannel?.port1 ?? null);
  const helpers = helper === "thread" ? [start("verifier", helperChannel!.port2, null)] : [];
  const all = [payer, payee, ...helpers];
  const exited = all.map((w) => new Promise((resolve) => w.once("exit", resolve)));
  // Every report a thread sends, in order; `next` takes the next one of a kind. A failure of any
  // thread fails every wait (the payee also tells the payer, which stops sending).
  const inboxes = new Map<Worker, PipelineReport[]>();
  let failure: Error | null = null;
  let waiters: (() => void)[] = [];
  const notify = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  all.forEach((w, i) => {
    const name = ["payer", "payee", "helper verifier"][i];
    inboxes.set(w, []);
    w.on("message", (m: PipelineReport) => {
      if (m.kind === "error") failure ??= new Error(`pipeline ${name}: ${m.error}`);
      else inboxes.get(w)!.push(m);
      notify();
    });
    w.on("error", (error) => {
      failure ??= error;
      notify();
    });
  });
  const next = async <K extends "phase" | "cpu">(w: Worker, kind: K): Promise<Extract<PipelineReport, { kind: K }>> => {
    const inbox = inboxes.get(w)!;
    for (;;) {
      if (failure) throw failure;
      const i = inbox.findIndex((r) => r.kind === kind);
      if (i >= 0) return inbox.splice(i, 1)[0] as Extract<PipelineReport, { kind: K }>;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const cpuOfAll = async () => {
    for (const w of all) w.postMessage({ phase: "cpu" } satisfies PipelineCommand);
    return Promise.all(all.map(async (w) => (await next(w, "cpu")).cpuMicros));
  };
  const phase = async (untilNonce: bigint) => {
    payer.postMessage({ phase: "run", untilNonce } satisfies PipelineCommand);
    const [p, q] = await Promise.all([next(payer, "phase"), next(payee, "phase")]);
    return { payer: p, payee: q };
  };
  try {
    const warm = await phase(targets[0]); // warm-up: JIT, native modules, the payer's public key, journal file
    const cpuBefore = await cpuOfAll();
    const { payer: p, payee: q } = await phase(targets[1]);
    const cpuAfter = await cpuOfAll();
    const perPayment = cpuAfter.map((after, i) => (after - cpuBefore[i]) / options.count);
    const helpersCpu = perPayment.slice(2).reduce((a, b) => a + b, 0);
    return {
      perSec: (options.count * 1000) / p.ms,
      ms: p.ms,
      helper,
      helperEvery,
      payerBusyShare: p.busyMs / p.ms,
      payeeBusyShare: (q.busyMs - warm.payee.busyMs) / p.ms,
      cpuMicrosPerPayment: {
        /** The payer's signing, plus the hosted helper verifier's checks when helper = "payer-thread". */
        payerThread: perPayment[0],
        payeeThread: perPayment[1],
        helperThread: helpersCpu,
        total: perPayment.reduce((a, b) => a + b, 0),
      },
      crypto: p.crypto === q.crypto ? p.crypto : `payer ${p.crypto}, payee ${q.crypto}`,
    };
  } finally {
    for (const w of all) w.postMessage({ phase: "stop" } satisfies PipelineCommand);
    const timeout = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    await Promise.race([Promise.all(exited), timeout]);
    await Promise.all(all.map((w) => w.terminate()));
  }
}

/** Answer main's CPU-time question (any thread; they are idle between phases when main asks). */
function answerCpu(control: MessagePort) {
  control.postMessage({ kind: "cpu", cpuMicros: threadCpuMicros() } satisfies PipelineReport);
}

/** The payer thread: sign the next proof, send in batches, never more than the window ahead. */
function pipelinePayer(setup: PipelineSetup, control: MessagePort) {
  // The payee's helper verifier, if it lives on this thread: it runs between the payer's batches.
  if (setup.helperPort) serveVerification(setup, setup.helperPort);
  const yieldToHelper = setup.helperPort ? () => new Promise<void>((resolve) => setImmediate(resolve)) : null;
  const native = nativePrivateKeySigner(setup.payerKey);
  const signer = native ?? privateKeySigner(setup.payerKey);
  const crypto = native ? `libsecp256k1 (native), keccak ${KECCAK_NAME}` : "viem/noble (JavaScript)";
  const domain = channelsDomain(setup.chainId, setup.contract);
  const window = BigInt(setup.window);
  let nonce = 0n;
  let acked = 0n;
  let failure: string | null = null;
  let wake: (() => void) | null = null;
  setup.port.on("message", (ack: PipelineAck) => {
    if ("error" in ack) failure = ack.error;
    else if (ack.nonce > acked) acked = ack.nonce;
    wake?.();
  });
  const nextAck = () => new Promise<void>((resolve) => (wake = resolve));
  control.on("message", async (command: PipelineCommand) => {
    if (command.phase === "cpu") return answerCpu(control);
    if (command.phase === "stop") {
      setup.port.close();
      setup.helperPort?.close();
      control.close();
      return;
    }
    try {
      const last = command.untilNonce;
      let busyMs = 0;
      const t0 = performance.now();
      while (acked < last) {
        if (failure) throw new Error(failure);
        const busyFrom = performance.now();
        while (nonce < last && nonce - acked < window) {
          const batch: PaymentBatch = [];
          while (batch.length < setup.batch && nonce < last) {
            nonce += 1n;
            const transferredWei = nonce * PIPELINE_AMOUNT_WEI;
            const proof: BalanceProof = { channelId: PIPELINE_CHANNEL_ID, nonce, transferredAToBWei: transferredWei, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
            batch.push({ nonce, transferredWei, signature: await signer.signBalanceProof(domain, proof) });
          }
          setup.port.postMessage(batch);
          // Let the hosted helper answer the payee's requests (they wait for the event loop).
          if (yieldToHelper) await yieldToHelper();
        }
        busyMs += performance.now() - busyFrom;
        if (acked < last && !failure) await nextAck();
      }
      control.postMessage({ kind: "phase", ms: performance.now() - t0, busyMs, crypto } satisfies PipelineReport);
    } catch (error) {
      control.postMessage({ kind: "error", error: error instanceof Error ? error.message : String(error) } satisfies PipelineReport);
    }
  });
}

/**
 * The payee's signature check of one batch, on whichever thread runs it: per payment rebuild the
 * state from what arrived, recompute its EIP-712 digest and verify the payer's signature with the
 * product's verifier (nativeCrypto.ts: strict 65 bytes, v 27/28, low s, recovery compared with the
 * payer's learned public key; viem's strict verifier without the native module). Returns the index
 * of the first payment whose signature is not the payer's, or −1.
 */
function batchSignatureChecker(setup: PipelineSetup): { check: (batch: PaymentBatch) => Promise<number>; crypto: string } {
  const domain = channelsDomain(setup.chainId, setup.contract);
  const proofOf = (p: WirePayment): BalanceProof => ({
    channelId: PIPELINE_CHANNEL_ID,
    nonce: p.nonce,
    transferredAToBWei: p.transferredWei,
    transferredBToAWei: 0n,
    locksRoot: ZERO_ROOT,
  });
  const native = nativeBytesVerifier();
  if (native) {
    return {
      crypto: `libsecp256k1 (native), keccak ${KECCAK_NAME}`,
      check: async (batch) => {
        for (let i = 0; i < batch.length; i++) {
          const sig = signatureBytes(batch[i].signature);
          if (!sig || !native(nativeBalanceProofDigestBytes(domain, proofOf(batch[i])), sig, setup.payerAddress)) return i;
        }
        return -1;
      },
    };
  }
  return {
    crypto: "viem/noble (JavaScript)",
    check: async (batch) => {
      for (let i = 0; i < batch.length; i++) {
        if (!(await viemVerifier(balanceProofDigest(domain, proofOf(batch[i])), batch[i].signature, setup.payerAddress))) return i;
      }
      return -1;
    },
  };
}

/** The payee's helper verifier: checks the signatures of the batches the payee hands it over `port`, in order. */
function serveVerification(setup: PipelineSetup, port: MessagePort) {
  const { check } = batchSignatureChecker(setup);
  let queue = Promise.resolve();
  port.on("message", (request: VerifyRequest) => {
    queue = queue.then(async () => {
      port.postMessage({ seq: request.seq, badIndex: await check(request.batch) } satisfies VerifyResult);
    });
  });
}

/** A helper verifier thread of its own. */
function pipelineVerifier(setup: PipelineSetup, control: MessagePort) {
  serveVerification(setup, setup.port);
  control.on("message", (command: PipelineCommand) => {
    if (command.phase === "cpu") return answerCpu(control);
    if (command.phase !== "stop") return;
    setup.port.close();
    control.close();
  });
}

/** What the payee stores for the channel: the newest signed state (its journal line) — the latest one wins in the map. */
type StoredPayment = { rev: number; proof: ReturnType<typeof toStoredProof>; sig: Hex };

/**
 * The payee thread. Batches are numbered as they arrive; batch k's signatures are checked by the
 * helper verifier when k mod helperEvery = helperEvery − 1, else right away on this thread. Batches
 * are then committed strictly in order, each only once its signatures are checked: per payment
 * nonce = previous + 1 and a growing cumulative amount, then the newest state of the batch goes to
 * the journal (one put = one write(2)) BEFORE the cumulative ack. Storing the newest state is the
 * durable record of every payment up to it: amounts are cumulative and the contract takes only the
 * highest nonce, so an older state of the same channel is never needed again (the keyed store
 * replaces it anyway).
 */
function pipelinePayee(setup: PipelineSetup, control: MessagePort) {
  const { check, crypto } = batchSignatureChecker(setup);
  const store = new JsonFileStore<StoredPayment>({
    dir: setup.storeDir,
    isNewer: (a, b) => a.rev > b.rev,
  });
  const key = `${setup.chainId}:${setup.contract.toLowerCase()}:${PIPELINE_CHANNEL_ID}`;
  const targets = [...setup.targets];
  let received = 0; // batches received so far (the next one's number)
  let committed = 0; // batches committed so far (the next one to commit)
  const pending = new Map<number, { batch: PaymentBatch; badIndex: number | null }>();
  let stored = 0n;
  let storedWei = 0n;
  let busyMs = 0;
  let failed = false;

  const fail = (message: string) => {
    failed = true;
    setup.port.postMessage({ error: message } satisfies PipelineAck);
    control.postMessage({ kind: "error", error: message } satisfies PipelineReport);
  };

  /** Commit every batch whose turn it is and whose signatures are checked. */
  const commitReady = () => {
    for (let entry = pending.get(committed); entry && entry.badIndex !== null && !failed; entry = pending.get(committed)) {
      pending.delete(committed);
      committed++;
      let newest: WirePayment | null = null;
      let error: string | null = null;
      for (let i = 0; i < entry.batch.length; i++) {
        const payment = entry.batch[i];
        if (i === entry.badIndex) error = `payment ${payment.nonce}: signature is not the payer's`;
        else if (payment.nonce !== stored + 1n) error = `nonce ${payment.nonce} after ${stored}`;
        else if (payment.transferredWei <= storedWei) error = `amount ${payment.transferredWei} does not grow`;
        if (error) break;
        stored = payment.nonce;
        storedWei = payment.transferredWei;
        newest = payment;
      }
      try {
        // Keep what was verified before a bad payment (nothing after it); then ack or stop.
        if (newest) {
          const proof: BalanceProof = { channelId: PIPELINE_CHANNEL_ID, nonce: newest.nonce, transferredAToBWei: newest.transferredWei, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
          if (!store.put(key, { rev: Number(newest.nonce), proof: toStoredProof(proof), sig: newest.signature })) error ??= "store refused a payment";
        }
      } catch (storeError) {
        error ??= `store: ${storeError instanceof Error ? storeError.message : String(storeError)}`;
      }
      if (error) return fail(error);
      setup.port.postMessage({ nonce: stored } satisfies PipelineAck);
      while (targets.length > 0 && stored >= targets[0]) {
        targets.shift();
        control.postMessage({ kind: "phase", ms: 0, busyMs, crypto } satisfies PipelineReport);
      }
    }
  };

  // One event at a time, in arrival order (the JavaScript checker awaits; the native one does not).
  let queue = Promise.resolve();
  const serially = (work: () => Promise<void> | void) => {
    queue = queue.then(async () => {
      if (failed) return;
      const busyFrom = performance.now();
      try {
        await work();
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error));
      } finally {
        busyMs += performance.now() - busyFrom;
      }
    });
  };
  setup.port.on("message", (batch: PaymentBatch) =>
    serially(async () => {
      const seq = received++;
      if (setup.helperPort && seq % setup.helperEvery === setup.helperEvery - 1) {
        pending.set(seq, { batch, badIndex: null });
        setup.helperPort.postMessage({ seq, batch } satisfies VerifyRequest);
      } else {
        pending.set(seq, { batch, badIndex: await check(batch) });
        commitReady();
      }
    }),
  );
  if (setup.helperPort) {
    setup.helperPort.on("message", (result: VerifyResult) =>
      serially(() => {
        const entry = pending.get(result.seq);
        if (!entry) throw new Error(`verifier result for unknown batch ${result.seq}`);
        entry.badIndex = result.badIndex;
        commitReady();
      }),
    );
  }
  control.on("message", (command: PipelineCommand) => {
    if (command.phase === "cpu") return answerCpu(control);
    if (command.phase !== "stop") return;
    store.close();
    setup.port.close();
    setup.helperPort?.close();
    control.close();
  });
}

// This module doubles as the pipeline's worker script (loaded by measurePipeline).
if (!isMainThread && parentPort && (workerData as { powerlanChannelsPipeline?: PipelineSetup } | null)?.powerlanChannelsPipeline) {
  const setup = (workerData as { powerlanChannelsPipeline: PipelineSetup }).powerlanChannelsPipeline;
  if (setup.role === "payer") pipelinePayer(setup, parentPort);
  else if (setup.role === "payee") pipelinePayee(setup, parentPort);
  else pipelineVerifier(setup, parentPort);
}
