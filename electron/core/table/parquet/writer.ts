import type { CompressionCodec, DecodedArray } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { encodeNestedValues } from 'hyparquet-writer/src/dremel.js';
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js';
import type { ColumnEncoder } from 'hyparquet-writer/src/types.js';
import { gzipSync } from 'node:zlib';
import { FerryError, isFerryError } from '../../errors';
import { batchLength, columnOf, isFixedWidth, valueGetter } from '../columns';
import type { Batch, ColumnVector, Schema, WriteOptions } from '../types';
import { writeUtf8 } from '../utf8';
import { NumberChunk, type WriterChunk } from './number-chunk';
import { StringChunk } from './string-chunk';
import { nativeSnappy } from './native-snappy';
import { schemaOut, type ColumnOut, type SchemaOut } from './schema-out';

/**
 * Parquet writer: batches in, file bytes out, one row group at a time. Rows are gathered per column until
 * the row group is full (rowGroupRows, or GROUP_BYTES of string/binary data, whichever comes first), then
 * hyparquet-writer's ParquetWriter encodes that group into an in-memory ByteWriter whose bytes are yielded
 * and dropped before the next group is gathered. The footer (schema, row groups, statistics) and the
 * offset indexes follow the last group. Memory: about one row group, never the file.
 */
export const DEFAULT_ROW_GROUP_ROWS = 122_880; // DuckDB's default
const GROUP_BYTES = 32 * 1024 * 1024;

/** A ByteWriter that hands over what it holds and starts again (the file offset keeps counting). */
class ChunkWriter extends ByteWriter {
  take(): Uint8Array {
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    this.buffer = new ArrayBuffer(Math.max(1024, Math.min(this.buffer.byteLength, 16 * 1024 * 1024)));
    this.view = new DataView(this.buffer);
    this.index = 0;
    return bytes;
  }
}

export async function* writeParquet(schema: Schema, batches: AsyncIterable<Batch>, opts: WriteOptions = {}): AsyncGenerator<Uint8Array> {
  const codec = codecFor(opts.compression);
  const compressors: Record<string, (input: Uint8Array) => Uint8Array> = { GZIP: (input) => gzipSync(input) };
  if (codec === 'ZSTD') compressors.ZSTD = await zstdCompressor();
  const native = codec === 'SNAPPY' ? await nativeSnappy() : null;
  if (native) compressors.SNAPPY = native.compress;
  const groupRows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(groupRows) || groupRows < 1) throw new FerryError('INVALID_INPUT', `rowGroupRows must be a positive integer, not ${groupRows}`);
  const out = schemaOut(schema);
  const writer = new ChunkWriter(1 << 20);
  const pq = new ParquetWriter({
    writer,
    schema: out.elements,
    codec,
    compressors,
    createdBy: 'Ferry (hyparquet-writer 0.17)',
  });
  const group = new RowGroup(out, pq, writer, Math.min(groupRows, 1 << 16));
  let written = 0;

  const flush = (): Uint8Array => {
    try {
      group.write();
    } catch (e) {
      // Values were checked on the way in; anything hyparquet-writer still refuses is our bug, said as such.
      throw new FerryError('INTERNAL', `the Parquet writer failed on rows ${written + 1}-${written + group.rows}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    detachStatistics(pq);
    written += group.rows;
    group.reset();
    return writer.take();
  };

  for await (const batch of batches) {
    if (opts.signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
    const n = batchLength(batch);
    const vectors = out.columns.map((_, c) => columnOf(batch, c));
    // Column by column over the batch (one tight loop per column), split where a row group fills up.
    for (let from = 0; from < n; ) {
      const to = Math.min(n, from + groupRows - group.rows);
      group.add(vectors, from, to, written);
      from = to;
      if (group.rows >= groupRows || group.bytes >= GROUP_BYTES) yield flush();
    }
  }
  if (group.rows) yield flush();
  out.beforeFooter();
  pq.finish();
  yield writer.take();
}

/**
 * The row group being gathered: fixed-width columns in NumberChunks (written by hand, number-chunk.ts),
 * the others as prepared values for hyparquet-writer's column writer (strings as UTF-8 in an arena).
 */
class RowGroup {
  rows = 0;
  /** Binary bytes gathered for hyparquet-writer. */
  private genericBytes = 0;
  /** Columns written by hand (fixed-width, strings); null: through hyparquet-writer. */
  private readonly chunks: (NumberChunk | StringChunk | null)[];
  private generic: unknown[][];
  private arena = new Utf8Arena();
  private readonly leaves: SchemaTree[][][];

  constructor(
    private readonly out: SchemaOut,
    private readonly pq: ParquetWriter,
    private readonly writer: ByteWriter,
    capacity: number,
  ) {
    const element = new Map(out.elements.map((e) => [e.name, e]));
    this.chunks = out.columns.map((c) => {
      const el = element.get(c.name)!;
      if (c.type.kind === 'string' || c.type.kind === 'json') return new StringChunk(el, c.name, c.type.kind, capacity);
      if (isFixedWidth(c.type) && !(c.type.kind === 'decimal' && c.type.precision > 18)) return new NumberChunk(el, c.type, c.name, capacity);
      return null;
    });
    this.generic = out.columns.map(() => []);
    const resolve = schemaPathResolver(out.elements);
    this.leaves = out.columns.map((c) => leafPaths(resolve([c.name])));
  }

  /** String and binary bytes gathered (the group's size bound). */
  get bytes(): number {
    let n = this.genericBytes;
    for (const ch of this.chunks) if (ch instanceof StringChunk) n += ch.size;
    return n;
  }

  /** Rows [from, to) of a batch's columns; `firstRow` is the file's row index of the group's first row, for messages. */
  add(vectors: ColumnVector[], from: number, to: number, firstRow: number): void {
    const cols = this.out.columns;
    for (let c = 0; c < cols.length; c++) {
      const chunk = this.chunks[c];
      try {
        if (chunk) chunk.add(vectors[c], from, to);
        else this.genericBytes += gather(cols[c], vectors[c], from, to, this.generic[c], this.arena);
      } catch (e) {
        const at = isFerryError(e) ? (e.detail as { at?: number } | undefined)?.at : undefined;
        throw isFerryError(e) && at !== undefined ? rowError(e, firstRow + this.rows + at - from) : e;
      }
    }
    this.rows += to - from;
  }

  write(): void {
    const { pq, writer } = this;
    const start = writer.offset;
    const chunks: WriterChunk[] = [];
    const codec = pq.codec;
    for (let c = 0; c < this.out.columns.length; c++) {
      const chunk = this.chunks[c];
      const results = chunk ? [chunk.write(writer, codec, pq.compressors[codec as keyof ParquetWriter['compressors']])] : this.writeGeneric(c);
      for (const r of results) {
        chunks.push(r.chunk);
        pq.pendingIndexes.push(r);
      }
    }
    let total = 0n;
    for (const ch of chunks) total += ch.meta_data?.total_uncompressed_size ?? 0n;
    pq.num_rows += BigInt(this.rows);
    pq.row_groups.push({ columns: chunks, total_byte_size: total, num_rows: BigInt(this.rows), total_compressed_size: BigInt(writer.offset - start) });
  }

  reset(): void {
    for (const ch of this.chunks) ch?.reset();
    this.generic = this.out.columns.map(() => []);
    this.arena = new Utf8Arena();
    this.rows = 0;
    this.genericBytes = 0;
  }

  /** What ParquetWriter.write does for one column, on its leaves (several for a struct). */
  private writeGeneric(c: number) {
    const { pq } = this;
    return this.leaves[c].map((leaf) => {
      const schemaPath = leaf.map((n) => n.element);
      const column: ColumnEncoder = {
        columnName: schemaPath.slice(1).map((e) => e.name).join('.'),
        element: schemaPath[schemaPath.length - 1],
        schemaPath,
        codec: pq.codec,
        compressors: pq.compressors,
        stats: true,
        pageSize: 1 << 20,
        columnIndex: false,
        offsetIndex: true,
      };
      return writeColumn({ writer: this.writer, column, pageData: encodeNestedValues(leaf, this.generic[c] as DecodedArray) });
    });
  }
}

/** hyparquet-writer's own (nested) hyparquet types, which differ from the reader's hyparquet version. */
type SchemaTree = ReturnType<ReturnType<typeof schemaPathResolver>>[number];

function leafPaths(path: SchemaTree[]): SchemaTree[][] {
  const node = path[path.length - 1];
  if (!node.children.length) return [path];
  return node.children.flatMap((child) => leafPaths([...path, child]));
}

/** Appends rows [from, to) of a column, prepared; returns the string/binary bytes added. Errors carry detail.at. */
function gather(col: ColumnOut, vector: ColumnVector, from: number, to: number, out: unknown[], arena: Utf8Arena): number {
  const prepare = col.prepare;
  const get = valueGetter(vector, col.type);
  const text = col.type.kind === 'string' || col.type.kind === 'json';
  let bytes = 0;
  let r = from;
  try {
    for (; r < to; r++) {
      const v = get(r);
      const p = prepare(v);
      out.push(text && p !== null ? arena.encode(p as string) : p);
      if (col.variable && v !== null) bytes += (v as string | Uint8Array).length;
    }
  } catch (e) {
    if (isFerryError(e)) throw new FerryError('INVALID_INPUT', e.message, { detail: { ...e.detail, at: r } });
    throw e;
  }
  return bytes;
}

/**
 * A row group's strings as UTF-8, packed into shared 1 MiB buffers: hyparquet-writer would otherwise
 * TextEncoder.encode() each string into its own ArrayBuffer, and those allocations dominated GC time.
 */
class Utf8Arena {
  private static readonly CHUNK = 1 << 20;
  private buf = new Uint8Array(0);
  private pos = 0;

  encode(s: string): Uint8Array {
    const n = s.length;
    if (this.pos + n * 3 > this.buf.length) {
      this.buf = new Uint8Array(Math.max(Utf8Arena.CHUNK, n * 3));
      this.pos = 0;
    }
    const start = this.pos;
    const end = writeUtf8(s, this.buf, start);
    this.pos = end;
    return this.buf.subarray(start, end);
  }
}

/**
 * The footer keeps each chunk's min/max until the end; for strings those are views into the arena, which
 * would keep every row group's 1 MiB buffers alive: copy them out.
 */
function detachStatistics(pq: ParquetWriter): void {
  for (const chunk of pq.row_groups.at(-1)?.columns ?? []) {
    const stats = chunk.meta_data?.statistics as Record<string, unknown> | undefined;
    if (!stats) continue;
    for (const k of ['min_value', 'max_value', 'min', 'max']) {
      const v = stats[k];
      if (v instanceof Uint8Array) stats[k] = v.slice();
    }
  }
}

/**
 * zstd through @bokuweb/zstd-wasm (Node 20 has no zstd in zlib; the WASM build needs no compiler and no
 * download). Level 3 is zstd's and DuckDB's default. Loaded only when asked for.
 */
async function zstdCompressor(): Promise<(input: Uint8Array) => Uint8Array> {
  const zstd = await import('@bokuweb/zstd-wasm');
  await zstd.init();
  return (input) => zstd.compress(input, 3);
}

/** hyparquet-writer ships snappy (used where the native one is missing); gzip is Node's zlib; zstd is WASM (above). */
function codecFor(c: WriteOptions['compression']): CompressionCodec {
  switch (c ?? 'snappy') {
    case 'snappy':
      return 'SNAPPY';
    case 'gzip':
      return 'GZIP';
    case 'none':
      return 'UNCOMPRESSED';
    case 'zstd':
      return 'ZSTD';
    default:
      throw new FerryError('INVALID_INPUT', `unknown Parquet compression '${String(c)}'; use snappy, zstd, gzip or none`);
  }
}

function rowError(e: FerryError, index: number): FerryError {
  const { at: _, ...detail } = (e.detail ?? {}) as Record<string, unknown>;
  return new FerryError('INVALID_INPUT', `row ${index + 1}, ${e.message}`, { detail: { ...detail, row: index + 1 }, cause: e });
}
