import type { DuckDBAppender, DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { FerryError } from '../../errors';
import type { Column, Value } from '../../table/types';
import { coercion, NotConvertible } from '../coerce';
import { badRow, nothingLoaded, planLoad, type LoadLayout } from '../ddl-plan';
import { qualified, quoteIdent, type TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult } from '../types';
import { duckError } from './errors';
import { appendFor, duckTypeFor, logicalFromDuck } from './types-map';

/** DuckDB takes long names; Ferry keeps them to what other databases and tools can still read. */
const MAX_NAME = 255;
const STAGE = 'ferry_upsert_stage';

export function duckdbLayout(name: TableName, existing: DbColumn[] | null, input: Column[], opts: Pick<LoadOptions, 'mode' | 'key'>): LoadLayout {
  const target = { label: `${name.schema}.${name.table}`, sql: qualified(name), existing };
  return planLoad(target, input, opts, { ddlType: duckTypeFor, maxNameLength: MAX_NAME, truncate: (t) => `DELETE FROM ${t}` });
}

/**
 * A load as one transaction: the DDL the mode needs, then DuckDB's Appender (its bulk path) fed row by
 * row with values already converted to each column's type, then COMMIT. Table columns the input lacks get
 * their DEFAULT (or NULL). An upsert appends into a temporary table first and merges it with one
 * `INSERT … ON CONFLICT (key) DO UPDATE`. A value a column cannot hold is refused with its source line;
 * that, a constraint failure at flush, or a cancel rolls everything back.
 */
export async function loadDuck(
  conn: DuckDBConnection,
  name: TableName,
  existing: DbColumn[] | null,
  input: LoadInput,
  opts: LoadOptions,
  ctx: { file: string; tableColumns(): Promise<Array<{ name: string; duck: DuckDBType }>> },
): Promise<LoadResult> {
  const label = `${name.schema}.${name.table}`;
  const layout = duckdbLayout(name, existing, input.schema.columns, opts);
  const run = async (sql: string) => {
    try {
      await conn.run(sql);
    } catch (e) {
      throw duckError(e, `Loading into ${label} failed, nothing was loaded`, ctx.file);
    }
  };
  const cols = layout.columns.map(quoteIdent).join(', ');
  let appender: DuckDBAppender | null = null;
  let loaded = 0;
  await run('BEGIN TRANSACTION');
  try {
    for (const s of layout.ddl) await run(s);
    const table = await ctx.tableColumns();
    const tableNames = table.map((c) => c.name);
    const tableTypes = table.map((c) => c.duck);
    // The appender fills every column of its table in order: the staging table holds exactly the input's columns.
    const slots = layout.key ? layout.columns.map((_, i) => i) : tableNames.map((n) => layout.columns.indexOf(n));
    const slotTypes = layout.key ? layout.columns.map((c) => tableTypes[tableNames.indexOf(c)]) : tableTypes;
    if (layout.key) {
      await run(`CREATE TEMP TABLE ${STAGE} AS SELECT ${cols} FROM ${qualified(name)} LIMIT 0`);
      appender = await conn.createAppender(STAGE, 'main', 'temp');
    } else {
      appender = await conn.createAppender(name.table, name.schema);
    }
    const convert = slots.map((i, s) => (i < 0 ? null : coercion(input.schema.columns[i].type, logicalFromDuck(slotTypes[s]))));
    const append = slotTypes.map((t) => appendFor(t));
    const values = new Array<Value>(slots.length);
    for await (const batch of input.batches({ signal: opts.signal })) {
      opts.signal?.throwIfAborted();
      for (let r = 0; r < batch.rows.length; r++) {
        const row = batch.rows[r];
        const origin = batch.origins?.[r] ?? loaded + 1;
        let s = 0;
        try {
          for (s = 0; s < slots.length; s++) values[s] = convert[s] ? convert[s]!(row[slots[s]] ?? null) : null;
        } catch (e) {
          if (e instanceof NotConvertible) throw badRow(input, origin, input.schema.columns[slots[s]].name, e.message, label);
          throw e;
        }
        try {
          for (s = 0; s < slots.length; s++) {
            if (slots[s] < 0) appender.appendDefault();
            else append[s](appender, values[s]);
          }
          appender.endRow();
        } catch (e) {
          throw badRow(input, origin, slots[s] >= 0 ? input.schema.columns[slots[s]].name : null, (e as Error).message, label);
        }
        loaded++;
      }
      opts.onRows?.(loaded);
    }
    try {
      appender.flushSync();
      appender.closeSync();
      appender = null;
    } catch (e) {
      throw duckError(e, `Loading into ${label} failed, nothing was loaded`, ctx.file);
    }
    if (layout.key) await merge(run, name, layout);
    await run('COMMIT');
    return { rowsLoaded: loaded, ddl: layout.ddl };
  } catch (e) {
    try {
      appender?.closeSync();
    } catch {
      // The rollback below discards what it held.
    }
    await conn.run('ROLLBACK').catch(() => {});
    if (opts.signal?.aborted) throw new FerryError('CANCELLED', `The load into ${label} was cancelled; the table is as it was`, { cause: e });
    throw nothingLoaded(e, label);
  }
}

/** The staged rows into the table: new keys inserted, existing ones updated. */
async function merge(run: (sql: string) => Promise<void>, name: TableName, layout: LoadLayout): Promise<void> {
  const key = layout.key!;
  const rest = layout.columns.filter((c) => !key.includes(c));
  const cols = layout.columns.map(quoteIdent).join(', ');
  const action = rest.length ? `DO UPDATE SET ${rest.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}` : 'DO NOTHING';
  await run(`INSERT INTO ${qualified(name)} (${cols}) SELECT ${cols} FROM temp.main.${STAGE} ON CONFLICT (${key.map(quoteIdent).join(', ')}) ${action}`);
  await run(`DROP TABLE temp.main.${STAGE}`);
}
