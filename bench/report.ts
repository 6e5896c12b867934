import type { Case, Target } from './cases';
import type { Tool } from './sites';

export interface RunResult {
  seconds: number;
  peakMb: number;
  /** Ferry only: the transfer's own time as the CLI reports it ("Done: ... in X s"), without start-up. */
  inner?: number;
}

export interface ToolResult {
  key: string;
  tool: Tool;
  runs: RunResult[];
  /** Why this tool's figure is not reported (a failed run or wrong data), if so. */
  failure?: string;
  /** Stopped at this many seconds without finishing: its time is only known to be longer. */
  timedOut?: number;
  /** Peak memory of the run stopped at the time limit (it counts: memory does not depend on finishing). */
  stoppedPeakMb?: number;
  /** Why it ran fewer times than the others, if it did. */
  note?: string;
}

export interface CaseResult {
  c: Case;
  ferry: ToolResult;
  refs: ToolResult[];
  loadAvg: number;
}

export interface Row {
  title: string;
  ferry: ToolResult;
  ref: ToolResult;
  ratio: number | null;
  target?: Target;
  met: string;
}

export const NOISE = 1.25;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The figure compared: the median, or for a run stopped at the time limit that limit (a lower bound). */
export const medianOf = (t: ToolResult): number | null =>
  t.timedOut ?? (t.failure || !t.runs.length ? null : median(t.runs.map((r) => r.seconds)));
export function peakOf(t: ToolResult): number | null {
  const peaks = [...t.runs.map((r) => r.peakMb), ...(t.stoppedPeakMb !== undefined ? [t.stoppedPeakMb] : [])].filter((x) => Number.isFinite(x));
  return peaks.length ? Math.max(...peaks) : null;
}

/** Yes when the target holds; a miss within anchors.md's noise band (about 25%) is said as such, not hidden. */
function verdict(ratio: number, max: number): string {
  if (ratio <= max) return 'yes';
  return ratio <= max * NOISE ? 'no (within noise)' : 'no';
}

/** One row per reference; a target is shown on the row of the reference it is judged against. */
export function rows(r: CaseResult): Row[] {
  const fm = medianOf(r.ferry);
  const judgedBy = new Map<string, Target>();
  for (const t of r.c.targets) {
    const candidates = r.refs.filter((x) => t.against.includes(x.key) && medianOf(x) !== null);
    candidates.sort((a, b) => medianOf(a)! - medianOf(b)!);
    if (candidates[0]) judgedBy.set(candidates[0].key, t);
  }
  return r.refs.map((ref) => {
    const rm = medianOf(ref);
    const ratio = fm !== null && rm !== null ? fm / rm : null;
    const target = judgedBy.get(ref.key) ?? r.c.targets.find((t) => t.against.length === 1 && t.against[0] === ref.key);
    let met = '';
    if (target) {
      if (r.ferry.failure) met = 'FAILED';
      else if (ratio === null || ref.timedOut) met = 'n/a (reference failed)';
      else met = r.ferry.timedOut && ratio > target.maxRatio ? 'no (stopped at the time limit)' : verdict(ratio, target.maxRatio);
    }
    return { title: r.c.title, ferry: r.ferry, ref, ratio, target, met };
  });
}

const s = (x: number | null, digits = 2) => (x === null ? '–' : x.toFixed(digits));
/** A median, or "> N" for a tool stopped at the time limit. */
const secs = (t: ToolResult) => (t.failure ? 'FAILED' : t.timedOut ? `> ${t.timedOut.toFixed(0)}` : s(medianOf(t)));
const ratioText = (r: Row) => (r.ratio === null ? '–' : `${r.ferry.timedOut ? '> ' : ''}${r.ratio.toFixed(2)}`);

export function consoleLines(r: CaseResult): string[] {
  const line = (t: ToolResult, extra: string) => {
    const runs = [...t.runs.map((x) => x.seconds.toFixed(2)), ...(t.timedOut ? [`stopped at ${t.timedOut} s`] : [])].join(' ');
    const figures = t.failure ? `FAILED: ${t.failure}` : `${secs(t).padStart(7)} s  [${runs}]  peak ${s(peakOf(t), 0)} MB${t.note ? ` (${t.note})` : ''}`;
    return `  ${t.tool.name.padEnd(28)} ${figures}${extra}  (${t.tool.settings})`;
  };
  const inner = r.ferry.runs.filter((x) => x.inner !== undefined);
  const out = [`${r.c.title}  (load average ${r.loadAvg.toFixed(1)})`, line(r.ferry, inner.length ? `  transfer itself ${s(median(inner.map((x) => x.inner!)))} s` : '')];
  for (const row of rows(r)) {
    const judged = row.target ? `  ratio ${ratioText(row)}; target ${row.target.text}: ${row.met}` : `  ratio ${ratioText(row)}`;
    out.push(line(row.ref, judged));
  }
  return out;
}

export interface Environment {
  when: string;
  host: string;
  cpu: string;
  memory: string;
  node: string;
  tools: string[];
  commit: string;
  runs: number;
  loadStart: number[];
  loadEnd: number[];
  minutes: number;
}

export function markdown(results: CaseResult[], env: Environment): string {
  const all = results.flatMap(rows);
  const mb = (t: ToolResult) => {
    const p = peakOf(t);
    return p === null ? '–' : `${p.toFixed(0)}${p >= 300 ? ' (over 300)' : ''}`;
  };
  const table = [
    '| Case | Ferry median s | Reference | Reference median s | Ferry / reference | Target | Met? | Ferry peak MB |',
    '|---|---:|---|---:|---:|---|---|---:|',
    ...all.map((r) => `| ${r.title} | ${secs(r.ferry)} | ${r.ref.tool.name} | ${secs(r.ref)} | ${ratioText(r)} | ${r.target?.text ?? '(for information)'} | ${r.met || '–'} | ${mb(r.ferry)} |`),
  ];
  const memory = ['SFTP', 'FTP', 'S3'].map((proto) => {
    const of = (what: string) => results.filter((r) => r.c.site.proto === proto && r.c.what === what).map((r) => peakOf(r.ferry)).filter((x): x is number => x !== null);
    const big = of('big');
    const small = of('small');
    return big.length && small.length ? `- ${proto}: 1 GiB file ${Math.max(...big).toFixed(0)} MB, 2,000 small files ${Math.max(...small).toFixed(0)} MB.` : `- ${proto}: not measured.`;
  });
  const details = [
    '| Case | Tool | Settings | Runs (s) | Median s | Peak MB |',
    '|---|---|---|---|---:|---:|',
    ...results.flatMap((r) =>
      [r.ferry, ...r.refs].map((t) => {
        const inner = t.runs.filter((x) => x.inner !== undefined);
        const runsText =
          [...t.runs.map((x) => x.seconds.toFixed(2)), ...(t.timedOut ? [`stopped at ${t.timedOut} s`] : [])].join(', ') +
          (inner.length ? ` (transfer itself: ${inner.map((x) => x.inner!.toFixed(1)).join(', ')})` : '') +
          (t.note ? `; ${t.note}` : '');
        return `| ${r.c.title} | ${t.tool.name} | ${t.tool.settings} | ${t.failure ? `FAILED: ${t.failure.replace(/\|/g, '/').replace(/\n/g, ' ')}` : runsText} | ${secs(t)} | ${s(peakOf(t), 0)} |`;
      }),
    ),
  ];
  return [
    '# Transfer benchmark results',
    '',
    `Measured ${env.when} on ${env.host} (${env.cpu}, ${env.memory}), Node ${env.node}, Ferry at commit ${env.commit}, by \`npm run bench\` (see docs/benchmarks.md).`,
    `Load average (1/5/15 min) at the start ${env.loadStart.map((x) => x.toFixed(1)).join(' / ')}, at the end ${env.loadEnd.map((x) => x.toFixed(1)).join(' / ')}: the machine was shared with other work, so compare the ratios, measured side by side, not the absolute seconds.`,
    `Median of ${env.runs} run(s) per tool and case, the tools' runs interleaved; ${env.minutes.toFixed(1)} minutes in all. Servers and clients share the same cores, on 127.0.0.1.`,
    `Tools: ${env.tools.join('; ')}.`,
    '',
    'Every time is the whole command, start-up and login included. Every Ferry run was checked afterwards (size and MD5 of every file that arrived; for S3 uploads the MD5 the server computed of what it stored); reference runs likewise, except that a reference\'s 1 GiB file is hashed on its first run and checked by size on later ones. A run whose data was wrong counts as failed.',
    `Load average (1 min) after each case: ${results.map((r) => `${r.c.id} ${r.loadAvg.toFixed(1)}`).join(', ')}.`,
    `"Met?": Ferry's median / the reference's median against the target from ../shared/notes/anchors.md; "within noise" marks a miss by less than ${((NOISE - 1) * 100).toFixed(0)}%, the run-to-run spread anchors.md reports on this machine.`,
    '',
    ...table,
    '',
    '## Ferry peak memory (max RSS of the ferry process; target under 300 MB, not growing with file size)',
    '',
    ...memory,
    '',
    '## Every run',
    '',
    ...details,
    '',
  ].join('\n');
}
