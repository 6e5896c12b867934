import { FerryError } from '../../errors';
import type { Batch, Column, LogicalType, Value } from '../../table/types';
import { parseDecimal, parseTime, parseTimestamp } from '../../table/values';
import { dayCache } from '../iso-cells';
import { byteReader, type ByteReader } from './copy-values';
import { rowEnd } from './copy-out';

/**
 * Rows of `COPY (...) TO STDOUT` in PostgreSQL's text format, as batches of logical values. The format is
 * simple and exact: a row per CopyData message ending in a newline, fields split by TAB, NULL as \N, and TAB,
 * newline, CR and backslash inside values written as backslash escapes. The session runs
 * with DateStyle ISO, TimeZone UTC, bytea_output hex and extra_float_digits 1 (see connector.ts), which
 * fixes what each value's text looks like.
 */
const BATCH_ROWS = 4096;

/** `frames`: runs of whole CopyData messages, one row each (copy-out.ts). */
export async function* copyTextBatches(frames: AsyncIterable<Buffer>, columns: Column[], label: string, signal?: AbortSignal): AsyncGenerator<Batch> {
  const convert = columns.map((c) => converter(c, label));
  const fast = columns.map((c) => byteReader(c.type));
  let rows: Value[][] = [];
  let rowNo = 0;
  for await (const buf of frames) {
    signal?.throwIfAborted();
    for (let p = 0; p < buf.length; ) {
      const end = rowEnd(buf, p);
      rows.push(parseRow(buf, p + 5, end, convert, fast, ++rowNo));
      p = end + 1;
      if (rows.length >= BATCH_ROWS) {
        yield { rows };
        rows = [];
      }
    }
  }
  if (rows.length) yield { rows };
}

export type Convert = (text: string, row: number) => Value;

function parseRow(buf: Buffer, start: number, end: number, convert: Convert[], fast: (ByteReader | null)[], rowNo: number): Value[] {
  const out: Value[] = new Array(convert.length);
  let c = 0;
  let f = start;
  for (let i = start; i <= end; i++) {
    if (i !== end && buf[i] !== 9) continue;
    if (c >= convert.length) throw new FerryError('INTERNAL', `row ${rowNo} has more fields than the query has columns`);
    // \N alone is NULL; "\\N" (an escaped backslash then N) is the text \N.
    if (i - f === 2 && buf[f] === 92 && buf[f + 1] === 78) out[c] = null;
    else out[c] = fast[c]?.(buf, f, i) ?? convert[c](unescape(buf, f, i), rowNo);
    c++;
    f = i + 1;
  }
  if (c !== convert.length) throw new FerryError('INTERNAL', `row ${rowNo} has ${c} fields, the query ${convert.length} columns`);
  return out;
}

const ESCAPES: Record<number, string> = { 98: '\b', 102: '\f', 110: '\n', 114: '\r', 116: '\t', 118: '\v', 92: '\\' };

export function unescape(buf: Buffer, start: number, end: number): string {
  const slash = buf.indexOf(92, start);
  if (slash === -1 || slash >= end) return buf.toString('utf8', start, end);
  // Rare (text with tabs, newlines or backslashes; bytea's \x prefix): decode, then undo the escapes.
  return buf.toString('utf8', start, end).replace(/\\(.)/gs, (_, ch: string) => ESCAPES[ch.charCodeAt(0)] ?? ch);
}

export function converter(col: Column, label: string): Convert {
  const t: LogicalType = col.type;
  const bad = (text: string, row: number): never => {
    throw new FerryError('INVALID_INPUT', `${label}, row ${row}, column '${col.name}': ${JSON.stringify(text)} cannot be read as ${t.kind}`, {
      detail: { row, column: col.name, value: text },
    });
  };
  switch (t.kind) {
    case 'boolean':
      return (s) => s === 't';
    case 'int32':
      return (s) => Number(s);
    case 'int64':
      return (s) => BigInt(s);
    case 'float64':
      return (s) => Number(s);
    case 'decimal':
      return (s, r) => parseDecimal(s, t.precision, t.scale) ?? bad(s, r);
    case 'binary':
      return (s, r) => (s.startsWith('\\x') ? new Uint8Array(Buffer.from(s.slice(2), 'hex')) : bad(s, r));
    case 'date': {
      const days = dayCache();
      return (s, r) => days(s) ?? bad(s, r);
    }
    case 'time':
      return (s, r) => parseTime(s, 'us') ?? bad(s, r);
    case 'timestamp': {
      const days = dayCache();
      return (s, r) => pgTimestamp(s, days) ?? parseTimestamp(s, 'us')?.value ?? bad(s, r);
    }
    default:
      return (s) => s;
  }
}

/**
 * PostgreSQL's own timestamp text under DateStyle ISO ("2026-03-29 00:59:59.999999+00", the offset only
 * for timestamptz), in microseconds, without a regex; anything else (BC years, infinity) → null, and the
 * general parser decides.
 */
function pgTimestamp(s: string, days: (text: string) => number | null): bigint | null {
  if (s.length < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const day = days(s.slice(0, 10));
  if (day === null) return null;
  const num = (a: number, b: number) => {
    let n = 0;
    for (let i = a; i < b; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      n = n * 10 + c;
    }
    return n;
  };
  const secs = num(11, 13) * 3600 + num(14, 16) * 60 + num(17, 19);
  let i = 19;
  let micros = 0;
  if (s.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i - start > 6) return null;
    micros = num(start, i) * 10 ** (6 - (i - start));
  }
  let offset = 0;
  if (i < s.length) {
    const sign = s.charCodeAt(i) === 45 ? -1 : s.charCodeAt(i) === 43 ? 1 : 0;
    if (!sign) return null;
    const rest = s.slice(i + 1).split(':');
    if (rest.length > 3 || rest.some((p) => p.length !== 2)) return null;
    offset = sign * ((Number(rest[0]) * 60 + Number(rest[1] ?? 0)) * 60 + Number(rest[2] ?? 0));
  }
  if (Number.isNaN(secs) || Number.isNaN(micros) || Number.isNaN(offset)) return null;
  return BigInt(day * 86400 + secs - offset) * 1_000_000n + BigInt(micros);
}
