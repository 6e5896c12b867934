import { iconv } from './iconv';
import { FerryError } from '../../errors';
import { batchLength, columnOf, isFixedWidth } from '../columns';
import type { Batch, Schema, WriteOptions } from '../types';
import { cellWriter, CsvOut } from './cell-bytes';

const FLUSH_SIZE = 1 << 20;

/**
 * RFC 4180 CSV, streamed: about 1 MiB of rows at a time, encoded and yielded. NULL is an empty
 * unquoted field and the empty string is "" (so PostgreSQL's COPY and Ferry's reader tell them apart);
 * a field is quoted when it holds the delimiter, a quote, a line break, or leading or trailing spaces.
 * Records end with "\n" (what DuckDB, PostgreSQL and most tools write; every reader accepts it).
 */
export async function* writeCsv(schema: Schema, batches: AsyncIterable<Batch>, opts: WriteOptions): AsyncIterable<Uint8Array> {
  const delimiter = opts.delimiter ?? ',';
  const delim = delimiter.charCodeAt(0);
  const encode = encoder(opts.encoding ?? 'utf-8');
  const types = schema.columns.map((c) => c.type);
  // Numbers, dates and timestamps never hold a quote, a line break or spaces; only the delimiter could
  // appear in them, and only an unusual one (':' in a time, '.' or '-' in a number).
  const plainDelimiter = [',', ';', '\t', '|'].includes(delimiter);
  const checked = types.map((t) => !plainDelimiter || !isFixedWidth(t));
  const utf8 = opts.encoding === undefined || opts.encoding === 'utf-8';
  // Cells go straight into UTF-8 bytes (cell-bytes.ts); another encoding re-encodes each ~1 MiB.
  const out = new CsvOut(FLUSH_SIZE + 64 * 1024);
  const take = (row: number): Uint8Array => {
    const bytes = out.take();
    return utf8 ? bytes : encode.bytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'), row);
  };
  if (opts.header !== false) {
    schema.columns.forEach((c, i) => {
      if (i > 0) out.byte(delim);
      out.cell(c.name, delim);
    });
    out.byte(10);
  }
  let row = 0;
  const bom = encode.bom;
  if (bom) yield bom;
  for await (const batch of batches) {
    opts.signal?.throwIfAborted();
    const n = batchLength(batch);
    const vectors = types.map((_, c) => columnOf(batch, c));
    const writers = vectors.map((v, c) => cellWriter(out, v, types[c], delim, checked[c]));
    const last = writers.length - 1;
    for (let r = 0; r < n; r++) {
      row++;
      for (let c = 0; c < last; c++) {
        writers[c](r);
        out.byte(delim);
      }
      writers[last](r);
      out.byte(10);
      if (out.at >= FLUSH_SIZE) yield take(row);
    }
  }
  if (out.at) yield take(row);
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
      const ic = iconv();
      return {
        bom: null,
        bytes(t, row) {
          const b = ic.encode(t, name);
          // iconv writes '?' for what the encoding cannot hold: find it and refuse rather than lose it.
          const back = b.includes(0x3f) ? ic.decode(b, name) : t;
          if (back !== t) {
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
