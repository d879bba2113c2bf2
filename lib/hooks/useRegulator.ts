"use client";

/** Reads of the supervision and user layers for the regulator page. */
import { useQuery } from "@tanstack/react-query";
import { keccak256, toHex, type Address } from "viem";
import { usePublicClient, useReadContract, useReadContracts } from "wagmi";
import { participantRegistryAbi, paymentChannelsAbi, supervisorAbi } from "@/lib/contracts";
import type { Deployment } from "./useDeployment";
import { REFRESH_MS } from "./useMarket";

export const REGULATOR_ROLE = keccak256(toHex("REGULATOR_ROLE"));

/** Whether `account` holds the Supervisor's REGULATOR_ROLE (the one that may use its controls). */
export function useIsRegulator(d: Deployment, account: Address | undefined) {
  const read = useReadContract({
    address: d.supervisor,
    abi: supervisorAbi,
    chainId: d.chainId,
    functionName: "hasRole",
    args: [REGULATOR_ROLE, account ?? "0x0000000000000000000000000000000000000000"],
    query: { enabled: d.deployed && account !== undefined },
  });
  return { isRegulator: read.data === true, isLoading: read.isLoading };
}

const ZERO: Address = "0x0000000000000000000000000000000000000000";

/**
 * The payment channels the Supervisor supervises (its `paymentChannels()`) and whether opening and
 * funding them is paused (`PaymentChannels.paused()`). `channels` is undefined until read, null when
 * the Supervisor has none set (then pauseChannels would revert with SupervisorZeroAddress).
 */
export function useChannelsPause(d: Deployment) {
  const target = useReadContract({
    address: d.supervisor,
    abi: supervisorAbi,
    chainId: d.chainId,
    functionName: "paymentChannels",
    query: { enabled: d.deployed && d.supervisor !== undefined, refetchInterval: REFRESH_MS * 2 },
  });
  const channels = target.data === undefined ? undefined : target.data === ZERO ? null : target.data;
  const paused = useReadContract({
    address: channels ?? undefined,
    abi: paymentChannelsAbi,
    chainId: d.chainId,
    functionName: "paused",
    query: { enabled: Boolean(channels), refetchInterval: REFRESH_MS },
  });
  return {
    channels,
    paused: paused.data as boolean | undefined,
    isLoading: target.isLoading || paused.isLoading,
    error: (target.error ?? paused.error) as Error | null,
  };
}

export interface ParticipantRow {
  account: Address;
  role: number;
  status: number;
  zone: number;
  meter: Address;
  flagged: boolean;
}

/** Every registered participant (the registry enumerates them; a LAN has tens to hundreds). */
export function useParticipants(d: Deployment) {
  const count = useReadContract({
    address: d.registry,
    abi: participantRegistryAbi,
    chainId: d.chainId,
    functionName: "participantCount",
    query: { enabled: d.deployed, refetchInterval: REFRESH_MS * 2 },
  });
  const n = Number(count.data ?? 0n);
  const rows = useReadContracts({
    contracts: Array.from(
      { length: n },
      (_, i) => ({ address: d.registry, abi: participantRegistryAbi, chainId: d.chainId, functionName: "participantAt", args: [BigInt(i)] }) as const,
    ),
    allowFailure: false,
    query: { enabled: d.deployed && n > 0, refetchInterval: REFRESH_MS * 2 },
  });
  const accounts = (rows.data ?? []).map((r) => (r as readonly [Address, unknown])[0]);
  const flags = useReadContracts({
    contracts: accounts.map((a) => ({ address: d.supervisor, abi: supervisorAbi, chainId: d.chainId, functionName: "isFlagged", args: [a] }) as const),
    allowFailure: false,
    query: { enabled: d.deployed && accounts.length > 0, refetchInterval: REFRESH_MS * 2 },
  });
  const participants: ParticipantRow[] | undefined = rows.data
    ? rows.data.map((r, i) => {
        const [account, p] = r as readonly [Address, { role: number; status: number; zone: number; meter: Address }];
        return { account, role: p.role, status: p.status, zone: p.zone, meter: p.meter, flagged: (flags.data?.[i] as boolean | undefined) ?? false };
      })
    : undefined;
  return { participants, isLoading: count.isLoading || rows.isLoading, error: (count.error ?? rows.error) as Error | null };
}

export interface FlagEvent {
  account: Address;
  regulator: Address;
  reason?: string;
  flagged: boolean;
  blockNumber: bigint;
}

/** The flag audit trail (AccountFlagged / AccountUnflagged events), newest first. */
export function useFlagLog(d: Deployment) {
  const client = usePublicClient({ chainId: d.chainId });
  return useQuery({
    queryKey: ["powerlan", "flagLog", d.chainId, d.supervisor],
    enabled: Boolean(client && d.supervisor),
    refetchInterval: REFRESH_MS * 2,
    queryFn: async (): Promise<FlagEvent[]> => {
      const [flagged, unflagged] = await Promise.all([
        client!.getContractEvents({ address: d.supervisor!, abi: supervisorAbi, eventName: "AccountFlagged", fromBlock: 0n }),
        client!.getContractEvents({ address: d.supervisor!, abi: supervisorAbi, eventName: "AccountUnflagged", fromBlock: 0n }),
      ]);
      const events: (FlagEvent & { logIndex: number })[] = [
        ...flagged.map((e) => ({
          account: e.args.account!,
          regulator: e.args.regulator!,
          reason: e.args.reason,
          flagged: true,
          blockNumber: e.blockNumber,
          logIndex: e.logIndex,
        })),
        ...unflagged.map((e) => ({
          account: e.args.account!,
          regulator: e.args.regulator!,
          flagged: false,
          blockNumber: e.blockNumber,
          logIndex: e.logIndex,
        })),
      ];
      return events.sort((a, b) => (a.blockNumber === b.blockNumber ? b.logIndex - a.logIndex : Number(b.blockNumber - a.blockNumber)));
    },
  });
}
