/**
 * Watchtower (Node only): defends channel parties who are offline. Parties delegate their latest
 * both-signed states by letting the watchtower read their channel store (JsonFileStore, read-only).
 * The watchtower follows ChannelClosed and ChannelChallenged events from a durable cursor; whenever
 * a channel it holds a state for is Closing with an older nonce than the best delegated one, it
 * submits that state with `challenge` inside the challenge period, then unlocks the pending locks
 * that pay the delegating party and whose secret it knows.
 *
 * Restart-safe: the cursor (last fully processed block) and the set of channels still in their
 * challenge period live in a JSON state file written atomically after each poll. Events after the
 * cursor are processed again after a crash; every action first checks the chain and is
 * idempotent — a submission that fails because it is no longer needed (ChannelNonceTooLow,
 * ChannelChallengePeriodOver, ChannelNotClosing, ChannelLockAlreadyUnlocked) counts as done.
 */
import fs from "node:fs";
import {
  BaseError,
  ContractFunctionRevertedError,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { paymentChannelsAbi } from "../contracts/abis.ts";
import { CHANNEL_STATUS, fromStoredLock, fromStoredProof, recordIsNewer, type ChannelRecord, type SignedState } from "./client.ts";
import { LockTree } from "./htlc.ts";
import { JsonFileStore, writeFileAtomic } from "./store.ts";

export type LogFn = (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

/** One JSON object per line on stdout/stderr. */
export const jsonLog: LogFn = (level, msg, fields = {}) => {
  const line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }, (_k, v) =>
    typeof v === "bigint" ? v.toString() : v,
  );
  (level === "info" ? process.stdout : process.stderr).write(`${line}\n`);
};

export interface WatchtowerState {
  version: 1;
  chainId: number;
  contract: Address;
  /** Last block whose events were fully processed. */
  cursor: string;
  /** Channels seen closing (with a delegated state) whose challenge period may not be over: id → "pending". */
  watching: Record<string, string>;
  /** Counters, for logs and tests. */
  stats: { challenges: number; unlocks: number; alreadyDone: number };
}

export interface WatchtowerOptions {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain | undefined, Account | undefined>;
  /** The submitting account (pays gas). */
  account: Account | Address;
  contract: Address;
  chainId: number;
  /** Directories of delegated channel stores (opened read-only). */
  storeDirs: string[];
  /** The watchtower's state file (cursor, watched channels). */
  stateFile: string;
  /** Where to start on the first run (default: current block − 10,000, at least 0). */
  fromBlock?: bigint;
  /** Most blocks per getLogs request (default 2,000). */
  maxBlockRange?: bigint;
  log?: LogFn;
}

/** Errors that mean "someone already did it / nothing to do": the action counts as done. */
const DONE_ERRORS = new Set(["ChannelNonceTooLow", "ChannelChallengePeriodOver", "ChannelNotClosing", "ChannelLockAlreadyUnlocked"]);

export class Watchtower {
  private readonly o: WatchtowerOptions;
  private readonly log: LogFn;
  private readonly stores: JsonFileStore<ChannelRecord>[];
  state: WatchtowerState;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(options: WatchtowerOptions) {
    this.o = options;
    this.log = options.log ?? jsonLog;
    this.stores = options.storeDirs.map((dir) => new JsonFileStore<ChannelRecord>({ dir, readOnly: true, isNewer: recordIsNewer }));
    this.state = this.loadState();
  }

  private loadState(): WatchtowerState {
    if (fs.existsSync(this.o.stateFile)) {
      const s = JSON.parse(fs.readFileSync(this.o.stateFile, "utf8")) as WatchtowerState;
      if (s.chainId !== this.o.chainId || s.contract.toLowerCase() !== this.o.contract.toLowerCase()) {
        throw new Error(`${this.o.stateFile} belongs to chain ${s.chainId} / ${s.contract}, not ${this.o.chainId} / ${this.o.contract}`);
      }
      return s;
    }
    return {
      version: 1,
      chainId: this.o.chainId,
      contract: this.o.contract,
      cursor: "",
      watching: {},
      stats: { challenges: 0, unlocks: 0, alreadyDone: 0 },
    };
  }

  private saveState(): void {
    writeFileAtomic(this.o.stateFile, `${JSON.stringify(this.state, null, 2)}\n`);
  }

  /** The best (highest-nonce) delegated state of a channel, with the record it came from. */
  bestState(channelId: bigint): { record: ChannelRecord; state: SignedState } | null {
    let best: { record: ChannelRecord; state: SignedState } | null = null;
    for (const store of this.stores) {
      for (const record of store.values()) {
        if (record.chainId !== this.o.chainId || record.contract.toLowerCase() !== this.o.contract.toLowerCase()) continue;
        if (record.channelId !== channelId.toString() || !record.latest) continue;
        if (!best || BigInt(record.latest.proof.nonce) > BigInt(best.state.proof.nonce)) best = { record, state: record.latest };
      }
    }
    return best;
  }

  /** One pass: reload delegations, read new events, defend every closing channel we watch. */
  async pollOnce(): Promise<void> {
    for (const store of this.stores) store.reload();
    const head = await this.o.publicClient.getBlockNumber({ cacheTime: 0 });
    const maxRange = this.o.maxBlockRange ?? 2_000n;
    let from =
      this.state.cursor === ""
        ? (this.o.fromBlock ?? (head > 10_000n ? head - 10_000n : 0n))
        : BigInt(this.state.cursor) + 1n;
    while (from <= head && !this.stopping) {
      const to = from + maxRange - 1n < head ? from + maxRange - 1n : head;
      const logs = await this.o.publicClient.getContractEvents({
        address: this.o.contract,
        abi: paymentChannelsAbi,
        fromBlock: from,
        toBlock: to,
      });
      for (const log of logs) {
        if (log.eventName === "ChannelClosed" || log.eventName === "ChannelChallenged") {
          const channelId = log.args.channelId as bigint;
          if (this.bestState(channelId)) {
            this.log("info", "channel closing", { event: log.eventName, channelId, block: log.blockNumber, nonce: log.args.nonce });
            this.state.watching[channelId.toString()] = "pending";
          }
        }
      }
      this.state.cursor = to.toString();
      from = to + 1n;
    }
    for (const id of Object.keys(this.state.watching)) {
      if (this.stopping) break;
      const done = await this.defend(BigInt(id));
      if (done) delete this.state.watching[id];
    }
    this.saveState();
  }

  /**
   * Make sure channel `channelId` settles on the best delegated state. Returns true when there is
   * nothing more to watch (settled, or challenge period over).
   */
  async defend(channelId: bigint): Promise<boolean> {
    const c = await this.read(channelId);
    if (c.status !== CHANNEL_STATUS.Closing) return true; // settled or never closed
    const block = await this.o.publicClient.getBlockNumber({ cacheTime: 0 });
    // A transaction sent now lands in block + 1 at the earliest: too late once block ≥ deadline.
    if (block >= c.challengeDeadlineBlock) return true;
    const best = this.bestState(channelId);
    if (!best) return true;
    if (BigInt(best.state.proof.nonce) > c.nonce) {
      const ok = await this.submit("challenge", [fromStoredProof(best.state.proof), best.state.sigA, best.state.sigB], {
        channelId,
        onChainNonce: c.nonce,
        nonce: best.state.proof.nonce,
      });
      if (ok === "sent") this.state.stats.challenges++;
    }
    // Unlock the locks of the recorded state that pay the delegating party and whose secret we know.
    const now = await this.read(channelId);
    if (now.status === CHANNEL_STATUS.Closing && BigInt(best.state.proof.nonce) === now.nonce) {
      const locks = best.state.locks.map(fromStoredLock);
      const tree = new LockTree(locks);
      for (const lock of locks) {
        const secret = best.record.secrets[lock.hashlock];
        if (!secret || lock.sender.toLowerCase() === best.record.me.toLowerCase()) continue;
        const unlocked = await this.o.publicClient.readContract({
          address: this.o.contract,
          abi: paymentChannelsAbi,
          functionName: "isLockUnlocked",
          args: [channelId, await this.leaf(lock)],
        });
        if (unlocked) continue;
        const ok = await this.submit("unlock", [channelId, lock, secret, tree.proof(lock)], { channelId, hashlock: lock.hashlock });
        if (ok === "sent") this.state.stats.unlocks++;
      }
    }
    return false; // keep watching until the period is over (a newer stale challenge may come)
  }

  private leaf(lock: ReturnType<typeof fromStoredLock>): Promise<Hex> {
    return this.o.publicClient.readContract({ address: this.o.contract, abi: paymentChannelsAbi, functionName: "lockLeaf", args: [lock] });
  }

  private read(channelId: bigint) {
    return this.o.publicClient.readContract({ address: this.o.contract, abi: paymentChannelsAbi, functionName: "getChannel", args: [channelId] });
  }

  /**
   * Send a transaction; "already done" reverts count as done. Returns "sent", "done" or throws.
   */
  async submit(functionName: "challenge" | "unlock", args: readonly unknown[], fields: Record<string, unknown>): Promise<"sent" | "done"> {
    try {
      const hash = await this.o.walletClient.writeContract({
        address: this.o.contract,
        abi: paymentChannelsAbi,
        functionName: functionName as never,
        args: args as never,
        account: this.o.account,
        chain: this.o.walletClient.chain,
      });
      const receipt = await this.o.publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`${functionName} reverted in ${hash}`);
      this.log("info", `${functionName} submitted`, { ...fields, tx: hash, gasUsed: receipt.gasUsed });
      return "sent";
    } catch (error) {
      const name = revertName(error);
      if (name && DONE_ERRORS.has(name)) {
        this.state.stats.alreadyDone++;
        this.log("info", `${functionName} not needed any more`, { ...fields, reason: name });
        return "done";
      }
      this.log("error", `${functionName} failed`, { ...fields, error: (error as Error).message.split("\n")[0] });
      throw error;
    }
  }

  /** Poll every `pollMs` until `stop()`; errors are logged and retried on the next poll. */
  async run(pollMs = 1_000): Promise<void> {
    this.log("info", "watchtower started", {
      contract: this.o.contract,
      chainId: this.o.chainId,
      stores: this.o.storeDirs.length,
      cursor: this.state.cursor || null,
    });
    while (!this.stopping) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.log("error", "poll failed", { error: (error as Error).message.split("\n")[0] });
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    this.saveState();
    this.log("info", "watchtower stopped", { cursor: this.state.cursor, stats: this.state.stats });
  }

  /** Ask `run` to finish its current poll and return. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }
}

/** The custom error name of a viem contract revert, if any. */
export function revertName(error: unknown): string | undefined {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) return revert.data?.errorName;
  }
  return undefined;
}
