import { FerryError } from '../../errors';
import type { FtpClient } from './connect';

interface Waiter {
  resolve(c: FtpClient): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
}

/**
 * The connections of one connector. An FTP connection does one thing at a time, so parallel operations need
 * parallel connections: up to `max`, opened only when operations overlap, the rest wait in line.
 * A connection that broke (basic-ftp closes it on any error other than a server's refusal) or was cut on
 * purpose (a read stopped early) is thrown away, never lent again.
 */
export class ClientPool {
  private idle: FtpClient[] = [];
  /** Connections open, being opened, or lent out. */
  private count = 0;
  private waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly open: (signal?: AbortSignal) => Promise<FtpClient>,
    private readonly max: number,
  ) {}

  /** Takes in the connection connect() opened to check the login. */
  adopt(client: FtpClient): void {
    this.count++;
    this.idle.push(client);
  }

  async acquire(signal?: AbortSignal): Promise<FtpClient> {
    if (this.closed) throw new FerryError('CANCELLED', 'The FTP connection was closed');
    if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      // The server may have closed an idle connection (its idle timeout): basic-ftp notices the FIN.
      if (!c.closed) return c;
      this.count--;
    }
    if (this.count < this.max) {
      this.count++;
      try {
        return await this.open(signal);
      } catch (e) {
        this.count--;
        this.wakeNext();
        throw e;
      }
    }
    return new Promise<FtpClient>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      this.waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new FerryError('CANCELLED', 'Cancelled'));
        },
        { once: true },
      );
    });
  }

  /** Gives a connection back; `discard` closes it (a transfer cut short leaves it in an unknown state). */
  release(client: FtpClient, discard = false): void {
    if (discard || client.closed || this.closed) {
      client.close();
      this.count--;
    } else {
      this.idle.push(client);
    }
    this.wakeNext();
  }

  /** Runs `fn` on a borrowed connection and gives it back (closed ones are dropped). */
  async use<T>(fn: (client: FtpClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const client = await this.acquire(signal);
    const onAbort = () => client.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn(client);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(client);
    }
  }

  /** Closes idle connections now and busy ones when they come back; waiting operations are cancelled. */
  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.close();
    for (const w of this.waiters.splice(0)) w.reject(new FerryError('CANCELLED', 'The FTP connection was closed'));
  }

  private wakeNext(): void {
    const waiter = this.waiters.shift();
    if (waiter) this.acquire(waiter.signal).then(waiter.resolve, waiter.reject);
  }
}
