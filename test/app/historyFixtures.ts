/** Shared inputs of the history tests (lib/app/history.ts): one household, nothing happened yet. */
import type { Address } from "viem";
import type { HouseholdHistoryInput } from "@/lib/app/history";

/** The household whose history the tests read. */
export const ME = "0x1111111111111111111111111111111111111111" as Address;

/** A household history input for ME with no events, overridden by `over`. */
export function householdInput(over: Partial<HouseholdHistoryInput>): HouseholdHistoryInput {
  return {
    account: ME,
    orders: [],
    takes: [],
    orderSettlements: [],
    sellerSettlements: [],
    readings: [],
    certificates: [],
    scoreUpdates: [],
    states: new Map(),
    tariffs: new Map(),
    ...over,
  };
}
