import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress, keccak256, toBytes, zeroAddress, type Hex } from "viem";

const { viem, networkHelpers } = await network.create();

const MINTER_ROLE = keccak256(toBytes("MINTER_ROLE"));
const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as Hex;
const URI = "http://localhost:3000/api/certificates/{id}.json";
const INTERVAL = 1_234n;

async function deployCertificate() {
  const [admin, minter, alice, bob, outsider] = await viem.getWalletClients();
  const certificate = await viem.deployContract("EnergyCertificate", [admin.account.address, URI]);
  await certificate.write.grantRole([MINTER_ROLE, minter.account.address]);
  const publicClient = await viem.getPublicClient();
  return { certificate, admin, minter, alice, bob, outsider, publicClient };
}

type Fixture = Awaited<ReturnType<typeof deployCertificate>>;

async function snapshot(fx: Fixture) {
  const holders = [fx.alice, fx.bob, fx.outsider, fx.minter].map((w) => w.account.address);
  return {
    balances: await fx.certificate.read.balanceOfBatch([holders, holders.map(() => INTERVAL)]),
    minted: await fx.certificate.read.mintedWh([INTERVAL]),
    retired: await fx.certificate.read.retiredWh([INTERVAL]),
  };
}

async function assertRejected(fx: Fixture, run: () => Promise<Hex>, errorName: string, args: unknown[]) {
  const before = await snapshot(fx);
  await viem.assertions.revertWithCustomErrorWithArgs(run(), fx.certificate, errorName as never, args as never);
  assert.deepEqual(await snapshot(fx), before);
}

describe("EnergyCertificate", () => {
  it("is an ERC-1155 with AccessControl, a name, and a metadata URI template", async () => {
    const { certificate, admin } = await networkHelpers.loadFixture(deployCertificate);
    assert.equal(await certificate.read.name(), "PowerLAN Energy Certificate");
    assert.equal(await certificate.read.symbol(), "PLEC");
    assert.equal(await certificate.read.uri([INTERVAL]), URI);
    for (const id of ["0xd9b67a26", "0x0e89341c", "0x7965db0b", "0x01ffc9a7"] as const) {
      assert.equal(await certificate.read.supportsInterface([id]), true, id); // ERC1155, metadata, AccessControl, ERC165
    }
    assert.equal(await certificate.read.supportsInterface(["0xffffffff"]), false);
    assert.equal(await certificate.read.hasRole([DEFAULT_ADMIN_ROLE, admin.account.address]), true);
    const events = await certificate.getEvents.CertificateUriSet({ fromBlock: 0n });
    assert.deepEqual(events.map((e) => e.args.uriTemplate), [URI]);
  });

  it("the minter mints delivered Wh: balance, mintedWh, CertificateMinted and TransferSingle", async () => {
    const fx = await networkHelpers.loadFixture(deployCertificate);
    const { certificate, minter, alice } = fx;
    await viem.assertions.emitWithArgs(
      certificate.write.mintDelivered([alice.account.address, INTERVAL, 1_500n], { account: minter.account }),
      certificate,
      "CertificateMinted",
      [getAddress(alice.account.address), INTERVAL, 1_500n],
    );
    await viem.assertions.emitWithArgs(
      certificate.write.mintDelivered([alice.account.address, INTERVAL, 250n], { account: minter.account }),
      certificate,
      "TransferSingle",
      [getAddress(minter.account.address), zeroAddress, getAddress(alice.account.address), INTERVAL, 250n],
    );
    assert.equal(await certificate.read.balanceOf([alice.account.address, INTERVAL]), 1_750n);
    assert.equal(await certificate.read.balanceOf([alice.account.address, INTERVAL + 1n]), 0n);
    assert.equal(await certificate.read.mintedWh([INTERVAL]), 1_750n);
  });

  it("minting to a contract that is no ERC-1155 receiver works (no callback can block settlement)", async () => {
    const fx = await networkHelpers.loadFixture(deployCertificate);
    const notAReceiver = await viem.deployContract("PaymentToken", [fx.admin.account.address, false]);
    await fx.certificate.write.mintDelivered([notAReceiver.address, INTERVAL, 100n], { account: fx.minter.account });
    assert.equal(await fx.certificate.read.balanceOf([notAReceiver.address, INTERVAL]), 100n);
  });

  it("rejects minting by a non-minter, of zero Wh, or to the zero address — nothing minted", async () => {
    const fx = await networkHelpers.loadFixture(deployCertificate);
    await assertRejected(
      fx,
      () => fx.certificate.write.mintDelivered([fx.alice.account.address, INTERVAL, 1n], { account: fx.outsider.account }),
      "AccessControlUnauthorizedAccount",
      [getAddress(fx.outsider.account.address), MINTER_ROLE],
    );
    await assertRejected(
      fx,
      () => fx.certificate.write.mintDelivered([fx.alice.account.address, INTERVAL, 0n], { account: fx.minter.account }),
      "CertificateZeroEnergy",
      [],
    );
    await assertRejected(
      fx,
      () => fx.certificate.write.mintDelivered([zeroAddress, INTERVAL, 1n], { account: fx.minter.account }),
      "ERC1155InvalidReceiver",
      [zeroAddress],
    );
  });

  it("is transferable (guarantee-of-origin style) with the audit trail in TransferSingle", async () => {
    const fx = await networkHelpers.loadFixture(deployCertificate);
    const { certificate, minter, alice, bob } = fx;
    await certificate.write.mintDelivered([alice.account.address, INTERVAL, 1_000n], { account: minter.account });
    await viem.assertions.emitWithArgs(
      certificate.write.safeTransferFrom([alice.account.address, bob.account.address, INTERVAL, 400n, "0x"], { account: alice.account }),
      certificate,
      "TransferSingle",
      [getAddress(alice.account.address), getAddress(alice.account.address), getAddress(bob.account.address), INTERVAL, 400n],
    );
    assert.equal(await certificate.read.balanceOf([alice.account.address, INTERVAL]), 600n);
    assert.equal(await certificate.read.balanceOf([bob.account.address, INTERVAL]), 400n);
    // Transfers keep the receiver check.
    const notAReceiver = await viem.deployContract("PaymentToken", [fx.admin.account.address, false]);
    await assertRejected(
      fx,
      () => certificate.write.safeTransferFrom([alice.account.address, notAReceiver.address, INTERVAL, 1n, "0x"], { account: alice.account }),
      "ERC1155InvalidReceiver",
      [getAddress(notAReceiver.address)],
    );
    await assertRejected(
      fx,
      () => certificate.write.safeTransferFrom([alice.account.address, bob.account.address, INTERVAL, 601n, "0x"], { account: alice.account }),
      "ERC1155InsufficientBalance",
      [getAddress(alice.account.address), 600n, 601n, INTERVAL],
    );
    await assertRejected(
      fx,
      () => certificate.write.safeTransferFrom([alice.account.address, bob.account.address, INTERVAL, 1n, "0x"], { account: bob.account }),
      "ERC1155MissingApprovalForAll",
      [getAddress(bob.account.address), getAddress(alice.account.address)],
    );
  });

  it("retire burns the holder's Wh and counts them in retiredWh; rejects zero and more than held", async () => {
    const fx = await networkHelpers.loadFixture(deployCertificate);
    const { certificate, minter, alice } = fx;
    await certificate.write.mintDelivered([alice.account.address, INTERVAL, 1_000n], { account: minter.account });
    await viem.assertions.emitWithArgs(
      certificate.write.retire([INTERVAL, 300n], { account: alice.account }),
      certificate,
      "CertificateRetired",
      [getAddress(alice.account.address), INTERVAL, 300n],
    );
    assert.equal(await certificate.read.balanceOf([alice.account.address, INTERVAL]), 700n);
    assert.equal(await certificate.read.retiredWh([INTERVAL]), 300n);
    assert.equal(await certificate.read.mintedWh([INTERVAL]), 1_000n); // minted never decreases
    await assertRejected(fx, () => certificate.write.retire([INTERVAL, 0n], { account: alice.account }), "CertificateZeroEnergy", []);
    await assertRejected(
      fx,
      () => certificate.write.retire([INTERVAL, 701n], { account: alice.account }),
      "ERC1155InsufficientBalance",
      [getAddress(alice.account.address), 700n, 701n, INTERVAL],
    );
  });

  it("only the admin changes the URI template", async () => {
    const fx = await networkHelpers.loadFixture(deployCertificate);
    const next = "https://lan.example/certificates/{id}.json";
    await viem.assertions.revertWithCustomErrorWithArgs(
      fx.certificate.write.setUri([next], { account: fx.outsider.account }),
      fx.certificate,
      "AccessControlUnauthorizedAccount",
      [getAddress(fx.outsider.account.address), DEFAULT_ADMIN_ROLE],
    );
    assert.equal(await fx.certificate.read.uri([INTERVAL]), URI);
    await viem.assertions.emitWithArgs(fx.certificate.write.setUri([next]), fx.certificate, "CertificateUriSet", [next]);
    assert.equal(await fx.certificate.read.uri([INTERVAL]), next);
  });

  it("rejects a zero admin at deployment", async () => {
    const fx = await networkHelpers.loadFixture(deployCertificate);
    await viem.assertions.revertWithCustomError(
      viem.deployContract("EnergyCertificate", [zeroAddress, URI]),
      fx.certificate,
      "CertificateZeroAdmin",
    );
  });
});
