import type { Entry } from '../../../shared/connectors';
import { FerryError } from '../errors';
import { tableAt, type TableName } from './sql';

/**
 * Browsing a database as folders, the same for every database: "/" lists its schemas (a MySQL database is
 * a schema here), "/schema" its tables and views as files (their size on disk), "/schema/table" is a table.
 * A connector supplies the catalogue queries; this turns them into list/stat with the same entries and errors.
 */
export interface Catalogue {
  /** The profile's name, for messages. */
  label: string;
  /** "schema" or "database", for messages. */
  schemaWord: string;
  schemas(): Promise<string[]>;
  schemaExists(schema: string): Promise<boolean>;
  tables(schema: string): Promise<{ name: string; size: number }[]>;
  /** A table's size, or null when there is no such table or view. */
  tableSize(t: TableName): Promise<number | null>;
}

const dir = (name: string): Entry => ({ name, path: `/${name}`, type: 'dir', size: 0, modified: null });
const file = (schema: string, name: string, size: number): Entry => ({ name, path: `/${schema}/${name}`, type: 'file', size, modified: null });

export async function listCatalogue(c: Catalogue, path: string): Promise<Entry[]> {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return (await c.schemas()).map(dir);
  if (parts.length === 1) {
    await statCatalogue(c, path);
    return (await c.tables(parts[0])).map((t) => file(parts[0], t.name, t.size));
  }
  await statCatalogue(c, path);
  throw new FerryError('NOT_A_DIRECTORY', `${parts.join('.')} is a table, not a ${c.schemaWord}`, { detail: { path } });
}

export async function statCatalogue(c: Catalogue, path: string): Promise<Entry> {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { name: '', path: '/', type: 'dir', size: 0, modified: null };
  if (parts.length === 1) {
    if (!(await c.schemaExists(parts[0]))) throw new FerryError('NOT_FOUND', `No ${c.schemaWord} "${parts[0]}" in ${c.label}`, { detail: { path } });
    return dir(parts[0]);
  }
  const t = tableAt(path);
  const size = await c.tableSize(t);
  if (size === null) throw new FerryError('NOT_FOUND', `No table "${t.schema}.${t.table}" in ${c.label}`, { detail: { path } });
  return file(t.schema, t.table, size);
}

/** An export query is one SELECT (or WITH/VALUES/TABLE): it runs wrapped (COPY (…), a derived table), which takes nothing else. */
export function selectOnly(query: string, wrappedIn: string): string {
  const q = query.trim().replace(/;\s*$/, '');
  if (!/^(select|with|values|table)\b/i.test(q)) {
    throw new FerryError('INVALID_INPUT', `An export query must be a SELECT (or WITH ..., VALUES, TABLE): Ferry runs it inside ${wrappedIn}`);
  }
  return q;
}

/** What a database connector answers to file operations: it holds tables, not files. */
export function refuseFiles(label: string): () => Promise<never> {
  return async () => {
    throw new FerryError('UNSUPPORTED', `${label} is a database: export a table to a file, or load a file into a table`);
  };
}
