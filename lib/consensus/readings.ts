/**
 * Meter readings: the EIP-712 message a smart meter signs for one interval, and the checks a
 * validator runs on a signed reading before it goes into the interval's Merkle tree.
 *
 * The same checks run on-chain in `MeterLedger.recordReadings` (see contracts/interfaces/IMeterLedger.sol);
 * doing them off-chain first keeps a bad reading out of the attested root, where it could never be
 * recorded. Browser-safe (no Node imports).
 */
import {
  concatHex,
  encodeAbiParameters,
  getAddress,
  hashTypedData,
  isAddressEqual,
  keccak256,
  recoverAddress,
  toHex,
  type Address,
  type Hex,
} from "viem";
import { sign } from "viem/accounts";

/** One meter's reading of one interval, exactly as the meter signs it (uint64 interval as bigint). */
export interface MeterReading {
  meter: Address;
  interval: bigint;
  importedWh: number;
  exportedWh: number;
}

/** A reading with the meter's 65-byte EIP-712 signature. */
export interface SignedReading {
  reading: MeterReading;
  signature: Hex;
}

/** EIP-712 domain of a MeterLedger deployment. */
export interface MeterLedgerDomain {
  /** "PowerLAN MeterLedger" */
  name: string;
  /** "1" */
  version: string;
  chainId: number;
  verifyingContract: Address;
}

export const METER_LEDGER_DOMAIN_NAME = "PowerLAN MeterLedger";
export const METER_LEDGER_DOMAIN_VERSION = "1";

/** The EIP-712 types of a reading (MeterReading(address meter,uint64 interval,uint32 importedWh,uint32 exportedWh)). */
export const METER_READING_TYPES = {
  MeterReading: [
    { name: "meter", type: "address" },
    { name: "interval", type: "uint64" },
    { name: "importedWh", type: "uint32" },
    { name: "exportedWh", type: "uint32" },
  ],
} as const;

export const METER_READING_TYPEHASH = keccak256(
  toHex("MeterReading(address meter,uint64 interval,uint32 importedWh,uint32 exportedWh)"),
);

const EIP712_DOMAIN_TYPEHASH = keccak256(
  toHex("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);

const UINT32_MAX = 0xffff_ffff;
const UINT64_MAX = (1n << 64n) - 1n;

/** The domain of the MeterLedger at `verifyingContract` on chain `chainId`. */
export function meterLedgerDomain(chainId: number | bigint, verifyingContract: Address): MeterLedgerDomain {
  return {
    name: METER_LEDGER_DOMAIN_NAME,
    version: METER_LEDGER_DOMAIN_VERSION,
    chainId: Number(chainId),
    verifyingContract: getAddress(verifyingContract),
  };
}

/** keccak256 of the EIP-712 domain (equals MeterLedger.domainSeparator()). */
export function domainSeparator(domain: MeterLedgerDomain): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }, { type: "address" }],
      [
        EIP712_DOMAIN_TYPEHASH,
        keccak256(toHex(domain.name)),
        keccak256(toHex(domain.version)),
        BigInt(domain.chainId),
        domain.verifyingContract,
      ],
    ),
  );
}

/** Throws a ReadingError("VALUE_OUT_OF_RANGE") unless the fields fit their Solidity types. */
export function assertReadingShape(reading: MeterReading): void {
  const bad = (what: string) => {
    throw new ReadingError("VALUE_OUT_OF_RANGE", reading, `reading of meter ${reading.meter}: ${what}`);
  };
  if (typeof reading.interval !== "bigint" || reading.interval < 0n || reading.interval > UINT64_MAX) {
    bad(`interval ${String(reading.interval)} is not a uint64`);
  }
  for (const key of ["importedWh", "exportedWh"] as const) {
    const v = reading[key];
    if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX) bad(`${key} ${v} is not a whole number of Wh in 0 … ${UINT32_MAX}`);
  }
}

/**
 * The EIP-712 digest of `reading` (equals MeterLedger.readingDigest). Pass a precomputed
 * `separator` (from `domainSeparator`) when hashing many readings for one ledger: it is the slow part.
 */
export function readingDigest(reading: MeterReading, domain: MeterLedgerDomain, separator?: Hex): Hex {
  if (!separator) {
    return hashTypedData({ domain, types: METER_READING_TYPES, primaryType: "MeterReading", message: reading });
  }
  const structHash = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }, { type: "uint64" }, { type: "uint32" }, { type: "uint32" }],
      [METER_READING_TYPEHASH, reading.meter, reading.interval, reading.importedWh, reading.exportedWh],
    ),
  );
  return keccak256(concatHex(["0x1901", separator, structHash]));
}

/** Sign `reading` with the meter's private key (deterministic RFC 6979 signature, low s). */
export async function signReading(
  meterKey: Hex,
  reading: MeterReading,
  domain: MeterLedgerDomain,
  separator: Hex = domainSeparator(domain),
): Promise<SignedReading> {
  assertReadingShape(reading);
  const signature = await sign({ hash: readingDigest(reading, domain, separator), privateKey: meterKey, to: "hex" });
  return { reading, signature };
}

/** Who signed `signed` for this domain (throws ReadingError("MALFORMED_SIGNATURE") on a broken signature). */
export async function recoverReadingSigner(
  signed: SignedReading,
  domain: MeterLedgerDomain,
  separator: Hex = domainSeparator(domain),
): Promise<Address> {
  try {
    return await recoverAddress({ hash: readingDigest(signed.reading, domain, separator), signature: signed.signature });
  } catch (cause) {
    throw new ReadingError("MALFORMED_SIGNATURE", signed.reading, `reading of meter ${signed.reading.meter} for interval ${signed.reading.interval}: the signature is malformed`, { cause });
  }
}

/** What can be wrong with a signed reading; each maps to an on-chain MeterLedger error. */
export type ReadingErrorCode =
  /** The signature recovers to another address than the reading's meter: signed with another key,
   * or for another chain id or another ledger contract. On-chain: MeterLedgerSignerNotBound. */
  | "SIGNER_NOT_METER"
  /** The meter is not bound to any participant in the registry. On-chain: MeterLedgerSignerNotBound. */
  | "METER_NOT_BOUND"
  /** A second reading for the same (meter, interval). On-chain: MeterLedgerDuplicateReading. */
  | "DUPLICATE_READING"
  /** The interval's delivery is not over yet. On-chain: MeterLedgerFutureInterval. */
  | "FUTURE_INTERVAL"
  /** exportedWh above what the meter's rating allows in one interval. On-chain: MeterLedgerExportAboveRating. */
  | "EXPORT_ABOVE_RATING"
  /** The reading is for another interval than the one being attested. */
  | "WRONG_INTERVAL"
  /** Not a 65-byte ECDSA signature, or a malleable one. On-chain: an ECDSA error. */
  | "MALFORMED_SIGNATURE"
  /** A field does not fit its Solidity type (uint32 Wh, uint64 interval). */
  | "VALUE_OUT_OF_RANGE";

/** A signed reading that must not be attested, with a plain-words message. */
export class ReadingError extends Error {
  readonly code: ReadingErrorCode;
  readonly reading: MeterReading;
  constructor(code: ReadingErrorCode, reading: MeterReading, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReadingError";
    this.code = code;
    this.reading = reading;
  }
}

/** What a validator knows when it checks readings (usually loaded from the chain, see validator.ts). */
export interface ReadingRules {
  domain: MeterLedgerDomain;
  /** The market's current interval: readings must be for an earlier one. */
  currentInterval: bigint;
  /** The account a meter is bound to in the registry, or undefined / the zero address if none. */
  accountOfMeter(meter: Address): Address | undefined;
  /** The meter's export rating in Wh per interval. */
  maxExportWhOf(meter: Address): number;
  /** If set, only readings of this interval are accepted. */
  interval?: bigint;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Key of (meter, interval) for duplicate detection. */
export function readingKey(reading: MeterReading): string {
  return `${reading.meter.toLowerCase()}:${reading.interval}`;
}

/**
 * Check one signed reading; resolves to the account the meter is bound to, or throws a ReadingError.
 * Checks, in order: field ranges, interval (wanted one, and over), export rating, signature (by the
 * meter itself, for this chain and ledger), meter bound to an account, not a duplicate of a key in
 * `seen` (the caller's set of accepted `readingKey`s; this function adds the reading's key on success).
 */
export async function verifyReading(
  signed: SignedReading,
  rules: ReadingRules,
  seen?: Set<string>,
  separator: Hex = domainSeparator(rules.domain),
): Promise<Address> {
  const r = signed.reading;
  assertReadingShape(r);
  const where = `meter ${r.meter}, interval ${r.interval}`;
  if (rules.interval !== undefined && r.interval !== rules.interval) {
    throw new ReadingError("WRONG_INTERVAL", r, `${where}: expected a reading of interval ${rules.interval}`);
  }
  if (r.interval >= rules.currentInterval) {
    throw new ReadingError(
      "FUTURE_INTERVAL",
      r,
      `${where}: interval ${r.interval} is not over yet (the current interval is ${rules.currentInterval})`,
    );
  }
  const maxWh = rules.maxExportWhOf(r.meter);
  if (r.exportedWh > maxWh) {
    throw new ReadingError(
      "EXPORT_ABOVE_RATING",
      r,
      `${where}: exported ${r.exportedWh} Wh, more than the meter's rating allows in one interval (${maxWh} Wh)`,
    );
  }
  const recovered = await recoverReadingSigner(signed, rules.domain, separator);
  if (!isAddressEqual(recovered, r.meter)) {
    throw new ReadingError(
      "SIGNER_NOT_METER",
      r,
      `${where}: signed by ${recovered}, not by the meter's key (another key, or a signature for another chain id or contract)`,
    );
  }
  const account = rules.accountOfMeter(r.meter);
  if (!account || isAddressEqual(account, ZERO_ADDRESS)) {
    throw new ReadingError("METER_NOT_BOUND", r, `${where}: the meter is not bound to any participant in the registry`);
  }
  if (seen) {
    const key = readingKey(r);
    if (seen.has(key)) {
      throw new ReadingError("DUPLICATE_READING", r, `${where}: a reading of this meter for this interval was already accepted`);
    }
    seen.add(key);
  }
  return getAddress(account);
}
