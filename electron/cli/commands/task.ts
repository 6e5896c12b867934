import { Command, Option } from 'commander';
import { realpathSync } from 'node:fs';
import { CATCH_UP_POLICIES, OVERLAP_POLICIES } from '../../../shared/task-policies';
import type { Schedule, Task, TaskHistoryEntry, TaskInput } from '../../../shared/tasks';
import type { FerryCore } from '../../core/app';
import { exportTask, OS_SCHEDULERS, type OsScheduler } from '../../core/scheduler/os-export';
import { localTime, parseDuration, systemTimezone } from '../../core/scheduler/schedule';
import { openCore, type GlobalOptions } from '../context';
import { parseIntFlag } from '../option-flags';
import { EXIT_FAILURE, humanSize, printJson, safeText, table, UsageError } from '../output';
import { specFromCommand } from './task-spec';

type Run = (f: () => Promise<number | void>) => () => Promise<void>;

interface ScheduleFlags {
  schedule?: string;
  every?: string;
  tz?: string;
  catchUp?: string;
  catchUpWindow?: string;
  overlap?: string;
  retries?: string;
  retryBackoff?: string;
  manual?: boolean;
  name?: string;
  disabled?: boolean;
  notifySuccess?: boolean;
}

function scheduleOptions(cmd: Command): Command {
  return cmd
    .option('--schedule <cron>', 'cron: 5 fields (minute hour day month weekday), 6 (seconds first), or @hourly/@daily/@weekly')
    .option('--every <duration>', 'a fixed interval instead: 90s, 15m, 2h, 1d, 1h30m')
    .option('--tz <zone>', 'the schedule\'s time zone, e.g. Europe/Berlin (default: the system\'s)')
    .addOption(new Option('--catch-up <policy>', 'a run missed while off or asleep: run it once on start/wake, or skip it').choices([...CATCH_UP_POLICIES]))
    .option('--catch-up-window <hours>', 'missed runs older than this are skipped (default 24)')
    .addOption(new Option('--overlap <policy>', 'a run due while the last one goes: skip it, or queue one').choices([...OVERLAP_POLICIES]))
    .option('--retries <n>', 'retries after a connection loss or timeout (default 2)')
    .option('--retry-backoff <duration>', 'wait before the first retry, doubled for each next one (default 1m)')
    .option('--notify-success', 'also notify (desktop, browser) when a run succeeds; failures always are');
}

function scheduleFrom(f: ScheduleFlags): Schedule | null | undefined {
  if (f.schedule && f.every) throw new UsageError('give --schedule or --every, not both');
  if (f.manual && (f.schedule || f.every)) throw new UsageError('--manual removes the schedule: do not give --schedule or --every with it');
  if (f.manual) return null;
  if (f.schedule) return { type: 'cron', expr: f.schedule };
  if (f.every) {
    const seconds = parseDuration(f.every);
    if (seconds === null) throw new UsageError(`--every must be a duration such as 90s, 15m, 2h, 1d or 1h30m, not ${JSON.stringify(f.every)}`);
    return { type: 'every', seconds };
  }
  return undefined;
}

function settingsFrom(f: ScheduleFlags): Partial<TaskInput> {
  const out: Partial<TaskInput> = {};
  const schedule = scheduleFrom(f);
  if (schedule !== undefined) out.schedule = schedule;
  if (f.tz !== undefined) out.timezone = f.tz;
  if (f.catchUp) out.catchUp = f.catchUp as TaskInput['catchUp'];
  if (f.catchUpWindow !== undefined) {
    const h = Number(f.catchUpWindow);
    if (!(h > 0)) throw new UsageError(`--catch-up-window must be a number of hours above 0, not ${JSON.stringify(f.catchUpWindow)}`);
    out.catchUpWindowHours = h;
  }
  if (f.overlap) out.overlap = f.overlap as TaskInput['overlap'];
  if (f.notifySuccess) out.notifyOnSuccess = true;
  if (f.retries !== undefined) out.retries = parseIntFlag('--retries', f.retries, 0, 10);
  if (f.retryBackoff !== undefined) {
    const s = parseDuration(f.retryBackoff);
    if (s === null) throw new UsageError(`--retry-backoff must be a duration such as 30s or 5m, not ${JSON.stringify(f.retryBackoff)}`);
    out.retryBackoffSeconds = s;
  }
  return out;
}

const when = (iso: string | null | undefined, tz: string) => (iso ? localTime(Date.parse(iso), tz) : '-');
const zoneOf = (t: Task) => t.timezone ?? systemTimezone();

function lastResult(t: Task): string {
  if (!t.lastRun) return '-';
  return `${t.lastRun.state} ${when(t.lastRun.at, zoneOf(t))}`;
}

function printTask(t: Task): void {
  const tz = zoneOf(t);
  const lines = [
    `${t.name}${t.enabled ? '' : ' (disabled)'}`,
    `job: ${t.summary}`,
    `schedule: ${t.scheduleText}`,
    `catch-up: ${t.catchUp} (window ${t.catchUpWindowHours} h); overlap: ${t.overlap}; retries: ${t.retries} (backoff ${t.retryBackoffSeconds} s, doubling)`,
  ];
  if (t.flagged) lines.push(`FLAGGED: ${t.flagged} (ferry task enable ${t.name} to clear)`);
  lines.push(`last run: ${lastResult(t)}${t.lastRun?.error ? `: ${t.lastRun.error.message}` : ''}`);
  lines.push(t.nextRuns.length ? `next runs (${tz}):` : 'next runs: none');
  for (const r of t.nextRuns) lines.push(`  ${when(r, tz)}`);
  process.stdout.write(lines.map(safeText).join('\n') + '\n');
}

function printHistory(entries: TaskHistoryEntry[]): void {
  const rows = entries.map((e) => [
    e.at.replace('T', ' ').slice(0, 19),
    e.taskName,
    e.kind === 'run' ? (e.state ?? '') : e.kind,
    e.kind === 'run' && e.state !== 'running' ? `${e.files ?? 0} file${e.files === 1 ? '' : 's'}, ${humanSize(e.bytes ?? 0)}${e.rows !== null ? `, ${e.rows} rows` : ''}` : '',
    e.message,
  ]);
  process.stdout.write(table([['AT (UTC)', 'TASK', 'WHAT', 'MOVED', 'DETAIL'], ...rows]) + '\n');
}

/** The command line an OS scheduler runs: this node, this ferry, `task run NAME`. */
function runCommand(name: string): string[] {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : 'ferry';
  return [process.execPath, script, 'task', 'run', name];
}

export function taskCommand(run: Run, globals: () => GlobalOptions): Command {
  const withCore = (f: (core: FerryCore) => Promise<number | void>) =>
    run(async () => {
      const core = openCore(globals());
      try {
        return await f(core);
      } finally {
        await core.close();
      }
    });

  const task = new Command('task').description('saved tasks: a copy/move/sync/convert/export/load with an optional schedule (docs/tasks.md)');

  scheduleOptions(
    task
      .command('add <name> [job...]')
      .description('save a task: ferry task add NAME [--schedule CRON | --every 15m] [--tz ZONE] -- sync ./out partner:/in')
      .option('--disabled', 'save it without scheduling it yet'),
  ).action((name: string, job: string[], f: ScheduleFlags) =>
    withCore(async (core) => {
      if (!job.length) throw new UsageError('give the job after "--": ferry task add NAME [options] -- sync SRC DST [flags]');
      const spec = await specFromCommand(globals(), job);
      const saved = await core.tasks.save({ name, spec, ...settingsFrom(f), enabled: !f.disabled });
      process.stdout.write(safeText(`Saved task ${saved.name}: ${saved.summary}; ${saved.scheduleText}`) + '\n');
      if (saved.nextRuns[0]) process.stdout.write(`Next run: ${when(saved.nextRuns[0], zoneOf(saved))}\n`);
    })(),
  );

  scheduleOptions(
    task
      .command('edit <name> [job...]')
      .description('change a task\'s schedule or settings; after "--" a new job replaces its job')
      .option('--manual', 'remove the schedule (run only with ferry task run)')
      .option('--name <new>', 'rename it'),
  ).action((name: string, job: string[], f: ScheduleFlags) =>
    withCore(async (core) => {
      const old = core.tasks.get(core.tasks.resolve(name).id);
      const spec = job.length ? await specFromCommand(globals(), job) : old.spec;
      const saved = await core.tasks.save({ ...old, spec, ...settingsFrom(f), ...(f.name ? { name: f.name } : {}), id: old.id });
      process.stdout.write(safeText(`Saved task ${saved.name}: ${saved.summary}; ${saved.scheduleText}`) + '\n');
    })(),
  );

  task
    .command('list')
    .description('tasks with their schedule, next run and last result')
    .option('--json', 'machine-readable output')
    .action((f: { json?: boolean }) =>
      withCore(async (core) => {
        const list = core.tasks.list();
        if (f.json) return printJson(list);
        const rows = list.map((t) => [t.name, t.enabled ? (t.flagged ? 'FLAGGED' : 'on') : 'off', t.scheduleText, when(t.nextRuns[0], zoneOf(t)), lastResult(t)]);
        process.stdout.write(table([['NAME', 'STATE', 'SCHEDULE', 'NEXT RUN', 'LAST RUN'], ...rows]) + '\n');
      })(),
    );

  task
    .command('show <name>')
    .description('one task, with its next five runs')
    .option('--json', 'machine-readable output')
    .action((name: string, f: { json?: boolean }) =>
      withCore(async (core) => {
        const t = core.tasks.get(core.tasks.resolve(name).id);
        if (f.json) return printJson(t);
        printTask(t);
      })(),
    );

  task
    .command('run <name>')
    .description('run it now, through the scheduler\'s own path; the exit code is the run\'s (0 done, 1 failed)')
    .option('--json', 'print the run\'s history entry as JSON')
    .action((name: string, f: { json?: boolean }) =>
      withCore(async (core) => {
        const t = core.tasks.resolve(name);
        // Heartbeats while the run goes, so a scheduler elsewhere knows this process is alive and leaves it be.
        core.scheduler.start(false);
        const entry = await core.tasks.run(t.id).ended;
        if (f.json) printJson(entry);
        else process.stderr.write(safeText(`${entry.taskName}: ${entry.message}`) + '\n');
        return entry.state === 'done' ? 0 : EXIT_FAILURE;
      })(),
    );

  task
    .command('history [name]')
    .description('runs and the scheduler\'s decisions, newest first (all tasks without NAME)')
    .option('--query <text>', 'only entries whose text, task or error contains this')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action((name: string | undefined, f: { query?: string; limit: string; json?: boolean }) =>
      withCore(async (core) => {
        const id = name ? core.tasks.resolve(name).id : undefined;
        const entries = core.tasks.history({ id, query: f.query, limit: parseIntFlag('--limit', f.limit, 1, 10_000) });
        if (f.json) return printJson(entries);
        printHistory(entries);
      })(),
    );

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    task
      .command(`${verb} <name>`)
      .description(enabled ? 'schedule it again (clears a flag; runs missed while disabled are not caught up)' : 'stop scheduling it (it can still be run by hand)')
      .action((name: string) =>
        withCore(async (core) => {
          const t = core.tasks.setEnabled(core.tasks.resolve(name).id, enabled);
          process.stdout.write(`${safeText(t.name)} ${enabled ? 'enabled' : 'disabled'}${t.nextRuns[0] ? `; next run ${when(t.nextRuns[0], zoneOf(t))}` : ''}\n`);
        })(),
      );
  }

  task
    .command('rm <name>')
    .description('delete a task (its history is kept until it ages out)')
    .action((name: string) =>
      withCore(async (core) => {
        const t = core.tasks.resolve(name);
        core.tasks.remove(t.id);
        process.stdout.write(`Removed task ${safeText(t.name)}\n`);
      })(),
    );

  task
    .command('export <name>')
    .description('print the OS scheduler\'s entry that runs `ferry task run NAME` on the task\'s schedule')
    .addOption(new Option('--to <scheduler>', 'cron, systemd (a .service and a .timer), launchd (a plist) or schtasks').choices([...OS_SCHEDULERS]).makeOptionMandatory())
    .action((name: string, f: { to: OsScheduler }) =>
      withCore(async (core) => {
        const t = core.tasks.resolve(name);
        const env: Record<string, string> = process.env.FERRY_HOME ? { FERRY_HOME: core.home } : {};
        const files = exportTask(f.to, { name: t.name, schedule: t.schedule, timezone: t.timezone, command: runCommand(t.name), env });
        const out = files.map((file) => (files.length > 1 || file.name ? `# ${file.name}\n${file.text}` : file.text));
        process.stdout.write(out.join('\n'));
      })(),
    );

  return task;
}

/** `ferry scheduler`: runs scheduled tasks in the foreground until SIGTERM or SIGINT, logging each decision. */
export function schedulerCommand(globals: () => GlobalOptions): Command {
  return new Command('scheduler')
    .description('run scheduled tasks in the foreground (for systemd, launchd or a Windows service), logging each decision, until stopped')
    .option('--keep-history <days>', 'delete task history older than this', '90')
    .action(async (flags: { keepHistory: string }) => {
      const retentionDays = parseIntFlag('--keep-history', flags.keepHistory, 1, 36_500);
      const say = (stream: NodeJS.WriteStream) => (msg: string, fields?: Record<string, unknown>) =>
        stream.write(safeText(`${new Date().toISOString()} ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}`) + '\n');
      const core = openCore(globals(), { startQueue: true, runScheduler: true, scheduler: { retentionDays, log: { debug: () => {}, info: say(process.stdout), warn: say(process.stderr) } } });
      process.stdout.write(`${new Date().toISOString()} scheduler started (store ${core.home}, ${core.tasks.list().filter((t) => t.enabled && t.schedule).length} scheduled tasks)\n`);
      await new Promise<void>((resolveStop) => {
        process.once('SIGINT', () => resolveStop());
        process.once('SIGTERM', () => resolveStop());
      });
      process.stdout.write(`${new Date().toISOString()} stopping: runs going now stop and resume at the next start\n`);
      await core.close();
    });
}
