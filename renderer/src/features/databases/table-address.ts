import { segments } from '../../../../shared/paths';

/** Where a database pane's path points: "/" its schemas, "/schema" one schema's tables, "/schema/table" a table. */
export interface TableAddress {
  schema: string | null;
  table: string | null;
}

export function tableAddress(path: string): TableAddress {
  const [schema = null, table = null] = segments(path);
  return { schema, table };
}

/** "public.orders" as the user reads it (and as `ferry load pg:public.orders` takes it). */
export function dottedName(path: string): string {
  return segments(path).join('.');
}

/** An identifier quoted as PostgreSQL and DuckDB read it ("a""b"), for a query the user starts from. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A file name as a new table's name: "Orders 2026-11.csv" → "orders_2026_11". */
export function tableNameFromFile(fileName: string): string {
  const stem = fileName.replace(/(\.gz)?$/i, '').replace(/\.[^.]*$/, '');
  const name = stem.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(name) ? `t_${name}` : name || 'imported';
}
