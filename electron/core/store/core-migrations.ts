import type { Migration } from './db';

/**
 * Profiles keep only non-secret options (JSON). Which secrets are set is recorded by name so the UI can say
 * "stored in keychain" without ever reading one; the values live in the OS keychain.
 */
export const CORE_MIGRATIONS: Migration[] = [
  {
    id: 'core-001',
    sql: `
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        type TEXT NOT NULL,
        options TEXT NOT NULL,
        secrets_set TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
];
