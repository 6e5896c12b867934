import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CreateWriteStreamOptions, FileMetadata } from '@google-cloud/storage';
import { FerryError } from '../../errors';
import type { WriteOptions, WriteResult } from '../types';
import { base64ToHex, hashesOf, mtimeMetadata } from './metadata';
import type { GcsSession } from './session';

/**
 * One upload. Small files go in one multipart request; files from the threshold on go through a resumable
 * session sent in chunks (a failed chunk is retried by the SDK, not the file). A source of unknown size is
 * read up to the threshold first to decide. Either way GCS makes the object visible only when the upload
 * completes.
 *
 * Ferry hashes the bytes as they stream (MD5) and compares the md5Hash GCS reports for the stored object;
 * on a mismatch the object is deleted (only that generation, so a newer write by someone else survives) and
 * the write fails with CHECKSUM_MISMATCH. The SDK's own CRC32C check is off: it would hash everything a
 * second time in JavaScript, and on a mismatch it deletes without a generation condition.
 */
export async function uploadObject(
  s: GcsSession, path: string, bucket: string, key: string, source: Readable, opts: WriteOptions = {},
): Promise<WriteResult> {
  let size = opts.size;
  let input: Readable = source;
  if (size === undefined) {
    try {
      const head = await readHead(source, s.cfg.resumableThreshold);
      if (head.ended) size = head.length;
      input = Readable.from(head.rest());
    } catch (e) {
      throw s.fail(e, path);
    }
  }
  const file = s.storage.bucket(bucket).file(key);
  const resumable = size === undefined || size >= s.cfg.resumableThreshold;
  const metadata: FileMetadata = opts.modified ? { metadata: mtimeMetadata(opts.modified) } : {};
  // A declared size lets GCS refuse an upload that ends short or long (Content-Range totals).
  if (resumable && size !== undefined) (metadata as Record<string, unknown>).contentLength = size;
  const streamOpts: CreateWriteStreamOptions = {
    resumable,
    validation: false,
    metadata,
    ...(resumable ? { chunkSize: s.cfg.chunkSize } : {}),
  };

  const md5 = createHash('md5');
  let sent = 0;
  const declared = opts.size;
  const changed = () =>
    new FerryError('CONFLICT', `The source changed while it was read: ${sent} bytes instead of the ${declared} declared, for ${path}`, {
      detail: { path, declared, sent },
    });
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      md5.update(chunk);
      sent += chunk.length;
      cb(declared !== undefined && sent > declared ? changed() : null, chunk);
    },
    flush(cb) {
      cb(declared !== undefined && sent !== declared ? changed() : null);
    },
  });

  try {
    await pipeline(input, hasher, file.createWriteStream(streamOpts), ...(opts.signal ? [{ signal: opts.signal }] : []));
  } catch (e) {
    if (opts.signal?.aborted) throw new FerryError('CANCELLED', `Cancelled: ${path}`, { detail: { path } });
    throw s.fail(e, path);
  }

  const stored = file.metadata;
  const ours = md5.digest('hex');
  const theirs = base64ToHex(stored.md5Hash);
  const storedSize = Number(stored.size);
  if ((theirs !== undefined && theirs !== ours) || storedSize !== sent) {
    await file.delete({ ifGenerationMatch: stored.generation }).catch((e: unknown) => {
      s.log.warn('could not delete an object whose checksum did not match', { path, error: s.fail(e, path).message });
    });
    throw new FerryError(
      'CHECKSUM_MISMATCH',
      `Google Cloud Storage stored different bytes than Ferry sent for ${path} (MD5 ${theirs ?? 'none'} for ${storedSize} bytes, sent ${ours} for ${sent} bytes); the object was deleted`,
      { detail: { path, sentMd5: ours, storedMd5: theirs, sentBytes: sent, storedBytes: storedSize } },
    );
  }
  return { size: sent, hashes: hashesOf(stored) };
}

/**
 * Reads up to `limit` bytes of a source of unknown size (or all of it, if it ends first). `rest()` then
 * yields those bytes followed by the remainder of the source.
 */
async function readHead(source: Readable, limit: number): Promise<{ ended: boolean; length: number; rest(): AsyncGenerator<Buffer> }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < limit) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    head.push(chunk);
    length += chunk.length;
  }
  return {
    ended,
    length,
    async *rest() {
      try {
        yield* head;
        if (ended) return;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      } finally {
        // Stopped early (an upload failure): release the source, as a pipeline would have.
        await it.return?.();
      }
    },
  };
}
