import type { CompressionCodec } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { gzipSync } from 'node:zlib';
import { FerryError, isFerryError } from '../../errors';
import type { Batch, Schema, Value, WriteOptions } from '../types';
import { schemaOut, type ColumnOut } from './schema-out';

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
  const groupRows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(groupRows) || groupRows < 1) throw new FerryError('INVALID_INPUT', `rowGroupRows must be a positive integer, not ${groupRows}`);
  const out = schemaOut(schema);
  const cols = out.columns;
  const writer = new ChunkWriter(1 << 20);
  const pq = new ParquetWriter({
    writer,
    schema: out.elements,
    codec,
    compressors,
    createdBy: 'Ferry (hyparquet-writer 0.17)',
  });
  let buffers: unknown[][] = cols.map(() => []);
  let arena = new Utf8Arena();
  let rows = 0;
  let bytes = 0;
  let written = 0;

  const flush = (): Uint8Array => {
    try {
      pq.write({ columnData: cols.map((c, i) => ({ name: c.name, data: buffers[i] })), rowGroupSize: rows });
    } catch (e) {
      // Values were checked on the way in; anything hyparquet-writer still refuses is our bug, said as such.
      throw new FerryError('INTERNAL', `the Parquet writer failed on rows ${written + 1}-${written + rows}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    detachStatistics(pq);
    written += rows;
    buffers = cols.map(() => []);
    arena = new Utf8Arena();
    rows = 0;
    bytes = 0;
    return writer.take();
  };

  for await (const batch of batches) {
    if (opts.signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
    // Column by column over the batch (one tight loop per column), split where a row group fills up.
    for (let from = 0; from < batch.rows.length; ) {
      const to = Math.min(batch.rows.length, from + groupRows - rows);
      for (let c = 0; c < cols.length; c++) bytes += gather(cols[c], batch.rows, from, to, c, buffers[c], written + rows, arena);
      rows += to - from;
      from = to;
      if (rows >= groupRows || bytes >= GROUP_BYTES) yield flush();
    }
  }
  if (rows) yield flush();
  out.beforeFooter();
  pq.finish();
  yield writer.take();
}

/** Appends column c of rows [from, to) to its buffer, prepared; returns the string/binary bytes added. */
function gather(col: ColumnOut, rows: Value[][], from: number, to: number, c: number, out: unknown[], firstRow: number, arena: Utf8Arena): number {
  const prepare = col.prepare;
  const text = col.type.kind === 'string' || col.type.kind === 'json';
  let bytes = 0;
  let r = from;
  try {
    for (; r < to; r++) {
      const v = rows[r][c] ?? null;
      const p = prepare(v);
      out.push(text && p !== null ? arena.encode(p as string) : p);
      if (col.variable && v !== null) bytes += (v as string | Uint8Array).length;
    }
  } catch (e) {
    throw isFerryError(e) ? rowError(e, firstRow + r - from) : e;
  }
  return bytes;
}

/**
 * A row group's strings as UTF-8, packed into shared 1 MiB buffers: hyparquet-writer would otherwise
 * TextEncoder.encode() each string into its own ArrayBuffer, and those allocations dominated GC time.
 */
class Utf8Arena {
  private static readonly CHUNK = 1 << 20;
  private static readonly encoder = new TextEncoder();
  private buf = new Uint8Array(0);
  private pos = 0;

  encode(s: string): Uint8Array {
    const n = s.length;
    if (this.pos + n * 3 > this.buf.length) {
      this.buf = new Uint8Array(Math.max(Utf8Arena.CHUNK, n * 3));
      this.pos = 0;
    }
    const buf = this.buf;
    const start = this.pos;
    let i = 0;
    for (; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch >= 0x80) break;
      buf[start + i] = ch;
    }
    const end = i === n ? start + n : start + i + Utf8Arena.encoder.encodeInto(s.slice(i), buf.subarray(start + i)).written;
    this.pos = end;
    return buf.subarray(start, end);
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

/** hyparquet-writer ships snappy; gzip is Node's zlib; zstd is WASM (above). */
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
  return new FerryError('INVALID_INPUT', `row ${index + 1}, ${e.message}`, { detail: { ...e.detail, row: index + 1 }, cause: e });
}
