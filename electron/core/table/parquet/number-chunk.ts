import { ByteWriter, type ParquetWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { FerryError } from '../../errors';
import { isBigKind } from '../columns';
import type { ColumnVector, LogicalType, Value } from '../types';
import { typeName, unitsPerSecond } from '../values';
import { describe } from './schema-out';

/**
 * One row group's column of a fixed-width type (boolean, int32, int64, float64, date, time, timestamp,
 * decimal up to 18 digits), gathered into a reused Float64Array and written as PLAIN data pages by hand.
 * hyparquet-writer's generic path (a JS value per row, unconverted, sliced and copied per page, statistics
 * by comparing each value) cost more than reading the CSV; this one is a loop over a typed array. Values
 * beyond ±2^53 (an int64 such as -9223372036854775808) switch the group's column to a BigInt64Array.
 * Strings, binary, wide decimals and nested columns still go through hyparquet-writer (dictionary
 * encoding, byte-array statistics).
 */
/** hyparquet-writer's own (nested) hyparquet types, which differ from the reader's hyparquet version. */
export type WriterChunk = ParquetWriter['row_groups'][number]['columns'][number];
export type SchemaElement = ParquetWriter['schema'][number];
export type OffsetIndex = NonNullable<ParquetWriter['pendingIndexes'][number]['offsetIndex']>;
export type Statistics = NonNullable<NonNullable<WriterChunk['meta_data']>['statistics']>;
type MinMax = Statistics['min_value'];

export class NumberChunk {
  private values: Float64Array;
  private big: BigInt64Array | null = null;
  private nulls: Uint8Array;
  private nullCount = 0;
  length = 0;
  private readonly check: (n: number) => boolean;
  readonly physical: 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE';

  constructor(
    readonly element: SchemaElement,
    private readonly type: LogicalType,
    private readonly column: string,
    capacity: number,
  ) {
    this.values = new Float64Array(capacity);
    this.nulls = new Uint8Array(capacity);
    this.physical = element.type as NumberChunk['physical'];
    this.check = checker(type);
  }

  /** Rows [from, to) of a column vector. Throws FerryError INVALID_INPUT (with the row's index in the vector as detail.at). */
  add(v: ColumnVector, from: number, to: number): void {
    this.reserve(to - from);
    if (v.kind === 'values') {
      for (let i = from; i < to; i++) this.addValue(v.values[i] ?? null, i);
      return;
    }
    const { values, nulls } = v;
    const check = this.check;
    for (let i = from; i < to; i++) {
      if (nulls && nulls[i]) {
        this.pushNull();
        continue;
      }
      const n = values[i];
      if (!check(n)) this.bad(isBigKind(this.type) && Number.isInteger(n) ? BigInt(n) : this.type.kind === 'boolean' ? n !== 0 : n, i);
      if (this.big) this.big[this.length] = BigInt(n);
      else this.values[this.length] = n;
      this.length++;
    }
  }

  /** A Value of the row form, checked as strictly as the generic path's preparer (schema-out.ts). */
  addValue(v: Value, at: number): void {
    if (v === null) return this.pushNull();
    let n: number;
    const t = this.type;
    if (isBigKind(t)) {
      if (typeof v !== 'bigint') return this.bad(v, at);
      if (v >= MIN_SAFE && v <= MAX_SAFE) n = Number(v);
      else {
        if (this.physical !== 'INT64' || BigInt.asIntN(64, v) !== v) return this.bad(v, at);
        this.toBig();
        this.big![this.length++] = v;
        return;
      }
    } else if (t.kind === 'boolean') {
      if (typeof v !== 'boolean') return this.bad(v, at);
      n = v ? 1 : 0;
    } else {
      if (typeof v !== 'number') return this.bad(v, at);
      n = v;
    }
    if (!this.check(n)) return this.bad(v, at);
    if (this.big) this.big[this.length] = BigInt(n);
    else this.values[this.length] = n;
    this.length++;
  }

  /** Writes the chunk's pages (each at most PAGE_BYTES of values) and returns its footer entry and offset index. */
  write(writer: ByteWriter, codec: string, compress: Compress | undefined): { chunk: WriterChunk; offsetIndex?: OffsetIndex } {
    const width = this.physical === 'BOOLEAN' ? 1 / 8 : this.physical === 'INT32' ? 4 : 8;
    const perPage = Math.max(1, Math.floor(PAGE_BYTES / width));
    const chunkStart = writer.offset;
    const pages: PageLocation[] = [];
    let uncompressed = 0;
    for (let s = 0; ; s += perPage) {
      const e = Math.min(this.length, s + perPage);
      const pageStart = writer.offset;
      const count = e - s - countNulls(this.nulls, s, e);
      uncompressed += writeDataPage(writer, this.nulls, s, e, this.plain(s, e, count), 'PLAIN', codec, compress);
      pages.push({ offset: BigInt(pageStart), compressed_page_size: writer.offset - pageStart, first_row_index: BigInt(s) });
      if (e >= this.length) break;
    }
    return chunkEntry(this.element, this.physical, codec, this.length, chunkStart, writer.offset, uncompressed, null, pages, this.statistics());
  }

  /** Empties the chunk for the next row group (its arrays are reused). */
  reset(): void {
    if (this.nullCount) this.nulls.fill(0, 0, this.length);
    this.nullCount = 0;
    this.length = 0;
    this.big = null;
  }

  /** The non-NULL values of rows [s, e) in PLAIN encoding. */
  private plain(s: number, e: number, count: number): Uint8Array {
    const { values, big, nulls } = this;
    if (this.physical === 'BOOLEAN') {
      const out = new Uint8Array(Math.ceil(count / 8));
      let k = 0;
      for (let i = s; i < e; i++) {
        if (nulls[i]) continue;
        if (values[i]) out[k >> 3] |= 1 << (k & 7);
        k++;
      }
      return out;
    }
    const width = this.physical === 'INT32' ? 4 : 8;
    const out = new Uint8Array(count * width);
    const view = new DataView(out.buffer);
    let at = 0;
    if (big) {
      for (let i = s; i < e; i++) {
        if (nulls[i]) continue;
        view.setBigInt64(at, big[i], true);
        at += 8;
      }
    } else if (this.physical === 'INT32') {
      for (let i = s; i < e; i++) {
        if (nulls[i]) continue;
        view.setInt32(at, values[i], true);
        at += 4;
      }
    } else if (this.physical === 'DOUBLE') {
      for (let i = s; i < e; i++) {
        if (nulls[i]) continue;
        view.setFloat64(at, values[i], true);
        at += 8;
      }
    } else {
      for (let i = s; i < e; i++) {
        if (nulls[i]) continue;
        // An exact integer within ±2^53 as two 32-bit halves (no BigInt per value).
        const n = values[i];
        const hi = Math.floor(n / 4294967296);
        view.setUint32(at, n - hi * 4294967296, true);
        view.setInt32(at + 4, hi, true);
        at += 8;
      }
    }
    return out;
  }

  /** min, max (as the generic path gives them to the footer writer: bigint for 64-bit and decimal columns) and the NULL count. */
  private statistics(): Statistics {
    let min = Infinity;
    let max = -Infinity;
    let bigMin: bigint | null = null;
    let bigMax: bigint | null = null;
    let nan = 0;
    const { values, big, nulls } = this;
    for (let i = 0; i < this.length; i++) {
      if (nulls[i]) continue;
      if (big) {
        const b = big[i];
        if (bigMin === null || b < bigMin) bigMin = b;
        if (bigMax === null || b > bigMax) bigMax = b;
        continue;
      }
      const n = values[i];
      if (n !== n) nan++;
      else {
        if (n < min) min = n;
        if (n > max) max = n;
      }
    }
    const stats: Statistics & { nan_count?: bigint } = { null_count: BigInt(this.nullCount) };
    if (this.physical === 'DOUBLE') stats.nan_count = BigInt(nan);
    if (big) return { ...stats, min_value: bigMin ?? undefined, max_value: bigMax ?? undefined };
    if (min > max) return stats; // every value NULL (or NaN)
    const asValue = (n: number): MinMax => {
      if (this.type.kind === 'boolean') return n !== 0;
      if (this.physical === 'INT64' || this.type.kind === 'decimal') return BigInt(n);
      return n;
    };
    // Signed zero per the Parquet spec: min -0, max +0.
    return { ...stats, min_value: min === 0 ? -0 : asValue(min), max_value: max === 0 ? 0 : asValue(max) };
  }

  private pushNull(): void {
    this.nulls[this.length++] = 1;
    this.nullCount++;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.nulls.length) return;
    const size = Math.max(this.length + n, this.nulls.length * 2);
    const values = new Float64Array(size);
    values.set(this.values.subarray(0, this.length));
    this.values = values;
    const nulls = new Uint8Array(size);
    nulls.set(this.nulls.subarray(0, this.length));
    this.nulls = nulls;
    if (this.big) {
      const b = new BigInt64Array(size);
      b.set(this.big.subarray(0, this.length));
      this.big = b;
    }
  }

  private toBig(): void {
    if (this.big) return;
    const b = new BigInt64Array(this.nulls.length);
    for (let i = 0; i < this.length; i++) if (!this.nulls[i]) b[i] = BigInt(this.values[i]);
    this.big = b;
  }

  private bad(v: Value, at: number): never {
    throw new FerryError('INVALID_INPUT', `column '${this.column}': ${describe(v)} is not a ${typeName(this.type)} value`, { detail: { column: this.column, at } });
  }
}

export type Compress = (b: Uint8Array) => Uint8Array;
type PageLocation = OffsetIndex['page_locations'][number];

export function countNulls(nulls: Uint8Array, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) n += nulls[i];
  return n;
}

/**
 * One DATA_PAGE_V2 of a flat OPTIONAL column: rows [s, e), NULL where nulls[i] is 1, `data` the encoded
 * non-NULL values. Returns its uncompressed size (header included), as the footer counts it.
 */
export function writeDataPage(writer: ByteWriter, nulls: Uint8Array, s: number, e: number, data: Uint8Array, encoding: 'PLAIN' | 'RLE_DICTIONARY', codec: string, compress: Compress | undefined): number {
  const nullCount = countNulls(nulls, s, e);
  // Definition levels (1 = a value, 0 = NULL); without NULLs, one RLE run.
  const levels = new ByteWriter(nullCount ? 1024 : 16);
  if (nullCount === 0) {
    levels.appendVarInt((e - s) << 1);
    levels.appendUint8(1);
  } else writeRleBitPackedHybrid(levels, nulls.subarray(s, e).map((x) => 1 - x), 1);
  const packed = codec === 'UNCOMPRESSED' || !compress ? data : compress(data);
  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: levels.offset + data.length,
    compressed_page_size: levels.offset + packed.length,
    data_page_header_v2: {
      num_values: e - s,
      num_nulls: nullCount,
      num_rows: e - s,
      encoding,
      definition_levels_byte_length: levels.offset,
      repetition_levels_byte_length: 0,
      is_compressed: codec !== 'UNCOMPRESSED',
    },
  });
  const header = writer.offset - headerStart;
  writer.appendBytes(levels.getBytes());
  writer.appendBytes(packed);
  return header + levels.offset + data.length;
}

/** A column chunk's footer entry (and its offset index when it has several pages). */
export function chunkEntry(
  element: SchemaElement,
  physical: string,
  codec: string,
  rows: number,
  start: number,
  end: number,
  uncompressed: number,
  dictionaryAt: number | null,
  pages: PageLocation[],
  statistics: Statistics,
): { chunk: WriterChunk; offsetIndex?: OffsetIndex } {
  const encoding = dictionaryAt === null ? 'PLAIN' : 'RLE_DICTIONARY';
  type Meta = NonNullable<WriterChunk['meta_data']>;
  const chunk: WriterChunk = {
    file_offset: BigInt(start),
    meta_data: {
      type: physical as Meta['type'],
      encodings: dictionaryAt === null ? ['PLAIN'] : ['PLAIN', 'RLE_DICTIONARY'],
      path_in_schema: [element.name],
      codec: codec as Meta['codec'],
      num_values: BigInt(rows),
      total_compressed_size: BigInt(end - start),
      total_uncompressed_size: BigInt(uncompressed),
      data_page_offset: pages[0].offset,
      dictionary_page_offset: dictionaryAt === null ? undefined : BigInt(dictionaryAt),
      statistics,
      encoding_stats: [...(dictionaryAt === null ? [] : [{ page_type: 'DICTIONARY_PAGE' as const, encoding: 'PLAIN' as const, count: 1 }]), { page_type: 'DATA_PAGE_V2', encoding, count: pages.length }],
    },
  };
  return { chunk, offsetIndex: pages.length > 1 ? { page_locations: pages } : undefined };
}

export const PAGE_BYTES = 1 << 20;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** Whether a number of a 'numbers' vector is a value of the type (the bounds schema-out.ts's preparer checks). */
function checker(t: LogicalType): (n: number) => boolean {
  switch (t.kind) {
    case 'boolean':
      return (n) => n === 0 || n === 1;
    case 'int32':
    case 'date':
      return (n) => (n | 0) === n;
    case 'float64':
      return () => true;
    case 'decimal': {
      const bound = 10 ** t.precision;
      return (n) => Number.isInteger(n) && n < bound && n > -bound;
    }
    case 'time': {
      const day = 86_400 * Number(unitsPerSecond(t.unit));
      return (n) => Number.isInteger(n) && n >= 0 && n < day;
    }
    default:
      return Number.isInteger;
  }
}
