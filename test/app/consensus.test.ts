/**
 * lib/consensus in pure TypeScript: Merkle trees, reading signatures and the validator's checks
 * (one test per bad input, with its typed error), validators' attestations, and the determinism of
 * the simulated meters and of scripts/meter-sim.ts.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  concatHex,
  encodeAbiParameters,
  getAddress,
  keccak256,
  recoverAddress,
  toHex,
  type Address,
  type Hex,
} from "viem";
import { DEV_ACCOUNTS } from "@/lib/devnet/accounts";
import {
  ConsensusError,
  DEMO_HOUSEHOLD_COUNT,
  MerkleTree,
  MerkleTreeError,
  MeterSimulator,
  ReadingError,
  ReadingsTree,
  Validator,
  committeeDomain,
  demoMeters,
  devnetMeterKey,
  domainSeparator,
  hashPair,
  intervalReadingsDigest,
  meterLedgerDomain,
  processProof,
  readingDigest,
  readingLeaf,
  signReading,
  simulatedMeters,
  sortBySigner,
  validateInterval,
  verifyProof,
  verifyReading,
  type MeterReading,
  type ReadingErrorCode,
  type ReadingRules,
  type SignedReading,
} from "@/lib/consensus";

const LEDGER = getAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3");
const OTHER_LEDGER = getAddress("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
const DOMAIN = meterLedgerDomain(31337, LEDGER);
const leafOf = (i: number): Hex => keccak256(toHex(`leaf ${i}`));

describe("merkle", () => {
  it("leaf = keccak256(keccak256(abi.encode(meter, interval, importedWh, exportedWh)))", () => {
    const reading: MeterReading = { meter: DEV_ACCOUNTS[8].meter!.address, interval: 42n, importedWh: 1200, exportedWh: 300 };
    const inner = keccak256(
      encodeAbiParameters(
        [{ type: "address" }, { type: "uint64" }, { type: "uint32" }, { type: "uint32" }],
        [reading.meter, 42n, 1200, 300],
      ),
    );
    expect(readingLeaf(reading)).toBe(keccak256(inner));
  });

  it("one leaf: the root is the leaf and the proof is empty", () => {
    const tree = new MerkleTree([leafOf(0)]);
    expect(tree.root).toBe(leafOf(0));
    expect(tree.proof(leafOf(0))).toEqual([]);
  });

  it("three leaves: OZ StandardMerkleTree layout with sorted-pair hashing", () => {
    const sorted = [leafOf(0), leafOf(1), leafOf(2)].sort();
    const tree = new MerkleTree([leafOf(2), leafOf(0), leafOf(1)]);
    // nodes: [root, n1, L2, L1, L0]; n1 = H(L1, L0); root = H(n1, L2)
    const n1 = hashPair(sorted[1], sorted[0]);
    expect(tree.root).toBe(hashPair(n1, sorted[2]));
    expect(tree.proof(sorted[0])).toEqual([sorted[1], sorted[2]]);
    expect(tree.proof(sorted[2])).toEqual([n1]);
    expect(hashPair(sorted[0], sorted[1])).toBe(keccak256(concatHex([sorted[0], sorted[1]])));
    expect(hashPair(sorted[1], sorted[0])).toBe(hashPair(sorted[0], sorted[1]));
  });

  it("every proof verifies for 1 … 40 leaves; foreign leaves and wrong roots do not", () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafOf(i));
      const tree = new MerkleTree(leaves);
      for (const leaf of leaves) {
        const proof = tree.proof(leaf);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 1);
        expect(verifyProof(tree.root, leaf, proof)).toBe(true);
        expect(processProof(leaf, proof)).toBe(tree.root);
      }
      expect(verifyProof(tree.root, leafOf(1000), tree.proof(leaves[0]))).toBe(false);
      expect(() => tree.proof(leafOf(1000))).toThrow(MerkleTreeError);
    }
  });

  it("the root does not depend on input order; empty and repeated leaves are refused", () => {
    const leaves = Array.from({ length: 9 }, (_, i) => leafOf(i));
    expect(new MerkleTree([...leaves].reverse()).root).toBe(new MerkleTree(leaves).root);
    expect(() => new MerkleTree([])).toThrow("at least one leaf");
    expect(() => new MerkleTree([leafOf(1), leafOf(2), leafOf(1)])).toThrow("appears twice");
  });

  it("ReadingsTree proves each reading (same object or an equal one)", () => {
    const readings = demoMeters().map((m, i): MeterReading => ({ meter: m.meter, interval: 3n, importedWh: i, exportedWh: 0 }));
    const tree = new ReadingsTree(readings);
    for (const r of readings) {
      expect(verifyProof(tree.root, readingLeaf(r), tree.proof(r))).toBe(true);
      expect(tree.proof({ ...r })).toEqual(tree.proof(r));
    }
    expect(tree.readings.map(readingLeaf)).toEqual(tree.tree.leaves);
  });
});

describe("readings", () => {
  const alice = devnetMeterKey(100);
  const bob = devnetMeterKey(101);
  const unbound = devnetMeterKey(102);
  const accounts = new Map<string, Address>([
    [alice.address.toLowerCase(), DEV_ACCOUNTS[8].address],
    [bob.address.toLowerCase(), DEV_ACCOUNTS[9].address],
  ]);
  const rules: ReadingRules = {
    domain: DOMAIN,
    currentInterval: 10n,
    accountOfMeter: (m) => accounts.get(m.toLowerCase()),
    maxExportWhOf: () => 2_500,
  };
  const reading = (meter: Address, interval = 5n, importedWh = 100, exportedWh = 2_000): MeterReading => ({
    meter,
    interval,
    importedWh,
    exportedWh,
  });

  async function expectCode(signed: SignedReading, code: ReadingErrorCode, message: RegExp, seen?: Set<string>, r: ReadingRules = rules) {
    const error = await verifyReading(signed, r, seen).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReadingError);
    expect((error as ReadingError).code).toBe(code);
    expect((error as ReadingError).message).toMatch(message);
  }

  it("a meter signs a reading; the signature recovers to the meter; the digest has a fast path", async () => {
    const signed = await signReading(alice.privateKey, reading(alice.address), DOMAIN);
    const digest = readingDigest(signed.reading, DOMAIN);
    expect(readingDigest(signed.reading, DOMAIN, domainSeparator(DOMAIN))).toBe(digest);
    expect(await recoverAddress({ hash: digest, signature: signed.signature })).toBe(alice.address);
    // Deterministic (RFC 6979).
    expect((await signReading(alice.privateKey, reading(alice.address), DOMAIN)).signature).toBe(signed.signature);
    expect(await verifyReading(signed, rules)).toBe(DEV_ACCOUNTS[8].address);
  });

  it("rejects a reading signed by a key not bound to that meter", async () => {
    const forged = await signReading(bob.privateKey, reading(alice.address), DOMAIN);
    await expectCode(forged, "SIGNER_NOT_METER", new RegExp(`signed by ${bob.address}, not by the meter's key`));
  });

  it("rejects a reading signed for another chain id or another contract (recovers to someone else)", async () => {
    for (const domain of [meterLedgerDomain(1, LEDGER), meterLedgerDomain(31337, OTHER_LEDGER)]) {
      const foreign = await signReading(alice.privateKey, reading(alice.address), domain);
      await expectCode(foreign, "SIGNER_NOT_METER", /another chain id or contract/);
    }
  });

  it("rejects a reading of a meter bound to no participant", async () => {
    const signed = await signReading(unbound.privateKey, reading(unbound.address), DOMAIN);
    await expectCode(signed, "METER_NOT_BOUND", /not bound to any participant/);
    const zeroBound: ReadingRules = { ...rules, accountOfMeter: () => "0x0000000000000000000000000000000000000000" };
    await expectCode(await signReading(alice.privateKey, reading(alice.address), DOMAIN), "METER_NOT_BOUND", /not bound/, undefined, zeroBound);
  });

  it("rejects a duplicated (meter, interval) reading, even with other figures", async () => {
    const seen = new Set<string>();
    await verifyReading(await signReading(alice.privateKey, reading(alice.address), DOMAIN), rules, seen);
    const again = await signReading(alice.privateKey, reading(alice.address, 5n, 1, 1), DOMAIN);
    await expectCode(again, "DUPLICATE_READING", /already accepted/, seen);
    // Another interval of the same meter is fine.
    await verifyReading(await signReading(alice.privateKey, reading(alice.address, 6n), DOMAIN), rules, seen);
  });

  it("rejects a reading for a future interval (the current one or later)", async () => {
    for (const interval of [10n, 11n]) {
      const signed = await signReading(alice.privateKey, reading(alice.address, interval), DOMAIN);
      await expectCode(signed, "FUTURE_INTERVAL", new RegExp(`interval ${interval} is not over yet \\(the current interval is 10\\)`));
    }
  });

  it("rejects exported Wh above the meter's rating for one interval", async () => {
    const signed = await signReading(alice.privateKey, reading(alice.address, 5n, 0, 2_501), DOMAIN);
    await expectCode(signed, "EXPORT_ABOVE_RATING", /exported 2501 Wh, more than the meter's rating allows in one interval \(2500 Wh\)/);
  });

  it("rejects a reading of another interval than the one attested, a malformed signature, out-of-range fields", async () => {
    const signed = await signReading(alice.privateKey, reading(alice.address, 4n), DOMAIN);
    await expectCode(signed, "WRONG_INTERVAL", /expected a reading of interval 5/, undefined, { ...rules, interval: 5n });
    await expectCode({ ...signed, signature: signed.signature.slice(0, 130) as Hex }, "MALFORMED_SIGNATURE", /malformed/);
    for (const bad of [{ importedWh: -1 }, { exportedWh: 1.5 }, { importedWh: 2 ** 32 }, { interval: -1n }]) {
      await expectCode({ ...signed, reading: { ...signed.reading, ...bad } }, "VALUE_OUT_OF_RANGE", /is not a/);
    }
    await expect(signReading(alice.privateKey, { ...reading(alice.address), importedWh: 0.5 }, DOMAIN)).rejects.toThrow(ReadingError);
  });

  it("validateInterval splits accepted and rejected readings, in input order", async () => {
    const good = await signReading(alice.privateKey, reading(alice.address), DOMAIN);
    const forged = await signReading(alice.privateKey, reading(bob.address), DOMAIN);
    const dup = await signReading(alice.privateKey, reading(alice.address, 5n, 7, 7), DOMAIN);
    const result = await validateInterval(5n, [good, forged, dup], rules);
    expect(result.accepted.map((a) => a.account)).toEqual([DEV_ACCOUNTS[8].address]);
    expect(result.rejected.map((r) => r.error.code)).toEqual(["SIGNER_NOT_METER", "DUPLICATE_READING"]);
  });
});

describe("validators", () => {
  const domain = committeeDomain(31337, OTHER_LEDGER);
  const validators = DEV_ACCOUNTS.filter((a) => a.validator).map((a) => new Validator(a.privateKey, domain));
  const meters = demoMeters();
  const accounts = new Map(meters.map((m) => [m.meter.toLowerCase(), m.account!]));
  const rules: ReadingRules = {
    domain: DOMAIN,
    currentInterval: 100n,
    accountOfMeter: (m) => accounts.get(m.toLowerCase()),
    maxExportWhOf: () => 10_000,
  };

  it("all validators attest the same root over the same readings and sign it with their own key", async () => {
    const simulator = new MeterSimulator(meters, 1, { intervalSeconds: 900 });
    const signed = await simulator.signedReadings(50n, DOMAIN);
    const attestations = await Promise.all(validators.map((v) => v.attest(50n, [...signed].reverse(), rules)));
    expect(new Set(attestations.map((a) => a.root)).size).toBe(1);
    expect(attestations[0].root).toBe(new ReadingsTree(signed.map((s) => s.reading)).root);
    for (const a of attestations) {
      expect(await recoverAddress({ hash: intervalReadingsDigest(domain, 50n, a.root), signature: a.signature })).toBe(a.signer);
    }
    const sorted = sortBySigner(attestations).map((a) => BigInt(a.signer));
    expect(sorted).toEqual([...sorted].sort((x, y) => (x < y ? -1 : 1)));
  });

  it("has nothing to attest when no reading is valid", async () => {
    const signed = await new MeterSimulator(meters, 1, { intervalSeconds: 900 }).signedReadings(150n, DOMAIN);
    await expect(validators[0].attest(150n, signed, rules)).rejects.toBeInstanceOf(ConsensusError);
  });
});

describe("simulated meters", () => {
  it("the demo LAN's meters are the dev accounts' meter keys (aggregator, households 1–8)", () => {
    const demo = demoMeters();
    expect(demo.length).toBe(DEMO_HOUSEHOLD_COUNT);
    expect(demo.map((m) => m.name)).toEqual(["Aggregator", ...Array.from({ length: 8 }, (_, i) => `Household ${i + 1}`)]);
    for (const m of demo) {
      const account = DEV_ACCOUNTS[m.meterKeyIndex];
      expect(m.meter).toBe(account.meter!.address);
      expect(devnetMeterKey(m.meterKeyIndex)).toEqual({ address: account.meter!.address, privateKey: account.meter!.privateKey });
    }
  });

  it("200 households: demo first, then generated keys 20, 21, … all distinct", () => {
    const meters = simulatedMeters(200, 1);
    expect(meters.length).toBe(200);
    expect(new Set(meters.map((m) => m.meter)).size).toBe(200);
    expect(meters[DEMO_HOUSEHOLD_COUNT].meterKeyIndex).toBe(20);
    expect(meters[DEMO_HOUSEHOLD_COUNT].meter).toBe(devnetMeterKey(20).address);
    expect(meters[199].id).toBe("household-200");
    expect(() => simulatedMeters(0, 1)).toThrow(RangeError);
  });

  it("a reading depends only on (seed, household, interval), whatever else is simulated", () => {
    const meters = simulatedMeters(30, 7);
    const a = new MeterSimulator(meters, 7, { intervalSeconds: 900 });
    const b = new MeterSimulator(simulatedMeters(30, 7), 7, { intervalSeconds: 900 });
    const range = Array.from({ length: 10 }, (_, k) => a.readings(90n + BigInt(k))); // crosses midnight (96)
    expect(b.readings(99n)).toEqual(range[9]);
    expect(b.readings(93n)).toEqual(range[3]);
    expect(new MeterSimulator(meters, 8, { intervalSeconds: 900 }).readings(48n)).not.toEqual(a.readings(48n));
  });

  it("PV exports at noon, none at night; exports never exceed the rating", () => {
    const sim = new MeterSimulator(simulatedMeters(40, 1), 1, { intervalSeconds: 900 });
    const noon = sim.samples(48n);
    const night = sim.samples(8n); // 02:00
    expect(noon.reduce((s, x) => s + x.reading.exportedWh, 0)).toBeGreaterThan(0);
    expect(night.reduce((s, x) => s + x.reading.exportedWh, 0)).toBe(0);
    for (const x of [...noon, ...night]) {
      expect(x.reading.exportedWh).toBeLessThanOrEqual(sim.maxExportWh(x.meter));
      expect(Number.isInteger(x.reading.importedWh) && x.reading.importedWh >= 0).toBe(true);
    }
  });

  it("maps market intervals to time with the devnet's genesis and 3-minute intervals", () => {
    const genesis = Date.UTC(2025, 5, 21) / 1000; // midnight UTC, 21 June
    const devnet = new MeterSimulator(demoMeters(), 1, { intervalSeconds: 180, genesisTime: genesis });
    expect(devnet.maxExportWh(demoMeters()[1])).toBe(500); // 10 kW × 3 min
    const noon = devnet.samples(240n); // 240 × 3 min = 12:00
    const night = devnet.samples(40n); // 02:00
    expect(noon.reduce((s, x) => s + x.energy.pvWh, 0)).toBeGreaterThan(0);
    expect(night.reduce((s, x) => s + x.energy.pvWh, 0)).toBe(0);
    expect(() => new MeterSimulator(demoMeters(), 1, { intervalSeconds: 7 })).toThrow(RangeError);
  });
});

describe("scripts/meter-sim.ts", () => {
  const script = path.resolve(__dirname, "../../scripts/meter-sim.ts");
  const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 60_000 });

  it("prints --help and refuses bad arguments", () => {
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--households N/);
    for (const bad of [["--households", "0"], ["--intervals", "x"], ["--ledger", "nope"], ["--bogus"], ["--interval-seconds", "7"]]) {
      const result = run(...bad, "--ledger", bad[0] === "--ledger" ? "nope" : LEDGER);
      expect(result.status, bad.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/meter-sim: /);
    }
  });

  it("writes the same JSON for the same arguments, and signatures that recover to each meter", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meter-sim-"));
    const args = ["--households", "12", "--intervals", "3", "--start-interval", "47", "--seed", "5", "--ledger", LEDGER, "--quiet"];
    const first = run(...args, "--json", path.join(dir, "a.json"));
    const second = run(...args, "--json", path.join(dir, "b.json"));
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    const a = fs.readFileSync(path.join(dir, "a.json"), "utf8");
    expect(fs.readFileSync(path.join(dir, "b.json"), "utf8")).toBe(a);
    const doc = JSON.parse(a) as {
      households: { meter: Address; meterKeyIndex: number }[];
      intervals: { interval: string; readings: { meter: Address; interval: string; importedWh: number; exportedWh: number; signature: Hex }[] }[];
    };
    expect(doc.households.length).toBe(12);
    expect(doc.intervals.map((i) => i.interval)).toEqual(["47", "48", "49"]);
    const r = doc.intervals[1].readings[11];
    const reading: MeterReading = { meter: r.meter, interval: BigInt(r.interval), importedWh: r.importedWh, exportedWh: r.exportedWh };
    expect(await recoverAddress({ hash: readingDigest(reading, DOMAIN), signature: r.signature })).toBe(r.meter);
    // The library gives the same readings.
    const sim = new MeterSimulator(simulatedMeters(12, "5"), "5", { intervalSeconds: 900 });
    expect(sim.readings(48n)[11]).toEqual(reading);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
