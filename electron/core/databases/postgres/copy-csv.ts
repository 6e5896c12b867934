import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { FerryError } from '../../errors';
import type { Column, LogicalType, WriteOptions } from '../../table/types';
import { valueToText } from '../../table/values';
import { converter, unescape, type Convert } from './copy-text';
import { isDecimal, isInteger, isIsoDay, isIsoTime, isSpace } from './copy-values';

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

type Rewrite = 'copy' | 'integer' | 'decimal' | 'boolean' | 'date' | 'timestamptz' | 'timestamp' | 'text' | 'slow';

function rewriteFor(t: LogicalType): Rewrite {
  switch (t.kind) {
    case 'int32':
    case 'int64':
      return 'integer';
    case 'decimal':
      return 'decimal';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'timestamp':
      return t.tz ? 'timestamptz' : 'timestamp';
    case 'string':
    case 'json':
      return 'text';
    default:
      return 'slow';
  }
}

export async function* copyTextToCsv(stream: Readable, columns: Column[], label: string, opts: WriteOptions, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const out = new CsvBytes(columns, label, opts);
  if (opts.header !== false) out.text(columns.map((c) => out.cell(c.name)).join(out.delimiter) + '\n');
  let rest: Buffer | null = null;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    signal?.throwIfAborted();
    const buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    const end = buf.lastIndexOf(10) + 1;
    // Whole rows end at a character boundary; a region with bad UTF-8 is decoded (with U+FFFD) as the writer would.
    const exact = isUtf8(buf.subarray(0, end));
    let start = 0;
    while (start < end) {
      const nl = buf.indexOf(10, start);
      out.row(buf, start, nl, exact);
      start = nl + 1;
      if (out.full()) yield out.take();
    }
    rest = end < buf.length ? buf.subarray(end) : null;
  }
  if (rest?.length) throw new FerryError('CONNECTION_LOST', `${label}: the rows ended in the middle of a row`);
  if (out.size()) yield out.take();
}

class CsvBytes {
  readonly delimiter: string;
  readonly cell: (s: string | null) => string;
  private readonly delim: number;
  private readonly rewrites: Rewrite[];
  private readonly convert: Convert[];
  private readonly types: LogicalType[];
  private readonly intDigits: number[];
  private readonly scales: number[];
  private buf = Buffer.allocUnsafeSlow(OUT_BYTES + (64 << 10));
  private at = 0;
  private rowNo = 0;

  constructor(columns: Column[], label: string, opts: WriteOptions) {
    this.delimiter = opts.delimiter ?? ',';
    this.delim = this.delimiter.charCodeAt(0);
    this.cell = csvCell(this.delimiter);
    this.rewrites = columns.map((c) => rewriteFor(c.type));
    this.convert = columns.map((c) => converter(c, label));
    this.types = columns.map((c) => c.type);
    this.intDigits = columns.map((c) => (c.type.kind === 'decimal' ? c.type.precision - c.type.scale : 0));
    this.scales = columns.map((c) => (c.type.kind === 'decimal' ? c.type.scale : 0));
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
  row(src: Buffer, start: number, end: number, exact: boolean): void {
    const n = this.rewrites.length;
    this.rowNo++;
    const delim = this.delim;
    let c = 0;
    let f = start;
    // Whether the field so far holds a byte that text cannot be copied with (quote, delimiter, CR, backslash).
    let special = false;
    for (let i = start; i <= end; i++) {
      const b = src[i];
      if (i !== end && b !== 9) {
        if (b === 34 || b === delim || b === 92 || b === 13) special = true;
        continue;
      }
      if (c >= n) throw new FerryError('INTERNAL', `row ${this.rowNo} has more fields than the query has columns`);
      if (c) this.byte(delim);
      // \N alone is NULL (an empty unquoted field); "\\N" (an escaped backslash then N) is the text \N.
      if (!(i - f === 2 && src[f] === 92 && src[f + 1] === 78)) this.field(src, f, i, c, exact, special);
      c++;
      f = i + 1;
      special = false;
    }
    if (c !== n) throw new FerryError('INTERNAL', `row ${this.rowNo} has ${c} fields, the query ${n} columns`);
    this.byte(10);
  }

  private field(src: Buffer, f: number, e: number, c: number, exact: boolean, special: boolean): void {
    const len = e - f;
    switch (exact ? this.rewrites[c] : 'slow') {
      case 'integer':
        if (isInteger(src, f, e)) return this.copy(src, f, e);
        break;
      case 'decimal':
        if (isDecimal(src, f, e, this.intDigits[c], this.scales[c])) return this.copy(src, f, e);
        break;
      case 'boolean':
        if (len === 1 && src[f] === 116) return this.copy(TRUE, 0, 4);
        if (len === 1 && src[f] === 102) return this.copy(FALSE, 0, 5);
        break;
      case 'date':
        if (len === 10 && isIsoDay(src, f)) return this.copy(src, f, e);
        break;
      case 'timestamptz':
        // "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (the session is in UTC) → "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"
        if (isIsoTime(src, f, e - 3) && src[e - 3] === 43 && src[e - 2] === 48 && src[e - 1] === 48) {
          this.copy(src, f, e - 3);
          this.buf[this.at - (e - 3 - f) + 10] = 84;
          return this.byte(90);
        }
        break;
      case 'timestamp':
        if (isIsoTime(src, f, e)) {
          this.copy(src, f, e);
          this.buf[this.at - len + 10] = 84;
          return;
        }
        break;
      case 'text':
        if (this.plainText(src, f, e, special)) return;
        break;
    }
    this.text(this.cell(valueToText(this.convert[c](unescape(src, f, e), this.rowNo), this.types[c])));
  }

  /** Text without escapes, quoted (quotes doubled) when the writer would; false when the writer's own way is needed. */
  private plainText(src: Buffer, f: number, e: number, special: boolean): boolean {
    if (f === e) {
      this.text('""');
      return true;
    }
    // Leading or trailing white space (the writer's \s, which includes non-ASCII spaces) quotes the cell.
    const first = src[f];
    const last = src[e - 1];
    if (first >= 0x80 || last >= 0x80) return false;
    let quote = isSpace(first) || isSpace(last);
    for (let i = special ? f : e; i < e; i++) {
      const b = src[i];
      if (b === 92) return false;
      if (b === 34 || b === this.delim || b === 13 || b === 10) quote = true;
    }
    if (!quote) {
      this.copy(src, f, e);
      return true;
    }
    this.room(2 * (e - f) + 2);
    const out = this.buf;
    let at = this.at;
    out[at++] = 34;
    for (let i = f; i < e; i++) {
      const b = src[i];
      out[at++] = b;
      if (b === 34) out[at++] = 34;
    }
    out[at++] = 34;
    this.at = at;
    return true;
  }

  private copy(src: Buffer, f: number, e: number): void {
    this.room(e - f);
    const out = this.buf;
    let at = this.at;
    if (e - f > 64) at += src.copy(out, at, f, e);
    else for (let i = f; i < e; i++) out[at++] = src[i];
    this.at = at;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
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
