/**
 * The app's wagmi configuration: chains, transports and wallet connectors.
 *
 * - Chains: the local devnet (chain id 31337, "PowerLAN devnet"). Its RPC URL comes from
 *   NEXT_PUBLIC_RPC_URL (read by the server at request time and handed to the client, so one
 *   build serves any node), default http://127.0.0.1:8545. Another EVM network is one more entry
 *   in `appChains` (e.g. `sepolia` from "viem/chains") plus its addresses in lib/contracts.
 * - Connectors: `injected()` with EIP-6963 discovery (MetaMask or any injected wallet shows up
 *   under its own name), and on the devnet the dev-account picker (lib/app/devAccountsConnector.ts:
 *   Hardhat's public, unlocked accounts — no extension needed).
 * - SSR: cookie storage, so the server renders the connected state the client will hydrate with.
 */
import { cookieStorage, createConfig, createStorage, http, injected } from "wagmi";
import { defineChain, type Chain } from "viem";
import { DEV_ACCOUNTS } from "./devnet/accounts.ts";
import { devAccounts } from "./app/devAccountsConnector.ts";
import { DEFAULT_RPC_URL } from "./rpcUrl.ts";

export const DEVNET_CHAIN_ID = 31337;
export { configuredRpcUrl, DEFAULT_RPC_URL } from "./rpcUrl.ts";

/** The local Hardhat devnet. */
export function devnetChain(rpcUrl: string = DEFAULT_RPC_URL) {
  return defineChain({
    id: DEVNET_CHAIN_ID,
    name: "PowerLAN devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    testnet: true,
  });
}


export function getConfig(rpcUrl: string = DEFAULT_RPC_URL) {
  const devnet = devnetChain(rpcUrl);
  // The app's chains; the first is the one the app reads from and asks wallets to switch to.
  const appChains = [devnet] as const satisfies readonly [Chain, ...Chain[]];
  return createConfig({
    chains: appChains,
    connectors: [
      injected(),
      devAccounts({
        chainId: devnet.id,
        rpcUrl,
        accounts: DEV_ACCOUNTS.map((a) => a.address),
      }),
    ],
    multiInjectedProviderDiscovery: true,
    ssr: true,
    storage: createStorage({ storage: cookieStorage, key: "powerlan" }),
    transports: { [devnet.id]: http(rpcUrl, { batch: true }) },
    // The devnet mines a block per transaction; poll reads every 2 s.
    pollingInterval: 2_000,
  });
}

export type AppConfig = ReturnType<typeof getConfig>;
/** Chain ids the app is configured for. */
export type AppChainId = AppConfig["chains"][number]["id"];

declare module "wagmi" {
  interface Register {
    config: AppConfig;
  }
}
