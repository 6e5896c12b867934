import type { FormatCodec } from '../types';
import { openCsv } from './reader';
import { writeCsv } from './writer';

/** CSV and TSV: sniffed dialect and encoding, inferred types (infer.ts documents the rule), streamed rows. */
export const csvCodec: FormatCodec = {
  name: 'csv',
  extensions: ['.csv', '.csv.gz', '.txt'],
  open: (src, opts) => openCsv(src, opts, 'csv'),
  write: (schema, batches, opts) => writeCsv(schema, batches, opts),
};

export const tsvCodec: FormatCodec = {
  name: 'tsv',
  extensions: ['.tsv', '.tab', '.tsv.gz'],
  open: (src, opts) => openCsv(src, { delimiter: '\t', ...opts }, 'tsv'),
  write: (schema, batches, opts) => writeCsv(schema, batches, { ...opts, delimiter: opts.delimiter ?? '\t' }),
};

export { inferColumnType, parseCell } from './infer';
