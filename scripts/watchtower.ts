/**
 * PowerLAN watchtower: answers stale unilateral channel closes with the newest delegated
 * both-signed state, within the challenge period. See lib/channels/watchtower.ts.
 *
 *   node scripts/watchtower.ts --contract 0x… --store .powerlan/channels/household-1 [--store …]
 *   node scripts/watchtower.ts --help
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, createWalletClient, http, isAddress, type Account, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { contractAddress } from "../lib/contracts/index.ts";
import { jsonLog, Watchtower } from "../lib/channels/watchtower.ts";

const USAGE = `Usage: node scripts/watchtower.ts [options]

Watches PaymentChannels for ChannelClosed/ChannelChallenged events (from a durable cursor) and,
within each challenge period, submits the newest both-signed state found in the delegated channel
stores; then unlocks pending locks that pay the delegating party when it knows their secret.
Restart-safe (state file written atomically), idempotent, stops cleanly on SIGINT/SIGTERM.
Logs are JSON lines (info on stdout, warnings/errors on stderr).

Options
  --rpc URL           JSON-RPC endpoint (default http://127.0.0.1:8545)
  --contract ADDRESS  PaymentChannels address (default: the deployment known for the chain)
  --store DIR         a delegated channel store directory (JsonFileStore); repeatable, required
  --state FILE        watchtower state file (default .powerlan/watchtower/<chainId>-<contract>.json)
  --from ADDRESS      submit from this node-unlocked account (devnet); otherwise the private key in
                      the environment variable POWERLAN_WATCHTOWER_KEY is used
  --from-block N      first block to scan on the very first run (default: head − 10,000)
  --poll-ms N         poll interval in milliseconds (default 1000)
  --once              poll once and exit (cron style)
  --help              this text`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string", default: "http://127.0.0.1:8545" },
      contract: { type: "string" },
      store: { type: "string", multiple: true, default: [] },
      state: { type: "string" },
      from: { type: "string" },
      "from-block": { type: "string" },
      "poll-ms": { type: "string", default: "1000" },
      once: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.store.length === 0) {
    console.error("error: at least one --store DIR is needed\n");
    console.error(USAGE);
    return 2;
  }
  const transport = http(values.rpc);
  const publicClient = createPublicClient({ transport });
  const chainId = await publicClient.getChainId();
  const contract = (values.contract ?? contractAddress(chainId, "PaymentChannels")) as Address | undefined;
  if (!contract || !isAddress(contract)) {
    console.error(`error: no PaymentChannels address for chain ${chainId}: pass --contract`);
    return 2;
  }
  let account: Account | Address;
  if (values.from) {
    if (!isAddress(values.from)) throw new Error(`--from ${values.from} is not an address`);
    account = values.from;
  } else if (process.env.POWERLAN_WATCHTOWER_KEY) {
    account = privateKeyToAccount(process.env.POWERLAN_WATCHTOWER_KEY as Hex);
  } else {
    console.error("error: pass --from ADDRESS (devnet) or set POWERLAN_WATCHTOWER_KEY");
    return 2;
  }
  const chain = { id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [values.rpc] } } };
  const walletClient = createWalletClient({ transport, chain, account: typeof account === "string" ? undefined : account });
  const stateFile =
    values.state ?? path.join(".powerlan", "watchtower", `${chainId}-${contract.toLowerCase()}.json`);
  const tower = new Watchtower({
    publicClient: publicClient as never,
    walletClient: walletClient as never,
    account,
    contract,
    chainId,
    storeDirs: values.store,
    stateFile,
    fromBlock: values["from-block"] !== undefined ? BigInt(values["from-block"]) : undefined,
    log: jsonLog,
  });
  if (values.once) {
    await tower.pollOnce();
    jsonLog("info", "poll done", { cursor: tower.state.cursor, stats: tower.state.stats });
    return 0;
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      jsonLog("info", "stopping", { signal });
      tower.stop();
    });
  }
  await tower.run(Number(values["poll-ms"]));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    jsonLog("error", "watchtower crashed", { error: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  },
);
