import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CreateWriteStreamOptions, FileMetadata } from '@google-cloud/storage';
import { FerryError } from '../../errors';
import type { WriteOptions, WriteResult } from '../types';
import { base64ToHex, hashesOf, mtimeMetadata } from './metadata';
import type { GcsSession } from './session';

/**
 * One upload. Small files (declared size below the threshold) go in one multipart request; larger ones and
 * unknown sizes through a resumable session sent in chunks (a failed chunk is retried by the SDK, not the
 * file). Either way GCS makes the object visible only when the upload completes.
 *
 * Ferry hashes the bytes as they stream (MD5) and compares the md5Hash GCS reports for the stored object;
 * on a mismatch the object is deleted (only that generation, so a newer write by someone else survives) and
 * the write fails with CHECKSUM_MISMATCH. The SDK's own CRC32C check is off: it would hash everything a
 * second time in JavaScript, and on a mismatch it deletes without a generation condition.
 */
export async function uploadObject(
  s: GcsSession, path: string, bucket: string, key: string, source: Readable, opts: WriteOptions = {},
): Promise<WriteResult> {
  const file = s.storage.bucket(bucket).file(key);
  const resumable = opts.size === undefined || opts.size >= s.cfg.resumableThreshold;
  const metadata: FileMetadata = opts.modified ? { metadata: mtimeMetadata(opts.modified) } : {};
  // A declared size lets GCS refuse an upload that ends short or long (Content-Range totals).
  if (resumable && opts.size !== undefined) (metadata as Record<string, unknown>).contentLength = opts.size;
  const streamOpts: CreateWriteStreamOptions = {
    resumable,
    validation: false,
    metadata,
    ...(resumable ? { chunkSize: s.cfg.chunkSize } : {}),
  };

  const md5 = createHash('md5');
  let sent = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      md5.update(chunk);
      sent += chunk.length;
      cb(null, chunk);
    },
  });

  try {
    await pipeline(source, hasher, file.createWriteStream(streamOpts), ...(opts.signal ? [{ signal: opts.signal }] : []));
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
