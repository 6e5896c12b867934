import { Command, Option } from 'commander';
import type { LoadPlan, LoadSpecInput } from '../../../shared/table';
import { LOAD_MODES } from '../../../shared/table-formats';
import { safeText, table, UsageError } from '../output';
import { cell } from './table';

/** `ferry load`'s transform and error-policy flags, as given on the command line. */
export interface LoadFlags {
  mode: string;
  key?: string;
  columns?: string;
  rename: string[];
  cast: string[];
  nullAs?: string;
  fill: string[];
  trim?: boolean;
  maxErrors?: string;
  rejects?: string;
  dryRun?: boolean;
}

export const collect = (v: string, prev: string[]) => [...prev, v];
const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);

/** Repeated NAME=VALUE flags as a record (undefined when none was given). */
function pairs(items: string[], flag: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} ${item}: give NAME=VALUE`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return Object.keys(out).length ? out : undefined;
}

/** --columns and --rename, for a load or an export. */
export function columnChoice(flags: { columns?: string; rename: string[] }): { columns?: string[]; rename?: Record<string, string> } {
  const columns = list(flags.columns);
  const rename = pairs(flags.rename, '--rename');
  return { ...(columns?.length ? { columns } : {}), ...(rename ? { rename } : {}) };
}

export function addLoadFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--mode <mode>', "create: a new table from the file's columns; append; truncate: empty it first; replace: drop and create; upsert: insert or update by --key")
        .choices([...LOAD_MODES])
        .default('append'),
    )
    .option('--key <cols>', "upsert: the columns that identify a row, comma-separated (default: the table's primary key)")
    .option('--columns <cols>', "load only these source columns, comma-separated, in this order")
    .option('--rename <old=new>', 'load source column OLD into table column NEW (repeatable)', collect, [])
    .option('--cast <col=type>', 'load column COL as TYPE: int64, decimal(18,2), date, timestamp, timestamptz, boolean, string... (repeatable)', collect, [])
    .option('--null-as <text>', 'read this text as NULL (e.g. NA, \\N)')
    .option('--fill <col=value>', "a NULL in column COL becomes VALUE (repeatable)", collect, [])
    .option('--trim', 'remove leading and trailing whitespace from text values')
    .option('--max-errors <n>', 'skip up to N rows that cannot be loaded, listing them in the rejects file; more fails the load (default 0: all or nothing)')
    .option('--rejects <endpoint:path>', 'where the rejected rows go, as CSV, on any endpoint (default with --max-errors: TABLE.rejects.csv in the current folder)')
    .option('--dry-run', 'show the mapping, the DDL and the first rows as they would be loaded; change nothing');
}

/** The flags as the load's spec (without rejects, which the caller resolves to an endpoint). */
export function loadSpecFrom(flags: LoadFlags): Omit<LoadSpecInput, 'rejects'> {
  let maxErrors = 0;
  if (flags.maxErrors !== undefined) {
    maxErrors = Number(flags.maxErrors);
    if (!Number.isInteger(maxErrors) || maxErrors < 0) throw new UsageError(`--max-errors must be a whole number, not ${JSON.stringify(flags.maxErrors)}`);
  }
  const spec: Omit<LoadSpecInput, 'rejects'> = { mode: flags.mode as LoadSpecInput['mode'], maxErrors, ...columnChoice(flags) };
  const key = list(flags.key);
  const cast = pairs(flags.cast, '--cast');
  const fill = pairs(flags.fill, '--fill');
  if (key?.length) spec.key = key;
  if (cast) spec.cast = cast;
  if (fill) spec.fill = fill;
  if (flags.nullAs !== undefined) spec.nullAs = flags.nullAs;
  if (flags.trim) spec.trim = true;
  return spec;
}

/** A dry run for a terminal: the mapping, the statements, the first rows, then what stops the load. */
export function printLoadPlan(p: LoadPlan, table_: string): void {
  const out: string[] = [];
  out.push(`${table_}: ${p.exists ? 'exists' : 'does not exist'}`, '');
  const arrow = (m: LoadPlan['mapping'][number]) => {
    if (m.status === 'load') return [m.source ?? '', '→', m.target ?? '', m.type, m.dbType ?? ''];
    if (m.status === 'missing') return ['', '', m.target ?? '', m.type, `${m.dbType ?? ''} (no source column: NULL or its default)`];
    return [m.source ?? '', '', '', m.type, m.status === 'skipped' ? '(left out)' : '(the table has no such column)'];
  };
  out.push(table([['SOURCE', '', 'TARGET', 'TYPE', 'COLUMN TYPE'], ...p.mapping.map(arrow)]), '');
  out.push(p.ddl.length ? 'Statements before the rows:' : 'No statements before the rows.');
  for (const s of p.ddl) out.push(`  ${safeText(s)};`);
  if (p.columns.length && p.rows.length) {
    out.push('', 'First rows as they would be loaded:');
    out.push(table([p.columns.map((c) => cell(c.name)), ...p.rows.map((r) => r.map(cell))]));
  }
  for (const w of p.warnings) out.push(`warning: ${safeText(w.message)}`);
  for (const problem of p.problems) out.push(`problem: ${safeText(problem)}`);
  out.push('', p.problems.length ? 'The load cannot run as asked; nothing was changed.' : 'Dry run: nothing was changed.');
  process.stdout.write(out.join('\n') + '\n');
}
