import type { Schedule } from '../../../shared/tasks';
import { FerryError } from '../errors';

/**
 * `ferry task export`: the OS scheduler's entry that runs `ferry task run NAME` on the task's schedule, for
 * users who prefer cron, systemd, launchd or the Windows Task Scheduler. Only the shapes each can say exactly
 * are translated (field by field, no arithmetic on times); anything else is refused with what to do instead.
 */
export const OS_SCHEDULERS = ['cron', 'systemd', 'launchd', 'schtasks'] as const;
export type OsScheduler = (typeof OS_SCHEDULERS)[number];

export interface ExportInput {
  name: string;
  schedule: Schedule | null;
  /** The task's zone (null: the system's). */
  timezone: string | null;
  /** The command line that runs the task: [node, ferry.js, 'task', 'run', NAME]. */
  command: string[];
  /** Environment the command needs (FERRY_HOME when not the default). */
  env: Record<string, string>;
}

export interface ExportedFile {
  /** A file name to save it as (systemd, launchd), or null for text to paste or run (cron, schtasks). */
  name: string | null;
  text: string;
}

const NICK_TO_CRON: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

function refuse(target: OsScheduler, why: string): never {
  throw new FerryError('UNSUPPORTED', `${target} cannot express this schedule (${why}); run \`ferry scheduler\` as a service instead`, { detail: { target } });
}

/** The task's schedule as five (or six) cron fields, intervals included where cron can say them. */
function cronFields(target: OsScheduler, s: Schedule): { sec: string; fields: string[] } {
  if (s.type === 'every') {
    const n = s.seconds;
    if (n % 60 === 0 && 60 % (n / 60) === 0) return { sec: '0', fields: [n === 60 ? '*' : `*/${n / 60}`, '*', '*', '*', '*'] };
    if (n % 3600 === 0 && 24 % (n / 3600) === 0) return { sec: '0', fields: ['0', n === 3600 ? '*' : `*/${n / 3600}`, '*', '*', '*'] };
    refuse(target, `every ${n} seconds does not divide an hour or a day`);
  }
  const expr = NICK_TO_CRON[s.expr.toLowerCase()] ?? s.expr;
  const parts = expr.trim().split(/\s+/);
  return parts.length === 6 ? { sec: parts[0], fields: parts.slice(1) } : { sec: '0', fields: parts };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function exportTask(target: OsScheduler, t: ExportInput): ExportedFile[] {
  if (!t.schedule) throw new FerryError('INVALID_INPUT', `Task "${t.name}" has no schedule to export (add one with ferry task edit ${t.name} --schedule ...)`);
  switch (target) {
    case 'cron':
      return [toCron(t)];
    case 'systemd':
      return toSystemd(t);
    case 'launchd':
      return [toLaunchd(t)];
    case 'schtasks':
      return [toSchtasks(t)];
  }
}

function toCron(t: ExportInput): ExportedFile {
  const { sec, fields } = cronFields('cron', t.schedule!);
  if (sec !== '0') refuse('cron', 'cron has no seconds field');
  const env = Object.entries(t.env).map(([k, v]) => `${k}=${shellQuote(v)} `).join('');
  const lines = [`# Ferry task "${t.name}" (crontab -e, then paste; cron does not catch up runs missed while the machine was off)`];
  // cronie reads CRON_TZ; other crons use the system's zone.
  if (t.timezone) lines.push(`CRON_TZ=${t.timezone}`);
  lines.push(`${fields.join(' ')} ${env}${t.command.map(shellQuote).join(' ')}`);
  return { name: null, text: lines.join('\n') + '\n' };
}

// ——— systemd ———

const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** One cron field as a systemd calendar component: lists, ranges (a..b) and steps (start/step). */
function systemdField(v: string, what: string, first: number, dow = false): string {
  if (v === '*' || v === '?') return '*';
  return v
    .split(',')
    .map((part) => {
      const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
      if (!m) refuse('systemd', `the ${what} field "${v}"`);
      const [, a, b, step] = m;
      if (dow) {
        if (step) refuse('systemd', `a step in the weekday field "${v}"`);
        const name = (n: string) => DOW[Number(n)] ?? refuse('systemd', `weekday ${n}`);
        return a === '*' ? '*' : b ? `${name(a)}..${name(b)}` : name(a);
      }
      if (step) {
        if (b) refuse('systemd', `a stepped range in the ${what} field "${v}"`);
        return `${a === '*' ? first : a}/${step}`;
      }
      return b ? `${a}..${b}` : a;
    })
    .join(',');
}

function toSystemd(t: ExportInput): ExportedFile[] {
  const { sec, fields } = cronFields('systemd', t.schedule!);
  const [min, hour, dom, month, dow] = fields;
  if (dom !== '*' && dow !== '*') refuse('systemd', 'cron runs when the day of month OR the weekday matches; systemd needs both');
  const pad = (x: string) => (/^\d$/.test(x) ? `0${x}` : x);
  const days = dow === '*' ? '' : `${systemdField(dow, 'weekday', 0, true)} `;
  const date = `*-${pad(systemdField(month, 'month', 1))}-${pad(systemdField(dom, 'day', 1))}`;
  const time = `${pad(systemdField(hour, 'hour', 0))}:${pad(systemdField(min, 'minute', 0))}:${pad(systemdField(sec, 'second', 0))}`;
  const calendar = `${days}${date} ${time}${t.timezone ? ` ${t.timezone}` : ''}`;
  const unit = `ferry-task-${t.name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-')}`;
  const env = Object.entries(t.env).map(([k, v]) => `Environment=${JSON.stringify(`${k}=${v}`)}\n`).join('');
  // systemd expands %specifiers and $VARIABLES in ExecStart: both are doubled to stay literal.
  const exec = t.command
    .map((a) => a.replace(/%/g, '%%').replace(/\$/g, '$$$$'))
    .map((a) => (/[\s"'\\]/.test(a) ? JSON.stringify(a) : a))
    .join(' ');
  return [
    {
      name: `${unit}.service`,
      text: `[Unit]\nDescription=Ferry task ${t.name}\n\n[Service]\nType=oneshot\n${env}ExecStart=${exec}\n`,
    },
    {
      name: `${unit}.timer`,
      // Persistent: a run missed while the machine was off runs once at the next boot (systemd's catch-up).
      text: `[Unit]\nDescription=Run Ferry task ${t.name} on its schedule\n\n[Timer]\nOnCalendar=${calendar}\nPersistent=true\nUnit=${unit}.service\n\n[Install]\nWantedBy=timers.target\n`,
    },
  ];
}

// ——— launchd ———

/** Every value a cron field takes (launchd needs each time spelled out). */
function expand(v: string, lo: number, hi: number, what: string): number[] | null {
  if (v === '*' || v === '?') return null;
  const out = new Set<number>();
  for (const part of v.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) refuse('launchd', `the ${what} field "${v}"`);
    const start = m[1] === '*' ? lo : Number(m[1]);
    const end = m[2] ? Number(m[2]) : m[1] === '*' || m[3] ? hi : start;
    for (let i = start; i <= end; i += Number(m[3] ?? 1)) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function toLaunchd(t: ExportInput): ExportedFile {
  const label = `app.ferry.task.${t.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const s = t.schedule!;
  let when: string;
  if (s.type === 'every') {
    when = `  <key>StartInterval</key>\n  <integer>${s.seconds}</integer>\n`;
  } else {
    const { sec, fields } = cronFields('launchd', s);
    if (sec !== '0') refuse('launchd', 'launchd has no seconds');
    const keys: Array<[string, number[] | null]> = [
      ['Minute', expand(fields[0], 0, 59, 'minute')],
      ['Hour', expand(fields[1], 0, 23, 'hour')],
      ['Day', expand(fields[2], 1, 31, 'day')],
      ['Month', expand(fields[3], 1, 12, 'month')],
      ['Weekday', expand(fields[4], 0, 7, 'weekday')],
    ];
    if (keys[2][1] && keys[4][1]) refuse('launchd', 'a day of month and a weekday together');
    let dicts: Array<Array<[string, number]>> = [[]];
    for (const [key, values] of keys) {
      if (!values) continue;
      dicts = dicts.flatMap((d) => values.map((v): Array<[string, number]> => [...d, [key, v]]));
    }
    if (dicts.length > 500) refuse('launchd', `${dicts.length} separate times`);
    const dict = (d: Array<[string, number]>) => `    <dict>\n${d.map(([k, v]) => `      <key>${k}</key>\n      <integer>${v}</integer>\n`).join('')}    </dict>\n`;
    when = `  <key>StartCalendarInterval</key>\n  <array>\n${dicts.map(dict).join('')}  </array>\n`;
  }
  const env = Object.keys(t.env).length
    ? `  <key>EnvironmentVariables</key>\n  <dict>\n${Object.entries(t.env).map(([k, v]) => `    <key>${xml(k)}</key>\n    <string>${xml(v)}</string>\n`).join('')}  </dict>\n`
    : '';
  const text =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
    '<plist version="1.0">\n<dict>\n' +
    `  <key>Label</key>\n  <string>${xml(label)}</string>\n` +
    `  <key>ProgramArguments</key>\n  <array>\n${t.command.map((a) => `    <string>${xml(a)}</string>\n`).join('')}  </array>\n` +
    env +
    when +
    '</dict>\n</plist>\n';
  return { name: `${label}.plist`, text };
}

// ——— Windows Task Scheduler ———

function toSchtasks(t: ExportInput): ExportedFile {
  const s = t.schedule!;
  const { sec, fields } = cronFields('schtasks', s);
  const [min, hour, dom, month, dow] = fields;
  if (sec !== '0') refuse('schtasks', 'the Task Scheduler has no seconds');
  const num = (v: string) => /^\d+$/.test(v);
  const at = (h: string, m: string) => `${h.padStart(2, '0')}:${m.padStart(2, '0')}`;
  let when: string;
  const stepMin = /^\*\/(\d+)$/.exec(min);
  const stepHour = /^\*\/(\d+)$/.exec(hour);
  const everyDay = dom === '*' && month === '*' && dow === '*';
  if ((min === '*' || stepMin) && hour === '*' && everyDay) when = `/SC MINUTE /MO ${stepMin ? stepMin[1] : 1}`;
  else if (num(min) && (hour === '*' || stepHour) && everyDay) when = `/SC HOURLY /MO ${stepHour ? stepHour[1] : 1} /ST ${at('0', min)}`;
  else if (num(min) && num(hour) && everyDay) when = `/SC DAILY /ST ${at(hour, min)}`;
  else if (num(min) && num(hour) && dom === '*' && month === '*') {
    const names = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
    const days = expand(dow, 0, 7, 'weekday')!.map((d) => names[d]);
    when = `/SC WEEKLY /D ${[...new Set(days)].join(',')} /ST ${at(hour, min)}`;
  } else if (num(min) && num(hour) && num(dom) && month === '*' && dow === '*') when = `/SC MONTHLY /D ${dom} /ST ${at(hour, min)}`;
  else refuse('schtasks', `"${fields.join(' ')}" is not hourly, daily, weekly, monthly or every N minutes`);
  const q = (a: string) => (/[\s"]/.test(a) ? `\\"${a}\\"` : a);
  const envSet = Object.entries(t.env).map(([k, v]) => `set ${k}=${v}&& `).join('');
  const run = envSet ? `cmd /c ${envSet}${t.command.map(q).join(' ')}` : t.command.map(q).join(' ');
  const taskName = `Ferry\\${t.name}`;
  const lines = [
    `schtasks /Create /F /TN "${taskName}" /TR "${run}" ${when}`,
    // The Task Scheduler's catch-up ("run as soon as possible after a missed start") is not a schtasks flag.
    `powershell -Command "Set-ScheduledTask -TaskName '${t.name.replace(/'/g, "''")}' -TaskPath '\\Ferry\\' -Settings (New-ScheduledTaskSettingsSet -StartWhenAvailable)"`,
  ];
  if (t.timezone) lines.unshift(`REM The Task Scheduler uses the computer's time zone; this task's is ${t.timezone}.`);
  return { name: null, text: lines.join('\r\n') + '\r\n' };
}
