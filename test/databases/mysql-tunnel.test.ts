import mysql from 'mysql2/promise';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMariadbBin, type MariadbInfo } from '../servers/mariadb';
import { startPrivateSshd, type SshdInfo } from '../servers/sshd';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * MySQL/MariaDB through an SSH tunnel (an SFTP profile), from the `ferry` command against the real MariaDB
 * and a private sshd whose log shows the forwarded channel: a load and an export go through it, exact.
 */
const info = server<MariadbInfo>('mariadb');
const sshd = server<SshdInfo>('sshd');
const home = tempDir('ferry-my-tunnel-');
const work = tempDir('ferry-my-tunnel-work-');
const at = (name: string) => join(work.path, name);
const run = (args: string[], stdin?: string) => ferry(args, { home: home.path, stdin });
const dbName = `tun${process.pid}`;
let db: mysql.Connection;

const asRoot = (sql: string) => execFileSync(findMariadbBin().client, ['--no-defaults', `--socket=${info!.socket}`, '-u', 'root', '--batch', '-e', sql], { encoding: 'utf8' });

describe.skipIf(!info || !sshd)('MySQL/MariaDB through an SSH tunnel', () => {
  beforeAll(async () => {
    const p = info!;
    asRoot(`CREATE DATABASE ${dbName} CHARACTER SET utf8mb4; GRANT ALL PRIVILEGES ON ${dbName}.* TO '${p.user}'@'127.0.0.1'`);
    db = await mysql.createConnection({ host: p.host, port: p.port, user: p.user, password: p.password, database: dbName });
  });

  afterAll(async () => {
    await db?.end();
    if (info) asRoot(`DROP DATABASE IF EXISTS ${dbName}`);
    home.cleanup();
    work.cleanup();
  });

  it('load and export go through the tunnel: the sshd opened the channel, and the rows are exact', async () => {
    const p = info!;
    const logged = await startPrivateSshd(sshd!, { logLevel: 'DEBUG1' });
    try {
      const s = logged.info;
      expect((await run(['profile', 'add', 'jump', '--type', 'sftp', '--host', s.host, '--port', String(s.port), '--user', s.user, '--password-stdin'], s.password)).code).toBe(0);
      const added = await run(['profile', 'add', 'mytun', '--type', 'mysql', '--host', p.host, '--port', String(p.port), '--database', dbName, '--user', p.user, '--ssh-tunnel', 'jump', '--password-stdin'], p.password);
      expect(added.code, added.stderr).toBe(0);
      const csv = 'id,name,amount,day\n1,Zoë,12.50,2024-03-31\n2,"a, b",-0.01,1969-12-31\n3,,0.00,2000-02-29\n';
      writeFileSync(at('in.csv'), csv);
      const load = await run(['--trust-host-key', s.hostKeyFingerprints.ed25519, 'load', at('in.csv'), 'mytun:tunnelled', '--mode', 'create']);
      expect(load.code, load.stderr).toBe(0);
      expect(load.stderr).toMatch(/3 rows loaded/);
      expect((await db.query('SELECT count(*) AS n FROM tunnelled'))[0]).toEqual([{ n: 3 }]);
      const exported = await run(['--trust-host-key', s.hostKeyFingerprints.ed25519, 'export', 'mytun:tunnelled', at('out.csv')]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(readFileSync(at('out.csv'), 'utf8')).toBe(csv);
      const log = readFileSync(s.logPath, 'utf8');
      expect(log).toMatch(new RegExp(`direct-tcpip.*target:? ?127\\.0\\.0\\.1,? port:? ?${p.port}|target 127\\.0\\.0\\.1 port ${p.port}`));
      const test = await run(['--trust-host-key', s.hostKeyFingerprints.ed25519, 'profile', 'test', 'mytun']);
      expect(test.code, test.stderr).toBe(0);
      expect(test.stdout + test.stderr).toMatch(/MariaDB|MySQL/);
    } finally {
      await logged.stop();
    }
  });
});
