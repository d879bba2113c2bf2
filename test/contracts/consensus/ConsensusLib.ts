/**
 * lib/consensus against the real contracts: the hand-written ABI slices match the artifacts, the
 * Merkle tree matches OZ MerkleProof on-chain, and `finalizeInterval` finalises and records an
 * interval in batches, idempotently.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { artifacts, network } from "hardhat";
import { getAddress, keccak256, toHex, type Abi, type AbiParameter, type Address, type Hex } from "viem";
import { meterLedgerAbi, validatorCommitteeAbi } from "../../../lib/consensus/abi.ts";
import { MerkleTree, ReadingsTree, readingLeaf } from "../../../lib/consensus/merkle.ts";
import { devnetMeterKey } from "../../../lib/consensus/meters.ts";
import type { SignedReading } from "../../../lib/consensus/readings.ts";
import { ConsensusError, finalizeInterval, loadReadingRules, type FinalizeOptions } from "../../../lib/consensus/validator.ts";
import { DEFAULT_MAX_EXPORT_WH, consensusFixtures, finalize, readingOf, signBy, type LedgerFixture } from "./fixtures.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const { deployLedger } = consensusFixtures(connection);

const INTERVAL = 7n;

/** Canonical text of an ABI item: kind, name, parameter types (tuples expanded), outputs, mutability, indexed flags. */
function canonical(item: Abi[number]): string {
  const params = (ps: readonly AbiParameter[] | undefined): string =>
    (ps ?? [])
      .map((p) => {
        const t = "components" in p && p.components ? `(${params(p.components)})${p.type.slice("tuple".length)}` : p.type;
        return "indexed" in p && p.indexed ? `${t} indexed` : t;
      })
      .join(",");
  const name = "name" in item ? item.name : "";
  const inputs = "inputs" in item ? params(item.inputs) : "";
  const outputs = "outputs" in item ? params(item.outputs) : "";
  const mutability = "stateMutability" in item ? item.stateMutability : "";
  return `${item.type} ${name}(${inputs}) ${mutability} -> (${outputs})`;
}
const METERS = 40;

/** The ledger fixture plus METERS more meters bound to accounts (addresses only). */
async function deployWithMeters() {
  const fx = await deployLedger();
  const meters = Array.from({ length: METERS }, (_, i) => devnetMeterKey(200 + i));
  const accounts: Address[] = [];
  for (let i = 0; i < METERS; i++) {
    const account = getAddress(`0x${(0xcafe0000 + i).toString(16).padStart(40, "0")}`);
    accounts.push(account);
    await fx.registry.write.registerFor([account, 1, meters[i].address, 1], { account: fx.regulator.account });
  }
  return { ...fx, meters40: meters, accounts };
}

async function signedInterval(fx: LedgerFixture & { meters40: { address: Address; privateKey: Hex }[] }, interval = INTERVAL) {
  return Promise.all(fx.meters40.map((m, i) => signBy(m, readingOf(m, interval, 500 + i, i % 3 === 0 ? 1_000 + i : 0), fx.ledgerDomain)));
}

function options(fx: Awaited<ReturnType<typeof deployWithMeters>>, readings: SignedReading[], extra: Partial<FinalizeOptions> = {}): FinalizeOptions {
  return {
    reader: fx.publicClient,
    writer: fx.relayer,
    addresses: { chainId: fx.chainId, committee: fx.committee.address, ledger: fx.ledger.address },
    interval: INTERVAL,
    readings,
    validators: fx.validators,
    batchSize: 16,
    ...extra,
  };
}

describe("lib/consensus on-chain", () => {
  it("ABI slices match the compiled contracts", async () => {
    for (const [name, slice] of [
      ["MeterLedger", meterLedgerAbi],
      ["ValidatorCommittee", validatorCommitteeAbi],
    ] as const) {
      const artifact = await artifacts.readArtifact(name);
      const full = new Set((artifact.abi as Abi).map(canonical));
      for (const item of slice as Abi) assert.ok(full.has(canonical(item)), `${name}: ${canonical(item)}`);
    }
  });

  it("Merkle proofs verify with OZ MerkleProof on-chain, for 1 … 17 leaves", async () => {
    const harness = await viem.deployContract("MerkleProofHarness");
    for (let n = 1; n <= 17; n++) {
      const leaves = Array.from({ length: n }, (_, i) => keccak256(toHex(`leaf ${n}:${i}`)));
      const tree = new MerkleTree(leaves);
      for (const leaf of leaves) {
        const proof = tree.proof(leaf);
        assert.equal(await harness.read.processProof([proof, leaf]), tree.root, `n = ${n}`);
      }
      // A leaf outside the tree does not verify.
      if (n > 1) assert.equal(await harness.read.verify([tree.proof(leaves[0]), tree.root, keccak256("0x01")]), false);
    }
  });

  it("finalizeInterval: validators attest, a quorum finalises, readings are recorded in batches", async () => {
    const fx = await networkHelpers.loadFixture(deployWithMeters);
    const signed = await signedInterval(fx);
    // Two bad readings the validators must keep out of the root.
    const overRating = await signBy(fx.meters.alice, readingOf(fx.meters.alice, INTERVAL, 0, DEFAULT_MAX_EXPORT_WH + 1), fx.ledgerDomain);
    const unbound = await signBy(fx.meters.unbound, readingOf(fx.meters.unbound, INTERVAL), fx.ledgerDomain);
    const result = await finalizeInterval(options(fx, [...signed, overRating, unbound]));
    assert.equal(result.finalizedNow, true);
    assert.equal(result.signers.length, 3);
    assert.deepEqual(result.signers, [...result.signers].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    assert.equal(result.recorded, METERS);
    assert.equal(result.alreadyRecorded, 0);
    assert.deepEqual(result.rejected.map((r) => r.error.code), ["EXPORT_ABOVE_RATING", "METER_NOT_BOUND"]);
    assert.equal(result.transactions.length, 1 + Math.ceil(METERS / 16));
    assert.equal(result.root, new ReadingsTree(signed.map((s) => s.reading)).root);
    assert.equal(await fx.committee.read.finalizedReadingsRoot([INTERVAL]), result.root);
    for (let i = 0; i < METERS; i++) {
      assert.deepEqual(await fx.ledger.read.readingOf([fx.accounts[i], INTERVAL]), [true, 500 + i, i % 3 === 0 ? 1_000 + i : 0]);
    }
    assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, INTERVAL]), [false, 0, 0]);

    // Idempotent: a second run finds everything done.
    const again = await finalizeInterval(options(fx, [...signed, overRating, unbound]));
    assert.deepEqual(
      [again.finalizedNow, again.recorded, again.alreadyRecorded, again.transactions.length, again.root],
      [false, 0, METERS, 0, result.root],
    );
  });

  it("finalizeInterval completes a half-done interval (final, some readings recorded)", async () => {
    const fx = await networkHelpers.loadFixture(deployWithMeters);
    const signed = await signedInterval(fx);
    const tree = await finalize(fx, INTERVAL, signed.map((s) => s.reading));
    const first = signed.slice(0, 5);
    await fx.ledger.write.recordReadings([first.map((s) => s.reading), first.map((s) => s.signature), first.map((s) => tree.proof(s.reading))]);
    const result = await finalizeInterval(options(fx, signed));
    assert.deepEqual([result.finalizedNow, result.recorded, result.alreadyRecorded], [false, METERS - 5, 5]);
    assert.deepEqual(await fx.ledger.read.readingOf([fx.accounts[METERS - 2], INTERVAL]), [true, 500 + METERS - 2, 0]);
  });

  it("finalizeInterval: no quorum, another root on-chain, nothing valid, bad batch size", async () => {
    const fx = await networkHelpers.loadFixture(deployWithMeters);
    const signed = await signedInterval(fx);
    await assert.rejects(finalizeInterval(options(fx, signed, { validators: fx.validators.slice(0, 2) })), (e: unknown) => {
      assert.ok(e instanceof ConsensusError);
      assert.equal(e.code, "NO_QUORUM");
      assert.match(e.message, /2 current validators agree on a root, the quorum is 3/);
      return true;
    });
    assert.equal(await fx.committee.read.finalizedReadingsRoot([INTERVAL]), `0x${"00".repeat(32)}`);

    await finalize(fx, INTERVAL, signed.slice(1).map((s) => s.reading)); // a root without the first reading
    await assert.rejects(finalizeInterval(options(fx, signed)), (e: unknown) => e instanceof ConsensusError && e.code === "ROOT_MISMATCH");
    assert.deepEqual(await fx.ledger.read.readingOf([fx.accounts[1], INTERVAL]), [false, 0, 0]);

    const future = await signBy(fx.meters.alice, readingOf(fx.meters.alice, 50n), fx.ledgerDomain);
    await assert.rejects(
      finalizeInterval(options(fx, [future], { interval: 50n })),
      (e: unknown) => e instanceof ConsensusError && e.code === "NO_READINGS",
    );
    await assert.rejects(finalizeInterval(options(fx, signed, { batchSize: 129 })), (e: unknown) => e instanceof ConsensusError && e.code === "BAD_BATCH_SIZE");
  });

  it("finalizeInterval ignores a removed validator's attestation and still reaches the quorum", async () => {
    const fx = await networkHelpers.loadFixture(deployWithMeters);
    const [v0, v1, v2, v3] = fx.validators;
    // The committee votes v3 out (epoch 0 → 1).
    const votes = await Promise.all([v0, v1, v2].map((v) => v.signSetChange([], [v3.address], 0n)));
    await fx.committee.write.changeValidatorSet([[], [v3.address], votes.map((v) => v.signature)]);
    const signed = await signedInterval(fx);
    const result = await finalizeInterval(options(fx, signed, { validators: [v3, v0, v1, v2] }));
    assert.equal(result.finalizedNow, true);
    assert.ok(!result.signers.includes(v3.address));
    // With the removed validator and one current one only, there is no quorum.
    const later = await signedInterval(fx, 8n);
    await assert.rejects(
      finalizeInterval(options(fx, later, { interval: 8n, validators: [v3, v0, v1] })),
      (e: unknown) => e instanceof ConsensusError && e.code === "NO_QUORUM",
    );
  });

  it("loadReadingRules reads clock, bindings and ratings from the chain", async () => {
    const fx = await networkHelpers.loadFixture(deployWithMeters);
    await fx.ledger.write.setMeterRating([fx.meters40[0].address, 9_999], { account: fx.dso.account });
    const bindings = new Map<string, Address>();
    const addresses = { chainId: fx.chainId, committee: fx.committee.address, ledger: fx.ledger.address };
    const rules = await loadReadingRules(fx.publicClient, addresses, [fx.meters40[0].address, fx.meters.unbound.address], bindings);
    // Bindings are cached (they never change); unbound meters are not, so a later binding is seen.
    assert.deepEqual([...bindings.entries()], [[fx.meters40[0].address.toLowerCase(), fx.accounts[0]]]);
    await fx.registry.write.registerFor([fx.outsider.account.address, 2, fx.meters.unbound.address, 1], { account: fx.regulator.account });
    const later = await loadReadingRules(fx.publicClient, addresses, [fx.meters.unbound.address], bindings);
    assert.equal(later.accountOfMeter(fx.meters.unbound.address), getAddress(fx.outsider.account.address));
    assert.equal(rules.currentInterval, 10n);
    assert.equal(rules.accountOfMeter(fx.meters40[0].address), fx.accounts[0]);
    assert.equal(rules.accountOfMeter(fx.meters.unbound.address), "0x0000000000000000000000000000000000000000");
    assert.equal(rules.maxExportWhOf(fx.meters40[0].address), 9_999);
    assert.equal(rules.maxExportWhOf(fx.meters.unbound.address), DEFAULT_MAX_EXPORT_WH);
    assert.equal(readingLeaf(readingOf(fx.meters40[0], 1n)), await fx.ledger.read.readingLeaf([readingOf(fx.meters40[0], 1n)]));
  });
});
