// Adds up vitest's and Playwright's JSON reports into one closing line: "total: N passed, N failed, N skipped",
// after a line per failed test (file, name, the first line of its error): CI keeps only the end of the output.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

let passed = 0, failed = 0, skipped = 0;
const missing = [];
const failures = [];
const firstLine = (text) => String(text ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? '';
const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : (missing.push(f), null));

const v = read('test-results/vitest.json');
if (v) {
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  // A test file that failed without a failing test (it did not load, or a hook threw) counts once.
  for (const f of v.testResults ?? []) {
    const file = relative(process.cwd(), f.name ?? '');
    const bad = (f.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of bad) failures.push(`${file} > ${a.fullName ?? a.title}: ${firstLine(a.failureMessages?.[0])}`);
    if (f.status === 'failed' && !bad.length) {
      failed += 1;
      failures.push(`${file}: ${firstLine(f.message)}`);
    }
  }
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
const p = read('test-results/playwright.json');
if (p) {
  passed += p.stats.expected;
  failed += p.stats.unexpected + (p.stats.flaky ?? 0);
  skipped += p.stats.skipped;
  const walk = (suite, path) => {
    for (const s of suite.suites ?? []) walk(s, [...path, s.title]);
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'unexpected' && t.status !== 'flaky') continue;
        const err = t.results?.find((r) => r.status !== 'passed')?.error?.message;
        failures.push(`${spec.file ?? path[0]} > ${[...path.slice(1), spec.title].join(' > ')}${t.status === 'flaky' ? ' (flaky)' : ''}: ${firstLine(err)}`);
      }
    }
  };
  for (const s of p.suites ?? []) walk(s, [s.title]);
}
for (const f of failures) console.log(`failed: ${f}`);
for (const f of missing) console.log(`missing report: ${f}`);
if (missing.length) failed += missing.length;
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
