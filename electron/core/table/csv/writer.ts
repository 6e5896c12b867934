import iconv from 'iconv-lite';
import { FerryError } from '../../errors';
import { batchLength, columnOf, isFixedWidth, valueGetter } from '../columns';
import type { Batch, ColumnVector, LogicalType, Schema, WriteOptions } from '../types';
import { writeUtf8 } from '../utf8';
import { formatDate, formatDecimal, formatTimestamp, valueToText } from '../values';

const FLUSH_SIZE = 1 << 20;

/**
 * RFC 4180 CSV, streamed: about 1 MiB of rows at a time, encoded and yielded. NULL is an empty
 * unquoted field and the empty string is "" (so PostgreSQL's COPY and Ferry's reader tell them apart);
 * a field is quoted when it holds the delimiter, a quote, a line break, or leading or trailing spaces.
 * Records end with "\n" (what DuckDB, PostgreSQL and most tools write; every reader accepts it).
 */
export async function* writeCsv(schema: Schema, batches: AsyncIterable<Batch>, opts: WriteOptions): AsyncIterable<Uint8Array> {
  const delimiter = opts.delimiter ?? ',';
  const encode = encoder(opts.encoding ?? 'utf-8');
  const needsQuote = new RegExp(`[${escapeClass(delimiter)}"\\r\\n]|^\\s|\\s$`);
  const cell = (s: string | null) => (s === null ? '' : s === '' ? '""' : needsQuote.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const types = schema.columns.map((c) => c.type);
  // Numbers, dates and timestamps never hold a quote, a line break or spaces; only the delimiter could
  // appear in them, and only an unusual one (':' in a time, '.' or '-' in a number).
  const plainDelimiter = [',', ';', '\t', '|'].includes(delimiter);
  const checked = types.map((t) => !plainDelimiter || !isFixedWidth(t));
  const sink = opts.encoding === undefined || opts.encoding === 'utf-8' ? new Utf8Sink() : new TextSink(encode);
  if (opts.header !== false) sink.put(schema.columns.map((c) => cell(c.name)).join(delimiter) + '\n');
  let row = 0;
  const bom = encode.bom;
  if (bom) yield bom;
  for await (const batch of batches) {
    opts.signal?.throwIfAborted();
    // Column by column into cell texts (one tight loop per column), then written row by row.
    const n = batchLength(batch);
    const cells = types.map((t, c) => columnText(columnOf(batch, c), t, n, checked[c] ? cell : null));
    for (let r = 0; r < n; r++) {
      row++;
      sink.put(cells[0][r]);
      for (let c = 1; c < cells.length; c++) {
        sink.put(delimiter);
        sink.put(cells[c][r]);
      }
      sink.put('\n');
      if (sink.size >= FLUSH_SIZE) yield sink.take(row);
    }
  }
  if (sink.size) yield sink.take(row);
}

/**
 * UTF-8 output written straight into a byte buffer: building a string per ~1 MiB (a rope of every line)
 * kept those lines alive across collections, and the promoted garbage grew the heap to 200 MB.
 */
class Utf8Sink {
  private buf = new Uint8Array(FLUSH_SIZE + 64 * 1024);
  size = 0;

  put(s: string): void {
    if (this.size + s.length * 3 > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.size + s.length * 3));
      bigger.set(this.buf.subarray(0, this.size));
      this.buf = bigger;
    }
    this.size = writeUtf8(s, this.buf, this.size);
  }

  take(): Uint8Array {
    const out = this.buf.subarray(0, this.size);
    this.buf = new Uint8Array(FLUSH_SIZE + 64 * 1024);
    this.size = 0;
    return out;
  }
}

/** Other encodings: a string per ~1 MiB, encoded (and checked) as a whole. */
class TextSink {
  private text = '';

  constructor(private readonly encode: ReturnType<typeof encoder>) {}

  get size(): number {
    return this.text.length;
  }

  put(s: string): void {
    this.text += s;
  }

  take(row: number): Uint8Array {
    const out = this.encode.bytes(this.text, row);
    this.text = '';
    return out;
  }
}

/** A column's cells as text: NULL is nothing; `quote` (when the type's text may need it) quotes. */
function columnText(v: ColumnVector, t: LogicalType, n: number, quote: ((s: string | null) => string) | null): string[] {
  if (v.kind === 'numbers' && !quote) return numberText(v.values, v.nulls, t, n);
  const get = valueGetter(v, t);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = get(i);
    out[i] = x === null ? '' : quote ? quote(valueToText(x, t)) : valueToText(x, t)!;
  }
  return out;
}

/** A 'numbers' column as text straight from its doubles: no BigInt made only to be printed. */
function numberText(values: Float64Array, nulls: Uint8Array | null, t: LogicalType, n: number): string[] {
  const text = numberFormatter(t);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = nulls && nulls[i] ? '' : text(values[i]);
  return out;
}

function numberFormatter(t: LogicalType): (x: number) => string {
  switch (t.kind) {
    case 'int32':
    case 'int64':
      return String;
    case 'date':
      return formatDate;
    case 'decimal':
      return (x) => formatDecimal(x, t.scale);
    case 'timestamp':
      return (x) => formatTimestamp(x, t.unit, t.tz);
    case 'boolean':
      return (x) => (x !== 0 ? 'true' : 'false');
    default:
      return (x) => valueToText(t.kind === 'float64' ? x : BigInt(x), t)!;
  }
}

function escapeClass(s: string): string {
  return s.replace(/[\\\]^-]/g, '\\$&');
}

function encoder(encoding: string): { bom: Uint8Array | null; bytes(text: string, row: number): Uint8Array } {
  switch (encoding) {
    case 'utf-8':
      return { bom: null, bytes: (t) => Buffer.from(t, 'utf8') };
    case 'utf-16le':
      return { bom: Buffer.from([0xff, 0xfe]), bytes: (t) => Buffer.from(t, 'utf16le') };
    case 'utf-16be':
      return { bom: Buffer.from([0xfe, 0xff]), bytes: (t) => Buffer.from(t, 'utf16le').swap16() };
    default: {
      const name = encoding === 'latin1' ? 'windows-1252' : encoding;
      return {
        bom: null,
        bytes(t, row) {
          const b = iconv.encode(t, name);
          // iconv writes '?' for what the encoding cannot hold: find it and refuse rather than lose it.
          if (b.includes(0x3f) && iconv.decode(b, name) !== t) {
            const back = iconv.decode(b, name);
            let i = 0;
            while (i < t.length && t[i] === back[i]) i++;
            throw new FerryError('INVALID_INPUT', `${encoding} cannot hold the character ${JSON.stringify(t[i])} (U+${t.codePointAt(i)!.toString(16).toUpperCase().padStart(4, '0')}) written near row ${row}: write UTF-8 instead`, {
              detail: { encoding, row },
            });
          }
          return b;
        },
      };
    }
  }
}
