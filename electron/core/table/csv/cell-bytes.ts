import { isFixedWidth } from '../columns';
import type { ColumnVector, LogicalType, Value } from '../types';
import { writeUtf8 } from '../utf8';
import { formatDate, formatDecimal, formatTimestamp, valueToText } from '../values';

/** How many days CsvOut.date keeps the text of. */
const DATE_SPAN = 1 << 16;

/**
 * CSV cells written straight into UTF-8 bytes: integers, decimals, dates and timestamps from their numbers
 * digit by digit, text from its characters, with no string made per cell. The strings (a few million per
 * million rows) were most of what the CSV writer's collector had to trace. The bytes are exactly the text
 * of values.ts (formatDecimal, formatDate, formatTimestamp, valueToText) and the writer's quoting rule;
 * test/table/csv-cells.test.ts compares them value by value.
 */
export class CsvOut {
  buf: Uint8Array;
  at = 0;
  private dateBase: number | null = null;
  private dateTable: Uint8Array | null = null;

  constructor(private readonly size: number) {
    this.buf = new Uint8Array(size);
  }

  /** The bytes so far, handed over whole: writing goes on in a new buffer. */
  take(): Uint8Array {
    const bytes = this.buf.subarray(0, this.at);
    this.buf = new Uint8Array(this.size);
    this.at = 0;
    return bytes;
  }

  /** Room for n more bytes. */
  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  text(s: string): void {
    this.room(s.length * 3);
    this.at = writeUtf8(s, this.buf, this.at);
  }

  /** A safe integer's digits. */
  int(n: number): void {
    this.room(24);
    const buf = this.buf;
    if (n < 0) {
      buf[this.at++] = 45;
      n = -n;
    }
    let end = this.at + digitCount(n);
    this.at = end;
    do {
      const q = Math.floor(n / 10);
      buf[--end] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /** `width` digits of a non-negative integer, zero-padded. */
  private padded(n: number, width: number): void {
    const buf = this.buf;
    let end = this.at + width;
    this.at = end;
    for (let k = 0; k < width; k++) {
      const q = Math.floor(n / 10);
      buf[--end] = 48 + (n - q * 10);
      n = q;
    }
  }

  /** formatDecimal of an exact unscaled integer. */
  decimal(unscaled: number, scale: number): void {
    if (scale === 0) return this.int(unscaled);
    this.room(26 + scale);
    if (unscaled < 0) {
      this.buf[this.at++] = 45;
      unscaled = -unscaled;
    }
    const p = 10 ** scale;
    const whole = Math.floor(unscaled / p);
    if (!Number.isSafeInteger(p) || whole * p > unscaled) return this.text(formatDecimal(BigInt(unscaled), scale));
    this.int(whole);
    this.buf[this.at++] = 46;
    this.padded(unscaled - whole * p, scale);
  }

  /**
   * formatDate's text. Its 10 bytes are kept in a table of the 65536 days (about 180 years) around the
   * first date written: a file has a few thousand days written millions of times, and copying them from
   * an index costs less than a cache lookup and a string copy (measured on 1M rows with a date and a
   * timestamp column: about 60 ms instead of 80-90; formatting each date digit by digit was 160).
   */
  date(days: number): void {
    if (this.dateBase === null) this.dateBase = days - DATE_SPAN / 2;
    const k = days - this.dateBase;
    if (!(k >= 0 && k < DATE_SPAN)) return this.text(formatDate(days));
    this.dateTable ??= new Uint8Array(DATE_SPAN * 10);
    const table = this.dateTable;
    const from = k * 10;
    if (table[from] === 0) {
      const s = formatDate(days);
      if (s.length !== 10) return this.text(s);
      for (let j = 0; j < 10; j++) table[from + j] = s.charCodeAt(j);
    }
    this.room(10);
    const buf = this.buf;
    const at = this.at;
    for (let j = 0; j < 10; j++) buf[at + j] = table[from + j];
    this.at = at + 10;
  }

  /** formatTimestamp of a ms or us count held exactly in a double. */
  timestamp(n: number, unit: 'ms' | 'us', tz: 'UTC' | null): void {
    const perSec = unit === 'ms' ? 1000 : 1_000_000;
    const secs = Math.floor(n / perSec);
    let sub = n - secs * perSec;
    const days = Math.floor(secs / 86400);
    const rest = secs - days * 86400;
    this.date(days);
    this.room(20);
    const buf = this.buf;
    buf[this.at++] = 84;
    this.padded(Math.floor(rest / 3600), 2);
    buf[this.at++] = 58;
    this.padded(Math.floor(rest / 60) % 60, 2);
    buf[this.at++] = 58;
    this.padded(rest % 60, 2);
    if (sub !== 0) {
      // The fraction without its trailing zeros.
      let width = unit === 'ms' ? 3 : 6;
      while (sub % 10 === 0) {
        sub /= 10;
        width--;
      }
      buf[this.at++] = 46;
      this.padded(sub, width);
    }
    if (tz) buf[this.at++] = 90;
  }

  /**
   * Text as a CSV cell: "" for the empty string, quoted (quotes doubled) when it holds the delimiter, a
   * quote or a line break or starts or ends with white space (the JavaScript \s the writer's rule uses).
   */
  cell(s: string, delim: number): void {
    const n = s.length;
    this.room(2 * n + 2);
    const buf = this.buf;
    const at = this.at;
    // Most cells are ASCII, copied in the same pass that checks them: quoted from the start when they
    // begin or end with white space; else unquoted until a quote, the delimiter or a line break, where the
    // bytes so far move up one for the opening quote.
    let quote = n === 0 || isJsSpace(s.charCodeAt(0)) || isJsSpace(s.charCodeAt(n - 1));
    let w = quote ? at + 1 : at;
    let i = 0;
    for (; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch >= 0x80) break;
      if (ch === 34 || ch === delim || ch === 10 || ch === 13) {
        if (!quote) {
          buf.copyWithin(at + 1, at, w);
          w++;
          quote = true;
        }
        if (ch === 34) buf[w++] = 34;
      }
      buf[w++] = ch;
    }
    if (i === n) {
      if (quote) {
        buf[at] = 34;
        buf[w++] = 34;
      }
      this.at = w;
      return;
    }
    // Not ASCII: written as UTF-8 text, quoted by the same rule.
    for (let k = i; k < n && !quote; k++) {
      const ch = s.charCodeAt(k);
      quote = ch === 34 || ch === delim || ch === 10 || ch === 13;
    }
    this.text(quote ? `"${s.replace(/"/g, '""')}"` : s);
  }

  /**
   * cell() of the text whose UTF-8 bytes are src[s, e), copied: the quoting rule looks only at ASCII
   * characters (a UTF-8 sequence's bytes are all 0x80 and up) except for white space at either end, so a
   * value that starts or ends with a non-ASCII character goes through cell() as its string.
   */
  utf8Cell(src: Uint8Array, s: number, e: number, delim: number): void {
    const n = e - s;
    if (n > 0 && (src[s] >= 0x80 || src[e - 1] >= 0x80)) return this.cell(Buffer.from(src.buffer, src.byteOffset, src.byteLength).toString('utf8', s, e), delim);
    this.room(2 * n + 2);
    const buf = this.buf;
    const at = this.at;
    let quote = n === 0 || isJsSpace(src[s]) || isJsSpace(src[e - 1]);
    let w = quote ? at + 1 : at;
    for (let i = s; i < e; i++) {
      const ch = src[i];
      if (ch === 34 || ch === delim || ch === 10 || ch === 13) {
        if (!quote) {
          buf.copyWithin(at + 1, at, w);
          w++;
          quote = true;
        }
        if (ch === 34) buf[w++] = 34;
      }
      buf[w++] = ch;
    }
    if (quote) {
      buf[at] = 34;
      buf[w++] = 34;
    }
    this.at = w;
  }
}

function digitCount(n: number): number {
  let k = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    k++;
  }
  return k;
}

/** The characters JavaScript's \s matches. */
function isJsSpace(c: number): boolean {
  if (c < 0x80) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

export type CellWriter = (i: number) => void;

/**
 * Writes row i of a column as its CSV cell. `checked`: whether the type's text may need quotes (always for
 * text; for numbers, dates and timestamps only under an unusual delimiter).
 */
export function cellWriter(out: CsvOut, v: ColumnVector, t: LogicalType, delim: number, checked: boolean): CellWriter {
  const generic = (x: Value) => {
    const s = valueToText(x, t);
    if (s === null) return;
    if (checked) out.cell(s, delim);
    else out.text(s);
  };
  if (v.kind === 'numbers') {
    const { values, nulls } = v;
    const write = checked ? (i: number) => generic(numberValue(values[i], t)) : numberWriter(out, values, t);
    return nulls ? (i) => (nulls[i] ? undefined : write(i)) : write;
  }
  if (v.text && delim < 0x80 && (t.kind === 'string' || t.kind === 'json')) {
    const { bytes, starts, ends } = v.text;
    return (i) => {
      const s = starts[i];
      if (s >= 0) out.utf8Cell(bytes, s, ends[i], delim);
    };
  }
  const values = v.values;
  if (t.kind === 'string' || t.kind === 'json') {
    return (i) => {
      const x = values[i];
      if (x === null || x === undefined) return;
      if (typeof x === 'string') out.cell(x, delim);
      else generic(x);
    };
  }
  if (!checked && isFixedWidth(t)) {
    // Values of the row form (bigints for int64-like types): written from their numbers when exact.
    const num = numberWriter(out, null, t);
    return (i) => {
      const x = values[i];
      if (x === null || x === undefined) return;
      // Number() of a bigint is exact exactly when it lands on a safe integer.
      if (typeof x === 'bigint') {
        const n = Number(x);
        if (Number.isSafeInteger(n)) num(n);
        else generic(x);
      } else if (typeof x === 'number') num(x);
      else if (typeof x === 'boolean') num(x ? 1 : 0);
      else generic(x);
    };
  }
  return (i) => {
    const x = values[i];
    if (x !== null && x !== undefined) generic(x);
  };
}

/** A 'numbers' value as the row form's Value. */
function numberValue(x: number, t: LogicalType): Value {
  if (t.kind === 'boolean') return x !== 0;
  if (t.kind === 'int64' || t.kind === 'decimal' || t.kind === 'time' || t.kind === 'timestamp') return BigInt(x);
  return x;
}

/** Writes a number of a fixed-width type (from `values[i]`, or the number itself when values is null). */
function numberWriter(out: CsvOut, values: Float64Array | null, t: LogicalType): (i: number) => void {
  const at = values ? (i: number) => values[i] : (n: number) => n;
  switch (t.kind) {
    case 'int32':
    case 'int64':
      return (i) => out.int(at(i));
    case 'decimal': {
      const scale = t.scale;
      return (i) => out.decimal(at(i), scale);
    }
    case 'date':
      return (i) => out.date(at(i));
    case 'boolean':
      return (i) => out.text(at(i) !== 0 ? 'true' : 'false');
    case 'timestamp': {
      const { unit, tz } = t;
      if (unit === 'ns') return (i) => out.text(formatTimestamp(at(i), unit, tz));
      return (i) => out.timestamp(at(i), unit, tz);
    }
    default:
      return (i) => out.text(valueToText(t.kind === 'float64' ? at(i) : BigInt(at(i)), t)!);
  }
}
