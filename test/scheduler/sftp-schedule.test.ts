import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SshdInfo } from '../servers/sshd';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';
import { history, startScheduler, until } from './process-support';

/** Real time, a real server: `ferry scheduler` syncing a local folder to OpenSSH's sftp every second. */
describe('a one-second task against sshd', () => {
  const sshd = server<SshdInfo>('sshd')!;
  const tmp = tempDir('ferry-sched-sftp-');
  const home = join(tmp.path, 'home');
  const out = join(tmp.path, 'out');
  const remote = `${sshd.home}/ferry-sched-${process.pid}`;
  const run = (...args: string[]) => ferry(args, { home, stdin: sshd.password + '\n' });
  const remoteNames = async () => {
    const r = await run('ls', '--json', `partner:${remote}`);
    return r.code === 0 ? (JSON.parse(r.stdout) as Array<{ name: string }>).map((e) => e.name).sort() : [];
  };
  afterAll(async () => {
    await run('rm', '-r', `partner:${remote}`);
    tmp.cleanup();
  });

  it('syncs at least twice, new files appear on the server, and the history shows each run with its counts', { timeout: 120_000 }, async () => {
    expect((await run('profile', 'add', 'partner', '--type', 'sftp', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user, '--password-stdin')).code).toBe(0);
    const unknown = await run('ls', 'partner:/');
    const fingerprint = /--trust-host-key (SHA256:[A-Za-z0-9+/]+)/.exec(unknown.stderr)![1];
    expect((await run('--trust-host-key', fingerprint, 'mkdir', `partner:${remote}`)).code).toBe(0);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'one.csv'), 'a,b\n1,2\n');
    writeFileSync(join(out, 'two.csv'), 'a,b\n3,4\n');
    const add = await run('task', 'add', 'push', '--every', '1s', '--', 'sync', out, `partner:${remote}`);
    expect(add.code, add.stderr).toBe(0);

    const s = startScheduler(home);
    try {
      await until('the first files on the server', async () => (await remoteNames()).length === 2, 30_000);
      // Written aside and renamed in, so no run can see it half written.
      writeFileSync(join(tmp.path, 'three.csv'), 'a,b\n5,6\n');
      renameSync(join(tmp.path, 'three.csv'), join(out, 'three.csv'));
      await until('the new file on the server', async () => (await remoteNames()).includes('three.csv'), 30_000);
    } finally {
      s.child.kill('SIGTERM');
    }
    expect(await s.stopped).toBe(0);
    expect(await remoteNames()).toEqual(['one.csv', 'three.csv', 'two.csv']);
    const runs = (await history(home, 'push')).filter((e) => e.kind === 'run' && e.state === 'done');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const copied = runs.filter((r) => (r.files ?? 0) > 0).map((r) => [r.files, r.bytes]);
    expect(copied).toEqual([
      [2, 16],
      [1, 8],
    ]);
    expect(runs.every((r) => r.jobId && r.message.startsWith('Scheduled run of'))).toBe(true);
  });
});
