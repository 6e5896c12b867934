import { createGunzip } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';
import { FerryError } from '../../errors';
import type { Batch, ByteSource, Column, CsvDialect, FormatName, ReadOptions, TableReader, TableWarning } from '../types';
import { ColumnBatch } from '../columns';
import { cellColumn, type CellColumn } from './cells';
import { CellError, inferColumnType, parseCell } from './infer';
import { decoderFor, detectEncoding, gunzipHead, HEAD_BYTES, MAX_FIELD, sniff } from './sniff';
import { ChunkDecoder } from './chunk-decoder';
import { RowSink } from './row-sink';
import { CsvTokenizer, FieldTooLarge, UnterminatedQuote, type CsvRecord } from './tokenizer';

const BATCH_ROWS = 4096;
const PIECE_BYTES = 64 * 1024;
const SAMPLE_ROWS = 20_000;
const MAX_WARNINGS = 100;

/** Opens a CSV/TSV file: sniffs its head (one ranged read), infers the types, and streams its rows on demand. */
export async function openCsv(src: ByteSource, opts: ReadOptions, format: FormatName): Promise<TableReader> {
  const raw = await src.slice(0, Math.min(src.size, HEAD_BYTES));
  const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
  let head: Uint8Array;
  try {
    head = gzip ? gunzipHead(raw.subarray(0, Math.min(raw.length, 64 * 1024))) : raw;
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `${src.label} is not a readable gzip file: ${(e as Error).message}`, { detail: { file: src.label } });
  }
  const enc = opts.encoding ? { encoding: opts.encoding, bom: false } : detectEncoding(head);
  const complete = !gzip && raw.length >= src.size;
  let text = decoderFor(enc.encoding).decode(head);
  if (!complete) {
    // Sniff complete lines only (a cut last line would look ragged).
    const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    if (cut > 0) text = text.slice(0, cut + 1);
  }
  const quoteFor = format === 'tsv' && !opts.delimiter ? { ...opts, delimiter: '\t' } : opts;
  const { dialect, records } = sniff(text, complete || text.length === 0, enc, gzip, quoteFor);
  const width = records.length ? mode(records.map((r) => r.fields.length)) : 1;
  const body = records.slice(1, SAMPLE_ROWS + 1);
  const columnText = (rows: CsvRecord[], c: number) => rows.map((r) => (r.fields[c] === '' && !r.quoted[c] ? null : (r.fields[c] ?? null)));
  const infer = (rows: CsvRecord[]) => Array.from({ length: width }, (_, c) => inferColumnType(columnText(rows, c), { decimalComma: dialect.decimalComma }));
  let types = infer(body);
  if (opts.header === undefined && records.length > 0) {
    // The first row is a header when it fails a typed column's type (DuckDB's header rule); all-text: a header.
    const first = records[0];
    const fits = types.every((t, c) => {
      if (t.kind === 'string') return true;
      try {
        parseCell(first.fields[c] ?? null, first.quoted[c] ?? false, t, { decimalComma: dialect.decimalComma });
        return true;
      } catch {
        return false;
      }
    });
    dialect.header = !(fits && types.some((t) => t.kind !== 'string'));
  }
  if (!dialect.header) types = infer(records.slice(0, SAMPLE_ROWS));
  dialect.decimalComma = dialect.decimalComma && types.some((t) => t.kind === 'decimal');
  if (opts.textColumns) types = types.map(() => ({ kind: 'string' }));
  const names = dialect.header && records.length ? records[0].fields : [];
  const warnings: TableWarning[] = [];
  const columns: Column[] = uniqueNames(Array.from({ length: width }, (_, c) => names[c] ?? ''), warnings).map((name, c) => ({ name, type: types[c] }));
  return new CsvReader(src, format, dialect, columns, warnings, gzip ? null : raw, opts);
}

/**
 * Chunks of at most PIECE_BYTES bytes. V8 makes a string of more than about 256 KiB (a chunk of 0.5-1 MiB
 * from SFTP or the disk, decoded) five to twenty times slower per byte than small ones: decoding 82 MB in
 * 512 KiB chunks took 280-310 ms, in 64 KiB pieces 11-24 ms.
 */
async function* inPieces(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  for await (const c of chunks) {
    if (c.length <= PIECE_BYTES) yield c;
    else for (let at = 0; at < c.length; at += PIECE_BYTES) yield c.subarray(at, Math.min(c.length, at + PIECE_BYTES));
  }
}

/** A gzip stream's inflated bytes; an error on either side reaches the reader. */
function gunzipped(s: Readable): AsyncIterable<Buffer> {
  const g = createGunzip();
  pipeline(s, g, () => {});
  return g;
}

function mode(xs: number[]): number {
  const counts = new Map<number, number>();
  let best = xs[0];
  for (const x of xs) {
    const k = (counts.get(x) ?? 0) + 1;
    counts.set(x, k);
    if (k > (counts.get(best) ?? 0)) best = x;
  }
  return best;
}

function uniqueNames(raw: string[], warnings: TableWarning[]): string[] {
  const seen = new Set<string>();
  return raw.map((n, i) => {
    let name = n.trim() === '' ? `column${i + 1}` : n;
    if (seen.has(name.toLowerCase())) {
      let k = 2;
      while (seen.has(`${name}_${k}`.toLowerCase())) k++;
      warnings.push({ code: 'DUPLICATE_COLUMN', message: `column ${i + 1} is named "${name}" like an earlier one: read as "${name}_${k}"`, column: name });
      name = `${name}_${k}`;
    }
    seen.add(name.toLowerCase());
    return name;
  });
}

class CsvReader implements TableReader {
  readonly rowCount = null;
  private raggedSeen = 0;

  constructor(
    private readonly src: ByteSource,
    readonly format: FormatName,
    readonly dialect: CsvDialect,
    private readonly columns: Column[],
    readonly warnings: TableWarning[],
    /** The head's bytes, read once: rows start from them and the rest is read only when rows need it. */
    private readonly head: Uint8Array | null,
    private readonly opts: Pick<ReadOptions, 'textColumns' | 'onWarning'> = {},
  ) {}

  get schema() {
    return { columns: this.columns };
  }

  /**
   * The file's own bytes (inflated when gzipped), for a bulk loader that parses this dialect itself
   * (PostgreSQL's COPY ... CSV): nothing is decoded and encoded again. Only for UTF-8 text.
   */
  async rawBytes(signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    if (this.dialect.encoding !== 'utf-8') throw new FerryError('INTERNAL', 'rawBytes is only for UTF-8 files');
    const stream = await this.src.stream(0, signal);
    return this.dialect.gzip ? gunzipped(stream) : (stream as AsyncIterable<Buffer>);
  }

  async *batches(opts: { offset?: number; limit?: number; signal?: AbortSignal } = {}): AsyncIterable<Batch> {
    const { dialect, columns, src } = this;
    const offset = opts.offset ?? 0;
    const left = opts.limit ?? Infinity;
    if (left <= 0) return;
    const head = this.head;
    let stream: Readable | null = null;
    // Pulled lazily (no Readable in between, which would read ahead): rows the head holds cost no more reads.
    const bytes: AsyncIterable<Buffer> = head
      ? (async function* () {
          // In pieces that end at a line break: a preview's rows are usually in the first, and the rest of
          // the head is not tokenized.
          for (let at = 0, end = 0; at < head.length; at = end) {
            end = Math.min(head.length, at + PIECE_BYTES);
            const nl = end < head.length ? head.lastIndexOf(10, end - 1) : -1;
            if (nl >= at) end = nl + 1;
            yield Buffer.from(head.buffer, head.byteOffset + at, end - at);
          }
          if (head.length >= src.size) return;
          stream = await src.stream(head.length, opts.signal);
          yield* stream as AsyncIterable<Buffer>;
        })()
      : gunzipped((stream = await src.stream(0, opts.signal)));
    const decoder = new ChunkDecoder(dialect.encoding);
    const tok = new CsvTokenizer({ delimiter: dialect.delimiter, quote: dialect.quote, escape: dialect.escape, maxField: MAX_FIELD });
    const width = columns.length;
    const ready: Batch[] = [];
    const sink: RowSink = new RowSink(columns, () => this.newColumns(), (dialect.header ? 1 : 0) + offset, left, BATCH_ROWS, !!this.opts.textColumns, {
      full: () => {
        ready.push(this.batch(sink.cols, sink.origins, sink.extras));
        sink.reset();
      },
      ragged: (line, fields) => this.ragged(line, fields, width),
      badCell: (e, c, text) => {
        throw this.badCell(e, c, text, tok.recordLine);
      },
    });
    let warnedEncoding = false;
    let headLeft = head ? head.length : 0;
    try {
      for await (const chunk of inPieces(bytes)) {
        opts.signal?.throwIfAborted();
        const text = decoder.decode(chunk);
        if (!warnedEncoding && dialect.encoding === 'utf-8' && !decoder.lastWasAscii && text.includes('\uFFFD')) {
          warnedEncoding = true;
          const at = tok.currentLine + (text.slice(0, text.indexOf('\uFFFD')).match(/\n/g)?.length ?? 0);
          this.warn({ code: 'INVALID_ENCODING', message: `line ${at}: bytes that are not valid UTF-8 (shown as \uFFFD); choose another encoding if the text looks wrong`, line: at });
        }
        tok.feed(text, sink);
        // The head's rows go out piece by piece: a preview wants its first rows, not a full set of
        // BATCH_ROWS that would read past the head (over SFTP, another read and its decryption).
        headLeft -= chunk.length;
        if (headLeft >= 0 && sink.origins.length) sink.flush();
        yield* ready.splice(0);
        if (sink.done) break;
      }
      if (!sink.done) {
        tok.feed(decoder.end(), sink);
        tok.end(sink);
      }
      yield* ready.splice(0);
      if (sink.origins.length) yield this.batch(sink.cols, sink.origins, sink.extras);
    } catch (e) {
      throw this.explain(e);
    } finally {
      (stream as Readable | null)?.destroy();
    }
  }

  private newColumns(): CellColumn[] {
    const dc = { decimalComma: this.dialect.decimalComma };
    return this.columns.map((c) => cellColumn(c.type, BATCH_ROWS, dc));
  }

  private batch(cols: CellColumn[], origins: number[], extras: Map<number, string[]>): Batch {
    const batch = new ColumnBatch(
      cols.map((c) => c.finish()),
      this.columns.map((c) => c.type),
      origins.length,
      origins,
    );
    if (!extras.size) return batch;
    return { rows: batch.rows.map((row, i) => (extras.has(i) ? [...row, ...extras.get(i)!] : row)), origins };
  }

  /** A cell that is not of its column's type stops the read, naming it. */
  private badCell(e: unknown, c: number, text: string, line: number): unknown {
    if (!(e instanceof CellError)) return e;
    const col = this.columns[c];
    return new FerryError('INVALID_INPUT', `${this.src.label} line ${line}, column "${col.name}": ${e.message} (the type read from the first rows); read this column as text to keep every value`, {
      detail: { file: this.src.label, line, column: col.name, value: text, type: col.type.kind },
    });
  }

  private ragged(line: number, fields: number, width: number): void {
    this.raggedSeen++;
    this.warn({
      code: 'RAGGED_ROW',
      message: `line ${line}: ${fields} fields where the header has ${width}: ${fields < width ? 'the missing ones are NULL' : 'the extra ones are left out'}`,
      line,
    });
  }

  private warn(w: TableWarning): void {
    this.opts.onWarning?.(w);
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(w);
  }

  private explain(e: unknown): unknown {
    if (e instanceof UnterminatedQuote) {
      return new FerryError('INVALID_INPUT', `${this.src.label} line ${e.line}: a quoted field is never closed (a stray ${this.dialect.quote}?)`, { detail: { file: this.src.label, line: e.line } });
    }
    if (e instanceof FieldTooLarge) {
      return new FerryError('INVALID_INPUT', `${this.src.label} line ${e.line}: a field or line longer than ${e.limit / 2 ** 20} MiB characters; is this really a CSV file, with this delimiter (${JSON.stringify(this.dialect.delimiter)})?`, {
        detail: { file: this.src.label, line: e.line },
      });
    }
    return e;
  }
}
