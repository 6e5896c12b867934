/**
 * SQLite and DuckDB in the database benchmark (issue 10): the same 1M-row mixed-type CSV as PostgreSQL's
 * cases, through `ferry`, against each database's own tool in the same run:
 * - SQLite load: `ferry load … --mode truncate` vs the sqlite3 shell's `.import` (CSV mode, into a new table);
 * - DuckDB load: `ferry load` vs DuckDB's own `COPY t FROM 'file.csv'`;
 * - Parquet export of the loaded table: `ferry export` vs DuckDB's `COPY … TO (FORMAT parquet)` (for SQLite
 *   from the same CSV data: DuckDB's sqlite extension cannot be installed here).
 * DuckDB runs with its default threads (2 on the benchmark machine). Called by bench/databases.ts; alone:
 * `bash scripts/with-keyring.sh node --import tsx bench/file-databases.ts` (needs bench/.data/tables/rows-1m.csv).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureGnuTime, measureOk, type Measured } from './exec';
import { FerryCli } from './ferry';

export interface FileDbRow {
  work: string;
  ferry: number;
  ref: number;
  refName: string;
  peakMb: number;
}

interface Context {
  ferry: FerryCli;
  csv: string;
  out: string;
  runs: number;
  timed(label: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Measured>;
  say(s: string): void;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds of DuckDB's own work on a database file (opened and closed around it, so Ferry can open the file after). */
async function duck(file: string, sql: string): Promise<number> {
  const instance = await DuckDBInstance.create(file);
  try {
    const con = await instance.connect();
    const t0 = performance.now();
    await con.run(sql);
    const s = (performance.now() - t0) / 1000;
    con.closeSync();
    return s;
  } finally {
    instance.closeSync();
  }
}

export async function fileDatabaseRows(c: Context): Promise<FileDbRow[]> {
  const { ferry, csv, out, runs } = c;
  const node = process.execPath;
  const lite = join(out, 'bench.sqlite');
  const duckFile = join(out, 'bench.duckdb');
  const liteRef = join(out, 'ref.sqlite');
  const duckRef = join(out, 'ref.duckdb');
  for (const f of [lite, duckFile, liteRef, duckRef]) rmSync(f, { force: true });
  ferry.setup(['profile', 'add', 'lite', '--type', 'sqlite', '--path', lite]);
  ferry.setup(['profile', 'add', 'duck', '--type', 'duckdb', '--path', duckFile]);
  ferry.setup(['load', csv, 'lite:orders', '--mode', 'create']);
  ferry.setup(['load', csv, 'duck:orders', '--mode', 'create']);
  await duck(duckRef, `CREATE TABLE orders AS SELECT * FROM read_csv('${csv}') LIMIT 0`);

  const rows: FileDbRow[] = [];
  const measure = async (work: string, refName: string, ferryArgs: string[], ref: () => Promise<number>) => {
    c.say(work);
    const f: number[] = [];
    const r: number[] = [];
    let peak = 0;
    for (let i = 0; i < runs; i++) {
      const a = await c.timed(`ferry ${ferryArgs[0]}`, node, [ferry.bin, ...ferryArgs], ferry.env);
      f.push(a.seconds);
      peak = Math.max(peak, a.peakMb);
      r.push(await ref());
    }
    rows.push({ work, ferry: median(f), ref: median(r), refName, peakMb: peak });
    c.say(`  ferry ${median(f).toFixed(2)} s (peak ${peak.toFixed(0)} MB), ${refName} ${median(r).toFixed(2)} s`);
  };

  await measure('load 1M rows (CSV, local) into SQLite', 'sqlite3 .import (CSV mode, new table)', ['load', csv, 'lite:orders', '--mode', 'truncate'], async () => {
    rmSync(liteRef, { force: true });
    return (await c.timed('sqlite3 .import', 'sqlite3', [liteRef, '-cmd', '.mode csv', `.import '${csv}' orders`])).seconds;
  });
  await measure('load 1M rows (CSV, local) into DuckDB', "DuckDB COPY FROM 'file.csv'", ['load', csv, 'duck:orders', '--mode', 'truncate'], async () => {
    await duck(duckRef, 'DELETE FROM orders');
    return duck(duckRef, `COPY orders FROM '${csv}' (HEADER)`);
  });
  await measure('export 1M rows from SQLite to Parquet', 'DuckDB COPY of the same CSV data TO Parquet', ['export', 'lite:orders', join(out, 'lite.parquet')], () =>
    duck(':memory:', `COPY (SELECT * FROM read_csv('${csv}')) TO '${join(out, 'ref-lite.parquet')}' (FORMAT parquet)`),
  );
  await measure('export 1M rows from DuckDB to Parquet', 'DuckDB COPY orders TO Parquet', ['export', 'duck:orders', join(out, 'duck.parquet')], () =>
    duck(duckRef, `COPY orders TO '${join(out, 'ref-duck.parquet')}' (FORMAT parquet)`),
  );
  return rows;
}

if (process.argv[1]?.endsWith('file-databases.ts')) {
  const repo = join(import.meta.dirname, '..');
  const data = join(repo, 'bench', '.data', 'tables');
  const out = join(data, 'out-filedb');
  mkdirSync(out, { recursive: true });
  ensureGnuTime();
  const say = (s: string) => process.stdout.write(s + '\n');
  fileDatabaseRows({
    ferry: new FerryCli(repo, join(data, 'filedb-home')),
    csv: join(data, 'rows-1m.csv'),
    out,
    runs: Number(process.env.BENCH_RUNS ?? 3),
    timed: (label, cmd, args, env) => measureOk(label, cmd, args, { env, logFile: join(data, 'file-databases.log') }),
    say,
  })
    .then((rows) => {
      say('\n| Work | Ferry (s) | Reference | Reference (s) | Ferry / reference | Ferry peak MB |\n|---|---|---|---|---|---|');
      for (const r of rows) say(`| ${r.work} | ${r.ferry.toFixed(2)} | ${r.refName} | ${r.ref.toFixed(2)} | ${(r.ferry / r.ref).toFixed(2)}× | ${r.peakMb.toFixed(0)} |`);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
