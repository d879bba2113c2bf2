import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  ChainMismatchError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  InsufficientFundsError,
  keccak256,
  toHex,
  TransactionExecutionError,
  UserRejectedRequestError,
  type Abi,
  type Address,
} from "viem";
import { base } from "viem/chains";
import {
  ERROR_MESSAGES,
  KNOWN_ERRORS_ABI,
  decodeRevertData,
  explainCustomError,
  explainError,
  notConnectedError,
  wrongChainError,
} from "../../lib/errors.ts";

const ME = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as Address;
const ctx = { account: ME, nameOf: (a: Address) => (a === OTHER ? "Household 2" : undefined), timeZone: "UTC" };

/** What wagmi's simulateContract throws for a revert: an execution error wrapping the decoded revert. */
function revert(errorName: string, args: readonly unknown[] = [], abi: Abi = KNOWN_ERRORS_ABI) {
  const data = encodeErrorResult({ abi: KNOWN_ERRORS_ABI, errorName, args } as never);
  const cause = new ContractFunctionRevertedError({ abi, data, functionName: "placeBid" });
  return new ContractFunctionExecutionError(cause, { abi, functionName: "placeBid", args: [] });
}

describe("errors: contract custom errors in plain words", () => {
  it("explains a price above the cap with both prices in PLC/kWh", () => {
    const e = explainError(revert("MarketPriceAboveCap", [500_000n, 400_000n]), ctx);
    expect(e).toMatchObject({ kind: "contract", errorName: "MarketPriceAboveCap", title: "Price above the cap" });
    expect(e.message).toBe(
      "Your price of 0.5000 PLC/kWh is above the regulator's price cap of 0.4000 PLC/kWh. Enter 0.4000 PLC/kWh or less.",
    );
  });

  it("decodes errors the called contract's ABI does not know (bubbled up from the token)", () => {
    // The market's ABI (here: an empty one) lacks ERC20InsufficientAllowance: decode from raw data.
    const e = explainError(revert("ERC20InsufficientAllowance", [OTHER, 1_000_000n, 2_500_000n], []), ctx);
    expect(e.errorName).toBe("ERC20InsufficientAllowance");
    expect(e.message).toBe("The contract may spend only 1.00 PLC of your PLC, but this needs 2.50 PLC. Approve the amount first.");
  });

  it("names the account: 'your account', a dev-account name, or a short address", () => {
    expect(explainError(revert("MarketNotParticipant", [ME]), ctx).message).toMatch(/^Your account is not an approved participant/);
    expect(explainError(revert("MarketNotParticipant", [OTHER]), ctx).message).toMatch(/^Household 2 \(0x3C44…93BC\) is not/);
    expect(explainError(revert("MarketCannotSell", [ME]), {}).message).toMatch(/^0x7099…79C8 is registered as a consumer/);
  });

  it("explains vault and gate errors with amounts and clock times", () => {
    expect(explainError(revert("VaultInsufficientBalance", [ME, 1_000_000n, 37_500_000n]), ctx).message).toBe(
      "You have 1.00 PLC free in the market vault, but this needs 37.50 PLC. Deposit more first.",
    );
    const gate = Date.UTC(2025, 0, 1, 14, 12, 30) / 1000;
    expect(explainError(revert("MarketGateClosed", [42n, BigInt(gate)]), ctx).message).toBe(
      "Trading for interval 42 closed at 14:12:30 (gate closure). Choose a later interval.",
    );
    expect(explainError(revert("MarketTooManyOrders", [42n, 1, 100n]), ctx).message).toBe(
      "Interval 42 already holds the maximum of 100 offers. Try a later interval.",
    );
  });

  it("names the missing role of AccessControlUnauthorizedAccount", () => {
    const role = keccak256(toHex("REGULATOR_ROLE"));
    expect(explainError(revert("AccessControlUnauthorizedAccount", [ME, role]), ctx).message).toBe(
      "Your account lacks the regulator (REGULATOR_ROLE) role needed for this.",
    );
  });

  it("has a message for every known error signature, and each renders with zero-ish arguments", () => {
    for (const item of KNOWN_ERRORS_ABI) {
      expect(ERROR_MESSAGES[item.name], item.name).toBeTypeOf("function");
      const args = item.inputs.map((input) =>
        input.type === "address" ? ME : input.type === "bytes32" ? `0x${"00".repeat(32)}` : input.type === "uint8" ? 1 : 1n,
      );
      const e = explainCustomError(item.name, args, ctx);
      expect(e.message.length, item.name).toBeGreaterThan(10);
      expect(e.message, item.name).not.toMatch(/undefined|NaN|\[object/);
    }
  });

  it("still says something readable for an error it does not know", () => {
    expect(explainCustomError("MarketSomethingNew", [1n]).message).toBe("The contract refused: market something new (1).");
    expect(decodeRevertData("0x12345678")).toBeUndefined();
    expect(decodeRevertData("0x")).toBeUndefined();
  });

  // When this fails, a contract gained an error: give it plain words in lib/errors.ts
  // (KNOWN_ERROR_SIGNATURES + ERROR_MESSAGES), so users never see a raw selector.
  it("knows every custom error of the generated contract ABIs (add new ones to lib/errors.ts)", async () => {
    const file = path.resolve(import.meta.dirname, "../../lib/contracts/abis.ts");
    if (!fs.existsSync(file)) return; // bindings not generated yet
    const abis = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
    const signature = (item: { name: string; inputs: readonly { type: string }[] }) =>
      `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
    const known = new Set(KNOWN_ERRORS_ABI.map(signature));
    const names = new Set<string>();
    const missing: string[] = [];
    for (const value of Object.values(abis)) {
      if (!Array.isArray(value)) continue;
      for (const item of value as { type: string; name: string; inputs: { type: string }[] }[]) {
        if (item.type !== "error") continue;
        names.add(item.name);
        // Same name AND same argument types, or the revert data would decode wrongly.
        if (!known.has(signature(item)) || !ERROR_MESSAGES[item.name]) missing.push(signature(item));
      }
    }
    expect(names.size).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});

describe("errors: wallet and network", () => {
  it("says a rejected signature changed nothing", () => {
    const rejected = new TransactionExecutionError(new UserRejectedRequestError(new Error("User rejected the request.")), {
      account: { address: ME, type: "json-rpc" },
      chain: undefined,
    } as never);
    expect(explainError(rejected)).toMatchObject({ kind: "rejected", title: "Request rejected" });
    expect(explainError({ code: 4001, message: "denied" }).kind).toBe("rejected");
  });

  it("recognises the wrong chain and a missing connection", () => {
    const mismatch = new ChainMismatchError({ chain: base, currentChainId: 1 });
    expect(explainError(mismatch).kind).toBe("wrong-chain");
    expect(explainError(wrongChainError(1, "PowerLAN devnet", 31337))).toEqual({
      kind: "wrong-chain",
      title: "Wrong network",
      message: "Your wallet is on chain 1; PowerLAN runs on PowerLAN devnet (chain 31337). Switch the network and try again.",
    });
    expect(explainError(notConnectedError()).kind).toBe("not-connected");
    expect(explainError(Object.assign(new Error("x"), { name: "ConnectorNotConnectedError" })).kind).toBe("not-connected");
  });

  it("explains missing gas money and an unreachable node", () => {
    expect(explainError(new InsufficientFundsError()).kind).toBe("funds");
    const http = new HttpRequestError({ url: "http://127.0.0.1:8545", body: {} });
    expect(explainError(http)).toMatchObject({ kind: "network", message: expect.stringContaining("http://127.0.0.1:8545") });
  });

  it("falls back to the error's own message", () => {
    expect(explainError(new Error("boom"))).toEqual({ kind: "unknown", title: "Something went wrong", message: "boom" });
    expect(explainError("text")).toMatchObject({ message: "text" });
  });
});
