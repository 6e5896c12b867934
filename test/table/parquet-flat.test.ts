import { parquetRead } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileByteSource } from '../../electron/core/table/byte-source';
import { ColumnBatch, valueGetter } from '../../electron/core/table/columns';
import { writeCsv } from '../../electron/core/table/csv/writer';
import { decodeFlatColumn, flatColumns } from '../../electron/core/table/parquet/flat-column';
import { parquetCodec } from '../../electron/core/table/parquet/index';
import { openFile, type OpenedParquet } from '../../electron/core/table/parquet/reader';
import { RAW_PARSERS } from '../../electron/core/table/parquet/schema-in';
import { writeParquet } from '../../electron/core/table/parquet/writer';
import { TextVector } from '../../electron/core/table/text-bytes';
import type { Batch, Schema, Value } from '../../electron/core/table/types';
import { useDuckDb } from '../support/duckdb';
import { tempDir } from '../support/temp';

/**
 * flat-column.ts decodes flat columns without hyparquet's list assembly. Each of its values must be the
 * one hyparquet's own path (parquetRead, then the column's converter) gives, for every flat type, NULLs,
 * every encoding and codec DuckDB writes, pages skipped at the start of a run and cut at its end, and row
 * groups of several pages; and the reader must really take that path for flat files.
 */
const tmp = tempDir('ferry-parquet-flat-');
const at = (name: string) => join(tmp.path, name);
const duck = useDuckDb();
afterAll(() => tmp.cleanup());

/** Every flat type; each column NULL on its own rows, strings repeating (dictionaries) and unique. */
const FLAT_SQL = (n: number) => `SELECT
  (i % 100 - 50)::TINYINT AS i8, (i * 3)::SMALLINT AS i16, (i * 7919 - 2000000)::INTEGER AS i32,
  CASE WHEN i % 5 = 1 THEN NULL ELSE (i * 104729 - 9007199254000000)::BIGINT END AS i64,
  (i % 250)::UTINYINT AS u8, (i * 1000003 % 4294967296)::UINTEGER AS u32, (i * 12345678901)::UBIGINT AS u64,
  CASE WHEN i % 4 = 2 THEN NULL ELSE (i % 1000 / 10)::DECIMAL(4,1) END AS d4, (i * 1.25)::DECIMAL(10,2) AS d10,
  (i * 1234567.891)::DECIMAL(18,3) AS d18, (i * 12345678901234567.123456789)::DECIMAL(38,9) AS d38,
  CASE WHEN i % 6 = 0 THEN NULL ELSE DATE '1901-12-13' + (i % 40000)::INT END AS dt,
  TIME '00:00:00' + to_microseconds(i * 1000003 % 86400000000) AS tm,
  TIMESTAMP '1960-01-01' + to_microseconds(i * 987654321) AS ts,
  CASE WHEN i % 3 = 0 THEN NULL ELSE TIMESTAMPTZ '2026-03-29 00:00:00+00' + to_microseconds(i * 1000001) END AS tstz,
  (TIMESTAMP '1969-07-20 20:17:40' + to_microseconds(i))::TIMESTAMP_NS AS tsns, (TIMESTAMP '2026-01-01' + to_milliseconds(i))::TIMESTAMP_MS AS tsms,
  CASE WHEN i % 7 = 3 THEN NULL WHEN i % 7 = 4 THEN '' ELSE 'név ' || (i % 40) || ' 東京' END AS s, md5(i::VARCHAR) AS h,
  CASE WHEN i % 9 = 0 THEN NULL ELSE ('\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB END AS b,
  CASE WHEN i % 11 = 0 THEN NULL ELSE i % 3 = 0 END AS bo, (i * 0.5)::FLOAT AS f, CASE WHEN i % 2 = 0 THEN NULL ELSE i / 8 END::DOUBLE AS db,
  ('{"n": ' || i || '}')::JSON AS j, gen_random_uuid() AS u, (['a', 'b', 'c'])[i % 3 + 1]::ENUM('a', 'b', 'c') AS en
  FROM range(${n}) t(i)`;

/** Rows [s, e) of each column as hyparquet's own path gives them (parquetRead, then the column's converter). */
async function hyparquetRows(file: OpenedParquet, s: number, e: number): Promise<Value[][]> {
  const cols: Value[][] = file.plans.map(() => []);
  await parquetRead({
    file: file.buf,
    metadata: file.raw,
    rowStart: s,
    rowEnd: e,
    utf8: false,
    parsers: RAW_PARSERS,
    compressors: file.compressors,
    onChunk: (c) => {
      const i = file.plans.findIndex((p) => p.column.name === c.columnName);
      const conv = file.plans[i].convert;
      for (let r = Math.max(s, c.rowStart); r < Math.min(e, c.rowEnd); r++) {
        const v = c.columnData[r - c.rowStart];
        cols[i][r - s] = conv ? conv(v) : v === undefined ? null : (v as Value);
      }
    },
  });
  return cols;
}

/** Rows [first, first + count) of group g, each column through decodeFlatColumn. */
async function flatRows(file: OpenedParquet, g: number, first: number, count: number): Promise<Value[][]> {
  const cols = flatColumns(file, g);
  expect(cols, 'every column is flat').not.toBeNull();
  const group = file.groups[g];
  const bytes = await file.buf.bytes(group.byteStart, group.byteEnd);
  return cols!.map((c) => {
    const v = decodeFlatColumn(c, bytes.subarray(c.start - group.byteStart, c.end - group.byteStart), first, count);
    const get = valueGetter(v, c.plan.column.type);
    return Array.from({ length: count }, (_, i) => get(i));
  });
}

async function expectSameAsHyparquet(path: string, runs: (g: { rows: number }) => [number, number][]) {
  const file = await openFile(await fileByteSource(path));
  for (const g of file.groups) {
    for (const [first, count] of runs(g)) {
      const want = await hyparquetRows(file, g.start + first, g.start + first + count);
      const got = await flatRows(file, g.index, first, count);
      for (let c = 0; c < want.length; c++) expect(got[c], `${file.plans[c].column.name}, group ${g.index}, rows ${first}+${count}`).toEqual(want[c]);
    }
  }
  return file;
}

describe('flat columns decoded without list assembly agree with hyparquet', () => {
  const variants: [string, string][] = [
    ['default (dictionaries, snappy)', ''],
    ['plain encodings', ', DICTIONARY_SIZE_LIMIT 1'],
    ['v2 pages, delta encodings', ', PARQUET_VERSION v2'],
    ['zstd', ', COMPRESSION zstd'],
    ['gzip', ', COMPRESSION gzip'],
  ];
  for (const [name, opts] of variants) {
    it(`${name}: every type, NULLs, whole groups and runs inside them`, async () => {
      const path = at(`${name.replace(/\W+/g, '-')}.parquet`);
      await duck.db.run(`COPY (${FLAT_SQL(6000)}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048${opts})`);
      const file = await expectSameAsHyparquet(path, (g) => [
        [0, g.rows],
        [1, 1],
        [g.rows - 3, 3],
        [700, 1100],
      ]);
      expect(file.groups).toHaveLength(3);
      expect(file.plans.map((p) => p.column.name)).toContain('tsns');
    });
  }

  it('REQUIRED columns (no definition levels), several small pages: runs start and end at the right values', async () => {
    // DuckDB writes every column OPTIONAL; hyparquet-writer writes REQUIRED ones when told they hold no NULL.
    const n = 5000;
    const path = at('required.parquet');
    writeFileSync(
      path,
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'a', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 3 - 7000)), type: 'INT64', nullable: false },
            { name: 's', data: Array.from({ length: n }, (_, i) => `r${i % 50}`), type: 'STRING', nullable: false },
            { name: 'f', data: Float64Array.from({ length: n }, (_, i) => i / 4), type: 'DOUBLE', nullable: false },
            { name: 'b', data: Array.from({ length: n }, (_, i) => i % 3 === 0), type: 'BOOLEAN', nullable: false },
          ],
          rowGroupSize: 2048,
          pageSize: 4096,
        }),
      ),
    );
    const file = await expectSameAsHyparquet(path, (g) => [
      [0, g.rows],
      [1, 1],
      [700, Math.min(1100, g.rows - 700)],
    ]);
    expect(file.raw.schema.slice(1).map((e) => e.repetition_type)).toEqual(['REQUIRED', 'REQUIRED', 'REQUIRED', 'REQUIRED']);
    expect(file.groups.map((g) => g.rows)).toEqual([2048, 2048, 904]);
  });

  it('row groups of several pages (Ferry\'s writer): pages before a run are skipped, a run ends inside a page', async () => {
    const n = 300_000;
    const schema: Schema = {
      columns: [
        { name: 'id', type: { kind: 'int64' } },
        { name: 'x', type: { kind: 'float64' } },
        { name: 'name', type: { kind: 'string' } },
      ],
    };
    async function* batches(): AsyncIterable<Batch> {
      for (let s = 0; s < n; s += 4096) {
        const len = Math.min(4096, n - s);
        const ids = new Float64Array(len);
        const xs = new Float64Array(len);
        const nulls = new Uint8Array(len);
        const names: Value[] = [];
        for (let i = 0; i < len; i++) {
          ids[i] = (s + i) * 31 - 5_000_000;
          xs[i] = (s + i) / 3;
          nulls[i] = (s + i) % 13 === 0 ? 1 : 0;
          names.push((s + i) % 17 === 0 ? null : `row ${s + i} ${'x'.repeat((s + i) % 23)}`);
        }
        yield new ColumnBatch([{ kind: 'numbers', values: ids, nulls }, { kind: 'numbers', values: xs, nulls: null }, { kind: 'values', values: names }], schema.columns.map((c) => c.type), len);
      }
    }
    const parts: Uint8Array[] = [];
    for await (const p of writeParquet(schema, batches(), { rowGroupRows: n })) parts.push(p);
    const path = at('pages.parquet');
    writeFileSync(path, Buffer.concat(parts));
    const file = await expectSameAsHyparquet(path, () => [
      [0, n],
      [140_000, 150_000],
      [n - 10, 10],
    ]);
    expect(file.groups).toHaveLength(1);
    // The id column's chunk holds several data pages (walked header by header).
    const m = file.raw.row_groups[0].columns[0].meta_data!;
    const chunk = await file.buf.bytes(Number(m.data_page_offset), Number(m.data_page_offset + m.total_compressed_size));
    const reader = { view: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset: 0 };
    let pages = 0;
    while (reader.offset < chunk.length) {
      const h = parquetHeader(reader);
      reader.offset += h.compressed_page_size;
      if (h.type === 'DATA_PAGE' || h.type === 'DATA_PAGE_V2') pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  it('an int64 column with a value beyond 2^53 is read as exact bigints, not doubles', async () => {
    const path = at('big-int64.parquet');
    await duck.db.run(`COPY (SELECT i, CASE WHEN i = 700 THEN 9007199254740993 WHEN i = 701 THEN -9007199254740991 ELSE i END::BIGINT AS v FROM range(1000) t(i)) TO '${path}' (FORMAT parquet)`);
    const file = await openFile(await fileByteSource(path));
    const cols = flatColumns(file, 0)!;
    const g = file.groups[0];
    const bytes = await file.buf.bytes(g.byteStart, g.byteEnd);
    const slice = (c: number) => bytes.subarray(cols[c].start - g.byteStart, cols[c].end - g.byteStart);
    const v = decodeFlatColumn(cols[1], slice(1), 0, 1000);
    expect(v.kind).toBe('values');
    expect(v.kind === 'values' && v.values.slice(699, 702)).toEqual([699n, 9007199254740993n, -9007199254740991n]);
    expect(decodeFlatColumn(cols[0], slice(0), 0, 1000).kind).toBe('numbers');
    const reader = await parquetCodec.open(await fileByteSource(path), {});
    const rows: Value[][] = [];
    for await (const b of reader.batches()) rows.push(...b.rows);
    expect(rows[700][1]).toBe(9007199254740993n);
    expect(rows[699][1]).toBe(699n);
  });

  it('text kept as its UTF-8 bytes (PLAIN pages): the CSV written from the bytes is the CSV written from the strings', async () => {
    const tricky = ['plain', '', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', ' lead', 'trail ', '\ttab', 'é first', 'last é', 'nbsp\u00a0', '\u3000wide space', '東京, 大阪', 'emoji 🚀;', 'semi;colon', 'pipe|x', 'שלום', 'para§graph'];
    const rows = Array.from({ length: 5000 }, (_, i) => (i % 23 === 22 ? null : i % 2 ? tricky[i % tricky.length] : `${i} ${tricky[i % tricky.length]}`));
    const src = at('tricky.ndjson');
    writeFileSync(src, rows.map((s) => JSON.stringify({ s })).join('\n'));
    const path = at('tricky.parquet');
    await duck.db.run(`COPY (SELECT s FROM read_json('${src}', columns = {s: 'VARCHAR'}, format = 'newline_delimited')) TO '${path}' (FORMAT parquet, DICTIONARY_SIZE_LIMIT 1, ROW_GROUP_SIZE 2048)`);
    const schema: Schema = { columns: [{ name: 's', type: { kind: 'string' } }] };
    const csv = async (batches: AsyncIterable<Batch>, delimiter: string) => {
      const parts: Uint8Array[] = [];
      for await (const p of writeCsv(schema, batches, { delimiter })) parts.push(p);
      return Buffer.concat(parts).toString('utf8');
    };
    async function* fromParquet(): AsyncIterable<Batch> {
      const reader = await parquetCodec.open(await fileByteSource(path), {});
      for await (const b of reader.batches()) {
        expect((b as ColumnBatch).columns[0]).toBeInstanceOf(TextVector);
        yield b;
      }
    }
    async function* fromStrings(): AsyncIterable<Batch> {
      yield new ColumnBatch([{ kind: 'values', values: rows }], [{ kind: 'string' }], rows.length);
    }
    for (const delimiter of [',', ';', '\t', '|', '§']) {
      const got = await csv(fromParquet(), delimiter);
      expect(got, `delimiter ${JSON.stringify(delimiter)}`).toBe(await csv(fromStrings(), delimiter));
    }
    const lines = (await csv(fromParquet(), ',')).split('\n');
    expect(lines.slice(0, 7)).toEqual(['s', '0 plain', '""', '"2 a,b"', '"say ""hi"""', '"4 two', 'lines"']);
  });

  it('the reader takes this path for flat files: fixed-width columns arrive as typed arrays', async () => {
    const path = at('taken.parquet');
    await duck.db.run(`COPY (${FLAT_SQL(3000)}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
    const reader = await parquetCodec.open(await fileByteSource(path), {});
    const names = reader.schema.columns.map((c) => c.name);
    let batches = 0;
    for await (const b of reader.batches()) {
      const cols = (b as ColumnBatch).columns;
      expect(cols[names.indexOf('i64')].kind).toBe('numbers');
      expect(cols[names.indexOf('tstz')].kind).toBe('numbers');
      expect(cols[names.indexOf('s')].kind).toBe('values');
      batches++;
    }
    expect(batches).toBe(2);
  });
});
