/**
 * Validators: check an interval's signed meter readings, build the Merkle tree over the accepted
 * ones, sign its root (EIP-712 `IntervalReadings(uint64 interval,bytes32 readingsRoot)` of the
 * ValidatorCommittee), and — with `finalizeInterval` — put a quorum's signatures on-chain and record
 * the readings in the MeterLedger in batches.
 *
 * Idempotent against the chain: an interval already final with the same root is not finalised
 * again, and readings already recorded are skipped, so a restarted keeper can call
 * `finalizeInterval` again for the same interval and it completes what is missing.
 * Browser-safe (no Node imports); the chain is reached through the viem clients passed in.
 */
import {
  encodePacked,
  getAddress,
  hashTypedData,
  isAddressEqual,
  keccak256,
  type Address,
  type Hash,
  type Hex,
} from "viem";
import { privateKeyToAccount, sign } from "viem/accounts";
import { intervalClockAbi, meterLedgerAbi, participantRegistryAbi, validatorCommitteeAbi } from "./abi.ts";
import { ReadingsTree } from "./merkle.ts";
import {
  ReadingError,
  domainSeparator,
  meterLedgerDomain,
  verifyReading,
  type MeterLedgerDomain,
  type MeterReading,
  type ReadingRules,
  type SignedReading,
} from "./readings.ts";

export const COMMITTEE_DOMAIN_NAME = "PowerLAN ValidatorCommittee";

/** EIP-712 domain of a ValidatorCommittee deployment. */
export interface CommitteeDomain {
  /** "PowerLAN ValidatorCommittee" */
  name: string;
  /** "1" */
  version: string;
  chainId: number;
  verifyingContract: Address;
}

export function committeeDomain(chainId: number | bigint, verifyingContract: Address): CommitteeDomain {
  return { name: COMMITTEE_DOMAIN_NAME, version: "1", chainId: Number(chainId), verifyingContract: getAddress(verifyingContract) };
}

export const INTERVAL_READINGS_TYPES = {
  IntervalReadings: [
    { name: "interval", type: "uint64" },
    { name: "readingsRoot", type: "bytes32" },
  ],
} as const;

export const VALIDATOR_SET_CHANGE_TYPES = {
  ValidatorSetChange: [
    { name: "addHash", type: "bytes32" },
    { name: "removeHash", type: "bytes32" },
    { name: "epoch", type: "uint64" },
  ],
} as const;

/** keccak256(abi.encodePacked(addresses)): each address padded to 32 bytes (as EIP-712 hashes address[]). */
export function addressListHash(addresses: readonly Address[]): Hex {
  return keccak256(encodePacked(["address[]"], [addresses]));
}

/** The digest validators sign for (interval, root); equals ValidatorCommittee.readingsDigest. */
export function intervalReadingsDigest(domain: CommitteeDomain, interval: bigint, readingsRoot: Hex): Hex {
  return hashTypedData({
    domain,
    types: INTERVAL_READINGS_TYPES,
    primaryType: "IntervalReadings",
    message: { interval, readingsRoot },
  });
}

/** The digest validators sign to vote for a set change; equals ValidatorCommittee.validatorSetChangeDigest. */
export function validatorSetChangeDigest(
  domain: CommitteeDomain,
  add: readonly Address[],
  remove: readonly Address[],
  epoch: bigint,
): Hex {
  return hashTypedData({
    domain,
    types: VALIDATOR_SET_CHANGE_TYPES,
    primaryType: "ValidatorSetChange",
    message: { addHash: addressListHash(add), removeHash: addressListHash(remove), epoch },
  });
}

/** One validator's signature over something, with who signed. */
export interface ValidatorSignature {
  signer: Address;
  signature: Hex;
}

/** Sort by signer address ascending, as the committee requires. */
export function sortBySigner<T extends { signer: Address }>(signatures: readonly T[]): T[] {
  return [...signatures].sort((a, b) => {
    const x = BigInt(a.signer);
    const y = BigInt(b.signer);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** A reading a validator accepted, with the account its meter is bound to. */
export interface AcceptedReading extends SignedReading {
  account: Address;
}

/** The outcome of checking an interval's readings. */
export interface IntervalValidation {
  interval: bigint;
  accepted: AcceptedReading[];
  rejected: { signed: SignedReading; error: ReadingError }[];
}

/** A validator's attestation of an interval: its tree over the accepted readings and its signature. */
export interface Attestation extends IntervalValidation, ValidatorSignature {
  root: Hex;
  tree: ReadingsTree;
}

export type ConsensusErrorCode = "NO_READINGS" | "NO_QUORUM" | "ROOT_MISMATCH" | "BAD_BATCH_SIZE";

/** The interval cannot be finalised or recorded as asked (plain-words message). */
export class ConsensusError extends Error {
  readonly code: ConsensusErrorCode;
  readonly interval: bigint;
  constructor(code: ConsensusErrorCode, interval: bigint, message: string) {
    super(message);
    this.name = "ConsensusError";
    this.code = code;
    this.interval = interval;
  }
}

/** Check `signed` readings of `interval`: accepted ones (in input order) and rejected ones with their error. */
export async function validateInterval(
  interval: bigint,
  signed: readonly SignedReading[],
  rules: ReadingRules,
): Promise<IntervalValidation> {
  const separator = domainSeparator(rules.domain);
  const seen = new Set<string>();
  const scoped: ReadingRules = { ...rules, interval };
  const accepted: AcceptedReading[] = [];
  const rejected: IntervalValidation["rejected"] = [];
  for (const s of signed) {
    try {
      const account = await verifyReading(s, scoped, seen, separator);
      accepted.push({ ...s, account });
    } catch (error) {
      if (!(error instanceof ReadingError)) throw error;
      rejected.push({ signed: s, error });
    }
  }
  return { interval, accepted, rejected };
}

/** A validator: a key that checks readings and signs interval roots and set-change votes. */
export class Validator {
  readonly address: Address;
  readonly domain: CommitteeDomain;
  readonly #privateKey: Hex;

  /**
   * @param privateKey the validator's key (its address must be in the committee for its signatures to count)
   * @param domain the committee's EIP-712 domain (`committeeDomain(chainId, committeeAddress)`)
   */
  constructor(privateKey: Hex, domain: CommitteeDomain) {
    this.#privateKey = privateKey;
    this.address = privateKeyToAccount(privateKey).address;
    this.domain = domain;
  }

  /** Sign (interval, root) for ValidatorCommittee.finalizeReadings. */
  async signRoot(interval: bigint, readingsRoot: Hex): Promise<ValidatorSignature> {
    const signature = await sign({
      hash: intervalReadingsDigest(this.domain, interval, readingsRoot),
      privateKey: this.#privateKey,
      to: "hex",
    });
    return { signer: this.address, signature };
  }

  /** Sign a vote for ValidatorCommittee.changeValidatorSet at `epoch` (the committee's current validatorSetEpoch). */
  async signSetChange(add: readonly Address[], remove: readonly Address[], epoch: bigint): Promise<ValidatorSignature> {
    const signature = await sign({
      hash: validatorSetChangeDigest(this.domain, add, remove, epoch),
      privateKey: this.#privateKey,
      to: "hex",
    });
    return { signer: this.address, signature };
  }

  /**
   * Check the signed readings of `interval`, build the tree over the accepted ones and sign its root.
   * Throws ConsensusError("NO_READINGS") if none is acceptable (there is nothing to attest).
   */
  async attest(interval: bigint, signed: readonly SignedReading[], rules: ReadingRules): Promise<Attestation> {
    const validation = await validateInterval(interval, signed, rules);
    return this.attestValidated(validation);
  }

  /** Sign the root of an already validated interval (validators that share one validation, e.g. on a devnet). */
  async attestValidated(validation: IntervalValidation): Promise<Attestation> {
    if (validation.accepted.length === 0) {
      throw new ConsensusError(
        "NO_READINGS",
        validation.interval,
        `interval ${validation.interval}: no valid reading to attest (${validation.rejected.length} rejected)`,
      );
    }
    const tree = new ReadingsTree(validation.accepted.map((a) => a.reading));
    const { signer, signature } = await this.signRoot(validation.interval, tree.root);
    return { ...validation, root: tree.root, tree, signer, signature };
  }
}

// ───────────────────────────── on-chain side ─────────────────────────────

/** The viem reads lib/consensus needs (a PublicClient, Hardhat's included). */
export interface ConsensusReader {
  readContract(args: {
    address: Address;
    abi: readonly unknown[];
    functionName: string;
    args?: readonly unknown[];
  }): Promise<unknown>;
  waitForTransactionReceipt(args: { hash: Hash }): Promise<{ status: "success" | "reverted"; gasUsed: bigint }>;
}

/** The viem write lib/consensus needs (a WalletClient with an account, Hardhat's included). */
export interface ConsensusWriter {
  writeContract(args: {
    address: Address;
    abi: readonly unknown[];
    functionName: string;
    args: readonly unknown[];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    account?: any;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    chain?: any;
  }): Promise<Hash>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  account?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  chain?: any;
}

/** Where the consensus contracts live. */
export interface ConsensusAddresses {
  chainId: number;
  committee: Address;
  ledger: Address;
}

async function read<T>(client: ConsensusReader, address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = []): Promise<T> {
  return (await client.readContract({ address, abi, functionName, args })) as T;
}

/**
 * Meter → account bindings already read from the registry (lowercase meter address → account).
 * A binding never changes once made (the registry has no unbinding), so a long-running keeper can
 * pass the same map to every `loadReadingRules` call; meters without a binding are read again.
 */
export type MeterBindingCache = Map<string, Address>;

/**
 * Load what validators check readings against, from the chain: the ledger's clock
 * (currentInterval), and for each meter its bound account (registry, cached in `bindings`) and
 * export rating (ledger, read every time: the DSO may change it).
 */
export async function loadReadingRules(
  client: ConsensusReader,
  addresses: ConsensusAddresses,
  meters: readonly Address[],
  bindings: MeterBindingCache = new Map(),
): Promise<ReadingRules> {
  const [registry, clock] = await Promise.all([
    read<Address>(client, addresses.ledger, meterLedgerAbi, "registry"),
    read<Address>(client, addresses.ledger, meterLedgerAbi, "clock"),
  ]);
  const currentInterval = await read<bigint>(client, clock, intervalClockAbi, "currentInterval");
  const unique = [...new Set(meters.map((m) => getAddress(m)))];
  const accounts = new Map<string, Address>();
  const ratings = new Map<string, number>();
  await Promise.all(
    unique.map(async (meter) => {
      const key = meter.toLowerCase();
      const [account, rating] = await Promise.all([
        bindings.get(key) ?? read<Address>(client, registry, participantRegistryAbi, "accountOfMeter", [meter]),
        read<number>(client, addresses.ledger, meterLedgerAbi, "maxExportWhOf", [meter]),
      ]);
      if (BigInt(account) !== 0n) bindings.set(key, account);
      accounts.set(key, account);
      ratings.set(key, Number(rating));
    }),
  );
  return {
    domain: meterLedgerDomain(addresses.chainId, addresses.ledger),
    currentInterval,
    accountOfMeter: (meter) => accounts.get(meter.toLowerCase()),
    maxExportWhOf: (meter) => ratings.get(meter.toLowerCase()) ?? 0,
  };
}

const ZERO_ROOT = `0x${"00".repeat(32)}` as Hex;

/** Outcome of `finalizeInterval` for one interval. */
export interface FinalizeResult {
  interval: bigint;
  root: Hex;
  /** True if this call put the root on-chain; false if it was final already (same root). */
  finalizedNow: boolean;
  /** Validators whose signatures were submitted (ascending), empty if already final. */
  signers: Address[];
  /** Readings recorded by this call, and readings found recorded already. */
  recorded: number;
  alreadyRecorded: number;
  /** Readings the validators rejected (not attested, never recorded). */
  rejected: IntervalValidation["rejected"];
  transactions: Hash[];
  gasUsed: bigint;
}

export interface FinalizeOptions {
  reader: ConsensusReader;
  writer: ConsensusWriter;
  addresses: ConsensusAddresses;
  interval: bigint;
  readings: readonly SignedReading[];
  /** The validators that attest (each signs the root of its own view). */
  validators: readonly Validator[];
  /** Readings per recordReadings call (default 100, at most the ledger's MAX_READINGS_PER_BATCH = 128). */
  batchSize?: number;
  /** Rules to check against; loaded from the chain if omitted. */
  rules?: ReadingRules;
  /** Meter bindings kept between calls (see MeterBindingCache), when the rules are loaded here. */
  bindings?: MeterBindingCache;
  log?: (line: string) => void;
}

/**
 * Finalise `interval` and record its readings:
 *  1. each validator checks the readings and signs the root of the tree over those it accepts;
 *  2. if the committee has no root for the interval yet, the root signed by the most current
 *     validators is submitted with exactly `quorum()` signatures, ascending by signer
 *     (ConsensusError "NO_QUORUM" if no root has enough); if the chain already has that root, this
 *     step is skipped; if it has another root, ConsensusError "ROOT_MISMATCH";
 *  3. readings not yet recorded are sent to MeterLedger.recordReadings in batches with their proofs.
 * Safe to call again after a crash or a race with another keeper.
 */
export async function finalizeInterval(options: FinalizeOptions): Promise<FinalizeResult> {
  const { reader, writer, addresses, interval, readings, validators } = options;
  const log = options.log ?? (() => {});
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 128) {
    throw new ConsensusError("BAD_BATCH_SIZE", interval, `batch size ${batchSize} is not in 1 … 128`);
  }
  const rules = options.rules ?? (await loadReadingRules(reader, addresses, readings.map((r) => r.reading.meter), options.bindings));
  const validation = await validateInterval(interval, readings, rules);
  for (const { error } of validation.rejected) log(`interval ${interval}: rejected — ${error.message}`);
  const attestations = await Promise.all(validators.map((v) => v.attestValidated(validation)));

  const transactions: Hash[] = [];
  let gasUsed = 0n;
  const send = async (address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[]) => {
    const hash = await writer.writeContract({ address, abi, functionName, args, account: writer.account, chain: writer.chain });
    const receipt = await reader.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted (${hash})`);
    transactions.push(hash);
    gasUsed += receipt.gasUsed;
  };

  // 2. Finality.
  const chainRoot = await read<Hex>(reader, addresses.committee, validatorCommitteeAbi, "finalizedReadingsRoot", [interval]);
  let root: Hex;
  let signers: Address[] = [];
  let finalizedNow = false;
  if (chainRoot !== ZERO_ROOT) {
    root = chainRoot;
    if (!attestations.some((a) => a.root === chainRoot)) {
      throw new ConsensusError(
        "ROOT_MISMATCH",
        interval,
        `interval ${interval} is final with root ${chainRoot}, but these validators attest ${attestations[0]?.root}`,
      );
    }
  } else {
    const quorum = Number(await read<bigint>(reader, addresses.committee, validatorCommitteeAbi, "quorum"));
    const current = await Promise.all(
      attestations.map((a) => read<boolean>(reader, addresses.committee, validatorCommitteeAbi, "isValidator", [a.signer])),
    );
    const byRoot = new Map<Hex, Attestation[]>();
    attestations.forEach((a, i) => {
      if (!current[i]) return; // a removed or unknown validator's signature would not count
      const list = byRoot.get(a.root) ?? [];
      if (!list.some((x) => isAddressEqual(x.signer, a.signer))) list.push(a);
      byRoot.set(a.root, list);
    });
    const [best] = [...byRoot.entries()].sort((x, y) => y[1].length - x[1].length);
    if (!best || best[1].length < quorum) {
      throw new ConsensusError(
        "NO_QUORUM",
        interval,
        `interval ${interval}: ${best?.[1].length ?? 0} current validators agree on a root, the quorum is ${quorum}`,
      );
    }
    root = best[0];
    const chosen = sortBySigner(best[1]).slice(0, quorum);
    signers = chosen.map((a) => a.signer);
    try {
      await send(addresses.committee, validatorCommitteeAbi, "finalizeReadings", [interval, root, chosen.map((a) => a.signature)]);
      finalizedNow = true;
      log(`interval ${interval}: finalised root ${root} with ${chosen.length} signatures`);
    } catch (error) {
      // Someone else finalised it meanwhile: fine if it is the same root.
      const again = await read<Hex>(reader, addresses.committee, validatorCommitteeAbi, "finalizedReadingsRoot", [interval]);
      if (again === ZERO_ROOT) throw error;
      if (again !== root) {
        throw new ConsensusError("ROOT_MISMATCH", interval, `interval ${interval} was finalised with root ${again}, not ${root}`);
      }
      signers = [];
    }
  }
  const attestation = attestations.find((a) => a.root === root)!;

  // 3. Recording. If this call made the root final, nothing of the interval can have been recorded
  // before (recording needs the final root), so the per-reading status reads are skipped.
  let pending: AcceptedReading[];
  const acceptedOf = new Map<MeterReading, AcceptedReading>(attestation.accepted.map((a) => [a.reading, a]));
  // In tree (leaf) order, so a rerun after a crash picks up where it stopped.
  const inTreeOrder = attestation.tree.readings.map((r) => acceptedOf.get(r)!);
  if (finalizedNow) {
    pending = inTreeOrder;
  } else {
    const status = await Promise.all(
      inTreeOrder.map((a) =>
        read<readonly [boolean, number, number]>(reader, addresses.ledger, meterLedgerAbi, "readingOf", [a.account, interval]),
      ),
    );
    pending = inTreeOrder.filter((_, i) => !status[i][0]);
  }
  const alreadyRecorded = attestation.accepted.length - pending.length;
  for (let i = 0; i < pending.length; i += batchSize) {
    const batch = pending.slice(i, i + batchSize);
    await send(addresses.ledger, meterLedgerAbi, "recordReadings", [
      batch.map((a) => a.reading),
      batch.map((a) => a.signature),
      batch.map((a) => attestation.tree.proof(a.reading)),
    ]);
  }
  if (pending.length > 0) log(`interval ${interval}: recorded ${pending.length} readings (${alreadyRecorded} were already)`);

  return {
    interval,
    root,
    finalizedNow,
    signers,
    recorded: pending.length,
    alreadyRecorded,
    rejected: validation.rejected,
    transactions,
    gasUsed,
  };
}

export type { MeterLedgerDomain };
