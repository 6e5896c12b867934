import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Manifest } from '../../electron/core/connectors/s3';
import { createBucket, type S3ServerInfo } from '../servers/s3';
import { server } from '../support/servers';
import { bytes, cleanup, makeHarness, md5, readTree, tmp, writeTree, type Harness } from './support';

/**
 * The engine with an object store on either side, against s3rver (a real S3 server implementation): writes
 * go straight to the final key (an object is visible only once its upload completes: no temp name), each
 * write is verified against the MD5 the store reports, and a copy inside one store happens on the server.
 */
let h: Harness;
let src: string;
let dst: string;
const bucket = `ferry-transfer-${process.pid}`;

function profile() {
  const info = server<S3ServerInfo>('s3')!;
  return {
    manifest: s3Manifest,
    options: { provider: 'other', endpoint: info.endpoint, region: info.region, auth: 'keys', accessKeyId: info.accessKeyId },
    secrets: { secretAccessKey: info.secretAccessKey },
  };
}

beforeAll(async () => {
  const info = server<S3ServerInfo>('s3');
  if (!info) throw new Error('the s3 test server (s3rver) did not start');
  await createBucket(info, bucket);
  h = makeHarness({ extra: { s3: profile() } });
  src = tmp('ferry-src-');
  dst = tmp('ferry-dst-');
});
afterAll(async () => {
  await h?.close();
  cleanup(h.dir, src, dst);
});

describe('transfers with an object store (s3rver)', () => {
  const content = { 'a.txt': 'alpha', 'sub/b.bin': bytes(700_000), 'sub/c.txt': 'gamma' };

  it('uploads a tree straight to its keys, verified by the MD5 the store reports', async () => {
    writeTree(src, content);
    const job = await h.engine.wait(
      (await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'local', paths: [join(src, '*')] }, destination: { endpoint: 's3', path: `/${bucket}/up` } } })).id,
    );
    expect(job).toMatchObject({ state: 'done', doneFiles: 3 });
    const d = h.engine.details(job.id);
    expect(d.files.map((f) => [f.dstPath, f.verified])).toEqual([
      [`/${bucket}/up/a.txt`, 'md5'],
      [`/${bucket}/up/sub/b.bin`, 'md5'],
      [`/${bucket}/up/sub/c.txt`, 'md5'],
    ]);
  });

  it('copies inside the store on the server, then mirrors a prefix deleting only what the plan listed', async () => {
    const copy = await h.engine.wait(
      (await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 's3', paths: [`/${bucket}/up/sub/*`] }, destination: { endpoint: 's3', path: `/${bucket}/copy` } } })).id,
    );
    expect(copy.state).toBe('done');
    const d = h.engine.details(copy.id);
    expect(d.job.movedBytes).toBe(0);
    // Nothing was streamed: the store's own MD5s of source and copy were compared.
    expect(d.files.map((f) => f.verified)).toEqual(['md5', 'md5']);

    const plan = await h.engine.plan({ kind: 'sync', mirror: true, conflict: 'if-changed', source: { endpoint: 's3', paths: [`/${bucket}/up`] }, destination: { endpoint: 's3', path: `/${bucket}/copy` } });
    expect(plan.items.map((i) => [i.relPath, i.action])).toEqual([
      ['a.txt', 'copy'],
      ['sub/b.bin', 'copy'],
      ['sub/c.txt', 'copy'],
      ['b.bin', 'delete'],
      ['c.txt', 'delete'],
    ]);
    expect((await h.engine.wait((await h.engine.create({ planId: plan.id })).id)).state).toBe('done');
    const again = await h.engine.plan({ kind: 'sync', mirror: true, conflict: 'if-changed', source: { endpoint: 's3', paths: [`/${bucket}/up`] }, destination: { endpoint: 's3', path: `/${bucket}/copy` } });
    expect(again.items.map((i) => i.action)).toEqual(['skip', 'skip', 'skip']);
  });

  it('downloads back to this computer, byte for byte, checked by md5', async () => {
    const job = await h.engine.wait(
      (await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 's3', paths: [`/${bucket}/copy/*`] }, destination: { endpoint: 'local', path: dst } } })).id,
    );
    expect(job.state).toBe('done');
    expect(h.engine.details(job.id).files.every((f) => f.verified === 'md5')).toBe(true);
    const digests = (t: Record<string, string | Buffer>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, md5(typeof v === 'string' ? Buffer.from(v, 'latin1') : v)]));
    expect(digests(readTree(dst))).toEqual(digests(content));
  });

  it('downloads a large object as ranged GETs on several connections at once, in order, checked by md5', async () => {
    // Segment sizes lowered so that a 3 MiB object is "large"; the default is 16 MiB segments from 64 MiB.
    const seg = makeHarness({ extra: { s3: profile() }, engine: { segments: { minBytes: 1024 * 1024, segmentBytes: 256 * 1024 } } });
    const big = bytes(3 * 1024 * 1024 + 77);
    const out = tmp('ferry-seg-');
    try {
      writeTree(src, { 'seg/big.bin': big });
      const up = await seg.engine.wait((await seg.engine.create({ spec: { kind: 'copy', source: { endpoint: 'local', paths: [join(src, 'seg', 'big.bin')] }, destination: { endpoint: 's3', path: `/${bucket}/seg` } } })).id);
      expect(up.state).toBe('done');
      const down = await seg.engine.wait((await seg.engine.create({ spec: { kind: 'copy', source: { endpoint: 's3', paths: [`/${bucket}/seg/big.bin`] }, destination: { endpoint: 'local', path: out }, streams: 4 } })).id);
      expect(down.state).toBe('done');
      expect(seg.engine.details(down.id).files[0]).toMatchObject({ state: 'done', verified: 'md5', size: big.length });
      expect(md5(Buffer.from(readTree(out)['big.bin'], 'latin1'))).toBe(md5(big));
    } finally {
      await seg.close();
      cleanup(seg.dir, out);
    }
  });
});
