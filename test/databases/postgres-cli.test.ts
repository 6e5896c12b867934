import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresInfo } from '../servers/postgres';
import { ferry } from '../support/cli';
import { postgresForCli } from '../support/postgres-profile';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * PostgreSQL as a user drives it from the `ferry` command, against the real server the test setup starts:
 * a profile (the password on stdin, then only in the keychain), browsing schemas and tables, the fidelity
 * file loaded into a new table and exported again with every value intact, a query to Parquet that DuckDB
 * reads, a bad row that leaves the table exactly as it was, and hostile column names that stay names.
 */
const pgInfo = server<PostgresInfo>('postgres');
const FIDELITY = join(import.meta.dirname, '..', 'table', 'fixtures', 'fidelity.csv');
const home = tempDir('ferry-pg-cli-');
const work = tempDir('ferry-pg-cli-work-');
const at = (name: string) => join(work.path, name);
const run = (args: string[], stdin?: string) => ferry(args, { home: home.path, stdin });
const schema = `t${process.pid}`;
let db: pg.Client;

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(text, values)).rows as T[];
}

describe.skipIf(!pgInfo)('PostgreSQL through the CLI', () => {
  beforeAll(async () => {
    const setup = await postgresForCli(pgInfo!, schema, run);
    db = setup.db;
    expect(setup.added.code, setup.added.stderr).toBe(0);
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.end();
    home.cleanup();
    work.cleanup();
  });

  it('the password is in the keychain, never in the store; ls shows schemas, then tables', async () => {
    // The store and its write-ahead log (a CLI command leaves the log to its exit: FerryCore exitAfterClose).
    for (const f of ['ferry.db', 'ferry.db-wal']) if (existsSync(join(home.path, f))) expect(readFileSync(join(home.path, f)).includes(Buffer.from(pgInfo!.password)), f).toBe(false);
    await sql(`CREATE TABLE ${schema}.listed (id int)`);
    const schemas = await run(['ls', 'pg:']);
    expect(schemas.code, schemas.stderr).toBe(0);
    expect(schemas.stdout.split('\n')).toEqual(expect.arrayContaining(['public/', `${schema}/`]));
    const tables = await run(['ls', '--json', `pg:${schema}`]);
    expect(tables.code, tables.stderr).toBe(0);
    expect(JSON.parse(tables.stdout)).toEqual([expect.objectContaining({ name: 'listed', path: `/${schema}/listed`, type: 'file' })]);
  });

  it('ls --long of a table shows its columns with their types, nullability and key', async () => {
    await sql(`CREATE TABLE ${schema}.described (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, note text)`);
    const long = await run(['ls', '--long', `pg:${schema}.described`]);
    expect(long.code, long.stderr).toBe(0);
    const lines = long.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^table pg:/);
    expect(lines[2]).toMatch(/^id\s+bigint\s+int64\s+not null\s+key$/);
    expect(lines[3]).toMatch(/^amount\s+numeric\(12,2\)\s+decimal\(12,2\)\s+not null$/);
    expect(lines[4]).toMatch(/^note\s+text\s+string\s+null$/);
    const json = await run(['ls', '--long', '--json', `pg:${schema}.described`]);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'table', columns: [{ name: 'id', key: true }, { name: 'amount', nullable: false }, { name: 'note', nullable: true }] });
  });

  it('the fidelity file: CSV → a new table → Parquet → a new table → CSV keeps every value', async () => {
    const load = await run(['load', FIDELITY, `pg:${schema}.fidelity`, '--mode', 'create']);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stderr).toMatch(/6 rows loaded/);
    const types = await sql<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'fidelity' ORDER BY ordinal_position`,
      [schema],
    );
    expect(types.map((t) => t.data_type)).toEqual(['bigint', 'numeric', 'timestamp with time zone', 'date', 'text', 'text', 'text', 'boolean', 'text']);
    const direct = await sql<{ id: string; amount: string; note: string | null; code: string }>(`SELECT id::text, amount::text, note, code FROM ${schema}.fidelity ORDER BY ctid`);
    expect(direct[0]).toEqual({ id: '9007199254740993', amount: '12345678901234567890123456789.123456789', note: '', code: '007' });
    expect(direct[1]).toMatchObject({ id: '-9223372036854775808', amount: '-0.000000001', note: null });

    expect((await run(['export', `pg:${schema}.fidelity`, at('pg.parquet')])).code).toBe(0);
    const back = await run(['load', at('pg.parquet'), `pg:${schema}.fidelity2`, '--mode', 'create']);
    expect(back.code, back.stderr).toBe(0);
    const out = await run(['export', `pg:${schema}.fidelity2`, at('pg.csv')]);
    expect(out.code, out.stderr).toBe(0);
    expect((await run(['convert', FIDELITY, at('direct.csv')])).code).toBe(0);
    expect(readFileSync(at('pg.csv'), 'utf8')).toBe(readFileSync(at('direct.csv'), 'utf8'));
  });

  it('a query to Parquet: DuckDB reads the same rows and exact types', async () => {
    await sql(`CREATE TABLE ${schema}.orders AS SELECT i AS id, (i * 1.25)::numeric(12,2) AS amount, DATE '2026-01-01' + i AS day FROM generate_series(1, 5000) i`);
    const r = await run(['export', 'pg:', at('big.parquet'), '--query', `SELECT * FROM ${schema}.orders WHERE id > 4000 ORDER BY id`]);
    expect(r.code, r.stderr).toBe(0);
    // Over the file of the run before: replaced, and no stray line of the plan's reason ("size differs ...").
    writeFileSync(at('big.parquet'), 'an older export');
    const again = await run(['export', 'pg:', at('big.parquet'), '--query', `SELECT * FROM ${schema}.orders WHERE id > 4000 ORDER BY id`]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/size differs/);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (await duck.runAndReadAll(`SELECT count(*)::VARCHAR AS n, sum(amount)::VARCHAR AS s, min(day)::VARCHAR AS d FROM '${at('big.parquet')}'`)).getRowObjectsJson();
    const [ref] = await sql<{ n: string; s: string; d: string }>(`SELECT count(*)::text AS n, sum(amount)::text AS s, min(day)::text AS d FROM ${schema}.orders WHERE id > 4000`);
    expect(rows[0]).toEqual(ref);
    const types = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM '${at('big.parquet')}'`)).getRowObjectsJson().map((t) => t.column_type);
    expect(types).toEqual(['INTEGER', 'DECIMAL(12,2)', 'DATE']);
  });

  it('ferry preview of a table: its columns typed, the first rows, exact values', async () => {
    await sql(`CREATE TABLE ${schema}.preview (id bigint PRIMARY KEY, amount numeric(38,9), at timestamptz, note text)`);
    await sql(`INSERT INTO ${schema}.preview SELECT i, i * 1.5, TIMESTAMPTZ '2026-03-29 00:59:59.999999+00' + i * INTERVAL '1 hour', CASE WHEN i = 2 THEN NULL WHEN i = 3 THEN '' ELSE 'n' || i END FROM generate_series(1, 300) i`);
    await sql(`INSERT INTO ${schema}.preview VALUES (9223372036854775807, 12345678901234567890123456789.123456789, NULL, 'max')`);
    const r = await run(['preview', `pg:${schema}.preview`, '--rows', '3', '--offset', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.format).toBe('table');
    expect(p.columns).toEqual([
      { name: 'id', type: 'int64' },
      { name: 'amount', type: 'decimal(38,9)' },
      { name: 'at', type: 'timestamp[us, UTC]' },
      { name: 'note', type: 'string' },
    ]);
    expect(p.rows).toEqual([
      ['2', '3.000000000', '2026-03-29T02:59:59.999999Z', null],
      ['3', '4.500000000', '2026-03-29T03:59:59.999999Z', ''],
      ['4', '6.000000000', '2026-03-29T04:59:59.999999Z', 'n4'],
    ]);
    const last = JSON.parse((await run(['preview', `pg:${schema}.preview`, '--rows', '1', '--offset', '300', '--json'])).stdout);
    expect(last.rows).toEqual([['9223372036854775807', '12345678901234567890123456789.123456789', null, 'max']]);
  });

  it('a bad row fails the whole load, names its line, and leaves the table exactly as it was', async () => {
    await sql(`CREATE TABLE ${schema}.stock (sku text, qty integer)`);
    await sql(`INSERT INTO ${schema}.stock VALUES ('kept', 1)`);
    writeFileSync(at('stock.csv'), 'sku,qty\na,1\nb,2\nc,three\nd,4\n');
    const r = await run(['load', at('stock.csv'), `pg:${schema}.stock`, '--mode', 'truncate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stock\.csv, line 4, column qty/);
    expect(r.stderr).toMatch(/three/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await sql(`SELECT sku, qty FROM ${schema}.stock`)).toEqual([{ sku: 'kept', qty: 1 }]);
  });

  it('a column the table lacks is reported before any row is written', async () => {
    await sql(`CREATE TABLE ${schema}.narrow (sku text)`);
    writeFileSync(at('wide.csv'), 'sku,colour\na,red\n');
    const r = await run(['load', at('wide.csv'), `pg:${schema}.narrow`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no column "colour"/);
    expect(await sql(`SELECT count(*)::int AS n FROM ${schema}.narrow`)).toEqual([{ n: 0 }]);
  });

  it('hostile header names become quoted column names; no other statement runs', async () => {
    await sql(`CREATE TABLE ${schema}.victim (x int)`);
    const names = [`"; DROP TABLE ${schema}.victim; --`, 'it\'s "quoted"', 'a;b', 'Ünïcode 列'];
    writeFileSync(at('hostile.csv'), `${names.map((n) => `"${n.replace(/"/g, '""')}"`).join(',')}\n1,2,3,4\n`);
    const r = await run(['load', at('hostile.csv'), `pg:${schema}.hostile`, '--mode', 'create']);
    expect(r.code, r.stderr).toBe(0);
    const cols = await sql<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'hostile' ORDER BY ordinal_position`, [schema]);
    expect(cols.map((c) => c.column_name)).toEqual(names);
    expect(await sql(`SELECT count(*)::int AS n FROM ${schema}.victim`)).toEqual([{ n: 0 }]);
    const long = await run(['load', at('hostile.csv'), `pg:${schema}.dup`, '--mode', 'create']);
    expect(long.code).toBe(0);
    const existing = await run(['load', at('hostile.csv'), `pg:${schema}.dup`, '--mode', 'create']);
    expect(existing.code).toBe(1);
    expect(existing.stderr).toMatch(/exists already/);
  });

  it('copying a file onto a database is refused at once, pointing to load', async () => {
    const r = await run(['copy', FIDELITY, `pg:${schema}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pg is a database: .*ferry load/);
  });

  it('a wrong password is an authentication error that does not show the password', async () => {
    const p = pgInfo!;
    const add = await run(['profile', 'add', 'pgbad', '--type', 'postgres', '--host', p.host, '--port', String(p.port), '--database', p.database, '--user', p.user, '--password-stdin'], 'not-the-password');
    expect(add.code).toBe(0);
    const r = await run(['ls', 'pgbad:']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/password authentication failed/);
    expect(r.stderr).not.toContain('not-the-password');
  });
});
