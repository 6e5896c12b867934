import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalConnector, localManifest } from '../../electron/core/connectors/local';
import type { ConnectorManifest } from '../../electron/core/connectors/types';
import { FerryError } from '../../electron/core/errors';
import { JobFileSchema, JobSchema, PlanItemSchema, PlanSchema } from '../../shared/transfers';
import { bytes, cleanup, inode, listDirs, makeHarness, readTree, tmp, writeTree, type Harness } from './support';

let h: Harness;
let src: string;
let dst: string;

beforeEach(() => {
  // "local2" is a second endpoint on this computer: a transfer between two endpoints, not within one.
  h = makeHarness({ extra: { local2: { ...localManifest, type: 'local' } } });
  src = tmp('ferry-src-');
  dst = tmp('ferry-dst-');
});
afterEach(async () => {
  await h.close();
  cleanup(h.dir, src, dst);
});

const spec = (over: Record<string, unknown> = {}) => ({
  kind: 'copy' as const,
  source: { endpoint: 'local', paths: [src] },
  destination: { endpoint: 'local', path: dst },
  conflict: 'overwrite' as const,
  ...over,
});

describe('plan, then run exactly that plan', () => {
  it('copies a folder tree, totals known before the first byte, every file verified by size (no side reports a hash)', async () => {
    const big = bytes(300_000);
    writeTree(src, { 'a.txt': 'alpha', 'sub/b.bin': big, 'sub/deeper/c.txt': 'gamma', 'empty/': '' });
    const plan = await h.engine.plan(spec({ source: { endpoint: 'local2', paths: [src] } }));
    const name = src.split('/').pop();
    expect(plan.items.map((i) => [i.relPath, i.action])).toEqual([
      [`${name}/empty`, 'mkdir'],
      [`${name}/a.txt`, 'copy'],
      [`${name}/sub/b.bin`, 'copy'],
      [`${name}/sub/deeper/c.txt`, 'copy'],
    ]);
    expect(plan.totals).toMatchObject({ files: 3, bytes: 5 + 300_000 + 5, copies: 3 });
    expect(readTree(dst)).toEqual({});

    const job = await h.engine.create({ planId: plan.id });
    expect(job.totalBytes).toBe(300_010);
    const done = await h.engine.wait(job.id);
    expect(done).toMatchObject({ state: 'done', doneFiles: 3, doneBytes: 300_010, failedFiles: 0 });
    expect(readTree(join(dst, name!))).toEqual({ 'a.txt': 'alpha', 'sub/b.bin': big.toString('latin1'), 'sub/deeper/c.txt': 'gamma' });
    expect(listDirs(join(dst, name!))).toContain('empty');
    const { files } = h.engine.details(job.id);
    expect(files.filter((f) => f.action !== 'mkdir').map((f) => [f.state, f.verified])).toEqual([
      ['done', 'size'],
      ['done', 'size'],
      ['done', 'size'],
    ]);
    expect(done.finishedAt).not.toBeNull();
    expect(h.engine.details(job.id).job.movedBytes).toBe(300_010);
    expect(h.engine.list({ query: 'deeper/c.txt' }).map((j) => j.id)).toEqual([job.id]);
    // What crosses the API is exactly the contract's shapes.
    expect(() => PlanSchema.strict().parse(plan)).not.toThrow();
    expect(() => PlanItemSchema.strict().array().parse(plan.items)).not.toThrow();
    expect(() => JobSchema.strict().parse(h.engine.get(job.id).job)).not.toThrow();
    expect(() => JobFileSchema.strict().array().parse(h.engine.get(job.id).files)).not.toThrow();
    expect(h.engine.list({ states: ['failed'] })).toEqual([]);
  });

  it('copies within one endpoint on the server side (nothing streamed), verified by size', async () => {
    writeTree(src, { 'a.bin': bytes(100_000) });
    const done = await h.engine.wait((await h.engine.create({ spec: spec() })).id);
    expect(done.state).toBe('done');
    const d = h.engine.details(done.id);
    expect(d.job.movedBytes).toBe(0);
    expect(d.files[0].verified).toBe('size');
    expect(readTree(dst)).toEqual(Object.fromEntries(Object.entries(readTree(src)).map(([k, v]) => [`${src.split('/').pop()}/${k}`, v])));
  });

  it('applies include/exclude globs, size and time filters to paths relative to the source folder', async () => {
    writeTree(src, {
      'keep.csv': 'x'.repeat(100),
      'tiny.csv': 'x',
      'huge.csv': 'x'.repeat(5000),
      'notes.txt': 'x'.repeat(100),
      'node_modules/dep.csv': 'x'.repeat(100),
      'reports/2024/q1.csv': 'x'.repeat(100),
      'reports/old.csv': 'x'.repeat(100),
    });
    utimesSync(join(src, 'reports/old.csv'), new Date('2020-01-01'), new Date('2020-01-01'));
    const plan = await h.engine.plan(
      spec({
        kind: 'sync',
        filters: { include: ['*.csv'], exclude: ['node_modules'], minSize: 10, maxSize: 1000, modifiedAfter: '2021-01-01T00:00:00Z' },
      }),
    );
    expect(plan.items.map((i) => i.relPath).sort()).toEqual(['keep.csv', 'reports/2024/q1.csv']);
  });

  it('takes a glob in the last segment of a source path', async () => {
    writeTree(src, { 'a.csv': '1', 'b.csv': '2', 'c.txt': '3', 'd.csv/inner.txt': '4' });
    const plan = await h.engine.plan(spec({ source: { endpoint: 'local', paths: [join(src, '*.csv')] } }));
    expect(plan.items.map((i) => i.relPath)).toEqual(['a.csv', 'b.csv', 'd.csv/inner.txt']);
    await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(readTree(dst)).toEqual({ 'a.csv': '1', 'b.csv': '2', 'd.csv/inner.txt': '4' });
  });

  it('sync copies new and changed files only, and runs exactly the plan it showed', async () => {
    writeTree(src, { 'same.txt': 'same', 'changed.txt': 'new content', 'new.txt': 'new' });
    writeTree(dst, { 'same.txt': 'same', 'changed.txt': 'old' });
    const past = new Date(Date.now() - 3600_000);
    utimesSync(join(src, 'same.txt'), past, past);
    const plan = await h.engine.plan(spec({ kind: 'sync', conflict: 'if-changed' }));
    const shown = plan.items.map((i) => [i.relPath, i.action]);
    expect(shown).toEqual([
      ['changed.txt', 'overwrite'],
      ['new.txt', 'copy'],
      ['same.txt', 'skip'],
    ]);
    // A file that appears in the source after the plan is not part of it.
    writeFileSync(join(src, 'late.txt'), 'late');
    const job = await h.engine.create({ planId: plan.id });
    const done = await h.engine.wait(job.id);
    expect(done).toMatchObject({ state: 'done', doneFiles: 2, skippedFiles: 1 });
    const ran = h.engine.get(job.id).files.map((f) => [f.relPath, f.action]);
    expect(ran).toEqual(shown);
    expect(readTree(dst)).toEqual({ 'same.txt': 'same', 'changed.txt': 'new content', 'new.txt': 'new' });
  });

  it('mirror deletes only what the plan listed: a file added or changed after planning survives', async () => {
    writeTree(src, { 'keep.txt': 'k', 'sub/keep2.txt': 'k2' });
    writeTree(dst, { 'keep.txt': 'k', 'stale.txt': 'old', 'sub/stale2.txt': 'old2', 'changes.txt': 'v1', 'sub/keep2.txt': 'k2' });
    const plan = await h.engine.plan(spec({ kind: 'sync', mirror: true, conflict: 'if-changed' }));
    const deletes = plan.items.filter((i) => i.action === 'delete').map((i) => i.relPath);
    expect(deletes).toEqual(['changes.txt', 'stale.txt', 'sub/stale2.txt']);
    expect(plan.totals.deletes).toBe(3);

    writeFileSync(join(dst, 'added-after-plan.txt'), 'mine');
    writeFileSync(join(dst, 'changes.txt'), 'v2, edited after the plan');
    const done = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(done.state).toBe('done');
    expect(readTree(dst)).toEqual({
      'keep.txt': 'k',
      'sub/keep2.txt': 'k2',
      'added-after-plan.txt': 'mine',
      'changes.txt': 'v2, edited after the plan',
    });
    const changes = h.engine.details(done.id).files.find((f) => f.relPath === 'changes.txt')!;
    expect(changes).toMatchObject({ state: 'skipped', reason: 'changed since the plan was made: kept' });
  });

  it('mirror never deletes what the filters leave out', async () => {
    writeTree(src, { 'a.csv': 'a' });
    writeTree(dst, { 'a.csv': 'a', 'b.csv': 'b', 'notes.txt': 'mine' });
    const plan = await h.engine.plan(spec({ kind: 'sync', mirror: true, filters: { include: ['*.csv'], exclude: [] } }));
    expect(plan.items.filter((i) => i.action === 'delete').map((i) => i.relPath)).toEqual(['b.csv']);
  });

  it('move within one endpoint renames (no copy), across endpoints copies, verifies, then deletes the source', async () => {
    writeTree(src, { 'one.bin': bytes(50_000), 'two.txt': 'two' });
    const before = inode(join(src, 'one.bin'));
    const done = await h.engine.wait((await h.engine.create({ spec: spec({ kind: 'move', source: { endpoint: 'local', paths: [join(src, 'one.bin')] } }) })).id);
    expect(done.state).toBe('done');
    expect(existsSync(join(src, 'one.bin'))).toBe(false);
    expect(inode(join(dst, 'one.bin'))).toBe(before);

    const across = await h.engine.wait(
      (await h.engine.create({ spec: spec({ kind: 'move', source: { endpoint: 'local2', paths: [join(src, 'two.txt')] } }) })).id,
    );
    expect(across.state).toBe('done');
    expect(existsSync(join(src, 'two.txt'))).toBe(false);
    expect(readTree(dst)['two.txt']).toBe('two');
    expect(h.engine.details(across.id).files[0].verified).toBe('size');
  });

  it('refuses a plan from a missing source or onto a file, in plain words', async () => {
    await expect(h.engine.plan(spec({ source: { endpoint: 'local', paths: [join(src, 'nope')] } }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    writeFileSync(join(dst, 'file'), 'x');
    await expect(h.engine.plan(spec({ destination: { endpoint: 'local', path: join(dst, 'file') } }))).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });
    await expect(h.engine.plan(spec({ mirror: true }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(h.engine.create({ planId: 'no-such-plan' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  describe('a destination that takes its time to connect (a login over the network)', () => {
    /** A second endpoint on this computer whose connect waits for `gate` (or fails with `refuse`), counting attempts. */
    const slowly = (gate: Promise<void>, refuse?: FerryError) => {
      const state = { connects: 0 };
      const manifest: ConnectorManifest = {
        ...localManifest,
        type: 'local',
        connect: async (ctx) => {
          state.connects++;
          await gate;
          if (refuse) throw refuse;
          return localManifest.connect(ctx);
        },
      };
      return { manifest, state };
    };

    it('lists a local source while it connects, and plans once it has', async () => {
      writeTree(src, { 'a.txt': 'a', 'sub/b.txt': 'bb' });
      let open!: () => void;
      const slow = slowly(new Promise<void>((r) => (open = r)));
      const s = makeHarness({ extra: { slow: slow.manifest } });
      // The login finishes only once the source has been listed: a plan that waited for it first never would.
      const list = LocalConnector.prototype.list;
      const spy = vi.spyOn(LocalConnector.prototype, 'list').mockImplementation(function (this: LocalConnector, path, opts) {
        if (path === src) open();
        return list.call(this, path, opts);
      });
      try {
        const plan = await s.engine.plan(spec({ destination: { endpoint: 'slow', path: dst } }));
        expect(plan.items.filter((i) => i.action === 'copy').map((i) => i.relPath).sort()).toEqual([`${basename(src)}/a.txt`, `${basename(src)}/sub/b.txt`]);
        expect(slow.state.connects).toBe(1);
      } finally {
        spy.mockRestore();
        await s.close();
        cleanup(s.dir);
      }
    }, 10_000);

    it.each([
      ['a refused login', new FerryError('AUTH_FAILED', 'Login refused by the test server')],
      // Not to be read as "no such folder" (a plan that copies everything into a destination it never saw).
      ['a profile that is gone', new FerryError('NOT_FOUND', 'The profile slow was deleted')],
    ])('reports %s as such, once, without a second attempt', async (_what, refusal) => {
      writeTree(src, { 'a.txt': 'a' });
      const slow = slowly(Promise.resolve(), refusal);
      const s = makeHarness({ extra: { slow: slow.manifest } });
      try {
        await expect(s.engine.plan(spec({ destination: { endpoint: 'slow', path: dst } }))).rejects.toMatchObject({ code: refusal.code, message: refusal.message });
        expect(slow.state.connects).toBe(1);
      } finally {
        await s.close();
        cleanup(s.dir);
      }
    });
  });
});

describe('a job made from its plan', () => {
  it('starts each file as planned and counts them while it waits for a slot: unchanged skipped, refused failed, asked in conflict', async () => {
    await h.close();
    // One job at a time, and a destination that holds Windows' names: "aux.txt" is refused while planning.
    h = makeHarness({ extra: { local2: { ...localManifest, type: 'local' } }, engine: { maxJobs: 1, platform: 'win32' } });
    const blockSrc = tmp('ferry-block-');
    const blockDst = tmp('ferry-block-dst-');
    try {
      writeTree(blockSrc, { 'slow.bin': bytes(1_000_000) });
      const blocker = await h.engine.create({ spec: spec({ source: { endpoint: 'local2', paths: [join(blockSrc, 'slow.bin')] }, destination: { endpoint: 'local', path: blockDst }, bwlimit: 100_000 }) });
      writeTree(src, { 'same.txt': 'same', 'changed.txt': 'new words', 'aux.txt': 'refused', 'new.txt': 'new' });
      writeTree(dst, { 'same.txt': 'same', 'changed.txt': 'old' });
      const t = new Date(Date.now() - 3600_000);
      for (const p of [join(src, 'same.txt'), join(dst, 'same.txt')]) utimesSync(p, t, t);
      const plan = await h.engine.plan(spec({ kind: 'sync', source: { endpoint: 'local2', paths: [join(src, '*')] }, conflict: 'ask' }));
      const job = await h.engine.create({ planId: plan.id });
      expect(job).toMatchObject({ state: 'queued', totalFiles: 4, failedFiles: 1, skippedFiles: 1, doneFiles: 0 });
      const states = () => Object.fromEntries(h.engine.get(job.id).files.map((f) => [f.relPath, [f.state, f.error?.code ?? null]]));
      expect(states()).toEqual({
        'aux.txt': ['failed', 'INVALID_NAME'],
        'changed.txt': ['conflict', null],
        'new.txt': ['pending', null],
        'same.txt': ['skipped', null],
      });
      // The file list is the plan's, in its order, with its paths and facts.
      expect(h.engine.details(job.id).files.map((f) => [f.relPath, f.dstPath, f.size, f.modified])).toEqual(
        plan.items.map((i) => [i.relPath, i.dstPath, i.size, i.modified]),
      );
      await h.engine.cancel(blocker.id);
      const waiting = await h.engine.wait(job.id);
      expect(waiting).toMatchObject({ state: 'waiting', doneFiles: 1, failedFiles: 1, skippedFiles: 1 });
      expect(readTree(dst)).toEqual({ 'same.txt': 'same', 'changed.txt': 'old', 'new.txt': 'new' });
    } finally {
      cleanup(blockSrc, blockDst);
    }
  });
});
