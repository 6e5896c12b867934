import type { LoadPlan, LoadSpec } from '../../../shared/table';
import { CellError } from '../table/csv/infer';
import { FerryError } from '../errors';
import type { Column, LogicalType, TableReader, Value } from '../table/types';
import { typeName } from '../table/values';
import { convertValue, maxLengthOf, parseTypeName, type LoadColumn } from './load-transforms';
import type { DbColumn, DdlTypeFor } from './types';

/**
 * The column half of a load, store-independent: which source column goes to which target column and as
 * what type, after --columns (choose by source name), --rename (source → target), --cast and --fill. Names
 * match case-insensitively when that is unambiguous. Every problem is found here, before any row is read:
 * an unknown or ambiguous name, a source column the table lacks, a key the table cannot use.
 */
export interface ColumnPlan {
  /** The target columns loaded, in order, each fed by one source column. */
  columns: LoadColumn[];
  /** LoadPlan's mapping: one entry per source column, then one per target column nothing fills. */
  mapping: LoadPlan['mapping'];
  /** upsert: the key columns (target names). */
  key?: string[];
  problems: string[];
}

export interface PlanInput {
  source: Column[];
  spec: LoadSpec;
  /** The table's columns, or null when it does not exist (or replace drops it). */
  existing: DbColumn[] | null;
  ddlType: DdlTypeFor;
  /** "public.orders", for messages. */
  table: string;
}

export function planColumns({ source, spec, existing, ddlType, table }: PlanInput): ColumnPlan {
  const problems: string[] = [];
  const mapping: LoadPlan['mapping'] = [];
  const creates = spec.mode === 'create' || spec.mode === 'replace';
  const into = creates ? null : existing;
  const sourceNames = source.map((c) => c.name);

  // --columns: which source columns, in this order; the rest are skipped.
  let chosen = source.map((_, i) => i);
  if (spec.columns?.length) {
    chosen = [];
    for (const name of spec.columns) {
      const i = findName(sourceNames, name, 'The file', problems);
      if (i !== null && !chosen.includes(i)) chosen.push(i);
    }
  }

  // --rename: source name → target name.
  const targetNames = new Map<number, string>(chosen.map((i) => [i, source[i].name]));
  for (const [from, to] of Object.entries(spec.rename ?? {})) {
    const i = findName(sourceNames, from, 'The file', problems, '--rename');
    if (i === null) continue;
    if (!targetNames.has(i)) problems.push(`--rename ${from}=${to}: "${source[i].name}" is left out by --columns`);
    else targetNames.set(i, to);
  }

  const columns: LoadColumn[] = [];
  const fed = new Set<string>();
  const tableNames = into?.map((c) => c.name) ?? [];
  for (const i of chosen) {
    const wanted = targetNames.get(i)!;
    let target: DbColumn | null = null;
    if (into) {
      const t = findName(tableNames, wanted, table, null);
      if (t === null) {
        const folded = into.filter((c) => c.name.toLowerCase() === wanted.toLowerCase());
        problems.push(
          folded.length > 1
            ? `The column "${wanted}" matches ${folded.map((c) => `"${c.name}"`).join(' and ')} of ${table}: --rename it to one of them`
            : `${table} has no column "${wanted}" (its columns: ${tableNames.join(', ')}): leave it out with --columns, or map it with --rename ${source[i].name}=COLUMN`,
        );
        continue;
      }
      target = into[t];
    }
    const name = target?.name ?? wanted;
    if (fed.has(name.toLowerCase())) {
      problems.push(`Two columns would load into "${name}": leave one out with --columns or --rename it`);
      continue;
    }
    fed.add(name.toLowerCase());
    const type = target?.type ?? source[i].type;
    columns.push({ source: i, sourceType: source[i].type, target: name, type, notNull: target ? !target.nullable : false, maxLength: target ? maxLengthOf(target.dbType) : null, fill: null });
  }

  applyCasts(columns, spec.cast ?? {}, problems);
  applyFills(columns, spec.fill ?? {}, problems);

  const byTarget = new Map(columns.map((c) => [c.target, c]));
  for (let i = 0; i < source.length; i++) {
    if (!chosen.includes(i)) {
      mapping.push({ source: source[i].name, target: null, type: typeName(source[i].type), dbType: null, status: 'skipped' });
      continue;
    }
    const c = columns.find((x) => x.source === i);
    if (!c) {
      mapping.push({ source: source[i].name, target: null, type: typeName(source[i].type), dbType: null, status: 'extra' });
      continue;
    }
    const dbType = into?.find((t) => t.name === c.target)?.dbType ?? ddlType(c.type);
    mapping.push({ source: source[i].name, target: c.target, type: typeName(c.type), dbType, status: 'load' });
  }
  for (const t of into ?? []) {
    if (!byTarget.has(t.name)) mapping.push({ source: null, target: t.name, type: typeName(t.type), dbType: t.dbType, status: 'missing' });
  }
  const key = spec.mode === 'upsert' ? upsertKey(spec.key, into, columns, table, problems) : undefined;
  return { columns, mapping, ...(key ? { key } : {}), problems };
}

/** The schema the store is given: the target columns in their load types. */
export function targetSchema(plan: ColumnPlan): { columns: Column[] } {
  return { columns: plan.columns.map((c) => ({ name: c.target, type: c.type })) };
}

/**
 * An export's (or a conversion's) --columns and --rename: the reader's rows with only the chosen columns,
 * in that order, under their new names. Problems (an unknown or ambiguous name) are INVALID_INPUT at once.
 */
export function selectColumns(reader: TableReader, choice: Pick<LoadSpec, 'columns' | 'rename'>, label: string): TableReader {
  const spec: LoadSpec = { mode: 'create', maxErrors: 0, ...choice };
  const plan = planColumns({ source: reader.schema.columns, spec, existing: null, ddlType: () => '', table: label });
  if (plan.problems.length) throw new FerryError('INVALID_INPUT', `${plan.problems.join('; ')}. Nothing was written`, { detail: { problems: plan.problems } });
  const picks = plan.columns.map((c) => c.source);
  return {
    format: reader.format,
    schema: { columns: plan.columns.map((c) => ({ name: c.target, type: c.sourceType })) },
    rowCount: reader.rowCount,
    warnings: reader.warnings,
    async *batches(o) {
      for await (const b of reader.batches(o)) yield { rows: b.rows.map((r) => picks.map((i) => r[i] ?? null)), ...(b.origins ? { origins: b.origins } : {}) };
    },
  };
}

/** Whether a load needs Ferry to look at every row (transforms or a rejects policy), or the store may take the source as it is. */
export function needsRowChecks(spec: LoadSpec): boolean {
  return spec.maxErrors > 0 || !!(spec.columns?.length || Object.keys(spec.rename ?? {}).length || Object.keys(spec.cast ?? {}).length || Object.keys(spec.fill ?? {}).length || spec.nullAs !== undefined || spec.trim);
}

/** Index of `name` in `names`: exactly, else case-insensitively when only one matches; null (and a problem when `problems` is given) otherwise. */
function findName(names: string[], name: string, where: string, problems: string[] | null, flag = '--columns'): number | null {
  const exact = names.indexOf(name);
  if (exact >= 0) return exact;
  const folded = names.flatMap((n, i) => (n.toLowerCase() === name.toLowerCase() ? [i] : []));
  if (folded.length === 1) return folded[0];
  if (problems) {
    problems.push(
      folded.length
        ? `${flag} "${name}": ${where} has ${folded.map((i) => `"${names[i]}"`).join(' and ')}; give the exact name`
        : `${flag} "${name}": ${where} has no such column (its columns: ${names.join(', ')})`,
    );
  }
  return null;
}

function targetOf(columns: LoadColumn[], name: string, flag: string, problems: string[]): LoadColumn | null {
  const i = findName(columns.map((c) => c.target), name, 'the load', problems, flag);
  return i === null ? null : columns[i];
}

function applyCasts(columns: LoadColumn[], casts: Record<string, string>, problems: string[]): void {
  for (const [name, type] of Object.entries(casts)) {
    const c = targetOf(columns, name, '--cast', problems);
    if (!c) continue;
    const t = parseTypeName(type);
    if (!t) problems.push(`--cast ${name}=${type}: not a type (use boolean, int32, int64, decimal(P,S), float64, string, date, time, timestamp, timestamptz or json)`);
    else c.type = t;
  }
}

function applyFills(columns: LoadColumn[], fills: Record<string, string>, problems: string[]): void {
  for (const [name, text] of Object.entries(fills)) {
    const c = targetOf(columns, name, '--fill', problems);
    if (!c) continue;
    const v = fillValue(text, c.type);
    if (v instanceof Error) problems.push(`--fill ${name}=${text}: ${v.message}`);
    else c.fill = v;
  }
}

function fillValue(text: string, type: LogicalType): Value | Error {
  try {
    return convertValue(text, { kind: 'string' }, type);
  } catch (e) {
    if (e instanceof CellError) return e;
    throw e;
  }
}

/** The upsert key: as given (target names), else the table's primary key; it must be loaded. */
function upsertKey(given: string[] | undefined, into: DbColumn[] | null, columns: LoadColumn[], table: string, problems: string[]): string[] | undefined {
  if (!into) return undefined; // the store reports the missing table
  let key: string[];
  if (given?.length) {
    key = [];
    for (const k of given) {
      const c = targetOf(columns, k, '--key', problems);
      if (c) key.push(c.target);
    }
    return key;
  }
  key = into.filter((c) => c.key).map((c) => c.name);
  if (!key.length) {
    problems.push(`${table} has no primary key: name the columns that identify a row with --key COL,...`);
    return undefined;
  }
  const unloaded = key.filter((k) => !columns.some((c) => c.target === k));
  if (unloaded.length) problems.push(`The key column ${unloaded.map((k) => `"${k}"`).join(', ')} of ${table} is not loaded: an upsert needs every key column`);
  return key;
}
