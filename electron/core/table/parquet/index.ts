import type { ByteSource, FormatCodec, Schema } from '../types';
import { openFile, parquetReader } from './reader';

/**
 * The Parquet codec: hyparquet reads (footer first, then only the row groups and pages the rows need),
 * hyparquet-writer writes (one row group at a time). See schema-in.ts and schema-out.ts for how Parquet's
 * types map into and out of the table layer's LogicalType.
 */
export const parquetCodec: FormatCodec = {
  name: 'parquet',
  extensions: ['.parquet', '.pq'],
  async open(src) {
    return parquetReader(await openFile(src));
  },
  // The writer (hyparquet-writer, about 50 modules) loads only when a Parquet file is written, not for a preview.
  async *write(schema, batches, opts) {
    const { writeParquet } = await import('./writer');
    yield* writeParquet(schema, batches, opts);
  },
};

export interface ParquetRowGroupInfo {
  rows: number;
  /** First row of the group (0-based). */
  start: number;
  compressedBytes: number;
  uncompressedBytes: number;
}

export interface ParquetFooterInfo {
  schema: Schema;
  rowCount: number;
  rowGroups: ParquetRowGroupInfo[];
  /** The writer's name from the footer ("DuckDB version v1.5.6", "parquet-mr version 1.13.1"). */
  createdBy: string | null;
  /** Codecs used by the column chunks ('SNAPPY', 'ZSTD', ...). */
  codecs: string[];
}

/** What the footer alone tells (one ranged read of the file's end): for previews and `ferry preview`. */
export async function parquetFooterInfo(src: ByteSource): Promise<ParquetFooterInfo> {
  const f = await openFile(src);
  const codecs = new Set<string>();
  for (const rg of f.metadata.row_groups) for (const c of rg.columns) if (c.meta_data) codecs.add(c.meta_data.codec);
  return {
    schema: { columns: f.plans.map((p) => p.column) },
    rowCount: Number(f.metadata.num_rows),
    rowGroups: f.groups.map((g) => ({ rows: g.rows, start: g.start, compressedBytes: g.byteEnd - g.byteStart, uncompressedBytes: g.uncompressedBytes })),
    createdBy: f.metadata.created_by ?? null,
    codecs: [...codecs],
  };
}

export { bytesToBigInt } from './schema-in';
