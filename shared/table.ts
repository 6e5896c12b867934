import { z } from 'zod';
import { EndpointSchema } from './connectors';

/**
 * The table layer's contract for the renderer and the CLI's --json: what a preview shows. Values cross as
 * JSON in one stable form (docs/formats.md): int64 and decimal as strings, dates "YYYY-MM-DD", timestamps
 * ISO 8601 ("Z" when UTC-adjusted, no offset when the type has no zone), time "HH:MM:SS[.f]", binary as
 * base64, json as its text, NULL as null.
 */
export const TABLE_FORMATS = ['csv', 'tsv', 'xlsx', 'parquet', 'json', 'ndjson'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export const TABLE_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'] as const;

/** What the user can override in a preview (every sniffed decision). */
export const TableReadOptionsSchema = z.object({
  format: z.enum(TABLE_FORMATS).optional(),
  delimiter: z.string().min(1).max(2).optional(),
  quote: z.string().length(1).optional(),
  escape: z.string().length(1).optional(),
  header: z.boolean().optional(),
  encoding: z.enum(TABLE_ENCODINGS).optional(),
  sheet: z.union([z.string(), z.number().int().nonnegative()]).optional(),
});
export type TableReadOptions = z.infer<typeof TableReadOptionsSchema>;

export const TableColumnSchema = z.object({
  name: z.string(),
  /** The logical type's name: boolean, int32, int64, decimal(p,s), float64, string, binary, date, time[us], timestamp[us], timestamp[us, UTC], json, list<…>, struct<…>. */
  type: z.string(),
});

export const DialectSchema = z.object({
  delimiter: z.string(),
  quote: z.string(),
  escape: z.string(),
  header: z.boolean(),
  lineEnding: z.string(),
  encoding: z.string(),
  bom: z.boolean(),
  gzip: z.boolean(),
  decimalComma: z.boolean(),
});

export const TableWarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  line: z.number().optional(),
  column: z.string().optional(),
});

/** Per column over the rows returned: NULL count and a few distinct example values (as display text). */
export const ColumnStatsSchema = z.object({ name: z.string(), nulls: z.number(), examples: z.array(z.string()) });

export const PreviewSchema = z.object({
  /** The file's format, or 'table' for a database table. */
  format: z.enum([...TABLE_FORMATS, 'table']),
  dialect: DialectSchema.optional(),
  sheets: z.array(z.string()).optional(),
  sheet: z.string().optional(),
  columns: z.array(TableColumnSchema),
  rows: z.array(z.array(z.unknown())),
  /** The 0-based data row of rows[0]. */
  offset: z.number(),
  /** Known without a full read (Parquet's footer); null otherwise. */
  rowCount: z.number().nullable(),
  /** Whether rows continue after these. */
  more: z.boolean(),
  bytesRead: z.number(),
  size: z.number(),
  /** False when the connector cannot read byte ranges: the file was streamed from its start. */
  rangedRead: z.boolean(),
  warnings: z.array(TableWarningSchema),
  stats: z.array(ColumnStatsSchema),
});
export type Preview = z.infer<typeof PreviewSchema>;

export const PreviewRequestSchema = z.object({
  endpoint: EndpointSchema,
  path: z.string(),
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().positive().max(10_000).default(200),
  options: TableReadOptionsSchema.default({}),
});

/** Writing options for conversions (and, later, exports). */
export const TableWriteOptionsSchema = z.object({
  format: z.enum(TABLE_FORMATS).optional(),
  delimiter: z.string().min(1).max(2).optional(),
  encoding: z.enum(TABLE_ENCODINGS).optional(),
  header: z.boolean().optional(),
  compression: z.enum(['snappy', 'zstd', 'gzip', 'none']).optional(),
  sheetName: z.string().optional(),
});
export type TableWriteOptions = z.infer<typeof TableWriteOptionsSchema>;

/** The format a file name suggests, or null ("orders.csv.gz" → csv). */
export function formatFromName(name: string): TableFormat | null {
  const n = name.toLowerCase().replace(/\.gz$/, '');
  const ext = n.slice(n.lastIndexOf('.') + 1);
  const map: Record<string, TableFormat> = {
    csv: 'csv', txt: 'csv', tsv: 'tsv', tab: 'tsv', xlsx: 'xlsx', xlsm: 'xlsx', parquet: 'parquet', pq: 'parquet',
    json: 'json', ndjson: 'ndjson', jsonl: 'ndjson',
  };
  return map[ext] ?? null;
}
