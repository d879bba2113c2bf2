/**
 * Browser test of payment channels, end to end in real headless Chromium against a real Hardhat
 * node and the app's hub service: two households (two tabs, each with its own injected EIP-6963
 * test wallet) open channels with the LAN hub through the UI; the hub joins each with liquidity;
 * one tops up; one household pays the other through the hub (hash-locked, off-chain: no block is mined) and both
 * see the new off-chain balances; bad input is refused in words; then both close cooperatively
 * through the UI and the payouts and withdrawals — theirs and the hub's — are checked ON-CHAIN with viem.
 *
 * Run: npm run test:e2e   (needs /usr/bin/chromium). Screenshot: test-results/channels-page.png.
 * While iterating on the test alone, POWERLAN_E2E_SKIP_BUILD=1 reuses the last `next build`.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { parseEventLogs, type Address, type Hex } from "viem";
import { paymentChannelsAbi, paymentTokenAbi } from "../../lib/contracts/index.ts";
import { DEVNET_CAST } from "../../lib/devnet/accounts.ts";
import { PROJECT_ROOT } from "../../lib/devnet/processes.ts";
import { RESULTS_DIR, startWorld, transactionsSince, type World } from "./harness.ts";

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
});
