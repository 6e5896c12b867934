import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Capabilities, Entry } from '../../../../shared/connectors';
import type { Connector } from '../../connectors/types';
import { FerryError } from '../../errors';
import type { Batch, Column, TableReader } from '../../table/types';
import { qualified, tableAt, type TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult, TableFacts, TableInfo, TableSource, TableStore } from '../types';
import { copyTextBatches } from './copy-text';
import { pgError } from './errors';
import { loadStatements, loadTable } from './load';
import { logicalFromPg, pgTypeFor } from './types-map';

/** Session settings that fix what every value's text looks like (see copy-text.ts). */
const SESSION = "SET DateStyle = ISO; SET TimeZone = 'UTC'; SET bytea_output = hex; SET extra_float_digits = 1; SET IntervalStyle = iso_8601";

/**
 * One PostgreSQL connection as a connector (the endpoint pool lends it to one task at a time). Browsing:
 * "/" lists schemas, "/schema" its tables and views (size from pg_total_relation_size), as DBeaver shows
 * them. File operations do not apply to a database and say so.
 */
export class PostgresConnector implements Connector {
  readonly tables: TableStore;
  constructor(
    readonly capabilities: Capabilities,
    private readonly client: pg.Client,
    private readonly where: { host: string; port: number; label: string },
  ) {
    this.tables = {
      describe: (path) => this.describe(path),
      tableFacts: (schema) => this.tableFacts(schema),
      read: (source, opts) => this.readRows(source, opts),
      load: (path, input, opts) => this.loadRows(path, input, opts),
      ddlType: pgTypeFor,
      loadStatements: async (path, schema, opts) => {
        const name = tableAt(path, 'a table to load into');
        const existing = (await this.tableRow(name)) ? await this.columns(name) : null;
        return loadStatements(name, existing, schema.columns, opts.mode).ddl;
      },
    };
  }

  static async open(config: pg.ClientConfig, caps: Capabilities, label: string): Promise<PostgresConnector> {
    const where = { host: config.host ?? '127.0.0.1', port: config.port ?? 5432, label };
    const client = new pg.Client({ ...config, application_name: 'ferry' });
    // A connection that dies while idle in the pool must not crash the process; the next use reports it.
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query(SESSION);
    } catch (e) {
      await client.end().catch(() => {});
      throw pgError(e, { ...where, what: `Cannot connect to PostgreSQL at ${where.host}:${where.port}` });
    }
    return new PostgresConnector(caps, client, where);
  }

  async home(): Promise<string> {
    const r = await this.q<{ s: string }>('SELECT current_schema() AS s');
    return r[0]?.s ? `/${r[0].s}` : '/';
  }

  async list(path: string): Promise<Entry[]> {
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 0) {
      const rows = await this.q<{ name: string }>(
        `SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`,
      );
      return rows.map((r) => ({ name: r.name, path: `/${r.name}`, type: 'dir', size: 0, modified: null }));
    }
    if (parts.length === 1) {
      if (!(await this.schemaExists(parts[0]))) throw new FerryError('NOT_FOUND', `No schema "${parts[0]}" in ${this.where.label}`, { detail: { path } });
      const rows = await this.q<{ name: string; size: string }>(
        `SELECT c.relname AS name, pg_total_relation_size(c.oid)::text AS size FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1`,
        [parts[0]],
      );
      return rows.map((r) => ({ name: r.name, path: `/${parts[0]}/${r.name}`, type: 'file', size: Number(r.size), modified: null }));
    }
    await this.stat(path);
    throw new FerryError('NOT_A_DIRECTORY', `${parts.join('.')} is a table, not a schema`, { detail: { path } });
  }

  async stat(path: string): Promise<Entry> {
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 0) return { name: '', path: '/', type: 'dir', size: 0, modified: null };
    if (parts.length === 1) {
      if (!(await this.schemaExists(parts[0]))) throw new FerryError('NOT_FOUND', `No schema "${parts[0]}" in ${this.where.label}`, { detail: { path } });
      return { name: parts[0], path: `/${parts[0]}`, type: 'dir', size: 0, modified: null };
    }
    const info = await this.tableRow(tableAt(path));
    if (!info) throw new FerryError('NOT_FOUND', `No table "${parts.join('.')}" in ${this.where.label}`, { detail: { path } });
    return { name: parts[1], path: `/${parts[0]}/${parts[1]}`, type: 'file', size: info.size, modified: null };
  }

  async describe(path: string): Promise<TableInfo> {
    const name = tableAt(path);
    const row = await this.tableRow(name);
    if (!row) throw new FerryError('NOT_FOUND', `No table "${name.schema}.${name.table}" in ${this.where.label}`, { detail: { path } });
    return { path: `/${name.schema}/${name.table}`, kind: row.kind, columns: await this.columns(name), rowEstimate: row.rows };
  }

  /** Kind and planner's estimate of every table and view of a schema (reltuples is -1 until first analyzed). */
  private async tableFacts(schema: string): Promise<Map<string, TableFacts>> {
    const rows = await this.q<{ name: string; kind: string; rows: number }>(
      `SELECT c.relname AS name, c.relkind AS kind, c.reltuples AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
      [schema],
    );
    return new Map(rows.map((r) => [r.name, { kind: r.kind === 'v' || r.kind === 'm' ? 'view' : 'table', rowEstimate: r.rows >= 0 ? Math.round(r.rows) : null }]));
  }

  private async readRows(source: TableSource, opts: { signal?: AbortSignal } = {}): Promise<TableReader> {
    const sql = 'table' in source ? `SELECT * FROM ${qualified(tableAt(source.table))}` : selectOnly(source.query);
    const label = 'table' in source ? `${this.where.label}:${tableAt(source.table).schema}.${tableAt(source.table).table}` : `${this.where.label} (query)`;
    let fields: pg.FieldDef[];
    try {
      fields = (await this.client.query(`SELECT * FROM (${sql}) AS ferry_q LIMIT 0`)).fields;
    } catch (e) {
      throw pgError(e, { ...this.where, what: 'table' in source ? `Cannot read ${label}` : 'The query failed' });
    }
    const columns: Column[] = fields.map((f) => ({ name: f.name, type: logicalFromPg(f.dataTypeID, f.dataTypeModifier) }));
    const client = this.client;
    const where = this.where;
    return {
      format: 'table' as const,
      schema: { columns },
      rowCount: null,
      warnings: [],
      async *batches(o: { offset?: number; limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<Batch> {
        const window = `${o.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(o.limit))}` : ''}${o.offset ? ` OFFSET ${Math.floor(o.offset)}` : ''}`;
        const stream = client.query(copyTo(`COPY (SELECT * FROM (${sql}) AS ferry_q${window}) TO STDOUT`));
        const signal = o.signal ?? opts.signal;
        const abort = () => stream.destroy(new FerryError('CANCELLED', 'Cancelled'));
        signal?.addEventListener('abort', abort, { once: true });
        try {
          yield* copyTextBatches(stream, columns, label, signal);
        } catch (e) {
          throw pgError(e, { ...where, what: `Reading ${label} failed` });
        } finally {
          signal?.removeEventListener('abort', abort);
          if (!stream.destroyed) stream.destroy();
        }
      },
    };
  }

  private async loadRows(path: string, input: LoadInput, opts: LoadOptions): Promise<LoadResult> {
    const name = tableAt(path, 'a table to load into');
    if (!(await this.schemaExists(name.schema))) throw new FerryError('NOT_FOUND', `No schema "${name.schema}" in ${this.where.label}`, { detail: { path } });
    const existing = (await this.tableRow(name)) ? await this.columns(name) : null;
    return loadTable(this.client, name, existing, input, opts, (e) => pgError(e, { ...this.where, what: `Loading into ${name.schema}.${name.table}` }));
  }

  // File operations: a database holds tables, not files.
  private notFiles(): never {
    throw new FerryError('UNSUPPORTED', `${this.where.label} is a database: export a table to a file, or load a file into a table`);
  }
  readonly read = async (): Promise<never> => this.notFiles();
  readonly write = async (): Promise<never> => this.notFiles();
  readonly mkdir = async (): Promise<never> => this.notFiles();
  readonly remove = async (): Promise<never> => this.notFiles();
  readonly rmdir = async (): Promise<never> => this.notFiles();

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }

  private async q<T>(text: string, values: unknown[] = []): Promise<T[]> {
    try {
      return (await this.client.query(text, values)).rows as T[];
    } catch (e) {
      throw pgError(e, this.where);
    }
  }

  private async schemaExists(schema: string): Promise<boolean> {
    return (await this.q('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length > 0;
  }

  private async tableRow(t: TableName): Promise<{ kind: 'table' | 'view'; size: number; rows: number | null } | null> {
    const rows = await this.q<{ kind: string; size: string; rows: number }>(
      `SELECT c.relkind AS kind, pg_total_relation_size(c.oid)::text AS size, c.reltuples AS rows FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
      [t.schema, t.table],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return { kind: r.kind === 'v' || r.kind === 'm' ? 'view' : 'table', size: Number(r.size), rows: r.rows >= 0 ? Math.round(r.rows) : null };
  }

  private async columns(t: TableName): Promise<DbColumn[]> {
    const rows = await this.q<{ name: string; oid: number; typmod: number; dbtype: string; notnull: boolean; key: boolean }>(
      `SELECT a.attname AS name, a.atttypid::int AS oid, a.atttypmod AS typmod, format_type(a.atttypid, a.atttypmod) AS dbtype, a.attnotnull AS notnull,
              COALESCE(a.attnum = ANY (i.indkey), false) AS key
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
        WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [t.schema, t.table],
    );
    return rows.map((r) => ({ name: r.name, type: logicalFromPg(r.oid, r.typmod), dbType: r.dbtype, nullable: !r.notnull, key: r.key }));
  }
}

/** An export query is one SELECT (or WITH/VALUES/TABLE): it runs inside COPY (...), which takes nothing else. */
function selectOnly(query: string): string {
  const q = query.trim().replace(/;\s*$/, '');
  if (!/^(select|with|values|table)\b/i.test(q)) {
    throw new FerryError('INVALID_INPUT', 'An export query must be a SELECT (or WITH ..., VALUES, TABLE): Ferry runs it inside COPY (...) TO STDOUT');
  }
  return q;
}
