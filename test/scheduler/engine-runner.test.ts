import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FerryCore } from '../../electron/core/app';
import { ManualClock } from '../../electron/core/scheduler/clock';
import { tempDir } from '../support/temp';
import { quietLog } from '../transfer/support';
import { flush } from './harness';

/** The scheduler inside the core, on the real transfer engine (its clock injected, its jobs real). */
describe('scheduled runs are ordinary jobs of the engine', () => {
  const tmp = tempDir('ferry-sched-engine-');
  const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
  const core = new FerryCore({ home: join(tmp.path, 'home'), disableKeychain: true, log: quietLog, scheduler: { clock, log: quietLog } });
  afterAll(async () => {
    await core.close();
    tmp.cleanup();
  });

  it('a run still going when the next slot comes is not started twice; its job is in the queue, linked to the task', async () => {
    const src = join(tmp.path, 'src');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(src, `f${i}.bin`), randomBytes(256 * 1024));
    const disk = await core.profiles.create({ name: 'disk', type: 'local', options: {} });
    const dst = join(tmp.path, 'dst');
    mkdirSync(dst);
    const task = await core.tasks.save({
      name: 'slow copy',
      spec: { kind: 'copy', source: { endpoint: 'local', paths: [src] }, destination: { endpoint: disk.id, path: dst }, conflict: 'overwrite', bwlimit: 256 * 1024, transfers: 1 },
      schedule: { type: 'every', seconds: 1 },
    });
    const events: string[] = [];
    const off = core.onEvent((event, payload) => event === 'tasks.runEnded' && events.push((payload as { state: string }).state));
    clock.advance(1000);
    core.scheduler.tick();
    await flush();
    clock.advance(1000);
    core.scheduler.tick();
    await flush();
    await core.scheduler.idle();
    off();
    const entries = core.tasks.history({ id: task.id }).reverse();
    expect(entries.map((e) => e.kind)).toEqual(['run', 'skipped']);
    expect(entries[0]).toMatchObject({ state: 'done', files: 3, bytes: 3 * 256 * 1024, trigger: 'schedule' });
    expect(entries[1].message).toBe('Skipped the 2026-06-01 00:00:02 run: the previous run was still going');
    const job = core.engine.get(entries[0].jobId!).job;
    expect(job).toMatchObject({ state: 'done', kind: 'copy', doneFiles: 3 });
    expect(readdirSync(join(dst, 'src')).sort()).toEqual(['f0.bin', 'f1.bin', 'f2.bin']);
    expect(events).toEqual(['done']);
    expect(core.tasks.get(task.id).lastRun).toMatchObject({ state: 'done', jobId: job.id });
  });
});
