/**
 * The PostgreSQL load and CSV export again at five times the rows (bench/databases.ts runs it after the
 * 1M-row cases): the 1M-row ratios hold a fixed cost per command (Node's start, the CLI, the login, the
 * CSV sniff) that psql does not pay, and the same work at 5M rows shows how much of each ratio is that
 * cost and how much is per row; the peaks show whether memory stays flat as the table grows.
 * The 5M-row CSV is the 1M-row one's rows five times under its header (ids repeat: the table has no key).
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Measured } from './exec';
import type { FerryCli } from './ferry';
import type { DbRow } from './mariadb-load';
import { median } from './report';

const TIMES = 5;

export interface ScaleContext {
  ferry: FerryCli;
  /** psql's argv for one statement or meta-command against the bench's server. */
  psql(sql: string): string[];
  psqlEnv: NodeJS.ProcessEnv;
  run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv }): string;
  timed(label: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Measured>;
  csv: string;
  data: string;
  out: string;
  runs: number;
  say(s: string): void;
}

export async function postgresScaleRows(c: ScaleContext): Promise<DbRow[]> {
  const csv = fiveTimes(c.csv, join(c.data, 'rows-5m.csv'));
  const node = process.execPath;
  c.ferry.setup(['load', csv, 'pg:public.orders5m', '--mode', 'create']);
  c.run('psql', c.psql('CREATE TABLE public.orders5m_psql (LIKE public.orders5m)'), { env: c.psqlEnv });
  const rows: DbRow[] = [];

  const load = 'load 5M rows (CSV, local) into PostgreSQL';
  c.say(load);
  await pair(c, rows, load, 'psql \\copy FROM (local file)', {
    ferry: () => c.timed('ferry load', node, [c.ferry.bin, 'load', csv, 'pg:public.orders5m', '--mode', 'truncate'], c.ferry.env),
    before: () => c.run('psql', c.psql('TRUNCATE public.orders5m_psql'), { env: c.psqlEnv }),
    ref: () => c.timed('psql \\copy', 'psql', c.psql(`\\copy public.orders5m_psql FROM '${csv}' CSV HEADER`), c.psqlEnv),
  });

  c.run('psql', c.psql('VACUUM (ANALYZE) public.orders5m'), { env: c.psqlEnv });
  const exp = 'export 5M rows from PostgreSQL to CSV';
  c.say(exp);
  await pair(c, rows, exp, 'psql \\copy TO', {
    ferry: () => c.timed('ferry export', node, [c.ferry.bin, 'export', 'pg:public.orders5m', join(c.out, 'pg5m.csv')], c.ferry.env),
    ref: () => c.timed('psql \\copy TO', 'psql', c.psql(`\\copy public.orders5m TO '${join(c.out, 'psql5m.csv')}' CSV HEADER`), c.psqlEnv),
  });
  c.run('psql', c.psql('DROP TABLE public.orders5m, public.orders5m_psql'), { env: c.psqlEnv });
  return rows;
}

/** Ferry and the reference alternately, `runs` times each; one row of medians. */
async function pair(
  c: ScaleContext,
  rows: DbRow[],
  work: string,
  refName: string,
  steps: { ferry(): Promise<Measured>; before?(): void; ref(): Promise<Measured> },
): Promise<void> {
  const f: number[] = [];
  const r: number[] = [];
  let peak = 0;
  for (let i = 0; i < c.runs; i++) {
    const a = await steps.ferry();
    f.push(a.seconds);
    peak = Math.max(peak, a.peakMb);
    steps.before?.();
    r.push((await steps.ref()).seconds);
  }
  rows.push({ work, ferry: median(f), ref: median(r), refName, peakMb: peak });
  c.say(`  ferry ${median(f).toFixed(2)} s (peak ${peak.toFixed(0)} MB), psql ${median(r).toFixed(2)} s`);
}

/** `dst`: the header of `src` and its other lines TIMES over (made once, under a temporary name first). */
function fiveTimes(src: string, dst: string): string {
  if (existsSync(dst)) return dst;
  const text = readFileSync(src);
  const body = text.indexOf(10) + 1;
  const tmp = `${dst}.part`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, text.subarray(0, body));
    for (let i = 0; i < TIMES; i++) writeAll(fd, text.subarray(body));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, dst);
  return dst;
}

function writeAll(fd: number, b: Buffer): void {
  for (let at = 0; at < b.length; ) at += writeSync(fd, b, at, b.length - at);
}
