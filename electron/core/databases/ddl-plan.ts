import { FerryError } from '../errors';
import type { Column, LogicalType } from '../table/types';
import { quoteIdent } from './sql';
import type { DbColumn, LoadInput, LoadOptions } from './types';

/** The table a load goes into, as the store found it. */
export interface LoadTarget {
  /** "main.orders", for messages. */
  label: string;
  /** The quoted, qualified name for SQL. */
  sql: string;
  /** Its columns, or null when it does not exist. */
  existing: DbColumn[] | null;
}

export interface LoadLayout {
  /** What runs before the rows (DROP, CREATE TABLE, DELETE). */
  ddl: string[];
  /** The target column each input column goes to (same order as the input's). */
  columns: string[];
  /** The target columns' logical types, in that order (as created, or as the table has them). */
  types: LogicalType[];
  /** upsert: the key columns (target names). */
  key: string[] | null;
}

export interface DdlDialect {
  ddlType(t: LogicalType): string;
  /** The longest column name the database takes (characters). */
  maxNameLength: number;
  /** The statement that empties a table ("DELETE FROM t": SQLite has no TRUNCATE). */
  truncate(table: string): string;
}

/**
 * What a load in this mode runs before its rows and where each input column goes, for the file-backed
 * stores (SQLite, DuckDB); NOT_FOUND / ALREADY_EXISTS when the mode does not fit what is there, and
 * INVALID_INPUT for a column the table lacks, an ambiguous name, or an upsert without a key. Called before
 * any row is read, so all of these are reported with nothing written.
 */
export function planLoad(t: LoadTarget, input: Column[], opts: Pick<LoadOptions, 'mode' | 'key'>, d: DdlDialect): LoadLayout {
  const ddl: string[] = [];
  if (opts.mode === 'create' || opts.mode === 'replace') {
    if (opts.mode === 'create' && t.existing) {
      throw new FerryError('ALREADY_EXISTS', `The table ${t.label} exists already: load with --mode append, truncate, replace or upsert`, { detail: { table: t.label } });
    }
    if (t.existing) ddl.push(`DROP TABLE ${t.sql}`);
    ddl.push(createTableSql(t.sql, input, d));
    return { ddl, columns: input.map((c) => c.name), types: input.map((c) => c.type), key: null };
  }
  if (!t.existing) throw new FerryError('NOT_FOUND', `The table ${t.label} does not exist: load with --mode create to make it`, { detail: { table: t.label } });
  if (opts.mode === 'truncate') ddl.push(d.truncate(t.sql));
  const columns = matchColumns(input, t.existing, t.label);
  const types = columns.map((name) => t.existing!.find((c) => c.name === name)!.type);
  return { ddl, columns, types, key: opts.mode === 'upsert' ? upsertKey(t, columns, opts.key) : null };
}

export function createTableSql(target: string, columns: Column[], d: Pick<DdlDialect, 'ddlType' | 'maxNameLength'>): string {
  if (!columns.length) throw new FerryError('INVALID_INPUT', 'A table needs at least one column');
  const seen = new Set<string>();
  for (const c of columns) {
    if (!c.name) throw new FerryError('INVALID_INPUT', 'A column has no name: give the file a header row, or name the columns');
    if (c.name.length > d.maxNameLength) {
      throw new FerryError('INVALID_INPUT', `The column name "${c.name.slice(0, 40)}…" is longer than ${d.maxNameLength} characters: rename it`, { detail: { column: c.name } });
    }
    // Both databases compare column names case-insensitively: "Id" and "id" would be one column.
    const folded = c.name.toLowerCase();
    if (seen.has(folded)) throw new FerryError('INVALID_INPUT', `Two columns are named "${c.name}" (names are compared without case here): rename one`, { detail: { column: c.name } });
    seen.add(folded);
  }
  return `CREATE TABLE ${target} (${columns.map((c) => `${quoteIdent(c.name)} ${d.ddlType(c.type)}`).join(', ')})`;
}

/**
 * Input columns → the table's, by name: exactly, else case-insensitively when that is unambiguous. Every
 * input column must land somewhere; table columns the input lacks get their defaults (or NULL).
 */
export function matchColumns(input: Column[], table: DbColumn[], label: string): string[] {
  const missing: string[] = [];
  const out = input.map((c) => {
    const exact = table.find((t) => t.name === c.name);
    if (exact) return exact.name;
    const folded = table.filter((t) => t.name.toLowerCase() === c.name.toLowerCase());
    if (folded.length > 1) throw new FerryError('INVALID_INPUT', `The column "${c.name}" matches ${folded.map((t) => `"${t.name}"`).join(' and ')} of ${label}: rename it to one of them`);
    if (!folded.length) missing.push(c.name);
    return folded[0]?.name ?? '';
  });
  if (missing.length) {
    throw new FerryError('INVALID_INPUT', `${label} has no column ${missing.map((m) => `"${m}"`).join(', ')} (its columns: ${table.map((t) => t.name).join(', ')}); nothing was loaded`, {
      detail: { table: label, missing },
    });
  }
  if (new Set(out).size !== out.length) throw new FerryError('INVALID_INPUT', `Two input columns go to the same column of ${label}: rename one`, { detail: { table: label } });
  return out;
}

/** The columns an upsert matches rows on: the ones asked for, else the table's primary key. */
function upsertKey(t: LoadTarget, columns: string[], asked: string[] | undefined): string[] {
  const table = t.existing!;
  const key = asked?.length
    ? asked.map((k) => {
        const c = table.find((x) => x.name === k) ?? table.find((x) => x.name.toLowerCase() === k.toLowerCase());
        if (!c) throw new FerryError('INVALID_INPUT', `The key column "${k}" is not a column of ${t.label}`, { detail: { table: t.label, column: k } });
        return c.name;
      })
    : table.filter((c) => c.key).map((c) => c.name);
  if (!key.length) throw new FerryError('INVALID_INPUT', `An upsert needs a key: ${t.label} has no primary key, so name its key columns (--key COL,...)`, { detail: { table: t.label } });
  const absent = key.filter((k) => !columns.includes(k));
  if (absent.length) throw new FerryError('INVALID_INPUT', `The input has no column for the key ${absent.map((k) => `"${k}"`).join(', ')} of ${t.label}`, { detail: { table: t.label } });
  return key;
}

/**
 * A row the table refused, named by the source's own place: "in.csv, line 4, column qty: "three" is not
 * an int64. Nothing was loaded into main.stock". CSV and JSON Lines batches carry lines; others rows.
 */
export function badRow(input: LoadInput, origin: number, column: string | null, reason: string, table: string): FerryError {
  const where = `${input.label ? `${input.label}, ` : ''}${input.csv ? 'line' : 'row'} ${origin}`;
  return new FerryError('INVALID_INPUT', `${where}${column !== null ? `, column ${column}` : ''}: ${reason}. Nothing was loaded into ${table}`, {
    detail: { line: origin, ...(column !== null ? { column } : {}), table },
  });
}

/** A failed load's error, saying plainly that the table was left as it was (once). */
export function nothingLoaded(e: unknown, table: string): unknown {
  if (!(e instanceof FerryError) || /nothing was loaded/i.test(e.message)) return e;
  return new FerryError(e.code, `${e.message}. Nothing was loaded into ${table}`, { detail: e.detail, cause: e });
}
