import { Readable } from 'node:stream';
import type { HashType } from '../../../../shared/connectors';
import { FerryError } from '../../errors';
import type { ReadOptions } from '../types';
import { hasAnythingUnder, headBlob } from './list';
import { isFolderMetadata, type Location } from './location';
import { md5Hex, type AzureSession } from './session';

/** Downloads a blob, or the byte range [start, end) of it (Azure's Range header: offset + count). */
export async function readBlob(s: AzureSession, path: string, opts: ReadOptions = {}): Promise<Readable> {
  const loc = s.locate(path);
  if (loc.container === null || loc.key === '') throw isAFolder(loc);
  const start = opts.start ?? 0;
  if (opts.end !== undefined && opts.end <= start) {
    await requireFile(s, loc);
    return Readable.from([]);
  }
  let body: NodeJS.ReadableStream | undefined;
  try {
    const res = await s.blob(loc).download(start, opts.end !== undefined ? opts.end - start : undefined, {
      abortSignal: opts.signal,
      // The SDK resumes a broken download from the last byte received, this many times.
      maxRetryRequests: 5,
    });
    body = res.readableStreamBody;
    if (isFolderMetadata(res.metadata)) {
      (body as Readable | undefined)?.destroy();
      throw isAFolder(loc);
    }
  } catch (e) {
    const mapped = s.fail(e, loc.path);
    if (mapped.code === 'NOT_FOUND' && (await hasAnythingUnder(s, loc).catch(() => false))) throw isAFolder(loc);
    // A start at or past the end of the file: there is nothing to read there.
    if (mapped.detail?.azureCode === 'InvalidRange') return Readable.from([]);
    throw mapped;
  }
  if (!body) return Readable.from([]);
  return Readable.from(mapStreamErrors(s, loc.path, body));
}

/** Errors in the middle of a download (a reset connection) become FerryErrors too. */
async function* mapStreamErrors(s: AzureSession, path: string, body: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (e) {
    throw s.fail(e, path);
  }
}

/** The Content-MD5 the service holds for the blob (lowercase hex), or null when it has none. */
export async function blobHash(s: AzureSession, path: string, type: HashType): Promise<string | null> {
  const loc = s.locate(path);
  const props = await requireFile(s, loc);
  return type === 'md5' ? (md5Hex(props.contentMD5) ?? null) : null;
}

/** The blob's properties when it is a file; IS_A_DIRECTORY for a folder, NOT_FOUND when absent. */
export async function requireFile(s: AzureSession, loc: Location) {
  if (loc.container === null || loc.key === '') throw isAFolder(loc);
  const props = await headBlob(s, loc);
  if (props && !isFolderMetadata(props.metadata)) return props;
  if (props || (await hasAnythingUnder(s, loc))) throw isAFolder(loc);
  throw new FerryError('NOT_FOUND', `Not found: ${loc.path}`, { detail: { path: loc.path } });
}

function isAFolder(loc: Location): FerryError {
  return new FerryError('IS_A_DIRECTORY', `Is a folder: ${loc.path}`, { detail: { path: loc.path } });
}
