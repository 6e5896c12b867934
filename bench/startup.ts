/**
 * The CLI start-up case (issue 12): `ferry --version` and `ferry ls` of a local folder, against `node -e 0`
 * measured in the same rounds, so the ratio says what Ferry adds to Node's own start-up on this machine now.
 */
import { join } from 'node:path';
import { measure } from './exec';
import type { FerryCli } from './ferry';
import { median } from './report';

/** anchors.md / issue 12: both commands within 0.25 s, the whole process as the shell sees it. */
export const STARTUP_TARGET_S = 0.25;

export interface StartupRow {
  name: string;
  args: string[];
  /** Wall seconds and peak MB of each run. */
  runs: { seconds: number; peakMb: number }[];
  failure?: string;
}

export async function measureStartup(ferry: FerryCli, runs: number, localDir: string, logs: string): Promise<StartupRow[]> {
  const rows: StartupRow[] = [
    { name: 'node -e 0', args: ['-e', '0'], runs: [] },
    { name: 'ferry --version', args: [ferry.bin, '--version'], runs: [] },
    { name: `ferry ls (a local folder)`, args: [ferry.bin, 'ls', localDir], runs: [] },
  ];
  for (let i = 0; i < runs; i++) {
    // Interleaved, a different command first in each round, like the transfer cases.
    for (let j = 0; j < rows.length; j++) {
      const row = rows[(i + j) % rows.length];
      if (row.failure) continue;
      const m = await measure(process.execPath, row.args, { env: ferry.env, logFile: join(logs, `startup-${j}-${i + 1}.log`), timeoutMs: 30_000 });
      if (m.exitCode !== 0) row.failure = `exit ${m.exitCode}: ${m.tail.split('\n').slice(-2).join(' / ')}`;
      else row.runs.push({ seconds: m.seconds, peakMb: m.peakMb });
    }
  }
  return rows;
}

export function startupLines(rows: StartupRow[]): string[] {
  const med = (r: StartupRow) => (r.failure || !r.runs.length ? null : median(r.runs.map((x) => x.seconds)));
  const node = med(rows[0]);
  return rows.map((r) => {
    const m = med(r);
    const ratio = m !== null && node ? (m / node).toFixed(2) : '–';
    const met = r === rows[0] ? '(the baseline)' : m === null ? 'FAILED' : m <= STARTUP_TARGET_S ? 'yes' : 'no';
    const runsText = r.failure ? `FAILED: ${r.failure.replace(/\|/g, '/')}` : r.runs.map((x) => x.seconds.toFixed(2)).join(', ');
    const peak = r.runs.length ? Math.max(...r.runs.map((x) => x.peakMb)).toFixed(0) : '–';
    return `| ${r.name} | ${runsText} | ${m === null ? '–' : m.toFixed(2)} | ${ratio} | ${met} | ${peak} |`;
  });
}

/** The start-up section of bench/results.md. */
export function startupMarkdown(rows: StartupRow[]): string {
  return [
    `## CLI start-up (target: within ${STARTUP_TARGET_S} s; also shown as a ratio to \`node -e 0\` measured in the same rounds)`,
    '',
    '| Command | Runs (s) | Median s | / node -e 0 | Within 0.25 s? | Peak MB |',
    '|---|---|---:|---:|---|---:|',
    ...startupLines(rows),
    '',
  ].join('\n');
}
