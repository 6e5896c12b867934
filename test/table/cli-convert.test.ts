import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../support/cli';
import { tempDir } from '../support/temp';

/**
 * `ferry preview` and `ferry convert` as a user runs them (the built CLI), on local files: the fidelity file
 * survives CSV → Parquet → xlsx → CSV exactly, DuckDB reads Ferry's Parquet with the same types and values,
 * and bad input gets a clear error with nothing left under the destination's name.
 */
const FIDELITY = join(import.meta.dirname, 'fixtures', 'fidelity.csv');
const home = tempDir('ferry-cli-tables-');
const work = tempDir('ferry-cli-tables-work-');
const run = (args: string[]) => ferry(args, { home: home.path, env: { FERRY_NO_KEYCHAIN: '1' } });
const at = (name: string) => join(work.path, name);
afterAll(() => {
  home.cleanup();
  work.cleanup();
});

describe('ferry preview of CSV', () => {
  it('--json: the stable shape, exact int64 and decimal strings, NULL vs empty string', async () => {
    const r = await run(['preview', FIDELITY, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(Object.keys(p).sort()).toEqual(['bytesRead', 'columns', 'dialect', 'format', 'rowCount', 'rows', 'size', 'warnings']);
    expect(p.format).toBe('csv');
    expect(p.rowCount).toBeNull();
    expect(p.columns).toEqual([
      { name: 'id', type: 'int64' },
      { name: 'amount', type: 'decimal(38,9)' },
      { name: 'at', type: 'timestamp[us, UTC]' },
      { name: 'day', type: 'date' },
      { name: 'name', type: 'string' },
      { name: 'note', type: 'string' },
      { name: 'code', type: 'string' },
      { name: 'flag', type: 'boolean' },
      { name: 'text', type: 'string' },
    ]);
    expect(p.rows[0]).toEqual(['9007199254740993', '12345678901234567890123456789.123456789', '2026-03-29T00:59:59.999999Z', '1901-12-13', 'Crème brûlée', '', '007', true, 'He said "hi", then left']);
    expect(p.rows[1].slice(0, 6)).toEqual(['-9223372036854775808', '-0.000000001', '2026-03-29T01:00:00Z', '1969-07-20', '東京 🚀', null]);
    expect(p.rows[2][8]).toBe('line one\nline two');
  });

  it('human output: the schema, then the rows as a table', async () => {
    const r = await run(['preview', FIDELITY, '--rows', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/amount\s+decimal\(38,9\)/);
    expect(r.stdout).toContain('9007199254740993');
    expect(r.stdout).toContain('more rows follow');
  });
});

describe('ferry convert', () => {
  it('the fidelity file survives CSV → Parquet → xlsx → CSV exactly', async () => {
    for (const [src, dst] of [
      [FIDELITY, at('f.parquet')],
      [at('f.parquet'), at('f.xlsx')],
      [at('f.xlsx'), at('f.csv')],
      [FIDELITY, at('direct.csv')],
    ]) {
      const r = await run(['convert', src, dst]);
      expect(r.code, `${src} → ${dst}: ${r.stderr}`).toBe(0);
    }
    const chain = readFileSync(at('f.csv'), 'utf8');
    expect(chain).toBe(readFileSync(at('direct.csv'), 'utf8'));
    expect(chain).toContain('-9223372036854775808,-0.000000001,2026-03-29T01:00:00Z,1969-07-20');
    expect(chain).toContain('12345678901234567890123456789.123456789');
    expect(readdirSync(work.path).filter((f) => f.includes('ferry-part'))).toEqual([]);
  });

  it('DuckDB reads the Parquet Ferry wrote with the same types and values', async () => {
    if (!existsSync(at('f.parquet'))) expect((await run(['convert', FIDELITY, at('f.parquet')])).code).toBe(0);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run("SET TimeZone = 'UTC'");
    const types = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${at('f.parquet')}')`)).getRowObjectsJson().map((r) => r.column_type);
    expect(types).toEqual(['BIGINT', 'DECIMAL(38,9)', 'TIMESTAMP WITH TIME ZONE', 'DATE', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BOOLEAN', 'VARCHAR']);
    const rows = (await duck.runAndReadAll(`SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, strftime("at", '%Y-%m-%dT%H:%M:%S.%f') AS ts, day::VARCHAR AS day, note FROM read_parquet('${at('f.parquet')}')`)).getRowObjectsJson();
    expect(rows.map((r) => r.id)).toEqual(['9007199254740993', '-9223372036854775808', '9223372036854775807', '1', '2', '3']);
    expect(rows[0].amount).toBe('12345678901234567890123456789.123456789');
    expect(rows[0].ts).toBe('2026-03-29T00:59:59.999999');
    expect(rows[5].day).toBe('2099-12-31');
    expect(rows.map((r) => r.note)).toEqual(['', null, 'x', '  spaced  ', '', null]);
  });

  it('a truncated Parquet file: a clear error naming the file, and no file under the destination name', async () => {
    const full = readFileSync(at('f.parquet'));
    writeFileSync(at('cut.parquet'), full.subarray(0, full.length - 40));
    const r = await run(['convert', at('cut.parquet'), at('cut.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cut\.parquet/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(existsSync(at('cut.csv'))).toBe(false);
    expect(readdirSync(work.path).filter((f) => f.includes('ferry-part'))).toEqual([]);
  });

  it('a file that is not what its extension says, and an old .xls, get errors saying so', async () => {
    writeFileSync(at('fake.parquet'), 'id,name\n1,a\n');
    const fake = await run(['preview', at('fake.parquet')]);
    expect(fake.code).not.toBe(0);
    expect(fake.stderr).toMatch(/not a Parquet file/i);
    const ole = Buffer.alloc(4096);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    writeFileSync(at('old.xls'), ole);
    const xls = await run(['convert', at('old.xls'), at('old.csv')]);
    expect(xls.code).toBe(1);
    expect(xls.stderr).toMatch(/xlsx/);
    expect(existsSync(at('old.csv'))).toBe(false);
  });

  it('a single 100 MB line without a newline: an error naming the file and its line, no destination file', async () => {
    // A header, then 100 MB with no line break: the reader gives up at its 16 MiB field limit.
    const fd = Buffer.alloc(2 ** 20, 'x');
    writeFileSync(at('one-line.csv'), Buffer.concat([Buffer.from('id,note\n'), ...Array.from({ length: 100 }, () => fd)]));
    const r = await run(['convert', at('one-line.csv'), at('one-line.parquet')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/one-line\.csv/);
    expect(r.stderr).toMatch(/line 2/);
    expect(existsSync(at('one-line.parquet'))).toBe(false);
    expect(readdirSync(work.path).filter((f) => f.includes('ferry-part'))).toEqual([]);
  });

  it('ragged rows are reported with their line numbers', async () => {
    writeFileSync(at('ragged.csv'), 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    const r = await run(['preview', at('ragged.csv'), '--json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.rows).toHaveLength(4);
    expect(p.warnings.map((w: { line: number }) => w.line)).toEqual([3, 4]);
  });

  it('a destination with no known extension is a usage error', async () => {
    const r = await run(['convert', FIDELITY, at('out.weird')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format/);
  });
});

describe('ferry preview and convert of Parquet', () => {
  const make = async () => {
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run(
      `COPY (SELECT i::BIGINT * 3037000499 AS big, (i / 7)::DECIMAL(38,9) AS amount, TIMESTAMPTZ '2026-03-29 00:59:59.999999+00' + to_seconds(i) AS at, CASE WHEN i % 2 = 0 THEN '' ELSE NULL END AS note
             FROM range(50000) t(i)) TO '${at('p.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 10000)`,
    );
  };

  it('--json: row count from the footer, exact int64/decimal strings, timestamps in UTC, NULL vs empty', async () => {
    await make();
    const r = await run(['preview', at('p.parquet'), '--rows', '3', '--offset', '30000', '--json']);
    expect(r.stderr).toBe('');
    const p = JSON.parse(r.stdout);
    expect(p.format).toBe('parquet');
    expect(p.rowCount).toBe(50000);
    expect(p.columns).toEqual([
      { name: 'big', type: 'int64' },
      { name: 'amount', type: 'decimal(38,9)' },
      { name: 'at', type: 'timestamp[us, UTC]' },
      { name: 'note', type: 'string' },
    ]);
    expect(p.rows[0]).toEqual([String(30000n * 3037000499n), '4285.714285714', '2026-03-29T09:19:59.999999Z', '']);
    expect(p.rows[1][3]).toBeNull();
    expect(p.bytesRead).toBeLessThan(p.size);
  });

  it('a truncated Parquet file: a clear error naming the file, and no file under the destination name', async () => {
    await make();
    const full = readFileSync(at('p.parquet'));
    writeFileSync(at('cut.parquet'), full.subarray(0, full.length - 40));
    const r = await run(['convert', at('cut.parquet'), at('cut-out.parquet')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cut\.parquet/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(at('cut-out.parquet'))).toBe(false);
    expect(readdirSync(work.path).filter((f) => f.includes('ferry-part'))).toEqual([]);
  });

  it('a CSV named .parquet is refused as not a Parquet file', async () => {
    writeFileSync(at('fake.parquet'), 'id,name\n1,a\n');
    const r = await run(['preview', at('fake.parquet')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not a Parquet file/i);
  });

  it('Parquet to Parquet with gzip: DuckDB reads the same rows back', async () => {
    await make();
    const r = await run(['convert', at('p.parquet'), at('p-gz.parquet'), '--compression', 'gzip']);
    expect(r.code, r.stderr).toBe(0);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const q = (f: string) => `SELECT count(*)::VARCHAR AS n, sum(big)::VARCHAR AS s, sum(amount)::VARCHAR AS a, count(note)::VARCHAR AS notes, max("at")::VARCHAR AS latest FROM read_parquet('${at(f)}')`;
    expect((await duck.runAndReadAll(q('p-gz.parquet'))).getRowObjectsJson()).toEqual((await duck.runAndReadAll(q('p.parquet'))).getRowObjectsJson());
  });
});
