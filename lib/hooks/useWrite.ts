"use client";

/**
 * The app's ONE write path: check wallet and network → simulate (reverts are caught before the
 * wallet opens, with the custom error decoded) → write → wait for the receipt → refresh every read
 * (react-query invalidation) — with one notification that follows the transaction along.
 * A write may be several steps (approve, then deposit); they run in order and stop at the first failure.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { Abi, Address, TransactionReceipt } from "viem";
import { useConfig } from "wagmi";
import { getConnection, simulateContract, switchChain, waitForTransactionReceipt, writeContract } from "wagmi/actions";
import { useToasts } from "@/components/Toasts";
import { AppError, explainError, notConnectedError, wrongChainError } from "@/lib/errors";
import { accountName } from "@/lib/app/names";

export interface WriteStep {
  /** What the step does, for the notification ("Approve PLC", "Deposit"). */
  label: string;
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  /** Compute the arguments right before the step runs (e.g. clearing hints read from the chain). */
  prepareArgs?: () => Promise<readonly unknown[]>;
  /** Skip the step when this returns true right before it would run (e.g. allowance already enough). */
  skipIf?: () => Promise<boolean>;
}

export interface WriteOptions {
  /** Heading of the notification, e.g. "Post offer". */
  title: string;
  /** Said on success, e.g. "Offer of 0.150 kWh at 0.2000 PLC/kWh posted." */
  success: string;
}

export interface WriteApi {
  write(steps: WriteStep | readonly WriteStep[], options: WriteOptions): Promise<TransactionReceipt[] | undefined>;
  /** Title of the write in progress, if any (to disable buttons). */
  pending: string | null;
}

export function useWrite(): WriteApi {
  const config = useConfig();
  const queryClient = useQueryClient();
  const toasts = useToasts();
  const [pending, setPending] = useState<string | null>(null);

  const write = useCallback(
    async (stepOrSteps: WriteStep | readonly WriteStep[], options: WriteOptions) => {
      const steps = Array.isArray(stepOrSteps) ? (stepOrSteps as readonly WriteStep[]) : [stepOrSteps as WriteStep];
      const appChain = config.chains[0];
      const connection = getConnection(config);
      const account = connection.address;
      const ctx = { account, nameOf: accountName };
      const toastId = toasts.show({ kind: "pending", title: options.title, message: "Checking…" });
      setPending(options.title);
      const receipts: TransactionReceipt[] = [];
      try {
        if (!account || connection.status !== "connected") throw notConnectedError();
        if (connection.chainId !== appChain.id) throw wrongChainError(connection.chainId ?? 0, appChain.name, appChain.id);

        for (const [i, step] of steps.entries()) {
          const prefix = steps.length > 1 ? `Step ${i + 1} of ${steps.length}: ${step.label}. ` : "";
          if (step.skipIf && (await step.skipIf())) continue;
          const args = step.prepareArgs ? await step.prepareArgs() : step.args;
          toasts.update(toastId, { kind: "pending", title: options.title, message: `${prefix}Confirm in your wallet…` });
          const { request } = await simulateContract(config, {
            address: step.address,
            abi: step.abi,
            functionName: step.functionName,
            args,
            account,
            chainId: appChain.id,
          } as never);
          const hash = await writeContract(config, request as never);
          toasts.update(toastId, { kind: "pending", title: options.title, message: `${prefix}Waiting for the block…` });
          const receipt = await waitForTransactionReceipt(config, { hash, chainId: appChain.id });
          if (receipt.status !== "success") {
            throw new AppError("contract", "Transaction failed", `${step.label} was mined but reverted (transaction ${hash.slice(0, 10)}…).`);
          }
          receipts.push(receipt);
        }
        toasts.update(toastId, { kind: "success", title: options.title, message: options.success });
        return receipts;
      } catch (error) {
        const explained = explainError(error, ctx);
        if (explained.kind !== "contract") console.warn(`[${options.title}]`, error);
        toasts.update(toastId, {
          kind: "error",
          title: explained.title,
          message: explained.message,
          action:
            explained.kind === "wrong-chain"
              ? {
                  label: `Switch to ${appChain.name}`,
                  onClick: () => {
                    switchChain(config, { chainId: appChain.id }).catch((e: unknown) => {
                      const x = explainError(e, ctx);
                      toasts.show({ kind: "error", title: x.title, message: x.message });
                    });
                  },
                }
              : undefined,
        });
        return undefined;
      } finally {
        setPending(null);
        // Refresh every read, also after a failure (someone else may have changed the state).
        await queryClient.invalidateQueries();
      }
    },
    [config, queryClient, toasts],
  );

  return { write, pending };
}
