import { refuseDamagedRows } from './damaged-rows';
import type { LoadSpec } from '../../../shared/table';
import { FerryError } from '../errors';
import type { Batch, ReadOptions, TableReader, TableWarning, Value } from '../table/types';
import { valueToText } from '../table/values';
import { needsRowChecks, planColumns, targetSchema, type ColumnPlan } from './load-plan';
import { Rejects } from './load-rejects';
import { transformRow, type BadValue } from './load-transforms';
import type { DbColumn, LoadInput, TableStore } from './types';

/**
 * A load with its transforms and error policy, above any TableStore (PostgreSQL, MySQL, SQLite, DuckDB
 * alike): the columns are planned and every problem reported before a row is read; then either the source
 * goes to the store as it is (no transform, no rejects: the store's bulk path, PostgreSQL's CSV bytes
 * straight to COPY, checks the rows itself) or each batch is transformed and every row checked against
 * the target columns before the store sees it. A bad row fails the load (maxErrors 0) or is skipped into
 * the rejects file, until more than maxErrors are: then the load fails and the store rolls it back.
 */
export interface LoadSource {
  /** "partner:/in/orders.csv", for messages. */
  label: string;
  /** Opens the source's rows (a file through its format's reader, or a table). */
  open(opts: Pick<ReadOptions, 'textColumns' | 'onWarning'>): Promise<TableReader>;
}

export interface LoadRequest {
  store: TableStore;
  /** The table, "/schema/table". */
  path: string;
  /** "public.orders", for messages. */
  table: string;
  source: LoadSource;
  spec: LoadSpec;
  /** Writes the rejects file (required when spec.maxErrors > 0); `where` names it for messages. */
  rejects?: { where: string; write(csv: string): Promise<void> };
  signal?: AbortSignal;
  onRows?(rows: number): void;
}

export interface LoadOutcome {
  read: number;
  loaded: number;
  rejected: number;
  ddl: string[];
}

export async function runLoad(req: LoadRequest): Promise<LoadOutcome> {
  const { store, spec, source } = req;
  if (spec.maxErrors > 0 && !req.rejects) throw new FerryError('INVALID_INPUT', 'A load with maxErrors needs a rejects file to list the rows it skips (--rejects ENDPOINT:PATH)');
  const typed = await source.open({});
  const existing = await describeOrNull(store, req.path);
  const plan = planColumns({ source: typed.schema.columns, spec, existing, ddlType: store.ddlType, table: req.table });
  if (plan.problems.length) throw new FerryError('INVALID_INPUT', `${plan.problems.join('; ')}. Nothing was loaded into ${req.table}`, { detail: { table: req.table, problems: plan.problems } });
  const opts = { mode: spec.mode, ...(plan.key ? { key: plan.key } : {}), signal: req.signal, onRows: req.onRows };

  if (!needsRowChecks(spec)) {
    // Every source column goes to its target (a case-insensitive match now spelled as the table does).
    const raw = typed.rawBytes && typed.dialect ? { dialect: typed.dialect, bytes: (s?: AbortSignal) => typed.rawBytes!(s) } : undefined;
    const input: LoadInput = {
      schema: { columns: plan.columns.map((c) => ({ name: c.target, type: c.sourceType })) },
      // Unchecked rows still may not be mended ones (ragged, not UTF-8): the first fails the load, naming its line.
      batches: (o) => refuseDamagedRows(typed.batches(o), typed.warnings, source.label),
      label: source.label,
      warnings: typed.warnings,
      ...(raw ? { csv: raw } : {}),
    };
    const r = await store.load(req.path, input, opts);
    return { read: r.rowsLoaded, loaded: r.rowsLoaded, rejected: 0, ddl: r.ddl };
  }

  const check = await openChecked(source, typed);
  const rejects = new Rejects(check.originName, typed.dialect?.delimiter);
  let read = 0;
  const writeRejects = async () => {
    if (req.rejects) await req.rejects.write(rejects.toCsv());
  };
  async function* batches(o?: { signal?: AbortSignal }): AsyncGenerator<Batch> {
    for await (const batch of check.rows(plan, spec, o?.signal)) {
      read += batch.read;
      for (const bad of batch.bad) {
        const where = check.where(bad);
        if (spec.maxErrors === 0) {
          throw new FerryError('INVALID_INPUT', `${source.label}, ${where}: ${bad.reason}. Nothing was loaded into ${req.table}`, {
            detail: { [check.originName]: bad.origin, column: bad.column, table: req.table },
          });
        }
        rejects.add(bad.origin, bad.column, bad.reason, bad.fields);
        if (rejects.count > spec.maxErrors) {
          await writeRejects();
          throw new FerryError('INVALID_INPUT', `More than ${spec.maxErrors} rows were rejected (the last: ${where}: ${bad.reason}); nothing was loaded into ${req.table}. The rejected rows so far are in ${req.rejects!.where}`, {
            detail: { table: req.table, rejected: rejects.count, rejects: req.rejects!.where },
          });
        }
      }
      if (batch.rows.length) yield { rows: batch.rows, origins: batch.origins };
    }
    // Before the store commits: a rejects file that cannot be written fails the load, which then rolls back.
    if (spec.maxErrors > 0) await writeRejects();
  }
  const r = await store.load(req.path, { schema: targetSchema(plan), batches, label: source.label }, opts);
  return { read, loaded: r.rowsLoaded, rejected: rejects.count, ddl: r.ddl };
}

export async function describeOrNull(store: TableStore, path: string): Promise<DbColumn[] | null> {
  try {
    return (await store.describe(path)).columns;
  } catch (e) {
    if (e instanceof FerryError && e.code === 'NOT_FOUND') return null;
    throw e;
  }
}

export interface CheckedBatch {
  rows: Value[][];
  origins: number[];
  bad: Array<BadValue & { origin: number; fields: Value[] }>;
  /** Source rows this batch covered (good and bad). */
  read: number;
}

/**
 * The source's rows, transformed into the target columns and checked. A CSV is read a second time with every
 * cell as its text (the first open gave the inferred types, which a new table gets): a cell that fits
 * neither the inferred nor the target type is then one bad row, not the end of the file. Rows with too
 * many or too few fields are bad rows too (the reader's warnings name their lines).
 */
export async function openChecked(source: LoadSource, typed: TableReader) {
  const text = typed.format === 'csv' || typed.format === 'tsv';
  const ragged = new Map<number, string>();
  const onWarning = (w: TableWarning) => {
    if (w.code === 'RAGGED_ROW' && w.line !== undefined) ragged.set(w.line, w.message.replace(/^line \d+: /, ''));
  };
  const reader = text ? await source.open({ textColumns: true, onWarning }) : typed;
  const originName: 'line' | 'row' = ['csv', 'tsv', 'ndjson'].includes(typed.format) ? 'line' : 'row';
  // Rows are counted from 1 as the preview shows them (Parquet's reader counts from 0).
  const firstRow = typed.format === 'parquet' ? 1 : 0;
  const sourceColumns = typed.schema.columns;
  const checkEncoding = typed.dialect?.encoding === 'utf-8';
  const asText = (row: Value[]): Value[] => (text ? row : row.map((v, i) => (sourceColumns[i] ? valueToText(v, sourceColumns[i].type) : v)));
  return {
    originName,
    /** "line 7, column day" (no column for a row with the wrong number of fields). */
    where: (bad: { origin: number; column: string }) => `${originName} ${bad.origin}${bad.column ? `, column ${bad.column}` : ''}`,
    /** The reader's own warnings (a ragged row, undecodable bytes), the first 100. */
    warnings: reader.warnings,
    async *rows(plan: ColumnPlan, spec: LoadSpec, signal?: AbortSignal, limit?: number): AsyncGenerator<CheckedBatch> {
      const rowOpts = { nullAs: spec.nullAs, trim: spec.trim, checkEncoding, decimalComma: text && !!typed.dialect?.decimalComma };
      let n = 0;
      for await (const batch of reader.batches({ signal, ...(limit !== undefined ? { limit } : {}) })) {
        const out: CheckedBatch = { rows: [], origins: [], bad: [], read: batch.rows.length };
        for (let r = 0; r < batch.rows.length; r++) {
          const origin = batch.origins ? batch.origins[r] + firstRow : n + r + 1;
          const row = batch.rows[r];
          const shape = ragged.get(origin);
          const result: Value[] | BadValue = shape !== undefined ? { column: '', reason: shape } : transformRow(row, plan.columns, rowOpts);
          if (shape !== undefined) ragged.delete(origin);
          if (Array.isArray(result)) {
            out.rows.push(result);
            out.origins.push(origin);
          } else out.bad.push({ ...result, origin, fields: asText(row) });
        }
        n += batch.rows.length;
        yield out;
      }
    },
  };
}
