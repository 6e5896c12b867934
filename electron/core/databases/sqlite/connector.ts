import Database from 'better-sqlite3';
import { FerryError } from '../../errors';
import type { Batch, Column, LogicalType, TableReader, Value } from '../../table/types';
import type { LoadLayout } from '../ddl-plan';
import { FileDatabaseConnector, readOnlyQuery, type Relation } from '../file-database';
import { qualified, tableAt, type TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult, TableInfo, TableSource } from '../types';
import { sqliteError } from './errors';
import { loadSqlite, sqliteLayout } from './load';
import { fromStored, logicalFromSqlite, sqliteTypeFor, ValueMismatch } from './types-map';

const BATCH_ROWS = 2048;
/** Rows looked at to type a query's computed columns (they have no declared type). */
const SAMPLE_ROWS = 1000;

/**
 * A SQLite database file as a connector, through better-sqlite3 (synchronous, so rows are pulled in
 * batches and the event loop gets its turn between them). INTEGER comes back as bigint (safeIntegers), so
 * 64-bit values stay exact. "/" lists "main" (and any attached schema), "/main" its tables and views.
 */
export class SqliteConnector extends FileDatabaseConnector {
  private db: Database.Database | null = null;

  constructor(file: string, label: string) {
    super(file, label, sqliteTypeFor);
  }

  /** The open database; it must exist unless `create` (a load). */
  private open(create = false): Database.Database {
    if (this.db) return this.db;
    if (create) this.mayCreate();
    else this.mustExist();
    try {
      const db = new Database(this.file, { fileMustExist: !create, timeout: 5000 });
      db.defaultSafeIntegers(true);
      db.prepare('SELECT count(*) FROM sqlite_schema').get(); // a file that is not SQLite fails here, not mid-export
      this.db = db;
      return db;
    } catch (e) {
      throw sqliteError(e, `Cannot open ${this.label}`, this.file);
    }
  }

  private q<T>(sql: string, ...params: unknown[]): T[] {
    try {
      return this.open().prepare(sql).all(...params) as T[];
    } catch (e) {
      throw sqliteError(e, `${this.label}`, this.file);
    }
  }

  protected async defaultSchema(): Promise<string> {
    return 'main';
  }

  protected async schemas(): Promise<string[]> {
    return this.q<{ name: string }>('PRAGMA database_list')
      .map((r) => r.name)
      .filter((n) => n !== 'temp');
  }

  protected async relations(schema: string): Promise<Relation[]> {
    const rows = this.q<{ name: string; type: string }>(
      `SELECT name, type FROM ${qualified({ schema, table: 'sqlite_schema' })} WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
    );
    const sizes = new Map<string, number>();
    try {
      // dbstat's aggregate form: one row per table or index, its pages' bytes.
      for (const r of this.open().prepare('SELECT name, pgsize FROM dbstat(?, 1)').all(schema) as Array<{ name: string; pgsize: bigint }>) sizes.set(r.name, Number(r.pgsize));
    } catch {
      // dbstat is an optional SQLite module: without it sizes are 0.
    }
    return rows.map((r) => ({ name: r.name, kind: r.type === 'view' ? 'view' : 'table', size: sizes.get(r.name) ?? 0 }));
  }

  async describe(path: string): Promise<TableInfo> {
    const name = tableAt(path);
    const rel = (await this.relations(name.schema)).find((r) => r.name === name.table);
    if (!rel) throw this.noTable(name, path);
    const columns = (await this.existingColumns(name))!;
    const rows = rel.kind === 'table' ? Number(this.q<{ n: bigint }>(`SELECT count(*) AS n FROM ${qualified(name)}`)[0].n) : null;
    return { path: `/${name.schema}/${name.table}`, kind: rel.kind, columns, rowEstimate: rows };
  }

  /** A table's columns (declared types mapped), or null when there is no such table. */
  protected async existingColumns(name: TableName): Promise<DbColumn[] | null> {
    if (!(await this.schemas()).includes(name.schema)) throw new FerryError('NOT_FOUND', `No schema "${name.schema}" in ${this.label}`, { detail: { schema: name.schema } });
    const rows = this.q<{ name: string; type: string; notnull: bigint; pk: bigint }>('SELECT name, type, "notnull", pk FROM pragma_table_info(?, ?)', name.table, name.schema);
    if (!rows.length) return null;
    return rows.map((r) => ({
      name: r.name,
      type: logicalFromSqlite(r.type) ?? { kind: 'string' },
      dbType: r.type,
      nullable: r.notnull === 0n,
      key: r.pk > 0n,
    }));
  }

  protected async readRows(source: TableSource, opts: { signal?: AbortSignal } = {}): Promise<TableReader> {
    const db = this.open();
    const name = 'table' in source ? tableAt(source.table) : null;
    const sql = name ? `SELECT * FROM ${qualified(name)}` : readOnlyQuery((source as { query: string }).query);
    const label = name ? `${this.label}:${name.schema}.${name.table}` : `${this.label} (query)`;
    let declared: Database.ColumnDefinition[];
    try {
      const stmt = db.prepare(sql);
      if (!stmt.reader || !stmt.readonly) throw new FerryError('INVALID_INPUT', 'An export query must only read rows (one SELECT)');
      declared = stmt.columns();
    } catch (e) {
      if (name && /no such table/.test((e as Error).message)) throw this.noTable(name, `/${name.schema}/${name.table}`);
      throw sqliteError(e, name ? `Cannot read ${label}` : 'The query failed', this.file);
    }
    const types = typeColumns(db, sql, declared);
    const columns: Column[] = declared.map((c, i) => ({ name: c.name, type: types[i] }));
    const convert = types.map((t) => fromStored(t));
    const file = this.file;
    return {
      format: 'table' as const,
      schema: { columns },
      rowCount: null,
      warnings: [],
      async *batches(o: { offset?: number; limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<Batch> {
        const signal = o.signal ?? opts.signal;
        const offset = Math.max(0, Math.floor(o.offset ?? 0));
        let it: IterableIterator<unknown[]>;
        try {
          it = db.prepare(`SELECT * FROM (${sql}) LIMIT ? OFFSET ?`).raw(true).iterate(o.limit === undefined ? -1 : Math.max(0, Math.floor(o.limit)), offset) as IterableIterator<unknown[]>;
        } catch (e) {
          throw sqliteError(e, `Reading ${label} failed`, file);
        }
        let row = offset;
        try {
          for (;;) {
            signal?.throwIfAborted();
            const rows: Value[][] = [];
            let next: IteratorResult<unknown[]> | undefined;
            while (rows.length < BATCH_ROWS && !(next = it.next()).done) {
              const raw = next.value as Parameters<(typeof convert)[number]>[0][];
              row++;
              const out = new Array<Value>(raw.length);
              for (let c = 0; c < raw.length; c++) {
                try {
                  out[c] = convert[c](raw[c]);
                } catch (e) {
                  if (!(e instanceof ValueMismatch)) throw e;
                  throw new FerryError('INVALID_INPUT', `${label}, row ${row}, column ${columns[c].name}: ${e.message} (its declared type is ${declared[c].type}; SQLite keeps such values as they are). Export with --query and a CAST to choose the type`, {
                    detail: { file, row, column: columns[c].name },
                  });
                }
              }
              rows.push(out);
            }
            if (rows.length) yield { rows };
            if (!next || next.done) return;
          }
        } catch (e) {
          if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled', { cause: e });
          throw sqliteError(e, `Reading ${label} failed`, file);
        } finally {
          it.return?.();
        }
      },
    };
  }

  protected async loadRows(path: string, input: LoadInput, opts: LoadOptions): Promise<LoadResult> {
    const name = tableAt(path, 'a table to load into');
    return this.removeIfFailedNew(async () => loadSqlite(this.open(true), name, await this.existingColumns(name), input, opts, this.file), '-journal');
  }

  protected layout(...args: Parameters<typeof sqliteLayout>): LoadLayout {
    return sqliteLayout(...args);
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = null;
    if (db?.open) db.close();
  }
}

/**
 * Each result column's logical type: from its declared type, or, for a computed column (no declared type),
 * from what the first rows hold: integers → int64, numbers → float64, blobs → binary, else string.
 */
function typeColumns(db: Database.Database, sql: string, declared: Database.ColumnDefinition[]): LogicalType[] {
  const types = declared.map((c) => logicalFromSqlite(c.type));
  if (types.every((t) => t)) return types as LogicalType[];
  const sample = db.prepare(`SELECT * FROM (${sql}) LIMIT ${SAMPLE_ROWS}`).raw(true).all() as unknown[][];
  return types.map((t, c) => {
    if (t) return t;
    const seen = new Set(sample.map((r) => r[c]).filter((v) => v !== null).map((v) => (Buffer.isBuffer(v) ? 'blob' : typeof v)));
    if (seen.size === 1 && seen.has('bigint')) return { kind: 'int64' };
    if (seen.size && [...seen].every((k) => k === 'bigint' || k === 'number')) return { kind: 'float64' };
    if (seen.size === 1 && seen.has('blob')) return { kind: 'binary' };
    return { kind: 'string' };
  });
}
