import { Command, Option } from 'commander';
import { CONFLICT_POLICIES } from '../../../shared/conflict-policies';
import type { Job, JobSpecInput, Plan } from '../../../shared/transfers';
import type { FerryCore } from '../../core/app';
import { openCore, planJob, withHostKeyPrompt, type GlobalOptions } from '../context';
import { absolutize, parseEndpointPath } from '../endpoint-arg';
import { EXIT_FAILURE, humanSize, printJson, safeText, table, UsageError } from '../output';
import { parseIntFlag } from '../option-flags';
import { interactive } from '../prompt';
import { parseRate, parseSize } from '../rate';
import { watchJob } from '../job-progress';

type Run = (f: () => Promise<number | void>) => () => Promise<void>;

interface TransferFlags {
  recursive?: boolean;
  include: string[];
  exclude: string[];
  onConflict?: string;
  transfers?: string;
  streams?: string;
  bwlimit?: string;
  minSize?: string;
  maxSize?: string;
  modifiedAfter?: string;
  modifiedBefore?: string;
  verify?: string;
  json?: boolean;
  mirror?: boolean;
  dryRun?: boolean;
  followSymlinks?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function transferOptions(cmd: Command, kind: 'copy' | 'move' | 'sync'): Command {
  cmd
    .option('--include <glob>', 'only paths matching (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip paths matching (repeatable)', collect, [])
    .addOption(new Option('--on-conflict <policy>', 'when the destination has the file').choices([...CONFLICT_POLICIES]))
    .option('--transfers <n>', 'files in flight at once', '4')
    .option('--streams <n>', 'connections one large file (64 MiB+) is read over at once, from FTP and object stores', '1')
    .option('--bwlimit <rate>', 'bandwidth limit for the job, e.g. 10M (bytes/s)')
    .option('--min-size <size>', 'skip files smaller than this')
    .option('--max-size <size>', 'skip files larger than this')
    .option('--modified-after <iso-date>', 'only files modified after this date')
    .option('--modified-before <iso-date>', 'only files modified before this date')
    .addOption(new Option('--verify <how>', 'size, or hash (default: hash when possible)').choices(['size', 'hash']))
    .option('--follow-symlinks', 'copy what symbolic links point to (default: links are skipped and listed as such)')
    .option('--json', 'print the finished job (and its files) as JSON');
  if (kind !== 'sync') cmd.option('-r, --recursive', 'copy folders and everything in them');
  if (kind === 'sync') {
    cmd.option('--mirror', 'also delete destination files that are not in the source (only those the plan lists)');
    cmd.option('--dry-run', 'print the plan and change nothing');
  }
  return cmd;
}

async function buildSpec(core: FerryCore, kind: 'copy' | 'move' | 'sync', srcArg: string, dstArg: string, f: TransferFlags): Promise<JobSpecInput> {
  const src = await absolutize(core, parseEndpointPath(core, srcArg));
  const dst = await absolutize(core, parseEndpointPath(core, dstArg));
  const policy = f.onConflict ?? (kind === 'sync' ? 'if-changed' : 'if-changed');
  if (policy === 'ask' && !interactive()) throw new UsageError('--on-conflict ask needs the app; in the CLI choose overwrite, if-changed, skip, rename or resume');
  const transfers = parseIntFlag('--transfers', f.transfers ?? '4', 1, 64);
  const streams = parseIntFlag('--streams', f.streams ?? '1', 1, 16);
  const date = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    if (Number.isNaN(Date.parse(v))) throw new UsageError(`${flag} must be a date (2024-05-31 or 2024-05-31T12:00:00Z), not ${JSON.stringify(v)}`);
    return new Date(v).toISOString();
  };
  return {
    kind,
    source: { endpoint: src.endpoint, paths: [src.path] },
    destination: { endpoint: dst.endpoint, path: dst.path },
    recursive: kind === 'sync' ? true : !!f.recursive,
    filters: {
      include: f.include,
      exclude: f.exclude,
      minSize: f.minSize ? parseSize(f.minSize, '--min-size') : undefined,
      maxSize: f.maxSize ? parseSize(f.maxSize, '--max-size') : undefined,
      modifiedAfter: date(f.modifiedAfter, '--modified-after'),
      modifiedBefore: date(f.modifiedBefore, '--modified-before'),
    },
    conflict: policy as JobSpecInput['conflict'],
    mirror: !!f.mirror,
    followSymlinks: !!f.followSymlinks,
    verify: (f.verify as 'size' | 'hash' | undefined) ?? 'hash',
    transfers,
    streams,
    bwlimit: f.bwlimit ? parseRate(f.bwlimit) : null,
  };
}

export function printPlan(plan: Plan): void {
  const t = plan.totals;
  const rows = plan.items.filter((i) => i.action !== 'skip').map((i) => [i.action, i.action === 'delete' || i.action === 'mkdir' ? '' : humanSize(i.size), i.dstPath]);
  if (rows.length) process.stdout.write(table(rows, [1]) + '\n');
  process.stdout.write(
    `Plan: ${t.copies} to copy, ${t.overwrites} to overwrite, ${t.deletes} to delete, ${t.skips} unchanged` +
      `${t.conflicts ? `, ${t.conflicts} conflicts` : ''}; ${humanSize(t.bytes)} to send.\n`,
  );
}

async function runTransfer(core: FerryCore, spec: JobSpecInput, f: TransferFlags): Promise<number> {
  const plan = await planJob(core, spec);
  if (f.dryRun) {
    if (f.json) printJson(plan);
    else printPlan(plan);
    return 0;
  }
  const job = await core.handlers['jobs.create']({ planId: plan.id });
  return finish(core, job, f.json);
}

async function finish(core: FerryCore, job: Job, json?: boolean): Promise<number> {
  const done = await watchJob(core, job.id, { quiet: !!json });
  if (json) printJson(await core.handlers['jobs.get']({ id: job.id }));
  return done.state === 'done' && done.failedFiles === 0 ? 0 : EXIT_FAILURE;
}

export function transferCommands(run: Run, globals: () => GlobalOptions): Command[] {
  const make = (kind: 'copy' | 'move' | 'sync', description: string) =>
    transferOptions(new Command(kind).argument('<src>', 'ENDPOINT:PATH (file, folder or glob)').argument('<dst>', 'ENDPOINT:FOLDER').description(description), kind).action(
      (src: string, dst: string, flags: TransferFlags) =>
        run(async () => {
          const core = openCore(globals());
          try {
            return await withHostKeyPrompt(core, async () => runTransfer(core, await buildSpec(core, kind, src, dst, flags), flags));
          } finally {
            await core.close();
          }
        })(),
    );

  const jobs = new Command('jobs')
    .description('list jobs (running, queued and history)')
    .option('--json', 'machine-readable output')
    .option('--query <text>', 'search titles and paths')
    .action((flags: { json?: boolean; query?: string }) =>
      run(async () => {
        const core = openCore(globals());
        try {
          const list = await core.handlers['jobs.list']({ query: flags.query, limit: 200 });
          if (flags.json) return printJson(list);
          process.stdout.write(
            table([
              ['ID', 'STATE', 'FILES', 'BYTES', 'TITLE'],
              ...list.map((j) => [j.id, j.state, `${j.doneFiles}/${j.totalFiles}${j.failedFiles ? ` (${j.failedFiles} failed)` : ''}`, humanSize(j.doneBytes), j.title]),
            ]) + '\n',
          );
        } finally {
          await core.close();
        }
      })(),
    );

  const job = new Command('job').description('one job');
  job
    .command('show <id>')
    .option('--json', 'machine-readable output')
    .action((id: string, flags: { json?: boolean }) =>
      run(async () => {
        const core = openCore(globals());
        try {
          const r = await core.handlers['jobs.get']({ id });
          if (flags.json) return printJson(r);
          const j = r.job;
          process.stdout.write(`${safeText(j.title)}\nstate: ${j.state}\nfiles: ${j.doneFiles}/${j.totalFiles}, ${j.failedFiles} failed, ${j.skippedFiles} skipped\nbytes: ${humanSize(j.doneBytes)} of ${humanSize(j.totalBytes)}\n`);
          for (const fl of r.files.filter((x) => x.error)) process.stdout.write(`  FAILED ${safeText(fl.relPath)}: ${safeText(fl.error!.message)}\n`);
        } finally {
          await core.close();
        }
      })(),
    );
  job
    .command('resume <id>')
    .option('--json', 'print the finished job as JSON')
    .description('resume an interrupted or paused job in the foreground (finished files are not sent again)')
    .action((id: string, flags: { json?: boolean }) =>
      run(async () => {
        const core = openCore(globals());
        try {
          await core.handlers['jobs.resume']({ id });
          const { job: j } = await core.handlers['jobs.get']({ id });
          return await finish(core, j, flags.json);
        } finally {
          await core.close();
        }
      })(),
    );

  return [
    make('copy', 'copy files between endpoints (verified, atomic, resumable)'),
    make('move', 'move files between endpoints (the source is deleted only after a verified copy)'),
    make('sync', 'make DST like SRC, one way: copy new and changed files (--mirror also deletes; --dry-run shows the plan)'),
    jobs,
    job,
  ];
}
