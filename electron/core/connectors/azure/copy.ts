import { isInside } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import { blobsUnder, deleteBlobs, inParallel } from './folders';
import { headBlob } from './list';
import { folderPrefix, isFolderMetadata, type Location } from './location';
import { requireFile } from './read';
import type { AzureSession } from './session';

/** Copies at once during a folder rename (each is one server-side request). */
const COPY_PARALLEL = 8;

/**
 * Server-side copy inside the account (Copy Blob: the service reads the source, nothing passes through
 * Ferry). Content, Content-MD5 and metadata (Ferry's stored mtime) travel with it. NOT_FOUND, IS_A_DIRECTORY.
 */
export async function copyFile(s: AzureSession, from: string, to: string): Promise<void> {
  const src = s.locate(from);
  const dst = writableLocation(s, to);
  await requireFile(s, src);
  await copyBlob(s, src, src.key, dst, dst.key);
}

/**
 * Rename as copy + delete, since Azure Blob (without a hierarchical namespace) has no rename. A folder's
 * blobs are all copied before any is deleted, so an interruption leaves the source whole (and perhaps a
 * partial copy at the destination), never a half-moved folder with the rest lost. Not atomic.
 */
export async function renamePath(s: AzureSession, from: string, to: string): Promise<void> {
  const src = s.locate(from);
  if (src.container === null || src.key === '') {
    throw new FerryError('UNSUPPORTED', `Azure cannot rename a container (${src.path}); copy its content instead`, { detail: { path: src.path } });
  }
  const dst = writableLocation(s, to);
  if (src.path === dst.path) return;
  const props = await headBlob(s, src);
  if (props && !isFolderMetadata(props.metadata)) {
    await copyBlob(s, src, src.key, dst, dst.key);
    await deleteBlobs(s, src, [src.key]);
    return;
  }
  if (isInside(src.path, dst.path)) {
    throw new FerryError('INVALID_INPUT', `Cannot move the folder ${src.path} into itself (${dst.path})`, { detail: { path: src.path } });
  }
  const names = await blobsUnder(s, src);
  if (props) names.push(src.key); // an ADLS Gen2 style folder blob
  if (names.length === 0) throw new FerryError('NOT_FOUND', `Not found: ${src.path}`, { detail: { path: src.path } });
  const srcPrefix = folderPrefix(src.key);
  const dstPrefix = folderPrefix(dst.key);
  const target = (name: string) => (name === src.key ? dst.key : dstPrefix + name.slice(srcPrefix.length));
  await inParallel(names, COPY_PARALLEL, (name) => copyBlob(s, src, name, dst, target(name)));
  await deleteBlobs(s, src, names);
}

async function copyBlob(s: AzureSession, src: Location, srcKey: string, dst: Location, dstKey: string): Promise<void> {
  // With a SAS the source URL carries the token, so the service can read the source; with a shared key
  // the copy is authorized as a same-account copy.
  const sourceUrl = s.blob(src, srcKey).url;
  await s.call(dst.path, async () => {
    const poller = await s.blob(dst, dstKey).beginCopyFromURL(sourceUrl, { intervalInMs: 500 });
    const result = await poller.pollUntilDone();
    if (result.copyStatus !== 'success') {
      throw new FerryError('INTERNAL', `The server-side copy to ${dst.path} ended as "${result.copyStatus ?? 'unknown'}"`, { detail: { path: dst.path } });
    }
  });
}

/** A destination that can hold a file: inside a container. */
function writableLocation(s: AzureSession, path: string): Location {
  const loc = s.locate(path);
  if (loc.container === null || loc.key === '') {
    throw new FerryError('INVALID_NAME', `A file cannot be stored at ${loc.path}: the top level holds containers`, { detail: { path: loc.path } });
  }
  return loc;
}
