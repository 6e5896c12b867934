import pg from 'pg';
import type { Capabilities, Entry } from '../../../../shared/connectors';
import type { Connector } from '../../connectors/types';
import { FerryError } from '../../errors';
import type { Column, TableReader } from '../../table/types';
import { listCatalogue, refuseFiles, selectOnly, statCatalogue, type Catalogue } from '../browse';
import { limitOffset, qualified, tableAt, type TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult, TableFacts, TableInfo, TableSource, TableStore } from '../types';
import { csvFastPathFits, copyTextToCsv } from './copy-csv';
import { copyTextBatches } from './copy-text';
import { copyOutFrames } from './copy-out';
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
  private readonly catalogue: Catalogue;
  constructor(
    readonly capabilities: Capabilities,
    private readonly client: pg.Client,
    private readonly where: { host: string; port: number; label: string },
    private readonly onClose: () => void = () => {},
  ) {
    this.catalogue = this.catalogueOf();
    this.read = this.write = this.mkdir = this.remove = this.rmdir = refuseFiles(where.label);
    this.tables = {
      describe: (path) => this.describe(path),
      tableFacts: (schema) => this.tableFacts(schema),
      read: (source, opts) => this.readRows(source, opts),
      load: (path, input, opts) => this.loadRows(path, input, opts),
      ddlType: pgTypeFor,
      server: () => this.server(),
      loadStatements: async (path, schema, opts) => {
        const name = tableAt(path, 'a table to load into');
        const existing = (await this.tableRow(name)) ? await this.columns(name) : null;
        const uniqueKeys = existing && opts.mode === 'upsert' ? await this.uniqueKeys(name) : [];
        const sql = loadStatements(name, existing, schema.columns, opts.mode, { key: opts.key, uniqueKeys });
        return [...sql.ddl, ...sql.after];
      },
    };
  }

  /**
   * Connects and sets up the session. `hooks.verify` (the pinned-certificate check) runs on the connected
   * client before the password function answers the server and again before the first query, so neither a
   * credential nor a row reaches a server whose certificate the trust store refuses. `hooks.onClose` runs
   * when the connector is closed (it releases an SSH tunnel); a failed open is the caller's to clean up.
   */
  static async open(
    config: pg.ClientConfig,
    caps: Capabilities,
    label: string,
    hooks: { verify?(client: pg.Client): void; onClose?(): void } = {},
  ): Promise<PostgresConnector> {
    const where = { host: config.host ?? '127.0.0.1', port: config.port ?? 5432, label };
    const password = config.password;
    const verify = hooks.verify ?? (() => {});
    const client: pg.Client = new pg.Client({
      ...config,
      application_name: 'ferry',
      password: async () => (verify(client), typeof password === 'function' ? password() : password ?? ''),
    });
    // A connection that dies while idle in the pool must not crash the process; the next use reports it.
    client.on('error', () => {});
    try {
      await client.connect();
      verify(client);
      await client.query(SESSION);
    } catch (e) {
      await client.end().catch(() => {});
      throw pgError(e, { ...where, what: `Cannot connect to PostgreSQL at ${where.host}:${where.port}` });
    }
    return new PostgresConnector(caps, client, where, hooks.onClose);
  }

  /** The server's product and version ("PostgreSQL 15.14"), for `ferry profile test`. */
  async server(): Promise<string> {
    const [r] = await this.q<{ v: string }>("SELECT 'PostgreSQL ' || current_setting('server_version') AS v");
    return r.v;
  }

  async home(): Promise<string> {
    const r = await this.q<{ s: string }>('SELECT current_schema() AS s');
    return r[0]?.s ? `/${r[0].s}` : '/';
  }

  list(path: string): Promise<Entry[]> {
    return listCatalogue(this.catalogue, path);
  }

  stat(path: string): Promise<Entry> {
    return statCatalogue(this.catalogue, path);
  }

  private catalogueOf(): Catalogue {
    return {
      label: this.where.label,
      schemaWord: 'schema',
      schemas: async () =>
        (await this.q<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`)).map((r) => r.name),
      schemaExists: (schema) => this.schemaExists(schema),
      tables: async (schema) =>
        (
          await this.q<{ name: string; size: string }>(
            `SELECT c.relname AS name, pg_total_relation_size(c.oid)::text AS size FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1`,
            [schema],
          )
        ).map((r) => ({ name: r.name, size: Number(r.size) })),
      tableSize: async (t) => (await this.tableRow(t))?.size ?? null,
    };
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
    const sql = 'table' in source ? `SELECT * FROM ${qualified(tableAt(source.table))}` : selectOnly(source.query, 'COPY (...) TO STDOUT');
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
    /** `COPY (...) TO STDOUT` of the rows in the window, through `parse`; a cancel or a failure ends the stream. */
    async function* copyOut<T>(o: { offset?: number; limit?: number; signal?: AbortSignal }, parse: (frames: AsyncIterable<Buffer>, signal?: AbortSignal) => AsyncGenerator<T>) {
      const window = limitOffset(o);
      const stream = client.query(copyOutFrames(`COPY (SELECT * FROM (${sql}) AS ferry_q${window}) TO STDOUT`));
      const signal = o.signal ?? opts.signal;
      const abort = () => stream.destroy(new FerryError('CANCELLED', 'Cancelled'));
      signal?.addEventListener('abort', abort, { once: true });
      try {
        yield* parse(stream, signal);
      } catch (e) {
        throw pgError(e, { ...where, what: `Reading ${label} failed` });
      } finally {
        signal?.removeEventListener('abort', abort);
        if (!stream.destroyed) stream.destroy();
      }
    }
    return {
      format: 'table' as const,
      schema: { columns },
      rowCount: null,
      warnings: [],
      batches: (o = {}) => copyOut(o, (frames, signal) => copyTextBatches(frames, columns, label, signal)),
      csvBytes: (w, onRows) => (csvFastPathFits(w) ? copyOut({ signal: w.signal }, (frames, signal) => copyTextToCsv(frames, columns, label, w, { signal, onRows })) : null),
    };
  }

  private async loadRows(path: string, input: LoadInput, opts: LoadOptions): Promise<LoadResult> {
    const name = tableAt(path, 'a table to load into');
    if (!(await this.schemaExists(name.schema))) throw new FerryError('NOT_FOUND', `No schema "${name.schema}" in ${this.where.label}`, { detail: { path } });
    const existing = (await this.tableRow(name)) ? await this.columns(name) : null;
    const uniqueKeys = existing && opts.mode === 'upsert' ? await this.uniqueKeys(name) : [];
    const unhook = this.dropConnectionIfStuck(opts.signal);
    try {
      return await loadTable(this.client, name, existing, input, opts, (e) => pgError(e, { ...this.where, what: `Loading into ${name.schema}.${name.table}` }), uniqueKeys);
    } finally {
      unhook();
    }
  }

  /**
   * A cancel rolls a load back by telling the server (CopyFail, ROLLBACK) on this connection. When the
   * network path has stalled those never arrive, and the cancel would wait for TCP to give up: after a few
   * seconds the socket is dropped instead, which makes the server roll back just the same. The connector is
   * then broken (the pool closes it).
   */
  private dropConnectionIfStuck(signal: AbortSignal | undefined, graceMs = 3000): () => void {
    if (!signal) return () => {};
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => (this.client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy(), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
  }

  // File operations: a database holds tables, not files.
  readonly read: () => Promise<never>;
  readonly write: () => Promise<never>;
  readonly mkdir: () => Promise<never>;
  readonly remove: () => Promise<never>;
  readonly rmdir: () => Promise<never>;

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
    this.onClose();
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

  /** The column sets of the table's unique indexes (the primary key among them): what ON CONFLICT can name. */
  private async uniqueKeys(t: TableName): Promise<string[][]> {
    const rows = await this.q<{ cols: string[] }>(
      `SELECT array_agg(a.attname::text) AS cols FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
        WHERE n.nspname = $1 AND c.relname = $2 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
        GROUP BY i.indexrelid`,
      [t.schema, t.table],
    );
    return rows.map((r) => r.cols);
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
