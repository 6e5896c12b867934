import { fileDatabaseManifest } from '../file-database';

export const duckdbManifest = fileDatabaseManifest({
  type: 'duckdb',
  label: 'DuckDB',
  example: '/data/warehouse.duckdb',
  atomicityNote: 'A load is one transaction (the Appender inside BEGIN … COMMIT): any failure or a cancel rolls it back and leaves the table as it was.',
  connector: async () => (await import('./connector')).DuckdbConnector,
});
