"use client";

/** Client-side providers: wagmi (config built once per page load), react-query, notifications. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { WagmiProvider, type State } from "wagmi";
import { ToastProvider } from "@/components/Toasts";
import { getConfig } from "@/lib/wagmi";

export function Providers({ children, initialState, rpcUrl }: { children: ReactNode; initialState?: State; rpcUrl: string }) {
  const [config] = useState(() => getConfig(rpcUrl));
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 1_000, refetchOnWindowFocus: true, retry: 1 },
        },
      }),
  );
  return (
    <WagmiProvider config={config} initialState={initialState}>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>{children}</ToastProvider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}
