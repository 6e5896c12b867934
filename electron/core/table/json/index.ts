import type { FormatCodec } from '../types';
import { openJson } from './reader';
import { writeJson } from './writer';

/** A JSON array of objects, and NDJSON / JSON Lines (one object per line); numbers read losslessly. */
export const jsonCodec: FormatCodec = {
  name: 'json',
  extensions: ['.json'],
  open: (src, opts) => openJson(src, opts, 'json'),
  write: (schema, batches, opts) => writeJson(schema, batches, { ...opts, lines: false }),
};

export const ndjsonCodec: FormatCodec = {
  name: 'ndjson',
  extensions: ['.ndjson', '.jsonl'],
  open: (src, opts) => openJson(src, opts, 'ndjson'),
  write: (schema, batches, opts) => writeJson(schema, batches, { ...opts, lines: true }),
};
