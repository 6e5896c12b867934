/**
 * The table benchmark (issue 9), part of `npm run bench` (alone: `npm run bench:tables`).
 *
 * 1. Conversion of 1M rows (about 100 MB of CSV, mixed types) CSV → Parquet and Parquet → CSV, local and from
 *    SFTP, through `ferry convert`, against DuckDB's own COPY ... TO of the same data in the same run (one
 *    thread, and its default), with each process's peak memory (GNU time).
 * 2. Preview of a 1 GiB CSV and a 1 GiB Parquet file (several row groups) on SFTP and on S3: the time to the
 *    first 100 rows (`ferry preview --rows 100`), less the CLI's own start-up (`ferry --version`, same run),
 *    and the bytes read, as the CLI reports them.
 *
 * Environment: BENCH_RUNS (default 3; the previews and the start-up they are measured against take at least
 * 7, as each is a fraction of a second that one busy moment of the machine moves). Writes bench/tables-results.md.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { chownSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as s3 from '../test/servers/s3';
import * as sshd from '../test/servers/sshd';
import { ensureGnuTime, measureOk, run } from './exec';
import { FerryCli } from './ferry';

const REPO = join(import.meta.dirname, '..');
const DATA = join(REPO, 'bench', '.data', 'tables');
const LOG = join(DATA, 'bench.log');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PREVIEW_RUNS = Math.max(RUNS, 7);
const say = (s: string) => process.stdout.write(s + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** 1M rows: int64, decimal(12,2), text with quotes and commas, date, UTC timestamp, boolean. */
const ROWS_SQL = (n: number) => `SELECT i::BIGINT AS id, (i * 1.37 % 100000)::DECIMAL(12,2) AS amount,
  'customer "' || (i % 9973) || '", street ' || (i % 101) AS name, DATE '2000-01-01' + (i % 9000)::INTEGER AS day,
  TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds(i * 37) AS at, i % 3 = 0 AS flag FROM range(${n}) t(i)`;

async function duck(threads?: number) {
  const con = await (await DuckDBInstance.create(':memory:')).connect();
  if (threads) await con.run(`SET threads=${threads}`);
  return con;
}

async function makeData(): Promise<Record<string, string>> {
  mkdirSync(DATA, { recursive: true });
  const f = {
    csv: join(DATA, 'rows-1m.csv'),
    parquet: join(DATA, 'rows-1m.parquet'),
    bigCsv: join(DATA, 'big-1g.csv'),
    bigParquet: join(DATA, 'big-1g.parquet'),
  };
  const con = await duck();
  // Each file is made under a temp name and renamed when whole: a run stopped mid-way must not leave a
  // short file that later runs take for the cached one.
  const make = async (path: string, copy: (to: string) => string) => {
    if (existsSync(path)) return;
    await con.run(copy(`${path}.part`));
    renameSync(`${path}.part`, path);
  };
  await make(f.csv, (to) => `COPY (${ROWS_SQL(1_000_000)}) TO '${to}' (HEADER, DELIMITER ',')`);
  await make(f.parquet, (to) => `COPY (${ROWS_SQL(1_000_000)}) TO '${to}' (FORMAT parquet, COMPRESSION snappy)`);
  await make(f.bigCsv, (to) => `COPY (${ROWS_SQL(10_500_000)}) TO '${to}' (FORMAT csv, HEADER)`);
  // Uncompressed with random-ish text, so that the Parquet file is about 1 GiB with many row groups.
  await make(f.bigParquet, (to) => `COPY (SELECT *, md5(id::VARCHAR) || md5((id * 7)::VARCHAR) AS pad FROM (${ROWS_SQL(7_000_000)})) TO '${to}' (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 500000)`);
  return f;
}

interface Row {
  work: string;
  ferry: number;
  /** CPU seconds (median): Ferry's process, and DuckDB's one thread in this process. */
  ferryCpu?: number;
  duckCpu?: number;
  refs: Record<string, number>;
  peakMb: number;
  note?: string;
}

const timed = (label: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => measureOk(label, cmd, args, { env, logFile: LOG });

async function main() {
  ensureGnuTime();
  rmSync(LOG, { force: true });
  say('Making the data (DuckDB; cached in bench/.data/tables)...');
  const f = await makeData();
  for (const [k, p] of Object.entries(f)) say(`  ${k}: ${(statSync(p).size / 2 ** 20).toFixed(0)} MiB`);
  const ferry = new FerryCli(REPO, join(DATA, 'home'));
  const out = join(DATA, 'out');
  mkdirSync(out, { recursive: true });

  say('Starting sshd and s3rver, placing the files, creating the profiles...');
  const ssh = await sshd.start();
  const s3srv = await s3.start();
  const remote = join(ssh.info.home, 'ferry-bench-tables');
  mkdirSync(remote, { recursive: true });
  for (const p of Object.values(f)) run('cp', [p, remote]);
  const uid = Number(run('id', ['-u', ssh.info.user]).trim());
  chownSync(remote, uid, uid);
  run('chown', ['-R', `${ssh.info.user}:`, remote]);
  ferry.setup(['profile', 'add', 'tsftp', '--type', 'sftp', '--host', ssh.info.host, '--port', String(ssh.info.port), '--user', ssh.info.user, '--auth', 'key', '--key', ssh.info.keys.ed25519.path]);
  ferry.setup(['--trust-host-key', ssh.info.hostKeyFingerprints.ed25519, 'ls', `tsftp:${remote}`]);
  ferry.setup(['profile', 'add', 'ts3', '--type', 's3', '--provider', 'other', '--endpoint', s3srv.info.endpoint, '--region', s3srv.info.region, '--access-key-id', s3srv.info.accessKeyId, '--secret-access-key-stdin'], s3srv.info.secretAccessKey + '\n');
  ferry.setup(['mkdir', 'ts3:/tables']);
  ferry.setup(['copy', f.bigCsv, 'ts3:/tables', '--transfers', '1']);
  ferry.setup(['copy', f.bigParquet, 'ts3:/tables', '--transfers', '1']);

  const rows: Row[] = [];
  const node = process.execPath;
  try {
    // ---- conversions ----
    const conversions = [
      { work: '1M rows CSV → Parquet, local', src: f.csv, dst: join(out, 'c.parquet'), sql: `COPY (SELECT * FROM read_csv('${f.csv}')) TO '${join(out, 'd.parquet')}' (FORMAT parquet)` },
      { work: '1M rows Parquet → CSV, local', src: f.parquet, dst: join(out, 'c.csv'), sql: `COPY (SELECT * FROM read_parquet('${f.parquet}')) TO '${join(out, 'd.csv')}' (HEADER)` },
      { work: '1M rows CSV on SFTP → Parquet, local', src: `tsftp:${remote}/rows-1m.csv`, dst: join(out, 's.parquet'), sql: `COPY (SELECT * FROM read_csv('${f.csv}')) TO '${join(out, 'd.parquet')}' (FORMAT parquet)` },
      { work: '1M rows Parquet on SFTP → CSV, local', src: `tsftp:${remote}/rows-1m.parquet`, dst: join(out, 's.csv'), sql: `COPY (SELECT * FROM read_parquet('${f.parquet}')) TO '${join(out, 'd.csv')}' (HEADER)` },
    ];
    for (const c of conversions) {
      say(c.work);
      const ferryT: number[] = [];
      const peaks: number[] = [];
      const d1: number[] = [];
      const dN: number[] = [];
      const ferryCpu: number[] = [];
      const duckCpu: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await timed('ferry convert', node, [ferry.bin, 'convert', c.src, c.dst], ferry.env);
        ferryT.push(r.seconds);
        ferryCpu.push(r.cpuSeconds);
        peaks.push(r.peakMb);
        for (const [threads, into] of [[1, d1], [0, dN]] as const) {
          const con = await duck(threads || undefined);
          const t0 = performance.now();
          const cpu0 = process.cpuUsage();
          await con.run(c.sql);
          into.push((performance.now() - t0) / 1000);
          const cpu = process.cpuUsage(cpu0);
          if (threads === 1) duckCpu.push((cpu.user + cpu.system) / 1e6);
        }
      }
      rows.push({ work: c.work, ferry: median(ferryT), ferryCpu: median(ferryCpu), duckCpu: median(duckCpu), refs: { 'DuckDB 1 thread': median(d1), 'DuckDB default': median(dN) }, peakMb: Math.max(...peaks) });
      say(`  ferry ${median(ferryT).toFixed(2)} s (peak ${Math.max(...peaks).toFixed(0)} MB), DuckDB 1 thread ${median(d1).toFixed(2)} s, default ${median(dN).toFixed(2)} s`);
    }

    // ---- previews ----
    const startup: number[] = [];
    for (let i = 0; i < PREVIEW_RUNS; i++) startup.push((await timed('ferry --version', node, [ferry.bin, '--version'], ferry.env)).seconds);
    const start = median(startup);
    say(`CLI start-up (ferry --version): ${start.toFixed(2)} s`);
    const previews = [
      { work: 'preview 100 rows of a 1 GiB CSV on SFTP', target: `tsftp:${remote}/big-1g.csv` },
      { work: 'preview 100 rows of a 1 GiB Parquet on SFTP', target: `tsftp:${remote}/big-1g.parquet` },
      { work: 'preview 100 rows of a 1 GiB CSV on S3', target: 'ts3:/tables/big-1g.csv' },
      { work: 'preview 100 rows of a 1 GiB Parquet on S3', target: 'ts3:/tables/big-1g.parquet' },
    ];
    for (const p of previews) {
      const times: number[] = [];
      let read = 0;
      let size = 0;
      let peak = 0;
      for (let i = 0; i < PREVIEW_RUNS; i++) {
        const r = await timed('ferry preview', node, [ferry.bin, 'preview', p.target, '--rows', '100', '--json'], ferry.env);
        const j = JSON.parse(r.output.slice(r.output.indexOf('{'))) as { bytesRead: number; size: number; rows: unknown[] };
        if (j.rows.length !== 100) throw new Error(`${p.work}: ${j.rows.length} rows`);
        times.push(r.seconds);
        read = j.bytesRead;
        size = j.size;
        peak = Math.max(peak, r.peakMb);
      }
      const beyond = median(times) - start;
      rows.push({ work: p.work, ferry: beyond, refs: {}, peakMb: peak, note: `${median(times).toFixed(2)} s in all; read ${(read / 2 ** 10).toFixed(0)} KiB of ${(size / 2 ** 30).toFixed(2)} GiB (${((100 * read) / size).toFixed(3)} %)` });
      say(`  ${p.work}: ${beyond.toFixed(2)} s beyond start-up; ${rows[rows.length - 1].note}`);
    }
  } finally {
    await ssh.stop();
    await s3srv.stop();
    rmSync(remote, { recursive: true, force: true });
  }

  const md = [
    `# Table benchmark (${new Date().toISOString()}, ${RUNS} runs (previews ${PREVIEW_RUNS}), medians)`,
    '',
    '| Work | Ferry (s) | DuckDB 1 thread (s) | DuckDB default (s) | Ferry / DuckDB 1 thread | Ferry CPU (s) | DuckDB 1 thread CPU (s) | CPU ratio | Peak MB | Note |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const one = r.refs['DuckDB 1 thread'];
      const all = r.refs['DuckDB default'];
      const cpu = r.ferryCpu !== undefined && r.duckCpu ? `${r.ferryCpu.toFixed(2)} | ${r.duckCpu.toFixed(2)} | ${(r.ferryCpu / r.duckCpu).toFixed(2)}×` : '– | – | –';
      return `| ${r.work} | ${r.ferry.toFixed(2)}${r.note ? ' beyond start-up' : ''} | ${one?.toFixed(2) ?? '–'} | ${all?.toFixed(2) ?? '–'} | ${one ? (r.ferry / one).toFixed(2) + '×' : '–'} | ${cpu} | ${r.peakMb.toFixed(0)} | ${r.note ?? ''} |`;
    }),
    '',
  ].join('\n');
  writeFileSync(join(REPO, 'bench', 'tables-results.md'), md);
  say('\n' + md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
