import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { FerryError } from '../../errors';
import { listPages } from './list';
import { folderPrefix, pathOf } from './paths';
import type { S3Session } from './session';

/** DeleteObjects takes at most 1,000 keys per request. */
const DELETE_BATCH = 1000;

/**
 * A folder on S3 is a prefix. mkdir writes the zero-byte "name/" marker object the AWS console makes, so
 * an empty folder shows; at the top level (no fixed bucket) it creates a bucket. Parents need nothing:
 * a marker's prefixes are folders already.
 */
export async function mkdir(s: S3Session, path: string): Promise<void> {
  const { bucket, key } = s.locate(path);
  if (!bucket) return;
  if (key === '') {
    if (s.cfg.bucket) return;
    await createBucket(s, bucket, path);
    return;
  }
  if (await s.head(bucket, key, path)) throw new FerryError('ALREADY_EXISTS', `A file has this name: ${path}`, { detail: { path } });
  try {
    await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: folderPrefix(key), Body: new Uint8Array(0), ContentLength: 0 }));
  } catch (e) {
    throw s.fail(e, path);
  }
}

async function createBucket(s: S3Session, bucket: string, path: string): Promise<void> {
  // AWS wants the region named unless it is us-east-1; other services take their own (or none).
  const region = s.cfg.provider === 'aws' && s.cfg.region && s.cfg.region !== 'us-east-1' ? s.cfg.region : undefined;
  try {
    await s.client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
      }),
    );
  } catch (e) {
    if ((e as { name?: string }).name === 'BucketAlreadyOwnedByYou') return;
    throw s.fail(e, path);
  }
}

/**
 * Removes a folder: its marker when nothing else is under it; NOT_EMPTY otherwise unless `recursive`, which
 * deletes every key under the prefix in batches of 1,000. At the top level (no fixed bucket) it deletes the bucket.
 */
export async function rmdir(s: S3Session, path: string, recursive: boolean): Promise<void> {
  const { bucket, key } = s.locate(path);
  if (!bucket || (key === '' && s.cfg.bucket)) {
    throw new FerryError('PERMISSION_DENIED', 'The top folder of this connection cannot be removed', { detail: { path } });
  }
  const prefix = folderPrefix(key);
  const firstKeys = await keysUnder(s, bucket, prefix, path, 2);
  if (key === '') {
    if (firstKeys.length > 0 && !recursive) throw new FerryError('NOT_EMPTY', `Bucket not empty: ${path}`, { detail: { path } });
    if (firstKeys.length > 0) await deleteAllUnder(s, bucket, '', path);
    try {
      await s.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (e) {
      throw s.fail(e, path);
    }
    return;
  }
  if (firstKeys.length === 0) {
    if (await s.head(bucket, key, path)) throw new FerryError('NOT_A_DIRECTORY', `Not a folder: ${path}`, { detail: { path } });
    throw new FerryError('NOT_FOUND', `Not found: ${path}`, { detail: { path } });
  }
  if (firstKeys.length === 1 && firstKeys[0] === prefix) {
    try {
      await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix }));
    } catch (e) {
      throw s.fail(e, path);
    }
    return;
  }
  if (!recursive) throw new FerryError('NOT_EMPTY', `Folder not empty: ${path}`, { detail: { path } });
  await deleteAllUnder(s, bucket, prefix, path);
}

/** The first `limit` keys under a prefix (no delimiter: every depth). */
async function keysUnder(s: S3Session, bucket: string, prefix: string, path: string, limit: number): Promise<string[]> {
  try {
    for await (const page of listPages(s.client, { bucket, prefix, pageSize: limit, version: s.cfg.listVersion })) {
      return page.objects.map((o) => o.key);
    }
    return [];
  } catch (e) {
    throw s.fail(e, path);
  }
}

/** Deletes every key under a prefix, one DeleteObjects request per listing page. */
export async function deleteAllUnder(s: S3Session, bucket: string, prefix: string, path: string): Promise<void> {
  try {
    for await (const page of listPages(s.client, { bucket, prefix, pageSize: DELETE_BATCH, version: s.cfg.listVersion })) {
      await deleteKeys(s, bucket, page.objects.map((o) => o.key), path);
    }
  } catch (e) {
    throw s.fail(e, path);
  }
}

export async function deleteKeys(s: S3Session, bucket: string, keys: string[], path: string): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    const r = await s.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    const failed = r.Errors?.[0];
    if (failed) {
      throw s.fail({ name: failed.Code, message: failed.Message }, failed.Key ? pathOf(bucket, failed.Key, s.cfg.bucket) : path);
    }
  }
}
