import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Capabilities, Entry, OptionSpec } from '../../../shared/connectors';
import type { ConnectContext, Connector, ConnectorManifest } from '../connectors/types';
import { FerryError } from '../errors';
import { DATABASE_CAPABILITIES } from './postgres/index';
import { tableAt, type TableName } from './sql';
import type { Column, LogicalType, TableReader } from '../table/types';
import type { LoadLayout } from './ddl-plan';
import type { DbColumn, LoadInput, LoadOptions, LoadResult, TableInfo, TableSource, TableStore } from './types';

/** SQLite and DuckDB: one local file; a pool of 4 lets browsing go on beside an export. */
export const FILE_DATABASE_CAPABILITIES: Capabilities = { ...DATABASE_CAPABILITIES, maxConnections: 4 };

const fileDatabaseOptions = (example: string): OptionSpec[] => [
  {
    name: 'path',
    label: 'Database file',
    kind: 'file',
    required: true,
    placeholder: example,
    help: 'A file on this computer. Browsing and exports need it to exist; a load creates it (and its tables) when it does not.',
  },
];

/** The manifest of a file database; its connector (and its native library) loads with connect() only. */
export function fileDatabaseManifest(
  m: Pick<ConnectorManifest, 'type' | 'label' | 'atomicityNote'> & { example: string; connector(): Promise<new (file: string, label: string) => Connector> },
): ConnectorManifest {
  return {
    type: m.type,
    label: m.label,
    description: `Tables and views of a ${m.label} database file on this computer: export them to files, load files into them.`,
    options: fileDatabaseOptions(m.example),
    capabilities: FILE_DATABASE_CAPABILITIES,
    tables: true,
    atomicityNote: m.atomicityNote,
    async connect(ctx: ConnectContext) {
      const file = databaseFile(ctx.profile.options, m.type);
      return new (await m.connector())(file, ctx.profile.name);
    },
  };
}

/** The file a profile names, absolute; INVALID_INPUT when none is given. */
function databaseFile(o: Record<string, unknown>, type: string): string {
  const path = String(o.path ?? '').trim();
  if (!path) throw new FerryError('INVALID_INPUT', `A ${type} profile needs the database file (--path FILE)`);
  return resolve(path);
}

export interface Relation {
  name: string;
  kind: 'table' | 'view';
  /** Bytes on disk when the database tells; 0 otherwise. */
  size: number;
}

/**
 * What SQLite and DuckDB connectors share: a database file on this computer browsed as schemas of tables
 * and views ("/main/orders"), the rule that browsing and reading need the file while a load may create
 * it, and the refusal of file operations.
 */
export abstract class FileDatabaseConnector implements Connector {
  readonly capabilities = FILE_DATABASE_CAPABILITIES;
  readonly tables: TableStore;

  constructor(
    protected readonly file: string,
    /** The profile's name, for messages. */
    protected readonly label: string,
    ddlType: (t: LogicalType) => string,
  ) {
    this.tables = {
      describe: (path) => this.describe(path),
      read: (source, opts) => this.readRows(source, opts),
      load: (path, input, opts) => this.loadRows(path, input, opts),
      ddlType,
      loadStatements: async (path, schema, opts) => {
        const name = tableAt(path, 'a table to load into');
        const existing = existsSync(this.file) ? await this.existingColumns(name) : null;
        return this.layout(name, existing, schema.columns, opts).ddl;
      },
    };
  }

  abstract describe(path: string): Promise<TableInfo>;
  protected abstract readRows(source: TableSource, opts?: { signal?: AbortSignal }): Promise<TableReader>;
  protected abstract loadRows(path: string, input: LoadInput, opts: LoadOptions): Promise<LoadResult>;
  /** A table's columns, or null when there is none of that name (NOT_FOUND for a missing schema). */
  protected abstract existingColumns(name: TableName): Promise<DbColumn[] | null>;
  protected abstract layout(name: TableName, existing: DbColumn[] | null, input: Column[], opts: Pick<LoadOptions, 'mode' | 'key'>): LoadLayout;

  protected abstract schemas(): Promise<string[]>;
  protected abstract relations(schema: string): Promise<Relation[]>;
  /** The schema PROFILE:table means ("main"). */
  protected abstract defaultSchema(): Promise<string>;

  /** NOT_FOUND naming the file when it is not there (browsing and exports never create one). */
  protected mustExist(): void {
    if (!existsSync(this.file)) {
      throw new FerryError('NOT_FOUND', `The database file ${this.file} of ${this.label} does not exist (a load with --mode create makes it)`, { detail: { file: this.file } });
    }
    if (statSync(this.file).isDirectory()) throw new FerryError('IS_A_DIRECTORY', `${this.file} of ${this.label} is a folder, not a database file`, { detail: { file: this.file } });
  }

  /** A load may create the file, but not its folder. */
  protected mayCreate(): void {
    if (existsSync(this.file)) return this.mustExist();
    if (!existsSync(dirname(this.file))) {
      throw new FerryError('NOT_FOUND', `The folder of the database file ${this.file} (${this.label}) does not exist`, { detail: { file: this.file } });
    }
  }

  /** Runs a load; when it fails and the file did not exist before, the file it made goes too (with its journal or WAL). */
  protected async removeIfFailedNew<T>(load: () => Promise<T>, sidecar: string): Promise<T> {
    const created = !existsSync(this.file);
    try {
      return await load();
    } catch (e) {
      if (created) {
        await this.close();
        rmSync(this.file, { force: true });
        rmSync(this.file + sidecar, { force: true });
      }
      throw e;
    }
  }

  async home(): Promise<string> {
    return existsSync(this.file) ? `/${await this.defaultSchema()}` : '/main';
  }

  async list(path: string): Promise<Entry[]> {
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 0) return (await this.schemas()).map((s) => ({ name: s, path: `/${s}`, type: 'dir', size: 0, modified: null }));
    if (parts.length === 1) {
      await this.stat(path);
      return (await this.relations(parts[0])).map((r) => ({ name: r.name, path: `/${parts[0]}/${r.name}`, type: 'file', size: r.size, modified: null }));
    }
    await this.stat(path);
    throw new FerryError('NOT_A_DIRECTORY', `${parts.join('.')} is a table, not a schema`, { detail: { path } });
  }

  async stat(path: string): Promise<Entry> {
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 0) return { name: '', path: '/', type: 'dir', size: 0, modified: null };
    if (!(await this.schemas()).includes(parts[0])) throw new FerryError('NOT_FOUND', `No schema "${parts[0]}" in ${this.label}`, { detail: { path } });
    if (parts.length === 1) return { name: parts[0], path: `/${parts[0]}`, type: 'dir', size: 0, modified: null };
    const name = tableAt(path);
    const rel = (await this.relations(name.schema)).find((r) => r.name === name.table);
    if (!rel) throw this.noTable(name, path);
    return { name: rel.name, path: `/${name.schema}/${rel.name}`, type: 'file', size: rel.size, modified: null };
  }

  protected noTable(name: TableName, path: string): FerryError {
    return new FerryError('NOT_FOUND', `No table "${name.schema}.${name.table}" in ${this.label}`, { detail: { path } });
  }

  // File operations: a database holds tables, not files.
  private notFiles(): never {
    throw new FerryError('UNSUPPORTED', `${this.label} is a database: export a table to a file, or load a file into a table`);
  }
  readonly read = async (): Promise<never> => this.notFiles();
  readonly write = async (): Promise<never> => this.notFiles();
  readonly mkdir = async (): Promise<never> => this.notFiles();
  readonly remove = async (): Promise<never> => this.notFiles();
  readonly rmdir = async (): Promise<never> => this.notFiles();

  abstract close(): Promise<void>;
}

/** An export query is one statement that reads (the stores run it inside SELECT * FROM (...)). */
export function readOnlyQuery(query: string): string {
  const q = query.trim().replace(/;\s*$/, '');
  if (!/^(select|with|values|table|from)\b/i.test(q)) {
    throw new FerryError('INVALID_INPUT', 'An export query must be a SELECT (or WITH ..., VALUES, TABLE)');
  }
  return q;
}
