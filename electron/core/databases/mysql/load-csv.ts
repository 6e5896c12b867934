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

function rewriteFor(t: LogicalType): Rewrite | null {
  if (t.kind === 'boolean') return (s) => (/^\s*true\s*$/i.test(s) ? '1' : /^\s*false\s*$/i.test(s) ? '0' : s);
  if (t.kind === 'timestamp') return timestampText;
  return null;
}

/** "2026-03-29T01:30:00.5+01:00" → "2026-03-29 00:30:00.5"; MySQL's own form passes as it is. */
function timestampText(s: string): string {
  // The common shapes without a parse: "YYYY-MM-DD HH:MM:SS[.f]" with no offset, +00, +00:00 or Z.
  if (s.length >= 19 && s.charCodeAt(10) === 32 && s.charCodeAt(4) === 45 && s.charCodeAt(13) === 58) {
    if (/^[\d.:\- ]+$/.test(s)) return s;
    const m = /^([\d.:\- ]+)(?:Z|\+00(?::?00)?)$/i.exec(s);
    if (m) return m[1];
  }
  const p = parseTimestamp(s, 'us');
  return p ? formatTimestamp(p.value, 'us', null).replace('T', ' ') : s;
}

/**
 * The CSV bytes as LOAD DATA will read them; `counted.rows` is the number of rows sent, and `origins`
 * their lines. Records are only ever emitted whole: an incomplete one waits for the next chunk.
 */
export async function* loadDataCsv(src: AsyncIterable<Buffer>, d: CsvDialect, types: LogicalType[], origins: RowOrigins, counted: { rows: number }): AsyncGenerator<Buffer> {
  const rewrites = types.map(rewriteFor);
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
    const out: Buffer[] = [];
    const lines: number[] = [];
    let copied = 0;
    let rec = 0;
    for (let end = scanRecord(buf, rec, eof); end !== -1; end = scanRecord(buf, rec, eof)) {
      const empty = fields === 1 && starts[0] === ends[0] && !quotes[0];
      if (header || empty) {
        header = false;
        out.push(buf.subarray(copied, rec));
        copied = end;
      } else {
        for (let c = 0; c < fields; c++) {
          const fs = starts[c];
          const fe = ends[c];
          let put: Buffer | null = null;
          if (!quotes[c] && fs === fe) put = NULL_WORD;
          else if (!quotes[c] && fe - fs === 4 && buf[fs] === 78 && buf.toString('latin1', fs, fe) === 'NULL') put = quotedNull;
          else if (rewrites[c]) {
            const text = quotes[c] ? buf.toString('utf8', fs + 1, fe - 1).split(d.quote + d.quote).join(d.quote) : buf.toString('utf8', fs, fe);
            const next = rewrites[c]!(text);
            if (next !== text) put = Buffer.from(next, 'utf8');
          }
          if (put) {
            out.push(buf.subarray(copied, fs), put);
            copied = fe;
          }
        }
        lines.push(line);
        counted.rows++;
      }
      line += spans;
      rec = end;
    }
    out.push(buf.subarray(copied, rec));
    origins.add(counted.rows - lines.length, lines.length, lines);
    carry = rec < buf.length ? buf.subarray(rec) : null;
    const joined = Buffer.concat(out);
    if (joined.length) yield joined;
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
