import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { FerryError } from '../../errors';
import type { Column } from '../../table/types';
import type { TableName } from '../sql';
import type { DbColumn, LoadInput, LoadOptions, LoadResult } from '../types';
import { mysqlError } from './errors';
import mysql from 'mysql2';
import { loadDataCsv, passThrough } from './load-csv';
import { insertStatements, loadDataText, needsUnhex, RowOrigins } from './load-encode';
import { mysqlTypeFor, qualifiedName, quoteName } from './types-map';

/** What a load needs of the connection: one statement at a time (errors unmapped), and whether LOAD DATA LOCAL is on. */
export interface Session {
  query<T = OkPacket>(sql: string, opts?: { values?: unknown[]; infile?: () => Readable }): Promise<T>;
  localInfile: boolean;
  where: { host: string; port: number };
}

interface OkPacket {
  affectedRows: number;
  warningStatus: number;
}

/** An existing table: its columns and its unique keys (the primary key first), for matching and upsert. */
export interface TableFacts {
  columns: DbColumn[];
  uniqueKeys: string[][];
}

interface Plan {
  /** The statements as a dry run shows them (the temp-name dance of create/replace is load()'s own). */
  ddl: string[];
  /** The target column of each input column. */
  columns: string[];
  /** upsert: the key columns (a unique key of the table). */
  key?: string[];
}

/**
 * What a load in this mode runs besides its rows, and where each input column goes; NOT_FOUND /
 * ALREADY_EXISTS / INVALID_INPUT exactly when load() would fail for that reason before any row.
 */
export function loadStatements(name: TableName, existing: TableFacts | null, input: Column[], opts: Pick<LoadOptions, 'mode' | 'key'>): Plan {
  const target = qualifiedName(name);
  const label = `${name.schema}.${name.table}`;
  const mode = opts.mode;
  if (mode === 'create' || mode === 'replace') {
    if (mode === 'create' && existing) throw new FerryError('ALREADY_EXISTS', `The table ${label} exists already: load with --mode append, truncate or replace`, { detail: { table: label } });
    const create = createTableSql(target, input);
    return { ddl: existing ? [`DROP TABLE ${target}`, create] : [create], columns: input.map((c) => c.name) };
  }
  if (!existing) throw new FerryError('NOT_FOUND', `The table ${label} does not exist: load with --mode create to make it`, { detail: { table: label } });
  const columns = matchColumns(input, existing.columns, label);
  if (mode === 'truncate') return { ddl: [`DELETE FROM ${target}`], columns };
  if (mode === 'upsert') return { ddl: [], columns, key: upsertKey(opts.key, existing, columns, label) };
  return { ddl: [], columns };
}

/**
 * A load, all-or-nothing. MySQL commits DDL implicitly, so the table a load creates (create, replace) is
 * made under a temp name, filled in one transaction and renamed into place at the end (replace renames the
 * old one away in the same RENAME, then drops it): a failed load leaves no new table and the old one as it
 * was. append and truncate (DELETE, not TRUNCATE, which would commit) run in one transaction on the table;
 * upsert fills a temporary table, then INSERT … SELECT … ON DUPLICATE KEY UPDATE in the same transaction.
 *
 * The rows go through LOAD DATA LOCAL INFILE fed from a stream when the server allows it (local_infile),
 * else through multi-row INSERTs. Either way a value the column refuses fails the load: strict sql_mode
 * makes it an error, and the warnings LOAD DATA LOCAL turns errors into (a row too long or short, a
 * duplicate key) are read and treated as errors too. The message names the source's own line.
 */
export async function loadTable(s: Session, name: TableName, existing: TableFacts | null, input: LoadInput, opts: LoadOptions): Promise<LoadResult> {
  const plan = loadStatements(name, existing, input.schema.columns, opts);
  const target = qualifiedName(name);
  const label = `${name.schema}.${name.table}`;
  const suffix = randomBytes(6).toString('hex');
  const tmp = qualifiedName({ schema: name.schema, table: `ferry_load_${suffix}` });
  const ran: string[] = [];
  const run = async (sql: string) => {
    ran.push(sql);
    return s.query(sql);
  };
  const origins = new RowOrigins();
  const fail = (e: unknown) => explain(e, s.where, origins, input.label, label, opts.signal);
  const fresh = opts.mode === 'create' || opts.mode === 'replace';
  const into = fresh || opts.mode === 'upsert' ? tmp : target;

  let tmpMade = false;
  try {
    if (fresh) {
      await run(createTableSql(tmp, input.schema.columns));
      tmpMade = true;
    } else if (opts.mode === 'upsert') {
      // A temporary table commits nothing; it has the target's column types and no keys (the input may repeat one).
      await run(`CREATE TEMPORARY TABLE ${tmp} SELECT ${plan.columns.map((c) => quoteName(c)).join(', ')} FROM ${target} LIMIT 0`);
      tmpMade = true;
    }
  } catch (e) {
    throw fail(e);
  }

  let rows = 0;
  try {
    await s.query('START TRANSACTION');
    if (opts.mode === 'truncate') await run(`DELETE FROM ${target}`);
    rows = await sendRows(s, into, plan.columns, input, opts, origins);
    if (opts.mode === 'upsert') {
      const cols = plan.columns.map((c) => quoteName(c));
      const keyed = new Set(plan.key!.map((k) => k.toLowerCase()));
      const update = plan.columns.filter((c) => !keyed.has(c.toLowerCase())).map((c) => `${quoteName(c)} = VALUES(${quoteName(c)})`);
      // With only key columns there is nothing to update: a no-op assignment keeps the existing row.
      const set = update.length ? update.join(', ') : `${quoteName(plan.key![0])} = ${quoteName(plan.key![0])}`;
      await run(`INSERT INTO ${target} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${tmp} ON DUPLICATE KEY UPDATE ${set}`);
    }
    await s.query('COMMIT');
  } catch (e) {
    await s.query('ROLLBACK').catch(() => {}); // a cut connection has rolled back on the server already
    if (tmpMade) await s.query(`DROP ${opts.mode === 'upsert' ? 'TEMPORARY ' : ''}TABLE IF EXISTS ${tmp}`).catch(() => {});
    throw fail(e);
  }

  try {
    if (opts.mode === 'upsert') await run(`DROP TEMPORARY TABLE IF EXISTS ${tmp}`);
    if (fresh) await swapIn(run, tmp, target, existing !== null, suffix, name);
  } catch (e) {
    if (fresh) await s.query(`DROP TABLE IF EXISTS ${tmp}`).catch(() => {});
    throw fail(e);
  }
  return { rowsLoaded: rows, ddl: ran };
}

/** The loaded temp table takes the target's name; an old table is renamed away in the same RENAME (atomic), then dropped. */
async function swapIn(run: (sql: string) => Promise<unknown>, tmp: string, target: string, replace: boolean, suffix: string, name: TableName): Promise<void> {
  if (!replace) {
    await run(`RENAME TABLE ${tmp} TO ${target}`);
    return;
  }
  const old = qualifiedName({ schema: name.schema, table: `ferry_old_${suffix}` });
  await run(`RENAME TABLE ${target} TO ${old}, ${tmp} TO ${target}`);
  await run(`DROP TABLE ${old}`);
}

/** Streams the rows into `into`; returns how many. Throws the server's error (or the first warning) unmapped. */
async function sendRows(s: Session, into: string, columns: string[], input: LoadInput, opts: LoadOptions, origins: RowOrigins): Promise<number> {
  const types = input.schema.columns.map((c) => c.type);
  let sent = 0;
  async function* batches() {
    for await (const batch of input.batches({ signal: opts.signal })) {
      refuseDamaged(input);
      origins.add(sent, batch.rows.length, batch.origins);
      yield batch;
      sent += batch.rows.length;
      opts.onRows?.(sent);
    }
  }
  if (!s.localInfile) {
    for await (const stmt of insertStatements(into, columns, types, batches())) {
      const ok = await s.query(stmt.sql);
      await checkWarnings(s, ok, stmt.firstRow);
    }
    return sent;
  }
  const csv = passThrough(input);
  if (csv) {
    const counted = { rows: 0 };
    const bytes = await input.csv!.bytes(opts.signal);
    const rows = async function* () {
      for await (const b of loadDataCsv(bytes, csv, types, origins, counted)) {
        yield b;
        opts.onRows?.(counted.rows);
      }
    };
    const sql =
      `LOAD DATA LOCAL INFILE 'ferry-rows' INTO TABLE ${into} CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY ${mysql.escape(csv.delimiter)} OPTIONALLY ENCLOSED BY ${mysql.escape(csv.quote)} ESCAPED BY '' ` +
      `LINES TERMINATED BY ${mysql.escape(csv.lineEnding)} (${columns.map((c) => quoteName(c)).join(', ')})`;
    const text = Readable.from(rows(), { objectMode: false });
    const ok = await s.query(sql, { infile: () => text });
    await checkWarnings(s, ok, 0);
    return counted.rows;
  }
  const targets = columns.map((c, i) => (needsUnhex(types[i]) ? `@c${i}` : quoteName(c)));
  const sets = columns.flatMap((c, i) => (needsUnhex(types[i]) ? [`${quoteName(c)} = UNHEX(@c${i})`] : []));
  const sql =
    `LOAD DATA LOCAL INFILE 'ferry-rows' INTO TABLE ${into} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`;
  const text = Readable.from(loadDataText(types, batches()), { objectMode: false });
  // The factory ignores the name the server asks for: only this statement's own stream is ever sent.
  const ok = await s.query(sql, { infile: () => text });
  await checkWarnings(s, ok, 0);
  return sent;
}

/**
 * A row the reader had to mend (too many or too few fields, bytes that are not UTF-8) would load as
 * something the file does not say: all-or-nothing refuses it, naming its line.
 */
function refuseDamaged(input: LoadInput): void {
  const w = input.warnings?.find((x) => x.code === 'RAGGED_ROW' || x.code === 'INVALID_ENCODING');
  if (w) throw new FerryError('INVALID_INPUT', `${input.label ? `${input.label}, ` : ''}${w.message}`, { detail: { line: w.line } });
}

/** A warning (a row cut or padded, a duplicate key, a value adjusted) fails the load like an error would. */
async function checkWarnings(s: Session, ok: OkPacket, firstRow: number): Promise<void> {
  if (!ok?.warningStatus) return;
  const warnings = await s.query<{ Level: string; Code: number; Message: string }[]>('SHOW WARNINGS LIMIT 20');
  const w = warnings.find((x) => x.Level !== 'Note');
  if (w) throw Object.assign(new Error(w.Message), { errno: w.Code, sqlState: 'HY000', sqlMessage: w.Message, firstRow });
}

/** The error as the user should read it: the source line (through the rows' origins), the column, what was wrong. */
function explain(e: unknown, where: Session['where'], origins: RowOrigins, source: string | undefined, table: string, signal?: AbortSignal): FerryError {
  if (signal?.aborted) return new FerryError('CANCELLED', `The load into ${table} was cancelled; the table is as it was`, { cause: e });
  if (e instanceof FerryError && e.code === 'INVALID_INPUT' && typeof e.detail?.line === 'number') {
    return new FerryError(e.code, `${e.message}. Nothing was loaded into ${table}`, { detail: { ...e.detail, table }, cause: e });
  }
  const mapped = mysqlError(e, where);
  if (mapped.code !== 'INVALID_INPUT' || !(e as { sqlMessage?: string }).sqlMessage) {
    if (e instanceof FerryError) return e;
    return new FerryError(mapped.code, `Loading into ${table} failed, nothing was loaded: ${mapped.message}`, { detail: { ...mapped.detail, table }, cause: e });
  }
  const text = (e as { sqlMessage: string }).sqlMessage;
  const m = /\bat row (\d+)/i.exec(text) ?? /^Row (\d+)\b/i.exec(text);
  const col = /for column (?:`[^`]*`\.)*`([^`]*)`|for column '([^']*)'/i.exec(text);
  const column = col ? (col[1] ?? col[2]) : undefined;
  if (!m) return new FerryError('INVALID_INPUT', `Loading into ${table} failed, nothing was loaded: ${text}`, { detail: { ...mapped.detail, table }, cause: e });
  const row = ((e as { firstRow?: number }).firstRow ?? 0) + Number(m[1]);
  const line = origins.at(row);
  const from = source ? `${source}, ` : '';
  const at = line !== undefined ? `${from}line ${line}` : `${from}row ${row}`;
  return new FerryError('INVALID_INPUT', `${at}${column ? `, column ${column}` : ''}: ${text}. Nothing was loaded into ${table}`, {
    detail: { ...mapped.detail, line, column, table },
    cause: e,
  });
}

function createTableSql(target: string, columns: Column[]): string {
  if (!columns.length) throw new FerryError('INVALID_INPUT', 'A table needs at least one column');
  const seen = new Map<string, string>();
  for (const c of columns) {
    if (!c.name) throw new FerryError('INVALID_INPUT', 'A column has no name: give the file a header row, or name the columns');
    const folded = c.name.toLowerCase();
    // MySQL column names are case-insensitive: "Id" and "id" are the same column.
    if (seen.has(folded)) throw new FerryError('INVALID_INPUT', `Two columns are named "${seen.get(folded)}"${seen.get(folded) === c.name ? '' : ` and "${c.name}" (the same name to MySQL)`}: rename one`, { detail: { column: c.name } });
    seen.set(folded, c.name);
  }
  return `CREATE TABLE ${target} (${columns.map((c) => `${quoteName(c.name, 'column name')} ${mysqlTypeFor(c.type)}`).join(', ')}) DEFAULT CHARSET = utf8mb4`;
}

/** The input's columns → the table's, by name, case-insensitively (as MySQL compares column names). */
function matchColumns(input: Column[], table: DbColumn[], label: string): string[] {
  const missing: string[] = [];
  const out = input.map((c) => {
    const hit = table.find((t) => t.name.toLowerCase() === c.name.toLowerCase());
    if (!hit) missing.push(c.name);
    return hit?.name ?? '';
  });
  if (missing.length) {
    throw new FerryError('INVALID_INPUT', `${label} has no column ${missing.map((m) => `"${m}"`).join(', ')} (its columns: ${table.map((t) => t.name).join(', ')}); nothing was loaded`, {
      detail: { table: label, missing },
    });
  }
  const dup = out.find((c, i) => out.indexOf(c) !== i);
  if (dup) throw new FerryError('INVALID_INPUT', `Two input columns go to the column "${dup}" of ${label}: rename one`, { detail: { table: label, column: dup } });
  return out;
}

/** ON DUPLICATE KEY acts on the table's unique keys: the key asked for (or the primary key) must be one of them, and loaded. */
function upsertKey(asked: string[] | undefined, t: TableFacts, columns: string[], label: string): string[] {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));
  const primary = t.columns.filter((c) => c.key).map((c) => c.name);
  const key = asked?.length ? t.uniqueKeys.find((k) => same(k, asked)) : primary.length ? primary : undefined;
  if (!key) {
    const keys = t.uniqueKeys.map((k) => `(${k.join(', ')})`).join(', ') || 'none';
    throw new FerryError(
      'INVALID_INPUT',
      asked?.length
        ? `An upsert into ${label} needs --key to be a primary or unique key of the table (MySQL's ON DUPLICATE KEY works on those): (${asked.join(', ')}) is not one (its unique keys: ${keys})`
        : `${label} has no primary key: give --key with the columns of one of its unique keys (${keys})`,
      { detail: { table: label } },
    );
  }
  const notLoaded = key.filter((k) => !columns.some((c) => c.toLowerCase() === k.toLowerCase()));
  if (notLoaded.length) throw new FerryError('INVALID_INPUT', `An upsert into ${label} needs the key column ${notLoaded.map((k) => `"${k}"`).join(', ')} in the input`, { detail: { table: label } });
  return key;
}
