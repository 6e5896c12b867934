import { isUtf8 } from 'node:buffer';
import { FerryError } from '../../errors';
import type { Column, LogicalType, WriteOptions } from '../../table/types';
import { valueToText } from '../../table/values';
import { converter, unescape, type Convert } from './copy-text';
import { isSpace } from './copy-values';
import { rowEnd } from './copy-out';

/**
 * `COPY ... TO STDOUT` text rewritten straight into the bytes Ferry's CSV writer (table/csv/writer.ts)
 * writes for the same values, without building a value per cell: the export's fast path. Under the session
 * settings of connector.ts most of PostgreSQL's text already is Ferry's text (integers, numeric(p,s),
 * ISO dates, text without escapes), so those bytes are copied; booleans and timestamps are rewritten in
 * place ("t" → "true", "2020-01-01 00:00:00+00" → "2020-01-01T00:00:00Z"). Anything else (escapes,
 * floats, BC dates, a region that is not valid UTF-8) goes the writer's own way, value by value:
 * PostgreSQL text → value → valueToText → CSV cell. test/databases/postgres-csv-export.test.ts checks the
 * bytes against the writer's on hostile data.
 */

/** Delimiters that never occur in the text of a number, date, timestamp or boolean: the copied bytes never need quotes. */
const SAFE_DELIMITERS = new Set([',', '\t', ';', '|']);
const OUT_BYTES = 1 << 20;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

/** Whether these writer options can be met by the fast path (else the caller uses the general writer). */
export function csvFastPathFits(opts: WriteOptions): boolean {
  return (opts.encoding ?? 'utf-8') === 'utf-8' && SAFE_DELIMITERS.has(opts.delimiter ?? ',');
}

/** What the writer does with one cell's text (the same rule as table/csv/writer.ts). */
function csvCell(delimiter: string): (s: string | null) => string {
  const needsQuote = new RegExp(`[${delimiter}"\\r\\n]|^\\s|\\s$`);
  return (s) => (s === null ? '' : s === '' ? '""' : needsQuote.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
}

/** How a column's text becomes CSV (small integers: the per-field switch is a jump table). */
const enum Rewrite {
  Integer,
  Decimal,
  Boolean,
  Date,
  TimestampTz,
  Timestamp,
  Text,
  Slow,
}

function rewriteFor(t: LogicalType): Rewrite {
  switch (t.kind) {
    case 'int32':
    case 'int64':
      return Rewrite.Integer;
    case 'decimal':
      return Rewrite.Decimal;
    case 'boolean':
      return Rewrite.Boolean;
    case 'date':
      return Rewrite.Date;
    case 'timestamp':
      return t.tz ? Rewrite.TimestampTz : Rewrite.Timestamp;
    case 'string':
    case 'json':
      return Rewrite.Text;
    default:
      return Rewrite.Slow;
  }
}

/** `frames`: runs of whole CopyData messages, one row each (copy-out.ts). */
export async function* copyTextToCsv(
  frames: AsyncIterable<Buffer>,
  columns: Column[],
  label: string,
  opts: WriteOptions,
  hooks: { signal?: AbortSignal; onRows?: (rows: number) => void } = {},
): AsyncGenerator<Uint8Array> {
  const out = new CsvBytes(columns, label, opts);
  if (opts.header !== false) out.text(columns.map((c) => out.cell(c.name)).join(out.delimiter) + '\n');
  for await (const buf of frames) {
    hooks.signal?.throwIfAborted();
    for (let p = 0; p < buf.length; ) {
      const end = rowEnd(buf, p);
      out.row(buf, p + 5, end);
      p = end + 1;
      if (out.full()) {
        hooks.onRows?.(out.rows);
        yield out.take();
      }
    }
  }
  hooks.onRows?.(out.rows);
  if (out.size()) yield out.take();
}

const isDigit = (b: number) => b >= 48 && b <= 57;
/** The byte after a field: TAB before the next one, the newline after the last. */
const ends = (b: number) => b === 9 || b === 10;

/**
 * The CSV bytes of COPY rows. Each field is read once, by a writer for its column's type that copies (or
 * rewrites) the bytes while checking they have the shape it knows; anything else (escapes, floats, BC
 * dates, bad UTF-8) falls back to `slow`, the writer's own way for that one field. A writer only moves
 * `at` when it succeeds, so a fallback starts from the field's first byte.
 */
class CsvBytes {
  readonly delimiter: string;
  readonly cell: (s: string | null) => string;
  private readonly delim: number;
  private readonly rewrites: Rewrite[];
  private readonly convert: Convert[];
  private readonly types: LogicalType[];
  private readonly intDigits: number[];
  private readonly scales: number[];
  /** What each byte means inside text (see the kinds below); the delimiter is one of the bytes that quote. */
  private readonly kinds: Uint8Array;
  private buf = Buffer.allocUnsafeSlow(OUT_BYTES + (64 << 10));
  private at = 0;
  /** Rows written so far. */
  rows = 0;

  constructor(columns: Column[], label: string, opts: WriteOptions) {
    this.delimiter = opts.delimiter ?? ',';
    this.delim = this.delimiter.charCodeAt(0);
    this.cell = csvCell(this.delimiter);
    this.rewrites = columns.map((c) => rewriteFor(c.type));
    this.convert = columns.map((c) => converter(c, label));
    this.types = columns.map((c) => c.type);
    this.intDigits = columns.map((c) => (c.type.kind === 'decimal' ? c.type.precision - c.type.scale : Infinity));
    this.scales = columns.map((c) => (c.type.kind === 'decimal' ? c.type.scale : 0));
    this.kinds = textKinds(this.delim);
  }

  full(): boolean {
    return this.at >= OUT_BYTES;
  }

  size(): number {
    return this.at;
  }

  /** The bytes so far, handed over whole (the consumer may hold them): writing goes on in a new buffer. */
  take(): Uint8Array {
    const chunk = this.buf.subarray(0, this.at);
    this.buf = Buffer.allocUnsafeSlow(OUT_BYTES + (64 << 10));
    this.at = 0;
    return chunk;
  }

  /** One COPY row (src[start, end), end at its newline) as one CSV record. */
  row(src: Buffer, start: number, end: number): void {
    const n = this.rewrites.length;
    this.rows++;
    // Room for the fast writers: a cell at most doubles (quotes) and grows by a few bytes (quotes, "true").
    this.room(2 * (end - start) + 8 * n + 8);
    let f = start;
    for (let c = 0; c < n; c++) {
      if (c) this.buf[this.at++] = this.delim;
      let e: number;
      // \N alone is NULL (an empty unquoted field); "\\N" (an escaped backslash then N) is the text \N.
      if (src[f] === 92 && src[f + 1] === 78 && ends(src[f + 2])) e = f + 2;
      else e = this.field(src, f, end, c);
      if (c < n - 1 ? src[e] !== 9 : e !== end) throw new FerryError('INTERNAL', `row ${this.rows} does not have the query's ${n} fields`);
      f = e + 1;
    }
    this.buf[this.at++] = 10;
  }

  /** Writes the field starting at f; returns where it ends (its TAB or the row's newline). */
  private field(src: Buffer, f: number, end: number, c: number): number {
    switch (this.rewrites[c]) {
      case Rewrite.Integer:
      case Rewrite.Decimal:
        return this.number(src, f, end, c);
      case Rewrite.Boolean: {
        const b = src[f];
        if (ends(src[f + 1]) && (b === 116 || b === 102)) {
          this.put(b === 116 ? TRUE : FALSE, 0, b === 116 ? 4 : 5);
          return f + 1;
        }
        break;
      }
      case Rewrite.Date:
        if (ends(src[f + 10]) && src[f + 4] === 45 && src[f + 7] === 45) {
          this.put(src, f, f + 10);
          return f + 10;
        }
        break;
      case Rewrite.TimestampTz: {
        // "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (the session is in UTC) → "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"
        const e = fieldEnd(src, f);
        if (src[e - 3] === 43 && src[e - 2] === 48 && src[e - 1] === 48 && isoTimeShape(src, f, e - 3)) {
          this.put(src, f, e - 3);
          this.buf[this.at - (e - 3 - f) + 10] = 84;
          this.buf[this.at++] = 90;
          return e;
        }
        break;
      }
      case Rewrite.Timestamp: {
        const e = fieldEnd(src, f);
        if (isoTimeShape(src, f, e)) {
          this.put(src, f, e);
          this.buf[this.at - (e - f) + 10] = 84;
          return e;
        }
        break;
      }
      case Rewrite.Text:
        return this.plainText(src, f, end, c);
    }
    return this.slow(src, f, end, c);
  }

  /**
   * numeric(p,s) text with exactly s decimals and at most p-s integer digits, not zero-led (so "-0.5" is
   * left to the writer's way); an integer is one with no decimals (-?[1-9][0-9]* or 0, PostgreSQL's text
   * and Ferry's). Copied as it is read.
   */
  private number(src: Buffer, f: number, end: number, c: number): number {
    const out = this.buf;
    let at = this.at;
    let i = f;
    if (src[i] === 45) out[at++] = src[i++];
    const d = i;
    let b = src[i];
    while (isDigit(b)) {
      out[at++] = b;
      b = src[++i];
    }
    const whole = i - d;
    let frac = 0;
    if (b === 46) {
      out[at++] = b;
      b = src[++i];
      while (isDigit(b)) {
        out[at++] = b;
        b = src[++i];
      }
      frac = i - d - whole - 1;
      if (frac === 0) return this.slow(src, f, end, c);
    }
    const scale = this.scales[c];
    if (!ends(b) || whole === 0 || whole > this.intDigits[c] || frac !== scale || (src[d] === 48 && (whole > 1 || d > f))) return this.slow(src, f, end, c);
    this.at = at;
    return i;
  }

  /** Text without escapes, quoted (quotes doubled) when the writer would; anything else the writer's own way. */
  private plainText(src: Buffer, f: number, end: number, c: number): number {
    const out = this.buf;
    const kinds = this.kinds;
    let at = this.at;
    let i = f;
    let b = src[i];
    if (ends(b)) {
      out[at++] = 34;
      out[at++] = 34;
      this.at = at;
      return i;
    }
    let high = false;
    for (;;) {
      const k = kinds[b];
      if (k === PLAIN || k === HIGH) {
        if (k === HIGH) high = true;
        out[at++] = b;
        b = src[++i];
      } else if (k === END) break;
      else if (k === ESCAPE) return this.slow(src, f, end, c);
      else return this.quotedText(src, f, end, c);
    }
    if (!this.plainEnds(src, f, i, high)) return this.slow(src, f, end, c);
    // Leading or trailing white space quotes the cell, as the writer's \s does.
    if (isSpace(src[f]) || isSpace(src[i - 1])) return this.quotedText(src, f, end, c);
    this.at = at;
    return i;
  }

  private quotedText(src: Buffer, f: number, end: number, c: number): number {
    const out = this.buf;
    const kinds = this.kinds;
    let at = this.at;
    out[at++] = 34;
    let i = f;
    let b = src[i];
    let high = false;
    for (;;) {
      const k = kinds[b];
      if (k === END) break;
      if (k === ESCAPE) return this.slow(src, f, end, c);
      if (k === HIGH) high = true;
      out[at++] = b;
      if (b === 34) out[at++] = 34;
      b = src[++i];
    }
    if (!this.plainEnds(src, f, i, high)) return this.slow(src, f, end, c);
    out[at++] = 34;
    this.at = at;
    return i;
  }

  /**
   * Whether text's bytes can be copied as they are: valid UTF-8 (a server in SQL_ASCII passes any bytes;
   * the writer decodes them with U+FFFD), and no non-ASCII character at either end, where the writer's
   * \s (which knows non-ASCII spaces) decides about quotes.
   */
  private plainEnds(src: Buffer, f: number, e: number, high: boolean): boolean {
    return !high || (src[f] < 0x80 && src[e - 1] < 0x80 && isUtf8(src.subarray(f, e)));
  }

  /** The writer's own way for one field: PostgreSQL text → value → valueToText → CSV cell. */
  private slow(src: Buffer, f: number, end: number, c: number): number {
    const e = fieldEnd(src, f);
    this.text(this.cell(valueToText(this.convert[c](unescape(src, f, e), this.rows), this.types[c])));
    // The cell may be longer than its bytes (U+FFFD for a bad byte, a float's digits): room for the rest again.
    this.room(2 * (end - e) + 8 * this.rewrites.length + 8);
    return e;
  }

  private put(src: Buffer, f: number, e: number): void {
    const out = this.buf;
    let at = this.at;
    if (e - f > 64) at += src.copy(out, at, f, e);
    else for (let i = f; i < e; i++) out[at++] = src[i];
    this.at = at;
  }

  text(s: string): void {
    this.room(3 * s.length);
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  /** Room for n more bytes: a field longer than the slack grows the buffer (the flush then yields it all). */
  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}

/** Bytes of COPY text, by what the CSV cell must do about them. */
const PLAIN = 0;
/** TAB or newline: the field ends. */
const END = 1;
/** A backslash escape: the writer's own way. */
const ESCAPE = 2;
/** A quote, the delimiter or CR: the cell is quoted. */
const QUOTE = 3;
/** Part of a multibyte character: checked as UTF-8 once the field is read. */
const HIGH = 4;

function textKinds(delim: number): Uint8Array {
  const k = new Uint8Array(256);
  k.fill(HIGH, 0x80);
  k[9] = END;
  k[10] = END;
  k[92] = ESCAPE;
  for (const b of [34, 13, delim]) if (k[b] === PLAIN) k[b] = QUOTE;
  return k;
}

/**
 * "YYYY-MM-DD HH:MM:SS[.f…]" as PostgreSQL writes a timestamp in the ISO DateStyle: its separators in place
 * and 1-6 decimals not ending in 0. The digits are the server's own for a value of that type, so only the
 * shape is checked: BC dates, five-digit years and infinity have another and take the writer's way.
 */
function isoTimeShape(s: Buffer, f: number, e: number): boolean {
  const len = e - f;
  if (len !== 19 && (len < 21 || len > 26 || s[f + 19] !== 46 || s[e - 1] === 48)) return false;
  return s[f + 4] === 45 && s[f + 7] === 45 && s[f + 10] === 32 && s[f + 13] === 58 && s[f + 16] === 58;
}

/** Where the field starting at f ends: its TAB, or the row's newline. */
function fieldEnd(src: Buffer, f: number): number {
  let e = f;
  while (!ends(src[e])) e++;
  return e;
}
