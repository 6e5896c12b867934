import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FerryError } from '../../errors';
import type { Logger, WriteOptions, WriteResult } from '../types';
import { StreamHasher, cleanEtag, etagIsContentMd5, isPlainMd5 } from './checksums';
import { MTIME_KEY, formatMtime } from './mtime';

const MiB = 1024 * 1024;
/** S3's limit on parts of one upload. */
const MAX_PARTS = 10_000;

export interface WriteTarget {
  client: S3Client;
  bucket: string;
  key: string;
  /** The Ferry path, for messages. */
  path: string;
  partSize: number;
  concurrency: number;
  log: Logger;
}

/**
 * Uploads `source` as one object. Up to one part's worth is buffered first: a stream that ends within it
 * goes as a single PutObject with Content-MD5 (the server refuses bytes that do not match); a longer one
 * goes as a multipart upload (parts in parallel), which S3 shows under its name only once completed.
 * Either way the ETag the server answers is compared with what Ferry computed of the bytes it streamed.
 */
export async function writeObject(t: WriteTarget, source: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
  const partSize = partSizeFor(t.partSize, opts.size);
  const metadata = opts.modified ? { [MTIME_KEY]: formatMtime(opts.modified) } : undefined;
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  try {
    while (headBytes <= partSize) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      const b = toBuffer(next.value);
      head.push(b);
      headBytes += b.length;
    }
  } catch (e) {
    source.destroy();
    throw e;
  }
  if (ended) return putSingle(t, Buffer.concat(head), metadata, opts.signal);
  return putMultipart(t, partSize, head, chunks, source, metadata, opts.signal);
}

async function putSingle(t: WriteTarget, body: Buffer, metadata: Record<string, string> | undefined, signal?: AbortSignal): Promise<WriteResult> {
  const md5 = createHash('md5').update(body).digest();
  const r = await t.client.send(
    new PutObjectCommand({ Bucket: t.bucket, Key: t.key, Body: body, ContentLength: body.length, ContentMD5: md5.toString('base64'), Metadata: metadata }),
    { abortSignal: signal },
  );
  const md5Hex = md5.toString('hex');
  const etag = cleanEtag(r.ETag);
  if (etag && etagIsContentMd5(r.ServerSideEncryption, r.SSECustomerAlgorithm) && isPlainMd5(etag) && etag !== md5Hex) {
    await mismatch(t, `the server reports MD5 ${etag}, Ferry sent ${md5Hex}`);
  }
  return { size: body.length, hashes: { md5: md5Hex } };
}

async function putMultipart(
  t: WriteTarget,
  partSize: number,
  head: Buffer[],
  rest: AsyncIterator<Buffer | string>,
  source: Readable,
  metadata: Record<string, string> | undefined,
  signal?: AbortSignal,
): Promise<WriteResult> {
  const hasher = new StreamHasher(partSize);
  const abort = new AbortController();
  // A stalled source must not hold the upload open after a cancel or a failed part: waiting for the next
  // chunk also ends when this fires, so lib-storage stops and aborts the multipart upload.
  const stopped = new Promise<never>((_, reject) => {
    abort.signal.addEventListener('abort', () => reject(new FerryError('CANCELLED', 'Cancelled')), { once: true });
  });
  stopped.catch(() => {});
  let sourceError: unknown;
  async function* hashed() {
    for (const b of head) {
      hasher.update(b);
      yield b;
    }
    for (;;) {
      let next: IteratorResult<Buffer | string>;
      try {
        next = await Promise.race([rest.next(), stopped]);
      } catch (e) {
        sourceError ??= e;
        throw e;
      }
      if (next.done) return;
      const b = toBuffer(next.value);
      hasher.update(b);
      yield b;
    }
  }
  const onAbort = () => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) abort.abort();
  const upload = new Upload({
    client: t.client,
    params: { Bucket: t.bucket, Key: t.key, Body: Readable.from(hashed(), { objectMode: false }), Metadata: metadata },
    partSize,
    queueSize: t.concurrency,
    // A failed upload is aborted, so no invisible parts are left behind (and billed).
    leavePartsOnError: false,
    abortController: abort,
  });
  let r: Awaited<ReturnType<Upload['done']>>;
  try {
    r = await upload.done();
  } catch (e) {
    abort.abort();
    source.destroy();
    // The source's own failure says more than what lib-storage ran into while cleaning up after it.
    throw signal?.aborted ? new FerryError('CANCELLED', 'Cancelled') : (sourceError ?? e);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const sums = hasher.finish();
  const etag = cleanEtag(r.ETag);
  // SSE-C uploads would carry SSECustomerAlgorithm; Ferry never sends customer keys, so only KMS matters here.
  if (etag && etagIsContentMd5(r.ServerSideEncryption, undefined)) {
    if (/^[0-9a-f]{32}-\d+$/.test(etag)) {
      if (etag !== sums.multipartEtag) await mismatch(t, `the server reports multipart ETag ${etag}, the ${sums.parts} parts Ferry sent give ${sums.multipartEtag}`);
    } else if (isPlainMd5(etag)) {
      // Some S3-compatible servers (s3rver among them) answer a completed multipart upload with the whole MD5.
      if (etag !== sums.md5) await mismatch(t, `the server reports MD5 ${etag}, Ferry sent ${sums.md5}`);
    } else {
      t.log.warn('S3 answered an ETag Ferry cannot check', { path: t.path, etag });
    }
  }
  return { size: hasher.total, hashes: { md5: sums.md5 } };
}

/** The stored object does not hold what was sent: remove it (as rclone does) rather than leave a corrupt file. */
async function mismatch(t: WriteTarget, what: string): Promise<never> {
  let removed = true;
  try {
    await t.client.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: t.key }));
  } catch {
    removed = false;
  }
  throw new FerryError('CHECKSUM_MISMATCH', `Upload corrupted: ${t.path}: ${what}${removed ? '; the corrupt object was deleted' : ''}`, {
    detail: { path: t.path },
    retryable: true,
  });
}

/** The configured part size, raised in whole MiB when a known size would need more than 10,000 parts. */
export function partSizeFor(configured: number, size: number | undefined): number {
  if (size === undefined || size <= configured * MAX_PARTS) return configured;
  return Math.ceil(size / MAX_PARTS / MiB) * MiB;
}

function toBuffer(chunk: Buffer | string | Uint8Array): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  return typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
