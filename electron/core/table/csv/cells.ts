import { NumberColumnBuilder, isFixedWidth } from '../columns';
import type { ColumnVector, LogicalType, Value } from '../types';
import { unitsPerSecond } from '../values';
import { parseCell, type InferOptions } from './infer';

/**
 * Text cells straight into column vectors (columns.ts), the CSV reader's hot loop. Each type has a fast
 * path for the plain shape that most files use ("12345", "12.30", "2026-03-29", "2026-03-29 01:30:00Z"),
 * computed on character codes into a double without a regex, a BigInt or a string copy; any other shape
 * goes through parseCell (infer.ts), the one definition of what a cell means, so both paths agree on every
 * value and every error (the fast paths only say "don't know" and never decide a value parseCell would refuse).
 */
export interface CellColumn {
  /** The cell text[start, end) (the tokenizer's range, no string of its own yet). Throws CellError for a bad value. */
  push(text: string, start: number, end: number, quoted: boolean): void;
  /** The row is short of this field (a ragged row): NULL. */
  pushMissing(): void;
  finish(): ColumnVector;
}

/** text[start, end) as a string of its own (the whole of `text` is not copied). */
const sub = (text: string, start: number, end: number): string => (start === 0 && end === text.length ? text : text.slice(start, end));

export function cellColumn(type: LogicalType, capacity: number, opts: InferOptions): CellColumn {
  if (!isFixedWidth(type)) return new ValueColumn(type, opts);
  return new NumberColumn(type, capacity, opts, fastParser(type, opts));
}

class ValueColumn implements CellColumn {
  private values: Value[] = [];

  constructor(
    private readonly type: LogicalType,
    private readonly opts: InferOptions,
  ) {}

  push(text: string, start: number, end: number, quoted: boolean): void {
    if (this.type.kind === 'string') this.values.push(end === start && !quoted ? null : sub(text, start, end));
    else this.values.push(parseCell(sub(text, start, end), quoted, this.type, this.opts));
  }

  pushMissing(): void {
    this.values.push(null);
  }

  finish(): ColumnVector {
    return { kind: 'values', values: this.values };
  }
}

/** The number in s[i, n), or undefined when it is not of the plain shape (then parseCell decides). */
type Fast = (s: string, i: number, n: number) => number | undefined;

class NumberColumn implements CellColumn {
  private b: NumberColumnBuilder;

  constructor(
    private readonly type: LogicalType,
    capacity: number,
    private readonly opts: InferOptions,
    private readonly fast: Fast | null,
  ) {
    this.b = new NumberColumnBuilder(type, capacity);
  }

  push(text: string, start: number, end: number, quoted: boolean): void {
    if (end === start) return this.b.pushNull();
    const n = this.fast?.(text, start, end);
    if (n !== undefined) this.b.pushNumber(n);
    else this.b.pushValue(parseCell(sub(text, start, end), quoted, this.type, this.opts));
  }

  pushMissing(): void {
    this.b.pushNull();
  }

  finish(): ColumnVector {
    return this.b.finish();
  }
}

function fastParser(t: LogicalType, opts: InferOptions): Fast | null {
  switch (t.kind) {
    case 'boolean':
      return (s, i, n) => (n - i === 4 && s.startsWith('true', i) ? 1 : n - i === 5 && s.startsWith('false', i) ? 0 : undefined);
    case 'int32':
      return (s, i, n) => {
        const v = fastInteger(s, i, n);
        return v !== undefined && v <= 2_147_483_647 && v >= -2_147_483_648 ? v : undefined;
      };
    case 'int64':
      return fastInteger;
    case 'decimal': {
      const sep = opts.decimalComma ? 44 : 46;
      const bound = 10 ** t.precision;
      const scale = 10 ** t.scale;
      return (s, i, n) => fastDecimal(s, i, n, sep, t.scale, scale, bound);
    }
    case 'date':
      return fastDate;
    case 'timestamp': {
      const perSec = Number(unitsPerSecond(t.unit));
      const utc = t.tz !== null;
      return (s, i, n) => fastTimestamp(s, i, n, perSec, utc);
    }
    default:
      return null; // float64 and time: parseCell is cheap enough or rare
  }
}

const digit = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
};

/** "-123": up to 15 digits (exact in a double), no leading zero, no spaces. */
function fastInteger(s: string, i: number, n: number): number | undefined {
  const c0 = s.charCodeAt(i);
  const neg = c0 === 45;
  if (neg || c0 === 43) i++;
  if (i === n || n - i > 15 || (s.charCodeAt(i) === 48 && n - i > 1)) return undefined;
  let v = 0;
  for (; i < n; i++) {
    const d = digit(s, i);
    if (d < 0) return undefined;
    v = v * 10 + d;
  }
  return neg ? 0 - v : v;
}

/** "-12.3" as its unscaled value: at most 15 significant digits in all, no more decimals than the scale. */
function fastDecimal(s: string, i: number, n: number, sep: number, scaleDigits: number, scale: number, bound: number): number | undefined {
  const c0 = s.charCodeAt(i);
  const neg = c0 === 45;
  if (neg || c0 === 43) i++;
  const first = i;
  let int = 0;
  let intDigits = 0;
  for (; i < n; i++) {
    const d = digit(s, i);
    if (d < 0) break;
    int = int * 10 + d;
    if (int > 0) intDigits++;
  }
  let sawDigit = i > first;
  let frac = 0;
  let fracDigits = 0;
  if (i < n) {
    if (s.charCodeAt(i) !== sep) return undefined;
    for (i++; i < n; i++) {
      const d = digit(s, i);
      if (d < 0) return undefined;
      frac = frac * 10 + d;
      fracDigits++;
    }
    sawDigit ||= fracDigits > 0;
  }
  if (!sawDigit || fracDigits > scaleDigits || intDigits + scaleDigits > 15) return undefined;
  const v = int * scale + frac * 10 ** (scaleDigits - fracDigits);
  if (v >= bound) return undefined;
  return neg ? 0 - v : v;
}

/** "YYYY-MM-DD" with a four-digit year: days since 1970-01-01 (H. Hinnant's days_from_civil). */
function fastDate(s: string, i: number, n: number): number | undefined {
  if (n - i !== 10) return undefined;
  return dateAt(s, i);
}

/** "YYYY-MM-DD" at s[o, o + 10). */
function dateAt(s: string, o: number): number | undefined {
  if (s.charCodeAt(o + 4) !== 45 || s.charCodeAt(o + 7) !== 45) return undefined;
  const y = two(s, o) * 100 + two(s, o + 2);
  const m = two(s, o + 5);
  const d = two(s, o + 8);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

/** Two digits at i as a number, or a negative number when they are not digits. */
function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1000 : a * 10 + b;
}

function daysIn(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * "YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|±HH[:MM]]" in units since the epoch, when it fits a double exactly
 * and its having an offset matches the column (else parseCell explains).
 */
function fastTimestamp(s: string, o: number, n: number, perSec: number, utc: boolean): number | undefined {
  if (n - o < 19) return undefined;
  const sep = s.charCodeAt(o + 10);
  if ((sep !== 84 && sep !== 32) || s.charCodeAt(o + 13) !== 58 || s.charCodeAt(o + 16) !== 58) return undefined;
  const days = dateAt(s, o);
  const h = two(s, o + 11);
  const mi = two(s, o + 14);
  const sec = two(s, o + 17);
  if (days === undefined || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  let i = o + 19;
  let fracUnits = 0;
  // Within the field only: the text after it (a delimiter, maybe a comma) is not part of it.
  const c = i < n ? s.charCodeAt(i) : -1;
  if (c === 46 || c === 44) {
    let ns = 0;
    let k = 0;
    for (i++; i < n; i++, k++) {
      const d = digit(s, i);
      if (d < 0) break;
      ns = ns * 10 + d;
    }
    if (k === 0 || k > 9) return undefined;
    ns *= 10 ** (9 - k);
    const step = 1e9 / perSec;
    if (ns % step !== 0) return undefined;
    fracUnits = ns / step;
  }
  let offset = 0;
  let hasOffset = false;
  if (i < n) {
    const z = s.charCodeAt(i);
    if (z === 90 && i + 1 === n) hasOffset = true;
    else if (z === 43 || z === 45) {
      const oh = two(s, i + 1);
      let om = 0;
      if (i + 3 === n) om = 0;
      else if (i + 6 === n && s.charCodeAt(i + 3) === 58) om = two(s, i + 4);
      else if (i + 5 === n) om = two(s, i + 3);
      else return undefined;
      if (oh < 0 || om < 0) return undefined;
      offset = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60;
      hasOffset = true;
    } else return undefined;
  }
  if (hasOffset !== utc) return undefined;
  const whole = (days * 86400 + h * 3600 + mi * 60 + sec - offset) * perSec;
  const v = whole + fracUnits;
  return Number.isSafeInteger(whole) && Number.isSafeInteger(v) ? v : undefined;
}
