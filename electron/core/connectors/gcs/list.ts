import type { File, FileMetadata } from '@google-cloud/storage';
import type { Entry } from '../../../../shared/connectors';
import { joinPath } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import { folderPrefix } from './location';
import { dirEntry, fileEntry } from './metadata';
import type { GcsSession } from './session';

/**
 * Listings. A folder is a prefix: one level is objects.list with delimiter "/" (sub-folders come back as
 * `prefixes`), followed through every nextPageToken. A folder made by mkdir also has a zero-byte marker
 * object "dir/" that is not an entry of its own listing.
 */

export interface Page {
  files: File[];
  prefixes: string[];
}

/** Every page of objects.list for `prefix` (one level with a delimiter, the whole tree without). */
export async function* objectPages(
  s: GcsSession, bucket: string, query: { prefix: string; delimiter?: string; maxResults?: number }, signal?: AbortSignal,
): AsyncGenerator<Page> {
  let pageToken: string | undefined;
  do {
    if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
    const [files, next, response] = (await s.storage.bucket(bucket).getFiles({ ...query, autoPaginate: false, pageToken })) as unknown as [
      File[],
      { pageToken?: string } | null,
      { prefixes?: string[] } | undefined,
    ];
    yield { files, prefixes: response?.prefixes ?? [] };
    pageToken = next?.pageToken;
  } while (pageToken);
}

export async function listBuckets(s: GcsSession, signal?: AbortSignal): Promise<Entry[]> {
  if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
  try {
    const [buckets] = await s.storage.getBuckets({ autoPaginate: true });
    return buckets.map((b) => dirEntry(`/${b.name}`, b.name));
  } catch (e) {
    throw s.fail(e, '/');
  }
}

/** Entries of one folder; `path` is the Ferry path of `key` in `bucket`. */
export async function listFolder(s: GcsSession, path: string, bucket: string, key: string, signal?: AbortSignal): Promise<Entry[]> {
  const prefix = folderPrefix(key);
  const entries: Entry[] = [];
  let marker = false;
  try {
    for await (const page of objectPages(s, bucket, { prefix, delimiter: '/' }, signal)) {
      for (const p of page.prefixes) addEntry(s, entries, path, p.slice(prefix.length, -1), null);
      for (const f of page.files) {
        if (f.name === prefix) marker = true;
        else addEntry(s, entries, path, f.name.slice(prefix.length), f.metadata);
      }
    }
  } catch (e) {
    throw s.fail(e, path);
  }
  if (entries.length === 0 && !marker && key) {
    if (await objectExists(s, bucket, key, path)) throw new FerryError('NOT_A_DIRECTORY', `Not a folder: ${path}`, { detail: { path } });
    throw new FerryError('NOT_FOUND', `Not found: ${path} on ${s.host}`, { detail: { path, host: s.host } });
  }
  return entries;
}

/**
 * Names Ferry cannot address as a path segment ("a//b", "a/./b", "a/../b" written by other tools) are left
 * out. Other odd names (a backslash, "C:") are listed: the engine refuses them where they would be unsafe.
 */
function addEntry(s: GcsSession, entries: Entry[], dir: string, name: string, md: FileMetadata | null): void {
  if (name === '' || name === '.' || name === '..') {
    s.log.warn('GCS object name left out of the listing: it cannot be a path segment', { folder: dir, name });
    return;
  }
  const path = joinPath(dir, name);
  entries.push(md ? fileEntry(path, name, md) : dirEntry(path, name));
}

export async function objectExists(s: GcsSession, bucket: string, key: string, path: string): Promise<boolean> {
  try {
    const [exists] = await s.storage.bucket(bucket).file(key).exists();
    return exists;
  } catch (e) {
    throw s.fail(e, path);
  }
}

/** A folder exists when any object (content or marker) has its name under "key/". */
export async function folderExists(s: GcsSession, bucket: string, key: string, path: string): Promise<boolean> {
  try {
    const [files] = await s.storage.bucket(bucket).getFiles({ prefix: folderPrefix(key), maxResults: 1, autoPaginate: false });
    return files.length > 0;
  } catch (e) {
    throw s.fail(e, path);
  }
}
