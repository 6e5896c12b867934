import { isInside } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import { REQUESTS_IN_FLIGHT, deleteAll } from './folders';
import { folderExists, objectExists, objectPages } from './list';
import { folderPrefix, type Location } from './location';
import { inParallel } from './parallel';
import type { GcsSession } from './session';

/**
 * Server-side copy (objects.rewrite: the bytes never leave Google, metadata and so Ferry's mtime come
 * along; the SDK follows rewrite tokens for large objects) and rename, which GCS does not have: a file is
 * copied then deleted; a folder is every object under it copied, then the originals deleted. Not atomic: an
 * interrupted folder move leaves objects in both places, never a lost one (deletes start after every copy).
 */

type ObjectLoc = { bucket: string; key: string };

export async function copyFile(s: GcsSession, from: string, src: ObjectLoc, to: string, dst: ObjectLoc): Promise<void> {
  try {
    await s.storage.bucket(src.bucket).file(src.key).copy(s.storage.bucket(dst.bucket).file(dst.key));
  } catch (e) {
    const err = s.fail(e, from);
    if (err.code !== 'NOT_FOUND') throw err;
    if (await objectExists(s, src.bucket, src.key, from)) throw s.fail(e, to); // the destination bucket is missing
    if (await folderExists(s, src.bucket, src.key, from)) {
      throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${from}`, { detail: { path: from } });
    }
    throw err;
  }
}

export async function rename(s: GcsSession, from: string, src: Location, to: string, dst: Location): Promise<void> {
  if (src.bucket === null || !src.key) throw new FerryError('UNSUPPORTED', `Google Cloud Storage cannot rename a bucket: ${from}`, { detail: { path: from } });
  if (dst.bucket === null || !dst.key) throw new FerryError('INVALID_INPUT', `Cannot move onto a bucket or the top: ${to}`, { detail: { path: to } });
  if (from === to) return;
  const source = { bucket: src.bucket, key: src.key };
  const target = { bucket: dst.bucket, key: dst.key };
  if (await objectExists(s, source.bucket, source.key, from)) {
    await copyFile(s, from, source, to, target);
    try {
      await s.storage.bucket(source.bucket).file(source.key).delete();
    } catch (e) {
      throw s.fail(e, from);
    }
    return;
  }
  if (isInside(from, to)) throw new FerryError('INVALID_INPUT', `Cannot move a folder into itself: ${from} → ${to}`, { detail: { path: to } });
  const fromPrefix = folderPrefix(source.key);
  const toPrefix = folderPrefix(target.key);
  const moved: string[] = [];
  const bucketFrom = s.storage.bucket(source.bucket);
  const bucketTo = s.storage.bucket(target.bucket);
  try {
    for await (const page of objectPages(s, source.bucket, { prefix: fromPrefix })) {
      const names = page.files.map((f) => f.name);
      await inParallel(names, REQUESTS_IN_FLIGHT, (name) => bucketFrom.file(name).copy(bucketTo.file(toPrefix + name.slice(fromPrefix.length))));
      moved.push(...names);
    }
  } catch (e) {
    throw s.fail(e, from);
  }
  if (moved.length === 0) throw new FerryError('NOT_FOUND', `Not found: ${from} on ${s.host}`, { detail: { path: from, host: s.host } });
  await deleteAll(s, source.bucket, moved, from);
}
