import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalConnector, localManifest } from '../../electron/core/connectors/local';
import type { ConnectorManifest, ReadOptions } from '../../electron/core/connectors/types';
import { FerryError } from '../../electron/core/errors';
import type { Job, JobProgressEvent } from '../../shared/transfers';
import { bytes, checksummingLocalManifest, cleanup, makeHarness, readTree, tempOf, tmp, until, withReads, writeTree, type Harness } from './support';

let h: Harness;
const dirs: string[] = [];
const scratch = (label: string) => {
  const d = tmp(label);
  dirs.push(d);
  return d;
};
afterEach(async () => {
  await h?.close();
  cleanup(h.dir, ...dirs.splice(0));
});

/**
 * Models a connection that drops mid-file: a real local connector whose reads, while `drops` is above
 * zero, deliver `after` bytes and then (a moment later, as a reset is noticed) fail with CONNECTION_LOST.
 */
const flaky = { drops: 0, after: 100_000 };
class FlakyConnector extends LocalConnector {
  override async read(path: string, opts?: ReadOptions): Promise<Readable> {
    const inner = await super.read(path, opts);
    if (flaky.drops <= 0) return inner;
    flaky.drops--;
    let sent = 0;
    async function* cut() {
      for await (const chunk of inner) {
        const buf = chunk as Buffer;
        const room = flaky.after - sent;
        if (buf.length >= room) {
          if (room > 0) yield buf.subarray(0, room);
          inner.destroy();
          await new Promise((r) => setTimeout(r, 50));
          throw new FerryError('CONNECTION_LOST', `Connection lost while reading ${path}`);
        }
        sent += buf.length;
        yield buf;
      }
    }
    return Readable.from(cut(), { objectMode: false });
  }
}
const flakyManifest: ConnectorManifest = { ...localManifest, type: 'local', connect: async () => new FlakyConnector(localManifest.capabilities) };

/**
 * A local connector whose reads give their first 10,000 bytes and then nothing more, as a server that stops
 * sending would: the stream waits for data until it is destroyed.
 */
const stalledReads: Readable[] = [];
const stallingManifest = withReads({ ...localManifest, type: 'local' }, (inner) => {
  const r = new Readable({ read() {} });
  inner.once('data', (chunk: Buffer) => {
    r.push(chunk.subarray(0, 10_000));
    inner.destroy();
  });
  stalledReads.push(r);
  return r;
});

function setup(files: Record<string, Buffer | string>) {
  // The destination reports md5s (as object stores do), so resumed files are checked end to end by md5.
  h = makeHarness({ extra: { other: { ...localManifest, type: 'local' }, flaky: flakyManifest, stalling: stallingManifest, local: checksummingLocalManifest } });
  const src = scratch('ferry-src-');
  const dst = scratch('ferry-dst-');
  writeTree(src, files);
  return { src, dst };
}

const copySpec = (src: string, dst: string, over: Record<string, unknown> = {}) => ({
  kind: 'copy' as const,
  source: { endpoint: 'other', paths: [join(src, '*')] },
  destination: { endpoint: 'local', path: dst },
  conflict: 'overwrite' as const,
  ...over,
});

const temps = (dst: string) => readdirSync(dst).filter((n) => n.endsWith('.ferry-part'));

describe('pause, resume, cancel', () => {
  it('pauses a job mid-file (nothing moves), resumes it where it stopped without re-sending finished files', async () => {
    const content = { 'a.bin': bytes(200_000), 'b.bin': bytes(400_000), 'c.bin': bytes(100_000) };
    const { src, dst } = setup(content);
    const job = await h.engine.create({ spec: copySpec(src, dst, { transfers: 1, bwlimit: 500_000 }) });
    await until(() => h.engine.get(job.id).files[1].bytesDone > 100_000, 10_000, 'b.bin half sent');
    await h.engine.pause(job.id);
    const paused = h.engine.get(job.id);
    expect(paused.job.state).toBe('paused');
    expect(paused.files.map((f) => f.state)).toEqual(['done', 'pending', 'pending']);
    expect(temps(dst)).toEqual([tempOf('b.bin', job.id)]);
    const held = readdirSync(dst).length;
    await new Promise((r) => setTimeout(r, 400));
    expect(h.engine.get(job.id).job.doneBytes).toBe(paused.job.doneBytes);
    expect(readdirSync(dst).length).toBe(held);

    await h.engine.resume(job.id);
    const done = await h.engine.wait(job.id);
    expect(done.state).toBe('done');
    const d = h.engine.details(job.id);
    expect(d.files[1].resumedFrom).toBeGreaterThan(0);
    expect(d.files[1].verified).toBe('md5');
    // Each byte crossed once, give or take the one slice in flight when the pause hit.
    expect(d.job.movedBytes).toBeGreaterThanOrEqual(700_000);
    expect(d.job.movedBytes).toBeLessThan(700_000 + 64 * 1024);
    expect(readTree(dst)).toEqual(Object.fromEntries(Object.entries(content).map(([k, v]) => [k, v.toString('latin1')])));
  });

  it('writer leases: a run holds its queued files\' paths; a finished file\'s path is free at once; a paused or finished run holds none', async () => {
    const content = { 'a.bin': bytes(200_000), 'b.bin': bytes(200_000), 'c.bin': bytes(200_000) };
    const { src, dst } = setup(content);
    const other = scratch('ferry-src2-');
    writeTree(other, { 'a.bin': 'from the second job' });
    const leases = () => h.db.prepare('SELECT path_key FROM transfer_writer_leases ORDER BY path_key').pluck().all() as string[];
    const job = await h.engine.create({ spec: copySpec(src, dst, { transfers: 1, bwlimit: 300_000 }) });
    await until(() => h.engine.get(job.id).files[0].bytesDone > 50_000, 10_000, 'a.bin under way');
    // Taken in one commit with the first file: no other job writes b.bin or c.bin meanwhile.
    expect(leases()).toEqual(['a.bin', 'b.bin', 'c.bin'].map((n) => join(dst, n)));
    await until(() => h.engine.get(job.id).files[0].state === 'done', 10_000, 'a.bin done');
    // Another job writing a.bin does not wait for the first job to end.
    const second = await h.engine.create({ spec: { ...copySpec(other, dst), source: { endpoint: 'other', paths: [join(other, 'a.bin')] } } });
    expect((await h.engine.wait(second.id)).state).toBe('done');
    expect(h.engine.get(job.id).job.state).toBe('running');
    expect(readFileSync(join(dst, 'a.bin'), 'utf8')).toBe('from the second job');
    await h.engine.pause(job.id);
    expect(h.engine.get(job.id).job.state).toBe('paused');
    expect(leases()).toEqual([]);
    await h.engine.resume(job.id);
    expect((await h.engine.wait(job.id)).state).toBe('done');
    expect(leases()).toEqual([]);
    expect(readFileSync(join(dst, 'c.bin'))).toEqual(content['c.bin']);
  });

  it('cancels a job: stops at once, removes the partial file, keeps what was finished', async () => {
    const { src, dst } = setup({ 'a.bin': bytes(50_000), 'b.bin': bytes(600_000) });
    const job = await h.engine.create({ spec: copySpec(src, dst, { transfers: 1, bwlimit: 400_000 }) });
    await until(() => h.engine.get(job.id).files[1].bytesDone > 50_000, 10_000, 'b.bin started');
    await h.engine.cancel(job.id);
    const j = h.engine.get(job.id);
    expect(j.job.state).toBe('cancelled');
    expect(j.files.map((f) => f.state)).toEqual(['done', 'cancelled']);
    await until(() => temps(dst).length === 0, 5000, 'partial file removed');
    expect(readdirSync(dst)).toEqual(['a.bin']);
    expect(existsSync(join(src, 'b.bin'))).toBe(true);
  });

  it('pauses, resumes and cancels single files while the others go on', async () => {
    const { src, dst } = setup({ 'a.bin': bytes(300_000), 'b.bin': bytes(300_000), 'c.bin': bytes(20_000) });
    const job = await h.engine.create({ spec: copySpec(src, dst, { transfers: 2, bwlimit: 600_000 }) });
    await until(() => h.engine.get(job.id).files[0].bytesDone > 30_000, 10_000, 'a.bin started');
    await h.engine.pause(job.id, 0);
    await h.engine.cancel(job.id, 1);
    const rest = await h.engine.wait(job.id);
    // The paused file holds the job in 'paused'; the cancelled one counts as left out.
    expect(rest.state).toBe('paused');
    expect(h.engine.get(job.id).files.map((f) => f.state)).toEqual(['paused', 'cancelled', 'done']);
    expect(temps(dst)).toEqual([tempOf('a.bin', job.id)]);
    await h.engine.resume(job.id, 0);
    const done = await h.engine.wait(job.id);
    expect(done).toMatchObject({ state: 'done', doneFiles: 2, skippedFiles: 1 });
    expect(h.engine.details(job.id).files[0].resumedFrom).toBeGreaterThan(0);
    expect(readdirSync(dst).sort()).toEqual(['a.bin', 'c.bin']);
  });
});

describe('retries', () => {
  it('a dropped connection mid-file is retried with backoff and continues from the partial file', async () => {
    const content = bytes(300_000);
    const { src, dst } = setup({ 'f.bin': content });
    flaky.drops = 2;
    const job = await h.engine.create({ spec: copySpec(src, dst, { source: { endpoint: 'flaky', paths: [join(src, 'f.bin')] } }) });
    const done = await h.engine.wait(job.id);
    expect(done.state).toBe('done');
    const f = h.engine.details(job.id).files[0];
    expect(f).toMatchObject({ state: 'done', attempts: 2, verified: 'md5' });
    expect(f.resumedFrom).toBeGreaterThan(0);
    expect(readTree(dst)['f.bin']).toBe(content.toString('latin1'));
  });

  it('gives up after the configured tries, stops the job (the endpoint is down), and a later retry finishes it', async () => {
    const { src, dst } = setup({ 'a.bin': bytes(200_000), 'b.bin': bytes(10), 'c.bin': bytes(10) });
    Object.assign(flaky, { drops: 1000, after: 1000 });
    const job = await h.engine.create({ spec: copySpec(src, dst, { transfers: 1, source: { endpoint: 'flaky', paths: [join(src, '*')] } }) });
    const failed = await h.engine.wait(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'CONNECTION_LOST', message: expect.stringContaining('after 5 tries') });
    expect(h.engine.get(job.id).files.map((f) => [f.state, f.attempts])).toEqual([
      ['failed', 5],
      ['pending', 0],
      ['pending', 0],
    ]);
    Object.assign(flaky, { drops: 0, after: 100_000 });
    await h.engine.retry(job.id);
    const done = await h.engine.wait(job.id);
    expect(done).toMatchObject({ state: 'done', doneFiles: 3, failedFiles: 0, error: null });
  });

  it('a file that cannot succeed fails at once, without retries, and the others complete', async () => {
    const { src, dst } = setup({ 'a.txt': 'a', 'gone.txt': 'soon gone', 'c.txt': 'c' });
    const plan = await h.engine.plan(copySpec(src, dst));
    rmSync(join(src, 'gone.txt'));
    const job = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(job).toMatchObject({ state: 'failed', doneFiles: 2, failedFiles: 1, error: { code: 'NOT_FOUND' } });
    expect(h.engine.get(job.id).files[2]).toMatchObject({ relPath: 'gone.txt', state: 'failed', attempts: 1, error: { code: 'NOT_FOUND' } });
    expect(h.engine.list({ states: ['failed'] }).map((j) => j.id)).toEqual([job.id]);
  });
});

// Small files that nothing hashes or throttles go from the reader to the writer with no Meter between
// (file-task.ts, DIRECT_MAX_BYTES): plain local folders on both sides, which report no md5.
describe('small files straight from reader to writer', () => {
  const plainSpec = (src: string, dst: string, source: string, over: Record<string, unknown> = {}) => ({
    ...copySpec(src, dst, over),
    source: { endpoint: source, paths: [join(src, '*')] },
    destination: { endpoint: 'other', path: dst },
  });

  it('a read that fails mid-file is retried, and the file arrives whole, verified by size', async () => {
    const content = bytes(60_000);
    const { src, dst } = setup({ 'f.bin': content, 'g.bin': bytes(5) });
    Object.assign(flaky, { drops: 1, after: 20_000 });
    const job = await h.engine.create({ spec: plainSpec(src, dst, 'flaky', { transfers: 1 }) });
    const state = (await h.engine.wait(job.id)).state;
    flaky.after = 100_000;
    expect(state).toBe('done');
    expect(h.engine.details(job.id).files.map((f) => [f.relPath, f.state, f.attempts, f.verified, f.size])).toEqual([
      ['f.bin', 'done', 1, 'size', 60_000],
      ['g.bin', 'done', 0, 'size', 5],
    ]);
    expect(readFileSync(join(dst, 'f.bin')).equals(content)).toBe(true);
    expect(temps(dst)).toEqual([]);
  });

  it('a cancel stops a file whose read hangs, at once, and leaves no partial file', async () => {
    const { src, dst } = setup({ 'hangs.bin': bytes(50_000) });
    stalledReads.length = 0;
    const job = await h.engine.create({ spec: plainSpec(src, dst, 'stalling') });
    await until(() => stalledReads.length === 1, 10_000, 'the read started');
    const asked = Date.now();
    await h.engine.cancel(job.id);
    expect(Date.now() - asked).toBeLessThan(4000);
    expect(h.engine.get(job.id).files.map((f) => f.state)).toEqual(['cancelled']);
    expect(stalledReads[0].destroyed).toBe(true);
    await until(() => temps(dst).length === 0, 5000, 'partial file removed');
    expect(readdirSync(dst)).toEqual([]);
  });

  it('each small file counts its bytes once written, and the job every byte', async () => {
    const { src, dst } = setup({ 'a.bin': bytes(60_000), 'b.bin': bytes(30_000) });
    const job = await h.engine.create({ spec: plainSpec(src, dst, 'other') });
    const done = await h.engine.wait(job.id);
    expect(done).toMatchObject({ state: 'done', doneFiles: 2, doneBytes: 90_000 });
    expect(h.engine.get(job.id).files.map((f) => [f.state, f.bytesDone])).toEqual([
      ['done', 60_000],
      ['done', 30_000],
    ]);
    expect(readTree(dst)).toEqual(readTree(src));
  });
});

describe('progress', () => {
  it('batches progress events (a few a second, files coalesced) and announces state changes', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(2, '0')}.bin`);
    const { src, dst } = setup(Object.fromEntries(names.map((n) => [n, bytes(30_000)])));
    const events: JobProgressEvent[] = [];
    const changes: Job['state'][] = [];
    h.engine.on('jobs.progress', (e) => events.push(e));
    h.engine.on('jobs.changed', (j) => changes.push(j.state));
    const started = Date.now();
    const job = await h.engine.create({ spec: copySpec(src, dst, { transfers: 4, bwlimit: 800_000 }) });
    const done = await h.engine.wait(job.id);
    const seconds = (Date.now() - started) / 1000;
    expect(done).toMatchObject({ state: 'done', doneFiles: 40, doneBytes: 1_200_000 });
    expect(seconds).toBeGreaterThan(1);
    expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
    // Every file's outcome reached the UI although there were far fewer events than file changes.
    const finalState = new Map<number, string>();
    for (const e of events) for (const f of e.files) finalState.set(f.idx, f.state);
    expect([...finalState.values()].filter((s) => s === 'done')).toHaveLength(40);
    expect(events.some((e) => e.files.length > 1)).toBe(true);
    const mid = events.find((e) => e.jobs[0].doneBytes > 0 && e.jobs[0].doneBytes < 1_200_000)!;
    expect(mid.jobs[0].rate).toBeGreaterThan(0);
    expect(mid.jobs[0].etaSeconds).toBeGreaterThan(0);
    expect(changes[0]).toBe('queued');
    expect(changes).toContain('running');
    expect(changes.at(-1)).toBe('done');
    // History keeps the average rate, which the bandwidth limit held (with the bucket's initial burst).
    expect(done.rate).toBeGreaterThan(50_000);
    expect(done.rate).toBeLessThan(1_000_000);
  });
});
