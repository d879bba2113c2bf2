import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { network } from "hardhat";
import type { Hex } from "viem";
import { ChannelClient, privateKeySigner, recordIsNewer, type ChannelRecord, type ChannelUpdate } from "../../../lib/channels/client.ts";
import { hashlockOf, newSecret } from "../../../lib/channels/htlc.ts";
import { JsonFileStore } from "../../../lib/channels/store.ts";
import { Watchtower, type LogFn } from "../../../lib/channels/watchtower.ts";

const { viem, networkHelpers } = await network.create();

const PLC = 1_000_000n;
const PERIOD = 10n;
// Hardhat's PUBLIC dev keys of accounts 1 and 2 (local devnet only).
const ALICE_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const BOB_KEY: Hex = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const ROOT = path.resolve(import.meta.dirname, "../../..");

const tmpDirs: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-watchtower-"));
  tmpDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const quiet: LogFn = () => {};

async function deploy() {
  const [admin, alice, bob, tower] = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const token = await viem.deployContract("PaymentToken", [admin.account.address, false]);
  const channels = await viem.deployContract("PaymentChannels", [token.address, admin.account.address, 1n, 100n]);
  for (const w of [alice, bob]) await token.write.mint([w.account.address, 1_000n * PLC]);
  const chainId = await publicClient.getChainId();
  const aliceDir = tmpDir();
  const bobDir = tmpDir();
  const aliceStore = new JsonFileStore<ChannelRecord>({ dir: aliceDir, isNewer: recordIsNewer });
  const bobStore = new JsonFileStore<ChannelRecord>({ dir: bobDir, isNewer: recordIsNewer });
  const common = { chainId, contract: channels.address, publicClient: publicClient as never };
  const aliceClient = new ChannelClient({ ...common, signer: privateKeySigner(ALICE_KEY), store: aliceStore, walletClient: alice as never });
  const bobClient = new ChannelClient({ ...common, signer: privateKeySigner(BOB_KEY), store: bobStore, walletClient: bob as never });
  assert.equal(aliceClient.address.toLowerCase(), alice.account.address.toLowerCase());
  return { admin, alice, bob, tower, publicClient, token, channels, chainId, aliceClient, bobClient, bobDir, aliceStore, bobStore };
}

async function deliver(from: ChannelClient, to: ChannelClient, update: ChannelUpdate, block: bigint) {
  await from.confirm(await to.receive(update, block));
}

function towerFor(f: Awaited<ReturnType<typeof deploy>>, stateFile: string, fromBlock = 0n) {
  return new Watchtower({
    publicClient: f.publicClient as never,
    walletClient: f.tower as never,
    account: f.tower.account.address,
    contract: f.channels.address,
    chainId: f.chainId,
    storeDirs: [f.bobDir],
    stateFile,
    fromBlock,
    log: quiet,
  });
}

describe("Watchtower", () => {
  it("answers a stale close within the challenge period, restart-safe and idempotent: honest payout", async () => {
    const f = await deploy();
    const channelId = await f.aliceClient.open(f.bob.account.address, 100n * PLC, PERIOD);
    await f.bobClient.sync(channelId);
    const block = () => f.publicClient.getBlockNumber();

    await deliver(f.aliceClient, f.bobClient, await f.aliceClient.pay(channelId, 10n * PLC), await block());
    const stale = f.aliceClient.closingArgs(channelId); // nonce 1: Bob got only 10
    await deliver(f.aliceClient, f.bobClient, await f.aliceClient.pay(channelId, 20n * PLC), await block());
    await deliver(f.aliceClient, f.bobClient, await f.aliceClient.pay(channelId, 5n * PLC), await block());
    // Bob's invoice: Alice locks 7 PLC to Bob; Bob knows the secret (and goes offline).
    const secret = newSecret();
    const hashlock = hashlockOf(secret);
    f.bobClient.learnSecret(channelId, hashlock, secret);
    await deliver(f.aliceClient, f.bobClient, await f.aliceClient.lock(channelId, 7n * PLC, hashlock, (await block()) + 50n), await block());
    assert.equal(f.bobClient.latestProof(channelId).nonce, 4n);

    // Alice cheats: closes with the stale state of nonce 1.
    await f.channels.write.close(stale, { account: f.alice.account });
    assert.equal((await f.channels.read.getChannel([channelId])).nonce, 1n);

    const stateFile = path.join(tmpDir(), "tower.json");
    const tower = towerFor(f, stateFile);
    await tower.pollOnce();
    const c = await f.channels.read.getChannel([channelId]);
    assert.equal(c.nonce, 4n, "the watchtower submitted Bob's newest state");
    assert.equal(c.unlockedAToBWei, 7n * PLC, "and unlocked Bob's lock with his secret");
    assert.deepEqual(tower.state.stats, { challenges: 1, unlocks: 1, alreadyDone: 0 });
    assert.deepEqual(Object.keys(tower.state.watching), [channelId.toString()]);

    // Restart from the state file: nothing is sent twice.
    const restarted = towerFor(f, stateFile);
    assert.equal(restarted.state.cursor, tower.state.cursor);
    const txsBefore = await f.publicClient.getTransactionCount({ address: f.tower.account.address });
    await restarted.pollOnce();
    assert.equal(await f.publicClient.getTransactionCount({ address: f.tower.account.address }), txsBefore);

    // A replayed submission (e.g. a second watchtower racing) fails harmlessly and counts as done.
    const best = restarted.bestState(channelId)!;
    const { fromStoredProof } = await import("../../../lib/channels/client.ts");
    assert.equal(
      await restarted.submit("challenge", [fromStoredProof(best.state.proof), best.state.sigA, best.state.sigB], { channelId }),
      "done",
    );
    assert.equal(restarted.state.stats.alreadyDone, 1);

    // A watchtower that lost its state re-reads history from block 0 and also does nothing twice.
    const fresh = towerFor(f, path.join(tmpDir(), "fresh.json"));
    await fresh.pollOnce();
    assert.deepEqual(fresh.state.stats, { challenges: 0, unlocks: 0, alreadyDone: 0 });

    // After the period the channel is no longer watched; settle pays the honest amounts.
    await networkHelpers.mine(Number(PERIOD));
    await restarted.pollOnce();
    assert.deepEqual(restarted.state.watching, {});
    await f.channels.write.settle([channelId]);
    // Alice: 100 − 35 − 7 = 58; Bob: 42.
    assert.deepEqual(await f.channels.read.previewPayouts([channelId]), [58n * PLC, 42n * PLC]);
    await f.bobClient.withdraw(channelId);
    assert.equal(await f.token.read.balanceOf([f.bob.account.address]), 1_042n * PLC);
    f.aliceStore.close();
    f.bobStore.close();
  });

  it("leaves channels alone when the close already used the newest state", async () => {
    const f = await deploy();
    const channelId = await f.aliceClient.open(f.bob.account.address, 10n * PLC, PERIOD);
    await f.bobClient.sync(channelId);
    await deliver(f.aliceClient, f.bobClient, await f.aliceClient.pay(channelId, 1n * PLC), await f.publicClient.getBlockNumber());
    await f.aliceClient.close(channelId);
    const tower = towerFor(f, path.join(tmpDir(), "tower.json"));
    await tower.pollOnce();
    assert.deepEqual(tower.state.stats, { challenges: 0, unlocks: 0, alreadyDone: 0 });
    f.aliceStore.close();
    f.bobStore.close();
  });
});

describe("scripts/watchtower.ts", () => {
  it("--help prints the usage", async () => {
    const { code, stdout } = await run(["--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /Usage: node scripts\/watchtower.ts/);
    assert.match(stdout, /--store DIR/);
  });

  it("runs against a JSON-RPC endpoint, keeps its cursor, and stops cleanly on SIGTERM", async () => {
    // A minimal chain: block 42, no events.
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const handle = (m: { id: number; method: string }) => {
          const result = m.method === "eth_chainId" ? "0x7a69" : m.method === "eth_blockNumber" ? "0x2a" : m.method === "eth_getLogs" ? [] : null;
          return { jsonrpc: "2.0", id: m.id, result };
        };
        const msg = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(Array.isArray(msg) ? msg.map(handle) : handle(msg)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const state = path.join(tmpDir(), "state.json");
    try {
      const child = spawn(
        process.execPath,
        [
          "scripts/watchtower.ts",
          "--rpc", `http://127.0.0.1:${port}`,
          "--contract", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
          "--store", tmpDir(),
          "--state", state,
          "--from", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
          "--from-block", "40",
          "--poll-ms", "50",
        ],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      child.stdout.on("data", (c) => (stdout += c));
      let stderr = "";
      child.stderr.on("data", (c) => (stderr += c));
      const deadline = Date.now() + 30_000;
      while (!fs.existsSync(state) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(fs.existsSync(state), `no state file; stderr: ${stderr}`);
      child.kill("SIGTERM");
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      assert.equal(code, 0, stderr);
      const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { msg: string; level: string });
      assert.equal(lines[0].msg, "watchtower started");
      assert.ok(lines.some((l) => l.msg === "stopping"));
      assert.equal(lines.at(-1)!.msg, "watchtower stopped");
      assert.equal(JSON.parse(fs.readFileSync(state, "utf8")).cursor, "42");
    } finally {
      server.close();
    }
  });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["scripts/watchtower.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
