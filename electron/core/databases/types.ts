import type { Entry } from '../../../shared/connectors';
import type { LoadMode } from '../../../shared/table';
import type { Batch, Column, CsvDialect, LogicalType, Schema, TableReader, TableWarning } from '../table/types';

/**
 * The database half of a connector (present as `connector.tables` exactly when its manifest says
 * `tables: true`). Browsing stays the connector's list/stat: schemas (or databases) are folders, tables and
 * views are entries under them ("/public/orders"). What a database adds is rows in and out, in the table
 * layer's logical types, so every reader and writer of the formats works on both sides of it.
 */
export interface TableStore {
  /**
   * What a schema's listing shows of each table and view besides its size: its kind and the database's own
   * row estimate (no count is run), by name. Optional: without it a pane shows tables with "rows unknown".
   */
  tableFacts?(schema: string): Promise<Map<string, TableFacts>>;
  /** The columns of a table or view, with their database types mapped. NOT_FOUND when it does not exist. */
  describe(path: string): Promise<TableInfo>;
  /** Rows of a table ("/schema/table") or of a query, streamed in batches (a cursor or COPY, never the whole result). */
  read(source: TableSource, opts?: { signal?: AbortSignal }): Promise<TableReader>;
  /**
   * Loads every row of `input` into the table at `path`, all-or-nothing: one transaction that is rolled
   * back on any bad row, a cut connection or a cancel, leaving the table exactly as it was.
   */
  load(path: string, input: LoadInput, opts: LoadOptions): Promise<LoadResult>;
  /** The column type a new table gets for a logical type ("numeric(38,9)"): the dry run's mapping shows it. */
  ddlType(t: LogicalType): string;
  /**
   * The statements load() would run before the rows in this mode (DROP, CREATE TABLE, TRUNCATE), for a dry
   * run; NOT_FOUND / ALREADY_EXISTS exactly when load() would fail for that reason. Changes nothing.
   */
  loadStatements(path: string, schema: Schema, opts: Pick<LoadOptions, 'mode' | 'key'>): Promise<string[]>;
  /** The server's product and version ("PostgreSQL 15.14", "MariaDB 10.11.6"), shown by `ferry profile test`. */
  server?(): Promise<string>;
}

export type TableSource = { table: string } | { query: string };

export type TableFacts = NonNullable<Entry['table']>;

export interface TableInfo {
  /** "/public/orders". */
  path: string;
  kind: 'table' | 'view';
  columns: DbColumn[];
  /** The planner's estimate (pg_class.reltuples); null when the database has none. */
  rowEstimate: number | null;
}

export interface DbColumn extends Column {
  /** The database's own type name ("numeric(38,9)", "timestamp with time zone"). */
  dbType: string;
  nullable: boolean;
  /** Part of the primary key. */
  key: boolean;
}

/** What a load reads: a schema and its batches (a TableReader is one). */
export interface LoadInput {
  readonly schema: Schema;
  batches(opts?: { signal?: AbortSignal }): AsyncIterable<Batch>;
  /** Where the rows come from, for messages ("partner:/in/orders.csv"). */
  readonly label?: string;
  /**
   * The same rows as CSV bytes in this dialect, when the source is such a file: a store whose bulk path
   * parses CSV (PostgreSQL's COPY) may send them as they are instead of re-encoding every value.
   */
  readonly csv?: { dialect: CsvDialect; bytes(signal?: AbortSignal): Promise<AsyncIterable<Buffer>> };
  /**
   * What the reader noticed while reading (filled as batches are read): a row with too many or too few
   * fields, bytes that are not valid UTF-8. A store that loads re-encoded rows refuses these, all-or-nothing.
   */
  readonly warnings?: readonly TableWarning[];
}

/** The modes (shared/table.ts says what each does). */
export { LOAD_MODES, type LoadMode } from '../../../shared/table-formats';

export interface LoadOptions {
  mode: LoadMode;
  /** upsert: the key columns (target names); the table's primary key when omitted. */
  key?: string[];
  signal?: AbortSignal;
  /** Called now and then with the rows sent so far. */
  onRows?(rows: number): void;
}

export interface LoadResult {
  rowsLoaded: number;
  /** The statements Ferry ran besides the bulk load itself (CREATE TABLE...), for the job's record. */
  ddl: string[];
}

/** A logical type as a column type of a new table. */
export type DdlTypeFor = (t: LogicalType) => string;
