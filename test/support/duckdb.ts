import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll } from 'vitest';

/**
 * An in-memory DuckDB (one thread, UTC) for the file's tests, as the independent reader and writer of
 * Parquet and CSV. Call at the top of a test file; the connection exists once beforeAll has run.
 */
export function useDuckDb(): { readonly db: DuckDBConnection } {
  const holder: { db?: DuckDBConnection } = {};
  beforeAll(async () => {
    holder.db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    await holder.db.run(`SET TimeZone = 'UTC'`);
  });
  return {
    get db() {
      if (!holder.db) throw new Error('DuckDB is not open yet (use it inside a test or a hook)');
      return holder.db;
    },
  };
}
