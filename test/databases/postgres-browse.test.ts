import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryCore } from '../../electron/core/app';
import type { PostgresInfo } from '../servers/postgres';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * What the app's panes show of a PostgreSQL database, through the same handlers the renderer calls: a
 * schema's tables and views with their kind and row estimate, and a table's columns (types, nullability, key).
 */
const pgInfo = server<PostgresInfo>('postgres');
const home = tempDir('ferry-pg-browse-');
const schema = `b${process.pid}`;
let db: pg.Client;
let core: FerryCore;
let profileId: string;

describe.skipIf(!pgInfo)('PostgreSQL in the panes', () => {
  beforeAll(async () => {
    const p = pgInfo!;
    db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.orders (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, note text)`);
    await db.query(`INSERT INTO ${schema}.orders SELECT i, i * 1.5, 'n' || i FROM generate_series(1, 500) i`);
    await db.query(`ANALYZE ${schema}.orders`);
    await db.query(`CREATE VIEW ${schema}.big_orders AS SELECT * FROM ${schema}.orders WHERE amount > 100`);
    core = new FerryCore({ home: home.path, disableKeychain: true });
    const profile = await core.handlers['profiles.create']({
      name: 'pg',
      type: 'postgres',
      options: { host: p.host, port: p.port, database: p.database, user: p.user },
      secrets: { password: p.password },
    });
    profileId = profile.id;
  });

  afterAll(async () => {
    await core?.close();
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.end();
    home.cleanup();
  });

  it("a schema lists its tables and views with their kind, row estimate and size", async () => {
    const { entries } = await core.handlers['fs.list']({ endpoint: profileId, path: `/${schema}` });
    expect(entries.map((e) => [e.name, e.table])).toEqual([
      ['big_orders', { kind: 'view', rowEstimate: null }],
      ['orders', { kind: 'table', rowEstimate: 500 }],
    ]);
    expect(entries.find((e) => e.name === 'orders')!.size).toBeGreaterThan(8192);
  });

  it("a table's columns: logical and database types, nullability, primary key", async () => {
    const info = await core.handlers['table.describe']({ endpoint: profileId, path: `/${schema}/orders` });
    expect(info).toEqual({
      path: `/${schema}/orders`,
      kind: 'table',
      rowEstimate: 500,
      columns: [
        { name: 'id', type: 'int64', dbType: 'bigint', nullable: false, key: true },
        { name: 'amount', type: 'decimal(12,2)', dbType: 'numeric(12,2)', nullable: false, key: false },
        { name: 'note', type: 'string', dbType: 'text', nullable: true, key: false },
      ],
    });
  });

  it('describing a table that is not there, or a file endpoint, says so', async () => {
    await expect(core.handlers['table.describe']({ endpoint: profileId, path: `/${schema}/nope` })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(core.handlers['table.describe']({ endpoint: 'local', path: '/tmp' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
