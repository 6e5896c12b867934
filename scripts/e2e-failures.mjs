// After a failed Playwright run: prints what CI's log otherwise only names by path. For each failed test,
// the page as Playwright last saw it (its error-context.md: the ARIA snapshot, where an error the UI showed
// can be read); then the last lines `ferry serve` logged (each API call's method, time and outcome).
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

for (const { title, result } of failed) {
  console.log(`\n== failed e2e test: ${title}`);
  for (const a of result.attachments ?? []) {
    if (a.name !== 'error-context' || !a.path || !existsSync(a.path)) continue;
    const text = readFileSync(a.path, 'utf8');
    console.log(text.length > MAX_CONTEXT ? `${text.slice(0, MAX_CONTEXT)}\n… (${text.length - MAX_CONTEXT} more characters in ${a.path})` : text);
  }
}
if (existsSync(SERVE_LOG)) {
  const lines = readFileSync(SERVE_LOG, 'utf8').trimEnd().split('\n');
  console.log(`\n== the last ${Math.min(LOG_LINES, lines.length)} of ${lines.length} lines ferry serve logged (${SERVE_LOG})`);
  console.log(lines.slice(-LOG_LINES).join('\n'));
}
