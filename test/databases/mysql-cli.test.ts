import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMariadbBin, type MariadbInfo } from '../servers/mariadb';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * MySQL/MariaDB as a user drives it from the `ferry` command, against the real MariaDB the test setup
 * starts: a profile (the password on stdin, then only in the keychain), browsing databases and tables,
 * every column type exported exactly, the fidelity file through a table and Parquet and back, every load
 * mode, bad rows that leave the table exactly as it was and name their line, hostile header names.
 */
const info = server<MariadbInfo>('mariadb');
const FIDELITY = join(import.meta.dirname, '..', 'table', 'fixtures', 'fidelity.csv');
const home = tempDir('ferry-my-cli-');
const work = tempDir('ferry-my-cli-work-');
const at = (name: string) => join(work.path, name);
const run = (args: string[], stdin?: string) => ferry(args, { home: home.path, stdin });
const dbName = `t${process.pid}`;
let db: mysql.Connection;

/** As root over the server's private socket (what the ferry user may not do: grants, global settings). */
function asRoot(sql: string): string {
  return execFileSync(findMariadbBin().client, ['--no-defaults', `--socket=${info!.socket}`, '-u', 'root', '--batch', '-e', sql], { encoding: 'utf8' });
}

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(text, values))[0] as T[];
}

const count = async (table: string) => Number((await sql<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0].n);

describe.skipIf(!info)('MySQL/MariaDB through the CLI', () => {
  beforeAll(async () => {
    const p = info!;
    asRoot(`CREATE DATABASE ${dbName} CHARACTER SET utf8mb4; GRANT ALL PRIVILEGES ON ${dbName}.* TO '${p.user}'@'127.0.0.1'`);
    db = await mysql.createConnection({ host: p.host, port: p.port, user: p.user, password: p.password, database: dbName, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, timezone: 'Z' });
    await db.query("SET time_zone = '+00:00'");
    const add = await run(['profile', 'add', 'my', '--type', 'mysql', '--host', p.host, '--port', String(p.port), '--database', dbName, '--user', p.user, '--password-stdin'], p.password);
    expect(add.code, add.stderr).toBe(0);
  });

  afterAll(async () => {
    await db?.end();
    if (info) asRoot(`DROP DATABASE IF EXISTS ${dbName}`);
    home.cleanup();
    work.cleanup();
  });

  it('the password is in the keychain, never in the store; ls shows databases, then tables with their size', async () => {
    // The store and its write-ahead log (a CLI command leaves the log to its exit: FerryCore exitAfterClose).
    for (const f of ['ferry.db', 'ferry.db-wal']) if (existsSync(join(home.path, f))) expect(readFileSync(join(home.path, f)).includes(Buffer.from(info!.password)), f).toBe(false);
    await sql('CREATE TABLE listed (id int PRIMARY KEY, note varchar(20) NOT NULL)');
    await sql("CREATE VIEW listed_v AS SELECT id FROM listed");
    const dbs = await run(['ls', 'my:']);
    expect(dbs.code, dbs.stderr).toBe(0);
    expect(dbs.stdout.split('\n')).toEqual(expect.arrayContaining([`${dbName}/`, 'ferry/']));
    expect(dbs.stdout).not.toMatch(/information_schema|performance_schema|^mysql\//m);
    const tables = await run(['ls', '--json', `my:${dbName}`]);
    expect(tables.code, tables.stderr).toBe(0);
    const entries = JSON.parse(tables.stdout);
    expect(entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'listed', path: `/${dbName}/listed`, type: 'file', size: expect.any(Number) }),
      expect.objectContaining({ name: 'listed_v', type: 'file' }),
    ]));
    expect(entries.find((e: { name: string }) => e.name === 'listed').size).toBeGreaterThan(0);
    const missing = await run(['ls', 'my:nosuchdb']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No database "nosuchdb"/);
  });

  it('every MySQL type is exported exactly: preview values and Parquet that DuckDB reads back', async () => {
    await sql(`CREATE TABLE types (
      i int, ti tinyint, b tinyint(1), si smallint unsigned, ui int unsigned, bi bigint, ubi bigint unsigned,
      d decimal(38,9), d2 decimal(5,2) unsigned, f double, dt datetime(6), ts timestamp(6) NULL, day date, t time(6), y year,
      j json, bl blob, vb varbinary(8), bt bit(10), b1 bit(1), e enum('a','b'), st set('x','y'), s varchar(40), tx text)`);
    await sql(`INSERT INTO types VALUES
      (-2147483648, -128, 1, 65535, 4294967295, -9223372036854775808, 18446744073709551615,
       12345678901234567890123456789.123456789, 999.99, 0.1, '1969-07-20 20:17:40.000001', '2038-01-19 03:14:07.999999', '1000-01-01', '23:59:59.5', 1901,
       '{"big": 9007199254740993, "b": [1, 2]}', X'00FF10', X'CAFE', b'1000000001', b'1', 'b', 'x,y', 'Crème brûlée 🚀', 'a\\tb\\nc'),
      (2147483647, 127, 0, 0, 0, 9223372036854775807, 0,
       -99999999999999999999999999999.999999999, 0.00, -1.5e300, '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '1600-03-01', '00:00:00', 2155,
       '[]', X'', X'', b'0', b'0', 'a', '', '', NULL),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const r = await run(['preview', `my:${dbName}.types`, '--json', '--rows', '10']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.columns.map((c: { type: string }) => c.type)).toEqual([
      'int32', 'int32', 'boolean', 'int32', 'int64', 'int64', 'decimal(20,0)', 'decimal(38,9)', 'decimal(5,2)', 'float64',
      'timestamp[us]', 'timestamp[us, UTC]', 'date', 'time[us]', 'int32', 'json', 'binary', 'binary', 'int64', 'boolean', 'string', 'string', 'string', 'string',
    ]);
    expect(p.rows[0]).toEqual([
      -2147483648, -128, true, 65535, '4294967295', '-9223372036854775808', '18446744073709551615', '12345678901234567890123456789.123456789', '999.99', 0.1,
      '1969-07-20T20:17:40.000001', '2038-01-19T03:14:07.999999Z', '1000-01-01', '23:59:59.5', 1901, '{"big": 9007199254740993, "b": [1, 2]}',
      Buffer.from([0, 255, 16]).toString('base64'), Buffer.from([0xca, 0xfe]).toString('base64'), '513', true, 'b', 'x,y', 'Crème brûlée 🚀', 'a\tb\nc',
    ]);
    expect(p.rows[1]).toEqual([
      2147483647, 127, false, 0, '0', '9223372036854775807', '0', '-99999999999999999999999999999.999999999', '0.00', -1.5e300,
      '9999-12-31T23:59:59.999999', '1970-01-01T00:00:01Z', '1600-03-01', '00:00:00', 2155, '[]', '', '', '0', false, 'a', '', '', null,
    ]);
    expect(p.rows[2].every((v: unknown) => v === null)).toBe(true);

    const out = await run(['export', `my:${dbName}.types`, at('types.parquet')]);
    expect(out.code, out.stderr).toBe(0);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (await duck.runAndReadAll(`SELECT bi::VARCHAR AS bi, ubi::VARCHAR AS ubi, d::VARCHAR AS d, dt::VARCHAR AS dt, ts::VARCHAR AS ts, day::VARCHAR AS day, j, hex(bl) AS bl FROM '${at('types.parquet')}'`)).getRowObjectsJson();
    expect(rows[0]).toEqual({
      bi: '-9223372036854775808', ubi: '18446744073709551615', d: '12345678901234567890123456789.123456789', dt: '1969-07-20 20:17:40.000001',
      ts: '2038-01-19 03:14:07.999999+00', day: '1000-01-01', j: '{"big": 9007199254740993, "b": [1, 2]}', bl: '00FF10',
    });
    const types = (await duck.runAndReadAll(`DESCRIBE SELECT bi, ubi, d, dt, ts, day FROM '${at('types.parquet')}'`)).getRowObjectsJson().map((t) => t.column_type);
    expect(types).toEqual(['BIGINT', 'DECIMAL(20,0)', 'DECIMAL(38,9)', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'DATE']);
  });

  it("a zero date is refused on export with its row and column, and no file is left", async () => {
    await sql("SET SESSION sql_mode = ''");
    await sql('CREATE TABLE zero (id int, day date)');
    await sql("INSERT INTO zero VALUES (1, '2024-01-01'), (2, '0000-00-00')");
    await sql("SET SESSION sql_mode = DEFAULT");
    const r = await run(['export', 'my:zero', at('zero.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row 2, column 'day': "0000-00-00" is not a real date/);
    expect(() => readFileSync(at('zero.csv'))).toThrow();
  });

  it('the fidelity file: CSV → a new table → Parquet → a new table → CSV keeps every value', async () => {
    const load = await run(['load', FIDELITY, 'my:fidelity', '--mode', 'create']);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stderr).toMatch(/6 rows loaded/);
    const types = await sql<{ t: string }>(`SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'fidelity' ORDER BY ORDINAL_POSITION`, [dbName]);
    expect(types.map((t) => t.t)).toEqual(['bigint(20)', 'decimal(38,9)', 'timestamp(6)', 'date', 'longtext', 'longtext', 'longtext', 'tinyint(1)', 'longtext']);
    const direct = await sql<{ id: string; amount: string; at: string; note: string | null; code: string }>('SELECT id, amount, at, note, code FROM fidelity ORDER BY id = 9007199254740993 DESC, id');
    expect(direct[0]).toEqual({ id: '9007199254740993', amount: '12345678901234567890123456789.123456789', at: '2026-03-29 00:59:59.999999', note: '', code: '007' });
    expect(direct[1]).toMatchObject({ id: '-9223372036854775808', amount: '-0.000000001', at: '2026-03-29 01:00:00.000000', note: null });

    expect((await run(['export', 'my:fidelity', at('my.parquet')])).code).toBe(0);
    const back = await run(['load', at('my.parquet'), 'my:fidelity2', '--mode', 'create']);
    expect(back.code, back.stderr).toBe(0);
    const out = await run(['export', 'my:fidelity2', at('my.csv')]);
    expect(out.code, out.stderr).toBe(0);
    expect((await run(['convert', FIDELITY, at('direct.csv')])).code).toBe(0);
    expect(readFileSync(at('my.csv'), 'utf8')).toBe(readFileSync(at('direct.csv'), 'utf8'));
  });

  it('load modes: append, truncate, replace and upsert change the table as asked', async () => {
    writeFileSync(at('m1.csv'), 'sku,qty\na,1\nb,2\n');
    writeFileSync(at('m2.csv'), 'sku,qty\nb,20\nc,30\n');
    expect((await run(['load', at('m1.csv'), 'my:modes', '--mode', 'create'])).code).toBe(0);
    expect((await run(['load', at('m2.csv'), `my:${dbName}.modes`, '--mode', 'append'])).code).toBe(0);
    expect(await sql('SELECT sku, qty FROM modes ORDER BY sku, qty')).toEqual([{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }, { sku: 'b', qty: 20 }, { sku: 'c', qty: 30 }]);
    expect((await run(['load', at('m2.csv'), 'my:modes', '--mode', 'truncate'])).code).toBe(0);
    expect(await sql('SELECT sku, qty FROM modes ORDER BY sku')).toEqual([{ sku: 'b', qty: 20 }, { sku: 'c', qty: 30 }]);

    writeFileSync(at('m3.csv'), 'sku,price\nz,1.25\n');
    const replaced = await run(['load', at('m3.csv'), 'my:modes', '--mode', 'replace']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(await sql('SELECT * FROM modes')).toEqual([{ sku: 'z', price: '1.25' }]);

    await sql('CREATE TABLE keyed (sku varchar(10) PRIMARY KEY, qty int, note varchar(10) DEFAULT \'kept\')');
    await sql("INSERT INTO keyed VALUES ('a', 1, 'old'), ('b', 2, 'old')");
    const up = await run(['load', at('m2.csv'), 'my:keyed', '--mode', 'upsert']);
    expect(up.code, up.stderr).toBe(0);
    expect(await sql('SELECT * FROM keyed ORDER BY sku')).toEqual([
      { sku: 'a', qty: 1, note: 'old' },
      { sku: 'b', qty: 20, note: 'old' },
      { sku: 'c', qty: 30, note: 'kept' },
    ]);
    // LOAD DATA LOCAL skips a duplicate key with a warning; Ferry fails the load on it instead.
    const dupKey = await run(['load', at('m2.csv'), 'my:keyed', '--mode', 'append']);
    expect(dupKey.code).toBe(1);
    expect(dupKey.stderr).toMatch(/Duplicate entry 'b'/);
    expect(await count('keyed')).toBe(3);
    // No temp table is left behind by any mode.
    expect(await sql(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'ferry\\_%'`, [dbName])).toEqual([]);

    await sql('CREATE TABLE unkeyed (sku varchar(10), qty int)');
    const noKey = await run(['load', at('m2.csv'), 'my:unkeyed', '--mode', 'upsert']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/has no primary key/);
  });

  it('bad rows fail the whole load, name their line, and leave the table exactly as it was', async () => {
    await sql('CREATE TABLE stock (sku varchar(20), qty int, day date)');
    await sql("INSERT INTO stock VALUES ('kept', 1, '2024-01-01')");
    const cases: [string, string | Buffer, RegExp][] = [
      ['text in an integer column', 'sku,qty,day\na,1,2024-01-01\nb,2,2024-01-02\nc,three,2024-01-03\nd,4,2024-01-04\n', /line 4, column qty.*three/],
      ['too many fields', 'sku,qty,day\na,1,2024-01-01\nb,2,2024-01-02,extra\n', /line 3/],
      ['a date that does not exist', 'sku,qty,day\na,1,2024-01-01\nb,2,2023-02-30\n', /line 3, column day: Data truncated/],
      // Windows-1252 (é as one byte) is re-encoded by Ferry, not passed through: the reader's own check names the line.
      ['too many fields, re-encoded', Buffer.from('sku,qty,day\ncaf\xe9,1,2024-01-01\nb,2,2024-01-02,extra\n', 'latin1'), /line 3: 4 fields where the header has 3/],
      // Past the 256 KiB the reader sniffs (as UTF-8, from the é before): a sniffed Latin-1 file would be valid.
      ['invalid UTF-8', Buffer.concat([Buffer.from(`sku,qty,day\n${'é,1,2024-01-01\n'.repeat(20000)}b`), Buffer.from([0xff, 0xfe]), Buffer.from(',2,2024-01-02\n')]), /line 20002, column sku: Incorrect string value/],
    ];
    for (const [what, content, message] of cases) {
      writeFileSync(at('bad.csv'), content);
      const r = await run(['load', at('bad.csv'), 'my:stock', '--mode', 'truncate']);
      expect(r.code, what).toBe(1);
      expect(r.stderr, what).toMatch(message);
      expect(r.stderr, what).not.toMatch(/\n\s+at /);
      expect(await sql('SELECT sku, qty, day FROM stock'), what).toEqual([{ sku: 'kept', qty: 1, day: '2024-01-01' }]);
    }
    // A new table from a bad file is not left behind, under its name or a temp one.
    writeFileSync(at('bad-new.csv'), 'sku,day\na,2024-01-01\nb,2024-01-02\n');
    await sql('CREATE TABLE narrow (sku varchar(1), day date)');
    writeFileSync(at('long.csv'), 'sku,day\na,2024-01-01\ntoo long,2024-01-02\n');
    const long = await run(['load', at('long.csv'), 'my:narrow']);
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/line 3, column sku/);
    expect(await count('narrow')).toBe(0);
    expect(await sql(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'ferry\\_%'`, [dbName])).toEqual([]);
  });

  it('a failed replace keeps the old table; a failed create leaves no table', async () => {
    await sql('CREATE TABLE old (x int)');
    await sql('INSERT INTO old VALUES (7)');
    // A zoned timestamp goes to TIMESTAMP, whose range ends in 2038: the load fails on line 3.
    writeFileSync(at('late.csv'), 'at\n2030-01-01T00:00:00Z\n2099-01-01T00:00:00Z\n');
    const r = await run(['load', at('late.csv'), 'my:old', '--mode', 'replace']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 3, column at/);
    expect(await sql('SELECT x FROM old')).toEqual([{ x: 7 }]);
    const c = await run(['load', at('late.csv'), 'my:never', '--mode', 'create']);
    expect(c.code).toBe(1);
    expect(await sql(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND (TABLE_NAME = 'never' OR TABLE_NAME LIKE 'ferry\\_%')`, [dbName])).toEqual([]);
  });

  it('hostile header names become quoted column names, or are refused clearly; no other statement runs', async () => {
    await sql('CREATE TABLE victim (x int)');
    const names = ['"; DROP TABLE victim; --', 'it\'s "quoted"', 'back`tick', 'a;b', 'Ünïcode 列'];
    writeFileSync(at('hostile.csv'), `${names.map((n) => `"${n.replace(/"/g, '""')}"`).join(',')}\n1,2,3,4,5\n`);
    const r = await run(['load', at('hostile.csv'), 'my:hostile', '--mode', 'create']);
    expect(r.code, r.stderr).toBe(0);
    const cols = await sql<{ c: string }>(`SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'hostile' ORDER BY ORDINAL_POSITION`, [dbName]);
    expect(cols.map((c) => c.c)).toEqual(names);
    expect(await sql('SELECT * FROM hostile')).toEqual([Object.fromEntries(names.map((n, i) => [n, i + 1]))]);
    expect(await count('victim')).toBe(0);

    writeFileSync(at('long-name.csv'), `${'x'.repeat(200)},b\n1,2\n`);
    const long = await run(['load', at('long-name.csv'), 'my:longname', '--mode', 'create']);
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/longer than MySQL's 64 characters/);
    // Duplicates (MySQL compares column names case-insensitively) are told apart by the reader, as it says.
    writeFileSync(at('dup.csv'), 'Id,id\n1,2\n');
    const dup = await run(['load', at('dup.csv'), 'my:dup', '--mode', 'create']);
    expect(dup.code, dup.stderr).toBe(0);
    expect(await sql('SELECT * FROM dup')).toEqual([{ Id: 1, id_2: 2 }]);
    const existing = await run(['load', at('hostile.csv'), 'my:hostile', '--mode', 'create']);
    expect(existing.code).toBe(1);
    expect(existing.stderr).toMatch(/exists already/);
  });

  it('export of PROFILE:table and of a query; a bad value from Parquet names its row', async () => {
    await sql('CREATE TABLE q (id int PRIMARY KEY, v varchar(10))');
    await sql("INSERT INTO q VALUES (1, 'one'), (2, NULL), (3, '')");
    const t = await run(['export', 'my:q', at('q.csv')]);
    expect(t.code, t.stderr).toBe(0);
    expect(readFileSync(at('q.csv'), 'utf8')).toBe('id,v\n1,one\n2,\n3,""\n');
    const r = await run(['export', 'my:', at('q.ndjson'), '--query', 'SELECT id * 2 AS twice FROM q WHERE v IS NOT NULL ORDER BY id']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(at('q.ndjson'), 'utf8')).toBe('{"twice":2}\n{"twice":6}\n');
    const dml = await run(['export', 'my:', at('x.csv'), '--query', 'DELETE FROM q']);
    expect(dml.code).toBe(1);
    expect(await count('q')).toBe(3);

    // A Parquet file re-encoded into LOAD DATA's own form: the server's row becomes the file's row.
    writeFileSync(at('pq.csv'), 'id,v\n10,ten\n11,this is too long for varchar(10)\n');
    expect((await run(['convert', at('pq.csv'), at('pq.parquet')])).code).toBe(0);
    const bad = await run(['load', at('pq.parquet'), 'my:q']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/pq\.parquet, line 1, column v: Data truncated/);
    expect(await count('q')).toBe(3);
  });

  it('TLS required against a server without TLS fails as a TLS error before any password is sent', async () => {
    const p = info!;
    const add = await run(['profile', 'add', 'mytls', '--type', 'mysql', '--host', p.host, '--port', String(p.port), '--database', dbName, '--user', p.user, '--tls', 'verify', '--password-stdin'], p.password);
    expect(add.code, add.stderr).toBe(0);
    const r = await run(['ls', 'mytls:']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/secure connection|SSL|TLS/i);
  });

  it('a wrong password is an authentication error that does not show the password', async () => {
    const p = info!;
    const add = await run(['profile', 'add', 'mybad', '--type', 'mysql', '--host', p.host, '--port', String(p.port), '--database', dbName, '--user', p.user, '--password-stdin'], 'not-the-password');
    expect(add.code).toBe(0);
    const r = await run(['ls', 'mybad:']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Access denied/);
    expect(r.stderr).not.toContain('not-the-password');
  });
});
