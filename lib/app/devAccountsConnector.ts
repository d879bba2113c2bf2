/**
 * A wagmi connector for the LOCAL DEVNET ONLY: "sign in" as one of Hardhat's public dev accounts
 * without a browser extension. The Hardhat node keeps those accounts unlocked and signs
 * `eth_sendTransaction` / `eth_signTypedData_v4` for them itself, so this connector just forwards
 * JSON-RPC to the node with the chosen account as `from`. Which account is chosen is remembered in
 * wagmi's storage (a cookie), so a reload keeps it.
 *
 * Never use it against a real network: the accounts' keys are public (see lib/devnet/accounts.ts).
 */
import { createConnector } from "wagmi";
import {
  getAddress,
  numberToHex,
  RpcRequestError,
  SwitchChainError,
  type Address,
  type EIP1193Provider,
} from "viem";

export const DEV_ACCOUNTS_CONNECTOR_ID = "powerlanDevAccounts";

export interface DevAccountsParameters {
  /** The chain the dev accounts live on (the local devnet). */
  chainId: number;
  /** The node's JSON-RPC URL. */
  rpcUrl: string;
  /** Selectable accounts (Hardhat's unlocked dev accounts). The first is the default. */
  accounts: readonly Address[];
}

type StorageItems = {
  "powerlanDevAccounts.selected": Address;
  "powerlanDevAccounts.connected": boolean;
};

type Properties = {
  /** Make `account` the connected account (emits a change, like a wallet's account switch). */
  selectAccount(account: Address): Promise<void>;
  /** The account currently selected (also when disconnected: the last one). */
  selectedAccount(): Address;
  connect<withCapabilities extends boolean = false>(parameters?: {
    chainId?: number | undefined;
    isReconnecting?: boolean | undefined;
    withCapabilities?: withCapabilities | boolean | undefined;
    /** The dev account to connect as. */
    account?: Address | undefined;
  }): Promise<{
    accounts: withCapabilities extends true
      ? readonly { address: Address; capabilities: Record<string, unknown> }[]
      : readonly Address[];
    chainId: number;
  }>;
};

let rpcId = 0;

async function rpc(url: string, method: string, params: unknown): Promise<unknown> {
  const body = { jsonrpc: "2.0", id: ++rpcId, method, params: params ?? [] };
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  if (json.error) throw new RpcRequestError({ body, error: json.error, url });
  return json.result;
}

devAccounts.type = "devAccounts" as const;

/** The dev-account connector (see the module comment). */
export function devAccounts(parameters: DevAccountsParameters) {
  const known = parameters.accounts.map((a) => getAddress(a));
  let selected: Address = known[0];
  let connected = false;
  let provider: EIP1193Provider | undefined;

  return createConnector<EIP1193Provider, Properties, StorageItems>((config) => {
    async function loadSelection(): Promise<void> {
      const stored = await config.storage?.getItem("powerlanDevAccounts.selected");
      if (stored && known.some((a) => a === getAddress(stored))) selected = getAddress(stored);
    }

    return {
      id: DEV_ACCOUNTS_CONNECTOR_ID,
      name: "Devnet accounts",
      type: devAccounts.type,

      async setup() {
        await loadSelection();
      },

      async connect(options: { chainId?: number; isReconnecting?: boolean; withCapabilities?: boolean; account?: Address } = {}) {
        const { chainId, isReconnecting, withCapabilities, account } = options;
        if (account) {
          const wanted = getAddress(account);
          if (!known.includes(wanted)) throw new Error(`${wanted} is not a devnet account`);
          selected = wanted;
          await config.storage?.setItem("powerlanDevAccounts.selected", selected);
        } else if (isReconnecting) {
          await loadSelection();
        }
        if (chainId !== undefined && chainId !== parameters.chainId) {
          throw new SwitchChainError(new Error(`Devnet accounts exist only on chain ${parameters.chainId}`));
        }
        // Fails (and so the connection fails) when the node is down.
        await rpc(parameters.rpcUrl, "eth_chainId", []);
        connected = true;
        await config.storage?.setItem("powerlanDevAccounts.connected", true);
        return {
          accounts: (withCapabilities ? [{ address: selected, capabilities: {} }] : [selected]) as never,
          chainId: parameters.chainId,
        };
      },

      async disconnect() {
        connected = false;
        await config.storage?.removeItem("powerlanDevAccounts.connected");
      },

      async getAccounts() {
        return [selected];
      },

      async getChainId() {
        return parameters.chainId;
      },

      async isAuthorized() {
        return Boolean(await config.storage?.getItem("powerlanDevAccounts.connected"));
      },

      async switchChain({ chainId }) {
        const chain = config.chains.find((c) => c.id === chainId);
        if (!chain || chainId !== parameters.chainId) {
          throw new SwitchChainError(new Error(`Devnet accounts exist only on chain ${parameters.chainId}`));
        }
        return chain;
      },

      async getProvider() {
        if (provider) return provider;
        const request = async ({ method, params }: { method: string; params?: unknown }): Promise<unknown> => {
          switch (method) {
            case "eth_accounts":
              return connected ? [selected] : [];
            case "eth_requestAccounts":
              return [selected];
            case "eth_chainId":
              return numberToHex(parameters.chainId);
            case "wallet_switchEthereumChain": {
              const [{ chainId }] = params as [{ chainId: `0x${string}` }];
              if (Number(chainId) !== parameters.chainId) {
                throw new SwitchChainError(new Error(`Devnet accounts exist only on chain ${parameters.chainId}`));
              }
              return null;
            }
            case "eth_sendTransaction": {
              const [tx] = params as [Record<string, unknown>];
              return rpc(parameters.rpcUrl, method, [{ ...tx, from: tx.from ?? selected }]);
            }
            case "personal_sign": {
              // The node implements eth_sign(address, data); personal_sign is (data, address).
              const [data, address] = params as [string, string];
              return rpc(parameters.rpcUrl, "eth_sign", [address, data]);
            }
            default:
              return rpc(parameters.rpcUrl, method, params);
          }
        };
        provider = { request, on: () => undefined, removeListener: () => undefined } as unknown as EIP1193Provider;
        return provider;
      },

      async selectAccount(account: Address) {
        const wanted = getAddress(account);
        if (!known.includes(wanted)) throw new Error(`${wanted} is not a devnet account`);
        selected = wanted;
        await config.storage?.setItem("powerlanDevAccounts.selected", selected);
        if (connected) config.emitter.emit("change", { accounts: [selected] });
      },

      selectedAccount() {
        return selected;
      },

      onAccountsChanged(accounts) {
        if (accounts.length === 0) this.onDisconnect();
        else config.emitter.emit("change", { accounts: accounts.map((a) => getAddress(a)) });
      },

      onChainChanged(chain) {
        config.emitter.emit("change", { chainId: Number(chain) });
      },

      async onDisconnect() {
        connected = false;
        config.emitter.emit("disconnect");
      },
    };
  });
}
