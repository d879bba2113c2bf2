/**
 * The LAN hub service inside the app's server (Node only; used by app/channels/hub/route.ts).
 *
 * Who the hub is: on the local devnet (chain id 31337) the aggregator's dev account (lib/devnet/
 * accounts.ts — Hardhat's PUBLIC key, devnet only). On any other network the hub's key must come
 * from the environment (POWERLAN_HUB_KEY), else there is no hub and the app says so. The hub runs
 * as its own party: it keeps its own channel states (JsonFileStore under
 * .powerlan/hub/<chainId>-<contract>-<genesis>/, or POWERLAN_HUB_DIR), signs with its own key and
 * sends its own transactions; households reach it with messages only.
 *
 * One service per chain (kept on globalThis so a dev-server reload does not open the stores twice);
 * a node restarted under the same URL has a new genesis block, which gets a fresh service and
 * state directory.
 */
import path from "node:path";
import { createPublicClient, createWalletClient, defineChain, http, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { contractAddress } from "../contracts/index.ts";
import { DEVNET_CAST } from "../devnet/accounts.ts";
import { configuredRpcUrl } from "../rpcUrl.ts";
import { ChannelClient, privateKeySigner, recordIsNewer, type ChannelRecord } from "./client.ts";
import { HubError } from "./hubProtocol.ts";
import { HubService, hubEntryIsNewer, viemHubChain, type HubEntry } from "./hubService.ts";
import { JsonFileStore } from "./store.ts";

const DEVNET_CHAIN_ID = 31337;
const PLC = 1_000_000n;
const GENESIS_RECHECK_MS = 5_000;

interface Running {
  genesis: Hex;
  checkedAt: number;
  service: HubService;
  close(): void;
}

type Registry = Map<string, Promise<Running>>;
const registry: Registry = ((globalThis as { __powerlanHubs?: Registry }).__powerlanHubs ??= new Map());


async function start(rpcUrl: string): Promise<Running> {
  const publicClient = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (error) {
    throw new HubError("hub-no-node", `The hub cannot reach the node at ${rpcUrl} (${error instanceof Error ? error.message.split("\n")[0] : String(error)}).`, 503);
  }
  const contract = (process.env["POWERLAN_CHANNELS_ADDRESS"] as Address | undefined) ?? contractAddress(chainId, "PaymentChannels");
  if (!contract) throw new HubError("hub-not-configured", `No PaymentChannels contract is known on chain ${chainId}.`, 503);
  const code = await publicClient.getCode({ address: contract });
  if (!code || code === "0x") throw new HubError("hub-not-deployed", `PaymentChannels is not deployed at ${contract} on this node (start the devnet with npm start).`, 503);
  const key = (process.env["POWERLAN_HUB_KEY"] as Hex | undefined) ?? (chainId === DEVNET_CHAIN_ID ? DEVNET_CAST.aggregator.privateKey : undefined);
  if (!key) throw new HubError("hub-not-configured", `No hub runs for chain ${chainId} (set POWERLAN_HUB_KEY for the hub's account).`, 503);
  const genesis = (await publicClient.getBlock({ blockNumber: 0n })).hash;
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const account = privateKeyToAccount(key);
  const walletClient = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const base = process.env["POWERLAN_HUB_DIR"] ?? path.join(process.cwd(), ".powerlan", "hub");
  const dir = path.join(base, `${chainId}-${contract.toLowerCase()}-${genesis.slice(2, 14)}`);
  const channels = new JsonFileStore<ChannelRecord>({ dir, name: "channels", isNewer: recordIsNewer });
  const store = new JsonFileStore<HubEntry>({ dir, name: "hub", isNewer: hubEntryIsNewer });
  const client = new ChannelClient({ signer: privateKeySigner(key), chainId, contract, store: channels, publicClient });
  const devnet = chainId === DEVNET_CHAIN_ID;
  const service = new HubService({
    client,
    chain: viemHubChain({ publicClient, walletClient, contract }),
    store,
    name: devnet ? `${DEVNET_CAST.aggregator.name} (LAN hub)` : "LAN hub",
    feeWei: BigInt(process.env["POWERLAN_HUB_FEE_WEI"] ?? "0"),
    hopBlocks: devnet ? 20n : 300n,
    // Devnet blocks come one per transaction: a short period; elsewhere about a day of 12 s blocks.
    challengePeriodBlocks: BigInt(process.env["POWERLAN_HUB_CHALLENGE_BLOCKS"] ?? (devnet ? "40" : "7200")),
    liquidityCapWei: BigInt(process.env["POWERLAN_HUB_LIQUIDITY_WEI"] ?? (100n * PLC).toString()),
  });
  console.log(`[hub] ${account.address} serves PaymentChannels ${contract} on chain ${chainId}; state in ${dir}`);
  return {
    genesis,
    checkedAt: Date.now(),
    service,
    close() {
      channels.close();
      store.close();
    },
  };
}

/** The hub service for the app's node (started on first use). */
export async function hubService(): Promise<HubService> {
  const rpcUrl = configuredRpcUrl(); // the node the app talks to, read per request
  let pending = registry.get(rpcUrl);
  if (!pending) {
    pending = start(rpcUrl);
    registry.set(rpcUrl, pending);
    pending.catch(() => registry.delete(rpcUrl)); // retry on the next request
  }
  const running = await pending;
  if (Date.now() - running.checkedAt > GENESIS_RECHECK_MS) {
    running.checkedAt = Date.now();
    const publicClient = createPublicClient({ transport: http(rpcUrl) });
    const genesis = await publicClient.getBlock({ blockNumber: 0n }).then(
      (b) => b.hash,
      () => running.genesis, // node briefly away: keep serving what we have
    );
    if (genesis !== running.genesis) {
      // A new chain under the same URL (devnet restarted): a fresh hub with fresh state.
      registry.delete(rpcUrl);
      running.close();
      return hubService();
    }
  }
  return running.service;
}
