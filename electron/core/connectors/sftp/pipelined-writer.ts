import type { Readable } from 'node:stream';
import { FerryError, fromNodeError } from '../../errors';
import type { PipelineShape } from './pipelined-reader';
import type { SftpSession } from './session';

/**
 * Writes a source to an open handle from `offset` on, with up to `depth` WRITE requests in flight at
 * increasing offsets (one write at a time waits a round trip per chunk: ~40 ms each without NoDelay).
 * The source is pulled only while there is room in the pipeline, so a fast source never piles up in memory.
 *
 * Two steps, so that the caller can send its own last requests (set the time, close) right behind the last
 * write without waiting for the answers: `send` returns once every byte is sent, `settle` once every write
 * was answered (throwing the first failure).
 */
export class PipelinedWriter {
  /** Bytes handed to the server so far. */
  sent = 0;
  private failure: unknown;
  private inFlight = 0;
  /** Who waits for the next answer (`send` for room, `settle` for the end): a counter, not Promise.race. */
  private waiting: Array<() => void> = [];
  private readonly piece: number;

  constructor(
    private readonly session: SftpSession,
    private readonly handle: Buffer,
    private readonly path: string,
    private readonly offset: number,
    private readonly shape: PipelineShape,
  ) {
    this.piece = Math.min(shape.chunkSize, session.maxWriteLen);
  }

  /** Sends everything the source yields. On a failure (the server's or the source's) throws it. */
  async send(source: Readable, signal?: AbortSignal): Promise<void> {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = () => {
      if (pendingBytes === 0) return;
      this.write(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    };
    try {
      for await (const chunk of source) {
        if (this.failure) break;
        if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        pending.push(buf);
        pendingBytes += buf.length;
        // Small source chunks are gathered into full requests; a request per tiny chunk wastes round trips.
        if (pendingBytes >= this.piece) {
          flush();
          while (this.inFlight >= this.shape.depth && !this.failure) await this.answer();
        }
      }
      if (!this.failure) flush();
    } catch (e) {
      this.failure ??= e instanceof FerryError ? e : fromNodeError(e, { path: this.path });
    }
    if (this.failure) {
      source.destroy();
      await this.settle();
    }
  }

  /** Waits for the answer to every write sent; throws the first failure. */
  async settle(): Promise<void> {
    while (this.inFlight > 0) await this.answer();
    if (this.failure) throw this.failure;
  }

  private answer(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private write(block: Buffer): void {
    for (let i = 0; i < block.length; i += this.piece) {
      const data = block.subarray(i, i + this.piece);
      const at = this.offset + this.sent;
      this.sent += data.length;
      this.inFlight++;
      this.session
        .call('write', this.path, (cb) => this.session.sftp.write(this.handle, data, 0, data.length, at, (err) => cb(err)))
        .catch((e) => {
          this.failure ??= e;
        })
        .finally(() => {
          this.inFlight--;
          const waiting = this.waiting;
          this.waiting = [];
          for (const wake of waiting) wake();
        });
    }
  }
}
