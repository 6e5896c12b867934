import { z } from 'zod';
import { EndpointSchema } from './connectors';
import { LOAD_MODES, TABLE_ENCODINGS, TABLE_FORMATS } from './table-formats';

export { formatFromName, LOAD_MODES, TABLE_ENCODINGS, TABLE_FORMATS, type LoadMode, type TableFormat } from './table-formats';

/**
 * The table layer's contract for the renderer and the CLI's --json: what a preview shows. Values cross as
 * JSON in one stable form (docs/formats.md): int64 and decimal as strings, dates "YYYY-MM-DD", timestamps
 * ISO 8601 ("Z" when UTC-adjusted, no offset when the type has no zone), time "HH:MM:SS[.f]", binary as
 * base64, json as its text, NULL as null.
 */

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

/** A database table's or view's column: its logical type (as in a preview), the database's own type, nullability, part of the primary key. */
export const DbColumnSchema = TableColumnSchema.extend({ dbType: z.string(), nullable: z.boolean(), key: z.boolean() });

/** What `table.describe` says about a table or view ("/schema/table"). */
export const TableInfoSchema = z.object({
  path: z.string(),
  kind: z.enum(['table', 'view']),
  columns: z.array(DbColumnSchema),
  /** The planner's estimate; null when the database has none. */
  rowEstimate: z.number().nullable(),
});
export type TableInfo = z.infer<typeof TableInfoSchema>;

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

/**
 * How a load treats the destination table. create: a new table from the input's columns (ALREADY_EXISTS if
 * there is one); append; truncate: empty it first; replace: drop and create; upsert: insert, or update the
 * row with the same key (`key` names the key columns; the table's primary key when omitted). Every mode runs
 * in one transaction with the rows.
 */

/**
 * A load's options: the mode, the light transforms applied to each row on the way in (in this order: choose
 * `columns` by source name, `rename` source → target, `nullAs` text read as NULL, `trim` whitespace of text,
 * `fill` a target column's NULLs with a value, `cast` a target column to a logical type), and the error
 * policy: with maxErrors 0 (the default) any bad row rolls the whole load back; with N > 0 rows that cannot
 * be loaded are skipped and written to `rejects` (a CSV on any endpoint: source line or row, column, reason,
 * raw row), and the load rolls back once more than N are rejected.
 */
export const LoadSpecSchema = z.object({
  mode: z.enum(LOAD_MODES),
  key: z.array(z.string().min(1)).max(64).optional(),
  columns: z.array(z.string()).max(4096).optional(),
  rename: z.record(z.string(), z.string().min(1)).optional(),
  /** Target column → logical type name ("int64", "decimal(18,2)", "date", "timestamp[us, UTC]", "string"...). */
  cast: z.record(z.string(), z.string().min(1)).optional(),
  nullAs: z.string().optional(),
  fill: z.record(z.string(), z.string()).optional(),
  trim: z.boolean().optional(),
  maxErrors: z.number().int().nonnegative().default(0),
  rejects: z.object({ endpoint: EndpointSchema, path: z.string().min(1) }).optional(),
});
export type LoadSpec = z.infer<typeof LoadSpecSchema>;
export type LoadSpecInput = z.input<typeof LoadSpecSchema>;

/**
 * A load's dry run (`ferry load --dry-run`, the app's mapping dialog): what would happen, changing nothing.
 * source: a table file on any endpoint, or a table/query of a database; destination: PROFILE's "/schema/table".
 */
export const LoadPlanRequestSchema = z.object({
  source: z.object({ endpoint: EndpointSchema, path: z.string(), query: z.string().min(1).max(1_000_000).optional() }),
  destination: z.object({ endpoint: EndpointSchema, path: z.string() }),
  read: TableReadOptionsSchema.default({}),
  load: LoadSpecSchema,
  /** How many rows, as they would be loaded, to return. */
  limit: z.number().int().nonnegative().max(1000).default(20),
});
export type LoadPlanRequest = z.input<typeof LoadPlanRequestSchema>;

export const LoadPlanSchema = z.object({
  /** Whether the destination table exists now. */
  exists: z.boolean(),
  /** One entry per source column and per target column: how they pair up. */
  mapping: z.array(
    z.object({
      source: z.string().nullable(),
      target: z.string().nullable(),
      /** The logical type the value is loaded as. */
      type: z.string(),
      /** The target column's database type (existing or as it would be created). */
      dbType: z.string().nullable(),
      /** load: paired; extra: a source column the table lacks (an error unless left out); missing: a target column no source fills (NULL or its default). */
      status: z.enum(['load', 'extra', 'missing', 'skipped']),
    }),
  ),
  /** The statements the load would run besides the bulk rows (CREATE TABLE..., TRUNCATE...). */
  ddl: z.array(z.string()),
  /** The target's column names and the first rows as they would be loaded (values as in a preview). */
  columns: z.array(TableColumnSchema),
  rows: z.array(z.array(z.unknown())),
  /** What stops the load as asked (an extra column, an ambiguous name, a missing key), in plain words. */
  problems: z.array(z.string()),
  warnings: z.array(TableWarningSchema),
});
export type LoadPlan = z.infer<typeof LoadPlanSchema>;
