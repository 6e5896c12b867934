import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshdInfo } from '../servers/sshd';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/** A partner's CSV on a real SFTP server loaded into a SQLite and a DuckDB file, and a table exported back to SFTP as Parquet. */
const sshd = server<SshdInfo>('sshd');

describe.skipIf(!sshd)('SQLite and DuckDB with files on SFTP', () => {
  const home = tempDir('ferry-filedb-sftp-');
  const work = tempDir('ferry-filedb-sftp-work-');
  const at = (name: string) => join(work.path, name);
  const remote = () => `${sshd!.home}/ferry-filedb-${process.pid}`;
  let trust: string[] = [];
  const run = (args: string[], stdin?: string) => ferry([...trust, ...args], { home: home.path, stdin });

  beforeAll(async () => {
    const s = sshd!;
    trust = ['--trust-host-key', Object.values(s.hostKeyFingerprints)[0]];
    expect((await run(['profile', 'add', 'partner', '--type', 'sftp', '--host', s.host, '--port', String(s.port), '--user', s.user, '--password-stdin'], s.password + '\n')).code).toBe(0);
    expect((await run(['profile', 'add', 'lite', '--type', 'sqlite', '--path', at('in.sqlite')])).code).toBe(0);
    expect((await run(['profile', 'add', 'duck', '--type', 'duckdb', '--path', at('in.duckdb')])).code).toBe(0);
    writeFileSync(at('orders.csv'), 'id,amount,day\n1,12.50,2026-03-01\n2,-0.01,1969-12-31\n3,,2026-03-03\n');
    expect((await run(['mkdir', `partner:${remote()}`])).code).toBe(0);
    const up = await run(['copy', at('orders.csv'), `partner:${remote()}/`]);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await run(['rm', '-r', `partner:${remote()}`]);
    home.cleanup();
    work.cleanup();
  });

  it('SFTP CSV → SQLite → Parquet on SFTP', async () => {
    const load = await run(['load', `partner:${remote()}/orders.csv`, 'lite:orders', '--mode', 'create']);
    expect(load.code, load.stderr).toBe(0);
    const db = new Database(at('in.sqlite'));
    expect(db.prepare('SELECT id, amount, day FROM orders ORDER BY id').all()).toEqual([
      { id: 1, amount: '12.50', day: '2026-03-01' },
      { id: 2, amount: '-0.01', day: '1969-12-31' },
      { id: 3, amount: null, day: '2026-03-03' },
    ]);
    db.close();
    const out = await run(['export', 'lite:orders', `partner:${remote()}/orders.parquet`]);
    expect(out.code, out.stderr).toBe(0);
    expect((await run(['copy', `partner:${remote()}/orders.parquet`, `${work.path}/`])).code).toBe(0);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (await duck.runAndReadAll(`SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, day::VARCHAR AS day FROM '${at('orders.parquet')}' ORDER BY id`)).getRowObjectsJson();
    // SQLite's integers are 64-bit whatever the column was declared as: they come back as int64.
    expect(rows).toEqual([
      { id: '1', amount: '12.50', day: '2026-03-01' },
      { id: '2', amount: '-0.01', day: '1969-12-31' },
      { id: '3', amount: null, day: '2026-03-03' },
    ]);
    duck.closeSync();
  });

  it('SFTP CSV → DuckDB → CSV on SFTP, the same text as the source', async () => {
    expect((await run(['load', `partner:${remote()}/orders.csv`, 'duck:orders', '--mode', 'create'])).code).toBe(0);
    const out = await run(['export', 'duck:main.orders', `partner:${remote()}/back.csv`]);
    expect(out.code, out.stderr).toBe(0);
    expect((await run(['copy', `partner:${remote()}/back.csv`, `${work.path}/`])).code).toBe(0);
    expect(readFileSync(at('back.csv'), 'utf8')).toBe(readFileSync(at('orders.csv'), 'utf8'));
  });
});
