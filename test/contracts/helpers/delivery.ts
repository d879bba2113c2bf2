/**
 * Settlement on metered delivery in tests: meters sign their readings with lib/consensus, the
 * validators of the market fixture finalise the interval's Merkle root with a quorum, anyone records
 * the readings in the MeterLedger, then the interval settles (offers first, then bids).
 */
import { getAddress, type Address } from "viem";
import { ReadingsTree } from "../../../lib/consensus/merkle.ts";
import { signReading, type MeterReading, type SignedReading } from "../../../lib/consensus/readings.ts";
import { Side, type GridTariffs, type MarketFixture } from "./market.ts";

/** Exported Wh by account (any case). */
export type Exports = Record<string, number>;

/**
 * The grid tariffs the settlement tests' worked examples use: 0.40 PLC/kWh imbalance, 0.03 PLC/kWh
 * default zone fee (retail and feed-in are only stored).
 */
export const SETTLEMENT_TARIFFS: GridTariffs = {
  imbalanceWeiPerKWh: 400_000,
  retailWeiPerKWh: 300_000,
  feedInWeiPerKWh: 80_000,
  defaultZoneFeeWeiPerKWh: 30_000,
};

/** Live-at-clearing auction orders of an interval: not cancelled, not addressed, energy left. */
export async function liveOrders(fx: MarketFixture, interval: bigint) {
  const zero = "0x0000000000000000000000000000000000000000";
  const live = (o: { cancelled: boolean; addressedTo: Address; energyWh: number }) =>
    !o.cancelled && o.addressedTo === zero && o.energyWh > 0;
  const bids = (await fx.market.read.getOrders([interval, Side.Bid, 0n, 1000n])).filter(live);
  const offers = (await fx.market.read.getOrders([interval, Side.Offer, 0n, 1000n])).filter(live);
  return { bids, offers };
}

/** What each seller sold in the interval's auction (Σ fills of its offers), by lowercase address. */
export async function soldByAccount(fx: MarketFixture, interval: bigint): Promise<Map<string, number>> {
  const sold = new Map<string, number>();
  for (const o of (await liveOrders(fx, interval)).offers) {
    if (o.filledWh === 0) continue;
    const key = o.owner.toLowerCase();
    sold.set(key, (sold.get(key) ?? 0) + o.filledWh);
  }
  return sold;
}

/** Move time to the start of interval + 1: the ledger records readings of finished intervals only. */
export async function endDelivery(fx: MarketFixture, interval: bigint) {
  const next = await fx.market.read.intervalStartTime([interval + 1n]);
  if (BigInt(await fx.networkHelpers.time.latest()) < next) await fx.networkHelpers.time.increaseTo(next);
}

export interface AttestOptions {
  /** Accounts whose reading is part of the final root but is not recorded in the ledger. */
  unrecorded?: readonly Address[];
  /** Validators that sign the root (default 3, the quorum). */
  signers?: number;
}

/**
 * Readings for `exports` (default: every seller exports exactly what it sold), signed by each
 * account's meter; the validators finalise their root and the readings are recorded.
 * Returns the signed readings and the tree.
 */
export async function attestDeliveries(fx: MarketFixture, interval: bigint, exports?: Exports, options: AttestOptions = {}) {
  const wanted = new Map<string, number>();
  if (exports === undefined) {
    for (const [account, wh] of await soldByAccount(fx, interval)) wanted.set(account, wh);
  } else {
    for (const [account, wh] of Object.entries(exports)) wanted.set(account.toLowerCase(), wh);
  }
  await endDelivery(fx, interval);
  const signed: SignedReading[] = [];
  for (const [account, exportedWh] of wanted) {
    const meter = fx.meters.get(account);
    if (!meter) throw new Error(`no meter for ${account}`);
    const reading: MeterReading = { meter: getAddress(meter.address), interval, importedWh: 0, exportedWh };
    signed.push(await signReading(meter.privateKey, reading, fx.ledgerDomain));
  }
  // An interval with no readings at all still gets a root (of one zero-export reading of alice).
  if (signed.length === 0) {
    const meter = fx.meters.get(fx.alice.account.address.toLowerCase())!;
    const reading: MeterReading = { meter: getAddress(meter.address), interval, importedWh: 0, exportedWh: 0 };
    signed.push(await signReading(meter.privateKey, reading, fx.ledgerDomain));
  }
  const tree = new ReadingsTree(signed.map((s) => s.reading));
  const count = options.signers ?? 3;
  const signatures = await Promise.all(fx.validators.slice(0, count).map((v) => v.signRoot(interval, tree.root)));
  await fx.committee.write.finalizeReadings([interval, tree.root, signatures.map((s) => s.signature)]);
  const skip = new Set((options.unrecorded ?? []).map((a) => a.toLowerCase()));
  const meterToAccount = new Map([...fx.meters].map(([account, m]) => [m.address.toLowerCase(), account]));
  const record = signed.filter((s) => !skip.has(meterToAccount.get(s.reading.meter.toLowerCase())!));
  if (record.length > 0) {
    await fx.ledger.write.recordReadings([
      record.map((s) => s.reading),
      record.map((s) => s.signature),
      record.map((s) => tree.proof(s.reading)),
    ]);
  }
  return { signed, tree };
}

/** The ids `settle` takes for an interval, offers first (sellers settle before buyers). */
export async function settleIds(fx: MarketFixture, interval: bigint) {
  const { bids, offers } = await liveOrders(fx, interval);
  return { offers: offers.map((o) => o.id), bids: bids.map((o) => o.id) };
}

/**
 * Attest the interval's deliveries (`exports`, default: every seller delivers what it sold) unless
 * its root is already final, then settle every unsettled order: offers first, then bids, in
 * batches of MAX_SETTLE_BATCH. Returns the transaction hashes.
 */
export async function settleDelivered(fx: MarketFixture, interval: bigint, exports?: Exports) {
  const root = await fx.committee.read.finalizedReadingsRoot([interval]);
  if (/^0x0+$/.test(root)) await attestDeliveries(fx, interval, exports);
  const { bids, offers } = await liveOrders(fx, interval);
  const ids = [...offers, ...bids].filter((o) => !o.settled).map((o) => o.id);
  const max = Number(await fx.market.read.MAX_SETTLE_BATCH());
  const hashes = [];
  for (let i = 0; i < ids.length; i += max) hashes.push(await fx.market.write.settle([ids.slice(i, i + max)]));
  return hashes;
}
