/**
 * ChannelClient — one party's side of its payment channels (browser-safe: storage is injected).
 *
 * Off-chain protocol (one update = one new balance proof, nonce + 1):
 *   sender:   const update = await client.pay(channelId, amountWei)        // or lock / resolveLock / expireLocks
 *             → builds the next state, checks it can afford it, signs, stores it as "proposed"
 *   receiver: const ack = await client.receive(update)
 *             → checks it (only the sender's side moves, only forward, the sender can afford it,
 *               the locks root matches), verifies the sender's signature, countersigns, stores the
 *               both-signed state as latest
 *   sender:   await client.confirm(ack)  → verifies the countersignature, stores it as latest
 * Every state is stored before the message that depends on it leaves (restart-safe: a nonce is
 * never signed twice for different states).
 *
 * On-chain: open, deposit, cooperative close, unilateral close with the latest both-signed state,
 * challenge, unlock, settle, withdraw — through viem clients.
 */
import {
  bytesToHex,
  hexToBytes,
  parseEventLogs,
  recoverAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount, sign, serializeSignature } from "viem/accounts";
import { paymentChannelsAbi } from "../contracts/abis.ts";
import {
  channelsDomain,
  cooperativeCloseTypes,
  balanceProofTypes,
  domainSeparator,
  hashBalanceProofBytes,
  hashCooperativeClose,
  ZERO_ROOT,
  type BalanceProof,
  type ChannelsDomain,
} from "./eip712.ts";
import { LockTree, type Lock } from "./htlc.ts";
import { channelPayouts } from "./payouts.ts";

// ------------------------------------------------------------------------------ stored shapes

/** JSON-safe balance proof (amounts as decimal strings). */
export interface StoredProof {
  channelId: string;
  nonce: string;
  transferredAToBWei: string;
  transferredBToAWei: string;
  locksRoot: Hex;
}

export interface StoredLock {
  sender: Address;
  amountWei: string;
  expiryBlock: string;
  hashlock: Hex;
}

export interface SignedState {
  proof: StoredProof;
  /** Pending locks of this state (their tree has root proof.locksRoot). */
  locks: StoredLock[];
  sigA: Hex;
  sigB: Hex;
}

/** Everything a party keeps about one channel. */
export interface ChannelRecord {
  key: string;
  /** Increases on every write: the store keeps the highest (stale writes never roll back). */
  rev: number;
  chainId: number;
  contract: Address;
  channelId: string;
  partyA: Address;
  partyB: Address;
  /** The party this record belongs to. */
  me: Address;
  depositAWei: string;
  depositBWei: string;
  challengePeriodBlocks: string;
  /** Latest both-signed state (null: the initial state, nonce 0). */
  latest: SignedState | null;
  /** A state I signed and sent, still waiting for the counterparty's signature. */
  proposed: { proof: StoredProof; locks: StoredLock[]; sig: Hex } | null;
  /** Secrets I know, by hashlock (my invoices, or revealed to me). */
  secrets: Record<string, Hex>;
  /** Recent payments, newest last (bounded), for display. */
  history: { nonce: string; direction: "in" | "out"; amountWei: string; kind: UpdateKind; at: number }[];
}

/**
 * A keyed store of records that carry a revision: `put` keeps only a strictly newer revision
 * (returns false otherwise), so a late or replayed write never rolls a record back. The client's
 * channel records and the hub's entries both live in one (JsonFileStore in Node, localStorage or
 * memory in the browser).
 */
export interface RevStore<T extends { rev: number }> {
  get(key: string): T | undefined;
  put(key: string, record: T): boolean;
  values(): T[];
}

/** A RevStore that lives only in memory (tests, browser demos). */
export class MemoryRevStore<T extends { rev: number }> implements RevStore<T> {
  private readonly map = new Map<string, T>();
  get(key: string) {
    return this.map.get(key);
  }
  put(key: string, record: T) {
    const current = this.map.get(key);
    if (current && current.rev >= record.rev) return false;
    this.map.set(key, record);
    return true;
  }
  values() {
    return [...this.map.values()];
  }
}

/** `isNewer` for a JsonFileStore of revisioned records: the same rule as RevStore.put. */
export const revIsNewer = (candidate: { rev: number }, current: { rev: number }): boolean => candidate.rev > current.rev;

/** Where a client keeps its records. */
export type ChannelStateStore = RevStore<ChannelRecord>;

/** A channel store that lives only in memory (tests, browser demos). */
export class MemoryChannelStore extends MemoryRevStore<ChannelRecord> {}

/** `isNewer` for JsonFileStore<ChannelRecord>. */
export const recordIsNewer: (candidate: ChannelRecord, current: ChannelRecord) => boolean = revIsNewer;

// ------------------------------------------------------------------------------ messages

export type UpdateKind = "pay" | "lock" | "resolve" | "expire";

/** What the sender of an update sends to its counterparty. */
export interface ChannelUpdate {
  chainId: number;
  contract: Address;
  kind: UpdateKind;
  proof: BalanceProof;
  /** The full set of pending locks of the new state. */
  locks: Lock[];
  /** The sender's signature of `proof`. */
  signature: Hex;
}

/** PaymentChannels.ChannelStatus (the contract enum; `getChannel(id).status`). */
export const CHANNEL_STATUS = { None: 0, Open: 1, Closing: 2, Settled: 3 } as const;

/** The receiver's countersignature. */
export interface ChannelAck {
  chainId: number;
  contract: Address;
  proof: BalanceProof;
  signature: Hex;
}

export class ChannelRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChannelRejected";
  }
}

// ------------------------------------------------------------------------------ signing

/** Signs the two EIP-712 messages of a channel. */
export interface ChannelSigner {
  readonly address: Address;
  signBalanceProof(domain: ChannelsDomain, proof: BalanceProof): Promise<Hex>;
  signCooperativeClose(domain: ChannelsDomain, message: CooperativeCloseMessage): Promise<Hex>;
}

export interface CooperativeCloseMessage {
  channelId: bigint;
  payoutAWei: bigint;
  payoutBWei: bigint;
}

const separators = new Map<string, Hex>();
/** The domain separator of a domain, computed once. */
export function cachedSeparator(domain: ChannelsDomain): Hex {
  const key = `${domain.chainId}:${domain.verifyingContract.toLowerCase()}`;
  let separator = separators.get(key);
  if (!separator) {
    separator = domainSeparator(domain);
    separators.set(key, separator);
  }
  return separator;
}

const separatorBytes = new Map<Hex, Uint8Array>();
/** The last domain asked for and its separator: a hot path asks for the same domain object every time. */
let lastDomain: { domain: ChannelsDomain; chainId: number; contract: Address; bytes: Uint8Array } | null = null;
/**
 * The domain separator as bytes, computed once. Shared: callers must not write into it (the
 * hashing code only copies it).
 */
export function cachedSeparatorBytes(domain: ChannelsDomain): Uint8Array {
  // Same object with the same fields as last time: no key string, no map lookups (≈ 0.2 µs a call).
  if (lastDomain && lastDomain.domain === domain && lastDomain.chainId === domain.chainId && lastDomain.contract === domain.verifyingContract) {
    return lastDomain.bytes;
  }
  const hex = cachedSeparator(domain);
  let bytes = separatorBytes.get(hex);
  if (!bytes) {
    bytes = hexToBytes(hex);
    separatorBytes.set(hex, bytes);
  }
  lastDomain = { domain, chainId: domain.chainId, contract: domain.verifyingContract, bytes };
  return bytes;
}

/** The digest of a balance proof (fast byte-level path, equal to EIP-712 hashTypedData). */
export function balanceProofDigest(domain: ChannelsDomain, proof: BalanceProof): Hex {
  return bytesToHex(hashBalanceProofBytes(cachedSeparatorBytes(domain), proof));
}

/** A signer holding a private key (servers, the hub, the devnet's dev accounts, the benchmark). */
export function privateKeySigner(privateKey: Hex): ChannelSigner {
  const address = privateKeyToAccount(privateKey).address;
  return {
    address,
    async signBalanceProof(domain, proof) {
      return serializeSignature(await sign({ hash: balanceProofDigest(domain, proof), privateKey }));
    },
    async signCooperativeClose(domain, message) {
      return serializeSignature(await sign({ hash: hashCooperativeClose(domain, message), privateKey }));
    },
  };
}

/** A signer that asks a wallet (MetaMask via wagmi, or a JSON-RPC node) for EIP-712 signatures. */
export function walletClientSigner(walletClient: WalletClient, account: Account | Address): ChannelSigner {
  const address = typeof account === "string" ? account : account.address;
  return {
    address,
    signBalanceProof(domain, proof) {
      return walletClient.signTypedData({ account, domain, types: balanceProofTypes, primaryType: "BalanceProof", message: proof });
    },
    signCooperativeClose(domain, message) {
      return walletClient.signTypedData({
        account,
        domain,
        types: cooperativeCloseTypes,
        primaryType: "CooperativeClose",
        message,
      });
    },
  };
}

/** Checks that `signature` over `digest` comes from `expected`. Replaceable (benchmark, native crypto). */
export type SignatureVerifier = (digest: Hex, signature: Hex, expected: Address) => Promise<boolean>;

const HALF_N_HEX = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0";

/**
 * viem's recovery, as strict as the contract's OZ ECDSA.recover: exactly 65 bytes, v 27 or 28 (viem
 * alone would also take 0/1, which ecrecover refuses), low s (OZ reverts on a malleable high s).
 */
export const viemVerifier: SignatureVerifier = async (digest, signature, expected) => {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return false;
  const v = signature.slice(130).toLowerCase();
  if (v !== "1b" && v !== "1c") return false;
  // Same-length lowercase hex strings compare like the numbers they spell.
  if (signature.slice(66, 130).toLowerCase() > HALF_N_HEX) return false;
  try {
    return (await recoverAddress({ hash: digest, signature })).toLowerCase() === expected.toLowerCase();
  } catch {
    return false;
  }
};

// ------------------------------------------------------------------------------ conversions

export function toStoredProof(p: BalanceProof): StoredProof {
  return {
    channelId: p.channelId.toString(),
    nonce: p.nonce.toString(),
    transferredAToBWei: p.transferredAToBWei.toString(),
    transferredBToAWei: p.transferredBToAWei.toString(),
    locksRoot: p.locksRoot,
  };
}

export function fromStoredProof(p: StoredProof): BalanceProof {
  return {
    channelId: BigInt(p.channelId),
    nonce: BigInt(p.nonce),
    transferredAToBWei: BigInt(p.transferredAToBWei),
    transferredBToAWei: BigInt(p.transferredBToAWei),
    locksRoot: p.locksRoot,
  };
}

export function toStoredLock(l: Lock): StoredLock {
  return { sender: l.sender, amountWei: l.amountWei.toString(), expiryBlock: l.expiryBlock.toString(), hashlock: l.hashlock };
}

export function fromStoredLock(l: StoredLock): Lock {
  return { sender: l.sender, amountWei: BigInt(l.amountWei), expiryBlock: BigInt(l.expiryBlock), hashlock: l.hashlock };
}

export function channelKey(chainId: number, contract: Address, channelId: bigint | string): string {
  return `${chainId}:${contract.toLowerCase()}:${channelId.toString()}`;
}

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();
const sum = (xs: readonly bigint[]) => xs.reduce((s, x) => s + x, 0n);
const HISTORY_LIMIT = 50;

/** The off-chain view of a channel from one party's side. */
export interface ChannelBalances {
  nonce: bigint;
  /** What I could pay now: my deposit + received − sent − my pending locks. */
  spendableWei: bigint;
  /** What the counterparty could pay me now. */
  receivableWei: bigint;
  /** What I would get if the latest state were settled with no lock unlocked. */
  myPayoutWei: bigint;
  pendingLocks: Lock[];
}

// ------------------------------------------------------------------------------ the client

export interface ChannelClientOptions {
  signer: ChannelSigner;
  chainId: number;
  /** The PaymentChannels contract. */
  contract: Address;
  store: ChannelStateStore;
  /** Needed for on-chain calls only. */
  publicClient?: PublicClient;
  walletClient?: WalletClient<Transport, Chain | undefined, Account | undefined>;
  verifier?: SignatureVerifier;
  /**
   * The EIP-712 digest of a balance proof (default `balanceProofDigest`, viem's keccak). Node hot
   * paths may pass `nativeBalanceProofDigest` (nativeCrypto.ts): the same digest, native keccak.
   */
  digest?: (domain: ChannelsDomain, proof: BalanceProof) => Hex;
  /** Reject locks that expire sooner than this many blocks from now (default 3). */
  minLockBlocks?: bigint;
}

export class ChannelClient {
  readonly address: Address;
  readonly domain: ChannelsDomain;
  private readonly signer: ChannelSigner;
  private readonly store: ChannelStateStore;
  private readonly verify: SignatureVerifier;
  private readonly digest: (domain: ChannelsDomain, proof: BalanceProof) => Hex;
  private readonly publicClient?: PublicClient;
  private readonly walletClient?: WalletClient<Transport, Chain | undefined, Account | undefined>;
  private readonly minLockBlocks: bigint;

  constructor(options: ChannelClientOptions) {
    this.signer = options.signer;
    this.address = options.signer.address;
    this.domain = channelsDomain(options.chainId, options.contract);
    this.store = options.store;
    this.verify = options.verifier ?? viemVerifier;
    this.digest = options.digest ?? balanceProofDigest;
    this.publicClient = options.publicClient;
    this.walletClient = options.walletClient;
    this.minLockBlocks = options.minLockBlocks ?? 3n;
  }

  // ---------------------------------------------------------------------------- records

  key(channelId: bigint): string {
    return channelKey(this.domain.chainId, this.domain.verifyingContract, channelId);
  }

  record(channelId: bigint): ChannelRecord {
    const r = this.store.get(this.key(channelId));
    if (!r) throw new ChannelRejected(`channel ${channelId} is not tracked by ${this.address}`);
    return r;
  }

  channels(): ChannelRecord[] {
    return this.store
      .values()
      .filter((r) => r.chainId === this.domain.chainId && same(r.contract, this.domain.verifyingContract) && same(r.me, this.address));
  }

  private save(record: ChannelRecord): ChannelRecord {
    const next = { ...record, rev: record.rev + 1 };
    this.store.put(next.key, next);
    return next;
  }

  /** Start tracking a channel from its on-chain parameters (the opener does this in `open`). */
  track(params: {
    channelId: bigint;
    partyA: Address;
    partyB: Address;
    depositAWei: bigint;
    depositBWei: bigint;
    challengePeriodBlocks: bigint;
  }): ChannelRecord {
    if (!same(params.partyA, this.address) && !same(params.partyB, this.address)) {
      throw new ChannelRejected(`${this.address} is not a party of channel ${params.channelId}`);
    }
    const key = this.key(params.channelId);
    const existing = this.store.get(key);
    if (existing) {
      return this.save({ ...existing, depositAWei: params.depositAWei.toString(), depositBWei: params.depositBWei.toString() });
    }
    const record: ChannelRecord = {
      key,
      rev: 0,
      chainId: this.domain.chainId,
      contract: this.domain.verifyingContract,
      channelId: params.channelId.toString(),
      partyA: params.partyA,
      partyB: params.partyB,
      me: this.address,
      depositAWei: params.depositAWei.toString(),
      depositBWei: params.depositBWei.toString(),
      challengePeriodBlocks: params.challengePeriodBlocks.toString(),
      latest: null,
      proposed: null,
      secrets: {},
      history: [],
    };
    return this.save(record);
  }

  /** Refresh a tracked (or new) channel's parties and deposits from the chain. */
  async sync(channelId: bigint): Promise<ChannelRecord> {
    const c = await this.pc().readContract({
      address: this.domain.verifyingContract,
      abi: paymentChannelsAbi,
      functionName: "getChannel",
      args: [channelId],
    });
    if (c.status === CHANNEL_STATUS.None) throw new ChannelRejected(`channel ${channelId} does not exist`);
    const existing = this.store.get(this.key(channelId));
    // Once settled, the stored balances are payouts, not deposits: keep what we knew.
    if (existing && c.status === CHANNEL_STATUS.Settled) return existing;
    return this.track({
      channelId,
      partyA: c.partyA,
      partyB: c.partyB,
      depositAWei: c.balanceAWei,
      depositBWei: c.balanceBWei,
      challengePeriodBlocks: c.challengePeriodBlocks,
    });
  }

  private isA(r: ChannelRecord): boolean {
    return same(r.partyA, this.address);
  }

  private counterparty(r: ChannelRecord): Address {
    return this.isA(r) ? r.partyB : r.partyA;
  }

  /** The latest both-signed proof (nonce 0 initial state if none). */
  latestProof(channelId: bigint): BalanceProof {
    const r = this.record(channelId);
    return r.latest ? fromStoredProof(r.latest.proof) : initialProof(channelId);
  }

  balances(channelId: bigint): ChannelBalances {
    const r = this.record(channelId);
    const proof = r.latest ? fromStoredProof(r.latest.proof) : initialProof(channelId);
    const locks = (r.latest?.locks ?? []).map(fromStoredLock);
    return this.balancesOf(r, proof, locks);
  }

  private balancesOf(r: ChannelRecord, proof: BalanceProof, locks: Lock[]): ChannelBalances {
    const a = this.isA(r);
    const myDeposit = BigInt(a ? r.depositAWei : r.depositBWei);
    const theirDeposit = BigInt(a ? r.depositBWei : r.depositAWei);
    const sent = a ? proof.transferredAToBWei : proof.transferredBToAWei;
    const received = a ? proof.transferredBToAWei : proof.transferredAToBWei;
    const myLocks = sum(locks.filter((l) => same(l.sender, this.address)).map((l) => l.amountWei));
    const theirLocks = sum(locks.filter((l) => !same(l.sender, this.address)).map((l) => l.amountWei));
    const payouts = channelPayouts({
      depositAWei: BigInt(r.depositAWei),
      depositBWei: BigInt(r.depositBWei),
      transferredAToBWei: proof.transferredAToBWei,
      transferredBToAWei: proof.transferredBToAWei,
    });
    return {
      nonce: proof.nonce,
      spendableWei: myDeposit + received - sent - myLocks,
      receivableWei: theirDeposit + sent - received - theirLocks,
      myPayoutWei: a ? payouts.payoutAWei : payouts.payoutBWei,
      pendingLocks: locks,
    };
  }

  // ---------------------------------------------------------------------------- sending

  /** Pay `amountWei` to the counterparty. */
  pay(channelId: bigint, amountWei: bigint): Promise<ChannelUpdate> {
    if (amountWei <= 0n) throw new ChannelRejected("amount must be positive");
    return this.propose(channelId, "pay", (state) => ({ ...state, sent: state.sent + amountWei }));
  }

  /** Promise `amountWei` to the counterparty if it reveals the preimage of `hashlock` by `expiryBlock`. */
  lock(channelId: bigint, amountWei: bigint, hashlock: Hex, expiryBlock: bigint): Promise<ChannelUpdate> {
    if (amountWei <= 0n) throw new ChannelRejected("amount must be positive");
    return this.propose(channelId, "lock", (state) => {
      if (state.locks.some((l) => l.hashlock === hashlock)) throw new ChannelRejected(`a lock with hashlock ${hashlock} is pending`);
      return { ...state, locks: [...state.locks, { sender: this.address, amountWei, expiryBlock, hashlock }] };
    });
  }

  /** The counterparty revealed `secret`: turn my lock with its hashlock into a payment. */
  resolveLock(channelId: bigint, secret: Hex, hashlock: Hex): Promise<ChannelUpdate> {
    return this.propose(channelId, "resolve", (state) => {
      const lock = state.locks.find((l) => l.hashlock === hashlock && same(l.sender, this.address));
      if (!lock) throw new ChannelRejected(`no pending lock of mine with hashlock ${hashlock}`);
      return { ...state, sent: state.sent + lock.amountWei, locks: state.locks.filter((l) => l !== lock) };
    }, { [hashlock]: secret });
  }

  /** Drop my locks that expired before `currentBlock` (their money stays mine). */
  expireLocks(channelId: bigint, currentBlock: bigint): Promise<ChannelUpdate> {
    return this.propose(channelId, "expire", (state) => {
      const keep = state.locks.filter((l) => !same(l.sender, this.address) || l.expiryBlock >= currentBlock);
      if (keep.length === state.locks.length) throw new ChannelRejected("no expired lock of mine");
      return { ...state, locks: keep };
    });
  }

  private async propose(
    channelId: bigint,
    kind: UpdateKind,
    change: (s: { sent: bigint; locks: Lock[] }) => { sent: bigint; locks: Lock[] },
    secrets: Record<string, Hex> = {},
  ): Promise<ChannelUpdate> {
    const r = this.record(channelId);
    if (r.proposed) throw new ChannelRejected(`channel ${channelId}: update ${r.proposed.proof.nonce} still awaits the counterparty`);
    const a = this.isA(r);
    const base = r.latest ? fromStoredProof(r.latest.proof) : initialProof(channelId);
    const baseLocks = (r.latest?.locks ?? []).map(fromStoredLock);
    const next = change({ sent: a ? base.transferredAToBWei : base.transferredBToAWei, locks: baseLocks });
    const tree = new LockTree(next.locks);
    const proof: BalanceProof = {
      channelId,
      nonce: base.nonce + 1n,
      transferredAToBWei: a ? next.sent : base.transferredAToBWei,
      transferredBToAWei: a ? base.transferredBToAWei : next.sent,
      locksRoot: tree.root,
    };
    const after = this.balancesOf(r, proof, next.locks);
    if (after.spendableWei < 0n) {
      throw new ChannelRejected(`channel ${channelId}: insufficient balance (short by ${-after.spendableWei})`);
    }
    const sig = await this.signer.signBalanceProof(this.domain, proof);
    const amountWei = next.sent - (a ? base.transferredAToBWei : base.transferredBToAWei);
    this.save({
      ...r,
      secrets: { ...r.secrets, ...secrets },
      proposed: { proof: toStoredProof(proof), locks: next.locks.map(toStoredLock), sig },
      history: pushHistory(r.history, { nonce: proof.nonce.toString(), direction: "out", amountWei: amountWei.toString(), kind, at: Date.now() }),
    });
    return { chainId: this.domain.chainId, contract: this.domain.verifyingContract, kind, proof, locks: next.locks, signature: sig };
  }

  /** Store the counterparty's countersignature of my proposed update. */
  async confirm(ack: ChannelAck): Promise<void> {
    this.checkDomain(ack);
    const r = this.record(ack.proof.channelId);
    if (!r.proposed || BigInt(r.proposed.proof.nonce) !== ack.proof.nonce) {
      throw new ChannelRejected(`channel ${ack.proof.channelId}: no proposed update ${ack.proof.nonce}`);
    }
    const proof = fromStoredProof(r.proposed.proof);
    const digest = this.digest(this.domain, proof);
    if (!(await this.verify(digest, ack.signature, this.counterparty(r)))) {
      throw new ChannelRejected(`channel ${ack.proof.channelId}: countersignature is not the counterparty's`);
    }
    const a = this.isA(r);
    this.save({
      ...r,
      latest: {
        proof: r.proposed.proof,
        locks: r.proposed.locks,
        sigA: a ? r.proposed.sig : ack.signature,
        sigB: a ? ack.signature : r.proposed.sig,
      },
      proposed: null,
    });
  }

  /** Drop my unanswered proposal (the counterparty rejected it). Its nonce will be signed again. */
  abandonProposal(channelId: bigint): void {
    const r = this.record(channelId);
    if (r.proposed) this.save({ ...r, proposed: null });
  }

  /**
   * Adopt a both-signed state newer than my latest — restoring what the counterparty (or a backup)
   * holds after my copy was lost, or completing my proposal whose countersignature never reached me.
   * Safe because BOTH signatures are verified: I signed this state myself at some point. A pending
   * proposal of mine at or below its nonce is dropped (it is this state, or the counterparty never
   * signed it). Returns false (and changes nothing) when the state is not newer than my latest.
   */
  async adopt(channelId: bigint, state: SignedState): Promise<boolean> {
    const r = this.record(channelId);
    const proof = fromStoredProof(state.proof);
    const base = r.latest ? fromStoredProof(r.latest.proof) : initialProof(channelId);
    if (proof.channelId !== channelId) throw new ChannelRejected(`state of channel ${proof.channelId}, not ${channelId}`);
    if (proof.nonce <= base.nonce) return false;
    if (new LockTree(state.locks.map(fromStoredLock)).root !== proof.locksRoot) {
      throw new ChannelRejected(`channel ${channelId} state ${proof.nonce}: locks do not match the locks root`);
    }
    const digest = this.digest(this.domain, proof);
    if (!(await this.verify(digest, state.sigA, r.partyA)) || !(await this.verify(digest, state.sigB, r.partyB))) {
      throw new ChannelRejected(`channel ${channelId} state ${proof.nonce}: not signed by both parties`);
    }
    const keepProposal = r.proposed && BigInt(r.proposed.proof.nonce) > proof.nonce;
    this.save({
      ...r,
      latest: { proof: toStoredProof(proof), locks: state.locks, sigA: state.sigA, sigB: state.sigB },
      proposed: keepProposal ? r.proposed : null,
    });
    return true;
  }

  // ---------------------------------------------------------------------------- receiving

  /**
   * Check, verify, countersign and store the counterparty's update. `currentBlock` is needed to
   * judge lock expiries (pass the chain's block number; defaults to 0n = do not accept locks
   * that are already expired relative to nothing). Returns the countersignature and what I received.
   */
  async receive(update: ChannelUpdate, currentBlock = 0n): Promise<ChannelAck & { receivedWei: bigint }> {
    this.checkDomain(update);
    const { proof } = update;
    const r = this.record(proof.channelId);
    const a = this.isA(r);
    const them = this.counterparty(r);
    const base = r.latest ? fromStoredProof(r.latest.proof) : initialProof(proof.channelId);
    const baseLocks = (r.latest?.locks ?? []).map(fromStoredLock);
    const reject = (why: string): never => {
      throw new ChannelRejected(`channel ${proof.channelId} update ${proof.nonce}: ${why}`);
    };

    if (proof.nonce <= base.nonce) reject(`nonce not above ${base.nonce} (replay or stale)`);
    if (r.proposed) reject("crossing updates: my own proposal is pending");
    const mySentBefore = a ? base.transferredAToBWei : base.transferredBToAWei;
    const mySentAfter = a ? proof.transferredAToBWei : proof.transferredBToAWei;
    const theirSentBefore = a ? base.transferredBToAWei : base.transferredAToBWei;
    const theirSentAfter = a ? proof.transferredBToAWei : proof.transferredAToBWei;
    if (mySentAfter !== mySentBefore) reject("it changes what I sent");
    if (theirSentAfter < theirSentBefore) reject("it lowers what the counterparty sent");

    const tree = new LockTree(update.locks);
    if (tree.root !== proof.locksRoot) reject("locks do not match the locks root");
    const key = (l: Lock) => `${l.sender.toLowerCase()}|${l.amountWei}|${l.expiryBlock}|${l.hashlock}`;
    const mine = (ls: Lock[]) => ls.filter((l) => same(l.sender, this.address)).map(key).sort().join(",");
    if (mine(update.locks) !== mine(baseLocks)) reject("it changes my locks");
    for (const l of update.locks) {
      if (!same(l.sender, this.address) && !same(l.sender, them)) reject(`lock sender ${l.sender} is not a party`);
      if (l.amountWei <= 0n) reject("lock amount must be positive");
    }
    const baseKeys = new Set(baseLocks.map(key));
    const newKeys = new Set(update.locks.map(key));
    for (const l of update.locks) {
      if (!baseKeys.has(key(l)) && l.expiryBlock < currentBlock + this.minLockBlocks) reject("new lock expires too soon");
    }
    // Their locks that disappeared unexpired must have been paid: received ≥ their amounts.
    const resolved = baseLocks.filter((l) => same(l.sender, them) && !newKeys.has(key(l)) && l.expiryBlock >= currentBlock);
    const receivedWei = theirSentAfter - theirSentBefore;
    if (receivedWei < sum(resolved.map((l) => l.amountWei))) reject("it drops an unexpired lock without paying it");

    const after = this.balancesOf(r, proof, update.locks);
    if (after.receivableWei < 0n) reject("the counterparty cannot afford it");

    const digest = this.digest(this.domain, proof);
    if (!(await this.verify(digest, update.signature, them))) reject("signature is not the counterparty's");
    const mySig = await this.signer.signBalanceProof(this.domain, proof);
    this.save({
      ...r,
      latest: {
        proof: toStoredProof(proof),
        locks: update.locks.map(toStoredLock),
        sigA: a ? mySig : update.signature,
        sigB: a ? update.signature : mySig,
      },
      history: pushHistory(r.history, {
        nonce: proof.nonce.toString(),
        direction: "in",
        amountWei: receivedWei.toString(),
        kind: update.kind,
        at: Date.now(),
      }),
    });
    return { chainId: this.domain.chainId, contract: this.domain.verifyingContract, proof, signature: mySig, receivedWei };
  }

  /** Remember a secret (my invoice, or one revealed to me) so that locks with its hashlock can be unlocked. */
  learnSecret(channelId: bigint, hashlock: Hex, secret: Hex): void {
    const r = this.record(channelId);
    if (r.secrets[hashlock] === secret) return;
    this.save({ ...r, secrets: { ...r.secrets, [hashlock]: secret } });
  }

  knownSecret(channelId: bigint, hashlock: Hex): Hex | undefined {
    return this.record(channelId).secrets[hashlock];
  }

  private checkDomain(m: { chainId: number; contract: Address }): void {
    if (m.chainId !== this.domain.chainId || !same(m.contract, this.domain.verifyingContract)) {
      throw new ChannelRejected(`update for chain ${m.chainId} / ${m.contract}, not this client's channels`);
    }
  }

  // ---------------------------------------------------------------------------- on-chain

  private pc(): PublicClient {
    if (!this.publicClient) throw new Error("ChannelClient: a publicClient is needed for on-chain calls");
    return this.publicClient;
  }

  private async write(functionName: string, args: readonly unknown[]): Promise<Hex> {
    if (!this.walletClient) throw new Error("ChannelClient: a walletClient is needed for on-chain calls");
    const { request } = await this.pc().simulateContract({
      address: this.domain.verifyingContract,
      abi: paymentChannelsAbi,
      functionName: functionName as never,
      args: args as never,
      account: this.walletClient.account ?? this.address,
    });
    const hash = await this.walletClient.writeContract(request as never);
    const receipt = await this.pc().waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted (${hash})`);
    return hash;
  }

  /** Approve the channel contract for `amountWei` of the payment token if needed. */
  async ensureAllowance(amountWei: bigint): Promise<void> {
    if (!this.walletClient) throw new Error("ChannelClient: a walletClient is needed for on-chain calls");
    const token = await this.pc().readContract({ address: this.domain.verifyingContract, abi: paymentChannelsAbi, functionName: "token" });
    const allowance = await this.pc().readContract({
      address: token,
      abi: erc20Abi,
      functionName: "allowance",
      args: [this.address, this.domain.verifyingContract],
    });
    if (allowance >= amountWei) return;
    const hash = await this.walletClient.writeContract({
      address: token,
      abi: erc20Abi,
      functionName: "approve",
      args: [this.domain.verifyingContract, amountWei],
      account: this.walletClient.account ?? this.address,
      chain: this.walletClient.chain,
    });
    await this.pc().waitForTransactionReceipt({ hash });
  }

  /** Open a channel with `counterparty`, depositing `depositWei`; returns the new channel id. */
  async open(counterparty: Address, depositWei: bigint, challengePeriodBlocks: bigint): Promise<bigint> {
    if (depositWei > 0n) await this.ensureAllowance(depositWei);
    const hash = await this.write("open", [counterparty, depositWei, challengePeriodBlocks]);
    const receipt = await this.pc().getTransactionReceipt({ hash });
    const [opened] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "ChannelOpened", logs: receipt.logs });
    const channelId = opened.args.channelId;
    this.track({ channelId, partyA: this.address, partyB: counterparty, depositAWei: depositWei, depositBWei: 0n, challengePeriodBlocks });
    return channelId;
  }

  async deposit(channelId: bigint, amountWei: bigint): Promise<Hex> {
    await this.ensureAllowance(amountWei);
    const hash = await this.write("deposit", [channelId, amountWei]);
    await this.sync(channelId);
    return hash;
  }

  /** The payouts of the latest state, for a cooperative close (no locks may be pending). */
  cooperativePayouts(channelId: bigint): CooperativeCloseMessage {
    const r = this.record(channelId);
    if ((r.latest?.locks.length ?? 0) > 0) throw new ChannelRejected(`channel ${channelId}: resolve or expire pending locks first`);
    const proof = this.latestProof(channelId);
    const { payoutAWei, payoutBWei } = channelPayouts({
      depositAWei: BigInt(r.depositAWei),
      depositBWei: BigInt(r.depositBWei),
      transferredAToBWei: proof.transferredAToBWei,
      transferredBToAWei: proof.transferredBToAWei,
    });
    return { channelId, payoutAWei, payoutBWei };
  }

  /** Sign a cooperative close at the latest state's payouts (send the signature to the counterparty). */
  async signCooperativeClose(channelId: bigint): Promise<{ message: CooperativeCloseMessage; signature: Hex }> {
    const message = this.cooperativePayouts(channelId);
    return { message, signature: await this.signer.signCooperativeClose(this.domain, message) };
  }

  /** Close cooperatively with the counterparty's signature over the latest state's payouts. */
  async cooperativeClose(channelId: bigint, counterpartySignature: Hex): Promise<Hex> {
    await this.sync(channelId);
    const r = this.record(channelId);
    const { message, signature } = await this.signCooperativeClose(channelId);
    if (!(await this.verify(hashCooperativeClose(this.domain, message), counterpartySignature, this.counterparty(r)))) {
      throw new ChannelRejected(`channel ${channelId}: the counterparty's close signature does not match the latest payouts`);
    }
    const [sigA, sigB] = this.isA(r) ? [signature, counterpartySignature] : [counterpartySignature, signature];
    return this.write("cooperativeClose", [channelId, message.payoutAWei, message.payoutBWei, sigA, sigB]);
  }

  /** The latest both-signed state with its signatures, as `close`/`challenge` take them. */
  closingArgs(channelId: bigint): [BalanceProof, Hex, Hex] {
    const r = this.record(channelId);
    if (!r.latest) return [initialProof(channelId), "0x", "0x"];
    return [fromStoredProof(r.latest.proof), r.latest.sigA, r.latest.sigB];
  }

  /** Start a unilateral close with my latest both-signed state. */
  close(channelId: bigint): Promise<Hex> {
    return this.write("close", this.closingArgs(channelId));
  }

  /** Answer a close if my latest state is newer than the one on record. Returns null if not needed. */
  async challenge(channelId: bigint): Promise<Hex | null> {
    const c = await this.pc().readContract({ address: this.domain.verifyingContract, abi: paymentChannelsAbi, functionName: "getChannel", args: [channelId] });
    const [proof, sigA, sigB] = this.closingArgs(channelId);
    if (c.status !== CHANNEL_STATUS.Closing || proof.nonce <= c.nonce) return null;
    return this.write("challenge", [proof, sigA, sigB]);
  }

  /** Unlock every pending lock of the recorded state that pays me and whose secret I know. */
  async unlockAll(channelId: bigint): Promise<Hex[]> {
    const r = this.record(channelId);
    const c = await this.pc().readContract({ address: this.domain.verifyingContract, abi: paymentChannelsAbi, functionName: "getChannel", args: [channelId] });
    if (c.status !== CHANNEL_STATUS.Closing || !r.latest || BigInt(r.latest.proof.nonce) !== c.nonce) return [];
    const locks = r.latest.locks.map(fromStoredLock);
    const tree = new LockTree(locks);
    const hashes: Hex[] = [];
    for (const lock of locks) {
      const secret = r.secrets[lock.hashlock];
      if (same(lock.sender, this.address) || !secret) continue;
      hashes.push(await this.write("unlock", [channelId, lock, secret, tree.proof(lock)]));
    }
    return hashes;
  }

  /** Reveal a secret on-chain (before its lock expires) without closing anything. */
  revealSecret(secret: Hex): Promise<Hex> {
    return this.write("revealSecret", [secret]);
  }

  settle(channelId: bigint): Promise<Hex> {
    return this.write("settle", [channelId]);
  }

  withdraw(channelId: bigint): Promise<Hex> {
    return this.write("withdraw", [channelId]);
  }
}

export function initialProof(channelId: bigint): BalanceProof {
  return { channelId, nonce: 0n, transferredAToBWei: 0n, transferredBToAWei: 0n, locksRoot: ZERO_ROOT };
}

function pushHistory<T>(history: T[], entry: T): T[] {
  const next = [...history, entry];
  return next.length > HISTORY_LIMIT ? next.slice(next.length - HISTORY_LIMIT) : next;
}

const erc20Abi = [
  {
    type: "function",
    name: "allowance",
    stateMutability: "view",
    inputs: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
    ],
    outputs: [{ type: "uint256" }],
  },
  {
    type: "function",
    name: "approve",
    stateMutability: "nonpayable",
    inputs: [
      { name: "spender", type: "address" },
      { name: "amount", type: "uint256" },
    ],
    outputs: [{ type: "bool" }],
  },
] as const;
