import { fileDatabaseManifest } from '../file-database';

export const sqliteManifest = fileDatabaseManifest({
  type: 'sqlite',
  label: 'SQLite',
  example: '/data/shop.sqlite',
  atomicityNote: 'A load is one transaction (BEGIN IMMEDIATE … COMMIT): any failure or a cancel rolls it back and leaves the table as it was.',
  connector: async () => (await import('./connector')).SqliteConnector,
});
