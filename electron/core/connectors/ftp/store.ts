import type { Socket } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { FTPError, type FTPResponse } from 'basic-ftp';
import type { FtpClient, Reply } from './connect';
import { startTransfer } from './transfer-start';

export interface Stored {
  /** The STOR's final reply (226). */
  stored: FTPResponse;
  /** The reply to `then`, when it was sent together with the end of the upload. */
  then?: Reply;
}

/**
 * Uploads `source` with STOR (REST first when `offset` > 0, after the passive-mode setup, RFC 3659 §5.5).
 * `then` (the MDTM/MFMT that sets the time) goes out the moment the last byte is sent, on a server that
 * takes pipelined commands: the server reads it after closing the file, so its reply arrives with the 226
 * and costs no round trip of its own. Where it was not sent, the caller sends it.
 *
 * Both replies are always awaited before settling, so no late reply is left to be mistaken for the answer
 * to the next command. A failing source closes the whole connection (as basic-ftp does): ending the data
 * connection would make the server keep a truncated file as if it were complete.
 */
export async function storeFile(client: FtpClient, source: Readable, path: string, offset: number, then?: string): Promise<Stored> {
  const ftp = client.ftp;
  const onSourceError = (err: Error) => ftp.closeWithError(err);
  source.once('error', onSourceError);
  let watchdog: NodeJS.Timeout | undefined;
  try {
    const stor = `STOR ${path}`;
    const replies: Array<FTPResponse | FTPError> = [];
    let began = false;
    let dataDone = false;
    let thenSent = false;
    return await new Promise<Stored>((resolve, reject) => {
      const settle = () => {
        const expected = thenSent ? 2 : 1;
        if (replies.length < expected) return;
        const [stored, after] = replies;
        if (stored instanceof FTPError) return void task.reject(stored);
        if (!dataDone) return; // a 226 can come before our side saw the pipeline finish
        task.resolve({ stored, ...(after ? { then: { code: after.code, message: after.message } } : {}) });
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
            pipeline(source, data, (err) => {
              clearInterval(watchdog);
              if (err) return void ftp.closeWithError(err);
              dataDone = true;
              ftp.socket.setTimeout(ftp.timeout);
              if (then && client.pipelines && replies.length === 0) {
                thenSent = true;
                ftp.send(then);
              }
              settle();
            });
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
    if (!ftp.closed) ftp.dataSocket = undefined;
  }
}
