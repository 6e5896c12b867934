import { isAscii, isUtf8 } from 'node:buffer';
import type { ColumnChunk, ColumnMetaData, Compressors, DecodedArray, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { convert, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { parquetSchema } from 'hyparquet/src/metadata.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getTreePath } from 'hyparquet/src/schema.js';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { isFixedWidth } from '../columns';
import { decodeText, TextVector } from '../text-bytes';
import type { ColumnVector, TextBytes, Value } from '../types';
import { firstBits } from './levels';
import type { OpenedParquet } from './reader';
import { RAW_PARSERS, type ColumnPlan } from './schema-in';

/**
 * A flat column's pages decoded straight into one column vector (types.ts ColumnVector).
 *
 * hyparquet decodes a page into its values and definition levels and then rebuilds the column from them
 * with its Dremel assembly (assemble.js), a general loop for nested lists that, for a flat nullable
 * column, costs a third of reading a Parquet file; its levels are a JS array per page, and int64-like
 * values come out as bigints that the table layer then turns back into doubles. Here a flat column's
 * levels are read into bytes, its values with hyparquet's own page decoders (every encoding and codec it
 * knows), and the two are merged in one loop into a Float64Array (fixed-width types whose values fit a
 * double exactly; a column with an int64 beyond 2^53 is read as bigints) or a Value array (strings,
 * binary, wide decimals...).
 *
 * Whatever this does not read (an old BIT_PACKED level encoding, a page it cannot decode) throws, and the
 * caller reads the slice through hyparquet as before, which also names what is wrong with a bad file.
 */
export class NotDecoded extends Error {}

export interface FlatColumn {
  decoder: ColumnDecoder;
  /** The decoder for a v1 page's values alone (no levels in front of them). */
  valuesOnly: ColumnDecoder;
  maxDef: number;
  plan: ColumnPlan;
  /** Fixed-width values kept as doubles (a 'numbers' vector). */
  numbers: boolean;
  /** UTF-8 text (strings, JSON) whose PLAIN pages are read by plainText. */
  text: boolean;
  /** Byte range of the column chunk in the file. */
  start: number;
  end: number;
}

/** The columns of one row group in plan order, or null when one is not a flat leaf of the file's schema. */
export function flatColumns(file: Pick<OpenedParquet, 'raw' | 'plans' | 'compressors'>, groupIndex: number): FlatColumn[] | null {
  const { raw, plans } = file;
  const schema = parquetSchema(raw);
  const byName = new Map(raw.row_groups[groupIndex].columns.map((c) => [c.meta_data?.path_in_schema.join('.'), c]));
  const out: FlatColumn[] = [];
  for (const plan of plans) {
    const chunk: ColumnChunk | undefined = byName.get(plan.column.name);
    const meta = chunk?.meta_data;
    if (!meta || meta.path_in_schema.length !== 1) return null;
    const decoder = columnDecoder(schema, meta, file.compressors);
    const schemaPath = decoder.schemaPath;
    if (decoder.element.repetition_type === 'REPEATED' || schemaPath.length !== 2) return null;
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    out.push({
      decoder,
      valuesOnly: { ...decoder, schemaPath: schemaPath.slice(0, 1) },
      maxDef: getMaxDefinitionLevel(schemaPath),
      plan,
      numbers: asNumbers(plan, meta.type),
      text: meta.type === 'BYTE_ARRAY' && plan.convert === null && (decoder.element.converted_type === 'UTF8' || decoder.element.converted_type === 'JSON'),
      start,
      end: start + Number(meta.total_compressed_size),
    });
  }
  return out;
}

/** hyparquet's decoder of one column chunk, reading raw values as the reader does (schema-in.ts). */
export function columnDecoder(schema: SchemaTree, meta: ColumnMetaData, compressors: Compressors): ColumnDecoder {
  const schemaPath = getTreePath(schema, meta.path_in_schema);
  return {
    pathInSchema: meta.path_in_schema,
    element: schemaPath[schemaPath.length - 1].element,
    schemaPath,
    type: meta.type,
    codec: meta.codec,
    compressors,
    utf8: false,
    parsers: { ...DEFAULT_PARSERS, ...RAW_PARSERS },
  };
}

/**
 * Types whose physical value is the number a 'numbers' vector holds: integers, doubles, booleans, and
 * DECIMAL or TIME on INT32, whose only conversion is to a bigint of the same integer.
 */
function asNumbers(plan: ColumnPlan, physical: string): boolean {
  const t = plan.column.type;
  if (!isFixedWidth(t) || !['BOOLEAN', 'INT32', 'INT64', 'FLOAT', 'DOUBLE'].includes(physical)) return false;
  return plan.convert === null || (physical === 'INT32' && (t.kind === 'decimal' || t.kind === 'time'));
}

/** Values of an int64 column beyond 2^53 (a nanosecond timestamp far from 1970): not doubles. */
class BeyondDouble extends Error {}

/** Rows [first, first + count) of the row group, from the column chunk's bytes. */
export function decodeFlatColumn(col: FlatColumn, bytes: Uint8Array, first: number, count: number): ColumnVector {
  if (col.numbers) {
    try {
      return decode(col, bytes, first, count, true);
    } catch (e) {
      if (!(e instanceof BeyondDouble)) throw e;
    }
  }
  return decode(col, bytes, first, count, false);
}

function decode(col: FlatColumn, bytes: Uint8Array, first: number, count: number, numbers: boolean): ColumnVector {
  const { decoder, maxDef } = col;
  const conv = numbers ? null : col.plan.convert;
  const doubles = numbers ? new Float64Array(count) : null;
  const values: Value[] | null = numbers ? null : new Array<Value>(count);
  let nulls: Uint8Array | null = null;
  let dictionary: DecodedArray | undefined;
  // A text column's PLAIN pages are kept as their bytes (text-bytes.ts) until a page that is not (a
  // dictionary, another encoding, a v2 page, invalid UTF-8) turns what was kept into strings.
  let text = col.text && !numbers ? new TextBuilder(count) : null;
  const toValues = () => {
    if (!text) return;
    const decoded = new TextVector(text.finish()).values;
    for (let i = 0; i < count; i++) values![i] = decoded[i];
    text = null;
  };
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const end = first + count;
  let row = 0; // the group's row at the current page's start
  while (row < end) {
    if (reader.offset >= bytes.length) throw new NotDecoded('the column chunk ends before its rows');
    const header = parquetHeader(reader);
    const body = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      toValues();
      const page = decompressPage(body, header.uncompressed_page_size, decoder.codec, decoder.compressors);
      const raw = readPlain(readerOf(page), decoder.type, header.dictionary_page_header!.num_values, decoder.element.type_length);
      dictionary = numbers ? toDoubles(raw) : convert(raw, decoder);
      continue;
    }
    const v1 = header.type === 'DATA_PAGE' ? header.data_page_header! : null;
    const v2 = header.type === 'DATA_PAGE_V2' ? header.data_page_header_v2! : null;
    if (!v1 && !v2) continue; // an index page
    const n = v1 ? v1.num_values : v2!.num_rows;
    if (row + n <= first) {
      row += n;
      continue;
    }
    const dict = (v1 ?? v2)!.encoding.endsWith('_DICTIONARY');
    if (dict && !dictionary) throw new NotDecoded('a dictionary-encoded page without a dictionary');
    // A page's values as the merge below takes them: dictionary indexes as they are, else doubles or Values.
    const finish = (raw: DecodedArray): DecodedArray => (dict ? raw : numbers ? toDoubles(raw) : convert(raw, decoder));
    let levels: Uint8Array | null = null;
    let src: DecodedArray;
    // Rows [skip, stop) of this page are wanted.
    const skip = Math.max(0, first - row);
    const stop = Math.min(n, end - row);
    if (!v1 || v1.encoding !== 'PLAIN') toValues();
    if (v1) {
      const page = decompressPage(body, header.uncompressed_page_size, decoder.codec, decoder.compressors);
      let at = 0;
      if (maxDef) {
        if (v1.definition_level_encoding !== 'RLE') throw new NotDecoded(`definition levels encoded ${v1.definition_level_encoding}`);
        const len = readerOf(page).view.getUint32(0, true);
        levels = firstBits(page, 4, 4 + len, n);
        at = 4 + len;
      }
      const present = levels ? ones(levels) : n;
      if (text) {
        if (text.page(page, at, present, levels, skip, stop, row - first)) {
          row += n;
          continue;
        }
        toValues();
      }
      if (col.text && !numbers && v1.encoding === 'PLAIN') src = plainText(page, at, present);
      else src = finish(readDataPage(page.subarray(at), { ...v1, num_values: present }, col.valuesOnly).dataPage);
    } else {
      const page = readDataPageV2(body, header, decoder);
      levels = page.definitionLevels?.length ? Uint8Array.from(page.definitionLevels) : null;
      src = finish(page.dataPage);
    }
    const lookup = dict ? dictionary! : null;
    // k indexes the page's values (NULLs have none).
    const k = levels ? ones(levels, skip) : skip;
    const base = row - first;
    if (doubles) nulls = scatterNumbers(doubles, nulls, base, levels, skip, stop, src, k, lookup);
    else scatterValues(values!, base, levels, skip, stop, src, k, lookup, conv);
    row += n;
  }
  if (text) return new TextVector(text.finish());
  return doubles ? { kind: 'numbers', values: doubles, nulls } : { kind: 'values', values: values! };
}

/** The bytes of a text column's PLAIN pages, for a TextVector of `count` rows. */
class TextBuilder {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  private ascii = true;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;

  constructor(count: number) {
    this.starts = new Int32Array(count).fill(-1);
    this.ends = new Int32Array(count);
  }

  /**
   * Rows [skip, stop) of a PLAIN page whose `present` values start at page[at] (a 4-byte length, then
   * the bytes) into rows base + i. False, with nothing kept, when the wanted values are not valid UTF-8.
   */
  page(page: Uint8Array, at: number, present: number, levels: Uint8Array | null, skip: number, stop: number, base: number): boolean {
    const pos = plainBounds(page, at, present);
    const k = levels ? ones(levels, skip) : skip;
    const kEnd = levels ? k + ones(levels.subarray(skip, stop)) : stop;
    const from = pos[k];
    const size = pos[kEnd] - from;
    if (this.used + size > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.used + size));
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
    }
    const copy = this.bytes.subarray(this.used, this.used + size);
    copy.set(page.subarray(from, from + size));
    // The lengths become spaces, so that one check over the copy checks every value: a value cut inside a
    // UTF-8 sequence still fails it, as ASCII cannot continue or start one.
    const shift = this.used - from;
    for (let v = k; v < kEnd; v++) {
      const q = pos[v] - from;
      copy[q] = copy[q + 1] = copy[q + 2] = copy[q + 3] = 32;
    }
    if (!isUtf8(copy)) return false;
    if (this.ascii && !isAscii(copy)) this.ascii = false;
    let v = k;
    for (let i = skip; i < stop; i++) {
      if (levels && levels[i] === 0) continue;
      this.starts[base + i] = pos[v] + 4 + shift;
      this.ends[base + i] = pos[++v] + shift;
    }
    this.used += size;
    return true;
  }

  finish(): TextBytes {
    return { bytes: this.bytes.subarray(0, this.used), starts: this.starts, ends: this.ends, ascii: this.ascii };
  }
}

/**
 * Rows [skip, stop) of a page into out[base + i]: NULL where levels[i] is 0, else the next value (src[k],
 * or lookup[src[k]] for dictionary indexes). One loop per case: this is a Parquet read's inner loop.
 * Returns the NULL flags (made on the first NULL).
 */
function scatterNumbers(out: Float64Array, nulls: Uint8Array | null, base: number, levels: Uint8Array | null, skip: number, stop: number, src: DecodedArray, k: number, lookup: DecodedArray | null): Uint8Array | null {
  const v = src as ArrayLike<number>;
  if (!levels) {
    if (lookup) for (let i = skip; i < stop; i++) out[base + i] = lookup[v[k++]] as number;
    else for (let i = skip; i < stop; i++) out[base + i] = v[k++];
    return nulls;
  }
  // The NULL flags only when there is a NULL: a column without any is read (and written) without them.
  for (let i = skip; i < stop; i++) {
    if (levels[i] === 0) (nulls ??= new Uint8Array(out.length))[base + i] = 1;
    else out[base + i] = lookup ? (lookup[v[k++]] as number) : v[k++];
  }
  return nulls;
}

function scatterValues(out: Value[], base: number, levels: Uint8Array | null, skip: number, stop: number, src: DecodedArray, k: number, lookup: DecodedArray | null, conv: ColumnPlan['convert']): void {
  for (let i = skip; i < stop; i++) {
    if (levels && levels[i] === 0) {
      out[base + i] = null;
      continue;
    }
    const v = lookup ? lookup[src[k++] as number] : src[k++];
    out[base + i] = conv ? conv(v) : (v as Value);
  }
}

/** Values as doubles; int64s exactly or not at all (BeyondDouble), booleans as 1 and 0. */
function toDoubles(data: DecodedArray): DecodedArray {
  if (data instanceof BigInt64Array) {
    // Two 32-bit halves (little-endian) instead of a bigint per value.
    const halves = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const hi = halves[2 * i + 1];
      const lo = halves[2 * i] >>> 0;
      // Exact doubles only: |v| <= 2^53 - 1 (Number.isSafeInteger).
      if (hi >= 0x200000 || hi < -0x200000 || (hi === -0x200000 && lo === 0)) throw new BeyondDouble();
      out[i] = hi * 4294967296 + lo;
    }
    return out;
  }
  if (Array.isArray(data)) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }
  return data; // Int32Array, Float32Array, Float64Array, Uint8Array
}

/**
 * Where each of `count` PLAIN byte arrays (a 4-byte length, then the bytes) from page[at...] starts:
 * pos[v] is value v's length field, pos[count] the end of the last value.
 */
function plainBounds(page: Uint8Array, at: number, count: number): Int32Array {
  const pos = new Int32Array(count + 1);
  let p = at;
  for (let v = 0; v < count; v++) {
    if (p + 4 > page.length) throw new NotDecoded('a byte array runs past its page');
    pos[v] = p;
    p += 4 + ((page[p] | (page[p + 1] << 8) | (page[p + 2] << 16) | (page[p + 3] << 24)) >>> 0);
    if (p > page.length) throw new NotDecoded('a byte array runs past its page');
  }
  pos[count] = p;
  return pos;
}

/** `count` PLAIN byte arrays from page[at...] as strings (text-bytes.ts decodeText: invalid UTF-8 as U+FFFD). */
function plainText(page: Uint8Array, at: number, count: number): Value[] {
  const pos = plainBounds(page, at, count);
  return decodeText({ bytes: page, starts: pos.map((p) => p + 4).subarray(0, count), ends: pos.subarray(1), ascii: false });
}

/** How many of levels[0, to) are 1 (a value, not NULL). */
function ones(levels: Uint8Array, to = levels.length): number {
  let k = 0;
  for (let i = 0; i < to; i++) k += levels[i];
  return k;
}

function readerOf(bytes: Uint8Array): { view: DataView; offset: number } {
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
}
