/**
 * Browser test of the history page ("My intervals"), in real headless Chromium against a real
 * Hardhat node: a prosumer offers and a consumer bids in a quiet interval (straight on-chain with
 * viem — the trading UI has its own test); the interval is cleared; its delivery ends; both meters
 * sign readings (the prosumer exported less than it sold: a shortfall) and the devnet validators
 * finalise them with a quorum and record them (lib/consensus, as the keeper does); anyone settles
 * (offers, then bids). Then /history, connected as each household, must show the metered Wh,
 * delivered / shortfall, imbalance, certificates and credit score — each compared with the chain —
 * and the LAN totals row must match the interval's settlement and certificates minted.
 *
 * Run: npm run test:e2e   (needs /usr/bin/chromium)
 * Screenshots: test-results/history-consumer.png, history-prosumer.png.
 * While iterating: POWERLAN_E2E_SKIP_BUILD=1 reuses the last `next build`.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { createWalletClient, getAddress, http, type Address, type Hash } from "viem";
import { hardhat } from "viem/chains";
import { energyCertificateAbi, energyMarketAbi, meterLedgerAbi } from "../../lib/contracts/index.ts";
import { meterLedgerDomain, signReading } from "../../lib/consensus/index.ts";
import { DEVNET_CAST } from "../../lib/devnet/accounts.ts";
import { formatBps } from "../../lib/app/history.ts";
import { formatEnergy, formatPLC } from "../../lib/format.ts";
import { finalizeReadings, RESULTS_DIR, startWorld, type World } from "./harness.ts";

const PROSUMER = DEVNET_CAST.prosumers[0]; // Household 1
const CONSUMER = DEVNET_CAST.consumers[0]; // Household 5
const SOLD_WH = 300;
const EXPORTED_WH = 200; // the prosumer delivers 200 of the 300 Wh it sold: 100 Wh shortfall
const PROSUMER_IMPORT_WH = 30;
const CONSUMER_IMPORT_WH = 450;

let world: World;
let page: Page;

type Order = { id: bigint; owner: Address; filledWh: number; settled: boolean };

const text = async (locator: ReturnType<Page["locator"]>) => (await locator.innerText()).replace(/\s+/g, " ").trim();

async function screenshot(name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await page.waitForTimeout(500);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, name), fullPage: true });
}

describe("history page in the browser", { timeout: 900_000 }, () => {
  before(
    async () => {
      world = await startWorld();
      page = await world.newPage({ account: CONSUMER.address });
    },
    { timeout: 600_000 },
  );

  after(async () => {
    if (world) {
      console.log(`[e2e] timings (ms): ${JSON.stringify(world.timings)}`);
      await world.stop();
    }
  });

  test("an interval settled on metered delivery shows metered Wh, delivered/shortfall and certificates that match the chain", { timeout: 300_000 }, async () => {
    const { publicClient, testClient } = world;
    const a = world.devnet.addresses;
    const chain = { ...hardhat, rpcUrls: { default: { http: [world.node.rpcUrl] } } };
    const wallet = (account: Address) => createWalletClient({ chain, account, transport: http(world.node.rpcUrl) });
    const m = { address: a.EnergyMarket, abi: energyMarketAbi } as const;
    const confirm = async (hash: Hash) => {
      const r = await publicClient.waitForTransactionReceipt({ hash });
      assert.equal(r.status, "success");
    };
    const now = async () => (await publicClient.getBlock()).timestamp;

    // The empty state first: the consumer has nothing settled yet.
    await page.goto(`${world.appUrl}/history`, { waitUntil: "domcontentloaded" });
    await page.getByTestId("history-connect").waitFor({ timeout: 60_000 });
    await page.getByTestId("connect-button").click();
    await page.getByRole("dialog").getByRole("button", { name: "PowerLAN Test Wallet" }).click();
    await page.getByTestId("connect-button").filter({ hasText: CONSUMER.name }).waitFor({ timeout: 15_000 });
    const householdCard = page.getByTestId("household-history");
    await householdCard.getByText("No settled intervals yet — intervals settle after the validators attest the meter readings.").first().waitFor({ timeout: 30_000 });

    // ── a quiet open interval: one offer, one bid ──
    const current = await publicClient.readContract({ ...m, functionName: "currentInterval" });
    let interval = -1n;
    for (let i = current; i < current + 8n; i++) {
      const [gate, state] = await Promise.all([
        publicClient.readContract({ ...m, functionName: "gateClosureTime", args: [i] }),
        publicClient.readContract({ ...m, functionName: "intervalState", args: [i] }),
      ]);
      if (gate > (await now()) + 60n && state.bidCount + state.offerCount === 0) {
        interval = i;
        break;
      }
    }
    assert.ok(interval >= 0n, "a quiet open interval");
    await confirm(await wallet(PROSUMER.address).writeContract({ ...m, functionName: "placeOffer", args: [interval, 180_000, SOLD_WH] }));
    await confirm(await wallet(CONSUMER.address).writeContract({ ...m, functionName: "placeBid", args: [interval, 260_000, SOLD_WH] }));

    // ── gate closure → clear ──
    const admin = wallet(DEVNET_CAST.admin.address);
    const gate = await publicClient.readContract({ ...m, functionName: "gateClosureTime", args: [interval] });
    await testClient.increaseTime({ seconds: Number(gate - (await now())) + 1 });
    await testClient.mine({ blocks: 1 });
    const [bidHints, offerHints] = await publicClient.readContract({ ...m, functionName: "sortHints", args: [interval] });
    await confirm(await admin.writeContract({ ...m, functionName: "clear", args: [interval, bidHints, offerHints] }));
    const cleared = await publicClient.readContract({ ...m, functionName: "intervalState", args: [interval] });
    assert.equal(cleared.clearedWh, BigInt(SOLD_WH));

    // Cleared but not settled: the row waits for the readings.
    const row = page.getByTestId(`history-row-${interval}`);
    await row.locator('[data-field="status"]').getByText("awaiting readings").waitFor({ timeout: 30_000 });

    // ── delivery ends; meters sign; validators finalise with a quorum; readings recorded ──
    const nextStart = await publicClient.readContract({ ...m, functionName: "intervalStartTime", args: [interval + 1n] });
    await testClient.increaseTime({ seconds: Math.max(1, Number(nextStart - (await now()))) });
    await testClient.mine({ blocks: 1 });
    const ledgerDomain = meterLedgerDomain(world.devnet.chainId, a.MeterLedger);
    const readings = await Promise.all(
      [
        { who: PROSUMER, importedWh: PROSUMER_IMPORT_WH, exportedWh: EXPORTED_WH },
        { who: CONSUMER, importedWh: CONSUMER_IMPORT_WH, exportedWh: 0 },
      ].map((r) =>
        signReading(r.who.meter!.privateKey, { meter: getAddress(r.who.meter!.address), interval, importedWh: r.importedWh, exportedWh: r.exportedWh }, ledgerDomain),
      ),
    );
    const finalized = await finalizeReadings(world, interval, readings, DEVNET_CAST.validators.length);
    assert.equal(finalized.recorded, 2);

    // ── anyone settles: offers first, then bids ──
    const [offers, bids] = (await Promise.all([
      publicClient.readContract({ ...m, functionName: "getOrders", args: [interval, 1, 0n, 10n] }),
      publicClient.readContract({ ...m, functionName: "getOrders", args: [interval, 0, 0n, 10n] }),
    ])) as unknown as [Order[], Order[]];
    await confirm(await admin.writeContract({ ...m, functionName: "settle", args: [offers.map((o) => o.id)] }));
    await confirm(await admin.writeContract({ ...m, functionName: "settle", args: [bids.map((o) => o.id)] }));
    const after = await publicClient.readContract({ ...m, functionName: "intervalState", args: [interval] });
    assert.equal(after.unsettledOrders, 0);

    // ── on-chain truth ──
    const [consumerReading, prosumerReading, [, soldWh, deliveredWh], certificatesWh, mintedWh, settlement, prosumerScore] = await Promise.all([
      publicClient.readContract({ address: a.MeterLedger, abi: meterLedgerAbi, functionName: "readingOf", args: [CONSUMER.address, interval] }),
      publicClient.readContract({ address: a.MeterLedger, abi: meterLedgerAbi, functionName: "readingOf", args: [PROSUMER.address, interval] }),
      publicClient.readContract({ ...m, functionName: "sellerSettlementOf", args: [interval, PROSUMER.address] }),
      publicClient.readContract({ address: a.EnergyCertificate, abi: energyCertificateAbi, functionName: "balanceOf", args: [CONSUMER.address, interval] }),
      publicClient.readContract({ address: a.EnergyCertificate, abi: energyCertificateAbi, functionName: "mintedWh", args: [interval] }),
      publicClient.readContract({ ...m, functionName: "settlementOf", args: [interval] }),
      publicClient.readContract({ address: a.MeterLedger, abi: meterLedgerAbi, functionName: "creditScoreOf", args: [PROSUMER.address] }),
    ]);
    assert.deepEqual(consumerReading, [true, CONSUMER_IMPORT_WH, 0]);
    assert.deepEqual(prosumerReading, [true, PROSUMER_IMPORT_WH, EXPORTED_WH]);
    assert.equal(soldWh, BigInt(SOLD_WH));
    assert.equal(deliveredWh, BigInt(EXPORTED_WH));
    assert.equal(certificatesWh, BigInt(EXPORTED_WH), "the buyer is certified for what was delivered");
    assert.equal(mintedWh, certificatesWh);
    assert.equal(settlement.deliveredWh, deliveredWh);
    assert.ok(prosumerScore < 10_000, "the shortfall lowered the seller's credit score");

    // ── the consumer's row ──
    await row.locator('[data-field="status"]').getByText("settled").waitFor({ timeout: 30_000 });
    const consumerRow = {
      role: await text(row.locator('[data-field="role"]')),
      metered: await text(row.locator('[data-field="metered"]')),
      delivered: await text(row.locator('[data-field="delivered"]')),
      shortfall: await text(row.locator('[data-field="shortfall"]')),
      certificates: await text(row.locator('[data-field="certificates"]')),
      grid: await text(row.locator('[data-field="grid"]')),
    };
    console.log(`[e2e] consumer row #${interval}: ${JSON.stringify(consumerRow)}`);
    assert.equal(consumerRow.role, "buyer");
    assert.equal(consumerRow.metered, `↑ ${formatEnergy(consumerReading[2])} ↓ ${formatEnergy(consumerReading[1])}`);
    assert.equal(consumerRow.delivered, `${formatEnergy(settlement.buyersDeliveredWh)} of ${formatEnergy(SOLD_WH)} bought`);
    assert.match(consumerRow.shortfall, new RegExp(`^${formatEnergy(BigInt(SOLD_WH) - settlement.buyersDeliveredWh)} refunded `));
    assert.equal(consumerRow.certificates, formatEnergy(certificatesWh));
    // grid import = metered import − delivered from the LAN
    assert.match(consumerRow.grid, new RegExp(`^↓ ${formatEnergy(CONSUMER_IMPORT_WH - EXPORTED_WH)} ↑ 0 Wh`));
    await page.getByTestId("summary-certificates").getByText(formatEnergy(certificatesWh)).waitFor();

    // The LAN's totals for the interval match the chain.
    const lanRow = page.getByTestId(`lan-row-${interval}`);
    await lanRow.locator('[data-field="status"]').getByText("settled").waitFor({ timeout: 30_000 });
    assert.equal(await text(lanRow.locator('[data-field="cleared"]')), formatEnergy(after.clearedWh));
    assert.equal(await text(lanRow.locator('[data-field="delivered"]')), formatEnergy(settlement.deliveredWh));
    assert.equal(await text(lanRow.locator('[data-field="shortfall"]')), formatEnergy(soldWh - deliveredWh));
    assert.equal(await text(lanRow.locator('[data-field="certificates"]')), formatEnergy(mintedWh));
    // 200 Wh of the LAN's 480 Wh metered imports were delivered by a neighbour through the auction: 41.66 %
    const imports = BigInt(PROSUMER_IMPORT_WH + CONSUMER_IMPORT_WH);
    assert.equal(await text(lanRow.locator('[data-field="self-sufficiency"]')), formatBps(Number((BigInt(EXPORTED_WH) * 10_000n) / imports)));
    await screenshot("history-consumer.png");

    // ── the prosumer's row (same page, the wallet switches account) ──
    await page.evaluate((addr) => (window as unknown as { __testWallet: { setAccount(a: string): void } }).__testWallet.setAccount(addr), PROSUMER.address);
    await page.getByTestId("connect-button").filter({ hasText: PROSUMER.name }).waitFor({ timeout: 15_000 });
    await row.locator('[data-field="role"]').getByText("seller").waitFor({ timeout: 30_000 });
    const prosumerRow = {
      metered: await text(row.locator('[data-field="metered"]')),
      delivered: await text(row.locator('[data-field="delivered"]')),
      shortfall: await text(row.locator('[data-field="shortfall"]')),
      charges: await text(row.locator('[data-field="charges"]')),
      money: await text(row.locator('[data-field="money"]')),
      net: await text(row.locator('[data-field="net"]')),
      score: await text(row.locator('[data-field="score"]')),
    };
    console.log(`[e2e] prosumer row #${interval}: ${JSON.stringify(prosumerRow)}`);
    assert.equal(prosumerRow.metered, `↑ ${formatEnergy(EXPORTED_WH)} ↓ ${formatEnergy(PROSUMER_IMPORT_WH)}`);
    assert.equal(prosumerRow.delivered, `${formatEnergy(deliveredWh)} of ${formatEnergy(soldWh)} sold`);
    assert.equal(prosumerRow.shortfall, `${formatEnergy(soldWh - deliveredWh)} not delivered`);
    const [sellerEvent] = await publicClient.getContractEvents({ ...m, eventName: "SellerSettled", args: { interval, seller: PROSUMER.address }, fromBlock: 0n });
    const { payoutWei, gridFeeWei, imbalanceWei } = sellerEvent.args as { payoutWei: bigint; gridFeeWei: bigint; imbalanceWei: bigint };
    assert.ok(imbalanceWei > 0n, "the shortfall was charged");
    const plc = (wei: bigint) => formatPLC(wei, undefined, false);
    assert.equal(prosumerRow.charges, `fee ${plc(gridFeeWei)} imbalance ${plc(imbalanceWei)}`);
    assert.equal(prosumerRow.money, `+${plc(payoutWei + gridFeeWei)} received`);
    const net = payoutWei - imbalanceWei;
    assert.match(prosumerRow.net, new RegExp(`^${net > 0n ? "\\+" : ""}${plc(net)}( vs grid|$)`));
    // One delivery report from the initial 10,000 bps: the row shows the score after it and the change.
    assert.equal(prosumerRow.score, `${formatBps(Number(prosumerScore))} −${((10_000 - Number(prosumerScore)) / 100).toFixed(2)} pts`);
    assert.equal(await text(page.getByTestId("credit-score")), formatBps(Number(prosumerScore)));
    await screenshot("history-prosumer.png");
  });
});
