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
  const insertSql = (rows: number) => {
    const tuple = `(${layout.columns.map(() => '?').join(', ')})`;
    let sql = `INSERT INTO ${qualified(name)} (${layout.columns.map(quoteIdent).join(', ')}) VALUES ${Array(rows).fill(tuple).join(', ')}`;
    if (layout.key) {
      const rest = layout.columns.filter((c) => !layout.key!.includes(c));
      sql += ` ON CONFLICT (${layout.key.map(quoteIdent).join(', ')}) ${rest.length ? `DO UPDATE SET ${rest.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}` : 'DO NOTHING'}`;
    }
    return sql;
  };

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
    const width = convert.length;
    // Many rows per statement: one native call per PER rows instead of per row (about 3× faster).
    const per = Math.max(1, Math.min(64, Math.floor(30_000 / width)));
    let one: Database.Statement;
    let many: Database.Statement;
    try {
      one = db.prepare(insertSql(1));
      many = per > 1 ? db.prepare(insertSql(per)) : one;
    } catch (e) {
      throw sqliteError(e, `Cannot load into ${label}`, file);
    }
    const params = new Array<unknown>(per * width);
    const origins = new Array<number>(per);
    let held = 0;
    /** A failed statement changes nothing: its rows are then run one by one, to name the one SQLite refuses. */
    const runRows = (full: boolean) => {
      if (full) {
        try {
          many.run(params);
          loaded += held;
          held = 0;
          return;
        } catch {
          // Found below.
        }
      }
      for (let r = 0; r < held; r++) {
        try {
          one.run(params.slice(r * width, (r + 1) * width));
        } catch (e) {
          throw badRow(input, origins[r], null, sqliteError(e, 'refused', file).message.replace(/^refused: /, ''), label);
        }
      }
      loaded += held;
      held = 0;
    };
    for await (const batch of input.batches({ signal: opts.signal })) {
      opts.signal?.throwIfAborted();
      for (let r = 0; r < batch.rows.length; r++) {
        const row = batch.rows[r];
        const origin = batch.origins?.[r] ?? loaded + held + 1;
        const base = held * width;
        let c = 0;
        try {
          for (c = 0; c < width; c++) params[base + c] = convert[c](row[c] ?? null);
        } catch (e) {
          if (e instanceof NotConvertible) throw badRow(input, origin, layout.columns[c], e.message, label);
          throw e;
        }
        origins[held++] = origin;
        if (held === per) runRows(true);
      }
      opts.onRows?.(loaded + held);
    }
    runRows(false);
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
