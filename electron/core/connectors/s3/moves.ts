import { CopyObjectCommand, DeleteObjectCommand, type MetadataDirective } from '@aws-sdk/client-s3';
import { isInside } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import { deleteKeys } from './folders';
import { listPages } from './list';
import { MTIME_KEY, formatMtime } from './mtime';
import { copySource, folderPrefix } from './paths';
import type { S3Session } from './session';

/** Copies in flight while moving a folder. */
const PARALLEL_COPIES = 8;

/**
 * Server-side copy of one object (CopyObject keeps its metadata, so the stored mtime travels with it).
 * S3 copies at most 5 GiB in one request; larger objects would need UploadPartCopy, which Ferry does not
 * do: the copy fails with UNSUPPORTED and the engine can read + write instead.
 */
export async function copyFile(s: S3Session, from: string, to: string): Promise<void> {
  const src = s.locate(from);
  const dst = s.locate(to);
  if (!src.bucket || src.key === '') throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${from}`, { detail: { path: from } });
  if (!dst.bucket || dst.key === '') throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${to}`, { detail: { path: to } });
  try {
    await copyObject(s, src.bucket, src.key, dst.bucket, dst.key);
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey') throw await s.missingFile(src.bucket, src.key, from);
    if (name === 'InvalidRequest' || name === 'EntityTooLarge') {
      throw new FerryError('UNSUPPORTED', `Server-side copy refused (S3 copies at most 5 GiB in one request): ${from}`, { detail: { path: from }, cause: e });
    }
    throw s.fail(e, name === 'NoSuchBucket' ? undefined : from);
  }
}

async function copyObject(s: S3Session, bucket: string, key: string, toBucket: string, toKey: string, replace?: Record<string, unknown>) {
  return s.client.send(
    new CopyObjectCommand({
      Bucket: toBucket,
      Key: toKey,
      CopySource: copySource(bucket, key),
      MetadataDirective: (replace ? 'REPLACE' : 'COPY') as MetadataDirective,
      ...replace,
    }),
  );
}

/**
 * S3 has no rename: a file is copied then deleted (as rclone and the consoles do); a folder is every key under
 * it copied, then the originals deleted in batches. Not atomic: an interrupted folder move leaves keys in both
 * places, never a lost one (deletion starts only after every copy succeeded).
 */
export async function rename(s: S3Session, from: string, to: string): Promise<void> {
  const src = s.locate(from);
  const dst = s.locate(to);
  if (!src.bucket || src.key === '') throw new FerryError('UNSUPPORTED', `S3 cannot rename a bucket: ${from}`, { detail: { path: from } });
  if (!dst.bucket || dst.key === '') throw new FerryError('INVALID_INPUT', `Cannot move onto a bucket or the root: ${to}`, { detail: { path: to } });
  if (from === to) return;
  if (await s.head(src.bucket, src.key, from)) {
    await copyFile(s, from, to);
    try {
      await s.client.send(new DeleteObjectCommand({ Bucket: src.bucket, Key: src.key }));
    } catch (e) {
      throw s.fail(e, from);
    }
    return;
  }
  if (isInside(from, to)) throw new FerryError('INVALID_INPUT', `Cannot move a folder into itself: ${from} → ${to}`, { detail: { path: to } });
  const fromPrefix = folderPrefix(src.key);
  const toPrefix = folderPrefix(dst.key);
  const moved: string[] = [];
  try {
    for await (const page of listPages(s.client, { bucket: src.bucket, prefix: fromPrefix, pageSize: 1000, version: s.cfg.listVersion })) {
      const keys = page.objects.map((o) => o.key);
      await inParallel(keys, PARALLEL_COPIES, (key) => copyObject(s, src.bucket!, key, dst.bucket!, toPrefix + key.slice(fromPrefix.length)));
      moved.push(...keys);
    }
  } catch (e) {
    throw s.fail(e, from);
  }
  if (moved.length === 0) throw new FerryError('NOT_FOUND', `Not found: ${from}`, { detail: { path: from } });
  try {
    await deleteKeys(s, src.bucket, moved, from);
  } catch (e) {
    throw s.fail(e, from);
  }
}

/**
 * Sets the stored mtime: S3 metadata cannot be edited in place, so the object is copied onto itself with
 * its metadata replaced (keeping content type and the other headers). Same 5 GiB limit as copy.
 */
export async function setModTime(s: S3Session, path: string, modified: Date): Promise<void> {
  const { bucket, key } = s.locate(path);
  if (!bucket || key === '') throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${path}`, { detail: { path } });
  const h = await s.head(bucket, key, path);
  if (!h) throw await s.missingFile(bucket, key, path);
  try {
    await copyObject(s, bucket, key, bucket, key, {
      Metadata: { ...h.Metadata, [MTIME_KEY]: formatMtime(modified) },
      ContentType: h.ContentType,
      CacheControl: h.CacheControl,
      ContentDisposition: h.ContentDisposition,
      ContentEncoding: h.ContentEncoding,
      ContentLanguage: h.ContentLanguage,
      ...(h.StorageClass ? { StorageClass: h.StorageClass } : {}),
    });
  } catch (e) {
    throw s.fail(e, path);
  }
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
