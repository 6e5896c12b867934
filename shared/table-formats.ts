// Table formats, encodings and load modes, without the schemas: what the core and the CLI need at start-up
// (shared/table.ts, with zod, loads only when a payload is validated).

export const TABLE_FORMATS = ['csv', 'tsv', 'xlsx', 'parquet', 'json', 'ndjson'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export const TABLE_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'] as const;

export const LOAD_MODES = ['create', 'append', 'truncate', 'replace', 'upsert'] as const;
export type LoadMode = (typeof LOAD_MODES)[number];

/** The format a file name suggests, or null ("orders.csv.gz" → csv). */
export function formatFromName(name: string): TableFormat | null {
  const n = name.toLowerCase().replace(/\.gz$/, '');
  const ext = n.slice(n.lastIndexOf('.') + 1);
  const map: Record<string, TableFormat> = {
    csv: 'csv', txt: 'csv', tsv: 'tsv', tab: 'tsv', xlsx: 'xlsx', xlsm: 'xlsx', parquet: 'parquet', pq: 'parquet',
    json: 'json', ndjson: 'ndjson', jsonl: 'ndjson',
  };
  return map[ext] ?? null;
}
