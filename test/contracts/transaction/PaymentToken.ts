import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { keccak256, parseSignature, toBytes, zeroAddress } from "viem";

const { viem, networkHelpers } = await network.create();

const PLC = 1_000_000n; // 1 PLC in base units (6 decimals)
const MINTER_ROLE = keccak256(toBytes("MINTER_ROLE"));

async function deployTokens() {
  const [admin, alice, bob] = await viem.getWalletClients();
  const token = await viem.deployContract("PaymentToken", [admin.account.address, true]);
  const noFaucetToken = await viem.deployContract("PaymentToken", [admin.account.address, false]);
  const publicClient = await viem.getPublicClient();
  return { token, noFaucetToken, admin, alice, bob, publicClient };
}

describe("PaymentToken", () => {
  it("is PowerLAN Credit (PLC) with 6 decimals and gives the admin both roles", async () => {
    const { token, admin } = await networkHelpers.loadFixture(deployTokens);
    assert.equal(await token.read.name(), "PowerLAN Credit");
    assert.equal(await token.read.symbol(), "PLC");
    assert.equal(await token.read.decimals(), 6);
    assert.equal(await token.read.totalSupply(), 0n);
    assert.equal(await token.read.MINTER_ROLE(), MINTER_ROLE);
    assert.equal(await token.read.hasRole([MINTER_ROLE, admin.account.address]), true);
    assert.equal(await token.read.hasRole([await token.read.DEFAULT_ADMIN_ROLE(), admin.account.address]), true);
    assert.equal(await token.read.FAUCET_AMOUNT_WEI(), 1_000n * PLC);
    assert.equal(await token.read.faucetEnabled(), true);
  });

  it("rejects a zero admin", async () => {
    const { token } = await networkHelpers.loadFixture(deployTokens);
    await viem.assertions.revertWithCustomError(
      viem.deployContract("PaymentToken", [zeroAddress, true]),
      token,
      "TokenZeroAddress",
    );
  });

  describe("mint", () => {
    it("lets a minter mint", async () => {
      const { token, alice } = await networkHelpers.loadFixture(deployTokens);
      await viem.assertions.emitWithArgs(token.write.mint([alice.account.address, 250n * PLC]), token, "Transfer", [
        zeroAddress,
        alice.account.address,
        250n * PLC,
      ]);
      assert.equal(await token.read.balanceOf([alice.account.address]), 250n * PLC);
      assert.equal(await token.read.totalSupply(), 250n * PLC);
    });

    it("rejects a caller without MINTER_ROLE and mints nothing", async () => {
      const { token, alice } = await networkHelpers.loadFixture(deployTokens);
      await viem.assertions.revertWithCustomErrorWithArgs(
        token.write.mint([alice.account.address, 1n], { account: alice.account }),
        token,
        "AccessControlUnauthorizedAccount",
        [alice.account.address, MINTER_ROLE],
      );
      assert.equal(await token.read.balanceOf([alice.account.address]), 0n);
      assert.equal(await token.read.totalSupply(), 0n);
    });

    it("lets the admin hand minting to another account (the bridge)", async () => {
      const { token, alice, bob } = await networkHelpers.loadFixture(deployTokens);
      await token.write.grantRole([MINTER_ROLE, alice.account.address]);
      await token.write.mint([bob.account.address, 7n], { account: alice.account });
      assert.equal(await token.read.balanceOf([bob.account.address]), 7n);
    });
  });

  describe("faucet", () => {
    it("mints 1,000 PLC to the caller and starts a one-hour cooldown", async () => {
      const { token, alice } = await networkHelpers.loadFixture(deployTokens);
      const hash = await token.write.faucet({ account: alice.account });
      const now = BigInt(await networkHelpers.time.latest());
      await viem.assertions.emitWithArgs(hash, token, "FaucetUsed", [alice.account.address, 1_000n * PLC, now + 3600n]);
      await viem.assertions.emitWithArgs(hash, token, "Transfer", [zeroAddress, alice.account.address, 1_000n * PLC]);
      assert.equal(await token.read.balanceOf([alice.account.address]), 1_000n * PLC);
      assert.equal(await token.read.faucetReadyAt([alice.account.address]), now + 3600n);
    });

    it("rejects a second call within the cooldown and mints nothing, then works after it", async () => {
      const { token, alice, bob } = await networkHelpers.loadFixture(deployTokens);
      await token.write.faucet({ account: alice.account });
      const readyAt = await token.read.faucetReadyAt([alice.account.address]);

      await networkHelpers.time.setNextBlockTimestamp(readyAt - 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        token.write.faucet({ account: alice.account }),
        token,
        "TokenFaucetCooldown",
        [alice.account.address, readyAt],
      );
      assert.equal(await token.read.balanceOf([alice.account.address]), 1_000n * PLC);
      assert.equal(await token.read.totalSupply(), 1_000n * PLC);

      // The cooldown is per account: bob is not affected.
      await token.write.faucet({ account: bob.account });
      assert.equal(await token.read.balanceOf([bob.account.address]), 1_000n * PLC);

      await networkHelpers.time.setNextBlockTimestamp(readyAt);
      await token.write.faucet({ account: alice.account });
      assert.equal(await token.read.balanceOf([alice.account.address]), 2_000n * PLC);
      assert.equal(await token.read.faucetReadyAt([alice.account.address]), readyAt + 3600n);
    });

    it("is disabled unless the deployment enabled it", async () => {
      const { noFaucetToken, alice } = await networkHelpers.loadFixture(deployTokens);
      assert.equal(await noFaucetToken.read.faucetEnabled(), false);
      await viem.assertions.revertWithCustomError(
        noFaucetToken.write.faucet({ account: alice.account }),
        noFaucetToken,
        "TokenFaucetDisabled",
      );
      assert.equal(await noFaucetToken.read.balanceOf([alice.account.address]), 0n);
      assert.equal(await noFaucetToken.read.totalSupply(), 0n);
    });
  });

  describe("permit (EIP-2612) and burn", () => {
    it("sets an allowance from an off-chain signature", async () => {
      const { token, alice, bob, publicClient } = await networkHelpers.loadFixture(deployTokens);
      const chainId = await publicClient.getChainId();
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const signature = await alice.signTypedData({
        domain: { name: "PowerLAN Credit", version: "1", chainId, verifyingContract: token.address },
        types: {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        primaryType: "Permit",
        message: { owner: alice.account.address, spender: bob.account.address, value: 5n * PLC, nonce: 0n, deadline },
      });
      const { v, r, s } = parseSignature(signature);
      // Anyone may submit the permit (here bob pays the gas).
      await viem.assertions.emitWithArgs(
        token.write.permit([alice.account.address, bob.account.address, 5n * PLC, deadline, Number(v), r, s], {
          account: bob.account,
        }),
        token,
        "Approval",
        [alice.account.address, bob.account.address, 5n * PLC],
      );
      assert.equal(await token.read.allowance([alice.account.address, bob.account.address]), 5n * PLC);
      assert.equal(await token.read.nonces([alice.account.address]), 1n);
    });

    it("lets holders burn their own tokens and approved spenders burn from them", async () => {
      const { token, alice, bob } = await networkHelpers.loadFixture(deployTokens);
      await token.write.mint([alice.account.address, 10n * PLC]);
      await token.write.burn([3n * PLC], { account: alice.account });
      await token.write.approve([bob.account.address, 2n * PLC], { account: alice.account });
      await token.write.burnFrom([alice.account.address, 2n * PLC], { account: bob.account });
      assert.equal(await token.read.balanceOf([alice.account.address]), 5n * PLC);
      assert.equal(await token.read.totalSupply(), 5n * PLC);

      await viem.assertions.revertWithCustomErrorWithArgs(
        token.write.burnFrom([alice.account.address, 1n], { account: bob.account }),
        token,
        "ERC20InsufficientAllowance",
        [bob.account.address, 0n, 1n],
      );
      assert.equal(await token.read.balanceOf([alice.account.address]), 5n * PLC);
    });
  });
});
