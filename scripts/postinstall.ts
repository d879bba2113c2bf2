/**
 * Root postinstall: makes sure Hardhat's EVM (EDR) has its native platform package.
 *
 * npm running on the system Node 20 skips `@nomicfoundation/edr-<platform>` because that
 * package declares `engines: node >= 22`. This script runs on the pinned Node 22 (npm puts
 * node_modules/.bin first on PATH), so if EDR cannot load we run `npm install --ignore-scripts`
 * once more — now on Node 22 — and the platform package installs. The lockfile is unchanged.
 */
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";

const require = createRequire(import.meta.url);

function edrLoads(): boolean {
  try {
    require("@nomicfoundation/edr");
    return true;
  } catch {
    return false;
  }
}

if (process.env.POWERLAN_POSTINSTALL_NESTED === "1") process.exit(0);

if (edrLoads()) {
  console.log(`[postinstall] Hardhat EDR loads on Node ${process.version}: ok`);
  process.exit(0);
}

console.log(`[postinstall] Hardhat EDR platform package missing (npm ran on an older Node); reinstalling on Node ${process.version} …`);
const result = spawnSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund"], {
  stdio: "inherit",
  env: { ...process.env, POWERLAN_POSTINSTALL_NESTED: "1" },
});
if (result.status !== 0 || !edrLoads()) {
  console.error("[postinstall] could not install @nomicfoundation/edr's platform package. Run `npm install` again, or use Node >= 22.13.");
  process.exit(1);
}
console.log("[postinstall] Hardhat EDR platform package installed: ok");
