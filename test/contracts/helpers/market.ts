/**
 * Shared fixtures for the market tests: the real PaymentToken and ParticipantRegistry, an
 * EnergyMarket subscribed to the registry, and a handful of funded, registered traders — each with
 * a real meter key bound in the registry — plus the consensus side the market settles on: a
 * ValidatorCommittee of 4 (Hardhat dev accounts 10 … 13), a MeterLedger on the market's clock and
 * an EnergyCertificate, wired with `configureSettlement` (see helpers/delivery.ts to settle).
 */
import assert from "node:assert/strict";
import { network } from "hardhat";
import { getAddress, keccak256, toBytes, type Address, type Hex } from "viem";
import { DEV_ACCOUNTS } from "../../../lib/devnet/accounts.ts";
import { devnetMeterKey } from "../../../lib/consensus/meters.ts";
import { meterLedgerDomain } from "../../../lib/consensus/readings.ts";
import { Validator, committeeDomain } from "../../../lib/consensus/validator.ts";

export type Connection = Awaited<ReturnType<typeof network.create>>;

// Mirrors of the Solidity enums.
export const Side = { Bid: 0, Offer: 1 } as const;
export const Role = { None: 0, Prosumer: 1, Consumer: 2, Aggregator: 3, Validator: 4, DSO: 5, Regulator: 6 } as const;

export const SUPERVISOR_ROLE = keccak256(toBytes("SUPERVISOR_ROLE"));
export const SCORER_ROLE = keccak256(toBytes("SCORER_ROLE"));
export const MINTER_ROLE = keccak256(toBytes("MINTER_ROLE"));

export type GridTariffs = {
  imbalanceWeiPerKWh: number;
  retailWeiPerKWh: number;
  feedInWeiPerKWh: number;
  defaultZoneFeeWeiPerKWh: number;
};

/** No grid fees and no imbalance charge: a fully delivered trade pays exactly as at clearing. */
export const ZERO_TARIFFS: GridTariffs = { imbalanceWeiPerKWh: 0, retailWeiPerKWh: 0, feedInWeiPerKWh: 0, defaultZoneFeeWeiPerKWh: 0 };

/** Meter export rating of the test ledger (Wh per interval): high, so big test books fit. */
export const TEST_MAX_EXPORT_WH = 1_000_000_000;

/** 1 PLC in base units (6 decimals). */
export const PLC = 1_000_000n;

import type { MarketParams } from "../../../lib/devnet/config.ts";
export type { MarketParams };

/** Test parameters: 15-minute intervals, gate 5 minutes ahead, cap 1 PLC/kWh, floor 0.001 PLC/kWh, k = 1/2. */
export const TEST_PARAMS: MarketParams = {
  priceCapWeiPerKWh: 1_000_000,
  priceFloorWeiPerKWh: 1_000,
  minOrderWh: 100,
  maxOrdersPerSide: 20,
  kNumerator: 1,
  kDenominator: 2,
  intervalSeconds: 900,
  gateLeadSeconds: 300,
};

/** Each trader's deposit in the vault (1,000 PLC), and what it holds in its wallet besides. */
export const DEPOSIT = 1_000n * PLC;
export const WALLET = 100n * PLC;

/** Pack order indexes as the `clear` hints: 2 bytes each, big-endian. */
export function hints(indexes: number[]): Hex {
  return `0x${indexes.map((i) => i.toString(16).padStart(4, "0")).join("")}`;
}

export function orderIdOf(interval: bigint, side: number, index: number): bigint {
  return (interval << 40n) | (BigInt(side) << 32n) | BigInt(index);
}

/** ceil(price × Wh / 1000) and floor(price × Wh / 1000), as in ClearingMath. */
export const charge = (price: bigint | number, wh: bigint | number) => (BigInt(price) * BigInt(wh) + 999n) / 1000n;
export const payout = (price: bigint | number, wh: bigint | number) => (BigInt(price) * BigInt(wh)) / 1000n;

/**
 * Builds the fixture functions for one connection (loadFixture needs named functions per network).
 */
export function marketFixtures(connection: Connection) {
  const { viem, networkHelpers } = connection;

  async function deployWith(params: MarketParams, tariffs: GridTariffs = ZERO_TARIFFS) {
    const wallets = await viem.getWalletClients();
    const [admin, supervisor, dso, alice, bob, carol, dave, eve, frank, grace] = wallets;
    const publicClient = await viem.getPublicClient();

    const token = await viem.deployContract("PaymentToken", [admin.account.address, false]);
    const registry = await viem.deployContract("ParticipantRegistry", [
      admin.account.address,
      supervisor.account.address,
    ]);
    const now = BigInt(await networkHelpers.time.latest());
    // Interval 0 starts in an hour: intervals 0.. are open for orders at first.
    const genesisTime = now - (now % 900n) + 3600n;
    const market = await viem.deployContract("EnergyMarket", [
      admin.account.address,
      registry.address,
      token.address,
      dso.account.address,
      params,
      genesisTime,
    ]);
    await registry.write.addListener([market.address]);
    await market.write.grantRole([SUPERVISOR_ROLE, supervisor.account.address]);

    // Consensus side: 4 validators (quorum 3), the ledger on the market's clock, certificates.
    const validatorAccounts = DEV_ACCOUNTS.slice(10, 14);
    const committee = await viem.deployContract("ValidatorCommittee", [
      admin.account.address,
      validatorAccounts.map((a) => a.address),
    ]);
    const ledger = await viem.deployContract("MeterLedger", [
      admin.account.address,
      registry.address,
      committee.address,
      market.address,
      TEST_MAX_EXPORT_WH,
    ]);
    const certificate = await viem.deployContract("EnergyCertificate", [admin.account.address, ""]);
    await ledger.write.grantRole([SCORER_ROLE, market.address]);
    await certificate.write.grantRole([MINTER_ROLE, market.address]);
    await market.write.configureSettlement([ledger.address, certificate.address, tariffs]);
    const chainId = await publicClient.getChainId();
    const validators = validatorAccounts
      .map((a) => new Validator(a.privateKey, committeeDomain(chainId, committee.address)))
      .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
    const ledgerDomain = meterLedgerDomain(chainId, ledger.address);

    // alice, carol: prosumers; bob, frank: consumers; dave: aggregator; grace: validator (not a trader);
    // eve: not registered.
    const roles: [typeof alice, number][] = [
      [alice, Role.Prosumer],
      [bob, Role.Consumer],
      [carol, Role.Prosumer],
      [dave, Role.Aggregator],
      [frank, Role.Consumer],
      [grace, Role.Validator],
    ];
    // Meter keys 300 + i of the devnet derivation (not any demo meter), by account (lowercase).
    const meters = new Map<string, { address: Address; privateKey: Hex }>();
    let meterIndex = 300;
    for (const [wallet, role] of roles) {
      const meter = devnetMeterKey(meterIndex++);
      meters.set(wallet.account.address.toLowerCase(), meter);
      await registry.write.registerFor([wallet.account.address, role, meter.address, 1], { account: supervisor.account });
    }
    for (const wallet of [alice, bob, carol, dave, eve, frank]) {
      await token.write.mint([wallet.account.address, DEPOSIT + WALLET]);
      await token.write.approve([market.address, DEPOSIT + WALLET], { account: wallet.account });
      await market.write.deposit([DEPOSIT], { account: wallet.account });
    }
    return {
      viem,
      networkHelpers,
      publicClient,
      token,
      registry,
      market,
      committee,
      ledger,
      certificate,
      validators,
      ledgerDomain,
      meters,
      tariffs,
      params,
      genesisTime,
      admin,
      supervisor,
      dso,
      alice,
      bob,
      carol,
      dave,
      eve,
      frank,
      grace,
      wallets,
    };
  }

  async function deployMarket() {
    return deployWith(TEST_PARAMS);
  }

  /** k = 0 (price at the low end of the equilibrium interval). */
  async function deployMarketK0() {
    return deployWith({ ...TEST_PARAMS, kNumerator: 0 });
  }

  /** k = 1 (price at the high end). */
  async function deployMarketK1() {
    return deployWith({ ...TEST_PARAMS, kNumerator: 2 });
  }

  return { deployWith, deployMarket, deployMarketK0, deployMarketK1 };
}

export type MarketFixture = Awaited<ReturnType<ReturnType<typeof marketFixtures>["deployWith"]>>;
/** One of the fixture's traders (alice, bob, …). */
export type Wallet = MarketFixture["alice"];
/** A wallet's address, checksummed as the market's getters and events return it. */
export const addr = (w: { account: { address: Address } }) => getAddress(w.account.address);

/** Jump to the gate closure of `interval` (a block with exactly that timestamp), unless already past it. */
export async function closeGate(fx: MarketFixture, interval: bigint) {
  const gate = await fx.market.read.gateClosureTime([interval]);
  if (BigInt(await fx.networkHelpers.time.latest()) < gate) await fx.networkHelpers.time.increaseTo(gate);
}

/**
 * Everything a failed call must leave unchanged: vault balances of every actor, the market's
 * token balance, the interval's bookkeeping and all of its orders.
 */
export async function marketSnapshot(fx: MarketFixture, interval: bigint) {
  const { market, token } = fx;
  const actors: Address[] = [fx.alice, fx.bob, fx.carol, fx.dave, fx.eve, fx.frank, fx.dso].map(
    (w) => w.account.address,
  );
  const state = await market.read.intervalState([interval]);
  return {
    free: await Promise.all(actors.map((a) => market.read.freeBalanceOf([a]))),
    locked: await Promise.all(actors.map((a) => market.read.lockedBalanceOf([a]))),
    wallets: await Promise.all(actors.map((a) => token.read.balanceOf([a]))),
    vault: await token.read.balanceOf([market.address]),
    state,
    bids: await market.read.getOrders([interval, Side.Bid, 0n, 1000n]),
    offers: await market.read.getOrders([interval, Side.Offer, 0n, 1000n]),
    paused: await market.read.paused(),
  };
}

/**
 * Asserts that `run()` reverts with `errorName(args)` and that nothing changed ("nothing lost").
 */
export async function assertRevertsUnchanged(
  fx: MarketFixture,
  interval: bigint,
  run: () => Promise<Hex>,
  errorName: string,
  args: unknown[],
) {
  const before = await marketSnapshot(fx, interval);
  await fx.viem.assertions.revertWithCustomErrorWithArgs(
    run(),
    fx.market,
    // The assertion is typed per error; the tests pass names and args from the ABI.
    errorName as never,
    args as never,
  );
  assert.deepEqual(await marketSnapshot(fx, interval), before);
}

/**
 * The vault holds Σ free + Σ locked of every actor, less the seller credits of half-settled
 * intervals not yet collected from their buyers (`inFlight`: Σ settlementOf(i).sellersPaidWei −
 * buyersChargedWei over such intervals; pass the intervals that may be half settled).
 */
export async function assertVaultSolvent(fx: MarketFixture, halfSettled: readonly bigint[] = []) {
  const { market, token } = fx;
  const actors = [fx.alice, fx.bob, fx.carol, fx.dave, fx.eve, fx.frank, fx.dso, fx.admin, fx.supervisor, fx.grace];
  let total = 0n;
  for (const w of actors) {
    total += await market.read.freeBalanceOf([w.account.address]);
    total += await market.read.lockedBalanceOf([w.account.address]);
  }
  let inFlight = 0n;
  for (const i of halfSettled) {
    const st = await market.read.settlementOf([i]);
    if ((await market.read.intervalState([i])).unsettledOrders > 0) inFlight += st.sellersPaidWei - st.buyersChargedWei;
  }
  assert.equal(await token.read.balanceOf([market.address]), total - inFlight);
}
