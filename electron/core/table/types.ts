import type { Readable } from 'node:stream';

/**
 * The table layer's logical types: one closed set, separate from how a format stores them (DuckDB's
 * LogicalTypeId, Arrow's type.ts). Every reader maps its file's physical types into these on the way in and
 * every writer maps out of them. Nothing in between carries a JS number for an int64 or a decimal.
 *
 * In-memory value of each type (null is SQL NULL for every type; '' is an empty string, never NULL):
 *   boolean          boolean
 *   int32            number (integer)
 *   int64            bigint
 *   decimal(p, s)    bigint: the unscaled value (12.30 in decimal(10,2) is 1230n)
 *   float64          number
 *   string           string
 *   binary           Uint8Array
 *   date             number: days since 1970-01-01 (negative before)
 *   time(unit)       bigint: units since midnight
 *   timestamp        bigint: units since 1970-01-01T00:00:00; with tz 'UTC' an instant (UTC-adjusted), with
 *                    tz null a wall-clock time without zone (counted as if it were UTC)
 *   json             string: the JSON text, never parsed (parsing would turn 9007199254740993 into ...992)
 *   list             Value[]
 *   struct           { [field]: Value }
 */
export type TimeUnit = 'ms' | 'us' | 'ns';

export type LogicalType =
  | { kind: 'boolean' }
  | { kind: 'int32' }
  | { kind: 'int64' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'float64' }
  | { kind: 'string' }
  | { kind: 'binary' }
  | { kind: 'date' }
  | { kind: 'time'; unit: TimeUnit }
  | { kind: 'timestamp'; unit: TimeUnit; tz: 'UTC' | null }
  | { kind: 'json' }
  | { kind: 'list'; of: LogicalType }
  | { kind: 'struct'; fields: Column[] };

export type Value = null | boolean | number | bigint | string | Uint8Array | Value[] | { [field: string]: Value };

export interface Column {
  name: string;
  type: LogicalType;
}

export interface Schema {
  columns: Column[];
}

/**
 * One column of a batch, column-major (Arrow's arrays): how the fast readers hand rows to the fast writers
 * without a JS array per row or a heap object per value.
 *  - 'numbers': fixed-width types as exact doubles, NULL where nulls[i] is 1. int64, decimal (unscaled),
 *    time and timestamp hold integers within ±2^53 here (they read back as bigint); boolean is 0 or 1.
 *  - 'values': anything, as the Values of the row form.
 */
export type ColumnVector =
  | { kind: 'numbers'; values: Float64Array; nulls: Uint8Array | null }
  | { kind: 'values'; values: Value[]; text?: TextBytes };

/**
 * Text as the UTF-8 bytes it was read from (text-bytes.ts TextVector): row i is bytes[starts[i], ends[i]),
 * NULL where starts[i] is -1. A TextVector's bytes are valid UTF-8; `ascii` when all of them are ASCII.
 */
export interface TextBytes {
  bytes: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  ascii: boolean;
}

/** Rows move in batches with their schema (Arrow's RecordBatch, DuckDB's data chunks), never one at a time. */
export interface Batch {
  /**
   * Row-major: rows[i][c] is column c of row i, typed by schema.columns[c]. Always there; for a batch made
   * from `columns` it is built on first use (columns.ts ColumnBatch), so a consumer that wants columns
   * never pays for it.
   */
  readonly rows: Value[][];
  /**
   * Column-major, when the reader made them (CSV, Parquet): columns[c] has one entry per row. Writers use
   * them only while `rows` has not been read (columns.ts columnOf), so changing rows in place is safe.
   */
  readonly columns?: ColumnVector[];
  /**
   * Where each row came from, for messages and rejects: the 1-based line of a CSV/JSON Lines record, the
   * 1-based sheet row of xlsx, the 0-based row index of Parquet. Same length as rows.
   */
  origins?: number[];
}

export const FORMATS = ['csv', 'tsv', 'xlsx', 'parquet', 'json', 'ndjson'] as const;
export type FormatName = (typeof FORMATS)[number];

/**
 * The bytes of one file, whatever holds them (hyparquet's AsyncBuffer, widened): ranged slices where the
 * connector can read ranges, a stream from an offset always. Counts what it read, so a preview can say
 * "read 412 KiB of 1.0 GiB" and tests can assert that only the needed ranges were fetched.
 */
export interface ByteSource {
  /** The file's name (last path segment), for messages and extension-based detection. */
  readonly name: string;
  /** Where it is, for messages ("partner:/out/orders.csv"). */
  readonly label: string;
  readonly size: number;
  /** slice() reads only the range asked for; when false, slice() reads from the start and discards. */
  readonly rangedRead: boolean;
  /** Bytes [start, end) of the file. end is clamped to size. */
  slice(start: number, end: number): Promise<Uint8Array>;
  /** A stream of the bytes from `start` (default 0) to the end. */
  stream(start?: number, signal?: AbortSignal): Promise<Readable>;
  /** Bytes fetched from the connector so far. */
  readonly bytesRead: number;
}

/** Reading options the user can give (CLI flags, the preview panel's controls); every sniffed choice can be overridden. */
export interface ReadOptions {
  format?: FormatName;
  /** CSV: one character, or '\t'. */
  delimiter?: string;
  quote?: string;
  escape?: string;
  /** CSV: whether the first row holds the column names (sniffed when undefined). */
  header?: boolean;
  /** CSV: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'latin1' (sniffed when undefined). */
  encoding?: string;
  /** xlsx: a sheet name or 0-based index (the first sheet when undefined). */
  sheet?: string | number;
  /** Rows read to infer types (CSV, JSON). */
  sampleRows?: number;
  /**
   * CSV: every column is a string holding the cell's own text (NULL for an unquoted empty field), and a row
   * with more fields than the header keeps them all. For a loader that parses cells into the target table's
   * types itself and rejects what does not parse, row by row (electron/core/databases/load-*.ts).
   */
  textColumns?: boolean;
  /** Called with every warning as it is found (`warnings` keeps only the first 100). */
  onWarning?(w: TableWarning): void;
  signal?: AbortSignal;
}

/** What a CSV reader decided (or was told); shown in the preview so the user can override any of it. */
export interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  lineEnding: '\n' | '\r\n' | '\r';
  encoding: string;
  bom: boolean;
  gzip: boolean;
  /** A ';'-delimited file whose numbers use a decimal comma ("3,14"): read as decimals. */
  decimalComma: boolean;
}

/** Something the reader noticed that the user should know, with where (a ragged row, an undecodable byte). */
export interface TableWarning {
  code: 'RAGGED_ROW' | 'INVALID_ENCODING' | 'TYPE_FALLBACK' | 'DUPLICATE_COLUMN' | 'OTHER';
  message: string;
  line?: number;
  column?: string;
}

/** An open file: what it is, and its rows. Readers hold bounded memory whatever the file's size. */
export interface TableReader {
  /** 'table': rows of a database table or query. */
  readonly format: FormatName | 'table';
  readonly schema: Schema;
  /** Known without reading all rows (Parquet's footer); null when only a full read would tell. */
  readonly rowCount: number | null;
  readonly dialect?: CsvDialect;
  /** xlsx: all sheet names, and the one being read. */
  readonly sheets?: string[];
  readonly sheet?: string;
  /** Collected while reading (bounded: the first 100). */
  readonly warnings: TableWarning[];
  /**
   * Row batches from `offset` (0-based data row), at most `limit` rows. A reader that can seek (Parquet row
   * groups) reads only what those rows need. Throws FerryError INVALID_INPUT naming where the file is bad.
   */
  batches(opts?: { offset?: number; limit?: number; signal?: AbortSignal }): AsyncIterable<Batch>;
  /** CSV in UTF-8: the file's own bytes, for a bulk loader that parses the same dialect itself. */
  rawBytes?(signal?: AbortSignal): Promise<AsyncIterable<Buffer>>;
  /**
   * The rows as exactly the bytes the CSV writer would write with these options, made without building
   * values (a PostgreSQL export); null when the options need the writer itself. `opts.signal` cancels;
   * `onRows` hears the rows written so far, chunk by chunk.
   */
  csvBytes?(opts: WriteOptions, onRows?: (rows: number) => void): AsyncIterable<Uint8Array> | null;
}

export interface WriteOptions {
  /** CSV: delimiter (',' default; '\t' for tsv), encoding ('utf-8' default), header row (default true). */
  delimiter?: string;
  encoding?: string;
  header?: boolean;
  /** Parquet: 'snappy' (default) | 'zstd' | 'gzip' | 'none'. */
  compression?: 'snappy' | 'zstd' | 'gzip' | 'none';
  /** Parquet: rows per row group (bounded memory: a row group is held while it is encoded). */
  rowGroupRows?: number;
  /** xlsx: the sheet's name. */
  sheetName?: string;
  signal?: AbortSignal;
}

/** One format's reader and writer. Writers turn a schema and batches into the file's bytes, consumed lazily. */
export interface FormatCodec {
  readonly name: FormatName;
  readonly extensions: string[];
  open(src: ByteSource, opts: ReadOptions): Promise<TableReader>;
  write(schema: Schema, batches: AsyncIterable<Batch>, opts: WriteOptions): AsyncIterable<Uint8Array>;
}
