import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { localManifest } from '../../electron/core/connectors/local';
import { isFerryError } from '../../electron/core/errors';
import { bytes, cleanup, makeHarness, tempOf, tmp, until, writeTree, type Harness } from './support';

/**
 * Two Ferry processes on one store (two CLI copies, or the app and the CLI): a job runs in one process only,
 * and one job at a time writes a destination path. The other process is a real child process.
 */
let h: Harness | undefined;
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.close();
  h = undefined;
  cleanup(...dirs.splice(0));
});

/** The engine-child fixture copying src/* to dst in its own process; resolves its job id, and its output so far. */
async function childCopy(store: string, src: string, dst: string, bwlimit: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'engine-child.ts'), store, src, dst, String(bwlimit)], {
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { text: '', err: '' };
  child.stdout!.on('data', (d) => (out.text += d));
  child.stderr!.on('data', (d) => (out.err += d));
  const jobId = (await until(() => out.text.match(/"jobId":"([^"]+)"/)?.[1], 30_000, `the child's job id (stderr: ${out.err})`)) as string;
  return { child, jobId, out, exited: new Promise((r) => child.once('exit', r)) };
}

const other = { other: { ...localManifest, type: 'local' as const } };

it('a job another live process runs is not run here: not taken up at start, resume refused; once that process is killed it is interrupted and taken over', async () => {
  const [store, src, dst] = [tmp('ferry-store-'), tmp('ferry-src-'), tmp('ferry-dst-')];
  dirs.push(store, src, dst);
  const content = bytes(1_500_000);
  writeTree(src, { 'c.bin': content });
  const a = await childCopy(store, src, dst, 300_000);
  const partial = join(dst, tempOf('c.bin', a.jobId));
  await until(() => {
    try {
      return statSync(partial).size > 100_000;
    } catch {
      return false;
    }
  }, 20_000, 'c.bin partly written by the child');

  // This process opens the same store as `ferry serve` or the app would: start() takes up only orphans.
  h = makeHarness({ dir: store, extra: other });
  h.engine.start();
  expect(h.engine.get(a.jobId).job.state).toBe('running');
  const owner = h.db.prepare('SELECT owner FROM transfer_jobs WHERE id = ?').pluck().get(a.jobId) as string;
  expect(JSON.parse(owner)).toMatchObject({ pid: a.child.pid });
  const refused = await h.engine.resume(a.jobId).then(
    () => null,
    (e: unknown) => e,
  );
  expect(isFerryError(refused, 'CONFLICT')).toBe(true);
  expect((refused as Error).message).toContain(`pid ${a.child.pid}`);
  await expect(h.engine.cancel(a.jobId)).rejects.toMatchObject({ code: 'CONFLICT' });
  // Still the child's partial file alone, growing: nobody here wrote or removed it.
  expect(readdirSync(dst)).toEqual([tempOf('c.bin', a.jobId)]);

  a.child.kill('SIGKILL');
  await a.exited;
  expect(h.engine.get(a.jobId).job.state).toBe('interrupted');
  expect(h.engine.list({ states: ['interrupted'] }).map((j) => j.id)).toEqual([a.jobId]);
  await h.engine.resume(a.jobId);
  const done = await h.engine.wait(a.jobId);
  expect(done.state).toBe('done');
  expect(h.engine.details(a.jobId).files[0].resumedFrom).toBeGreaterThan(100_000);
  expect(readFileSync(join(dst, 'c.bin')).equals(content)).toBe(true);
  expect(readdirSync(dst)).toEqual(['c.bin']);
});

it('two jobs writing the same path: each has its own temp name, the second waits for the first (its lease), and the final file is one whole source', async () => {
  const [store, srcA, srcB, dst] = [tmp('ferry-store-'), tmp('ferry-src-a-'), tmp('ferry-src-b-'), tmp('ferry-dst-')];
  dirs.push(store, srcA, srcB, dst);
  const [contentA, contentB] = [bytes(900_000), bytes(700_000)];
  writeTree(srcA, { 'f.bin': contentA });
  writeTree(srcB, { 'f.bin': contentB });
  const a = await childCopy(store, srcA, dst, 600_000);
  await until(() => readdirSync(dst).includes(tempOf('f.bin', a.jobId)), 20_000, "the child's temp file");

  h = makeHarness({ dir: store, extra: other });
  const names = new Set<string>();
  let most = 0;
  const poll = setInterval(() => {
    const temps = readdirSync(dst).filter((n) => n.endsWith('.ferry-part'));
    temps.forEach((n) => names.add(n));
    most = Math.max(most, temps.length);
  }, 5);
  try {
    const b = await h.engine.create({
      // Throttled so its temp file lives long enough for the 5 ms poll to see it on a loaded machine.
      spec: { kind: 'copy', source: { endpoint: 'other', paths: [join(srcB, 'f.bin')] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite', bwlimit: 1_000_000 },
    });
    // The child's job finishes first, whole, under the final name; only then does this job write.
    await until(() => a.out.text.includes('"state":"done"'), 30_000, "the child's job done");
    const done = await h.engine.wait(b.id);
    expect(done.state).toBe('done');
    expect(names).toEqual(new Set([tempOf('f.bin', a.jobId), tempOf('f.bin', b.id)]));
    expect(most).toBe(1);
    expect(readFileSync(join(dst, 'f.bin')).equals(contentB)).toBe(true);
    expect(readdirSync(dst)).toEqual(['f.bin']);
    // The leases are given back.
    expect(h.db.prepare('SELECT count(*) FROM transfer_writer_leases').pluck().get()).toBe(0);
  } finally {
    clearInterval(poll);
  }
});
