import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { basename, dirname, joinPath } from '../../../shared/paths';
import { TABLE_FORMATS, type TableFormat } from '../../../shared/table-formats';
import type { JobSpecInput } from '../../../shared/transfers';
import type { FerryCore } from '../../core/app';
import { manifestFor } from '../../core/connectors/manifest';
import { FerryError } from '../../core/errors';
import { openCore, planJob, withHostKeyPrompt, type GlobalOptions } from '../context';
import { absolutize, parseEndpointPath, type EndpointPath } from '../endpoint-arg';
import { watchJob } from '../job-progress';
import { EXIT_FAILURE, printJson, safeText, UsageError } from '../output';
import { addLoadFlags, collect, columnChoice, loadSpecFrom, printLoadPlan, type LoadFlags } from './load-flags';

type Run = (f: () => Promise<number | void>) => () => Promise<void>;

/**
 * `ferry export` (a table or query → a file on any endpoint) and `ferry load` (a file on any endpoint, or
 * a table → a table): both are convert jobs in the queue, so they show in `ferry jobs` and the app's
 * history like every transfer, with the same atomic write (export) or one transaction (load).
 */
export function databaseCommands(run: Run, globals: () => GlobalOptions): Command[] {
  const exportCmd = new Command('export')
    .argument('<src>', 'PROFILE:schema.table, or a database PROFILE: with --query')
    .argument('<dst>', 'ENDPOINT:PATH of the file to write (its extension names the format)')
    .description('export a database table or query to a CSV/TSV/Parquet/xlsx/JSON file on any endpoint (a job in the queue)')
    .option('--query <sql>', 'export the rows of this SELECT instead of a table')
    .option('--query-file <path>', 'the SELECT to run, from a file')
    .addOption(new Option('--format <format>', "the format to write (default: from DST's extension)").choices([...TABLE_FORMATS]))
    .addOption(new Option('--compression <codec>', 'Parquet: the compression').choices(['snappy', 'zstd', 'gzip', 'none']))
    .option('--columns <cols>', 'only these columns, comma-separated, in this order')
    .option('--rename <old=new>', 'column OLD is named NEW in the file (repeatable)', collect, [])
    .option('--json', 'print the finished job as JSON')
    .action((srcArg: string, dstArg: string, flags: { query?: string; queryFile?: string; format?: string; compression?: string; columns?: string; rename: string[]; json?: boolean }) =>
      run(() =>
        withCore(globals(), async (core) => {
          if (flags.query && flags.queryFile) throw new UsageError('give --query or --query-file, not both');
          const query = flags.queryFile ? readFileSync(flags.queryFile, 'utf8') : flags.query;
          const src = await databaseTarget(core, srcArg, query ? 'database' : 'table');
          const dst = await absolutize(core, parseEndpointPath(core, dstArg));
          const name = basename(dst.path);
          if (!name || dst.trailingSlash) throw new UsageError(`${dstArg}: name the file to write (e.g. ${joinPath(dst.path, 'orders.parquet')})`);
          return runJob(core, {
            kind: 'convert',
            source: { endpoint: src.endpoint, paths: [src.path] },
            destination: { endpoint: dst.endpoint, path: dirname(dst.path) },
            conflict: 'overwrite',
            convert: {
              name,
              ...(query ? { query } : {}),
              ...columnChoice(flags),
              write: { ...(flags.format ? { format: flags.format as TableFormat } : {}), ...(flags.compression ? { compression: flags.compression as 'snappy' } : {}) },
            },
          }, !!flags.json);
        }),
      )(),
    );

  const loadCmd = addLoadFlags(
    new Command('load')
      .argument('<src>', 'ENDPOINT:PATH of a table file (CSV, TSV, Parquet, xlsx, JSON), or PROFILE:schema.table of another database')
      .argument('<dst>', 'PROFILE:schema.table to load into')
      .description('load a file on any endpoint (or a table) into a database table, all-or-nothing unless --max-errors (a job in the queue)'),
  )
    .addOption(new Option('--from-format <format>', 'read SRC as this format (default: from its first bytes and name)').choices([...TABLE_FORMATS]))
    .option('--delimiter <char>', 'CSV: the field delimiter (default: sniffed)')
    .option('--no-header', 'CSV: the first row is data')
    .option('--json', 'print the finished job (with --dry-run: the load plan) as JSON')
    .action((srcArg: string, dstArg: string, flags: LoadFlags & { fromFormat?: string; delimiter?: string; header?: boolean; json?: boolean }) =>
      run(() =>
        withCore(globals(), async (core) => {
          const dst = await databaseTarget(core, dstArg, 'table');
          const srcIsDb = isDatabaseArg(core, srcArg);
          const src = srcIsDb ? await databaseTarget(core, srcArg, 'table') : await absolutize(core, parseEndpointPath(core, srcArg));
          const delimiter = flags.delimiter === '\\t' ? '\t' : flags.delimiter;
          const read = {
            ...(flags.fromFormat ? { format: flags.fromFormat as TableFormat } : {}),
            ...(delimiter ? { delimiter } : {}),
            ...(flags.header === false ? { header: false } : {}),
          };
          const spec = loadSpecFrom(flags);
          const table = dst.path.split('/').filter(Boolean).join('.');
          if (flags.dryRun) {
            // The request's defaults come from its schema, loaded (with zod) only for a dry run.
            const { LoadPlanRequestSchema } = await import('../../../shared/table');
            const plan = await core.handlers['table.loadPlan'](
              LoadPlanRequestSchema.parse({ source: { endpoint: src.endpoint, path: src.path }, destination: { endpoint: dst.endpoint, path: dst.path }, read, load: spec }),
            );
            if (flags.json) printJson(plan);
            else printLoadPlan(plan, table);
            return plan.problems.length ? EXIT_FAILURE : 0;
          }
          // The rejects file: where --rejects says, else beside the current folder, named after the table.
          const rejects = spec.maxErrors ? await absolutize(core, parseEndpointPath(core, flags.rejects ?? `${basename(dst.path)}.rejects.csv`)) : null;
          if (flags.rejects && !spec.maxErrors) throw new UsageError('--rejects needs --max-errors N (without it any bad row fails the whole load)');
          return runJob(core, {
            kind: 'convert',
            source: { endpoint: src.endpoint, paths: [src.path] },
            destination: { endpoint: dst.endpoint, path: dirname(dst.path) },
            conflict: 'overwrite',
            convert: {
              name: basename(dst.path),
              load: { ...spec, ...(rejects ? { rejects: { endpoint: rejects.endpoint, path: rejects.path } } : {}) },
              read,
            },
          }, !!flags.json);
        }),
      )(),
    );
  return [exportCmd, loadCmd];
}

function isDatabaseArg(core: FerryCore, arg: string): boolean {
  const m = /^([^:/\\]+):/.exec(arg);
  if (!m || m[1] === 'local') return false;
  return !!manifestFor(core.profiles.resolve(m[1]).type).tables;
}

/**
 * PROFILE:schema.table (or PROFILE:table in the connector's default schema or database, its home(): the
 * search path's first schema in PostgreSQL, the profile's database in MySQL; PROFILE: for a query's database).
 */
async function databaseTarget(core: FerryCore, arg: string, want: 'table' | 'database'): Promise<EndpointPath> {
  if (!isDatabaseArg(core, arg)) throw new UsageError(`${arg} is not a database: give PROFILE:schema.table of a database profile`);
  const ep = parseEndpointPath(core, arg);
  const depth = ep.path.split('/').filter(Boolean).length;
  if (want === 'table' && depth === 1) {
    const { path: home } = await core.handlers['fs.home']({ endpoint: ep.endpoint });
    if (home === '/') throw new UsageError(`${arg}: ${ep.label.split(':')[0]} has no default schema or database: name the table as PROFILE:schema.table`);
    return { ...ep, path: joinPath(home, ep.path) };
  }
  if (want === 'table' && depth !== 2) throw new UsageError(`${arg}: name the table as PROFILE:schema.table`);
  return ep;
}

async function runJob(core: FerryCore, spec: JobSpecInput, json: boolean): Promise<number> {
  const plan = await planJob(core, spec);
  const job = await core.handlers['jobs.create']({ planId: plan.id });
  const done = await watchJob(core, job.id, { quiet: json });
  const detail = await core.handlers['jobs.get']({ id: job.id });
  // The database is first reached inside the job: an unknown certificate (or a tunnel's host key) stops
  // it there. Raised here, it gets what `ferry ls` gets: the fingerprint, the --trust-host-key hint, and
  // at a terminal the question (withHostKeyPrompt), after which the command runs again.
  const unknownKey = [done.error, ...detail.files.map((f) => f.error)].find((e) => e?.code === 'HOST_KEY_UNKNOWN');
  if (unknownKey) throw new FerryError(unknownKey.code, unknownKey.message, { detail: unknownKey.detail });
  if (json) printJson(detail);
  const failed = detail.files.find((f) => f.error);
  if (failed?.error && !json) process.stderr.write(`ferry: ${safeText(failed.error.message)}\n`);
  // A load's note ("1000 rows loaded"); an export's file reason is the plan's ("size differs"), said already.
  const note = spec.convert?.load ? detail.files.find((f) => f.reason)?.reason : undefined;
  if (!json && note && done.state === 'done') process.stderr.write(`${safeText(note)}\n`);
  return done.state === 'done' && done.failedFiles === 0 ? 0 : EXIT_FAILURE;
}

async function withCore<T>(g: GlobalOptions, f: (core: FerryCore) => Promise<T>): Promise<T> {
  const core = openCore(g, { startQueue: true });
  try {
    return await withHostKeyPrompt(core, () => f(core));
  } finally {
    await core.close();
  }
}
