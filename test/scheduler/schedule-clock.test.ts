import { afterEach, describe, expect, it } from 'vitest';
import { Cron } from 'croner';
import { compileSchedule, localTime, parseDuration } from '../../electron/core/scheduler/schedule';
import { tempDir } from '../support/temp';
import { harness, localSpec, type Harness } from './harness';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Ticks every 10 minutes (a slot may be seen up to 10 minutes late and still be on time) from `from` to `to`. */
async function runThrough(h: Harness, toIso: string): Promise<void> {
  while (h.clock.now() < Date.parse(toIso)) await h.step(10 * MIN);
}

describe('schedules on an injected clock', () => {
  const dirs: Array<{ cleanup(): void }> = [];
  const fresh = (startIso: string) => {
    const d = tempDir('ferry-sched-');
    dirs.push(d);
    const h = harness(d.path, startIso, { tickMs: 10 * MIN, graceMs: 15 * MIN, jumpMs: HOUR });
    h.runner.auto = { state: 'done', files: 1, bytes: 10, rows: null, error: null };
    return h;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('a five-field cron runs at its times in its zone, each once', async () => {
    const h = fresh('2026-05-04T00:00:00Z'); // a Monday
    const t = await h.tasks.save({ name: 'weekdays', spec: localSpec(), schedule: { type: 'cron', expr: '0 6 * * 1-5' }, timezone: 'Europe/Berlin' });
    expect(t.scheduleText).toBe('At 06:00, Monday through Friday (Europe/Berlin)');
    expect(t.nextRuns.slice(0, 2)).toEqual(['2026-05-04T04:00:00.000Z', '2026-05-05T04:00:00.000Z']);
    await runThrough(h, '2026-05-11T00:00:00Z');
    expect(h.runs().map((r) => r.slot)).toEqual(['04', '05', '06', '07', '08'].map((d) => `2026-05-${d}T04:00:00.000Z`));
    expect(h.runs().every((r) => r.trigger === 'schedule' && r.state === 'done')).toBe(true);
  });

  it('an interval counts real time from when it was saved, across a DST change', async () => {
    const h = fresh('2026-03-29T00:00:00Z');
    await h.tasks.save({ name: 'quarter', spec: localSpec(), schedule: { type: 'every', seconds: 15 * 60 }, timezone: 'Europe/Berlin' });
    for (let i = 0; i < 3 * 60; i++) await h.step(MIN);
    const slots = h.runs().map((r) => Date.parse(r.slot!));
    expect(slots).toHaveLength(12);
    expect(slots.every((s, i) => s === Date.parse('2026-03-29T00:00:00Z') + (i + 1) * 15 * MIN)).toBe(true);
  });

  it.each([
    ['Europe/Berlin', '30 2 * * *', '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z', ['2026-03-27T01:30:00.000Z', '2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
    ['Europe/Berlin', '30 2 * * *', '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z', ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']],
    ['America/New_York', '30 2 * * *', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']],
    ['America/New_York', '30 1 * * *', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']],
  ])('%s %s across the DST change from %s: a missing time runs once, a repeated time once', async (tz, expr, from, to, expected) => {
    const h = fresh(from);
    await h.tasks.save({ name: 'nightly', spec: localSpec(), schedule: { type: 'cron', expr }, timezone: tz });
    await runThrough(h, to);
    expect(h.runs().map((r) => r.slot)).toEqual(expected);
  });

  it('six fields (seconds first) and @daily are schedules; other shapes are refused with the reason', () => {
    expect(compileSchedule({ type: 'cron', expr: '*/10 * * * * *' }, 'UTC').next(Date.parse('2026-01-01T00:00:01Z'))).toBe(Date.parse('2026-01-01T00:00:10Z'));
    expect(compileSchedule({ type: 'cron', expr: '@daily' }, 'Europe/Berlin').next(Date.parse('2026-01-01T12:00:00Z'))).toBe(Date.parse('2026-01-01T23:00:00Z'));
    expect(() => compileSchedule({ type: 'cron', expr: '61 * * * *' }, 'UTC')).toThrow(/not a cron schedule.*minute/);
    expect(() => compileSchedule({ type: 'cron', expr: '* * * *' }, 'UTC')).toThrow(/5 fields/);
    expect(() => compileSchedule({ type: 'cron', expr: '0 6 * * *' }, 'Mars/Olympus')).toThrow(/Unknown time zone "Mars\/Olympus"/);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('soon')).toBeNull();
    expect(localTime(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29 03:00');
  });

  it('agrees with croner on the previous runs it counts as missed (the catch-up source)', () => {
    const s = compileSchedule({ type: 'cron', expr: '30 2 * * *' }, 'Europe/Berlin');
    const at = Date.parse('2026-03-29T12:00:00Z');
    const cron = new Cron('30 2 * * *', { timezone: 'Europe/Berlin', paused: true });
    expect(s.latest(at)).toBe(cron.previousRuns(1, new Date(at))[0].getTime());
  });
});
