import { parquetRead, type ColumnData, type Compressors, type DecodedArray, type FileMetaData } from 'hyparquet';
import { FerryError } from '../../errors';
import { ColumnBatch } from '../columns';
import type { Batch, ByteSource, ColumnVector, Schema, TableReader, Value } from '../types';
import { SourceBuffer, SourceFailure, unwrapSource } from './async-buffer';
import { TextVector } from '../text-bytes';
import { decodeFlatColumn, flatColumns } from './flat-column';
import { errorText, readFooter } from './footer';
import { readCompressors } from './native-snappy';
import { readGroupPrefix } from './prefix';
import { planColumns, rawMetadata, RAW_PARSERS, type ColumnPlan } from './schema-in';

/**
 * Parquet reader over hyparquet. open() reads the footer only (one ranged read); batches() reads only the
 * row groups holding the requested rows, and inside a row group only the pages they need where the file
 * has offset indexes. Memory is bounded by one *slice*: a row group, or a run of rows of it when the group
 * is big (SLICE_BYTES of uncompressed data), decoded column by column, then handed out as row batches.
 */
const BATCH_ROWS = 4096;
const SLICE_BYTES = 32 * 1024 * 1024;
/** A row group read in several slices is fetched once and kept while it is read, up to this size. */
const PIN_LIMIT = 256 * 1024 * 1024;
/** The first rows of a big, uncompressed group without offset indexes (a preview's) are read from its pages' prefixes (prefix.ts). */
const PREFIX_ROWS = 1000;
const PREFIX_MIN_BYTES = 4 * 1024 * 1024;
/** The offset indexes of a group's columns (hyparquet reads one per column) are fetched in one read when compact. */
const INDEX_PIN_LIMIT = 4 * 1024 * 1024;

export interface GroupInfo {
  index: number;
  /** First row (0-based, in the file). */
  start: number;
  rows: number;
  uncompressedBytes: number;
  /** Byte range of its column chunks. */
  byteStart: number;
  byteEnd: number;
  /** Byte range of its offset indexes, when every column has one. */
  indexRange: [number, number] | null;
  nested: boolean;
  /** Its first rows can be read from its pages' prefixes (see PREFIX_ROWS). */
  prefixable: boolean;
}

export interface OpenedParquet {
  buf: SourceBuffer;
  /** Page decompressors (native snappy where it loads). */
  compressors: Compressors;
  metadata: FileMetaData;
  raw: FileMetaData;
  plans: ColumnPlan[];
  groups: GroupInfo[];
}

export async function openFile(src: ByteSource): Promise<OpenedParquet> {
  const buf = new SourceBuffer(src);
  const metadata = await readFooter(buf);
  let plans: ColumnPlan[];
  try {
    plans = planColumns(metadata);
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `${src.label} is not a valid Parquet file: its schema cannot be read (${errorText(e)})`, { detail: { file: src.label } });
  }
  const nestedNames = new Set(plans.filter((p) => p.column.type.kind === 'list' || p.column.type.kind === 'struct').map((p) => p.column.name));
  let start = 0;
  const groups = metadata.row_groups.map((rg, index): GroupInfo => {
    const rows = Number(rg.num_rows);
    let byteStart = Infinity;
    let byteEnd = 0;
    let idxStart = Infinity;
    let idxEnd = 0;
    let indexed = true;
    let nested = false;
    let uncompressed = true;
    for (const ch of rg.columns) {
      const m = ch.meta_data!;
      if (m.codec !== 'UNCOMPRESSED') uncompressed = false;
      const s = Number(m.dictionary_page_offset || m.data_page_offset);
      byteStart = Math.min(byteStart, s);
      byteEnd = Math.max(byteEnd, s + Number(m.total_compressed_size));
      if (nestedNames.has(m.path_in_schema[0]) || m.path_in_schema.length > 1) nested = true;
      if (ch.offset_index_offset && ch.offset_index_length) {
        idxStart = Math.min(idxStart, Number(ch.offset_index_offset));
        idxEnd = Math.max(idxEnd, Number(ch.offset_index_offset) + ch.offset_index_length);
      } else indexed = false;
    }
    const g: GroupInfo = {
      index,
      start,
      rows,
      uncompressedBytes: Number(rg.total_byte_size),
      byteStart: rg.columns.length ? byteStart : 0,
      byteEnd,
      indexRange: indexed && rg.columns.length ? [idxStart, idxEnd] : null,
      nested,
      prefixable: false,
    };
    g.prefixable = !g.indexRange && !nested && uncompressed && g.byteEnd - g.byteStart > PREFIX_MIN_BYTES && rows > PREFIX_ROWS;
    start += rows;
    return g;
  });
  return { buf, compressors: await readCompressors(), metadata, raw: rawMetadata(metadata), plans, groups };
}

export function parquetReader(file: OpenedParquet): TableReader {
  const schema: Schema = { columns: file.plans.map((p) => p.column) };
  return {
    format: 'parquet',
    schema,
    rowCount: Number(file.metadata.num_rows),
    warnings: [],
    batches: (opts = {}) => readBatches(file, opts.offset ?? 0, opts.limit ?? Infinity, opts.signal),
  };
}

async function* readBatches(file: OpenedParquet, offset: number, limit: number, signal?: AbortSignal): AsyncGenerator<Batch> {
  const slices = planSlices(file.groups, offset, offset + Math.max(0, limit));
  const touched = new Set<number>();
  const load = (sl: Slice) => {
    touched.add(sl.g.index);
    const p = loadSlice(file, sl);
    p.catch(() => {}); // awaited below; not an unhandled rejection if the caller stops first
    return p;
  };
  let next = slices.next();
  if (next.done) return;
  let pending = load(next.value);
  try {
    while (!next.done) {
      checkAborted(signal);
      const { s, e, prefix } = next.value;
      const cols = await pending;
      // Read ahead: the next slice's bytes arrive while this one's rows are handed out (remote sources).
      // Not after a prefix: that is a preview's first page, and the rest of the group may never be wanted.
      next = slices.next();
      if (!next.done && !prefix) pending = load(next.value);
      for (let b = s; b < e; b += BATCH_ROWS) {
        checkAborted(signal);
        yield toBatch(file.plans, cols, b, Math.min(e, b + BATCH_ROWS));
      }
      if (!next.done && prefix) pending = load(next.value);
    }
  } finally {
    // Also once a read-ahead the caller no longer wants has settled: it may pin its group's bytes.
    const unpin = () => touched.forEach((g) => file.buf.unpin(g));
    unpin();
    if (!next.done) pending.then(unpin, unpin);
  }
}

interface Slice {
  g: GroupInfo;
  s: number;
  e: number;
  first: boolean;
  last: boolean;
  /** Read from the start of the group's pages only (prefix.ts). */
  prefix?: boolean;
}

/** The runs of rows [offset, end) to decode, row group by row group. */
function* planSlices(groups: GroupInfo[], offset: number, end: number): Generator<Slice> {
  for (const g of groups) {
    if (g.start + g.rows <= offset || g.rows === 0) continue;
    if (g.start >= end) break;
    const from = Math.max(offset, g.start);
    const to = Math.min(end, g.start + g.rows);
    const step = sliceRows(g);
    let s = from;
    if (g.prefixable && from < g.start + PREFIX_ROWS) {
      // The first rows (a preview's) from the pages' starts; the rest, if wanted, as usual.
      const e = Math.min(to, g.start + PREFIX_ROWS);
      yield { g, s, e, first: false, last: e >= to, prefix: true };
      s = e;
    }
    for (let first = true; s < to; s += step, first = false) yield { g, s, e: Math.min(to, s + step), first, last: s + step >= to };
  }
}

/**
 * Reads one slice. Before a group's first slice, pins what its slices share: the offset indexes (when
 * only part of the group is read) or, without offset indexes, the whole group when it takes several slices.
 */
async function loadSlice(file: OpenedParquet, sl: Slice): Promise<RawColumn[]> {
  const { g } = sl;
  try {
    if (sl.first) {
      const partial = !(sl.last && sl.s === g.start && sl.e === g.start + g.rows);
      if (partial && g.indexRange && g.indexRange[1] - g.indexRange[0] <= INDEX_PIN_LIMIT) await unwrapSource(file.buf.pin(g.index, g.indexRange[0], g.indexRange[1]));
      if (!sl.last && !g.indexRange && g.byteEnd - g.byteStart <= PIN_LIMIT) await unwrapSource(file.buf.pin(g.index, g.byteStart, g.byteEnd));
    }
    if (sl.prefix) {
      // null (an encoding prefix.ts does not read by prefix, a page that does not hold them all) or a
      // page it cannot decode: read as usual (which names what is wrong with the file).
      const prefix = await readGroupPrefix(file, g, sl.e - g.start).catch((e: unknown) => {
        if (e instanceof SourceFailure) throw e.original;
        return null;
      });
      if (prefix) return prefix.map((data) => ({ data, base: g.start }));
    }
    return await readSlice(file, g, sl.s, sl.e);
  } finally {
    if (sl.last) file.buf.unpin(g.index);
  }
}

/** Rows decoded at once: the whole group when small, else a share of it bounded by SLICE_BYTES. */
function sliceRows(g: GroupInfo): number {
  if (g.uncompressedBytes <= SLICE_BYTES) return g.rows;
  // Without offset indexes hyparquet decodes a nested column from its chunk's start each time: one slice.
  if (g.nested && !g.indexRange) return g.rows;
  return Math.max(BATCH_ROWS, Math.floor((g.rows * SLICE_BYTES) / g.uncompressedBytes));
}

/**
 * A column's values for rows [base, ...): row r is data[r - base] as hyparquet decoded it (converted per
 * batch), or vector's row r - base, already in the table layer's form (flat-column.ts).
 */
type RawColumn = { data: DecodedArray; base: number; vector?: undefined } | { vector: ColumnVector; base: number };

async function readSlice(file: OpenedParquet, g: GroupInfo, s: number, e: number, columns?: string[]): Promise<RawColumn[]> {
  if (!columns) {
    const flat = await readFlat(file, g, s, e);
    if (flat) return flat;
  }
  const got = new Map<string, ColumnData[]>();
  try {
    await parquetRead({
      file: file.buf,
      metadata: file.raw,
      columns,
      rowStart: s,
      rowEnd: e,
      utf8: false,
      parsers: RAW_PARSERS,
      compressors: file.compressors,
      useOffsetIndex: true,
      // Must not throw: hyparquet calls it from a promise callback whose failure nobody awaits.
      onChunk: (c) => {
        const list = got.get(c.columnName);
        if (list) list.push(c);
        else got.set(c.columnName, [c]);
      },
    });
  } catch (err) {
    if (err instanceof SourceFailure) throw err.original;
    if (err instanceof FerryError) throw err;
    throw columns ? err : await corrupt(file, g, s, e, err);
  }
  return (columns ?? file.plans.map((p) => p.column.name)).map((name) => join(got.get(name) ?? [], s, e));
}

/**
 * The slice decoded by flat-column.ts, when every column is a flat leaf and its column chunks are read
 * whole anyway: the slice is the whole group, the group has no offset indexes (so no page can be skipped
 * unread), or its bytes are pinned. Else (null) hyparquet reads only the pages the rows are on.
 */
async function readFlat(file: OpenedParquet, g: GroupInfo, s: number, e: number): Promise<RawColumn[] | null> {
  const whole = s === g.start && e === g.start + g.rows;
  if (g.nested || !(whole || !g.indexRange || file.buf.held(g.byteStart, g.byteEnd))) return null;
  const cols = flatColumns(file, g.index);
  if (!cols) return null;
  const bytes = await unwrapSource(file.buf.bytes(g.byteStart, g.byteEnd));
  try {
    return cols.map((c) => ({ vector: decodeFlatColumn(c, bytes.subarray(c.start - g.byteStart, c.end - g.byteStart), s - g.start, e - s), base: s }));
  } catch {
    // Something flat-column.ts does not read (an old level encoding) or a bad page: hyparquet reads it, or names what is wrong.
    return null;
  }
}

/** hyparquet says what failed, not where: read the columns one by one to name the bad one. */
async function corrupt(file: OpenedParquet, g: GroupInfo, s: number, e: number, err: unknown): Promise<FerryError> {
  const label = file.buf.src.label;
  for (const p of file.plans) {
    try {
      await readSlice(file, g, s, e, [p.column.name]);
    } catch (colErr) {
      if (colErr instanceof FerryError) return colErr;
      return new FerryError('INVALID_INPUT', `${label}: row group ${g.index + 1}, column '${p.column.name}' cannot be decoded (rows ${s}-${e - 1}): ${errorText(colErr)}`, {
        detail: { file: label, rowGroup: g.index + 1, column: p.column.name, row: s },
        cause: colErr,
      });
    }
  }
  return new FerryError('INVALID_INPUT', `${label}: row group ${g.index + 1} cannot be decoded (rows ${s}-${e - 1}): ${errorText(err)}`, {
    detail: { file: label, rowGroup: g.index + 1, row: s },
    cause: err,
  });
}

/** The pages of one column as one indexable run covering [s, e); no copy when one page run covers it. */
function join(chunks: ColumnData[], s: number, e: number): RawColumn {
  const whole = chunks.find((c) => c.rowStart <= s && c.rowEnd >= e);
  if (whole) return { data: whole.columnData, base: whole.rowStart };
  const out: unknown[] = new Array(e - s).fill(null);
  for (const c of chunks) {
    const from = Math.max(s, c.rowStart);
    const to = Math.min(e, c.rowEnd);
    for (let r = from; r < to; r++) out[r - s] = c.columnData[r - c.rowStart];
  }
  return { data: out, base: s };
}

/** Rows [from, to) as a column batch: one array per column (converted where the type needs it), no array per row. */
function toBatch(plans: ColumnPlan[], cols: RawColumn[], from: number, to: number): Batch {
  const n = to - from;
  const origins: number[] = new Array(n);
  for (let i = 0; i < n; i++) origins[i] = from + i;
  const vectors: ColumnVector[] = plans.map((plan, c) => {
    const col = cols[c];
    const at = from - col.base;
    if (col.vector) {
      const v = col.vector;
      if (v instanceof TextVector) return v.slice(at, n);
      if (v.kind === 'values') return { kind: 'values', values: v.values.slice(at, at + n) };
      return { kind: 'numbers', values: v.values.subarray(at, at + n), nulls: v.nulls && v.nulls.subarray(at, at + n) };
    }
    const data = col.data;
    const convert = plan.convert;
    const values: Value[] = new Array(n);
    if (convert) {
      for (let i = 0; i < n; i++) values[i] = convert(data[at + i]);
    } else {
      for (let i = 0; i < n; i++) {
        const v = data[at + i];
        values[i] = v === undefined ? null : (v as Value);
      }
    }
    return { kind: 'values', values };
  });
  return new ColumnBatch(
    vectors,
    plans.map((p) => p.column.type),
    n,
    origins,
  );
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
}
