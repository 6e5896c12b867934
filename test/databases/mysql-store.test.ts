import mysql from 'mysql2/promise';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectContext, Connector } from '../../electron/core/connectors/types';
import { mysqlManifest } from '../../electron/core/databases/mysql/index';
import type { LoadInput } from '../../electron/core/databases/types';
import { isFerryError } from '../../electron/core/errors';
import type { Batch, Column } from '../../electron/core/table/types';
import { findMariadbBin, type MariadbInfo } from '../servers/mariadb';
import { server } from '../support/servers';

/**
 * The MySQL table store below the CLI, against the real MariaDB: upsert by a unique key that is not the
 * primary key, a cancel in the middle of a load (rolled back, the connection usable after), a cancel in
 * the middle of an export, and the dry run's statements.
 */
const info = server<MariadbInfo>('mariadb');
const dbName = `s${process.pid}`;
let db: mysql.Connection;
let conn: Connector;

const asRoot = (sql: string) => execFileSync(findMariadbBin().client, ['--no-defaults', `--socket=${info!.socket}`, '-u', 'root', '--batch', '-e', sql], { encoding: 'utf8' });
const sql = async <T = Record<string, unknown>>(text: string) => (await db.query(text))[0] as T[];

/** Rows made on the fly, batch by batch; `stopAfter` aborts the load's signal once that many batches were read. */
function rows(columns: Column[], batches: number, row: (i: number) => Batch['rows'][number], opts: { stopAfter?: number; abort?: AbortController } = {}): LoadInput {
  return {
    schema: { columns },
    label: 'generated',
    async *batches() {
      for (let b = 0; b < batches; b++) {
        if (opts.stopAfter !== undefined && b === opts.stopAfter) opts.abort!.abort();
        opts.abort?.signal.throwIfAborted();
        yield { rows: Array.from({ length: 1000 }, (_, i) => row(b * 1000 + i)), origins: Array.from({ length: 1000 }, (_, i) => b * 1000 + i + 2) };
      }
    },
  };
}

describe.skipIf(!info)('the MySQL table store', () => {
  beforeAll(async () => {
    const p = info!;
    asRoot(`CREATE DATABASE ${dbName}; GRANT ALL PRIVILEGES ON ${dbName}.* TO '${p.user}'@'127.0.0.1'`);
    db = await mysql.createConnection({ host: p.host, port: p.port, user: p.user, password: p.password, database: dbName });
    const ctx = {
      profile: { id: 'p1', name: 'my', options: { host: p.host, port: p.port, database: dbName, user: p.user } },
      secret: async () => p.password,
    } as unknown as ConnectContext;
    conn = await mysqlManifest.connect(ctx);
  });

  afterAll(async () => {
    await conn?.close();
    await db?.end();
    if (info) asRoot(`DROP DATABASE IF EXISTS ${dbName}`);
  });

  it('upsert by a unique key given as the key; a key that is no unique key is refused before any row', async () => {
    await sql('CREATE TABLE u (id int AUTO_INCREMENT PRIMARY KEY, sku varchar(10) NOT NULL UNIQUE, qty int)');
    await sql("INSERT INTO u (sku, qty) VALUES ('a', 1), ('b', 2)");
    const cols: Column[] = [{ name: 'SKU', type: { kind: 'string' } }, { name: 'qty', type: { kind: 'int32' } }];
    const input: LoadInput = { schema: { columns: cols }, async *batches() { yield { rows: [['b', 20], ['c', 30], ['c', 31]] }; } };
    const r = await conn.tables!.load(`/${dbName}/u`, input, { mode: 'upsert', key: ['sku'] });
    expect(r.rowsLoaded).toBe(3);
    expect(await sql('SELECT id, sku, qty FROM u ORDER BY id')).toEqual([{ id: 1, sku: 'a', qty: 1 }, { id: 2, sku: 'b', qty: 20 }, { id: 3, sku: 'c', qty: 31 }]);
    const bad = await conn.tables!.load(`/${dbName}/u`, input, { mode: 'upsert', key: ['qty'] }).catch((e) => e);
    expect(isFerryError(bad, 'INVALID_INPUT')).toBe(true);
    expect(bad.message).toMatch(/\(qty\) is not one \(its unique keys: \(id\), \(sku\)\)/);
  });

  it('a cancel in the middle of a load rolls it back, and the connection serves the next call', async () => {
    await sql('CREATE TABLE c (n int, note varchar(20))');
    await sql("INSERT INTO c VALUES (-1, 'kept')");
    const cols: Column[] = [{ name: 'n', type: { kind: 'int32' } }, { name: 'note', type: { kind: 'string' } }];
    const abort = new AbortController();
    const e = await conn.tables!.load(`/${dbName}/c`, rows(cols, 50, (i) => [i, `row ${i}`], { stopAfter: 20, abort }), { mode: 'truncate', signal: abort.signal }).catch((x) => x);
    expect(isFerryError(e, 'CANCELLED')).toBe(true);
    expect(await sql('SELECT n, note FROM c')).toEqual([{ n: -1, note: 'kept' }]);
    const again = await conn.tables!.load(`/${dbName}/c`, rows(cols, 3, (i) => [i, null]), { mode: 'append' });
    expect(again.rowsLoaded).toBe(3000);
    expect((await sql<{ n: number }>('SELECT count(*) AS n FROM c'))[0].n).toBe(3001);
  });

  it('a connection cut in the middle of a load (KILL from another session) leaves the table as it was', async () => {
    await sql('CREATE TABLE k (n int)');
    await sql('INSERT INTO k VALUES (-1)');
    const cols: Column[] = [{ name: 'n', type: { kind: 'int32' } }];
    let kill: Promise<unknown> | null = null;
    const input: LoadInput = {
      schema: { columns: cols },
      async *batches() {
        for (let b = 0; b < 30; b++) {
          if (b === 10) {
            // The statement shows in the process list once the server has it, which can be a moment after
            // the rows began to flow (CI once looked too early): look until it is there.
            let victim: { id: number } | undefined;
            for (let tries = 0; !victim && tries < 100; tries++) {
              [victim] = await sql<{ id: number }>(`SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = '${dbName}' AND INFO LIKE 'LOAD DATA%'`);
              if (!victim) await new Promise((r) => setTimeout(r, 20));
            }
            // The load may fail (the server drops its connection) before the KILL's own answer arrives:
            // the test waits for that answer after the load.
            kill = sql(`KILL CONNECTION ${victim!.id}`);
            await kill;
          }
          yield { rows: Array.from({ length: 1000 }, (_, i) => [b * 1000 + i]) };
        }
      },
    };
    const e = await conn.tables!.load(`/${dbName}/k`, input, { mode: 'truncate' }).catch((x) => x);
    expect(kill, String(e)).not.toBeNull();
    await kill;
    expect(isFerryError(e, 'CONNECTION_LOST'), String(e)).toBe(true);
    expect(e.message).toMatch(/nothing was loaded/);
    expect(await sql('SELECT n FROM k')).toEqual([{ n: -1 }]);
    // The connector opens a new connection for the next call.
    expect((await conn.tables!.load(`/${dbName}/k`, rows(cols, 1, (i) => [i]), { mode: 'append' })).rowsLoaded).toBe(1000);
  });

  it('a cancel in the middle of an export stops it; the next read works', async () => {
    const cols: Column[] = [{ name: 'n', type: { kind: 'int32' } }, { name: 'note', type: { kind: 'string' } }];
    await conn.tables!.load(`/${dbName}/c`, rows(cols, 20, (i) => [i, 'x']), { mode: 'append' });
    const abort = new AbortController();
    const reader = await conn.tables!.read({ table: `/${dbName}/c` }, { signal: abort.signal });
    let seen = 0;
    const e = await (async () => {
      for await (const b of reader.batches({ signal: abort.signal })) {
        seen += b.rows.length;
        abort.abort();
      }
    })().catch((x) => x);
    expect(isFerryError(e, 'CANCELLED')).toBe(true);
    expect(seen).toBeLessThan(23001);
    const again = await conn.tables!.read({ query: `SELECT count(*) AS n FROM ${dbName}.c` });
    const out = [];
    for await (const b of again.batches()) out.push(...b.rows);
    expect(out).toEqual([[23001n]]);
  });

  it("the dry run's statements, and the errors a load would stop with, change nothing", async () => {
    const schema = { columns: [{ name: 'a b', type: { kind: 'decimal', precision: 38, scale: 9 } }, { name: 'at', type: { kind: 'timestamp', unit: 'us', tz: 'UTC' } }] as Column[] };
    expect(await conn.tables!.loadStatements(`/${dbName}/fresh`, schema, { mode: 'create' })).toEqual([
      `CREATE TABLE \`${dbName}\`.\`fresh\` (\`a b\` decimal(38,9), \`at\` timestamp(6) NULL) DEFAULT CHARSET = utf8mb4`,
    ]);
    expect(await conn.tables!.loadStatements(`/${dbName}/c`, { columns: [{ name: 'n', type: { kind: 'int32' } }] }, { mode: 'truncate' })).toEqual([`DELETE FROM \`${dbName}\`.\`c\``]);
    await expect(conn.tables!.loadStatements(`/${dbName}/c`, schema, { mode: 'create' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(conn.tables!.loadStatements(`/${dbName}/nope`, schema, { mode: 'append' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await sql(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${dbName}' AND TABLE_NAME = 'fresh'`)).toEqual([]);
  });
});
