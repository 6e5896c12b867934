import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/scheduler/clock';
import { tempDir } from '../support/temp';
import { harness, localSpec } from './harness';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

describe('the scheduler on an injected clock', () => {
  const dirs: Array<{ cleanup(): void }> = [];
  const dir = () => {
    const d = tempDir('ferry-policy-');
    dirs.push(d);
    return d.path;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('after a three-hour gap (sleep) an hourly task runs once, and says what it missed', async () => {
    const h = harness(dir(), '2026-06-01T05:30:00Z');
    const t = await h.tasks.save({ name: 'hourly', spec: localSpec(), schedule: { type: 'cron', expr: '@hourly' }, timezone: 'UTC' });
    await h.step(SEC);
    await h.step(30 * MIN);
    expect(h.runs(t.id)).toHaveLength(1);
    h.runner.end(h.runner.last);
    await h.step(SEC);
    // The machine sleeps from 06:00:01 to 09:10: 07:00, 08:00 and 09:00 pass unseen.
    h.clock.set(Date.parse('2026-06-01T09:10:00Z'));
    await h.step(0);
    const runs = h.runs(t.id);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ trigger: 'catch-up', slot: '2026-06-01T09:00:00.000Z' });
    expect(runs[1].message).toBe('Missed 3 runs (2026-06-01 07:00 to 2026-06-01 09:00) while the computer was asleep, caught up at 2026-06-01 09:10');
    h.runner.end(h.runner.last);
    for (let i = 0; i < 30; i++) await h.step(SEC);
    expect(h.runs(t.id)).toHaveLength(2);
  });

  it('a process that starts after a missed slot catches up once and says Ferry was not running', async () => {
    const d = dir();
    const first = harness(d, '2026-06-01T05:59:00Z');
    first.runner.auto = { state: 'done', files: 0, bytes: 0, rows: null, error: null };
    await first.tasks.save({ name: 'six', spec: localSpec(), schedule: { type: 'cron', expr: '0 6 * * *' }, timezone: 'UTC' });
    await first.step(SEC);
    first.scheduler.stop();
    const later = harness(d, '2026-06-01T08:12:00Z');
    later.runner.auto = first.runner.auto;
    await later.step(0);
    const runs = later.runs();
    expect(runs).toHaveLength(1);
    expect(runs[0].message).toBe('Missed 2026-06-01 06:00 while Ferry was not running, caught up at 2026-06-01 08:12; done: 0 files, 0 bytes');
  });

  it('a resume reported by the shell (wake) counts a miss as sleep even when the clock did not jump far', async () => {
    const h = harness(dir(), '2026-06-01T05:59:00Z', { graceMs: 5 * SEC, jumpMs: 5 * MIN });
    h.runner.auto = { state: 'done', files: 0, bytes: 0, rows: null, error: null };
    const t = await h.tasks.save({ name: 'woken', spec: localSpec(), schedule: { type: 'cron', expr: '0 6 * * *' }, timezone: 'UTC' });
    await h.step(SEC);
    h.clock.advance(2 * MIN);
    h.scheduler.wake();
    await h.step(0);
    expect(h.runs(t.id).map((r) => r.message)).toEqual(['Missed 2026-06-01 06:00 while the computer was asleep, caught up at 2026-06-01 06:01:01; done: 0 files, 0 bytes']);
  });

  it('catch-up "skip" records the miss and runs nothing; a miss older than the window is skipped too', async () => {
    const h = harness(dir(), '2026-06-01T05:00:00Z');
    const skip = await h.tasks.save({ name: 'skip', spec: localSpec(), schedule: { type: 'cron', expr: '0 6 * * *' }, timezone: 'UTC', catchUp: 'skip' });
    const window = await h.tasks.save({ name: 'window', spec: localSpec(), schedule: { type: 'cron', expr: '0 6 * * *' }, timezone: 'UTC', catchUpWindowHours: 1 });
    await h.step(SEC);
    h.clock.set(Date.parse('2026-06-01T08:00:00Z'));
    await h.step(0);
    expect(h.runner.started).toHaveLength(0);
    expect(h.entries(skip.id).map((e) => e.message)).toEqual(['Missed 2026-06-01 06:00 while the computer was asleep; not caught up (catch-up is off for this task)']);
    expect(h.entries(window.id).map((e) => e.message)).toEqual(['Missed 2026-06-01 06:00 while the computer was asleep; not caught up (older than its 1 h catch-up window)']);
    // The next slot runs as usual.
    h.clock.set(Date.parse('2026-06-02T06:00:00Z'));
    await h.step(SEC);
    expect(h.runs(skip.id).map((r) => r.trigger)).toEqual(['schedule']);
  });

  it('overlap "skip": a run due while the last one goes is skipped and recorded', async () => {
    const h = harness(dir(), '2026-06-01T00:00:00Z');
    const t = await h.tasks.save({ name: 'busy', spec: localSpec(), schedule: { type: 'every', seconds: 60 } });
    await h.step(60 * SEC);
    await h.step(60 * SEC);
    await h.step(60 * SEC);
    expect(h.runner.started).toHaveLength(1);
    expect(h.entries(t.id).filter((e) => e.kind === 'skipped').map((e) => e.slot)).toEqual(['2026-06-01T00:02:00.000Z', '2026-06-01T00:03:00.000Z']);
    h.runner.end(h.runner.last);
    await h.step(60 * SEC);
    expect(h.runner.started).toHaveLength(2);
  });

  it('overlap "queue": one run waits for the running one and starts when it ends; more are skipped', async () => {
    const h = harness(dir(), '2026-06-01T00:00:00Z');
    const t = await h.tasks.save({ name: 'queue', spec: localSpec(), schedule: { type: 'every', seconds: 60 }, overlap: 'queue' });
    await h.step(60 * SEC);
    await h.step(60 * SEC);
    await h.step(60 * SEC);
    expect(h.entries(t.id).map((e) => e.kind)).toEqual(['run', 'queued', 'skipped']);
    expect(h.runner.started).toHaveLength(1);
    h.runner.end(h.runner.last);
    await h.step(SEC);
    const runs = h.runs(t.id);
    expect(runs.map((r) => [r.trigger, r.slot])).toEqual([
      ['schedule', '2026-06-01T00:01:00.000Z'],
      ['queued', '2026-06-01T00:02:00.000Z'],
    ]);
    expect(h.runner.started).toHaveLength(2);
  });

  it('retryable failures are retried with doubling backoff and stop at the limit', async () => {
    const h = harness(dir(), '2026-06-01T05:59:59Z');
    const t = await h.tasks.save({ name: 'flaky', spec: localSpec(), schedule: { type: 'cron', expr: '0 6 * * *' }, timezone: 'UTC', retries: 2, retryBackoffSeconds: 10 });
    await h.step(SEC);
    h.runner.end(h.runner.last, 'CONNECTION_LOST');
    await h.step(0);
    await h.step(9 * SEC);
    expect(h.runner.started).toHaveLength(1);
    await h.step(SEC);
    expect(h.runner.started).toHaveLength(2);
    h.runner.end(h.runner.last, 'TIMEOUT');
    await h.step(19 * SEC);
    expect(h.runner.started).toHaveLength(2);
    await h.step(SEC);
    expect(h.runner.started).toHaveLength(3);
    h.runner.end(h.runner.last, 'CONNECTION_LOST');
    for (let i = 0; i < 10; i++) await h.step(60 * SEC);
    expect(h.runner.started).toHaveLength(3);
    const runs = h.runs(t.id);
    expect(runs.map((r) => [r.trigger, r.attempt, r.state])).toEqual([
      ['schedule', 1, 'failed'],
      ['retry', 2, 'failed'],
      ['retry', 3, 'failed'],
    ]);
    const notes = h.entries(t.id).filter((e) => e.kind === 'retry').map((e) => e.message);
    expect(notes[0]).toMatch(/^Retry 1 of 2 at 2026-06-01 06:00:10 after: /);
    expect(notes[1]).toMatch(/^Retry 2 of 2 at 2026-06-01 06:00:30 after: /);
    expect(notes[2]).toMatch(/^Gave up after 3 attempts: /);
    expect(h.tasks.get(t.id).flagged).toBeNull();
  });

  it.each(['AUTH_FAILED', 'HOST_KEY_CHANGED'] as const)('%s is fatal: no retry, the task is flagged and not fired until enabled again', async (code) => {
    const h = harness(dir(), '2026-06-01T00:00:00Z');
    const t = await h.tasks.save({ name: 'locked', spec: localSpec(), schedule: { type: 'every', seconds: 60 }, retries: 3, retryBackoffSeconds: 1 });
    await h.step(60 * SEC);
    h.runner.end(h.runner.last, code);
    for (let i = 0; i < 5; i++) await h.step(60 * SEC);
    expect(h.runner.started).toHaveLength(1);
    const task = h.tasks.get(t.id);
    expect(task.flagged).toMatch(code === 'AUTH_FAILED' ? /Authentication failed/ : /Host key changed/);
    expect(task.nextRuns).toEqual([]);
    expect(h.entries(t.id).map((e) => e.kind)).toEqual(['run', 'flagged']);
    h.tasks.setEnabled(t.id, true);
    expect(h.tasks.get(t.id).flagged).toBeNull();
    await h.step(60 * SEC);
    expect(h.runner.started).toHaveLength(2);
  });

  it('a task whose profile was deleted fails clearly, naming the profile, and is flagged', async () => {
    const h = harness(dir(), '2026-06-01T00:00:00Z');
    h.profiles.set('p-1', 'partner');
    const t = await h.tasks.save({ name: 'pull', spec: { ...localSpec(), source: { endpoint: 'p-1', paths: ['/out'] } }, schedule: { type: 'every', seconds: 60 } });
    expect(h.tasks.get(t.id).summary).toBe('sync partner:/out → local:/tmp/ferry-task-dst');
    h.profiles.delete('p-1');
    await h.step(60 * SEC);
    expect(h.runner.started).toHaveLength(0);
    const [run, flag] = h.entries(t.id);
    expect(run).toMatchObject({ kind: 'run', state: 'failed', error: { code: 'NOT_FOUND' } });
    expect(run.error!.message).toBe('The profile "partner" this task uses was deleted');
    expect(flag.kind).toBe('flagged');
    expect(h.tasks.get(t.id)).toMatchObject({ flagged: expect.stringContaining('"partner"'), summary: 'sync partner (deleted):/out → local:/tmp/ferry-task-dst' });
  });

  it('bad tasks are refused when saved, not when they would run', async () => {
    const h = harness(dir(), '2026-06-01T00:00:00Z');
    const save = (over: Record<string, unknown>) => h.tasks.save({ name: 'bad', spec: localSpec(), ...over } as never);
    await expect(save({ spec: { ...localSpec(), conflict: 'ask' } })).rejects.toThrow(/cannot ask about conflicts/);
    await expect(save({ schedule: { type: 'cron', expr: '61 * * * *' } })).rejects.toThrow(/not a cron schedule/);
    await expect(save({ schedule: { type: 'cron', expr: '0 6 * * *' }, timezone: 'Nowhere/Town' })).rejects.toThrow(/Unknown time zone/);
    await expect(save({ spec: { ...localSpec(), source: { endpoint: 'gone', paths: ['/x'] } } })).rejects.toThrow(/names a profile that does not exist/);
    await expect(save({ spec: { ...localSpec(), kind: 'copy', mirror: true } })).rejects.toThrow(/Mirror .* sync jobs only/);
    await expect(save({ name: '' })).rejects.toThrow(/a task needs a name/);
    await h.tasks.save({ name: 'once', spec: localSpec() });
    await expect(h.tasks.save({ name: 'ONCE', spec: localSpec() })).rejects.toThrow(/exists already/);
    expect(h.tasks.list().map((t) => t.name)).toEqual(['once']);
  });

  it('a manual run goes through the same path, is refused while one runs, and is not retried', async () => {
    const h = harness(dir(), '2026-06-01T00:00:00Z');
    const t = await h.tasks.save({ name: 'manual', spec: localSpec(), retries: 3 });
    const { ended } = h.tasks.run(t.id);
    await h.step(0);
    expect(() => h.tasks.run(t.id)).toThrow(/running already/);
    h.runner.end(h.runner.last, 'CONNECTION_LOST');
    const entry = await ended;
    expect(entry).toMatchObject({ trigger: 'manual', state: 'failed', error: { code: 'CONNECTION_LOST' } });
    await h.step(HOUR);
    expect(h.runner.started).toHaveLength(1);
    expect(h.tasks.get(t.id).lastRun).toMatchObject({ state: 'failed' });
  });

  it('two schedulers on one store fire every slot exactly once, and the survivor takes over when the holder dies', async () => {
    const d = dir();
    const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
    const a = harness(d, '', { clock, staleMs: 15 * SEC });
    const b = harness(d, '', { clock, staleMs: 15 * SEC });
    const done = { state: 'done' as const, files: 1, bytes: 1, rows: null, error: null };
    a.runner.auto = done;
    b.runner.auto = done;
    const t = await a.tasks.save({ name: 'every5', spec: localSpec(), schedule: { type: 'every', seconds: 5 } });
    for (let i = 0; i < 120; i++) {
      clock.advance(SEC);
      a.scheduler.tick();
      b.scheduler.tick();
      await a.step(0);
    }
    expect(a.scheduler.holdsLease).toBe(true);
    expect(b.scheduler.holdsLease).toBe(false);
    // a dies without giving the lease up (no stop()): b takes over once a's heartbeat is 15 s old.
    for (let i = 0; i < 120; i++) {
      clock.advance(SEC);
      b.scheduler.tick();
      await b.step(0);
    }
    expect(b.scheduler.holdsLease).toBe(true);
    const slots = a.runs(t.id).map((r) => Date.parse(r.slot!));
    expect(new Set(slots).size).toBe(slots.length);
    expect(a.runner.started.length + b.runner.started.length).toBe(slots.length);
    expect(a.runner.started).toHaveLength(24);
    // While nobody held the lease (15 s) slots were missed; the survivor ran the latest once and went on every 5 s.
    expect(slots.length).toBeGreaterThanOrEqual(24 + 24 - 4);
    expect(slots.every((s, i) => i === 0 || s > slots[i - 1])).toBe(true);
  });

  it('history is kept 90 days by default, searchable', async () => {
    const h = harness(dir(), '2026-01-01T00:00:00Z');
    h.runner.auto = { state: 'done', files: 2, bytes: 20, rows: null, error: null };
    const t = await h.tasks.save({ name: 'daily', spec: localSpec(), schedule: { type: 'cron', expr: '0 6 * * *' }, timezone: 'UTC' });
    for (let day = 0; day < 100; day++) await h.step(24 * HOUR);
    await h.step(2 * HOUR); // the hourly prune
    const runs = h.runs(t.id);
    expect(runs.length).toBeGreaterThanOrEqual(89);
    expect(runs.length).toBeLessThanOrEqual(91);
    expect(h.tasks.history({ query: '2026-04-01 06:00' }).map((e) => e.slot)).toEqual(['2026-04-01T06:00:00.000Z']);
    expect(h.tasks.history({ query: 'no such text' })).toEqual([]);
  });
});
