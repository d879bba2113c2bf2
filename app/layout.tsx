import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { cookieToInitialState } from "wagmi";
import { Header } from "@/components/Header";
import { configuredRpcUrl, getConfig } from "@/lib/wagmi";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "PowerLAN — peer-to-peer electricity trading",
  description: "Trade rooftop solar with your neighbours: a double auction per delivery interval on Ethereum smart contracts.",
  icons: { icon: "/icon.svg" },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const rpcUrl = configuredRpcUrl();
  // SSR: render the wallet state the client will hydrate with (wagmi keeps it in a cookie).
  const initialState = cookieToInitialState(getConfig(rpcUrl), (await headers()).get("cookie"));
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <Providers initialState={initialState} rpcUrl={rpcUrl}>
          <Header />
          <main className="mx-auto w-full max-w-7xl px-4 pt-4 pb-16 sm:px-6">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
