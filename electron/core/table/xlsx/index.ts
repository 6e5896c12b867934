import type { FormatCodec } from '../types';
import { openXlsx } from './reader';
import { writeXlsx } from './writer';

/** Excel workbooks: read over the zip's directory with ranged reads, written as a streaming sheet. */
export const xlsxCodec: FormatCodec = {
  name: 'xlsx',
  extensions: ['.xlsx', '.xlsm'],
  open: (src, opts) => openXlsx(src, opts),
  write: (schema, batches, opts) => writeXlsx(schema, batches, opts),
};

export { EXCEL_MAX_ROWS } from './writer';
