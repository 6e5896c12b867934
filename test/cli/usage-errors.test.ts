import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeError, FerryError, fromNodeError } from '../../electron/core/errors';
import type { FtpServerInfo } from '../servers/ftp';
import type { S3ServerInfo } from '../servers/s3';
import type { SshdInfo } from '../servers/sshd';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * Honest errors: a wrong flag value is a usage error (exit 2) that names the flag and the value, never an
 * "Internal error"; and an error's title is said once ("Not found: /k1", not "Not found: Not found: /k1").
 */
const home = tempDir('ferry-cli-usage-');
// Secrets from the environment as well, so these checks need no keychain (they are about messages).
const run = (args: string[], stdin?: string, env?: Record<string, string>) => ferry(args, { home: home.path, stdin, env });
const src = join(home.path, 'src');
mkdirSync(src);
afterAll(() => home.cleanup());

/** How often `phrase` occurs in `text`, ignoring case. */
const times = (text: string, phrase: string) => text.toLowerCase().split(phrase.toLowerCase()).length - 1;

describe('usage errors exit 2 and name the flag and the bad value', () => {
  const cases: Array<[string[], string, string]> = [
    [['copy', src, join(home.path, 'dst'), '--transfers', '-1'], '--transfers', '"-1"'],
    [['copy', src, join(home.path, 'dst'), '--transfers', 'abc'], '--transfers', '"abc"'],
    [['copy', src, join(home.path, 'dst'), '--transfers', '1.5'], '--transfers', '"1.5"'],
    [['copy', src, join(home.path, 'dst'), '--transfers', '65'], '--transfers', '"65"'],
    [['sync', src, join(home.path, 'dst'), '--streams', '0'], '--streams', '"0"'],
    [['copy', src, join(home.path, 'dst'), '--bwlimit', 'abc'], '--bwlimit', '"abc"'],
    [['copy', src, join(home.path, 'dst'), '--bwlimit', '0'], '--bwlimit', '"0"'],
    [['move', src, join(home.path, 'dst'), '--min-size', 'lots'], '--min-size', '"lots"'],
    [['copy', src, join(home.path, 'dst'), '--modified-after', 'yesterday'], '--modified-after', '"yesterday"'],
    [['serve', '--port', 'abc'], '--port', '"abc"'],
    [['serve', '--port', '70000'], '--port', '"70000"'],
    [['profile', 'add', 'p1', '--type', 'sftp', '--host', 'h.example', '--user', 'u', '--port', 'abc'], '--port', '"abc"'],
    [['profile', 'add', 'p2', '--type', 'ftp', '--host', 'h.example', '--max-connections', '-3'], '--max-connections', '"-3"'],
    [['profile', 'add', 'p3', '--type', 'ftp', '--host', 'h.example', '--connect-timeout-sec', 'soon'], '--connect-timeout-sec', '"soon"'],
  ];
  for (const [args, flag, value] of cases) {
    it(`ferry ${args.filter((a) => !a.startsWith('/')).join(' ')}`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/internal error/i);
      expect(r.stderr).toMatch(/^ferry: Usage error: /m);
      expect(r.stderr).toContain(flag);
      expect(r.stderr).toContain(value);
    });
  }

  it('a profile refused for a bad flag value is not saved', async () => {
    const r = await run(['profile', 'show', 'p2']);
    expect(r.code).toBe(1);
  });
});

describe('error titles are said once', () => {
  it('describeError adds the title only when the message does not already say it', () => {
    expect(describeError({ code: 'NOT_FOUND', message: 'Not found: /k1' })).toBe('Not found: /k1');
    expect(describeError({ code: 'NOT_FOUND', message: 'Folder not found: /in' })).toBe('Folder not found: /in');
    expect(describeError({ code: 'HOST_NOT_FOUND', message: 'Host not found (DNS lookup failed): nowhere.example' })).toBe('Host not found (DNS lookup failed): nowhere.example');
    expect(describeError({ code: 'TIMEOUT', message: 'Could not read "/a" on h:21: no answer in time' })).toBe('Timed out: Could not read "/a" on h:21: no answer in time');
    expect(describeError({ code: 'INTERNAL', message: 'boom' })).toBe('Internal error: boom');
    expect(describeError(new FerryError('CANCELLED').toData())).toBe('Cancelled');
    // Either half of "Quota exceeded or disk full" says it.
    expect(describeError({ code: 'QUOTA_EXCEEDED', message: 'Disk full: cannot write /d/.f.bin on h (0 bytes free in /d)' })).toBe('Disk full: cannot write /d/.f.bin on h (0 bytes free in /d)');
    expect(describeError(fromNodeError(Object.assign(new Error('x'), { code: 'ENOSPC' }), { path: '/d/f' }).toData())).toBe('Disk full or quota exceeded: /d/f');
    expect(describeError({ code: 'TIMEOUT', message: 'Timed out after 60 s: stat /a on box' })).toBe('Timed out after 60 s: stat /a on box');
    expect(describeError(fromNodeError(Object.assign(new Error('x'), { code: 'ENOENT' }), { path: '/k1' }).toData())).toBe('Not found: /k1');
  });

  it('local: ferry ls of a missing path says "Not found" once (exit 1)', async () => {
    const missing = join(home.path, 'nonexistent');
    for (const args of [['ls', `local:${missing}`], ['ls', missing, '--json'], ['rm', missing]]) {
      const r = await run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(missing);
      expect(times(r.stderr, 'not found')).toBe(1);
    }
  });

  it.runIf(!!server('sshd'))('sftp: a missing remote path says "Not found" once', async () => {
    const sshd = server<SshdInfo>('sshd')!;
    const env = { FERRY_SECRET_PASSWORD: sshd.password };
    const add = await run(['profile', 'add', 'box', '--type', 'sftp', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user], undefined, env);
    expect(add.code).toBe(0);
    const first = await run(['ls', 'box:/'], undefined, env);
    const fingerprint = /--trust-host-key (SHA256:\S+)/.exec(first.stderr)?.[1];
    expect(fingerprint).toBeDefined();
    const r = await run(['--trust-host-key', fingerprint!, 'ls', `box:${sshd.home}/no-such-dir-${process.pid}`], undefined, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no-such-dir-${process.pid}`);
    expect(times(r.stderr, 'not found')).toBe(1);
  });

  it.runIf(!!server('s3'))('s3: a missing key says "Not found" once', async () => {
    const s3 = server<S3ServerInfo>('s3')!;
    const env = { FERRY_SECRET_SECRET_ACCESS_KEY: s3.secretAccessKey };
    const add = await run(['profile', 'add', 's3u', '--type', 's3', '--provider', 'other', '--endpoint', s3.endpoint, '--region', s3.region, '--access-key-id', s3.accessKeyId], undefined, env);
    expect(add.stderr).toContain('Saved profile');
    expect(add.code).toBe(0);
    expect((await run(['mkdir', 's3u:/usage-errors-bucket'], undefined, env)).code).toBe(0);
    for (const args of [['ls', 's3u:/usage-errors-bucket/k1'], ['ls', 's3u:/no-such-bucket-usage/k1']]) {
      const r = await run(args, undefined, env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('k1');
      expect(r.stderr).not.toMatch(/not found: not found/i);
      expect({ stderr: r.stderr, titles: times(r.stderr, 'not found') }).toEqual({ stderr: r.stderr, titles: 1 });
    }
  });

  it.runIf(!!server('ftp'))('ftp: a missing remote path says "not found" once', async () => {
    const ftp = server<FtpServerInfo>('ftp')!;
    const env = { FERRY_SECRET_PASSWORD: ftp.password };
    const add = await run(['profile', 'add', 'ftpu', '--type', 'ftp', '--host', ftp.host, '--port', String(ftp.port), '--user', ftp.user], undefined, env);
    expect(add.code).toBe(0);
    const r = await run(['ls', `ftpu:/no-such-dir-${process.pid}`], undefined, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no-such-dir-${process.pid}`);
    expect(times(r.stderr, 'not found')).toBe(1);
  });
});
