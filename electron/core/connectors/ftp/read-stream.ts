import { Readable, Writable } from 'node:stream';
import type { FtpClient } from './connect';

/**
 * Streams one RETR (from `start` via REST) into a Readable the caller owns, with back-pressure: the data
 * connection is paused while the caller is not reading. Resolves once bytes flow (or the file turned out
 * empty), so a missing file fails read() itself; rejects with what `explain` makes of an early failure.
 *
 * A range with an `end` stops the transfer once it has the bytes: FTP cannot stop a RETR and keep the
 * connection in a known state everywhere (ABOR handling varies), so the connection is closed and
 * `done(true)` tells the pool to discard it. The same happens when the caller destroys the stream early.
 */
export function retrieve(
  client: FtpClient,
  path: string,
  start: number,
  limit: number,
  explain: (e: unknown) => Promise<Error>,
  done: (discard: boolean) => void,
  signal?: AbortSignal,
  cancelled?: () => Error,
): Promise<Readable> {
  return new Promise<Readable>((resolve, reject) => {
    let started = false;
    let finished = false;
    let remaining = limit;
    let waiting: (() => void) | null = null;

    const begin = () => {
      if (!started) {
        started = true;
        resolve(output);
      }
    };
    // Stops the transfer by closing the connection; basic-ftp's download then rejects, which is ignored.
    const cut = () => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      client.close();
      done(true);
    };
    const onAbort = () => {
      const err = cancelled?.() ?? new Error('cancelled');
      cut();
      if (started) output.destroy(err);
      else reject(err);
    };

    const output = new Readable({
      read() {
        const resume = waiting;
        waiting = null;
        resume?.();
      },
      destroy(err, cb) {
        cut();
        cb(err);
      },
    });
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (finished) return cb();
        begin();
        const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
        remaining -= part.length;
        const more = output.push(part);
        if (remaining <= 0) {
          output.push(null);
          cut();
          return cb();
        }
        if (more) cb();
        else waiting = cb;
      },
    });

    signal?.addEventListener('abort', onAbort, { once: true });
    client.downloadTo(sink, path, start).then(
      () => {
        if (finished) return;
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        begin();
        output.push(null);
        done(false);
      },
      async (e: unknown) => {
        if (finished) return;
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        const err = await explain(e).catch((inner: Error) => inner);
        done(false);
        if (started) output.destroy(err);
        else reject(err);
      },
    );
  });
}
