import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { FerryError } from '../../errors';
import type { Column, Value } from '../../table/types';
import { valueToText, convertUnit } from '../../table/values';
import { matchColumns } from '../ddl-plan';
import { qualified, quoteIdent, type TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult } from '../types';
import { pgTypeFor } from './types-map';

/** What a load in this mode runs around its rows, and where COPY puts them. */
export interface LoadSql {
  /** Before the rows (DROP, CREATE TABLE, TRUNCATE; upsert: the temp table). */
  ddl: string[];
  /** The target columns the input's columns go to, in order. */
  columns: string[];
  /** The table COPY writes into: the target, or upsert's temp table. */
  copyInto: string;
  /** After the rows (upsert: INSERT ... ON CONFLICT from the temp table). */
  after: string[];
}

/** The table an upsert's rows land in first (temporary, dropped at COMMIT). */
const UPSERT_TEMP = 'pg_temp."ferry_upsert"';

/**
 * What a load in this mode runs around its rows and the target columns the input's columns go to;
 * NOT_FOUND / ALREADY_EXISTS when the mode does not fit what is there. upsert: the rows are copied into a
 * temp table, then `INSERT ... ON CONFLICT (key) DO UPDATE` merges them in the same transaction; the key
 * (given, else the primary key) must be exactly the columns of a unique index, which ON CONFLICT needs.
 */
export function loadStatements(
  name: TableName,
  existing: DbColumn[] | null,
  input: Column[],
  mode: LoadOptions['mode'],
  upsert: { key?: string[]; uniqueKeys: string[][] } = { uniqueKeys: [] },
): LoadSql {
  const target = qualified(name);
  const label = `${name.schema}.${name.table}`;
  const ddl: string[] = [];
  if (mode === 'create' || mode === 'replace') {
    if (mode === 'create' && existing) throw new FerryError('ALREADY_EXISTS', `The table ${label} exists already: load with --mode append, truncate or replace`, { detail: { table: label } });
    if (existing) ddl.push(`DROP TABLE ${target}`);
    ddl.push(createTableSql(target, input));
    return { ddl, columns: input.map((c) => c.name), copyInto: target, after: [] };
  }
  if (!existing) throw new FerryError('NOT_FOUND', `The table ${label} does not exist: load with --mode create to make it`, { detail: { table: label } });
  if (mode === 'truncate') ddl.push(`TRUNCATE ${target}`);
  const columns = matchColumns(input, existing, label);
  if (mode !== 'upsert') return { ddl, columns, copyInto: target, after: [] };
  const key = upsertKey(upsert.key, existing, columns, upsert.uniqueKeys, label);
  const cols = columns.map(quoteIdent).join(', ');
  ddl.push(`CREATE TEMP TABLE "ferry_upsert" ON COMMIT DROP AS SELECT ${cols} FROM ${target} WITH NO DATA`);
  const rest = columns.filter((c) => !key.includes(c));
  const action = rest.length ? `DO UPDATE SET ${rest.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ')}` : 'DO NOTHING';
  const after = [`INSERT INTO ${target} (${cols}) SELECT ${cols} FROM ${UPSERT_TEMP} ON CONFLICT (${key.map(quoteIdent).join(', ')}) ${action}`];
  return { ddl, columns, copyInto: UPSERT_TEMP, after };
}

function upsertKey(given: string[] | undefined, existing: DbColumn[], columns: string[], uniqueKeys: string[][], label: string): string[] {
  const key = given?.length ? given : existing.filter((c) => c.key).map((c) => c.name);
  if (!key.length) throw new FerryError('INVALID_INPUT', `${label} has no primary key: name the columns that identify a row with --key COL,...`, { detail: { table: label } });
  const unloaded = key.filter((k) => !columns.includes(k));
  if (unloaded.length) throw new FerryError('INVALID_INPUT', `The key column ${unloaded.map((k) => `"${k}"`).join(', ')} is not loaded into ${label}: an upsert needs every key column`, { detail: { table: label } });
  const same = (u: string[]) => u.length === key.length && u.every((c) => key.includes(c));
  if (!uniqueKeys.some(same)) {
    throw new FerryError('INVALID_INPUT', `(${key.join(', ')}) is not unique in ${label}: an upsert needs a primary key or unique index on exactly its key columns`, { detail: { table: label, key } });
  }
  return key;
}

/**
 * A load as one transaction: the DDL the mode asks for, then `COPY t (cols) FROM STDIN (FORMAT csv)` fed
 * from the input's batches (PostgreSQL's bulk path: psql's \copy uses the same), then COMMIT. Anything that
 * goes wrong (a value the column refuses, a cut connection, a cancel) rolls the whole load back, so the
 * table is exactly as it was. The server names the bad COPY row; Ferry turns that into the source's own
 * line (or row) number through the batches' origins.
 */
export async function loadTable(
  client: pg.Client,
  name: TableName,
  existing: DbColumn[] | null,
  input: LoadInput,
  opts: LoadOptions,
  mapError: (e: unknown) => FerryError,
  uniqueKeys: string[][] = [],
): Promise<LoadResult> {
  const label = `${name.schema}.${name.table}`;
  const { ddl, columns, copyInto, after } = loadStatements(name, existing, input.schema.columns, opts.mode, { key: opts.key, uniqueKeys });

  const origins = new Origins();
  let sent = 0;
  const types = input.schema.columns.map((c) => c.type);
  // An error of the input itself (a bad row named by the load layer, an unreadable file) is already in plain words.
  let inputError: unknown = null;
  async function* csv(): AsyncGenerator<Buffer> {
    try {
      yield* rowsAsCsv();
    } catch (e) {
      inputError = e;
      throw e;
    }
  }
  async function* rowsAsCsv(): AsyncGenerator<Buffer> {
    for await (const batch of input.batches({ signal: opts.signal })) {
      let text = '';
      for (let r = 0; r < batch.rows.length; r++) {
        text += csvLine(batch.rows[r], types);
        origins.push(batch.origins?.[r] ?? sent + r + 1);
      }
      sent += batch.rows.length;
      opts.onRows?.(sent);
      yield Buffer.from(text, 'utf8');
    }
  }

  // The file's own bytes when PostgreSQL's CSV parser reads them exactly as Ferry would (see passThrough).
  const raw = passThrough(input);
  const copyCols = columns.map(quoteIdent).join(', ');
  await client.query('BEGIN');
  try {
    for (const sql of ddl) await client.query(sql);
    let loaded: number;
    if (raw) {
      const d = raw.dialect;
      const quoted = (c: string) => `'${c.replace(/'/g, "''")}'`;
      const options = [`FORMAT csv`, `DELIMITER ${quoted(d.delimiter)}`, `QUOTE ${quoted(d.quote)}`, `ESCAPE ${quoted(d.escape)}`, `HEADER ${d.header}`];
      const copy = client.query(copyFrom(`COPY ${copyInto} (${copyCols}) FROM STDIN (${options.join(', ')})`));
      await pipeline(Readable.from(await raw.bytes(opts.signal), { objectMode: false }), copy, { signal: opts.signal });
      loaded = Number(copy.rowCount ?? 0);
      opts.onRows?.(loaded);
    } else {
      const copy = client.query(copyFrom(`COPY ${copyInto} (${copyCols}) FROM STDIN (FORMAT csv)`));
      await pipeline(Readable.from(csv(), { objectMode: false }), copy, { signal: opts.signal });
      loaded = sent;
    }
    for (const sql of after) await client.query(sql);
    await client.query('COMMIT');
    return { rowsLoaded: loaded, ddl: [...ddl, ...after] };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {}); // a cut connection has rolled back on the server already
    if (opts.signal?.aborted) throw new FerryError('CANCELLED', `The load into ${label} was cancelled; the table is as it was`, { cause: e });
    if (e === inputError && e instanceof FerryError) throw e;
    // Passed through, PostgreSQL's "line N" counts the file's records (line 1 the header, if any).
    const mapped = mapError(e);
    if ((mapped.detail?.sqlstate as string | undefined) === '21000' && after.length) {
      throw new FerryError('INVALID_INPUT', `Two rows of ${input.label ?? 'the source'} have the same key: an upsert takes each key once. Nothing was loaded into ${label}`, { detail: mapped.detail, cause: e });
    }
    throw withSourceLine(mapped, raw ? null : origins, input.label, label);
  }
}

/**
 * psql's \copy speed comes from the server parsing the CSV itself. Ferry sends the file's bytes as they
 * are when PostgreSQL reads them exactly as Ferry's reader would: UTF-8 (a BOM only in a header line it
 * skips), no decimal commas, no nanosecond timestamps (PostgreSQL would round them where Ferry truncates).
 * NULL and '' agree already: in PostgreSQL's CSV as in Ferry's, an unquoted empty field is NULL and a
 * quoted one the empty string. Ferry's inferred types accept a subset of what PostgreSQL's input functions
 * parse, with the same meaning (ISO dates and timestamps, true/false, plain and exponent numbers).
 */
function passThrough(input: LoadInput): LoadInput['csv'] | null {
  const c = input.csv;
  if (!c) return null;
  const d = c.dialect;
  if (d.encoding !== 'utf-8' || d.decimalComma || (d.bom && !d.header)) return null;
  if (input.schema.columns.some((col) => col.type.kind === 'timestamp' && col.type.unit === 'ns')) return null;
  return c;
}

/**
 * Every non-NULL text-like value quoted: in PostgreSQL's CSV an unquoted empty field is NULL and a quoted
 * one ''. Numbers, dates, times, timestamps and booleans are never empty and never hold a comma, quote or
 * line break, so they go unquoted (the same to PostgreSQL, and no copy of each value).
 */
function csvLine(row: Value[], types: Column['type'][]): string {
  let line = '';
  for (let c = 0; c < types.length; c++) {
    if (c) line += ',';
    const v = row[c] ?? null;
    if (v === null) continue;
    const t = types[c];
    // PostgreSQL keeps microseconds: a nanosecond value is sent as microseconds, truncated.
    const text = (t.kind === 'timestamp' && t.unit === 'ns' ? valueToText(convertUnit(v as bigint, 'ns', 'us'), { ...t, unit: 'us' }) : valueToText(v, t))!;
    line += UNQUOTED.has(t.kind) ? text : `"${text.includes('"') ? text.replace(/"/g, '""') : text}"`;
  }
  return line + '\n';
}

const UNQUOTED = new Set<Column['type']['kind']>(['boolean', 'int32', 'int64', 'float64', 'decimal', 'date', 'time', 'timestamp']);

export function createTableSql(target: string, columns: Column[]): string {
  if (!columns.length) throw new FerryError('INVALID_INPUT', 'A table needs at least one column');
  const seen = new Set<string>();
  for (const c of columns) {
    if (!c.name) throw new FerryError('INVALID_INPUT', 'A column has no name: give the file a header row, or name the columns');
    if (c.name.length > 63) throw new FerryError('INVALID_INPUT', `The column name "${c.name.slice(0, 40)}…" is longer than PostgreSQL's 63 bytes: rename it`, { detail: { column: c.name } });
    if (seen.has(c.name)) throw new FerryError('INVALID_INPUT', `Two columns are named "${c.name}": rename one`, { detail: { column: c.name } });
    seen.add(c.name);
  }
  return `CREATE TABLE ${target} (${columns.map((c) => `${quoteIdent(c.name)} ${pgTypeFor(c.type)}`).join(', ')})`;
}

/** COPY row number (1-based) → the source's line or row, kept compactly for a load of any size. */
class Origins {
  private buf = new Float64Array(4096);
  private n = 0;
  push(origin: number): void {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = origin;
  }
  at(copyLine: number): number | undefined {
    return copyLine >= 1 && copyLine <= this.n ? this.buf[copyLine - 1] : undefined;
  }
}

function withSourceLine(e: FerryError, origins: Origins | null, source: string | undefined, table: string): FerryError {
  const where = typeof e.detail?.where === 'string' ? e.detail.where : '';
  const m = /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(where);
  if (!m) return new FerryError(e.code, `Loading into ${table} failed, nothing was loaded: ${e.message}`, { detail: e.detail, cause: e });
  const line = origins ? origins.at(Number(m[1])) : Number(m[1]);
  const column = m[2];
  const from = source ? `${source}, ` : '';
  const at = line !== undefined ? `${from}line ${line}` : `${from}row ${m[1]}`;
  const reason = e.message.replace(/\s*\(COPY .*\)$/, '');
  return new FerryError(e.code, `${at}${column ? `, column ${column}` : ''}: ${reason}. Nothing was loaded into ${table}`, {
    detail: { ...e.detail, line, column, table },
    cause: e,
  });
}
