import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { describe, expect, it } from 'vitest';
import { server } from '../support/servers';
import type { MariadbInfo } from './mariadb';
import type { PostgresInfo } from './postgres';

// Proves the database test servers are usable the way Ferry will use them: password logins over TCP,
// and each server's bulk-load path (COPY FROM STDIN, LOAD DATA LOCAL INFILE). When a server was not
// started (FERRY_TEST_SERVERS leaves it out) its tests are skipped, saying why.

describe('PostgreSQL test server', () => {
  const s = server<PostgresInfo>('postgres');
  const notStarted = 'the postgres test server was not started (see FERRY_TEST_SERVERS)';
  const client = (password = s!.password) =>
    new pg.Client({ host: s!.host, port: s!.port, user: s!.user, password, database: s!.database });

  it('accepts the ferry user with its password over TCP', async (ctx) => {
    if (!s) ctx.skip(notStarted);
    const c = client();
    await c.connect();
    try {
      const { rows } = await c.query<{ version: string; db: string; usr: string }>('SELECT version(), current_database() AS db, current_user AS usr');
      expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
      expect(rows[0]).toMatchObject({ db: 'ferry', usr: 'ferry' });
      // Full rights on its database: it can create tables in the public schema.
      await c.query('CREATE TABLE smoke (id int PRIMARY KEY, name text)');
      await pipeline(Readable.from([Buffer.from('1,a\n2,b\n')]), c.query(copyFrom('COPY smoke FROM STDIN (FORMAT csv)')));
      const count = await c.query<{ n: string }>('SELECT count(*) AS n FROM smoke');
      expect(count.rows[0].n).toBe('2');
      await c.query('DROP TABLE smoke');
    } finally {
      await c.end();
    }
  });

  it('refuses a wrong password (TCP logins really are password-checked)', async (ctx) => {
    if (!s) ctx.skip(notStarted);
    const c = client('wrong-password');
    // 28P01: invalid_password, from the server's SCRAM exchange.
    await expect(c.connect()).rejects.toMatchObject({ code: '28P01' });
    await c.end().catch(() => undefined);
  });
});

describe('MariaDB test server', () => {
  const s = server<MariadbInfo>('mariadb');
  const notStarted = 'the mariadb test server was not started (see FERRY_TEST_SERVERS)';
  const connect = (password = s!.password) =>
    mysql.createConnection({ host: s!.host, port: s!.port, user: s!.user, password, database: s!.database });

  it('accepts the ferry user with its password over TCP and allows LOAD DATA LOCAL INFILE', async (ctx) => {
    if (!s) ctx.skip(notStarted);
    const c = await connect();
    try {
      const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v, DATABASE() AS db, @@local_infile AS li, @@character_set_server AS cs');
      expect(rows[0].v).toMatch(/MariaDB/);
      expect(rows[0]).toMatchObject({ db: 'ferry', li: 1, cs: 'utf8mb4' });
      await c.query('CREATE TABLE smoke (id INT PRIMARY KEY, name VARCHAR(10))');
      // The stream factory hands mysql2 the bytes; the file name is only what the server asks for.
      await c.query({
        sql: "LOAD DATA LOCAL INFILE 'smoke.csv' INTO TABLE smoke FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'",
        infileStreamFactory: () => Readable.from([Buffer.from('1,a\n2,b\n')]),
      });
      const [count] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM smoke');
      expect(count[0].n).toBe(2);
      await c.query('DROP TABLE smoke');
    } finally {
      await c.end();
    }
  });

  it('refuses a wrong password', async (ctx) => {
    if (!s) ctx.skip(notStarted);
    await expect(connect('wrong-password')).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  });
});
