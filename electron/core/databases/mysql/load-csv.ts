import type { CsvDialect, LogicalType } from '../../table/types';
import { formatTimestamp, parseTimestamp } from '../../table/values';
import type { LoadInput } from '../types';
import type { RowOrigins } from './load-encode';

/**
 * The bulk path's fast lane: a CSV file's own bytes into `LOAD DATA … FIELDS TERMINATED BY d OPTIONALLY
 * ENCLOSED BY q ESCAPED BY ''`, so the server parses the CSV itself (as the mariadb client's LOAD DATA
 * does) instead of Ferry decoding and re-encoding every value. The bytes pass through one scan that
 * touches only what MySQL would read differently from Ferry's reader:
 * - an unquoted empty field is NULL to Ferry (PostgreSQL's CSV rule) and '' to MySQL: it becomes the word
 *   NULL, which MySQL reads as NULL; an unquoted NULL in the file is text to Ferry, so it is quoted;
 * - booleans (true/false) become 1/0; timestamps become UTC wall-clock text ("…+02:00" and "…Z" are not
 *   MySQL syntax); the header, a BOM and empty lines are dropped (the reader skips them too).
 * It also records each row's first line in the file, so an error names the line, not the row.
 */

/** The dialect when the file can go this way: UTF-8, one-byte delimiter and quote, quotes doubled, \n or \r\n lines. */
export function passThrough(input: LoadInput): CsvDialect | null {
  const d = input.csv?.dialect;
  if (!d || d.encoding !== 'utf-8' || d.decimalComma || (d.bom && !d.header)) return null;
  if (d.delimiter.length !== 1 || d.quote.length !== 1 || d.escape !== d.quote || d.delimiter.charCodeAt(0) > 127 || d.quote.charCodeAt(0) > 127) return null;
  if (d.lineEnding !== '\n' && d.lineEnding !== '\r\n') return null;
  const fits = (t: LogicalType) => !['binary', 'list', 'struct'].includes(t.kind) && !(t.kind === 'timestamp' && t.unit === 'ns');
  return input.schema.columns.every((c) => fits(c.type)) ? d : null;
}

const NL = 10;
const CR = 13;
const NULL_WORD = Buffer.from('NULL');
const QUOTED_NULL = (q: string) => Buffer.from(`${q}NULL${q}`);

type Rewrite = (text: string) => string;

/** What the scan does with a column's unquoted values before its string rewrite (the common shapes, byte by byte). */
const enum Lane {
  Copy,
  Boolean,
  Timestamp,
}

function rewriteFor(t: LogicalType): Rewrite | null {
  if (t.kind === 'boolean') return (s) => (/^\s*true\s*$/i.test(s) ? '1' : /^\s*false\s*$/i.test(s) ? '0' : s);
  if (t.kind === 'timestamp') return timestampText;
  return null;
}

const laneFor = (t: LogicalType): Lane => (t.kind === 'boolean' ? Lane.Boolean : t.kind === 'timestamp' ? Lane.Timestamp : Lane.Copy);

/** MySQL's own timestamp form, "YYYY-MM-DD HH:MM:SS" with an optional fraction. */
const MYSQL_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?$/;
const UTC_SUFFIX = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)(?:Z|\+00(?::?00)?)$/i;

/** "2026-03-29T01:30:00.5+01:00" → "2026-03-29 00:30:00.5"; MySQL's own form passes as it is. */
function timestampText(s: string): string {
  if (MYSQL_TIMESTAMP.test(s)) return s;
  const m = UTC_SUFFIX.exec(s);
  if (m) return m[1];
  const p = parseTimestamp(s, 'us');
  return p ? formatTimestamp(p.value, 'us', null).replace('T', ' ') : s;
}

const isDigit = (b: number) => b >= 48 && b <= 57;

/**
 * Where MySQL's text of the timestamp at [fs, fe) ends: fe when it is MySQL's own form already, the start
 * of a UTC suffix (Z, +00, +00:00, +0000) to drop, or -1 for any other shape (the string rewrite's way).
 */
function utcWallClockEnd(b: Buffer, fs: number, fe: number): number {
  if (fe - fs < 19) return -1;
  for (let i = 0; i < 19; i++) {
    const c = b[fs + i];
    const want = i === 4 || i === 7 ? 45 : i === 10 ? 32 : i === 13 || i === 16 ? 58 : -1;
    if (want === -1 ? !isDigit(c) : c !== want) return -1;
  }
  let i = fs + 19;
  if (b[i] === 46 && i + 1 < fe && isDigit(b[i + 1])) for (i += 2; i < fe && isDigit(b[i]); i++);
  const rest = fe - i;
  if (rest === 0) return fe;
  if (rest === 1 && (b[i] === 90 || b[i] === 122)) return i;
  if (b[i] !== 43 || b[i + 1] !== 48 || b[i + 2] !== 48) return -1;
  if (rest === 3) return i;
  if (rest === 5 && b[i + 3] === 48 && b[i + 4] === 48) return i;
  if (rest === 6 && b[i + 3] === 58 && b[i + 4] === 48 && b[i + 5] === 48) return i;
  return -1;
}

/**
 * An unquoted boolean's byte for MySQL: "1" for true, "0" for false (lower case, as Ferry's writer and most
 * exports write them), -1 for anything else (the string rewrite's way: other cases, spaces).
 */
function booleanByte(b: Buffer, fs: number, fe: number): number {
  const n = fe - fs;
  if (n === 4 && b[fs] === 116 && b[fs + 1] === 114 && b[fs + 2] === 117 && b[fs + 3] === 101) return 49;
  if (n === 5 && b[fs] === 102 && b[fs + 1] === 97 && b[fs + 2] === 108 && b[fs + 3] === 115 && b[fs + 4] === 101) return 48;
  return -1;
}

/**
 * The bytes a chunk becomes, written into one buffer: the scan copies the runs between the values it
 * changes instead of collecting a slice per value (millions of small Buffers were most of a load's time,
 * in the garbage collector).
 */
class ByteWriter {
  buf: Buffer;
  at = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  /** src[from, to) */
  copy(src: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.room(n);
    // Buffer#copy costs about 0.2 µs a call in Node 20: a loop is faster for the short runs between values.
    if (n > 256) src.copy(this.buf, this.at, from, to);
    else for (let i = 0; i < n; i++) this.buf[this.at + i] = src[from + i];
    this.at += n;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }
  text(s: string): void {
    this.room(3 * s.length);
    this.at += this.buf.write(s, this.at, 'utf8');
  }
  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}

/**
 * The CSV bytes as LOAD DATA will read them; `counted.rows` is the number of rows sent, and `origins`
 * their lines. Records are only ever emitted whole: an incomplete one waits for the next chunk.
 */
export async function* loadDataCsv(src: AsyncIterable<Buffer>, d: CsvDialect, types: LogicalType[], origins: RowOrigins, counted: { rows: number }): AsyncGenerator<Buffer> {
  const rewrites = types.map(rewriteFor);
  const lanes = types.map(laneFor);
  const Q = d.quote.charCodeAt(0);
  const D = d.delimiter.charCodeAt(0);
  const quotedNull = QUOTED_NULL(d.quote);
  let carry: Buffer | null = null;
  let line = 1;
  let header = d.header;
  let start = true;

  // One record's fields, reused from record to record: [start, end) byte ranges, a quoted one with its quotes.
  let starts = new Int32Array(64);
  let ends = new Int32Array(64);
  let quotes = new Uint8Array(64);
  let fields = 0;
  let spans = 1;

  const scan = function* (buf: Buffer, eof: boolean): Generator<Buffer> {
    // NULL for an empty field is the one change that grows a value: room for a few per record.
    const out = new ByteWriter(buf.length + (buf.length >> 2) + 64);
    const lines: number[] = [];
    let copied = 0;
    let rec = 0;
    for (let end = scanRecord(buf, rec, eof); end !== -1; end = scanRecord(buf, rec, eof)) {
      const empty = fields === 1 && starts[0] === ends[0] && !quotes[0];
      if (header || empty) {
        header = false;
        out.copy(buf, copied, rec);
        copied = end;
      } else {
        for (let c = 0; c < fields; c++) {
          const fs = starts[c];
          const fe = ends[c];
          const quoted = quotes[c] === 1;
          if (!quoted && fs === fe) {
            out.copy(buf, copied, fs);
            out.copy(NULL_WORD, 0, NULL_WORD.length);
            copied = fe;
            continue;
          }
          if (!quoted && fe - fs === 4 && buf[fs] === 78 && buf.toString('latin1', fs, fe) === 'NULL') {
            out.copy(buf, copied, fs);
            out.copy(quotedNull, 0, quotedNull.length);
            copied = fe;
            continue;
          }
          const rewrite = c < rewrites.length ? rewrites[c] : null;
          if (!rewrite) continue;
          if (!quoted && lanes[c] === Lane.Boolean) {
            const v = booleanByte(buf, fs, fe);
            if (v !== -1) {
              out.copy(buf, copied, fs);
              out.byte(v);
              copied = fe;
              continue;
            }
          } else if (!quoted && lanes[c] === Lane.Timestamp) {
            const cut = utcWallClockEnd(buf, fs, fe);
            if (cut === fe) continue;
            if (cut !== -1) {
              out.copy(buf, copied, cut);
              copied = fe;
              continue;
            }
          }
          const text = quoted ? buf.toString('utf8', fs + 1, fe - 1).split(d.quote + d.quote).join(d.quote) : buf.toString('utf8', fs, fe);
          const next = rewrite(text);
          if (next !== text) {
            out.copy(buf, copied, fs);
            out.text(next);
            copied = fe;
          }
        }
        lines.push(line);
        counted.rows++;
      }
      line += spans;
      rec = end;
    }
    out.copy(buf, copied, rec);
    origins.add(counted.rows - lines.length, lines.length, lines);
    carry = rec < buf.length ? buf.subarray(rec) : null;
    if (out.at) yield out.buf.subarray(0, out.at);
  };

  for await (const chunk of src) {
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    if (start) {
      start = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    yield* scan(buf, false);
  }
  const rest = carry as Buffer | null;
  if (rest?.length) yield* scan(Buffer.concat([rest, Buffer.from(d.lineEnding)]), true);

  /** Scans one record from `at` into starts/ends/quotes; its end (after the newline), or -1 when incomplete. */
  function scanRecord(buf: Buffer, at: number, eof: boolean): number {
    fields = 0;
    spans = 1;
    let i = at;
    for (;;) {
      const fs = i;
      let quoted = false;
      if (buf[i] === Q) {
        quoted = true;
        i++;
        for (;;) {
          const q = buf.indexOf(Q, i);
          if (q === -1 || (q + 1 >= buf.length && !eof)) return -1;
          for (let n = buf.indexOf(NL, i); n !== -1 && n < q; n = buf.indexOf(NL, n + 1)) spans++;
          if (buf[q + 1] === Q) {
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
      }
      // To the delimiter or the end of the line (anything after a closing quote stays with the field).
      while (i < buf.length && buf[i] !== D && buf[i] !== NL) i++;
      if (i >= buf.length) return -1;
      const end = buf[i] === NL && i > fs && buf[i - 1] === CR && d.lineEnding === '\r\n' ? i - 1 : i;
      if (fields === starts.length) {
        starts = grow(starts);
        ends = grow(ends);
        quotes = grow(quotes);
      }
      starts[fields] = fs;
      ends[fields] = end;
      quotes[fields] = quoted && buf[end - 1] === Q ? 1 : 0;
      fields++;
      if (buf[i] === NL) return i + 1;
      i++;
    }
  }
}

function grow<T extends Int32Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
