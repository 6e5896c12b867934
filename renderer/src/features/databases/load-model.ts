import { basename, joinPath } from '../../../../shared/paths';
import type { LoadMode, LoadPlanRequest, LoadSpecInput } from '../../../../shared/table';
import type { TransferRequest } from '../transfers/transfers-context';

/** One source column in the mapping step: kept or left out, its target name, a cast, a fill for its NULLs. */
export interface MappingRow {
  source: string;
  /** The type inferred from the file (or the source table's). */
  inferred: string;
  include: boolean;
  target: string;
  /** A logical type name to cast to ("int64", "decimal(18,2)"), or '' to load it as inferred. */
  cast: string;
  /** The value a NULL of this column becomes, or '' for none. */
  fill: string;
}

export type ErrorPolicy = 'all-or-nothing' | 'max-errors';

/** The mapping dialog's fields. */
export interface LoadForm {
  schema: string;
  table: string;
  mode: LoadMode;
  /** upsert: the key columns (target names); the table's primary key when empty. */
  key: string[];
  columns: MappingRow[];
  /** Text read as NULL ('' for none). */
  nullAs: string;
  trim: boolean;
  policy: ErrorPolicy;
  maxErrors: number;
  /** Where rejected rows go (with max-errors): a CSV on any endpoint. */
  rejects: { endpoint: string; path: string };
}

export interface LoadSource {
  endpoint: string;
  /** A table file, or a database table ("/schema/table"). */
  path: string;
}

/** Types offered for a cast (any logical type name is accepted). */
export const CAST_TYPES = ['string', 'boolean', 'int32', 'int64', 'float64', 'decimal(18,2)', 'decimal(38,9)', 'date', 'time[us]', 'timestamp[us]', 'timestamp[us, UTC]', 'json'];

/**
 * A new load: into `table` of `schema` (mode create when the table is new, append onto an existing one),
 * every column kept under its own name, all-or-nothing, rejects (if chosen) in `rejectsAt` (beside a source file).
 */
export function newLoadForm(source: LoadSource, target: { schema: string; table: string; exists: boolean }, rejectsAt: { endpoint: string; folder: string }): LoadForm {
  const name = basename(source.path);
  return {
    schema: target.schema,
    table: target.table,
    mode: target.exists ? 'append' : 'create',
    key: [],
    columns: [],
    nullAs: '',
    trim: false,
    policy: 'all-or-nothing',
    maxErrors: 100,
    rejects: { endpoint: rejectsAt.endpoint, path: joinPath(rejectsAt.folder, `${name.replace(/\.[^.]*$/, '')}.rejects.csv`) },
  };
}

/** The source's columns as mapping rows, keeping what the user already changed for columns of the same name. */
export function withSourceColumns(rows: readonly MappingRow[], columns: readonly { name: string; type: string }[]): MappingRow[] {
  const before = new Map(rows.map((r) => [r.source, r]));
  return columns.map((c) => ({ ...(before.get(c.name) ?? { include: true, target: c.name, cast: '', fill: '' }), source: c.name, inferred: c.type }));
}

/** The LoadSpec the form asks for: only the transforms that change something. */
export function loadSpec(form: LoadForm): LoadSpecInput {
  const kept = form.columns.filter((c) => c.include);
  const rename = Object.fromEntries(kept.filter((c) => c.target.trim() && c.target.trim() !== c.source).map((c) => [c.source, c.target.trim()]));
  const targetOf = (c: MappingRow) => c.target.trim() || c.source;
  const cast = Object.fromEntries(kept.filter((c) => c.cast.trim()).map((c) => [targetOf(c), c.cast.trim()]));
  const fill = Object.fromEntries(kept.filter((c) => c.fill !== '').map((c) => [targetOf(c), c.fill]));
  const spec: LoadSpecInput = { mode: form.mode };
  if (form.mode === 'upsert' && form.key.length > 0) spec.key = [...form.key];
  if (kept.length < form.columns.length) spec.columns = kept.map((c) => c.source);
  if (Object.keys(rename).length) spec.rename = rename;
  if (Object.keys(cast).length) spec.cast = cast;
  if (Object.keys(fill).length) spec.fill = fill;
  if (form.nullAs !== '') spec.nullAs = form.nullAs;
  if (form.trim) spec.trim = true;
  if (form.policy === 'max-errors') {
    spec.maxErrors = form.maxErrors;
    spec.rejects = { endpoint: form.rejects.endpoint, path: form.rejects.path.trim() };
  }
  return spec;
}

/** The table the load writes, as the API names it ("/schema/table"). */
export const targetPath = (form: LoadForm) => joinPath('/', form.schema.trim(), form.table.trim());

/** What the form itself gets wrong, before asking the core (which adds its own problems from the dry run). */
export function formProblems(form: LoadForm): string[] {
  const problems: string[] = [];
  if (!form.schema.trim()) problems.push('Name the schema to load into.');
  if (!form.table.trim()) problems.push('Name the table to load into.');
  else if (/[/\\]/.test(form.table)) problems.push(`"${form.table}" cannot be a table name here: it must not contain / or \\.`);
  const kept = form.columns.filter((c) => c.include);
  if (form.columns.length > 0 && kept.length === 0) problems.push('Keep at least one column.');
  const seen = new Map<string, string>();
  for (const c of kept) {
    const t = (c.target.trim() || c.source).toLowerCase();
    const other = seen.get(t);
    if (other !== undefined) problems.push(`Columns "${other}" and "${c.source}" would both load into "${c.target.trim() || c.source}".`);
    else seen.set(t, c.source);
  }
  if (form.policy === 'max-errors') {
    if (!Number.isInteger(form.maxErrors) || form.maxErrors < 1) problems.push('Allow at least 1 rejected row, or choose all-or-nothing.');
    if (!form.rejects.path.trim() || form.rejects.path.trim().endsWith('/')) problems.push('Name the file the rejected rows go to.');
  }
  return problems;
}

/** The dry run's request (table.loadPlan) for this form. */
export function loadPlanRequest(source: LoadSource, destinationEndpoint: string, form: LoadForm, limit = 20): LoadPlanRequest {
  return { source: { endpoint: source.endpoint, path: source.path }, destination: { endpoint: destinationEndpoint, path: targetPath(form) }, load: loadSpec(form), limit };
}

/**
 * The convert job a load is, built as `ferry load` builds it (electron/cli/commands/database.ts): the file as
 * the source, the schema as the destination folder, the table as the name, the LoadSpec. The conflict policy
 * is 'overwrite' because the mode, not a file policy, decides what happens to a table that is there.
 */
export function loadRequest(source: LoadSource, destinationEndpoint: string, form: LoadForm): TransferRequest {
  return {
    kind: 'convert',
    source: { endpoint: source.endpoint, paths: [source.path] },
    destination: { endpoint: destinationEndpoint, path: joinPath('/', form.schema.trim()) },
    conflict: 'overwrite',
    convert: { name: form.table.trim(), load: loadSpec(form) },
  };
}
