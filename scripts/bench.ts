/**
 * `npm run bench`: runs the benchmark sections in scripts/bench/ and merges each section's results
 * under its own key into bench/results.json (other keys are kept as they are).
 *
 * A section is any module in scripts/bench/ that exports `section: BenchSection` (see
 * scripts/bench/lib.ts); add a file there to add a section — this script needs no change.
 * Not part of `npm test`: benchmarks take minutes and want a quiet machine.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { mergeResults, ROOT, type BenchSection } from "./bench/lib.ts";

const BENCH_DIR = path.join(ROOT, "scripts", "bench");
const DEFAULT_OUT = path.join(ROOT, "bench", "results.json");

async function loadSections(): Promise<BenchSection[]> {
  const sections: BenchSection[] = [];
  for (const file of fs.readdirSync(BENCH_DIR).sort()) {
    if (!file.endsWith(".ts") || file.endsWith(".d.ts") || file.endsWith(".test.ts")) continue;
    const mod = (await import(pathToFileURL(path.join(BENCH_DIR, file)).href)) as { section?: BenchSection };
    if (mod.section) sections.push(mod.section);
  }
  return sections;
}

function usage(sections: BenchSection[]): string {
  return `Usage: npm run bench [-- options]   (node scripts/bench.ts [options])

Runs benchmark sections and merges each one's results into bench/results.json under its name.

Options
  --only NAMES   comma-separated sections to run (default: all)
  --quick        fewer iterations (a smoke run; numbers are noisier)
  --out FILE     results file (default bench/results.json)
  --help         this text

Sections
${sections.map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join("\n")}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      out: { type: "string", default: DEFAULT_OUT },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  const sections = await loadSections();
  if (values.help) {
    console.log(usage(sections));
    return 0;
  }
  let selected = sections;
  if (values.only) {
    const names = values.only.split(",").map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((name) => !sections.some((s) => s.name === name));
    if (unknown.length > 0) {
      console.error(`unknown section(s): ${unknown.join(", ")}\n\n${usage(sections)}`);
      return 2;
    }
    selected = sections.filter((s) => names.includes(s.name));
  }
  const out = path.resolve(values.out);
  for (const s of selected) {
    const started = performance.now();
    console.log(`[bench] ${s.name}: ${s.description}`);
    const result = await s.run({
      log: (message) => console.log(`[bench] ${s.name}: ${message}`),
      quick: values.quick,
      root: ROOT,
    });
    mergeResults(out, s.name, result);
    console.log(`[bench] ${s.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s → ${path.relative(process.cwd(), out)}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
