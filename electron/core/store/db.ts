import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;
export interface Migration {
  /** Unique and stable: "core-001", "transfer-001". Applied once, in the order given. */
  id: string;
  sql: string;
}

/**
 * Opens (creating) the store with WAL and applies the migrations not applied yet. Two processes may open a
 * new store at the same moment (the app and `ferry scheduler`, two schedulers): the busy timeout is set
 * before anything that takes a lock (switching to WAL does), and the migrations are read and applied under
 * one write lock (BEGIN IMMEDIATE), so the second process waits and then finds them applied instead of
 * failing on "database is locked" or a table that already exists.
 */
export function openDatabase(file: string, migrations: Migration[]): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const record = db.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, ?)');
  db.transaction(() => {
    const applied = new Set(db.prepare('SELECT id FROM migrations').pluck().all() as string[]);
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      db.exec(m.sql);
      record.run(m.id, new Date().toISOString());
    }
  }).immediate();
  return db;
}
