import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshdInfo } from '../servers/sshd';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** ferry copy / sync / jobs / job resume, as typed, between this computer and a real OpenSSH sshd. */
describe('ferry transfers from the CLI', () => {
  const sshd = server<SshdInfo>('sshd')!;
  const tmp = tempDir('ferry-cli-xfer-');
  const home = join(tmp.path, 'home');
  const src = join(tmp.path, 'src');
  const remote = `${sshd.home}/ferry-cli-xfer-${process.pid}`;
  const run = (args: string[], stdin?: string) => ferry(args, { home, stdin });

  beforeAll(async () => {
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.csv'), 'id\n1\n');
    writeFileSync(join(src, 'sub', 'b.csv'), 'id\n2\n');
    writeFileSync(join(src, 'notes.tmp'), 'scratch');
    const fp = sshd.hostKeyFingerprints.ed25519;
    const add = await run(['--trust-host-key', fp, 'profile', 'add', 'box', '--type', 'sftp', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user, '--password-stdin'], sshd.password);
    expect(add.code).toBe(0);
    // Pin the key (whichever the server offers first) through a first listing.
    const ls = await run(['--trust-host-key', fp, 'ls', `box:${sshd.home}`]);
    if (ls.code !== 0) expect((await run(['--trust-host-key', sshd.hostKeyFingerprints.rsa, 'ls', `box:${sshd.home}`])).code).toBe(0);
    expect((await run(['mkdir', `box:${remote}`])).code).toBe(0);
  });
  afterAll(async () => {
    await run(['rm', '-r', `box:${remote}`]);
    await run(['profile', 'rm', 'box']);
    tmp.cleanup();
  });

  it('copies a folder with filters and prints a summary; --json gives the job and its files', async () => {
    const r = await run(['copy', src, `box:${remote}/in`, '-r', '--exclude', '*.tmp', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.job).toMatchObject({ state: 'done', doneFiles: 2, failedFiles: 0 });
    expect(out.files.map((f: { relPath: string }) => f.relPath).sort()).toEqual(['src/a.csv', 'src/sub/b.csv']);
    const ls = await run(['ls', '--json', `box:${remote}/in/src`]);
    expect(JSON.parse(ls.stdout).map((e: { name: string }) => e.name).sort()).toEqual(['a.csv', 'sub']);
  });

  it('sync --dry-run prints the plan and changes nothing; the run does exactly that plan', async () => {
    writeFileSync(join(src, 'a.csv'), 'id\n1\n3\n'); // changed
    const dry = await run(['sync', src, `box:${remote}/in/src`, '--mirror', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    const actions = Object.fromEntries(plan.items.map((i: { relPath: string; action: string }) => [i.relPath, i.action]));
    expect(actions).toMatchObject({ 'a.csv': 'overwrite', 'sub/b.csv': 'skip', 'notes.tmp': 'copy' });
    const before = await run(['ls', '--json', `box:${remote}/in/src`]);
    expect(JSON.parse(before.stdout).map((e: { name: string }) => e.name).sort()).toEqual(['a.csv', 'sub']);
    const human = await run(['sync', src, `box:${remote}/in/src`, '--mirror', '--dry-run']);
    expect(human.stdout).toMatch(/Plan: 1 to copy, 1 to overwrite, 0 to delete/);
    const real = await run(['sync', src, `box:${remote}/in/src`, '--mirror']);
    expect(real.code).toBe(0);
    const after = await run(['ls', '--json', `box:${remote}/in/src`]);
    expect(JSON.parse(after.stdout).map((e: { name: string }) => e.name).sort()).toEqual(['a.csv', 'notes.tmp', 'sub']);
  });

  it('mirror deletes destination files the source lacks, and says so in the plan first', async () => {
    const extra = join(tmp.path, 'extra.csv');
    writeFileSync(extra, 'x');
    expect((await run(['copy', extra, `box:${remote}/in/src`])).code).toBe(0);
    const dry = await run(['sync', src, `box:${remote}/in/src`, '--mirror', '--dry-run']);
    expect(dry.stdout).toMatch(/delete\s+.*extra\.csv/);
    expect((await run(['sync', src, `box:${remote}/in/src`, '--mirror'])).code).toBe(0);
    const ls = await run(['ls', `box:${remote}/in/src`]);
    expect(ls.stdout).not.toContain('extra.csv');
  });

  it('a failed file makes the command exit 1 and names it; jobs and job show keep the history', async () => {
    // The destination is a file, so nothing can be written under it.
    const r = await run(['copy', join(src, 'a.csv'), `box:${remote}/in/src/a.csv/x`]);
    expect(r.code).toBe(1);
    const jobs = JSON.parse((await run(['jobs', '--json'])).stdout);
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    const show = await run(['job', 'show', jobs[0].id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('state:');
  });

  it('a copy killed mid-file resumes with `ferry job resume`, finished bytes are not sent again, and the result is verified', async () => {
    const big = join(tmp.path, 'big.bin');
    const data = randomBytes(6 * 1024 * 1024);
    writeFileSync(big, data);
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'ferry.js'), 'copy', big, `box:${remote}/big`, '--bwlimit', '1M'], {
      env: { ...process.env, FERRY_HOME: home, FERRY_USER_KNOWN_HOSTS: join(home, 'user_known_hosts'), CI: '1' },
      stdio: 'ignore',
    });
    // Wait until part of it arrived (under a temporary name), then kill -9.
    let partial = 0;
    for (let i = 0; i < 100 && partial < 1024 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const ls = await run(['ls', '--json', `box:${remote}/big`]).catch(() => null);
      const entries = ls && ls.code === 0 ? (JSON.parse(ls.stdout) as Array<{ name: string; size: number }>) : [];
      expect(entries.some((e) => e.name === 'big.bin')).toBe(false); // never visible under its final name early
      partial = entries.reduce((n, e) => Math.max(n, e.size), 0);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(partial).toBeGreaterThanOrEqual(1024 * 1024);
    const jobs = JSON.parse((await run(['jobs', '--json'])).stdout) as Array<{ id: string; state: string; title: string }>;
    // Its process is gone: the job is seen as interrupted (and only then may another process resume it).
    const interrupted = jobs.find((j) => j.state === 'interrupted');
    expect(interrupted).toBeDefined();
    const resumed = await run(['job', 'resume', interrupted!.id, '--json']);
    expect(resumed.code).toBe(0);
    const out = JSON.parse(resumed.stdout);
    expect(out.job.state).toBe('done');
    const back = join(tmp.path, 'back');
    mkdirSync(back);
    expect((await run(['copy', `box:${remote}/big/big.bin`, back])).code).toBe(0);
    expect(md5(readFileSync(join(back, 'big.bin')))).toBe(md5(data));
    expect(readdirSync(back)).toEqual(['big.bin']);
  });
});
