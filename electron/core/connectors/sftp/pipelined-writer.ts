import type { Readable } from 'node:stream';
import { FerryError, fromNodeError } from '../../errors';
import type { PipelineShape } from './pipelined-reader';
import type { SftpSession } from './session';

/**
 * Writes `source` to an open handle from `offset` on, with up to `depth` WRITE requests in flight at
 * increasing offsets (one write at a time waits a round trip per chunk: ~40 ms each without NoDelay).
 * The source is pulled only while there is room in the pipeline, so a fast source never piles up in memory.
 * Returns the number of bytes written. On any failure the source is destroyed and the first error thrown,
 * after the requests already sent have been answered (so the handle can be closed cleanly).
 */
export async function pipelinedWrite(
  session: SftpSession,
  handle: Buffer,
  path: string,
  source: Readable,
  offset: number,
  shape: PipelineShape,
  signal?: AbortSignal,
): Promise<number> {
  const piece = Math.min(shape.chunkSize, session.maxWriteLen);
  let position = offset;
  let failure: unknown;
  const inFlight = new Set<Promise<void>>();

  const send = (block: Buffer) => {
    for (let i = 0; i < block.length; i += piece) {
      const data = block.subarray(i, i + piece);
      const at = position;
      position += data.length;
      const p = session
        .call('write', path, (cb) => session.sftp.write(handle, data, 0, data.length, at, (err) => cb(err)))
        .catch((e) => {
          failure ??= e;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };
  const roomFor = async () => {
    while (inFlight.size >= shape.depth && !failure) await Promise.race(inFlight);
  };

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pendingBytes === 0) return;
    send(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };

  try {
    for await (const chunk of source) {
      if (failure) break;
      if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      pending.push(buf);
      pendingBytes += buf.length;
      // Small source chunks are gathered into full requests; a request per tiny chunk wastes round trips.
      if (pendingBytes >= piece) {
        flush();
        await roomFor();
      }
    }
    if (!failure) flush();
  } catch (e) {
    failure ??= e instanceof FerryError ? e : fromNodeError(e, { path });
  }
  while (inFlight.size > 0) await Promise.race(inFlight);
  if (failure) {
    source.destroy();
    throw failure;
  }
  return position - offset;
}
