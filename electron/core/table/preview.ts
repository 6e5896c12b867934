import type { z } from 'zod';
import { normalizePath } from '../../../shared/paths';
import type { Preview, PreviewRequestSchema } from '../../../shared/table';
import type { EndpointProvider } from '../endpoints';
import { connectorByteSource } from './byte-source';
import { openTable } from './formats';
import type { Value } from './types';
import { rowToJson, typeName, valueToText } from './values';

type PreviewRequest = z.output<typeof PreviewRequestSchema>;

const EXAMPLES = 3;

/**
 * A page of a table file on any endpoint: the reader's schema and dialect, `limit` rows from `offset`, and
 * what it cost (bytes read of the file's size). Only the bytes those rows need are read: the CSV head, the
 * Parquet footer and the row groups holding the rows, the xlsx directory and the start of one sheet.
 */
export async function previewTable(endpoints: EndpointProvider, req: PreviewRequest, signal?: AbortSignal): Promise<Preview> {
  const src = await connectorByteSource(endpoints, req.endpoint, normalizePath(req.path), signal);
  const reader = await openTable(src, { ...req.options, signal });
  const rows: Value[][] = [];
  // One row past the page tells whether more follow, without counting the file.
  for await (const batch of reader.batches({ offset: req.offset, limit: req.limit + 1, signal })) {
    for (const r of batch.rows) rows.push(r);
    if (rows.length > req.limit) break;
  }
  const more = rows.length > req.limit;
  if (more) rows.length = req.limit;
  const columns = reader.schema.columns;
  return {
    format: reader.format,
    ...(reader.dialect ? { dialect: reader.dialect } : {}),
    ...(reader.sheets ? { sheets: reader.sheets, sheet: reader.sheet } : {}),
    columns: columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
    rows: rows.map((r) => rowToJson(r, columns)),
    offset: req.offset,
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
