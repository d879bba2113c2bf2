/** The devnet cast (lib/devnet/accounts.ts): every public key and address matches its derivation. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak256, toBytes, toHex } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { DEV_ACCOUNTS, DEVNET_CAST, HARDHAT_DEV_MNEMONIC, METER_KEY_LABEL, PARTICIPANT_ROLE, devAccountByAddress } from "../../lib/devnet/accounts.ts";

describe("devnet accounts", () => {
  it("are Hardhat's 20 dev accounts, keys derived from the public mnemonic", () => {
    assert.equal(DEV_ACCOUNTS.length, 20);
    for (const a of DEV_ACCOUNTS) {
      const hd = mnemonicToAccount(HARDHAT_DEV_MNEMONIC, { addressIndex: a.index });
      assert.equal(a.address, hd.address, `account ${a.index} address`);
      assert.equal(a.privateKey, toHex(hd.getHdKey().privateKey!), `account ${a.index} key`);
    }
  });

  it("meter keys are keccak256 of the label and unique", () => {
    const meters = new Set<string>();
    for (const a of DEV_ACCOUNTS) {
      if (!a.meter) continue;
      const key = keccak256(toBytes(`${METER_KEY_LABEL} ${a.index}`));
      assert.equal(a.meter.privateKey, key);
      assert.equal(a.meter.address, privateKeyToAccount(key).address);
      assert.ok(!meters.has(a.meter.address));
      meters.add(a.meter.address);
      assert.ok(!DEV_ACCOUNTS.some((b) => b.address === a.meter!.address), "a meter is not an account");
    }
    assert.equal(meters.size, DEVNET_CAST.traders.length);
  });

  it("cast: ≥ 6 households (prosumers and consumers), an aggregator, the DSO, a regulator, 4 validators", () => {
    assert.ok(DEVNET_CAST.households.length >= 6);
    assert.ok(DEVNET_CAST.prosumers.length >= 2 && DEVNET_CAST.consumers.length >= 2);
    assert.ok(DEVNET_CAST.prosumers.every((p) => p.pvKWp > 0 && p.registryRole === "Prosumer"));
    assert.ok(DEVNET_CAST.consumers.every((c) => c.pvKWp === 0 && c.registryRole === "Consumer"));
    assert.equal(DEVNET_CAST.validators.length, 4);
    assert.equal(DEVNET_CAST.aggregator.registryRole, "Aggregator");
    assert.equal(DEVNET_CAST.dso.registryRole, "DSO");
    assert.equal(DEVNET_CAST.regulator.registryRole, "Regulator");
    assert.equal(DEVNET_CAST.admin.index, 0, "the deployer is account 0");
    for (const p of DEVNET_CAST.participants) assert.ok(PARTICIPANT_ROLE[p.registryRole!] > 0);
    for (const t of DEVNET_CAST.traders) assert.ok(t.meter && t.zone > 0, `${t.name} has a meter and a zone`);
    assert.equal(new Set(DEV_ACCOUNTS.map((a) => a.label)).size, 20, "labels are unique");
  });

  it("looks accounts up by address, case-insensitively", () => {
    const h1 = DEV_ACCOUNTS[8];
    assert.equal(devAccountByAddress(h1.address.toLowerCase())?.name, "Household 1");
    assert.equal(devAccountByAddress("0x0000000000000000000000000000000000000001"), undefined);
  });
});
