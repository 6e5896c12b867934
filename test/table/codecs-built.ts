import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which format codecs this checkout has (issue 9 lands them one by one): tests of a format run exactly when
 * its codec is there, and name the missing one when skipped. Not a capability toggle: once every codec has
 * landed, every test runs.
 */
const TABLE = join(import.meta.dirname, '..', '..', 'electron', 'core', 'table');
export const built = (folder: 'csv' | 'parquet' | 'xlsx' | 'json') => existsSync(join(TABLE, folder, 'index.ts'));
