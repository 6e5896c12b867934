import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresInfo } from '../servers/postgres';
import { startPrivateSshd, type SshdInfo } from '../servers/sshd';
import { ferry, type CliResult } from '../support/cli';
import { freePort } from '../support/ports';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * How Ferry reaches PostgreSQL, through the `ferry` command against the real server (ssl=on with a
 * self-signed certificate) and the real sshd: a postgres:// URL whose password goes to the keychain only,
 * the PG* variables and ~/.pgpass as psql reads them, every sslmode with the certificate pinned through the
 * trust store, `ferry profile test` in plain words, an SSH tunnel through an SFTP profile, and names that
 * hold a dot. Every CLI output of the file is kept and checked for the password at the end.
 */
const pgInfo = server<PostgresInfo>('postgres');
const sshd = server<SshdInfo>('sshd');
const FIDELITY = join(import.meta.dirname, '..', 'table', 'fixtures', 'fidelity.csv');
const home = tempDir('ferry-pg-connect-');
const work = tempDir('ferry-pg-connect-work-');
const at = (name: string) => join(work.path, name);
const outputs: CliResult[] = [];
/** The CLI with no PG* variables of this machine's environment, plus `env`. */
async function run(args: string[], opts: { stdin?: string; env?: Record<string, string>; home?: string } = {}): Promise<CliResult> {
  const clean = Object.fromEntries(['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGSSLMODE', 'PGPASSFILE', 'PGSSLROOTCERT'].map((k) => [k, '']));
  const r = await ferry(args, { home: opts.home ?? home.path, stdin: opts.stdin, env: { ...clean, PGPASSFILE: at('no-such-pgpass'), ...opts.env } });
  outputs.push(r);
  return r;
}
const schema = `c${process.pid}`;
let db: pg.Client;
let certFingerprint = '';

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(text, values)).rows as T[];
}

/** A profile's options as stored (`profile show --json`). */
async function stored(name: string): Promise<Record<string, unknown>> {
  const r = await run(['profile', 'show', name, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).options;
}

/** The session's own TLS state, read through the profile (a query export to CSV). */
async function sslOf(profile: string, extra: string[] = [], homeDir?: string, env?: Record<string, string>): Promise<CliResult & { ssl?: string }> {
  const out = at(`ssl-${profile}-${outputs.length}.csv`);
  const r = await run([...extra, 'export', `${profile}:`, out, '--query', 'SELECT ssl::text AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], { home: homeDir, env });
  return { ...r, ssl: r.code === 0 ? readFileSync(out, 'utf8').split('\n')[1] : undefined };
}

describe.skipIf(!pgInfo)('PostgreSQL connections', () => {
  const p = pgInfo!;
  const base = () => ['--host', p.host, '--port', String(p.port), '--database', p.database, '--user', p.user];

  beforeAll(async () => {
    db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    const der = new X509Certificate(readFileSync(p.certPath)).raw;
    certFingerprint = 'SHA256:' + createHash('sha256').update(der).digest('base64').replace(/=+$/, '');
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.query(`DROP SCHEMA IF EXISTS "${schema}.dotted" CASCADE`).catch(() => {});
    await db?.end();
    home.cleanup();
    work.cleanup();
  });

  describe('a postgres:// URL', () => {
    it('fills the options; its password goes to the keychain, never to the store or the output', async () => {
      const url = `postgres://${p.user}:${encodeURIComponent(p.password)}@${p.host}:${p.port}/${p.database}?sslmode=disable&connect_timeout=7`;
      const add = await run(['profile', 'add', 'pgurl', '--type', 'postgres', '--url', url]);
      expect(add.code, add.stderr).toBe(0);
      expect(add.stderr).toMatch(/password in --url went to the keychain/);
      expect(await stored('pgurl')).toEqual({ host: p.host, port: p.port, user: p.user, database: p.database, sslmode: 'disable', connectTimeoutSec: 7 });
      const ls = await run(['ls', 'pgurl:']);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout.split('\n')).toContain(`${schema}/`);
    });

    it('an explicit option wins over the URL; a URL without a password leaves the password to the other sources', async () => {
      const add = await run(['profile', 'add', 'pgurl2', '--type', 'postgres', '--url', `postgresql://nobody@${p.host}:1/nothing`, '--port', String(p.port), '--user', p.user, '--database', p.database]);
      expect(add.code, add.stderr).toBe(0);
      expect(await stored('pgurl2')).toEqual({ host: p.host, port: p.port, user: p.user, database: p.database });
      const ls = await run(['ls', 'pgurl2:'], { env: { PGPASSWORD: p.password } });
      expect(ls.code, ls.stderr).toBe(0);
    });

    it('a URL Ferry cannot use is refused by name, without echoing its password', async () => {
      const r = await run(['profile', 'add', 'pgbadurl', '--type', 'postgres', '--url', `postgres://u:${p.password}@h/db?sslcert=x`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/parameter Ferry does not know: "sslcert"/);
      expect(r.stderr).toContain('postgres://u:***@h/db');
    });
  });

  describe('the PG* variables and ~/.pgpass, as psql reads them', () => {
    it('a profile that sets nothing takes PGHOST, PGPORT, PGDATABASE, PGUSER and PGPASSWORD', async () => {
      expect((await run(['profile', 'add', 'pgenv', '--type', 'postgres'])).code).toBe(0);
      const env = { PGHOST: p.host, PGPORT: String(p.port), PGDATABASE: p.database, PGUSER: p.user, PGPASSWORD: p.password };
      const ls = await run(['ls', 'pgenv:'], { env });
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout.split('\n')).toContain(`${schema}/`);
      // What the profile sets wins over the environment.
      expect((await run(['profile', 'add', 'pgenv2', '--type', 'postgres', ...base()])).code).toBe(0);
      const own = await run(['ls', 'pgenv2:'], { env: { ...env, PGDATABASE: 'no_such_db', PGPORT: '1' } });
      expect(own.code, own.stderr).toBe(0);
    });

    it('the password from PGPASSFILE (a 0600 file); a file others can read is ignored, as psql does', async () => {
      const file = at('pgpass');
      writeFileSync(file, `# comment\nother:5432:*:*:wrong\n${p.host}:${p.port}:*:${p.user}:${p.password.replace(/:/g, '\\:')}\n`);
      chmodSync(file, 0o600);
      const ok = await run(['ls', 'pgenv2:'], { env: { PGPASSFILE: file } });
      expect(ok.code, ok.stderr).toBe(0);
      chmodSync(file, 0o644);
      const ignored = await run(['ls', 'pgenv2:'], { env: { PGPASSFILE: file } });
      expect(ignored.code).toBe(1);
      expect(ignored.stderr).toMatch(/none is stored \(keychain, PGPASSWORD or ~\/\.pgpass\)/);
    });

    it('the keychain password wins over PGPASSWORD', async () => {
      expect((await run(['profile', 'add', 'pgkeep', '--type', 'postgres', ...base(), '--password-stdin'], { stdin: p.password })).code).toBe(0);
      const r = await run(['ls', 'pgkeep:'], { env: { PGPASSWORD: 'wrong-one' } });
      expect(r.code, r.stderr).toBe(0);
    });
  });

  describe('sslmode', () => {
    it('require: an unknown certificate stops with its SHA256 fingerprint; --trust-host-key pins it; then TLS is used', async () => {
      expect((await run(['profile', 'add', 'pgreq', '--type', 'postgres', ...base(), '--sslmode', 'require', '--password-stdin'], { stdin: p.password })).code).toBe(0);
      const refused = await run(['ls', 'pgreq:']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`--trust-host-key ${certFingerprint}`);
      expect(refused.stderr).toMatch(/TLS certificate of 127\.0\.0\.1:\d+ is not known/);
      const job = await sslOf('pgreq');
      expect(job.code).toBe(1);
      expect(job.stderr).toContain(certFingerprint);
      const pinned = await sslOf('pgreq', ['--trust-host-key', certFingerprint]);
      expect(pinned.code, pinned.stderr).toBe(0);
      expect(pinned.ssl).toBe('true');
      expect(readFileSync(join(home.path, 'known_certs'), 'utf8')).toContain(`[${p.host}]:${p.port} x509 `);
      const again = await sslOf('pgreq');
      expect(again.ssl).toBe('true');
    });

    it('require: a changed certificate is refused', async () => {
      const other = tempDir('ferry-pg-changed-');
      try {
        expect((await run(['profile', 'add', 'pgreq', '--type', 'postgres', ...base(), '--sslmode', 'require', '--password-stdin'], { stdin: p.password, home: other.path })).code).toBe(0);
        // Pinned for this host:port: some other certificate (the one of a throwaway key).
        const otherCert = new X509Certificate(selfSigned()).raw.toString('base64');
        writeFileSync(join(other.path, 'known_certs'), `[${p.host}]:${p.port} x509 ${otherCert}\n`);
        const r = await sslOf('pgreq', ['--trust-host-key', certFingerprint], other.path);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/has CHANGED/);
      } finally {
        other.cleanup();
      }
    });

    it('verify-full with the CA file: passes for the name in the certificate, refused for another', async () => {
      const add = ['profile', 'add', 'pgfull', '--type', 'postgres', '--host', 'localhost', '--port', String(p.port), '--database', p.database, '--user', p.user, '--sslmode', 'verify-full', '--ca-file', p.certPath, '--password-stdin'];
      expect((await run(add, { stdin: p.password })).code).toBe(0);
      const ok = await sslOf('pgfull');
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.ssl).toBe('true');
      const wrongName = [...add.slice(0, 2), 'pgfull2', ...add.slice(3)].map((a) => (a === 'localhost' ? '127.0.0.1' : a));
      expect((await run(wrongName, { stdin: p.password })).code).toBe(0);
      const bad = await sslOf('pgfull2');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/certificate/i);
      expect(bad.stderr).toMatch(/127\.0\.0\.1/);
    });

    it('verify-ca with the CA file accepts any host name; verify-full without one (system CAs) refuses a self-signed certificate', async () => {
      expect((await run(['profile', 'add', 'pgca', '--type', 'postgres', ...base(), '--sslmode', 'verify-ca', '--ca-file', p.certPath, '--password-stdin'], { stdin: p.password })).code).toBe(0);
      const ok = await sslOf('pgca');
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.ssl).toBe('true');
      expect((await run(['profile', 'add', 'pgsys', '--type', 'postgres', ...base(), '--sslmode', 'verify-full', '--password-stdin'], { stdin: p.password })).code).toBe(0);
      const refused = await sslOf('pgsys');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/self-signed certificate/i);
    });

    it('PGSSLMODE applies when the profile leaves sslmode unset', async () => {
      const r = await sslOf('pgenv2', [], undefined, { PGPASSWORD: p.password });
      expect(r.code, r.stderr).toBe(0);
      expect(r.ssl).toBe('false');
      const ca = await sslOf('pgenv2', [], undefined, { PGPASSWORD: p.password, PGSSLMODE: 'verify-ca', PGSSLROOTCERT: p.certPath });
      expect(ca.code, ca.stderr).toBe(0);
      expect(ca.ssl).toBe('true');
      // pgkeep sets no sslmode: PGSSLMODE asks for a CA-signed certificate, which this self-signed one is not.
      const viaEnv = await run(['ls', 'pgkeep:'], { env: { PGSSLMODE: 'verify-full' } });
      expect(viaEnv.code).toBe(1);
      expect(viaEnv.stderr).toMatch(/self-signed certificate/i);
    });
  });

  describe('ferry profile test', () => {
    it('a working profile: connect and authenticate, the server version, the schemas', async () => {
      const r = await run(['profile', 'test', 'pgkeep']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^ok {3}connect and authenticate \(\d+ ms\)$/m);
      expect(r.stdout).toMatch(/^ok {3}server version/m);
      expect(r.stdout).toMatch(new RegExp(`^server: PostgreSQL ${p.version}\\.\\d+`, 'm'));
      const schemas = /^schemas: (.*)$/m.exec(r.stdout)?.[1].split(', ');
      expect(schemas).toEqual(expect.arrayContaining(['public', schema]));
    });

    it('refused, wrong password, unknown certificate and timeout, each in plain words', async () => {
      const closed = await freePort();
      expect((await run(['profile', 'add', 'pgclosed', '--type', 'postgres', '--host', p.host, '--port', String(closed), '--user', 'x', '--database', 'x'])).code).toBe(0);
      const refused = await run(['profile', 'test', 'pgclosed']);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/^FAIL connect/m);
      expect(refused.stderr).toMatch(new RegExp(`Connection refused: 127\\.0\\.0\\.1:${closed}`));

      expect((await run(['profile', 'add', 'pgwrong', '--type', 'postgres', ...base(), '--password-stdin'], { stdin: 'not-the-password' })).code).toBe(0);
      const wrong = await run(['profile', 'test', 'pgwrong']);
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toMatch(/^FAIL authenticate/m);
      expect(wrong.stderr).toMatch(/password authentication failed for user "ferry"/);
      expect(wrong.stderr + wrong.stdout).not.toContain('not-the-password');

      const other = tempDir('ferry-pg-test-');
      try {
        expect((await run(['profile', 'add', 'pgreq', '--type', 'postgres', ...base(), '--sslmode', 'require', '--password-stdin'], { stdin: p.password, home: other.path })).code).toBe(0);
        const unknown = await run(['profile', 'test', 'pgreq'], { home: other.path });
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toContain(`--trust-host-key ${certFingerprint}`);
      } finally {
        other.cleanup();
      }

      // A server that accepts the connection and never answers.
      const held: Socket[] = [];
      const silent: Server = createServer((s) => held.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const port = (silent.address() as { port: number }).port;
        expect((await run(['profile', 'add', 'pgsilent', '--type', 'postgres', '--host', p.host, '--port', String(port), '--user', 'x', '--database', 'x', '--connect-timeout-sec', '1'])).code).toBe(0);
        const timeout = await run(['profile', 'test', 'pgsilent']);
        expect(timeout.code).toBe(1);
        expect(timeout.stdout).toMatch(/^FAIL connect/m);
        expect(timeout.stderr).toMatch(/timeout/i);
      } finally {
        held.forEach((s) => s.destroy());
        silent.close();
      }
    });
  });

  describe.skipIf(!sshd)('through an SSH tunnel (an SFTP profile)', () => {
    beforeAll(async () => {
      const s = sshd!;
      const add = await run(['--trust-host-key', s.hostKeyFingerprints.ed25519, 'profile', 'add', 'bastion', '--type', 'sftp', '--host', s.host, '--port', String(s.port), '--user', s.user, '--password-stdin'], { stdin: s.password });
      expect(add.code, add.stderr).toBe(0);
      expect((await run(['--trust-host-key', s.hostKeyFingerprints.ed25519, 'ls', `bastion:${s.home}`])).code).toBe(0);
    });

    it('load and export go through the tunnel: the sshd opened the channel, and the rows are exact', async () => {
      const logged = await startPrivateSshd(sshd!, { logLevel: 'DEBUG1' });
      try {
        const s = logged.info;
        const added = await run(['profile', 'add', 'jump', '--type', 'sftp', '--host', s.host, '--port', String(s.port), '--user', s.user, '--password-stdin'], { stdin: s.password });
        expect(added.code).toBe(0);
        expect((await run(['profile', 'add', 'pgtun', '--type', 'postgres', ...base(), '--ssh-tunnel', 'jump', '--password-stdin'], { stdin: p.password })).code).toBe(0);
        const load = await run(['--trust-host-key', s.hostKeyFingerprints.ed25519, 'load', FIDELITY, `pgtun:${schema}.tunnelled`, '--mode', 'create']);
        expect(load.code, load.stderr).toBe(0);
        expect(load.stderr).toMatch(/6 rows loaded/);
        const exported = await run(['export', `pgtun:${schema}.tunnelled`, at('tunnelled.csv')]);
        expect(exported.code, exported.stderr).toBe(0);
        expect((await run(['convert', FIDELITY, at('direct.csv')])).code).toBe(0);
        expect(readFileSync(at('tunnelled.csv'), 'utf8')).toBe(readFileSync(at('direct.csv'), 'utf8'));
        const log = readFileSync(s.logPath, 'utf8');
        expect(log).toMatch(new RegExp(`direct-tcpip.*target:? ?127\\.0\\.0\\.1,? port:? ?${p.port}|target 127\\.0\\.0\\.1 port ${p.port}`));
        const test = await run(['profile', 'test', 'pgtun']);
        expect(test.code, test.stderr).toBe(0);
        // TLS to the database inside the tunnel, checked against the CA for the name the SSH server resolves.
        const tls = ['--host', 'localhost', '--port', String(p.port), '--database', p.database, '--user', p.user, '--sslmode', 'verify-full', '--ca-file', p.certPath];
        expect((await run(['profile', 'add', 'pgtuntls', '--type', 'postgres', ...tls, '--ssh-tunnel', 'jump', '--password-stdin'], { stdin: p.password })).code).toBe(0);
        const secured = await sslOf('pgtuntls');
        expect(secured.code, secured.stderr).toBe(0);
        expect(secured.ssl).toBe('true');
      } finally {
        await logged.stop();
      }
    });

    it('an SSH server that forbids forwarding is named as the reason', async () => {
      const strict = await startPrivateSshd(sshd!, { extraConfig: ['AllowTcpForwarding no'] });
      try {
        const s = strict.info;
        expect((await run(['profile', 'add', 'strict', '--type', 'sftp', '--host', s.host, '--port', String(s.port), '--user', s.user, '--password-stdin'], { stdin: s.password })).code).toBe(0);
        expect((await run(['profile', 'add', 'pgstrict', '--type', 'postgres', ...base(), '--ssh-tunnel', 'strict', '--password-stdin'], { stdin: p.password })).code).toBe(0);
        const r = await run(['--trust-host-key', s.hostKeyFingerprints.ed25519, 'ls', 'pgstrict:']);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/does not allow forwarding to 127\.0\.0\.1:\d+ \(AllowTcpForwarding/);
      } finally {
        await strict.stop();
      }
    });

    it('a database port nothing listens on, as seen from the SSH server, is "refused"', async () => {
      const closed = await freePort();
      expect((await run(['profile', 'add', 'pgnowhere', '--type', 'postgres', '--host', p.host, '--port', String(closed), '--user', 'x', '--database', 'x', '--ssh-tunnel', 'bastion'])).code).toBe(0);
      const r = await run(['ls', 'pgnowhere:']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`Cannot reach 127\\.0\\.0\\.1:${closed} through the SSH tunnel`));
    });
  });

  it('a name that holds a dot is addressed in double quotes: PROFILE:"my.schema"."my.table"', async () => {
    const dotted = `${schema}.dotted`;
    await sql(`CREATE SCHEMA "${dotted}"`);
    writeFileSync(at('dots.csv'), 'id,name\n1,a\n2,b\n');
    const load = await run(['load', at('dots.csv'), `pgkeep:"${dotted}"."my.table"`, '--mode', 'create']);
    expect(load.code, load.stderr).toBe(0);
    expect(await sql(`SELECT id::int, name FROM "${dotted}"."my.table" ORDER BY id`)).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    const ls = await run(['ls', '--json', `pgkeep:"${dotted}"`]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ name: 'my.table', path: `/${dotted}/my.table` })]);
    const out = await run(['export', `pgkeep:"${dotted}"."my.table"`, at('dots-out.csv')]);
    expect(out.code, out.stderr).toBe(0);
    expect(readFileSync(at('dots-out.csv'), 'utf8')).toBe('id,name\n1,a\n2,b\n');
    const quoteInName = await run(['load', at('dots.csv'), `pgkeep:${schema}."say ""hi"""`, '--mode', 'create']);
    expect(quoteInName.code, quoteInName.stderr).toBe(0);
    expect(await sql(`SELECT count(*)::int AS n FROM ${schema}."say ""hi"""`)).toEqual([{ n: 2 }]);
    const unclosed = await run(['ls', `pgkeep:"${dotted}`]);
    expect(unclosed.code).toBe(2);
    expect(unclosed.stderr).toMatch(/a quoted name is not closed/);
  });

  it('the password is in no file under FERRY_HOME and in no output of any command above', () => {
    const files = readdirSync(home.path, { recursive: true, encoding: 'utf8' }).map((f) => join(home.path, f)).filter((f) => statSync(f).isFile());
    expect(files.some((f) => f.endsWith('ferry.db'))).toBe(true);
    for (const f of files) expect(readFileSync(f).includes(Buffer.from(p.password)), f).toBe(false);
    expect(outputs.length).toBeGreaterThan(30);
    for (const r of outputs) {
      expect(r.stdout).not.toContain(p.password);
      expect(r.stderr).not.toContain(p.password);
    }
  });
});

/** A throwaway self-signed certificate (PEM), other than the server's. */
function selfSigned(): string {
  const dir = tempDir('ferry-cert-');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=other', '-keyout', join(dir.path, 'k'), '-out', join(dir.path, 'c')], { stdio: 'ignore' });
    return readFileSync(join(dir.path, 'c'), 'utf8');
  } finally {
    dir.cleanup();
  }
}
