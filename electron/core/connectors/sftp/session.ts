import type { Client, SFTPWrapper } from 'ssh2';
import type { FerryError } from '../../errors';
import { connectionLost, fromSftpError, type Where } from './errors';

type Callback<T> = (err: Error | null | undefined, value?: T) => void;

/**
 * One SSH connection with its SFTP channel, and the one way to send SFTP requests: `call`.
 *
 * ssh2 silently drops a request sent after its channel closed (the callback never runs), so the session
 * tracks the connection itself: once it is gone every pending and new request fails with CONNECTION_LOST
 * (retryable) instead of hanging.
 */
export class SftpSession {
  private lost?: FerryError;
  private readonly pending = new Set<(e: FerryError) => void>();
  private closing = false;
  private corked = false;
  /** Handles whose CLOSE waits for the next request, to share its socket write (closeSoon). */
  private closes: Buffer[] = [];
  private closeTimer?: NodeJS.Timeout;

  constructor(
    readonly client: Client,
    readonly sftp: SFTPWrapper,
    readonly where: Where,
  ) {
    const gone = (cause?: unknown) => this.markLost(cause);
    client.on('error', gone);
    client.on('close', () => gone());
    client.on('end', () => gone());
    sftp.on('error', gone);
    sftp.on('close', () => gone());
    sftp.on('end', () => gone());
  }

  /** Extensions the server announced in its SFTP VERSION packet (name → version). ssh2 keeps them unexported. */
  get extensions(): Record<string, string> {
    return (this.sftp as unknown as { _extensions?: Record<string, string> })._extensions ?? {};
  }

  /** The largest read/write payload the server accepts (ssh2 learns them from limits@openssh.com). */
  get maxReadLen(): number {
    return (this.sftp as unknown as { _maxReadLen?: number })._maxReadLen ?? 32_768;
  }
  get maxWriteLen(): number {
    return (this.sftp as unknown as { _maxWriteLen?: number })._maxWriteLen ?? 32_768;
  }

  /**
   * The largest SSH packet each way on the SFTP channel: ours (what ssh2 announced, 32 KiB) for answers, the
   * server's for requests. A request or answer that fits one packet is handled by ssh2 without being
   * reassembled or split, which saves a large allocation and a copy per request.
   */
  get inPacketSize(): number {
    return (this.sftp as unknown as { incoming?: { packetSize?: number } }).incoming?.packetSize ?? 32_768;
  }
  get outPacketSize(): number {
    return (this.sftp as unknown as { outgoing?: { packetSize?: number } }).outgoing?.packetSize ?? 32_768;
  }

  get alive(): boolean {
    return !this.lost;
  }

  /** Sends one request; its error is mapped with `op` and `path` for the message. */
  call<T = void>(op: string, path: string | undefined, send: (cb: Callback<T>) => void): Promise<T> {
    // Built only for an error: a transfer sends tens of thousands of requests per GiB.
    const where = () => ({ ...this.where, path });
    if (this.lost) return Promise.reject(connectionLost(where()));
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      const done: Callback<T> = (err, value) => {
        if (!this.pending.delete(reject)) return; // already failed by a lost connection
        if (err) reject(this.lost ? connectionLost(where(), err) : fromSftpError(err, op, where()));
        else resolve(value as T);
      };
      try {
        this.corkUntilNextTick();
        if (this.closes.length) this.sendCloses();
        send(done);
      } catch (e) {
        done(e as Error);
      }
    });
  }

  /**
   * Closes `handle` with the next request this session sends (it is in the same socket write), or within
   * CLOSE_WAIT_MS if none comes. For a handle whose close answer nobody needs (a read that has all its
   * bytes): a download of many small files sent a write of its own per file for it, and each write wakes the
   * server. The server handles requests in order, so the close still comes before whatever follows it.
   */
  closeSoon(handle: Buffer): void {
    if (this.lost) return; // the server closed every handle with the connection
    this.closes.push(handle);
    this.closeTimer ??= setTimeout(() => {
      this.closeTimer = undefined;
      if (!this.closes.length || this.lost) return;
      this.corkUntilNextTick();
      this.sendCloses();
    }, CLOSE_WAIT_MS);
  }

  private sendCloses(): void {
    const handles = this.closes;
    this.closes = [];
    clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    // Nobody waits for these answers: an error (the handle already gone) changes nothing.
    for (const h of handles) this.sftp.close(h, () => {});
  }

  /**
   * ssh2 writes every SSH packet to the socket as soon as it is made: a syscall per request, which was the
   * largest single cost of a download (a READ request per 32 KiB answer). Requests sent in the same tick
   * (a pipeline's refill, a file's write + set-time + close) go out in one writev instead.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    const sock = (this.client as unknown as { _sock?: { cork?(): void; uncork?(): void } })._sock;
    if (!sock?.cork || !sock.uncork) return;
    this.corked = true;
    sock.cork();
    process.nextTick(() => {
      this.corked = false;
      sock.uncork!();
    });
  }

  close(): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.closing = true;
    clearTimeout(this.closeTimer);
    this.markLost();
    return new Promise<void>((resolve) => {
      const sock = (this.client as unknown as { _sock?: { destroyed?: boolean } })._sock;
      if (!sock || sock.destroyed) return resolve();
      const t = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, 2000);
      this.client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.client.end();
    });
  }

  private markLost(cause?: unknown): void {
    if (this.lost) return;
    this.lost = connectionLost(this.where, cause);
    for (const abandon of [...this.pending]) abandon(this.lost);
    this.pending.clear();
  }
}

/**
 * How long a handle's close may wait for another request to go out with (closeSoon): a download's next
 * file on the same connection asks within about a millisecond.
 */
const CLOSE_WAIT_MS = 5;
