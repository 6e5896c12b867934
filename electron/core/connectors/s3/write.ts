import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { FerryError } from '../../errors';
import type { Logger, WriteOptions, WriteResult } from '../types';
import { cleanEtag, etagIsContentMd5, isPlainMd5 } from './checksums';
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
 * Uploads `source` as one object. The first part's worth is buffered: a stream that ends within it goes as
 * a single PutObject; a longer one as a multipart upload, which S3 shows under its name only once completed.
 * Every request carries the Content-MD5 of its body, so the server itself refuses bytes damaged on the way;
 * the ETag it answers is compared with those MD5s too, for servers that do not check (s3rver).
 */
export async function writeObject(t: WriteTarget, source: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
  const partSize = partSizeFor(t.partSize, opts.size);
  const metadata = opts.modified ? { [MTIME_KEY]: formatMtime(opts.modified) } : undefined;
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string | Uint8Array>;
  // Fires on a cancel or on the first failure of a part.
  const stop = new AbortController();
  const onCancel = () => stop.abort(new FerryError('CANCELLED', 'Cancelled'));
  if (opts.signal?.aborted) onCancel();
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  try {
    const head: Buffer[] = [];
    let headBytes = 0;
    try {
      while (headBytes <= partSize) {
        const next = await nextUnlessStopped(chunks, stop.signal);
        if (next.done) return await putSingle(t, head.length === 1 ? head[0] : Buffer.concat(head, headBytes), metadata, opts.signal);
        const b = toBuffer(next.value);
        head.push(b);
        headBytes += b.length;
      }
    } catch (e) {
      source.destroy();
      throw e;
    }
    async function* all(): AsyncGenerator<Buffer> {
      yield* head.splice(0);
      for (;;) {
        const next = await nextUnlessStopped(chunks, stop.signal);
        if (next.done) return;
        yield toBuffer(next.value);
      }
    }
    return await putMultipart(t, cutParts(all(), partSize), source, metadata, stop);
  } finally {
    opts.signal?.removeEventListener('abort', onCancel);
  }
}

/**
 * The iterator's next chunk, or the stop's reason as soon as it fires (a stalled source cannot hold an upload
 * open; destroying a generator-backed stream does not end a pending read). The listener is removed each time,
 * so nothing accumulates over a long stream.
 */
function nextUnlessStopped<T>(it: AsyncIterator<T>, stop: AbortSignal): Promise<IteratorResult<T>> {
  if (stop.aborted) return Promise.reject(stop.reason);
  return new Promise((resolve, reject) => {
    const onStop = () => reject(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    it.next().then(resolve, reject).finally(() => stop.removeEventListener('abort', onStop));
  });
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
  // S3 checks Content-MD5 before it stores the object, so this MD5 is one the server vouches for.
  return { size: body.length, hashes: { md5: md5Hex } };
}

/**
 * Parts go up `t.concurrency` at a time, each hashed once (its MD5 is both its Content-MD5 and the input of
 * the multipart ETag check). Memory stays at about (concurrency + 1) parts whatever the file's size: the
 * source is not read further while the queue is full. The first failure stops everything: in-flight parts
 * are aborted, the source is destroyed (a stalled source cannot hold the upload open) and the multipart
 * upload is aborted, so no invisible parts are left behind (and billed).
 */
async function putMultipart(
  t: WriteTarget,
  parts: AsyncGenerator<Buffer>,
  source: Readable,
  metadata: Record<string, string> | undefined,
  stop: AbortController,
): Promise<WriteResult> {
  const fail = (e: unknown) => stop.abort(e);
  let uploadId: string | undefined;
  const digests: Buffer[] = [];
  const etags: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let total = 0;
  try {
    await abortLeftovers(t, stop.signal);
    const created = await t.client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, Metadata: metadata }), {
      abortSignal: stop.signal,
    });
    uploadId = created.UploadId;
    if (!uploadId) throw new FerryError('INTERNAL', `The S3 server started no multipart upload for ${t.path}`, { detail: { path: t.path } });
    const id = uploadId;
    const send = (n: number, body: Buffer) => {
      const md5 = createHash('md5').update(body).digest();
      digests[n - 1] = md5;
      total += body.length;
      const p = t.client
        .send(
          new UploadPartCommand({ Bucket: t.bucket, Key: t.key, UploadId: id, PartNumber: n, Body: body, ContentLength: body.length, ContentMD5: md5.toString('base64') }),
          { abortSignal: stop.signal },
        )
        .then((r) => {
          if (!r.ETag) throw new FerryError('INTERNAL', `The S3 server answered part ${n} of ${t.path} without an ETag`, { detail: { path: t.path } });
          etags[n - 1] = r.ETag;
        })
        .catch(fail)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    let n = 0;
    while (!stop.signal.aborted) {
      // The next part is read while the others go up; it waits for a free slot below.
      let next: IteratorResult<Buffer>;
      try {
        next = await parts.next();
      } catch (e) {
        fail(e);
        break;
      }
      if (next.done) break;
      while (inFlight.size >= t.concurrency && !stop.signal.aborted) await Promise.race(inFlight);
      if (stop.signal.aborted) break;
      if (n === MAX_PARTS) throw new FerryError('INVALID_INPUT', `${t.path} needs more than ${MAX_PARTS} parts: raise the part size`, { detail: { path: t.path } });
      send(++n, next.value);
    }
    await Promise.all(inFlight);
    if (stop.signal.aborted) throw stop.signal.reason;
    const r = await t.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: t.bucket,
        Key: t.key,
        UploadId: id,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
      { abortSignal: stop.signal },
    );
    uploadId = undefined;
    return { size: total, hashes: await checkCompleted(t, cleanEtag(r.ETag), r.ServerSideEncryption, digests) };
  } catch (e) {
    fail(e);
    source.destroy();
    await Promise.allSettled([...inFlight]);
    if (uploadId) {
      await t.client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: uploadId })).catch((err) => {
        t.log.warn('Could not abort an S3 multipart upload; its parts stay until a lifecycle rule removes them', { path: t.path, error: String(err) });
      });
    }
    // The first failure (or the cancel) says more than what the other parts ran into after it.
    throw stop.signal.reason;
  }
}

/**
 * Multipart uploads of this very key that a writer left unfinished (a process killed mid-upload never got to
 * abort its own): aborted before a new one starts, so their invisible parts are not kept (and billed) for
 * ever. Ferry writes one path with one job at a time (its writer lease), so an upload in progress for this key
 * is a dead writer's. A server without ListMultipartUploads is left as it is.
 */
async function abortLeftovers(t: WriteTarget, signal: AbortSignal): Promise<void> {
  let uploads: Array<{ Key?: string; UploadId?: string }>;
  try {
    uploads = (await t.client.send(new ListMultipartUploadsCommand({ Bucket: t.bucket, Prefix: t.key }), { abortSignal: signal })).Uploads ?? [];
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    t.log.debug('Could not list unfinished multipart uploads', { path: t.path, error: String(e) });
    return;
  }
  for (const u of uploads) {
    if (u.Key !== t.key || !u.UploadId) continue;
    await t.client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: u.UploadId }), { abortSignal: signal }).then(
      () => t.log.info('Aborted an unfinished multipart upload left by an earlier writer', { path: t.path, uploadId: u.UploadId }),
      (e) => t.log.warn('Could not abort an unfinished multipart upload', { path: t.path, uploadId: u.UploadId, error: String(e) }),
    );
  }
}

/**
 * Compares the completed object's ETag with the parts' MD5s, and returns the whole-object MD5 only when the
 * server reported one (the engine compares it with its own MD5 of the stream). AWS answers MD5(part MD5s)-N,
 * which proves every part but is no MD5 of the file; s3rver and some others answer the whole MD5.
 */
async function checkCompleted(t: WriteTarget, etag: string | undefined, sse: string | undefined, digests: Buffer[]): Promise<WriteResult['hashes']> {
  // SSE-C uploads would carry SSECustomerAlgorithm; Ferry never sends customer keys, so only KMS matters here.
  if (!etag || !etagIsContentMd5(sse, undefined)) return undefined;
  if (/^[0-9a-f]{32}-\d+$/.test(etag)) {
    const expected = `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
    if (etag !== expected) await mismatch(t, `the server reports multipart ETag ${etag}, the ${digests.length} parts Ferry sent give ${expected}`);
    return undefined;
  }
  if (isPlainMd5(etag)) return { md5: etag };
  t.log.warn('S3 answered an ETag Ferry cannot check', { path: t.path, etag });
  return undefined;
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

/**
 * Chunks regrouped into parts of exactly `partSize` bytes (the last one shorter), each copied once into its
 * own buffer, so a part never pins larger buffers than itself.
 */
async function* cutParts(chunks: AsyncIterable<Buffer>, partSize: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (let b of chunks) {
    while (pendingBytes + b.length >= partSize) {
      const take = partSize - pendingBytes;
      pending.push(b.subarray(0, take));
      yield Buffer.concat(pending, partSize);
      pending = [];
      pendingBytes = 0;
      b = b.subarray(take);
    }
    if (b.length > 0) {
      pending.push(b);
      pendingBytes += b.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
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
