/** The `npm test` runner's output parsers (scripts/test-summary.ts). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHardhatTest, parseNodeTest, parseVitestJson, parseVitestText, settle, summaryLine } from "../../scripts/test-summary.ts";

describe("test summary parsing", () => {
  it("reads hardhat test's totals over runners (and ignores per-runner lines)", () => {
    const out = [
      "Running Solidity tests",
      "  8 passing",
      "  1 skipped",
      "Running node:test tests",
      "  \u001b[32m40 passing\u001b[39m\u001b[90m (2100ms)\u001b[39m",
      "  2 failing",
      "",
      "\u001b[32m48 passing\u001b[39m (8 solidity, 40 nodejs)",
      "\u001b[31m2 failing\u001b[39m (2 nodejs)",
      "1 skipped (1 solidity)",
    ].join("\n");
    assert.deepEqual(parseHardhatTest(out), { passed: 48, failed: 2, skipped: 1 });
  });

  it("sums a single runner's indented summaries when there is no total", () => {
    assert.deepEqual(parseHardhatTest("  12 passing (340ms)\n  1 failing\n"), { passed: 12, failed: 1, skipped: 0 });
    assert.equal(parseHardhatTest("Error HHE100: compilation failed"), undefined);
  });

  it("reads node:test's spec and TAP totals; cancelled counts as failed", () => {
    const spec = "ℹ tests 5\nℹ suites 1\nℹ pass 3\nℹ fail 1\nℹ cancelled 1\nℹ skipped 2\nℹ todo 0\nℹ duration_ms 12";
    assert.deepEqual(parseNodeTest(spec), { passed: 3, failed: 2, skipped: 2 });
    assert.deepEqual(parseNodeTest("# tests 2\n# pass 2\n# fail 0\n"), { passed: 2, failed: 0, skipped: 0 });
    assert.equal(parseNodeTest("nothing here"), undefined);
  });

  it("reads vitest's JSON report and its text summary", () => {
    assert.deepEqual(parseVitestJson(JSON.stringify({ numPassedTests: 40, numFailedTests: 3, numPendingTests: 1, numTodoTests: 1 })), {
      passed: 40,
      failed: 3,
      skipped: 2,
    });
    assert.deepEqual(parseVitestJson(JSON.stringify({ numPassedTests: 4, numFailedTests: 0, numFailedTestSuites: 1 })), {
      passed: 4,
      failed: 1,
      skipped: 0,
    });
    assert.deepEqual(parseVitestText(" Test Files  1 failed | 4 passed (5)\n      Tests  3 failed | 40 passed | 1 skipped (44)\n"), {
      passed: 40,
      failed: 3,
      skipped: 1,
    });
  });

  it("a failing exit without counted failures is one failure; the summary line format is fixed", () => {
    assert.deepEqual(settle(undefined, 1), { passed: 0, failed: 1, skipped: 0 });
    assert.deepEqual(settle({ passed: 5, failed: 0, skipped: 0 }, 0), { passed: 5, failed: 0, skipped: 0 });
    assert.deepEqual(settle({ passed: 5, failed: 2, skipped: 0 }, 1), { passed: 5, failed: 2, skipped: 0 });
    assert.equal(summaryLine({ passed: 7, failed: 0, skipped: 0 }), "7 passed, 0 failed");
    assert.equal(summaryLine({ passed: 7, failed: 1, skipped: 2 }), "7 passed, 1 failed, 2 skipped");
  });
});
