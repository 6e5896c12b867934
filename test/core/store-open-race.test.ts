import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../support/temp';

/**
 * Two Ferry processes opening a new store at once (the app and `ferry scheduler`, or two schedulers): the
 * second must wait for the first's migrations and find them applied, not fail on a table that already
 * exists. CI once saw a second `ferry scheduler` die this way. Here the "first process" is this test,
 * holding the store's write lock mid-migration while a real second process opens the store.
 */
const tmp = tempDir('ferry-store-race-');
afterAll(() => tmp.cleanup());

const MIGRATIONS = [{ id: 'race-001', sql: 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)' }];
const DB_MODULE = join(import.meta.dirname, '..', '..', 'electron', 'core', 'store', 'db.ts');

it('a second process opening the store while the first migrates it waits, then finds the migrations applied', async () => {
  const file = join(tmp.path, 'ferry.db');
  const first = new Database(file);
  first.pragma('journal_mode = WAL');
  first.exec('CREATE TABLE IF NOT EXISTS migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  first.exec('BEGIN IMMEDIATE');

  const script = `
    const { openDatabase } = await import(${JSON.stringify(DB_MODULE)});
    process.stdout.write('opening\\n');
    const db = openDatabase(${JSON.stringify(file)}, ${JSON.stringify(MIGRATIONS)});
    process.stdout.write('migrations applied: ' + db.prepare("SELECT count(*) FROM migrations").pluck().get() + '\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!out.includes('opening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(out).toContain('opening');
  // Let the second process get as far as it can (reading what is applied, waiting for the lock), then
  // finish this migration as the first process would.
  await new Promise((r) => setTimeout(r, 500));
  first.exec(MIGRATIONS[0].sql);
  first.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, ?)').run('race-001', new Date().toISOString());
  first.exec('COMMIT');
  first.close();

  expect(await exited, out).toBe(0);
  expect(out).toContain('migrations applied: 1');
}, 60_000);
