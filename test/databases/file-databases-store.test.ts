import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckdbConnector } from '../../electron/core/databases/duckdb/connector';
import { SqliteConnector } from '../../electron/core/databases/sqlite/connector';
import type { LoadInput } from '../../electron/core/databases/types';
import type { Batch, Schema } from '../../electron/core/table/types';
import { tempDir } from '../support/temp';

/**
 * The SQLite and DuckDB table stores as the load layer calls them: a cancel in the middle of a load rolls
 * it back, an upsert on named key columns, and the dry run's statements, which change nothing.
 */
const work = tempDir('ferry-filedb-store-');
afterAll(() => work.cleanup());

const schema: Schema = { columns: [{ name: 'id', type: { kind: 'int64' } }, { name: 'name', type: { kind: 'string' } }] };

/** Rows [from, to) named PREFIX+id, in batches of 100, calling `after(n)` after each batch is taken. */
function rows(from: number, to: number, after?: (n: number) => void, prefix = 'n'): LoadInput {
  return {
    schema,
    label: 'generated',
    async *batches(): AsyncGenerator<Batch> {
      for (let i = from; i < to; i += 100) {
        const n = Math.min(100, to - i);
        yield { rows: Array.from({ length: n }, (_, k) => [BigInt(i + k), `${prefix}${i + k}`]), origins: Array.from({ length: n }, (_, k) => i + k + 2) };
        after?.(i + n - from);
      }
    },
  };
}

async function count(type: string, file: string, where = ''): Promise<number> {
  if (type === 'sqlite') {
    const db = new Database(file);
    const n = (db.prepare(`SELECT count(*) AS n FROM t ${where}`).get() as { n: number }).n;
    db.close();
    return n;
  }
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  const n = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM t ${where}`)).getRows()[0][0]);
  conn.closeSync();
  instance.closeSync();
  return n;
}

describe.each([
  { type: 'sqlite', open: (f: string) => new SqliteConnector(f, 'lite') },
  { type: 'duckdb', open: (f: string) => new DuckdbConnector(f, 'duck') },
])('$type table store', ({ type, open }) => {
  const file = join(work.path, `store.${type}`);

  it('a cancel in the middle of a load rolls it back: the table keeps its rows', async () => {
    const c = open(file);
    expect((await c.tables!.load('/main/t', rows(0, 300), { mode: 'create' })).rowsLoaded).toBe(300);
    const abort = new AbortController();
    const load = c.tables!.load('/main/t', rows(1000, 100_000, (n) => n >= 500 && abort.abort()), { mode: 'truncate', signal: abort.signal });
    await expect(load).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(/the table is as it was/) });
    await c.close();
    expect(await count(type, file)).toBe(300);
  });

  it('the dry run names the statements and changes nothing; an upsert on a named key updates and inserts', async () => {
    const c = open(file);
    expect(await c.tables!.loadStatements('/main/t', schema, { mode: 'replace' })).toEqual([
      'DROP TABLE "main"."t"',
      `CREATE TABLE "main"."t" ("id" BIGINT, "name" ${type === 'sqlite' ? 'TEXT' : 'VARCHAR'})`,
    ]);
    await expect(c.tables!.loadStatements('/main/t', schema, { mode: 'create' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    // ON CONFLICT needs a unique index on the key.
    await c.close();
    if (type === 'sqlite') {
      const db = new Database(file);
      db.exec('CREATE UNIQUE INDEX t_id ON t (id)');
      db.close();
    } else {
      const instance = await DuckDBInstance.create(file);
      const conn = await instance.connect();
      await conn.run('CREATE UNIQUE INDEX t_id ON t (id)');
      conn.closeSync();
      instance.closeSync();
    }
    const d = open(file);
    const r = await d.tables!.load('/main/t', rows(250, 400, undefined, 'u'), { mode: 'upsert', key: ['ID'] });
    expect(r.rowsLoaded).toBe(150);
    await d.close();
    expect(await count(type, file)).toBe(400);
    expect(await count(type, file, `WHERE name = 'u299' OR name = 'u399' OR name = 'n249'`)).toBe(3);
    expect(await count(type, file, `WHERE name = 'n250'`)).toBe(0);
  });
});
