import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from '../support/cli';
import { tempDir } from '../support/temp';

/**
 * SQLite and DuckDB as a user drives them from the `ferry` command: a profile naming a database file,
 * browsing, the fidelity file through a table and Parquet and back, every load mode, bad rows that leave
 * the table exactly as it was and name their line, and hostile header names that stay names. No server:
 * the database is a file, and the test reads it with the database's own library after each command.
 */
const FIDELITY = join(import.meta.dirname, '..', 'table', 'fixtures', 'fidelity.csv');

type Row = Record<string, unknown>;
interface Kind {
  type: 'sqlite' | 'duckdb';
  file: string;
  /** Runs SQL on the file directly (opened and closed each time: DuckDB lets one process hold it). */
  sql(file: string, text: string): Promise<Row[]>;
  /** The declared/column types of a table, in order. */
  types(file: string, table: string): Promise<string[]>;
}

const sqlite: Kind = {
  type: 'sqlite',
  file: 'shop.sqlite',
  async sql(file, text) {
    const db = new Database(file);
    try {
      const stmt = db.prepare(text);
      return stmt.reader ? (stmt.all() as Row[]) : (stmt.run(), []);
    } finally {
      db.close();
    }
  },
  async types(file, table) {
    return (await this.sql(file, `SELECT type FROM pragma_table_info('${table}')`)).map((r) => String(r.type));
  },
};

const duckdb: Kind = {
  type: 'duckdb',
  file: 'shop.duckdb',
  async sql(file, text) {
    const instance = await DuckDBInstance.create(file);
    try {
      const conn = await instance.connect();
      const rows = (await conn.runAndReadAll(text)).getRowObjectsJson() as Row[];
      conn.closeSync();
      return rows;
    } finally {
      instance.closeSync();
    }
  },
  async types(file, table) {
    return (await this.sql(file, `SELECT data_type FROM duckdb_columns() WHERE table_name = '${table}' ORDER BY column_index`)).map((r) => String(r.data_type));
  },
};

describe.each([sqlite, duckdb])('$type through the CLI', (kind) => {
  const home = tempDir(`ferry-${kind.type}-cli-`);
  const work = tempDir(`ferry-${kind.type}-work-`);
  const at = (name: string) => join(work.path, name);
  const db = at(kind.file);
  const run = (args: string[]) => ferry(args, { home: home.path });
  const sql = (text: string) => kind.sql(db, text);
  const csv = (name: string, text: string | Buffer) => (writeFileSync(at(name), text), at(name));

  beforeAll(async () => {
    const add = await run(['profile', 'add', 'db', '--type', kind.type, '--path', db]);
    expect(add.code, add.stderr).toBe(0);
  });
  afterAll(() => {
    home.cleanup();
    work.cleanup();
  });

  it('a missing file is refused for browsing and exports and made by a load; ls shows schemas, then tables', async () => {
    const ls = await run(['ls', 'db:']);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain(`The database file ${db} of db does not exist`);
    const exp = await run(['export', 'db:main.nothing', at('nothing.csv')]);
    expect(exp.code).toBe(1);
    expect(existsSync(db)).toBe(false);

    const load = await run(['load', csv('first.csv', 'id,name\n1,a\n'), 'db:first', '--mode', 'create']);
    expect(load.code, load.stderr).toBe(0);
    expect(await sql('SELECT * FROM main.first')).toEqual([{ id: 1, name: 'a' }]);
    const schemas = await run(['ls', 'db:']);
    expect(schemas.stdout.split('\n')).toContain('main/');
    const tables = await run(['ls', '--json', 'db:main']);
    expect(tables.code, tables.stderr).toBe(0);
    expect(JSON.parse(tables.stdout)).toEqual([expect.objectContaining({ name: 'first', path: '/main/first', type: 'file' })]);
  });

  it('the fidelity file: CSV → a new table → Parquet → a new table → CSV keeps every value; DuckDB reads the Parquet exactly', async () => {
    const load = await run(['load', FIDELITY, 'db:fidelity', '--mode', 'create']);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stderr).toMatch(/6 rows loaded/);
    expect(await kind.types(db, 'fidelity')).toEqual(
      kind.type === 'sqlite'
        ? ['BIGINT', 'DECIMAL_TEXT(38,9)', 'TIMESTAMPTZ', 'DATE', 'TEXT', 'TEXT', 'TEXT', 'BOOLEAN', 'TEXT']
        : ['BIGINT', 'DECIMAL(38,9)', 'TIMESTAMP WITH TIME ZONE', 'DATE', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BOOLEAN', 'VARCHAR'],
    );

    const parquet = at(`${kind.type}.parquet`);
    expect((await run(['export', 'db:main.fidelity', parquet])).code).toBe(0);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const described = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM '${parquet}'`)).getRowObjectsJson().map((r) => r.column_type);
    expect(described).toEqual(['BIGINT', 'DECIMAL(38,9)', 'TIMESTAMP WITH TIME ZONE', 'DATE', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BOOLEAN', 'VARCHAR']);
    const rows = (await duck.runAndReadAll(`SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, epoch_us("at")::VARCHAR AS at, day::VARCHAR AS day, note FROM '${parquet}'`)).getRowObjectsJson();
    expect(rows[0]).toEqual({ id: '9007199254740993', amount: '12345678901234567890123456789.123456789', at: String(Date.UTC(2026, 2, 29, 0, 59, 59) * 1000 + 999999), day: '1901-12-13', note: '' });
    expect(rows[1]).toMatchObject({ id: '-9223372036854775808', amount: '-0.000000001', day: '1969-07-20', note: null });
    duck.closeSync();

    const back = await run(['load', parquet, 'db:fidelity2', '--mode', 'create']);
    expect(back.code, back.stderr).toBe(0);
    const out = await run(['export', 'db:fidelity2', at(`${kind.type}.csv`)]);
    expect(out.code, out.stderr).toBe(0);
    expect((await run(['convert', FIDELITY, at('direct.csv')])).code).toBe(0);
    expect(readFileSync(at(`${kind.type}.csv`), 'utf8')).toBe(readFileSync(at('direct.csv'), 'utf8'));
  });

  it('every load mode: create, append, upsert on the primary key, truncate, replace; each refused where it does not fit', async () => {
    await sql('CREATE TABLE main.modes (id BIGINT PRIMARY KEY, name VARCHAR)');
    const content = async () => (await sql('SELECT id, name FROM main.modes ORDER BY id')).map((r) => `${r.id}:${r.name}`);
    const create = await run(['load', csv('ab.csv', 'id,name\n1,a\n2,b\n'), 'db:modes', '--mode', 'create']);
    expect(create.code).toBe(1);
    expect(create.stderr).toMatch(/The table main\.modes exists already/);
    const missing = await run(['load', at('ab.csv'), 'db:nope', '--mode', 'append']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/The table main\.nope does not exist: load with --mode create/);

    expect((await run(['load', at('ab.csv'), 'db:modes', '--mode', 'append'])).code).toBe(0);
    expect(await content()).toEqual(['1:a', '2:b']);
    const upsert = await run(['load', csv('bc.csv', 'name,id\nB,2\nc,3\n'), 'db:modes', '--mode', 'upsert']);
    expect(upsert.code, upsert.stderr).toBe(0);
    expect(await content()).toEqual(['1:a', '2:B', '3:c']);
    const dupKey = await run(['load', at('ab.csv'), 'db:modes', '--mode', 'append']);
    expect(dupKey.code).toBe(1);
    expect(dupKey.stderr).toMatch(/(UNIQUE constraint failed: modes\.id|Duplicate key "id: 1" violates primary key constraint)/);
    expect(dupKey.stderr).toMatch(/nothing was loaded/i);
    expect(await content()).toEqual(['1:a', '2:B', '3:c']);
    expect((await run(['load', csv('z.csv', 'id,name\n9,z\n'), 'db:modes', '--mode', 'truncate'])).code).toBe(0);
    expect(await content()).toEqual(['9:z']);

    const replace = await run(['load', csv('xy.csv', 'x,y\n1,2\n'), 'db:modes', '--mode', 'replace']);
    expect(replace.code, replace.stderr).toBe(0);
    expect(await sql('SELECT * FROM main.modes')).toEqual([{ x: 1, y: 2 }]);
    const noKey = await run(['load', at('xy.csv'), 'db:modes', '--mode', 'upsert']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/main\.modes has no primary key: name the columns that identify a row with --key/);
  });

  it.each([
    ['a text in an integer column', 'sku,qty,day\na,1,2020-01-02\nb,two,2020-01-03\n', /line 3, column qty: "two" is not an int(32|64)/],
    ['too many fields', 'sku,qty,day\na,1,2020-01-02\nb,2,2020-01-03,extra\n', /line 3: 4 fields where the header has 3/],
    ['a date that does not exist', 'sku,qty,day\na,1,2020-01-02\nb,2,2023-02-30\n', /line 3, column day: "2023-02-30" is not a date/],
    // Past the 256 KiB the sniffer reads, so the file is taken as UTF-8 (before it, the whole file would be read as windows-1252).
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('sku,qty,day\n' + 'a,1,2020-01-02\n'.repeat(20000)), Buffer.from([0x62, 0xff, 0xfe]), Buffer.from(',2,2020-01-03\n')]), /line 20002: bytes that are not valid UTF-8/],
  ])('%s fails the whole load, names the line, and leaves the table exactly as it was', async (_what, text, message) => {
    await sql('CREATE TABLE IF NOT EXISTS main.stock (sku VARCHAR, qty INTEGER, day DATE)');
    await sql('DELETE FROM main.stock');
    await sql(`INSERT INTO main.stock VALUES ('kept', 1, '2020-01-01')`);
    const r = await run(['load', csv('bad.csv', text), 'db:stock', '--mode', 'truncate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv, /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Nothing was loaded into main\.stock/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await sql('SELECT sku, qty, CAST(day AS VARCHAR) AS day FROM main.stock')).map((x) => `${x.sku}|${x.qty}|${x.day}`)).toEqual(['kept|1|2020-01-01']);
  });

  it('hostile header names become quoted column names; no other statement runs; a name too long is refused', async () => {
    await sql('CREATE TABLE main.victim (x INTEGER)');
    const long = 'n'.repeat(200);
    const names = ['"; DROP TABLE main.victim; --', 'it\'s "quoted"', 'a;b', 'Ünïcode 列', long, 'dup', 'dup'];
    const header = names.map((n) => `"${n.replace(/"/g, '""')}"`).join(',');
    const r = await run(['load', csv('hostile.csv', `${header}\n1,2,3,4,5,6,7\n`), 'db:hostile', '--mode', 'create']);
    expect(r.code, r.stderr).toBe(0);
    const cols = kind.type === 'sqlite' ? await sql(`SELECT name FROM pragma_table_info('hostile')`) : await sql(`SELECT column_name AS name FROM duckdb_columns() WHERE table_name = 'hostile' ORDER BY column_index`);
    expect(cols.map((c) => c.name)).toEqual([...names.slice(0, 6), 'dup_2']);
    expect(await sql('SELECT count(*) AS n FROM main.victim')).toEqual([{ n: kind.type === 'sqlite' ? 0 : '0' }]);

    const tooLong = await run(['load', csv('long.csv', `${'x'.repeat(300)}\n1\n`), 'db:long', '--mode', 'create']);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/is longer than 255 characters: rename it/);
  });

  it('a query to Parquet; ferry preview of a table shows its first rows exactly', async () => {
    await sql('CREATE TABLE main.orders (id BIGINT PRIMARY KEY, amount DECIMAL(12,2), day DATE)');
    await sql(`INSERT INTO main.orders VALUES (1, '1.25', '2026-01-02'), (2, '2.50', '2026-01-03'), (9223372036854775807, '9999999999.99', '1969-12-31')`);
    const r = await run(['export', 'db:', at('q.parquet'), '--query', 'SELECT id, day FROM main.orders WHERE id > 1 ORDER BY id']);
    expect(r.code, r.stderr).toBe(0);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    expect((await duck.runAndReadAll(`SELECT id::VARCHAR AS id, day::VARCHAR AS day FROM '${at('q.parquet')}'`)).getRowObjectsJson()).toEqual([
      { id: '2', day: '2026-01-03' },
      { id: '9223372036854775807', day: '1969-12-31' },
    ]);
    duck.closeSync();
    const p = await run(['preview', 'db:main.orders', '--rows', '2', '--offset', '1', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const preview = JSON.parse(p.stdout);
    expect(preview.format).toBe('table');
    expect(preview.rows).toEqual([
      ['2', '2.50', '2026-01-03'],
      ['9223372036854775807', '9999999999.99', '1969-12-31'],
    ]);
    expect(readdirSync(work.path).filter((f) => f.includes('.ferry'))).toEqual([]);
  });
});

describe('what only one of them has', () => {
  const home = tempDir('ferry-filedb-types-');
  const work = tempDir('ferry-filedb-types-work-');
  const at = (name: string) => join(work.path, name);
  const run = (args: string[]) => ferry(args, { home: home.path });
  afterAll(() => {
    home.cleanup();
    work.cleanup();
  });

  it('SQLite: a value that does not fit its declared type fails the export, naming row and column, and leaves no file', async () => {
    const file = at('loose.sqlite');
    await sqlite.sql(file, 'CREATE TABLE stock (sku TEXT, qty INTEGER)');
    await sqlite.sql(file, `INSERT INTO stock VALUES ('a', 1), ('b', 'three'), ('c', 3)`);
    expect((await run(['profile', 'add', 'lite', '--type', 'sqlite', '--path', file])).code).toBe(0);
    const r = await run(['export', 'lite:stock', at('stock.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lite:main\.stock, row 2, column qty: a text "three" is not an integer \(its declared type is INTEGER/);
    expect(readdirSync(work.path)).toEqual(['loose.sqlite']);
    // A cast in a query chooses the type: the computed column is typed from its values.
    const q = await run(['export', 'lite:', at('cast.csv'), '--query', 'SELECT sku, CAST(qty AS TEXT) AS qty FROM stock']);
    expect(q.code, q.stderr).toBe(0);
    expect(readFileSync(at('cast.csv'), 'utf8')).toBe('sku,qty\na,1\nb,three\nc,3\n');
  });

  it('DuckDB: HUGEINT, nanosecond and zoned timestamps, LIST and STRUCT export exactly (nested values as JSON)', async () => {
    const file = at('types.duckdb');
    await duckdb.sql(
      file,
      `CREATE TABLE t AS SELECT 170141183460469231731687303715884105727::HUGEINT // 10 AS big, TIMESTAMP_NS '1969-07-20 20:17:40.123456789' AS ns,
         TIMESTAMPTZ '2026-03-29 01:30:00.5+01' AS tz, [1, 2, 9007199254740993] AS list, {'a': 'x', 'b': 1.5::DECIMAL(3,1)} AS s, 42::UTINYINT AS small`,
    );
    expect((await run(['profile', 'add', 'duck', '--type', 'duckdb', '--path', file])).code).toBe(0);
    const p = await run(['preview', 'duck:main.t', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const preview = JSON.parse(p.stdout);
    expect(preview.columns.map((c: { type: string }) => c.type)).toEqual(['decimal(38,0)', 'timestamp[ns]', 'timestamp[us, UTC]', 'json', 'json', 'int32']);
    expect(preview.rows).toEqual([['17014118346046923173168730371588410572', '1969-07-20T20:17:40.123456789', '2026-03-29T00:30:00.5Z', '[1,2,9007199254740993]', '{"a":"x","b":1.5}', 42]]);
    const r = await run(['export', 'duck:t', at('t.parquet')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await duckdb.sql(':memory:', `SELECT big::VARCHAR AS big, epoch_ns(ns)::VARCHAR AS ns, epoch_us(tz)::VARCHAR AS tz, list, s FROM '${at('t.parquet')}'`);
    expect(rows).toEqual([{ big: '17014118346046923173168730371588410572', ns: '-14182939876543211', tz: String(Date.UTC(2026, 2, 29, 0, 30, 0, 500) * 1000), list: '[1,2,9007199254740993]', s: '{"a":"x","b":1.5}' }]);
  });
});
