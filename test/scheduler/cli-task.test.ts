import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { SaxesParser } from 'saxes';
import { afterAll, describe, expect, it } from 'vitest';
import type { Task, TaskHistoryEntry } from '../../shared/tasks';
import { ferry } from '../support/cli';
import { tempDir } from '../support/temp';

/** `ferry task …` as a user types it, on local folders (the built CLI: npm run build:cli). */
describe('ferry task', () => {
  const tmp = tempDir('ferry-cli-task-');
  const home = join(tmp.path, 'home');
  const src = join(tmp.path, 'src');
  const dst = join(tmp.path, 'dst');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'a.csv'), 'id\n1\n');
  const run = (...args: string[]) => ferry(args, { home });
  afterAll(() => tmp.cleanup());

  it('add turns the job command into the task, validated, and list/show say its schedule and next runs', async () => {
    const add = await run('task', 'add', 'pull', '--schedule', '0 6 * * 1-5', '--tz', 'Europe/Berlin', '--retries', '3', '--', 'sync', src, dst, '--exclude', '*.tmp');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(`Saved task pull: sync local:${src} → local:${dst}; At 06:00, Monday through Friday (Europe/Berlin)`);
    const show = await run('task', 'show', 'pull', '--json');
    const t = JSON.parse(show.stdout) as Task;
    expect(t).toMatchObject({ name: 'pull', retries: 3, timezone: 'Europe/Berlin', schedule: { type: 'cron', expr: '0 6 * * 1-5' } });
    expect(t.spec).toMatchObject({ kind: 'sync', conflict: 'if-changed', filters: { exclude: ['*.tmp'] }, source: { endpoint: 'local', paths: [src] } });
    expect(t.nextRuns).toHaveLength(5);
    for (const r of t.nextRuns) {
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(r));
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 06:00$/);
    }
    const text = await run('task', 'show', 'pull');
    expect(text.stdout).toContain('next runs (Europe/Berlin):');
    const list = await run('task', 'list');
    expect(list.stdout).toMatch(/pull\s+on\s+At 06:00, Monday through Friday \(Europe\/Berlin\)\s+\d{4}-\d\d-\d\d 06:00\s+-/);
  });

  it('refuses bad tasks when saved (exit 2) and saves nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['task', 'add', 'x', '--', 'sync', src], /missing required argument 'dst'/],
      [['task', 'add', 'x', '--schedule', '61 * * * *', '--', 'sync', src, dst], /not a cron schedule/],
      [['task', 'add', 'x', '--every', 'often', '--', 'sync', src, dst], /--every must be a duration/],
      [['task', 'add', 'x', '--tz', 'Atlantis/Main', '--every', '1h', '--', 'sync', src, dst], /Unknown time zone/],
      [['task', 'add', 'x', '--', 'copy', '--bogus', src, dst], /unknown option '--bogus'/],
      [['task', 'add', 'x', '--', 'ls', src], /one of copy, move, sync, convert, export, load/],
      [['task', 'add', 'x', '--', 'sync', src, dst, '--dry-run'], /leave out --dry-run/],
      [['task', 'add', 'pull', '--', 'sync', src, dst], /exists already/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.stderr).toMatch(message);
      expect(r.code, r.stderr).toBe(args.includes('pull') ? 1 : 2);
    }
    const deleted = await run('task', 'add', 'x', '--', 'copy', 'nobody:/x', dst);
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toContain('No profile named "nobody"');
    const list = JSON.parse((await run('task', 'list', '--json')).stdout) as Task[];
    expect(list.map((t) => t.name)).toEqual(['pull']);
  });

  it('run goes through the scheduler\'s path, exits with the run\'s code, and history shows it with its counts', async () => {
    const r = await run('task', 'run', 'pull');
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dst)).toEqual(['a.csv']);
    const hist = JSON.parse((await run('task', 'history', 'pull', '--json')).stdout) as TaskHistoryEntry[];
    expect(hist).toHaveLength(1);
    expect(hist[0]).toMatchObject({ kind: 'run', trigger: 'manual', state: 'done', files: 1, bytes: 5, jobId: expect.any(String) });
    const jobs = JSON.parse((await run('jobs', '--json')).stdout) as Array<{ id: string }>;
    expect(jobs.map((j) => j.id)).toContain(hist[0].jobId);
    // A failing run exits 1.
    await run('task', 'add', 'broken', '--', 'copy', join(tmp.path, 'missing.csv'), dst);
    const bad = await run('task', 'run', 'broken');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/failed: .*missing\.csv/);
  });

  it('a task whose profile was deleted fails clearly, naming the profile, and is flagged', async () => {
    expect((await run('profile', 'add', 'disk', '--type', 'local')).code).toBe(0);
    expect((await run('task', 'add', 'to-disk', '--every', '1h', '--', 'copy', join(src, 'a.csv'), `disk:${join(tmp.path, 'disk')}`)).code).toBe(0);
    expect((await run('profile', 'rm', 'disk')).code).toBe(0);
    const r = await run('task', 'run', 'to-disk');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The profile "disk" this task uses was deleted');
    const t = JSON.parse((await run('task', 'show', 'to-disk', '--json')).stdout) as Task;
    expect(t.flagged).toContain('"disk"');
    expect(t.nextRuns).toEqual([]);
    expect(t.summary).toContain('disk (deleted):');
    expect((await run('task', 'list')).stdout).toMatch(/to-disk\s+FLAGGED/);
    expect((await run('task', 'rm', 'to-disk')).code).toBe(0);
  });

  it('edit, disable, enable and rm change what list shows', async () => {
    expect((await run('task', 'edit', 'pull', '--every', '15m', '--overlap', 'queue')).code).toBe(0);
    let t = JSON.parse((await run('task', 'show', 'pull', '--json')).stdout) as Task;
    expect(t).toMatchObject({ schedule: { type: 'every', seconds: 900 }, overlap: 'queue', retries: 3, scheduleText: 'Every 15 minutes (Europe/Berlin)' });
    expect((await run('task', 'disable', 'pull')).code).toBe(0);
    t = JSON.parse((await run('task', 'show', 'pull', '--json')).stdout) as Task;
    expect(t).toMatchObject({ enabled: false, nextRuns: [] });
    expect((await run('task', 'enable', 'pull')).code).toBe(0);
    expect((await run('task', 'edit', 'pull', '--schedule', '30 5 * * *', '--', 'sync', src, join(tmp.path, 'other'))).code).toBe(0);
    t = JSON.parse((await run('task', 'show', 'pull', '--json')).stdout) as Task;
    expect(t).toMatchObject({ enabled: true, spec: { destination: { path: join(tmp.path, 'other') } }, schedule: { expr: '30 5 * * *' } });
    expect((await run('task', 'rm', 'broken')).code).toBe(0);
    expect((await run('task', 'show', 'broken')).code).toBe(1);
  });

  it('export --to cron prints a crontab line croner parses to the same next runs', async () => {
    const r = await run('task', 'export', 'pull', '--to', 'cron');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('CRON_TZ=Europe/Berlin');
    const entry = lines[lines.length - 1];
    const fields = entry.split(/\s+/).slice(0, 5).join(' ');
    expect(fields).toBe('30 5 * * *');
    const show = JSON.parse((await run('task', 'show', 'pull', '--json')).stdout) as Task;
    const cron = new Cron(fields, { timezone: 'Europe/Berlin', paused: true });
    expect(cron.nextRuns(5, new Date(Date.parse(show.nextRuns[0]) - 1000)).map((d) => d.toISOString())).toEqual(show.nextRuns);
    expect(entry).toMatch(/FERRY_HOME=\S+ \S+node\S* \S+ferry\.js task run pull$/);
  });

  it('export --to systemd prints a .service and a Persistent .timer that systemd-analyze verify accepts', async (ctx) => {
    const r = await run('task', 'export', 'pull', '--to', 'systemd');
    expect(r.code, r.stderr).toBe(0);
    const files = r.stdout.split(/^# (\S+)\n/m).slice(1);
    const dir = join(tmp.path, 'units');
    mkdirSync(dir, { recursive: true });
    const names: string[] = [];
    for (let i = 0; i < files.length; i += 2) {
      writeFileSync(join(dir, files[i]), files[i + 1]);
      names.push(files[i]);
    }
    expect(names).toEqual(['ferry-task-pull.service', 'ferry-task-pull.timer']);
    expect(files[3]).toContain('OnCalendar=*-*-* 05:30:00 Europe/Berlin');
    expect(files[3]).toContain('Persistent=true');
    if (!existsSync('/usr/bin/systemd-analyze')) return ctx.skip('systemd-analyze is not installed here');
    const v = spawnSync('systemd-analyze', ['verify', '--man=no', ...names.map((n) => join(dir, n))], { encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    const cal = execFileSync('systemd-analyze', ['calendar', '--iterations=2', 'Mon..Fri *-*-* 06:00:00 Europe/Berlin'], { encoding: 'utf8' });
    expect(cal).toContain('Normalized form');
    // A name with a space and an apostrophe survives systemd's quoting.
    expect((await run('task', 'add', "Ana's pull", '--schedule', '*/15 * * * *', '--', 'sync', src, dst)).code).toBe(0);
    const quoted = await run('task', 'export', "Ana's pull", '--to', 'systemd');
    const [, service, , timer] = quoted.stdout.split(/^# (\S+)\n/m).slice(1);
    expect(service).toContain(`ExecStart=`);
    expect(service).toContain(`"Ana's pull"`);
    expect(timer).toContain('OnCalendar=*-*-* *:0/15:00');
    writeFileSync(join(dir, 'ferry-task-ana-s-pull.service'), service);
    writeFileSync(join(dir, 'ferry-task-ana-s-pull.timer'), timer);
    const v2 = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'ferry-task-ana-s-pull.timer'), join(dir, 'ferry-task-ana-s-pull.service')], { encoding: 'utf8' });
    expect(v2.status, v2.stderr).toBe(0);
    expect((await run('task', 'rm', "Ana's pull")).code).toBe(0);
  });

  it('export --to launchd prints a well-formed plist with the run command and calendar times; schtasks a /Create line', async () => {
    await run('task', 'edit', 'pull', '--schedule', '0 6 * * 1-5');
    const r = await run('task', 'export', 'pull', '--to', 'launchd');
    expect(r.code, r.stderr).toBe(0);
    const xml = r.stdout.replace(/^# .*\n/, '');
    const parser = new SaxesParser();
    const texts: string[] = [];
    parser.on('text', (t) => t.trim() && texts.push(t.trim()));
    parser.write(xml).close();
    expect(texts).toEqual(expect.arrayContaining(['app.ferry.task.pull', 'task', 'run', 'pull', 'StartCalendarInterval', 'Weekday']));
    expect(texts.filter((t) => t === 'Weekday')).toHaveLength(5);
    const win = await run('task', 'export', 'pull', '--to', 'schtasks');
    expect(win.stdout).toMatch(/schtasks \/Create \/F \/TN "Ferry\\pull" \/TR ".*task run pull" \/SC WEEKLY \/D MON,TUE,WED,THU,FRI \/ST 06:00/);
    const seconds = await run('task', 'edit', 'pull', '--schedule', '*/10 * * * * *');
    expect(seconds.code).toBe(0);
    const refused = await run('task', 'export', 'pull', '--to', 'cron');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cron cannot express this schedule (cron has no seconds field)');
  });
});
