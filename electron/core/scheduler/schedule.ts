import { createRequire } from 'node:module';
import type { Cron } from 'croner';
import type Cronstrue from 'cronstrue';
import type { Schedule } from '../../../shared/tasks';
import { FerryError } from '../errors';

// croner and cronstrue load when a schedule is first read (about 10 ms of start-up, which every other command
// of the CLI would pay). Both ship CommonJS builds, so a synchronous require keeps this module's API sync.
const load = createRequire(import.meta.url);
let croner: { Cron: typeof Cron } | undefined;
let cronstrue: typeof Cronstrue | undefined;

/** A schedule ready to answer "when after t?", in its zone. Times are epoch milliseconds. */
export interface CompiledSchedule {
  /** The first run strictly after `afterMs`, or null when there is none. */
  next(afterMs: number): number | null;
  /** The last run at or before `atMs` (null when none). */
  latest(atMs: number): number | null;
  /** The schedule in words, with its zone. */
  text: string;
  timezone: string;
}

const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

export function systemTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function checkTimezone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new FerryError('INVALID_INPUT', `Unknown time zone "${tz}" (use an IANA name such as Europe/Berlin or America/New_York)`, { detail: { timezone: tz } });
  }
}

/**
 * Cron through croner (fixed-time jobs across DST: a 02:30 that does not exist runs once at the first valid
 * time after the gap, one that occurs twice runs once), intervals counted from `anchorMs`.
 */
export function compileSchedule(schedule: Schedule, timezone: string | null, anchorMs = 0): CompiledSchedule {
  const tz = checkTimezone(timezone ?? systemTimezone());
  if (schedule.type === 'every') {
    const step = schedule.seconds * 1000;
    return {
      timezone: tz,
      text: `Every ${everyInWords(schedule.seconds)}`,
      next: (after) => anchorMs + (Math.floor((after - anchorMs) / step) + 1) * step,
      latest: (at) => (at < anchorMs ? null : anchorMs + Math.floor((at - anchorMs) / step) * step),
    };
  }
  const expr = schedule.expr.trim();
  const lower = expr.toLowerCase();
  const fields = expr.split(/\s+/).length;
  if (!NICKNAMES.has(lower) && fields !== 5 && fields !== 6) {
    throw new FerryError('INVALID_INPUT', `"${expr}" is not a cron schedule: give 5 fields (minute hour day month weekday), 6 (seconds first), or @hourly, @daily, @weekly`, { detail: { schedule: expr } });
  }
  let cron: Cron;
  try {
    const { Cron: CronClass } = (croner ??= load('croner') as { Cron: typeof Cron });
    cron = new CronClass(lower.startsWith('@') ? lower : expr, { timezone: tz, paused: true });
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `"${expr}" is not a cron schedule: ${(e as Error).message.replace(/^CronPattern: /, '')}`, { detail: { schedule: expr } });
  }
  return {
    timezone: tz,
    text: cronInWords(lower.startsWith('@') ? lower : expr),
    next: (after) => cron.nextRun(new Date(after))?.getTime() ?? null,
    latest: (at) => cron.previousRuns(3, new Date(at + 1000)).find((d) => d.getTime() <= at)?.getTime() ?? null,
  };
}

/** The next `n` runs after `afterMs`. */
export function nextRuns(s: CompiledSchedule, afterMs: number, n: number): number[] {
  const out: number[] = [];
  let t = afterMs;
  while (out.length < n) {
    const next = s.next(t);
    if (next === null) break;
    out.push(next);
    t = next;
  }
  return out;
}

/** The slots in (fromMs, toMs]: how many (counting stops at `cap`), the first and the last. */
export function slotsBetween(s: CompiledSchedule, fromMs: number, toMs: number, cap = 100_000): { count: number; first: number | null; last: number | null; more: boolean } {
  let count = 0;
  let first: number | null = null;
  let last: number | null = null;
  let t = fromMs;
  for (;;) {
    const next = s.next(t);
    if (next === null || next > toMs) return { count, first, last, more: false };
    if (++count > cap) {
      // Too many to walk one by one (a per-second schedule over weeks): the last is the latest slot before toMs.
      return { count, first, last: s.latest(toMs), more: true };
    }
    first ??= next;
    last = next;
    t = next;
  }
}

function cronInWords(expr: string): string {
  try {
    return (cronstrue ??= load('cronstrue') as typeof Cronstrue).toString(expr, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return `cron ${expr}`;
  }
}

function everyInWords(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${seconds} seconds`;
}

/** "15m", "2h", "1d", "90s", "1h30m" → seconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i.exec(text.trim());
  if (!m || !text.trim() || m.slice(1).every((x) => x === undefined)) return null;
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  const total = d * 86_400 + h * 3600 + min * 60 + s;
  return total > 0 ? total : null;
}

/** A time as people read it in the schedule's zone: "2026-03-29 06:00" (seconds when not zero). */
export function localTime(ms: number, tz: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const hm = `${parts.hour}:${parts.minute}${parts.second !== '00' ? `:${parts.second}` : ''}`;
  return `${parts.year}-${parts.month}-${parts.day} ${hm}`;
}
