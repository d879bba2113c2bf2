"use client";

/**
 * A household's payment channels with the LAN hub, in the browser: its ChannelClient (signer: the
 * connected wallet — on the devnet the node signs for the dev accounts; states in localStorage,
 * per chain and account), the HouseholdHub that talks to the hub service (app/channels/hub), a loop
 * that answers the hub's inbox every 1.5 s while a page with channels is open (that is how a
 * household receives payments), and the on-chain state of its channels.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Address, Hex, PublicClient } from "viem";
import { usePublicClient, useReadContracts, useWalletClient } from "wagmi";
import { useToasts } from "@/components/Toasts";
import { displayName } from "@/lib/app/names";
import { LocalStorageChannelStore } from "@/lib/channels/browserStore";
import { CHANNEL_STATUS, ChannelClient, walletClientSigner, type ChannelBalances, type ChannelRecord } from "@/lib/channels/client";
import { HouseholdHub, type HouseholdEvent } from "@/lib/channels/householdHub";
import { httpHubTransport, type HubInfo, type HubPaymentView } from "@/lib/channels/hubProtocol";
import type { OnChainChannel as HubOnChainChannel } from "@/lib/channels/hubService";
import { serialLock, type SerialLock } from "@/lib/channels/serialLock";
import { paymentChannelsAbi } from "@/lib/contracts";
import { formatPLC } from "@/lib/format";
import type { Deployment } from "@/lib/hooks/useDeployment";
import { explainChannelError } from "./channelErrors";

export const HUB_URL = "/channels/hub";
const STEP_MS = 1_500;

export const CHANNEL_STATUS_NAME = ["not opened", "open", "closing", "settled"] as const;

/** What the page shows of a channel on chain: the hub's view plus the challenge deadline and nonce. */
export interface OnChainChannel extends HubOnChainChannel {
  challengeDeadlineBlock: bigint;
  nonce: bigint;
}

export interface HouseholdChannel {
  id: bigint;
  record: ChannelRecord;
  /** Off-chain view from my latest both-signed state. */
  balances: ChannelBalances;
  chain?: OnChainChannel;
  iAmA: boolean;
}

export interface HouseholdHubState {
  hub?: HouseholdHub;
  /** This chain's storage namespace (its genesis block hash, shortened): local states are kept per chain. */
  namespace?: string;
  info?: HubInfo;
  /** Why the hub service cannot be used (not reachable, no hub on this network). */
  infoError: { title: string; message: string } | null;
  /** Why the last inbox round failed (shown inline, not as a toast every 1.5 s). */
  stepError: { title: string; message: string } | null;
  payments: HubPaymentView[];
  channels: HouseholdChannel[];
  /** The newest open channel with the hub. */
  current?: HouseholdChannel;
  loading: boolean;
  /** Re-read local records and on-chain channels now. */
  refresh(): void;
}

/** Serialise this account's channel work across tabs (Web Locks), or in-page when unsupported. */
export function webLock(name: string): SerialLock {
  const inPage = serialLock();
  return <T,>(fn: () => Promise<T>): Promise<T> => {
    const locks = typeof navigator !== "undefined" ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
    if (locks) return locks.request(name, fn) as Promise<T>;
    return inPage(fn);
  };
}

function describeEvent(e: HouseholdEvent, payments: HubPaymentView[]): { title: string; message: string } | null {
  const payment = "paymentId" in e && e.paymentId ? payments.find((p) => p.id === e.paymentId) : undefined;
  switch (e.type) {
    case "received":
      if (e.amountWei === 0n) return null;
      return {
        title: "Payment received",
        message: `${payment ? displayName(payment.payer) : "The hub"} paid you ${formatPLC(e.amountWei)} through the hub (channel #${e.channelId}).`,
      };
    case "paid":
      return { title: "Payment sent", message: `${formatPLC(e.amountWei)} reached ${displayName(e.payee)} through the hub.` };
    case "restored":
      return { title: "Channel restored", message: `Channel #${e.channelId}: restored the latest both-signed state (number ${e.nonce}) from the hub.` };
    default:
      return null;
  }
}

export function useHouseholdHub(d: Deployment, me?: Address): HouseholdHubState {
  const contract = d.address("PaymentChannels");
  const publicClient = usePublicClient({ chainId: d.chainId }) as PublicClient | undefined;
  const { data: walletClient } = useWalletClient({ chainId: d.chainId });
  const toasts = useToasts();
  const queryClient = useQueryClient();
  const transport = useMemo(() => httpHubTransport(HUB_URL), []);
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const [payments, setPayments] = useState<HubPaymentView[]>([]);
  const [stepError, setStepError] = useState<{ title: string; message: string } | null>(null);

  // Which chain this is: a restarted devnet has the same id and addresses but a new genesis block,
  // so local channel states are kept per genesis block.
  const genesis = useQuery({
    queryKey: ["genesis-block", d.chainId],
    queryFn: async () => (await publicClient!.getBlock({ blockNumber: 0n })).hash as Hex,
    enabled: Boolean(publicClient),
    staleTime: 60_000,
  });
  const info = useQuery({
    queryKey: ["channel-hub-info", d.chainId],
    queryFn: () => transport.query({ action: "info" }),
    retry: false,
    refetchInterval: 15_000,
  });

  const walletAddress = walletClient?.account?.address;
  const hub = useMemo(() => {
    if (!me || !contract || !publicClient || !walletClient || !genesis.data || typeof localStorage === "undefined") return undefined;
    if (walletAddress && walletAddress.toLowerCase() !== me.toLowerCase()) return undefined; // wallet switching accounts
    const namespace = genesis.data.slice(2, 14);
    const client = new ChannelClient({
      signer: walletClientSigner(walletClient, me),
      chainId: d.chainId,
      contract,
      store: new LocalStorageChannelStore(localStorage, namespace),
      publicClient,
    });
    return new HouseholdHub({
      client,
      transport,
      currentBlock: () => publicClient.getBlockNumber({ cacheTime: 0 }),
      memory: localStorage,
      memoryKey: `powerlan.hub.${namespace}.`,
      lock: webLock(`powerlan-channels-${namespace}-${me.toLowerCase()}`),
    });
    // walletClient changes identity on every refetch; its account is what matters.
  }, [me, contract, publicClient, walletAddress, Boolean(walletClient), genesis.data, d.chainId, transport]);

  // Channels this browser does not know yet (another browser opened them, or storage was cleared):
  // the hub lists them; take the deposits from the chain and the latest both-signed state from the hub.
  useEffect(() => {
    if (!hub || !info.data) return;
    let cancelled = false;
    (async () => {
      try {
        const views = await hub.channels();
        let changed = false;
        for (const view of views) {
          const id = BigInt(view.channelId);
          if (!hub.client.channels().some((r) => r.channelId === view.channelId)) {
            await hub.client.sync(id);
            changed = true;
          }
          if (view.latest && (await hub.client.adopt(id, view.latest))) changed = true;
        }
        if (changed && !cancelled) bump();
      } catch {
        // The inbox loop reports an unreachable hub.
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [hub, info.data, bump]);

  // The inbox loop: answer invoices, countersign the hub's updates, finish my payments.
  useEffect(() => {
    if (!hub || !info.data) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const { events, inbox } = await hub.step();
        if (stopped) return;
        setPayments(inbox.payments);
        const failure = events.find((e): e is Extract<HouseholdEvent, { type: "error" }> => e.type === "error");
        setStepError(failure ? explainChannelError(failure.error ?? new Error(failure.message)) : null);
        for (const e of events) {
          const words = describeEvent(e, inbox.payments);
          if (words) toasts.show({ kind: e.type === "restored" ? "info" : "success", ...words });
        }
        if (events.length > 0) bump();
      } catch (error) {
        if (!stopped) setStepError(explainChannelError(error));
      } finally {
        if (!stopped) timer = setTimeout(tick, STEP_MS);
      }
    };
    void tick();
    const onStorage = (e: StorageEvent) => {
      if (e.key?.startsWith("powerlan.")) bump();
    };
    window.addEventListener("storage", onStorage);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      window.removeEventListener("storage", onStorage);
    };
  }, [hub, info.data, toasts, bump]);

  const records = useMemo(
    () => (hub ? hub.client.channels().sort((a, b) => Number(BigInt(b.channelId) - BigInt(a.channelId))) : []),
    [hub, version, payments], // version/payments: local records changed
  );
  const reads = useReadContracts({
    contracts: records.map((r) => ({
      address: contract,
      abi: paymentChannelsAbi,
      functionName: "getChannel" as const,
      args: [BigInt(r.channelId)] as const,
      chainId: d.chainId,
    })),
    query: { enabled: records.length > 0 && Boolean(contract), refetchInterval: 3_000 },
  });

  const channels: HouseholdChannel[] = useMemo(
    () =>
      records.map((record, i) => {
        const read = reads.data?.[i];
        const c = read?.status === "success" ? (read.result as unknown as OnChainChannel) : undefined;
        return {
          id: BigInt(record.channelId),
          record,
          balances: hub!.client.balances(BigInt(record.channelId)),
          chain: c
            ? {
                ...c,
                status: Number(c.status),
                challengePeriodBlocks: BigInt(c.challengePeriodBlocks),
                challengeDeadlineBlock: BigInt(c.challengeDeadlineBlock),
                nonce: BigInt(c.nonce),
              }
            : undefined,
          iAmA: me !== undefined && record.partyA.toLowerCase() === me.toLowerCase(),
        };
      }),
    [records, reads.data, hub, me],
  );
  const current = channels.find((c) => c.chain?.status === CHANNEL_STATUS.Open && info.data && [c.record.partyA, c.record.partyB].some((p) => p.toLowerCase() === info.data!.hub.toLowerCase()));

  const refresh = useCallback(() => {
    bump();
    void queryClient.invalidateQueries();
  }, [bump, queryClient]);

  return {
    hub,
    namespace: genesis.data?.slice(2, 14),
    info: info.data,
    infoError: info.error ? explainChannelError(info.error) : null,
    stepError,
    payments,
    channels,
    current,
    loading: Boolean(me) && (genesis.isLoading || info.isLoading || (records.length > 0 && reads.isLoading)),
    refresh,
  };
}
