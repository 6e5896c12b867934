import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localManifest } from '../../electron/core/connectors/local';
import type { ConflictPolicy } from '../../shared/transfers';
import { bytes, checksummingLocalManifest, cleanup, makeHarness, readTree, tmp, writeTree, type Harness } from './support';

let h: Harness;
let src: string;
let dst: string;

beforeEach(() => {
  // Source on a second endpoint, so files are streamed (not copied on the server) and resume applies.
  h = makeHarness({ extra: { other: { ...localManifest, type: 'local' }, summed: checksummingLocalManifest } });
  src = tmp('ferry-src-');
  dst = tmp('ferry-dst-');
});
afterEach(async () => {
  await h.close();
  cleanup(h.dir, src, dst);
});

const spec = (conflict: ConflictPolicy, over: Record<string, unknown> = {}) => ({
  kind: 'copy' as const,
  source: { endpoint: 'other', paths: [join(src, 'f.txt')] },
  destination: { endpoint: 'local', path: dst },
  conflict,
  ...over,
});

const older = (p: string) => utimesSync(p, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));

async function run(conflict: ConflictPolicy, over: Record<string, unknown> = {}) {
  const plan = await h.engine.plan(spec(conflict, over));
  const job = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
  return { plan, job, files: h.engine.details(job.id).files };
}

describe('conflict policies', () => {
  it('ask: the file waits for an answer; the answer runs it', async () => {
    writeTree(src, { 'f.txt': 'new', 'g.txt': 'new g' });
    writeTree(dst, { 'f.txt': 'old', 'g.txt': 'old g' });
    const plan = await h.engine.plan(spec('ask', { source: { endpoint: 'other', paths: [join(src, 'f.txt'), join(src, 'g.txt')] } }));
    expect(plan.items.map((i) => i.action)).toEqual(['conflict', 'conflict']);
    expect(plan.totals.conflicts).toBe(2);
    const waiting = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(waiting.state).toBe('waiting');
    expect(readTree(dst)).toEqual({ 'f.txt': 'old', 'g.txt': 'old g' });
    await expect(h.engine.resolveConflict(waiting.id, 5, 'overwrite')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await h.engine.resolveConflict(waiting.id, 0, 'overwrite');
    const still = await h.engine.wait(waiting.id);
    expect(still.state).toBe('waiting');
    expect(readTree(dst)).toEqual({ 'f.txt': 'new', 'g.txt': 'old g' });

    await h.engine.resolveConflict(waiting.id, 1, 'skip', true);
    const done = await h.engine.wait(waiting.id);
    expect(done).toMatchObject({ state: 'done', doneFiles: 1, skippedFiles: 1 });
    expect(readTree(dst)).toEqual({ 'f.txt': 'new', 'g.txt': 'old g' });
    await expect(h.engine.resolveConflict(waiting.id, 1, 'overwrite')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('overwrite replaces the destination', async () => {
    writeTree(src, { 'f.txt': 'new' });
    writeTree(dst, { 'f.txt': 'old and longer' });
    const { plan, job } = await run('overwrite');
    expect(plan.items[0].action).toBe('overwrite');
    expect(job.state).toBe('done');
    expect(readTree(dst)).toEqual({ 'f.txt': 'new' });
  });

  it('if-changed skips an unchanged file and replaces one whose size differs or that is newer', async () => {
    writeTree(src, { 'f.txt': 'same' });
    writeTree(dst, { 'f.txt': 'same' });
    older(join(src, 'f.txt'));
    expect((await run('if-changed')).plan.items[0]).toMatchObject({ action: 'skip', reason: 'unchanged' });

    writeFileSync(join(src, 'f.txt'), 'changed');
    const { plan, job } = await run('if-changed');
    expect(plan.items[0]).toMatchObject({ action: 'overwrite', reason: expect.stringContaining('size differs') });
    expect(job.state).toBe('done');
    expect(readTree(dst)).toEqual({ 'f.txt': 'changed' });

    writeFileSync(join(src, 'f.txt'), 'CHANGED');
    older(join(dst, 'f.txt'));
    expect((await run('if-changed')).plan.items[0]).toMatchObject({ action: 'overwrite', reason: 'source is newer' });
    expect(readTree(dst)).toEqual({ 'f.txt': 'CHANGED' });
  });

  it('skip keeps the destination', async () => {
    writeTree(src, { 'f.txt': 'new' });
    writeTree(dst, { 'f.txt': 'old' });
    const { job, files } = await run('skip');
    expect(job).toMatchObject({ state: 'done', skippedFiles: 1, doneFiles: 0 });
    expect(files[0].state).toBe('skipped');
    expect(readTree(dst)).toEqual({ 'f.txt': 'old' });
  });

  it('rename writes "name (1).ext", then "name (2).ext", keeping the others', async () => {
    writeTree(src, { 'f.txt': 'new' });
    writeTree(dst, { 'f.txt': 'old' });
    expect((await run('rename')).plan.items[0].dstPath).toBe(join(dst, 'f (1).txt'));
    writeFileSync(join(src, 'f.txt'), 'newer');
    await run('rename');
    expect(readTree(dst)).toEqual({ 'f.txt': 'old', 'f (1).txt': 'new', 'f (2).txt': 'newer' });
  });

  it('resume continues a shorter destination file from its end, sending only the rest', async () => {
    const content = bytes(200_000);
    writeTree(src, { 'f.txt': content });
    writeTree(dst, { 'f.txt': content.subarray(0, 120_000) });
    // Into a folder that reports md5s: Ferry's md5 then covers the kept 120,000 bytes too (read back), not
    // only the part it sent.
    const { plan, job, files } = await run('resume', { destination: { endpoint: 'summed', path: dst } });
    expect(plan.items[0]).toMatchObject({ action: 'resume', reason: 'continue at 120000 bytes' });
    expect(job.state).toBe('done');
    expect(files[0]).toMatchObject({ state: 'done', resumedFrom: 120_000, verified: 'md5' });
    expect(h.engine.details(job.id).job.movedBytes).toBe(80_000);
    expect(readTree(dst)).toEqual({ 'f.txt': content.toString('latin1') });
  });

  it('resume over a complete file skips it, over a different longer file overwrites it', async () => {
    writeTree(src, { 'f.txt': 'complete' });
    writeTree(dst, { 'f.txt': 'complete' });
    older(join(src, 'f.txt'));
    expect((await run('resume')).plan.items[0]).toMatchObject({ action: 'skip', reason: 'already complete' });
    writeTree(dst, { 'f.txt': 'a longer, different file' });
    expect((await run('resume')).plan.items[0].action).toBe('overwrite');
    expect(readTree(dst)).toEqual({ 'f.txt': 'complete' });
  });

  it('a file that appears at the destination after planning is not overwritten by a plain copy', async () => {
    writeTree(src, { 'f.txt': 'from source' });
    const plan = await h.engine.plan(spec('skip'));
    expect(plan.items[0].action).toBe('copy');
    writeFileSync(join(dst, 'f.txt'), 'written meanwhile');
    const job = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(job).toMatchObject({ state: 'done', skippedFiles: 1 });
    expect(readTree(dst)).toEqual({ 'f.txt': 'written meanwhile' });

    const asking = await h.engine.plan(spec('ask', { destination: { endpoint: 'local', path: join(dst, 'sub') } }));
    writeTree(dst, { 'sub/f.txt': 'also meanwhile' });
    const waiting = await h.engine.wait((await h.engine.create({ planId: asking.id })).id);
    expect(waiting.state).toBe('waiting');
    expect(h.engine.get(waiting.id).files[0].state).toBe('conflict');
  });

  it('the same holds in a folder of many files, which the run checks with one listing rather than a stat per file', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`);
    writeTree(src, Object.fromEntries(names.map((n) => [`many/${n}`, `source ${n}`])));
    const plan = await h.engine.plan(spec('skip', { source: { endpoint: 'other', paths: [join(src, 'many')] }, recursive: true }));
    expect(plan.items.filter((i) => i.action === 'copy')).toHaveLength(40);
    writeTree(dst, { 'many/f07.txt': 'written meanwhile', 'many/f33.txt': 'also meanwhile' });
    const job = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(job).toMatchObject({ state: 'done', doneFiles: 38, skippedFiles: 2 });
    const tree = readTree(join(dst, 'many'));
    expect(tree['f07.txt']).toBe('written meanwhile');
    expect(tree['f33.txt']).toBe('also meanwhile');
    expect(tree['f08.txt']).toBe('source f08.txt');
    expect(Object.keys(tree)).toHaveLength(40);
  });
});
