/**
 * The browser test's world: a fresh Hardhat node on a free port, every contract deployed and the
 * demo LAN seeded (lib/devnet), the Next.js app built and served on a free port pointing at that
 * node, and headless Chromium (Debian's /usr/bin/chromium via playwright-core) with an injected
 * EIP-1193 test wallet that forwards JSON-RPC to the node (Hardhat's dev accounts are unlocked)
 * and announces itself via EIP-6963 — the same `injected()` path MetaMask takes.
 *
 * Everything started here is stopped by `stop()` (process groups, so nothing is left behind).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { createPublicClient, createTestClient, createWalletClient, http, type Address, type PublicClient, type TestClient } from "viem";
import { hardhat } from "viem/chains";
import {
  committeeDomain,
  finalizeInterval,
  Validator,
  type ConsensusReader,
  type ConsensusWriter,
  type SignedReading,
} from "../../lib/consensus/index.ts";
import { DEVNET_CAST } from "../../lib/devnet/accounts.ts";
import { deployAndSeed, startHardhatNode, type DevnetDeployment, type HardhatNode } from "../../lib/devnet/index.ts";
import { freePort, packageBin, PROJECT_ROOT, spawnGroup, waitForHttp, type ManagedProcess } from "../../lib/devnet/processes.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const RESULTS_DIR = path.join(PROJECT_ROOT, "test-results");

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export interface World {
  node: HardhatNode;
  devnet: DevnetDeployment;
  appUrl: string;
  app: ManagedProcess;
  publicClient: PublicClient;
  testClient: TestClient;
  context: BrowserContext;
  timings: Record<string, number>;
  /** A new tab with the test wallet installed (as `account`, on chain `chainIdHex`). */
  newPage(options?: { account?: Address; chainIdHex?: string }): Promise<Page>;
  stop(): Promise<void>;
}

function log(line: string) {
  if (process.env.POWERLAN_E2E_QUIET !== "1") console.log(`[e2e] ${line}`);
}

async function timed<T>(timings: Record<string, number>, name: string, run: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await run();
  } finally {
    timings[name] = Date.now() - t0;
    log(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

/**
 * `next build` (and `next dev`) add ".next/dev/types/**" to tsconfig.json's include when it is
 * missing, reformatting the file. Put the file back exactly as it was if that is all that changed,
 * so a test run leaves the working tree clean.
 */
function restoreTsconfig(original: string) {
  const file = path.join(PROJECT_ROOT, "tsconfig.json");
  const now = fs.readFileSync(file, "utf8");
  if (now === original) return;
  try {
    const strip = (text: string) => {
      const json = JSON.parse(text) as { include?: string[] };
      json.include = (json.include ?? []).filter((x) => x !== ".next/dev/types/**/*.ts");
      return JSON.stringify(json);
    };
    if (strip(now) === strip(original)) fs.writeFileSync(file, original);
  } catch {
    // Someone else changed it meanwhile: leave it alone.
  }
}

/** Build the app (production build: fast pages, no dev-server lock) and serve it on a free port. */
async function startApp(rpcUrl: string, timings: Record<string, number>): Promise<{ app: ManagedProcess; appUrl: string }> {
  const nextBin = packageBin("next", "dist/bin/next");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    POWERLAN_NEXT_SKIP_TYPECHECK: "1",
    NEXT_PUBLIC_RPC_URL: rpcUrl,
    NODE_ENV: "production" as const,
  };
  const logDir = path.join(RESULTS_DIR, "e2e-logs");
  // One `next build` per `node --test` run: each test file runs in its own process under the same
  // test runner (process.ppid), so the first file builds and leaves a marker the others reuse.
  const buildMarker = path.join(PROJECT_ROOT, ".next", `.e2e-build-${process.ppid}`);
  const builtThisRun = fs.existsSync(buildMarker) && fs.existsSync(path.join(PROJECT_ROOT, ".next", "BUILD_ID"));
  if (builtThisRun) log("next build: reusing this test run's build");
  if (process.env.POWERLAN_E2E_SKIP_BUILD !== "1" && !builtThisRun) {
    const tsconfig = fs.readFileSync(path.join(PROJECT_ROOT, "tsconfig.json"), "utf8");
    try {
      await timed(timings, "next build", async () => {
        const build = spawnGroup("next build", process.execPath, [nextBin, "build"], { env, logFile: path.join(logDir, "next-build.log") });
        const code = await build.exited;
        if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${build.recentOutput()}`);
        for (const name of fs.readdirSync(path.join(PROJECT_ROOT, ".next"))) {
          if (name.startsWith(".e2e-build-")) fs.rmSync(path.join(PROJECT_ROOT, ".next", name), { force: true });
        }
        fs.writeFileSync(buildMarker, `${new Date().toISOString()}\n`);
      });
    } finally {
      restoreTsconfig(tsconfig);
    }
  }
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const app = spawnGroup("next start", process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
    env,
    logFile: path.join(logDir, "next-start.log"),
  });
  await timed(timings, "next start", () =>
    waitForHttp(`${appUrl}/contracts`, {
      timeoutMs: 60_000,
      abortIf: () => (app.hasExited() ? `next start exited:\n${app.recentOutput()}` : null),
    }),
  );
  return { app, appUrl };
}

/** The injected test wallet (runs in the page before any app script). */
function walletScript(rpcUrl: string, account: Address, chainIdHex: string): string {
  return `(() => {
  const RPC = ${JSON.stringify(rpcUrl)};
  let chainId = ${JSON.stringify(chainIdHex)};
  let selected = ${JSON.stringify(account)};
  let accounts = [];
  let rejectNext = false;
  const listeners = {};
  const emit = (event, arg) => (listeners[event] || []).slice().forEach((f) => { try { f(arg); } catch (e) { console.error(e); } });
  let id = 0;
  async function rpc(method, params) {
    const response = await fetch(RPC, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }) });
    const json = await response.json();
    if (json.error) { const e = new Error(json.error.message); e.code = json.error.code; e.data = json.error.data; throw e; }
    return json.result;
  }
  const rejected = () => { const e = new Error("User rejected the request."); e.code = 4001; return e; };
  const provider = {
    isPowerLANTestWallet: true,
    async request({ method, params }) {
      switch (method) {
        case "eth_accounts": return accounts.slice();
        case "eth_requestAccounts":
          accounts = [selected]; emit("accountsChanged", accounts.slice()); return accounts.slice();
        case "eth_chainId": return chainId;
        case "net_version": return String(parseInt(chainId, 16));
        case "wallet_requestPermissions": accounts = [selected]; return [{ parentCapability: "eth_accounts" }];
        case "wallet_getPermissions": return accounts.length ? [{ parentCapability: "eth_accounts" }] : [];
        case "wallet_revokePermissions": accounts = []; emit("accountsChanged", []); return null;
        case "wallet_switchEthereumChain": {
          const wanted = params[0].chainId;
          if (parseInt(wanted, 16) !== 31337) { const e = new Error("Unrecognized chain ID"); e.code = 4902; throw e; }
          chainId = wanted; emit("chainChanged", wanted); return null;
        }
        case "eth_sendTransaction":
        case "eth_signTypedData_v4":
        case "personal_sign":
          if (rejectNext) { rejectNext = false; throw rejected(); }
          if (parseInt(chainId, 16) !== 31337) throw new Error("the test wallet signs on chain 31337 only");
          if (method === "personal_sign") return rpc("eth_sign", [params[1], params[0]]);
          return rpc(method, params);
        default:
          return rpc(method, params);
      }
    },
    on(event, f) { (listeners[event] = listeners[event] || []).push(f); return provider; },
    removeListener(event, f) { listeners[event] = (listeners[event] || []).filter((x) => x !== f); return provider; },
  };
  window.__testWallet = {
    setAccount(a) { selected = a; if (accounts.length) { accounts = [a]; emit("accountsChanged", [a]); } },
    setChain(hex) { chainId = hex; emit("chainChanged", hex); },
    rejectNext() { rejectNext = true; },
  };
  const info = Object.freeze({
    uuid: "5f1b2a4e-7c2d-4d7e-9a51-0c1e2f3a4b5c",
    name: "PowerLAN Test Wallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'%3E%3Crect width='10' height='10' rx='2' fill='%230ea5e9'/%3E%3C/svg%3E",
    rdns: "org.powerlan.testwallet",
  });
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
  window.ethereum = provider;
})();`;
}

/** Remove the hub state folders of chain `chainId` with genesis `genesis12` (any contract); nothing else. */
function removeHubState(chainId: number, genesis12: string) {
  const base = process.env.POWERLAN_HUB_DIR ?? path.join(PROJECT_ROOT, ".powerlan", "hub");
  if (!fs.existsSync(base)) return;
  for (const name of fs.readdirSync(base)) {
    if (name.startsWith(`${chainId}-`) && name.endsWith(`-${genesis12}`)) fs.rmSync(path.join(base, name), { recursive: true, force: true });
  }
}

export async function startWorld(): Promise<World> {
  const timings: Record<string, number> = {};
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => console.error("[e2e] cleanup:", e));
    stops.length = 0;
  };
  try {
    const node = await timed(timings, "hardhat node", () => startHardhatNode({ port: 0, logFile: path.join(RESULTS_DIR, "e2e-logs", "hardhat-node.log") }));
    stops.push(() => node.stop());
    const devnet = await timed(timings, "deploy + seed", () => deployAndSeed(node.rpcUrl, { log: (l) => log(`  ${l}`) }));
    // Ignition's state of this throw-away deployment (scripts/deploy/deployments/devnet-<port>).
    stops.push(async () => fs.rmSync(path.join(PROJECT_ROOT, "scripts", "deploy", "deployments", `devnet-${node.port}`), { recursive: true, force: true }));
    // The app's LAN hub keeps its channel state per chain (lib/channels/hubServer.ts:
    // <POWERLAN_HUB_DIR or .powerlan/hub>/<chainId>-<contract>-<genesis hash, 12 hex digits>): remove
    // this throw-away chain's folder once the app has stopped (runs after app.stop, before node.stop).
    const genesis = (await createPublicClient({ transport: http(node.rpcUrl) }).getBlock({ blockNumber: 0n })).hash.slice(2, 14);
    stops.push(async () => removeHubState(devnet.chainId, genesis));
    const { app, appUrl } = await startApp(node.rpcUrl, timings);
    stops.push(() => app.stop());

    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-e2e-chromium-"));
    stops.push(async () => fs.rmSync(userDataDir, { recursive: true, force: true }));
    const context = await timed(timings, "chromium", () =>
      chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1440, height: 1000 },
      }),
    );
    stops.push(() => context.close());

    const chain = { ...hardhat, rpcUrls: { default: { http: [node.rpcUrl] } } };
    // cacheTime 0: viem caches getBlockNumber for 4 s by default, and a "no block was mined" check
    // must compare against the block number of now, not one from a few seconds ago.
    const publicClient = createPublicClient({ chain, transport: http(node.rpcUrl), cacheTime: 0 }) as PublicClient;
    const testClient = createTestClient({ chain, mode: "hardhat", transport: http(node.rpcUrl) }) as TestClient;

    let pages = 0;
    const newPage = async ({ account, chainIdHex = "0x7a69" }: { account?: Address; chainIdHex?: string } = {}) => {
      const page = pages++ === 0 && context.pages().length > 0 ? context.pages()[0] : await context.newPage();
      await page.addInitScript(walletScript(node.rpcUrl, account ?? devnet.accounts[0].address, chainIdHex));
      page.on("pageerror", (e) => console.error(`[browser] page error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") console.error(`[browser] ${m.text().slice(0, 500)}`);
      });
      // Which resource failed, not only that one did (the console line above has no URL).
      page.on("response", (r) => {
        if (r.status() >= 500) console.error(`[browser] ${r.status()} from ${r.request().method()} ${r.url().slice(0, 200)}`);
      });
      return page;
    };

    return { node, devnet, appUrl, app, publicClient, testClient, context, timings, newPage, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Every transaction mined after `blockBefore`, in words (sender, target, function selector), so a
 * "nothing was sent" assertion that fails says what was sent and by whom.
 */
export async function transactionsSince(world: World, blockBefore: bigint): Promise<string[]> {
  const latest = await world.publicClient.getBlockNumber();
  const names = new Map<string, string>(
    Object.entries(world.devnet.addresses).map(([name, address]) => [String(address).toLowerCase(), name]),
  );
  const lines: string[] = [];
  for (let n = blockBefore + 1n; n <= latest; n++) {
    const block = await world.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      const target = tx.to ? (names.get(tx.to.toLowerCase()) ?? tx.to) : "(create)";
      lines.push(`block ${n}: ${tx.from} → ${target} ${tx.input.slice(0, 10)}`);
    }
  }
  return lines;
}

/**
 * What the devnet keeper does once delivery is over (lib/devnet/keeper.ts): the first
 * `validatorCount` devnet validators finalise the interval's signed meter readings on the
 * ValidatorCommittee and the readings are recorded in the MeterLedger, sent from the admin's
 * account (unlocked on the Hardhat node, as the keeper's sender).
 */
export function finalizeReadings(world: World, interval: bigint, readings: SignedReading[], validatorCount = 3) {
  const chainId = world.devnet.chainId;
  const { MeterLedger: ledger, ValidatorCommittee: committee } = world.devnet.addresses;
  const admin = createWalletClient({
    account: DEVNET_CAST.admin.address,
    chain: { ...hardhat, rpcUrls: { default: { http: [world.node.rpcUrl] } } },
    transport: http(world.node.rpcUrl),
  });
  return finalizeInterval({
    reader: world.publicClient as unknown as ConsensusReader,
    writer: admin as unknown as ConsensusWriter,
    addresses: { chainId, committee, ledger },
    interval,
    readings,
    validators: DEVNET_CAST.validators.slice(0, validatorCount).map((v) => new Validator(v.privateKey, committeeDomain(chainId, committee))),
  });
}
