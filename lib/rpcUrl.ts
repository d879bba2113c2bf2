/**
 * The devnet node's RPC URL for this process: NEXT_PUBLIC_RPC_URL, else http://127.0.0.1:8545.
 *
 * Read at call time, on purpose through a computed lookup: Next.js inlines a literal
 * `process.env.NEXT_PUBLIC_…` (and `process.env["NEXT_PUBLIC_…"]`) into the build, which would
 * freeze the URL of whatever node was running at `next build` — one build must serve any node.
 * The server reads it per request and hands it to the client (app/layout.tsx).
 */
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

const RPC_URL_VARIABLE = ["NEXT", "PUBLIC", "RPC", "URL"].join("_");

export function configuredRpcUrl(): string {
  const env: Record<string, string | undefined> = typeof process !== "undefined" ? process.env : {};
  return env[RPC_URL_VARIABLE] || DEFAULT_RPC_URL;
}
