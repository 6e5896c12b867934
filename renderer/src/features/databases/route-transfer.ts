import { basename } from '../../../../shared/paths';
import { tableAddress, tableNameFromFile } from './table-address';

/** One side of a drag, a copy button or a menu item: which endpoint, and whether it is a database. */
export interface Side {
  endpoint: string;
  label: string;
  database: boolean;
}

/** Where the load lands: a schema (a new table named after the file) or an existing table. */
export interface LoadTarget {
  schema: string | null;
  table: string;
  exists: boolean;
}

export type Route =
  | { kind: 'files' }
  | { kind: 'export'; table: string; folder: string; others: number }
  | { kind: 'load'; path: string; target: LoadTarget; others: number }
  | { kind: 'refused'; message: string };

const isTable = (path: string) => tableAddress(path).table !== null;

/**
 * What moving `paths` from one side to a place (`destPath`) on the other means: files between file endpoints
 * are copied or moved; a table onto a folder is an export; a file (or a table) onto a database's schema or
 * table is a load. Exports and loads take one source at a time (the dialog shows one).
 */
export function routeTransfer(from: Side, to: Side, paths: readonly string[], destPath: string): Route {
  if (!from.database && !to.database) return { kind: 'files' };
  if (from.database && !to.database) {
    const tables = paths.filter(isTable);
    if (tables.length === 0) return { kind: 'refused', message: `Drag a table of ${from.label} (not a schema) onto a folder to export it.` };
    return { kind: 'export', table: tables[0], folder: destPath, others: tables.length - 1 };
  }
  const sources = from.database ? paths.filter(isTable) : [...paths];
  if (sources.length === 0) return { kind: 'refused', message: `Drag a table of ${from.label} (not a schema) onto ${to.label} to load it.` };
  const at = tableAddress(destPath);
  const target: LoadTarget = at.table
    ? { schema: at.schema, table: at.table, exists: true }
    : { schema: at.schema, table: tableNameFromFile(basename(sources[0])), exists: false };
  return { kind: 'load', path: sources[0], target, others: sources.length - 1 };
}
