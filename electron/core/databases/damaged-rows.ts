import { FerryError } from '../errors';
import type { Batch, TableWarning } from '../table/types';

/**
 * A load takes rows as they are in the file or not at all. A reader is lenient for previews: a row with
 * too many or too few fields is padded or cut, and bytes that are not UTF-8 become U+FFFD, each reported
 * as a warning. Loaded into a table, either would store something the file does not say, so the first
 * such warning fails the load, naming its line, before the batch holding that row is sent.
 */
export async function* refuseDamagedRows(batches: AsyncIterable<Batch>, warnings: readonly TableWarning[], label: string): AsyncGenerator<Batch> {
  let seen = 0;
  const check = () => {
    for (; seen < warnings.length; seen++) {
      const w = warnings[seen];
      if (w.code !== 'RAGGED_ROW' && w.code !== 'INVALID_ENCODING') continue;
      const what = w.message.replace(/: the (missing|extra) ones .*$/, '').replace(/ \(shown as .*$/, '');
      throw new FerryError('INVALID_INPUT', `${label}, ${what}`, { detail: { line: w.line, file: label } });
    }
  };
  for await (const batch of batches) {
    check();
    yield batch;
  }
  check();
}
