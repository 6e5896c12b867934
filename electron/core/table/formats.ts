import { formatFromName } from '../../../shared/table-formats';
import { FerryError } from '../errors';
import type { ByteSource, FormatCodec, FormatName, ReadOptions, TableReader } from './types';

/**
 * The format registry. Codecs load when a file of theirs is opened (the CLI's start-up imports none of them).
 * A format comes from the user's choice, else the file's first bytes where they are unambiguous (PAR1, a
 * zip, an OLE compound file), else its name; a file whose bytes contradict its name gets that codec's own
 * clear error ("is not a Parquet file").
 */
const LOADERS: Record<FormatName, () => Promise<FormatCodec>> = {
  csv: async () => (await import('./csv/index')).csvCodec,
  tsv: async () => (await import('./csv/index')).tsvCodec,
  parquet: async () => (await import('./parquet/index')).parquetCodec,
  xlsx: async () => (await import('./xlsx/index')).xlsxCodec,
  json: async () => (await import('./json/index')).jsonCodec,
  ndjson: async () => (await import('./json/index')).ndjsonCodec,
};

export function codecFor(format: FormatName): Promise<FormatCodec> {
  return LOADERS[format]();
}

/** Picks the reader for a file: the user's format, else magic bytes, else the name, else CSV if it looks like text. */
export async function detectFormat(src: ByteSource, opts: Pick<ReadOptions, 'format'> = {}): Promise<FormatName> {
  if (opts.format) return opts.format;
  const byName = formatFromName(src.name);
  // A Parquet file is known by the magic at its end, which its reader reads first with the footer (and
  // names the file "not a Parquet file" if it is not one): no round trip for the first 8 bytes.
  if (byName === 'parquet') return byName;
  const head = await src.slice(0, Math.min(src.size, 8));
  const magic = Buffer.from(head);
  if (magic.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (magic.subarray(0, 4).toString('latin1') === 'PK\x03\x04') return byName === 'xlsx' || !byName ? 'xlsx' : byName;
  if (magic.readUInt32BE(0) === 0xd0cf11e0) return 'xlsx'; // .xls or a password-protected xlsx: its reader says which
  if (byName) return byName;
  if (magic[0] === 0x1f && magic[1] === 0x8b) return 'csv';
  const text = magic.toString('utf8').trimStart();
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) return 'ndjson';
  if (src.size === 0 || isMostlyText(magic)) return 'csv';
  throw new FerryError('UNSUPPORTED', `${src.label}: cannot tell what kind of file this is from its name or its first bytes; choose a format (csv, tsv, xlsx, parquet, json, ndjson)`, {
    detail: { file: src.label },
  });
}

function isMostlyText(b: Buffer): boolean {
  let bad = 0;
  for (const c of b) if (c < 9 || (c > 13 && c < 32 && c !== 27)) bad++;
  return bad === 0;
}

/** Opens a file's table through the one reader contract. */
export async function openTable(src: ByteSource, opts: ReadOptions = {}): Promise<TableReader> {
  // The codec the name points to loads while the first bytes are read (a round trip on a remote file).
  const guess = opts.format ?? formatFromName(src.name);
  if (guess) codecFor(guess).catch(() => undefined);
  const format = await detectFormat(src, opts);
  const codec = await codecFor(format);
  return codec.open(src, opts);
}
