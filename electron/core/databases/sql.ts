import { FerryError } from '../errors';

/**
 * Identifiers are always quoted ("a""b" for a"b): no table, column or header name from a file can end
 * the identifier and start a statement. NUL cannot be quoted in PostgreSQL and is refused.
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new FerryError('INVALID_INPUT', `A name cannot contain a NUL character: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

export interface TableName {
  schema: string;
  table: string;
}

/** "/public/orders" → { schema: 'public', table: 'orders' }; anything else is INVALID_INPUT naming the path. */
export function tableAt(path: string, what = 'a table'): TableName {
  const parts = path.split('/').filter(Boolean);
  if (parts.length !== 2) {
    throw new FerryError('INVALID_INPUT', `"${path}" is not ${what}: give schema.table (for example public.orders)`, { detail: { path } });
  }
  return { schema: parts[0], table: parts[1] };
}

export const qualified = (t: TableName) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;

/**
 * A reader's row window as ` LIMIT n OFFSET m` (PostgreSQL and DuckDB syntax), '' for the whole result.
 * The numbers are floored and clamped here because they end up in the statement's text.
 */
export function limitOffset(o: { limit?: number; offset?: number }): string {
  const limit = o.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(o.limit))}` : '';
  return `${limit}${o.offset ? ` OFFSET ${Math.max(0, Math.floor(o.offset))}` : ''}`;
}
