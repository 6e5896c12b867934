/**
 * The MariaDB case of the database benchmark (bench/databases.ts): the same 1M-row CSV loaded by
 * `ferry load … --mode append` and by the mariadb client's own `LOAD DATA LOCAL INFILE` into a table of
 * the same columns, alternately in the same run, each table emptied (TRUNCATE) before, outside the clock:
 * Ferry's --mode truncate is a DELETE inside the load's transaction (MySQL's TRUNCATE commits at once), whose
 * cost grows with the rows already there, so it would measure the old table rather than the load. The reference statement converts what MariaDB cannot
 * read as it is (the `+00` of the timestamps, `true`/`false`), as a DBA would write it.
 */
import { join } from 'node:path';
import * as mariadb from '../test/servers/mariadb';
import { measureOk, run } from './exec';
import { FerryCli } from './ferry';

export interface DbRow {
  work: string;
  ferry: number;
  ref: number;
  refName: string;
  peakMb: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function mariadbLoad(opts: { repo: string; data: string; csv: string; log: string; runs: number; say(s: string): void }): Promise<{ rows: DbRow[]; version: string }> {
  const server = await mariadb.start();
  const m = server.info;
  const client = mariadb.findMariadbBin().client;
  // The password through the environment (MYSQL_PWD), never argv.
  const env = { ...process.env, MYSQL_PWD: m.password };
  const args = (sqlText: string) => ['--no-defaults', '--local-infile=1', '-h', m.host, '-P', String(m.port), '-u', m.user, m.database, '-e', sqlText];
  const sql = (text: string) => run(client, args(text), { env });
  const ferry = new FerryCli(opts.repo, join(opts.data, 'db-home-mariadb'));
  try {
    ferry.setup(['profile', 'add', 'my', '--type', 'mysql', '--host', m.host, '--port', String(m.port), '--database', m.database, '--user', m.user, '--password-stdin'], m.password + '\n');
    ferry.setup(['load', opts.csv, 'my:orders', '--mode', 'create']);
    sql('CREATE TABLE orders_ref LIKE orders');
    const load =
      `LOAD DATA LOCAL INFILE '${opts.csv}' INTO TABLE orders_ref CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ` +
      `IGNORE 1 LINES (id, amount, name, day, @at, @flag) SET at = SUBSTRING_INDEX(@at, '+', 1), flag = (@flag = 'true')`;
    const work = 'load 1M rows (CSV, local) into MariaDB';
    opts.say(work);
    const f: number[] = [];
    const r: number[] = [];
    let peak = 0;
    for (let i = 0; i < opts.runs; i++) {
      sql('TRUNCATE orders');
      const a = await measureOk('ferry load', process.execPath, [ferry.bin, 'load', opts.csv, 'my:orders', '--mode', 'append'], { env: ferry.env, logFile: opts.log });
      f.push(a.seconds);
      peak = Math.max(peak, a.peakMb);
      sql('TRUNCATE orders_ref');
      r.push((await measureOk('mariadb LOAD DATA', client, args(load), { env, logFile: opts.log })).seconds);
    }
    // Both loaded the same rows.
    const check = (t: string) => sql(`SELECT count(*), sum(id), sum(amount), sum(flag), max(at), min(day) FROM ${t}`);
    if (check('orders') !== check('orders_ref')) throw new Error(`ferry and LOAD DATA loaded different rows: ${check('orders')} vs ${check('orders_ref')}`);
    opts.say(`  ferry ${median(f).toFixed(2)} s (peak ${peak.toFixed(0)} MB), mariadb ${median(r).toFixed(2)} s`);
    return { rows: [{ work, ferry: median(f), ref: median(r), refName: 'mariadb LOAD DATA LOCAL INFILE', peakMb: peak }], version: m.version };
  } finally {
    await server.stop();
  }
}
