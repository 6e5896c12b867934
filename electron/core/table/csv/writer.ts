import iconv from 'iconv-lite';
import { FerryError } from '../../errors';
import type { Batch, Schema, WriteOptions } from '../types';
import { valueToText } from '../values';

const FLUSH_CHARS = 1 << 20;

/**
 * RFC 4180 CSV, streamed: one string built per ~1 MiB of rows, encoded and yielded. NULL is an empty
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
  let out = opts.header === false ? '' : schema.columns.map((c) => cell(c.name)).join(delimiter) + '\n';
  let row = 0;
  const bom = encode.bom;
  if (bom) yield bom;
  for await (const batch of batches) {
    opts.signal?.throwIfAborted();
    for (const r of batch.rows) {
      row++;
      let line = '';
      for (let c = 0; c < types.length; c++) {
        if (c) line += delimiter;
        line += cell(valueToText(r[c] ?? null, types[c]));
      }
      out += line + '\n';
      if (out.length >= FLUSH_CHARS) {
        yield encode.bytes(out, row);
        out = '';
      }
    }
  }
  if (out) yield encode.bytes(out, row);
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
