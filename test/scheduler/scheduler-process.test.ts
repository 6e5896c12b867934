import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../support/cli';
import { tempDir } from '../support/temp';
import { history, onceSoon, startScheduler, until } from './process-support';

describe('ferry scheduler processes on one store', () => {
  const tmp = tempDir('ferry-sched-proc-');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    tmp.cleanup();
  });

  it('two schedulers for eight seconds: every slot of a one-second task fired exactly once, by the lease holder', { timeout: 120_000 }, async () => {
    const home = join(tmp.path, 'two');
    const src = join(tmp.path, 'two-src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'x.txt'), 'x');
    const a = startScheduler(home);
    const b = startScheduler(home);
    children.push(a.child, b.child);
    await until('both schedulers', () => a.out().includes('scheduler started') && b.out().includes('scheduler started'), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\nfirst: ${a.out()}\nsecond: ${b.out()}`);
    });
    const add = await ferry(['task', 'add', 'tick', '--every', '1s', '--', 'sync', src, join(tmp.path, 'two-dst')], { home });
    expect(add.code, add.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 8000));
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.stopped).toBe(0);
    expect(await b.stopped).toBe(0);
    const runs = (await history(home, 'tick')).filter((e) => e.kind === 'run');
    const slots = runs.map((r) => r.slot);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(new Set(slots).size).toBe(slots.length);
    expect(runs.every((r) => r.state === 'done')).toBe(true);
    // One process held the lease and fired everything; the other never fired (unless the holder stalled for
    // longer than the lease's 15 s on a loaded machine and was taken over, which it then says).
    const firing = [a.out(), b.out()].map((o) => (o.match(/tick: Scheduled run of/g) ?? []).length);
    expect(firing[0] + firing[1]).toBe(runs.length);
    if (!/took over the scheduler lease/.test(a.out() + b.out())) expect(firing.sort((x, y) => x - y)).toEqual([0, runs.length]);
    expect(a.out() + b.out()).not.toContain('not running tick twice');
  });

  it('a scheduler killed mid-run (kill -9): the next one resumes the job, records the run once, re-sends no finished file', { timeout: 120_000 }, async () => {
    const home = join(tmp.path, 'kill');
    const src = join(tmp.path, 'kill-src');
    const dst = join(tmp.path, 'kill-dst');
    mkdirSync(src, { recursive: true });
    mkdirSync(dst, { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(src, `f${i}.bin`), randomBytes(512 * 1024));
    // A local profile as the destination: a second endpoint, so bytes stream through the engine (and its
    // --bwlimit) instead of the file system's own copy within one endpoint.
    expect((await ferry(['profile', 'add', 'disk', '--type', 'local'], { home })).code).toBe(0);
    const add = await ferry(['task', 'add', 'slow', '--schedule', onceSoon(3000), '--tz', 'UTC', '--', 'copy', '-r', '--transfers', '1', '--bwlimit', '1M', `${src}/`, `disk:${dst}`], { home });
    expect(add.code, add.stderr).toBe(0);
    const first = startScheduler(home);
    children.push(first.child);
    const finalNames = () => readdirSync(join(dst, 'kill-src'), { withFileTypes: true }).filter((e) => e.isFile() && /^f\d\.bin$/.test(e.name)).map((e) => e.name);
    const doneBefore = await until('two files copied', () => {
      try {
        const names = finalNames();
        return names.length >= 2 ? names : null;
      } catch {
        return null;
      }
    });
    first.child.kill('SIGKILL');
    await first.stopped;
    expect(doneBefore.length).toBeLessThan(8);
    const before = new Map(doneBefore.map((n) => [n, statSync(join(dst, 'kill-src', n), { bigint: true })]));
    const runsAtKill = (await history(home, 'slow')).filter((e) => e.kind === 'run');
    expect(runsAtKill).toMatchObject([{ state: 'running', jobId: expect.any(String) }]);

    const second = startScheduler(home);
    children.push(second.child);
    const ended = await until('the run to end', async () => {
      const runs = (await history(home, 'slow')).filter((e) => e.kind === 'run');
      return runs.length === 1 && runs[0].state !== 'running' ? runs : null;
    }, 60_000);
    second.child.kill('SIGTERM');
    expect(await second.stopped).toBe(0);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: runsAtKill[0].id, jobId: runsAtKill[0].jobId, state: 'done', files: 8, bytes: 8 * 512 * 1024 });
    expect(second.out()).toContain(`taking over run ${runsAtKill[0].id} of a stopped process`);
    for (const [name, st] of before) {
      const now = statSync(join(dst, 'kill-src', name), { bigint: true });
      expect([now.ino, now.mtimeNs], `${name} was written again`).toEqual([st.ino, st.mtimeNs]);
    }
    for (let i = 0; i < 8; i++) expect(readFileSync(join(dst, 'kill-src', `f${i}.bin`)).equals(readFileSync(join(src, `f${i}.bin`)))).toBe(true);
  });
});
