import { FerryError } from '../../errors';
import { hasAnythingUnder, headBlob } from './list';
import { FOLDER_METADATA, folderPrefix, isFolderMetadata, markerName, type Location } from './location';
import type { AzureSession } from './session';

/** Deletes at once: enough to keep a large tree's removal short, few enough to stay clear of throttling. */
export const DELETE_PARALLEL = 16;

/**
 * Creates a folder: a container at the account's top level, else a zero-byte "name/" marker blob with
 * metadata hdi_isfolder=true (what Azure Storage Explorer writes), which keeps an empty folder visible.
 * Parents need nothing (a prefix exists once anything is under it), except a missing container, which is
 * created.
 */
export async function makeFolder(s: AzureSession, path: string): Promise<void> {
  const loc = s.locate(path);
  if (loc.container === null || (loc.key === '' && s.fixedContainer)) return;
  if (loc.key === '') return createContainer(s, loc);
  const props = await headBlob(s, loc);
  if (props && !isFolderMetadata(props.metadata)) {
    throw new FerryError('ALREADY_EXISTS', `A file already exists at ${loc.path}`, { detail: { path: loc.path } });
  }
  if (props) return; // an ADLS Gen2 style folder blob is already a folder
  const marker = () => s.blockBlob(loc, markerName(loc.key)).upload('', 0, { metadata: { ...FOLDER_METADATA } });
  try {
    await marker();
  } catch (e) {
    const mapped = s.fail(e, loc.path);
    if (mapped.detail?.azureCode !== 'ContainerNotFound' || s.fixedContainer) throw mapped;
    await createContainer(s, loc);
    await s.call(loc.path, marker);
  }
}

async function createContainer(s: AzureSession, loc: Location): Promise<void> {
  try {
    await s.container(loc).create();
  } catch (e) {
    const mapped = s.fail(e, loc.path);
    if (mapped.code !== 'ALREADY_EXISTS') throw mapped;
  }
}

/** Deletes one blob (with its snapshots). NOT_FOUND, or IS_A_DIRECTORY when the path is a folder. */
export async function removeFile(s: AzureSession, path: string): Promise<void> {
  const loc = s.locate(path);
  if (loc.container === null || loc.key === '') throw isAFolder(loc);
  try {
    await s.blob(loc).delete({ deleteSnapshots: 'include' });
  } catch (e) {
    const mapped = s.fail(e, loc.path);
    if (mapped.code === 'NOT_FOUND' && (await hasAnythingUnder(s, loc).catch(() => false))) throw isAFolder(loc);
    throw mapped;
  }
}

/**
 * Deletes a folder: a container as a whole (Azure deletes its blobs), else every blob under the prefix
 * (markers included), DELETE_PARALLEL at a time. NOT_EMPTY when anything but the folder's own marker is
 * inside and `recursive` is not set.
 */
export async function removeFolder(s: AzureSession, path: string, recursive: boolean): Promise<void> {
  const loc = s.locate(path);
  if (loc.container === null || (loc.key === '' && s.fixedContainer)) {
    throw new FerryError('INVALID_INPUT', `Ferry does not remove the top level of the storage account (${loc.path})`, { detail: { path: loc.path } });
  }
  if (loc.key === '') {
    if (!recursive && (await hasAnythingUnder(s, loc))) throw notEmpty(loc);
    await s.call(loc.path, () => s.container(loc).delete());
    return;
  }
  const prefix = folderPrefix(loc.key);
  const names = await blobsUnder(s, loc, recursive ? Infinity : 2);
  const folderBlob = await headBlob(s, loc);
  if (folderBlob && !isFolderMetadata(folderBlob.metadata)) {
    if (names.length === 0) throw new FerryError('NOT_A_DIRECTORY', `Not a folder: ${loc.path}`, { detail: { path: loc.path } });
  } else if (folderBlob) {
    names.push(loc.key); // an ADLS Gen2 style folder blob goes with its folder
  }
  if (names.length === 0) throw new FerryError('NOT_FOUND', `Folder not found: ${loc.path}`, { detail: { path: loc.path } });
  if (!recursive && names.some((n) => n !== prefix && n !== loc.key)) throw notEmpty(loc);
  await deleteBlobs(s, loc, names);
}

/** Names of the blobs under a folder's prefix (at most `limit`), every page. */
export async function blobsUnder(s: AzureSession, loc: Location, limit = Infinity): Promise<string[]> {
  const names: string[] = [];
  await s.call(loc.path, async () => {
    for await (const page of s.container(loc).listBlobsFlat({ prefix: folderPrefix(loc.key) }).byPage({ maxPageSize: s.listPageSize })) {
      for (const b of page.segment.blobItems) {
        names.push(b.name);
        if (names.length >= limit) return;
      }
    }
  });
  return names;
}

/** Deletes blobs of one container, a few at a time; one already gone is fine. */
export async function deleteBlobs(s: AzureSession, loc: Location, names: string[]): Promise<void> {
  await inParallel(names, DELETE_PARALLEL, async (name) => {
    try {
      await s.blob(loc, name).delete({ deleteSnapshots: 'include' });
    } catch (e) {
      const mapped = s.fail(e, loc.path);
      if (mapped.code !== 'NOT_FOUND') throw mapped;
    }
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; the first failure stops new work and is thrown. */
export async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

function isAFolder(loc: Location): FerryError {
  return new FerryError('IS_A_DIRECTORY', `Is a folder: ${loc.path}`, { detail: { path: loc.path } });
}

function notEmpty(loc: Location): FerryError {
  return new FerryError('NOT_EMPTY', `Folder not empty: ${loc.path}`, { detail: { path: loc.path } });
}
