import { FTPError, type FTPResponse } from 'basic-ftp';
import { parseEpsvResponse } from 'basic-ftp/dist/transfer.js';
import type { FtpClient } from './connect';

type Resolver = { resolve(v: FTPResponse): void; reject(e: Error): void };
/** Sees every reply from the transfer command's first one on, with `ftp.dataSocket` already connected. */
export type TransferHandler = (res: FTPResponse | Error, task: Resolver) => void;

/**
 * Opens a data connection and starts `command` (STOR or RETR; REST `offset` first when > 0) as one task.
 * REST's 350 is handled here; `onReply` gets the rest, so callers only deal with 150/125 and the final reply.
 *
 * On a server that takes pipelined commands and a connection that settled on EPSV, the EPSV goes out in the
 * same write as the command (one round trip less per file): the server answers EPSV, then reads the command
 * and waits for the data connection, which is opened the moment the 229 arrives. Replies that come while it
 * is being opened are held and passed on in order once it is open. After a REST the command is still sent
 * only on its 350, since a STOR/RETR after a refused REST would start from byte 0.
 */
export function startTransfer(client: FtpClient, command: string, offset: number, onReply: TransferHandler): Promise<FTPResponse> {
  const ftp = client.ftp;
  // Checked before anything goes out, as basic-ftp's send() would throw only once the task is running.
  if (/[\r\n\0]/.test(command)) return Promise.reject(new Error('Invalid command: Contains control characters.'));
  const first = offset > 0 ? `REST ${offset}` : command;
  let restPending = offset > 0;
  const afterRest = (res: FTPResponse | Error, t: Resolver) => {
    if (restPending && !(res instanceof Error) && res.code === 350) {
      restPending = false;
      return void ftp.send(command);
    }
    onReply(res, t);
  };
  if (!(client.pipelines && client.passiveMode === 'EPSV')) {
    return client.prepareTransfer(ftp).then(() => ftp.handle(first, afterRest));
  }

  let passiveDone = false;
  let passiveError: Error | undefined;
  let connecting = false;
  let dataError: Error | undefined;
  const held: Array<FTPResponse | Error> = [];
  /** Passes a reply on once the data connection is settled, in the order they came. */
  const pass = (res: FTPResponse | Error, t: Resolver) => {
    if (connecting) return void held.push(res);
    if (!dataError) return afterRest(res, t);
    // No data connection: a refusal is the server's answer (the session stays in step); anything else
    // would wait for data that cannot flow.
    if (res instanceof FTPError) afterRest(res, t);
    else ftp.closeWithError(dataError);
  };
  const flush = (t: Resolver) => {
    connecting = false;
    for (const r of held.splice(0)) {
      try {
        pass(r, t);
      } catch (err) {
        t.reject(err as Error);
        return void ftp.closeWithError(err as Error);
      }
    }
  };
  const task = ftp.handle(undefined, (res, t) => {
    // A broken connection is reported at once: nothing held can matter any more.
    if (res instanceof Error && !(res instanceof FTPError)) return onReply(res, t);
    if (!passiveDone) {
      if (res.code < 200) return;
      passiveDone = true;
      try {
        if (res instanceof FTPError) throw res;
        const port = parseEpsvResponse(res.message);
        connecting = true;
        client.connectPassive(port).then(
          () => flush(t),
          (err: Error) => {
            // The server may have refused the command and closed its side already: wait for its reply
            // (the control connection's timeout bounds the wait).
            dataError = err;
            flush(t);
          },
        );
      } catch (err) {
        passiveError = err as Error;
      }
      return;
    }
    if (passiveError) {
      // The command sent along finds no data connection and is refused; its reply (or REST's) ends the task.
      if (res.code >= 200) t.reject(passiveError);
      // The server now holds a REST offset the next transfer would inherit: this session is done.
      if (res.code === 350) ftp.closeWithError(passiveError);
      return;
    }
    pass(res, t);
  });
  client.sendTogether(['EPSV', first]);
  return task;
}
