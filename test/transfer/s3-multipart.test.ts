import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { s3Manifest } from '../../electron/core/connectors/s3';
import { createBucket, testClient, type S3ServerInfo } from '../servers/s3';
import { server } from '../support/servers';
import { bytes, cleanup, makeHarness, tmp, until, writeTree, type Harness } from './support';

/**
 * Multipart uploads never left behind, against s3rver (with ListMultipartUploads and AbortMultipartUpload
 * added by the test launcher, see test/servers/s3.ts): a cancelled upload is aborted, and one a killed
 * process left is aborted by the next write of that key.
 */
let h: Harness;
let client: S3Client;
let src: string;
const bucket = `ferry-multipart-${process.pid}`;
const MiB = 1024 * 1024;

beforeAll(async () => {
  const info = server<S3ServerInfo>('s3');
  if (!info) throw new Error('the s3 test server (s3rver) did not start');
  await createBucket(info, bucket);
  client = testClient(info);
  const s3 = {
    manifest: s3Manifest,
    options: { provider: 'other', endpoint: info.endpoint, region: info.region, auth: 'keys', accessKeyId: info.accessKeyId, partSizeMiB: 5, uploadConcurrency: 1 },
    secrets: { secretAccessKey: info.secretAccessKey },
  };
  h = makeHarness({ extra: { s3 } });
  src = tmp('ferry-src-');
  writeTree(src, { 'big.bin': bytes(16 * MiB) });
});
afterAll(async () => {
  await h?.close();
  cleanup(h.dir, src);
});

const uploads = async (key: string) => ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }))).Uploads ?? []).map((u) => u.Key);

const upload = (folder: string, bwlimit: number | null = null) =>
  h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'local', paths: [join(src, 'big.bin')] }, destination: { endpoint: 's3', path: `/${bucket}/${folder}` }, conflict: 'overwrite', bwlimit } });

it('a cancelled multipart upload is aborted: no unfinished upload (and no object) is left', async () => {
  const job = await upload('cancelled', 6 * MiB);
  await until(() => h.engine.get(job.id).files[0].bytesDone > 7 * MiB, 20_000, 'two parts sent');
  expect(await uploads('cancelled/big.bin')).toEqual(['cancelled/big.bin']);
  await h.engine.cancel(job.id);
  expect((await h.engine.wait(job.id)).state).toBe('cancelled');
  expect(await uploads('cancelled/big.bin')).toEqual([]);
});

it('an upload a killed writer left unfinished is aborted when the key is written again', async () => {
  const key = 'resumed/big.bin';
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: bytes(5 * MiB) }));
  expect(await uploads(key)).toEqual([key]);
  const job = await upload('resumed');
  expect((await h.engine.wait(job.id)).state).toBe('done');
  expect(await uploads(key)).toEqual([]);
});
