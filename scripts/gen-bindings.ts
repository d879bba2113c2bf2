/**
 * Generate the app's typed contract bindings (lib/contracts/) from the Hardhat artifacts and the
 * Ignition deployments.
 *
 *   node scripts/gen-bindings.ts           write lib/contracts/{abis,addresses,index}.ts
 *   node scripts/gen-bindings.ts --check   regenerate in memory; exit 1 if the committed files differ
 *
 * Inputs
 *  - ABIs: every deployable contract (non-empty bytecode) compiled from the five layer folders
 *    contracts/{user,consensus,market,transaction,supervision}/ (artifacts/contracts/…/X.json).
 *  - Addresses: scripts/deploy/deployments/chain-<chainId>/deployed_addresses.json. A chain whose
 *    folder is not on disk keeps the addresses already in lib/contracts/addresses.ts (the devnet's
 *    folder is not committed, but its addresses are deterministic and are).
 * Output is deterministic: contracts sorted by name, chain ids ascending, ABIs in compiler order.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARTIFACTS = path.join(ROOT, "artifacts", "contracts");
const DEPLOYMENTS = path.join(ROOT, "scripts", "deploy", "deployments");
const OUT = path.join(ROOT, "lib", "contracts");

/** Layer folders under contracts/ → the layer's name in the architecture. */
export const LAYER_OF_FOLDER = {
  user: "user",
  consensus: "consensus",
  market: "contract",
  transaction: "transaction",
  supervision: "supervision",
} as const;
type LayerFolder = keyof typeof LAYER_OF_FOLDER;

const BANNER = "// GENERATED — do not edit; run `npm run bindings` (scripts/gen-bindings.ts).\n";

export interface ContractBinding {
  name: string;
  abiName: string;
  layer: string;
  source: string;
  abi: unknown[];
}

export type AddressBook = Record<string, Record<string, string>>;

function usage(): string {
  return `Usage: node scripts/gen-bindings.ts [--check] [--help]

Writes lib/contracts/abis.ts, addresses.ts and index.ts from the Hardhat artifacts
(run \`npx hardhat compile\` first) and scripts/deploy/deployments/chain-*/deployed_addresses.json.

  --check   regenerate in memory and fail (exit 1) if the committed files differ
  --help    this text`;
}

function lowerFirst(name: string): string {
  // EnergyMarket → energyMarket; ERC20Thing → erc20Thing
  const match = /^[A-Z]+(?=[A-Z][a-z]|[0-9]|$)|^[A-Z]/.exec(name);
  return match ? match[0].toLowerCase() + name.slice(match[0].length) : name;
}

function walkJson(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkJson(full));
    else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) out.push(full);
  }
  return out;
}

/** Deployable contracts of the five layers, sorted by name. */
export function readBindings(artifactsDir = ARTIFACTS): ContractBinding[] {
  const bindings: ContractBinding[] = [];
  for (const folder of Object.keys(LAYER_OF_FOLDER) as LayerFolder[]) {
    for (const file of walkJson(path.join(artifactsDir, folder))) {
      const artifact = JSON.parse(fs.readFileSync(file, "utf8")) as {
        contractName?: string;
        sourceName?: string;
        abi?: unknown[];
        bytecode?: string;
      };
      if (!artifact.contractName || !artifact.abi || !artifact.bytecode || artifact.bytecode === "0x") continue;
      // Skip stale artifacts whose source was deleted.
      if (artifact.sourceName && !fs.existsSync(path.join(ROOT, artifact.sourceName))) continue;
      bindings.push({
        name: artifact.contractName,
        abiName: `${lowerFirst(artifact.contractName)}Abi`,
        layer: LAYER_OF_FOLDER[folder],
        source: artifact.sourceName ?? "",
        abi: artifact.abi,
      });
    }
  }
  bindings.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const seen = new Set<string>();
  for (const b of bindings) {
    if (seen.has(b.name)) throw new Error(`two deployable contracts are named ${b.name}; rename one`);
    seen.add(b.name);
  }
  return bindings;
}

/** Addresses per chain id from the Ignition deployment folders named chain-<id>. */
export function readDeployments(contractNames: ReadonlySet<string>, deploymentsDir = DEPLOYMENTS): AddressBook {
  const book: AddressBook = {};
  if (!fs.existsSync(deploymentsDir)) return book;
  for (const entry of fs.readdirSync(deploymentsDir, { withFileTypes: true })) {
    const match = /^chain-(\d+)$/.exec(entry.name);
    if (!entry.isDirectory() || !match) continue;
    const file = path.join(deploymentsDir, entry.name, "deployed_addresses.json");
    if (!fs.existsSync(file)) continue;
    const deployed = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
    const chain: Record<string, string> = {};
    for (const [futureId, address] of Object.entries(deployed)) {
      const name = futureId.includes("#") ? futureId.slice(futureId.indexOf("#") + 1) : futureId;
      if (contractNames.has(name)) chain[name] = address;
    }
    if (Object.keys(chain).length > 0) book[match[1]] = chain;
  }
  return book;
}

/** The address book currently in lib/contracts/addresses.ts (empty if missing or unreadable). */
export async function readCommittedAddresses(outDir = OUT): Promise<AddressBook> {
  const file = path.join(outDir, "addresses.ts");
  if (!fs.existsSync(file)) return {};
  try {
    const mod = (await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as { addresses?: Record<string, Record<string, string>> };
    const book: AddressBook = {};
    for (const [chainId, chain] of Object.entries(mod.addresses ?? {})) book[chainId] = { ...chain };
    return book;
  } catch {
    return {};
  }
}

function sortedBook(book: AddressBook): AddressBook {
  const out: AddressBook = {};
  for (const chainId of Object.keys(book).sort((a, b) => Number(a) - Number(b))) {
    const chain: Record<string, string> = {};
    for (const name of Object.keys(book[chainId]).sort()) chain[name] = book[chainId][name];
    out[chainId] = chain;
  }
  return out;
}

export function renderAbis(bindings: readonly ContractBinding[]): string {
  let text = BANNER;
  text += "// ABIs of the deployable contracts of the five layers, typed `as const` for viem and wagmi.\n";
  for (const b of bindings) {
    text += `\n/** ${b.name} — ${b.layer} layer (${b.source}). */\n`;
    text += `export const ${b.abiName} = ${JSON.stringify(b.abi, null, 2)} as const;\n`;
  }
  return text;
}

export function renderAddresses(bindings: readonly ContractBinding[], book: AddressBook): string {
  const names = bindings.map((b) => b.name);
  let text = BANNER;
  text += "// Deployed addresses per chain id, from scripts/deploy/deployments/chain-<id>/deployed_addresses.json.\n";
  text += "// 31337 is the local devnet (`npm start`): a fresh Hardhat node always gets these addresses.\n";
  text += 'import type { Address } from "viem";\n\n';
  text += `/** Names of the deployable contracts. */\nexport const contractNames = ${JSON.stringify(names)} as const;\n`;
  text += "export type ContractName = (typeof contractNames)[number];\n\n";
  text += "/** chain id → contract name → address. */\n";
  const body = Object.entries(sortedBook(book))
    .map(([chainId, chain]) => {
      const lines = Object.entries(chain).map(([name, address]) => `    ${name}: "${address}",`);
      return `  ${chainId}: {\n${lines.join("\n")}\n  },`;
    })
    .join("\n");
  text += `export const addresses = {\n${body}${body ? "\n" : ""}} as const satisfies Record<number, Partial<Record<ContractName, Address>>>;\n`;
  return text;
}

export function renderIndex(bindings: readonly ContractBinding[]): string {
  let text = BANNER;
  text += `import type { Address } from "viem";\n`;
  text += `import { ${bindings.map((b) => b.abiName).join(", ")} } from "./abis.ts";\n`;
  text += `import { addresses, type ContractName } from "./addresses.ts";\n\n`;
  text += `export * from "./abis.ts";\nexport * from "./addresses.ts";\n\n`;
  text += `export type Layer = "user" | "consensus" | "contract" | "transaction" | "supervision";\n\n`;
  text += "/** Every deployable contract: its ABI, its layer and its source file. */\n";
  text += "export const contracts = {\n";
  for (const b of bindings) {
    text += `  ${b.name}: { abi: ${b.abiName}, layer: "${b.layer}", source: "${b.source}" },\n`;
  }
  text += "} as const satisfies Record<ContractName, { abi: readonly unknown[]; layer: Layer; source: string }>;\n\n";
  text += `/** The chain ids with a known deployment. */
export const deployedChainIds: readonly number[] = Object.keys(addresses).map(Number);

/** The address of \`name\` on \`chainId\`, or undefined if it is not deployed there. */
export function contractAddress(chainId: number, name: ContractName): Address | undefined {
  const chain = (addresses as Record<number, Partial<Record<ContractName, Address>>>)[chainId];
  return chain?.[name];
}
`;
  return text;
}

export async function generate(): Promise<Record<string, string>> {
  const bindings = readBindings();
  if (bindings.length === 0) throw new Error("no artifacts under artifacts/contracts/ — run `npx hardhat compile` first");
  const names = new Set(bindings.map((b) => b.name));
  const committed = await readCommittedAddresses();
  const fromDisk = readDeployments(names);
  const book: AddressBook = {};
  for (const [chainId, chain] of Object.entries(committed)) {
    const kept: Record<string, string> = {};
    for (const [name, address] of Object.entries(chain)) if (names.has(name)) kept[name] = address;
    if (Object.keys(kept).length > 0) book[chainId] = kept;
  }
  Object.assign(book, fromDisk);
  return {
    "abis.ts": renderAbis(bindings),
    "addresses.ts": renderAddresses(bindings, book),
    "index.ts": renderIndex(bindings),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage());
    return 0;
  }
  const unknown = argv.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    console.error(`gen-bindings: unknown argument ${unknown[0]}\n\n${usage()}`);
    return 2;
  }
  const files = await generate();
  const rel = (f: string): string => path.relative(ROOT, path.join(OUT, f));
  if (argv.includes("--check")) {
    const stale = Object.entries(files).filter(([name, text]) => {
      const file = path.join(OUT, name);
      return !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text;
    });
    if (stale.length > 0) {
      console.error(`bindings are stale: ${stale.map(([n]) => rel(n)).join(", ")}`);
      console.error("run `npm run bindings` and commit lib/contracts/");
      return 1;
    }
    console.log(`bindings are fresh (${Object.keys(files).map(rel).join(", ")})`);
    return 0;
  }
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(OUT, name);
    const changed = !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text;
    if (changed) fs.writeFileSync(file, text);
    console.log(`${changed ? "wrote    " : "unchanged"} ${rel(name)}`);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`gen-bindings: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
