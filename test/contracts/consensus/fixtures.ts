/**
 * Shared fixtures for the consensus tests: the real ParticipantRegistry and ValidatorCommittee, a
 * MeterLedger on a hand-set interval clock, meters with real keys bound to registered accounts,
 * and validators that sign with lib/consensus.
 */
import { network } from "hardhat";
import { getAddress, keccak256, toBytes, type Address, type Hex } from "viem";
import { DEV_ACCOUNTS } from "../../../lib/devnet/accounts.ts";
import { devnetMeterKey } from "../../../lib/consensus/meters.ts";
import { ReadingsTree } from "../../../lib/consensus/merkle.ts";
import {
  meterLedgerDomain,
  signReading,
  type MeterLedgerDomain,
  type MeterReading,
  type SignedReading,
} from "../../../lib/consensus/readings.ts";
import { Validator, committeeDomain, type CommitteeDomain } from "../../../lib/consensus/validator.ts";

export type Connection = Awaited<ReturnType<typeof network.create>>;

export const Role = { None: 0, Prosumer: 1, Consumer: 2, Aggregator: 3, Validator: 4, DSO: 5, Regulator: 6 } as const;
export const DSO_ROLE = keccak256(toBytes("DSO_ROLE"));
export const SCORER_ROLE = keccak256(toBytes("SCORER_ROLE"));
export const MINTER_ROLE = keccak256(toBytes("MINTER_ROLE"));
export const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as Hex;
export const ZERO_ROOT = `0x${"00".repeat(32)}` as Hex;

/** 10 kW for 15 minutes. */
export const DEFAULT_MAX_EXPORT_WH = 2_500;
/** The clock starts here: intervals 0 … 9 are over. */
export const CURRENT_INTERVAL = 10n;

/** A test meter: key 100 + i of the devnet derivation (not any demo meter). */
export interface TestMeter {
  address: Address;
  privateKey: Hex;
}

export function consensusFixtures(connection: Connection) {
  const { viem } = connection;

  async function deployLedger() {
    const wallets = await viem.getWalletClients();
    const [admin, regulator, dso, scorer, relayer, alice, bob, carol, outsider] = wallets;
    const publicClient = await viem.getPublicClient();
    const chainId = await publicClient.getChainId();

    const registry = await viem.deployContract("ParticipantRegistry", [admin.account.address, regulator.account.address]);
    // Hardhat's dev accounts 10 … 13 as validators (their PUBLIC keys are in lib/devnet/accounts.ts).
    const validatorKeys = DEV_ACCOUNTS.slice(10, 14).map((a) => a.privateKey);
    const validatorAddresses = DEV_ACCOUNTS.slice(10, 14).map((a) => a.address);
    const committee = await viem.deployContract("ValidatorCommittee", [admin.account.address, validatorAddresses]);
    const clock = await viem.deployContract("ManualIntervalClock", [CURRENT_INTERVAL]);
    const ledger = await viem.deployContract("MeterLedger", [
      admin.account.address,
      registry.address,
      committee.address,
      clock.address,
      DEFAULT_MAX_EXPORT_WH,
    ]);
    await ledger.write.grantRole([DSO_ROLE, dso.account.address]);
    await ledger.write.grantRole([SCORER_ROLE, scorer.account.address]);

    // Meters: alice, bob, carol bound; `unbound` has a key but no participant.
    const meters = {
      alice: devnetMeterKey(100),
      bob: devnetMeterKey(101),
      carol: devnetMeterKey(102),
      unbound: devnetMeterKey(103),
    };
    for (const [wallet, meter, role] of [
      [alice, meters.alice, Role.Prosumer],
      [bob, meters.bob, Role.Consumer],
      [carol, meters.carol, Role.Prosumer],
    ] as const) {
      await registry.write.registerFor([wallet.account.address, role, meter.address, 1], { account: regulator.account });
    }

    const cDomain = committeeDomain(chainId, committee.address);
    // Sorted by address, as finalizeReadings wants the signatures.
    const validators = validatorKeys
      .map((k) => new Validator(k, cDomain))
      .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
    const lDomain = meterLedgerDomain(chainId, ledger.address);

    return {
      viem,
      publicClient,
      chainId,
      registry,
      committee,
      clock,
      ledger,
      admin,
      regulator,
      dso,
      scorer,
      relayer,
      alice,
      bob,
      carol,
      outsider,
      wallets,
      meters,
      validators,
      committeeDomain: cDomain,
      ledgerDomain: lDomain,
    };
  }

  return { deployLedger };
}

export type LedgerFixture = Awaited<ReturnType<ReturnType<typeof consensusFixtures>["deployLedger"]>>;

/** Sign `reading` with `meter`'s key for `domain`. */
export function signBy(meter: TestMeter, reading: MeterReading, domain: MeterLedgerDomain): Promise<SignedReading> {
  return signReading(meter.privateKey, reading, domain);
}

/** A reading of `meter` (defaults: 1,200 Wh imported, 300 Wh exported). */
export function readingOf(meter: TestMeter, interval: bigint, importedWh = 1_200, exportedWh = 300): MeterReading {
  return { meter: getAddress(meter.address), interval, importedWh, exportedWh };
}

/**
 * Build the tree over `readings` and finalise its root in the committee with the first `count`
 * validators (default: the quorum, 3 of 4). Returns the tree for proofs.
 */
export async function finalize(fx: LedgerFixture, interval: bigint, readings: readonly MeterReading[], count = 3) {
  const tree = new ReadingsTree(readings);
  const signatures = await Promise.all(fx.validators.slice(0, count).map((v) => v.signRoot(interval, tree.root)));
  await fx.committee.write.finalizeReadings([interval, tree.root, signatures.map((s) => s.signature)]);
  return tree;
}

/** recordReadings arguments for `signed` readings proven against `tree`. */
export function recordArgs(tree: ReadingsTree, signed: readonly SignedReading[]) {
  return [signed.map((s) => s.reading), signed.map((s) => s.signature), signed.map((s) => tree.proof(s.reading))] as const;
}

export type { CommitteeDomain };
