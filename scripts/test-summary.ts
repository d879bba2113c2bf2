/**
 * Pure helpers of the `npm test` runner (scripts/test.ts): read pass/fail counts out of each test
 * runner's output, and add them up. Tested in test/devnet/test-summary.test.ts.
 */

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export const ZERO: Counts = { passed: 0, failed: 0, skipped: 0 };

// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC (\u001b)
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

function lastNumber(text: string, pattern: RegExp): number | undefined {
  let found: number | undefined;
  for (const match of text.matchAll(pattern)) found = Number(match[1]);
  return found;
}

/**
 * `hardhat test` ends with unindented totals over its runners, e.g.
 *   "12 passing (8 solidity, 4 nodejs)" / "1 failing (1 nodejs)" / "2 skipped (2 solidity)".
 * `hardhat test nodejs|solidity` alone prints indented "  12 passing (340ms)" lines.
 * Undefined when no summary was printed (e.g. the run crashed before testing).
 */
export function parseHardhatTest(output: string): Counts | undefined {
  const text = stripAnsi(output);
  const total = (label: string): number | undefined => lastNumber(text, new RegExp(`^(\\d+) ${label} \\((?:\\d+ [\\w-]+(?:, )?)+\\)\\s*$`, "gm"));
  let passed = total("passing");
  let failed = total("failing");
  let skipped = total("skipped");
  const todo = total("todo");
  if (passed === undefined && failed === undefined) {
    // a single runner: sum its indented summaries
    const sum = (label: string): number | undefined => {
      let s: number | undefined;
      for (const m of text.matchAll(new RegExp(`^\\s+(\\d+) ${label}\\b`, "gm"))) s = (s ?? 0) + Number(m[1]);
      return s;
    };
    passed = sum("passing");
    failed = sum("failing");
    skipped = sum("skipped");
    if (passed === undefined && failed === undefined) return undefined;
  }
  return { passed: passed ?? 0, failed: failed ?? 0, skipped: (skipped ?? 0) + (todo ?? 0) };
}

/**
 * node:test's totals: spec reporter "ℹ pass 5" or TAP "# pass 5" (plus fail, cancelled,
 * skipped, todo). Cancelled tests count as failed. Undefined when no totals were printed.
 */
export function parseNodeTest(output: string): Counts | undefined {
  const text = stripAnsi(output);
  const get = (label: string): number | undefined => lastNumber(text, new RegExp(`^\\s*(?:ℹ|#) ${label} (\\d+)\\s*$`, "gm"));
  const pass = get("pass");
  const fail = get("fail");
  if (pass === undefined && fail === undefined) return undefined;
  return {
    passed: pass ?? 0,
    failed: (fail ?? 0) + (get("cancelled") ?? 0),
    skipped: (get("skipped") ?? 0) + (get("todo") ?? 0),
  };
}

/** vitest's JSON reporter (`--reporter=json --outputFile.json=…`). */
export function parseVitestJson(json: string): Counts | undefined {
  try {
    const r = JSON.parse(json) as {
      numPassedTests?: number;
      numFailedTests?: number;
      numPendingTests?: number;
      numTodoTests?: number;
      numFailedTestSuites?: number;
    };
    if (typeof r.numPassedTests !== "number") return undefined;
    // A test file that fails to load has no failed test but a failed suite: count it.
    const failedSuitesWithoutTests = (r.numFailedTests ?? 0) === 0 ? (r.numFailedTestSuites ?? 0) : 0;
    return {
      passed: r.numPassedTests,
      failed: (r.numFailedTests ?? 0) + failedSuitesWithoutTests,
      skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
    };
  } catch {
    return undefined;
  }
}

/** vitest's default reporter summary, "Tests  3 failed | 40 passed | 1 skipped (44)". */
export function parseVitestText(output: string): Counts | undefined {
  const text = stripAnsi(output);
  const line = [...text.matchAll(/^\s*Tests\s+(.+)\((\d+)\)\s*$/gm)].at(-1)?.[1];
  if (!line) return undefined;
  const get = (label: string): number => Number(new RegExp(`(\\d+) ${label}`).exec(line)?.[1] ?? 0);
  return { passed: get("passed"), failed: get("failed"), skipped: get("skipped") + get("todo") };
}

/**
 * Combine a runner's parsed counts with its exit code: a non-zero exit with no failure counted
 * (crash, compile error, unparseable output) counts as one failure, so it is never lost.
 */
export function settle(counts: Counts | undefined, exitCode: number | null): Counts {
  const c = counts ?? { ...ZERO };
  if (exitCode !== 0 && c.failed === 0) return { ...c, failed: 1 };
  return c;
}

export function add(a: Counts, b: Counts): Counts {
  return { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped };
}

/** The runner's last line: "N passed, N failed" plus ", N skipped" when any were skipped. */
export function summaryLine(c: Counts): string {
  return `${c.passed} passed, ${c.failed} failed${c.skipped > 0 ? `, ${c.skipped} skipped` : ""}`;
}
