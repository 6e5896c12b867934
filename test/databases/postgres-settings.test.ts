import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitQualifiedName } from '../../electron/cli/endpoint-arg';
import { pgpassLookup } from '../../electron/core/databases/postgres/password';
import { resolveSettings } from '../../electron/core/databases/postgres/settings';
import { expandUrlOption, parsePostgresUrl } from '../../electron/core/databases/postgres/url';
import { tempDir } from '../support/temp';

/** The parts of a PostgreSQL connection that need no server: URLs, .pgpass lines, precedence, quoted names. */
const dir = tempDir('ferry-pg-settings-');
afterAll(() => dir.cleanup());

describe('postgres:// URLs', () => {
  it('decodes every part, takes postgresql:// and IPv6, and returns the password apart', () => {
    expect(parsePostgresUrl('postgresql://an%40a:p%3As%2Fw@[::1]:6543/my%20db?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=3')).toEqual({
      options: { host: '::1', port: 6543, user: 'an@a', database: 'my db', sslmode: 'verify-full', caFile: '/ca.pem', connectTimeoutSec: 3 },
      password: 'p:s/w',
    });
    expect(parsePostgresUrl('postgres://db.example.com')).toEqual({ options: { host: 'db.example.com' } });
    expect(parsePostgresUrl('postgres://u@h/d?sslmode=allow&password=x')).toEqual({ options: { host: 'h', user: 'u', database: 'd', sslmode: 'prefer' }, password: 'x' });
  });

  it('refuses what Ferry cannot honour, naming it, never echoing the password', () => {
    expect(() => parsePostgresUrl('mysql://u:secret@h/d')).toThrow(/mysql:\/\/u:\*\*\*@h\/d is not a postgres:\/\//);
    expect(() => parsePostgresUrl('postgres://u:secret@h1,h2/d')).toThrow(/several hosts/);
    expect(() => parsePostgresUrl('postgres://u:secret@h/d?sslmode=sometimes')).toThrow(/sslmode "sometimes" is not one of disable, prefer, require, verify-ca, verify-full/);
    expect(() => parsePostgresUrl('postgres://u:secret@h/d?target_session_attrs=any')).toThrow(/"target_session_attrs"/);
    try {
      parsePostgresUrl('postgres://u:secret@h/d?x=1');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
    }
  });

  it('a form with a URL: explicit options win, the password goes to the secrets, the url option is dropped', () => {
    expect(expandUrlOption({ url: 'postgres://a:pw@h:1/d', port: 2, host: '' }, {})).toEqual({ options: { host: 'h', port: 2, user: 'a', database: 'd' }, secrets: { password: 'pw' } });
    expect(expandUrlOption({ url: 'postgres://a:pw@h/d' }, { password: 'typed' }).secrets).toEqual({ password: 'typed' });
    expect(expandUrlOption({ host: 'h' }, {})).toEqual({ options: { host: 'h' }, secrets: {} });
  });
});

describe('settings as psql resolves them', () => {
  it('the profile, then PG*, then the defaults; each source reported', () => {
    const env = { PGHOST: 'envhost', PGPORT: '6000', PGDATABASE: 'envdb', PGUSER: 'envuser', PGSSLMODE: 'require', PGSSLROOTCERT: '/env/ca.pem', PGCONNECT_TIMEOUT: '4' };
    const s = resolveSettings({ host: 'h', database: 'd' }, env);
    expect(s).toMatchObject({ host: 'h', port: 6000, database: 'd', user: 'envuser', sslmode: 'require', caFile: '/env/ca.pem', connectTimeoutMs: 4000 });
    expect(s.sources).toEqual({ host: 'profile', port: 'env PGPORT', database: 'profile', user: 'env PGUSER', sslmode: 'env PGSSLMODE' });
    const d = resolveSettings({ user: 'ana' }, {});
    expect(d).toMatchObject({ host: 'localhost', port: 5432, database: 'ana', user: 'ana', sslmode: 'disable', connectTimeoutMs: 15000 });
    expect(() => resolveSettings({}, { PGPORT: 'x' })).toThrow(/port must be a number .*"x" from env PGPORT/);
    expect(() => resolveSettings({}, { PGSSLMODE: 'maybe' })).toThrow(/env PGSSLMODE: sslmode "maybe"/);
  });
});

describe('.pgpass', () => {
  const file = join(dir.path, 'pgpass');
  const want = { host: 'db', port: 5432, database: 'sales', user: 'ana' };

  it('the first matching line, with * and the \\: and \\\\ escapes', () => {
    writeFileSync(file, ['# comment', 'db:5432:other:ana:no', 'db:*:sales:ana:p\\:w\\\\d', '*:*:*:*:fallback', ''].join('\n'));
    chmodSync(file, 0o600);
    expect(pgpassLookup(want, file)).toBe('p:w\\d');
    expect(pgpassLookup({ ...want, user: 'bob' }, file)).toBe('fallback');
    expect(pgpassLookup(want, join(dir.path, 'missing'))).toBeUndefined();
  });

  it('a file others can read is ignored with a warning, as psql does', () => {
    writeFileSync(file, '*:*:*:*:pw\n');
    chmodSync(file, 0o640);
    const warnings: string[] = [];
    expect(pgpassLookup(want, file, (m) => warnings.push(m))).toBeUndefined();
    expect(warnings[0]).toMatch(/readable by group or others.*chmod 600/);
  });
});

describe('schema.table with quoted names', () => {
  it('splits on dots outside quotes; "" is one quote; names are kept exactly', () => {
    expect(splitQualifiedName('public.orders')).toEqual(['public', 'orders']);
    expect(splitQualifiedName('"my.schema"."my.table"')).toEqual(['my.schema', 'my.table']);
    expect(splitQualifiedName('Public."a ""b"".c"')).toEqual(['Public', 'a "b".c']);
    expect(splitQualifiedName('"x"')).toEqual(['x']);
  });

  it('refuses what cannot be a name, saying how to quote', () => {
    expect(() => splitQualifiedName('"open.x')).toThrow(/a quoted name is not closed/);
    expect(() => splitQualifiedName('a..b')).toThrow(/an empty name/);
    expect(() => splitQualifiedName('"a"b')).toThrow(/followed by a dot or the end/);
    expect(() => splitQualifiedName('a"b')).toThrow(/a quote inside a bare name/);
    expect(() => splitQualifiedName('"a/b".t')).toThrow(/would read as a path/);
  });
});
