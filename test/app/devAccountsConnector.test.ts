import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createConfig, createStorage, http } from "wagmi";
import { connect, disconnect, getConnection, reconnect } from "wagmi/actions";
import type { Address } from "viem";
import { DEV_ACCOUNTS_CONNECTOR_ID, devAccounts } from "../../lib/app/devAccountsConnector.ts";
import { devnetChain } from "../../lib/wagmi.ts";

const RPC = "http://127.0.0.1:1";
const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as Address;

/** What the fake node received: method and params of every JSON-RPC call. */
let calls: { method: string; params: unknown }[];

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

function makeConfig(storage = memoryStorage()) {
  const chain = devnetChain(RPC);
  return createConfig({
    chains: [chain],
    connectors: [devAccounts({ chainId: chain.id, rpcUrl: RPC, accounts: [A, B] })],
    multiInjectedProviderDiscovery: false,
    storage: createStorage({ storage, key: "test" }),
    transports: { [chain.id]: http(RPC) },
  });
}

beforeEach(() => {
  calls = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_url: string, init: { body: string }) => {
      const { id, method, params } = JSON.parse(init.body) as { id: number; method: string; params: unknown };
      calls.push({ method, params });
      const result = method === "eth_chainId" ? "0x7a69" : method === "eth_sendTransaction" ? `0x${"ab".repeat(32)}` : null;
      return new Response(JSON.stringify({ jsonrpc: "2.0", id, result }), { headers: { "content-type": "application/json" } });
    }),
  );
});

afterEach(() => vi.unstubAllGlobals());

describe("devnet account connector", () => {
  it("connects as the chosen dev account on the devnet", async () => {
    const config = makeConfig();
    const connector = config.connectors.find((c) => c.id === DEV_ACCOUNTS_CONNECTOR_ID)!;
    const result = await connect(config, { connector, account: B } as never);
    expect(result.accounts).toEqual([B]);
    expect(result.chainId).toBe(31337);
    expect(getConnection(config)).toMatchObject({ address: B, chainId: 31337, status: "connected" });
  });

  it("switches account without reconnecting, like a wallet's account switch", async () => {
    const config = makeConfig();
    const connector = config.connectors.find((c) => c.id === DEV_ACCOUNTS_CONNECTOR_ID)! as unknown as {
      selectAccount(a: Address): Promise<void>;
    };
    await connect(config, { connector: connector as never, account: A } as never);
    await connector.selectAccount(B);
    expect(getConnection(config).address).toBe(B);
    await expect(connector.selectAccount("0x0000000000000000000000000000000000000001")).rejects.toThrow(/not a devnet account/);
  });

  it("sends transactions from the selected account through the node", async () => {
    const config = makeConfig();
    const connector = config.connectors.find((c) => c.id === DEV_ACCOUNTS_CONNECTOR_ID)!;
    await connect(config, { connector, account: A } as never);
    const provider = (await connector.getProvider()) as { request(a: { method: string; params?: unknown }): Promise<unknown> };
    expect(await provider.request({ method: "eth_accounts" })).toEqual([A]);
    await provider.request({ method: "eth_sendTransaction", params: [{ to: B, value: "0x1" }] });
    expect(calls.find((c) => c.method === "eth_sendTransaction")?.params).toEqual([{ to: B, value: "0x1", from: A }]);
    await provider.request({ method: "personal_sign", params: ["0x68656c6c6f", A] });
    expect(calls.find((c) => c.method === "eth_sign")?.params).toEqual([A, "0x68656c6c6f"]);
    await expect(provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: "0x1" }] })).rejects.toThrow(/only on chain 31337/);
  });

  it("remembers the account across a reload, and forgets it after disconnect", async () => {
    const storage = memoryStorage();
    const first = makeConfig(storage);
    await connect(first, { connector: first.connectors[0], account: B } as never);
    const second = makeConfig(storage); // a page reload: same cookie, new config
    await reconnect(second);
    expect(getConnection(second)).toMatchObject({ address: B, status: "connected" });
    await disconnect(second);
    const third = makeConfig(storage);
    await reconnect(third);
    expect(getConnection(third).status).toBe("disconnected");
  });
});
