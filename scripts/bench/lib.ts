/**
 * Shared helpers for benchmark sections (scripts/bench/<section>.ts). Not a section itself.
 *
 * A section module exports `section: BenchSection`; scripts/bench.ts finds every module in this
 * folder that does, runs the selected ones and merges each result under its own key into
 * bench/results.json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { writeFileAtomic } from "../../lib/channels/store.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface BenchContext {
  /** Print a progress line (prefixed with the section name). */
  log: (message: string) => void;
  /** Fewer iterations (smoke run). */
  quick: boolean;
  /** Repository root. */
  root: string;
}

export interface BenchSection {
  /** Key in bench/results.json, and the name for --only. */
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}

/** CPU count, model, Node version, platform: stored with every section's results. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    totalMemGiB: Math.round(os.totalmem() / 2 ** 30),
    nodeVersion: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  };
}

/** `hardhat compile` (quietly) so the artifacts exist and are fresh. */
export function compileContracts(): void {
  const hardhat = path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
  const result = spawnSync(process.execPath, [hardhat, "compile", "--quiet"], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`hardhat compile failed:\n${result.stdout}\n${result.stderr}`);
}

/** The creation bytecode of a compiled contract (from the Hardhat artifact). */
export function bytecodeOf(sourcePath: string, contractName: string): Hex {
  const file = path.join(ROOT, "artifacts", sourcePath, `${contractName}.json`);
  const artifact = JSON.parse(fs.readFileSync(file, "utf8")) as { bytecode: Hex };
  return artifact.bytecode;
}

/** Run `fn` `n` times sequentially; returns operations per second. */
export async function opsPerSecond(n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<{ perSec: number; ms: number }> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const ms = performance.now() - start;
  return { perSec: (n * 1000) / ms, ms };
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** Read the results file, replace only `key`, write it back atomically. */
export function mergeResults(file: string, key: string, value: unknown): void {
  let results: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, "utf8");
    try {
      results = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${file} is not valid JSON (${(error as Error).message}); fix or remove it first`, { cause: error });
    }
  }
  results[key] = value;
  const sorted = Object.fromEntries(Object.keys(results).sort().map((k) => [k, results[k]]));
  writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
}
