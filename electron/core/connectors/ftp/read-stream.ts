import { Readable } from 'node:stream';
import { FTPError, type FTPResponse } from 'basic-ftp';
import type { Socket } from 'node:net';
import type { Entry } from '../../../../shared/connectors';
import type { FtpClient, Reply } from './connect';
import { reportFinalFacts } from '../final-facts';
import { handBack } from '../lent-chunks';
import { SlabReader } from './slab-reader';
import { startTransfer } from './transfer-start';

/**
 * The file's facts asked for once all of its data has come (SIZE and MDTM): sent before the RETR's final
 * reply on a server that reads one command at a time (client.pipelines), so they are answered right after
 * it, describing the file as it was when the server had read all of it (../final-facts.ts).
 */
export interface FactsAfter {
  commands: string[];
  parse(replies: Reply[]): Entry;
}

/**
 * Streams one RETR (from `start` via REST) into a Readable the caller owns, reading the data connection
 * directly (no intermediate Writable): bytes go from the socket to the caller, and the socket is paused
 * while the caller is not reading. Resolves once the server opened the transfer (150), so a missing file
 * fails read() itself; rejects with what `explain` makes of an early failure.
 *
 * Stopping early (a range's `end` reached, or the caller destroying the stream) closes only the DATA
 * connection. The server then fails its write and answers the RETR (vsftpd: "426 Failure writing network
 * stream"; or 226 when it had already sent everything); that reply is awaited, so the control connection is
 * left idle and in step, and `done(false)` hands it back for reuse with no new login. Only when that reply
 * does not come in time (or on cancellation) is the connection closed and `done(true)` discards it.
 *
 * Nothing here waits without a bound (a stuck read would hold its pooled connection, and every operation
 * queued behind it, for ever): the data connection has an idle watchdog (time flowing without a byte; time
 * the caller holds it paused does not count), and from the moment the data is done (its end came, or it
 * was stopped) the RETR's final reply has `ftp.timeout` to come. Either failing is a TIMEOUT naming the
 * host, the path and what was awaited; when the caller already has all its bytes, only the connection
 * is dropped.
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
  factsAfter?: FactsAfter,
): Promise<Readable> {
  const ftp = client.ftp;
  return new Promise<Readable>((resolve, reject) => {
    let opened = false; // 150 seen: the caller has the stream
    let stopping = false; // we closed the data connection on purpose
    let failedErr: Error | null = null;
    let remaining = limit;
    let data: Socket | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    let settled = false;
    let failing = false;
    let ended = false; // the caller was given the end of the stream
    /** The facts' commands went out: their replies follow the RETR's final reply, and the task waits for them. */
    let factsSent = false;
    const factReplies: Reply[] = [];
    let facts: { resolve(e: Entry): void; reject(e: Error): void } | undefined;
    /**
     * Ends the RETR's task when its final reply came before the data's end (a reader slower than the
     * network, or the control connection's packet handled first): the task is held open until then, so the
     * facts can still be asked with a task there to take their replies.
     */
    let endHeldTask: (() => void) | undefined;
    const releaseTask = () => {
      const end = endHeldTask;
      endHeldTask = undefined;
      end?.();
    };

    const finish = (discard: boolean) => {
      if (settled) return;
      settled = true;
      facts?.reject(new Error('no answer to the facts asked after the transfer')); // the caller stats instead
      clearInterval(watchdog);
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      releaseTask(); // basic-ftp's task must be over before the connection is handed back
      if (discard) client.close();
      else if (!ftp.closed) {
        // basic-ftp must not keep this data socket around for the next command, and the control connection
        // goes back idle: a timeout left armed by awaitFinalReply would close it in the pool.
        ftp.dataSocket = undefined;
        ftp.socket.setTimeout(0);
      }
      // The data connection is of no more use. basic-ftp drops its listeners before destroying it, so the
      // reader would never hear of the close: told here, its memory goes back for the next download (else
      // every file left a slab of fresh memory behind, and V8 collected every few dozen files).
      reader.socket?.destroy();
      reader.close();
      done(discard || client.closed);
    };
    const fail = async (e: unknown) => {
      if (settled || failing) return;
      failing = true;
      clearInterval(watchdog);
      clearTimeout(deadline);
      const err = await explain(e).catch((inner: Error) => inner);
      finish(false);
      if (opened) output.destroy(err);
      else reject(err);
    };
    /**
     * The data is done (its end came, or it was stopped): the RETR's final reply has ftp.timeout to come.
     * basic-ftp's control timeout covers that only while its task is pending; this covers every case.
     */
    const awaitFinalReply = () => {
      ftp.socket.setTimeout(ftp.timeout);
      clearTimeout(deadline);
      deadline = setTimeout(() => {
        if (settled || failing) return;
        if (ended) return void finish(true); // the caller has all its bytes: only the connection is lost
        const err = new Error(`Timeout (control socket): no reply to RETR within ${seconds(ftp.timeout)} s of the end of the data`);
        ftp.closeWithError(err);
        void fail(err);
      }, Math.max(ftp.timeout, 1000));
    };
    /** Stops receiving: the data connection is closed, the RETR's final reply is still awaited. */
    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearInterval(watchdog);
      awaitFinalReply();
      data?.destroy();
      // The final reply may already be in (the control connection overtook the last data chunk, as happens
      // on a loaded machine when a range ends at the file's end): then nothing else would finish, and the
      // connection would never go back to the pool.
      tryFinish();
    };
    const onAbort = () => {
      const err = cancelled?.() ?? new Error('cancelled');
      finish(true); // a cancelled job does not wait for the server
      if (opened) output.destroy(err);
      else reject(err);
    };

    const output = new Readable({
      highWaterMark: 1024 * 1024,
      read() {
        if (data?.isPaused()) data.resume();
      },
      destroy(err, cb) {
        if (!settled) stop();
        cb(err);
      },
    });

    const startReading = (socket: Socket) => {
      data = socket;
      let lastSeen = -1;
      // basic-ftp's own data timeout would fire while the caller holds the socket paused; this one counts
      // only time the socket is flowing without bytes arriving.
      watchdog = setInterval(() => {
        const seen = socket.bytesRead;
        if (!stopping && !socket.isPaused() && seen === lastSeen) {
          const err = new Error(`Timeout (data socket): no data for ${seconds(ftp.timeout)} s`);
          ftp.closeWithError(err);
          // Failed here too: once the final reply is in, basic-ftp has no task left to fail.
          void fail(err);
        }
        lastSeen = seen;
      }, Math.max(ftp.timeout, 1000));
      const onChunk = (chunk: Buffer) => {
        if (stopping) return void handBack(chunk);
        // A part is a view of the chunk: never handed back, so the chunk's memory is never reused.
        const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
        remaining -= part.length;
        const more = output.push(part);
        if (remaining <= 0) {
          ended = true;
          output.push(null);
          stop();
        } else if (!more) socket.pause();
      };
      if (reader?.socket === socket) {
        socket.once('close', () => reader.close());
        reader.start(onChunk);
        // The reader held the socket paused for chunks that came before the 150; the output may want more.
        if (output.readableLength < output.readableHighWaterMark) socket.resume();
      } else socket.on('data', onChunk);
      const onEnd = () => {
        clearInterval(watchdog);
        if (stopping) return;
        awaitFinalReply();
        dataEnded = true;
        askFacts();
        if (!factsSent) releaseTask();
        tryFinish();
      };
      // An empty file's data connection can have ended (and said so) before the server's 150 arrived.
      if (socket.readableEnded) onEnd();
      else socket.once('end', onEnd);
    };

    /**
     * All the data came: the facts' commands go out now, while the RETR's task is still open (its final
     * reply has not come, or came first and the task was held for this), so the task sees their replies.
     */
    const wantsFacts = () => !!factsAfter && client.pipelines && limit === Infinity;
    const askFacts = () => {
      if (!wantsFacts() || (finalReply && !endHeldTask) || settled) return;
      try {
        client.sendTogether(factsAfter!.commands);
      } catch {
        return;
      }
      factsSent = true;
      endHeldTask = undefined; // the task now ends with the facts' last reply
      reportFinalFacts(
        output,
        new Promise<Entry>((resolve, reject) => {
          facts = { resolve, reject };
        }),
      );
    };
    const takeFact = (res: FTPResponse | FTPError) => {
      factReplies.push({ code: res.code, message: res.message });
      if (factReplies.length < factsAfter!.commands.length) return false;
      try {
        facts?.resolve(factsAfter!.parse(factReplies));
      } catch (e) {
        facts?.reject(e as Error);
      }
      facts = undefined;
      return true;
    };

    let dataEnded = false;
    let finalReply: FTPResponse | FTPError | undefined;
    const tryFinish = () => {
      if (!finalReply || settled || facts) return;
      if (stopping) return void finish(false);
      if (finalReply instanceof FTPError) return void fail(finalReply);
      if (!dataEnded) return;
      // The end is passed on only once the server confirmed the whole file (226), not at the socket's FIN.
      ended = true;
      output.push(null);
      finish(false);
    };

    signal?.addEventListener('abort', onAbort, { once: true });
    // A plain data connection reads into reused memory (slab-reader.ts); the socket made for this RETR takes it.
    const reader = new SlabReader();
    client.nextDataReader = reader;
    (async () => {
      let began = false;
      const task = startTransfer(client, `RETR ${path}`, start, (res, t) => {
        if (res instanceof Error && !(res instanceof FTPError)) return t.reject(res);
        if (res.code === 150 || res.code === 125) {
          if (began) return;
          began = true;
          ftp.socket.setTimeout(0); // the control connection is idle until the transfer ends
          startReading(ftp.dataSocket as Socket);
          opened = true;
          resolve(output);
          return;
        }
        if (res.code < 200) return;
        // After the final reply, the facts' replies (askFacts): the task ends with the last of them.
        if (finalReply) return void (takeFact(res) && t.resolve(finalReply as FTPResponse));
        // The RETR's final reply (or a refusal before any data).
        finalReply = res;
        if (factsSent) return;
        if (res instanceof FTPError || dataEnded || stopping || !wantsFacts()) return void t.resolve(res);
        endHeldTask = () => t.resolve(res); // the data's end is still to come (see endHeldTask)
      });
      await task.finally(() => {
        if (client.nextDataReader === reader) client.nextDataReader = null;
      });
      if (!began && !(finalReply instanceof FTPError)) throw new Error(`The server answered RETR without opening a transfer (${finalReply?.message})`);
      if (!began) throw finalReply;
      tryFinish();
    })().catch((e: unknown) => {
      if (settled) return;
      if (stopping && !failedErr) {
        // The wait for the final reply after a deliberate stop failed (timeout, closed): drop the connection.
        failedErr = e as Error;
        return void finish(true);
      }
      void fail(e);
    });
  });
}

/** Said the way basic-ftp says its own timeouts ("Timeout (...)"), which ftpError maps to TIMEOUT. */
const seconds = (ms: number) => Math.round(ms / 100) / 10;
