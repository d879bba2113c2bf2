/**
 * Names for addresses: the devnet's dev accounts are "Household 1", "Regulator" … (from the one
 * table in lib/devnet/accounts.ts); anything else is shown as a short address.
 */
import type { Address } from "viem";
import { devAccountByAddress, type DevAccount } from "../devnet/accounts.ts";
import { shortAddress } from "../format.ts";

/** The dev account's name ("Household 1"), or undefined for an address that is not one. */
export function accountName(address: Address | string | undefined): string | undefined {
  return address ? devAccountByAddress(address)?.name : undefined;
}

/** A dev account's name, or the short address. */
export function displayName(address: Address | string): string {
  return accountName(address) ?? shortAddress(address);
}

export function devAccount(address: Address | string | undefined): DevAccount | undefined {
  return address ? devAccountByAddress(address) : undefined;
}

/** What a dev account kind is called in badges. */
export const KIND_LABEL: Record<DevAccount["kind"], string> = {
  admin: "admin",
  regulator: "regulator",
  dso: "DSO",
  aggregator: "aggregator",
  validator: "validator",
  prosumer: "prosumer",
  consumer: "consumer",
  newcomer: "unregistered",
};
