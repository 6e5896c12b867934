/**
 * The GCS connector's tests run against the project's own stand-in of the GCS JSON API
 * (test/servers/gcs-emulator/), NOT against Google Cloud Storage: no GCS emulator runs offline on these
 * machines. The stand-in follows Google's documented behaviour for what Ferry uses (listing with prefixes
 * and pages, media/multipart/resumable uploads, ranged downloads, rewrite, preconditions), but passing
 * here says nothing about Google's authentication, quotas or error texts.
 */
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '../conformance/suite';
import { collect, expectCode, hashOf, put, randomData, readAll, streamOf } from '../conformance/helpers';
import { gcsManifest } from '../../electron/core/connectors/gcs';
import type { ConnectContext, Connector } from '../../electron/core/connectors/types';
import type { OptionValues } from '../../shared/profiles';
import { server } from '../support/servers';
import { freePort } from '../support/ports';
import type { GcsServerInfo } from '../servers/gcs';
import { startGcsEmulator, type GcsEmulator } from '../servers/gcs-emulator/server';

const MiB = 1024 * 1024;

function info(): GcsServerInfo {
  const s = server<GcsServerInfo>('gcs');
  if (!s) throw new Error('the gcs test server (the project\'s GCS stand-in) did not start');
  return s;
}

const warnings: string[] = [];

/** A connect context as the core builds it: options from the profile, secrets from the keychain. */
function context(options: OptionValues, secrets: Record<string, string> = {}): ConnectContext {
  return {
    profile: { id: 'test-gcs', name: 'gcs stand-in', options },
    secret: async (name) => secrets[name],
    trust: undefined as unknown as ConnectContext['trust'],
    log: { debug() {}, info() {}, warn: (msg) => void warnings.push(msg) },
  };
}

function anonymous(apiEndpoint: string, extra: OptionValues = {}): OptionValues {
  return { auth: 'none', apiEndpoint, projectId: 'ferry-test', ...extra };
}

const CONFORMANCE_BUCKET = 'ferry-conformance';

describeConformance('gcs', async () => {
  const s = info();
  const sdk = new Storage({ apiEndpoint: s.apiEndpoint, projectId: s.projectId });
  const [exists] = await sdk.bucket(CONFORMANCE_BUCKET).exists();
  if (!exists) await sdk.createBucket(CONFORMANCE_BUCKET);
  return {
    connect: () => gcsManifest.connect(context(anonymous(s.apiEndpoint))),
    root: `/${CONFORMANCE_BUCKET}`,
    capabilities: gcsManifest.capabilities,
    pageSize: s.pageSize,
  };
});

describe('gcs: buckets are the top-level folders', () => {
  let c: Connector;
  const bucket = `ferry-top-${Date.now().toString(36)}`;
  beforeAll(async () => {
    c = await gcsManifest.connect(context(anonymous(info().apiEndpoint)));
  });
  afterAll(() => c?.close());

  it('mkdir at the top creates a bucket, list("/") shows it, rmdir deletes it', async () => {
    await c.mkdir(`/${bucket}`);
    const sdk = new Storage({ apiEndpoint: info().apiEndpoint, projectId: 'ferry-test' });
    expect((await sdk.bucket(bucket).exists())[0]).toBe(true);
    expect((await c.list('/')).find((e) => e.name === bucket)).toMatchObject({ type: 'dir', path: `/${bucket}` });
    expect(await c.stat(`/${bucket}`)).toMatchObject({ type: 'dir', name: bucket });

    await put(c, `/${bucket}/a/b.txt`, 'b');
    await expectCode(() => c.rmdir(`/${bucket}`), 'NOT_EMPTY');
    await c.rmdir(`/${bucket}`, { recursive: true });
    expect((await sdk.bucket(bucket).exists())[0]).toBe(false);
    expect((await c.list('/')).map((e) => e.name)).not.toContain(bucket);
    await expectCode(() => c.list(`/${bucket}`), 'NOT_FOUND');
  });

  it('mkdir deep in a missing bucket creates the bucket too', async () => {
    const b2 = `${bucket}-deep`;
    await c.mkdir(`/${b2}/x/y`);
    expect((await c.list(`/${b2}`)).map((e) => [e.name, e.type])).toEqual([['x', 'dir']]);
    await c.rmdir(`/${b2}`, { recursive: true });
  });

  it('with a fixed bucket, "/" is the top of that bucket', async () => {
    const fixed = `${bucket}-fixed`;
    await c.mkdir(`/${fixed}`);
    await put(c, `/${fixed}/inside.txt`, 'in');
    const scoped = await gcsManifest.connect(context(anonymous(info().apiEndpoint, { bucket: fixed })));
    try {
      expect((await scoped.list('/')).map((e) => e.name)).toEqual(['inside.txt']);
      expect((await readAll(scoped, '/inside.txt')).toString()).toBe('in');
    } finally {
      await scoped.close();
      await c.rmdir(`/${fixed}`, { recursive: true });
    }
  });

  it('objects named by other tools with empty or dot segments are left out, not a failed listing', async () => {
    const b = `${bucket}-odd`;
    await c.mkdir(`/${b}`);
    const sdk = new Storage({ apiEndpoint: info().apiEndpoint, projectId: 'ferry-test' });
    for (const name of ['mix/ok.txt', 'mix//double.txt', 'mix/./dot.txt', 'mix/back\\slash.txt']) await sdk.bucket(b).file(name).save('x');
    expect((await c.list(`/${b}/mix`)).map((e) => e.name).sort()).toEqual(['back\\slash.txt', 'ok.txt']);
    await c.rmdir(`/${b}`, { recursive: true });
  });

  it('a bucket name GCS does not accept is INVALID_NAME', async () => {
    await expectCode(() => c.mkdir('/Not_A_Valid_Bucket'), 'INVALID_NAME');
  });

  it('without credentials, a project or a bucket must be given (INVALID_INPUT at once)', async () => {
    await expectCode(() => gcsManifest.connect(context({ auth: 'none', apiEndpoint: info().apiEndpoint })), 'INVALID_INPUT');
  });

  it('a fixed bucket that does not exist fails at connect with NOT_FOUND', async () => {
    await expectCode(() => gcsManifest.connect(context(anonymous(info().apiEndpoint, { bucket: `${bucket}-missing` }))), 'NOT_FOUND');
  });
});

/** A private stand-in that records requests, to see which upload protocol the connector used. */
describe('gcs: uploads', () => {
  let emu: GcsEmulator;
  let c: Connector;
  const bucket = 'uploads';
  const uploadsOf = (type: string) => emu.requests.filter((r) => r.method === 'POST' && r.url.includes(`uploadType=${type}`) && !r.url.includes('upload_id='));

  beforeAll(async () => {
    emu = await startGcsEmulator({ record: true });
    c = await gcsManifest.connect(context(anonymous(emu.url, { resumableThresholdMiB: 8, chunkSizeMiB: 1 })));
    await c.mkdir(`/${bucket}`);
  });
  afterAll(async () => {
    await c?.close();
    await emu?.close();
  });

  it('a file above the threshold goes through a resumable session in chunks, and arrives whole', async () => {
    const data = randomData(9 * MiB + 12345);
    emu.requests.length = 0;
    const result = await put(c, `/${bucket}/big.bin`, data);
    expect(uploadsOf('resumable')).toHaveLength(1);
    expect(uploadsOf('multipart')).toHaveLength(0);
    const chunks = emu.requests.filter((r) => r.url.includes('upload_id='));
    expect(chunks.length).toBe(10); // 1 MiB chunks
    expect(chunks.slice(0, -1).every((r) => r.status === 308)).toBe(true);
    expect(chunks[chunks.length - 1]).toMatchObject({ status: 200, contentRange: `bytes ${9 * MiB}-${data.length - 1}/${data.length}` });
    expect(result).toEqual({ size: data.length, hashes: { md5: hashOf('md5', data), crc32c: hashOf('crc32c', data) } });
    expect(createHash('sha256').update(await readAll(c, `/${bucket}/big.bin`)).digest('hex')).toBe(hashOf('sha256', data));
  });

  it('a small file goes in one multipart request, also when its size is not declared (empty included)', async () => {
    emu.requests.length = 0;
    await put(c, `/${bucket}/small.txt`, 'small');
    expect((await c.write(`/${bucket}/unsized.txt`, streamOf('no size given'))).size).toBe(13);
    expect((await c.write(`/${bucket}/unsized-empty.txt`, streamOf(''))).size).toBe(0);
    expect(uploadsOf('multipart')).toHaveLength(3);
    expect(uploadsOf('resumable')).toHaveLength(0);
    expect((await c.stat(`/${bucket}/unsized-empty.txt`)).size).toBe(0);
  });

  it('a source that ends before its declared size fails with CONFLICT and stores nothing', async () => {
    const short = streamOf(randomData(100_000));
    await expectCode(() => c.write(`/${bucket}/short.bin`, short, { size: 9 * MiB }), 'CONFLICT');
    await expectCode(() => c.stat(`/${bucket}/short.bin`), 'NOT_FOUND');
  });

  it('a resumable upload is invisible until its last chunk, and a cancelled one leaves nothing', async () => {
    for (const outcome of ['complete', 'cancel'] as const) {
      const path = `/${bucket}/growing-${outcome}.bin`;
      const src = new PassThrough();
      const abort = new AbortController();
      const first = randomData(8 * MiB); // at the resumable threshold
      const rest = randomData(MiB);
      emu.requests.length = 0;
      const writing = c.write(path, src, { size: first.length + rest.length, signal: abort.signal });
      writing.catch(() => {});
      src.write(first);
      // Wait until the stand-in has persisted at least one chunk of this session.
      for (let i = 0; i < 200 && !emu.requests.some((r) => r.status === 308); i++) await new Promise((r) => setTimeout(r, 25));
      expect(emu.requests.some((r) => r.status === 308)).toBe(true);
      await expectCode(() => c.stat(path), 'NOT_FOUND');
      expect((await c.list(`/${bucket}`)).map((e) => e.name)).not.toContain(`growing-${outcome}.bin`);
      if (outcome === 'complete') {
        src.end(rest);
        expect((await writing).size).toBe(first.length + rest.length);
        expect((await c.stat(path)).size).toBe(first.length + rest.length);
      } else {
        abort.abort();
        await expectCode(() => writing, 'CANCELLED');
        await expectCode(() => c.stat(path), 'NOT_FOUND');
      }
    }
  });

  it('bytes stored differently from what was sent: CHECKSUM_MISMATCH, and the object is deleted', async () => {
    for (const [name, size] of [['corrupt-small.bin', 4000], ['corrupt-large.bin', 9 * MiB]] as const) {
      await fetch(`${emu.url}/_emulator/corrupt-next-upload?bucket=${bucket}&name=${encodeURIComponent(name)}`, { method: 'POST' });
      await expectCode(() => put(c, `/${bucket}/${name}`, randomData(size)), 'CHECKSUM_MISMATCH');
      await expectCode(() => c.stat(`/${bucket}/${name}`), 'NOT_FOUND');
    }
  });

  it('the source modification time is kept where rclone and gsutil read it', async () => {
    const when = new Date('2022-05-06T07:08:09.123Z');
    await put(c, `/${bucket}/dated.txt`, 'dated', { modified: when });
    const sdk = new Storage({ apiEndpoint: emu.url, projectId: 'ferry-test' });
    const [md] = await sdk.bucket(bucket).file('dated.txt').getMetadata();
    expect(md.metadata).toMatchObject({ mtime: '2022-05-06T07:08:09.123Z', 'goog-reserved-file-mtime': '1651820889' });
    expect((await c.stat(`/${bucket}/dated.txt`)).modified).toBe(when.toISOString());
    // A copy on the server keeps it.
    await c.copy!(`/${bucket}/dated.txt`, `/${bucket}/dated-copy.txt`);
    expect((await c.stat(`/${bucket}/dated-copy.txt`)).modified).toBe(when.toISOString());
  });

  it('a range reads exactly the bytes asked for (GCS ranges are inclusive, Ferry\'s end is exclusive)', async () => {
    const data = randomData(5000);
    await put(c, `/${bucket}/ranges.bin`, data);
    expect((await readAll(c, `/${bucket}/ranges.bin`, { start: 10, end: 11 })).equals(data.subarray(10, 11))).toBe(true);
    expect((await readAll(c, `/${bucket}/ranges.bin`, { start: 4990 })).equals(data.subarray(4990))).toBe(true);
    expect((await readAll(c, `/${bucket}/ranges.bin`, { start: 5000 })).length).toBe(0);
    expect((await readAll(c, `/${bucket}/ranges.bin`, { start: 7, end: 7 })).length).toBe(0);
    const served = emu.requests.filter((r) => r.url.includes('alt=media'));
    expect(served.some((r) => r.status === 206)).toBe(true);
  });
});

describe('gcs: credentials and connection failures', () => {
  it('service-account-key auth without a stored key is SECRET_REQUIRED', async () => {
    await expectCode(() => gcsManifest.connect(context({ auth: 'service-account-key', apiEndpoint: info().apiEndpoint })), 'SECRET_REQUIRED');
  });

  it('a pasted key that is not a service account key is INVALID_INPUT, and its content is never quoted', async () => {
    const secretish = '{"type":"authorized_user","client_secret":"do-not-print-me","refresh_token":"nor-me"}';
    for (const key of [secretish, 'not json at all: do-not-print-me']) {
      let message = '';
      await expectCode(async () => {
        try {
          await gcsManifest.connect(context({ auth: 'service-account-key', apiEndpoint: info().apiEndpoint }, { serviceAccountKey: key }));
        } catch (e) {
          message = JSON.stringify({ m: (e as Error).message, d: (e as { detail?: unknown }).detail });
          throw e;
        }
      }, 'INVALID_INPUT');
      expect(message).not.toContain('do-not-print-me');
      expect(message).not.toContain('nor-me');
    }
  });

  it('nothing listening at the endpoint is CONNECTION_REFUSED at connect', async () => {
    const port = await freePort();
    await expectCode(() => gcsManifest.connect(context(anonymous(`http://127.0.0.1:${port}`))), 'CONNECTION_REFUSED');
  });

  it('a read stream reports a missing file as NOT_FOUND when consumed', async () => {
    const c = await gcsManifest.connect(context(anonymous(info().apiEndpoint)));
    try {
      await c.mkdir('/ferry-read-missing');
      await expectCode(async () => collect(await c.read('/ferry-read-missing/nope.bin')), 'NOT_FOUND');
    } finally {
      await c.rmdir('/ferry-read-missing', { recursive: true });
      await c.close();
    }
  });
});
