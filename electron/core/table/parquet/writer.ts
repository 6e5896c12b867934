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
const GROUP_BYTES = 64 * 1024 * 1024;

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
  const groupRows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(groupRows) || groupRows < 1) throw new FerryError('INVALID_INPUT', `rowGroupRows must be a positive integer, not ${groupRows}`);
  const out = schemaOut(schema);
  const cols = out.columns;
  const writer = new ChunkWriter(1 << 20);
  const pq = new ParquetWriter({
    writer,
    schema: out.elements,
    codec,
    compressors: { GZIP: (input: Uint8Array) => gzipSync(input) },
    createdBy: 'Ferry (hyparquet-writer 0.17)',
  });
  let buffers: unknown[][] = cols.map(() => []);
  let rows = 0;
  let bytes = 0;
  let written = 0;

  const flush = (): Uint8Array => {
    pq.write({ columnData: cols.map((c, i) => ({ name: c.name, data: buffers[i] })), rowGroupSize: rows });
    written += rows;
    buffers = cols.map(() => []);
    rows = 0;
    bytes = 0;
    return writer.take();
  };

  for await (const batch of batches) {
    if (opts.signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
    // Column by column over the batch (one tight loop per column), split where a row group fills up.
    for (let from = 0; from < batch.rows.length; ) {
      const to = Math.min(batch.rows.length, from + groupRows - rows);
      for (let c = 0; c < cols.length; c++) bytes += gather(cols[c], batch.rows, from, to, c, buffers[c], written + rows);
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
function gather(col: ColumnOut, rows: Value[][], from: number, to: number, c: number, out: unknown[], firstRow: number): number {
  const prepare = col.prepare;
  let bytes = 0;
  let r = from;
  try {
    for (; r < to; r++) {
      const v = rows[r][c] ?? null;
      out.push(prepare(v));
      if (col.variable && v !== null) bytes += (v as string | Uint8Array).length;
    }
  } catch (e) {
    throw isFerryError(e) ? rowError(e, firstRow + r - from) : e;
  }
  return bytes;
}

/** hyparquet-writer ships snappy; gzip is Node's zlib. No zstd encoder exists among the installed packages. */
function codecFor(c: WriteOptions['compression']): CompressionCodec {
  switch (c ?? 'snappy') {
    case 'snappy':
      return 'SNAPPY';
    case 'gzip':
      return 'GZIP';
    case 'none':
      return 'UNCOMPRESSED';
    case 'zstd':
      throw new FerryError('UNSUPPORTED', 'Ferry cannot write zstd-compressed Parquet yet (no zstd encoder is available in Node 20); use snappy (the default), gzip or none', {
        detail: { compression: 'zstd', alternatives: ['snappy', 'gzip', 'none'] },
      });
    default:
      throw new FerryError('INVALID_INPUT', `unknown Parquet compression '${String(c)}'; use snappy, gzip or none`);
  }
}

function rowError(e: FerryError, index: number): FerryError {
  return new FerryError('INVALID_INPUT', `row ${index + 1}, ${e.message}`, { detail: { ...e.detail, row: index + 1 }, cause: e });
}
