import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Connector } from '../connectors/types';
import { FerryError } from '../errors';
import { tempPathFor } from '../transfer/names';
import type { Value } from '../table/types';

/**
 * The rows a load skipped (--max-errors), as a CSV on any endpoint, in the spirit of pgloader's reject
 * files and DuckDB's store_rejects: one row per rejected source row with its line (or row) number, the
 * column and the reason, and the row itself as it was read. Held in memory until the load's end (at most
 * maxErrors + 1 rows, the bound the user chose), then written like every transfer: under a temp name,
 * size-checked, renamed into place, so no half-written rejects file is ever seen under its name.
 */
export interface Reject {
  /** The source's line (CSV, NDJSON) or row (xlsx, Parquet, a table). */
  origin: number;
  column: string;
  reason: string;
  /** The source row's fields as read (text). */
  raw: string;
}

export class Rejects {
  readonly rows: Reject[] = [];
  constructor(
    /** 'line' for line-based files, 'row' for the others. */
    readonly originName: 'line' | 'row',
    private readonly delimiter = ',',
  ) {}

  add(origin: number, column: string, reason: string, fields: Value[]): void {
    this.rows.push({ origin, column, reason, raw: fields.map((f) => csvField(f === null ? '' : String(f), this.delimiter)).join(this.delimiter) });
  }

  get count(): number {
    return this.rows.length;
  }

  toCsv(): string {
    const lines = [`${this.originName},column,reason,raw`];
    for (const r of this.rows) lines.push([String(r.origin), r.column, r.reason, r.raw].map((f) => csvField(f, ',')).join(','));
    return lines.join('\n') + '\n';
  }
}

/** Quoted when it holds the delimiter, a quote, a line break or leading/trailing space. */
function csvField(text: string, delimiter: string): string {
  return text.includes(delimiter) || /["\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes `text` to `path` on `c` with the engine's atomic write: a temp name, then a size check and a rename. */
export async function writeWhole(c: Connector, path: string, text: string, label: string, signal?: AbortSignal): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  if (!c.capabilities.atomicWrite && !c.rename) {
    throw new FerryError('UNSUPPORTED', `${label} can neither write atomically nor rename: the rejects file cannot be written without a partial file showing`);
  }
  const writePath = c.capabilities.atomicWrite ? path : tempPathFor(path, randomBytes(4).toString('hex')); // its own temp name, as every writer has
  try {
    await c.write(writePath, Readable.from([bytes]), { size: bytes.length, signal });
    const st = await c.stat(writePath);
    if (st.size !== bytes.length) throw new FerryError('CHECKSUM_MISMATCH', `${label}: ${st.size} bytes arrived of ${bytes.length}`, { detail: { path } });
    if (writePath !== path) await c.rename!(writePath, path);
  } catch (e) {
    if (writePath !== path) await c.remove(writePath).catch(() => {});
    throw e;
  }
}
