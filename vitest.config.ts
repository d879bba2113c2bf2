import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * App unit tests only (test/app/**, happy-dom). Hardhat's node:test runner owns test/contracts/**
 * and the browser test owns test/e2e/**; each runner is scoped to its own folder.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/app/**/*.test.{ts,tsx}"],
    environment: "happy-dom",
    restoreMocks: true,
    // A few tests spawn scripts (e.g. meter-sim --help) on Node 22; on a busy 2-core CI machine a
    // cold start can take several seconds, so the default 5 s is too tight to be a fair limit.
    testTimeout: 30_000,
  },
});
