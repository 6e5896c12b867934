#!/usr/bin/env node
/**
 * Prints the conformance results as a markdown table: one row per check, one column per connector.
 *
 *   npx vitest run test/connectors --reporter=json --outputFile=test-results/vitest.json
 *   node scripts/conformance-table.mjs [test-results/vitest.json] [--out docs/conformance.md]
 *
 * It relies on the suite's fixed titles (test/conformance/suite.ts):
 *   describe(`conformance: ${connector}`) > it(`${check}`)
 *   it.skip(`${check} [skipped: capability ${capability} not declared]`)
 *   it.skip(`${check} [skipped: exempt: ${reason}]`)
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
const input = args.find((a, i) => !a.startsWith('--') && (outIndex < 0 || i !== outIndex + 1)) ?? 'test-results/vitest.json';

const report = JSON.parse(readFileSync(input, 'utf8'));
const SUITE = /^conformance: (.+)$/;
const SKIP = /^(.*) \[skipped: (.*)\]$/;

/** check -> connector -> cell text; both in first-seen order. */
const rows = new Map();
const connectors = [];
const totals = new Map();
/** Exemption reasons, numbered in order of appearance. */
const notes = [];

/** Test files that failed before any test ran (a syntax error, a server that did not start). */
const broken = [];

for (const file of report.testResults ?? []) {
  if (file.status === 'failed' && !(file.assertionResults ?? []).length) {
    broken.push(`${file.name}: ${String(file.message ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) ?? 'failed'}`);
  }
  for (const test of file.assertionResults ?? []) {
    const suite = (test.ancestorTitles ?? []).map((t) => SUITE.exec(t)).find(Boolean);
    if (!suite) continue;
    const connector = suite[1];
    if (!connectors.includes(connector)) connectors.push(connector);
    const skip = SKIP.exec(test.title);
    const check = skip ? skip[1] : test.title;
    if (!rows.has(check)) rows.set(check, new Map());
    rows.get(check).set(connector, cell(test.status, skip?.[2], `${connector}, ${check}`));
    const t = totals.get(connector) ?? { pass: 0, fail: 0, skipped: 0 };
    if (test.status === 'passed') t.pass++;
    else if (test.status === 'failed') t.fail++;
    else t.skipped++;
    totals.set(connector, t);
  }
}

function cell(status, reason, where) {
  if (status === 'passed') return 'pass';
  if (status === 'failed') return '**FAIL**';
  if (!reason) return 'skipped';
  const capability = /^capability (.+) not declared$/.exec(reason);
  if (capability) return `skipped (no ${capability[1]})`;
  const exempt = /^exempt: (.*)$/.exec(reason);
  if (!exempt) return `skipped (${reason})`;
  // Reasons are sentences: a numbered note under the table keeps the cells short.
  notes.push(`${where}: ${exempt[1]}`);
  return `exempt [${notes.length}]`;
}

const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const lines = [];
if (connectors.length === 0) {
  lines.push(`No conformance results in ${input} (expected describe titles "conformance: <connector>").`);
} else {
  lines.push(`| check | ${connectors.map(esc).join(' | ')} |`);
  lines.push(`|---|${connectors.map(() => '---').join('|')}|`);
  for (const [check, byConnector] of rows) {
    lines.push(`| ${esc(check)} | ${connectors.map((c) => esc(byConnector.get(c) ?? '—')).join(' | ')} |`);
  }
  const summary = (c) => {
    const t = totals.get(c);
    return `${t.pass} pass, ${t.fail} fail, ${t.skipped} skipped`;
  };
  lines.push(`| **total** | ${connectors.map((c) => summary(c)).join(' | ')} |`);
}
if (notes.length) lines.push('', ...notes.map((n, i) => `[${i + 1}] ${n}  `));
for (const b of broken) lines.push('', `Did not run: ${b}`);
const text = lines.join('\n') + '\n';
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
}
process.stdout.write(text);
