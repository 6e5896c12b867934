import type { Column, LogicalType, TimeUnit, Value } from './types';

/**
 * Conversions between the logical values (types.ts) and their text forms, shared by every format: the
 * same rules for CSV cells, xlsx text, JSON output and database text. All exact: no float on the way.
 */

const UNITS_PER_SECOND: Record<TimeUnit, bigint> = { ms: 1000n, us: 1_000_000n, ns: 1_000_000_000n };
const DIGITS: Record<TimeUnit, number> = { ms: 3, us: 6, ns: 9 };
export const DAY_MS = 86_400_000;

export function typeName(t: LogicalType): string {
  switch (t.kind) {
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'time':
      return `time[${t.unit}]`;
    case 'timestamp':
      return t.tz ? `timestamp[${t.unit}, ${t.tz}]` : `timestamp[${t.unit}]`;
    case 'list':
      return `list<${typeName(t.of)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}: ${typeName(f.type)}`).join(', ')}>`;
    default:
      return t.kind;
  }
}

// ---- decimal ----

/** "-12.5" in decimal(p, 2) → -1250n; null when the text is not a number or has more than `scale` decimals or p digits. */
export function parseDecimal(text: string, precision: number, scale: number, decimalComma = false): bigint | null {
  const m = (decimalComma ? /^([+-]?)(\d*)(?:,(\d*))?$/ : /^([+-]?)(\d*)(?:\.(\d*))?$/).exec(text.trim());
  if (!m || (m[2] === '' && !m[3])) return null;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > scale) return null;
  const int = m[2].replace(/^0+(?=\d)/, '');
  const digits = (int === '0' ? '' : int) + frac.padEnd(scale, '0');
  if (digits.replace(/^0+/, '').length > precision) return null;
  const v = BigInt(digits || '0');
  return m[1] === '-' ? -v : v;
}

/** 1230n with scale 2 → "12.30"; scale digits are always written. A number must be an exact integer. */
export function formatDecimal(unscaled: bigint | number, scale: number): string {
  const neg = unscaled < 0;
  const s = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const out = scale > 0 ? `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}` : s;
  return neg ? `-${out}` : out;
}

// ---- date ----

/** "1969-07-20" → -165 (days since epoch); null when not a real calendar date (2023-02-30). */
export function parseDate(text: string): number | null {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return Math.round(back.getTime() / DAY_MS);
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const dateCache = new Map<number, string>();

export function formatDate(days: number): string {
  // Writers format the same few thousand days millions of times: a bounded cache.
  let s = dateCache.get(days);
  if (s === undefined) {
    if (dateCache.size > 65_536) dateCache.clear();
    dateCache.set(days, (s = civilDate(days)));
  }
  return s;
}

/** Days since 1970-01-01 → YYYY-MM-DD in the proleptic Gregorian calendar (H. Hinnant's civil_from_days). */
function civilDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const ys = y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
  return `${ys}-${PAD2[m]}-${PAD2[d]}`;
}

// ---- time ----

/** "13:45:00.123456" → units since midnight. */
export function parseTime(text: string, unit: TimeUnit): bigint | null {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text);
  if (!m) return null;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return null;
  const frac = (m[4] ?? '').padEnd(9, '0');
  const ns = BigInt(frac);
  const perSec = UNITS_PER_SECOND[unit];
  if (ns % (1_000_000_000n / perSec) !== 0n) return null;
  return BigInt(h * 3600 + mi * 60 + s) * perSec + ns / (1_000_000_000n / perSec);
}

export function formatTime(v: bigint, unit: TimeUnit): string {
  const perSec = UNITS_PER_SECOND[unit];
  const secs = Number(v / perSec);
  const frac = v % perSec;
  const hms = [Math.floor(secs / 3600), Math.floor(secs / 60) % 60, secs % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return frac === 0n ? hms : `${hms}.${frac.toString().padStart(DIGITS[unit], '0').replace(/0+$/, '')}`;
}

// ---- timestamp ----

const TS_RE = /^(-?\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export interface ParsedTimestamp {
  /** Units since epoch: UTC-adjusted when the text had an offset, wall clock otherwise. */
  value: bigint;
  hasOffset: boolean;
}

/** "2026-03-29 01:30:00.5+01:00" → instant; without an offset → wall clock. null when not a real timestamp. */
export function parseTimestamp(text: string, unit: TimeUnit): ParsedTimestamp | null {
  const m = TS_RE.exec(text.trim());
  if (!m) return null;
  const days = parseDate(`${m[1]}-${m[2]}-${m[3]}`);
  if (days === null) return null;
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return null;
  const perSec = UNITS_PER_SECOND[unit];
  const nsFrac = BigInt((m[7] ?? '').padEnd(9, '0'));
  const step = 1_000_000_000n / perSec;
  if (nsFrac % step !== 0n) return null;
  let seconds = BigInt(days) * 86400n + BigInt(h * 3600 + mi * 60 + s);
  const off = m[8];
  if (off && off.toUpperCase() !== 'Z') {
    const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(off)!;
    const mins = Number(om[2]) * 60 + Number(om[3] ?? 0);
    seconds -= BigInt((om[1] === '-' ? -1 : 1) * mins * 60);
  }
  return { value: seconds * perSec + nsFrac / step, hasOffset: !!off };
}

/** ISO 8601: "2026-03-29T00:30:00.5Z" for UTC-adjusted, no offset for a wall-clock timestamp. A number must be an exact integer. */
export function formatTimestamp(t: bigint | number, unit: TimeUnit, tz: 'UTC' | null): string {
  if (unit !== 'ns' && (typeof t === 'number' || (t > -9_007_199_254_740_991n && t < 9_007_199_254_740_991n))) {
    // ms and us within ±2^53 (years -283,000 to 287,000 in us): exact in a double, formatted without BigInt.
    const n = Number(t);
    const perSec = unit === 'ms' ? 1000 : 1_000_000;
    const secs = Math.floor(n / perSec);
    const sub = n - secs * perSec;
    const days = Math.floor(secs / 86400);
    const rest = secs - days * 86400;
    const hms = `${PAD2[Math.floor(rest / 3600)]}:${PAD2[Math.floor(rest / 60) % 60]}:${PAD2[rest % 60]}`;
    const f = sub === 0 ? '' : `.${String(sub).padStart(unit === 'ms' ? 3 : 6, '0').replace(/0+$/, '')}`;
    return `${formatDate(days)}T${hms}${f}${tz ? 'Z' : ''}`;
  }
  const v = BigInt(t);
  const perSec = UNITS_PER_SECOND[unit];
  let secs = v / perSec;
  let frac = v % perSec;
  if (frac < 0n) {
    frac += perSec;
    secs -= 1n;
  }
  const days = Number(secs >= 0n ? secs / 86400n : -((-secs + 86399n) / 86400n));
  const rest = Number(secs - BigInt(days) * 86400n);
  const hms = [Math.floor(rest / 3600), Math.floor(rest / 60) % 60, rest % 60].map((n) => String(n).padStart(2, '0')).join(':');
  const f = frac === 0n ? '' : `.${frac.toString().padStart(DIGITS[unit], '0').replace(/0+$/, '')}`;
  return `${formatDate(days)}T${hms}${f}${tz ? 'Z' : ''}`;
}

/** Converts between units exactly where possible (to a coarser unit truncates toward -∞ only if asked). */
export function convertUnit(v: bigint, from: TimeUnit, to: TimeUnit): bigint {
  const a = UNITS_PER_SECOND[from];
  const b = UNITS_PER_SECOND[to];
  return a === b ? v : a < b ? v * (b / a) : v / (a / b);
}

export function unitsPerSecond(unit: TimeUnit): bigint {
  return UNITS_PER_SECOND[unit];
}

// ---- any value as text (CSV cells, xlsx text, database text) ----

/** The canonical text of a value: what a CSV writer puts in a cell. null stays null (the writer decides how NULL looks). */
export function valueToText(v: Value, t: LogicalType): string | null {
  if (v === null) return null;
  switch (t.kind) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'int32':
    case 'int64':
    case 'string':
    case 'json':
      return String(v);
    case 'float64':
      return formatFloat(v as number);
    case 'decimal':
      return formatDecimal(v as bigint, t.scale);
    case 'binary':
      return `\\x${Buffer.from(v as Uint8Array).toString('hex')}`;
    case 'date':
      return formatDate(v as number);
    case 'time':
      return formatTime(v as bigint, t.unit);
    case 'timestamp':
      return formatTimestamp(v as bigint, t.unit, t.tz);
    case 'list':
    case 'struct':
      return JSON.stringify(toJsonValue(v, t));
  }
}

function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/**
 * The stable JSON form (ferry preview --json, the API): int64 and decimal as strings, dates "YYYY-MM-DD",
 * timestamps ISO 8601 (with "Z" when UTC-adjusted), binary as base64, json as its text, NULL as null.
 */
export function toJsonValue(v: Value, t: LogicalType): unknown {
  if (v === null) return null;
  switch (t.kind) {
    case 'boolean':
    case 'int32':
    case 'string':
    case 'json':
      return v;
    case 'float64':
      return Number.isFinite(v as number) ? v : formatFloat(v as number);
    case 'binary':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'list':
      return (v as Value[]).map((x) => toJsonValue(x, t.of));
    case 'struct': {
      const o = v as { [k: string]: Value };
      return Object.fromEntries(t.fields.map((f) => [f.name, toJsonValue(o[f.name] ?? null, f.type)]));
    }
    default:
      return valueToText(v, t);
  }
}

export function rowToJson(row: Value[], columns: Column[]): unknown[] {
  return columns.map((c, i) => toJsonValue(row[i] ?? null, c.type));
}
