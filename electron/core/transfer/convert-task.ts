import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { JobSpec } from '../../../shared/transfers';
import type { Connector, WriteResult } from '../connectors/types';
import { heldByteSource } from '../table/byte-source';
import { codecFor, openTable } from '../table/formats';
import { formatFromName } from '../../../shared/table-formats';
import type { Batch, FormatName, ReadOptions, TableReader } from '../table/types';
import { selectColumns } from '../databases/load-plan';
import { batchLength } from '../table/columns';
import { writeWhole } from '../databases/load-rejects';
import { runLoad, type LoadOutcome, type LoadSource } from '../databases/load-run';
import type { EndpointProvider } from '../endpoints';
import { withConnector } from './leases';
import { FerryError } from '../errors';
import { Meter, type Throttle } from './meter';
import type { FileRow } from './store';

export interface ConvertContext {
  spec: JobSpec;
  throttle: Throttle | null;
  signal: AbortSignal;
  srcLabel: string;
  /** The file's bytes done (the source's bytes read, so progress runs against the source's size) and the bytes just sent. */
  onBytes(bytesDone: number, sent: number): void;
  /** The rows read so far, and their total where known before the end (a table's estimate, a file's footer). */
  onRows?(rowsDone: number, rowsTotal: number | null): void;
}

export interface Converted {
  size: number;
  digest: string | null;
  dstMd5: string | null;
  storedSize?: number;
}

/**
 * The middle of a convert job: the source's table reader (ranged reads on the source's connector) feeds
 * the destination format's writer, whose bytes go to `writePath` (the caller's temp name) through the same
 * meter as a copy (throttle, cancel, md5). A bad row anywhere fails the write: the caller removes the temp
 * file, so nothing ever appears under the final name.
 */
export async function convertFile(row: FileRow, src: Connector, dst: Connector, writePath: string, ctx: ConvertContext): Promise<Converted> {
  const opts = ctx.spec.convert;
  if (!opts) throw new FerryError('INVALID_INPUT', 'A convert job needs its convert options');
  const format = outputFormat(opts.write.format, opts.name);
  const opened = await openSource(row, src, ctx);
  const { bytesRead } = opened;
  const reader = opts.columns?.length || opts.rename ? selectColumns(opened.reader, opts, ctx.srcLabel) : opened.reader;
  const codec = await codecFor(format);
  const writeOpts = { ...opts.write, ...(format === 'tsv' && !opts.write.delimiter ? { delimiter: '\t' } : {}), signal: ctx.signal };
  const total = ctx.onRows ? await rowTotal(row, src, opened.reader, ctx.spec) : null;
  const onRows = (n: number) => ctx.onRows?.(n, total);
  // A database export to CSV can skip building values (the same bytes, several times faster).
  const fast = format === 'csv' || format === 'tsv' ? reader.csvBytes?.(writeOpts, onRows) : null;
  const bytes = fast ?? codec.write(reader.schema, countRows(reader.batches({ signal: ctx.signal }), onRows), writeOpts);
  const hash: Hash | null = ctx.spec.verify === 'hash' && dst.capabilities.hashes.includes('md5') ? createHash('md5') : null;
  const meter = new Meter({ hash, throttle: ctx.throttle, signal: ctx.signal, onBytes: (n) => ctx.onBytes(Math.min(bytesRead(), row.size), n) });
  const out = Readable.from(bytes, { objectMode: false });
  const failed = new Promise<never>((_, reject) => {
    out.once('error', (e) => {
      meter.destroy(e);
      reject(e);
    });
    meter.once('error', reject);
  });
  failed.catch(() => {});
  out.pipe(meter);
  try {
    const result: WriteResult = await Promise.race([dst.write(writePath, meter, { signal: ctx.signal }), failed]);
    ctx.onBytes(row.size, 0);
    return { size: meter.bytes, digest: hash ? hash.digest('hex') : null, dstMd5: result.hashes?.md5 ?? null, storedSize: result.storedSize };
  } finally {
    out.unpipe(meter);
    out.destroy();
    meter.destroy();
  }
}

/**
 * Passes the batches on, telling `onRows` the rows so far after each. Counted with batchLength: reading
 * `rows` of a column batch builds its row form (a value per cell), which the writers then read instead of
 * the columns.
 */
async function* countRows(batches: AsyncIterable<Batch>, onRows: (rows: number) => void): AsyncGenerator<Batch> {
  let rows = 0;
  for await (const b of batches) {
    rows += batchLength(b);
    onRows(rows);
    yield b;
  }
}

/**
 * The rows an export or conversion will read, where known before the end: a file format's own count (a
 * Parquet footer), else a database table's row estimate (no count is run; a query has none).
 */
async function rowTotal(row: FileRow, src: Connector, reader: TableReader, spec: JobSpec): Promise<number | null> {
  if (reader.rowCount !== null) return reader.rowCount;
  if (!src.tables || !row.srcPath || spec.convert?.query) return null;
  return src.tables.describe(row.srcPath).then((t) => t.rowEstimate, () => null);
}

/**
 * The rows a convert reads: a database table or query (export), else a file in its format. bytesRead is
 * the source's progress (a database reports none: the job's bytes are then the written ones).
 */
export async function openSource(
  row: FileRow,
  src: Connector,
  ctx: Pick<ConvertContext, 'spec' | 'srcLabel' | 'signal'>,
  extra: Pick<ReadOptions, 'textColumns' | 'onWarning'> = {},
): Promise<{ reader: TableReader; bytesRead: () => number }> {
  const opts = ctx.spec.convert!;
  if (src.tables) {
    const reader = await src.tables.read(opts.query ? { query: opts.query } : { table: row.srcPath as string }, { signal: ctx.signal });
    return { reader, bytesRead: () => 0 };
  }
  if (opts.query) throw new FerryError('INVALID_INPUT', `${ctx.srcLabel} is not a database: a query needs a database source`);
  const entry = { name: row.relPath, path: row.srcPath as string, type: 'file' as const, size: row.size, modified: row.modified };
  const source = heldByteSource(src, row.srcPath as string, entry, ctx.srcLabel, ctx.signal);
  const reader = await openTable(source, { ...opts.read, ...extra, signal: ctx.signal });
  return { reader, bytesRead: () => source.bytesRead };
}

/**
 * A load: the source's rows into the destination table through the load layer (transforms, row checks,
 * rejects; electron/core/databases/load-run.ts), in the table store's one transaction (so no temp name and
 * no rename: a failed load leaves the table as it was). The rejects file goes to its endpoint with the
 * engine's atomic write.
 */
export async function loadIntoTable(
  row: FileRow,
  src: Connector,
  dst: Connector,
  ctx: ConvertContext & { endpoints: EndpointProvider },
): Promise<LoadOutcome & { rejects: string | null }> {
  const spec = ctx.spec.convert?.load ?? (await import('../../../shared/table')).LoadSpecSchema.parse({ mode: 'append' });
  let bytesRead = () => 0;
  let total: number | null = null;
  const source: LoadSource = {
    label: ctx.srcLabel,
    open: async (o) => {
      const opened = await openSource(row, src, ctx, o);
      bytesRead = opened.bytesRead;
      if (ctx.onRows) total = await rowTotal(row, src, opened.reader, ctx.spec);
      followRawBytes(opened.reader, (lines) => {
        ctx.onBytes(Math.min(bytesRead(), row.size), 0);
        ctx.onRows?.(lines, total);
      });
      return opened.reader;
    },
  };
  const target = spec.rejects;
  const where = target ? `${ctx.endpoints.label(target.endpoint)}:${target.path}` : null;
  const outcome = await runLoad({
    store: dst.tables!,
    path: row.dstPath,
    table: row.dstPath.split('/').filter(Boolean).join('.'),
    source,
    spec,
    ...(target && where ? { rejects: { where, write: (csv) => withConnector(ctx.endpoints, target.endpoint, (c) => writeWhole(c, target.path, csv, where, ctx.signal), ctx.signal) } } : {}),
    signal: ctx.signal,
    onRows: (n) => {
      ctx.onBytes(Math.min(bytesRead(), row.size), 0);
      ctx.onRows?.(n, total);
    },
  });
  ctx.onBytes(row.size, 0);
  return { ...outcome, rejects: where };
}

/**
 * A CSV a store sends to the database as it is (PostgreSQL's COPY of the file's own bytes) is never split
 * into rows by Ferry: its bytes and lines so far are the progress until the store's exact count at the end.
 */
function followRawBytes(reader: TableReader, onLines: (lines: number) => void): void {
  if (!reader.rawBytes) return;
  const raw = reader.rawBytes.bind(reader);
  const header = reader.dialect?.header ? 1 : 0;
  reader.rawBytes = async (signal) => countLines(await raw(signal), header, onLines);
}

/** Passes the bytes on, telling `onLines` the lines so far (less `header`) after each chunk. */
async function* countLines<T extends Uint8Array>(bytes: AsyncIterable<T>, header: number, onLines: (lines: number) => void): AsyncGenerator<T> {
  let lines = 0;
  for await (const b of bytes) {
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines++;
    onLines(Math.max(0, lines - header));
    yield b;
  }
}

/** What a finished load says in its job row: "1000 rows loaded" (and, with --max-errors, what was rejected). */
export function loadNote(o: LoadOutcome & { rejects: string | null }): string {
  const loaded = `${o.loaded} rows loaded`;
  return o.rejects ? `${loaded}, ${o.rejected} rejected of ${o.read} read (rejects: ${o.rejects})` : loaded;
}

export function outputFormat(format: FormatName | undefined, name: string): FormatName {
  const f = format ?? formatFromName(name);
  if (!f) {
    throw new FerryError('INVALID_INPUT', `Cannot tell the output format from "${name}": name it .csv, .tsv, .parquet, .xlsx, .json or .ndjson, or pass --format`, {
      detail: { name },
    });
  }
  return f;
}
