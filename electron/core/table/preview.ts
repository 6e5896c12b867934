import type { z } from 'zod';
import { normalizePath } from '../../../shared/paths';
import type { Preview, PreviewRequestSchema } from '../../../shared/table';
import type { EndpointProvider } from '../endpoints';
import { connectorByteSource } from './byte-source';
import { openTable } from './formats';
import type { PreviewCursors } from './preview-cursors';
import { isFerryError } from '../errors';
import type { TableReader, Value } from './types';
import { rowToJson, typeName, valueToText } from './values';

type PreviewRequest = z.output<typeof PreviewRequestSchema>;

const EXAMPLES = 3;

/**
 * A page of a table file on any endpoint: the reader's schema and dialect, `limit` rows from `offset`, and
 * what it cost (bytes read of the file's size). Only the bytes those rows need are read: the CSV head, the
 * Parquet footer and the row groups holding the rows, the xlsx directory and the start of one sheet.
 */
export async function previewTable(endpoints: EndpointProvider, req: PreviewRequest, cursors?: PreviewCursors, signal?: AbortSignal): Promise<Preview> {
  const path = normalizePath(req.path);
  const key = `${req.endpoint}\n${path}\n${JSON.stringify(req.options)}`;
  let cursor = cursors?.take(key, req.offset) ?? null;
  if (!cursor && (await isDatabase(endpoints, req.endpoint))) return previewDatabaseTable(endpoints, req.endpoint, path, req.offset, req.limit, signal);
  if (!cursor) {
    const src = await connectorByteSource(endpoints, req.endpoint, path, signal);
    const reader = await openTable(src, { ...req.options, signal });
    const it = reader.batches({ offset: req.offset, signal })[Symbol.asyncIterator]();
    cursor = { src, reader, it, pending: [], position: req.offset, done: false };
  }
  // One row past the page tells whether more follow, without counting the file.
  const rows: Value[][] = cursor.pending.splice(0, req.limit + 1);
  try {
    while (rows.length <= req.limit && !cursor.done) {
      const next = await cursor.it.next();
      if (next.done) cursor.done = true;
      else for (const r of next.value.rows) rows.push(r);
    }
  } catch (e) {
    await cursor.it.return?.().catch(() => undefined);
    throw e;
  }
  cursor.pending = [...rows.slice(req.limit), ...cursor.pending];
  cursor.position = req.offset + Math.min(rows.length, req.limit);
  const { src, reader } = cursor;
  if (cursors) cursors.put(key, cursor);
  else await cursor.it.return?.();
  const more = rows.length > req.limit;
  if (more) rows.length = req.limit;
  return page(reader, rows, req.offset, more, src);
}

/**
 * A page of a database table: OFFSET/LIMIT in the database (the server reads only what it needs for a
 * plain table scan), on a connection held only for this page, never for the idle time of a cursor.
 */
async function previewDatabaseTable(endpoints: EndpointProvider, endpoint: string, path: string, offset: number, limit: number, signal?: AbortSignal): Promise<Preview> {
  const lease = await endpoints.acquire(endpoint, signal);
  let broken = false;
  try {
    const store = lease.connector.tables!;
    const entry = await lease.connector.stat(path);
    const reader = await store.read({ table: path }, { signal });
    const rows: Value[][] = [];
    for await (const b of reader.batches({ offset, limit: limit + 1, signal })) rows.push(...b.rows);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return page(reader, rows, offset, more, { bytesRead: 0, size: entry.size, rangedRead: true });
  } catch (e) {
    broken = isFerryError(e, 'CONNECTION_LOST') || isFerryError(e, 'CANCELLED');
    throw e;
  } finally {
    lease.release(broken);
  }
}

async function isDatabase(endpoints: EndpointProvider, endpoint: string): Promise<boolean> {
  return endpoints.isDatabase?.(endpoint) ?? false;
}

function page(reader: TableReader, rows: Value[][], offset: number, more: boolean, src: { bytesRead: number; size: number; rangedRead: boolean }): Preview {
  const columns = reader.schema.columns;
  return {
    format: reader.format,
    ...(reader.dialect ? { dialect: reader.dialect } : {}),
    ...(reader.sheets ? { sheets: reader.sheets, sheet: reader.sheet } : {}),
    columns: columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
    rows: rows.map((r) => rowToJson(r, columns)),
    offset,
    rowCount: reader.rowCount,
    more,
    bytesRead: src.bytesRead,
    size: src.size,
    rangedRead: src.rangedRead,
    warnings: reader.warnings.slice(0, 100).map((w) => ({ ...w })),
    stats: columns.map((c, i) => {
      let nulls = 0;
      const examples = new Set<string>();
      for (const r of rows) {
        const v = r[i] ?? null;
        if (v === null) nulls++;
        else if (examples.size < EXAMPLES) examples.add(truncate(valueToText(v, c.type) ?? '', 80));
      }
      return { name: c.name, nulls, examples: [...examples] };
    }),
  };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
