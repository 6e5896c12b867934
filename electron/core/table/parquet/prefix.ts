import type { ColumnChunk, DecodedArray, PageHeader } from 'hyparquet';
import { parquetHeader, readPage } from 'hyparquet/src/column.js';
import { convert } from 'hyparquet/src/convert.js';
import { parquetSchema } from 'hyparquet/src/metadata.js';
import { getMaxDefinitionLevel } from 'hyparquet/src/schema.js';
import { columnDecoder } from './flat-column';
import { firstBits } from './levels';
import type { OpenedParquet, GroupInfo } from './reader';

/**
 * The first rows of a row group that has no offset index, without reading its column chunks whole.
 *
 * DuckDB (and others) write big row groups (the benchmark's: 500k rows) with one page per column chunk
 * and no offset index, so "the pages holding rows 0-99" is the whole chunk: 60 MB for a 100-row preview.
 * Page headers are self-delimiting and an uncompressed page's values are laid out in row order, so the
 * first k rows of a page are in a prefix of it: this reads each chunk's dictionary page (if any), the data
 * page's header, and a prefix of its body that doubles until hyparquet decodes k values from it.
 *
 * Only where that is sure to give the right values: flat columns, uncompressed v1 data pages, encodings
 * whose values are in row order (PLAIN, dictionary indexes, RLE booleans), and a first data page that
 * holds all k rows. Anything else returns null and the caller reads the chunk as before.
 */
const FIRST_READ = 4 * 1024;
const PREFIX_START = 32 * 1024;
/** What one read of a chunk's first pages fetches at least: a header, a small dictionary and the prefix. */
const WINDOW = 64 * 1024;
const IN_ORDER = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE']);

/** Rows [0, k) of the group, column by column (plan order), or null when a column cannot be read by prefix. */
export async function readGroupPrefix(file: OpenedParquet, g: GroupInfo, k: number): Promise<DecodedArray[] | null> {
  const rg = file.raw.row_groups[g.index];
  const schema = parquetSchema(file.raw);
  const byName = new Map(rg.columns.map((c) => [c.meta_data?.path_in_schema.join('.'), c]));
  const chunks = file.plans.map((p) => byName.get(p.column.name));
  if (chunks.some((c) => !c?.meta_data || c.meta_data.codec !== 'UNCOMPRESSED' || c.meta_data.path_in_schema.length !== 1)) return null;
  const cols = await Promise.all(chunks.map((c) => columnPrefix(file, schema, c!, k)));
  return cols.some((c) => c === null) ? null : (cols as DecodedArray[]);
}

async function columnPrefix(file: OpenedParquet, schema: ReturnType<typeof parquetSchema>, chunk: ColumnChunk, k: number): Promise<DecodedArray | null> {
  const meta = chunk.meta_data!;
  const decoder = columnDecoder(schema, meta, file.compressors);
  const schemaPath = decoder.schemaPath;
  const end = Number((meta.dictionary_page_offset || meta.data_page_offset) + meta.total_compressed_size);
  let at = Number(meta.dictionary_page_offset || meta.data_page_offset);
  const read = windowed(file, end);
  let dictionary: DecodedArray | undefined;
  for (;;) {
    const { header, bodyAt } = await pageHeader(read, at, end);
    if (header.type === 'DICTIONARY_PAGE') {
      const body = await read(bodyAt, bodyAt + header.compressed_page_size);
      const { data } = readPage(readerOf(body), header, decoder, undefined, undefined, 0);
      if (data) dictionary = convert(data, decoder);
      at = bodyAt + header.compressed_page_size;
      continue;
    }
    const dph = header.data_page_header;
    if (header.type !== 'DATA_PAGE' || !dph || dph.num_values < k || !IN_ORDER.has(dph.encoding)) return null;
    const size = header.compressed_page_size;
    const optional = getMaxDefinitionLevel(schemaPath) > 0;
    let body = new Uint8Array(0);
    for (let len = Math.min(PREFIX_START, size); ; len = Math.min(size, len * 4)) {
      // Only the bytes not read yet.
      const more = await read(bodyAt + body.length, bodyAt + len);
      const grown = new Uint8Array(len);
      grown.set(body);
      grown.set(more, body.length);
      body = grown;
      try {
        // A buffer exactly the prefix: a value that runs past it throws (RangeError) instead of reading garbage.
        const page = optional ? firstLevels(body, k) : body;
        const cut: PageHeader = { ...header, compressed_page_size: page.length, uncompressed_page_size: page.length, data_page_header: { ...dph, num_values: k } };
        const { data } = readPage(readerOf(page), cut, decoder, dictionary, undefined, 0);
        // An RLE run may run past k values (hyparquet then keeps them): the first k are the rows.
        if (data && data.length >= k) return data.length === k ? data : data.slice(0, k);
      } catch (e) {
        if (!(e instanceof RangeError) || len >= size) return null;
      }
      if (len >= size) return null;
    }
  }
}

/**
 * A v1 page body with its definition levels cut to the first k: hyparquet sizes its level array by the
 * header's value count but lets an RLE run longer than that extend it, which would miscount the NULLs.
 */
function firstLevels(body: Uint8Array, k: number): Uint8Array {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const length = view.getUint32(0, true);
  if (4 + length > body.length) throw new RangeError('the definition levels run past the prefix');
  const levels = firstBits(body, 4, 4 + length, k);
  // Re-encoded as RLE runs of bit width 1: a varint header (count << 1), then the value in one byte.
  const runs: number[] = [];
  for (let i = 0; i < k; ) {
    let j = i;
    while (j < k && levels[j] === levels[i]) j++;
    for (let h = (j - i) << 1; ; h >>>= 7) {
      if (h < 0x80) {
        runs.push(h);
        break;
      }
      runs.push((h & 0x7f) | 0x80);
    }
    runs.push(levels[i]);
    i = j;
  }
  const rest = body.subarray(4 + length);
  const out = new Uint8Array(4 + runs.length + rest.length);
  new DataView(out.buffer).setUint32(0, runs.length, true);
  out.set(runs, 4);
  out.set(rest, 4 + runs.length);
  return out;
}

type Read = (start: number, end: number) => Promise<Uint8Array>;

/**
 * Reads of one column chunk, in order, served from a window of at least WINDOW bytes: the dictionary page,
 * the data page's header and the start of its body usually arrive in one round trip instead of three or
 * four (a remote file's preview waits for the slowest column's chain of reads).
 */
function windowed(file: OpenedParquet, chunkEnd: number): Read {
  let win: { start: number; bytes: Uint8Array } | null = null;
  return async (start, end) => {
    if (win && start >= win.start && end <= win.start + win.bytes.length) return win.bytes.subarray(start - win.start, end - win.start);
    const bytes = await file.buf.read(start, Math.max(end, Math.min(chunkEnd, start + WINDOW)));
    win = { start, bytes };
    return bytes.subarray(0, end - start);
  };
}

/** The page header at `at`: a small read, a bigger one when the header (with statistics) is longer. */
async function pageHeader(read: Read, at: number, end: number): Promise<{ header: PageHeader; bodyAt: number }> {
  for (let len = FIRST_READ; ; len *= 8) {
    const bytes = await read(at, Math.min(end, at + len));
    const reader = readerOf(bytes);
    try {
      const header = parquetHeader(reader);
      return { header, bodyAt: at + reader.offset };
    } catch (e) {
      if (at + len >= end) throw e;
    }
  }
}

function readerOf(bytes: Uint8Array): { view: DataView; offset: number } {
  const own = new Uint8Array(bytes.length);
  own.set(bytes);
  return { view: new DataView(own.buffer), offset: 0 };
}
