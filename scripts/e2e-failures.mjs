// After a failed Playwright run: prints what CI's log otherwise only names by path. For each failed test,
// the page as Playwright last saw it (its error-context.md: the ARIA snapshot, where an error the UI showed
// can be read), then what `ferry serve` logged while the test ran (each API call's method, time and outcome).
import { existsSync, readFileSync } from 'node:fs';

const REPORT = 'test-results/playwright.json';
const SERVE_LOG = 'test-results/e2e-serve.log';
const MAX_CONTEXT = 6000;
const LOG_LINES = 80;

if (!existsSync(REPORT)) process.exit(0);
const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const failed = [];
const walk = (suite, titles) => {
  for (const s of suite.suites ?? []) walk(s, [...titles, s.title]);
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests ?? []) {
      for (const r of t.results ?? []) {
        if (r.status === 'failed' || r.status === 'timedOut') failed.push({ title: [...titles, spec.title].filter(Boolean).join(' › '), result: r });
      }
    }
  }
};
for (const s of report.suites ?? []) walk(s, []);
if (!failed.length) process.exit(0);

const logLines = existsSync(SERVE_LOG) ? readFileSync(SERVE_LOG, 'utf8').trimEnd().split('\n') : [];
const at = (line) => Date.parse(line.slice(0, 24));

for (const { title, result } of failed) {
  console.log(`\n== failed e2e test: ${title}`);
  // A test's error context is attached once per error (the timeout, then the action it cut short).
  const seen = new Set();
  for (const a of result.attachments ?? []) {
    if (a.name !== 'error-context' || !a.path || seen.has(a.path) || !existsSync(a.path)) continue;
    seen.add(a.path);
    const text = readFileSync(a.path, 'utf8');
    console.log(text.length > MAX_CONTEXT ? `${text.slice(0, MAX_CONTEXT)}\n… (${text.length - MAX_CONTEXT} more characters in ${a.path})` : text);
  }
  // What the server was asked while this test ran (its own window, not the end of the whole run).
  const from = Date.parse(result.startTime) - 1000;
  const to = Date.parse(result.startTime) + result.duration + 1000;
  const during = logLines.filter((l) => at(l) >= from && at(l) <= to);
  const shown = during.length > LOG_LINES ? [...during.slice(0, LOG_LINES / 2), `… (${during.length - LOG_LINES} lines)`, ...during.slice(-LOG_LINES / 2)] : during;
  console.log(`\n== what ferry serve logged while it ran (${during.length} lines of ${SERVE_LOG})`);
  console.log(shown.join('\n'));
}
