"use client";

/**
 * Runs the household's delivery streams while a page that uses it is open: every few seconds the
 * DeliveryStreamer (lib/channels/deliveryStream.ts) checks its channel-paid takes and pays the
 * sellers through the hub what the energy metered so far is worth (one payment per metered
 * minute). The streamed totals live in localStorage next to the household's channel states (per
 * chain genesis, market and account), and a Web Lock keeps two tabs from streaming at once.
 * The export register is the devnet's simulated meters; on other networks there is none yet, so
 * takes show "not metered" and nothing is paid.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import type { Address, PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import { devnetExportRegister, viemDeliveryMarket } from "@/lib/app/deliveryMarket";
import { DeliveryStreamer, type TakeStream } from "@/lib/channels/deliveryStream";
import { HubError, httpHubTransport } from "@/lib/channels/hubProtocol";
import type { Deployment } from "@/lib/hooks/useDeployment";
import { accountName } from "@/lib/app/names";
import { explainChannelError } from "./channelErrors";
import { HUB_URL, webLock, type HouseholdHubState } from "./useHouseholdHub";

/** How often the stream looks (payments happen at whole metered minutes). */
export const STREAM_TICK_MS = 5_000;

export interface DeliveryStreamsState {
  streams?: TakeStream[];
  /** Why the last round failed (chain or hub not reachable), in words. */
  error: string | null;
  /** Whether streaming can run (channel client, market and hub are there). */
  running: boolean;
  loading: boolean;
}

export function useDeliveryStreams(d: Deployment, me: Address | undefined, state: HouseholdHubState): DeliveryStreamsState {
  const publicClient = usePublicClient({ chainId: d.chainId }) as PublicClient | undefined;
  // How far the chain's clock is ahead of the wall clock (tests move the devnet's time forward),
  // read once per round: chain now = wall clock + that (no re-render every second).
  const aheadRef = useRef(0);
  const [streams, setStreams] = useState<TakeStream[] | undefined>();
  const [error, setError] = useState<string | null>(null);
  const { hub, namespace, info } = state;
  const market = d.market;
  const registry = d.registry;

  const streamer = useMemo(() => {
    if (!hub || !namespace || !info || !market || !registry || !publicClient || !me || typeof localStorage === "undefined") return undefined;
    if (hub.address.toLowerCase() !== me.toLowerCase()) return undefined;
    const transport = httpHubTransport(HUB_URL);
    const noRegister = async () => null;
    return new DeliveryStreamer({
      buyer: me,
      hub,
      paymentStatus: async (id) => {
        try {
          const p = await transport.query({ action: "payment", id });
          return { status: p.status, error: p.error };
        } catch (e) {
          if (e instanceof HubError && e.code === "unknown-payment") return null;
          throw e;
        }
      },
      market: viemDeliveryMarket(publicClient, market),
      exportedWhSoFar: d.isDevnet ? devnetExportRegister(publicClient, market, registry) : noRegister,
      memory: localStorage,
      memoryKey: `powerlan.streams.${namespace}.${market.toLowerCase()}.${me.toLowerCase()}`,
      nowSeconds: () => Math.floor(Date.now() / 1000) + aheadRef.current,
      feeWei: BigInt(info.feeWei),
      lock: webLock(`powerlan-streams-${namespace}-${me.toLowerCase()}`),
      explain: (e, seller) => explainChannelError(e, { account: me, nameOf: accountName, payee: seller }).message,
    });
  }, [hub, namespace, info, market, registry, publicClient, me, d.isDevnet]);

  useEffect(() => {
    setStreams(undefined);
    setError(null);
    if (!streamer) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const block = await publicClient!.getBlock();
        aheadRef.current = Math.max(0, Number(block.timestamp) - Math.floor(Date.now() / 1000));
        const views = await streamer.tick();
        if (stopped) return;
        setStreams(views);
        setError(null);
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message.split("\n")[0] : String(e));
      } finally {
        if (!stopped) timer = setTimeout(tick, STREAM_TICK_MS);
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [streamer, publicClient]);

  return { streams, error, running: Boolean(streamer), loading: Boolean(streamer) && streams === undefined && error === null };
}
