import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../electron/core/errors';
import { bufferByteSource } from '../../electron/core/table/byte-source';
import { parquetCodec, parquetFooterInfo } from '../../electron/core/table/parquet/index';
import type { Batch, ByteSource, Schema, Value, WriteOptions } from '../../electron/core/table/types';
import { parseDate, parseTime, parseTimestamp } from '../../electron/core/table/values';
import { useDuckDb } from '../support/duckdb';
import { tempDir } from '../support/temp';

/**
 * Writing Parquet: the fidelity table survives a round trip through Ferry's own reader with identical types
 * and values, DuckDB (an independent reader) sees the same values and the SQL types a user expects, and the
 * writer streams row group by row group with the codecs it offers.
 */
const tmp = tempDir('ferry-parquet-write-');
const at = (name: string) => join(tmp.path, name);
const duckdb = useDuckDb();
afterAll(() => tmp.cleanup());

const ts = (text: string, unit: 'us' | 'ns') => parseTimestamp(text, unit)!.value;

const FIDELITY: Schema = {
  columns: [
    { name: 'd38', type: { kind: 'decimal', precision: 38, scale: 9 } },
    { name: 'd10', type: { kind: 'decimal', precision: 10, scale: 2 } },
    { name: 'd5', type: { kind: 'decimal', precision: 5, scale: 2 } },
    { name: 'i64', type: { kind: 'int64' } },
    { name: 'i32', type: { kind: 'int32' } },
    { name: 'utc_us', type: { kind: 'timestamp', unit: 'us', tz: 'UTC' } },
    { name: 'utc_ns', type: { kind: 'timestamp', unit: 'ns', tz: 'UTC' } },
    { name: 'wall_us', type: { kind: 'timestamp', unit: 'us', tz: null } },
    { name: 'wall_ns', type: { kind: 'timestamp', unit: 'ns', tz: null } },
    { name: 'day', type: { kind: 'date' } },
    { name: 'tm', type: { kind: 'time', unit: 'us' } },
    { name: 'tm_ms', type: { kind: 'time', unit: 'ms' } },
    { name: 's', type: { kind: 'string' } },
    { name: 'flag', type: { kind: 'boolean' } },
    { name: 'bin', type: { kind: 'binary' } },
    { name: 'j', type: { kind: 'json' } },
    { name: 'f', type: { kind: 'float64' } },
  ],
};
const FIDELITY_ROWS: Value[][] = [
  [
    12345678901234567890123456789123456789n,
    1230n,
    -99999n,
    9007199254740993n,
    2147483647,
    ts('2026-03-29T00:59:59.999999Z', 'us'), // the last instant before the EU spring-forward
    ts('2026-10-25T00:59:59.999999999Z', 'ns'), // and before the autumn fall-back
    ts('2026-03-29 02:30:00', 'us'), // a wall-clock time that does not exist in Europe: still just a value
    ts('1969-07-20 20:17:40.123456789', 'ns'),
    parseDate('1901-12-13'),
    parseTime('13:45:00.123456', 'us'),
    parseTime('23:59:59.999', 'ms'),
    'Crème brûlée',
    true,
    new Uint8Array([0, 1, 255]),
    '{"a": 9007199254740993}',
    0.1,
  ],
  [
    -1n,
    -9999999999n,
    0n,
    -9223372036854775808n,
    -2147483648,
    ts('2026-03-29T01:00:00Z', 'us'),
    ts('2026-10-25T01:00:00.000000001Z', 'ns'),
    ts('1900-01-01 00:00:00', 'us'),
    ts('2262-04-11 23:47:16.854775806', 'ns'),
    parseDate('1969-07-20'),
    parseTime('00:00:00', 'us'),
    parseTime('00:00:00', 'ms'),
    '東京 🚀 שלום עולם',
    false,
    new Uint8Array(0),
    '[1, 2.50, "x"]',
    -1.7976931348623157e308,
  ],
  [null, null, null, 9223372036854775807n, 0, null, null, null, null, parseDate('2038-01-19'), null, null, '', null, null, null, null],
  [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
];

async function* batchesOf(rows: Value[][], size = 2): AsyncGenerator<Batch> {
  for (let i = 0; i < rows.length; i += size) yield { rows: rows.slice(i, i + size) };
}

async function writeFile(name: string, schema: Schema, batches: AsyncIterable<Batch>, opts: WriteOptions = {}): Promise<{ path: string; chunks: number; bytes: Buffer }> {
  const chunks: Uint8Array[] = [];
  for await (const c of parquetCodec.write(schema, batches, opts)) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  writeFileSync(at(name), bytes);
  return { path: at(name), chunks: chunks.length, bytes };
}

async function readBack(src: ByteSource) {
  const reader = await parquetCodec.open(src, {});
  const rows: Value[][] = [];
  for await (const b of reader.batches()) rows.push(...b.rows);
  return { schema: reader.schema, rowCount: reader.rowCount, rows };
}

async function duck(sql: string): Promise<unknown[][]> {
  return (await duckdb.db.runAndReadAll(sql)).getRows();
}

describe('the fidelity table', () => {
  let file: { path: string; bytes: Buffer };
  beforeAll(async () => {
    file = await writeFile('fidelity.parquet', FIDELITY, batchesOf(FIDELITY_ROWS), { rowGroupRows: 3 });
  });

  it("reads back through Ferry's reader with identical types and values", async () => {
    const back = await readBack(bufferByteSource('fidelity.parquet', file.bytes));
    expect(back.schema).toEqual(FIDELITY);
    expect(back.rowCount).toBe(4);
    expect(back.rows).toEqual(FIDELITY_ROWS);
  });

  it('DuckDB sees the SQL types a user expects', async () => {
    const types = await duck(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${file.path}')`);
    expect(Object.fromEntries(types)).toEqual({
      d38: 'DECIMAL(38,9)',
      d10: 'DECIMAL(10,2)',
      d5: 'DECIMAL(5,2)',
      i64: 'BIGINT',
      i32: 'INTEGER',
      utc_us: 'TIMESTAMP WITH TIME ZONE',
      utc_ns: 'TIMESTAMP WITH TIME ZONE', // DuckDB has no nanosecond TIMESTAMPTZ: it reads microseconds
      wall_us: 'TIMESTAMP',
      wall_ns: 'TIMESTAMP_NS',
      day: 'DATE',
      tm: 'TIME',
      tm_ms: 'TIME',
      s: 'VARCHAR',
      flag: 'BOOLEAN',
      bin: 'BLOB',
      j: 'JSON',
      f: 'DOUBLE',
    });
  });

  it('DuckDB reads the same values', async () => {
    const rows = await duck(`SELECT COLUMNS(*)::VARCHAR FROM '${file.path}'`);
    expect(rows[0]).toEqual([
      '12345678901234567890123456789.123456789',
      '12.30',
      '-999.99',
      '9007199254740993',
      '2147483647',
      '2026-03-29 00:59:59.999999+00',
      '2026-10-25 00:59:59.999999+00',
      '2026-03-29 02:30:00',
      '1969-07-20 20:17:40.123456789',
      '1901-12-13',
      '13:45:00.123456',
      '23:59:59.999',
      'Crème brûlée',
      'true',
      '\\x00\\x01\\xFF',
      '{"a": 9007199254740993}',
      '0.1',
    ]);
    expect(rows[1]).toEqual([
      '-0.000000001',
      '-99999999.99',
      '0.00',
      '-9223372036854775808',
      '-2147483648',
      '2026-03-29 01:00:00+00',
      '2026-10-25 01:00:00+00',
      '1900-01-01 00:00:00',
      '2262-04-11 23:47:16.854775806',
      '1969-07-20',
      '00:00:00',
      '00:00:00',
      '東京 🚀 שלום עולם',
      'false',
      '',
      '[1, 2.50, "x"]',
      '-1.7976931348623157e+308',
    ]);
    // NULL and '' stay apart.
    expect(rows[2].slice(3, 5)).toEqual(['9223372036854775807', '0']);
    expect(rows[2][9]).toBe('2038-01-19');
    expect(rows[2][12]).toBe('');
    expect(rows[3]).toEqual(Array(17).fill(null));
    // The nanoseconds are in the file, exactly (DuckDB's TIMESTAMP_NS shows them for the wall-clock column).
    expect(await duck(`SELECT epoch_ns(wall_ns) FROM '${file.path}' WHERE wall_ns IS NOT NULL`)).toEqual([[-14182939876543211n], [9223372036854775806n]]);
  });
});

describe('nested types are written natively', () => {
  it('list and struct: DuckDB reads LIST and STRUCT, Ferry reads them back', async () => {
    const schema: Schema = {
      columns: [
        { name: 'tags', type: { kind: 'list', of: { kind: 'string' } } },
        {
          name: 'price',
          type: {
            kind: 'struct',
            fields: [
              { name: 'amount', type: { kind: 'decimal', precision: 38, scale: 2 } },
              { name: 'at', type: { kind: 'timestamp', unit: 'us', tz: 'UTC' } },
            ],
          },
        },
      ],
    };
    const rows: Value[][] = [
      [['a', null, ''], { amount: 123456789012345678901234567890123456n, at: ts('2026-01-01T00:00:00Z', 'us') }],
      [[], { amount: null, at: null }],
      [null, null],
    ];
    const f = await writeFile('nested.parquet', schema, batchesOf(rows));
    expect(Object.fromEntries(await duck(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${f.path}')`))).toEqual({
      tags: 'VARCHAR[]',
      price: 'STRUCT(amount DECIMAL(38,2), "at" TIMESTAMP WITH TIME ZONE)',
    });
    expect(await duck(`SELECT tags::VARCHAR, price.amount::VARCHAR FROM '${f.path}'`)).toEqual([
      ["[a, NULL, '']", '1234567890123456789012345678901234.56'],
      ['[]', null],
      [null, null],
    ]);
    const back = await readBack(bufferByteSource('nested.parquet', f.bytes));
    expect(back.schema).toEqual(schema);
    expect(back.rows).toEqual(rows);
  });
});

const WIDE: Schema = {
  columns: [
    { name: 'id', type: { kind: 'int64' } },
    { name: 'name', type: { kind: 'string' } },
  ],
};
function* wideRows(n: number): Generator<Value[]> {
  for (let i = 0; i < n; i++) yield [BigInt(i), `row ${i} ${'x'.repeat(i % 50)}`];
}

describe('streaming and row groups', () => {
  it('yields each row group before it has pulled all the input (bounded memory)', async () => {
    let pulled = 0;
    async function* input(): AsyncGenerator<Batch> {
      const all = [...wideRows(10_000)];
      for (let i = 0; i < all.length; i += 500) {
        pulled++;
        yield { rows: all.slice(i, i + 500) };
      }
    }
    const it = parquetCodec.write(WIDE, input(), { rowGroupRows: 1000 })[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(Buffer.from(first.value!.subarray(0, 4)).toString('latin1')).toBe('PAR1');
    expect(pulled).toBe(2); // exactly one row group's worth of batches
    const rest: Uint8Array[] = [first.value!];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect(rest).toHaveLength(11); // 10 row groups and the footer
    const bytes = Buffer.concat(rest);
    const info = await parquetFooterInfo(bufferByteSource('groups.parquet', bytes));
    expect(info.rowCount).toBe(10_000);
    expect(info.rowGroups.map((g) => g.rows)).toEqual(Array(10).fill(1000));
    writeFileSync(at('groups.parquet'), bytes);
    expect(await duck(`SELECT count(*), sum(id), max(length(name)) FROM '${at('groups.parquet')}'`)).toEqual([[10_000n, 49_995_000n, 58n]]);
  });

  it('its offset indexes let a reader fetch only the first pages of a big row group', async () => {
    const f = await writeFile('paged.parquet', WIDE, batchesOf([...wideRows(200_000)], 4096), { rowGroupRows: 200_000 });
    const src = bufferByteSource('paged.parquet', f.bytes);
    const reader = await parquetCodec.open(src, {});
    const rows: Value[][] = [];
    for await (const b of reader.batches({ offset: 100_000, limit: 3 })) rows.push(...b.rows);
    expect(rows).toEqual([...wideRows(100_003)].slice(100_000));
    // Besides the footer's one read: the offset indexes and the one page of each column holding those rows.
    const group = (await parquetFooterInfo(bufferByteSource('paged.parquet', f.bytes))).rowGroups[0];
    expect(src.bytesRead - 64 * 1024).toBeLessThan(group.compressedBytes / 2);
  });

  it('an empty table is a valid file with its columns and no rows', async () => {
    const f = await writeFile('empty.parquet', FIDELITY, batchesOf([]));
    expect(f.chunks).toBe(1);
    expect(await duck(`SELECT count(*) FROM '${f.path}'`)).toEqual([[0n]]);
    const back = await readBack(bufferByteSource('empty.parquet', f.bytes));
    expect(back.schema).toEqual(FIDELITY);
    expect(back.rowCount).toBe(0);
    expect(back.rows).toEqual([]);
  });
});

describe('encoding', () => {
  it('repeated strings are dictionary-encoded, with exact min/max statistics that DuckDB filters on', async () => {
    const rows: Value[][] = Array.from({ length: 10_000 }, (_, i) => [`grp-${i % 10} é`, i % 5 ? `u${i}` : null]);
    const schema: Schema = { columns: [{ name: 'g', type: { kind: 'string' } }, { name: 'u', type: { kind: 'string' } }] };
    const f = await writeFile('dict.parquet', schema, batchesOf(rows, 4096));
    expect(await duck(`SELECT path_in_schema, encodings, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('${f.path}')`)).toEqual([
      ['g', 'PLAIN, RLE_DICTIONARY', 'grp-0 é', 'grp-9 é', 0n],
      ['u', 'PLAIN', 'u1', 'u9999', 2000n],
    ]);
    expect(await duck(`SELECT count(*) FROM '${f.path}' WHERE g = 'grp-3 é'`)).toEqual([[1000n]]);
    expect((await readBack(bufferByteSource('dict.parquet', f.bytes))).rows).toEqual(rows);
  });
});

describe('statistics of the hand-written columns', () => {
  it('string min/max in UTF-8 byte order (an emoji sorts after U+E000), NULL counts, all-NULL columns, int64 beyond 2^53', async () => {
    const rows: Value[][] = [
      ['\uE000x', null, 5n, 1.5],
      ['😀', null, -9223372036854775808n, null],
      ['a', null, 9007199254740993n, -0.25],
      [null, null, null, 7],
    ];
    const schema: Schema = {
      columns: [
        { name: 's', type: { kind: 'string' } },
        { name: 'n', type: { kind: 'string' } },
        { name: 'i', type: { kind: 'int64' } },
        { name: 'f', type: { kind: 'float64' } },
      ],
    };
    const f = await writeFile('stats.parquet', schema, batchesOf(rows));
    expect(await duck(`SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('${f.path}')`)).toEqual([
      ['s', 'a', '😀', 1n],
      ['n', null, null, 4n],
      ['i', '-9223372036854775808', '9007199254740993', 1n],
      ['f', '-0.25', '7.0', 1n],
    ]);
    expect(await duck(`SELECT count(*) FROM '${f.path}' WHERE s > '\uE000'`)).toEqual([[2n]]);
    expect((await readBack(bufferByteSource('stats.parquet', f.bytes))).rows).toEqual(rows);
  });
});

describe('compression', () => {
  for (const [opt, codec] of [
    ['snappy', 'SNAPPY'],
    ['gzip', 'GZIP'],
    ['zstd', 'ZSTD'],
    ['none', 'UNCOMPRESSED'],
  ] as const) {
    it(`${opt}: DuckDB reads it and the footer says ${codec}`, async () => {
      const f = await writeFile(`${opt}.parquet`, WIDE, batchesOf([...wideRows(3000)], 1000), { compression: opt });
      expect(await duck(`SELECT DISTINCT compression FROM parquet_metadata('${f.path}')`)).toEqual([[codec]]);
      expect(await duck(`SELECT count(*), sum(id) FROM '${f.path}'`)).toEqual([[3000n, 4_498_500n]]);
      const back = await readBack(bufferByteSource(`${opt}.parquet`, f.bytes));
      expect(back.rows).toEqual([...wideRows(3000)]);
    });
  }
});

describe('values that do not fit their column', () => {
  const cases: [string, Schema['columns'][number]['type'], Value, RegExp][] = [
    ['a JS number in an int64 column', { kind: 'int64' }, 5, /row 2, column 'c': number 5 is not a int64 value/],
    ['a decimal wider than its precision', { kind: 'decimal', precision: 5, scale: 2 }, 100000n, /row 2, column 'c': 100000n is not a decimal\(5,2\) value/],
    ['a fraction in an int32 column', { kind: 'int32' }, 1.5, /row 2, column 'c'/],
    ['an int64 beyond 64 bits', { kind: 'int64' }, 2n ** 63n, /row 2, column 'c'/],
  ];
  for (const [what, type, bad, message] of cases) {
    it(`${what}: INVALID_INPUT naming the row and column`, async () => {
      const ok: Value = type.kind === 'int32' ? 1 : 1n;
      const e = await writeFile('bad.parquet', { columns: [{ name: 'c', type }] }, batchesOf([[ok], [bad]])).catch((err: unknown) => err);
      expect(isFerryError(e, 'INVALID_INPUT'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
    });
  }
});
