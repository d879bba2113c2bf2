/**
 * `npm test` — every check of the project, in order, each with a header and its time:
 *   compile → bindings → typecheck → lint → contracts (hardhat test) → gas (snapshot check) → devnet
 *   → app (vitest) → e2e
 * Later steps run even after a failure, so the summary is complete. The last line is always
 * exactly "N passed, N failed" (", N skipped" when any were skipped); the exit code is 1 if
 * anything failed. Checks without test counts (compile, bindings, typecheck, each linter) count
 * as one passed or one failed check.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { styleText } from "node:util";
import {
  add,
  parseHardhatTest,
  parseNodeTest,
  parseVitestJson,
  parseVitestText,
  settle,
  summaryLine,
  ZERO,
  type Counts,
} from "./test-summary.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS_DIR = path.join(ROOT, ".powerlan", "test-results");
const bin = (pkg: string, file: string): string => path.join(ROOT, "node_modules", pkg, file);

const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (format: Parameters<typeof styleText>[0], text: string): string => (color ? styleText(format, text) : text);

interface RunResult {
  code: number | null;
  output: string;
}

let current: { pgid: number } | undefined;
let interrupted = false;

/** Run a command in its own process group, streaming its output live and capturing it. */
function run(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PATH: `${path.join(ROOT, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
        ...(color ? { FORCE_COLOR: "1" } : {}),
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
      },
    });
    if (child.pid !== undefined) current = { pgid: child.pid };
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      output += chunk.toString("utf8");
    });
    child.once("error", (error) => {
      output += `\n${String(error)}\n`;
      console.error(String(error));
    });
    child.once("close", (code) => {
      current = undefined;
      resolve({ code: code ?? 1, output });
    });
  });
}

const node = (script: string, ...args: string[]) => run(process.execPath, [script, ...args]);

/** A pass/fail check (no test counts). */
async function check(...runs: Promise<RunResult>[]): Promise<Counts> {
  let total = { ...ZERO };
  for (const r of runs) {
    const { code } = await r;
    total = add(total, code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 });
  }
  return total;
}

function hasFiles(dir: string, pattern: RegExp): boolean {
  const full = path.join(ROOT, dir);
  if (!fs.existsSync(full)) return false;
  return fs.readdirSync(full, { recursive: true, encoding: "utf8" }).some((f) => pattern.test(f));
}

interface Step {
  id: string;
  title: string;
  run: () => Promise<Counts & { note?: string }>;
}

const STEPS: Step[] = [
  {
    id: "compile",
    title: "Compile contracts (hardhat compile)",
    run: () => check(node(bin("hardhat", "dist/src/cli.js"), "compile")),
  },
  {
    id: "bindings",
    title: "Contract bindings are fresh (scripts/gen-bindings.ts --check)",
    run: () => check(node(path.join(ROOT, "scripts", "gen-bindings.ts"), "--check")),
  },
  {
    id: "typecheck",
    title: "Type-check (tsc --noEmit)",
    run: () => check(node(bin("typescript", "bin/tsc"), "--noEmit")),
  },
  {
    id: "lint",
    title: "Lint (solhint contracts/**/*.sol, eslint .)",
    run: async () => {
      // sequential: each prints its own report
      const solhint = await check(node(bin("solhint", "solhint.js"), "--noPoster", "--disc", "--max-warnings", "0", "contracts/**/*.sol"));
      const eslint = await check(node(bin("eslint", "bin/eslint.js"), "--max-warnings", "0", "."));
      return add(solhint, eslint);
    },
  },
  {
    id: "contracts",
    title: "Contract tests (hardhat test: node:test + viem, Solidity *.t.sol)",
    run: async () => {
      const r = await node(bin("hardhat", "dist/src/cli.js"), "test");
      return settle(parseHardhatTest(r.output), r.code);
    },
  },
  {
    id: "gas",
    title: "Gas snapshot of the market is unchanged (hardhat test solidity EnergyMarketGas.t.sol --snapshot-check)",
    // After an intended gas change: `npm run gas:snapshot`, then commit .gas-snapshot and snapshots/.
    run: () =>
      check(node(bin("hardhat", "dist/src/cli.js"), "test", "solidity", "test/contracts/market/EnergyMarketGas.t.sol", "--snapshot-check")),
  },
  {
    id: "devnet",
    title: "Devnet tooling tests (node --test test/devnet/)",
    run: async () => {
      if (!hasFiles("test/devnet", /\.test\.ts$/)) return { ...ZERO, note: "no tests in test/devnet/" };
      const r = await run(process.execPath, ["--test", "--test-reporter=spec", "test/devnet/**/*.test.ts"]);
      return settle(parseNodeTest(r.output), r.code);
    },
  },
  {
    id: "app",
    title: "App unit tests (vitest run)",
    run: async () => {
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      const jsonFile = path.join(RESULTS_DIR, "vitest.json");
      fs.rmSync(jsonFile, { force: true });
      const r = await node(bin("vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${jsonFile}`);
      const fromJson = fs.existsSync(jsonFile) ? parseVitestJson(fs.readFileSync(jsonFile, "utf8")) : undefined;
      return settle(fromJson ?? parseVitestText(r.output), r.code);
    },
  },
  {
    id: "e2e",
    title: "Browser end-to-end tests (npm run test:e2e: headless Chromium against a real node)",
    run: async () => {
      if (!hasFiles("test/e2e", /\.test\.ts$/)) return { ...ZERO, note: "no tests in test/e2e/" };
      const r = await run("npm", ["run", "--silent", "test:e2e"]);
      return settle(parseNodeTest(r.output), r.code);
    },
  },
];

const HELP = `Usage: npm test [-- options]

Runs every check in order and ends with one line "N passed, N failed" (", N skipped" if any).
Exit code 1 if anything failed. Steps:
${STEPS.map((s) => `  ${s.id.padEnd(10)} ${s.title}`).join("\n")}

Options:
  --only <steps>   run only these steps (comma-separated ids, e.g. --only lint,contracts)
  --skip <steps>   run all but these steps
  --list           list the step ids
  --help           this text`;

function parseArgs(argv: readonly string[]): { steps: Step[] } | { exit: number } {
  let only: string[] | undefined;
  let skip: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string[] => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (!v) throw new Error(`${a} needs a value`);
      return v.split(",").map((s) => s.trim()).filter(Boolean);
    };
    if (a === "--help" || a === "-h") {
      console.log(HELP);
      return { exit: 0 };
    } else if (a === "--list") {
      console.log(STEPS.map((s) => s.id).join("\n"));
      return { exit: 0 };
    } else if (a === "--only" || a.startsWith("--only=")) only = value();
    else if (a === "--skip" || a.startsWith("--skip=")) skip = value();
    else {
      console.error(`Unknown argument ${a}\n\n${HELP}`);
      return { exit: 2 };
    }
  }
  const known = new Set(STEPS.map((s) => s.id));
  const unknown = [...(only ?? []), ...skip].find((id) => !known.has(id));
  if (unknown) {
    console.error(`Unknown step "${unknown}". Steps: ${[...known].join(", ")}`);
    return { exit: 2 };
  }
  return { steps: STEPS.filter((s) => (only ? only.includes(s.id) : true) && !skip.includes(s.id)) };
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(String(error instanceof Error ? error.message : error));
    return 2;
  }
  if ("exit" in parsed) return parsed.exit;
  const { steps } = parsed;

  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    if (current) {
      try {
        process.kill(-current.pgid, signal);
      } catch {
        // already gone
      }
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const started = Date.now();
  const rows: { step: Step; counts: Counts; ms: number; note?: string }[] = [];
  for (const [i, step] of steps.entries()) {
    if (interrupted) break;
    const header = `━━ [${i + 1}/${steps.length}] ${step.title} `;
    console.log(`\n${paint(["bold", "cyan"], header.padEnd(Math.max(header.length + 4, 96), "━"))}`);
    const t = Date.now();
    let result: Counts & { note?: string };
    try {
      result = await step.run();
    } catch (error) {
      console.error(error);
      result = { passed: 0, failed: 1, skipped: 0 };
    }
    const ms = Date.now() - t;
    rows.push({ step, counts: result, ms, note: result.note });
    const verdict = result.failed > 0 ? paint(["bold", "red"], "✗ FAILED") : paint(["bold", "green"], "✓ ok");
    console.log(`${verdict} ${step.id}: ${summaryLine(result)}${result.note ? ` (${result.note})` : ""} — ${seconds(ms)}`);
  }

  const total = rows.reduce((acc, r) => add(acc, r.counts), { ...ZERO });
  console.log(`\n${paint("bold", "━━ Summary ".padEnd(96, "━"))}`);
  for (const r of rows) {
    const mark = r.counts.failed > 0 ? paint("red", "✗") : paint("green", "✓");
    console.log(`${mark} ${r.step.id.padEnd(10)} ${summaryLine(r.counts).padEnd(34)} ${seconds(r.ms).padStart(10)}${r.note ? `  ${paint("yellow", r.note)}` : ""}`);
  }
  if (interrupted) console.log(paint("yellow", "interrupted: the remaining steps did not run"));
  console.log(`total time ${seconds(Date.now() - started)}`);
  console.log(summaryLine(total));
  return total.failed > 0 || interrupted ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    console.log(summaryLine({ passed: 0, failed: 1, skipped: 0 }));
    process.exit(1);
  },
);
