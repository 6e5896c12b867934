import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError, isFerryError } from '../../electron/core/errors';
import { bufferByteSource, fileByteSource } from '../../electron/core/table/byte-source';
import { bytesToBigInt, parquetCodec, parquetFooterInfo } from '../../electron/core/table/parquet/index';
import type { Batch, ByteSource, Column, Value } from '../../electron/core/table/types';
import { formatDecimal } from '../../electron/core/table/values';
import { useDuckDb } from '../support/duckdb';
import { tempDir } from '../support/temp';

/**
 * Reading Parquet written by an independent writer (DuckDB): every type maps to the exact logical type and
 * value, every codec and encoding DuckDB writes is read, only the row groups the requested rows live in are
 * fetched, and broken files get a clear INVALID_INPUT naming what is wrong.
 */
const tmp = tempDir('ferry-parquet-read-');
const at = (name: string) => join(tmp.path, name);
const duck = useDuckDb();
afterAll(() => tmp.cleanup());

async function readAll(src: ByteSource, opts: { offset?: number; limit?: number } = {}) {
  const reader = await parquetCodec.open(src, {});
  const batches: Batch[] = [];
  for await (const b of reader.batches(opts)) batches.push(b);
  return { reader, batches, rows: batches.flatMap((b) => b.rows), origins: batches.flatMap((b) => b.origins ?? []) };
}

/** A ByteSource that records every range asked of it. */
function recorded(inner: ByteSource): { src: ByteSource; ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  const src: ByteSource = {
    name: inner.name,
    label: inner.label,
    size: inner.size,
    rangedRead: true,
    get bytesRead() {
      return inner.bytesRead;
    },
    slice(start, end) {
      ranges.push([start, Math.min(end, inner.size)]);
      return inner.slice(start, end);
    },
    stream: (start, signal) => inner.stream(start, signal),
  };
  return { src, ranges };
}

async function expectInvalid(p: Promise<unknown>, message: RegExp) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isFerryError(e, 'INVALID_INPUT'), String(e)).toBe(true);
  expect((e as Error).message).toMatch(message);
}

describe('types: every DuckDB type maps exactly', () => {
  it('physical and logical types, nested types, and NULLs', async () => {
    await duck.db.run(`COPY (SELECT * FROM (VALUES
      (1::TINYINT, 2::SMALLINT, 2147483647::INTEGER, 9007199254740993::BIGINT, 255::UTINYINT, 4000000000::UINTEGER, 18446744073709551615::UBIGINT,
       12.5::DECIMAL(4,1), -99999999.99::DECIMAL(10,2), 123456789012345.678::DECIMAL(18,3), 12345678901234567890123456789.123456789::DECIMAL(38,9),
       DATE '1901-12-13', TIME '13:45:00.123456', TIMESTAMP '2026-03-29 02:30:00.123456', TIMESTAMPTZ '2026-03-29 00:59:59.999999+00',
       TIMESTAMP_NS '1969-07-20 20:17:40.123456789', TIMESTAMP_MS '2026-03-29 01:30:00.123', 'Crème brûlée 東京 🚀', '\\x00\\xFF'::BLOB, true, 1.5::FLOAT, 0.1::DOUBLE,
       '{"a": 9007199254740993}'::JSON, '0b4a7f3e-6a3c-4f6e-9d55-2f3c1a2b3c4d'::UUID, 'b'::ENUM('a', 'b'),
       [1, NULL, 3], {'x': 1, 'y': 'z'}, MAP {2: 'two', 1: 'one'}, [{'p': [1]}], INTERVAL '1 month 2 days 3.004 seconds'),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       [], {'x': NULL, 'y': NULL}, MAP {}, [NULL], NULL))
      t(i8, i16, i32, i64, u8, u32, u64, d4, d10, d18, d38, dt, tm, ts, tstz, tsns, tsms, s, b, bo, f, db, j, u, en, l, st, m, ls, iv))
      TO '${at('types.parquet')}' (FORMAT parquet)`);
    const { reader, rows } = await readAll(await fileByteSource(at('types.parquet')));
    const int32 = { kind: 'int32' } as const;
    const str = { kind: 'string' } as const;
    expect(reader.schema.columns).toEqual<Column[]>([
      { name: 'i8', type: int32 },
      { name: 'i16', type: int32 },
      { name: 'i32', type: int32 },
      { name: 'i64', type: { kind: 'int64' } },
      { name: 'u8', type: int32 },
      { name: 'u32', type: { kind: 'int64' } },
      { name: 'u64', type: { kind: 'decimal', precision: 20, scale: 0 } },
      { name: 'd4', type: { kind: 'decimal', precision: 4, scale: 1 } },
      { name: 'd10', type: { kind: 'decimal', precision: 10, scale: 2 } },
      { name: 'd18', type: { kind: 'decimal', precision: 18, scale: 3 } },
      { name: 'd38', type: { kind: 'decimal', precision: 38, scale: 9 } },
      { name: 'dt', type: { kind: 'date' } },
      { name: 'tm', type: { kind: 'time', unit: 'us' } },
      { name: 'ts', type: { kind: 'timestamp', unit: 'us', tz: null } },
      { name: 'tstz', type: { kind: 'timestamp', unit: 'us', tz: 'UTC' } },
      { name: 'tsns', type: { kind: 'timestamp', unit: 'ns', tz: null } },
      { name: 'tsms', type: { kind: 'timestamp', unit: 'ms', tz: null } },
      { name: 's', type: str },
      { name: 'b', type: { kind: 'binary' } },
      { name: 'bo', type: { kind: 'boolean' } },
      { name: 'f', type: { kind: 'float64' } },
      { name: 'db', type: { kind: 'float64' } },
      { name: 'j', type: { kind: 'json' } },
      { name: 'u', type: str },
      { name: 'en', type: str },
      { name: 'l', type: { kind: 'list', of: int32 } },
      { name: 'st', type: { kind: 'struct', fields: [{ name: 'x', type: int32 }, { name: 'y', type: str }] } },
      { name: 'm', type: { kind: 'list', of: { kind: 'struct', fields: [{ name: 'key', type: int32 }, { name: 'value', type: str }] } } },
      { name: 'ls', type: { kind: 'list', of: { kind: 'struct', fields: [{ name: 'p', type: { kind: 'list', of: int32 } }] } } },
      { name: 'iv', type: str },
    ]);
    expect(reader.rowCount).toBe(2);
    expect(rows[0]).toEqual<Value[]>([
      1,
      2,
      2147483647,
      9007199254740993n,
      255,
      4000000000n,
      18446744073709551615n,
      125n,
      -9999999999n,
      123456789012345678n,
      12345678901234567890123456789123456789n,
      -24856,
      49500123456n,
      1774751400123456n,
      1774745999999999n,
      -14182939876543211n,
      1774747800123n,
      'Crème brûlée 東京 🚀',
      new Uint8Array([0, 255]),
      true,
      1.5,
      0.1,
      '{"a": 9007199254740993}',
      '0b4a7f3e-6a3c-4f6e-9d55-2f3c1a2b3c4d',
      'b',
      [1, null, 3],
      { x: 1, y: 'z' },
      [
        { key: 2, value: 'two' },
        { key: 1, value: 'one' },
      ],
      [{ p: [1] }],
      'P1M2DT3.004S',
    ]);
    // NULL stays NULL in every type, '' stays '', and empty nested values stay empty (not NULL).
    expect(rows[1]).toEqual([...Array(17).fill(null), '', ...Array(7).fill(null), [], { x: null, y: null }, [], [null], null]);
  });
});

describe('DECIMAL bytes (FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY decimals)', () => {
  it('big-endian two\'s complement of any length becomes the exact unscaled bigint', () => {
    const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
    expect(bytesToBigInt(hex(''))).toBe(0n);
    expect(bytesToBigInt(hex('ff'))).toBe(-1n);
    expect(bytesToBigInt(hex('0080'))).toBe(128n);
    expect(bytesToBigInt(hex('80'))).toBe(-128n);
    expect(bytesToBigInt(hex('80000000000000000000000000000000'))).toBe(-(2n ** 127n));
    expect(bytesToBigInt(hex('7fffffffffffffffffffffffffffffff'))).toBe(2n ** 127n - 1n);
    expect(bytesToBigInt(hex('fffffffffffffffffffffffffffffffffe'))).toBe(-2n); // 17 bytes: not a multiple of 8
    expect(bytesToBigInt(hex('094e47f9a7cf0bc1b1e4d15e5a4b0d15'))).toBe(BigInt('0x094e47f9a7cf0bc1b1e4d15e5a4b0d15'));
  });
});

const ROWS_SQL = (n: number) =>
  `SELECT i::BIGINT AS id, ((i * 7 % 100000)::VARCHAR || '.' || lpad((i % 100)::VARCHAR, 2, '0'))::DECIMAL(10,2) AS amount, 'name-' || (i % 100) AS grp, md5(i::VARCHAR) AS h,
     (DATE '1960-01-01' + (i % 30000)::INT) AS d, TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_microseconds(i * 1234567) AS ts,
     CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END AS flag FROM range(${n}) r(i)`;

/** What DuckDB itself reads, as the values the table layer should hold. */
async function duckRows(file: string): Promise<Value[][]> {
  const r = await duck.db.runAndReadAll(
    `SELECT id, amount::VARCHAR, grp, h, (d - DATE '1970-01-01')::INTEGER, epoch_us(ts), flag FROM read_parquet('${file}') ORDER BY id`,
  );
  return r.getRows() as Value[][];
}

function asDuck(rows: Value[][]): Value[][] {
  return rows.map((r) => [r[0], formatDecimal(r[1] as bigint, 2), r[2], r[3], r[4], r[5], r[6]]);
}

describe('codecs and encodings written by DuckDB', () => {
  const cases: [string, string][] = [
    ['snappy', 'COMPRESSION snappy'],
    ['gzip', 'COMPRESSION gzip'],
    ['zstd', 'COMPRESSION zstd'],
    ['brotli', 'COMPRESSION brotli'],
    ['lz4', 'COMPRESSION lz4'],
    ['uncompressed', 'COMPRESSION uncompressed'],
    ['v2-pages-delta', 'PARQUET_VERSION v2'],
    ['plain', 'DICTIONARY_SIZE_LIMIT 1'],
  ];
  for (const [name, opts] of cases) {
    it(`${name}, several row groups: every row exact`, async () => {
      const file = at(`${name}.parquet`);
      await duck.db.run(`COPY (${ROWS_SQL(5000)}) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048, ${opts})`);
      const { reader, rows, origins } = await readAll(await fileByteSource(file));
      expect(reader.rowCount).toBe(5000);
      expect(rows).toHaveLength(5000);
      expect(origins.slice(0, 3)).toEqual([0, 1, 2]);
      expect(asDuck(rows)).toEqual(await duckRows(file));
    });
  }

  it('the fixtures really differ in what they test: dictionary vs plain, v2 delta encodings, codecs', async () => {
    const enc = async (f: string) =>
      (await duck.db.runAndReadAll(`SELECT DISTINCT encodings, compression FROM parquet_metadata('${at(f)}') WHERE path_in_schema = 'grp'`)).getRows();
    expect(JSON.stringify(await enc('snappy.parquet'))).toContain('DICTIONARY');
    expect(JSON.stringify(await enc('plain.parquet'))).not.toContain('DICTIONARY');
    expect(JSON.stringify(await enc('zstd.parquet'))).toContain('ZSTD');
    expect(JSON.stringify(await enc('brotli.parquet'))).toContain('BROTLI');
    const info = await parquetFooterInfo(await fileByteSource(at('v2-pages-delta.parquet')));
    expect(info.rowGroups.map((g) => g.rows)).toEqual([2048, 2048, 904]);
  });
});

describe('ranged reads: only what the requested rows need', () => {
  let file: string;
  let groups: { start: number; end: number; rows: number }[];
  beforeAll(async () => {
    file = at('ranged.parquet');
    await duck.db.run(`COPY (${ROWS_SQL(60_000)}) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
    const r = await duck.db.runAndReadAll(
      `SELECT row_group_id, any_value(row_group_num_rows), min(coalesce(dictionary_page_offset, data_page_offset)), max(coalesce(dictionary_page_offset, data_page_offset) + total_compressed_size)
       FROM parquet_metadata('${file}') GROUP BY row_group_id ORDER BY row_group_id`,
    );
    groups = r.getRows().map((x) => ({ rows: Number(x[1]), start: Number(x[2]), end: Number(x[3]) }));
  });

  it('open() costs one read of the footer; the first 100 rows cost the footer and the first row group only', async () => {
    const { src, ranges } = recorded(await fileByteSource(file));
    const reader = await parquetCodec.open(src, {});
    expect(ranges).toHaveLength(1);
    expect(ranges[0][1]).toBe(src.size);
    expect(ranges[0][1] - ranges[0][0]).toBeLessThanOrEqual(64 * 1024);
    expect(reader.rowCount).toBe(60_000);
    const rows: Value[][] = [];
    for await (const b of reader.batches({ limit: 100 })) rows.push(...b.rows);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i)));
    expect(groups.length).toBeGreaterThan(20);
    const dataRanges = ranges.slice(1);
    for (const [s, e] of dataRanges) expect(s >= groups[0].start && e <= groups[0].end, `read ${s}-${e}`).toBe(true);
    expect(src.bytesRead).toBeLessThanOrEqual(64 * 1024 + (groups[0].end - groups[0].start));
    expect(src.bytesRead / src.size).toBeLessThan(0.1);
  });

  it('an offset in the third row group reads that group and not the ones before it', async () => {
    const { src, ranges } = recorded(await fileByteSource(file));
    const offset = groups[0].rows + groups[1].rows + 10;
    const { rows, origins } = await readAll(src, { offset, limit: 5 });
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4].map((i) => BigInt(offset + i)));
    expect(origins).toEqual([0, 1, 2, 3, 4].map((i) => offset + i));
    const before = groups[1].end;
    expect(ranges.slice(1).every(([s, e]) => s >= groups[2].start && e <= groups[2].end)).toBe(true);
    expect(ranges.some(([s]) => s < before)).toBe(false);
  });

  it('a failing source (a lost connection) surfaces as itself, not as a corrupt file; a cancelled read stops', async () => {
    const inner = await fileByteSource(file);
    let reads = 0;
    const flaky: ByteSource = {
      ...recorded(inner).src,
      async slice(start, end) {
        if (++reads > 1) throw new FerryError('CONNECTION_LOST', 'Connection lost: test');
        return inner.slice(start, end);
      },
    };
    const e = await readAll(flaky, { limit: 10 }).catch((err: unknown) => err);
    expect(isFerryError(e, 'CONNECTION_LOST'), String(e)).toBe(true);

    const ac = new AbortController();
    const reader = await parquetCodec.open(await fileByteSource(file), {});
    const got: number[] = [];
    const run = (async () => {
      for await (const b of reader.batches({ signal: ac.signal })) {
        got.push(b.rows.length);
        ac.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(got).toHaveLength(1);
  });

  it('a run of rows across row groups comes back whole and in order, in batches of bounded size', async () => {
    const { batches, rows } = await readAll(await fileByteSource(file), { offset: 2000, limit: 10_000 });
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 10_000 }, (_, i) => BigInt(2000 + i)));
    expect(Math.max(...batches.map((b) => b.rows.length))).toBeLessThanOrEqual(4096);
    const { rows: tail } = await readAll(await fileByteSource(file), { offset: 59_998, limit: 100 });
    expect(tail.map((r) => r[0])).toEqual([59_998n, 59_999n]);
  });
});

describe('int64 columns without NULLs (decoded into typed arrays, handed on as exact doubles where they fit)', () => {
  it('values at and beyond ±2^53 come back exact, in every batch form', async () => {
    const file = at('int64-edges.parquet');
    const values = [0n, -1n, 2n ** 53n - 1n, -(2n ** 53n), 2n ** 53n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 4294967296n, -4294967297n];
    await duck.db.run(`COPY (SELECT * FROM (VALUES ${values.map((v, i) => `(${i}, '${v}'::BIGINT, TIMESTAMP '2020-01-01' + to_microseconds(${i}))`).join(', ')}) t(i, v, ts) ORDER BY i) TO '${file}' (FORMAT parquet)`);
    const { rows } = await readAll(await fileByteSource(file));
    expect(rows.map((r) => r[1])).toEqual(values);
    expect(rows[3][2]).toBe(1577836800000003n);
    // Only the batch with a value beyond 2^53 falls back to bigints: read one row at a time, each form is exact.
    for (let i = 0; i < values.length; i++) expect((await readAll(await fileByteSource(file), { offset: i, limit: 1 })).rows[0][1]).toBe(values[i]);
  });
});

describe('a big row group without offset indexes (DuckDB: one page per column chunk)', () => {
  let file: string;
  let all: Value[][];
  beforeAll(async () => {
    file = at('one-page.parquet');
    // 200k rows in one group, uncompressed: NULLs every 7th row, dictionary strings, long RLE runs, booleans.
    await duck.db.run(`COPY (SELECT i::BIGINT AS id, CASE WHEN i % 7 = 3 THEN NULL ELSE 'name ' || (i % 50) END AS name,
      CASE WHEN i < 150000 THEN 1 ELSE 2 END::INTEGER AS run, i % 3 = 0 AS flag, (i * 1.5)::DOUBLE AS x, md5(i::VARCHAR) AS pad
      FROM range(200000) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 200000)`);
    all = (await readAll(await fileByteSource(file))).rows;
  });

  it('a preview of its first rows reads a prefix of each page, not the chunks', async () => {
    expect(all).toHaveLength(200_000);
    expect(all[3]).toEqual([3n, null, 1, true, 4.5, expect.any(String)]);
    const src = await fileByteSource(file);
    const reader = await parquetCodec.open(src, {});
    const rows: Value[][] = [];
    for await (const b of reader.batches()) {
      rows.push(...b.rows);
      if (rows.length > 100) break;
    }
    expect(rows).toEqual(all.slice(0, rows.length));
    expect(src.bytesRead).toBeLessThan(src.size / 20);
  });

  it('every row read whole (the prefix, then the rest) and every run at an offset equals the plain read', async () => {
    const { rows, batches } = await readAll(await fileByteSource(file), { offset: 10, limit: 150_000 });
    expect(rows).toEqual(all.slice(10, 150_010));
    expect(Math.max(...batches.map((b) => b.rows.length))).toBeLessThanOrEqual(4096);
    expect((await readAll(await fileByteSource(file), { offset: 4000, limit: 200 })).rows).toEqual(all.slice(4000, 4200));
  });
});

describe('bad input: a clear INVALID_INPUT naming the file and what is wrong', () => {
  let good: Buffer;
  beforeAll(async () => {
    await duck.db.run(`COPY (${ROWS_SQL(3000)}) TO '${at('good.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 2048, COMPRESSION uncompressed)`);
    good = readFileSync(at('good.parquet'));
  });
  const open = (name: string, bytes: Uint8Array) => readAll(bufferByteSource(name, bytes));

  it('an empty file', async () => {
    await expectInvalid(open('empty.parquet', new Uint8Array(0)), /^empty\.parquet is empty \(0 bytes\), not a Parquet file/);
  });

  it('a CSV renamed .parquet', async () => {
    await expectInvalid(open('orders.parquet', Buffer.from('id,name,amount\n1,a,2.5\n')), /^orders\.parquet is not a Parquet file \(starts with "id,name,amount/);
  });

  it('cut short: the last 100 bytes missing, or cut in the middle', async () => {
    await expectInvalid(open('cut.parquet', good.subarray(0, good.length - 100)), /^cut\.parquet is not a complete Parquet file: the footer is missing/);
    await expectInvalid(open('half.parquet', good.subarray(0, good.length >> 1)), /^half\.parquet is not a complete Parquet file/);
    await expectInvalid(open('tiny.parquet', good.subarray(0, 6)), /^tiny\.parquet is not a complete Parquet file: it is only 6 bytes long/);
  });

  it('a footer whose metadata length is beyond the file', async () => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(1_000_000);
    const bytes = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(20), len, Buffer.from('PAR1')]);
    await expectInvalid(open('lying.parquet', bytes), /not a complete Parquet file: the footer says its metadata is 1000000 bytes but the file is only 32 bytes/);
  });

  it('a corrupt page names the row group and the column', async () => {
    const r = await duck.db.runAndReadAll(`SELECT data_page_offset FROM parquet_metadata('${at('good.parquet')}') WHERE row_group_id = 1 AND path_in_schema = 'h'`);
    const offset = Number(r.getRows()[0][0]);
    const bad = Buffer.from(good);
    bad.fill(0xff, offset, offset + 16); // the page header: no longer valid thrift
    writeFileSync(at('bad.parquet'), bad);
    // The first row group is fine and reads; the second fails with where.
    const first = await readAll(await fileByteSource(at('bad.parquet')), { limit: 10 });
    expect(first.rows).toHaveLength(10);
    await expectInvalid(readAll(await fileByteSource(at('bad.parquet'))), /bad\.parquet: row group 2, column 'h' cannot be decoded/);
  });
});
