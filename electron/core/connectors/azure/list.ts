import type { BlobGetPropertiesResponse } from '@azure/storage-blob';
import type { Entry } from '../../../../shared/connectors';
import { joinPath } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import { folderPrefix, isFolderMetadata, type Location } from './location';
import { dirEntry, fileEntry, type AzureSession } from './session';

/**
 * A folder's entries: containers at the account's top level, else the blobs and virtual folders directly
 * under the prefix (listBlobsByHierarchy with delimiter '/', every page). The folder's own marker blob is
 * not an entry. An empty result means the folder does not exist, unless a marker or content says otherwise.
 */
export async function listFolder(s: AzureSession, path: string, signal?: AbortSignal): Promise<Entry[]> {
  const loc = s.locate(path);
  if (loc.container === null) return listContainers(s, loc.path, signal);
  const prefix = folderPrefix(loc.key);
  const entries: Entry[] = [];
  const dirs = new Set<string>();
  let exists = loc.key === '';
  try {
    const pages = s.container(loc).listBlobsByHierarchy('/', { prefix, includeMetadata: true, abortSignal: signal }).byPage({ maxPageSize: s.listPageSize });
    for await (const page of pages) {
      for (const p of page.segment.blobPrefixes ?? []) {
        exists = true;
        const name = p.name.slice(prefix.length, -1);
        // "a//b" cannot be addressed by a Ferry path (it normalizes "//" away): leave it out.
        if (name === '' || dirs.has(name)) continue;
        dirs.add(name);
        entries.push(dirEntry(joinPath(loc.path, name)));
      }
      for (const b of page.segment.blobItems) {
        exists = true;
        if (b.name === prefix) continue; // this folder's own marker
        const name = b.name.slice(prefix.length);
        const entryPath = joinPath(loc.path, name);
        if (isFolderMetadata(b.metadata)) {
          // An ADLS Gen2 style folder blob (no trailing slash): a folder, once.
          if (!dirs.has(name)) entries.push(dirEntry(entryPath, b.properties.lastModified));
          dirs.add(name);
        } else {
          entries.push(fileEntry(entryPath, { ...b.properties, metadata: b.metadata }));
        }
      }
    }
  } catch (e) {
    throw s.fail(e, loc.path);
  }
  if (!exists) {
    const props = await headBlob(s, loc);
    if (props && isFolderMetadata(props.metadata)) return [];
    if (props) throw new FerryError('NOT_A_DIRECTORY', `Not a folder: ${loc.path}`, { detail: { path: loc.path } });
    throw new FerryError('NOT_FOUND', `Folder not found: ${loc.path}`, { detail: { path: loc.path } });
  }
  return entries;
}

async function listContainers(s: AzureSession, path: string, signal?: AbortSignal): Promise<Entry[]> {
  const entries: Entry[] = [];
  try {
    for await (const page of s.clients.service.listContainers({ abortSignal: signal }).byPage({ maxPageSize: s.listPageSize })) {
      for (const c of page.containerItems) entries.push(dirEntry(joinPath(path, c.name), c.properties.lastModified));
    }
  } catch (e) {
    throw s.fail(e, path);
  }
  return entries;
}

/** One entry: the account top, a container, a file (blob), or a folder (marker or any blob under it). */
export async function statPath(s: AzureSession, path: string): Promise<Entry> {
  const loc = s.locate(path);
  if (loc.container === null) return dirEntry(loc.path);
  if (loc.key === '') {
    const props = await s.call(loc.path, () => s.container(loc).getProperties());
    return dirEntry(loc.path, props.lastModified);
  }
  const props = await headBlob(s, loc);
  if (props && !isFolderMetadata(props.metadata)) return fileEntry(loc.path, props);
  if (props || (await hasAnythingUnder(s, loc))) return dirEntry(loc.path, props?.lastModified);
  throw new FerryError('NOT_FOUND', `Not found: ${loc.path}`, { detail: { path: loc.path } });
}

/** The blob's properties, or null when there is no blob of that exact name (or no such container). */
export async function headBlob(s: AzureSession, loc: Location, key = loc.key): Promise<BlobGetPropertiesResponse | null> {
  try {
    return await s.blob(loc, key).getProperties();
  } catch (e) {
    const mapped = s.fail(e, loc.path);
    // A missing container too: callers that care (mkdir, list) find out with their next request.
    if (mapped.code === 'NOT_FOUND') return null;
    throw mapped;
  }
}

/** True when any blob (a marker included) lies under the folder's prefix. */
export async function hasAnythingUnder(s: AzureSession, loc: Location): Promise<boolean> {
  return s.call(loc.path, async () => {
    const pages = s.container(loc).listBlobsFlat({ prefix: folderPrefix(loc.key) }).byPage({ maxPageSize: 1 });
    const first = await pages.next();
    return !first.done && first.value.segment.blobItems.length > 0;
  });
}
