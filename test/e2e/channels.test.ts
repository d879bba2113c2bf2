/**
 * Browser test of payment channels, end to end in real headless Chromium against a real Hardhat
 * node and the app's hub service: two households (two tabs, each with its own injected EIP-6963
 * test wallet) open channels with the LAN hub through the UI; the hub joins each with liquidity;
 * one tops up; one household pays the other through the hub (hash-locked, off-chain: no block is mined) and both
 * see the new off-chain balances; bad input is refused in words; then both close cooperatively
 * through the UI and the payouts and withdrawals — theirs and the hub's — are checked ON-CHAIN with viem.
 *
 * Then a channel-paid trade (issue #5), in the same world: Household 4 (PV) posts a channel-paid
 * offer to Household 7 through the order form for an interval around noon (UTC) on the chain's
 * clock; Household 7 takes it ("Take (pay via channel)") — one transaction, nothing locked; the
 * test moves the chain's clock through delivery minute by minute and the buyer's page pays the
 * seller through the hub once per metered minute (the devnet's simulated export register), off-chain:
 * the Delivery streams card, the hub and the seller's page agree on every payment and no
 * transaction is mined. Then the readings are made final as the devnet keeper does it (every
 * simulated meter signs, 3 of 4 validators finalise) and the trading page's "Settle 1 take" settles
 * the take: the stream paid exactly ceil(p × d_t / 1000), the buyer got d_t Wh of certificates, and
 * the vaults moved only by the seller's grid fee (ChannelTakeSettled).
 *
 * Run: npm run test:e2e   (needs /usr/bin/chromium). Screenshots: test-results/channels-page.png,
 * test-results/channels-delivery-stream.png (the buyer's /channels page with the paid stream) and
 * test-results/channels-delivery-stream-seller.png.
 * While iterating on the test alone, POWERLAN_E2E_SKIP_BUILD=1 reuses the last `next build`.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { parseEventLogs, type Address, type Hex } from "viem";
import { httpHubTransport, type HubPaymentView } from "../../lib/channels/hubProtocol.ts";
import { devnetMeterSimulator } from "../../lib/app/deliveryMarket.ts";
import { meterLedgerDomain } from "../../lib/consensus/index.ts";
import { energyCertificateAbi, energyMarketAbi, meterLedgerAbi, paymentChannelsAbi, paymentTokenAbi } from "../../lib/contracts/index.ts";
import { DEVNET_CAST } from "../../lib/devnet/accounts.ts";
import { PROJECT_ROOT } from "../../lib/devnet/processes.ts";
import { formatPLC } from "../../lib/format.ts";
import { finalizeReadings, RESULTS_DIR, startWorld, transactionsSince, type World } from "./harness.ts";

const PAYER = DEVNET_CAST.prosumers[0]; // Household 1
const PAYEE = DEVNET_CAST.consumers[0]; // Household 5
const NO_CHANNEL = DEVNET_CAST.consumers[1]; // Household 6: never opens a channel
const HUB = DEVNET_CAST.aggregator;
const PLC = 1_000_000n;
const Status = { Open: 1, Settled: 3 } as const;

let world: World;
let payerPage: Page;
let payeePage: Page;

type Channel = { partyA: Address; partyB: Address; balanceAWei: bigint; balanceBWei: bigint; status: number };

function channels(): Address {
  return world.devnet.addresses.PaymentChannels;
}

async function getChannel(id: bigint): Promise<Channel> {
  return (await world.publicClient.readContract({ address: channels(), abi: paymentChannelsAbi, functionName: "getChannel", args: [id] })) as Channel;
}

async function plc(account: Address): Promise<bigint> {
  return world.publicClient.readContract({ address: world.devnet.addresses.PaymentToken, abi: paymentTokenAbi, functionName: "balanceOf", args: [account] });
}

async function toast(page: Page, kind: "success" | "error" | "info", text: string, timeout = 60_000): Promise<string> {
  const locator = page.locator(`[data-toast="${kind}"]`, { hasText: text }).last();
  await locator.waitFor({ state: "visible", timeout });
  return (await locator.innerText()).replace(/\s+/g, " ");
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).innerText()).replace(/\s+/g, " ").trim();
}

/** Wait until the element shows exactly `expected`. */
async function shows(page: Page, testId: string, expected: string, timeout = 30_000) {
  await page.getByTestId(testId).filter({ hasText: expected }).waitFor({ timeout });
  assert.equal(await text(page, testId), expected);
}

async function connect(page: Page, name: string) {
  await page.goto(`${world.appUrl}/channels`, { waitUntil: "domcontentloaded" });
  await page.getByTestId("hub-status").filter({ hasText: "online" }).waitFor({ timeout: 60_000 });
  await page.getByTestId("connect-button").click();
  await page.getByRole("dialog").getByRole("button", { name: "PowerLAN Test Wallet" }).click();
  await page.getByTestId("connect-button").filter({ hasText: name }).waitFor({ timeout: 15_000 });
}

async function openChannel(page: Page, amountText: string): Promise<bigint> {
  await page.getByTestId("open-amount").fill(amountText);
  await page.getByTestId("open-channel").click();
  await toast(page, "success", `Channel with the hub opened with ${amountText}.00 PLC`);
  const joined = await toast(page, "success", "The hub added");
  const id = BigInt(/channel #(\d+)/.exec(joined)![1]);
  await page.getByTestId("channel-status").filter({ hasText: "open" }).waitFor({ timeout: 30_000 });
  return id;
}

async function closeChannel(page: Page, payoutText: string) {
  const button = page.getByTestId("close-channel");
  await button.filter({ hasText: `Close and withdraw ${payoutText}` }).waitFor({ timeout: 30_000 });
  await button.click();
  await toast(page, "success", `${payoutText} paid out to your wallet`, 90_000);
  await toast(page, "info", "The hub withdrew its", 60_000);
}

/** The channel's lifecycle events on-chain. */
async function events(id: bigint) {
  const logs = await world.publicClient.getLogs({ address: channels(), fromBlock: 0n, toBlock: "latest" });
  const parsed = parseEventLogs({ abi: paymentChannelsAbi, logs });
  return parsed.filter((e) => "channelId" in e.args && (e.args as { channelId: bigint }).channelId === id);
}

// ───────────── the channel-paid trade (second scenario) ─────────────

const SELLER = DEVNET_CAST.prosumers[3]; // Household 4: 10 kWp PV (zone 2)
const BUYER = DEVNET_CAST.consumers[2]; // Household 7 (zone 2)
/** 0.30 PLC/kWh = 300 base units per Wh: every amount is a multiple of 100 base units, shown exactly with the UI's 4 decimals. */
const CHANNEL_PRICE = { text: "0.3", weiPerKWh: 300_000n };

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const words = (s: string) => s.replace(/\s+/g, " ").trim();
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

async function readMarket<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
  const address = world.devnet.addresses.EnergyMarket;
  return (await world.publicClient.readContract({ address, abi: energyMarketAbi, functionName, args } as never)) as T;
}

/** The market vault of `account`: free, locked, and debt to the DSO. */
async function vault(account: Address): Promise<{ free: bigint; locked: bigint; debt: bigint }> {
  const [free, locked, debt] = await Promise.all([
    readMarket<bigint>("freeBalanceOf", [account]),
    readMarket<bigint>("lockedBalanceOf", [account]),
    readMarket<bigint>("debtOf", [account]),
  ]);
  return { free, locked, debt };
}

async function chainNow(): Promise<bigint> {
  return (await world.publicClient.getBlock()).timestamp;
}

/**
 * The chain's clock reads exactly `timestamp`: one empty block stamped with it. The pages take
 * the chain's time from the latest block, so nothing moves until the test mines the next one.
 */
async function setChainTime(timestamp: bigint) {
  await world.testClient.setNextBlockTimestamp({ timestamp });
  await world.testClient.mine({ blocks: 1 });
  assert.equal(await chainNow(), timestamp);
}

/** Poll `read` (the UI or the chain) until `ok` holds; on timeout say what was last seen. */
async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeout = 90_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await read();
      error = undefined;
      if (ok(last)) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}; last seen: ${json(last)}${error ? ` (${String(error).split("\n")[0]})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The buyer's row of take `takeId` in the Delivery streams card, in words. */
async function streamRow(page: Page, takeId: bigint): Promise<{ amounts: string; status: string; text: string }> {
  const row = page.getByTestId(`stream-${takeId}`);
  return {
    amounts: words(await row.getByTestId("stream-amounts").innerText({ timeout: 2_000 })),
    status: words(await row.getByTestId("stream-status").innerText({ timeout: 2_000 })),
    text: words(await row.innerText({ timeout: 2_000 })),
  };
}

/** Payments from the buyer to the seller as the hub knows them (the hub's inbox query), oldest first. */
async function hubStreamPayments(): Promise<HubPaymentView[]> {
  const inbox = await httpHubTransport(`${world.appUrl}/channels/hub`).query({ action: "inbox", account: BUYER.address });
  return inbox.payments.filter((p) => same(p.payer, BUYER.address) && same(p.payee, SELLER.address)).sort((a, b) => a.createdAt - b.createdAt);
}

/** The seller page's "Latest payments" rows from the buyer, in words. */
async function receivedOnPage(page: Page): Promise<string[]> {
  const rows = page.getByTestId("payments-list").locator('[data-testid^="payment-"]').filter({ hasText: `From ${BUYER.name}` });
  return (await rows.allInnerTexts()).map(words);
}

/** Full-page screenshot in test-results/ with the notifications dismissed. */
async function screenshot(page: Page, name: string) {
  const dismiss = page.getByRole("button", { name: "Dismiss" });
  for (let i = 0; i < 10 && (await dismiss.count()) > 0; i++) await dismiss.first().click({ timeout: 2_000 }).catch(() => {});
  await page.evaluate(() => window.scrollTo(0, 0));
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, name), fullPage: true });
}

describe("payment channels in the browser", { timeout: 900_000 }, () => {
  before(
    async () => {
      world = await startWorld();
      payerPage = await world.newPage({ account: PAYER.address });
      payeePage = await world.newPage({ account: PAYEE.address });
    },
    { timeout: 600_000 },
  );

  after(async () => {
    if (!world) return;
    console.log(`[e2e] timings (ms): ${JSON.stringify(world.timings)}`);
    // The hub service's state of this throw-away chain (.powerlan/hub/<chain>-<contract>-<genesis>).
    const genesis = (await world.publicClient.getBlock({ blockNumber: 0n }).catch(() => null))?.hash as Hex | undefined;
    await world.stop();
    if (genesis) {
      fs.rmSync(path.join(PROJECT_ROOT, ".powerlan", "hub", `31337-${channels().toLowerCase()}-${genesis.slice(2, 14)}`), { recursive: true, force: true });
    }
  });

  test("two households open channels with the hub, one pays the other through it, both close; payouts check out on-chain", { timeout: 600_000 }, async () => {
    const t0 = Date.now();
    const wallet0 = { payer: await plc(PAYER.address), payee: await plc(PAYEE.address), hub: await plc(HUB.address) };

    // ── both households open a channel with the hub through the UI ──
    await connect(payerPage, PAYER.name);
    await connect(payeePage, PAYEE.name);
    const payerChannel = await openChannel(payerPage, "20");
    const payeeChannel = await openChannel(payeePage, "5");
    for (const [id, household, deposit] of [
      [payerChannel, PAYER, 20n * PLC],
      [payeeChannel, PAYEE, 5n * PLC],
    ] as const) {
      const c = await getChannel(id);
      assert.equal(c.status, Status.Open);
      assert.equal(c.partyA, household.address);
      assert.equal(c.partyB, HUB.address);
      assert.equal(c.balanceAWei, deposit, "the household's deposit");
      assert.equal(c.balanceBWei, deposit, "the hub matched it (cap 100 PLC)");
    }
    await shows(payerPage, "channel-deposit-mine", "20.00 PLC");
    await shows(payerPage, "channel-deposit-hub", "20.00 PLC");
    await shows(payeePage, "channel-spendable", "5.00 PLC");
    await shows(payeePage, "channel-receivable", "5.00 PLC");

    // ── Household 5 tops up 1 PLC (approve + deposit); the hub's side stays 5 PLC ──
    await payeePage.getByTestId("topup-amount").fill("1");
    await payeePage.getByTestId("topup-channel").click();
    await toast(payeePage, "success", `1.00 PLC added to your side of channel #${payeeChannel}`);
    assert.equal((await getChannel(payeeChannel)).balanceAWei, 6n * PLC);
    await shows(payeePage, "channel-deposit-mine", "6.00 PLC");
    await shows(payeePage, "channel-spendable", "6.00 PLC");

    // ── bad input, refused in words, nothing sent ──
    await payerPage.getByTestId("pay-to").selectOption(NO_CHANNEL.address);
    await payerPage.getByTestId("pay-amount").fill("1");
    await payerPage.getByTestId("pay-submit").click();
    const noChannel = await toast(payerPage, "error", "No channel to pay into");
    assert.match(noChannel, /Household 6 has no open channel with the hub, so the hub cannot pay it\./);
    await payerPage.getByTestId("pay-to").selectOption(PAYEE.address);
    await payerPage.getByTestId("pay-amount").fill("25");
    await payerPage.getByTestId("pay-submit").click();
    await payerPage.getByTestId("pay-card").getByText("You can pay at most 20.00 PLC through your channel.").waitFor();
    await payerPage.getByTestId("pay-amount").fill("6");
    await payerPage.getByTestId("pay-submit").click();
    const capacity = await toast(payerPage, "error", "The hub cannot forward that much");
    assert.match(capacity, /The hub can pay Household 5 at most 5\.00 PLC right now/);

    // ── Household 1 pays Household 5 3 PLC through the hub: off-chain, no block mined ──
    const blockBefore = await world.publicClient.getBlockNumber();
    const tPay = Date.now();
    await payerPage.getByTestId("pay-amount").fill("3");
    await payerPage.getByTestId("pay-submit").click();
    await payerPage.getByTestId("pay-status").filter({ hasText: "completed" }).waitFor({ timeout: 60_000 });
    const payMs = Date.now() - tPay;
    const received = await toast(payeePage, "success", "Payment received");
    assert.match(received, /Household 1 paid you 3\.00 PLC through the hub/);
    assert.deepEqual(await transactionsSince(world, blockBefore), [], "the payment went off-chain: no transaction");

    // Off-chain balances in both UIs (latest both-signed states: lock, then resolve).
    await shows(payerPage, "channel-spendable", "17.00 PLC");
    await shows(payerPage, "channel-receivable", "23.00 PLC");
    await shows(payerPage, "channel-payout", "17.00 PLC");
    await shows(payerPage, "channel-nonce", "2");
    await shows(payeePage, "channel-spendable", "9.00 PLC");
    await shows(payeePage, "channel-receivable", "2.00 PLC");
    await shows(payeePage, "channel-payout", "9.00 PLC");
    await shows(payeePage, "channel-nonce", "2");
    await payerPage.getByTestId("payments-list").filter({ hasText: "completed" }).waitFor({ timeout: 15_000 });
    assert.match(await text(payerPage, "payments-list"), /^To Household 5 .*−3\.00 PLC completed$/);
    await payeePage.getByTestId("payments-list").filter({ hasText: "received" }).waitFor({ timeout: 15_000 });
    assert.match(await text(payeePage, "payments-list"), /^From Household 1 .*\+3\.00 PLC received$/);
    assert.match(await text(payeePage, "channel-history"), /the hub paid its locked payment \+3\.00 PLC/);
    // The on-chain deposits did not move.
    assert.equal((await getChannel(payerChannel)).balanceAWei, 20n * PLC);
    assert.equal((await getChannel(payeeChannel)).balanceAWei, 6n * PLC);

    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    await payerPage.screenshot({ path: path.join(RESULTS_DIR, "channels-page.png"), fullPage: true });
    // The trading page shows the channel balance too (client-side navigation keeps the wallet).
    await payerPage.getByRole("link", { name: "Trade", exact: true }).click();
    await shows(payerPage, "summary-spendable", "17.00 PLC");
    await payerPage.getByRole("link", { name: "Channels", exact: true }).click();

    // ── both close cooperatively through the UI (the hub co-signs), and withdraw ──
    await closeChannel(payeePage, "9.00 PLC");
    await closeChannel(payerPage, "17.00 PLC");

    for (const [id, household, payout, hubPayout] of [
      [payeeChannel, PAYEE, 9n * PLC, 2n * PLC],
      [payerChannel, PAYER, 17n * PLC, 23n * PLC],
    ] as const) {
      const c = await getChannel(id);
      assert.equal(c.status, Status.Settled);
      assert.equal(c.balanceAWei, 0n, "the household withdrew everything");
      assert.equal(c.balanceBWei, 0n, "the hub withdrew everything");
      const log = await events(id);
      const closed = log.find((e) => e.eventName === "ChannelCooperativelyClosed");
      assert.deepEqual(closed?.args, { channelId: id, payoutAWei: payout, payoutBWei: hubPayout });
      const withdrawn = log.filter((e) => e.eventName === "ChannelWithdrawn").map((e) => e.args);
      assert.deepEqual(
        withdrawn.map((w) => [(w as { account: Address }).account, (w as { amountWei: bigint }).amountWei]).sort(),
        [
          [household.address, payout],
          [HUB.address, hubPayout],
        ].sort(),
      );
    }
    // Wallets: Household 1 paid 3 PLC, Household 5 got 3 PLC, the hub is even; the contract holds nothing of theirs.
    assert.equal(await plc(PAYER.address), wallet0.payer - 3n * PLC);
    assert.equal(await plc(PAYEE.address), wallet0.payee + 3n * PLC);
    assert.equal(await plc(HUB.address), wallet0.hub);
    assert.equal(await plc(channels()), 0n);
    await payerPage.getByTestId(`closed-channel-${payerChannel}`).getByText("paid out").waitFor({ timeout: 30_000 });
    console.log(`[e2e] channels scenario: ${((Date.now() - t0) / 1000).toFixed(1)} s (hub payment ${(payMs / 1000).toFixed(1)} s)`);
  });
  test(
    "a channel-paid trade: taken with nothing escrowed, paid one hub payment per metered minute, settled with certificates and only the seller's grid fee",
    { timeout: 480_000 },
    async () => {
      const t0 = Date.now();
      // The first scenario's tabs are done with: fewer pages polling the node on a small machine.
      for (const page of [payerPage, payeePage]) await page?.close().catch(() => {});

      // ── the interval: tomorrow (chain clock) between 10:30 and 12:30 UTC, where the seller's meter exports most ──
      const current = await readMarket<bigint>("currentInterval");
      const { intervalSeconds } = await readMarket<{ intervalSeconds: number }>("paramsFor", [current]);
      const L = BigInt(intervalSeconds);
      const genesis = await readMarket<bigint>("intervalStartTime", [0n]);
      // The same simulated meters the keeper signs readings from and the buyer's page streams by.
      const meters = await devnetMeterSimulator(world.publicClient, world.devnet.addresses.EnergyMarket);
      const meter = SELLER.meter!.address;
      const now0 = await chainNow();
      const tomorrow = now0 - (now0 % 86_400n) + 86_400n;
      let interval = -1n;
      let exportedWh = 0n;
      for (let t = tomorrow + 10n * 3_600n + 1_800n; t < tomorrow + 12n * 3_600n + 1_800n; t += L) {
        const i = (t - genesis) / L;
        const e = BigInt(meters.exportedWhSoFar(meter, i, intervalSeconds));
        if (e > exportedWh) [interval, exportedWh] = [i, e];
      }
      assert.ok(exportedWh >= 30n, `${SELLER.name}'s PV exports ${exportedWh} Wh at most in an interval around noon tomorrow`);
      const register = (secondsInto: bigint) => BigInt(meters.exportedWhSoFar(meter, interval, Number(secondsInto)));
      // The seller sells exactly what its meter will export: full delivery, no imbalance.
      const energyWh = exportedWh;
      const price = CHANNEL_PRICE.weiPerKWh;
      const worthWei = ceilDiv(energyWh * price, 1000n);
      const start = await readMarket<bigint>("intervalStartTime", [interval]);
      const gate = await readMarket<bigint>("gateClosureTime", [interval]);
      const minutes = Number(L / 60n);

      const seller0 = await vault(SELLER.address);
      const buyer0 = await vault(BUYER.address);
      const certificates = () =>
        world.publicClient.readContract({ address: world.devnet.addresses.EnergyCertificate, abi: energyCertificateAbi, functionName: "balanceOf", args: [BUYER.address, interval] });
      assert.equal(await certificates(), 0n);

      // ── both households open a channel with the hub ──
      const sellerPage = await world.newPage({ account: SELLER.address });
      const buyerPage = await world.newPage({ account: BUYER.address });
      await connect(sellerPage, SELLER.name);
      await connect(buyerPage, BUYER.name);
      await openChannel(sellerPage, "5");
      await openChannel(buyerPage, "5");
      await buyerPage.getByTestId("delivery-streams").getByText("No channel-paid purchases yet").waitFor({ timeout: 30_000 });

      // ── the chain's clock jumps to 6.5 minutes before the interval's gate (it is one of the open tabs) ──
      await setChainTime(gate - 390n);

      // ── the seller posts a channel-paid offer addressed to the buyer, through the order form ──
      await sellerPage.getByRole("link", { name: "Trade", exact: true }).click();
      await sellerPage.getByTestId(`interval-tab-${interval}`).click({ timeout: 60_000 });
      await sellerPage.getByTestId("order-submit").filter({ hasText: `#${interval}` }).waitFor({ timeout: 30_000 });
      await sellerPage.getByTestId("side-offer").click();
      await sellerPage.getByTestId("order-price").fill(CHANNEL_PRICE.text);
      await sellerPage.getByTestId("order-energy").fill((Number(energyWh) / 1000).toFixed(3));
      await sellerPage.getByText("Only for one buyer").click();
      await sellerPage.getByTestId("order-buyer").fill(BUYER.address);
      await sellerPage.getByTestId("order-channel").check();
      await sellerPage.getByTestId("order-submit").click();
      assert.match(
        await toast(sellerPage, "success", "Channel-paid offer"),
        new RegExp(`Channel-paid offer of ${energyWh} Wh at 0\\.3000 PLC/kWh posted for interval ${interval}\\.`),
      );
      type Order = { id: bigint; owner: Address; addressedTo: Address; energyWh: number; priceWeiPerKWh: number; channelPaid: boolean };
      const offers = await readMarket<Order[]>("getOrders", [interval, 1, 0n, 10n]);
      assert.equal(offers.length, 1, "the interval holds only this offer");
      const offer = offers[0];
      assert.deepEqual(
        [offer.owner, offer.addressedTo, offer.channelPaid, BigInt(offer.energyWh), BigInt(offer.priceWeiPerKWh)],
        [SELLER.address, BUYER.address, true, energyWh, price],
      );

      // ── the buyer takes it ("Take (pay via channel)"): one transaction, nothing locked ──
      await buyerPage.getByRole("link", { name: "Trade", exact: true }).click();
      await buyerPage.getByTestId(`interval-tab-${interval}`).click({ timeout: 60_000 });
      const addressed = buyerPage.getByTestId("addressed-table");
      await addressed.getByTestId("channel-badge").waitFor({ timeout: 60_000 });
      const takeButton = addressed.getByTestId(`take-${offer.id}`);
      assert.equal(words(await takeButton.innerText()), "Take (pay via channel)");
      await takeButton.click();
      const blockBeforeTake = await world.publicClient.getBlockNumber();
      await buyerPage.getByTestId("take-submit").click();
      assert.match(
        await toast(buyerPage, "success", "paid through your channel"),
        new RegExp(`Bought ${energyWh} Wh at 0\\.3000 PLC/kWh, paid through your channel as it is delivered`),
      );
      const sent = await transactionsSince(world, blockBeforeTake);
      assert.equal(sent.length, 1, `one transaction, the take: ${sent.join("; ")}`);
      assert.match(sent[0], new RegExp(`${BUYER.address} → EnergyMarket `, "i"));
      const taken = await world.publicClient.getContractEvents({
        address: world.devnet.addresses.EnergyMarket,
        abi: energyMarketAbi,
        eventName: "OfferTaken",
        args: { buyer: BUYER.address },
        fromBlock: 0n,
      });
      assert.equal(taken.length, 1);
      const { offerId, seller, energyWh: takenWh, priceWeiPerKWh, paidWei } = taken[0].args;
      const takeId = taken[0].args.takeId!;
      assert.deepEqual([offerId, seller, BigInt(takenWh!), BigInt(priceWeiPerKWh!), paidWei], [offer.id, SELLER.address, energyWh, price, 0n], "OfferTaken: paidWei 0");
      assert.deepEqual(await vault(BUYER.address), buyer0, "the take locked nothing in the buyer's vault");
      assert.deepEqual(await vault(SELLER.address), seller0, "the seller's vault did not move");
      assert.ok((await chainNow()) < gate, "posted and taken before the gate closed");

      // ── gate closure: the seller clears the interval through the UI (its block stamped before delivery starts) ──
      await setChainTime(gate + 1n);
      const clearButton = sellerPage.getByTestId(`clear-${interval}`);
      await clearButton.waitFor({ timeout: 60_000 });
      await world.testClient.setNextBlockTimestamp({ timestamp: gate + 2n });
      await clearButton.click();
      await toast(sellerPage, "success", `Interval #${interval} cleared`);
      assert.equal((await readMarket<{ cleared: boolean }>("intervalState", [interval])).cleared, true);
      assert.ok((await chainNow()) < start, "cleared before delivery");

      // ── both watch from the Channels page; the stream waits for delivery ──
      await sellerPage.getByRole("link", { name: "Channels", exact: true }).click();
      await buyerPage.getByRole("link", { name: "Channels", exact: true }).click();
      await until("the buyer's stream waiting for delivery", () => streamRow(buyerPage, takeId), (r) => r.status === "waiting for delivery");
      assert.match((await streamRow(buyerPage, takeId)).text, new RegExp(`^#${interval} ${SELLER.name} ${(Number(energyWh) / 1000).toFixed(3)} 0\\.3000 `));

      // ── delivery, minute by minute on the chain's clock: one hub payment per metered minute, no transaction ──
      const blockBeforeDelivery = await world.publicClient.getBlockNumber();
      const expected: bigint[] = [];
      let owedWei = 0n;
      for (let k = 0; k <= minutes; k++) {
        const secondsInto = BigInt(k * 60);
        const tMinute = Date.now();
        await setChainTime(start + secondsInto + 1n);
        // What the seller's register says after k minutes (the interval's reading at the end), capped at the take.
        const metered = register(secondsInto);
        const deliveredWh = metered < energyWh ? metered : energyWh;
        const owed = ceilDiv(deliveredWh * price, 1000n);
        if (owed > owedWei) expected.push(owed - owedWei);
        owedWei = owed;
        const last = k === minutes;
        const amounts = `${formatPLC(owed)} / ${formatPLC(owed)} worth ${formatPLC(worthWei)} in full`;
        // The buyer's page: streamed = owed, nothing on its way, the right status and minute.
        const row = await until(
          `minute ${k}: the buyer's stream at ${amounts}, ${last ? "paid" : `streaming, ${k} of ${minutes} min metered`}`,
          () => streamRow(buyerPage, takeId),
          (r) => r.amounts === amounts && (last ? r.status === "paid" : r.status === "streaming" && r.text.includes(`${k} of ${minutes} min metered`)),
        );
        assert.match(row.text, new RegExp(`${deliveredWh} Wh delivered`));
        // The hub: exactly one payment per metered minute so far, each completed, each what that minute was worth.
        const payments = await until(
          `minute ${k}: ${expected.length} completed hub payment(s) from ${BUYER.name} to ${SELLER.name}`,
          hubStreamPayments,
          (ps) => ps.length >= expected.length && ps.every((p) => p.status === "completed"),
        );
        assert.deepEqual(payments.map((p) => BigInt(p.forwardWei)), expected, `minute ${k}: the hub's payments`);
        // The seller's page: each payment received.
        const received = await until(
          `minute ${k}: the seller's page lists ${expected.length} payment(s) received`,
          () => receivedOnPage(sellerPage),
          (rows) => rows.length === expected.length && rows.every((r) => r.endsWith(" received")),
        );
        assert.deepEqual(
          received.map((r) => /\+([\d.,]+ PLC) received$/.exec(r)?.[1]).sort(),
          expected.map((x) => formatPLC(x)).sort(),
          `minute ${k}: the seller's page`,
        );
        assert.deepEqual(await transactionsSince(world, blockBeforeDelivery), [], `minute ${k}: paid off-chain, no transaction`);
        // The seller streams nothing (it bought nothing); its card says where its payments show.
        if (k === 0) await sellerPage.getByTestId("streams-seller-hint").waitFor({ timeout: 30_000 });
        console.log(`[e2e] minute ${k}: ${deliveredWh} Wh metered, ${formatPLC(owed)} streamed in ${expected.length} payment(s) (${((Date.now() - tMinute) / 1000).toFixed(1)} s)`);
      }
      assert.equal(expected.length, minutes, "one payment per metered minute");
      assert.equal(owedWei, worthWei, "the whole take was delivered and paid");

      // ── after delivery: the trading page says the take waits for meter readings ──
      await buyerPage.getByRole("link", { name: "Trade", exact: true }).click();
      const stage = buyerPage.getByTestId(`interval-stage-${interval}`);
      await stage.filter({ hasText: "1 bilateral take waits for meter readings" }).waitFor({ timeout: 60_000 });

      // ── readings final as the devnet keeper makes them (lib/devnet/keeper.ts): every simulated meter
      //    signs its reading of the interval, 3 of the 4 validators finalise the root, the ledger records them ──
      const { MeterLedger: ledger } = world.devnet.addresses;
      const readings = await meters.signedReadings(interval, meterLedgerDomain(world.devnet.chainId, ledger));
      const finality = await finalizeReadings(world, interval, readings);
      assert.equal(finality.finalizedNow, true);
      assert.equal(finality.recorded, meters.meters.length, "every simulated meter's reading is recorded");

      // ── settle through the UI: "Settle 1 take" (anyone may; here the buyer) ──
      await stage.filter({ hasText: "1 bilateral take waits for settlement" }).waitFor({ timeout: 60_000 });
      const settleButton = buyerPage.getByTestId(`settle-${interval}`);
      await settleButton.filter({ hasText: "Settle 1 take" }).waitFor({ timeout: 30_000 });
      await settleButton.click();
      assert.match(await toast(buyerPage, "success", `Interval #${interval}: bilateral takes settled`), /certified, if paid through channels/);
      await stage.filter({ hasText: /^settled$/ }).waitFor({ timeout: 60_000 });

      // ── on-chain: d_t, the stream's total, certificates, vaults ──
      const address = world.devnet.addresses.EnergyMarket;
      const [reading] = await Promise.all([
        world.publicClient.readContract({ address: world.devnet.addresses.MeterLedger, abi: meterLedgerAbi, functionName: "readingOf", args: [SELLER.address, interval] }),
      ]);
      assert.deepEqual([reading[0], BigInt(reading[2])], [true, exportedWh], "the seller's reading is the register's end");
      const orderSettled = await world.publicClient.getContractEvents({ address, abi: energyMarketAbi, eventName: "OrderSettled", args: { orderId: takeId }, fromBlock: 0n });
      assert.equal(orderSettled.length, 1);
      const d = orderSettled[0].args;
      assert.deepEqual([d.owner, BigInt(d.filledWh!), d.amountWei, d.refundWei], [BUYER.address, energyWh, 0n, 0n], "the buyer is charged nothing on-chain");
      const deliveredWh = BigInt(d.deliveredWh!);
      const channelSettled = await world.publicClient.getContractEvents({ address, abi: energyMarketAbi, eventName: "ChannelTakeSettled", args: { takeId }, fromBlock: 0n });
      assert.equal(channelSettled.length, 1);
      const c = channelSettled[0].args;
      assert.equal(BigInt(c.deliveredWh!), deliveredWh);
      assert.equal(deliveredWh, energyWh, "full delivery");
      const [, , zone] = await readMarket<readonly [boolean, boolean, number]>("traderStatus", [SELLER.address]);
      const feeWeiPerKWh = BigInt(await readMarket<number>("zoneGridFeeFor", [zone, interval]));
      const gross = (price * deliveredWh) / 1000n;
      const gridFee = ceilDiv(feeWeiPerKWh * deliveredWh, 1000n);
      assert.equal(c.gridFeeWei, gridFee < gross ? gridFee : gross, "ChannelTakeSettled: the zone's grid fee on d_t");
      const sellerSettled = await world.publicClient.getContractEvents({ address, abi: energyMarketAbi, eventName: "SellerSettled", args: { interval, seller: SELLER.address }, fromBlock: 0n });
      assert.equal(sellerSettled.length, 1);
      const ss = sellerSettled[0].args;
      assert.deepEqual([BigInt(ss.soldWh!), BigInt(ss.deliveredWh!), ss.payoutWei, ss.imbalanceWei], [energyWh, deliveredWh, 0n, 0n], "no auction payout, no imbalance");

      const payments = await hubStreamPayments();
      const streamedWei = payments.filter((p) => p.status === "completed").reduce((sum, p) => sum + BigInt(p.forwardWei), 0n);
      assert.equal(payments.length, minutes);
      assert.equal(streamedWei, ceilDiv(price * deliveredWh, 1000n), "streamed through the hub = ceil(p × d_t / 1000)");

      assert.equal(await certificates(), deliveredWh, "certificates minted to the buyer = delivered Wh");
      assert.deepEqual(await vault(BUYER.address), buyer0, "the buyer's vault is untouched: it paid through its channel");
      const seller1 = await vault(SELLER.address);
      assert.equal(seller1.locked, seller0.locked);
      assert.equal(seller1.free - seller1.debt, seller0.free - seller0.debt - c.gridFeeWei!, "the seller's vault paid only the grid fee");
      assert.equal(seller1.debt - seller0.debt, c.debtWei);

      // ── the UI after settlement: My fills shows the delivered energy, paid through channels; the stream stays "paid" ──
      const fill = buyerPage.getByTestId(`channel-take-${offer.id}`);
      await until(
        "My fills: the channel take delivered in full",
        async () => words(await fill.innerText({ timeout: 2_000 })),
        (t) => t.includes(`bought from ${SELLER.name} · direct ${(Number(energyWh) / 1000).toFixed(3)} ${(Number(deliveredWh) / 1000).toFixed(3)} 0.3000 paid through channels`),
        60_000,
      );
      await buyerPage.getByRole("link", { name: "Channels", exact: true }).click();
      const final = await until("the stream paid after settlement", () => streamRow(buyerPage, takeId), (r) => r.status === "paid");
      assert.equal(final.amounts, `${formatPLC(worthWei)} / ${formatPLC(worthWei)} worth ${formatPLC(worthWei)} in full`);
      await screenshot(buyerPage, "channels-delivery-stream.png");
      await screenshot(sellerPage, "channels-delivery-stream-seller.png");
      console.log(
        `[e2e] channel-paid trade: ${energyWh} Wh at 0.3000 PLC/kWh in interval ${interval}, streamed ${payments.map((p) => p.forwardWei).join(" + ")} = ${streamedWei} base units, grid fee ${c.gridFeeWei}; ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    },
  );
});
