/**
 * In-process Hardhat runtime for devnet tooling (Node only): one HRE per process, built from the
 * repository's hardhat.config.ts whatever the current directory, and connections to any JSON-RPC
 * URL through the config's `localhost` network (URL overridden), so a node on another port works.
 */
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { PROJECT_ROOT } from "./processes.ts";

let hrePromise: Promise<HardhatRuntimeEnvironment> | undefined;

/** The project's Hardhat runtime environment (created once). */
export function getHre(): Promise<HardhatRuntimeEnvironment> {
  hrePromise ??= (async () => {
    const { createHardhatRuntimeEnvironment, importUserConfig } = await import("hardhat/hre");
    const config = await importUserConfig(path.join(PROJECT_ROOT, "hardhat.config.ts"));
    return createHardhatRuntimeEnvironment(config, {}, PROJECT_ROOT);
  })();
  return hrePromise;
}

/** Compile the contracts (no-op when nothing changed). */
export async function compileContracts(): Promise<void> {
  const hre = await getHre();
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
}

/** A Hardhat network connection (viem helpers, Ignition) to the node at `rpcUrl`. */
export async function connectTo(rpcUrl: string) {
  const hre = await getHre();
  return hre.network.create({ network: "localhost", override: { url: rpcUrl } });
}

export type DevnetConnection = Awaited<ReturnType<typeof connectTo>>;
