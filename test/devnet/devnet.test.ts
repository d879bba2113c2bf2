/**
 * The devnet end to end, without the app: a fresh Hardhat node, the Ignition deployment, the seed,
 * the keeper; the addresses equal the committed bindings (determinism), and stopping leaves no
 * process behind. Also: `npm start` refuses a busy port with a clear message.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { addresses as committedAddresses } from "../../lib/contracts/addresses.ts";
import { DEVNET_CAST } from "../../lib/devnet/accounts.ts";
import { DEVNET_DEPOSIT_PER_TRADER, DEVNET_MARKET_PARAMS, DEVNET_MINT_PER_TRADER, DEVNET_RPC_PORT } from "../../lib/devnet/config.ts";
import { deployAndSeed, type DevnetDeployment } from "../../lib/devnet/index.ts";
import { startKeeper } from "../../lib/devnet/keeper.ts";
import { startHardhatNode, type HardhatNode } from "../../lib/devnet/node.ts";
import { groupAlive, PROJECT_ROOT, sleep } from "../../lib/devnet/processes.ts";
import { devnetContracts } from "../../lib/devnet/seed.ts";

describe("devnet: node + Ignition deploy + seed + keeper", { timeout: 180_000 }, () => {
  let node: HardhatNode;
  let devnet: DevnetDeployment;

  before(async () => {
    node = await startHardhatNode({ port: 0 });
    devnet = await deployAndSeed(node.rpcUrl);
  });
  after(async () => {
    await node?.stop();
    // Ignition's state of this throw-away deployment (scripts/deploy/deployments/devnet-<port>).
    if (node) fs.rmSync(path.join(PROJECT_ROOT, "scripts", "deploy", "deployments", `devnet-${node.port}`), { recursive: true, force: true });
  });

  it("deploys to the committed, deterministic devnet addresses", () => {
    assert.deepEqual({ ...devnet.addresses }, { ...committedAddresses[31337] });
  });

  it("registers every participant with role, zone and meter", async () => {
    const { registry } = await devnetContracts(devnet.connection, devnet.addresses);
    assert.equal(await registry.read.participantCount(), BigInt(DEVNET_CAST.participants.length));
    for (const p of DEVNET_CAST.participants) {
      assert.equal(await registry.read.isActive([p.address]), true, `${p.name} active`);
      const record = await registry.read.participantOf([p.address]);
      assert.equal(record.zone, p.zone);
      if (p.meter) assert.equal(await registry.read.accountOfMeter([p.meter.address]), p.address);
    }
    for (const n of DEVNET_CAST.newcomers) assert.equal(await registry.read.isActive([n.address]), false);
  });

  it("funds every trader: wallet PLC and vault balance (free + locked in bids)", async () => {
    const { token, market } = await devnetContracts(devnet.connection, devnet.addresses);
    for (const t of DEVNET_CAST.traders) {
      assert.equal(await token.read.balanceOf([t.address]), DEVNET_MINT_PER_TRADER - DEVNET_DEPOSIT_PER_TRADER);
      const vault = (await market.read.freeBalanceOf([t.address])) + (await market.read.lockedBalanceOf([t.address]));
      assert.equal(vault, DEVNET_DEPOSIT_PER_TRADER, `${t.name} vault`);
    }
  });

  it("posts open orders in the upcoming intervals", async () => {
    const { market } = await devnetContracts(devnet.connection, devnet.addresses);
    assert.ok(devnet.seed.intervals.length > 0 && devnet.seed.orders > 0);
    for (const interval of devnet.seed.intervals) {
      const state = await market.read.intervalState([interval]);
      assert.ok(state.liveBids > 0 && state.liveOffers > 0, `interval ${interval} has bids and offers`);
    }
  });

  it("the keeper clears, finalises the meter readings with a quorum and settles on delivery; a restart resumes from its cursor", async () => {
    const { market, committee, ledger, certificate } = await devnetContracts(devnet.connection, devnet.addresses);
    const first = devnet.seed.intervals[0];
    // A bilateral take before the gate: escrowed now, settled on delivery by the keeper.
    const [offer] = await market.read.getOrders([first, 1, 0n, 1n]);
    const taker = DEVNET_CAST.consumers.find((c) => c.address.toLowerCase() !== offer.owner.toLowerCase())!;
    const takeWh = Math.min(offer.energyWh, DEVNET_MARKET_PARAMS.minOrderWh);
    const takeTx = await market.write.take([offer.id, takeWh], { account: taker.address });
    await (await devnet.connection.viem.getPublicClient()).waitForTransactionReceipt({ hash: takeTx });
    const takeId = (first << 40n) | (2n << 32n);
    // Jump past the first seeded interval's delivery (gate closed, meters can report).
    const deliveryEnd = await market.read.intervalStartTime([first + 1n]);
    const test = await devnet.connection.viem.getTestClient();
    await test.setNextBlockTimestamp({ timestamp: deliveryEnd + 1n });
    await test.mine({ blocks: 1 });
    const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-keeper-")), "keeper.json");
    const lines: string[] = [];
    const options = { periodMs: 100, demoOrders: false, fromInterval: first, stateFile, log: (l: string) => lines.push(l) };
    const keeper = await startKeeper(devnet.connection, devnet.addresses, options);
    try {
      for (let i = 0; i < 300 && (keeper.lastProcessed() ?? -1n) < first; i++) await sleep(100);
    } finally {
      await keeper.stop();
    }
    const log = lines.join("\n");
    assert.equal(keeper.lastProcessed(), first, log);
    const state = await market.read.intervalState([first]);
    assert.equal(state.cleared, true, log);
    assert.equal(state.hasPrice, true, "the demo book crosses");
    assert.equal(state.unsettledOrders, 0, log);
    assert.ok(state.clearingPriceWeiPerKWh >= DEVNET_MARKET_PARAMS.priceFloorWeiPerKWh);
    // consensus: a final root and every demo meter's reading recorded
    assert.notEqual(await committee.read.finalizedReadingsRoot([first]), `0x${"00".repeat(32)}`);
    for (const h of DEVNET_CAST.traders) {
      const [recorded] = await ledger.read.readingOf([h.address, first]);
      assert.equal(recorded, true, `${h.name}'s reading recorded`);
    }
    // settlement: certificates exactly for the delivered Wh, each seller scored once
    const settlement = await market.read.settlementOf([first]);
    assert.equal(settlement.buyersDeliveredWh, settlement.deliveredWh);
    // the take was settled too (a second settle is refused), and its certificates come on top
    await assert.rejects(market.simulate.settle([[takeId]], { account: taker.address }), /MarketOrderAlreadySettled/);
    assert.match(log, new RegExp(`interval ${first}: 1 bilateral take\\(s\\) settled on delivery`));
    const minted = await certificate.read.mintedWh([first]);
    assert.ok(minted >= settlement.deliveredWh && minted <= settlement.deliveredWh + BigInt(takeWh), `${minted}`);
    let certified = 0n;
    for (const t of DEVNET_CAST.traders) certified += await certificate.read.balanceOf([t.address, first]);
    assert.equal(certified, minted);
    assert.match(log, new RegExp(`interval ${first} cleared at`));
    assert.match(log, new RegExp(`interval ${first} readings final with 3 of 4 validator signatures`));
    assert.match(log, new RegExp(`interval ${first} settled`));
    // the durable cursor
    const cursor = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    assert.equal(cursor.lastProcessedInterval, String(first));
    assert.equal(cursor.market, devnet.addresses.EnergyMarket);

    // Restart: resumes after the cursor, never touches the settled interval again.
    const again: string[] = [];
    const restarted = await startKeeper(devnet.connection, devnet.addresses, { ...options, log: (l: string) => again.push(l) });
    await sleep(500);
    await restarted.stop();
    assert.match(again[0] ?? "", new RegExp(`resuming after interval ${first}`), again.join("\n"));
    assert.doesNotMatch(again.join("\n"), new RegExp(`interval ${first} (cleared|settled|readings)`));
    assert.deepEqual(await market.read.settlementOf([first]), settlement);
    // A cursor of another deployment is ignored.
    fs.writeFileSync(stateFile, JSON.stringify({ ...cursor, firstBlockHash: `0x${"11".repeat(32)}` }));
    const other: string[] = [];
    const fresh = await startKeeper(devnet.connection, devnet.addresses, { ...options, log: (l: string) => other.push(l) });
    await fresh.stop();
    assert.doesNotMatch(other.join("\n"), /resuming/);
    fs.rmSync(path.dirname(stateFile), { recursive: true, force: true });
  });

  for (const file of ["example.json5", "localhost.json5"]) {
    it(`the documented parameters file ${file} deploys the module`, async () => {
      const { default: PowerLANModule } = await import("../../scripts/deploy/modules/PowerLAN.ts");
      const deploymentId = `devnet-test-${file.replace(".json5", "")}`;
      const dir = path.join(PROJECT_ROOT, "scripts", "deploy", "deployments", deploymentId);
      fs.rmSync(dir, { recursive: true, force: true });
      try {
        const deployed = await devnet.connection.ignition.deploy(PowerLANModule, {
          deploymentId,
          parameters: path.join(PROJECT_ROOT, "scripts", "deploy", "parameters", file),
          config: { blockPollingInterval: 50 },
        });
        assert.equal(await deployed.paymentToken.read.faucetEnabled(), file === "localhost.json5");
        assert.equal(await deployed.validatorCommittee.read.quorum(), 3n);
        const params = await deployed.energyMarket.read.paramsFor([0n]);
        assert.equal(params.intervalSeconds, file === "localhost.json5" ? 180 : 900);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("stop() kills the node's whole process group", async () => {
    const pgid = node.process.pid;
    await node.stop();
    assert.equal(groupAlive(pgid), false);
  });
});

describe("npm start", () => {
  it("--help explains itself", () => {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts", "start.ts"), "--help"], { encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: npm start/);
  });

  it("refuses to start when port 8545 is busy, and says so", async () => {
    const blocker = net.createServer();
    const listening = await new Promise<boolean>((resolve) => {
      blocker.once("error", () => resolve(false)); // already busy (e.g. a running npm start): same outcome expected
      blocker.listen(DEVNET_RPC_PORT, "127.0.0.1", () => resolve(true));
    });
    try {
      const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts", "start.ts"), "--no-app"], { encoding: "utf8", timeout: 30_000 });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /port 8545 is already in use/);
    } finally {
      if (listening) await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
