import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import { chownSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchMariadb, startMariadb, stopMariadb, type MariadbInfo } from '../servers/mariadb';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * What needs a MariaDB of its own (the shared one serves other test files at the same time), restarted
 * with a certificate from a test CA and local_infile OFF: TLS verified with the CA file connects, the
 * system CAs or a certificate for another host are refused as a TLS error before the password is sent;
 * without LOAD DATA LOCAL the rows go in as INSERTs, with the same all-or-nothing checks.
 */
const shared = server<MariadbInfo>('mariadb');
const home = tempDir('ferry-my-tls-');
const work = tempDir('ferry-my-tls-work-');
const run = (args: string[], stdin?: string) => ferry(args, { home: home.path, stdin });
let stop: (() => Promise<void>) | undefined;
let info: MariadbInfo;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A CA, and a server certificate it signed for these subject alternative names. */
function certificates(dir: string, san: string, prefix: string): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${prefix}ca.key`, '-out', `${prefix}ca.pem`, '-days', '2', '-subj', '/CN=Ferry Test CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${prefix}server.key`, '-out', `${prefix}server.csr`, '-subj', '/CN=ferry-test'], dir);
  writeFileSync(join(dir, `${prefix}ext`), `subjectAltName=${san}\n`);
  openssl(['x509', '-req', '-in', `${prefix}server.csr`, '-CA', `${prefix}ca.pem`, '-CAkey', `${prefix}ca.key`, '-CAcreateserial', '-out', `${prefix}server.pem`, '-days', '2', '-extfile', `${prefix}ext`], dir);
}

describe.skipIf(!shared)('MySQL/MariaDB on a private server: TLS, local_infile off', () => {
  beforeAll(async () => {
    const s = await startMariadb();
    stop = s.stop;
    info = s.info;
    // Node checks an IP host's certificate against "localhost": the good one names both.
    certificates(info.dir, 'DNS:localhost,IP:127.0.0.1', '');
    certificates(info.dir, 'DNS:elsewhere.example', 'other-');
    const owner = statSync(info.dataDir);
    for (const f of ['server.key', 'server.pem', 'ca.pem']) chownSync(join(info.dir, f), owner.uid, owner.gid);
    await stopMariadb(info);
    info.command = info.command.map((a) => (a === '--local-infile=ON' ? '--local-infile=OFF' : a));
    info.command.push(`--ssl-cert=${join(info.dir, 'server.pem')}`, `--ssl-key=${join(info.dir, 'server.key')}`, `--ssl-ca=${join(info.dir, 'ca.pem')}`);
    info.pid = await launchMariadb(info);
  });

  afterAll(async () => {
    await stop?.();
    home.cleanup();
    work.cleanup();
  });

  const add = async (name: string, extra: string[]) => {
    const r = await run(['profile', 'add', name, '--type', 'mysql', '--host', info.host, '--port', String(info.port), '--database', info.database, '--user', info.user, '--tls', 'verify', ...extra, '--password-stdin'], info.password);
    expect(r.code, r.stderr).toBe(0);
  };

  it('with the CA file it connects and lists', async () => {
    await add('good', ['--ca-file', join(info.dir, 'ca.pem')]);
    const r = await run(['ls', 'good:']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toContain(`${info.database}/`);
  });

  it('without local_infile the rows go in as INSERTs, with the same checks', async () => {
    const db = await mysql.createConnection({ host: info.host, port: info.port, user: info.user, password: info.password, database: info.database, ssl: { rejectUnauthorized: false } });
    try {
      expect((await db.query('SELECT @@local_infile AS v'))[0]).toEqual([{ v: 0 }]);
      await db.query('CREATE TABLE slow (sku varchar(20), qty smallint)');
      const lines = ['sku,qty'];
      for (let i = 1; i <= 30000; i++) lines.push(`s${i},${i}`);
      writeFileSync(join(work.path, 'many.csv'), lines.join('\n') + '\n');
      const ok = await run(['load', join(work.path, 'many.csv'), 'good:slow']);
      expect(ok.code, ok.stderr).toBe(0);
      expect((await db.query('SELECT count(*) AS n, sum(qty) AS s FROM slow'))[0]).toEqual([{ n: 30000, s: String((30000 * 30001) / 2) }]);
      lines[25000] = 's25000,99999'; // past smallint: the server refuses it in the INSERT holding line 25001
      writeFileSync(join(work.path, 'many.csv'), lines.join('\n') + '\n');
      const bad = await run(['load', join(work.path, 'many.csv'), 'good:slow', '--mode', 'truncate']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/many\.csv, line 25001, column qty: Out of range/);
      expect((await db.query('SELECT count(*) AS n FROM slow'))[0]).toEqual([{ n: 30000 }]);
    } finally {
      await db.end();
    }
  });

  it('a certificate no trusted CA signed, or one for another host, is a TLS error', async () => {
    await add('system', []);
    const sys = await run(['ls', 'system:']);
    expect(sys.code).toBe(1);
    expect(sys.stderr).toMatch(/certificate/i);
    expect(sys.stderr).not.toContain(info.password);

    // The other CA's file, with the server now presenting the other certificate.
    await stopMariadb(info);
    const owner = statSync(info.dataDir);
    for (const f of ['other-server.key', 'other-server.pem']) chownSync(join(info.dir, f), owner.uid, owner.gid);
    info.command = info.command.map((a) => a.replace(/\/server\.(pem|key)$/, '/other-server.$1'));
    info.pid = await launchMariadb(info);
    await add('wrongname', ['--ca-file', join(info.dir, 'other-ca.pem')]);
    const wrong = await run(['ls', 'wrongname:']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/altnames/i);
  });
});
