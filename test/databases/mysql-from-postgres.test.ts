import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MariadbInfo } from '../servers/mariadb';
import type { PostgresInfo } from '../servers/postgres';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * Table to table across databases, as an analyst moves a table from PostgreSQL into MySQL: one
 * `ferry load pg:… my:…`, every value as it was (exported from both sides to the same CSV).
 */
const pgInfo = server<PostgresInfo>('postgres');
const myInfo = server<MariadbInfo>('mariadb');
const home = tempDir('ferry-pg-my-');
const work = tempDir('ferry-pg-my-work-');
const run = (args: string[], stdin?: string) => ferry(args, { home: home.path, stdin });
const schema = `x${process.pid}`;
const table = `pg_src_${process.pid}`;
let db: pg.Client;

describe.skipIf(!pgInfo || !myInfo)('PostgreSQL to MySQL', () => {
  beforeAll(async () => {
    const p = pgInfo!;
    const m = myInfo!;
    db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    expect((await run(['profile', 'add', 'pg', '--type', 'postgres', '--host', p.host, '--port', String(p.port), '--database', p.database, '--user', p.user, '--password-stdin'], p.password)).code).toBe(0);
    expect((await run(['profile', 'add', 'my', '--type', 'mysql', '--host', m.host, '--port', String(m.port), '--database', m.database, '--user', m.user, '--password-stdin'], m.password)).code).toBe(0);
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.end();
    if (myInfo) {
      const m = await mysql.createConnection({ host: myInfo.host, port: myInfo.port, user: myInfo.user, password: myInfo.password, database: myInfo.database });
      await m.query(`DROP TABLE IF EXISTS \`${table}\``);
      await m.end();
    }
    home.cleanup();
    work.cleanup();
  });

  it('every column type arrives exactly', async () => {
    await db.query(`CREATE TABLE ${schema}.src (id bigint, amount numeric(38,9), at timestamptz, day date, t time, name text, flag boolean, doc json, raw bytea, f double precision)`);
    await db.query(`INSERT INTO ${schema}.src VALUES
      (-9223372036854775808, 12345678901234567890123456789.123456789, '2026-03-29 01:30:00.123456+01', '1969-07-20', '23:59:59.999999', E'tab\\there\\nnewline \\\\ back', true, '{"k": 9007199254740993}', '\\x00ff5c0a', 0.1),
      (9223372036854775807, -0.000000001, NULL, '2000-02-29', '00:00:00', '', false, '[]', '\\x', -1.5e300),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const load = await run(['load', `pg:${schema}.src`, `my:${table}`, '--mode', 'create']);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stderr).toMatch(/3 rows loaded/);
    expect((await run(['export', `pg:${schema}.src`, join(work.path, 'pg.csv')])).code).toBe(0);
    const out = await run(['export', `my:${table}`, join(work.path, 'my.csv')]);
    expect(out.code, out.stderr).toBe(0);
    const pgCsv = readFileSync(join(work.path, 'pg.csv'), 'utf8');
    expect(readFileSync(join(work.path, 'my.csv'), 'utf8')).toBe(pgCsv);
    expect(pgCsv).toContain('12345678901234567890123456789.123456789');
    // And again over it: replace swaps the new table in.
    const again = await run(['load', `pg:${schema}.src`, `my:${table}`, '--mode', 'replace']);
    expect(again.code, again.stderr).toBe(0);
  });
});
