import type { Readable } from 'node:stream';
import { FerryError, fromNodeError } from '../../errors';
import { handBack } from '../lent-chunks';
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

  /**
   * Sends everything the source yields, in requests of exactly `piece` bytes (the last one shorter): source
   * chunks are cut without copying, and only the bytes left over at a chunk's end are copied, into the start
   * of the next request. On a failure (the server's or the source's) throws it.
   */
  async send(source: Readable, signal?: AbortSignal): Promise<void> {
    let carry: Buffer | undefined;
    let carried = 0;
    try {
      for await (const chunk of source) {
        if (this.failure) break;
        if (signal?.aborted) throw new FerryError('CANCELLED', 'Cancelled');
        const buf: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        let at = 0;
        if (carry) {
          const n = buf.copy(carry, carried, 0, this.piece - carried);
          carried += n;
          at = n;
          if (carried === this.piece) {
            this.write(carry);
            carry = undefined;
            await this.room();
          }
        }
        while (buf.length - at >= this.piece && !this.failure) {
          this.write(buf.subarray(at, at + this.piece));
          at += this.piece;
          await this.room();
        }
        if (at < buf.length && !carry && !this.failure) {
          // A fresh buffer: the one just sent may still be referenced by a request in flight.
          carry = Buffer.allocUnsafe(this.piece);
          carried = buf.copy(carry, 0, at);
        }
        // Every byte of the chunk is in ssh2's own request buffers now (sftp.write copies what it sends, and
        // no request is longer than the server's limit, which would make ssh2 keep it for a second write):
        // a local file's read buffer (lent, ../lent-chunks.ts) goes back for its next read.
        handBack(chunk as Buffer);
      }
      if (carry && !this.failure) this.write(carry.subarray(0, carried));
    } catch (e) {
      this.failure ??= e instanceof FerryError ? e : fromNodeError(e, { path: this.path });
    }
    if (this.failure) {
      source.destroy();
      await this.settle();
    }
  }

  /** Waits while the pipeline is full. */
  private async room(): Promise<void> {
    while (this.inFlight >= this.shape.depth && !this.failure) await this.answer();
  }

  /** Waits for the answer to every write sent; throws the first failure. */
  async settle(): Promise<void> {
    while (this.inFlight > 0) await this.answer();
    if (this.failure) throw this.failure;
  }

  private answer(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private write(data: Buffer): void {
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
