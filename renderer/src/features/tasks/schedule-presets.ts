import type { Schedule } from '../../../../shared/tasks';

/** The schedule editor's presets: each is a cron expression or an interval the core reads and describes. */
export type PresetKind = 'manual' | 'every' | 'hourly' | 'daily' | 'weekdays' | 'weekly' | 'cron';

export interface PresetState {
  kind: PresetKind;
  /** HH:MM for daily, weekdays, weekly. */
  time: string;
  /** 0 (Sunday) … 6 for weekly. */
  weekday: string;
  /** Minutes for "every". */
  minutes: number;
  /** Minute past the hour for hourly. */
  minute: number;
  cron: string;
}

export const DEFAULT_PRESET: PresetState = { kind: 'daily', time: '06:00', weekday: '1', minutes: 15, minute: 0, cron: '0 6 * * 1-5' };

export const PRESET_LABELS: Array<{ value: PresetKind; label: string }> = [
  { value: 'manual', label: 'Manual only' },
  { value: 'every', label: 'Every N minutes' },
  { value: 'hourly', label: 'Hourly' },
  { value: 'daily', label: 'Daily at…' },
  { value: 'weekdays', label: 'Weekdays at…' },
  { value: 'weekly', label: 'Weekly on…' },
  { value: 'cron', label: 'Cron expression' },
];

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'].map((label, i) => ({ value: String(i), label }));

function hm(time: string): [number, number] | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return [Number(m[1]), Number(m[2])];
}

/** The Schedule a preset stands for; null for manual-only; undefined when a field is not valid yet. */
export function scheduleOf(p: PresetState): Schedule | null | undefined {
  const at = hm(p.time);
  switch (p.kind) {
    case 'manual':
      return null;
    case 'every':
      return p.minutes >= 1 ? { type: 'every', seconds: Math.round(p.minutes * 60) } : undefined;
    case 'hourly':
      return p.minute >= 0 && p.minute <= 59 ? { type: 'cron', expr: `${p.minute} * * * *` } : undefined;
    case 'daily':
      return at ? { type: 'cron', expr: `${at[1]} ${at[0]} * * *` } : undefined;
    case 'weekdays':
      return at ? { type: 'cron', expr: `${at[1]} ${at[0]} * * 1-5` } : undefined;
    case 'weekly':
      return at ? { type: 'cron', expr: `${at[1]} ${at[0]} * * ${p.weekday}` } : undefined;
    case 'cron':
      return p.cron.trim() ? { type: 'cron', expr: p.cron.trim() } : undefined;
  }
}

/** The editor's state for a saved schedule: a saved cron shows in the cron field, an interval as minutes. */
export function presetOf(s: Schedule | null): PresetState {
  if (!s) return { ...DEFAULT_PRESET, kind: 'manual' };
  if (s.type === 'every') return { ...DEFAULT_PRESET, kind: 'every', minutes: s.seconds / 60 };
  return { ...DEFAULT_PRESET, kind: 'cron', cron: s.expr };
}
