/**
 * Meter simulator: deterministic, signed smart-meter readings for the energy LAN.
 *
 *   node scripts/meter-sim.ts --households 200 --intervals 96 --seed 1 --ledger 0x… --json readings.json
 *
 * Run `node scripts/meter-sim.ts --help` for the options. The readings come from lib/physics (PV on
 * a clear-sky curve with cloud noise, household load with morning and evening peaks, batteries),
 * via lib/consensus/meters.ts, and each is an EIP-712 MeterReading signed by the meter's own
 * (PUBLIC, devnet-only) key for the given chain id and MeterLedger address. Same arguments → same
 * bytes out.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { getAddress, isAddress, type Address } from "viem";
import { addresses as deployedAddresses } from "../lib/contracts/addresses.ts";
import { DEMO_HOUSEHOLD_COUNT, MeterSimulator, simulatedMeters } from "../lib/consensus/meters.ts";
import { meterLedgerDomain } from "../lib/consensus/readings.ts";

const HELP = `Usage: node scripts/meter-sim.ts [options]

Simulated smart meters: deterministic readings (imported / exported Wh per interval) of every
household of the LAN, each signed by its meter's key as an EIP-712 MeterReading for one chain and
one MeterLedger. Meter keys are PUBLIC devnet keys: keccak256("PowerLAN devnet meter <i>").

Options
  --households N       number of households (default ${DEMO_HOUSEHOLD_COUNT}: the demo LAN's aggregator and
                       households 1–8 with their devnet meter keys; more are generated, keys i = 20, 21, …)
  --intervals K        number of intervals (default 4)
  --start-interval I   first market interval number (default 0)
  --seed S             simulation seed (default 1)
  --interval-seconds T interval length, must divide a day (default 900 = 15 min; the devnet uses 180)
  --genesis-time G     unix seconds where interval 0 starts (default: interval 0 at midnight of day 172)
  --chain-id C         chain id of the signing domain (default 31337)
  --ledger ADDRESS     MeterLedger address of the signing domain (default: the devnet's, if known)
  --json FILE          write everything (households, readings, signatures) to FILE
  --quiet              no progress output
  --help               this text

Output (--json): { seed, chainId, ledger, intervalSeconds, genesisTime, households: [{ id, name,
meter, meterKeyIndex, account, pvKWp, annualLoadKWh, batteryKWh, maxExportWh }], intervals:
[{ interval, importedWh, exportedWh, readings: [{ meter, interval, importedWh, exportedWh,
signature }] }] } — interval numbers as decimal strings.`;

function fail(message: string): never {
  console.error(`meter-sim: ${message}\n(run with --help for the options)`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) fail(`--${name} must be at least ${min}, got ${value}`);
  return n;
}

function defaultLedger(chainId: number): Address | undefined {
  const book = deployedAddresses as unknown as Record<number, Record<string, Address> | undefined>;
  return book[chainId]?.["MeterLedger"];
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        households: { type: "string" },
        intervals: { type: "string" },
        "start-interval": { type: "string" },
        seed: { type: "string" },
        "interval-seconds": { type: "string" },
        "genesis-time": { type: "string" },
        "chain-id": { type: "string" },
        ledger: { type: "string" },
        json: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  const households = integer("households", values.households, DEMO_HOUSEHOLD_COUNT, 1);
  const intervals = integer("intervals", values.intervals, 4, 1);
  const startInterval = BigInt(integer("start-interval", values["start-interval"], 0));
  const seed = values.seed ?? "1";
  const intervalSeconds = integer("interval-seconds", values["interval-seconds"], 900, 1);
  if (86_400 % intervalSeconds !== 0) fail(`--interval-seconds must divide a day (86400), got ${intervalSeconds}`);
  const genesisTime = values["genesis-time"] === undefined ? undefined : integer("genesis-time", values["genesis-time"], 0);
  const chainId = integer("chain-id", values["chain-id"], 31337, 1);
  const ledgerArg = values.ledger ?? defaultLedger(chainId);
  if (!ledgerArg) fail(`no MeterLedger known on chain ${chainId}: pass --ledger ADDRESS`);
  if (!isAddress(ledgerArg, { strict: false })) fail(`--ledger is not an address: "${ledgerArg}"`);
  const ledger = getAddress(ledgerArg);
  const quiet = Boolean(values.quiet);
  const progress = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };

  const started = performance.now();
  const meters = simulatedMeters(households, seed);
  const simulator = new MeterSimulator(meters, seed, { intervalSeconds, genesisTime });
  const domain = meterLedgerDomain(chainId, ledger);
  progress(`meter-sim: ${households} households × ${intervals} intervals from ${startInterval}, seed ${seed}, chain ${chainId}, ledger ${ledger}`);

  const out = [];
  let signedCount = 0;
  for (let k = 0; k < intervals; k++) {
    const interval = startInterval + BigInt(k);
    const signed = await simulator.signedReadings(interval, domain);
    signedCount += signed.length;
    const importedWh = signed.reduce((sum, s) => sum + s.reading.importedWh, 0);
    const exportedWh = signed.reduce((sum, s) => sum + s.reading.exportedWh, 0);
    out.push({
      interval: interval.toString(),
      importedWh,
      exportedWh,
      readings: signed.map((s) => ({
        meter: s.reading.meter,
        interval: s.reading.interval.toString(),
        importedWh: s.reading.importedWh,
        exportedWh: s.reading.exportedWh,
        signature: s.signature,
      })),
    });
    if (k === intervals - 1 || (k + 1) % Math.max(1, Math.floor(intervals / 10)) === 0) {
      progress(`  interval ${interval}: ${signed.length} readings, LAN imported ${importedWh} Wh, exported ${exportedWh} Wh (${k + 1}/${intervals})`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  progress(`meter-sim: ${signedCount} signed readings in ${seconds.toFixed(2)} s`);

  if (values.json) {
    const document = {
      seed,
      chainId,
      ledger,
      intervalSeconds,
      genesisTime: genesisTime ?? null,
      households: meters.map((m) => ({
        id: m.id,
        name: m.name,
        meter: m.meter,
        meterKeyIndex: m.meterKeyIndex,
        account: m.account,
        pvKWp: m.household.pvKWp,
        annualLoadKWh: m.household.annualLoadKWh,
        batteryKWh: m.household.batteryKWh ?? 0,
        maxExportWh: simulator.maxExportWh(m),
      })),
      intervals: out,
    };
    const file = path.resolve(values.json);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(document, null, 1)}\n`);
    progress(`meter-sim: wrote ${file}`);
  }
}

await main();
