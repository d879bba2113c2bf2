/**
 * `npm start` — the whole PowerLAN devnet on one machine:
 *   Hardhat node (chain 31337, :8545) → Ignition deploy → seeded energy LAN → bindings →
 *   Next.js app (:3000) → keeper (the interval loop: clear → meter readings → validator quorum →
 *   settlement on delivery; keeps the order book populated; cursor in .powerlan/keeper.json).
 * Ctrl-C (SIGINT) or SIGTERM stops everything it started: each child runs in its own process
 * group and the whole group is killed.
 */
import fs from "node:fs";
import path from "node:path";
import { styleText } from "node:util";
import { DEV_ACCOUNTS, type DevAccount } from "../lib/devnet/accounts.ts";
import {
  DEVNET_APP_PORT,
  DEVNET_APP_URL,
  DEVNET_CHAIN_ID,
  DEVNET_MARKET_PARAMS,
  DEVNET_RPC_PORT,
  DEVNET_RPC_URL,
} from "../lib/devnet/config.ts";
import { deployPowerLAN } from "../lib/devnet/deploy.ts";
import { compileContracts } from "../lib/devnet/hardhat.ts";
import { startKeeper, type Keeper } from "../lib/devnet/keeper.ts";
import { startHardhatNode, type HardhatNode } from "../lib/devnet/node.ts";
import { packageBin, portConflict, PROJECT_ROOT, spawnGroup, waitForHttp, type ManagedProcess } from "../lib/devnet/processes.ts";
import { seedDevnet } from "../lib/devnet/seed.ts";
import { generate as generateBindings } from "./gen-bindings.ts";

const HELP = `Usage: npm start [-- options]

Starts the local PowerLAN devnet and the app:
  1. checks that ports ${DEVNET_RPC_PORT} (RPC) and ${DEVNET_APP_PORT} (app) are free
  2. compiles the contracts
  3. starts a Hardhat node: chain id ${DEVNET_CHAIN_ID}, ${DEVNET_RPC_URL}, 20 unlocked PUBLIC dev accounts
  4. deploys every contract with Hardhat Ignition (scripts/deploy/modules/PowerLAN.ts), fresh state
  5. seeds the demo energy LAN: participants registered with meters, PLC minted and deposited,
     open orders in the next intervals
  6. regenerates the typed bindings in lib/contracts/
  7. serves the Next.js app (next dev) at ${DEVNET_APP_URL}
  then runs the keeper, the interval loop (${DEVNET_MARKET_PARAMS.intervalSeconds} s intervals, gate closure ${DEVNET_MARKET_PARAMS.gateLeadSeconds} s before delivery):
    gate closure → clear (uniform price) → after delivery the demo households' simulated meters
    sign their readings → 3 of the 4 validators finalise them → settlement on metered delivery
    (sellers paid for what they exported, buyers charged for what was delivered, certificates)
  and it keeps demo orders in the upcoming intervals. Its cursor (.powerlan/keeper.json) makes a
  restart resume where it stopped; it never settles twice.

Ctrl-C stops everything it started. Logs: .powerlan/logs/

Options:
  --no-app           don't start the Next.js app (devnet only)
  --no-keeper        don't run the interval loop (clear, readings, settlement) or post demo orders
  --no-demo-orders   the keeper runs the interval loop, but posts no demo orders
  --keys             also print the (PUBLIC) private keys of the dev accounts
  --help             this text`;

const OPTIONS = new Set(["--no-app", "--no-keeper", "--no-demo-orders", "--keys", "--help", "-h"]);

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (format: Parameters<typeof styleText>[0], text: string): string => (color ? styleText(format, text) : text);
const t0 = Date.now();
const elapsed = (since = t0): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

const LOG_DIR = path.join(PROJECT_ROOT, ".powerlan", "logs");
const STATE_FILE = path.join(PROJECT_ROOT, ".powerlan", "devnet.json");
const TOTAL_STEPS = 7;

let node: HardhatNode | undefined;
let app: ManagedProcess | undefined;
let keeper: Keeper | undefined;
let shuttingDown: Promise<void> | undefined;
let appWarmup: Promise<number> | undefined;

/** Run `fn` with console output collected into `lines` instead of printed (keeps the progress line intact). */
async function captureConsole<T>(lines: string[], fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  const collect = (...args: unknown[]): void => {
    lines.push(args.map(String).join(" "));
  };
  console.log = console.warn = console.error = console.info = collect;
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

function step(n: number, text: string): () => void {
  const started = Date.now();
  process.stdout.write(`${paint("cyan", `[${n}/${TOTAL_STEPS}]`)} ${text} … `);
  return () => console.log(paint("green", `done`) + paint("gray", ` (${elapsed(started)})`));
}

function info(text: string): void {
  console.log(`      ${paint("gray", text)}`);
}

async function shutdown(code: number, reason?: string): Promise<void> {
  shuttingDown ??= (async () => {
    if (reason) console.log(`\n${reason}`);
    console.log(paint("bold", "Stopping …"));
    const stopped: string[] = [];
    if (keeper) {
      await keeper.stop();
      stopped.push("keeper");
    }
    if (app) {
      await app.stop();
      stopped.push(`app (process group ${app.pid})`);
    }
    if (node) {
      await node.stop();
      stopped.push(`Hardhat node (process group ${node.process.pid})`);
    }
    fs.rmSync(STATE_FILE, { force: true });
    console.log(`Stopped ${stopped.length > 0 ? stopped.join(", ") : "nothing (nothing was running)"}.`);
    process.exit(code);
  })();
  return shuttingDown;
}

function fail(message: string, detail?: string): never {
  console.log(paint("red", "failed"));
  console.error(`\n${paint(["red", "bold"], "npm start failed:")} ${message}`);
  if (detail) console.error(paint("gray", detail));
  void shutdown(1);
  // shutdown exits the process; keep TypeScript's `never` honest.
  throw new Error(message);
}

function accountsTable(showKeys: boolean): string {
  const rows: string[][] = [["#", "role", "who", "address", "zone", "meter"]];
  for (const a of DEV_ACCOUNTS as readonly DevAccount[]) {
    rows.push([
      String(a.index),
      a.registryRole ?? (a.kind === "admin" ? "(admin)" : "(unregistered)"),
      a.label,
      a.address,
      a.zone ? String(a.zone) : "",
      a.meter ? a.meter.address : "",
    ]);
    if (showKeys) rows.push(["", "", "  private key (PUBLIC)", a.privateKey, "", ""]);
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd();
      return i === 0 ? paint("bold", line) : line;
    })
    .join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.find((a) => !OPTIONS.has(a));
  if (unknown) {
    console.error(`Unknown option ${unknown}\n\n${HELP}`);
    process.exit(2);
  }
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return;
  }
  const withApp = !args.includes("--no-app");
  const withKeeper = !args.includes("--no-keeper");

  process.on("SIGINT", () => void shutdown(0, "Ctrl-C received."));
  process.on("SIGTERM", () => void shutdown(0, "SIGTERM received."));

  console.log(paint("bold", "PowerLAN devnet") + paint("gray", ` — Node ${process.version}`));

  // 1. ports
  let done = step(1, `checking ports ${DEVNET_RPC_PORT} and ${DEVNET_APP_PORT}`);
  const conflicts = (await Promise.all([DEVNET_RPC_PORT, ...(withApp ? [DEVNET_APP_PORT] : [])].map(portConflict))).filter(
    (c): c is string => c !== null,
  );
  if (conflicts.length > 0) {
    fail(
      `${conflicts.join("; ")}.`,
      "Stop whatever uses it (another `npm start`?) and try again. npm start always runs its own fresh node on 8545 and the app on 3000.",
    );
  }
  done();

  // 2. compile (in-process Hardhat; no-op if nothing changed)
  done = step(2, "compiling contracts");
  const compilerOutput: string[] = [];
  try {
    await captureConsole(compilerOutput, compileContracts);
  } catch (error) {
    fail("the contracts do not compile", `${compilerOutput.join("\n")}\n${String(error)}`);
  }
  done();
  const warnings = compilerOutput.join("\n").match(/^Warning: .*/gm) ?? [];
  const [firstWarning] = warnings;
  if (firstWarning) info(`${warnings.length} compiler warning(s): ${firstWarning.slice(0, 90)}… (\`npx hardhat compile --force\` shows them)`);

  // 3. node (and the app server in the background: it compiles pages on first request)
  done = step(3, `starting Hardhat node on ${DEVNET_RPC_URL}`);
  if (withApp) {
    app = spawnGroup("next dev", process.execPath, [packageBin("next", "dist/bin/next"), "dev", "--port", String(DEVNET_APP_PORT)], {
      logFile: path.join(LOG_DIR, "next-dev.log"),
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NEXT_PUBLIC_RPC_URL: DEVNET_RPC_URL },
      onLine: (line) => {
        if (/⨯|error|Error|failed to/i.test(line) && !/^\s*$/.test(line)) console.log(paint("yellow", `[app] ${line}`));
      },
    });
    // Request the page right away: next dev compiles it while the node starts and the deploy runs.
    const appProcess = app;
    appWarmup = waitForHttp(`http://127.0.0.1:${DEVNET_APP_PORT}/`, {
      timeoutMs: 180_000,
      abortIf: () => (appProcess.hasExited() ? `next dev exited:\n${appProcess.recentOutput()}` : null),
    });
    appWarmup.catch(() => {}); // awaited (and reported) in step 7
    void app.exited.then((code) => {
      if (!shuttingDown) void shutdown(1, `The app (next dev) exited unexpectedly with code ${code}; see .powerlan/logs/next-dev.log:\n${app?.recentOutput()}`);
    });
  }
  try {
    node = await startHardhatNode({ port: DEVNET_RPC_PORT, logFile: path.join(LOG_DIR, "hardhat-node.log") });
  } catch (error) {
    fail("the Hardhat node did not start", String(error));
  }
  void node.process.exited.then((code) => {
    if (!shuttingDown) void shutdown(1, `The Hardhat node exited unexpectedly with code ${code}; see .powerlan/logs/hardhat-node.log:\n${node?.process.recentOutput()}`);
  });
  done();

  // 4. deploy
  done = step(4, "deploying with Hardhat Ignition (module PowerLAN, fresh deployment chain-31337)");
  const deployLines: string[] = [];
  let deployed: Awaited<ReturnType<typeof deployPowerLAN>>;
  try {
    deployed = await deployPowerLAN(node.rpcUrl, { log: (l) => deployLines.push(l) });
  } catch (error) {
    fail("the Ignition deployment failed", String(error));
  }
  done();
  for (const line of deployLines.slice(1)) info(line);

  // 5. seed
  done = step(5, "seeding the energy LAN");
  const seedLines: string[] = [];
  let seed: Awaited<ReturnType<typeof seedDevnet>>;
  try {
    seed = await seedDevnet(deployed.connection, deployed.addresses, { log: (l) => seedLines.push(l) });
  } catch (error) {
    fail("seeding failed", String(error));
  }
  done();
  for (const line of seedLines) info(line);

  // 6. bindings
  done = step(6, "regenerating contract bindings (lib/contracts/)");
  const changed: string[] = [];
  try {
    const files = await generateBindings();
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(PROJECT_ROOT, "lib", "contracts", name);
      if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
        fs.writeFileSync(file, text);
        changed.push(name);
      }
    }
  } catch (error) {
    fail("generating the bindings failed", String(error));
  }
  done();
  info(changed.length === 0 ? "unchanged (addresses are deterministic on a fresh node)" : `updated ${changed.join(", ")} — commit lib/contracts/`);

  // 7. app
  if (withApp && app) {
    done = step(7, `waiting for the app at ${DEVNET_APP_URL} (first page compile)`);
    let status: number;
    try {
      status = await (appWarmup ?? Promise.reject(new Error("the app was not started")));
    } catch (error) {
      fail("the app did not come up", String(error));
    }
    done();
    if (status >= 400) info(paint("yellow", `the app answered HTTP ${status} — see .powerlan/logs/next-dev.log`));
  } else {
    console.log(`${paint("cyan", `[7/${TOTAL_STEPS}]`)} app skipped (--no-app)`);
  }

  // keeper
  if (withKeeper) {
    keeper = await startKeeper(deployed.connection, deployed.addresses, {
      demoOrders: !args.includes("--no-demo-orders"),
      seededIntervals: seed.intervals,
      log: (line) => console.log(`${paint("magenta", "[keeper]")} ${line}`),
    });
  }

  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(
    STATE_FILE,
    `${JSON.stringify(
      {
        rpcUrl: DEVNET_RPC_URL,
        appUrl: withApp ? DEVNET_APP_URL : null,
        chainId: DEVNET_CHAIN_ID,
        addresses: deployed.addresses,
        genesisTime: deployed.genesisTime,
        marketParams: deployed.marketParams,
        pids: { node: node.process.pid, app: app?.pid ?? null, start: process.pid },
      },
      null,
      2,
    )}\n`,
  );

  const p = DEVNET_MARKET_PARAMS;
  console.log(`
${paint("bold", "Accounts")} ${paint("gray", "(Hardhat's PUBLIC dev accounts — anyone knows these keys: devnet only, never on a real network)")}
${accountsTable(args.includes("--keys"))}

${paint("bold", "Contracts")} (chain ${DEVNET_CHAIN_ID})
${Object.entries(deployed.addresses)
  .map(([name, address]) => `  ${name.padEnd(20)} ${address}`)
  .join("\n")}

${paint("bold", "Market")}  ${p.intervalSeconds} s intervals, gate closure ${p.gateLeadSeconds} s before delivery, price band ${p.priceFloorWeiPerKWh / 1e6}–${p.priceCapWeiPerKWh / 1e6} PLC/kWh; demo orders in intervals ${seed.intervals.join(", ")}${withKeeper ? "; the keeper clears, finalises meter readings and settles on delivery as intervals pass" : ""}

  RPC  ${paint("bold", DEVNET_RPC_URL)}   chain id ${DEVNET_CHAIN_ID}  (MetaMask: add this network, import a key with --keys)
  App  ${withApp ? paint("bold", DEVNET_APP_URL) : "(not started)"}
  Logs .powerlan/logs/   State .powerlan/devnet.json

${paint(["green", "bold"], `Ready in ${elapsed()}.`)} Press Ctrl-C to stop everything.`);
}

main().catch((error: unknown) => {
  if (!shuttingDown) {
    console.error(error);
    void shutdown(1);
  }
});
