import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlockBlobUploadOptions } from '@azure/storage-blob';
import { FerryError, fromNodeError } from '../../errors';
import type { WriteOptions, WriteResult } from '../types';
import { MTIME_KEY, type AzureSession } from './session';

/** Azure's limit on the blocks of one blob. */
const MAX_BLOCKS = 50_000;
const MiB = 1024 * 1024;

/**
 * Writes a block blob. Content that fits in one block goes up in one Put Blob; larger content is staged
 * as blocks, `uploadConcurrency` at a time, then committed with Put Block List. Nothing is visible under
 * the name until that commit (or the single put) succeeds, so a failed write leaves the old blob intact
 * and no partial file; staged blocks that were never committed are discarded by Azure after a week.
 *
 * Every request carries the MD5 of its bytes (Content-MD5), which the service checks before accepting
 * them; the commit stores the MD5 of the whole content as the blob's Content-MD5 property.
 */
export async function writeBlob(s: AzureSession, path: string, source: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
  const loc = s.locate(path);
  if (loc.container === null || loc.key === '') {
    throw new FerryError('INVALID_NAME', `A file cannot be stored at ${loc.path}: the top level holds containers`, { detail: { path: loc.path } });
  }
  const blob = s.blockBlob(loc);
  const metadata: Record<string, string> = opts.modified ? { [MTIME_KEY]: opts.modified.toISOString() } : {};
  const blockSize = blockSizeFor(s.clients.blockSize, opts.size);
  const blocks = blocksOf(source, blockSize);
  const whole = createHash('md5');

  const first = await nextBlock(blocks, source);
  if (first.last) {
    const md5 = md5Of(first.data);
    // transactionalContentMD5 (the Content-MD5 header) is read by upload() but missing from its options type.
    const options = { blobHTTPHeaders: { blobContentMD5: md5 }, transactionalContentMD5: md5, metadata, abortSignal: opts.signal };
    await s.call(loc.path, () => blob.upload(first.data, first.data.length, options as BlockBlobUploadOptions));
    return { size: first.data.length, hashes: { md5: md5.toString('hex') } };
  }

  const runId = randomBytes(8).toString('hex');
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let size = 0;
  let block = first;
  for (;;) {
    if (ids.length >= MAX_BLOCKS) {
      failure = new FerryError('INVALID_INPUT', `Too large for ${blockSize / MiB} MiB blocks (Azure allows ${MAX_BLOCKS} per file): raise the block size`, { detail: { path: loc.path } });
      break;
    }
    whole.update(block.data);
    size += block.data.length;
    // Block ids must all have the same length; a random run id keeps concurrent writers' blocks apart.
    const id = Buffer.from(`${runId}-${String(ids.length).padStart(6, '0')}`).toString('base64');
    ids.push(id);
    const data = block.data;
    const staged: Promise<void> = blob
      .stageBlock(id, data, data.length, { transactionalContentMD5: md5Of(data), abortSignal: opts.signal })
      .then(() => undefined, (e) => { failure ??= e; })
      .finally(() => inFlight.delete(staged));
    inFlight.add(staged);
    if (inFlight.size >= s.clients.uploadConcurrency) await Promise.race(inFlight);
    if (failure !== undefined || block.last) break;
    try {
      block = await nextBlock(blocks, source);
    } catch (e) {
      await Promise.allSettled(inFlight);
      throw e;
    }
  }
  await Promise.all(inFlight);
  if (failure !== undefined) {
    source.destroy();
    throw s.fail(failure, loc.path);
  }
  const md5 = whole.digest();
  await s.call(loc.path, () => blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentMD5: md5 }, metadata, abortSignal: opts.signal }));
  return { size, hashes: { md5: md5.toString('hex') } };
}

/** The configured block size, raised (in whole MiB) when a file of `size` would need too many blocks. */
function blockSizeFor(configured: number, size: number | undefined): number {
  if (size === undefined || size <= configured * MAX_BLOCKS) return configured;
  return Math.ceil(size / MAX_BLOCKS / MiB) * MiB;
}

interface Block {
  data: Buffer;
  /** No bytes follow this block. */
  last: boolean;
}

/**
 * Cuts a stream into blocks of exactly `size` bytes (the last one shorter). A full block is only handed on
 * once a byte beyond it arrived or the stream ended, so the caller knows whether it is the last one and a
 * file of one block goes up in a single request.
 */
async function* blocksOf(source: Readable, size: number): AsyncGenerator<Block> {
  let parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    parts.push(buf);
    length += buf.length;
    while (length > size) {
      const all = parts.length === 1 ? parts[0] : Buffer.concat(parts, length);
      yield { data: all.subarray(0, size), last: false };
      parts = [all.subarray(size)];
      length -= size;
    }
  }
  yield { data: parts.length === 1 ? parts[0] : Buffer.concat(parts, length), last: true };
}

/** The next block; a failing source is reported as itself (it is not Azure's error). */
async function nextBlock(blocks: AsyncGenerator<Block>, source: Readable): Promise<Block> {
  try {
    const r = await blocks.next();
    if (r.done) throw new FerryError('INTERNAL', 'block reader ended early');
    return r.value;
  } catch (e) {
    source.destroy();
    throw e instanceof FerryError ? e : fromNodeError(e);
  }
}

function md5Of(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}
