import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { FTPError, type FTPResponse } from 'basic-ftp';
import type { FtpClient, Reply } from './connect';
import { startTransfer } from './transfer-start';
import { handBack, isLent } from '../lent-chunks';

export interface Stored {
  /** The STOR's final reply (226). */
  stored: FTPResponse;
  /** The replies to `then`, in order, when they were sent together with the end of the upload. */
  then?: Reply[];
  /** Bytes sent. */
  written: number;
}

/**
 * Uploads `source` with STOR (REST first when `offset` > 0, after the passive-mode setup, RFC 3659 §5.5).
 * `then` (the MDTM/MFMT that sets the time, the SIZE the verification needs) goes out the moment the last
 * byte is sent, on a server that takes pipelined commands: the server reads it after closing the file, so
 * its replies arrive with the 226 and cost no round trip of their own. Where it was not sent, the caller
 * sends what it needs.
 *
 * All replies are always awaited before settling, so no late reply is left to be mistaken for the answer
 * to the next command. A failing source closes the whole connection (as basic-ftp does): ending the data
 * connection would make the server keep a truncated file as if it were complete.
 */
export async function storeFile(
  client: FtpClient,
  source: Readable,
  path: string,
  offset: number,
  then: string[] = [],
  /** An empty file's data connection is ended only once this settled (see FtpClient.nextDataSettled). */
  emptyEndAfter?: Promise<void>,
): Promise<Stored> {
  const ftp = client.ftp;
  const onSourceError = (err: Error) => ftp.closeWithError(err);
  source.once('error', onSourceError);
  let watchdog: NodeJS.Timeout | undefined;
  let written = 0;
  let ended = false;
  let pump: ((chunk: Buffer) => void) | undefined;
  const onClose = () => {
    if (!ended) ftp.closeWithError(new Error('The source stream closed before its end'));
  };
  try {
    const stor = `STOR ${path}`;
    const replies: Array<FTPResponse | FTPError> = [];
    let began = false;
    let dataDone = false;
    let thenSent = false;
    return await new Promise<Stored>((resolve, reject) => {
      const settle = () => {
        const expected = thenSent ? 1 + then.length : 1;
        if (replies.length < expected) return;
        const [stored, ...after] = replies;
        if (stored instanceof FTPError) return void task.reject(stored);
        if (!dataDone) return; // a 226 can come before our side saw the pipeline finish
        task.resolve({ stored, written, ...(thenSent ? { then: after.map((r) => ({ code: r.code, message: r.message })) } : {}) });
      };
      let task!: { resolve(v: Stored): void; reject(e: unknown): void };
      const pending = startTransfer(client, stor, offset, (res, t) => {
        task = { resolve: (v) => t.resolve(v as unknown as FTPResponse), reject: (e) => t.reject(e as Error) };
        if (res instanceof Error && !(res instanceof FTPError)) return t.reject(res);
        if (res.code === 150 || res.code === 125) {
          if (began) return;
          began = true;
          const data = ftp.dataSocket as Socket;
          ftp.socket.setTimeout(0); // idle while the data flows; the watchdog below looks after the data
          const send = () => {
            let lastWritten = -1;
            // Only a server that stops taking bytes counts: a slow source leaves nothing queued.
            watchdog = setInterval(() => {
              if (data.writableLength > 0 && data.bytesWritten === lastWritten) ftp.closeWithError(new Error('Timeout (data socket)'));
              lastWritten = data.bytesWritten;
            }, Math.max(ftp.timeout, 1000));
            const onFinish = () => {
              clearInterval(watchdog);
              dataDone = true;
              ftp.socket.setTimeout(ftp.timeout);
              if (then.length && client.pipelines && replies.length === 0) {
                thenSent = true;
                // In one socket write (each write wakes the server on its own): one write less per file.
                try {
                  client.sendTogether(then);
                } catch (e) {
                  return void ftp.closeWithError(e as Error);
                }
              }
              settle();
            };
            // Writing and counting on 'data', not stream.pipeline and a counting Transform: per small file
            // those cost two more stream hops and an AbortController (with its DOMException) each. Not
            // pipe() either: a chunk whose memory its reader lent (a local file's, ../lent-chunks.ts) is
            // handed back once the socket has taken it (the write's callback).
            // Errors need no wiring here: a source error closes the connection (above), and basic-ftp does
            // the same for the data socket's.
            pump = (chunk: Buffer) => {
              written += chunk.length;
              const lent = isLent(chunk);
              const more = data.write(chunk, lent ? (err) => err || handBack(chunk) : undefined);
              if (!more) {
                source.pause();
                data.once('drain', () => source.resume());
              }
            };
            source.on('data', pump);
            source.once('end', () => {
              ended = true;
              data.once('finish', onFinish);
              if (written === 0 && emptyEndAfter) void emptyEndAfter.then(() => data.end());
              else data.end();
            });
            source.once('close', onClose);
          };
          // Over TLS nothing may be written before the data connection's handshake ended.
          if (data instanceof TLSSocket && !data.getCipher()) data.once('secureConnect', send);
          else send();
          return;
        }
        if (res.code < 200) return;
        replies.push(res);
        // Refused before any data: nothing else is coming.
        if (!began && res instanceof FTPError) return void t.reject(res);
        settle();
      });
      pending.then((v) => resolve(v as unknown as Stored), reject);
    });
  } finally {
    clearInterval(watchdog);
    source.removeListener('error', onSourceError);
    if (pump) source.removeListener('data', pump);
    source.removeListener('close', onClose);
    if (!ftp.closed) ftp.dataSocket = undefined;
  }
}
