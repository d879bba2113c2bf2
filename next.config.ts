import type { NextConfig } from "next";

/**
 * Next.js configuration of the PowerLAN app. The RPC URL is NOT baked in at build time: the root
 * layout reads NEXT_PUBLIC_RPC_URL on the server per request and hands it to the client, so the
 * same build serves a node on any port (the browser test relies on this).
 */
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
  // The browser test and `npm start` load the app from 127.0.0.1 as well as localhost.
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  // The browser test builds the app without Next's own type check: `npm test` type-checks the
  // whole project in its own step (tsc --noEmit), so a second pass would only cost time.
  typescript: { ignoreBuildErrors: process.env.POWERLAN_NEXT_SKIP_TYPECHECK === "1" },
};

export default nextConfig;
