import { FerryError, isFerryError } from '../../errors';
import { folderExists, objectExists, objectPages } from './list';
import { folderPrefix, type Location } from './location';
import { inParallel } from './parallel';
import type { GcsSession } from './session';

/**
 * Folders on GCS. At the top level (no fixed bucket) a folder is a bucket: mkdir creates it, rmdir deletes
 * it. Below, a folder is a prefix; mkdir writes a zero-byte marker object "dir/" (only when nothing is
 * there yet) so an empty folder stays visible, and rmdir deletes the marker, or the whole prefix when
 * recursive. Missing parents need nothing: on an object store they exist as soon as something is under them.
 */

/** Requests at once when deleting (or moving) many objects. */
export const REQUESTS_IN_FLIGHT = 16;

export async function makeFolder(s: GcsSession, path: string, loc: Location): Promise<void> {
  if (loc.bucket === null) return;
  if (!loc.key) {
    if (!s.cfg.bucket) await ensureBucket(s, loc.bucket, path);
    return;
  }
  if (await objectExists(s, loc.bucket, loc.key, path)) {
    throw new FerryError('ALREADY_EXISTS', `A file already has this name: ${path}`, { detail: { path } });
  }
  try {
    if (await folderExists(s, loc.bucket, loc.key, path)) return;
  } catch (e) {
    // The bucket itself is missing: it is this folder's parent, so create it (as rclone's mkdir does).
    if (!isFerryError(e, 'NOT_FOUND') || s.cfg.bucket) throw e;
    await ensureBucket(s, loc.bucket, `/${loc.bucket}`);
  }
  const marker = s.storage.bucket(loc.bucket).file(folderPrefix(loc.key));
  const save = () => marker.save('', { resumable: false, validation: false, preconditionOpts: { ifGenerationMatch: 0 } });
  try {
    await save();
  } catch (e) {
    const err = s.fail(e, path);
    if (err.code === 'CONFLICT') return; // someone made the marker meanwhile: the folder exists
    if (err.code !== 'NOT_FOUND' || s.cfg.bucket) throw err;
    // The bucket went away between the check and the write: make it again.
    await ensureBucket(s, loc.bucket, `/${loc.bucket}`);
    await save().catch((e2: unknown) => {
      const err2 = s.fail(e2, path);
      if (err2.code !== 'CONFLICT') throw err2;
    });
  }
}

async function ensureBucket(s: GcsSession, name: string, path: string): Promise<void> {
  const bucket = s.storage.bucket(name);
  try {
    await bucket.getMetadata();
    return;
  } catch (e) {
    const err = s.fail(e, path);
    if (err.code !== 'NOT_FOUND') throw err;
  }
  try {
    await s.storage.createBucket(name);
  } catch (e) {
    const err = s.fail(e, path);
    if (err.code !== 'ALREADY_EXISTS') throw err;
    // 409: made meanwhile (by us: fine) or the name is taken by another project (not ours to use).
    try {
      await bucket.getMetadata();
    } catch {
      throw new FerryError('ALREADY_EXISTS', `The bucket name "${name}" is taken (bucket names are global across Google Cloud)`, {
        detail: { path },
      });
    }
  }
}

export async function removeFolder(s: GcsSession, path: string, loc: Location, recursive: boolean): Promise<void> {
  if (loc.bucket === null || (!loc.key && s.cfg.bucket)) {
    throw new FerryError('INVALID_INPUT', `Ferry does not delete the top of the storage (${path})`, { detail: { path } });
  }
  const bucket = loc.bucket;
  const prefix = folderPrefix(loc.key);
  const names: string[] = [];
  try {
    for await (const page of objectPages(s, bucket, { prefix, maxResults: recursive ? undefined : 2 })) {
      names.push(...page.files.map((f) => f.name));
      if (!recursive) break;
    }
  } catch (e) {
    throw s.fail(e, path);
  }
  if (!recursive && names.some((n) => n !== prefix)) {
    throw new FerryError('NOT_EMPTY', `Folder not empty: ${path}`, { detail: { path } });
  }
  if (loc.key && names.length === 0) {
    if (await objectExists(s, bucket, loc.key, path)) throw new FerryError('NOT_A_DIRECTORY', `Not a folder: ${path}`, { detail: { path } });
    throw new FerryError('NOT_FOUND', `Not found: ${path} on ${s.host}`, { detail: { path, host: s.host } });
  }
  // The marker goes last, so a purge that stops half-way still shows the folder.
  await deleteAll(s, bucket, names.filter((n) => n !== prefix), path);
  if (names.includes(prefix)) await deleteAll(s, bucket, [prefix], path);
  if (!loc.key) {
    try {
      await s.storage.bucket(bucket).delete();
    } catch (e) {
      throw s.fail(e, path);
    }
  }
}

/** Deletes objects, several requests at once (the JSON API has no multi-object delete); gone already is fine. */
export async function deleteAll(s: GcsSession, bucket: string, names: string[], path: string): Promise<void> {
  const b = s.storage.bucket(bucket);
  await inParallel(names, REQUESTS_IN_FLIGHT, async (name) => {
    try {
      await b.file(name).delete();
    } catch (e) {
      const err = s.fail(e, path);
      if (!isFerryError(err, 'NOT_FOUND')) throw err;
    }
  });
}
