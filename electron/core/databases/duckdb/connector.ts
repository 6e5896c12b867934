import type { DuckDBConnection, DuckDBResult, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { FerryError } from '../../errors';
import type { Batch, Column, TableReader, Value } from '../../table/types';
import type { LoadLayout } from '../ddl-plan';
import { FileDatabaseConnector, readOnlyQuery, type Relation } from '../file-database';
import { limitOffset, qualified, quoteIdent, tableAt, type TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult, TableInfo, TableSource } from '../types';
import { duckError } from './errors';
import { acquireInstance, releaseInstance } from './instances';
import { duckdbLayout, loadDuck } from './load';
import { duckTypeFor, fromDuck, logicalFromDuck, readExpression } from './types-map';

/**
 * A DuckDB database file as a connector, through @duckdb/node-api: rows stream out in DuckDB's own chunks
 * (2,048 rows) and go in through the Appender. Values arrive typed (BIGINT as bigint, DECIMAL as its
 * unscaled bigint, TIMESTAMPTZ as UTC microseconds), so nothing passes through a JS number on the way.
 */
export class DuckdbConnector extends FileDatabaseConnector {
  private conn: DuckDBConnection | null = null;

  constructor(file: string, label: string) {
    super(file, label, duckTypeFor);
  }

  private async open(create = false): Promise<DuckDBConnection> {
    if (this.conn) return this.conn;
    if (create) this.mayCreate();
    else this.mustExist();
    let instance;
    try {
      instance = await acquireInstance(this.file);
    } catch (e) {
      throw duckError(e, `Cannot open ${this.label}`, this.file);
    }
    const conn = await instance.connect();
    // Fixed, whatever the machine's zone: text of zoned types and the appender's timestamp casts are in UTC.
    await conn.run(`SET TimeZone = 'UTC'`);
    this.conn = conn;
    return conn;
  }

  private async q(sql: string, values: DuckDBValue[] = []): Promise<Record<string, DuckDBValue>[]> {
    const conn = await this.open();
    try {
      return (await conn.runAndReadAll(sql, values)).getRowObjects();
    } catch (e) {
      throw duckError(e, this.label, this.file);
    }
  }

  protected async defaultSchema(): Promise<string> {
    return String((await this.q('SELECT current_schema() AS s'))[0].s);
  }

  protected async schemas(): Promise<string[]> {
    const rows = await this.q(
      `SELECT schema_name AS s FROM duckdb_schemas() WHERE database_name = current_database() AND schema_name NOT IN ('information_schema', 'pg_catalog') ORDER BY 1`,
    );
    return rows.map((r) => String(r.s));
  }

  protected async relations(schema: string): Promise<Relation[]> {
    const rows = await this.q(
      `SELECT table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = $1
       UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE database_name = current_database() AND schema_name = $1 AND NOT internal ORDER BY 1`,
      [schema],
    );
    // DuckDB keeps no per-table size on disk.
    return rows.map((r) => ({ name: String(r.name), kind: r.kind === 'view' ? 'view' : 'table', size: 0 }));
  }

  async describe(path: string): Promise<TableInfo> {
    const name = tableAt(path);
    const rel = (await this.relations(name.schema)).find((r) => r.name === name.table);
    if (!rel) throw this.noTable(name, path);
    const columns = (await this.existingColumns(name))!;
    const est = await this.q(`SELECT estimated_size AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2`, [name.schema, name.table]);
    return { path: `/${name.schema}/${name.table}`, kind: rel.kind, columns, rowEstimate: est.length ? Number(est[0].n) : null };
  }

  /** A table's columns with their DuckDB types, or null when there is no such table or view. */
  protected async existingColumns(name: TableName): Promise<(DbColumn & { duck: DuckDBType })[] | null> {
    if (!(await this.schemas()).includes(name.schema)) throw new FerryError('NOT_FOUND', `No schema "${name.schema}" in ${this.label}`, { detail: { schema: name.schema } });
    const cols = await this.q(
      `SELECT column_name AS name, is_nullable AS nullable FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 ORDER BY column_index`,
      [name.schema, name.table],
    );
    if (!cols.length) return null;
    const pk = await this.q(
      `SELECT unnest(constraint_column_names) AS c FROM duckdb_constraints() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 AND constraint_type = 'PRIMARY KEY'`,
      [name.schema, name.table],
    );
    const keys = new Set(pk.map((r) => String(r.c)));
    const types = (await this.columnTypes(`SELECT * FROM ${qualified(name)}`)).types;
    return cols.map((c, i) => ({ name: String(c.name), type: logicalFromDuck(types[i]), dbType: types[i].toString(), duck: types[i], nullable: !!c.nullable, key: keys.has(String(c.name)) }));
  }

  /** The result columns of a query, without running it to the end. */
  private async columnTypes(sql: string): Promise<{ names: string[]; types: DuckDBType[] }> {
    const conn = await this.open();
    const r = await conn.run(`SELECT * FROM (${sql}) LIMIT 0`);
    return { names: r.columnNames(), types: r.columnTypes() };
  }

  protected async readRows(source: TableSource, opts: { signal?: AbortSignal } = {}): Promise<TableReader> {
    const conn = await this.open();
    const name = 'table' in source ? tableAt(source.table) : null;
    const sql = name ? `SELECT * FROM ${qualified(name)}` : readOnlyQuery((source as { query: string }).query);
    const label = name ? `${this.label}:${name.schema}.${name.table}` : `${this.label} (query)`;
    let shape: { names: string[]; types: DuckDBType[] };
    try {
      shape = await this.columnTypes(sql);
    } catch (e) {
      const err = duckError(e, name ? `Cannot read ${label}` : 'The query failed', this.file);
      if (name && err.code === 'NOT_FOUND') throw this.noTable(name, `/${name.schema}/${name.table}`);
      throw err;
    }
    const columns: Column[] = shape.names.map((n, i) => ({ name: n, type: logicalFromDuck(shape.types[i]) }));
    const convert = shape.types.map((t) => fromDuck(t));
    // Positional aliases: a query may return two columns of one name.
    const aliases = shape.names.map((_, i) => quoteIdent(`c${i}`));
    const select = shape.types.map((t, i) => readExpression(aliases[i], t)).join(', ');
    const file = this.file;
    return {
      format: 'table' as const,
      schema: { columns },
      rowCount: null,
      warnings: [],
      async *batches(o: { offset?: number; limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<Batch> {
        const signal = o.signal ?? opts.signal;
        const window = limitOffset(o);
        const abort = () => conn.interrupt();
        signal?.addEventListener('abort', abort, { once: true });
        let result: DuckDBResult | undefined;
        try {
          result = await conn.stream(`SELECT ${select} FROM (${sql}) AS ferry_q(${aliases.join(', ')})${window}`);
          for (;;) {
            const chunk = await result.fetchChunk();
            if (!chunk || chunk.rowCount === 0) return;
            const rows = chunk.getRows().map((raw) => {
              const out = new Array<Value>(raw.length);
              for (let c = 0; c < raw.length; c++) out[c] = convert[c](raw[c]);
              return out;
            });
            yield { rows };
          }
        } catch (e) {
          if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled', { cause: e });
          throw duckError(e, `Reading ${label} failed`, file);
        } finally {
          signal?.removeEventListener('abort', abort);
        }
      },
    };
  }

  protected async loadRows(path: string, input: LoadInput, opts: LoadOptions): Promise<LoadResult> {
    const name = tableAt(path, 'a table to load into');
    return this.removeIfFailedNew(async () => {
      const conn = await this.open(true);
      const existing = await this.existingColumns(name);
      return loadDuck(conn, name, existing, input, opts, { file: this.file, tableColumns: async () => (await this.existingColumns(name))! });
    }, '.wal');
  }

  protected layout(...args: Parameters<typeof duckdbLayout>): LoadLayout {
    return duckdbLayout(...args);
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    if (!conn) return;
    conn.closeSync();
    await releaseInstance(this.file);
  }
}
