import { basename, segments } from '../../../../shared/paths';
import type { TableFormat } from '../../../../shared/table';
import type { TransferRequest } from '../transfers/transfers-context';
import { quoteIdent } from './table-address';

export const COMPRESSIONS = ['snappy', 'zstd', 'gzip', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** The export dialog's fields. */
export interface ExportForm {
  name: string;
  format: TableFormat;
  /** Parquet only. */
  compression: Compression;
  /** Export the rows of `query` instead of the whole table. */
  useQuery: boolean;
  query: string;
}

export interface ExportTarget {
  /** The database endpoint and its table ("/public/orders"). */
  source: { endpoint: string; table: string };
  /** The folder the file goes to, on any endpoint. */
  destination: { endpoint: string; folder: string };
}

/** A new export of a table: "orders.parquet" (snappy), with the whole table as the starting query. */
export function newExportForm(table: string): ExportForm {
  const quoted = segments(table).map(quoteIdent).join('.');
  return { name: `${basename(table)}.parquet`, format: 'parquet', compression: 'snappy', useQuery: false, query: `SELECT * FROM ${quoted}` };
}

/** The file name with the extension of another format ("orders.parquet" → "orders.csv"). */
export function nameForFormat(name: string, format: TableFormat): string {
  const dot = name.lastIndexOf('.');
  return `${dot > 0 ? name.slice(0, dot) : name}.${format}`;
}

/** What keeps the export from starting, in plain words (empty: it can start). */
export function exportProblems(form: ExportForm): string[] {
  const problems: string[] = [];
  const name = form.name.trim();
  if (!name) problems.push('Name the file to write.');
  else if (/[/\\]/.test(name) || name === '.' || name === '..') problems.push(`"${name}" is not a file name: it must not contain / or \\.`);
  if (form.useQuery && !form.query.trim()) problems.push('Write the query, or export the whole table.');
  return problems;
}

/**
 * The convert job an export is, built as `ferry export` builds it (electron/cli/commands/database.ts): the
 * table (or the query) as the source, the folder as the destination, the name and write options.
 */
export function exportRequest(target: ExportTarget, form: ExportForm): TransferRequest {
  const query = form.useQuery ? form.query.trim() : '';
  return {
    kind: 'convert',
    source: { endpoint: target.source.endpoint, paths: [target.source.table] },
    destination: { endpoint: target.destination.endpoint, path: target.destination.folder },
    convert: {
      name: form.name.trim(),
      ...(query ? { query } : {}),
      write: { format: form.format, ...(form.format === 'parquet' ? { compression: form.compression } : {}) },
    },
  };
}
