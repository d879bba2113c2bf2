import { createRequire } from "node:module";
import path from "node:path";
import { defineConfig } from "hardhat/config";
import hardhatToolboxViemPlugin from "@nomicfoundation/hardhat-toolbox-viem";

const require = createRequire(import.meta.url);

/**
 * The compiler comes from the npm `solc` package (same version as `SOLC_VERSION`), so no
 * download from the internet is needed: Hardhat runs the WASM build at this path.
 */
const SOLC_VERSION = "0.8.28";
const solcJsPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");

/** Any EVM network: set POWERLAN_RPC_URL and POWERLAN_DEPLOYER_KEY (never commit keys). */
const externalRpcUrl = process.env.POWERLAN_RPC_URL;
const externalDeployerKey = process.env.POWERLAN_DEPLOYER_KEY;

export default defineConfig({
  plugins: [hardhatToolboxViemPlugin],
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: solcJsPath,
        settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun" },
      },
      production: {
        version: SOLC_VERSION,
        path: solcJsPath,
        settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun" },
      },
    },
  },
  paths: {
    tests: { nodejs: "test/contracts", solidity: "test/contracts" },
    ignition: "scripts/deploy",
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    ...(externalRpcUrl
      ? {
          external: {
            type: "http" as const,
            chainType: "l1" as const,
            url: externalRpcUrl,
            accounts: externalDeployerKey ? [externalDeployerKey] : [],
          },
        }
      : {}),
  },
});
