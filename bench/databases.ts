/**
 * The database benchmark (issue 10), part of `npm run bench` (alone: `npm run bench:databases`).
 *
 * PostgreSQL, against psql in the same run on the same server and data (the 1M-row mixed-type CSV of the
 * table benchmark: int64, decimal(12,2), quoted text, date, timestamptz, boolean):
 * - load from a local file and from SFTP: `ferry load … --mode truncate` vs `psql -c "\copy t FROM … CSV HEADER"`;
 *   and from the local file through the checked path (`--max-errors`: every cell parsed and checked by Ferry);
 * - export to CSV: `ferry export` vs `psql -c "\copy t TO … CSV HEADER"`;
 * - export to Parquet: `ferry export` vs DuckDB's COPY … TO of the same CSV data (1 thread), reported;
 * - the local load and the CSV export again at 5M rows (bench/postgres-scale.ts): fixed cost against per-row cost.
 * SQLite and DuckDB: bench/file-databases.ts.
 * MariaDB (bench/mariadb-load.ts): the same CSV loaded by `ferry load` and by `mariadb` LOAD DATA LOCAL INFILE.
 * Peak memory of each Ferry process (GNU time). Writes bench/databases-results.md;
 * `BENCH_DATABASES=mariadb` runs only the MariaDB case (into bench/databases-mariadb-results.md),
 * `BENCH_DATABASES=postgres` only the PostgreSQL ones.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as postgres from '../test/servers/postgres';
import * as sshd from '../test/servers/sshd';
import { ensureGnuTime, measureOk, run } from './exec';
import { FerryCli } from './ferry';
import { mariadbLoad } from './mariadb-load';
import { fileDatabaseRows } from './file-databases';
import { postgresScaleRows } from './postgres-scale';

const REPO = join(import.meta.dirname, '..');
const DATA = join(REPO, 'bench', '.data', 'tables');
const CSV = join(DATA, 'rows-1m.csv');
const LOG = join(DATA, 'databases.log');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const say = (s: string) => process.stdout.write(s + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  work: string;
  ferry: number;
  ref: number;
  refName: string;
  peakMb: number;
}

const timed = (label: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => measureOk(label, cmd, args, { env, logFile: LOG });

async function main() {
  ensureGnuTime();
  rmSync(LOG, { force: true });
  if (!existsSync(CSV)) throw new Error(`${CSV} is missing: run npm run bench:tables first (it makes the data)`);
  const mariadbCase = () => mariadbLoad({ repo: REPO, data: DATA, csv: CSV, log: LOG, runs: RUNS, say });
  if (process.env.BENCH_DATABASES === 'mariadb') {
    const my = await mariadbCase();
    writeResults('databases-mariadb-results.md', `MariaDB ${my.version}`, my.rows);
    return;
  }
  const pg = await postgres.start();
  const ssh = await sshd.start();
  const p = pg.info;
  const ferry = new FerryCli(REPO, join(DATA, 'db-home'));
  const out = join(DATA, 'out');
  mkdirSync(out, { recursive: true });
  const remote = join(ssh.info.home, 'ferry-bench-db');
  mkdirSync(remote, { recursive: true });
  run('cp', [CSV, remote]);
  const uid = Number(run('id', ['-u', ssh.info.user]).trim());
  chownSync(remote, uid, uid);
  run('chown', ['-R', `${ssh.info.user}:`, remote]);
  ferry.setup(['profile', 'add', 'tsftp', '--type', 'sftp', '--host', ssh.info.host, '--port', String(ssh.info.port), '--user', ssh.info.user, '--auth', 'key', '--key', ssh.info.keys.ed25519.path]);
  ferry.setup(['--trust-host-key', ssh.info.hostKeyFingerprints.ed25519, 'ls', `tsftp:${remote}`]);
  ferry.setup(['profile', 'add', 'pg', '--type', 'postgres', '--host', p.host, '--port', String(p.port), '--database', p.database, '--user', p.user, '--password-stdin'], p.password + '\n');
  const psqlEnv = { ...process.env, PGPASSWORD: p.password };
  const psql = (sql: string) => ['-X', '-q', '-h', p.host, '-p', String(p.port), '-U', p.user, '-d', p.database, '-v', 'ON_ERROR_STOP=1', '-c', sql];
  const node = process.execPath;
  const rows: Row[] = [];
  try {
    // Ferry makes the table from the file (create); psql's copy goes into one of the same columns.
    ferry.setup(['load', CSV, 'pg:public.orders', '--mode', 'create']);
    run('psql', psql('CREATE TABLE public.orders_psql (LIKE public.orders)'), { env: psqlEnv });

    const loads = [
      { work: 'load 1M rows (CSV, local) into PostgreSQL', src: CSV, args: [] as string[] },
      { work: 'load 1M rows (CSV on SFTP) into PostgreSQL', src: `tsftp:${remote}/rows-1m.csv`, args: [] },
      // The load layer's checked path: every cell parsed and checked in Ferry before PostgreSQL sees it.
      { work: 'load 1M rows (CSV, local) into PostgreSQL, checked (--max-errors)', src: CSV, args: ['--max-errors', '10', '--rejects', join(out, 'rejects.csv')] },
    ];
    for (const l of loads) {
      say(l.work);
      const f: number[] = [];
      const r: number[] = [];
      let peak = 0;
      for (let i = 0; i < RUNS; i++) {
        const a = await timed('ferry load', node, [ferry.bin, 'load', l.src, 'pg:public.orders', '--mode', 'truncate', ...l.args], ferry.env);
        f.push(a.seconds);
        peak = Math.max(peak, a.peakMb);
        run('psql', psql('TRUNCATE public.orders_psql'), { env: psqlEnv });
        r.push((await timed('psql \\copy', 'psql', psql(`\\copy public.orders_psql FROM '${CSV}' CSV HEADER`), psqlEnv)).seconds);
      }
      rows.push({ work: l.work, ferry: median(f), ref: median(r), refName: 'psql \\copy FROM (local file)', peakMb: peak });
      say(`  ferry ${median(f).toFixed(2)} s (peak ${peak.toFixed(0)} MB), psql ${median(r).toFixed(2)} s`);
    }

    // The first scan after a bulk load sets every row's hint bits (it writes the table's pages again), and
    // Ferry's export runs first: VACUUM now, so both tools read the same settled table.
    run('psql', psql('VACUUM (ANALYZE) public.orders'), { env: psqlEnv });

    say('export 1M rows from PostgreSQL to CSV');
    {
      const f: number[] = [];
      const r: number[] = [];
      let peak = 0;
      for (let i = 0; i < RUNS; i++) {
        const a = await timed('ferry export', node, [ferry.bin, 'export', 'pg:public.orders', join(out, 'pg.csv')], ferry.env);
        f.push(a.seconds);
        peak = Math.max(peak, a.peakMb);
        r.push((await timed('psql \\copy TO', 'psql', psql(`\\copy public.orders TO '${join(out, 'psql.csv')}' CSV HEADER`), psqlEnv)).seconds);
      }
      rows.push({ work: 'export 1M rows from PostgreSQL to CSV', ferry: median(f), ref: median(r), refName: 'psql \\copy TO', peakMb: peak });
      say(`  ferry ${median(f).toFixed(2)} s (peak ${peak.toFixed(0)} MB), psql ${median(r).toFixed(2)} s`);
    }

    say('export 1M rows from PostgreSQL to Parquet');
    {
      const f: number[] = [];
      const r: number[] = [];
      let peak = 0;
      for (let i = 0; i < RUNS; i++) {
        const a = await timed('ferry export', node, [ferry.bin, 'export', 'pg:public.orders', join(out, 'pg.parquet')], ferry.env);
        f.push(a.seconds);
        peak = Math.max(peak, a.peakMb);
        const con = await (await DuckDBInstance.create(':memory:')).connect();
        await con.run('SET threads=1');
        const t0 = performance.now();
        await con.run(`COPY (SELECT * FROM read_csv('${CSV}')) TO '${join(out, 'duck.parquet')}' (FORMAT parquet)`);
        r.push((performance.now() - t0) / 1000);
      }
      rows.push({ work: 'export 1M rows from PostgreSQL to Parquet', ferry: median(f), ref: median(r), refName: 'DuckDB 1 thread, CSV → Parquet', peakMb: peak });
      say(`  ferry ${median(f).toFixed(2)} s (peak ${peak.toFixed(0)} MB), DuckDB ${median(r).toFixed(2)} s`);
    }

    rows.push(...(await postgresScaleRows({ ferry, psql, psqlEnv, run, timed, csv: CSV, data: DATA, out, runs: RUNS, say })));
    rows.push(...(await fileDatabaseRows({ ferry, csv: CSV, out, runs: RUNS, timed, say })));
  } finally {
    await ssh.stop();
    await pg.stop();
    rmSync(remote, { recursive: true, force: true });
  }
  if (process.env.BENCH_DATABASES === 'postgres') return writeResults('databases-results.md', `PostgreSQL ${p.version}`, rows);
  const my = await mariadbCase();
  rows.push(...my.rows);
  writeResults('databases-results.md', `PostgreSQL ${p.version}; MariaDB ${my.version}`, rows);
}

function writeResults(file: string, servers: string, rows: Row[]): void {
  const md = [
    `# Database benchmark (${new Date().toISOString()}, ${RUNS} runs, medians; ${servers})`,
    '',
    '| Work | Ferry (s) | Reference | Reference (s) | Ferry / reference | Ferry peak MB |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.work} | ${r.ferry.toFixed(2)} | ${r.refName} | ${r.ref.toFixed(2)} | ${(r.ferry / r.ref).toFixed(2)}× | ${r.peakMb.toFixed(0)} |`),
    '',
  ].join('\n');
  writeFileSync(join(REPO, 'bench', file), md);
  say('\n' + md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
