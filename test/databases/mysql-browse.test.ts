import mysql from 'mysql2/promise';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryCore } from '../../electron/core/app';
import { findMariadbBin, type MariadbInfo } from '../servers/mariadb';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * What the app's panes show of a MySQL/MariaDB database, through the same handlers the renderer calls: a
 * database's tables and views with their kind and row estimate (information_schema.TABLES), and the
 * server's version in the profile test.
 */
const info = server<MariadbInfo>('mariadb');
const home = tempDir('ferry-my-browse-');
const dbName = `br${process.pid}`;
let db: mysql.Connection;
let core: FerryCore;
let profileId: string;

const asRoot = (sql: string) => execFileSync(findMariadbBin().client, ['--no-defaults', `--socket=${info!.socket}`, '-u', 'root', '--batch', '-e', sql], { encoding: 'utf8' });

describe.skipIf(!info)('MySQL/MariaDB in the panes', () => {
  beforeAll(async () => {
    const p = info!;
    asRoot(`CREATE DATABASE ${dbName}; GRANT ALL PRIVILEGES ON ${dbName}.* TO '${p.user}'@'127.0.0.1'`);
    db = await mysql.createConnection({ host: p.host, port: p.port, user: p.user, password: p.password, database: dbName });
    await db.query('CREATE TABLE orders (id bigint PRIMARY KEY, amount decimal(12,2) NOT NULL, note text)');
    await db.query("INSERT INTO orders WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 500) SELECT i, i * 1.5, CONCAT('n', i) FROM s");
    await db.query('ANALYZE TABLE orders');
    await db.query('CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100');
    core = new FerryCore({ home: home.path, disableKeychain: true });
    const profile = await core.handlers['profiles.create']({
      name: 'my',
      type: 'mysql',
      options: { host: p.host, port: p.port, database: dbName, user: p.user },
      secrets: { password: p.password },
    });
    profileId = profile.id;
  });

  afterAll(async () => {
    await core?.close();
    await db?.end();
    if (info) asRoot(`DROP DATABASE IF EXISTS ${dbName}`);
    home.cleanup();
  });

  it("a database lists its tables and views with their kind and row estimate", async () => {
    const { entries } = await core.handlers['fs.list']({ endpoint: profileId, path: `/${dbName}` });
    expect(entries.map((e) => [e.name, e.table])).toEqual([
      ['big_orders', { kind: 'view', rowEstimate: null }],
      ['orders', { kind: 'table', rowEstimate: 500 }],
    ]);
    expect(entries.find((e) => e.name === 'orders')!.size).toBeGreaterThan(0);
  });

  it('the profile test names the server and its version', async () => {
    const r = await core.handlers['profiles.test']({ id: profileId });
    expect(JSON.stringify(r)).toMatch(/MariaDB 10\.\d+\.\d+/);
  });
});
