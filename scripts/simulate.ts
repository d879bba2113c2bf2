/**
 * `npm run simulate -- --households N --intervals K --seed S --json FILE`
 * The whole interval loop headless on a fresh in-process Hardhat network: see lib/sim/run.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { compileContracts } from "../lib/devnet/hardhat.ts";
import { simulate } from "../lib/sim/run.ts";

const HELP = `Usage: npm run simulate -- [options]

Runs PowerLAN's whole interval loop headless on a fresh in-process Hardhat network (nothing to
start, nothing left behind): deploys the real contracts with Ignition, registers N households with
their smart meters (prosumers with PV, consumers; lib/physics defaultHouseholds after the demo's
aggregator and households 1–8), funds them, then for each 15-minute interval:
  households forecast their net position and post bids/offers (lib/sim/strategy.ts) →
  gate closure → clear → meters sign readings (actual clouds and load noise: actual ≠ forecast) →
  4 validators attest, a quorum finalises, readings recorded → settle sellers, then buyers.
Writes per-interval figures and totals (savings vs grid only, self-sufficiency, failed settlements,
gas per settled trade and per layer, wall time).

Options
  --households N    households in the LAN (default 50)
  --intervals K     15-minute intervals to run, from midnight UTC (default 96 = one day)
  --seed S          seed of households, weather, noise and temperaments (default 1)
  --day-of-year D   day of year of the simulated day (default 172, 21 June)
  --start-time HH:MM  UTC time of the first interval, a multiple of 15 minutes (default 00:00)
  --json FILE       write the result as JSON to FILE (e.g. bench/simulate.json)
  --quiet           only the totals
  --help            this text

Example
  npm run simulate -- --households 50 --intervals 96 --seed 1 --json bench/simulate.json`;

function parse() {
  const { values } = parseArgs({
    options: {
      households: { type: "string", default: "50" },
      intervals: { type: "string", default: "96" },
      seed: { type: "string", default: "1" },
      "day-of-year": { type: "string" },
      "start-time": { type: "string", default: "00:00" },
      json: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  const int = (name: string, text: string, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`--${name} must be a whole number from ${min} to ${max}, got "${text}"\n\n${HELP}`);
      process.exit(2);
    }
    return n;
  };
  const time = /^(\d{1,2}):(\d{2})$/.exec(values["start-time"]);
  const startMinute = time ? Number(time[1]) * 60 + Number(time[2]) : NaN;
  if (!time || startMinute >= 1440 || startMinute % 15 !== 0) {
    console.error(`--start-time must be HH:MM on a quarter hour, got "${values["start-time"]}"\n\n${HELP}`);
    process.exit(2);
  }
  return {
    help: values.help,
    startMinute,
    households: int("households", values.households, 1, 400),
    intervals: int("intervals", values.intervals, 1, 96 * 7),
    seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed,
    dayOfYear: values["day-of-year"] === undefined ? undefined : int("day-of-year", values["day-of-year"], 1, 365),
    json: values.json,
    quiet: values.quiet,
  };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(HELP);
    return;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.error(`\n${signal}: stopping (the in-process network goes with the process; nothing is written).`);
    process.exit(130);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  const log = args.quiet ? () => {} : (line: string) => console.log(line);
  log(`PowerLAN simulate: ${args.households} households × ${args.intervals} intervals, seed ${args.seed} (Node ${process.version})`);
  log("compiling contracts (no-op when unchanged)");
  await compileContracts();
  const result = await simulate({ households: args.households, intervals: args.intervals, seed: args.seed, dayOfYear: args.dayOfYear, startMinute: args.startMinute, log });
  result.generatedBy = `npm run simulate -- ${process.argv.slice(2).join(" ")}`.trim();
  const t = result.totals;
  console.log(
    [
      "",
      `savings vs grid only  ${t.savingsPct} %  (grid only ${t.gridOnlyCostPlc} PLC, with PowerLAN ${t.lanCostPlc} PLC)`,
      `self-sufficiency      ${t.selfSufficiencyPct} %  (LAN deliveries cover ${t.lanTradedShareOfImportsPct} % of metered imports)`,
      `traded / delivered    ${t.tradedWh} / ${t.deliveredWh} Wh (shortfall ${t.shortfallWh} Wh, imbalance ${t.imbalancePlc} PLC), certificates ${t.certificatesWh} Wh`,
      `settled               ${t.settledOrders} orders, ${t.settledTrades} trades; failed settlements ${t.failedSettlements}`,
      `gas per settled trade ${t.gasPerSettledTrade} (settle only ${t.settlementGasPerSettledTrade}); per layer: contract ${t.gas.contract}, consensus ${t.gas.consensus}, transaction ${t.gas.transaction}, setup ${t.gas.setup}`,
      `wall time             ${t.wallSeconds} s, ${t.transactions} transactions`,
    ].join("\n"),
  );
  if (args.json) {
    const file = path.resolve(args.json);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file) || file}`);
  }
  if (t.failedSettlements > 0) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
