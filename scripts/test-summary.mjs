// Adds up vitest's and Playwright's JSON reports into one closing line: "total: N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
const missing = [];
const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : (missing.push(f), null));

const v = read('test-results/vitest.json');
if (v) {
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  // A test file that failed without a failing test (it did not load, or a hook threw) counts once.
  for (const f of v.testResults ?? []) {
    if (f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')) failed += 1;
  }
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
const p = read('test-results/playwright.json');
if (p) {
  passed += p.stats.expected;
  failed += p.stats.unexpected + (p.stats.flaky ?? 0);
  skipped += p.stats.skipped;
}
for (const f of missing) console.log(`missing report: ${f}`);
if (missing.length) failed += missing.length;
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
