import { createHash, X509Certificate } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresInfo } from '../servers/postgres';
import { ferry, type CliResult } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * `ferry export` and `ferry load` against a PostgreSQL whose certificate Ferry does not know yet: the
 * database is first reached inside the job, and the command says what `ferry ls` says (the fingerprint and
 * the --trust-host-key hint, exit 1, nothing written), and at a terminal asks, pins and runs again.
 */
const pgInfo = server<PostgresInfo>('postgres');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ferry.js');
const home = tempDir('ferry-pg-trust-');
const work = tempDir('ferry-pg-trust-work-');
const at = (name: string) => join(work.path, name);
const run = (args: string[], stdin?: string) => ferry(args, { home: home.path, stdin });
const schema = `tr${process.pid}`;
let db: pg.Client;
let fingerprint = '';

/** The CLI at a terminal (a pty from util-linux `script`), typing `typed`; stdout and stderr come back together. */
function atTerminal(args: string[], typed: string): Promise<CliResult> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, FERRY_HOME: home.path, FERRY_USER_KNOWN_HOSTS: join(home.path, 'user_known_hosts'), CI: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
      if (/Trust it and connect\?/.test(out) && typed) {
        child.stdin.write(typed);
        typed = '';
      }
    });
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: out, stderr: out }));
  });
}

describe.skipIf(!pgInfo)('export and load against an unknown PostgreSQL certificate', () => {
  beforeAll(async () => {
    const p = pgInfo!;
    db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.src AS SELECT i AS id FROM generate_series(1, 3) i`);
    fingerprint = 'SHA256:' + createHash('sha256').update(new X509Certificate(readFileSync(p.certPath)).raw).digest('base64').replace(/=+$/, '');
    const add = await run(['profile', 'add', 'pgreq', '--type', 'postgres', '--host', p.host, '--port', String(p.port), '--database', p.database, '--user', p.user, '--sslmode', 'require', '--password-stdin'], p.password);
    expect(add.code, add.stderr).toBe(0);
    writeFileSync(at('in.csv'), 'id\n1\n2\n');
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.end();
    home.cleanup();
    work.cleanup();
  });

  it('not at a terminal: the fingerprint and the --trust-host-key hint, exit 1, no file and no table', async () => {
    const p = pgInfo!;
    const exported = await run(['export', `pgreq:${schema}.src`, at('out.csv')]);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(new RegExp(`TLS certificate of 127\\.0\\.0\\.1:${p.port} is not known`));
    expect(exported.stderr).toContain(`If that is the right key, run the command again with: --trust-host-key ${fingerprint}`);
    expect(existsSync(at('out.csv'))).toBe(false);
    const loaded = await run(['load', at('in.csv'), `pgreq:${schema}.loaded`, '--mode', 'create']);
    expect(loaded.code).toBe(1);
    expect(loaded.stderr).toContain(`--trust-host-key ${fingerprint}`);
    expect((await db.query(`SELECT to_regclass('${schema}.loaded') AS t`)).rows).toEqual([{ t: null }]);
  });

  it('at a terminal: the question; "no" leaves it unknown, "yes" pins it and the export runs', async () => {
    const refused = await atTerminal(['export', `pgreq:${schema}.src`, at('out.csv')], 'no\n');
    expect(refused.stdout).toContain(fingerprint);
    expect(refused.stdout).toMatch(/Trust it and connect\? \(yes\/no\)/);
    expect(refused.code).toBe(1);
    expect(existsSync(at('out.csv'))).toBe(false);
    const trusted = await atTerminal(['export', `pgreq:${schema}.src`, at('out.csv')], 'yes\n');
    expect(trusted.code, trusted.stdout).toBe(0);
    expect(readFileSync(at('out.csv'), 'utf8')).toBe('id\n1\n2\n3\n');
    const again = await run(['load', at('in.csv'), `pgreq:${schema}.loaded`, '--mode', 'create']);
    expect(again.code, again.stderr).toBe(0);
    expect((await db.query(`SELECT count(*)::int AS n FROM ${schema}.loaded`)).rows).toEqual([{ n: 2 }]);
  });
});
