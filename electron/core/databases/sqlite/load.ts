import type Database from 'better-sqlite3';
import { FerryError } from '../../errors';
import type { Column, LogicalType, Value } from '../../table/types';
import { coercion, NotConvertible } from '../coerce';
import { badRow, nothingLoaded, planLoad, type LoadLayout } from '../ddl-plan';
import { qualified, quoteIdent, type TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult } from '../types';
import { sqliteError } from './errors';
import { hasNumericAffinity, sqliteTypeFor, toStored } from './types-map';

/** SQLite's longest identifier is unbounded; Ferry keeps names others can still read (PostgreSQL's 63 is too short for real headers). */
const MAX_NAME = 255;

export function sqliteLayout(name: TableName, existing: DbColumn[] | null, input: Column[], opts: Pick<LoadOptions, 'mode' | 'key'>): LoadLayout {
  const target = { label: `${name.schema}.${name.table}`, sql: qualified(name), existing };
  return planLoad(target, input, opts, { ddlType: sqliteTypeFor, maxNameLength: MAX_NAME, truncate: (t) => `DELETE FROM ${t}` });
}

/**
 * A load as one transaction (BEGIN IMMEDIATE: no other writer can slip in between): the DDL the mode
 * needs, then one prepared INSERT (… ON CONFLICT (key) DO UPDATE for upsert) run for every row, then
 * COMMIT. Each value is converted to the target column's type first, so a value the column cannot hold
 * exactly is refused with its source line instead of being stored as whatever SQLite makes of it; any
 * refusal, constraint failure or cancel rolls everything back.
 */
export async function loadSqlite(db: Database.Database, name: TableName, existing: DbColumn[] | null, input: LoadInput, opts: LoadOptions, file: string): Promise<LoadResult> {
  const label = `${name.schema}.${name.table}`;
  const layout = sqliteLayout(name, existing, input.schema.columns, opts);
  const declared = layout.columns.map((c) => existing?.find((e) => e.name === c)?.dbType ?? null);
  const convert = input.schema.columns.map((c, i) => converter(c.type, layout.types[i], declared[i]));
  const placeholders = layout.columns.map(() => '?').join(', ');
  let sql = `INSERT INTO ${qualified(name)} (${layout.columns.map(quoteIdent).join(', ')}) VALUES (${placeholders})`;
  if (layout.key) {
    const rest = layout.columns.filter((c) => !layout.key!.includes(c));
    sql += ` ON CONFLICT (${layout.key.map(quoteIdent).join(', ')}) ${rest.length ? `DO UPDATE SET ${rest.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}` : 'DO NOTHING'}`;
  }

  let loaded = 0;
  const exec = (s: string) => {
    try {
      db.exec(s);
    } catch (e) {
      throw sqliteError(e, `Loading into ${label} failed, nothing was loaded`, file);
    }
  };
  exec('BEGIN IMMEDIATE');
  try {
    for (const s of layout.ddl) exec(s);
    let insert: Database.Statement;
    try {
      insert = db.prepare(sql);
    } catch (e) {
      throw sqliteError(e, `Cannot load into ${label}`, file);
    }
    const width = convert.length;
    const values = new Array<unknown>(width);
    for await (const batch of input.batches({ signal: opts.signal })) {
      opts.signal?.throwIfAborted();
      for (let r = 0; r < batch.rows.length; r++) {
        const row = batch.rows[r];
        const origin = batch.origins?.[r] ?? loaded + 1;
        let c = 0;
        try {
          for (c = 0; c < width; c++) values[c] = convert[c](row[c] ?? null);
        } catch (e) {
          if (e instanceof NotConvertible) throw badRow(input, origin, layout.columns[c], e.message, label);
          throw e;
        }
        try {
          insert.run(values);
        } catch (e) {
          const err = sqliteError(e, 'refused', file);
          throw badRow(input, origin, null, err.message.replace(/^refused: /, ''), label);
        }
        loaded++;
      }
      opts.onRows?.(loaded);
    }
    exec('COMMIT');
    return { rowsLoaded: loaded, ddl: layout.ddl };
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (opts.signal?.aborted) throw new FerryError('CANCELLED', `The load into ${label} was cancelled; the table is as it was`, { cause: e });
    throw nothingLoaded(e, label);
  }
}

/** A value of the input's type as what SQLite stores in the target column, refusing what it could not keep. */
function converter(from: LogicalType, to: LogicalType, declared: string | null): (v: Value) => unknown {
  const coerce = coercion(from, to);
  const store = toStored(to);
  if (to.kind === 'float64') {
    return (v) => {
      const x = coerce(v);
      if (typeof x === 'number' && Number.isNaN(x)) throw new NotConvertible('NaN cannot be stored in SQLite (it would become NULL)');
      return store(x);
    };
  }
  if (to.kind === 'decimal' && declared && hasNumericAffinity(declared)) {
    // NUMERIC affinity turns the text into a double: only values of up to 15 digits survive that exactly.
    return (v) => {
      const x = coerce(v) as bigint | null;
      if (x !== null && (x < 0n ? -x : x) >= 10n ** 15n) {
        throw new NotConvertible(`${store(x) as string} has more than 15 digits, which SQLite's NUMERIC affinity of ${declared} would round: declare the column DECIMAL_TEXT(p,s) or TEXT`);
      }
      return store(x);
    };
  }
  return (v) => store(coerce(v));
}
