/**
 * `npm run test:e2e` — the browser end-to-end tests (test/e2e/**\/*.test.ts) with node's test
 * runner, one file at a time (each starts its own Hardhat node and app). They drive the Debian
 * Chromium (/usr/bin/chromium, or CHROMIUM_PATH) headless through playwright-core.
 * Extra arguments are passed to `node --test` (e.g. `-- --test-name-pattern=trade`).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);

if (args.includes("--help") || args.includes("-h")) {
  console.log(`Usage: npm run test:e2e [-- <node --test options>]

Runs test/e2e/**/*.test.ts with node --test (concurrency 1, spec reporter).
Needs Chromium: /usr/bin/chromium (apt-get install -y chromium) or CHROMIUM_PATH.`);
  process.exit(0);
}

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  console.error(`Chromium not found at ${chromium}. Install it with: sudo apt-get update && sudo apt-get install -y chromium
(or set CHROMIUM_PATH to a Chromium binary). .ci/run installs it automatically.`);
  process.exit(1);
}

const e2eDir = path.join(ROOT, "test", "e2e");
const files = fs.existsSync(e2eDir)
  ? fs
      .readdirSync(e2eDir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".test.ts"))
      .sort()
      .map((f) => path.join("test", "e2e", f))
  : [];
if (files.length === 0) {
  console.log("no browser tests in test/e2e/");
  process.exit(0);
}

const child = spawn(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", ...args, ...files], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, CHROMIUM_PATH: chromium, NEXT_TELEMETRY_DISABLED: "1" },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
