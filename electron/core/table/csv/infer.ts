import type { LogicalType, TimeUnit, Value } from '../types';
import { parseDate, parseDecimal, parseTime, parseTimestamp } from '../values';

/**
 * Type inference for text columns (CSV now; JSON strings and database loads later), over a sample of a
 * column's non-NULL values. The rule, in order — the first type every sampled value fits:
 *
 *   boolean     true / false, any case (not 0/1 or yes/no: those are as often codes)
 *   int32       integers within ±2^31, no leading zeros
 *   int64       integers within ±2^63, no leading zeros (exact: bigint, never a float)
 *   decimal     digits with one '.' (or ',' when the file is ';'-delimited: a decimal comma), exact;
 *               scale = the most decimals seen, precision 18 when it fits, else 38; more than 38 digits → string
 *   float64     exponent notation (1e5, 2.5E-3), NaN, Infinity
 *   date        YYYY-MM-DD, a real calendar date
 *   time        HH:MM[:SS[.fraction]]
 *   timestamp   YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|±HH[:MM]]; unit us, or ns when a value has more than 6
 *               fractional digits; with time zone UTC when every value has an offset, none when none has;
 *               a mix → string
 *   string      anything else
 *
 * Leading zeros make a column text ("007", "00123": codes, not numbers); "0" and "0.5" are numbers.
 * An empty column (all NULL) is string.
 */
export interface InferOptions {
  decimalComma?: boolean;
}

const INT_RE = /^[+-]?(0|[1-9]\d*)$/;
const DEC_RE = /^[+-]?(0|[1-9]\d*)?\.(\d+)$/;
const DEC_COMMA_RE = /^[+-]?(0|[1-9]\d*),(\d+)$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$|^[+-]?(NaN|Infinity|inf)$/i;
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MAX = 2n ** 63n - 1n;

type Candidate = 'boolean' | 'int32' | 'int64' | 'decimal' | 'float64' | 'date' | 'time' | 'timestamp';
const LADDER: Candidate[] = ['boolean', 'int32', 'int64', 'decimal', 'float64', 'date', 'time', 'timestamp'];

export function inferColumnType(samples: Array<string | null>, opts: InferOptions = {}): LogicalType {
  const alive = new Set<Candidate>(LADDER);
  let scale = 0;
  let digits = 0;
  let ns = false;
  let withOffset = 0;
  let withoutOffset = 0;
  let seen = 0;
  let exponent = false;
  for (const raw of samples) {
    if (raw === null) continue;
    const v = raw.trim();
    if (v === '') continue;
    seen++;
    if (alive.has('boolean') && !/^(true|false)$/i.test(v)) alive.delete('boolean');
    const isInt = INT_RE.test(v);
    if (alive.has('int32') || alive.has('int64')) {
      if (!isInt) {
        alive.delete('int32');
        alive.delete('int64');
      }
      else {
        const n = BigInt(v);
        if (n > INT32_MAX || n < -INT32_MAX - 1n) alive.delete('int32');
        if (n > INT64_MAX || n < -INT64_MAX - 1n) alive.delete('int64');
      }
    }
    if (alive.has('decimal')) {
      const m = isInt ? null : (opts.decimalComma ? DEC_COMMA_RE : DEC_RE).exec(v);
      if (isInt) digits = Math.max(digits, v.replace(/^[+-]/, '').length);
      else if (m) {
        scale = Math.max(scale, m[2].length);
        digits = Math.max(digits, (m[1] ?? '').length);
      } else alive.delete('decimal');
    }
    if (alive.has('float64')) {
      if (FLOAT_RE.test(v)) exponent = true;
      else if (!(isInt || DEC_RE.test(v))) alive.delete('float64');
    }
    if (alive.has('date') && parseDate(v) === null) alive.delete('date');
    if (alive.has('time') && parseTime(v, 'ns') === null) alive.delete('time');
    if (alive.has('timestamp')) {
      const t = parseTimestamp(v, 'ns');
      if (!t) alive.delete('timestamp');
      else {
        if (t.hasOffset) withOffset++;
        else withoutOffset++;
        const frac = /[.,](\d+)/.exec(v.slice(10))?.[1] ?? '';
        if (frac.length > 6) ns = true;
      }
    }
    if (alive.size === 0) break;
  }
  if (seen === 0) return { kind: 'string' };
  for (const c of LADDER) {
    if (!alive.has(c)) continue;
    switch (c) {
      case 'decimal': {
        // The widest integer part plus the most decimals seen.
        const precision = Math.max(digits, 1) + scale;
        if (precision > 38) continue;
        return { kind: 'decimal', precision: precision <= 18 ? 18 : 38, scale };
      }
      case 'float64':
        // Only where a value is written as a float (1e5, NaN): plain digits stay exact (decimal) or text.
        if (!exponent) continue;
        return { kind: 'float64' };
      case 'time':
        return { kind: 'time', unit: 'us' };
      case 'timestamp': {
        if (withOffset && withoutOffset) return { kind: 'string' };
        const unit: TimeUnit = ns ? 'ns' : 'us';
        return { kind: 'timestamp', unit, tz: withOffset ? 'UTC' : null };
      }
      default:
        return { kind: c };
    }
  }
  return { kind: 'string' };
}

export class CellError extends Error {}

/**
 * A text cell as a value of its column's type. `quoted` follows PostgreSQL COPY: an unquoted empty field
 * is NULL, a quoted empty one the empty string (for a string column; for other types, NULL too).
 * Throws CellError when the text is not a value of the type.
 */
export function parseCell(text: string | null, quoted: boolean, type: LogicalType, opts: InferOptions = {}): Value {
  if (text === null) return null;
  if (type.kind === 'string') return text === '' && !quoted ? null : text;
  const v = text.trim();
  if (v === '') return null;
  switch (type.kind) {
    case 'boolean':
      if (/^true$/i.test(v)) return true;
      if (/^false$/i.test(v)) return false;
      break;
    case 'int32':
    case 'int64':
      if (INT_RE.test(v)) {
        const n = BigInt(v);
        if (type.kind === 'int64' ? n <= INT64_MAX && n >= -INT64_MAX - 1n : n <= INT32_MAX && n >= -INT32_MAX - 1n) return type.kind === 'int64' ? n : Number(n);
      }
      break;
    case 'decimal': {
      const d = parseDecimal(v, type.precision, type.scale, opts.decimalComma);
      if (d !== null) return d;
      break;
    }
    case 'float64': {
      const n = /^[+-]?inf$/i.test(v) ? (v.startsWith('-') ? -Infinity : Infinity) : Number(v);
      if (!Number.isNaN(n) || /nan/i.test(v)) return n;
      break;
    }
    case 'date': {
      const d = parseDate(v);
      if (d !== null) return d;
      break;
    }
    case 'time': {
      const t = parseTime(v, type.unit);
      if (t !== null) return t;
      break;
    }
    case 'timestamp': {
      const t = parseTimestamp(v, type.unit);
      if (t && t.hasOffset === (type.tz !== null)) return t.value;
      break;
    }
    case 'json':
      return text;
    default:
      break;
  }
  throw new CellError(`"${text.length > 60 ? text.slice(0, 57) + '...' : text}" is not a ${type.kind === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.kind}`);
}
