import mysql from 'mysql2';
import type { Readable } from 'node:stream';
import type { Capabilities, Entry } from '../../../../shared/connectors';
import type { Connector, SshTunnel } from '../../connectors/types';
import { FerryError } from '../../errors';
import type { Batch, Column, TableReader } from '../../table/types';
import { listCatalogue, refuseFiles, selectOnly, statCatalogue, type Catalogue } from '../browse';
import { tableAt, type TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult, TableFacts as ListedFacts, TableInfo, TableSource, TableStore } from '../types';
import { mysqlError } from './errors';
import { loadStatements, loadTable, type Session, type TableFacts } from './load';
import { mysqlRowBatches } from './read';
import { logicalFromField, mysqlTypeFor, needsBuffer, qualifiedName, type FieldMeta } from './types-map';

/**
 * Session settings: TIMESTAMP values read and written in UTC; strict mode, so a value a column cannot
 * hold is an error (or, in LOAD DATA LOCAL, a warning Ferry treats as one), never a silent 0 or cut text.
 */
const SESSION = [
  "SET time_zone = '+00:00'",
  "SET sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
];
const SYSTEM_DATABASES = ['information_schema', 'performance_schema', 'mysql', 'sys'];

export type MysqlConfig = Pick<mysql.ConnectionOptions, 'host' | 'port' | 'database' | 'user' | 'password' | 'ssl' | 'connectTimeout'>;

/**
 * One MySQL/MariaDB connection as a connector (the endpoint pool lends it to one task at a time).
 * Browsing: "/" lists databases, "/db" its tables and views (size from information_schema), as DBeaver
 * shows them. A connection broken mid-stream (a cancel, an abandoned read) is reopened on next use.
 */
export class MysqlConnector implements Connector {
  readonly tables: TableStore;
  private conn: mysql.Connection | null;
  private readonly catalogue: Catalogue;

  constructor(
    readonly capabilities: Capabilities,
    conn: mysql.Connection,
    private readonly config: MysqlConfig,
    private readonly where: { host: string; port: number; label: string },
    /** The SSH tunnel every connection (and every reconnect) goes through; released by close(). */
    private readonly tunnel?: SshTunnel,
  ) {
    this.conn = conn;
    this.catalogue = this.catalogueOf();
    this.read = this.write = this.mkdir = this.remove = this.rmdir = refuseFiles(where.label);
    this.tables = {
      describe: (path) => this.describe(path),
      tableFacts: (db) => this.tableFacts(db),
      server: () => this.server(),
      read: (source, opts) => this.readRows(source, opts),
      load: (path, input, opts) => this.loadRows(path, input, opts),
      ddlType: mysqlTypeFor,
      loadStatements: async (path, schema, opts) => {
        const name = tableAt(path, 'a table to load into');
        return loadStatements(name, await this.facts(name), schema.columns, opts).ddl;
      },
    };
  }

  /** Connects (through `tunnel` when given: a failed open releases it, else close() does). */
  static async open(config: MysqlConfig, caps: Capabilities, label: string, tunnel?: SshTunnel): Promise<MysqlConnector> {
    const where = { host: config.host ?? '127.0.0.1', port: config.port ?? 3306, label };
    try {
      return new MysqlConnector(caps, await connect(config, where, tunnel), config, where, tunnel);
    } catch (e) {
      tunnel?.release();
      throw e;
    }
  }

  async home(): Promise<string> {
    return this.config.database ? `/${this.config.database}` : '/';
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
      schemaWord: 'database',
      schemas: async () =>
        (await this.q<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA ORDER BY 1')).map((r) => r.name).filter((n) => !SYSTEM_DATABASES.includes(n)),
      schemaExists: async (db) => (await this.q('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db])).length > 0,
      tables: async (db) =>
        (
          await this.q<{ name: string; size: string | null }>(
            'SELECT TABLE_NAME AS name, DATA_LENGTH + INDEX_LENGTH AS size FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1',
            [db],
          )
        ).map((r) => ({ name: r.name, size: Number(r.size ?? 0) })),
      tableSize: async (t) => (await this.tableRow(t))?.size ?? null,
    };
  }

  async describe(path: string): Promise<TableInfo> {
    const name = tableAt(path);
    const row = await this.tableRow(name);
    if (!row) throw new FerryError('NOT_FOUND', `No table "${name.schema}.${name.table}" in ${this.where.label}`, { detail: { path } });
    return { path: `/${name.schema}/${name.table}`, kind: row.kind, columns: await this.columns(name), rowEstimate: row.rows };
  }

  /** Kind and row estimate of every table and view of a database (TABLE_ROWS: exact for MyISAM, InnoDB's estimate). */
  private async tableFacts(db: string): Promise<Map<string, ListedFacts>> {
    const rows = await this.q<{ name: string; kind: string; rows: string | number | null }>(
      'SELECT TABLE_NAME AS name, TABLE_TYPE AS kind, TABLE_ROWS AS `rows` FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [db],
    );
    return new Map(rows.map((r) => [r.name, { kind: r.kind === 'VIEW' ? 'view' : 'table', rowEstimate: r.kind === 'VIEW' || r.rows === null ? null : Number(r.rows) }]));
  }

  /** "MariaDB 10.11.6" or "MySQL 8.0.36", from VERSION() ("10.11.6-MariaDB-0+deb12u1"). */
  async server(): Promise<string> {
    const [r] = await this.q<{ v: string }>('SELECT VERSION() AS v');
    return `${/mariadb/i.test(r.v) ? 'MariaDB' : 'MySQL'} ${r.v.replace(/-.*$/, '')}`;
  }

  private async readRows(source: TableSource, opts: { signal?: AbortSignal } = {}): Promise<TableReader> {
    const sql = 'table' in source ? `SELECT * FROM ${qualifiedName(tableAt(source.table))}` : selectOnly(source.query, 'a derived table (SELECT * FROM (…) AS ferry_q)');
    const label = 'table' in source ? `${this.where.label}:${tableAt(source.table).schema}.${tableAt(source.table).table}` : `${this.where.label} (query)`;
    const fields = await this.fields(`SELECT * FROM (${sql}) AS ferry_q LIMIT 0`, 'table' in source ? `Cannot read ${label}` : 'The query failed');
    const reads = fields.map(logicalFromField);
    const columns: Column[] = fields.map((f, i) => ({ name: f.name, type: reads[i].type }));
    const buffers = fields.some(needsBuffer);
    const where = this.where;
    const connection = () => this.connection();
    const drop = () => this.drop();
    return {
      format: 'table' as const,
      schema: { columns },
      rowCount: null,
      warnings: [],
      async *batches(o: { offset?: number; limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<Batch> {
        const offset = Math.max(0, Math.floor(o.offset ?? 0));
        const window = o.limit !== undefined ? ` LIMIT ${offset}, ${Math.max(0, Math.floor(o.limit))}` : offset ? ` LIMIT ${offset}, 18446744073709551615` : '';
        const text = window ? `SELECT * FROM (${sql}) AS ferry_q${window}` : sql;
        const conn = await connection();
        const stream: Readable = conn
          .query({
            sql: text,
            rowsAsArray: true,
            ...(buffers ? { typeCast: (f: { type: string; buffer(): Buffer | null }, next: () => unknown) => (f.type === 'GEOMETRY' ? f.buffer() : next()) } : {}),
          })
          .stream({ highWaterMark: 1024 });
        let ended = false;
        stream.once('end', () => (ended = true));
        const signal = o.signal ?? opts.signal;
        const abort = () => stream.destroy(new FerryError('CANCELLED', 'Cancelled'));
        signal?.addEventListener('abort', abort, { once: true });
        try {
          yield* mysqlRowBatches(stream, columns, reads, label, signal);
        } catch (e) {
          throw mysqlError(e, { ...where, what: `Reading ${label} failed` });
        } finally {
          signal?.removeEventListener('abort', abort);
          // Rows still on their way would hold the connection: drop it (the server ends the query), reopen later.
          if (!ended) drop();
        }
      },
    };
  }

  private async loadRows(path: string, input: LoadInput, opts: LoadOptions): Promise<LoadResult> {
    const name = tableAt(path, 'a table to load into');
    await this.stat(`/${name.schema}`);
    const facts = await this.facts(name);
    const localInfile = (await this.q<{ v: number | string }>('SELECT @@local_infile AS v'))[0]?.v;
    const session: Session = {
      query: (sql, o) => this.raw(sql, o),
      localInfile: Number(localInfile) === 1,
      where: this.where,
    };
    try {
      return await loadTable(session, name, facts, input, opts);
    } catch (e) {
      // A load that failed mid-stream may leave the connection unusable: start afresh next time.
      if (!(e instanceof FerryError) || e.code === 'CONNECTION_LOST' || e.code === 'CANCELLED') this.drop();
      throw e;
    }
  }

  // File operations: a database holds tables, not files.
  readonly read: () => Promise<never>;
  readonly write: () => Promise<never>;
  readonly mkdir: () => Promise<never>;
  readonly remove: () => Promise<never>;
  readonly rmdir: () => Promise<never>;

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (c) await new Promise<void>((resolve) => c.end(() => resolve()));
    this.tunnel?.release();
  }

  /** Forgets a connection that cannot be trusted any more (mid-result, mid-load); the next call reconnects. */
  private drop(): void {
    this.conn?.destroy();
    this.conn = null;
  }

  private async connection(): Promise<mysql.Connection> {
    if (!this.conn) this.conn = await connect(this.config, this.where, this.tunnel);
    return this.conn;
  }

  /** One statement; rows for a SELECT, the OK packet (affectedRows, warningStatus) otherwise. Errors unmapped. */
  private async raw<T>(sql: string, o: { values?: unknown[]; infile?: () => Readable } = {}): Promise<T> {
    const conn = await this.connection();
    return new Promise<T>((resolve, reject) => {
      conn.query({ sql, values: o.values, ...(o.infile ? { infileStreamFactory: o.infile } : {}) }, (err, rows) => (err ? reject(err) : resolve(rows as T)));
    });
  }

  private async q<T = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
    try {
      return await this.raw<T[]>(sql, { values });
    } catch (e) {
      throw mysqlError(e, this.where);
    }
  }

  private async fields(sql: string, what: string): Promise<FieldMeta[]> {
    const conn = await this.connection();
    return new Promise((resolve, reject) => {
      conn.query({ sql }, (err, _rows, fields) => (err ? reject(mysqlError(err, { ...this.where, what })) : resolve((fields ?? []) as unknown as FieldMeta[])));
    });
  }

  private async tableRow(t: TableName): Promise<{ kind: 'table' | 'view'; size: number; rows: number | null } | null> {
    const rows = await this.q<{ kind: string; size: string | null; rows: string | number | null }>(
      'SELECT TABLE_TYPE AS kind, DATA_LENGTH + INDEX_LENGTH AS size, TABLE_ROWS AS `rows` FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [t.schema, t.table],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return { kind: r.kind === 'VIEW' ? 'view' : 'table', size: Number(r.size ?? 0), rows: r.rows === null ? null : Number(r.rows) };
  }

  private async columns(t: TableName): Promise<DbColumn[]> {
    const info = await this.q<{ name: string; dbType: string; nullable: string; k: string }>(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS dbType, IS_NULLABLE AS nullable, COLUMN_KEY AS k FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [t.schema, t.table],
    );
    // The logical types from the result metadata, as a read sees them (MariaDB's JSON shows there, not here).
    const fields = await this.fields(`SELECT * FROM ${qualifiedName(t)} LIMIT 0`, `Cannot read ${t.schema}.${t.table}`);
    return info.map((c, i) => {
      const type = logicalFromField(fields[i]).type;
      return { name: c.name, type, dbType: type.kind === 'json' ? 'json' : c.dbType, nullable: c.nullable === 'YES', key: c.k === 'PRI' };
    });
  }

  /** The table's columns and unique keys, or null when there is no such table. */
  private async facts(t: TableName): Promise<TableFacts | null> {
    if (!(await this.tableRow(t))) return null;
    const idx = await this.q<{ idx: string; col: string }>(
      `SELECT INDEX_NAME AS idx, COLUMN_NAME AS col FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
      [t.schema, t.table],
    );
    const keys = new Map<string, string[]>();
    for (const r of idx) keys.set(r.idx, [...(keys.get(r.idx) ?? []), r.col]);
    return { columns: await this.columns(t), uniqueKeys: [...keys.values()] };
  }
}

async function connect(config: MysqlConfig, where: { host: string; port: number }, tunnel?: SshTunnel): Promise<mysql.Connection> {
  // Through a tunnel: an SSH channel to host:port as the SSH server sees them (mysql2 talks, and upgrades
  // to TLS, over any connected duplex stream it is given).
  const stream = tunnel ? await tunnel.forward(where.host, where.port) : undefined;
  const conn = mysql.createConnection({
    ...config,
    ...(stream ? { stream } : {}),
    charset: 'UTF8MB4_GENERAL_CI',
    // Exact values: BIGINT and DECIMAL as strings, dates as the server's text, JSON as its text.
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    jsonStrings: true,
    timezone: 'Z',
    multipleStatements: false,
  });
  // A connection that dies while idle in the pool must not crash the process; the next use reports it.
  conn.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    for (const s of SESSION) await new Promise<void>((resolve, reject) => conn.query(s, (err) => (err ? reject(err) : resolve())));
  } catch (e) {
    conn.destroy();
    throw mysqlError(e, { ...where, what: `Cannot connect to MySQL at ${where.host}:${where.port}` });
  }
  return conn;
}
