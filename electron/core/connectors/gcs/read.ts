import { PassThrough, Readable } from 'node:stream';
import { FerryError } from '../../errors';
import type { ReadOptions } from '../types';
import { httpStatusOf } from './errors';
import { folderExists } from './list';
import type { GcsSession } from './session';

/**
 * A download as a stream. Ferry's `end` is exclusive, the SDK's (an HTTP Range) inclusive. The SDK opens
 * the request lazily and reports failures on the stream, so errors are mapped there: a 404 on a name that
 * is a folder becomes IS_A_DIRECTORY; a start at or past the end of the file (416) reads as empty.
 * Bytes come as stored (no gunzip of gzip-encoded objects), so size and MD5 match the object's metadata.
 */
export function downloadObject(s: GcsSession, path: string, bucket: string, key: string, opts: ReadOptions = {}): Readable {
  const start = opts.start ?? 0;
  const end = opts.end;
  const out = new PassThrough();
  if (end !== undefined && end <= start) {
    // Nothing to read; still say so when the file is not there.
    s.storage.bucket(bucket).file(key).getMetadata().then(
      () => out.end(),
      (e: unknown) => void mapError(e).then((err) => (err ? out.destroy(err) : out.end())),
    );
    return out;
  }
  const ranged = start > 0 || end !== undefined;
  const sdk = s.storage.bucket(bucket).file(key).createReadStream({
    validation: false,
    decompress: false,
    ...(ranged ? { start, ...(end !== undefined ? { end: end - 1 } : {}) } : {}),
  });

  async function mapError(e: unknown): Promise<FerryError | null> {
    const status = httpStatusOf(e);
    if (status === 416) return null;
    if (status === 404 && (await folderExists(s, bucket, key, path).catch(() => false))) {
      return new FerryError('IS_A_DIRECTORY', `Is a folder: ${path}`, { detail: { path } });
    }
    return s.fail(e, path);
  }

  sdk.on('error', (e: unknown) => {
    void mapError(e).then((err) => (err ? out.destroy(err) : out.end()));
  });
  out.on('close', () => sdk.destroy());
  if (opts.signal) {
    const onAbort = () => out.destroy(new FerryError('CANCELLED', `Cancelled: ${path}`, { detail: { path } }));
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    out.once('close', () => opts.signal?.removeEventListener('abort', onAbort));
  }
  sdk.pipe(out);
  return out;
}
