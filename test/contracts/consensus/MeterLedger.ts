import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress, parseEventLogs, recoverAddress, zeroAddress, type Hex } from "viem";
import { ReadingsTree, readingLeaf } from "../../../lib/consensus/merkle.ts";
import { devnetMeterKey } from "../../../lib/consensus/meters.ts";
import { domainSeparator, meterLedgerDomain, readingDigest, METER_READING_TYPEHASH } from "../../../lib/consensus/readings.ts";
import {
  CURRENT_INTERVAL,
  DEFAULT_MAX_EXPORT_WH,
  DSO_ROLE,
  SCORER_ROLE,
  consensusFixtures,
  finalize,
  readingOf,
  recordArgs,
  signBy,
  type LedgerFixture,
} from "./fixtures.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const { deployLedger } = consensusFixtures(connection);

const INTERVAL = 5n;

/** Everything a failed recordReadings must leave unchanged: every account's reading of the intervals. */
async function readingsSnapshot(fx: LedgerFixture, intervals: bigint[] = [INTERVAL]) {
  const accounts = [fx.alice, fx.bob, fx.carol, fx.outsider].map((w) => w.account.address);
  const out: (readonly [boolean, number, number])[] = [];
  for (const interval of intervals) {
    for (const account of accounts) out.push(await fx.ledger.read.readingOf([account, interval]));
  }
  return out;
}

/** Asserts `run()` reverts with `errorName(args)` on the ledger and no reading changed. */
async function assertRejected(
  fx: LedgerFixture,
  run: () => Promise<Hex>,
  errorName: string,
  args: unknown[],
  intervals: bigint[] = [INTERVAL],
) {
  const before = await readingsSnapshot(fx, intervals);
  const eventsBefore = await fx.ledger.getEvents.ReadingRecorded({}, { fromBlock: 0n });
  await viem.assertions.revertWithCustomErrorWithArgs(run(), fx.ledger, errorName as never, args as never);
  assert.deepEqual(await readingsSnapshot(fx, intervals), before);
  const eventsAfter = await fx.ledger.getEvents.ReadingRecorded({}, { fromBlock: 0n });
  assert.equal(eventsAfter.length, eventsBefore.length);
}

/** alice, bob and carol's signed readings of INTERVAL, finalised; returns the tree and readings. */
async function finalisedInterval(fx: LedgerFixture, interval = INTERVAL) {
  const signed = await Promise.all([
    signBy(fx.meters.alice, readingOf(fx.meters.alice, interval, 100, 2_100), fx.ledgerDomain),
    signBy(fx.meters.bob, readingOf(fx.meters.bob, interval, 1_800, 0), fx.ledgerDomain),
    signBy(fx.meters.carol, readingOf(fx.meters.carol, interval, 0, 2_500), fx.ledgerDomain),
  ]);
  const tree = await finalize(fx, interval, signed.map((s) => s.reading));
  return { signed, tree };
}

describe("MeterLedger", () => {
  describe("deployment and EIP-712", () => {
    it("wires registry, committee, clock and default rating; roles", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const { ledger } = fx;
      assert.equal(await ledger.read.registry(), getAddress(fx.registry.address));
      assert.equal(await ledger.read.committee(), getAddress(fx.committee.address));
      assert.equal(await ledger.read.clock(), getAddress(fx.clock.address));
      assert.equal(await ledger.read.defaultMaxExportWh(), DEFAULT_MAX_EXPORT_WH);
      assert.equal(await ledger.read.maxExportWhOf([fx.meters.alice.address]), DEFAULT_MAX_EXPORT_WH);
      assert.equal(await ledger.read.MAX_READINGS_PER_BATCH(), 128n);
      assert.equal(await ledger.read.hasRole([DSO_ROLE, fx.dso.account.address]), true);
      assert.equal(await ledger.read.hasRole([SCORER_ROLE, fx.scorer.account.address]), true);
      const events = await ledger.getEvents.IntervalClockSet({}, { fromBlock: 0n });
      assert.deepEqual(events.map((e) => [e.args.previous, e.args.current]), [[zeroAddress, getAddress(fx.clock.address)]]);
    });

    it("type hash, domain separator, digest and leaf match lib/consensus", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const reading = readingOf(fx.meters.alice, 7n, 1234, 567);
      assert.equal(await fx.ledger.read.METER_READING_TYPEHASH(), METER_READING_TYPEHASH);
      assert.equal(await fx.ledger.read.domainSeparator(), domainSeparator(fx.ledgerDomain));
      const digest = readingDigest(reading, fx.ledgerDomain);
      assert.equal(await fx.ledger.read.readingDigest([reading]), digest);
      assert.equal(readingDigest(reading, fx.ledgerDomain, domainSeparator(fx.ledgerDomain)), digest);
      assert.equal(await fx.ledger.read.readingLeaf([reading]), readingLeaf(reading));
    });

    it("rejects zero addresses and a zero default rating; accepts a clock set later", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const a = fx.admin.account.address;
      const r = fx.registry.address;
      const c = fx.committee.address;
      for (const args of [
        [zeroAddress, r, c, zeroAddress, 2500],
        [a, zeroAddress, c, zeroAddress, 2500],
        [a, r, zeroAddress, zeroAddress, 2500],
      ] as const) {
        await viem.assertions.revertWithCustomError(viem.deployContract("MeterLedger", [...args]), fx.ledger, "MeterLedgerZeroAddress");
      }
      await viem.assertions.revertWithCustomErrorWithArgs(
        viem.deployContract("MeterLedger", [a, r, c, zeroAddress, 0]),
        fx.ledger,
        "MeterLedgerInvalidRating",
        [0],
      );
      const late = await viem.deployContract("MeterLedger", [a, r, c, zeroAddress, 2500]);
      assert.equal(await late.read.clock(), zeroAddress);
      await viem.assertions.revertWithCustomError(late.write.recordReadings([[], [], []]), late, "MeterLedgerClockNotSet");
      await viem.assertions.emitWithArgs(late.write.setClock([fx.clock.address]), late, "IntervalClockSet", [
        zeroAddress,
        getAddress(fx.clock.address),
      ]);
      await late.write.recordReadings([[], [], []]); // an empty batch is a no-op
    });
  });

  describe("recordReadings", () => {
    it("records attested readings (anyone may submit): one slot per account and interval, events", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const { signed, tree } = await finalisedInterval(fx);
      assert.equal(await fx.ledger.read.isAttested([signed[0].reading, tree.proof(signed[0].reading)]), true);
      const hash = await fx.ledger.write.recordReadings([...recordArgs(tree, signed)], { account: fx.relayer.account });
      const receipt = await fx.publicClient.waitForTransactionReceipt({ hash });
      const events = parseEventLogs({ abi: fx.ledger.abi, logs: receipt.logs, eventName: "ReadingRecorded" });
      assert.deepEqual(
        events.map((e) => e.args),
        [
          { account: getAddress(fx.alice.account.address), interval: INTERVAL, meter: getAddress(fx.meters.alice.address), importedWh: 100, exportedWh: 2_100 },
          { account: getAddress(fx.bob.account.address), interval: INTERVAL, meter: getAddress(fx.meters.bob.address), importedWh: 1_800, exportedWh: 0 },
          { account: getAddress(fx.carol.account.address), interval: INTERVAL, meter: getAddress(fx.meters.carol.address), importedWh: 0, exportedWh: 2_500 },
        ],
      );
      assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, INTERVAL]), [true, 100, 2_100]);
      assert.deepEqual(await fx.ledger.read.readingOf([fx.bob.account.address, INTERVAL]), [true, 1_800, 0]);
      assert.deepEqual(await fx.ledger.read.readingOf([fx.carol.account.address, INTERVAL]), [true, 0, 2_500]);
      // Other intervals and accounts stay empty.
      assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, INTERVAL + 1n]), [false, 0, 0]);
      assert.deepEqual(await fx.ledger.read.readingOf([fx.outsider.account.address, INTERVAL]), [false, 0, 0]);
    });

    it("records a batch spanning two intervals and readings in several batches", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const a = await finalisedInterval(fx, 3n);
      const b = await finalisedInterval(fx, 4n);
      await fx.ledger.write.recordReadings([
        [a.signed[0].reading, b.signed[0].reading],
        [a.signed[0].signature, b.signed[0].signature],
        [a.tree.proof(a.signed[0].reading), b.tree.proof(b.signed[0].reading)],
      ]);
      await fx.ledger.write.recordReadings([...recordArgs(a.tree, a.signed.slice(1))]);
      for (const interval of [3n, 4n]) {
        assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, interval]), [true, 100, 2_100]);
      }
      assert.deepEqual(await fx.ledger.read.readingOf([fx.carol.account.address, 3n]), [true, 0, 2_500]);
      assert.deepEqual(await fx.ledger.read.readingOf([fx.carol.account.address, 4n]), [false, 0, 0]);
    });

    describe("rejects, storing nothing", () => {
      it("a reading signed by a key not bound to that meter", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const { signed, tree } = await finalisedInterval(fx);
        // bob's meter key signs alice's reading: the tree even contains the reading.
        const forged = await signBy(fx.meters.bob, signed[0].reading, fx.ledgerDomain);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [forged])]),
          "MeterLedgerSignerNotBound",
          [getAddress(fx.meters.bob.address), getAddress(fx.meters.alice.address)],
        );
      });

      it("a reading of a meter that is bound to no participant (signed by that meter)", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const reading = readingOf(fx.meters.unbound, INTERVAL);
        const signed = await signBy(fx.meters.unbound, reading, fx.ledgerDomain);
        const tree = await finalize(fx, INTERVAL, [reading]);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [signed])]),
          "MeterLedgerSignerNotBound",
          [getAddress(fx.meters.unbound.address), getAddress(fx.meters.unbound.address)],
        );
      });

      it("a reading signed for another chain id (recovers to another address)", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const { signed, tree } = await finalisedInterval(fx);
        const foreign = await signBy(fx.meters.alice, signed[0].reading, meterLedgerDomain(fx.chainId + 1, fx.ledger.address));
        const recovered = await recoverAddress({ hash: readingDigest(signed[0].reading, fx.ledgerDomain), signature: foreign.signature });
        assert.notEqual(recovered, getAddress(fx.meters.alice.address));
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [foreign])]),
          "MeterLedgerSignerNotBound",
          [recovered, getAddress(fx.meters.alice.address)],
        );
      });

      it("a reading signed for another ledger contract (same chain)", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const { signed, tree } = await finalisedInterval(fx);
        const twin = await viem.deployContract("MeterLedger", [
          fx.admin.account.address,
          fx.registry.address,
          fx.committee.address,
          fx.clock.address,
          DEFAULT_MAX_EXPORT_WH,
        ]);
        const forTwin = await signBy(fx.meters.alice, signed[0].reading, meterLedgerDomain(fx.chainId, twin.address));
        const recovered = await recoverAddress({ hash: readingDigest(signed[0].reading, fx.ledgerDomain), signature: forTwin.signature });
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [forTwin])]),
          "MeterLedgerSignerNotBound",
          [recovered, getAddress(fx.meters.alice.address)],
        );
        // … and it is valid where it was meant.
        await twin.write.recordReadings([...recordArgs(tree, [forTwin])]);
        assert.deepEqual(await twin.read.readingOf([fx.alice.account.address, INTERVAL]), [true, 100, 2_100]);
      });

      it("a duplicated (meter, interval) reading: again later, twice in one batch, or a second tree leaf", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const { signed, tree } = await finalisedInterval(fx);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [signed[0], signed[1], signed[0]])]),
          "MeterLedgerDuplicateReading",
          [getAddress(fx.meters.alice.address), INTERVAL],
        );
        await fx.ledger.write.recordReadings([...recordArgs(tree, [signed[0]])]);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [signed[1], signed[0]])]),
          "MeterLedgerDuplicateReading",
          [getAddress(fx.meters.alice.address), INTERVAL],
        );
        // A tree (signed by faulty validators) holding a second, different reading of alice's meter.
        const second = await signBy(fx.meters.alice, readingOf(fx.meters.alice, 6n, 1, 1), fx.ledgerDomain);
        const other = await signBy(fx.meters.alice, readingOf(fx.meters.alice, 6n, 2, 2), fx.ledgerDomain);
        const tree6 = await finalize(fx, 6n, [second.reading, other.reading]);
        await fx.ledger.write.recordReadings([...recordArgs(tree6, [second])]);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree6, [other])]),
          "MeterLedgerDuplicateReading",
          [getAddress(fx.meters.alice.address), 6n],
          [INTERVAL, 6n],
        );
        assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, 6n]), [true, 1, 1]);
        assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, INTERVAL]), [true, 100, 2_100]);
      });

      it("a reading for a future interval (the current one, or later)", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        for (const interval of [CURRENT_INTERVAL, CURRENT_INTERVAL + 1n]) {
          const reading = readingOf(fx.meters.alice, interval);
          const signed = await signBy(fx.meters.alice, reading, fx.ledgerDomain);
          // Even with a finalised root (validators can't make the future happen).
          const tree = await finalize(fx, interval, [reading]);
          await assertRejected(
            fx,
            () => fx.ledger.write.recordReadings([...recordArgs(tree, [signed])]),
            "MeterLedgerFutureInterval",
            [interval, CURRENT_INTERVAL],
            [interval],
          );
        }
        // Once the interval is over, the same reading is accepted.
        await fx.clock.write.set([CURRENT_INTERVAL + 1n]);
        const reading = readingOf(fx.meters.alice, CURRENT_INTERVAL);
        const signed = await signBy(fx.meters.alice, reading, fx.ledgerDomain);
        await fx.ledger.write.recordReadings([[reading], [signed.signature], [new ReadingsTree([reading]).proof(reading)]]);
        assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, CURRENT_INTERVAL]), [true, 1_200, 300]);
      });

      it("exported Wh above the meter's rating for one interval; a DSO rating lifts the limit", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const reading = readingOf(fx.meters.alice, INTERVAL, 0, DEFAULT_MAX_EXPORT_WH + 1);
        const signed = await signBy(fx.meters.alice, reading, fx.ledgerDomain);
        const tree = await finalize(fx, INTERVAL, [reading]);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [signed])]),
          "MeterLedgerExportAboveRating",
          [DEFAULT_MAX_EXPORT_WH + 1, DEFAULT_MAX_EXPORT_WH],
        );
        // The aggregator's 30 kW connection: 7,500 Wh per 15 minutes.
        await viem.assertions.emitWithArgs(
          fx.ledger.write.setMeterRating([fx.meters.alice.address, 7_500], { account: fx.dso.account }),
          fx.ledger,
          "MeterRatingSet",
          [getAddress(fx.meters.alice.address), 7_500],
        );
        await fx.ledger.write.recordReadings([...recordArgs(tree, [signed])]);
        assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, INTERVAL]), [true, 0, 2_501]);
      });

      it("a reading of an interval whose root is not final", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const reading = readingOf(fx.meters.alice, INTERVAL);
        const signed = await signBy(fx.meters.alice, reading, fx.ledgerDomain);
        const tree = new ReadingsTree([reading]); // built, signed by two validators only: not final
        const two = await Promise.all(fx.validators.slice(0, 2).map((v) => v.signRoot(INTERVAL, tree.root)));
        await viem.assertions.revertWithCustomError(
          fx.committee.write.finalizeReadings([INTERVAL, tree.root, two.map((s) => s.signature)]),
          fx.committee,
          "CommitteeNotEnoughSignatures",
        );
        assert.equal(await fx.ledger.read.isAttested([reading, tree.proof(reading)]), false);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [signed])]),
          "MeterLedgerIntervalNotFinal",
          [INTERVAL],
        );
      });

      it("a reading that is not in the attested root (changed figures, or a wrong proof)", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const { signed, tree } = await finalisedInterval(fx);
        // The meter signs other figures than the validators attested.
        const changed = await signBy(fx.meters.alice, { ...signed[0].reading, importedWh: 101 }, fx.ledgerDomain);
        await assertRejected(
          fx,
          () =>
            fx.ledger.write.recordReadings([[changed.reading], [changed.signature], [tree.proof(signed[0].reading)]]),
          "MeterLedgerReadingNotAttested",
          [getAddress(fx.meters.alice.address), INTERVAL],
        );
        // Bob's proof for alice's reading; and an empty proof.
        for (const proof of [tree.proof(signed[1].reading), []]) {
          await assertRejected(
            fx,
            () => fx.ledger.write.recordReadings([[signed[0].reading], [signed[0].signature], [proof]]),
            "MeterLedgerReadingNotAttested",
            [getAddress(fx.meters.alice.address), INTERVAL],
          );
        }
        // The reading of another interval's tree.
        const other = await finalisedInterval(fx, 6n);
        await assertRejected(
          fx,
          () =>
            fx.ledger.write.recordReadings([[signed[0].reading], [signed[0].signature], [other.tree.proof(other.signed[0].reading)]]),
          "MeterLedgerReadingNotAttested",
          [getAddress(fx.meters.alice.address), INTERVAL],
        );
      });

      it("a batch larger than MAX_READINGS_PER_BATCH, or arrays of different lengths", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const { signed, tree } = await finalisedInterval(fx);
        const [readings, signatures, proofs] = recordArgs(tree, signed);
        const many = Array.from({ length: 129 }, () => signed[0]);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, many)]),
          "MeterLedgerBatchTooLarge",
          [129n, 128n],
        );
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([readings, signatures.slice(0, 2), proofs]),
          "MeterLedgerLengthMismatch",
          [3n, 2n, 3n],
        );
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([readings, signatures, proofs.slice(1)]),
          "MeterLedgerLengthMismatch",
          [3n, 3n, 2n],
        );
      });

      it("one bad reading rejects the whole batch (the good ones before it are not stored)", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const { signed, tree } = await finalisedInterval(fx);
        const forged = await signBy(fx.meters.alice, signed[2].reading, fx.ledgerDomain);
        await assertRejected(
          fx,
          () => fx.ledger.write.recordReadings([...recordArgs(tree, [signed[0], signed[1], forged])]),
          "MeterLedgerSignerNotBound",
          [getAddress(fx.meters.alice.address), getAddress(fx.meters.carol.address)],
        );
      });

      it("a malformed meter signature", async () => {
        const fx = await networkHelpers.loadFixture(deployLedger);
        const { signed, tree } = await finalisedInterval(fx);
        const short = signed[0].signature.slice(0, 2 + 128) as Hex;
        const before = await readingsSnapshot(fx);
        await viem.assertions.revertWithCustomErrorWithArgs(
          fx.ledger.write.recordReadings([[signed[0].reading], [short], [tree.proof(signed[0].reading)]]),
          fx.ledger,
          "ECDSAInvalidSignatureLength",
          [64n],
        );
        assert.deepEqual(await readingsSnapshot(fx), before);
      });
    });

    it("gas: a batch of 128 readings of a 128-meter interval stays well under the block gas limit", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      // 128 meters bound to 128 accounts (addresses only: registerFor needs no signature from them).
      const meters = Array.from({ length: 128 }, (_, i) => devnetMeterKey(1_000 + i));
      for (let i = 0; i < meters.length; i++) {
        const account = getAddress(`0x${(0xacc00000 + i).toString(16).padStart(40, "0")}`);
        await fx.registry.write.registerFor([account, 2, meters[i].address, 1], { account: fx.regulator.account });
      }
      const signed = await Promise.all(meters.map((m, i) => signBy(m, readingOf(m, INTERVAL, 1_000 + i, 0), fx.ledgerDomain)));
      const tree = await finalize(fx, INTERVAL, signed.map((s) => s.reading));
      const hash = await fx.ledger.write.recordReadings([...recordArgs(tree, signed)]);
      const receipt = await fx.publicClient.waitForTransactionReceipt({ hash });
      const perReading = Number(receipt.gasUsed) / 128;
      console.log(`      recordReadings: 128 readings, ${receipt.gasUsed} gas (${perReading.toFixed(0)} per reading)`);
      assert.ok(receipt.gasUsed < 8_000_000n, `batch gas ${receipt.gasUsed}`);
      assert.deepEqual(await fx.ledger.read.readingOf([getAddress(`0x${(0xacc00000 + 127).toString(16).padStart(40, "0")}`), INTERVAL]), [true, 1_127, 0]);
    });
  });

  describe("ratings and wiring", () => {
    it("only the DSO sets ratings; 0 resets to the default; zero meter rejected", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const meter = fx.meters.bob.address;
      await viem.assertions.revertWithCustomErrorWithArgs(
        fx.ledger.write.setMeterRating([meter, 9_000], { account: fx.outsider.account }),
        fx.ledger,
        "AccessControlUnauthorizedAccount",
        [getAddress(fx.outsider.account.address), DSO_ROLE],
      );
      assert.equal(await fx.ledger.read.maxExportWhOf([meter]), DEFAULT_MAX_EXPORT_WH);
      await fx.ledger.write.setMeterRating([meter, 9_000], { account: fx.dso.account });
      assert.equal(await fx.ledger.read.maxExportWhOf([meter]), 9_000);
      await fx.ledger.write.setMeterRating([meter, 0], { account: fx.dso.account });
      assert.equal(await fx.ledger.read.maxExportWhOf([meter]), DEFAULT_MAX_EXPORT_WH);
      await viem.assertions.revertWithCustomError(
        fx.ledger.write.setMeterRating([zeroAddress, 1], { account: fx.dso.account }),
        fx.ledger,
        "MeterLedgerZeroAddress",
      );
    });

    it("only the admin sets the clock; zero rejected", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const other = await viem.deployContract("ManualIntervalClock", [99n]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        fx.ledger.write.setClock([other.address], { account: fx.outsider.account }),
        fx.ledger,
        "AccessControlUnauthorizedAccount",
        [getAddress(fx.outsider.account.address), `0x${"00".repeat(32)}`],
      );
      await viem.assertions.revertWithCustomError(fx.ledger.write.setClock([zeroAddress]), fx.ledger, "MeterLedgerZeroAddress");
      assert.equal(await fx.ledger.read.clock(), getAddress(fx.clock.address));
      await viem.assertions.emitWithArgs(fx.ledger.write.setClock([other.address]), fx.ledger, "IntervalClockSet", [
        getAddress(fx.clock.address),
        getAddress(other.address),
      ]);
    });

    it("reads the real EnergyMarket as its clock (interval numbers are the market's)", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const token = await viem.deployContract("PaymentToken", [fx.admin.account.address, false]);
      const now = BigInt(await networkHelpers.time.latest());
      const genesisTime = now - (now % 900n) - 900n * 20n; // interval 20 under way
      const market = await viem.deployContract("EnergyMarket", [
        fx.admin.account.address,
        fx.registry.address,
        token.address,
        fx.dso.account.address,
        {
          priceCapWeiPerKWh: 1_000_000,
          priceFloorWeiPerKWh: 1_000,
          minOrderWh: 100,
          maxOrdersPerSide: 20,
          kNumerator: 1,
          kDenominator: 2,
          intervalSeconds: 900,
          gateLeadSeconds: 300,
        },
        genesisTime,
      ]);
      await fx.ledger.write.setClock([market.address]);
      const current = await market.read.currentInterval();
      assert.equal(current, 20n);
      const reading = readingOf(fx.meters.alice, current);
      const signed = await signBy(fx.meters.alice, reading, fx.ledgerDomain);
      const tree = await finalize(fx, current, [reading]);
      await assertRejected(
        fx,
        () => fx.ledger.write.recordReadings([...recordArgs(tree, [signed])]),
        "MeterLedgerFutureInterval",
        [current, current],
        [current],
      );
      await networkHelpers.time.increaseTo(await market.read.intervalStartTime([current + 1n]));
      await fx.ledger.write.recordReadings([...recordArgs(tree, [signed])]);
      assert.deepEqual(await fx.ledger.read.readingOf([fx.alice.account.address, current]), [true, 1_200, 300]);
    });
  });

  describe("credit score", () => {
    it("starts at 10,000 and moves by the documented EMA; only the scorer reports", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const alice = fx.alice.account.address;
      assert.equal(await fx.ledger.read.creditScoreOf([alice]), 10_000);
      await viem.assertions.revertWithCustomErrorWithArgs(
        fx.ledger.write.recordDelivery([alice, 1_000n, 0n], { account: fx.outsider.account }),
        fx.ledger,
        "AccessControlUnauthorizedAccount",
        [getAddress(fx.outsider.account.address), SCORER_ROLE],
      );
      assert.equal(await fx.ledger.read.creditScoreOf([alice]), 10_000);

      // Half delivered: ratio 5,000; step ceil(5,000 / 8) = 625 → 9,375.
      await viem.assertions.emitWithArgs(
        fx.ledger.write.recordDelivery([alice, 1_000n, 500n], { account: fx.scorer.account }),
        fx.ledger,
        "CreditScoreUpdated",
        [getAddress(alice), 10_000, 9_375, 1_000n, 500n],
      );
      // Nothing delivered: ratio 0; step ceil(9,375 / 8) = 1,172 → 8,203.
      await fx.ledger.write.recordDelivery([alice, 2_000n, 0n], { account: fx.scorer.account });
      assert.equal(await fx.ledger.read.creditScoreOf([alice]), 8_203);
      // Over-delivery counts as full delivery: ratio 10,000; step ceil(1,797 / 8) = 225 → 8,428.
      await fx.ledger.write.recordDelivery([alice, 1_000n, 1_500n], { account: fx.scorer.account });
      assert.equal(await fx.ledger.read.creditScoreOf([alice]), 8_428);
      assert.deepEqual(await fx.ledger.read.deliveryHistoryOf([alice]), {
        creditScoreBps: 8_428,
        soldWh: 4_000n,
        deliveredWh: 1_500n,
        deliveries: 3,
      });
      // soldWh = 0: nothing to score, no event.
      const hash = await fx.ledger.write.recordDelivery([alice, 0n, 700n], { account: fx.scorer.account });
      const receipt = await fx.publicClient.waitForTransactionReceipt({ hash });
      assert.equal(receipt.logs.length, 0);
      assert.equal((await fx.ledger.read.deliveryHistoryOf([alice])).deliveries, 3);
      // Others are untouched.
      assert.equal(await fx.ledger.read.creditScoreOf([fx.bob.account.address]), 10_000);
    });

    it("full deliveries bring the score back to exactly 10,000 (no sticking one point short)", async () => {
      const fx = await networkHelpers.loadFixture(deployLedger);
      const alice = fx.alice.account.address;
      await fx.ledger.write.recordDelivery([alice, 1_000n, 0n], { account: fx.scorer.account });
      assert.equal(await fx.ledger.read.creditScoreOf([alice]), 8_750);
      let score = 8_750;
      let steps = 0;
      while (score < 10_000) {
        const next = await fx.ledger.read.nextCreditScore([score, 1n, 1n]);
        assert.ok(next > score && next <= 10_000);
        score = next;
        steps++;
      }
      assert.equal(steps, 43); // the deficit shrinks by 1/8 per report, at least 1 point
      assert.equal(await fx.ledger.read.nextCreditScore([10_000, 1_000n, 1_000n]), 10_000);
      assert.equal(await fx.ledger.read.nextCreditScore([0, 1_000n, 0n]), 0);
      assert.equal(await fx.ledger.read.nextCreditScore([1, 1_000n, 0n]), 0);
      assert.equal(await fx.ledger.read.nextCreditScore([5_000, 0n, 0n]), 5_000);
    });
  });
});
