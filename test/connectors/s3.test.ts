import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '../conformance/suite';
import { collect, expectCode, put, randomData, readAll, streamOf } from '../conformance/helpers';
import { s3Manifest } from '../../electron/core/connectors/s3';
import type { Connector, ConnectContext } from '../../electron/core/connectors/types';
import { FerryError } from '../../electron/core/errors';
import type { OptionValues } from '../../shared/profiles';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';
import { freePort } from '../support/ports';
import { createBucket, startS3Proxy, testClient, type ProxiedRequest, type S3ServerInfo } from '../servers/s3';
import { formatMtime, parseMtime } from '../../electron/core/connectors/s3/mtime';
import { resolveConfig } from '../../electron/core/connectors/s3/options';
import { md5Of } from '../../electron/core/connectors/s3/session';
import { partSizeFor } from '../../electron/core/connectors/s3/write';

const info = () => {
  const s = server<S3ServerInfo>('s3');
  if (!s) throw new Error('the s3 test server (s3rver) did not start');
  return s;
};

/** A connect context as the core builds it: options from the profile, secrets from the keychain. */
function context(options: OptionValues, secrets: Record<string, string> = {}, log: string[] = []): ConnectContext {
  return {
    profile: { id: 'test-s3', name: 's3rver', options },
    secret: async (name) => secrets[name],
    trust: undefined as unknown as ConnectContext['trust'],
    log: {
      debug: (m, f) => void log.push(`${m} ${JSON.stringify(f ?? {})}`),
      info: (m, f) => void log.push(`${m} ${JSON.stringify(f ?? {})}`),
      warn: (m, f) => void log.push(`${m} ${JSON.stringify(f ?? {})}`),
    },
  };
}

/** The options of a profile for s3rver with its key pair; `extra` adds or overrides options. */
function profile(extra: OptionValues = {}, endpoint = info().endpoint): OptionValues {
  return { provider: 'other', endpoint, region: 'us-east-1', auth: 'keys', accessKeyId: info().accessKeyId, ...extra };
}

function connect(extra: OptionValues = {}, secrets: Record<string, string> = { secretAccessKey: info().secretAccessKey }, endpoint?: string) {
  return s3Manifest.connect(context(profile(extra, endpoint), secrets));
}

const LIST_PAGE = 50;
const exemptions = {
  'modTime: set on write':
    'list() reports S3 LastModified (the upload time, one listing request per 1,000 keys); the source mtime Ferry stores in ' +
    'X-Amz-Meta-Mtime needs a HEAD per object, so only stat() reports it (s3.test.ts checks write + stat)',
};

describeConformance('s3', async () => {
  await createBucket(info(), 'conformance');
  return {
    connect: () => connect({ listPageSize: LIST_PAGE }),
    root: '/conformance',
    capabilities: s3Manifest.capabilities,
    pageSize: LIST_PAGE,
    exemptions,
  };
});

describe('s3 connector', () => {
  const BUCKET = 'specific';
  let c: Connector;
  let n = 0;
  const s3 = () => testClient(info());
  /** A fresh folder path "/specific/t-N" (nothing created). */
  const fresh = () => `/${BUCKET}/t-${++n}`;

  beforeAll(async () => {
    await createBucket(info(), BUCKET);
    c = await connect();
  });
  afterAll(async () => {
    await c?.close();
  });

  it('shows buckets as top-level folders; mkdir and rmdir at the top create and delete buckets', async () => {
    const entries = await c.list('/');
    expect(entries).toContainEqual(expect.objectContaining({ name: BUCKET, path: `/${BUCKET}`, type: 'dir' }));
    await c.mkdir('/made-by-ferry');
    await s3().send(new HeadBucketCommand({ Bucket: 'made-by-ferry' }));
    expect(await c.stat('/made-by-ferry')).toMatchObject({ type: 'dir', name: 'made-by-ferry' });
    await put(c, '/made-by-ferry/inside.txt', 'in');
    await expectCode(() => c.rmdir('/made-by-ferry'), 'NOT_EMPTY');
    await c.rmdir('/made-by-ferry', { recursive: true });
    expect((await c.list('/')).map((e) => e.name)).not.toContain('made-by-ferry');
    await expectCode(() => c.stat('/made-by-ferry'), 'NOT_FOUND');
    await expectCode(() => c.list('/no-such-bucket-here'), 'NOT_FOUND');
    await expectCode(() => c.mkdir('/Not_A_Valid_Bucket'), 'INVALID_NAME');
  });

  it('maps "/bucket/a/b.csv" to key "a/b.csv"', async () => {
    const dir = fresh();
    await put(c, `${dir}/a/b.csv`, 'x,y\n');
    const r = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: `${dir.split('/')[2]}/a/b.csv` }));
    expect(await r.Body!.transformToString()).toBe('x,y\n');
  });

  it('mkdir makes the zero-byte "name/" marker the consoles make; rmdir removes it', async () => {
    const dir = fresh();
    const key = `${dir.split('/')[2]}/marked`;
    await c.mkdir(`${dir}/marked`);
    const head = await s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${key}/` }));
    expect(head.ContentLength).toBe(0);
    expect(await c.list(`${dir}/marked`)).toEqual([]);
    await c.rmdir(`${dir}/marked`);
    const left = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${key}/` }));
    expect(left.KeyCount ?? 0).toBe(0);
  });

  it('sees a folder that only exists as keys under a prefix (no marker), as other tools make them', async () => {
    const dir = fresh();
    const top = dir.split('/')[2];
    await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: `${top}/implicit/deep/file.txt`, Body: 'f' }));
    expect(await c.stat(`${dir}/implicit`)).toMatchObject({ type: 'dir' });
    expect((await c.list(`${dir}/implicit`)).map((e) => [e.name, e.type])).toEqual([['deep', 'dir']]);
    await expectCode(() => c.rmdir(`${dir}/implicit`), 'NOT_EMPTY');
    await expectCode(() => c.remove(`${dir}/implicit`), 'IS_A_DIRECTORY');
    await expectCode(() => readAll(c, `${dir}/implicit`), 'IS_A_DIRECTORY');
  });

  it('works with one fixed bucket as "/" and pages with ListObjects v1 (markers) when told to', async () => {
    await createBucket(info(), 'fixed-one');
    const fixed = await connect({ bucket: 'fixed-one', listVersion: '1', listPageSize: 7 });
    try {
      const names = Array.from({ length: 23 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`);
      for (const name of names) await put(fixed, `/v1/${name}`, name);
      for (const d of ['d1', 'd2', 'd3']) await fixed.mkdir(`/v1/${d}`);
      const entries = await fixed.list('/v1');
      expect(entries.map((e) => e.name).sort()).toEqual([...names, 'd1', 'd2', 'd3'].sort());
      expect(entries.find((e) => e.name === 'd2')).toMatchObject({ type: 'dir', path: '/v1/d2' });
      expect((await fixed.list('/')).map((e) => e.name)).toContain('v1');
      const head = await s3().send(new HeadObjectCommand({ Bucket: 'fixed-one', Key: 'v1/f05.txt' }));
      expect(head.ContentLength).toBe(7);
      await fixed.rmdir('/v1', { recursive: true });
      expect(await fixed.list('/')).toEqual([]);
      await expectCode(() => fixed.rmdir('/'), 'PERMISSION_DENIED');
    } finally {
      await fixed.close();
    }
  });

  it('fails at connect when the fixed bucket does not exist', async () => {
    await expectCode(() => connect({ bucket: 'never-created' }), 'NOT_FOUND');
  });

  it('a wrong secret is AUTH_FAILED and the message does not contain it', async () => {
    // s3rver does not check SigV4 signatures; the proxy checks them as AWS does.
    const proxy = await startS3Proxy(info().endpoint, { secretAccessKey: info().secretAccessKey });
    try {
      const wrong = 'wrong-secret-0f1e2d3c4b5a';
      let error: unknown;
      try {
        await connect({}, { secretAccessKey: wrong }, proxy.endpoint);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FerryError);
      expect((error as FerryError).code).toBe('AUTH_FAILED');
      expect((error as FerryError).message).not.toContain(wrong);
      expect(JSON.stringify((error as FerryError).toData())).not.toContain(wrong);
      // The right secret gets through the same check.
      await (await connect({}, undefined, proxy.endpoint)).close();
    } finally {
      await proxy.stop();
    }
    // An access key id the server does not know (s3rver checks that itself).
    await expectCode(() => connect({ accessKeyId: 'NOBODY' }), 'AUTH_FAILED');
    await expectCode(() => connect({}, {}), 'SECRET_REQUIRED');
  });

  it('an endpoint where nothing listens is CONNECTION_REFUSED; an unknown host is HOST_NOT_FOUND', async () => {
    const port = await freePort();
    await expectCode(() => connect({}, undefined, `http://127.0.0.1:${port}`), 'CONNECTION_REFUSED');
    await expectCode(() => connect({}, undefined, 'http://ferry-no-such-host.invalid:9000'), 'HOST_NOT_FOUND');
  });

  it('sends Content-MD5 with DeleteObjects (MinIO and Ceph refuse a batch delete without it)', async () => {
    const proxy = await startS3Proxy(info().endpoint);
    const via = await connect({}, undefined, proxy.endpoint);
    try {
      const dir = fresh();
      for (const name of ['a.txt', 'b.txt', 'sub/c.txt']) await put(via, `${dir}/tree/${name}`, name);
      await via.rmdir(`${dir}/tree`, { recursive: true });
      const batch = proxy.requests.filter((r) => r.method === 'POST' && /[?&]delete(=|&|$)/.test(r.url));
      expect(batch.length).toBeGreaterThan(0);
      for (const b of batch) expect(b.headers['content-md5']).toBe(b.bodyMd5);
      await expectCode(() => via.stat(`${dir}/tree`), 'NOT_FOUND');
    } finally {
      await via.close();
      await proxy.stop();
    }
  });

  it('keeps the source mtime in X-Amz-Meta-Mtime (rclone format); stat, setModTime and copy keep it', async () => {
    const dir = fresh();
    const when = new Date('2021-03-04T05:06:07.891Z');
    await put(c, `${dir}/dated.txt`, 'dated', { modified: when });
    const head = await s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${dir.split('/')[2]}/dated.txt` }));
    expect(head.Metadata?.mtime).toBe('1614834367.891000000');
    expect((await c.stat(`${dir}/dated.txt`)).modified).toBe(when.toISOString());
    const later = new Date('2022-01-02T03:04:05.006Z');
    await c.setModTime!(`${dir}/dated.txt`, later);
    expect((await c.stat(`${dir}/dated.txt`)).modified).toBe(later.toISOString());
    expect((await readAll(c, `${dir}/dated.txt`)).toString()).toBe('dated');
    await c.copy!(`${dir}/dated.txt`, `${dir}/copy.txt`);
    expect((await c.stat(`${dir}/copy.txt`)).modified).toBe(later.toISOString());
  });

  it('reads and writes mtimes that rclone (the reference tool) understands', async () => {
    const dir = fresh();
    const remote = `x:${BUCKET}/${dir.split('/')[2]}`;
    // rclone's S3 backend via environment config; its Go SDK would read AWS_CA_BUNDLE, which this machine sets.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      RCLONE_CONFIG_X_TYPE: 's3',
      RCLONE_CONFIG_X_PROVIDER: 'Other',
      RCLONE_CONFIG_X_ENDPOINT: info().endpoint,
      RCLONE_CONFIG_X_ACCESS_KEY_ID: info().accessKeyId,
      RCLONE_CONFIG_X_SECRET_ACCESS_KEY: info().secretAccessKey,
      RCLONE_CONFIG_X_FORCE_PATH_STYLE: 'true',
      RCLONE_CONFIG: '/dev/null',
    };
    delete env.AWS_CA_BUNDLE;
    const rclone = (...args: string[]) => execFileSync('rclone', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    await put(c, `${dir}/f.txt`, 'hello', { modified: new Date('2021-03-04T05:06:07.891Z') });
    expect(rclone('lsl', remote)).toContain('2021-03-04 05:06:07.891000000 f.txt');
    rclone('touch', '-t', '2020-01-02T03:04:05', `${remote}/f.txt`);
    expect((await c.stat(`${dir}/f.txt`)).modified).toBe('2020-01-02T03:04:05.000Z');
  });

  it('copies and renames keys with URL-special characters on the server', async () => {
    const dir = fresh();
    const names = ['a+b c.txt', 'x=y&z.txt', 'Übersicht €.csv', '100% sure.txt'];
    for (const name of names) {
      await put(c, `${dir}/${name}`, name);
      await c.copy!(`${dir}/${name}`, `${dir}/copied/${name}`);
      expect((await readAll(c, `${dir}/copied/${name}`)).toString()).toBe(name);
    }
    await c.rename!(`${dir}/copied`, `${dir}/moved`);
    expect((await c.list(`${dir}/moved`)).map((e) => e.name).sort()).toEqual([...names].sort());
    await expectCode(() => c.stat(`${dir}/copied`), 'NOT_FOUND');
  });

  it('reports the MD5 from a single-part ETag as hash and in stat', async () => {
    const dir = fresh();
    const data = randomData(10_000);
    const md5 = createHash('md5').update(data).digest('hex');
    const result = await put(c, `${dir}/h.bin`, data);
    expect(result.hashes?.md5).toBe(md5);
    expect(await c.hash!(`${dir}/h.bin`, 'md5')).toBe(md5);
    expect(await c.hash!(`${dir}/h.bin`, 'sha256')).toBeNull();
    expect((await c.stat(`${dir}/h.bin`)).hashes?.md5).toBe(md5);
  });

  it('lists single-part MD5s (no HEAD per file to verify a download), except where an ETag may not be one (AWS)', async () => {
    const dir = fresh();
    const data = randomData(10_000);
    await put(c, `${dir}/listed.bin`, data);
    const listed = (await c.list(dir)).find((e) => e.name === 'listed.bin');
    expect(listed?.hashes?.md5).toBe(createHash('md5').update(data).digest('hex'));
    // As AWS, the same server's listing gives no MD5: with SSE-KMS an ETag looks like one but is not.
    const aws = await connect({ provider: 'aws' });
    try {
      expect((await aws.list(dir)).find((e) => e.name === 'listed.bin')?.hashes).toBeUndefined();
    } finally {
      await aws.close();
    }
  });
});

describe('s3 credentials from ~/.aws files and the default chain', () => {
  const saved: Record<string, string | undefined> = {};
  const home = tempDir('ferry-aws-');
  const setEnv = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (!(k in saved)) saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      delete saved[k];
    }
  });
  afterAll(() => home.cleanup());

  function awsFiles(credentials: string, config: string) {
    const credentialsFile = join(home.path, `credentials-${Math.random().toString(36).slice(2)}`);
    const configFile = join(home.path, `config-${Math.random().toString(36).slice(2)}`);
    writeFileSync(credentialsFile, credentials);
    writeFileSync(configFile, config);
    setEnv({
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_CONFIG_FILE: configFile,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: undefined,
    });
  }

  it('reads a named profile from a credentials file', async () => {
    await createBucket(info(), 'creds');
    awsFiles(`[ferry-test]\naws_access_key_id = ${info().accessKeyId}\naws_secret_access_key = ${info().secretAccessKey}\n`, '');
    const c = await s3Manifest.connect(context({ provider: 'other', endpoint: info().endpoint, auth: 'profile', awsProfile: 'ferry-test' }));
    try {
      await put(c, '/creds/from-profile.txt', 'ok');
      expect((await readAll(c, '/creds/from-profile.txt')).toString()).toBe('ok');
    } finally {
      await c.close();
    }
  });

  it('runs credential_process from the config file', async () => {
    const script = join(home.path, 'creds.sh');
    writeFileSync(
      script,
      `#!/bin/sh\necho '{"Version": 1, "AccessKeyId": "${info().accessKeyId}", "SecretAccessKey": "${info().secretAccessKey}"}'\n`,
    );
    chmodSync(script, 0o755);
    awsFiles('', `[profile from-process]\ncredential_process = ${script}\nregion = us-east-1\n`);
    const c = await s3Manifest.connect(context({ provider: 'other', endpoint: info().endpoint, auth: 'profile', awsProfile: 'from-process' }));
    try {
      expect((await c.list('/')).map((e) => e.name)).toContain('creds');
    } finally {
      await c.close();
    }
  });

  it('an unknown profile is AUTH_FAILED naming the profile problem', async () => {
    awsFiles('[other]\naws_access_key_id = A\naws_secret_access_key = B\n', '');
    let error: unknown;
    try {
      await s3Manifest.connect(context({ provider: 'other', endpoint: info().endpoint, auth: 'profile', awsProfile: 'missing-profile' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('AUTH_FAILED');
    expect((error as FerryError).message).toMatch(/missing-profile/);
  });

  it('AWS with a named profile and no region anywhere is INVALID_INPUT asking for one', async () => {
    awsFiles(`[ferry-test]\naws_access_key_id = A\naws_secret_access_key = B\n`, '');
    setEnv({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
    await expectCode(() => s3Manifest.connect(context({ provider: 'aws', auth: 'profile', awsProfile: 'ferry-test' })), 'INVALID_INPUT');
  });

  it('takes keys from the environment through the default chain', async () => {
    awsFiles('', '');
    setEnv({ AWS_ACCESS_KEY_ID: info().accessKeyId, AWS_SECRET_ACCESS_KEY: info().secretAccessKey });
    const c = await s3Manifest.connect(context({ provider: 'other', endpoint: info().endpoint, auth: 'default-chain' }));
    try {
      expect((await c.list('/')).map((e) => e.name)).toContain('creds');
    } finally {
      await c.close();
    }
  });
});

describe('s3 multipart uploads and ETag verification', () => {
  const MiB = 1024 * 1024;
  const BUCKET = 'multipart';
  beforeAll(() => createBucket(info(), BUCKET));

  it('uploads above the part size in parallel parts; the content is right and no MD5 is claimed for an AWS multipart ETag', async () => {
    const proxy = await startS3Proxy(info().endpoint, { awsMultipartEtags: true });
    const c = await connect({ partSizeMiB: 5, uploadConcurrency: 3 }, undefined, proxy.endpoint);
    try {
      const data = randomData(12 * MiB + 123);
      const result = await c.write(`/${BUCKET}/big.bin`, streamOf(data), { size: data.length });
      expect(result.size).toBe(data.length);
      // An AWS multipart ETag proves the parts but is no MD5 of the file: Ferry does not pass its own MD5 off as the server's.
      expect(result.hashes?.md5).toBeUndefined();
      // Three parts of 5, 5 and 2 MiB went up, and the server (AWS-style) answered a "-3" ETag that matched.
      expect(proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('partNumber=')).length).toBe(3);
      expect(proxy.completedEtags[0]).toMatch(/^"[0-9a-f]{32}-3"$/);
      expect((await collect(await c.read(`/${BUCKET}/big.bin`))).equals(data)).toBe(true);
      // An S3 multipart ETag is not an MD5: hash() must say "none" rather than a wrong value.
      // (s3rver itself stores the whole MD5; through the AWS-style proxy HEAD still answers it, so only the write path is AWS-like.)
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('a part corrupted on the way is caught (multipart ETag differs) and the object is deleted', async () => {
    const proxy = await startS3Proxy(info().endpoint, { awsMultipartEtags: true, corrupt: (r) => r.url.includes('partNumber=2') });
    const c = await connect({ partSizeMiB: 5 }, undefined, proxy.endpoint);
    try {
      const data = randomData(11 * MiB);
      await expectCode(() => c.write(`/${BUCKET}/corrupt-multi.bin`, streamOf(data), { size: data.length }), 'CHECKSUM_MISMATCH');
      await expectCode(() => c.stat(`/${BUCKET}/corrupt-multi.bin`), 'NOT_FOUND');
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('a multipart upload to a server answering the whole MD5 (s3rver) reports that MD5, so a corrupted part shows', async () => {
    const proxy = await startS3Proxy(info().endpoint, { corrupt: (r) => r.url.includes('partNumber=1') });
    const c = await connect({ partSizeMiB: 5 }, undefined, proxy.endpoint);
    try {
      const data = randomData(6 * MiB);
      // The MD5 is the server's, of what it stored (the engine compares it with its own MD5 of the stream).
      const result = await c.write(`/${BUCKET}/corrupt-whole.bin`, streamOf(data), { size: data.length });
      const stored = await collect(await c.read(`/${BUCKET}/corrupt-whole.bin`));
      expect(stored.equals(data)).toBe(false);
      expect(result.hashes?.md5).toBe(createHash('md5').update(stored).digest('hex'));
      expect(result.hashes?.md5).not.toBe(createHash('md5').update(data).digest('hex'));
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('an upload is invisible until it completes; cancelling it aborts the multipart upload and leaves nothing', async () => {
    const proxy = await startS3Proxy(info().endpoint);
    const c = await connect({ partSizeMiB: 5 }, undefined, proxy.endpoint);
    const path = `/${BUCKET}/cancelled.bin`;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* source() {
      yield randomData(6 * MiB);
      await gate; // the rest never comes until the test says so
      yield randomData(MiB);
    }
    try {
      const abort = new AbortController();
      const writing = c.write(path, Readable.from(source(), { objectMode: false }), { signal: abort.signal });
      writing.catch(() => {}); // awaited below
      await waitFor(() => proxy.requests.some((r) => r.method === 'PUT' && r.url.includes('partNumber=1')));
      await expectCode(() => c.stat(path), 'NOT_FOUND');
      abort.abort();
      await expectCode(() => writing, 'CANCELLED');
      await waitFor(() => proxy.requests.some((r) => r.method === 'DELETE' && r.url.includes('uploadId=')));
      await expectCode(() => c.stat(path), 'NOT_FOUND');
    } finally {
      release();
      await c.close();
      await proxy.stop();
    }
  });

  it('a source that fails mid-upload fails the write with its own error and leaves nothing', async () => {
    const c = await connect({ partSizeMiB: 5 });
    async function* source() {
      yield randomData(7 * MiB);
      throw new FerryError('CONNECTION_LOST', 'Connection lost: the source server');
    }
    try {
      await expectCode(() => c.write(`/${BUCKET}/broken.bin`, Readable.from(source(), { objectMode: false })), 'CONNECTION_LOST');
      await expectCode(() => c.stat(`/${BUCKET}/broken.bin`), 'NOT_FOUND');
    } finally {
      await c.close();
    }
  });

  it('uploads with no extra requests, signed without hashing the body again (UNSIGNED-PAYLOAD next to a signed Content-MD5) as AWS accepts', async () => {
    const proxy = await startS3Proxy(info().endpoint, { secretAccessKey: info().secretAccessKey });
    const c = await connect({ partSizeMiB: 5 }, undefined, proxy.endpoint);
    try {
      const data = randomData(11 * MiB);
      const before = proxy.requests.length;
      await c.write(`/${BUCKET}/unsigned.bin`, streamOf(data), { size: data.length });
      await put(c, `/${BUCKET}/unsigned.txt`, 'small');
      // Nothing but the uploads themselves (no HEAD or listing per file), and before a multipart upload one
      // look for unfinished uploads of that key a killed writer left (GET ?uploads), to abort them.
      expect(proxy.requests.slice(before).map((r) => r.method)).toEqual(['GET', 'POST', 'PUT', 'PUT', 'PUT', 'POST', 'PUT']);
      expect(proxy.requests[before].url).toContain('uploads');
      const uploads = proxy.requests.filter((r) => r.method === 'PUT');
      expect(uploads.length).toBe(4); // three parts and one single PUT
      for (const r of uploads) {
        expect(r.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
        expect(r.headers['content-md5']).toBe(r.bodyMd5);
        expect(String(r.headers.authorization)).toMatch(/SignedHeaders=[^,]*content-md5/);
      }
      expect((await collect(await c.read(`/${BUCKET}/unsigned.bin`))).equals(data)).toBe(true);
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('a single-part upload corrupted on the way is caught (s3rver ignores Content-MD5, Ferry does not)', async () => {
    const proxy = await startS3Proxy(info().endpoint, { corrupt: (r) => r.method === 'PUT' && r.url.includes('single.txt') });
    const c = await connect({}, undefined, proxy.endpoint);
    try {
      let error: unknown;
      try {
        await put(c, `/${BUCKET}/single.txt`, 'the bytes Ferry sent');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FerryError);
      expect((error as FerryError).code).toBe('CHECKSUM_MISMATCH');
      expect((error as FerryError).message).toContain(`/${BUCKET}/single.txt`);
      await expectCode(() => c.stat(`/${BUCKET}/single.txt`), 'NOT_FOUND');
    } finally {
      await c.close();
      await proxy.stop();
    }
  });
});

describe('s3 downloads as plain signed GETs (no SDK command per object)', () => {
  const BUCKET = 'signed-get';
  const SECRET = () => info().secretAccessKey;
  const objectGets = (requests: ProxiedRequest[]) => requests.filter((r) => r.method === 'GET' && !r.url.includes('?'));

  beforeAll(async () => {
    await createBucket(info(), BUCKET);
  });

  it('a ranged read through a SigV4-checking proxy returns exactly the asked bytes, the range sent as end - 1', async () => {
    const proxy = await startS3Proxy(info().endpoint, { secretAccessKey: SECRET() });
    const c = await connect({}, undefined, proxy.endpoint);
    try {
      const data = randomData(300_000);
      await c.write(`/${BUCKET}/ranged.bin`, streamOf(data), { size: data.length });
      const before = proxy.requests.length;
      expect((await readAll(c, `/${BUCKET}/ranged.bin`, { start: 1000, end: 201_000 })).equals(data.subarray(1000, 201_000))).toBe(true);
      expect((await readAll(c, `/${BUCKET}/ranged.bin`, { start: 299_990 })).equals(data.subarray(299_990))).toBe(true);
      expect((await readAll(c, `/${BUCKET}/ranged.bin`)).equals(data)).toBe(true);
      const gets = objectGets(proxy.requests.slice(before));
      expect(gets.map((r) => r.headers.range)).toEqual(['bytes=1000-200999', 'bytes=299990-', undefined]);
      // Every GET was answered by s3rver, not refused by the signature check.
      expect(gets.length).toBe(3);
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('keys with URL-special and unicode characters are signed as sent and read back', async () => {
    const proxy = await startS3Proxy(info().endpoint, { secretAccessKey: SECRET() });
    const c = await connect({}, undefined, proxy.endpoint);
    try {
      const names = ['with spaces.txt', 'a+b.txt', 'why?.txt', '#hash.txt', '100% sure.txt', 'literal%20space.txt', "it's (1)*!.txt", 'Übersicht €.csv', '数据/深 层.csv'];
      for (const name of names) await put(c, `/${BUCKET}/hostile/${name}`, `content of ${name}`);
      for (const name of names) expect((await readAll(c, `/${BUCKET}/hostile/${name}`)).toString()).toBe(`content of ${name}`);
      await expectCode(() => readAll(c, `/${BUCKET}/hostile/missing?.txt`), 'NOT_FOUND');
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('signs the session token of temporary credentials into each GET', async () => {
    const proxy = await startS3Proxy(info().endpoint, { secretAccessKey: SECRET() });
    const token = 'session-token-for-the-test';
    const c = await connect({}, { secretAccessKey: SECRET(), sessionToken: token }, proxy.endpoint);
    try {
      await put(c, `/${BUCKET}/temporary.txt`, 'temporary');
      const before = proxy.requests.length;
      expect((await readAll(c, `/${BUCKET}/temporary.txt`, { start: 4 })).toString()).toBe('orary');
      const [get] = objectGets(proxy.requests.slice(before));
      expect(get.headers['x-amz-security-token']).toBe(token);
      expect(String(get.headers.authorization)).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('a GET signed with a wrong secret is AUTH_FAILED naming the file, without the secret', async () => {
    await put(await connect(), `/${BUCKET}/guarded.txt`, 'guarded');
    // Only object GETs are checked, so the connect (a listing) gets through with the wrong secret.
    const proxy = await startS3Proxy(info().endpoint, { secretAccessKey: SECRET(), checkOnly: (r) => r.method === 'GET' && !r.url.includes('?') });
    const wrong = 'wrong-secret-9a8b7c6d5e4f';
    const c = await connect({}, { secretAccessKey: wrong }, proxy.endpoint);
    try {
      let error: unknown;
      try {
        await readAll(c, `/${BUCKET}/guarded.txt`, { start: 1, end: 3 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FerryError);
      expect((error as FerryError).code).toBe('AUTH_FAILED');
      expect((error as FerryError).message).toContain(`/${BUCKET}/guarded.txt`);
      expect((error as FerryError).message).toMatch(/rejected the access key or secret/);
      expect(JSON.stringify((error as FerryError).toData())).not.toContain(wrong);
      // Not retried: a refused signature is final.
      expect(objectGets(proxy.requests).length).toBe(1);
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('a read cancelled through its signal fails with CANCELLED, before or while the body streams', async () => {
    const c = await connect();
    try {
      const data = randomData(4 * 1024 * 1024);
      await c.write(`/${BUCKET}/cancel.bin`, streamOf(data), { size: data.length });
      const early = new AbortController();
      early.abort();
      await expectCode(() => c.read(`/${BUCKET}/cancel.bin`, { signal: early.signal }), 'CANCELLED');
      const late = new AbortController();
      const body = await c.read(`/${BUCKET}/cancel.bin`, { signal: late.signal });
      await new Promise<void>((resolve) => body.once('data', () => resolve()));
      late.abort();
      await expectCode(() => collect(body), 'CANCELLED');
    } finally {
      await c.close();
    }
  });
});

/** Polls `cond` until true (at most 10 s): for facts another part of the system brings about. */
async function waitFor(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('s3 pure parts: ETag meaning, mtime format, part size, provider presets', () => {
  it('vouches for an MD5 only where S3 ETags are one, and reads rclone\'s md5chksum', () => {
    const md5 = '9e107d9d372bb6826bd81d3542a419d6';
    expect(md5Of({ ETag: `"${md5}"`, $metadata: {} })).toBe(md5);
    expect(md5Of({ ETag: `"${md5}-3"`, $metadata: {} })).toBeNull();
    expect(md5Of({ ETag: `"${md5}"`, ServerSideEncryption: 'aws:kms', $metadata: {} })).toBeNull();
    expect(md5Of({ ETag: `"${md5}"`, SSECustomerAlgorithm: 'AES256', $metadata: {} })).toBeNull();
    const b64 = Buffer.from(md5, 'hex').toString('base64');
    expect(md5Of({ ETag: '"0123-2"', Metadata: { md5chksum: b64 }, $metadata: {} })).toBe(md5);
  });

  it('writes and reads mtimes in rclone\'s format', () => {
    const d = new Date('2021-03-04T05:06:07.891Z');
    expect(formatMtime(d)).toBe('1614834367.891000000');
    expect(parseMtime('1614834367.891000000')?.toISOString()).toBe(d.toISOString());
    expect(parseMtime('1614834367')?.toISOString()).toBe('2021-03-04T05:06:07.000Z');
    expect(parseMtime('yesterday')).toBeNull();
  });

  it('raises the part size so a known size fits in 10,000 parts', () => {
    const MiB = 1024 * 1024;
    expect(partSizeFor(8 * MiB, 1024 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(8 * MiB, undefined)).toBe(8 * MiB);
    expect(partSizeFor(8 * MiB, 100 * 1024 * MiB)).toBe(11 * MiB);
  });

  it("fills provider defaults; the profile's own values win", () => {
    const keys = { auth: 'keys', accessKeyId: 'AK' };
    expect(resolveConfig({ provider: 'aws', ...keys })).toMatchObject({ pathStyle: false, region: 'us-east-1', endpoint: undefined });
    expect(resolveConfig({ provider: 'wasabi', region: 'eu-central-1', ...keys })).toMatchObject({ endpoint: 'https://s3.eu-central-1.wasabisys.com', pathStyle: false });
    expect(resolveConfig({ provider: 'minio', endpoint: 'minio.local:9000', ...keys })).toMatchObject({ endpoint: 'https://minio.local:9000', pathStyle: true });
    expect(resolveConfig({ provider: 'minio', endpoint: 'http://m:9000', pathStyle: false, ...keys }).pathStyle).toBe(false);
    expect(resolveConfig({ provider: 'r2', endpoint: 'https://acc.r2.cloudflarestorage.com', ...keys }).region).toBe('auto');
    expect(() => resolveConfig({ provider: 'r2', ...keys })).toThrow(/endpoint/);
    expect(() => resolveConfig({ provider: 'aws', auth: 'keys' })).toThrow(/access key/);
    expect(() => resolveConfig({ provider: 'aws', partSizeMiB: 4, ...keys })).toThrow(/part size/);
    expect(() => resolveConfig({ provider: 'aws', bucket: 'b/prefix', ...keys })).toThrow(/bucket name only/);
  });
});
