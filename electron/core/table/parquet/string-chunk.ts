import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { FerryError } from '../../errors';
import type { ColumnVector, Value } from '../types';
import { writeUtf8 } from '../utf8';
import { typeName } from '../values';
import { chunkEntry, countNulls, PAGE_BYTES, writeDataPage, type Compress, type OffsetIndex, type SchemaElement, type Statistics, type WriterChunk } from './number-chunk';
import { describe } from './schema-out';

/**
 * One row group's string (or JSON text) column, written by hand like number-chunk.ts: each value goes
 * once into a byte buffer already in PLAIN layout (4-byte length, UTF-8), so the pages are slices of it,
 * with no Uint8Array object per value (hyparquet-writer's input) for the collector to trace and promote.
 * Repeated values get a dictionary (PLAIN dictionary page, RLE_DICTIONARY data pages), as DuckDB and
 * hyparquet-writer do; min/max are kept in UTF-8 byte order, which Parquet's statistics use.
 */
export class StringChunk {
  private bytes = new Uint8Array(1 << 20);
  private used = 0;
  /** ends[i]: where row i's PLAIN entry ends in `bytes` (a NULL row: where the previous one ended). */
  private ends: Int32Array;
  private nulls: Uint8Array;
  private nullCount = 0;
  length = 0;
  /** Distinct values while a dictionary still looks worth it (null once it does not). */
  private dict: Map<string, number> | null = new Map();
  private dictBytes = 0;
  private indexes: Int32Array;
  private min: string | null = null;
  private max: string | null = null;

  constructor(
    readonly element: SchemaElement,
    private readonly column: string,
    private readonly kind: 'string' | 'json',
    capacity: number,
  ) {
    this.ends = new Int32Array(capacity);
    this.nulls = new Uint8Array(capacity);
    this.indexes = new Int32Array(capacity);
  }

  /** Rows [from, to) of a column vector; throws FerryError INVALID_INPUT with detail.at for a non-string. */
  /** Bytes of values gathered (the row group's size bound). */
  get size(): number {
    return this.used;
  }

  add(v: ColumnVector, from: number, to: number): void {
    this.reserve(to - from);
    if (v.kind !== 'values') {
      if (from < to) this.bad(v.values[from], from);
      return;
    }
    const values = v.values;
    for (let i = from; i < to; i++) {
      const x = values[i] ?? null;
      if (x === null) this.pushNull();
      else if (typeof x === 'string') this.push(x);
      else this.bad(x, i);
    }
  }

  write(writer: ByteWriter, codec: string, compress: Compress | undefined): { chunk: WriterChunk; offsetIndex?: OffsetIndex } {
    const start = writer.offset;
    const nonNull = this.length - this.nullCount;
    const dict = this.dict && nonNull > 0 && this.dict.size <= nonNull / 2 ? this.dict : null;
    let uncompressed = 0;
    if (dict) uncompressed += this.writeDictionary(writer, dict, codec, compress);
    const pages: OffsetIndex['page_locations'] = [];
    const bitWidth = dict ? 32 - Math.clz32(Math.max(0, dict.size - 1)) : 0;
    for (let s = 0; ; ) {
      const e = dict ? Math.min(this.length, s + (1 << 17)) : this.pageEnd(s);
      const pageStart = writer.offset;
      const body = dict ? this.indexPage(s, e, bitWidth) : this.bytes.subarray(s ? this.ends[s - 1] : 0, e ? this.ends[e - 1] : 0);
      uncompressed += writeDataPage(writer, this.nulls, s, e, body, dict ? 'RLE_DICTIONARY' : 'PLAIN', codec, compress);
      pages.push({ offset: BigInt(pageStart), compressed_page_size: writer.offset - pageStart, first_row_index: BigInt(s) });
      if (e >= this.length) break;
      s = e;
    }
    const statistics: Statistics = { null_count: BigInt(this.nullCount) };
    if (this.min !== null) Object.assign(statistics, { min_value: this.min, max_value: this.max });
    return chunkEntry(this.element, 'BYTE_ARRAY', codec, this.length, start, writer.offset, uncompressed, dict ? start : null, pages, statistics);
  }

  reset(): void {
    this.nulls.fill(0, 0, this.length);
    this.nullCount = 0;
    this.length = 0;
    this.used = 0;
    this.dict = new Map();
    this.dictBytes = 0;
    this.min = this.max = null;
  }

  private push(s: string): void {
    if (this.used + 4 + s.length * 3 > this.bytes.length) this.grow(this.used + 4 + s.length * 3);
    const at = this.used;
    const end = writeUtf8(s, this.bytes, at + 4);
    const n = end - at - 4;
    this.bytes[at] = n & 0xff;
    this.bytes[at + 1] = (n >>> 8) & 0xff;
    this.bytes[at + 2] = (n >>> 16) & 0xff;
    this.bytes[at + 3] = n >>> 24;
    this.used = end;
    this.ends[this.length] = end;
    const dict = this.dict;
    if (dict) {
      let k = dict.get(s);
      if (k === undefined) {
        k = dict.size;
        dict.set(s, k);
        this.dictBytes += end - at;
        // Mostly distinct values (judged on the first thousand), or a dictionary past a page: no dictionary.
        const seen = this.length - this.nullCount + 1;
        if (this.dictBytes > PAGE_BYTES || (seen >= 1024 && dict.size > seen / 2)) this.dict = null;
      }
      this.indexes[this.length] = k;
    }
    if (this.min === null) this.min = this.max = s;
    else if (utf8Order(s, this.min) < 0) this.min = s;
    else if (utf8Order(s, this.max!) > 0) this.max = s;
    this.length++;
  }

  private pushNull(): void {
    this.ends[this.length] = this.used;
    this.nulls[this.length++] = 1;
    this.nullCount++;
  }

  /** The end of a PLAIN page starting at row s: about PAGE_BYTES of values, at least one row. */
  private pageEnd(s: number): number {
    const base = s ? this.ends[s - 1] : 0;
    let e = s + 1;
    while (e < this.length && this.ends[e - 1] - base < PAGE_BYTES) e++;
    return Math.min(e, this.length);
  }

  private indexPage(s: number, e: number, bitWidth: number): Uint8Array {
    const idx = new Int32Array(e - s - countNulls(this.nulls, s, e));
    let k = 0;
    for (let i = s; i < e; i++) if (!this.nulls[i]) idx[k++] = this.indexes[i];
    const w = new ByteWriter(idx.length + 16);
    w.appendUint8(bitWidth);
    writeRleBitPackedHybrid(w, idx, bitWidth);
    return w.getBytes();
  }

  private writeDictionary(writer: ByteWriter, dict: Map<string, number>, codec: string, compress: Compress | undefined): number {
    const plain = new Uint8Array(this.dictBytes);
    let at = 0;
    for (const s of dict.keys()) {
      const end = writeUtf8(s, plain, at + 4);
      new DataView(plain.buffer).setUint32(at, end - at - 4, true);
      at = end;
    }
    const packed = codec === 'UNCOMPRESSED' || !compress ? plain : compress(plain);
    const headerStart = writer.offset;
    writePageHeader(writer, {
      type: 'DICTIONARY_PAGE',
      uncompressed_page_size: plain.length,
      compressed_page_size: packed.length,
      dictionary_page_header: { num_values: dict.size, encoding: 'PLAIN' },
    });
    const header = writer.offset - headerStart;
    writer.appendBytes(packed);
    return header + plain.length;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.nulls.length) return;
    const size = Math.max(this.length + n, this.nulls.length * 2);
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.ends = grow(this.ends, (k) => new Int32Array(k));
    this.indexes = grow(this.indexes, (k) => new Int32Array(k));
    this.nulls = grow(this.nulls, (k) => new Uint8Array(k));
  }

  private grow(need: number): void {
    const bigger = new Uint8Array(Math.max(need, this.bytes.length * 2));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
  }

  private bad(v: Value | number, at: number): never {
    throw new FerryError('INVALID_INPUT', `column '${this.column}': ${describe(v)} is not a ${typeName({ kind: this.kind })} value`, { detail: { column: this.column, at } });
  }
}

/**
 * Code point order, which is UTF-8 byte order (Parquet's for string statistics). JavaScript's < compares
 * UTF-16 code units, which puts a surrogate pair (U+10000 and up) before U+E000-U+FFFF.
 */
export function utf8Order(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && Math.max(x, y) >= 0xe000) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
